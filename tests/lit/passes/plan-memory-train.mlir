// RUN: fmc-opt %examples/gpt_block.mlir -pass-pipeline='builtin.module(fm-train,fm-fuse,fm-plan-memory)' | FileCheck %s
// RUN: fmc-opt %examples/gpt_block.mlir -pass-pipeline='builtin.module(fm-train,fm-fuse,fm-plan-memory{print})' -mlir-print-op-on-diagnostic=false -o /dev/null 2>&1 | FileCheck %s --check-prefix=TABLE

// The memory plan of the GPT block's training step. Its 17 parameters take
// 1089024 bytes (wte 131072, wpe 32768, qkv 196608 + 1536, attention
// projection 65536 + 512, MLP 262144 + 2048 and 262144 + 512, lm_head 131072,
// three layer norms 3 x 1024); AdamW's two moments of each, and the i64
// step, take 2 x 1089024 + 8. The gradients are as large as the parameters,
// and the batch is two 8x64 i32 tensors.
// CHECK-LABEL: func.func @gpt(
// CHECK-SAME: fm.memory_plan = {activations = {{[0-9]+}} : i64, arena = {{[0-9]+}} : i64, gradients = 0 : i64, inputs = 4096 : i64, optimizer_state = 0 : i64, peak = {{[0-9]+}} : i64, saved_activations = 0 : i64, weights = 1089024 : i64, workspace = 0 : i64}
// CHECK-LABEL: func.func @gpt_grad(
// CHECK-SAME: fm.memory_plan = {activations = {{[0-9]+}} : i64, arena = {{[0-9]+}} : i64, gradients = 1089024 : i64, inputs = 4096 : i64, optimizer_state = 0 : i64, peak = {{[0-9]+}} : i64, saved_activations = {{[1-9][0-9]*}} : i64, weights = 1089024 : i64, workspace = 0 : i64}
// CHECK-LABEL: func.func @train_step(
// CHECK-SAME: fm.memory_plan = {activations = {{[0-9]+}} : i64, arena = {{[0-9]+}} : i64, gradients = 1089024 : i64, inputs = 4096 : i64, optimizer_state = 2178056 : i64, peak = {{[0-9]+}} : i64, saved_activations = {{[1-9][0-9]*}} : i64, weights = 1089024 : i64, workspace = 0 : i64}

// Every fm.feeds result (17 parameters, 34 moments, the step) is updated in
// place.
// TABLE-LABEL: memory plan of @train_step
// TABLE-COUNT-52: in place of %arg
// TABLE-NOT: in place of

// RUN: fmc-opt %s -fm-plan-memory | FileCheck %s
// RUN: fmc-opt %s -fm-plan-memory=print -mlir-print-op-on-diagnostic=false -o /dev/null 2>&1 | FileCheck %s --check-prefix=TABLE
// RUN: fmc-opt %s -fm-plan-memory=alignment=1 | FileCheck %s --check-prefix=ALIGN1
// RUN: not fmc-opt %s -fm-plan-memory=alignment=48 -mlir-print-op-on-diagnostic=false -o /dev/null 2>&1 | FileCheck %s --check-prefix=BAD

// fm-plan-memory lays every public function's buffers out in one arena and
// summarizes the plan in bytes. Offsets are aligned to 64 bytes by default.

// One training step by hand. Arguments: w 64 (weights), m 64 (optimizer
// state), x 32 (inputs). Steps and buffers:
//   1  %0 = x w           32 bytes, read until step 3
//   2  %1 = sum(%0)        4 bytes, the loss: a result, live to the end (6)
//   3  %2 = x^T %0        64 bytes, read at step 4
//   4  %3 = m + %2        new m: m is last read here by this elementwise op,
//                         so %3 goes in place of m
//   5  %4 = w - %3        new w, in place of w likewise
// Live bytes: 32, 36, 100, 68, 4, 4; the peak is 100 + 160 of arguments.
// Activations (intermediates: %0 and %2) peak at 96 in step 3. %0, %1 and %2
// overlap in step 3, so each takes its own 64 bytes: an arena of 192.
// CHECK-LABEL: func.func @step(
// CHECK-SAME: fm.memory_plan = {activations = 96 : i64, arena = 192 : i64, gradients = 0 : i64, inputs = 32 : i64, optimizer_state = 64 : i64, peak = 260 : i64, saved_activations = 0 : i64, weights = 64 : i64, workspace = 0 : i64}
// TABLE: remark: memory plan of @step (6 steps, arena of 192 bytes):
// TABLE-NEXT: {{^}} %0 32 bytes [1, 3] offset 0{{$}}
// TABLE-NEXT: {{^}} %1 4 bytes [2, 6] offset 64{{$}}
// TABLE-NEXT: {{^}} %2 64 bytes [3, 4] offset 128{{$}}
// TABLE-NEXT: {{^}} %3 64 bytes [4, 6] in place of %arg1 ('m'){{$}}
// TABLE-NEXT: {{^}} %4 64 bytes [5, 6] in place of %arg0 ('w'){{$}}
// Without alignment: %0 [0, 32), %1 [32, 36), %2 [36, 100).
// ALIGN1-LABEL: func.func @step(
// ALIGN1-SAME: arena = 100 : i64
func.func @step(%w: tensor<4x4xf32> {fm.name = "w", fm.param},
                %m: tensor<4x4xf32> {fm.name = "m", fm.state},
                %x: tensor<2x4xf32> {fm.name = "x", fm.data})
    -> (tensor<f32> {fm.name = "loss"},
        tensor<4x4xf32> {fm.feeds = 0 : i64, fm.name = "w"},
        tensor<4x4xf32> {fm.feeds = 1 : i64, fm.name = "m"}) {
  %0 = fm.matmul %x, %w : tensor<2x4xf32>, tensor<4x4xf32>
  %1 = fm.reduce_sum %0 : tensor<2x4xf32>
  %2 = fm.matmul %x, %0 transpose_a : tensor<2x4xf32>, tensor<2x4xf32>
  %3 = fm.add %m, %2 : tensor<4x4xf32>
  %4 = fm.sub %w, %3 : tensor<4x4xf32>
  return %1, %4, %3 : tensor<f32>, tensor<4x4xf32>, tensor<4x4xf32>
}

// Reuse: each buffer of 128 bytes dies one step after it is made, so the
// third takes the first one's place and the fourth the second's.
// CHECK-LABEL: func.func @reuse(
// CHECK-SAME: fm.memory_plan = {activations = 256 : i64, arena = 256 : i64, gradients = 0 : i64, inputs = 128 : i64, optimizer_state = 0 : i64, peak = 384 : i64, saved_activations = 0 : i64, weights = 0 : i64, workspace = 0 : i64}
// TABLE: remark: memory plan of @reuse (5 steps, arena of 256 bytes):
// TABLE-NEXT: {{^}} %0 128 bytes [1, 2] offset 0{{$}}
// TABLE-NEXT: {{^}} %1 128 bytes [2, 3] offset 128{{$}}
// TABLE-NEXT: {{^}} %2 128 bytes [3, 4] offset 0{{$}}
// TABLE-NEXT: {{^}} %3 128 bytes [4, 5] offset 128{{$}}
func.func @reuse(%a: tensor<32xf32>) -> tensor<32xf32> {
  %0 = fm.exp %a : tensor<32xf32>
  %1 = fm.neg %0 : tensor<32xf32>
  %2 = fm.exp %1 : tensor<32xf32>
  %3 = fm.neg %2 : tensor<32xf32>
  return %3 : tensor<32xf32>
}

// Best fit. Placed largest first: %p at 0, %q above it, %t above both (it
// overlaps %q at step 5), %r and %s above those. %u (steps 6-7) overlaps
// %p, %t and %s only, which leave a hole of 128 bytes (%q's) and one of 64
// (%r's): it takes the 64. %v then finds %q's and %t's places free.
// TABLE: remark: memory plan of @best_fit (8 steps, arena of 640 bytes):
// TABLE-NEXT: {{^}} %0 256 bytes [1, 8] offset 0{{$}}
// TABLE-NEXT: {{^}} %1 128 bytes [2, 5] offset 256{{$}}
// TABLE-NEXT: {{^}} %2 64 bytes [3, 5] offset 512{{$}}
// TABLE-NEXT: {{^}} %3 64 bytes [4, 8] offset 576{{$}}
// TABLE-NEXT: {{^}} %4 128 bytes [5, 6] offset 384{{$}}
// TABLE-NEXT: {{^}} %5 64 bytes [6, 7] offset 512{{$}}
// TABLE-NEXT: {{^}} %6 64 bytes [7, 8] offset 256{{$}}
func.func @best_fit(%a: tensor<2x16xf32>, %b: tensor<16xf32>,
                    %c: tensor<64xf32>)
    -> (tensor<64xf32>, tensor<16xf32>, tensor<16xf32>) {
  %p = fm.neg %c : tensor<64xf32>
  %q = fm.exp %a : tensor<2x16xf32>
  %r = fm.exp %b : tensor<16xf32>
  %s = fm.neg %b : tensor<16xf32>
  %t = fm.add %q, %r : tensor<2x16xf32>, tensor<16xf32>
  %u = fm.reduce_sum %t axes [0] : tensor<2x16xf32>
  %v = fm.neg %u : tensor<16xf32>
  return %p, %s, %v : tensor<64xf32>, tensor<16xf32>, tensor<16xf32>
}

// A call is planned as if the callee's body were inlined; the callee's
// results named grad.* are gradients. A private function gets no plan of
// its own. Steps 1-3 are @f_grad's: %0 (64 bytes, read at 2), the loss (4,
// a result of @train_step) and grad.w (64, read at 4). Then the update %1
// (64) and the new w, in place. Live bytes: 64, 68, 68, 132, 68, 4.
// CHECK-LABEL: func.func private @f_grad(
// CHECK-NOT: fm.memory_plan
// CHECK-LABEL: func.func @train_step(
// CHECK-SAME: fm.memory_plan = {activations = 64 : i64, arena = 192 : i64, gradients = 64 : i64, inputs = 64 : i64, optimizer_state = 0 : i64, peak = 260 : i64, saved_activations = 0 : i64, weights = 64 : i64, workspace = 0 : i64}
// TABLE-NOT: memory plan of @f_grad
// TABLE: remark: memory plan of @train_step (6 steps, arena of 192 bytes):
// TABLE-NEXT: {{^}} @f_grad:%0 64 bytes [1, 2] offset 0{{$}}
// TABLE-NEXT: {{^}} @f_grad:%1 4 bytes [2, 6] offset 64{{$}}
// TABLE-NEXT: {{^}} @f_grad:%2 64 bytes [3, 4] offset 0{{$}}
// TABLE-NEXT: {{^}} %2 64 bytes [4, 5] offset 128{{$}}
// TABLE-NEXT: {{^}} %3 64 bytes [5, 6] in place of %arg0 ('w'){{$}}
func.func private @f_grad(%w: tensor<16xf32>, %x: tensor<16xf32>)
    -> (tensor<f32> {fm.name = "loss"}, tensor<16xf32> {fm.name = "grad.w"}) {
  %0 = fm.mul %w, %x : tensor<16xf32>
  %1 = fm.reduce_sum %0 : tensor<16xf32>
  %2 = fm.add %x, %x : tensor<16xf32>
  return %1, %2 : tensor<f32>, tensor<16xf32>
}
func.func @train_step(%w: tensor<16xf32> {fm.name = "w", fm.param},
                      %x: tensor<16xf32> {fm.name = "x", fm.data})
    -> (tensor<f32> {fm.name = "loss"},
        tensor<16xf32> {fm.feeds = 0 : i64, fm.name = "w"}) {
  %0:2 = call @f_grad(%w, %x)
      : (tensor<16xf32>, tensor<16xf32>) -> (tensor<f32>, tensor<16xf32>)
  %lr = fm.constant dense<0.1> : tensor<f32>
  %1 = fm.mul %lr, %0#1 : tensor<f32>, tensor<16xf32>
  %2 = fm.sub %w, %1 : tensor<16xf32>
  return %0#0, %2 : tensor<f32>, tensor<16xf32>
}

// fm.reshape is a view: %0 reads p and %2 reads %1, without buffers of
// their own. p is read through %0 after the new p (%1) is made, so %1
// cannot take p's place.
// CHECK-LABEL: func.func @views(
// CHECK-SAME: fm.memory_plan = {activations = 0 : i64, arena = 128 : i64, gradients = 0 : i64, inputs = 0 : i64, optimizer_state = 0 : i64, peak = 192 : i64, saved_activations = 0 : i64, weights = 64 : i64, workspace = 0 : i64}
// TABLE: remark: memory plan of @views (3 steps, arena of 128 bytes):
// TABLE-NEXT: {{^}} %1 64 bytes [1, 3] offset 0{{$}}
// TABLE-NEXT: {{^}} %3 64 bytes [2, 3] offset 64{{$}}
func.func @views(%p: tensor<4x4xf32> {fm.name = "p", fm.param})
    -> (tensor<16xf32>, tensor<4x4xf32> {fm.feeds = 0 : i64}) {
  %0 = fm.reshape %p : tensor<4x4xf32> -> tensor<16xf32>
  %1 = fm.exp %p : tensor<4x4xf32>
  %2 = fm.reshape %1 : tensor<4x4xf32> -> tensor<16xf32>
  %3 = fm.add %0, %2 : tensor<16xf32>
  return %3, %1 : tensor<16xf32>, tensor<4x4xf32>
}

// An elementwise fusion whose results all have the argument's shape updates
// it in place, like one elementwise op. Fusion results are one buffer each;
// the values inside take none.
// TABLE: remark: memory plan of @fused_in_place (2 steps, arena of 64 bytes):
// TABLE-NEXT: {{^}} %0#0 16 bytes [1, 2] in place of %arg0 ('p'){{$}}
// TABLE-NEXT: {{^}} %0#1 16 bytes [1, 2] offset 0{{$}}
func.func @fused_in_place(%p: tensor<4xf32> {fm.name = "p", fm.param})
    -> (tensor<4xf32> {fm.feeds = 0 : i64}, tensor<4xf32>) {
  %0:2 = fm.fusion kind "elementwise" (%p) : (tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  ^bb0(%in0: tensor<4xf32>):
    %1 = fm.exp %in0 : tensor<4xf32>
    %2 = fm.neg %1 : tensor<4xf32>
    fm.yield %1, %2 : tensor<4xf32>, tensor<4xf32>
  }
  return %0#0, %0#1 : tensor<4xf32>, tensor<4xf32>
}

// With a larger result the kernel loops over [2, 4]: p[j] is read for both
// rows, so the new p, written in the first, cannot overwrite it.
// TABLE: remark: memory plan of @fused_not_in_place (2 steps, arena of 128 bytes):
// TABLE-NEXT: {{^}} %0#0 16 bytes [1, 2] offset 0{{$}}
// TABLE-NEXT: {{^}} %0#1 32 bytes [1, 2] offset 64{{$}}
func.func @fused_not_in_place(%p: tensor<4xf32> {fm.name = "p", fm.param},
                              %q: tensor<2x4xf32>)
    -> (tensor<4xf32> {fm.feeds = 0 : i64}, tensor<2x4xf32>) {
  %0:2 = fm.fusion kind "elementwise" (%p, %q) : (tensor<4xf32>, tensor<2x4xf32>) -> (tensor<4xf32>, tensor<2x4xf32>) {
  ^bb0(%in0: tensor<4xf32>, %in1: tensor<2x4xf32>):
    %1 = fm.exp %in0 : tensor<4xf32>
    %2 = fm.add %in0, %in1 : tensor<4xf32>, tensor<2x4xf32>
    fm.yield %1, %2 : tensor<4xf32>, tensor<2x4xf32>
  }
  return %0#0, %0#1 : tensor<4xf32>, tensor<2x4xf32>
}

// BAD: error: fm-plan-memory: alignment must be a power of two, got 48

// RUN: fmc-opt %s -split-input-file -pass-pipeline='builtin.module(fm-train,fm-fp8-optimizer{group=32 second-moment=e5m2})' | FileCheck %s
// RUN: fmc-opt %s -split-input-file -pass-pipeline='builtin.module(fm-train,fm-fp8-optimizer{group=32 expand=false})' | FileCheck %s --check-prefix=PLAIN
// RUN: fmc-opt %s -split-input-file -pass-pipeline='builtin.module(fm-fp8-optimizer)' -verify-diagnostics

// The moments of w (256 elements, 8 groups of 32) become FP8 codes and
// per-group scale, exponent and centre, dequantized right before the update
// reads them; those of b (3 elements) stay f32.
// The second moment is E5M2 here. Every new state result feeds the argument
// of its name, and the later arguments' feeds follow their moves.
// CHECK-LABEL: func.func @train_step
// CHECK-SAME: %[[M:[a-z0-9]+]]: tensor<8x32xf8E4M3FN> {fm.name = "adamw.m.w", fm.state}, %[[MS:[a-z0-9]+]]: tensor<8x1xf32> {fm.name = "adamw.m.w.scale", fm.state}, %[[MK:[a-z0-9]+]]: tensor<8x1xf32> {fm.name = "adamw.m.w.exponent", fm.state}, %[[MC:[a-z0-9]+]]: tensor<8x1xf32> {fm.name = "adamw.m.w.centre", fm.state}, %{{.+}}: tensor<3xf32> {fm.name = "adamw.m.b", fm.state}, %{{.+}}: tensor<8x32xf8E5M2> {fm.name = "adamw.v.w", fm.state}
// CHECK-SAME: tensor<i64> {fm.name = "step", fm.state}
// CHECK-SAME: -> (tensor<f32> {fm.name = "loss"}, tensor<4x64xf32> {fm.feeds = 0 : i64, fm.name = "w"}, tensor<3xf32> {fm.feeds = 1 : i64, fm.name = "b"}, tensor<8x32xf8E4M3FN> {fm.feeds = 2 : i64, fm.name = "adamw.m.w"}, tensor<8x1xf32> {fm.feeds = 3 : i64, fm.name = "adamw.m.w.scale"}
// CHECK-SAME: tensor<8x32xf8E5M2> {fm.feeds = 7 : i64, fm.name = "adamw.v.w"}
// CHECK-SAME: tensor<i64> {fm.feeds = 12 : i64, fm.name = "step"})
// CHECK: %[[DM:.+]] = fm.dequantize_expanded %[[M]], %[[MS]], %[[MK]], %[[MC]] group 32 : tensor<8x32xf8E4M3FN>, tensor<8x1xf32> -> tensor<8x32xf32>
// CHECK: %[[OLDM:.+]] = fm.reshape %[[DM]] : tensor<8x32xf32> -> tensor<4x64xf32>
// CHECK-NEXT: fm.mul %{{.+}}, %[[OLDM]] : tensor<f32>, tensor<4x64xf32>
// CHECK: fm.dequantize_expanded %{{.+}} group 32 : tensor<8x32xf8E5M2>, tensor<8x1xf32> -> tensor<8x32xf32>
// CHECK-DAG: fm.quantize_expanded %{{.+}} group 32 : tensor<8x32xf32> -> tensor<8x32xf8E4M3FN>, tensor<8x1xf32>
// CHECK-DAG: fm.quantize_expanded %{{.+}} group 32 : tensor<8x32xf32> -> tensor<8x32xf8E5M2>, tensor<8x1xf32>
// CHECK: return

// Without expansion: codes and a plain per-group scale from the amax.
// PLAIN-LABEL: func.func @train_step
// PLAIN-SAME: tensor<8x32xf8E4M3FN> {fm.name = "adamw.m.w", fm.state}, %{{.+}}: tensor<8x1xf32> {fm.name = "adamw.m.w.scale", fm.state}, %{{.+}}: tensor<3xf32> {fm.name = "adamw.m.b", fm.state}
// PLAIN: fm.dequantize %{{.+}}, %{{.+}} group 32 : tensor<8x32xf8E4M3FN>, tensor<8x1xf32> -> tensor<8x32xf32>
// PLAIN: %[[AMAX:.+]] = fm.reduce_max %{{.+}} axes [1] keepdim : tensor<8x32xf32>
// PLAIN: fm.quantize %{{.+}}, %{{.+}} group 32 : tensor<8x32xf32>, tensor<8x1xf32> -> tensor<8x32xf8E4M3FN>
// PLAIN-NOT: quantize_expanded
// expected-error @+1 {{fm-fp8-optimizer needs @train_step (run fm-train first)}}
module {
func.func @f(%w: tensor<4x64xf32> {fm.name = "w", fm.param}, %b: tensor<3xf32> {fm.name = "b", fm.param}, %x: tensor<2x4xf32> {fm.name = "x", fm.data}) -> (tensor<f32> {fm.name = "loss"}) {
  %h = fm.matmul %x, %w : tensor<2x4xf32>, tensor<4x64xf32>
  %s = fm.reduce_sum %h : tensor<2x64xf32>
  %t = fm.reduce_sum %b : tensor<3xf32>
  %l = fm.add %s, %t : tensor<f32>, tensor<f32>
  return %l : tensor<f32>
}
}

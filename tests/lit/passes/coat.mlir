// RUN: fmc-opt %s -pass-pipeline='builtin.module(fm-coat{function=f})' | FileCheck %s

// fm-coat = fm-train, fm-fp8-linear, cse, fm-fp8-activations,
// fm-fp8-optimizer. In the gradient function the forward GEMM takes E4M3
// copies of x and w; the GELU input is kept as E4M3 in 1x16 groups; the
// weight gradient's GEMM quantizes x again, with the forward scale (one
// scale per tensor), from the argument, which lives through the step
// anyway, rather than keeping the forward's copy; the gradient operand is
// E5M2.
// CHECK-LABEL: func.func @f_grad
// CHECK-SAME: (%[[W:.+]]: tensor<16x32xf32> {{.+}}, %[[X:.+]]: tensor<4x16xf32>
// CHECK: %[[XQ:.+]] = fm.quantize %[[X]], %[[XS:.+]] : tensor<4x16xf32>, tensor<f32> -> tensor<4x16xf8E4M3FN>
// CHECK: %[[H:.+]] = fm.scaled_matmul %[[XQ]], %[[XS]], %{{.+}}, %{{.+}} : tensor<4x16xf8E4M3FN>, tensor<16x32xf8E4M3FN> -> tensor<4x32xf32>
// CHECK: fm.quantize %[[H]], %{{.+}} group 16 : tensor<4x32xf32>, tensor<4x2xf32> -> tensor<4x32xf8E4M3FN>
// CHECK: fm.dequantize
// CHECK-NEXT: fm.gelu_grad
// CHECK: %[[GQ:.+]] = fm.quantize %{{.+}}, %{{.+}} : tensor<4x32xf32>, tensor<f32> -> tensor<4x32xf8E5M2>
// CHECK: %[[XAGAIN:.+]] = fm.quantize %[[X]], %[[XS]] : tensor<4x16xf32>, tensor<f32> -> tensor<4x16xf8E4M3FN>
// CHECK: fm.scaled_matmul %[[XAGAIN]], %[[XS]], %[[GQ]], %{{.+}} transpose_a
// CHECK: return
// The step keeps w's moments as FP8 codes with range-expansion metadata.
// CHECK-LABEL: func.func @train_step
// CHECK-SAME: tensor<4x128xf8E4M3FN> {fm.name = "adamw.m.w", fm.state}
// CHECK-SAME: tensor<4x1xf32> {fm.name = "adamw.m.w.exponent", fm.state}
// CHECK: fm.dequantize_expanded
// CHECK: fm.quantize_expanded
func.func @f(%w: tensor<16x32xf32> {fm.name = "w", fm.param}, %x: tensor<4x16xf32> {fm.name = "x", fm.data}) -> (tensor<f32> {fm.name = "loss"}) {
  %h = fm.matmul %x, %w : tensor<4x16xf32>, tensor<16x32xf32>
  %g = fm.gelu %h : tensor<4x32xf32>
  %l = fm.reduce_sum %g : tensor<4x32xf32>
  return %l : tensor<f32>
}

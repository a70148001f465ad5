// RUN: fmc-opt %s -pass-pipeline='builtin.module(fm-autodiff,fm-fp8-linear,cse,fm-fp8-activations)' | FileCheck %s

// With fm-fp8-linear, the softmax output P has a per-tensor FP8 copy for
// the GEMM P @ w, which the backward GEMM P^T @ dY reads too. Only the 1x16
// group copy that softmax_grad needs is kept: the backward pass makes the
// per-tensor copy again from its dequantized P, with the forward scale.
// Copies of the weight w are made again from the argument. P's per-tensor
// amax is the maximum of its 1x16 group amaxes (the two-stage amax).
// CHECK-LABEL: func.func @f_grad
// CHECK-SAME: (%[[W:.+]]: tensor<16x16xf32> {{.+}}, %[[X:.+]]: tensor<16x16xf32>
// CHECK: %[[WQ:.+]] = fm.quantize %[[W]], %[[WS:.+]] : tensor<16x16xf32>, tensor<f32> -> tensor<16x16xf8E4M3FN>
// CHECK: %[[P:.+]] = fm.softmax
// CHECK: %[[GAMAX:.+]] = fm.reduce_max %{{.+}} axes [-1] : tensor<16x1x16xf32>
// CHECK: %[[PG:.+]] = fm.quantize %[[P]], %[[PGS:.+]] group 16 : tensor<16x16xf32>, tensor<16x1xf32> -> tensor<16x16xf8E4M3FN>
// CHECK: fm.reduce_max %[[GAMAX]] : tensor<16x1xf32>
// CHECK: %[[PQ:.+]] = fm.quantize %[[P]], %[[PS:.+]] : tensor<16x16xf32>, tensor<f32> -> tensor<16x16xf8E4M3FN>
// CHECK: fm.scaled_matmul %[[PQ]], %[[PS]], %[[WQ]], %[[WS]] :
// CHECK: %[[WAGAIN:.+]] = fm.quantize %[[W]], %[[WS]] :
// CHECK: fm.scaled_matmul %{{.+}}, %{{.+}}, %[[WAGAIN]], %[[WS]] transpose_b
// CHECK: %[[RESTORED:.+]] = fm.dequantize %[[PG]], %[[PGS]] group 16
// CHECK: %[[PAGAIN:.+]] = fm.quantize %[[RESTORED]], %[[PS]] :
// CHECK: fm.scaled_matmul %[[PAGAIN]], %[[PS]], %{{.+}}, %{{.+}} transpose_a
// CHECK: fm.softmax_grad %[[RESTORED]]
func.func @f(%w: tensor<16x16xf32> {fm.name = "w", fm.param}, %x: tensor<16x16xf32> {fm.name = "x", fm.data}) -> (tensor<f32> {fm.name = "loss"}) {
  %s = fm.matmul %x, %w : tensor<16x16xf32>, tensor<16x16xf32>
  %p = fm.softmax %s : tensor<16x16xf32>
  %y = fm.matmul %p, %w : tensor<16x16xf32>, tensor<16x16xf32>
  %l = fm.reduce_sum %y : tensor<16x16xf32>
  return %l : tensor<f32>
}

// RUN: fmc-opt %s -fm-lower-to-linalg | FileCheck %s

// Fusions are inlined before lowering: their ops lower as if never grouped.
// CHECK-LABEL: func.func @gemm_bias_gelu(
// CHECK-NOT: fm.
// CHECK: linalg.matmul
// CHECK: linalg.generic
// CHECK: math.tanh
// CHECK-NOT: fm.
func.func @gemm_bias_gelu(%x: tensor<8x16xf32>, %w: tensor<16x32xf32>,
                          %b: tensor<32xf32>) -> tensor<8x32xf32> {
  %0 = fm.fusion kind "gemm" (%x, %w, %b) : (tensor<8x16xf32>, tensor<16x32xf32>, tensor<32xf32>) -> tensor<8x32xf32> {
  ^bb0(%in0: tensor<8x16xf32>, %in1: tensor<16x32xf32>, %in2: tensor<32xf32>):
    %1 = fm.matmul %in0, %in1 : tensor<8x16xf32>, tensor<16x32xf32>
    %2 = fm.add %1, %in2 : tensor<8x32xf32>, tensor<32xf32>
    %3 = fm.gelu %2 : tensor<8x32xf32>
    fm.yield %3 : tensor<8x32xf32>
  }
  return %0 : tensor<8x32xf32>
}

// RUN: fmc-opt %s -split-input-file -fm-lower-to-linalg | FileCheck %s

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

// -----

// A body that yields its own argument gives back the fusion's input. Found
// by fmc fuzz: inlining replaced the fusion's result with the argument of
// the block it had just removed (a crash).
// CHECK-LABEL: func.func @yields_argument(
// CHECK-SAME: %[[X:.+]]: tensor<4xf32>
// CHECK-NOT: fm.
// CHECK: return %[[X]]
func.func @yields_argument(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = fm.fusion (%x) : (tensor<4xf32>) -> tensor<4xf32> {
  ^bb0(%in0: tensor<4xf32>):
    %1 = fm.neg %in0 : tensor<4xf32>
    fm.yield %in0 : tensor<4xf32>
  }
  return %0 : tensor<4xf32>
}

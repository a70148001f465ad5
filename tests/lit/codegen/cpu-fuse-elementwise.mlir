// RUN: fmc-opt %s -split-input-file -fm-lower-to-linalg -fm-cpu-fuse-elementwise | FileCheck %s

// A bias add, GELU and exp chain becomes one loop nest: one generic that
// reads the input and the bias and computes all three bodies in order.
// CHECK-LABEL: func.func @chain
// CHECK: linalg.generic
// CHECK-SAME: ins(%{{.+}}, %{{.+}} : tensor<4x8xf32>, tensor<8xf32>)
// CHECK: arith.addf
// CHECK: math.tanh
// CHECK: math.exp
// CHECK-NOT: linalg.generic
// CHECK: return
func.func @chain(%x: tensor<4x8xf32>, %b: tensor<8xf32>) -> tensor<4x8xf32> {
  %0 = fm.add %x, %b : tensor<4x8xf32>, tensor<8xf32>
  %1 = fm.gelu %0 : tensor<4x8xf32>
  %2 = fm.exp %1 : tensor<4x8xf32>
  return %2 : tensor<4x8xf32>
}

// -----

// A value with two users is computed once, not fused into both.
// CHECK-LABEL: func.func @shared
// CHECK-COUNT-3: linalg.generic
// CHECK-NOT: linalg.generic
func.func @shared(%x: tensor<16xf32>) -> (tensor<16xf32>, tensor<16xf32>) {
  %0 = fm.exp %x : tensor<16xf32>
  %1 = fm.neg %0 : tensor<16xf32>
  %2 = fm.sqrt %0 : tensor<16xf32>
  return %1, %2 : tensor<16xf32>, tensor<16xf32>
}

// -----

// Matrix products stay named ops for fm-cpu-matmul-to-runtime, and
// transposed ones (contraction generics) take no producer: the scaling
// stays a loop of its own before the product, the bias add after it.
// CHECK-LABEL: func.func @around_matmul
// CHECK: linalg.generic
// CHECK: arith.mulf
// CHECK: linalg.matmul
// CHECK: linalg.generic
// CHECK: arith.addf
// CHECK-LABEL: func.func @around_transposed_matmul
// CHECK: linalg.generic
// CHECK: math.exp
// CHECK: linalg.generic
// CHECK-SAME: iterator_types = ["parallel", "parallel", "reduction"]
// CHECK-NOT: math.exp
// CHECK: linalg.yield
func.func @around_matmul(%x: tensor<4x8xf32>, %w: tensor<8x16xf32>, %b: tensor<16xf32>) -> tensor<4x16xf32> {
  %s = fm.mul %x, %x : tensor<4x8xf32>, tensor<4x8xf32>
  %0 = fm.matmul %s, %w : tensor<4x8xf32>, tensor<8x16xf32>
  %1 = fm.add %0, %b : tensor<4x16xf32>, tensor<16xf32>
  return %1 : tensor<4x16xf32>
}
func.func @around_transposed_matmul(%x: tensor<4x8xf32>, %w: tensor<16x8xf32>) -> tensor<4x16xf32> {
  %e = fm.exp %x : tensor<4x8xf32>
  %0 = fm.matmul %e, %w transpose_b : tensor<4x8xf32>, tensor<16x8xf32>
  return %0 : tensor<4x16xf32>
}

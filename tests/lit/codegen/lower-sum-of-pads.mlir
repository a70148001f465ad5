// RUN: fmc-opt %s -split-input-file -fm-lower-to-linalg | FileCheck %s

// The gradient of q, k and v sliced from one tensor: three pads at disjoint
// places along axis 1, summed. Each piece is written once into its place
// (after adding +0, which keeps the sum's bits: -0 + 0 is +0); nothing is
// zero-filled and nothing else is added.
// CHECK-LABEL: func.func @qkv
// CHECK-NOT: linalg.fill
// CHECK-COUNT-3: arith.addf
// CHECK: %[[EMPTY:.+]] = tensor.empty() : tensor<2x3x4xf32>
// CHECK: %[[Q:.+]] = tensor.insert_slice %{{.+}} into %[[EMPTY]][0, 0, 0] [2, 1, 4] [1, 1, 1]
// CHECK: %[[K:.+]] = tensor.insert_slice %{{.+}} into %[[Q]][0, 1, 0] [2, 1, 4] [1, 1, 1]
// CHECK: %[[V:.+]] = tensor.insert_slice %{{.+}} into %[[K]][0, 2, 0] [2, 1, 4] [1, 1, 1]
// CHECK-NOT: linalg.generic
// CHECK: return %[[V]]
func.func @qkv(%q: tensor<2x1x4xf32>, %k: tensor<2x1x4xf32>, %v: tensor<2x1x4xf32>) -> tensor<2x3x4xf32> {
  %0 = fm.pad %q low [0, 0, 0] high [0, 2, 0] : tensor<2x1x4xf32>
  %1 = fm.pad %k low [0, 1, 0] high [0, 1, 0] : tensor<2x1x4xf32>
  %2 = fm.pad %v low [0, 2, 0] high [0, 0, 0] : tensor<2x1x4xf32>
  %3 = fm.add %2, %1 : tensor<2x3x4xf32>, tensor<2x3x4xf32>
  %4 = fm.add %3, %0 : tensor<2x3x4xf32>, tensor<2x3x4xf32>
  return %4 : tensor<2x3x4xf32>
}

// -----

// Places with a gap between them: the gap is a zero constant.
// CHECK-LABEL: func.func @gap
// CHECK: arith.constant dense<0.000000e+00> : tensor<3x2xf32>
// CHECK: tensor.insert_slice %{{.+}} into %{{.+}}[0, 0] [3, 1] [1, 1]
// CHECK: tensor.insert_slice %{{.+}} into %{{.+}}[0, 1] [3, 2] [1, 1]
// CHECK: tensor.insert_slice %{{.+}} into %{{.+}}[0, 3] [3, 1] [1, 1]
func.func @gap(%a: tensor<3x1xf32>, %b: tensor<3x1xf32>) -> tensor<3x4xf32> {
  %0 = fm.pad %a low [0, 0] high [0, 3] : tensor<3x1xf32>
  %1 = fm.pad %b low [0, 3] high [0, 0] : tensor<3x1xf32>
  %2 = fm.add %0, %1 : tensor<3x4xf32>, tensor<3x4xf32>
  return %2 : tensor<3x4xf32>
}

// -----

// Overlapping places, pads along two axes, interior padding and another
// operand than a pad are real sums: the pads are zero-filled and added.
// CHECK-LABEL: func.func @real_sums
// CHECK-COUNT-4: linalg.fill
// CHECK-NOT: tensor.concat
func.func @real_sums(%a: tensor<2x2xf32>, %b: tensor<2x2xf32>, %c: tensor<2x3xf32>, %d: tensor<1x2xf32>) -> (tensor<2x3xf32>, tensor<3x3xf32>, tensor<2x3xf32>) {
  %0 = fm.pad %a low [0, 0] high [0, 1] : tensor<2x2xf32>
  %1 = fm.pad %b low [0, 1] high [0, 0] : tensor<2x2xf32>
  %overlapping = fm.add %0, %1 : tensor<2x3xf32>, tensor<2x3xf32>
  %2 = fm.pad %a low [1, 0] high [0, 1] : tensor<2x2xf32>
  %3 = fm.pad %d low [0, 1] high [2, 0] : tensor<1x2xf32>
  %two_axes = fm.add %2, %3 : tensor<3x3xf32>, tensor<3x3xf32>
  %4 = fm.pad %a low [0, 0] high [0, 1] : tensor<2x2xf32>
  %with_other = fm.add %4, %c : tensor<2x3xf32>, tensor<2x3xf32>
  return %overlapping, %two_axes, %with_other : tensor<2x3xf32>, tensor<3x3xf32>, tensor<2x3xf32>
}

// -----

// Integer sums are left alone (f32 only).
// CHECK-LABEL: func.func @integers
// CHECK-COUNT-2: linalg.fill
func.func @integers(%a: tensor<2xi32>, %b: tensor<2xi32>) -> tensor<4xi32> {
  %0 = fm.pad %a low [0] high [2] : tensor<2xi32>
  %1 = fm.pad %b low [2] high [0] : tensor<2xi32>
  %2 = fm.add %0, %1 : tensor<4xi32>, tensor<4xi32>
  return %2 : tensor<4xi32>
}

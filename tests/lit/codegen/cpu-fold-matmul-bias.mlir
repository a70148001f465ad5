// RUN: fmc-opt %s -fm-cpu-fold-matmul-bias -split-input-file | FileCheck %s

// A bias added to a matmul onto zeros: the matmul starts from the bias
// broadcast to every row, and the add and the zero fill are gone.
#id = affine_map<(d0, d1) -> (d0, d1)>
#col = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func.func @bias_after_matmul(
// CHECK-SAME: %[[X:.+]]: tensor<8x16xf32>, %[[W:.+]]: tensor<16x4xf32>, %[[B:.+]]: tensor<4xf32>
// CHECK-NOT: linalg.fill
// CHECK: %[[EMPTY:.+]] = tensor.empty() : tensor<8x4xf32>
// CHECK: %[[START:.+]] = linalg.broadcast ins(%[[B]] : tensor<4xf32>) outs(%[[EMPTY]] : tensor<8x4xf32>) dimensions = [0]
// CHECK: %[[PRODUCT:.+]] = linalg.matmul ins(%[[X]], %[[W]] : tensor<8x16xf32>, tensor<16x4xf32>) outs(%[[START]] : tensor<8x4xf32>)
// CHECK-NOT: linalg.generic
// CHECK: return %[[PRODUCT]]
func.func @bias_after_matmul(%x: tensor<8x16xf32>, %w: tensor<16x4xf32>, %b: tensor<4xf32>) -> tensor<8x4xf32> {
  %zero = arith.constant 0.0 : f32
  %empty = tensor.empty() : tensor<8x4xf32>
  %zeros = linalg.fill ins(%zero : f32) outs(%empty : tensor<8x4xf32>) -> tensor<8x4xf32>
  %product = linalg.matmul ins(%x, %w : tensor<8x16xf32>, tensor<16x4xf32>) outs(%zeros : tensor<8x4xf32>) -> tensor<8x4xf32>
  %out = tensor.empty() : tensor<8x4xf32>
  %sum = linalg.generic {indexing_maps = [#id, #col, #id], iterator_types = ["parallel", "parallel"]}
      ins(%product, %b : tensor<8x4xf32>, tensor<4xf32>) outs(%out : tensor<8x4xf32>) {
  ^bb0(%p: f32, %c: f32, %o: f32):
    %s = arith.addf %p, %c : f32
    linalg.yield %s : f32
  } -> tensor<8x4xf32>
  return %sum : tensor<8x4xf32>
}

// -----

// The bias first, on a batched product: broadcast along the batch and the
// rows.
#id = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
#col = affine_map<(d0, d1, d2) -> (d2)>
// CHECK-LABEL: func.func @bias_first_batched(
// CHECK: %[[START:.+]] = linalg.broadcast ins(%{{.+}} : tensor<4xf32>) outs(%{{.+}} : tensor<2x8x4xf32>) dimensions = [0, 1]
// CHECK: %[[PRODUCT:.+]] = linalg.batch_matmul ins(%{{.+}}, %{{.+}} : tensor<2x8x16xf32>, tensor<2x16x4xf32>) outs(%[[START]] : tensor<2x8x4xf32>)
// CHECK: return %[[PRODUCT]]
func.func @bias_first_batched(%x: tensor<2x8x16xf32>, %w: tensor<2x16x4xf32>, %b: tensor<4xf32>) -> tensor<2x8x4xf32> {
  %zero = arith.constant 0.0 : f32
  %empty = tensor.empty() : tensor<2x8x4xf32>
  %zeros = linalg.fill ins(%zero : f32) outs(%empty : tensor<2x8x4xf32>) -> tensor<2x8x4xf32>
  %product = linalg.batch_matmul ins(%x, %w : tensor<2x8x16xf32>, tensor<2x16x4xf32>) outs(%zeros : tensor<2x8x4xf32>) -> tensor<2x8x4xf32>
  %out = tensor.empty() : tensor<2x8x4xf32>
  %sum = linalg.generic {indexing_maps = [#col, #id, #id], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%b, %product : tensor<4xf32>, tensor<2x8x4xf32>) outs(%out : tensor<2x8x4xf32>) {
  ^bb0(%c: f32, %p: f32, %o: f32):
    %s = arith.addf %c, %p : f32
    linalg.yield %s : f32
  } -> tensor<2x8x4xf32>
  return %sum : tensor<2x8x4xf32>
}

// -----

// Left alone: the product has another user (it would need both values), the
// vector runs along the rows, not the columns, and the other product starts
// from ones, not zeros.
#id = affine_map<(d0, d1) -> (d0, d1)>
#col = affine_map<(d0, d1) -> (d1)>
#row = affine_map<(d0, d1) -> (d0)>
// CHECK-LABEL: func.func @left_alone(
// CHECK-NOT: linalg.broadcast
// CHECK-COUNT-3: linalg.generic
// CHECK-NOT: linalg.broadcast
func.func @left_alone(%x: tensor<4x16xf32>, %w: tensor<16x4xf32>, %b: tensor<4xf32>) -> (tensor<4x4xf32>, tensor<4x4xf32>, tensor<4x4xf32>, tensor<4x4xf32>) {
  %zero = arith.constant 0.0 : f32
  %one = arith.constant 1.0 : f32
  %empty = tensor.empty() : tensor<4x4xf32>
  %zeros = linalg.fill ins(%zero : f32) outs(%empty : tensor<4x4xf32>) -> tensor<4x4xf32>
  %ones = linalg.fill ins(%one : f32) outs(%empty : tensor<4x4xf32>) -> tensor<4x4xf32>
  %shared = linalg.matmul ins(%x, %w : tensor<4x16xf32>, tensor<16x4xf32>) outs(%zeros : tensor<4x4xf32>) -> tensor<4x4xf32>
  %sum = linalg.generic {indexing_maps = [#id, #col, #id], iterator_types = ["parallel", "parallel"]}
      ins(%shared, %b : tensor<4x4xf32>, tensor<4xf32>) outs(%empty : tensor<4x4xf32>) {
  ^bb0(%p: f32, %c: f32, %o: f32):
    %s = arith.addf %p, %c : f32
    linalg.yield %s : f32
  } -> tensor<4x4xf32>
  %rowwise = linalg.matmul ins(%x, %w : tensor<4x16xf32>, tensor<16x4xf32>) outs(%zeros : tensor<4x4xf32>) -> tensor<4x4xf32>
  %rowsum = linalg.generic {indexing_maps = [#id, #row, #id], iterator_types = ["parallel", "parallel"]}
      ins(%rowwise, %b : tensor<4x4xf32>, tensor<4xf32>) outs(%empty : tensor<4x4xf32>) {
  ^bb0(%p: f32, %c: f32, %o: f32):
    %s = arith.addf %p, %c : f32
    linalg.yield %s : f32
  } -> tensor<4x4xf32>
  %onto_ones = linalg.matmul ins(%x, %w : tensor<4x16xf32>, tensor<16x4xf32>) outs(%ones : tensor<4x4xf32>) -> tensor<4x4xf32>
  %onesum = linalg.generic {indexing_maps = [#id, #col, #id], iterator_types = ["parallel", "parallel"]}
      ins(%onto_ones, %b : tensor<4x4xf32>, tensor<4xf32>) outs(%empty : tensor<4x4xf32>) {
  ^bb0(%p: f32, %c: f32, %o: f32):
    %s = arith.addf %p, %c : f32
    linalg.yield %s : f32
  } -> tensor<4x4xf32>
  return %shared, %sum, %rowsum, %onesum : tensor<4x4xf32>, tensor<4x4xf32>, tensor<4x4xf32>, tensor<4x4xf32>
}

// -----

// Left alone: the bias is computed after the product, so it cannot start
// it.
#id = affine_map<(d0, d1) -> (d0, d1)>
#col = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func.func @bias_computed_later(
// CHECK-NOT: linalg.broadcast
// CHECK: linalg.matmul
// CHECK: arith.addf
// CHECK: linalg.generic
func.func @bias_computed_later(%x: tensor<4x16xf32>, %w: tensor<16x4xf32>, %b: tensor<4xf32>) -> tensor<4x4xf32> {
  %zero = arith.constant 0.0 : f32
  %empty = tensor.empty() : tensor<4x4xf32>
  %zeros = linalg.fill ins(%zero : f32) outs(%empty : tensor<4x4xf32>) -> tensor<4x4xf32>
  %product = linalg.matmul ins(%x, %w : tensor<4x16xf32>, tensor<16x4xf32>) outs(%zeros : tensor<4x4xf32>) -> tensor<4x4xf32>
  %late = arith.addf %b, %b : tensor<4xf32>
  %sum = linalg.generic {indexing_maps = [#id, #col, #id], iterator_types = ["parallel", "parallel"]}
      ins(%product, %late : tensor<4x4xf32>, tensor<4xf32>) outs(%empty : tensor<4x4xf32>) {
  ^bb0(%p: f32, %c: f32, %o: f32):
    %s = arith.addf %p, %c : f32
    linalg.yield %s : f32
  } -> tensor<4x4xf32>
  return %sum : tensor<4x4xf32>
}

// RUN: fmc-opt %s -fm-cpu-fold-transposes -split-input-file | FileCheck %s

// Attention scores from heads stored [batch, seq, heads, dim]: both
// transposes to [batch, heads, seq, dim] fold into the contraction's maps,
// which read the stored layout in place.
#q = affine_map<(b, h, m, n, k) -> (b, h, m, k)>
#k = affine_map<(b, h, m, n, k) -> (b, h, n, k)>
#s = affine_map<(b, h, m, n, k) -> (b, h, m, n)>
// CHECK-DAG: #[[Q:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d2, d1, d4)>
// CHECK-DAG: #[[K:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d3, d1, d4)>
// CHECK-DAG: #[[S:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func.func @operands(
// CHECK-SAME: %[[QS:.+]]: tensor<2x8x3x4xf32>, %[[KS:.+]]: tensor<2x8x3x4xf32>
// CHECK-NOT: linalg.transpose
// CHECK: linalg.generic {indexing_maps = [#[[Q]], #[[K]], #[[S]]]
// CHECK-SAME: ins(%[[QS]], %[[KS]] : tensor<2x8x3x4xf32>, tensor<2x8x3x4xf32>)
func.func @operands(%qs: tensor<2x8x3x4xf32>, %ks: tensor<2x8x3x4xf32>) -> tensor<2x3x8x8xf32> {
  %zero = arith.constant 0.0 : f32
  %qe = tensor.empty() : tensor<2x3x8x4xf32>
  %q = linalg.transpose ins(%qs : tensor<2x8x3x4xf32>) outs(%qe : tensor<2x3x8x4xf32>) permutation = [0, 2, 1, 3]
  %ke = tensor.empty() : tensor<2x3x8x4xf32>
  %k = linalg.transpose ins(%ks : tensor<2x8x3x4xf32>) outs(%ke : tensor<2x3x8x4xf32>) permutation = [0, 2, 1, 3]
  %se = tensor.empty() : tensor<2x3x8x8xf32>
  %zeros = linalg.fill ins(%zero : f32) outs(%se : tensor<2x3x8x8xf32>) -> tensor<2x3x8x8xf32>
  %scores = linalg.generic {indexing_maps = [#q, #k, #s], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%q, %k : tensor<2x3x8x4xf32>, tensor<2x3x8x4xf32>) outs(%zeros : tensor<2x3x8x8xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %sum = arith.addf %acc, %p : f32
    linalg.yield %sum : f32
  } -> tensor<2x3x8x8xf32>
  return %scores : tensor<2x3x8x8xf32>
}

// -----

// The heads' outputs transposed back to [batch, seq, heads, dim]: the
// contraction writes that layout itself, onto zeros of its shape.
#p = affine_map<(b, h, m, n, k) -> (b, h, m, k)>
#v = affine_map<(b, h, m, n, k) -> (b, h, k, n)>
#o = affine_map<(b, h, m, n, k) -> (b, h, m, n)>
// CHECK-DAG: #[[OUT:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d2, d1, d3)>
// CHECK-LABEL: func.func @result(
// CHECK: %[[EMPTY:.+]] = tensor.empty() : tensor<2x8x3x4xf32>
// CHECK: %[[ZEROS:.+]] = linalg.fill ins(%{{.+}} : f32) outs(%[[EMPTY]] : tensor<2x8x3x4xf32>)
// CHECK: %[[OUTPUT:.+]] = linalg.generic {indexing_maps = [#{{.+}}, #{{.+}}, #[[OUT]]]
// CHECK-SAME: outs(%[[ZEROS]] : tensor<2x8x3x4xf32>)
// CHECK: arith.mulf
// CHECK: arith.addf
// CHECK-NOT: linalg.transpose
// CHECK: return %[[OUTPUT]]
func.func @result(%probs: tensor<2x3x8x8xf32>, %values: tensor<2x3x8x4xf32>) -> tensor<2x8x3x4xf32> {
  %zero = arith.constant 0.0 : f32
  %oe = tensor.empty() : tensor<2x3x8x4xf32>
  %zeros = linalg.fill ins(%zero : f32) outs(%oe : tensor<2x3x8x4xf32>) -> tensor<2x3x8x4xf32>
  %heads = linalg.generic {indexing_maps = [#p, #v, #o], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%probs, %values : tensor<2x3x8x8xf32>, tensor<2x3x8x4xf32>) outs(%zeros : tensor<2x3x8x4xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %sum = arith.addf %acc, %p : f32
    linalg.yield %sum : f32
  } -> tensor<2x3x8x4xf32>
  %te = tensor.empty() : tensor<2x8x3x4xf32>
  %t = linalg.transpose ins(%heads : tensor<2x3x8x4xf32>) outs(%te : tensor<2x8x3x4xf32>) permutation = [0, 2, 1, 3]
  return %t : tensor<2x8x3x4xf32>
}

// -----

// Left alone: a transpose that moves the last dimension (the contiguous
// one, which the GEMM needs innermost), a transpose of a product with
// another user, and a transpose feeding an elementwise op.
#a = affine_map<(b, m, n, k) -> (b, m, k)>
#b = affine_map<(b, m, n, k) -> (b, k, n)>
#c = affine_map<(b, m, n, k) -> (b, m, n)>
#id = affine_map<(i, j, l) -> (i, j, l)>
// CHECK-LABEL: func.func @left_alone(
// CHECK-COUNT-3: linalg.transpose
func.func @left_alone(%x: tensor<2x4x6xf32>, %w: tensor<2x4x5xf32>) -> (tensor<2x6x5xf32>, tensor<6x2x5xf32>, tensor<6x2x5xf32>) {
  %zero = arith.constant 0.0 : f32
  %xe = tensor.empty() : tensor<2x6x4xf32>
  %xt = linalg.transpose ins(%x : tensor<2x4x6xf32>) outs(%xe : tensor<2x6x4xf32>) permutation = [0, 2, 1]
  %ce = tensor.empty() : tensor<2x6x5xf32>
  %zeros = linalg.fill ins(%zero : f32) outs(%ce : tensor<2x6x5xf32>) -> tensor<2x6x5xf32>
  %product = linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%xt, %w : tensor<2x6x4xf32>, tensor<2x4x5xf32>) outs(%zeros : tensor<2x6x5xf32>) {
  ^bb0(%u: f32, %v: f32, %acc: f32):
    %p = arith.mulf %u, %v : f32
    %sum = arith.addf %acc, %p : f32
    linalg.yield %sum : f32
  } -> tensor<2x6x5xf32>
  %pe = tensor.empty() : tensor<6x2x5xf32>
  %pt = linalg.transpose ins(%product : tensor<2x6x5xf32>) outs(%pe : tensor<6x2x5xf32>) permutation = [1, 0, 2]
  %ee = tensor.empty() : tensor<2x6x5xf32>
  %negated = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%product : tensor<2x6x5xf32>) outs(%ee : tensor<2x6x5xf32>) {
  ^bb0(%u: f32, %o: f32):
    %n = arith.negf %u : f32
    linalg.yield %n : f32
  } -> tensor<2x6x5xf32>
  %ne = tensor.empty() : tensor<6x2x5xf32>
  %nt = linalg.transpose ins(%negated : tensor<2x6x5xf32>) outs(%ne : tensor<6x2x5xf32>) permutation = [1, 0, 2]
  %me = tensor.empty() : tensor<6x2x5xf32>
  %twice = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel", "parallel"]}
      ins(%nt : tensor<6x2x5xf32>) outs(%me : tensor<6x2x5xf32>) {
  ^bb0(%u: f32, %o: f32):
    %n = arith.addf %u, %u : f32
    linalg.yield %n : f32
  } -> tensor<6x2x5xf32>
  return %product, %pt, %twice : tensor<2x6x5xf32>, tensor<6x2x5xf32>, tensor<6x2x5xf32>
}

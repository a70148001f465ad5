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

// -----

// A producer that reads its output's initial value (an accumulation whose
// reduction dimensions are all of size one: fm.layer_norm_grad's bias
// gradient without batch dimensions) stays apart from a consumer with more
// loops, which would accumulate it once per row. Found by fmc fuzz (the
// compiled mul gave row r (r+1) times the interpreter's value).
// CHECK-LABEL: func.func @accumulating_producer
// CHECK: linalg.generic
// CHECK-SAME: iterator_types = ["parallel"]
// CHECK: arith.addf
// CHECK: linalg.generic
// CHECK-SAME: iterator_types = ["parallel", "parallel"]
// CHECK: arith.mulf
#vector = affine_map<(d0) -> (d0)>
#rows = affine_map<(d0, d1) -> (d0, d1)>
#columns = affine_map<(d0, d1) -> (d1)>
func.func @accumulating_producer(%a: tensor<4x16xf32>, %b: tensor<16xf32>) -> tensor<4x16xf32> {
  %zero = arith.constant 0.0 : f32
  %empty = tensor.empty() : tensor<16xf32>
  %init = linalg.fill ins(%zero : f32) outs(%empty : tensor<16xf32>) -> tensor<16xf32>
  %sum = linalg.generic {indexing_maps = [#vector, #vector], iterator_types = ["parallel"]}
      ins(%b : tensor<16xf32>) outs(%init : tensor<16xf32>) {
  ^bb0(%in: f32, %acc: f32):
    %0 = arith.addf %acc, %in : f32
    linalg.yield %0 : f32
  } -> tensor<16xf32>
  %out = tensor.empty() : tensor<4x16xf32>
  %product = linalg.generic {indexing_maps = [#rows, #columns, #rows], iterator_types = ["parallel", "parallel"]}
      ins(%a, %sum : tensor<4x16xf32>, tensor<16xf32>) outs(%out : tensor<4x16xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %0 = arith.mulf %x, %y : f32
    linalg.yield %0 : f32
  } -> tensor<4x16xf32>
  return %product : tensor<4x16xf32>
}

// -----

// A causal mask computed from indices alone is recomputed in each of its
// users rather than stored as booleans: no i1 tensor is left, and both
// selects compare the indices themselves.
// CHECK-LABEL: func.func @causal_mask
// CHECK-NOT: xi1>
// CHECK: linalg.generic
// CHECK-DAG: linalg.index 1
// CHECK-DAG: linalg.index 2
// CHECK: arith.cmpi sge
// CHECK: arith.select
// CHECK: linalg.generic
// CHECK: arith.cmpi sge
// CHECK: arith.select
// CHECK-NOT: linalg.generic
// CHECK: return
func.func @causal_mask(%a: tensor<4x8x8xf32>, %b: tensor<4x8x8xf32>) -> (tensor<4x8x8xf32>, tensor<4x8x8xf32>) {
  %rows = fm.iota : tensor<8x8xi32>
  %columns = fm.iota axis 1 : tensor<8x8xi32>
  %mask = fm.ge %rows, %columns : tensor<8x8xi32>
  %fill = fm.constant dense<-1.000000e+09> : tensor<f32>
  %0 = fm.select %mask, %a, %fill : tensor<8x8xi1>, tensor<4x8x8xf32>, tensor<f32>
  %1 = fm.select %mask, %b, %fill : tensor<8x8xi1>, tensor<4x8x8xf32>, tensor<f32>
  return %0, %1 : tensor<4x8x8xf32>, tensor<4x8x8xf32>
}

// -----

// A value that is returned anyway fuses into its one other user, which
// writes it as a second result instead of reading it back: AdamW's moment
// update joins the parameter update, one loop nest writing both.
// CHECK-LABEL: func.func @kept_as_result
// CHECK: %[[BOTH:.+]]:2 = linalg.generic
// CHECK-SAME: ins(%{{.+}}, %{{.+}}, %{{.+}} : tensor<16xf32>, tensor<16xf32>, tensor<16xf32>)
// CHECK: arith.addf
// CHECK: arith.mulf
// CHECK: arith.subf
// CHECK: linalg.yield
// CHECK-NOT: linalg.generic
// CHECK: return %[[BOTH]]#{{[01]}}, %[[BOTH]]#{{[01]}}
func.func @kept_as_result(%p: tensor<16xf32>, %g: tensor<16xf32>, %m: tensor<16xf32>) -> (tensor<16xf32>, tensor<16xf32>) {
  %m2 = fm.add %m, %g : tensor<16xf32>, tensor<16xf32>
  %d = fm.mul %m2, %m2 : tensor<16xf32>, tensor<16xf32>
  %p2 = fm.sub %p, %d : tensor<16xf32>, tensor<16xf32>
  return %p2, %m2 : tensor<16xf32>, tensor<16xf32>
}

// -----

// A returned value stays a loop of its own where its other user would
// compute it more than once (a broadcast over rows) or is a reduction.
// CHECK-LABEL: func.func @kept_as_result_broadcast
// CHECK: linalg.generic
// CHECK-SAME: iterator_types = ["parallel"]
// CHECK: arith.addf
// CHECK: linalg.generic
// CHECK-SAME: iterator_types = ["parallel", "parallel"]
// CHECK-NOT: arith.addf
// CHECK: arith.mulf
// CHECK-LABEL: func.func @kept_as_result_reduced
// CHECK: linalg.generic
// CHECK-SAME: iterator_types = ["parallel"]
// CHECK: arith.addf
// CHECK: linalg.generic
// CHECK-SAME: iterator_types = ["reduction"]
func.func @kept_as_result_broadcast(%x: tensor<4x16xf32>, %g: tensor<16xf32>, %m: tensor<16xf32>) -> (tensor<4x16xf32>, tensor<16xf32>) {
  %m2 = fm.add %m, %g : tensor<16xf32>, tensor<16xf32>
  %y = fm.mul %x, %m2 : tensor<4x16xf32>, tensor<16xf32>
  return %y, %m2 : tensor<4x16xf32>, tensor<16xf32>
}
func.func @kept_as_result_reduced(%g: tensor<16xf32>, %m: tensor<16xf32>) -> (tensor<f32>, tensor<16xf32>) {
  %m2 = fm.add %m, %g : tensor<16xf32>, tensor<16xf32>
  %s = fm.reduce_sum %m2 axes [0] : tensor<16xf32>
  return %s, %m2 : tensor<f32>, tensor<16xf32>
}

// -----

// The user reads several results of one producer, all of them returned:
// fusing through one operand would leave the fused nest reading its own
// results, so both stay apart (fm.quantize_expanded with groups of one,
// whose metadata nest feeds the quantization; this crashed the pass).
// CHECK-LABEL: func.func @several_results_also_returned
// CHECK: %[[META:.+]]:3 = linalg.generic {{.+}} iterator_types = ["parallel", "parallel", "parallel"]
// CHECK: %[[CODES:.+]] = linalg.generic
// CHECK-SAME: ins(%{{.+}}, %[[META]]#0, %[[META]]#1, %[[META]]#2 :
// CHECK: return %[[CODES]], %[[META]]#0, %[[META]]#1, %[[META]]#2
func.func @several_results_also_returned(%x: tensor<3x1x16xf32>) -> (tensor<3x1x16xf8E5M2>, tensor<3x1x16xf32>, tensor<3x1x16xf32>, tensor<3x1x16xf32>) {
  %q, %s, %k, %c = fm.quantize_expanded %x group 1 axis 1 : tensor<3x1x16xf32> -> tensor<3x1x16xf8E5M2>, tensor<3x1x16xf32>
  return %q, %s, %k, %c : tensor<3x1x16xf8E5M2>, tensor<3x1x16xf32>, tensor<3x1x16xf32>, tensor<3x1x16xf32>
}

// -----

// A returned value whose other user sits in a loop stays outside it: the
// fused nest would compute it once per iteration, out of the return's
// sight.
// CHECK-LABEL: func.func @also_returned_user_in_loop
// CHECK: %[[SUM:.+]] = linalg.generic
// CHECK: arith.addf
// CHECK: scf.for
// CHECK: linalg.generic
// CHECK-NOT: arith.addf
// CHECK: arith.mulf
// CHECK: return %{{.+}}, %[[SUM]]
#same = affine_map<(d0) -> (d0)>
func.func @also_returned_user_in_loop(%a: tensor<16xf32>, %b: tensor<16xf32>) -> (tensor<16xf32>, tensor<16xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  %empty = tensor.empty() : tensor<16xf32>
  %sum = linalg.generic {indexing_maps = [#same, #same, #same], iterator_types = ["parallel"]}
      ins(%a, %b : tensor<16xf32>, tensor<16xf32>) outs(%empty : tensor<16xf32>) {
  ^bb0(%x: f32, %y: f32, %o: f32):
    %0 = arith.addf %x, %y : f32
    linalg.yield %0 : f32
  } -> tensor<16xf32>
  %loop = scf.for %i = %c0 to %c3 step %c1 iter_args(%acc = %a) -> (tensor<16xf32>) {
    %next = linalg.generic {indexing_maps = [#same, #same, #same], iterator_types = ["parallel"]}
        ins(%acc, %sum : tensor<16xf32>, tensor<16xf32>) outs(%empty : tensor<16xf32>) {
    ^bb0(%x: f32, %y: f32, %o: f32):
      %0 = arith.mulf %x, %y : f32
      linalg.yield %0 : f32
    } -> tensor<16xf32>
    scf.yield %next : tensor<16xf32>
  }
  return %loop, %sum : tensor<16xf32>, tensor<16xf32>
}

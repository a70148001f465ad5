// RUN: fmc-opt %s -fm-lower-to-linalg -split-input-file | FileCheck %s

// transpose_b and broadcast batches: one contraction whose maps read the rhs
// as [N, K], the lhs's unit batch axis at 0 and the rhs's missing one not at
// all; no transpose or broadcast is materialized.
// CHECK-DAG: #[[LHS:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, 0, d2, d4)>
// CHECK-DAG: #[[RHS:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d1, d3, d4)>
// CHECK-DAG: #[[OUT:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func.func @matmul_transpose_b_broadcast
// CHECK-SAME: (%[[A:.+]]: tensor<2x1x5x4xf32>, %[[B:.+]]: tensor<3x6x4xf32>)
// CHECK: %[[ZERO:.+]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[ACC:.+]] = linalg.fill ins(%[[ZERO]] : f32) outs(%{{.+}} : tensor<2x3x5x6xf32>)
// CHECK: %[[R:.+]] = linalg.generic {indexing_maps = [#[[LHS]], #[[RHS]], #[[OUT]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
// CHECK-SAME: ins(%[[A]], %[[B]] : tensor<2x1x5x4xf32>, tensor<3x6x4xf32>) outs(%[[ACC]] : tensor<2x3x5x6xf32>)
// CHECK: ^bb0(%[[X:.+]]: f32, %[[Y:.+]]: f32, %[[C:.+]]: f32):
// CHECK-NEXT: %[[P:.+]] = arith.mulf %[[X]], %[[Y]] : f32
// CHECK-NEXT: %[[S:.+]] = arith.addf %[[C]], %[[P]] : f32
// CHECK-NEXT: linalg.yield %[[S]]
// CHECK-NOT: linalg.generic
// CHECK: return %[[R]]
func.func @matmul_transpose_b_broadcast(%a: tensor<2x1x5x4xf32>, %b: tensor<3x6x4xf32>) -> tensor<2x3x5x6xf32> {
  %0 = fm.matmul %a, %b transpose_b : tensor<2x1x5x4xf32>, tensor<3x6x4xf32>
  return %0 : tensor<2x3x5x6xf32>
}

// -----

// transpose_a swaps the lhs map's last two results; bf16 operands are
// widened to f32 tensors first (so that the f32 product can go to BLAS)
// and the f32 accumulator is rounded once afterwards.
// CHECK-DAG: #[[LHS:.+]] = affine_map<(d0, d1, d2) -> (d2, d0)>
// CHECK-DAG: #[[RHS:.+]] = affine_map<(d0, d1, d2) -> (d2, d1)>
// CHECK-LABEL: func.func @matmul_bf16_transpose_a
// CHECK: %[[WA:.+]] = linalg.generic {{.+}} ins(%{{.+}} : tensor<7x5xbf16>) outs(%{{.+}} : tensor<7x5xf32>)
// CHECK: %[[WB:.+]] = linalg.generic {{.+}} ins(%{{.+}} : tensor<7x3xbf16>) outs(%{{.+}} : tensor<7x3xf32>)
// CHECK: %[[ACC:.+]] = linalg.generic {indexing_maps = [#[[LHS]], #[[RHS]], #{{.+}}], iterator_types = ["parallel", "parallel", "reduction"]}
// CHECK-SAME: ins(%[[WA]], %[[WB]] : tensor<7x5xf32>, tensor<7x3xf32>) outs(%{{.+}} : tensor<5x3xf32>)
// CHECK: ^bb0(%{{.+}}: f32, %{{.+}}: f32, %{{.+}}: f32):
// CHECK: arith.mulf
// CHECK: arith.addf
// CHECK: %[[R:.+]] = linalg.generic
// CHECK-SAME: ins(%[[ACC]] : tensor<5x3xf32>) outs(%{{.+}} : tensor<5x3xbf16>)
// CHECK: return %[[R]]
func.func @matmul_bf16_transpose_a(%a: tensor<7x5xbf16>, %b: tensor<7x3xbf16>) -> tensor<5x3xbf16> {
  %0 = fm.matmul %a, %b transpose_a : tensor<7x5xbf16>, tensor<7x3xbf16>
  return %0 : tensor<5x3xbf16>
}

// -----

// f32 without transposes: a 2-D rhs folds the lhs batch into the rows of one
// linalg.matmul, which later passes can hand to BLAS.
// CHECK-LABEL: func.func @matmul_f32_rows
// CHECK-SAME: (%[[A:.+]]: tensor<4x5x7xf32>, %[[B:.+]]: tensor<7x3xf32>)
// CHECK: %[[ROWS:.+]] = tensor.collapse_shape %[[A]] {{\[}}[0, 1], [2]] : tensor<4x5x7xf32> into tensor<20x7xf32>
// CHECK: %[[ACC:.+]] = linalg.fill ins(%{{.+}} : f32) outs(%{{.+}} : tensor<20x3xf32>)
// CHECK: %[[P:.+]] = linalg.matmul ins(%[[ROWS]], %[[B]] : tensor<20x7xf32>, tensor<7x3xf32>) outs(%[[ACC]] : tensor<20x3xf32>)
// CHECK: %[[R:.+]] = tensor.expand_shape %[[P]] {{\[}}[0, 1], [2]] output_shape [4, 5, 3] : tensor<20x3xf32> into tensor<4x5x3xf32>
// CHECK: return %[[R]]
func.func @matmul_f32_rows(%a: tensor<4x5x7xf32>, %b: tensor<7x3xf32>) -> tensor<4x5x3xf32> {
  %0 = fm.matmul %a, %b : tensor<4x5x7xf32>, tensor<7x3xf32>
  return %0 : tensor<4x5x3xf32>
}

// -----

// Equal batches: one linalg.batch_matmul.
// CHECK-LABEL: func.func @matmul_f32_batched
// CHECK: linalg.batch_matmul ins(%{{.+}}, %{{.+}} : tensor<2x5x7xf32>, tensor<2x7x3xf32>) outs(%{{.+}} : tensor<2x5x3xf32>)
// CHECK-NOT: linalg.generic
func.func @matmul_f32_batched(%a: tensor<2x5x7xf32>, %b: tensor<2x7x3xf32>) -> tensor<2x5x3xf32> {
  %0 = fm.matmul %a, %b : tensor<2x5x7xf32>, tensor<2x7x3xf32>
  return %0 : tensor<2x5x3xf32>
}

// -----

// Two batch axes (attention's batch and heads) stay two loops of one
// contraction, with no reshapes, so that transposes across them can fold
// into its maps (fm-cpu-fold-transposes).
// CHECK-DAG: #[[A:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d4)>
// CHECK-DAG: #[[B:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d4, d3)>
// CHECK-DAG: #[[C:.+]] = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func.func @matmul_f32_two_batch_axes
// CHECK-NOT: tensor.collapse_shape
// CHECK: linalg.generic {indexing_maps = [#[[A]], #[[B]], #[[C]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
// CHECK-SAME: ins(%{{.+}}, %{{.+}} : tensor<2x3x5x7xf32>, tensor<2x3x7x4xf32>) outs(%{{.+}} : tensor<2x3x5x4xf32>)
// CHECK-NOT: tensor.expand_shape
func.func @matmul_f32_two_batch_axes(%a: tensor<2x3x5x7xf32>, %b: tensor<2x3x7x4xf32>) -> tensor<2x3x5x4xf32> {
  %0 = fm.matmul %a, %b : tensor<2x3x5x7xf32>, tensor<2x3x7x4xf32>
  return %0 : tensor<2x3x5x4xf32>
}

// -----

// A mean over two axes with keepdim: an f32 sum whose output map drops the
// reduced axes, a division by their size, and an expand_shape for keepdim.
// CHECK-DAG: #[[IN:.+]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-DAG: #[[ROW:.+]] = affine_map<(d0, d1, d2) -> (d1)>
// CHECK-LABEL: func.func @reduce_mean_keepdim
// CHECK-SAME: (%[[X:.+]]: tensor<4x5x7xbf16>)
// CHECK: %[[ZERO:.+]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[INIT:.+]] = linalg.fill ins(%[[ZERO]] : f32) outs(%{{.+}} : tensor<5xf32>)
// CHECK: %[[SUM:.+]] = linalg.generic {indexing_maps = [#[[IN]], #[[ROW]]], iterator_types = ["reduction", "parallel", "reduction"]}
// CHECK-SAME: ins(%[[X]] : tensor<4x5x7xbf16>) outs(%[[INIT]] : tensor<5xf32>)
// CHECK: arith.addf
// CHECK: %[[MEAN:.+]] = linalg.generic
// CHECK-SAME: ins(%[[SUM]] : tensor<5xf32>) outs(%{{.+}} : tensor<5xbf16>)
// CHECK: %[[COUNT:.+]] = arith.constant 2.800000e+01 : f32
// CHECK-NEXT: arith.divf %{{.+}}, %[[COUNT]] : f32
// CHECK: %[[R:.+]] = tensor.expand_shape %[[MEAN]] {{\[}}[0, 1, 2]] output_shape [1, 5, 1] : tensor<5xbf16> into tensor<1x5x1xbf16>
// CHECK: return %[[R]]
func.func @reduce_mean_keepdim(%x: tensor<4x5x7xbf16>) -> tensor<1x5x1xbf16> {
  %0 = fm.reduce_mean %x axes [0, -1] keepdim : tensor<4x5x7xbf16>
  return %0 : tensor<1x5x1xbf16>
}

// -----

// reduce_max of floats keeps a NaN accumulator and takes a NaN element, as
// the interpreter's Max; integers use maxsi from the lowest value.
// CHECK-LABEL: func.func @reduce_max
// CHECK: %[[NEG_INF:.+]] = arith.constant 0xFF800000 : f32
// CHECK: linalg.fill ins(%[[NEG_INF]] : f32)
// CHECK: ^bb0(%[[X:.+]]: f32, %[[ACC:.+]]: f32):
// CHECK-NEXT: %[[GT:.+]] = arith.cmpf ogt, %[[ACC]], %[[X]] : f32
// CHECK-NEXT: %[[NAN:.+]] = arith.cmpf uno, %[[ACC]], %[[ACC]] : f32
// CHECK-NEXT: %[[KEEP:.+]] = arith.ori %[[GT]], %[[NAN]] : i1
// CHECK-NEXT: arith.select %[[KEEP]], %[[ACC]], %[[X]] : f32
// CHECK: %[[LOWEST:.+]] = arith.constant -2147483648 : i32
// CHECK: linalg.fill ins(%[[LOWEST]] : i32) outs(%{{.+}} : tensor<i32>)
// CHECK: iterator_types = ["reduction", "reduction"]
// CHECK: arith.maxsi
func.func @reduce_max(%x: tensor<4x5xf32>, %y: tensor<4x5xi32>) -> (tensor<4xf32>, tensor<i32>) {
  %0 = fm.reduce_max %x axes [1] : tensor<4x5xf32>
  %1 = fm.reduce_max %y : tensor<4x5xi32>
  return %0, %1 : tensor<4xf32>, tensor<i32>
}

// -----

// softmax along a middle axis: the row max and exp-sum reduce that axis and
// are read back through maps that skip it.
// CHECK-DAG: #[[FULL:.+]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-DAG: #[[ROW:.+]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-LABEL: func.func @softmax
// CHECK-SAME: (%[[X:.+]]: tensor<2x5x3xf32>)
// CHECK: %[[MAX:.+]] = linalg.generic {indexing_maps = [#[[FULL]], #[[ROW]]], iterator_types = ["parallel", "reduction", "parallel"]}
// CHECK: arith.select
// CHECK: %[[SUM:.+]] = linalg.generic {indexing_maps = [#[[FULL]], #[[ROW]], #[[ROW]]], iterator_types = ["parallel", "reduction", "parallel"]}
// CHECK-SAME: ins(%[[X]], %[[MAX]] : tensor<2x5x3xf32>, tensor<2x3xf32>)
// CHECK: arith.subf
// CHECK-NEXT: math.exp
// CHECK-NEXT: arith.addf
// CHECK: %[[R:.+]] = linalg.generic {indexing_maps = [#[[FULL]], #[[ROW]], #[[ROW]], #[[FULL]]], iterator_types = ["parallel", "parallel", "parallel"]}
// CHECK-SAME: ins(%[[X]], %[[MAX]], %[[SUM]] : tensor<2x5x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>)
// CHECK: ^bb0(%[[V:.+]]: f32, %[[M:.+]]: f32, %[[S:.+]]: f32, %{{.+}}: f32):
// CHECK-NEXT: %[[D:.+]] = arith.subf %[[V]], %[[M]] : f32
// CHECK-NEXT: %[[E:.+]] = math.exp %[[D]] : f32
// CHECK-NEXT: %[[Y:.+]] = arith.divf %[[E]], %[[S]] : f32
// CHECK-NEXT: linalg.yield %[[Y]]
// CHECK: return %[[R]]
func.func @softmax(%x: tensor<2x5x3xf32>) -> tensor<2x5x3xf32> {
  %0 = fm.softmax %x axis 1 : tensor<2x5x3xf32>
  return %0 : tensor<2x5x3xf32>
}

// -----

// layer_norm: row sum, mean, sum of squared deviations, denominator
// sqrt(var + eps), then one elementwise generic reading the row statistics
// and the per-feature scale and bias.
// CHECK-DAG: #[[FULL:.+]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[ROW:.+]] = affine_map<(d0, d1) -> (d0)>
// CHECK-DAG: #[[FEATURE:.+]] = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func.func @layer_norm
// CHECK-SAME: (%[[X:.+]]: tensor<4x6xf32>, %[[G:.+]]: tensor<6xf32>, %[[B:.+]]: tensor<6xf32>)
// CHECK: %[[SUM:.+]] = linalg.generic {indexing_maps = [#[[FULL]], #[[ROW]]], iterator_types = ["parallel", "reduction"]}
// CHECK: %[[MEAN:.+]] = linalg.generic {{.+}} ins(%[[SUM]] : tensor<4xf32>)
// CHECK: arith.divf
// CHECK: %[[SPREAD:.+]] = linalg.generic {{.+}} ins(%[[X]], %[[MEAN]] : tensor<4x6xf32>, tensor<4xf32>)
// CHECK: arith.subf
// CHECK-NEXT: arith.mulf
// CHECK-NEXT: arith.addf
// CHECK: %[[DEN:.+]] = linalg.generic {{.+}} ins(%[[SPREAD]] : tensor<4xf32>)
// CHECK: %[[VAR:.+]] = arith.divf
// CHECK: %[[EPS:.+]] = arith.constant 1.000000e-03 : f32
// CHECK-NEXT: %[[SHIFTED:.+]] = arith.addf %[[VAR]], %[[EPS]] : f32
// CHECK-NEXT: math.sqrt %[[SHIFTED]]
// CHECK: %[[R:.+]] = linalg.generic {indexing_maps = [#[[FULL]], #[[ROW]], #[[ROW]], #[[FEATURE]], #[[FEATURE]], #[[FULL]]], iterator_types = ["parallel", "parallel"]}
// CHECK-SAME: ins(%[[X]], %[[MEAN]], %[[DEN]], %[[G]], %[[B]] :
// CHECK: ^bb0(%[[V:.+]]: f32, %[[M:.+]]: f32, %[[D:.+]]: f32, %[[S:.+]]: f32, %[[O:.+]]: f32, %{{.+}}: f32):
// CHECK-NEXT: %[[C:.+]] = arith.subf %[[V]], %[[M]] : f32
// CHECK-NEXT: %[[N:.+]] = arith.divf %[[C]], %[[D]] : f32
// CHECK-NEXT: %[[Y:.+]] = arith.mulf %[[N]], %[[S]] : f32
// CHECK-NEXT: %[[Z:.+]] = arith.addf %[[Y]], %[[O]] : f32
// CHECK-NEXT: linalg.yield %[[Z]]
// CHECK: return %[[R]]
func.func @layer_norm(%x: tensor<4x6xf32>, %g: tensor<6xf32>, %b: tensor<6xf32>) -> tensor<4x6xf32> {
  %0 = fm.layer_norm %x scale(%g : tensor<6xf32>) bias(%b : tensor<6xf32>) eps 1.0e-03 : tensor<4x6xf32>
  return %0 : tensor<4x6xf32>
}

// -----

// embedding: a gather over the result whose body clamps the index into the
// table and extracts the element.
// CHECK-DAG: #[[IDX:.+]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-DAG: #[[OUT:.+]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-LABEL: func.func @embedding
// CHECK-SAME: (%[[T:.+]]: tensor<10x4xbf16>, %[[I:.+]]: tensor<2x3xi32>)
// CHECK: %[[R:.+]] = linalg.generic {indexing_maps = [#[[IDX]], #[[OUT]]], iterator_types = ["parallel", "parallel", "parallel"]}
// CHECK-SAME: ins(%[[I]] : tensor<2x3xi32>) outs(%{{.+}} : tensor<2x3x4xbf16>)
// CHECK: ^bb0(%[[IN:.+]]: i32, %{{.+}}: bf16):
// CHECK: %[[LO:.+]] = arith.maxsi %[[IN]], %{{.+}} : i32
// CHECK: %[[HI:.+]] = arith.minsi %[[LO]], %{{.+}} : i32
// CHECK: %[[ROW:.+]] = arith.index_cast %[[HI]] : i32 to index
// CHECK: %[[COL:.+]] = linalg.index 2 : index
// CHECK: %[[E:.+]] = tensor.extract %[[T]][%[[ROW]], %[[COL]]] : tensor<10x4xbf16>
// CHECK: linalg.yield %[[E]] : bf16
// CHECK: return %[[R]]
func.func @embedding(%t: tensor<10x4xbf16>, %i: tensor<2x3xi32>) -> tensor<2x3x4xbf16> {
  %0 = fm.embedding %t[%i] : tensor<10x4xbf16>, tensor<2x3xi32>
  return %0 : tensor<2x3x4xbf16>
}

// -----

// embedding_grad: a loop over the positions adds each gradient row into the
// clamped row of an f32 zero table.
// CHECK-LABEL: func.func @embedding_grad
// CHECK: %[[ZERO:.+]] = linalg.fill {{.+}} -> tensor<10x4xf32>
// CHECK: %[[G:.+]] = tensor.collapse_shape %{{.+}} {{\[}}[0, 1], [2]] : tensor<2x3x4xf32> into tensor<6x4xf32>
// CHECK: %[[I:.+]] = tensor.collapse_shape %{{.+}} {{\[}}[0, 1]] : tensor<2x3xi64> into tensor<6xi64>
// CHECK: %[[R:.+]] = scf.for %[[P:.+]] = %{{.+}} to %{{.+}} step %{{.+}} iter_args(%[[ACC:.+]] = %[[ZERO]]) -> (tensor<10x4xf32>)
// CHECK: %[[INDEX:.+]] = tensor.extract %[[I]][%[[P]]]
// CHECK: %[[ROW:.+]] = arith.index_cast
// CHECK: %[[DST:.+]] = tensor.extract_slice %[[ACC]][%[[ROW]], 0] [1, 4] [1, 1] : tensor<10x4xf32> to tensor<4xf32>
// CHECK: %[[SRC:.+]] = tensor.extract_slice %[[G]][%[[P]], 0] [1, 4] [1, 1] : tensor<6x4xf32> to tensor<4xf32>
// CHECK: %[[SUM:.+]] = linalg.generic {{.+}} ins(%[[SRC]] : tensor<4xf32>) outs(%[[DST]] : tensor<4xf32>)
// CHECK: %[[NEXT:.+]] = tensor.insert_slice %[[SUM]] into %[[ACC]][%[[ROW]], 0] [1, 4] [1, 1]
// CHECK: scf.yield %[[NEXT]]
// CHECK: return %[[R]]
func.func @embedding_grad(%g: tensor<2x3x4xf32>, %i: tensor<2x3xi64>) -> tensor<10x4xf32> {
  %0 = fm.embedding_grad %g[%i] : tensor<2x3x4xf32>, tensor<2x3xi64> -> tensor<10x4xf32>
  return %0 : tensor<10x4xf32>
}

// -----

// cross_entropy: row max and exp-sum, then one reduction over the positions
// that reads each (clamped) label's logit and adds max + log(sum) - logit
// to a compensated (Kahan) sum, as the interpreter; then the mean.
// CHECK-DAG: #[[POS:.+]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[SCALAR:.+]] = affine_map<(d0, d1) -> ()>
// CHECK-LABEL: func.func @cross_entropy
// CHECK-SAME: (%[[L:.+]]: tensor<2x3x7xf32>, %[[Y:.+]]: tensor<2x3xi32>)
// CHECK: %[[MAX:.+]] = linalg.generic {{.+}} ins(%[[L]] : tensor<2x3x7xf32>) outs(%{{.+}} : tensor<2x3xf32>)
// CHECK: %[[SUM:.+]] = linalg.generic {{.+}} ins(%[[L]], %[[MAX]] : tensor<2x3x7xf32>, tensor<2x3xf32>) outs(%{{.+}} : tensor<2x3xf32>)
// CHECK: %[[TOTAL:.+]]:2 = linalg.generic {indexing_maps = [#[[POS]], #[[POS]], #[[POS]], #[[SCALAR]], #[[SCALAR]]], iterator_types = ["reduction", "reduction"]}
// CHECK-SAME: ins(%[[MAX]], %[[SUM]], %[[Y]] : tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xi32>) outs(%{{.+}}, %{{.+}} : tensor<f32>, tensor<f32>)
// CHECK: ^bb0(%[[M:.+]]: f32, %[[S:.+]]: f32, %[[LABEL:.+]]: i32, %[[ACC:.+]]: f32, %[[CARRY:.+]]: f32):
// CHECK-DAG: %[[I0:.+]] = linalg.index 0 : index
// CHECK-DAG: %[[I1:.+]] = linalg.index 1 : index
// CHECK: %[[LO:.+]] = arith.maxsi %[[LABEL]]
// CHECK: %[[HI:.+]] = arith.minsi %[[LO]]
// CHECK: %[[CLASS:.+]] = arith.index_cast %[[HI]] : i32 to index
// CHECK: %[[PICKED:.+]] = tensor.extract %[[L]][%[[I0]], %[[I1]], %[[CLASS]]] : tensor<2x3x7xf32>
// CHECK: %[[LOG:.+]] = math.log %[[S]] : f32
// CHECK: %[[LSE:.+]] = arith.addf %[[M]], %[[LOG]] : f32
// CHECK: %[[LOSS:.+]] = arith.subf %[[LSE]], %[[PICKED]] : f32
// CHECK: %[[CORRECTED:.+]] = arith.subf %[[LOSS]], %[[CARRY]] : f32
// CHECK: %[[NEXT:.+]] = arith.addf %[[ACC]], %[[CORRECTED]] : f32
// CHECK: %[[ADDED:.+]] = arith.subf %[[NEXT]], %[[ACC]] : f32
// CHECK: %[[LOST:.+]] = arith.subf %[[ADDED]], %[[CORRECTED]] : f32
// CHECK: linalg.yield %[[NEXT]], %[[LOST]]
// CHECK: %[[R:.+]] = linalg.generic {{.+}} ins(%[[TOTAL]]#0 : tensor<f32>) outs(%{{.+}} : tensor<f32>)
// CHECK: %[[COUNT:.+]] = arith.constant 6.000000e+00 : f32
// CHECK-NEXT: arith.divf %{{.+}}, %[[COUNT]] : f32
// CHECK: return %[[R]] : tensor<f32>
func.func @cross_entropy(%l: tensor<2x3x7xf32>, %y: tensor<2x3xi32>) -> tensor<f32> {
  %0 = fm.cross_entropy %l, %y : tensor<2x3x7xf32>, tensor<2x3xi32>
  return %0 : tensor<f32>
}

// -----

// layer_norm_grad: the row statistics of layer_norm, one row reduction with
// two accumulators (sum(dx_hat), sum(dx_hat x_hat)) and their means, one
// reduction over the rows with two per-feature accumulators (the scale and
// bias gradients), and the input gradient; bf16 results are rounded once.
// CHECK-DAG: #[[FULL:.+]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[ROW:.+]] = affine_map<(d0, d1) -> (d0)>
// CHECK-DAG: #[[FEATURE:.+]] = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func.func @layer_norm_grad
// CHECK-SAME: (%[[X:.+]]: tensor<4x6xbf16>, %[[G:.+]]: tensor<4x6xbf16>)
// CHECK: %[[SUM:.+]] = linalg.generic {{.+}} ins(%[[X]] : tensor<4x6xbf16>)
// CHECK: %[[MEAN:.+]] = linalg.generic {{.+}} ins(%[[SUM]] : tensor<4xf32>)
// CHECK: %[[SPREAD:.+]] = linalg.generic {{.+}} ins(%[[X]], %[[MEAN]] :
// CHECK: %[[DEN:.+]] = linalg.generic {{.+}} ins(%[[SPREAD]] : tensor<4xf32>)
// CHECK: %[[ROWSUMS:.+]]:2 = linalg.generic {indexing_maps = [#[[FULL]], #[[FULL]], #[[ROW]], #[[ROW]], #[[ROW]], #[[ROW]]], iterator_types = ["parallel", "reduction"]}
// CHECK-SAME: ins(%[[X]], %[[G]], %[[MEAN]], %[[DEN]] :
// CHECK: %[[ROWMEANS:.+]]:2 = linalg.generic {{.+}} ins(%[[ROWSUMS]]#0, %[[ROWSUMS]]#1 : tensor<4xf32>, tensor<4xf32>)
// CHECK: %[[FEATURES:.+]]:2 = linalg.generic {indexing_maps = [#[[FULL]], #[[FULL]], #[[ROW]], #[[ROW]], #[[FEATURE]], #[[FEATURE]]], iterator_types = ["reduction", "parallel"]}
// CHECK-SAME: ins(%[[X]], %[[G]], %[[MEAN]], %[[DEN]] :
// CHECK-SAME: outs(%{{.+}}, %{{.+}} : tensor<6xf32>, tensor<6xf32>)
// CHECK: %[[DX:.+]] = linalg.generic {{.+}} ins(%[[X]], %[[G]], %[[MEAN]], %[[DEN]], %[[ROWMEANS]]#0, %[[ROWMEANS]]#1 : {{.+}}) outs(%{{.+}} : tensor<4x6xbf16>)
// CHECK: %[[NARROW:.+]]:2 = linalg.generic {{.+}} ins(%[[FEATURES]]#0, %[[FEATURES]]#1 : tensor<6xf32>, tensor<6xf32>) outs(%{{.+}}, %{{.+}} : tensor<6xbf16>, tensor<6xbf16>)
// CHECK: return %[[DX]], %[[NARROW]]#0, %[[NARROW]]#1
func.func @layer_norm_grad(%x: tensor<4x6xbf16>, %g: tensor<4x6xbf16>) -> (tensor<4x6xbf16>, tensor<6xbf16>, tensor<6xbf16>) {
  %0:3 = fm.layer_norm_grad %x, %g : tensor<4x6xbf16>
  return %0#0, %0#1, %0#2 : tensor<4x6xbf16>, tensor<6xbf16>, tensor<6xbf16>
}

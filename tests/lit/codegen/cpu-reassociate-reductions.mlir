// RUN: fmc-opt %s -split-input-file -fm-cpu-reassociate-reductions | FileCheck %s

// A row sum: the add that folds each element into the accumulator may be
// reordered; the exp before it is not an accumulation and stays as it is.
#row = affine_map<(d0, d1) -> (d0, d1)>
#sum = affine_map<(d0, d1) -> (d0)>
// CHECK-LABEL: func.func @row_sum_of_exp
// CHECK: linalg.generic
// CHECK: math.exp %{{.+}} : f32
// CHECK-NEXT: arith.addf %{{.+}}, %{{.+}} fastmath<reassoc> : f32
func.func @row_sum_of_exp(%x: memref<4x8xf32>, %out: memref<4xf32>) {
  linalg.generic {indexing_maps = [#row, #sum], iterator_types = ["parallel", "reduction"]}
      ins(%x : memref<4x8xf32>) outs(%out : memref<4xf32>) {
  ^bb0(%in: f32, %acc: f32):
    %e = math.exp %in : f32
    %s = arith.addf %e, %acc : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// A maximum keeps its other flags and gains reassoc; so does a product.
#row = affine_map<(d0, d1) -> (d0, d1)>
#sum = affine_map<(d0, d1) -> (d0)>
// CHECK-LABEL: func.func @max_and_product
// CHECK: arith.maximumf %{{.+}}, %{{.+}} fastmath<reassoc,nnan> : f32
// CHECK: arith.mulf %{{.+}}, %{{.+}} fastmath<reassoc> : f32
func.func @max_and_product(%x: memref<4x8xf32>, %max: memref<4xf32>, %prod: memref<4xf32>) {
  linalg.generic {indexing_maps = [#row, #sum, #sum], iterator_types = ["parallel", "reduction"]}
      ins(%x : memref<4x8xf32>) outs(%max, %prod : memref<4xf32>, memref<4xf32>) {
  ^bb0(%in: f32, %m: f32, %p: f32):
    %0 = arith.maximumf %in, %m fastmath<nnan> : f32
    %1 = arith.mulf %in, %p : f32
    linalg.yield %0, %1 : f32, f32
  }
  return
}

// -----

// Elementwise generics have no accumulator: nothing changes, including an
// add that reads the output.
#map = affine_map<(d0) -> (d0)>
// CHECK-LABEL: func.func @elementwise
// CHECK: arith.addf %{{.+}}, %{{.+}} : f32
// CHECK-NOT: reassoc
func.func @elementwise(%x: memref<8xf32>, %out: memref<8xf32>) {
  linalg.generic {indexing_maps = [#map, #map], iterator_types = ["parallel"]}
      ins(%x : memref<8xf32>) outs(%out : memref<8xf32>) {
  ^bb0(%in: f32, %o: f32):
    %s = arith.addf %in, %o : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// Only the op that combines with the accumulator: the square before it
// and the scaling after it keep their order.
#row = affine_map<(d0, d1) -> (d0, d1)>
#sum = affine_map<(d0, d1) -> (d0)>
// CHECK-LABEL: func.func @sum_of_squares
// CHECK: %[[SQUARE:.+]] = arith.mulf %{{.+}}, %{{.+}} : f32
// CHECK-NEXT: arith.addf %[[SQUARE]], %{{.+}} fastmath<reassoc> : f32
func.func @sum_of_squares(%x: memref<4x8xf32>, %out: memref<4xf32>) {
  linalg.generic {indexing_maps = [#row, #sum], iterator_types = ["parallel", "reduction"]}
      ins(%x : memref<4x8xf32>) outs(%out : memref<4xf32>) {
  ^bb0(%in: f32, %acc: f32):
    %sq = arith.mulf %in, %in : f32
    %s = arith.addf %sq, %acc : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// The interpreter's maximum, NaN-propagating compare and select, becomes
// arith.maximumf (vectorizable); the compares go with it.
#row = affine_map<(d0, d1) -> (d0, d1)>
#max = affine_map<(d0, d1) -> (d0)>
// CHECK-LABEL: func.func @row_max
// CHECK: ^bb0(%[[IN:.+]]: f32, %[[ACC:.+]]: f32):
// CHECK-NEXT: %[[MAX:.+]] = arith.maximumf %[[ACC]], %[[IN]] fastmath<reassoc> : f32
// CHECK-NEXT: linalg.yield %[[MAX]] : f32
func.func @row_max(%x: memref<4x8xf32>, %out: memref<4xf32>) {
  linalg.generic {indexing_maps = [#row, #max], iterator_types = ["parallel", "reduction"]}
      ins(%x : memref<4x8xf32>) outs(%out : memref<4xf32>) {
  ^bb0(%in: f32, %acc: f32):
    %greater = arith.cmpf ogt, %acc, %in : f32
    %nan = arith.cmpf uno, %acc, %acc : f32
    %keep = arith.ori %greater, %nan : i1
    %m = arith.select %keep, %acc, %in : f32
    linalg.yield %m : f32
  }
  return
}

// -----

// A select that is not that maximum stays: here the comparison is the
// other way round (a minimum that keeps NaN), and in an elementwise
// generic nothing is an accumulator.
#row = affine_map<(d0, d1) -> (d0, d1)>
#max = affine_map<(d0, d1) -> (d0)>
// CHECK-LABEL: func.func @other_selects
// CHECK: arith.select
// CHECK: arith.select
// CHECK-NOT: arith.maximumf
func.func @other_selects(%x: memref<4x8xf32>, %out: memref<4xf32>, %y: memref<4xf32>) {
  linalg.generic {indexing_maps = [#row, #max], iterator_types = ["parallel", "reduction"]}
      ins(%x : memref<4x8xf32>) outs(%out : memref<4xf32>) {
  ^bb0(%in: f32, %acc: f32):
    %less = arith.cmpf olt, %acc, %in : f32
    %nan = arith.cmpf uno, %acc, %acc : f32
    %keep = arith.ori %less, %nan : i1
    %m = arith.select %keep, %acc, %in : f32
    linalg.yield %m : f32
  }
  linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]}
      outs(%y : memref<4xf32>) {
  ^bb0(%o: f32):
    %zero = arith.constant 0.0 : f32
    %greater = arith.cmpf ogt, %o, %zero : f32
    %nan = arith.cmpf uno, %o, %o : f32
    %keep = arith.ori %greater, %nan : i1
    %m = arith.select %keep, %o, %zero : f32
    linalg.yield %m : f32
  }
  return
}

// -----

// A sum of a whole 256 x 256 buffer (clipping's squared gradients) is split:
// each row sums into a temporary starting at -0.0, in a generic whose rows
// are parallel, and the row sums then add to the total.
#all = affine_map<(d0, d1) -> (d0, d1)>
#none = affine_map<(d0, d1) -> ()>
// CHECK-DAG: #[[ALL:.+]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[ROW:.+]] = affine_map<(d0, d1) -> (d0)>
// CHECK-DAG: #[[EACH:.+]] = affine_map<(d0) -> (d0)>
// CHECK-DAG: #[[SCALAR:.+]] = affine_map<(d0) -> ()>
// CHECK-LABEL: func.func @sum_of_squares
// CHECK-SAME: (%[[G:.+]]: memref<256x256xf32>, %[[TOTAL:.+]]: memref<f32>)
// CHECK: %[[MINUS_ZERO:.+]] = arith.constant -0.000000e+00 : f32
// CHECK: %[[ROWS:.+]] = memref.alloc() : memref<256xf32>
// CHECK: linalg.fill ins(%[[MINUS_ZERO]] : f32) outs(%[[ROWS]] : memref<256xf32>)
// CHECK: linalg.generic {indexing_maps = [#[[ALL]], #[[ROW]]], iterator_types = ["parallel", "reduction"]} ins(%[[G]] : memref<256x256xf32>) outs(%[[ROWS]] : memref<256xf32>)
// CHECK: arith.mulf
// CHECK: arith.addf %{{.+}}, %{{.+}} fastmath<reassoc> : f32
// CHECK: linalg.generic {indexing_maps = [#[[EACH]], #[[SCALAR]]], iterator_types = ["reduction"]} ins(%[[ROWS]] : memref<256xf32>) outs(%[[TOTAL]] : memref<f32>)
// CHECK: arith.addf %{{.+}}, %{{.+}} fastmath<reassoc> : f32
// CHECK: memref.dealloc %[[ROWS]]
func.func @sum_of_squares(%g: memref<256x256xf32>, %total: memref<f32>) {
  linalg.generic {indexing_maps = [#all, #none], iterator_types = ["reduction", "reduction"]}
      ins(%g : memref<256x256xf32>) outs(%total : memref<f32>) {
  ^bb0(%x: f32, %acc: f32):
    %sq = arith.mulf %x, %x : f32
    %s = arith.addf %acc, %sq : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// Not split: a whole sum too small to share out, a whole maximum (only
// sums are split), a sum of one dimension, and an f16 sum (each row's sum
// would round once more).
#all = affine_map<(d0, d1) -> (d0, d1)>
#none = affine_map<(d0, d1) -> ()>
#vector = affine_map<(d0) -> (d0)>
#scalar = affine_map<(d0) -> ()>
// CHECK-LABEL: func.func @not_split
// CHECK-NOT: memref.alloc
// CHECK-COUNT-4: linalg.generic
// CHECK-NOT: linalg.generic
func.func @not_split(%small: memref<64x64xf32>, %big: memref<256x256xf32>, %long: memref<65536xf32>, %total: memref<f32>, %half: memref<256x256xf16>, %halfTotal: memref<f16>) {
  linalg.generic {indexing_maps = [#all, #none], iterator_types = ["reduction", "reduction"]}
      ins(%small : memref<64x64xf32>) outs(%total : memref<f32>) {
  ^bb0(%x: f32, %acc: f32):
    %s = arith.addf %acc, %x : f32
    linalg.yield %s : f32
  }
  linalg.generic {indexing_maps = [#all, #none], iterator_types = ["reduction", "reduction"]}
      ins(%big : memref<256x256xf32>) outs(%total : memref<f32>) {
  ^bb0(%x: f32, %acc: f32):
    %m = arith.maximumf %acc, %x : f32
    linalg.yield %m : f32
  }
  linalg.generic {indexing_maps = [#vector, #scalar], iterator_types = ["reduction"]}
      ins(%long : memref<65536xf32>) outs(%total : memref<f32>) {
  ^bb0(%x: f32, %acc: f32):
    %s = arith.addf %acc, %x : f32
    linalg.yield %s : f32
  }
  linalg.generic {indexing_maps = [#all, #none], iterator_types = ["reduction", "reduction"]}
      ins(%half : memref<256x256xf16>) outs(%halfTotal : memref<f16>) {
  ^bb0(%x: f16, %acc: f16):
    %s = arith.addf %acc, %x : f16
    linalg.yield %s : f16
  }
  return
}

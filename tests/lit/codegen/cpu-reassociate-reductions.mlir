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

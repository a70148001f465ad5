// RUN: fmc-opt %s -fm-cpu-matmul-to-runtime -canonicalize -split-input-file | FileCheck %s

// A plain f32 matmul after its zero fill: one GEMM call overwriting C, and no
// fill any more.
// CHECK-LABEL: func.func private @fmrt_matmul_f32
// CHECK-SAME: (i64, i64, i64, i64, !llvm.ptr, i64, i64, i1 {llvm.zeroext}, !llvm.ptr, i64, i64, i1 {llvm.zeroext}, !llvm.ptr, i64, i64)
// CHECK-LABEL: func.func @plain
// CHECK-NOT: linalg.fill
// CHECK-DAG: %[[ONE:.+]] = arith.constant 1 : i64
// CHECK-DAG: %[[M:.+]] = arith.constant 8 : i64
// CHECK-DAG: %[[N:.+]] = arith.constant 4 : i64
// CHECK-DAG: %[[K:.+]] = arith.constant 16 : i64
// CHECK-DAG: %[[ZERO:.+]] = arith.constant 0 : i64
// CHECK-DAG: %[[FALSE:.+]] = arith.constant false
// CHECK: %[[A:.+]] = llvm.inttoptr
// CHECK: %[[B:.+]] = llvm.inttoptr
// CHECK: %[[C:.+]] = llvm.inttoptr
// CHECK: call @fmrt_matmul_f32(%[[ONE]], %[[M]], %[[N]], %[[K]], %[[A]], %[[K]], %[[ZERO]], %[[FALSE]], %[[B]], %[[N]], %[[ZERO]], %[[FALSE]], %[[C]], %[[N]], %[[ZERO]])
// CHECK-NOT: linalg.matmul
func.func @plain(%a: memref<8x16xf32>, %b: memref<16x4xf32>, %c: memref<8x4xf32>) {
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%c : memref<8x4xf32>)
  linalg.matmul ins(%a, %b : memref<8x16xf32>, memref<16x4xf32>) outs(%c : memref<8x4xf32>)
  return
}

// -----

// Two batch loops: A is transposed ([k, m] storage) and broadcast along the
// second, B is transposed ([n, k]) and broadcast along the first. The second
// batch loop becomes the call's strided batch (A stride 0, B 24, C 30); the
// first stays a loop that moves A by 20 and C by 90 elements (4 bytes
// each), a parallel one: its iterations write disjoint parts of C.
#a = affine_map<(d0, d1, d2, d3, d4) -> (d0, 0, d4, d2)>
#b = affine_map<(d0, d1, d2, d3, d4) -> (d1, d3, d4)>
#c = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func.func @batched
// CHECK-DAG: %[[C80:.+]] = arith.constant 80 : index
// CHECK-DAG: %[[C360:.+]] = arith.constant 360 : index
// CHECK: scf.parallel (%[[I:.+]]) = (%{{.+}}) to (%{{.+}}) step
// CHECK: arith.muli %[[I]], %[[C80]]
// CHECK: arith.muli %[[I]], %[[C360]]
// CHECK: call @fmrt_matmul_f32(%c3_i64, %c5_i64, %c6_i64, %c4_i64, %{{.+}}, %c5_i64, %c0_i64, %true, %{{.+}}, %c4_i64, %c24_i64, %true, %{{.+}}, %c6_i64, %c30_i64)
func.func @batched(%a: memref<2x1x4x5xf32>, %b: memref<3x6x4xf32>, %c: memref<2x3x5x6xf32>) {
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%c : memref<2x3x5x6xf32>)
  linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<2x1x4x5xf32>, memref<3x6x4xf32>) outs(%c : memref<2x3x5x6xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// Equal batches collapse into one strided batch of 6 without a loop.
// CHECK-LABEL: func.func @collapsed
// CHECK-NOT: scf.parallel
// CHECK: call @fmrt_matmul_f32(%c6_i64, %c4_i64, %c2_i64, %c3_i64, %{{.+}}, %c3_i64, %c12_i64, %false, %{{.+}}, %c2_i64, %c6_i64, %false, %{{.+}}, %c2_i64, %c8_i64)
#a = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d4)>
#b = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d4, d3)>
#c = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d3)>
func.func @collapsed(%a: memref<2x3x4x3xf32>, %b: memref<2x3x3x2xf32>, %c: memref<2x3x4x2xf32>) {
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%c : memref<2x3x4x2xf32>)
  linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<2x3x4x3xf32>, memref<2x3x3x2xf32>) outs(%c : memref<2x3x4x2xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// C written with its batch loops permuted ([batch, rows, heads, cols], as
// fm-cpu-fold-transposes leaves attention's output): rows are 18 elements
// apart, heads 6; the heads are the call's batch, the outer batch a loop
// (C's stride of 90 is not 3 x 6).
#a = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d2, d4)>
#b = affine_map<(d0, d1, d2, d3, d4) -> (d0, d1, d4, d3)>
#c = affine_map<(d0, d1, d2, d3, d4) -> (d0, d2, d1, d3)>
// CHECK-LABEL: func.func @permuted_result
// CHECK: scf.parallel
// CHECK: call @fmrt_matmul_f32(%c3_i64, %c5_i64, %c6_i64, %c4_i64, %{{.+}}, %c4_i64, %c20_i64, %false, %{{.+}}, %c6_i64, %c24_i64, %false, %{{.+}}, %c18_i64, %c6_i64)
func.func @permuted_result(%a: memref<2x3x5x4xf32>, %b: memref<2x3x4x6xf32>, %c: memref<2x5x3x6xf32>) {
  %zero = arith.constant 0.0 : f32
  linalg.fill ins(%zero : f32) outs(%c : memref<2x5x3x6xf32>)
  linalg.generic {indexing_maps = [#a, #b, #c], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<2x3x5x4xf32>, memref<2x3x4x6xf32>) outs(%c : memref<2x5x3x6xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %p = arith.mulf %x, %y : f32
    %s = arith.addf %acc, %p : f32
    linalg.yield %s : f32
  }
  return
}

// -----

// C starts as a bias broadcast to every row (fm-cpu-fold-matmul-bias): the
// GEMM with a bias, whose pointer comes before C's, and no broadcast any
// more; with a batch, every matrix takes the same bias.
// CHECK-LABEL: func.func private @fmrt_matmul_bias_f32
// CHECK-SAME: (i64, i64, i64, i64, !llvm.ptr, i64, i64, i1 {llvm.zeroext}, !llvm.ptr, i64, i64, i1 {llvm.zeroext}, !llvm.ptr, !llvm.ptr, i64, i64)
// CHECK-LABEL: func.func @with_bias
// CHECK-NOT: linalg.broadcast
// CHECK: %[[A:.+]] = llvm.inttoptr
// CHECK: %[[B:.+]] = llvm.inttoptr
// CHECK: %[[BIAS:.+]] = llvm.inttoptr
// CHECK: %[[C:.+]] = llvm.inttoptr
// CHECK: call @fmrt_matmul_bias_f32(%c1_i64, %c8_i64, %c4_i64, %c16_i64, %[[A]], %c16_i64, %c0_i64, %false, %[[B]], %c4_i64, %c0_i64, %false, %[[BIAS]], %[[C]], %c4_i64, %c0_i64)
// CHECK: call @fmrt_matmul_bias_f32(%c2_i64, %c8_i64, %c4_i64, %c16_i64, %{{.+}}, %c16_i64, %c128_i64, %false, %{{.+}}, %c4_i64, %c64_i64, %false, %{{.+}}, %{{.+}}, %c4_i64, %c32_i64)
// CHECK-NOT: linalg.
func.func @with_bias(%a: memref<8x16xf32>, %b: memref<16x4xf32>, %bias: memref<4xf32>, %c: memref<8x4xf32>,
                     %ba: memref<2x8x16xf32>, %bb: memref<2x16x4xf32>, %bc: memref<2x8x4xf32>) {
  linalg.broadcast ins(%bias : memref<4xf32>) outs(%c : memref<8x4xf32>) dimensions = [0]
  linalg.matmul ins(%a, %b : memref<8x16xf32>, memref<16x4xf32>) outs(%c : memref<8x4xf32>)
  linalg.broadcast ins(%bias : memref<4xf32>) outs(%bc : memref<2x8x4xf32>) dimensions = [0, 1]
  linalg.batch_matmul ins(%ba, %bb : memref<2x8x16xf32>, memref<2x16x4xf32>) outs(%bc : memref<2x8x4xf32>)
  return
}

// -----

// Left alone: C starts as a vector broadcast along its columns, or as a
// strided vector, neither of which the call takes.
// CHECK-LABEL: func.func @kept_broadcasts
// CHECK-NOT: call
// CHECK: linalg.broadcast
// CHECK: linalg.matmul
// CHECK: linalg.broadcast
// CHECK: linalg.matmul
func.func @kept_broadcasts(%a: memref<8x16xf32>, %b: memref<16x8xf32>, %rows: memref<8xf32>,
                           %strided: memref<8xf32, strided<[2]>>, %c: memref<8x8xf32>) {
  linalg.broadcast ins(%rows : memref<8xf32>) outs(%c : memref<8x8xf32>) dimensions = [1]
  linalg.matmul ins(%a, %b : memref<8x16xf32>, memref<16x8xf32>) outs(%c : memref<8x8xf32>)
  linalg.broadcast ins(%strided : memref<8xf32, strided<[2]>>) outs(%c : memref<8x8xf32>) dimensions = [0]
  linalg.matmul ins(%a, %b : memref<8x16xf32>, memref<16x8xf32>) outs(%c : memref<8x8xf32>)
  return
}

// -----

// Left alone: no zero fill to drop (the call cannot accumulate), a bf16
// product, and a body that is not a multiply-accumulate.
// CHECK-LABEL: func.func @kept
// CHECK-NOT: call
// CHECK: linalg.matmul
// CHECK: linalg.matmul
// CHECK: linalg.generic
func.func @kept(%a: memref<8x16xf32>, %b: memref<16x4xf32>, %c: memref<8x4xf32>,
                %ha: memref<8x16xbf16>, %hb: memref<16x4xbf16>, %hc: memref<8x4xbf16>) {
  linalg.matmul ins(%a, %b : memref<8x16xf32>, memref<16x4xf32>) outs(%c : memref<8x4xf32>)
  %zero = arith.constant 0.0 : bf16
  linalg.fill ins(%zero : bf16) outs(%hc : memref<8x4xbf16>)
  linalg.matmul ins(%ha, %hb : memref<8x16xbf16>, memref<16x4xbf16>) outs(%hc : memref<8x4xbf16>)
  %fzero = arith.constant 0.0 : f32
  linalg.fill ins(%fzero : f32) outs(%c : memref<8x4xf32>)
  linalg.generic {indexing_maps = [affine_map<(m, n, k) -> (m, k)>, affine_map<(m, n, k) -> (k, n)>, affine_map<(m, n, k) -> (m, n)>], iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : memref<8x16xf32>, memref<16x4xf32>) outs(%c : memref<8x4xf32>) {
  ^bb0(%x: f32, %y: f32, %acc: f32):
    %s = arith.addf %x, %y : f32
    %t = arith.addf %acc, %s : f32
    linalg.yield %t : f32
  }
  return
}

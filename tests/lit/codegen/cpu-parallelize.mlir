// RUN: fmc-opt %s -fm-cpu-parallelize -split-input-file | FileCheck %s

// A nest with enough work runs on the pool: its leading dimensions (4x8) are
// collapsed into 32 chunks, its body moves into a kernel over [begin, end)
// of them, whose buffers are unaliased, and a task unpacks the stack
// context the caller fills.
// CHECK-LABEL: func.func private @fmrt_parallel_for(i64, i64, (i64, i64, !llvm.ptr) -> (), !llvm.ptr)
// CHECK-LABEL: func.func @big
// CHECK-SAME: (%[[IN:.+]]: memref<4x8x2048xf32>, %[[OUT:.+]]: memref<4x8x2048xf32>)
// CHECK: %[[CONTEXT:.+]] = llvm.alloca %{{.+}} x !llvm.struct<(struct<(ptr, ptr, i64, array<3 x i64>, array<3 x i64>)>, struct<(ptr, ptr, i64, array<3 x i64>, array<3 x i64>)>, i64)>
// CHECK: %[[PACKED_IN:.+]] = builtin.unrealized_conversion_cast %[[IN]] : memref<4x8x2048xf32> to !llvm.struct
// CHECK: llvm.store %[[PACKED_IN]]
// CHECK: %[[PACKED_OUT:.+]] = builtin.unrealized_conversion_cast %[[OUT]]
// CHECK: llvm.store %[[PACKED_OUT]]
// CHECK: %[[TASK:.+]] = constant @big_kernel0_task : (i64, i64, !llvm.ptr) -> ()
// CHECK-DAG: %[[ZERO:.+]] = arith.constant 0 : i64
// CHECK-DAG: %[[CHUNKS:.+]] = arith.constant 32 : i64
// CHECK: call @fmrt_parallel_for(%[[ZERO]], %[[CHUNKS]], %[[TASK]], %[[CONTEXT]])
// CHECK-NOT: scf.parallel
// CHECK: return

// CHECK-LABEL: func.func private @big_kernel0
// CHECK-SAME: (%[[BEGIN:.+]]: index, %[[END:.+]]: index, %[[KIN:.+]]: memref<4x8x2048xf32>, %[[KOUT:.+]]: memref<4x8x2048xf32>, %{{.+}}: index)
// CHECK-SAME: attributes {fm_cpu.noalias_args = array<i64: 2, 3, 11, 12>}
// CHECK: scf.parallel (%[[I:.+]], %[[K:.+]]) = (%[[BEGIN]], %{{.+}}) to (%[[END]], %{{.+}})
// CHECK-DAG: arith.remsi %[[I]]
// CHECK-DAG: arith.divsi %[[I]]
// CHECK: memref.load %[[KIN]]
// CHECK: math.exp
// CHECK: memref.store %{{.+}}, %[[KOUT]]

// CHECK-LABEL: func.func private @big_kernel0_task
// CHECK-SAME: (%[[B:.+]]: i64, %[[E:.+]]: i64, %[[CTX:.+]]: !llvm.ptr)
// CHECK-DAG: %[[BI:.+]] = arith.index_cast %[[B]] : i64 to index
// CHECK-DAG: %[[EI:.+]] = arith.index_cast %[[E]] : i64 to index
// CHECK: llvm.getelementptr %[[CTX]][0, 0]
// CHECK: %[[FIELD:.+]] = llvm.load
// CHECK: %[[M:.+]] = builtin.unrealized_conversion_cast %[[FIELD]] : !llvm.struct<(ptr, ptr, i64, array<3 x i64>, array<3 x i64>)> to memref<4x8x2048xf32>
// CHECK: call @big_kernel0(%[[BI]], %[[EI]], %[[M]],
func.func @big(%in: memref<4x8x2048xf32>, %out: memref<4x8x2048xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c8 = arith.constant 8 : index
  %c2048 = arith.constant 2048 : index
  scf.parallel (%i, %j, %k) = (%c0, %c0, %c0) to (%c4, %c8, %c2048) step (%c1, %c1, %c1) {
    %x = memref.load %in[%i, %j, %k] : memref<4x8x2048xf32>
    %y = math.exp %x : f32
    memref.store %y, %out[%i, %j, %k] : memref<4x8x2048xf32>
  }
  return
}

// -----

// Too little work for the pool: the nest becomes a kernel the function
// calls itself, over the nest's whole range; no task is made.
// CHECK-LABEL: func.func @small
// CHECK-SAME: (%[[BUFFER:.+]]: memref<16x16xf32>)
// CHECK-DAG: %[[C0:.+]] = arith.constant 0 : index
// CHECK-DAG: %[[C16:.+]] = arith.constant 16 : index
// CHECK: call @small_kernel0(%[[C0]], %[[C16]], %[[BUFFER]])
// CHECK-NOT: scf.parallel
// CHECK-NOT: fmrt_parallel_for
// CHECK-LABEL: func.func private @small_kernel0
// CHECK: scf.parallel
// CHECK-NOT: _task
func.func @small(%buffer: memref<16x16xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c16 = arith.constant 16 : index
  scf.parallel (%i, %j) = (%c0, %c0) to (%c16, %c16) step (%c1, %c1) {
    %x = memref.load %buffer[%i, %j] : memref<16x16xf32>
    %y = math.exp %x : f32
    memref.store %y, %buffer[%i, %j] : memref<16x16xf32>
  }
  return
}

// -----

// Nests that differ only in their buffers share one kernel, across
// functions too; a different body gets its own.
// CHECK-LABEL: func.func @first
// CHECK-SAME: (%[[A:.+]]: memref<8xf32>, %[[B:.+]]: memref<8xf32>)
// CHECK: call @first_kernel0(%{{.+}}, %{{.+}}, %[[A]])
// CHECK: call @first_kernel0(%{{.+}}, %{{.+}}, %[[B]])
// CHECK: call @first_kernel2(
// CHECK-LABEL: func.func @second
// CHECK: call @first_kernel0(
// CHECK-COUNT-2: func.func private @first_kernel
// CHECK-NOT: func.func private
// CHECK: // -----
func.func @first(%a: memref<8xf32>, %b: memref<8xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  scf.parallel (%i) = (%c0) to (%c8) step (%c1) {
    %x = memref.load %a[%i] : memref<8xf32>
    %y = math.exp %x : f32
    memref.store %y, %a[%i] : memref<8xf32>
  }
  scf.parallel (%i) = (%c0) to (%c8) step (%c1) {
    %x = memref.load %b[%i] : memref<8xf32>
    %y = math.exp %x : f32
    memref.store %y, %b[%i] : memref<8xf32>
  }
  scf.parallel (%i) = (%c0) to (%c8) step (%c1) {
    %x = memref.load %b[%i] : memref<8xf32>
    %y = math.log %x : f32
    memref.store %y, %b[%i] : memref<8xf32>
  }
  return
}
func.func @second(%c: memref<8xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  scf.parallel (%i) = (%c0) to (%c8) step (%c1) {
    %x = memref.load %c[%i] : memref<8xf32>
    %y = math.exp %x : f32
    memref.store %y, %c[%i] : memref<8xf32>
  }
  return
}

// -----

// In place: the one buffer is read and written through two views, so the
// kernel claims nothing unaliased. The first dimension has 64 chunks
// already and is not collapsed.
// CHECK-LABEL: func.func @in_place
// CHECK: %[[CHUNKS:.+]] = arith.constant 64 : i64
// CHECK: call @fmrt_parallel_for(%{{.+}}, %[[CHUNKS]],
// CHECK-LABEL: func.func private @in_place_kernel0
// CHECK-SAME: attributes {fm_cpu.noalias_args = array<i64>}
// CHECK: scf.parallel (%{{.+}}, %{{.+}}) =
func.func @in_place(%buffer: memref<64x1024xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c64 = arith.constant 64 : index
  %c1024 = arith.constant 1024 : index
  %view = memref.subview %buffer[0, 0] [64, 1024] [1, 1] : memref<64x1024xf32> to memref<64x1024xf32, strided<[1024, 1]>>
  scf.parallel (%i, %j) = (%c0, %c0) to (%c64, %c1024) step (%c1, %c1) {
    %x = memref.load %buffer[%i, %j] : memref<64x1024xf32>
    %y = math.exp %x : f32
    memref.store %y, %view[%i, %j] : memref<64x1024xf32, strided<[1024, 1]>>
  }
  return
}

// -----

// A loop of 8 GEMM calls (batches fm-cpu-matmul-to-runtime could not
// collapse into one call) counts as their multiply-adds, 8 x 4*128*64*128,
// and runs on the pool; the calls inside then run on the threads that take
// them. A loop of tiny products stays on the calling thread.
// CHECK-LABEL: func.func @gemm_calls
// CHECK: %[[TASK:.+]] = constant @gemm_calls_kernel0_task
// CHECK: call @fmrt_parallel_for(%{{.+}}, %{{.+}}, %[[TASK]], %{{.+}})
// CHECK: call @gemm_calls_kernel1(
// CHECK-LABEL: func.func private @gemm_calls_kernel0(
// CHECK: call @fmrt_matmul_f32(
// CHECK-LABEL: func.func private @gemm_calls_kernel1(
// CHECK: call @fmrt_matmul_f32(
func.func private @fmrt_matmul_f32(i64, i64, i64, i64, !llvm.ptr, i64, i64, i1, !llvm.ptr, i64, i64, i1, !llvm.ptr, i64, i64)
func.func @gemm_calls(%a: !llvm.ptr, %b: !llvm.ptr, %c: !llvm.ptr) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %batch = arith.constant 4 : i64
  %m = arith.constant 128 : i64
  %n = arith.constant 64 : i64
  %k = arith.constant 128 : i64
  %tiny = arith.constant 2 : i64
  %zero = arith.constant 0 : i64
  %false = arith.constant false
  scf.parallel (%i) = (%c0) to (%c8) step (%c1) {
    func.call @fmrt_matmul_f32(%batch, %m, %n, %k, %a, %k, %zero, %false, %b, %n, %zero, %false, %c, %n, %zero) : (i64, i64, i64, i64, !llvm.ptr, i64, i64, i1, !llvm.ptr, i64, i64, i1, !llvm.ptr, i64, i64) -> ()
    scf.reduce
  }
  scf.parallel (%i) = (%c0) to (%c8) step (%c1) {
    func.call @fmrt_matmul_f32(%tiny, %tiny, %tiny, %tiny, %a, %tiny, %zero, %false, %b, %tiny, %zero, %false, %c, %tiny, %zero) : (i64, i64, i64, i64, !llvm.ptr, i64, i64, i1, !llvm.ptr, i64, i64, i1, !llvm.ptr, i64, i64) -> ()
    scf.reduce
  }
  return
}

// -----

// A reduction over rows, as convert-linalg-to-parallel-loops leaves a column
// sum: the loop over rows holds only a nest over columns, and each column
// is read and written at that column alone. Each chunk of columns runs the
// whole loop over rows in its kernel.
// CHECK-LABEL: func.func @column_sums
// CHECK-DAG: %[[ZERO:.+]] = arith.constant 0 : i64
// CHECK-DAG: %[[COLUMNS:.+]] = arith.constant 1024 : i64
// CHECK: call @fmrt_parallel_for(%[[ZERO]], %[[COLUMNS]], %{{.+}}, %{{.+}})
// CHECK-NOT: scf.for
// CHECK: return
// CHECK-LABEL: func.func private @column_sums_kernel0
// CHECK-SAME: (%[[BEGIN:.+]]: index, %[[END:.+]]: index,
// CHECK: scf.for %[[ROW:.+]] =
// CHECK: scf.parallel (%[[COLUMN:.+]]) = (%[[BEGIN]]) to (%[[END]])
// CHECK: memref.load %{{.+}}[%[[ROW]], %[[COLUMN]]]
// CHECK: memref.store %{{.+}}, %{{.+}}[%[[COLUMN]]]
func.func @column_sums(%in: memref<1024x1024xf32>, %sums: memref<1024xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c1024 = arith.constant 1024 : index
  scf.for %row = %c0 to %c1024 step %c1 {
    scf.parallel (%column) = (%c0) to (%c1024) step (%c1) {
      %x = memref.load %in[%row, %column] : memref<1024x1024xf32>
      %sum = memref.load %sums[%column] : memref<1024xf32>
      %next = arith.addf %sum, %x : f32
      memref.store %next, %sums[%column] : memref<1024xf32>
    }
  }
  return
}

// -----

// Where chunks of columns would share what they write, or the loop does
// more than run the nest, the loop stays on the calling thread: the nest
// becomes a kernel it calls. A column's sum moves to the next column with
// each row: chunks would write each other's sums.
// CHECK-LABEL: func.func @rotating_sums
// CHECK: scf.for
// CHECK: call @rotating_sums_kernel0
// CHECK-NOT: fmrt_parallel_for
// CHECK-LABEL: func.func @more_than_the_nest
// CHECK: scf.for
// CHECK: memref.store
// CHECK: call @more_than_the_nest_kernel0
// CHECK-NOT: fmrt_parallel_for
func.func @rotating_sums(%in: memref<1024x1024xf32>, %sums: memref<1024xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c1024 = arith.constant 1024 : index
  scf.for %row = %c0 to %c1024 step %c1 {
    scf.parallel (%column) = (%c0) to (%c1024) step (%c1) {
      %x = memref.load %in[%row, %column] : memref<1024x1024xf32>
      %shifted = arith.addi %column, %row : index
      %target = arith.remui %shifted, %c1024 : index
      %sum = memref.load %sums[%target] : memref<1024xf32>
      %next = arith.addf %sum, %x : f32
      memref.store %next, %sums[%target] : memref<1024xf32>
    }
  }
  return
}
func.func @more_than_the_nest(%in: memref<1024x1024xf32>, %sums: memref<1024xf32>, %rows: memref<1024xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c1024 = arith.constant 1024 : index
  %zero = arith.constant 0.0 : f32
  scf.for %row = %c0 to %c1024 step %c1 {
    memref.store %zero, %rows[%row] : memref<1024xf32>
    scf.parallel (%column) = (%c0) to (%c1024) step (%c1) {
      %x = memref.load %in[%row, %column] : memref<1024x1024xf32>
      %sum = memref.load %sums[%column] : memref<1024xf32>
      %next = arith.addf %sum, %x : f32
      memref.store %next, %sums[%column] : memref<1024xf32>
    }
  }
  return
}

// RUN: fmc-opt %s -pass-pipeline='builtin.module(fm-cpu-lower)' | FileCheck %s
// RUN: fmc-opt %s -pass-pipeline='builtin.module(fm-cpu-lower{runtime-matmul=false parallel=false})' | FileCheck %s --check-prefix=LOOPS

// The whole CPU lowering: only the LLVM dialect is left; the matmul and its
// bias are one libfmrt GEMM call, the GELU a loop nest run on the pool, and
// @dense has its entry point.
// CHECK-NOT: fm.
// CHECK-NOT: linalg.
// CHECK-NOT: memref.
// CHECK-NOT: scf.
// CHECK-DAG: llvm.func @fmrt_matmul_bias_f32(i64, i64, i64, i64, !llvm.ptr, i64, i64, i1 {llvm.zeroext}, !llvm.ptr, i64, i64, i1 {llvm.zeroext}, !llvm.ptr, !llvm.ptr, i64, i64)
// CHECK-DAG: llvm.func @fmrt_parallel_for(i64, i64, !llvm.ptr, !llvm.ptr)
// CHECK-LABEL: llvm.func @dense(
// CHECK: %[[TASK:.+]] = llvm.mlir.addressof @dense_kernel0_task
// CHECK: llvm.call @fmrt_matmul_bias_f32(
// CHECK: llvm.call @fmrt_parallel_for(%{{.+}}, %{{.+}}, %[[TASK]], %{{.+}})
// CHECK-LABEL: llvm.func @_mlir_ciface_dense(
// CHECK-LABEL: llvm.func @dense_kernel0(
// CHECK-SAME: !llvm.ptr {llvm.noalias}
// CHECK-LABEL: llvm.func @dense_kernel0_task(
// CHECK: llvm.call @dense_kernel0(
// CHECK-LABEL: llvm.func @fmc_entry_dense(%{{.+}}: !llvm.ptr)
// CHECK: llvm.call @_mlir_ciface_dense(

// Without the runtime's GEMM and pool: loops only, on the thread that
// calls; buffers still come from fmrt_alloc.
// LOOPS-NOT: fmrt_matmul
// LOOPS-NOT: fmrt_parallel_for
// LOOPS: llvm.call @fmrt_alloc(
// LOOPS-NOT: fmrt_matmul
// LOOPS-NOT: fmrt_parallel_for
// LOOPS: llvm.func @fmc_entry_dense(
func.func @dense(%x: tensor<256x64xf32>, %w: tensor<64x256xf32>, %b: tensor<256xf32>) -> tensor<256x256xf32> {
  %0 = fm.matmul %x, %w : tensor<256x64xf32>, tensor<64x256xf32>
  %1 = fm.add %0, %b : tensor<256x256xf32>, tensor<256xf32>
  %2 = fm.gelu %1 : tensor<256x256xf32>
  return %2 : tensor<256x256xf32>
}

// RUN: fmc-opt %s -split-input-file -fm-cpu-runtime-allocator -verify-diagnostics | FileCheck %s

// Buffers come from libfmrt's block cache instead of libc.
// CHECK-LABEL: llvm.func @fmrt_alloc(i64) -> !llvm.ptr
// CHECK-LABEL: llvm.func @fmrt_free(!llvm.ptr)
// CHECK-LABEL: llvm.func @step
// CHECK: %[[BLOCK:.+]] = llvm.call @fmrt_alloc(%{{.+}}) : (i64) -> !llvm.ptr
// CHECK: llvm.call @fmrt_free(%[[BLOCK]]) : (!llvm.ptr) -> ()
// CHECK-NOT: malloc
llvm.func @malloc(i64) -> !llvm.ptr
llvm.func @free(!llvm.ptr)
llvm.func @step() {
  %bytes = llvm.mlir.constant(4096 : i64) : i64
  %block = llvm.call @malloc(%bytes) : (i64) -> !llvm.ptr
  llvm.call @free(%block) : (!llvm.ptr) -> ()
  llvm.return
}

// -----

// A module that allocates nothing is left alone.
// CHECK-LABEL: llvm.func @pure
// CHECK-NOT: fmrt_alloc
llvm.func @pure() {
  llvm.return
}

// -----

// expected-error @+1 {{cannot rename @malloc to @fmrt_alloc: the name is taken}}
llvm.func @malloc(i64) -> !llvm.ptr
llvm.func @fmrt_alloc(i64) -> !llvm.ptr

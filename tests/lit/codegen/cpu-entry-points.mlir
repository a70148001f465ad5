// RUN: fmc-opt %s -fm-cpu-entry-points | FileCheck %s

// A C-interface function gets fmc_entry_<F>(ptr args), which loads args[i]
// and passes them on.
// CHECK-LABEL: llvm.func @fmc_entry_f(
// CHECK-SAME: %[[ARGS:.+]]: !llvm.ptr)
// CHECK: %[[SLOT0:.+]] = llvm.getelementptr %[[ARGS]][0] : (!llvm.ptr) -> !llvm.ptr, !llvm.ptr
// CHECK: %[[D0:.+]] = llvm.load %[[SLOT0]] : !llvm.ptr -> !llvm.ptr
// CHECK: %[[SLOT1:.+]] = llvm.getelementptr %[[ARGS]][1] : (!llvm.ptr) -> !llvm.ptr, !llvm.ptr
// CHECK: %[[D1:.+]] = llvm.load %[[SLOT1]] : !llvm.ptr -> !llvm.ptr
// CHECK: llvm.call @_mlir_ciface_f(%[[D0]], %[[D1]]) : (!llvm.ptr, !llvm.ptr) -> ()
// CHECK-NEXT: llvm.return
// CHECK-NOT: fmc_entry__mlir_ciface_f
llvm.func @f(%allocated: !llvm.ptr, %aligned: !llvm.ptr, %offset: i64) attributes {llvm.emit_c_interface} {
  llvm.return
}
llvm.func @_mlir_ciface_f(%in: !llvm.ptr, %out: !llvm.ptr) attributes {llvm.emit_c_interface} {
  llvm.return
}

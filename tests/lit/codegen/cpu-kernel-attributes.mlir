// RUN: fmc-opt %s -split-input-file -fm-cpu-kernel-attributes | FileCheck %s

// A kernel's recorded unaliased arguments get llvm.noalias, and the kernel
// is never inlined into its caller.
// CHECK-LABEL: llvm.func @kernel(%{{.+}}: !llvm.ptr {llvm.noalias}, %{{.+}}: !llvm.ptr {llvm.noalias}, %{{.+}}: i64)
// CHECK-SAME: no_inline
// CHECK-NOT: fm_cpu.noalias_args
llvm.func @kernel(%allocated: !llvm.ptr, %aligned: !llvm.ptr, %offset: i64) attributes {fm_cpu.noalias_args = array<i64: 0, 1>} {
  llvm.return
}

// -----

// A kernel whose buffers may alias still stays out of line.
// CHECK-LABEL: llvm.func @aliased_kernel(%{{.+}}: !llvm.ptr, %{{.+}}: !llvm.ptr)
// CHECK-SAME: no_inline
llvm.func @aliased_kernel(%a: !llvm.ptr, %b: !llvm.ptr) attributes {fm_cpu.noalias_args = array<i64>} {
  llvm.return
}

// -----

// Other functions are left alone.
// CHECK-LABEL: llvm.func @caller(%{{.+}}: !llvm.ptr)
// CHECK-NOT: no_inline
// CHECK-SAME: {
llvm.func @caller(%a: !llvm.ptr) {
  llvm.return
}

// RUN: fmc-opt %s -fm-cpu-expand-strided-copies | FileCheck %s

// Copies between contiguous buffers stay (memcpy); a copy into a strided
// view becomes a linalg.copy, which lowers to loops.
// CHECK-LABEL: func.func @copies
// CHECK: memref.copy %{{.+}}, %{{.+}} : memref<4x8xf32> to memref<4x8xf32>
// CHECK: %[[VIEW:.+]] = memref.subview
// CHECK: linalg.copy ins(%{{.+}} : memref<4x4xf32>) outs(%[[VIEW]] : memref<4x4xf32, strided<[8, 1], offset: 2>>)
// CHECK-NOT: memref.copy
func.func @copies(%a: memref<4x8xf32>, %b: memref<4x8xf32>, %c: memref<4x4xf32>) {
  memref.copy %a, %b : memref<4x8xf32> to memref<4x8xf32>
  %view = memref.subview %b[0, 2] [4, 4] [1, 1] : memref<4x8xf32> to memref<4x4xf32, strided<[8, 1], offset: 2>>
  memref.copy %c, %view : memref<4x4xf32> to memref<4x4xf32, strided<[8, 1], offset: 2>>
  return
}

// RUN: fmc-opt %s -fm-cpu-distinct-result-buffers -buffer-results-to-out-params=hoist-static-allocs | FileCheck %s

// Returned allocations become the caller's buffers; a returned argument, a
// global and a second return of the same buffer are copied into theirs.
// CHECK-LABEL: func.func @results
// CHECK-SAME: (%[[IN:.+]]: memref<4xf32>, %[[OUT0:.+]]: memref<4xf32>, %[[OUT1:.+]]: memref<4xf32>, %[[OUT2:.+]]: memref<4xf32>, %[[OUT3:.+]]: memref<4xf32>)
// CHECK-NOT: memref.alloc
// CHECK: linalg.fill ins(%{{.+}} : f32) outs(%[[OUT0]] : memref<4xf32>)
// CHECK: %[[G:.+]] = memref.get_global @ones
// CHECK: memref.copy %[[IN]], %[[OUT1]]
// CHECK: memref.copy %[[G]], %[[OUT2]]
// CHECK: memref.copy %[[OUT0]], %[[OUT3]]
// CHECK-NEXT: return
memref.global "private" constant @ones : memref<4xf32> = dense<1.0>
func.func @results(%in: memref<4xf32>) -> (memref<4xf32>, memref<4xf32>, memref<4xf32>, memref<4xf32>) {
  %zero = arith.constant 0.0 : f32
  %a = memref.alloc() : memref<4xf32>
  linalg.fill ins(%zero : f32) outs(%a : memref<4xf32>)
  %g = memref.get_global @ones : memref<4xf32>
  return %a, %in, %g, %a : memref<4xf32>, memref<4xf32>, memref<4xf32>, memref<4xf32>
}

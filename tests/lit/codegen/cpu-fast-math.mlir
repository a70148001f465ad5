// RUN: fmc-opt %s -split-input-file -pass-pipeline='builtin.module(func.func(fm-cpu-fast-math))' | FileCheck %s
// RUN: fmc-opt %s -split-input-file -pass-pipeline='builtin.module(func.func(fm-cpu-fast-math{approximate-tanh=false}))' | FileCheck %s --check-prefix=LIBM

// f32 tanh becomes arithmetic that vectorizes: a clamp, polynomials and a
// division; no libm call is left.
// CHECK-LABEL: func.func @tanh
// CHECK-NOT: math.tanh
// CHECK: arith.divf
// CHECK: return
// LIBM-LABEL: func.func @tanh
// LIBM: math.tanh
func.func @tanh(%x: f32) -> f32 {
  %y = math.tanh %x : f32
  return %y : f32
}

// -----

// exp never sees an argument that underflows: below -104 it computes
// exp(0) and the result is replaced by +0.
// CHECK-LABEL: func.func @exp
// CHECK-SAME: (%[[X:.+]]: f32)
// CHECK-DAG: %[[ZERO:.+]] = arith.constant 0.000000e+00 : f32
// CHECK-DAG: %[[BOUND:.+]] = arith.constant -1.040000e+02 : f32
// CHECK: %[[SMALL:.+]] = arith.cmpf olt, %[[X]], %[[BOUND]] : f32
// CHECK: %[[ARG:.+]] = arith.select %[[SMALL]], %[[ZERO]], %[[X]] : f32
// CHECK: %[[E:.+]] = math.exp %[[ARG]] : f32
// CHECK: %[[Y:.+]] = arith.select %[[SMALL]], %[[ZERO]], %[[E]] : f32
// CHECK: return %[[Y]]
// LIBM-LABEL: func.func @exp
// LIBM: arith.cmpf olt
func.func @exp(%x: f32) -> f32 {
  %y = math.exp %x : f32
  return %y : f32
}

// -----

// Other functions and types keep their libm calls.
// CHECK-LABEL: func.func @others
// CHECK: math.log
// CHECK: math.exp %{{.+}} : f64
func.func @others(%x: f32, %z: f64) -> (f32, f64) {
  %y = math.log %x : f32
  %w = math.exp %z : f64
  return %y, %w : f32, f64
}

// RUN: fmc-opt %s -split-input-file -pass-pipeline='builtin.module(func.func(fm-cpu-fast-math))' | FileCheck %s
// RUN: fmc-opt %s -split-input-file -pass-pipeline='builtin.module(func.func(fm-cpu-fast-math{approximate=false}))' | FileCheck %s --check-prefix=LIBM

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

// f32 exp becomes 2^k p(r): k = roundeven(x log2 e), r by two FMAs, p by
// Horner's rule in FMAs, 2^k from exponent bits; then the specials (above
// ln FLT_MAX, below -104, NaN) are selected in.
// CHECK-LABEL: func.func @exp
// CHECK-SAME: (%[[X:.+]]: f32)
// CHECK-NOT: math.exp
// CHECK: %[[K:.+]] = math.roundeven
// CHECK: math.fma %[[K]]
// CHECK-COUNT-8: math.fma
// CHECK: arith.fptosi
// CHECK: arith.bitcast
// CHECK: arith.cmpf ogt, %[[X]]
// CHECK: arith.cmpf olt, %[[X]]
// CHECK: arith.cmpf uno, %[[X]]
// CHECK-NOT: math.exp
// CHECK: return

// Without approximations, exp stays libm's but never sees an argument that
// underflows: below -104 it computes exp(0) and the result becomes +0.
// LIBM-LABEL: func.func @exp
// LIBM-SAME: (%[[X:.+]]: f32)
// LIBM-DAG: %[[ZERO:.+]] = arith.constant 0.000000e+00 : f32
// LIBM-DAG: %[[BOUND:.+]] = arith.constant -1.040000e+02 : f32
// LIBM: %[[SMALL:.+]] = arith.cmpf olt, %[[X]], %[[BOUND]] : f32
// LIBM: %[[ARG:.+]] = arith.select %[[SMALL]], %[[ZERO]], %[[X]] : f32
// LIBM: %[[E:.+]] = math.exp %[[ARG]] : f32
// LIBM: %[[Y:.+]] = arith.select %[[SMALL]], %[[ZERO]], %[[E]] : f32
// LIBM: return %[[Y]]
func.func @exp(%x: f32) -> f32 {
  %y = math.exp %x : f32
  return %y : f32
}

// -----

// Other functions and types keep their libm calls.
// CHECK-LABEL: func.func @others
// CHECK: math.log
// CHECK: math.exp %{{.+}} : f64
// LIBM-LABEL: func.func @others
// LIBM: math.exp %{{.+}} : f64
func.func @others(%x: f32, %z: f64) -> (f32, f64) {
  %y = math.log %x : f32
  %w = math.exp %z : f64
  return %y, %w : f32, f64
}

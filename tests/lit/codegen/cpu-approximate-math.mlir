// RUN: fmc-opt %s -split-input-file -pass-pipeline='builtin.module(func.func(fm-cpu-approximate-math))' | FileCheck %s

// f32 tanh becomes arithmetic that vectorizes: a clamp, polynomials and a
// division; no libm call is left.
// CHECK-LABEL: func.func @tanh
// CHECK-NOT: math.tanh
// CHECK: arith.divf
// CHECK: return
func.func @tanh(%x: f32) -> f32 {
  %y = math.tanh %x : f32
  return %y : f32
}

// -----

// Other functions keep their libm calls.
// CHECK-LABEL: func.func @exp
// CHECK: math.exp
func.func @exp(%x: f32) -> f32 {
  %y = math.exp %x : f32
  return %y : f32
}

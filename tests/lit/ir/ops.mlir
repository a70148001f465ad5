// Every fm op in its custom form, with the result types that shape inference
// gives (the functions return the interesting results, so the inferred types
// must match the declared signatures, and the GEN run checks them again in
// the generic form).
//
// RUN: fmc-opt %s | FileCheck %s
// RUN: fmc-opt %s | fmc-opt | FileCheck %s
// RUN: fmc-opt %s -mlir-print-op-generic | fmc-opt | FileCheck %s
// RUN: fmc-opt %s -mlir-print-op-generic | FileCheck %s --check-prefix=GEN
// RUN: fmc-opt %s -split-input-file -mlir-print-op-generic | FileCheck %s --check-prefix=DEFAULTS

//===----------------------------------------------------------------------===//
// Constants of every element type
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @constants()
// CHECK: fm.constant dense<[1.000000e+00, 2.000000e+00]> : tensor<2xf32>
// CHECK: fm.constant dense<5.000000e-01> : tensor<2x3xf32>
// CHECK: fm.constant dense<-1.000000e+09> : tensor<f32>
// CHECK: fm.constant dense<1.500000e+00> : tensor<4xf16>
// CHECK: fm.constant dense<[1.000000e+00, -2.000000e+00]> : tensor<2xbf16>
// CHECK: fm.constant dense<4.480000e+02> : tensor<2xf8E4M3FN>
// CHECK: fm.constant dense<-5.734400e+04> : tensor<2xf8E5M2>
// CHECK: fm.constant dense<[1, 2, 3]> : tensor<3xi32>
// CHECK: fm.constant dense<-7> : tensor<2x2xi64>
// CHECK: fm.constant dense<[true, false]> : tensor<2xi1>
// GEN-LABEL: sym_name = "constants"
// GEN: "fm.constant"() <{value = dense<[1.000000e+00, 2.000000e+00]> : tensor<2xf32>}> : () -> tensor<2xf32>
func.func @constants() -> (tensor<2xf32>, tensor<2x3xf32>, tensor<f32>,
                           tensor<4xf16>, tensor<2xbf16>, tensor<2xf8E4M3FN>,
                           tensor<2xf8E5M2>, tensor<3xi32>, tensor<2x2xi64>,
                           tensor<2xi1>) {
  %0 = fm.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %1 = fm.constant dense<0.5> : tensor<2x3xf32>
  %2 = fm.constant dense<-1.0e9> : tensor<f32>
  %3 = fm.constant dense<1.5> : tensor<4xf16>
  %4 = fm.constant dense<[1.0, -2.0]> : tensor<2xbf16>
  %5 = fm.constant dense<448.0> : tensor<2xf8E4M3FN>
  %6 = fm.constant dense<-57344.0> : tensor<2xf8E5M2>
  %7 = fm.constant dense<[1, 2, 3]> : tensor<3xi32>
  %8 = fm.constant dense<-7> : tensor<2x2xi64>
  %9 = fm.constant dense<[true, false]> : tensor<2xi1>
  return %0, %1, %2, %3, %4, %5, %6, %7, %8, %9
      : tensor<2xf32>, tensor<2x3xf32>, tensor<f32>, tensor<4xf16>,
        tensor<2xbf16>, tensor<2xf8E4M3FN>, tensor<2xf8E5M2>, tensor<3xi32>,
        tensor<2x2xi64>, tensor<2xi1>
}

//===----------------------------------------------------------------------===//
// Elementwise binary arithmetic, with numpy broadcasting
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @arithmetic(
// CHECK-SAME: -> (tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>)
// CHECK: fm.add %{{.*}}, %{{.*}} : tensor<4x8xf32>, tensor<8xf32>
// CHECK: fm.sub %{{.*}}, %{{.*}} : tensor<4x8xf32>{{$}}
// CHECK: fm.mul %{{.*}}, %{{.*}} : tensor<4x1xf32>, tensor<8xf32>
// CHECK: fm.div %{{.*}}, %{{.*}} : tensor<4x8xf32>, tensor<f32>
// CHECK: fm.max %{{.*}}, %{{.*}} : tensor<f32>, tensor<4x8xf32>
// CHECK: fm.min %{{.*}}, %{{.*}} : tensor<4x8xf32>, tensor<4x1xf32>
// CHECK: fm.pow %{{.*}}, %{{.*}} : tensor<4x8xf32>, tensor<f32>
// CHECK: fm.add %{{.*}}, %{{.*}} : tensor<1x8xf32>, tensor<4x1xf32>
// GEN-LABEL: sym_name = "arithmetic"
// GEN: "fm.add"(%{{.*}}, %{{.*}}) : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
// GEN: "fm.mul"(%{{.*}}, %{{.*}}) : (tensor<4x1xf32>, tensor<8xf32>) -> tensor<4x8xf32>
// GEN: "fm.max"(%{{.*}}, %{{.*}}) : (tensor<f32>, tensor<4x8xf32>) -> tensor<4x8xf32>
// GEN: "fm.add"(%{{.*}}, %{{.*}}) : (tensor<1x8xf32>, tensor<4x1xf32>) -> tensor<4x8xf32>
func.func @arithmetic(%a: tensor<4x8xf32>, %b: tensor<8xf32>,
                      %c: tensor<4x1xf32>, %s: tensor<f32>,
                      %r: tensor<1x8xf32>)
    -> (tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>,
        tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>) {
  %0 = fm.add %a, %b : tensor<4x8xf32>, tensor<8xf32>
  %1 = fm.sub %a, %a : tensor<4x8xf32>
  %2 = fm.mul %c, %b : tensor<4x1xf32>, tensor<8xf32>
  %3 = fm.div %a, %s : tensor<4x8xf32>, tensor<f32>
  %4 = fm.max %s, %a : tensor<f32>, tensor<4x8xf32>
  %5 = fm.min %a, %c : tensor<4x8xf32>, tensor<4x1xf32>
  %6 = fm.pow %a, %s : tensor<4x8xf32>, tensor<f32>
  %7 = fm.add %r, %c : tensor<1x8xf32>, tensor<4x1xf32>
  return %0, %1, %2, %3, %4, %5, %6, %7
      : tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>,
        tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>
}

// Arithmetic on the other numeric element types (the second type is printed
// only when it differs from the first).
// CHECK-LABEL: func.func @arithmetic_types(
// CHECK-SAME: -> (tensor<3xi32>, tensor<2x3xi64>, tensor<3xf16>, tensor<3xbf16>, tensor<3xf8E4M3FN>, tensor<3xf8E5M2>, tensor<3xi32>, tensor<3xi64>, tensor<3xbf16>)
// CHECK: fm.add %{{.*}}, %{{.*}} : tensor<3xi32>{{$}}
// CHECK: fm.mul %{{.*}}, %{{.*}} : tensor<2x3xi64>, tensor<3xi64>
// CHECK: fm.sub %{{.*}}, %{{.*}} : tensor<3xf16>{{$}}
// CHECK: fm.div %{{.*}}, %{{.*}} : tensor<3xbf16>{{$}}
// CHECK: fm.add %{{.*}}, %{{.*}} : tensor<3xf8E4M3FN>{{$}}
// CHECK: fm.mul %{{.*}}, %{{.*}} : tensor<3xf8E5M2>{{$}}
// CHECK: fm.max %{{.*}}, %{{.*}} : tensor<3xi32>{{$}}
// CHECK: fm.min %{{.*}}, %{{.*}} : tensor<3xi64>{{$}}
// CHECK: fm.pow %{{.*}}, %{{.*}} : tensor<3xbf16>, tensor<bf16>
func.func @arithmetic_types(%i: tensor<3xi32>, %l: tensor<2x3xi64>,
                            %l1: tensor<3xi64>, %h: tensor<3xf16>,
                            %b: tensor<3xbf16>, %bs: tensor<bf16>,
                            %e4: tensor<3xf8E4M3FN>, %e5: tensor<3xf8E5M2>)
    -> (tensor<3xi32>, tensor<2x3xi64>, tensor<3xf16>, tensor<3xbf16>,
        tensor<3xf8E4M3FN>, tensor<3xf8E5M2>, tensor<3xi32>, tensor<3xi64>,
        tensor<3xbf16>) {
  %0 = fm.add %i, %i : tensor<3xi32>
  %1 = fm.mul %l, %l1 : tensor<2x3xi64>, tensor<3xi64>
  %2 = fm.sub %h, %h : tensor<3xf16>, tensor<3xf16>
  %3 = fm.div %b, %b : tensor<3xbf16>
  %4 = fm.add %e4, %e4 : tensor<3xf8E4M3FN>
  %5 = fm.mul %e5, %e5 : tensor<3xf8E5M2>
  %6 = fm.max %i, %i : tensor<3xi32>
  %7 = fm.min %l1, %l1 : tensor<3xi64>
  %8 = fm.pow %b, %bs : tensor<3xbf16>, tensor<bf16>
  return %0, %1, %2, %3, %4, %5, %6, %7, %8
      : tensor<3xi32>, tensor<2x3xi64>, tensor<3xf16>, tensor<3xbf16>,
        tensor<3xf8E4M3FN>, tensor<3xf8E5M2>, tensor<3xi32>, tensor<3xi64>,
        tensor<3xbf16>
}

//===----------------------------------------------------------------------===//
// Comparisons (i1 results) and select
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @compare(
// CHECK-SAME: -> (tensor<4x8xi1>, tensor<3xi1>, tensor<4x8xi1>, tensor<3xi1>, tensor<3xi1>, tensor<3xi1>)
// CHECK: fm.eq %{{.*}}, %{{.*}} : tensor<4x8xf32>, tensor<8xf32>
// CHECK: fm.ne %{{.*}}, %{{.*}} : tensor<3xi64>{{$}}
// CHECK: fm.lt %{{.*}}, %{{.*}} : tensor<4x1xi32>, tensor<8xi32>
// CHECK: fm.le %{{.*}}, %{{.*}} : tensor<3xf16>{{$}}
// CHECK: fm.gt %{{.*}}, %{{.*}} : tensor<3xbf16>, tensor<bf16>
// CHECK: fm.ge %{{.*}}, %{{.*}} : tensor<3xf8E4M3FN>{{$}}
// GEN-LABEL: sym_name = "compare"
// GEN: "fm.eq"(%{{.*}}, %{{.*}}) : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xi1>
// GEN: "fm.lt"(%{{.*}}, %{{.*}}) : (tensor<4x1xi32>, tensor<8xi32>) -> tensor<4x8xi1>
func.func @compare(%a: tensor<4x8xf32>, %b: tensor<8xf32>, %l: tensor<3xi64>,
                   %i: tensor<4x1xi32>, %j: tensor<8xi32>, %h: tensor<3xf16>,
                   %bf: tensor<3xbf16>, %bs: tensor<bf16>,
                   %e: tensor<3xf8E4M3FN>)
    -> (tensor<4x8xi1>, tensor<3xi1>, tensor<4x8xi1>, tensor<3xi1>,
        tensor<3xi1>, tensor<3xi1>) {
  %0 = fm.eq %a, %b : tensor<4x8xf32>, tensor<8xf32>
  %1 = fm.ne %l, %l : tensor<3xi64>
  %2 = fm.lt %i, %j : tensor<4x1xi32>, tensor<8xi32>
  %3 = fm.le %h, %h : tensor<3xf16>
  %4 = fm.gt %bf, %bs : tensor<3xbf16>, tensor<bf16>
  %5 = fm.ge %e, %e : tensor<3xf8E4M3FN>
  return %0, %1, %2, %3, %4, %5
      : tensor<4x8xi1>, tensor<3xi1>, tensor<4x8xi1>, tensor<3xi1>,
        tensor<3xi1>, tensor<3xi1>
}

// The condition and both values broadcast together.
// CHECK-LABEL: func.func @select(
// CHECK-SAME: -> (tensor<4x8xf32>, tensor<4x8xf32>, tensor<3xi32>, tensor<2x3xi1>)
// CHECK: fm.select %{{.*}}, %{{.*}}, %{{.*}} : tensor<4x8xi1>, tensor<4x8xf32>, tensor<f32>
// CHECK: fm.select %{{.*}}, %{{.*}}, %{{.*}} : tensor<4x1xi1>, tensor<1x8xf32>{{$}}
// CHECK: fm.select %{{.*}}, %{{.*}}, %{{.*}} : tensor<3xi1>, tensor<3xi32>{{$}}
// CHECK: fm.select %{{.*}}, %{{.*}}, %{{.*}} : tensor<3xi1>, tensor<2x3xi1>, tensor<3xi1>
// GEN-LABEL: sym_name = "select"
// GEN: "fm.select"(%{{.*}}, %{{.*}}, %{{.*}}) : (tensor<4x8xi1>, tensor<4x8xf32>, tensor<f32>) -> tensor<4x8xf32>
// GEN: "fm.select"(%{{.*}}, %{{.*}}, %{{.*}}) : (tensor<4x1xi1>, tensor<1x8xf32>, tensor<1x8xf32>) -> tensor<4x8xf32>
func.func @select(%c: tensor<4x8xi1>, %a: tensor<4x8xf32>, %s: tensor<f32>,
                  %c1: tensor<4x1xi1>, %r: tensor<1x8xf32>,
                  %ci: tensor<3xi1>, %i: tensor<3xi32>, %p: tensor<2x3xi1>)
    -> (tensor<4x8xf32>, tensor<4x8xf32>, tensor<3xi32>, tensor<2x3xi1>) {
  %0 = fm.select %c, %a, %s : tensor<4x8xi1>, tensor<4x8xf32>, tensor<f32>
  %1 = fm.select %c1, %r, %r : tensor<4x1xi1>, tensor<1x8xf32>, tensor<1x8xf32>
  %2 = fm.select %ci, %i, %i : tensor<3xi1>, tensor<3xi32>
  %3 = fm.select %ci, %p, %ci : tensor<3xi1>, tensor<2x3xi1>, tensor<3xi1>
  return %0, %1, %2, %3
      : tensor<4x8xf32>, tensor<4x8xf32>, tensor<3xi32>, tensor<2x3xi1>
}

//===----------------------------------------------------------------------===//
// Elementwise unary
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @unary(
// CHECK: fm.neg %{{.*}} : tensor<4x8xf32>
// CHECK: fm.neg %{{.*}} : tensor<3xi32>
// CHECK: fm.abs %{{.*}} : tensor<4x8xf32>
// CHECK: fm.abs %{{.*}} : tensor<3xi64>
// CHECK: fm.exp %{{.*}} : tensor<4x8xf32>
// CHECK: fm.log %{{.*}} : tensor<4x8xf32>
// CHECK: fm.sqrt %{{.*}} : tensor<4x8xf32>
// CHECK: fm.rsqrt %{{.*}} : tensor<4x8xf32>
// CHECK: fm.tanh %{{.*}} : tensor<4x8xf32>
// CHECK: fm.sigmoid %{{.*}} : tensor<4x8xf32>
// CHECK: fm.relu %{{.*}} : tensor<4x8xf32>
// CHECK: fm.silu %{{.*}} : tensor<4x8xf32>
// The default approximation ("tanh") is not printed.
// CHECK: fm.gelu %{{.*}} : tensor<4x8xf32>
// CHECK: fm.gelu %{{.*}} : tensor<4x8xf32>
// CHECK: fm.gelu %{{.*}} approximate "none" : tensor<4x8xf32>
// CHECK: fm.exp %{{.*}} : tensor<3xbf16>
// CHECK: fm.tanh %{{.*}} : tensor<3xf16>
// CHECK: fm.gelu %{{.*}} approximate "none" : tensor<3xbf16>
// CHECK: fm.relu %{{.*}} : tensor<3xf8E4M3FN>
// CHECK: fm.neg %{{.*}} : tensor<3xf8E5M2>
// GEN-LABEL: sym_name = "unary"
// GEN: "fm.gelu"(%{{.*}}) <{approximate = "tanh"}> : (tensor<4x8xf32>) -> tensor<4x8xf32>
// GEN: "fm.gelu"(%{{.*}}) <{approximate = "tanh"}> : (tensor<4x8xf32>) -> tensor<4x8xf32>
// GEN: "fm.gelu"(%{{.*}}) <{approximate = "none"}> : (tensor<4x8xf32>) -> tensor<4x8xf32>
func.func @unary(%a: tensor<4x8xf32>, %i: tensor<3xi32>, %l: tensor<3xi64>,
                 %b: tensor<3xbf16>, %h: tensor<3xf16>,
                 %e4: tensor<3xf8E4M3FN>, %e5: tensor<3xf8E5M2>) {
  %0 = fm.neg %a : tensor<4x8xf32>
  %1 = fm.neg %i : tensor<3xi32>
  %2 = fm.abs %a : tensor<4x8xf32>
  %3 = fm.abs %l : tensor<3xi64>
  %4 = fm.exp %a : tensor<4x8xf32>
  %5 = fm.log %a : tensor<4x8xf32>
  %6 = fm.sqrt %a : tensor<4x8xf32>
  %7 = fm.rsqrt %a : tensor<4x8xf32>
  %8 = fm.tanh %a : tensor<4x8xf32>
  %9 = fm.sigmoid %a : tensor<4x8xf32>
  %10 = fm.relu %a : tensor<4x8xf32>
  %11 = fm.silu %a : tensor<4x8xf32>
  %12 = fm.gelu %a : tensor<4x8xf32>
  %13 = fm.gelu %a approximate "tanh" : tensor<4x8xf32>
  %14 = fm.gelu %a approximate "none" : tensor<4x8xf32>
  %15 = fm.exp %b : tensor<3xbf16>
  %16 = fm.tanh %h : tensor<3xf16>
  %17 = fm.gelu %b approximate "none" : tensor<3xbf16>
  %18 = fm.relu %e4 : tensor<3xf8E4M3FN>
  %19 = fm.neg %e5 : tensor<3xf8E5M2>
  return
}

//===----------------------------------------------------------------------===//
// Matmul
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @matmul(
// CHECK-SAME: -> (tensor<2x4xf32>, tensor<5x2x4xf32>, tensor<7x5x2x4xf32>, tensor<5x6x2x4xf32>, tensor<2x4xf32>, tensor<2x4xf32>, tensor<2x4xf32>, tensor<5x2x4xbf16>, tensor<2x4xf8E4M3FN>)
// CHECK: fm.matmul %{{.*}}, %{{.*}} : tensor<2x3xf32>, tensor<3x4xf32>
// CHECK: fm.matmul %{{.*}}, %{{.*}} : tensor<5x2x3xf32>, tensor<5x3x4xf32>
// CHECK: fm.matmul %{{.*}}, %{{.*}} : tensor<7x5x2x3xf32>, tensor<3x4xf32>
// CHECK: fm.matmul %{{.*}}, %{{.*}} : tensor<5x1x2x3xf32>, tensor<6x3x4xf32>
// CHECK: fm.matmul %{{.*}}, %{{.*}} transpose_a : tensor<3x2xf32>, tensor<3x4xf32>
// CHECK: fm.matmul %{{.*}}, %{{.*}} transpose_b : tensor<2x3xf32>, tensor<4x3xf32>
// CHECK: fm.matmul %{{.*}}, %{{.*}} transpose_a transpose_b : tensor<3x2xf32>, tensor<4x3xf32>
// CHECK: fm.matmul %{{.*}}, %{{.*}} transpose_b : tensor<5x2x3xbf16>, tensor<4x3xbf16>
// CHECK: fm.matmul %{{.*}}, %{{.*}} : tensor<2x3xf8E4M3FN>, tensor<3x4xf8E4M3FN>
// GEN-LABEL: sym_name = "matmul"
// GEN: "fm.matmul"(%{{.*}}, %{{.*}}) : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
// GEN: "fm.matmul"(%{{.*}}, %{{.*}}) : (tensor<5x2x3xf32>, tensor<5x3x4xf32>) -> tensor<5x2x4xf32>
// GEN: "fm.matmul"(%{{.*}}, %{{.*}}) : (tensor<7x5x2x3xf32>, tensor<3x4xf32>) -> tensor<7x5x2x4xf32>
// GEN: "fm.matmul"(%{{.*}}, %{{.*}}) : (tensor<5x1x2x3xf32>, tensor<6x3x4xf32>) -> tensor<5x6x2x4xf32>
// GEN: "fm.matmul"(%{{.*}}, %{{.*}}) <{transpose_a}> : (tensor<3x2xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
// GEN: "fm.matmul"(%{{.*}}, %{{.*}}) <{transpose_b}> : (tensor<2x3xf32>, tensor<4x3xf32>) -> tensor<2x4xf32>
// GEN: "fm.matmul"(%{{.*}}, %{{.*}}) <{transpose_a, transpose_b}> : (tensor<3x2xf32>, tensor<4x3xf32>) -> tensor<2x4xf32>
func.func @matmul(%a: tensor<2x3xf32>, %b: tensor<3x4xf32>,
                  %ba: tensor<5x2x3xf32>, %bb: tensor<5x3x4xf32>,
                  %big: tensor<7x5x2x3xf32>, %bc: tensor<5x1x2x3xf32>,
                  %bd: tensor<6x3x4xf32>, %at: tensor<3x2xf32>,
                  %bt: tensor<4x3xf32>, %hb: tensor<5x2x3xbf16>,
                  %hbt: tensor<4x3xbf16>, %e1: tensor<2x3xf8E4M3FN>,
                  %e2: tensor<3x4xf8E4M3FN>)
    -> (tensor<2x4xf32>, tensor<5x2x4xf32>, tensor<7x5x2x4xf32>,
        tensor<5x6x2x4xf32>, tensor<2x4xf32>, tensor<2x4xf32>,
        tensor<2x4xf32>, tensor<5x2x4xbf16>, tensor<2x4xf8E4M3FN>) {
  %0 = fm.matmul %a, %b : tensor<2x3xf32>, tensor<3x4xf32>
  // Batched.
  %1 = fm.matmul %ba, %bb : tensor<5x2x3xf32>, tensor<5x3x4xf32>
  // A 2-D rhs applies to every batch of the lhs.
  %2 = fm.matmul %big, %b : tensor<7x5x2x3xf32>, tensor<3x4xf32>
  // Batch axes broadcast: [5, 1] with [6] gives [5, 6].
  %3 = fm.matmul %bc, %bd : tensor<5x1x2x3xf32>, tensor<6x3x4xf32>
  %4 = fm.matmul %at, %b transpose_a : tensor<3x2xf32>, tensor<3x4xf32>
  %5 = fm.matmul %a, %bt transpose_b : tensor<2x3xf32>, tensor<4x3xf32>
  %6 = fm.matmul %at, %bt transpose_a transpose_b
      : tensor<3x2xf32>, tensor<4x3xf32>
  %7 = fm.matmul %hb, %hbt transpose_b : tensor<5x2x3xbf16>, tensor<4x3xbf16>
  %8 = fm.matmul %e1, %e2 : tensor<2x3xf8E4M3FN>, tensor<3x4xf8E4M3FN>
  return %0, %1, %2, %3, %4, %5, %6, %7, %8
      : tensor<2x4xf32>, tensor<5x2x4xf32>, tensor<7x5x2x4xf32>,
        tensor<5x6x2x4xf32>, tensor<2x4xf32>, tensor<2x4xf32>,
        tensor<2x4xf32>, tensor<5x2x4xbf16>, tensor<2x4xf8E4M3FN>
}

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @reductions(
// CHECK-SAME: -> (tensor<4xf32>, tensor<4x1xf32>, tensor<f32>, tensor<1x1xf32>, tensor<3xf32>, tensor<1x3x1xf32>, tensor<2xi32>, tensor<2x4xi64>, tensor<f16>, tensor<3x4xbf16>)
// CHECK: fm.reduce_sum %{{.*}} axes [1] : tensor<4x8xf32>
// CHECK: fm.reduce_sum %{{.*}} axes [-1] keepdim : tensor<4x8xf32>
// CHECK: fm.reduce_sum %{{.*}} : tensor<4x8xf32>
// CHECK: fm.reduce_sum %{{.*}} keepdim : tensor<4x8xf32>
// CHECK: fm.reduce_mean %{{.*}} axes [0, 2] : tensor<2x3x4xf32>
// CHECK: fm.reduce_mean %{{.*}} axes [-1, 0] keepdim : tensor<2x3x4xf32>
// CHECK: fm.reduce_max %{{.*}} axes [-2, -1] : tensor<2x3x4xi32>
// CHECK: fm.reduce_sum %{{.*}} axes [1] : tensor<2x3x4xi64>
// CHECK: fm.reduce_max %{{.*}} : tensor<4x8xf16>
// CHECK: fm.reduce_mean %{{.*}} axes [0] : tensor<2x3x4xbf16>
// GEN-LABEL: sym_name = "reductions"
// GEN: "fm.reduce_sum"(%{{.*}}) <{axes = array<i64: 1>}> : (tensor<4x8xf32>) -> tensor<4xf32>
// GEN: "fm.reduce_sum"(%{{.*}}) <{axes = array<i64: -1>, keepdim}> : (tensor<4x8xf32>) -> tensor<4x1xf32>
// GEN: "fm.reduce_sum"(%{{.*}}) : (tensor<4x8xf32>) -> tensor<f32>
// GEN: "fm.reduce_sum"(%{{.*}}) <{keepdim}> : (tensor<4x8xf32>) -> tensor<1x1xf32>
// GEN: "fm.reduce_mean"(%{{.*}}) <{axes = array<i64: 0, 2>}> : (tensor<2x3x4xf32>) -> tensor<3xf32>
// GEN: "fm.reduce_mean"(%{{.*}}) <{axes = array<i64: -1, 0>, keepdim}> : (tensor<2x3x4xf32>) -> tensor<1x3x1xf32>
// GEN: "fm.reduce_max"(%{{.*}}) <{axes = array<i64: -2, -1>}> : (tensor<2x3x4xi32>) -> tensor<2xi32>
func.func @reductions(%a: tensor<4x8xf32>, %b: tensor<2x3x4xf32>,
                      %i: tensor<2x3x4xi32>, %l: tensor<2x3x4xi64>,
                      %h: tensor<4x8xf16>, %bf: tensor<2x3x4xbf16>)
    -> (tensor<4xf32>, tensor<4x1xf32>, tensor<f32>, tensor<1x1xf32>,
        tensor<3xf32>, tensor<1x3x1xf32>, tensor<2xi32>, tensor<2x4xi64>,
        tensor<f16>, tensor<3x4xbf16>) {
  %0 = fm.reduce_sum %a axes [1] : tensor<4x8xf32>
  %1 = fm.reduce_sum %a axes [-1] keepdim : tensor<4x8xf32>
  // No axes: reduce over all of them.
  %2 = fm.reduce_sum %a : tensor<4x8xf32>
  %3 = fm.reduce_sum %a keepdim : tensor<4x8xf32>
  %4 = fm.reduce_mean %b axes [0, 2] : tensor<2x3x4xf32>
  %5 = fm.reduce_mean %b axes [-1, 0] keepdim : tensor<2x3x4xf32>
  %6 = fm.reduce_max %i axes [-2, -1] : tensor<2x3x4xi32>
  %7 = fm.reduce_sum %l axes [1] : tensor<2x3x4xi64>
  %8 = fm.reduce_max %h : tensor<4x8xf16>
  %9 = fm.reduce_mean %bf axes [0] : tensor<2x3x4xbf16>
  return %0, %1, %2, %3, %4, %5, %6, %7, %8, %9
      : tensor<4xf32>, tensor<4x1xf32>, tensor<f32>, tensor<1x1xf32>,
        tensor<3xf32>, tensor<1x3x1xf32>, tensor<2xi32>, tensor<2x4xi64>,
        tensor<f16>, tensor<3x4xbf16>
}

//===----------------------------------------------------------------------===//
// Softmax and normalizations
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @softmax(
// CHECK: fm.softmax %{{.*}} : tensor<2x3x4xf32>
// CHECK: fm.softmax %{{.*}} : tensor<2x3x4xf32>
// CHECK: fm.softmax %{{.*}} axis 0 : tensor<2x3x4xf32>
// CHECK: fm.softmax %{{.*}} axis 2 : tensor<2x3x4xf32>
// CHECK: fm.log_softmax %{{.*}} : tensor<2x3x4xf32>
// CHECK: fm.log_softmax %{{.*}} axis -2 : tensor<2x3x4xf32>
// CHECK: fm.log_softmax %{{.*}} axis 1 : tensor<2x3x4xf32>
// CHECK: fm.softmax %{{.*}} : tensor<8x16xbf16>
// CHECK: fm.log_softmax %{{.*}} axis 0 : tensor<8x16xf16>
// GEN-LABEL: sym_name = "softmax"
// GEN: "fm.softmax"(%{{.*}}) <{axis = -1 : i64}> : (tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
// GEN: "fm.softmax"(%{{.*}}) <{axis = -1 : i64}> : (tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
// GEN: "fm.softmax"(%{{.*}}) <{axis = 0 : i64}> : (tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
func.func @softmax(%a: tensor<2x3x4xf32>, %b: tensor<8x16xbf16>,
                   %h: tensor<8x16xf16>) {
  %0 = fm.softmax %a : tensor<2x3x4xf32>
  %1 = fm.softmax %a axis -1 : tensor<2x3x4xf32>
  %2 = fm.softmax %a axis 0 : tensor<2x3x4xf32>
  %3 = fm.softmax %a axis 2 : tensor<2x3x4xf32>
  %4 = fm.log_softmax %a : tensor<2x3x4xf32>
  %5 = fm.log_softmax %a axis -2 : tensor<2x3x4xf32>
  %6 = fm.log_softmax %a axis 1 : tensor<2x3x4xf32>
  %7 = fm.softmax %b : tensor<8x16xbf16>
  %8 = fm.log_softmax %h axis 0 : tensor<8x16xf16>
  return
}

// CHECK-LABEL: func.func @norms(
// CHECK-SAME: -> (tensor<8x128xf32>, tensor<8x128xf32>, tensor<8x128xf32>, tensor<8x128xf32>, tensor<2x4x128xbf16>, tensor<8x128xf32>, tensor<8x128xf32>, tensor<8x128xf32>, tensor<2x4x128xbf16>)
// CHECK: fm.layer_norm %{{.*}} : tensor<8x128xf32>
// CHECK: fm.layer_norm %{{.*}} scale(%{{.*}} : tensor<128xf32>) : tensor<8x128xf32>
// CHECK: fm.layer_norm %{{.*}} scale(%{{.*}} : tensor<128xf32>) bias(%{{.*}} : tensor<128xf32>) : tensor<8x128xf32>
// CHECK: fm.layer_norm %{{.*}} scale(%{{.*}} : tensor<128xf32>) bias(%{{.*}} : tensor<128xf32>) eps 9.99999997E-7 : tensor<8x128xf32>
// CHECK: fm.layer_norm %{{.*}} bias(%{{.*}} : tensor<128xbf16>) eps 1.000000e-03 : tensor<2x4x128xbf16>
// CHECK: fm.rms_norm %{{.*}} : tensor<8x128xf32>
// CHECK: fm.rms_norm %{{.*}} scale(%{{.*}} : tensor<128xf32>) : tensor<8x128xf32>
// CHECK: fm.rms_norm %{{.*}} scale(%{{.*}} : tensor<128xf32>) eps 9.99999997E-7 : tensor<8x128xf32>
// CHECK: fm.rms_norm %{{.*}} eps 1.000000e-03 : tensor<2x4x128xbf16>
// GEN-LABEL: sym_name = "norms"
// GEN: "fm.layer_norm"(%{{.*}}) <{eps = 9.99999974E-6 : f32, operandSegmentSizes = array<i32: 1, 0, 0>}> : (tensor<8x128xf32>) -> tensor<8x128xf32>
// GEN: "fm.layer_norm"(%{{.*}}, %{{.*}}) <{eps = 9.99999974E-6 : f32, operandSegmentSizes = array<i32: 1, 1, 0>}> : (tensor<8x128xf32>, tensor<128xf32>) -> tensor<8x128xf32>
// GEN: "fm.layer_norm"(%{{.*}}, %{{.*}}, %{{.*}}) <{eps = 9.99999974E-6 : f32, operandSegmentSizes = array<i32: 1, 1, 1>}> : (tensor<8x128xf32>, tensor<128xf32>, tensor<128xf32>) -> tensor<8x128xf32>
// GEN: "fm.layer_norm"(%{{.*}}, %{{.*}}, %{{.*}}) <{eps = 9.99999997E-7 : f32, operandSegmentSizes = array<i32: 1, 1, 1>}>
// GEN: "fm.layer_norm"(%{{.*}}, %{{.*}}) <{eps = 1.000000e-03 : f32, operandSegmentSizes = array<i32: 1, 0, 1>}> : (tensor<2x4x128xbf16>, tensor<128xbf16>) -> tensor<2x4x128xbf16>
// GEN: "fm.rms_norm"(%{{.*}}) <{eps = 9.99999974E-6 : f32}> : (tensor<8x128xf32>) -> tensor<8x128xf32>
func.func @norms(%x: tensor<8x128xf32>, %g: tensor<128xf32>,
                 %b: tensor<128xf32>, %y: tensor<2x4x128xbf16>,
                 %yb: tensor<128xbf16>)
    -> (tensor<8x128xf32>, tensor<8x128xf32>, tensor<8x128xf32>,
        tensor<8x128xf32>, tensor<2x4x128xbf16>, tensor<8x128xf32>,
        tensor<8x128xf32>, tensor<8x128xf32>, tensor<2x4x128xbf16>) {
  %0 = fm.layer_norm %x : tensor<8x128xf32>
  %1 = fm.layer_norm %x scale(%g : tensor<128xf32>) : tensor<8x128xf32>
  %2 = fm.layer_norm %x scale(%g : tensor<128xf32>) bias(%b : tensor<128xf32>)
      : tensor<8x128xf32>
  %3 = fm.layer_norm %x scale(%g : tensor<128xf32>) bias(%b : tensor<128xf32>)
      eps 1.0e-6 : tensor<8x128xf32>
  %4 = fm.layer_norm %y bias(%yb : tensor<128xbf16>) eps 1.0e-3
      : tensor<2x4x128xbf16>
  %5 = fm.rms_norm %x : tensor<8x128xf32>
  %6 = fm.rms_norm %x scale(%g : tensor<128xf32>) : tensor<8x128xf32>
  %7 = fm.rms_norm %x scale(%g : tensor<128xf32>) eps 1.0e-6
      : tensor<8x128xf32>
  %8 = fm.rms_norm %y eps 1.0e-3 : tensor<2x4x128xbf16>
  return %0, %1, %2, %3, %4, %5, %6, %7, %8
      : tensor<8x128xf32>, tensor<8x128xf32>, tensor<8x128xf32>,
        tensor<8x128xf32>, tensor<2x4x128xbf16>, tensor<8x128xf32>,
        tensor<8x128xf32>, tensor<8x128xf32>, tensor<2x4x128xbf16>
}

//===----------------------------------------------------------------------===//
// Shape ops
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @reshape(
// CHECK: fm.reshape %{{.*}} : tensor<4x8xf32> -> tensor<2x16xf32>
// CHECK: fm.reshape %{{.*}} : tensor<4x8xf32> -> tensor<32xf32>
// CHECK: fm.reshape %{{.*}} : tensor<4x8xf32> -> tensor<2x2x2x4xf32>
// CHECK: fm.reshape %{{.*}} : tensor<1xf32> -> tensor<f32>
// CHECK: fm.reshape %{{.*}} : tensor<f32> -> tensor<1x1xf32>
// CHECK: fm.reshape %{{.*}} : tensor<2x3xi1> -> tensor<6xi1>
func.func @reshape(%a: tensor<4x8xf32>, %s: tensor<1xf32>, %z: tensor<f32>,
                   %p: tensor<2x3xi1>)
    -> (tensor<2x16xf32>, tensor<32xf32>, tensor<2x2x2x4xf32>, tensor<f32>,
        tensor<1x1xf32>, tensor<6xi1>) {
  %0 = fm.reshape %a : tensor<4x8xf32> -> tensor<2x16xf32>
  %1 = fm.reshape %a : tensor<4x8xf32> -> tensor<32xf32>
  %2 = fm.reshape %a : tensor<4x8xf32> -> tensor<2x2x2x4xf32>
  %3 = fm.reshape %s : tensor<1xf32> -> tensor<f32>
  %4 = fm.reshape %z : tensor<f32> -> tensor<1x1xf32>
  %5 = fm.reshape %p : tensor<2x3xi1> -> tensor<6xi1>
  return %0, %1, %2, %3, %4, %5
      : tensor<2x16xf32>, tensor<32xf32>, tensor<2x2x2x4xf32>, tensor<f32>,
        tensor<1x1xf32>, tensor<6xi1>
}

// CHECK-LABEL: func.func @transpose(
// CHECK-SAME: -> (tensor<4x3x2xf32>, tensor<2x4x3xf32>, tensor<3x2x4xf32>, tensor<8x4xi64>, tensor<3xf32>)
// CHECK: fm.transpose %{{.*}} : tensor<2x3x4xf32>
// CHECK: fm.transpose %{{.*}} permutation [0, 2, 1] : tensor<2x3x4xf32>
// CHECK: fm.transpose %{{.*}} permutation [1, 0, 2] : tensor<2x3x4xf32>
// CHECK: fm.transpose %{{.*}} : tensor<4x8xi64>
// CHECK: fm.transpose %{{.*}} permutation [0] : tensor<3xf32>
// GEN-LABEL: sym_name = "transpose"
// GEN: "fm.transpose"(%{{.*}}) : (tensor<2x3x4xf32>) -> tensor<4x3x2xf32>
// GEN: "fm.transpose"(%{{.*}}) <{permutation = array<i64: 0, 2, 1>}> : (tensor<2x3x4xf32>) -> tensor<2x4x3xf32>
// GEN: "fm.transpose"(%{{.*}}) <{permutation = array<i64: 1, 0, 2>}> : (tensor<2x3x4xf32>) -> tensor<3x2x4xf32>
func.func @transpose(%a: tensor<2x3x4xf32>, %l: tensor<4x8xi64>,
                     %v: tensor<3xf32>)
    -> (tensor<4x3x2xf32>, tensor<2x4x3xf32>, tensor<3x2x4xf32>,
        tensor<8x4xi64>, tensor<3xf32>) {
  // Default: reverse the axes.
  %0 = fm.transpose %a : tensor<2x3x4xf32>
  %1 = fm.transpose %a permutation [0, 2, 1] : tensor<2x3x4xf32>
  %2 = fm.transpose %a permutation [1, 0, 2] : tensor<2x3x4xf32>
  %3 = fm.transpose %l : tensor<4x8xi64>
  %4 = fm.transpose %v permutation [0] : tensor<3xf32>
  return %0, %1, %2, %3, %4
      : tensor<4x3x2xf32>, tensor<2x4x3xf32>, tensor<3x2x4xf32>,
        tensor<8x4xi64>, tensor<3xf32>
}

// CHECK-LABEL: func.func @broadcast_to(
// CHECK: fm.broadcast_to %{{.*}} : tensor<8xf32> -> tensor<4x8xf32>
// CHECK: fm.broadcast_to %{{.*}} : tensor<4x1xf32> -> tensor<2x4x8xf32>
// CHECK: fm.broadcast_to %{{.*}} : tensor<f32> -> tensor<3x3xf32>
// CHECK: fm.broadcast_to %{{.*}} : tensor<1x64xi32> -> tensor<8x64xi32>
func.func @broadcast_to(%a: tensor<8xf32>, %b: tensor<4x1xf32>,
                        %s: tensor<f32>, %i: tensor<1x64xi32>)
    -> (tensor<4x8xf32>, tensor<2x4x8xf32>, tensor<3x3xf32>,
        tensor<8x64xi32>) {
  %0 = fm.broadcast_to %a : tensor<8xf32> -> tensor<4x8xf32>
  %1 = fm.broadcast_to %b : tensor<4x1xf32> -> tensor<2x4x8xf32>
  %2 = fm.broadcast_to %s : tensor<f32> -> tensor<3x3xf32>
  %3 = fm.broadcast_to %i : tensor<1x64xi32> -> tensor<8x64xi32>
  return %0, %1, %2, %3
      : tensor<4x8xf32>, tensor<2x4x8xf32>, tensor<3x3xf32>, tensor<8x64xi32>
}

// CHECK-LABEL: func.func @slice(
// CHECK-SAME: -> (tensor<4x4xf32>, tensor<2x3xf32>, tensor<4x8xf32>, tensor<1x2xf32>, tensor<2x1xi32>)
// CHECK: fm.slice %{{.*}} start [0, 2] limit [4, 6] : tensor<4x8xf32>
// CHECK: fm.slice %{{.*}} start [1, 0] limit [4, 8] stride [2, 3] : tensor<4x8xf32>
// CHECK: fm.slice %{{.*}} start [0, 0] limit [4, 8] stride [1, 1] : tensor<4x8xf32>
// CHECK: fm.slice %{{.*}} start [3, 1] limit [4, 8] stride [4, 4] : tensor<4x8xf32>
// CHECK: fm.slice %{{.*}} start [0, 5] limit [3, 6] stride [2, 1] : tensor<4x8xi32>
// GEN-LABEL: sym_name = "slice"
// GEN: "fm.slice"(%{{.*}}) <{limit = array<i64: 4, 6>, start = array<i64: 0, 2>}> : (tensor<4x8xf32>) -> tensor<4x4xf32>
// GEN: "fm.slice"(%{{.*}}) <{limit = array<i64: 4, 8>, start = array<i64: 1, 0>, stride = array<i64: 2, 3>}> : (tensor<4x8xf32>) -> tensor<2x3xf32>
func.func @slice(%a: tensor<4x8xf32>, %i: tensor<4x8xi32>)
    -> (tensor<4x4xf32>, tensor<2x3xf32>, tensor<4x8xf32>, tensor<1x2xf32>,
        tensor<2x1xi32>) {
  %0 = fm.slice %a start [0, 2] limit [4, 6] : tensor<4x8xf32>
  // ceil((4 - 1) / 2) = 2 rows, ceil(8 / 3) = 3 columns.
  %1 = fm.slice %a start [1, 0] limit [4, 8] stride [2, 3] : tensor<4x8xf32>
  %2 = fm.slice %a start [0, 0] limit [4, 8] stride [1, 1] : tensor<4x8xf32>
  %3 = fm.slice %a start [3, 1] limit [4, 8] stride [4, 4] : tensor<4x8xf32>
  %4 = fm.slice %i start [0, 5] limit [3, 6] stride [2, 1] : tensor<4x8xi32>
  return %0, %1, %2, %3, %4
      : tensor<4x4xf32>, tensor<2x3xf32>, tensor<4x8xf32>, tensor<1x2xf32>,
        tensor<2x1xi32>
}

// `axis -2` concatenates along the first axis of a 2-D tensor; without
// `axis` (and with `axis 0`, which prints as the default) along axis 0.
// CHECK-LABEL: func.func @concat(
// CHECK-SAME: -> (tensor<4x11xf32>, tensor<4x19xf32>, tensor<7x8xf32>, tensor<2x3x4xi64>, tensor<4x8xf32>, tensor<7x8xf32>, tensor<7x8xf32>)
// CHECK: fm.concat %{{.*}}, %{{.*}} axis 1 : tensor<4x8xf32>, tensor<4x3xf32>
// CHECK: fm.concat %{{.*}}, %{{.*}}, %{{.*}} axis -1 : tensor<4x8xf32>, tensor<4x3xf32>, tensor<4x8xf32>
// CHECK: fm.concat %{{.*}}, %{{.*}} axis -2 : tensor<4x8xf32>, tensor<3x8xf32>
// CHECK: fm.concat %{{.*}}, %{{.*}} axis 2 : tensor<2x3x1xi64>, tensor<2x3x3xi64>
// CHECK: fm.concat %{{.*}} axis 1 : tensor<4x8xf32>
// CHECK: fm.concat %{{.*}}, %{{.*}} : tensor<4x8xf32>, tensor<3x8xf32>
// CHECK: fm.concat %{{.*}}, %{{.*}} : tensor<4x8xf32>, tensor<3x8xf32>
// GEN-LABEL: sym_name = "concat"
// GEN: "fm.concat"(%{{.*}}, %{{.*}}) <{axis = 1 : i64}> : (tensor<4x8xf32>, tensor<4x3xf32>) -> tensor<4x11xf32>
// GEN: "fm.concat"(%{{.*}}, %{{.*}}, %{{.*}}) <{axis = -1 : i64}> : (tensor<4x8xf32>, tensor<4x3xf32>, tensor<4x8xf32>) -> tensor<4x19xf32>
// GEN: "fm.concat"(%{{.*}}, %{{.*}}) <{axis = -2 : i64}> : (tensor<4x8xf32>, tensor<3x8xf32>) -> tensor<7x8xf32>
func.func @concat(%a: tensor<4x8xf32>, %b: tensor<4x3xf32>,
                  %c: tensor<3x8xf32>, %i: tensor<2x3x1xi64>,
                  %j: tensor<2x3x3xi64>)
    -> (tensor<4x11xf32>, tensor<4x19xf32>, tensor<7x8xf32>,
        tensor<2x3x4xi64>, tensor<4x8xf32>, tensor<7x8xf32>,
        tensor<7x8xf32>) {
  %0 = fm.concat %a, %b axis 1 : tensor<4x8xf32>, tensor<4x3xf32>
  %1 = fm.concat %a, %b, %a axis -1
      : tensor<4x8xf32>, tensor<4x3xf32>, tensor<4x8xf32>
  %2 = fm.concat %a, %c axis -2 : tensor<4x8xf32>, tensor<3x8xf32>
  %3 = fm.concat %i, %j axis 2 : tensor<2x3x1xi64>, tensor<2x3x3xi64>
  %4 = fm.concat %a axis 1 : tensor<4x8xf32>
  %5 = fm.concat %a, %c : tensor<4x8xf32>, tensor<3x8xf32>
  %6 = fm.concat %a, %c axis 0 : tensor<4x8xf32>, tensor<3x8xf32>
  return %0, %1, %2, %3, %4, %5, %6
      : tensor<4x11xf32>, tensor<4x19xf32>, tensor<7x8xf32>,
        tensor<2x3x4xi64>, tensor<4x8xf32>, tensor<7x8xf32>, tensor<7x8xf32>
}

// CHECK-LABEL: func.func @iota()
// CHECK: fm.iota : tensor<64x64xi32>
// CHECK: fm.iota axis 1 : tensor<64x64xi32>
// CHECK: fm.iota : tensor<16xi64>
// CHECK: fm.iota axis 1 : tensor<2x8xf32>
// CHECK: fm.iota axis 2 : tensor<2x3x4xbf16>
// CHECK: fm.iota : tensor<4x4xi32>
func.func @iota() -> (tensor<64x64xi32>, tensor<64x64xi32>, tensor<16xi64>,
                      tensor<2x8xf32>, tensor<2x3x4xbf16>, tensor<4x4xi32>) {
  %0 = fm.iota : tensor<64x64xi32>
  %1 = fm.iota axis 1 : tensor<64x64xi32>
  %2 = fm.iota : tensor<16xi64>
  %3 = fm.iota axis 1 : tensor<2x8xf32>
  %4 = fm.iota axis 2 : tensor<2x3x4xbf16>
  %5 = fm.iota axis 0 : tensor<4x4xi32>
  return %0, %1, %2, %3, %4, %5
      : tensor<64x64xi32>, tensor<64x64xi32>, tensor<16xi64>,
        tensor<2x8xf32>, tensor<2x3x4xbf16>, tensor<4x4xi32>
}

//===----------------------------------------------------------------------===//
// Model ops
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @embedding(
// CHECK-SAME: -> (tensor<8x64x128xf32>, tensor<5x16xbf16>, tensor<16xbf16>)
// CHECK: fm.embedding %{{.*}}[%{{.*}}] : tensor<256x128xf32>, tensor<8x64xi32>
// CHECK: fm.embedding %{{.*}}[%{{.*}}] : tensor<10x16xbf16>, tensor<5xi64>
// CHECK: fm.embedding %{{.*}}[%{{.*}}] : tensor<10x16xbf16>, tensor<i32>
// GEN-LABEL: sym_name = "embedding"
// GEN: "fm.embedding"(%{{.*}}, %{{.*}}) : (tensor<256x128xf32>, tensor<8x64xi32>) -> tensor<8x64x128xf32>
// GEN: "fm.embedding"(%{{.*}}, %{{.*}}) : (tensor<10x16xbf16>, tensor<5xi64>) -> tensor<5x16xbf16>
// GEN: "fm.embedding"(%{{.*}}, %{{.*}}) : (tensor<10x16xbf16>, tensor<i32>) -> tensor<16xbf16>
func.func @embedding(%wte: tensor<256x128xf32>, %tokens: tensor<8x64xi32>,
                     %t: tensor<10x16xbf16>, %i: tensor<5xi64>,
                     %s: tensor<i32>)
    -> (tensor<8x64x128xf32>, tensor<5x16xbf16>, tensor<16xbf16>) {
  %0 = fm.embedding %wte[%tokens] : tensor<256x128xf32>, tensor<8x64xi32>
  %1 = fm.embedding %t[%i] : tensor<10x16xbf16>, tensor<5xi64>
  %2 = fm.embedding %t[%s] : tensor<10x16xbf16>, tensor<i32>
  return %0, %1, %2 : tensor<8x64x128xf32>, tensor<5x16xbf16>, tensor<16xbf16>
}

// The result is always a rank-0 f32 mean.
// CHECK-LABEL: func.func @cross_entropy(
// CHECK-SAME: -> (tensor<f32>, tensor<f32>, tensor<f32>)
// CHECK: fm.cross_entropy %{{.*}}, %{{.*}} : tensor<32x10xf32>, tensor<32xi32>
// CHECK: fm.cross_entropy %{{.*}}, %{{.*}} : tensor<8x64x256xbf16>, tensor<8x64xi64>
// CHECK: fm.cross_entropy %{{.*}}, %{{.*}} : tensor<10xf16>, tensor<i32>
// GEN-LABEL: sym_name = "cross_entropy"
// GEN: "fm.cross_entropy"(%{{.*}}, %{{.*}}) : (tensor<8x64x256xbf16>, tensor<8x64xi64>) -> tensor<f32>
func.func @cross_entropy(%l: tensor<32x10xf32>, %y: tensor<32xi32>,
                         %l3: tensor<8x64x256xbf16>, %y3: tensor<8x64xi64>,
                         %l1: tensor<10xf16>, %y0: tensor<i32>)
    -> (tensor<f32>, tensor<f32>, tensor<f32>) {
  %0 = fm.cross_entropy %l, %y : tensor<32x10xf32>, tensor<32xi32>
  %1 = fm.cross_entropy %l3, %y3 : tensor<8x64x256xbf16>, tensor<8x64xi64>
  %2 = fm.cross_entropy %l1, %y0 : tensor<10xf16>, tensor<i32>
  return %0, %1, %2 : tensor<f32>, tensor<f32>, tensor<f32>
}

// Casts to and from every element type.
// CHECK-LABEL: func.func @cast(
// CHECK: fm.cast %{{.*}} : tensor<4x8xf32> -> tensor<4x8xf32>
// CHECK: fm.cast %{{.*}} : tensor<4x8xf32> -> tensor<4x8xf16>
// CHECK: fm.cast %{{.*}} : tensor<4x8xf32> -> tensor<4x8xbf16>
// CHECK: fm.cast %{{.*}} : tensor<4x8xf32> -> tensor<4x8xf8E4M3FN>
// CHECK: fm.cast %{{.*}} : tensor<4x8xf32> -> tensor<4x8xf8E5M2>
// CHECK: fm.cast %{{.*}} : tensor<4x8xf32> -> tensor<4x8xi32>
// CHECK: fm.cast %{{.*}} : tensor<4x8xf32> -> tensor<4x8xi64>
// CHECK: fm.cast %{{.*}} : tensor<4x8xf32> -> tensor<4x8xi1>
// CHECK: fm.cast %{{.*}} : tensor<4x8xf8E4M3FN> -> tensor<4x8xf32>
// CHECK: fm.cast %{{.*}} : tensor<4x8xf8E5M2> -> tensor<4x8xbf16>
// CHECK: fm.cast %{{.*}} : tensor<4x8xi1> -> tensor<4x8xf32>
// CHECK: fm.cast %{{.*}} : tensor<4x8xi64> -> tensor<4x8xi32>
// CHECK: fm.cast %{{.*}} : tensor<4x8xi32> -> tensor<4x8xf16>
// CHECK: fm.cast %{{.*}} : tensor<f32> -> tensor<bf16>
func.func @cast(%a: tensor<4x8xf32>, %s: tensor<f32>) {
  %0 = fm.cast %a : tensor<4x8xf32> -> tensor<4x8xf32>
  %1 = fm.cast %a : tensor<4x8xf32> -> tensor<4x8xf16>
  %2 = fm.cast %a : tensor<4x8xf32> -> tensor<4x8xbf16>
  %3 = fm.cast %a : tensor<4x8xf32> -> tensor<4x8xf8E4M3FN>
  %4 = fm.cast %a : tensor<4x8xf32> -> tensor<4x8xf8E5M2>
  %5 = fm.cast %a : tensor<4x8xf32> -> tensor<4x8xi32>
  %6 = fm.cast %a : tensor<4x8xf32> -> tensor<4x8xi64>
  %7 = fm.cast %a : tensor<4x8xf32> -> tensor<4x8xi1>
  %8 = fm.cast %3 : tensor<4x8xf8E4M3FN> -> tensor<4x8xf32>
  %9 = fm.cast %4 : tensor<4x8xf8E5M2> -> tensor<4x8xbf16>
  %10 = fm.cast %7 : tensor<4x8xi1> -> tensor<4x8xf32>
  %11 = fm.cast %6 : tensor<4x8xi64> -> tensor<4x8xi32>
  %12 = fm.cast %5 : tensor<4x8xi32> -> tensor<4x8xf16>
  %13 = fm.cast %s : tensor<f32> -> tensor<bf16>
  return
}

//===----------------------------------------------------------------------===//
// Backward ops
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @backward(
// CHECK-SAME: -> (tensor<4x7xf32>, tensor<5xi32>, tensor<2x3xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<4x8xf32>, tensor<8xf32>, tensor<4x8xf32>, tensor<2x4x8xf32>, tensor<16x8xf32>, tensor<5x3xbf16>)
// CHECK: fm.pad %{{.*}} low [1, 0] high [0, 2] interior [1, 1] : tensor<2x3xf32>
// CHECK: fm.pad %{{.*}} low [1] high [2] : tensor<2xi32>
// CHECK: fm.pad %{{.*}} low [0, 0] high [0, 0] interior [0, 0] : tensor<2x3xf32>
// The default approximation ("tanh") and axis (-1) are not printed.
// CHECK: fm.gelu_grad %{{.*}}, %{{.*}} : tensor<4x8xf32>
// CHECK: fm.gelu_grad %{{.*}}, %{{.*}} approximate "none" : tensor<4x8xf32>
// CHECK: fm.softmax_grad %{{.*}}, %{{.*}} : tensor<4x8xf32>
// CHECK: fm.softmax_grad %{{.*}}, %{{.*}} axis 0 : tensor<4x8xf32>
// CHECK: fm.log_softmax_grad %{{.*}}, %{{.*}} axis -2 : tensor<4x8xf32>
// CHECK: fm.layer_norm_grad %{{.*}}, %{{.*}} scale(%{{.*}} : tensor<8xf32>) eps 1.000000e-03 : tensor<4x8xf32>
// CHECK: fm.layer_norm_grad %{{.*}}, %{{.*}} : tensor<4x8xf32>
// CHECK: fm.rms_norm_grad %{{.*}}, %{{.*}} scale(%{{.*}} : tensor<8xf32>) : tensor<4x8xf32>
// CHECK: fm.rms_norm_grad %{{.*}}, %{{.*}} eps 9.99999997E-7 : tensor<4x8xf32>
// CHECK: fm.cross_entropy_grad %{{.*}}, %{{.*}}, %{{.*}} : tensor<4x8xf32>, tensor<4xi32>
// CHECK: fm.cross_entropy_grad %{{.*}}, %{{.*}}, %{{.*}} : tensor<2x4x8xf32>, tensor<2x4xi64>
// CHECK: fm.embedding_grad %{{.*}}[%{{.*}}] : tensor<2x4x8xf32>, tensor<2x4xi64> -> tensor<16x8xf32>
// CHECK: fm.embedding_grad %{{.*}}[%{{.*}}] : tensor<3xbf16>, tensor<i32> -> tensor<5x3xbf16>
// GEN-LABEL: sym_name = "backward"
// GEN: "fm.pad"(%{{.*}}) <{high = array<i64: 0, 2>, interior = array<i64: 1, 1>, low = array<i64: 1, 0>}> : (tensor<2x3xf32>) -> tensor<4x7xf32>
// GEN: "fm.pad"(%{{.*}}) <{high = array<i64: 2>, low = array<i64: 1>}> : (tensor<2xi32>) -> tensor<5xi32>
// GEN: "fm.gelu_grad"(%{{.*}}, %{{.*}}) <{approximate = "tanh"}> : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
// GEN: "fm.gelu_grad"(%{{.*}}, %{{.*}}) <{approximate = "none"}> : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
// GEN: "fm.softmax_grad"(%{{.*}}, %{{.*}}) <{axis = -1 : i64}> : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
// GEN: "fm.log_softmax_grad"(%{{.*}}, %{{.*}}) <{axis = -2 : i64}> : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
// GEN: "fm.layer_norm_grad"(%{{.*}}, %{{.*}}, %{{.*}}) <{eps = 1.000000e-03 : f32}> : (tensor<4x8xf32>, tensor<4x8xf32>, tensor<8xf32>) -> (tensor<4x8xf32>, tensor<8xf32>, tensor<8xf32>)
// GEN: "fm.layer_norm_grad"(%{{.*}}, %{{.*}}) <{eps = 9.99999974E-6 : f32}> : (tensor<4x8xf32>, tensor<4x8xf32>) -> (tensor<4x8xf32>, tensor<8xf32>, tensor<8xf32>)
// GEN: "fm.rms_norm_grad"(%{{.*}}, %{{.*}}, %{{.*}}) <{eps = 9.99999974E-6 : f32}> : (tensor<4x8xf32>, tensor<4x8xf32>, tensor<8xf32>) -> (tensor<4x8xf32>, tensor<8xf32>)
// GEN: "fm.rms_norm_grad"(%{{.*}}, %{{.*}}) <{eps = 9.99999997E-7 : f32}> : (tensor<4x8xf32>, tensor<4x8xf32>) -> (tensor<4x8xf32>, tensor<8xf32>)
// GEN: "fm.cross_entropy_grad"(%{{.*}}, %{{.*}}, %{{.*}}) : (tensor<4x8xf32>, tensor<4xi32>, tensor<f32>) -> tensor<4x8xf32>
// GEN: "fm.embedding_grad"(%{{.*}}, %{{.*}}) : (tensor<2x4x8xf32>, tensor<2x4xi64>) -> tensor<16x8xf32>
func.func @backward(%a: tensor<4x8xf32>, %g: tensor<4x8xf32>,
                    %s: tensor<8xf32>, %x: tensor<2x3xf32>,
                    %n: tensor<2xi32>, %y: tensor<4xi32>, %loss: tensor<f32>,
                    %e: tensor<2x4x8xf32>, %y64: tensor<2x4xi64>,
                    %h: tensor<3xbf16>, %i: tensor<i32>)
    -> (tensor<4x7xf32>, tensor<5xi32>, tensor<2x3xf32>, tensor<4x8xf32>,
        tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>,
        tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<4x8xf32>,
        tensor<8xf32>, tensor<4x8xf32>, tensor<2x4x8xf32>,
        tensor<16x8xf32>, tensor<5x3xbf16>) {
  // 1 + 2 + 0 + 1 interior = 4 rows, 0 + 3 + 2 + 2 interior = 7 columns.
  %0 = fm.pad %x low [1, 0] high [0, 2] interior [1, 1] : tensor<2x3xf32>
  %1 = fm.pad %n low [1] high [2] : tensor<2xi32>
  %2 = fm.pad %x low [0, 0] high [0, 0] interior [0, 0] : tensor<2x3xf32>
  %3 = fm.gelu_grad %a, %g : tensor<4x8xf32>
  %4 = fm.gelu_grad %a, %g approximate "none" : tensor<4x8xf32>
  %5 = fm.softmax_grad %a, %g : tensor<4x8xf32>
  %6 = fm.softmax_grad %a, %g axis 0 : tensor<4x8xf32>
  %7 = fm.log_softmax_grad %a, %g axis -2 : tensor<4x8xf32>
  // Three results: the input's, the scale's and the bias' gradients.
  %8:3 = fm.layer_norm_grad %a, %g scale(%s : tensor<8xf32>) eps 1.0e-3
      : tensor<4x8xf32>
  %9:3 = fm.layer_norm_grad %a, %g : tensor<4x8xf32>
  %10:2 = fm.rms_norm_grad %a, %g scale(%s : tensor<8xf32>) : tensor<4x8xf32>
  %11:2 = fm.rms_norm_grad %a, %g eps 1.0e-6 : tensor<4x8xf32>
  %12 = fm.cross_entropy_grad %a, %y, %loss : tensor<4x8xf32>, tensor<4xi32>
  %13 = fm.cross_entropy_grad %e, %y64, %loss
      : tensor<2x4x8xf32>, tensor<2x4xi64>
  // The table's row count is only in the result type.
  %14 = fm.embedding_grad %e[%y64]
      : tensor<2x4x8xf32>, tensor<2x4xi64> -> tensor<16x8xf32>
  %15 = fm.embedding_grad %h[%i]
      : tensor<3xbf16>, tensor<i32> -> tensor<5x3xbf16>
  return %0, %1, %2, %3, %4, %5, %6, %7, %8#1, %8#2, %9#2, %10#0, %10#1,
         %12, %13, %14, %15
      : tensor<4x7xf32>, tensor<5xi32>, tensor<2x3xf32>, tensor<4x8xf32>,
        tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8xf32>,
        tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<4x8xf32>,
        tensor<8xf32>, tensor<4x8xf32>, tensor<2x4x8xf32>,
        tensor<16x8xf32>, tensor<5x3xbf16>
}

//===----------------------------------------------------------------------===//
// Function argument and result attributes
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @attributes(
// CHECK-SAME: %{{.*}}: tensor<8x16xf32> {fm.data, fm.name = "x"}
// CHECK-SAME: %{{.*}}: tensor<8xi32> {fm.data}
// CHECK-SAME: %{{.*}}: tensor<16x4xf32> {fm.name = "w", fm.param}
// CHECK-SAME: %{{.*}}: tensor<4xf32> {fm.param}
// CHECK-SAME: %{{.*}}: tensor<4xf32> {fm.name = "plain"}
// CHECK-SAME: -> (tensor<f32> {fm.name = "loss"}, tensor<8x4xf32>)
// GEN-LABEL: arg_attrs = [{fm.data, fm.name = "x"}, {fm.data}, {fm.name = "w", fm.param}, {fm.param}, {fm.name = "plain"}]
// GEN-SAME: res_attrs = [{fm.name = "loss"}, {}]
// GEN-SAME: sym_name = "attributes"
func.func @attributes(%x: tensor<8x16xf32> {fm.name = "x", fm.data},
                      %y: tensor<8xi32> {fm.data},
                      %w: tensor<16x4xf32> {fm.name = "w", fm.param},
                      %b: tensor<4xf32> {fm.param},
                      %p: tensor<4xf32> {fm.name = "plain"})
    -> (tensor<f32> {fm.name = "loss"}, tensor<8x4xf32>) {
  %0 = fm.matmul %x, %w : tensor<8x16xf32>, tensor<16x4xf32>
  %1 = fm.add %0, %b : tensor<8x4xf32>, tensor<4xf32>
  %2 = fm.cross_entropy %1, %y : tensor<8x4xf32>, tensor<8xi32>
  return %2, %1 : tensor<f32>, tensor<8x4xf32>
}

//===----------------------------------------------------------------------===//
// FP8
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @fp8(
// CHECK: fm.quantize %{{.*}}, %{{.*}} group 16 : tensor<4x64xf32>, tensor<4x4xf32> -> tensor<4x64xf8E4M3FN>
// CHECK: fm.dequantize %{{.*}}, %{{.*}} group 16 : tensor<4x64xf8E4M3FN>, tensor<4x4xf32> -> tensor<4x64xbf16>
// CHECK: fm.quantize %{{.*}}, %{{.*}} group 2 axis 0 : tensor<4x64xbf16>, tensor<2x64xf32> -> tensor<4x64xf8E5M2>
// CHECK: fm.quantize %{{.*}}, %{{.*}} : tensor<4x64xf32>, tensor<f32> -> tensor<4x64xf8E4M3FN>
// CHECK: fm.scaled_matmul %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} transpose_b : tensor<8x32xf8E5M2>, tensor<64x32xf8E4M3FN> -> tensor<8x64xf32>
// CHECK: %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} = fm.quantize_expanded %{{.*}} group 32 axis 0 : tensor<64x4xf32> -> tensor<64x4xf8E4M3FN>, tensor<2x4xf32>
// CHECK: fm.dequantize_expanded %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} group 32 axis 0 : tensor<64x4xf8E4M3FN>, tensor<2x4xf32> -> tensor<64x4xf32>
// GEN-LABEL: sym_name = "fp8"
// GEN: "fm.quantize"(%{{.*}}, %{{.*}}) <{axis = -1 : i64, group = 16 : i64}>
// GEN: "fm.quantize_expanded"(%{{.*}}) <{axis = 0 : i64, group = 32 : i64}> : (tensor<64x4xf32>) -> (tensor<64x4xf8E4M3FN>, tensor<2x4xf32>, tensor<2x4xf32>, tensor<2x4xf32>)
func.func @fp8(%x: tensor<4x64xf32>, %s: tensor<4x4xf32>, %s0: tensor<2x64xf32>, %st: tensor<f32>, %w: tensor<64x32xf8E4M3FN>, %g: tensor<8x32xf8E5M2>, %m: tensor<64x4xf32>) -> (tensor<4x64xf8E5M2>, tensor<4x64xf8E4M3FN>, tensor<8x64xf32>, tensor<64x4xf32>) {
  %q = fm.quantize %x, %s group 16 : tensor<4x64xf32>, tensor<4x4xf32> -> tensor<4x64xf8E4M3FN>
  %d = fm.dequantize %q, %s group 16 : tensor<4x64xf8E4M3FN>, tensor<4x4xf32> -> tensor<4x64xbf16>
  %q0 = fm.quantize %d, %s0 group 2 axis 0 : tensor<4x64xbf16>, tensor<2x64xf32> -> tensor<4x64xf8E5M2>
  %qt = fm.quantize %x, %st : tensor<4x64xf32>, tensor<f32> -> tensor<4x64xf8E4M3FN>
  %y = fm.scaled_matmul %g, %st, %w, %st transpose_b : tensor<8x32xf8E5M2>, tensor<64x32xf8E4M3FN> -> tensor<8x64xf32>
  %e, %es, %ek, %ec = fm.quantize_expanded %m group 32 axis 0 : tensor<64x4xf32> -> tensor<64x4xf8E4M3FN>, tensor<2x4xf32>
  %r = fm.dequantize_expanded %e, %es, %ek, %ec group 32 axis 0 : tensor<64x4xf8E4M3FN>, tensor<2x4xf32> -> tensor<64x4xf32>
  return %q0, %qt, %y, %r : tensor<4x64xf8E5M2>, tensor<4x64xf8E4M3FN>, tensor<8x64xf32>, tensor<64x4xf32>
}

// -----

//===----------------------------------------------------------------------===//
// Generic form with the defaulted attributes omitted: the defaults apply.
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @generic_defaults(
// CHECK-SAME: -> (tensor<2x4xf32>, tensor<2x4xf32>, tensor<2x4xf32>, tensor<2x4xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<f32>, tensor<3x2xi64>, tensor<3x2xf32>, tensor<1x3xf32>, tensor<4x3xf32>)
// CHECK: fm.matmul %{{.*}}, %{{.*}} : tensor<2x3xf32>, tensor<3x4xf32>
// CHECK: fm.gelu %{{.*}} : tensor<2x4xf32>
// CHECK: fm.softmax %{{.*}} : tensor<2x4xf32>
// CHECK: fm.log_softmax %{{.*}} : tensor<2x4xf32>
// CHECK: fm.layer_norm %{{.*}} scale(%{{.*}} : tensor<3xf32>) bias(%{{.*}} : tensor<3xf32>) : tensor<2x3xf32>
// CHECK: fm.layer_norm %{{.*}} : tensor<2x3xf32>
// CHECK: fm.rms_norm %{{.*}} : tensor<2x3xf32>
// CHECK: fm.reduce_sum %{{.*}} : tensor<2x3xf32>
// CHECK: fm.iota : tensor<3x2xi64>
// CHECK: fm.transpose %{{.*}} : tensor<2x3xf32>
// CHECK: fm.slice %{{.*}} start [1, 0] limit [2, 3] : tensor<2x3xf32>
// CHECK: fm.concat %{{.*}}, %{{.*}} : tensor<2x3xf32>
// DEFAULTS: // -----
// DEFAULTS-LABEL: sym_name = "generic_defaults"
// DEFAULTS: "fm.matmul"(%{{.*}}, %{{.*}}) : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
// DEFAULTS: "fm.gelu"(%{{.*}}) <{approximate = "tanh"}> : (tensor<2x4xf32>) -> tensor<2x4xf32>
// DEFAULTS: "fm.softmax"(%{{.*}}) <{axis = -1 : i64}> : (tensor<2x4xf32>) -> tensor<2x4xf32>
// DEFAULTS: "fm.log_softmax"(%{{.*}}) <{axis = -1 : i64}> : (tensor<2x4xf32>) -> tensor<2x4xf32>
// DEFAULTS: "fm.layer_norm"(%{{.*}}, %{{.*}}, %{{.*}}) <{eps = 9.99999974E-6 : f32, operandSegmentSizes = array<i32: 1, 1, 1>}> : (tensor<2x3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
// DEFAULTS: "fm.layer_norm"(%{{.*}}) <{eps = 9.99999974E-6 : f32, operandSegmentSizes = array<i32: 1, 0, 0>}> : (tensor<2x3xf32>) -> tensor<2x3xf32>
// DEFAULTS: "fm.rms_norm"(%{{.*}}) <{eps = 9.99999974E-6 : f32}> : (tensor<2x3xf32>) -> tensor<2x3xf32>
// DEFAULTS: "fm.reduce_sum"(%{{.*}}) : (tensor<2x3xf32>) -> tensor<f32>
// DEFAULTS: "fm.iota"() <{axis = 0 : i64}> : () -> tensor<3x2xi64>
// DEFAULTS: "fm.transpose"(%{{.*}}) : (tensor<2x3xf32>) -> tensor<3x2xf32>
// DEFAULTS: "fm.slice"(%{{.*}}) <{limit = array<i64: 2, 3>, start = array<i64: 1, 0>}> : (tensor<2x3xf32>) -> tensor<1x3xf32>
// DEFAULTS: "fm.concat"(%{{.*}}, %{{.*}}) <{axis = 0 : i64}> : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<4x3xf32>
func.func @generic_defaults(%a: tensor<2x3xf32>, %b: tensor<3x4xf32>,
                            %g: tensor<3xf32>, %c: tensor<3xf32>)
    -> (tensor<2x4xf32>, tensor<2x4xf32>, tensor<2x4xf32>, tensor<2x4xf32>,
        tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<f32>,
        tensor<3x2xi64>, tensor<3x2xf32>, tensor<1x3xf32>, tensor<4x3xf32>) {
  %0 = "fm.matmul"(%a, %b) : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
  %1 = "fm.gelu"(%0) : (tensor<2x4xf32>) -> tensor<2x4xf32>
  %2 = "fm.softmax"(%1) : (tensor<2x4xf32>) -> tensor<2x4xf32>
  %3 = "fm.log_softmax"(%2) : (tensor<2x4xf32>) -> tensor<2x4xf32>
  %4 = "fm.layer_norm"(%a, %g, %c) <{operandSegmentSizes = array<i32: 1, 1, 1>}>
      : (tensor<2x3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  // operandSegmentSizes as a discardable attribute also works.
  %5 = "fm.layer_norm"(%a) {operandSegmentSizes = array<i32: 1, 0, 0>}
      : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %6 = "fm.rms_norm"(%a) : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %7 = "fm.reduce_sum"(%a) : (tensor<2x3xf32>) -> tensor<f32>
  %8 = "fm.iota"() : () -> tensor<3x2xi64>
  %9 = "fm.transpose"(%a) : (tensor<2x3xf32>) -> tensor<3x2xf32>
  %10 = "fm.slice"(%a) <{start = array<i64: 1, 0>, limit = array<i64: 2, 3>}>
      : (tensor<2x3xf32>) -> tensor<1x3xf32>
  %11 = "fm.concat"(%a, %a) : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<4x3xf32>
  return %0, %1, %2, %3, %4, %5, %6, %7, %8, %9, %10, %11
      : tensor<2x4xf32>, tensor<2x4xf32>, tensor<2x4xf32>, tensor<2x4xf32>,
        tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<f32>,
        tensor<3x2xi64>, tensor<3x2xf32>, tensor<1x3xf32>, tensor<4x3xf32>
}

// CHECK-LABEL: func.func @generic_defaults_backward(
// CHECK: fm.pad %{{.*}} low [0, 0] high [0, 0] : tensor<2x3xf32>
// CHECK: fm.gelu_grad %{{.*}}, %{{.*}} : tensor<2x3xf32>
// CHECK: fm.softmax_grad %{{.*}}, %{{.*}} : tensor<2x3xf32>
// CHECK: fm.log_softmax_grad %{{.*}}, %{{.*}} : tensor<2x3xf32>
// CHECK: fm.layer_norm_grad %{{.*}}, %{{.*}} : tensor<2x3xf32>
// CHECK: fm.rms_norm_grad %{{.*}}, %{{.*}} : tensor<2x3xf32>
// DEFAULTS-LABEL: sym_name = "generic_defaults_backward"
// DEFAULTS: "fm.pad"(%{{.*}}) <{high = array<i64: 0, 0>, low = array<i64: 0, 0>}> : (tensor<2x3xf32>) -> tensor<2x3xf32>
// DEFAULTS: "fm.gelu_grad"(%{{.*}}, %{{.*}}) <{approximate = "tanh"}> : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
// DEFAULTS: "fm.softmax_grad"(%{{.*}}, %{{.*}}) <{axis = -1 : i64}> : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
// DEFAULTS: "fm.log_softmax_grad"(%{{.*}}, %{{.*}}) <{axis = -1 : i64}> : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
// DEFAULTS: "fm.layer_norm_grad"(%{{.*}}, %{{.*}}) <{eps = 9.99999974E-6 : f32}> : (tensor<2x3xf32>, tensor<2x3xf32>) -> (tensor<2x3xf32>, tensor<3xf32>, tensor<3xf32>)
// DEFAULTS: "fm.rms_norm_grad"(%{{.*}}, %{{.*}}) <{eps = 9.99999974E-6 : f32}> : (tensor<2x3xf32>, tensor<2x3xf32>) -> (tensor<2x3xf32>, tensor<3xf32>)
func.func @generic_defaults_backward(%a: tensor<2x3xf32>, %g: tensor<2x3xf32>)
    -> (tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>,
        tensor<3xf32>, tensor<2x3xf32>) {
  %0 = "fm.pad"(%a) <{low = array<i64: 0, 0>, high = array<i64: 0, 0>}>
      : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %1 = "fm.gelu_grad"(%a, %g)
      : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  %2 = "fm.softmax_grad"(%a, %g)
      : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  %3 = "fm.log_softmax_grad"(%a, %g)
      : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  %4:3 = "fm.layer_norm_grad"(%a, %g) : (tensor<2x3xf32>, tensor<2x3xf32>)
      -> (tensor<2x3xf32>, tensor<3xf32>, tensor<3xf32>)
  %5:2 = "fm.rms_norm_grad"(%a, %g) : (tensor<2x3xf32>, tensor<2x3xf32>)
      -> (tensor<2x3xf32>, tensor<3xf32>)
  return %0, %1, %2, %3, %4#1, %5#0
      : tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>,
        tensor<3xf32>, tensor<2x3xf32>
}

//===----------------------------------------------------------------------===//
// Kernel-level ops
//===----------------------------------------------------------------------===//

// A GEMM kernel with its epilogue, a kernel of two results without a kind,
// and one without operands. The body's arguments print as %in0, %in1 ...
// CHECK-LABEL: func.func @fusion(
// CHECK-SAME: %[[X:.*]]: tensor<8x16xf32>, %[[W:.*]]: tensor<16x32xf32>, %[[B:.*]]: tensor<32xf32>)
// CHECK-NEXT: %[[G:.*]] = fm.fusion kind "gemm" (%[[X]], %[[W]], %[[B]]) : (tensor<8x16xf32>, tensor<16x32xf32>, tensor<32xf32>) -> tensor<8x32xf32> {
// CHECK-NEXT: ^bb0(%in0: tensor<8x16xf32>, %in1: tensor<16x32xf32>, %in2: tensor<32xf32>):
// CHECK-NEXT: %[[M:.*]] = fm.matmul %in0, %in1 : tensor<8x16xf32>, tensor<16x32xf32>
// CHECK-NEXT: %[[A:.*]] = fm.add %[[M]], %in2 : tensor<8x32xf32>, tensor<32xf32>
// CHECK-NEXT: fm.yield %[[A]] : tensor<8x32xf32>
// CHECK-NEXT: }
// CHECK-NEXT: %[[S:.*]]:2 = fm.fusion (%[[G]]) : (tensor<8x32xf32>) -> (tensor<8x32xf32>, tensor<8xf32>) {
// CHECK-NEXT: ^bb0(%in0: tensor<8x32xf32>):
// CHECK-NEXT: %[[E:.*]] = fm.exp %in0 : tensor<8x32xf32>
// CHECK-NEXT: %[[R:.*]] = fm.reduce_sum %[[E]] axes [1] : tensor<8x32xf32>
// CHECK-NEXT: fm.yield %[[E]], %[[R]] : tensor<8x32xf32>, tensor<8xf32>
// CHECK-NEXT: }
// CHECK-NEXT: %[[I:.*]] = fm.fusion kind "elementwise" () : () -> tensor<4x4xi1> {
// CHECK-NEXT: %[[ROW:.*]] = fm.iota : tensor<4x4xi32>
// CHECK-NEXT: %[[COL:.*]] = fm.iota axis 1 : tensor<4x4xi32>
// CHECK-NEXT: %[[GE:.*]] = fm.ge %[[ROW]], %[[COL]] : tensor<4x4xi32>
// CHECK-NEXT: fm.yield %[[GE]] : tensor<4x4xi1>
// CHECK-NEXT: }
// CHECK-NEXT: return %[[S]]#0, %[[S]]#1, %[[I]]
// GEN-LABEL: sym_name = "fusion"
// GEN: "fm.fusion"(%{{.*}}, %{{.*}}, %{{.*}}) <{kind = "gemm"}> ({
// GEN-NEXT: ^bb0(%{{.*}}: tensor<8x16xf32>, %{{.*}}: tensor<16x32xf32>, %{{.*}}: tensor<32xf32>):
// GEN: "fm.yield"(%{{.*}}) : (tensor<8x32xf32>) -> ()
// GEN-NEXT: }) : (tensor<8x16xf32>, tensor<16x32xf32>, tensor<32xf32>) -> tensor<8x32xf32>
// GEN: "fm.fusion"(%{{.*}}) ({
// GEN: "fm.fusion"() <{kind = "elementwise"}> ({
func.func @fusion(%x: tensor<8x16xf32>, %w: tensor<16x32xf32>,
                  %b: tensor<32xf32>)
    -> (tensor<8x32xf32>, tensor<8xf32>, tensor<4x4xi1>) {
  %0 = fm.fusion kind "gemm" (%x, %w, %b)
      : (tensor<8x16xf32>, tensor<16x32xf32>, tensor<32xf32>) -> tensor<8x32xf32> {
  ^bb0(%in0: tensor<8x16xf32>, %in1: tensor<16x32xf32>, %in2: tensor<32xf32>):
    %1 = fm.matmul %in0, %in1 : tensor<8x16xf32>, tensor<16x32xf32>
    %2 = fm.add %1, %in2 : tensor<8x32xf32>, tensor<32xf32>
    fm.yield %2 : tensor<8x32xf32>
  }
  %3:2 = fm.fusion (%0) : (tensor<8x32xf32>) -> (tensor<8x32xf32>, tensor<8xf32>) {
  ^bb0(%in0: tensor<8x32xf32>):
    %4 = fm.exp %in0 : tensor<8x32xf32>
    %5 = fm.reduce_sum %4 axes [1] : tensor<8x32xf32>
    fm.yield %4, %5 : tensor<8x32xf32>, tensor<8xf32>
  }
  %6 = fm.fusion kind "elementwise" () : () -> tensor<4x4xi1> {
    %7 = fm.iota : tensor<4x4xi32>
    %8 = fm.iota axis 1 : tensor<4x4xi32>
    %9 = fm.ge %7, %8 : tensor<4x4xi32>
    fm.yield %9 : tensor<4x4xi1>
  }
  return %3#0, %3#1, %6 : tensor<8x32xf32>, tensor<8xf32>, tensor<4x4xi1>
}

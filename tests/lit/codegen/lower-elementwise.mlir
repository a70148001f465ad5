// RUN: fmc-opt %s -fm-lower-to-linalg -split-input-file | FileCheck %s

// Numpy broadcasting is in the indexing maps: a size-1 axis reads index 0,
// a missing leading axis is dropped; one linalg.generic per op.
// CHECK-DAG: #[[LHS:.*]] = affine_map<(d0, d1, d2) -> (d0, 0, d2)>
// CHECK-DAG: #[[RHS:.*]] = affine_map<(d0, d1, d2) -> (d1, 0)>
// CHECK-DAG: #[[OUT:.*]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-LABEL: func.func @add_broadcast(
// CHECK-SAME: %[[A:.*]]: tensor<4x1x3xf32>, %[[B:.*]]: tensor<5x1xf32>
// CHECK: %[[INIT:.*]] = tensor.empty() : tensor<4x5x3xf32>
// CHECK: %[[R:.*]] = linalg.generic {indexing_maps = [#[[LHS]], #[[RHS]], #[[OUT]]], iterator_types = ["parallel", "parallel", "parallel"]}
// CHECK-SAME: ins(%[[A]], %[[B]] : tensor<4x1x3xf32>, tensor<5x1xf32>) outs(%[[INIT]] : tensor<4x5x3xf32>)
// CHECK: ^bb0(%[[X:.*]]: f32, %[[Y:.*]]: f32, %{{.*}}: f32):
// CHECK-NEXT: %[[SUM:.*]] = arith.addf %[[X]], %[[Y]] : f32
// CHECK-NEXT: linalg.yield %[[SUM]] : f32
// CHECK: return %[[R]]
func.func @add_broadcast(%a: tensor<4x1x3xf32>, %b: tensor<5x1xf32>) -> tensor<4x5x3xf32> {
  %0 = fm.add %a, %b : tensor<4x1x3xf32>, tensor<5x1xf32>
  return %0 : tensor<4x5x3xf32>
}

// -----

// Integers wrap: plain arith.addi; a rank-0 operand has an empty map.
// CHECK-DAG: #[[SCALAR:.*]] = affine_map<(d0) -> ()>
// CHECK-LABEL: func.func @add_i32(
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[SCALAR]], #{{.*}}]
// CHECK: arith.addi %{{.*}}, %{{.*}} : i32
func.func @add_i32(%a: tensor<8xi32>, %b: tensor<i32>) -> tensor<8xi32> {
  %0 = fm.add %a, %b : tensor<8xi32>, tensor<i32>
  return %0 : tensor<8xi32>
}

// -----

// bf16 is widened to f32 by a 16-bit shift, computed in f32 and rounded
// back to nearest even with integer arithmetic (NaN quieted).
// CHECK-LABEL: func.func @mul_bf16(
// CHECK: ^bb0(%[[X:.*]]: bf16, %[[Y:.*]]: bf16, %{{.*}}: bf16):
// CHECK: %[[XI:.*]] = arith.bitcast %[[X]] : bf16 to i16
// CHECK: %[[XW:.*]] = arith.extui %[[XI]] : i16 to i32
// CHECK: %[[XS:.*]] = arith.shli %[[XW]], %{{.*}} : i32
// CHECK: %[[XF:.*]] = arith.bitcast %[[XS]] : i32 to f32
// CHECK: %[[YF:.*]] = arith.bitcast %{{.*}} : i32 to f32
// CHECK: %[[P:.*]] = arith.mulf %[[XF]], %[[YF]] : f32
// CHECK: %[[PB:.*]] = arith.bitcast %[[P]] : f32 to i32
// CHECK: %[[C7FFF:.*]] = arith.constant 32767 : i32
// CHECK: arith.addi %[[C7FFF]], %{{.*}} : i32
// CHECK: arith.cmpi ugt
// CHECK: %[[CODE:.*]] = arith.select %{{.*}}, %{{.*}}, %{{.*}} : i32
// CHECK: %[[T:.*]] = arith.trunci %[[CODE]] : i32 to i16
// CHECK: %[[RES:.*]] = arith.bitcast %[[T]] : i16 to bf16
// CHECK: linalg.yield %[[RES]] : bf16
func.func @mul_bf16(%a: tensor<8xbf16>, %b: tensor<8xbf16>) -> tensor<8xbf16> {
  %0 = fm.mul %a, %b : tensor<8xbf16>
  return %0 : tensor<8xbf16>
}

// -----

// max as the interpreter: `isnan(a) || a > b ? a : b`.
// CHECK-LABEL: func.func @max_f32(
// CHECK: ^bb0(%[[X:.*]]: f32, %[[Y:.*]]: f32, %{{.*}}: f32):
// CHECK: %[[NAN:.*]] = arith.cmpf uno, %[[X]], %[[X]] : f32
// CHECK: %[[GT:.*]] = arith.cmpf ogt, %[[X]], %[[Y]] : f32
// CHECK: %[[TAKE:.*]] = arith.ori %[[NAN]], %[[GT]] : i1
// CHECK: arith.select %[[TAKE]], %[[X]], %[[Y]] : f32
func.func @max_f32(%a: tensor<8xf32>, %b: tensor<8xf32>) -> tensor<8xf32> {
  %0 = fm.max %a, %b : tensor<8xf32>
  return %0 : tensor<8xf32>
}

// -----

// f32 -> E4M3FN: round to nearest even on the bits, saturate finite
// overflow and inf to 0x7e (448), NaN to 0x7f, keep the sign.
// CHECK-LABEL: func.func @cast_to_e4m3(
// CHECK: ^bb0(%[[X:.*]]: f32, %{{.*}}: f8E4M3FN):
// CHECK: %[[BITS:.*]] = arith.bitcast %[[X]] : f32 to i32
// CHECK: %[[ISNAN:.*]] = arith.cmpi ugt, %{{.*}}, %{{.*}} : i32
// CHECK: %[[ISINF:.*]] = arith.cmpi eq, %{{.*}}, %{{.*}} : i32
// CHECK: %[[MAX:.*]] = arith.constant 126 : i32
// CHECK: %[[SAT:.*]] = arith.select %[[ISINF]], %[[MAX]], %{{.*}} : i32
// CHECK: %[[CLAMPED:.*]] = arith.minui %[[SAT]], %[[MAX]] : i32
// CHECK: %[[CODE:.*]] = arith.select %[[ISNAN]], %c127_i32{{.*}}, %[[CLAMPED]] : i32
// CHECK: %[[SIGNED:.*]] = arith.ori %{{.*}}, %[[CODE]] : i32
// CHECK: %[[BYTE:.*]] = arith.trunci %[[SIGNED]] : i32 to i8
// CHECK: %[[RES:.*]] = arith.bitcast %[[BYTE]] : i8 to f8E4M3FN
// CHECK: linalg.yield %[[RES]] : f8E4M3FN
func.func @cast_to_e4m3(%a: tensor<16xf32>) -> tensor<16xf8E4M3FN> {
  %0 = fm.cast %a : tensor<16xf32> -> tensor<16xf8E4M3FN>
  return %0 : tensor<16xf8E4M3FN>
}

// -----

// Narrow -> f32 decodes the bits exactly and quiets NaNs, as the runtime's
// conversion through double does.
// CHECK-LABEL: func.func @cast_e5m2_to_f32(
// CHECK: arith.bitcast %{{.*}} : f8E5M2 to i8
// CHECK: arith.extui %{{.*}} : i8 to i32
// CHECK: %[[WIDE:.*]] = arith.bitcast %{{.*}} : i32 to f32
// CHECK: %[[QUIET:.*]] = arith.constant 4194304 : i32
// CHECK: %[[ISNAN:.*]] = arith.cmpf uno, %[[WIDE]], %[[WIDE]] : f32
// CHECK: arith.select %[[ISNAN]], %{{.*}}, %[[WIDE]] : f32
func.func @cast_e5m2_to_f32(%a: tensor<16xf8E5M2>) -> tensor<16xf32> {
  %0 = fm.cast %a : tensor<16xf8E5M2> -> tensor<16xf32>
  return %0 : tensor<16xf32>
}

// -----

// Float -> int truncates toward zero modulo 2^64 from the bits (NaN and inf
// give 0); no fptosi, which is poison out of range.
// CHECK-LABEL: func.func @cast_f32_to_i32(
// CHECK-NOT: arith.fptosi
// CHECK: arith.shli %{{.*}}, %{{.*}} : i64
// CHECK: arith.shrui %{{.*}}, %{{.*}} : i64
// CHECK: arith.trunci %{{.*}} : i64 to i32
func.func @cast_f32_to_i32(%a: tensor<16xf32>) -> tensor<16xi32> {
  %0 = fm.cast %a : tensor<16xf32> -> tensor<16xi32>
  return %0 : tensor<16xi32>
}

// -----

// i64 -> f32 rounds through f64, as the runtime does.
// CHECK-LABEL: func.func @cast_i64_to_f32(
// CHECK: %[[D:.*]] = arith.sitofp %{{.*}} : i64 to f64
// CHECK: arith.truncf %[[D]] : f64 to f32
func.func @cast_i64_to_f32(%a: tensor<16xi64>) -> tensor<16xf32> {
  %0 = fm.cast %a : tensor<16xi64> -> tensor<16xf32>
  return %0 : tensor<16xf32>
}

// -----

// A same-type cast is no op at all.
// CHECK-LABEL: func.func @cast_identity(
// CHECK-SAME: %[[A:.*]]: tensor<4xi1>
// CHECK-NEXT: return %[[A]]
func.func @cast_identity(%a: tensor<4xi1>) -> tensor<4xi1> {
  %0 = fm.cast %a : tensor<4xi1> -> tensor<4xi1>
  return %0 : tensor<4xi1>
}

// -----

// gelu, tanh form: 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))).
// CHECK-LABEL: func.func @gelu_tanh(
// CHECK: ^bb0(%[[X:.*]]: f32, %{{.*}}: f32):
// CHECK: %[[K:.*]] = arith.constant 4.471500e-02 : f32
// CHECK: %[[T0:.*]] = arith.mulf %[[K]], %[[X]] : f32
// CHECK: %[[T1:.*]] = arith.mulf %[[T0]], %[[X]] : f32
// CHECK: %[[CUBE:.*]] = arith.mulf %[[T1]], %[[X]] : f32
// CHECK: %[[S:.*]] = arith.constant 0.797884583 : f32
// CHECK: %[[SUM:.*]] = arith.addf %[[X]], %[[CUBE]] : f32
// CHECK: %[[ARG:.*]] = arith.mulf %[[S]], %[[SUM]] : f32
// CHECK: %[[TANH:.*]] = math.tanh %[[ARG]] : f32
// CHECK: %[[HALF:.*]] = arith.mulf %{{.*}}, %[[X]] : f32
// CHECK: %[[ONEP:.*]] = arith.addf %{{.*}}, %[[TANH]] : f32
// CHECK: %[[R:.*]] = arith.mulf %[[HALF]], %[[ONEP]] : f32
// CHECK: linalg.yield %[[R]] : f32
func.func @gelu_tanh(%a: tensor<8xf32>) -> tensor<8xf32> {
  %0 = fm.gelu %a : tensor<8xf32>
  return %0 : tensor<8xf32>
}

// -----

// gelu, exact form: 0.5 x (1 + erf(x / sqrt 2)).
// CHECK-LABEL: func.func @gelu_erf(
// CHECK: ^bb0(%[[X:.*]]: f32, %{{.*}}: f32):
// CHECK: %[[C:.*]] = arith.constant 0.707106769 : f32
// CHECK: %[[SCALED:.*]] = arith.mulf %[[X]], %[[C]] : f32
// CHECK: %[[ERF:.*]] = math.erf %[[SCALED]] : f32
// CHECK: %[[HALF:.*]] = arith.mulf %{{.*}}, %[[X]] : f32
// CHECK: %[[ONEP:.*]] = arith.addf %{{.*}}, %[[ERF]] : f32
// CHECK: arith.mulf %[[HALF]], %[[ONEP]] : f32
// CHECK-NOT: math.tanh
func.func @gelu_erf(%a: tensor<8xf32>) -> tensor<8xf32> {
  %0 = fm.gelu %a approximate "none" : tensor<8xf32>
  return %0 : tensor<8xf32>
}

// -----

// select moves elements without widening them; all three operands
// broadcast.
// CHECK-DAG: #[[COND:.*]] = affine_map<(d0, d1) -> (d0, 0)>
// CHECK-DAG: #[[TRUE:.*]] = affine_map<(d0, d1) -> (0, d1)>
// CHECK-DAG: #[[FALSE:.*]] = affine_map<(d0, d1) -> ()>
// CHECK-LABEL: func.func @select(
// CHECK: linalg.generic {indexing_maps = [#[[COND]], #[[TRUE]], #[[FALSE]], #{{.*}}]
// CHECK: ^bb0(%[[C:.*]]: i1, %[[T:.*]]: bf16, %[[F:.*]]: bf16, %{{.*}}: bf16):
// CHECK-NEXT: %[[R:.*]] = arith.select %[[C]], %[[T]], %[[F]] : bf16
// CHECK-NEXT: linalg.yield %[[R]] : bf16
func.func @select(%c: tensor<4x1xi1>, %a: tensor<1x8xbf16>, %b: tensor<bf16>) -> tensor<4x8xbf16> {
  %0 = fm.select %c, %a, %b : tensor<4x1xi1>, tensor<1x8xbf16>, tensor<bf16>
  return %0 : tensor<4x8xbf16>
}

// -----

// CHECK-LABEL: func.func @transpose(
// CHECK-SAME: %[[A:.*]]: tensor<2x3x4xf32>
// CHECK: %[[INIT:.*]] = tensor.empty() : tensor<3x4x2xf32>
// CHECK: linalg.transpose ins(%[[A]] : tensor<2x3x4xf32>) outs(%[[INIT]] : tensor<3x4x2xf32>) permutation = [1, 2, 0]
func.func @transpose(%a: tensor<2x3x4xf32>) -> tensor<3x4x2xf32> {
  %0 = fm.transpose %a permutation [1, 2, 0] : tensor<2x3x4xf32>
  return %0 : tensor<3x4x2xf32>
}

// -----

// Without a permutation the axes are reversed.
// CHECK-LABEL: func.func @transpose_default(
// CHECK: linalg.transpose {{.*}} permutation = [1, 0]
func.func @transpose_default(%a: tensor<2x3xi64>) -> tensor<3x2xi64> {
  %0 = fm.transpose %a : tensor<2x3xi64>
  return %0 : tensor<3x2xi64>
}

// -----

// CHECK-LABEL: func.func @slice(
// CHECK-SAME: %[[A:.*]]: tensor<7x9xf32>
// CHECK: tensor.extract_slice %[[A]][1, 2] [3, 3] [2, 3] : tensor<7x9xf32> to tensor<3x3xf32>
func.func @slice(%a: tensor<7x9xf32>) -> tensor<3x3xf32> {
  %0 = fm.slice %a start [1, 2] limit [6, 9] stride [2, 3] : tensor<7x9xf32>
  return %0 : tensor<3x3xf32>
}

// -----

// Interior padding: the input goes into zeros at `low` with stride
// interior + 1.
// CHECK-LABEL: func.func @pad(
// CHECK-SAME: %[[A:.*]]: tensor<3x4xf8E4M3FN>
// CHECK: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f8E4M3FN
// CHECK: %[[INIT:.*]] = tensor.empty() : tensor<8x11xf8E4M3FN>
// CHECK: %[[ZEROS:.*]] = linalg.fill ins(%[[ZERO]] : f8E4M3FN) outs(%[[INIT]] : tensor<8x11xf8E4M3FN>)
// CHECK: tensor.insert_slice %[[A]] into %[[ZEROS]][1, 0] [3, 4] [2, 3] : tensor<3x4xf8E4M3FN> into tensor<8x11xf8E4M3FN>
func.func @pad(%a: tensor<3x4xf8E4M3FN>) -> tensor<8x11xf8E4M3FN> {
  %0 = fm.pad %a low [1, 0] high [2, 1] interior [1, 2] : tensor<3x4xf8E4M3FN>
  return %0 : tensor<8x11xf8E4M3FN>
}

// -----

// CHECK-LABEL: func.func @concat(
// CHECK-SAME: %[[A:.*]]: tensor<2x3xf32>, %[[B:.*]]: tensor<2x5xf32>
// CHECK: %[[INIT:.*]] = tensor.empty() : tensor<2x8xf32>
// CHECK: %[[FIRST:.*]] = tensor.insert_slice %[[A]] into %[[INIT]][0, 0] [2, 3] [1, 1]
// CHECK: %[[BOTH:.*]] = tensor.insert_slice %[[B]] into %[[FIRST]][0, 3] [2, 5] [1, 1]
// CHECK: return %[[BOTH]]
func.func @concat(%a: tensor<2x3xf32>, %b: tensor<2x5xf32>) -> tensor<2x8xf32> {
  %0 = fm.concat %a, %b axis 1 : tensor<2x3xf32>, tensor<2x5xf32>
  return %0 : tensor<2x8xf32>
}

// -----

// CHECK-LABEL: func.func @iota(
// CHECK: linalg.generic {indexing_maps = [#{{.*}}], iterator_types = ["parallel", "parallel"]} outs(
// CHECK: %[[I:.*]] = linalg.index 1 : index
// CHECK: %[[V:.*]] = arith.index_cast %[[I]] : index to i32
// CHECK: linalg.yield %[[V]] : i32
func.func @iota() -> tensor<4x5xi32> {
  %0 = fm.iota axis 1 : tensor<4x5xi32>
  return %0 : tensor<4x5xi32>
}

// -----

// A float iota converts the index like the interpreter's static_cast.
// CHECK-LABEL: func.func @iota_bf16(
// CHECK: %[[I:.*]] = linalg.index 0 : index
// CHECK: %[[L:.*]] = arith.index_cast %[[I]] : index to i64
// CHECK: arith.sitofp %[[L]] : i64 to f32
// CHECK: arith.bitcast %{{.*}} : i16 to bf16
func.func @iota_bf16() -> tensor<4x5xbf16> {
  %0 = fm.iota : tensor<4x5xbf16>
  return %0 : tensor<4x5xbf16>
}

// -----

// Reshapes are views: one collapse_shape when the shapes group, else
// through the flat shape.
// CHECK-LABEL: func.func @reshape_collapse(
// CHECK: tensor.collapse_shape %{{.*}} {{\[}}[0, 1], [2]] : tensor<2x3x4xf32> into tensor<6x4xf32>
func.func @reshape_collapse(%a: tensor<2x3x4xf32>) -> tensor<6x4xf32> {
  %0 = fm.reshape %a : tensor<2x3x4xf32> -> tensor<6x4xf32>
  return %0 : tensor<6x4xf32>
}

// -----

// CHECK-LABEL: func.func @reshape_regroup(
// CHECK: %[[FLAT:.*]] = tensor.collapse_shape %{{.*}} {{\[}}[0, 1, 2]] : tensor<2x3x4xf32> into tensor<24xf32>
// CHECK: tensor.expand_shape %[[FLAT]] {{\[}}[0, 1]] output_shape [4, 6] : tensor<24xf32> into tensor<4x6xf32>
func.func @reshape_regroup(%a: tensor<2x3x4xf32>) -> tensor<4x6xf32> {
  %0 = fm.reshape %a : tensor<2x3x4xf32> -> tensor<4x6xf32>
  return %0 : tensor<4x6xf32>
}

// -----

// CHECK-LABEL: func.func @broadcast_to(
// CHECK: linalg.generic
// CHECK: ^bb0(%[[X:.*]]: i1, %{{.*}}: i1):
// CHECK-NEXT: linalg.yield %[[X]] : i1
func.func @broadcast_to(%a: tensor<3x1xi1>) -> tensor<2x3x4xi1> {
  %0 = fm.broadcast_to %a : tensor<3x1xi1> -> tensor<2x3x4xi1>
  return %0 : tensor<2x3x4xi1>
}

// -----

// FP8 constants stay dense FP8 attributes: MLIR 19 lowers them to i8
// globals with the right bits.
// CHECK-LABEL: func.func @constant_e5m2(
// CHECK: arith.constant dense<[1.000000e+00, -2.000000e+00, 5.734400e+04]> : tensor<3xf8E5M2>
func.func @constant_e5m2() -> tensor<3xf8E5M2> {
  %0 = fm.constant dense<[1.0, -2.0, 57344.0]> : tensor<3xf8E5M2>
  return %0 : tensor<3xf8E5M2>
}

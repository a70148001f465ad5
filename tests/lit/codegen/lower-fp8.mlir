// RUN: fmc-opt %s -fm-lower-to-linalg -split-input-file | FileCheck %s

// Per-group scales are read through a map that divides the grouped
// dimension by the group size; the f32 quotient is rounded to E4M3 in the
// same body (bit arithmetic, no FP8 arith).
// CHECK-DAG: #[[ID:.+]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[GROUP:.+]] = affine_map<(d0, d1) -> (d0, d1 floordiv 16)>
// CHECK-LABEL: func.func @quantize_groups
// CHECK: linalg.generic {indexing_maps = [#[[ID]], #[[GROUP]], #[[ID]]]
// CHECK: arith.divf
// CHECK: arith.bitcast
// CHECK-NOT: fm.
func.func @quantize_groups(%x: tensor<4x32xf32>, %s: tensor<4x2xf32>) -> tensor<4x32xf8E4M3FN> {
  %q = fm.quantize %x, %s group 16 : tensor<4x32xf32>, tensor<4x2xf32> -> tensor<4x32xf8E4M3FN>
  return %q : tensor<4x32xf8E4M3FN>
}

// -----

// A per-tensor scale is a rank-0 operand read by every element.
// CHECK-DAG: #[[SCALAR:.+]] = affine_map<(d0) -> ()>
// CHECK-LABEL: func.func @dequantize_tensor
// CHECK: linalg.generic {indexing_maps = [#{{.+}}, #[[SCALAR]], #{{.+}}]
// CHECK: arith.mulf
func.func @dequantize_tensor(%q: tensor<8xf8E5M2>, %s: tensor<f32>) -> tensor<8xbf16> {
  %x = fm.dequantize %q, %s : tensor<8xf8E5M2>, tensor<f32> -> tensor<8xbf16>
  return %x : tensor<8xbf16>
}

// -----

// The FP8 operands are widened to f32 once, multiplied as an f32 matmul
// (a named op, which the CPU backend hands to BLAS), and the product is
// scaled by the f32 product of the scales.
// CHECK-LABEL: func.func @scaled_matmul
// CHECK: linalg.generic
// CHECK: linalg.generic
// CHECK: linalg.matmul
// CHECK: linalg.generic
// CHECK: %[[SCALE:.+]] = arith.mulf %{{.+}}, %{{.+}} : f32
// CHECK: arith.mulf %{{.+}}, %[[SCALE]] : f32
func.func @scaled_matmul(%a: tensor<8x16xf8E4M3FN>, %sa: tensor<f32>, %b: tensor<16x4xf8E5M2>, %sb: tensor<f32>) -> tensor<8x4xf32> {
  %y = fm.scaled_matmul %a, %sa, %b, %sb : tensor<8x16xf8E4M3FN>, tensor<16x4xf8E5M2> -> tensor<8x4xf32>
  return %y : tensor<8x4xf32>
}

// -----

// Range expansion: one reduction over the input viewed as
// [rows, groups, group] (largest finite, smallest nonzero, non-finite
// flag), one map over the groups (scale, k, centre), one map over the
// elements.
// CHECK-LABEL: func.func @quantize_expanded
// CHECK: tensor.expand_shape %{{.+}} {{\[\[}}0], [1, 2]] output_shape [4, 2, 128]
// CHECK: linalg.generic {{.+}} iterator_types = ["parallel", "parallel", "reduction"]
// CHECK: math.log2
// CHECK: math.floor
// CHECK: math.powf
// CHECK: linalg.generic
// CHECK: math.powf
// CHECK: math.copysign
func.func @quantize_expanded(%m: tensor<4x256xf32>) -> (tensor<4x256xf8E4M3FN>, tensor<4x2xf32>) {
  %q, %s, %k, %c = fm.quantize_expanded %m group 128 : tensor<4x256xf32> -> tensor<4x256xf8E4M3FN>, tensor<4x2xf32>
  return %q, %s : tensor<4x256xf8E4M3FN>, tensor<4x2xf32>
}

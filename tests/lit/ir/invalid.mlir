// RUN: fmc-opt %s -split-input-file -verify-diagnostics

// Every diagnostic of the fm dialect (ir/FmOps.cpp, ir/FmDialect.cpp), the
// ODS type constraints, and the fm.* function argument/result attributes.

//===----------------------------------------------------------------------===//
// ODS element-type and shape constraints
//===----------------------------------------------------------------------===//

// A tensor of more than 2^40 elements, whose element count overflows int64
// here (found by fmc fuzz: the interpreter's allocation overflowed).
func.func @too_large(%a: tensor<3x6148914691236517206xf32>) -> tensor<f32> {
  // expected-error @+1 {{'fm.reduce_sum' op operand #0 must be statically shaped tensor of}}
  %0 = fm.reduce_sum %a : tensor<3x6148914691236517206xf32>
  return %0 : tensor<f32>
}

// -----

func.func @just_too_large(%a: tensor<1048576x1048577xi1>) -> tensor<1048576x1048577xi1> {
  // expected-error @+1 {{values of at most 2^40 elements}}
  %0 = fm.eq %a, %a : tensor<1048576x1048577xi1>, tensor<1048576x1048577xi1>
  return %0 : tensor<1048576x1048577xi1>
}

// -----

func.func @f64_tensor(%a: tensor<4xf64>) -> tensor<4xf64> {
  // expected-error @+1 {{'fm.exp' op operand #0 must be statically shaped tensor of}}
  %0 = fm.exp %a : tensor<4xf64>
  return %0 : tensor<4xf64>
}

// -----

func.func @f64_add(%a: tensor<4xf64>) -> tensor<4xf64> {
  // expected-error @+1 {{'fm.add' op operand #0 must be statically shaped tensor of}}
  %0 = fm.add %a, %a : tensor<4xf64>
  return %0 : tensor<4xf64>
}

// -----

func.func @dynamic_unary(%a: tensor<?xf32>) -> tensor<?xf32> {
  // expected-error @+1 {{'fm.exp' op operand #0 must be statically shaped tensor of}}
  %0 = fm.exp %a : tensor<?xf32>
  return %0 : tensor<?xf32>
}

// -----

func.func @unranked_unary(%a: tensor<*xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{'fm.relu' op operand #0 must be statically shaped tensor of}}
  %0 = "fm.relu"(%a) : (tensor<*xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

// The custom form only accepts ranked tensor types.
func.func @unranked_unary_custom(%a: tensor<*xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{custom op 'fm.relu' invalid kind of type specified}}
  %0 = fm.relu %a : tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @unranked_matmul(%a: tensor<*xf32>, %b: tensor<3x4xf32>) -> tensor<*xf32> {
  // expected-error @+1 {{'fm.matmul' op operand #0 must be statically shaped tensor of}}
  %0 = "fm.matmul"(%a, %b) : (tensor<*xf32>, tensor<3x4xf32>) -> tensor<*xf32>
  return %0 : tensor<*xf32>
}

// -----

func.func @exp_on_int(%a: tensor<4xi32>) -> tensor<4xi32> {
  // expected-error @+1 {{'fm.exp' op operand #0 must be statically shaped tensor of 32-bit float or 16-bit float or bfloat16 type or f8E4M3FN type or f8E5M2 type values}}
  %0 = fm.exp %a : tensor<4xi32>
  return %0 : tensor<4xi32>
}

// -----

func.func @neg_on_bool(%a: tensor<4xi1>) -> tensor<4xi1> {
  // expected-error @+1 {{'fm.neg' op operand #0 must be statically shaped tensor of}}
  %0 = fm.neg %a : tensor<4xi1>
  return %0 : tensor<4xi1>
}

// -----

func.func @div_on_int(%a: tensor<4xi32>) -> tensor<4xi32> {
  // expected-error @+1 {{'fm.div' op operand #0 must be statically shaped tensor of}}
  %0 = fm.div %a, %a : tensor<4xi32>
  return %0 : tensor<4xi32>
}

// -----

func.func @add_on_bool(%a: tensor<4xi1>) -> tensor<4xi1> {
  // expected-error @+1 {{'fm.add' op operand #0 must be statically shaped tensor of}}
  %0 = fm.add %a, %a : tensor<4xi1>
  return %0 : tensor<4xi1>
}

// -----

func.func @vector_operand(%a: vector<4xf32>) -> vector<4xf32> {
  // expected-error @+1 {{'fm.sqrt' op operand #0 must be statically shaped tensor of}}
  %0 = "fm.sqrt"(%a) : (vector<4xf32>) -> vector<4xf32>
  return %0 : vector<4xf32>
}

// -----

func.func @matmul_int(%a: tensor<2x3xi32>, %b: tensor<3x4xi32>) -> tensor<2x4xi32> {
  // expected-error @+1 {{'fm.matmul' op operand #0 must be statically shaped tensor of}}
  %0 = fm.matmul %a, %b : tensor<2x3xi32>, tensor<3x4xi32>
  return %0 : tensor<2x4xi32>
}

// -----

func.func @reduce_mean_int(%a: tensor<4x8xi32>) -> tensor<4xi32> {
  // expected-error @+1 {{'fm.reduce_mean' op operand #0 must be statically shaped tensor of}}
  %0 = fm.reduce_mean %a axes [1] : tensor<4x8xi32>
  return %0 : tensor<4xi32>
}

// -----

func.func @select_cond_not_bool(%c: tensor<4xi32>, %a: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'fm.select' op operand #0 must be statically shaped tensor of 1-bit signless integer values}}
  %0 = fm.select %c, %a, %a : tensor<4xi32>, tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @embedding_float_indices(%t: tensor<16x8xf32>, %i: tensor<4xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'fm.embedding' op operand #1 must be statically shaped tensor of 32-bit signless integer or 64-bit signless integer values}}
  %0 = fm.embedding %t[%i] : tensor<16x8xf32>, tensor<4xf32>
  return %0 : tensor<4x8xf32>
}

// -----

func.func @embedding_int_table(%t: tensor<16x8xi32>, %i: tensor<4xi32>) -> tensor<4x8xi32> {
  // expected-error @+1 {{'fm.embedding' op operand #0 must be statically shaped tensor of}}
  %0 = fm.embedding %t[%i] : tensor<16x8xi32>, tensor<4xi32>
  return %0 : tensor<4x8xi32>
}

// -----

func.func @cross_entropy_float_labels(%l: tensor<4x10xf32>, %y: tensor<4xf32>) -> tensor<f32> {
  // expected-error @+1 {{'fm.cross_entropy' op operand #1 must be statically shaped tensor of 32-bit signless integer or 64-bit signless integer values}}
  %0 = fm.cross_entropy %l, %y : tensor<4x10xf32>, tensor<4xf32>
  return %0 : tensor<f32>
}

// -----

func.func @cross_entropy_i1_labels(%l: tensor<4x10xf32>, %y: tensor<4xi1>) -> tensor<f32> {
  // expected-error @+1 {{'fm.cross_entropy' op operand #1 must be statically shaped tensor of}}
  %0 = fm.cross_entropy %l, %y : tensor<4x10xf32>, tensor<4xi1>
  return %0 : tensor<f32>
}

// -----

func.func @cross_entropy_result_not_f32(%l: tensor<4x10xf16>, %y: tensor<4xi32>) -> tensor<f16> {
  // expected-error @+1 {{'fm.cross_entropy' op result #0 must be 0D tensor of 32-bit float values, but got 'tensor<f16>'}}
  %0 = "fm.cross_entropy"(%l, %y) : (tensor<4x10xf16>, tensor<4xi32>) -> tensor<f16>
  return %0 : tensor<f16>
}

// -----

func.func @cast_to_f64(%a: tensor<4xf32>) -> tensor<4xf64> {
  // expected-error @+1 {{'fm.cast' op result #0 must be statically shaped tensor of}}
  %0 = fm.cast %a : tensor<4xf32> -> tensor<4xf64>
  return %0 : tensor<4xf64>
}

// -----

func.func @iota_bool() -> tensor<4xi1> {
  // expected-error @+1 {{'fm.iota' op result #0 must be statically shaped tensor of}}
  %0 = fm.iota : tensor<4xi1>
  return %0 : tensor<4xi1>
}

// -----

func.func @iota_dynamic() -> tensor<?xi32> {
  // expected-error @+1 {{'fm.iota' op result #0 must be statically shaped tensor of}}
  %0 = fm.iota : tensor<?xi32>
  return %0 : tensor<?xi32>
}

// -----

func.func @reshape_dynamic(%a: tensor<4x8xf32>) -> tensor<?xf32> {
  // expected-error @+1 {{'fm.reshape' op result #0 must be statically shaped tensor of}}
  %0 = fm.reshape %a : tensor<4x8xf32> -> tensor<?xf32>
  return %0 : tensor<?xf32>
}

// -----

func.func @unsigned_int(%a: tensor<4xui32>) -> tensor<4xui32> {
  // expected-error @+1 {{'fm.neg' op operand #0 must be statically shaped tensor of}}
  %0 = fm.neg %a : tensor<4xui32>
  return %0 : tensor<4xui32>
}

// -----

//===----------------------------------------------------------------------===//
// Shared inference: operands must be statically shaped tensors
//===----------------------------------------------------------------------===//

func.func @add_dynamic(%a: tensor<?xf32>) -> tensor<?xf32> {
  // expected-error @+1 {{operand #0 must be a statically shaped tensor, got 'tensor<?xf32>'}}
  %0 = fm.add %a, %a : tensor<?xf32>
  return %0 : tensor<?xf32>
}

// -----

func.func @add_unranked_rhs(%a: tensor<4xf32>, %b: tensor<*xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{operand #1 must be a statically shaped tensor, got 'tensor<*xf32>'}}
  %0 = fm.add %a, %b : tensor<4xf32>, tensor<*xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @matmul_dynamic(%a: tensor<?x3xf32>, %b: tensor<3x4xf32>) -> tensor<?x4xf32> {
  // expected-error @+1 {{lhs must be a statically shaped tensor, got 'tensor<?x3xf32>'}}
  %0 = fm.matmul %a, %b : tensor<?x3xf32>, tensor<3x4xf32>
  return %0 : tensor<?x4xf32>
}

// -----

func.func @matmul_dynamic_rhs(%a: tensor<2x3xf32>, %b: tensor<3x?xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{rhs must be a statically shaped tensor, got 'tensor<3x?xf32>'}}
  %0 = fm.matmul %a, %b : tensor<2x3xf32>, tensor<3x?xf32>
  return %0 : tensor<2x4xf32>
}

// -----

func.func @reduce_dynamic(%a: tensor<4x?xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{input must be a statically shaped tensor, got 'tensor<4x?xf32>'}}
  %0 = fm.reduce_sum %a axes [1] : tensor<4x?xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @layer_norm_dynamic(%a: tensor<?x8xf32>) -> tensor<?x8xf32> {
  // expected-error @+1 {{input must be a statically shaped tensor, got 'tensor<?x8xf32>'}}
  %0 = fm.layer_norm %a : tensor<?x8xf32>
  return %0 : tensor<?x8xf32>
}

// -----

func.func @layer_norm_dynamic_scale(%a: tensor<4x8xf32>, %g: tensor<?xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{scale must be a statically shaped tensor, got 'tensor<?xf32>'}}
  %0 = fm.layer_norm %a scale(%g : tensor<?xf32>) : tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

func.func @transpose_dynamic(%a: tensor<2x?xf32>) -> tensor<?x2xf32> {
  // expected-error @+1 {{input must be a statically shaped tensor, got 'tensor<2x?xf32>'}}
  %0 = fm.transpose %a : tensor<2x?xf32>
  return %0 : tensor<?x2xf32>
}

// -----

func.func @slice_dynamic(%a: tensor<?xf32>) -> tensor<2xf32> {
  // expected-error @+1 {{input must be a statically shaped tensor, got 'tensor<?xf32>'}}
  %0 = fm.slice %a start [0] limit [2] : tensor<?xf32>
  return %0 : tensor<2xf32>
}

// -----

func.func @concat_dynamic_first(%a: tensor<?xf32>, %b: tensor<4xf32>) -> tensor<8xf32> {
  // expected-error @+1 {{input #0 must be a statically shaped tensor, got 'tensor<?xf32>'}}
  %0 = fm.concat %a, %b axis 0 : tensor<?xf32>, tensor<4xf32>
  return %0 : tensor<8xf32>
}

// -----

func.func @concat_dynamic_second(%a: tensor<4xf32>, %b: tensor<?xf32>) -> tensor<8xf32> {
  // expected-error @+1 {{input #1 must be a statically shaped tensor, got 'tensor<?xf32>'}}
  %0 = fm.concat %a, %b axis 0 : tensor<4xf32>, tensor<?xf32>
  return %0 : tensor<8xf32>
}

// -----

func.func @embedding_dynamic_table(%t: tensor<?x8xf32>, %i: tensor<4xi32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{table must be a statically shaped tensor, got 'tensor<?x8xf32>'}}
  %0 = fm.embedding %t[%i] : tensor<?x8xf32>, tensor<4xi32>
  return %0 : tensor<4x8xf32>
}

// -----

func.func @embedding_dynamic_indices(%t: tensor<16x8xf32>, %i: tensor<?xi32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{indices must be a statically shaped tensor, got 'tensor<?xi32>'}}
  %0 = fm.embedding %t[%i] : tensor<16x8xf32>, tensor<?xi32>
  return %0 : tensor<4x8xf32>
}

// -----

func.func @cross_entropy_dynamic_logits(%l: tensor<?x10xf32>, %y: tensor<4xi32>) -> tensor<f32> {
  // expected-error @+1 {{'fm.cross_entropy' op operand #0 must be statically shaped tensor of 32-bit float or 16-bit float or bfloat16 type or f8E4M3FN type or f8E5M2 type values of at most 2^40 elements, but got 'tensor<?x10xf32>'}}
  %0 = fm.cross_entropy %l, %y : tensor<?x10xf32>, tensor<4xi32>
  return %0 : tensor<f32>
}

// -----

func.func @cross_entropy_dynamic_labels(%l: tensor<4x10xf32>, %y: tensor<?xi32>) -> tensor<f32> {
  // expected-error @+1 {{'fm.cross_entropy' op operand #1 must be statically shaped tensor of 32-bit signless integer or 64-bit signless integer values of at most 2^40 elements, but got 'tensor<?xi32>'}}
  %0 = fm.cross_entropy %l, %y : tensor<4x10xf32>, tensor<?xi32>
  return %0 : tensor<f32>
}

// -----

//===----------------------------------------------------------------------===//
// fm.constant
//===----------------------------------------------------------------------===//

func.func @constant_vector() {
  // expected-error @+1 {{value must have a statically shaped tensor type}}
  %0 = fm.constant dense<1.0> : vector<4xf32>
  return
}

// -----

func.func @constant_f64() -> tensor<2xf64> {
  // expected-error @+1 {{'fm.constant' op result #0 must be statically shaped tensor of}}
  %0 = fm.constant dense<[1.0, 2.0]> : tensor<2xf64>
  return %0 : tensor<2xf64>
}

// -----

func.func @constant_wrong_result_type() -> tensor<3xf32> {
  // expected-error @+2 {{op failed to infer returned types}}
  // expected-error @+1 {{'fm.constant' op inferred type(s) 'tensor<2xf32>' are incompatible with return type(s) of operation 'tensor<3xf32>'}}
  %0 = "fm.constant"() <{value = dense<[1.0, 2.0]> : tensor<2xf32>}> : () -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

//===----------------------------------------------------------------------===//
// Elementwise broadcasting
//===----------------------------------------------------------------------===//

func.func @add_element_types_differ(%a: tensor<4xf32>, %b: tensor<4xf16>) -> tensor<4xf32> {
  // expected-error @+1 {{operand element types differ: 'f32' vs 'f16'}}
  %0 = fm.add %a, %b : tensor<4xf32>, tensor<4xf16>
  return %0 : tensor<4xf32>
}

// -----

func.func @add_fp8_formats_differ(%a: tensor<4xf8E4M3FN>, %b: tensor<4xf8E5M2>) -> tensor<4xf8E4M3FN> {
  // expected-error @+1 {{operand element types differ: 'f8E4M3FN' vs 'f8E5M2'}}
  %0 = fm.add %a, %b : tensor<4xf8E4M3FN>, tensor<4xf8E5M2>
  return %0 : tensor<4xf8E4M3FN>
}

// -----

func.func @mul_not_broadcastable(%a: tensor<4x8xf32>, %b: tensor<4xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{operand shapes are not broadcast-compatible: 'tensor<4x8xf32>' and 'tensor<4xf32>'}}
  %0 = fm.mul %a, %b : tensor<4x8xf32>, tensor<4xf32>
  return %0 : tensor<4x8xf32>
}

// -----

func.func @eq_element_types_differ(%a: tensor<4xi32>, %b: tensor<4xi64>) -> tensor<4xi1> {
  // expected-error @+1 {{operand element types differ: 'i32' vs 'i64'}}
  %0 = fm.eq %a, %b : tensor<4xi32>, tensor<4xi64>
  return %0 : tensor<4xi1>
}

// -----

func.func @add_wrong_result_shape(%a: tensor<4x8xf32>, %b: tensor<8xf32>) -> tensor<8xf32> {
  // expected-error @+2 {{op failed to infer returned types}}
  // expected-error @+1 {{'fm.add' op inferred type(s) 'tensor<4x8xf32>' are incompatible with return type(s) of operation 'tensor<8xf32>'}}
  %0 = "fm.add"(%a, %b) : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<8xf32>
  return %0 : tensor<8xf32>
}

// -----

func.func @lt_result_not_bool(%a: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'fm.lt' op result #0 must be statically shaped tensor of 1-bit signless integer values}}
  %0 = "fm.lt"(%a, %a) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @select_values_differ(%c: tensor<4xi1>, %a: tensor<4xf32>, %b: tensor<4xf16>) -> tensor<4xf32> {
  // expected-error @+1 {{operand element types differ: 'f32' vs 'f16'}}
  %0 = fm.select %c, %a, %b : tensor<4xi1>, tensor<4xf32>, tensor<4xf16>
  return %0 : tensor<4xf32>
}

// -----

func.func @select_values_not_broadcastable(%c: tensor<4xi1>, %a: tensor<4xf32>, %b: tensor<3xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{operand shapes are not broadcast-compatible: 'tensor<4xf32>' and 'tensor<3xf32>'}}
  %0 = fm.select %c, %a, %b : tensor<4xi1>, tensor<4xf32>, tensor<3xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @select_cond_not_broadcastable(%c: tensor<3xi1>, %a: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{condition shape is not broadcast-compatible with the values: 'tensor<3xi1>' and 'tensor<4xf32>'}}
  %0 = fm.select %c, %a, %a : tensor<3xi1>, tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @select_dynamic_value(%c: tensor<4xi1>, %a: tensor<4xf32>, %b: tensor<?xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{must be a statically shaped tensor, got 'tensor<?xf32>'}}
  %0 = fm.select %c, %a, %b : tensor<4xi1>, tensor<4xf32>, tensor<?xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @select_dynamic_cond(%c: tensor<?xi1>, %a: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{operand #0 must be a statically shaped tensor, got 'tensor<?xi1>'}}
  %0 = fm.select %c, %a, %a : tensor<?xi1>, tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @unary_result_type_differs(%a: tensor<4xf32>) -> tensor<4xf16> {
  // expected-error @+1 {{'fm.tanh' op requires the same type for all operands and results}}
  %0 = "fm.tanh"(%a) : (tensor<4xf32>) -> tensor<4xf16>
  return %0 : tensor<4xf16>
}

// -----

//===----------------------------------------------------------------------===//
// fm.gelu
//===----------------------------------------------------------------------===//

func.func @gelu_bad_approximation(%a: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'fm.gelu' op approximate must be "tanh" or "none", got "erf"}}
  %0 = fm.gelu %a approximate "erf" : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

//===----------------------------------------------------------------------===//
// fm.matmul
//===----------------------------------------------------------------------===//

func.func @matmul_rank1(%a: tensor<3xf32>, %b: tensor<3x4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{operands must have rank >= 2, got 'tensor<3xf32>' and 'tensor<3x4xf32>'}}
  %0 = fm.matmul %a, %b : tensor<3xf32>, tensor<3x4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @matmul_element_types_differ(%a: tensor<2x3xf32>, %b: tensor<3x4xbf16>) -> tensor<2x4xf32> {
  // expected-error @+1 {{operand element types differ: 'f32' vs 'bf16'}}
  %0 = fm.matmul %a, %b : tensor<2x3xf32>, tensor<3x4xbf16>
  return %0 : tensor<2x4xf32>
}

// -----

func.func @matmul_contracted_differ(%a: tensor<2x3xf32>, %b: tensor<5x4xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{contracted sizes differ: lhs has 3, rhs has 5}}
  %0 = fm.matmul %a, %b : tensor<2x3xf32>, tensor<5x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

func.func @matmul_transpose_b_contracted_differ(%a: tensor<2x3xf32>, %b: tensor<3x4xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{contracted sizes differ: lhs has 3, rhs has 4}}
  %0 = fm.matmul %a, %b transpose_b : tensor<2x3xf32>, tensor<3x4xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @matmul_transpose_a_contracted_differ(%a: tensor<2x3xf32>, %b: tensor<3x4xf32>) -> tensor<3x4xf32> {
  // expected-error @+1 {{contracted sizes differ: lhs has 2, rhs has 3}}
  %0 = fm.matmul %a, %b transpose_a : tensor<2x3xf32>, tensor<3x4xf32>
  return %0 : tensor<3x4xf32>
}

// -----

func.func @matmul_batch_differ(%a: tensor<2x2x3xf32>, %b: tensor<5x3x4xf32>) -> tensor<2x2x4xf32> {
  // expected-error @+1 {{batch axes are not broadcast-compatible: 'tensor<2x2x3xf32>' and 'tensor<5x3x4xf32>'}}
  %0 = fm.matmul %a, %b : tensor<2x2x3xf32>, tensor<5x3x4xf32>
  return %0 : tensor<2x2x4xf32>
}

// -----

func.func @matmul_wrong_result(%a: tensor<2x3xf32>, %b: tensor<3x4xf32>) -> tensor<2x5xf32> {
  // expected-error @+2 {{op failed to infer returned types}}
  // expected-error @+1 {{'fm.matmul' op inferred type(s) 'tensor<2x4xf32>' are incompatible with return type(s) of operation 'tensor<2x5xf32>'}}
  %0 = "fm.matmul"(%a, %b) : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<2x5xf32>
  return %0 : tensor<2x5xf32>
}

// -----

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

func.func @reduce_axis_out_of_range(%a: tensor<4x8xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{reduction axis 2 is out of range for rank 2}}
  %0 = fm.reduce_sum %a axes [2] : tensor<4x8xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @reduce_negative_axis_out_of_range(%a: tensor<4x8xf32>) -> tensor<8xf32> {
  // expected-error @+1 {{reduction axis -3 is out of range for rank 2}}
  %0 = fm.reduce_max %a axes [-3] : tensor<4x8xf32>
  return %0 : tensor<8xf32>
}

// -----

func.func @reduce_axes_repeat(%a: tensor<4x8xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{reduction axes repeat an axis}}
  %0 = fm.reduce_mean %a axes [1, -1] : tensor<4x8xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @reduce_wrong_result(%a: tensor<4x8xf32>) -> tensor<4xf32> {
  // expected-error @+2 {{op failed to infer returned types}}
  // expected-error @+1 {{'fm.reduce_sum' op inferred type(s) 'tensor<4x1xf32>' are incompatible with return type(s) of operation 'tensor<4xf32>'}}
  %0 = "fm.reduce_sum"(%a) <{axes = array<i64: 1>, keepdim}> : (tensor<4x8xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

//===----------------------------------------------------------------------===//
// Softmax, log-softmax and iota axes
//===----------------------------------------------------------------------===//

func.func @softmax_axis_out_of_range(%a: tensor<4x8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'fm.softmax' op axis 2 is out of range for rank 2}}
  %0 = fm.softmax %a axis 2 : tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

func.func @log_softmax_axis_out_of_range(%a: tensor<4x8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'fm.log_softmax' op axis -3 is out of range for rank 2}}
  %0 = fm.log_softmax %a axis -3 : tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

func.func @softmax_scalar(%a: tensor<f32>) -> tensor<f32> {
  // expected-error @+1 {{'fm.softmax' op axis -1 is out of range for rank 0}}
  %0 = fm.softmax %a : tensor<f32>
  return %0 : tensor<f32>
}

// -----

func.func @softmax_int(%a: tensor<4xi32>) -> tensor<4xi32> {
  // expected-error @+1 {{'fm.softmax' op operand #0 must be statically shaped tensor of}}
  %0 = fm.softmax %a : tensor<4xi32>
  return %0 : tensor<4xi32>
}

// -----

func.func @iota_axis_out_of_range() -> tensor<4x8xi32> {
  // expected-error @+1 {{'fm.iota' op axis 2 is out of range for rank 2}}
  %0 = fm.iota axis 2 : tensor<4x8xi32>
  return %0 : tensor<4x8xi32>
}

// -----

func.func @iota_scalar() -> tensor<i32> {
  // expected-error @+1 {{'fm.iota' op axis 0 is out of range for rank 0}}
  %0 = fm.iota : tensor<i32>
  return %0 : tensor<i32>
}

// -----

//===----------------------------------------------------------------------===//
// Normalizations
//===----------------------------------------------------------------------===//

func.func @layer_norm_scalar(%a: tensor<f32>) -> tensor<f32> {
  // expected-error @+1 {{input must have at least one axis to normalize}}
  %0 = fm.layer_norm %a : tensor<f32>
  return %0 : tensor<f32>
}

// -----

func.func @rms_norm_scalar(%a: tensor<f16>) -> tensor<f16> {
  // expected-error @+1 {{input must have at least one axis to normalize}}
  %0 = fm.rms_norm %a : tensor<f16>
  return %0 : tensor<f16>
}

// -----

func.func @layer_norm_scale_size(%a: tensor<4x8xf32>, %g: tensor<4xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{scale must be 'tensor<8xf32>' to match the input's last axis, got 'tensor<4xf32>'}}
  %0 = fm.layer_norm %a scale(%g : tensor<4xf32>) : tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

func.func @layer_norm_bias_rank(%a: tensor<4x8xf32>, %g: tensor<8xf32>, %b: tensor<1x8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{bias must be 'tensor<8xf32>' to match the input's last axis, got 'tensor<1x8xf32>'}}
  %0 = fm.layer_norm %a scale(%g : tensor<8xf32>) bias(%b : tensor<1x8xf32>) : tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

func.func @layer_norm_bias_element_type(%a: tensor<4x8xbf16>, %b: tensor<8xf32>) -> tensor<4x8xbf16> {
  // expected-error @+1 {{bias must be 'tensor<8xbf16>' to match the input's last axis, got 'tensor<8xf32>'}}
  %0 = fm.layer_norm %a bias(%b : tensor<8xf32>) : tensor<4x8xbf16>
  return %0 : tensor<4x8xbf16>
}

// -----

func.func @rms_norm_scale(%a: tensor<4x8xf32>, %g: tensor<4x8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{scale must be 'tensor<8xf32>' to match the input's last axis, got 'tensor<4x8xf32>'}}
  %0 = fm.rms_norm %a scale(%g : tensor<4x8xf32>) : tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

func.func @layer_norm_int(%a: tensor<4x8xi32>) -> tensor<4x8xi32> {
  // expected-error @+1 {{'fm.layer_norm' op operand #0 must be statically shaped tensor of}}
  %0 = fm.layer_norm %a : tensor<4x8xi32>
  return %0 : tensor<4x8xi32>
}

// -----

//===----------------------------------------------------------------------===//
// fm.reshape
//===----------------------------------------------------------------------===//

func.func @reshape_element_type(%a: tensor<4x8xf32>) -> tensor<32xf16> {
  // expected-error @+1 {{'fm.reshape' op cannot change the element type ('f32' to 'f16'); use fm.cast}}
  %0 = fm.reshape %a : tensor<4x8xf32> -> tensor<32xf16>
  return %0 : tensor<32xf16>
}

// -----

func.func @reshape_element_count(%a: tensor<4x8xf32>) -> tensor<30xf32> {
  // expected-error @+1 {{'fm.reshape' op element counts differ: 'tensor<4x8xf32>' has 32, 'tensor<30xf32>' has 30}}
  %0 = fm.reshape %a : tensor<4x8xf32> -> tensor<30xf32>
  return %0 : tensor<30xf32>
}

// -----

//===----------------------------------------------------------------------===//
// fm.transpose
//===----------------------------------------------------------------------===//

func.func @transpose_permutation_size(%a: tensor<2x3x4xf32>) -> tensor<3x2xf32> {
  // expected-error @+1 {{permutation has 2 entries for rank 3}}
  %0 = fm.transpose %a permutation [1, 0] : tensor<2x3x4xf32>
  return %0 : tensor<3x2xf32>
}

// -----

func.func @transpose_permutation_repeat(%a: tensor<2x3x4xf32>) -> tensor<3x3x4xf32> {
  // expected-error @+1 {{permutation is not a permutation of [0, 3)}}
  %0 = fm.transpose %a permutation [1, 1, 2] : tensor<2x3x4xf32>
  return %0 : tensor<3x3x4xf32>
}

// -----

func.func @transpose_permutation_range(%a: tensor<2x3xf32>) -> tensor<3x2xf32> {
  // expected-error @+1 {{permutation is not a permutation of [0, 2)}}
  %0 = fm.transpose %a permutation [-1, 0] : tensor<2x3xf32>
  return %0 : tensor<3x2xf32>
}

// -----

//===----------------------------------------------------------------------===//
// fm.broadcast_to
//===----------------------------------------------------------------------===//

func.func @broadcast_element_type(%a: tensor<8xf32>) -> tensor<4x8xbf16> {
  // expected-error @+1 {{'fm.broadcast_to' op cannot change the element type ('f32' to 'bf16')}}
  %0 = fm.broadcast_to %a : tensor<8xf32> -> tensor<4x8xbf16>
  return %0 : tensor<4x8xbf16>
}

// -----

func.func @broadcast_lower_rank(%a: tensor<4x8xf32>) -> tensor<8xf32> {
  // expected-error @+1 {{'fm.broadcast_to' op cannot broadcast 'tensor<4x8xf32>' to the lower-rank 'tensor<8xf32>'}}
  %0 = fm.broadcast_to %a : tensor<4x8xf32> -> tensor<8xf32>
  return %0 : tensor<8xf32>
}

// -----

func.func @broadcast_axis_size(%a: tensor<3x1xf32>) -> tensor<2x4x5xf32> {
  // expected-error @+1 {{'fm.broadcast_to' op cannot broadcast 'tensor<3x1xf32>' to 'tensor<2x4x5xf32>': axis 0 has size 3}}
  %0 = fm.broadcast_to %a : tensor<3x1xf32> -> tensor<2x4x5xf32>
  return %0 : tensor<2x4x5xf32>
}

// -----

//===----------------------------------------------------------------------===//
// fm.slice
//===----------------------------------------------------------------------===//

func.func @slice_start_size(%a: tensor<4x8xf32>) -> tensor<4x4xf32> {
  // expected-error @+1 {{start, limit and stride need one entry per axis (rank 2)}}
  %0 = fm.slice %a start [0] limit [4, 4] : tensor<4x8xf32>
  return %0 : tensor<4x4xf32>
}

// -----

func.func @slice_limit_size(%a: tensor<4x8xf32>) -> tensor<4x4xf32> {
  // expected-error @+1 {{start, limit and stride need one entry per axis (rank 2)}}
  %0 = fm.slice %a start [0, 0] limit [4, 4, 1] : tensor<4x8xf32>
  return %0 : tensor<4x4xf32>
}

// -----

func.func @slice_stride_size(%a: tensor<4x8xf32>) -> tensor<4x4xf32> {
  // expected-error @+1 {{start, limit and stride need one entry per axis (rank 2)}}
  %0 = fm.slice %a start [0, 0] limit [4, 4] stride [1] : tensor<4x8xf32>
  return %0 : tensor<4x4xf32>
}

// -----

func.func @slice_limit_beyond_size(%a: tensor<4x8xf32>) -> tensor<4x9xf32> {
  // expected-error @+1 {{axis 1: need 0 <= start (0) <= limit (9) <= size (8)}}
  %0 = fm.slice %a start [0, 0] limit [4, 9] : tensor<4x8xf32>
  return %0 : tensor<4x9xf32>
}

// -----

func.func @slice_negative_start(%a: tensor<4x8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{axis 0: need 0 <= start (-1) <= limit (3) <= size (4)}}
  %0 = fm.slice %a start [-1, 0] limit [3, 8] : tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

func.func @slice_start_after_limit(%a: tensor<4x8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{axis 1: need 0 <= start (5) <= limit (4) <= size (8)}}
  %0 = fm.slice %a start [0, 5] limit [4, 4] : tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

func.func @slice_zero_stride(%a: tensor<4x8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{axis 1: stride 0 must be positive}}
  %0 = fm.slice %a start [0, 0] limit [4, 8] stride [1, 0] : tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

func.func @slice_negative_stride(%a: tensor<4x8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{axis 0: stride -1 must be positive}}
  %0 = fm.slice %a start [0, 0] limit [4, 8] stride [-1, 1] : tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

//===----------------------------------------------------------------------===//
// fm.concat
//===----------------------------------------------------------------------===//

func.func @concat_no_inputs() -> tensor<4xf32> {
  // expected-error @+2 {{op failed to infer returned types}}
  // expected-error @+1 {{needs at least one input}}
  %0 = "fm.concat"() : () -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @concat_axis_out_of_range(%a: tensor<4x8xf32>) -> tensor<4x16xf32> {
  // expected-error @+1 {{axis 2 is out of range for rank 2}}
  %0 = fm.concat %a, %a axis 2 : tensor<4x8xf32>, tensor<4x8xf32>
  return %0 : tensor<4x16xf32>
}

// -----

func.func @concat_negative_axis_out_of_range(%a: tensor<4x8xf32>) -> tensor<8x8xf32> {
  // expected-error @+1 {{axis -3 is out of range for rank 2}}
  %0 = fm.concat %a, %a axis -3 : tensor<4x8xf32>, tensor<4x8xf32>
  return %0 : tensor<8x8xf32>
}

// -----

func.func @concat_element_types_differ(%a: tensor<4xf32>, %b: tensor<4xf16>) -> tensor<8xf32> {
  // expected-error @+1 {{input #1 ('tensor<4xf16>') does not match input #0 ('tensor<4xf32>') in rank or element type}}
  %0 = fm.concat %a, %b axis 0 : tensor<4xf32>, tensor<4xf16>
  return %0 : tensor<8xf32>
}

// -----

func.func @concat_ranks_differ(%a: tensor<4x8xf32>, %b: tensor<4x8x1xf32>) -> tensor<8x8xf32> {
  // expected-error @+1 {{input #2 ('tensor<4x8x1xf32>') does not match input #0 ('tensor<4x8xf32>') in rank or element type}}
  %0 = fm.concat %a, %a, %b axis 0 : tensor<4x8xf32>, tensor<4x8xf32>, tensor<4x8x1xf32>
  return %0 : tensor<8x8xf32>
}

// -----

func.func @concat_other_axis_differs(%a: tensor<4x8xf32>, %b: tensor<4x7xf32>) -> tensor<8x8xf32> {
  // expected-error @+1 {{input #1 ('tensor<4x7xf32>') differs from input #0 ('tensor<4x8xf32>') on axis 1, not the concat axis}}
  %0 = fm.concat %a, %b axis 0 : tensor<4x8xf32>, tensor<4x7xf32>
  return %0 : tensor<8x8xf32>
}

// -----

//===----------------------------------------------------------------------===//
// fm.embedding, fm.cross_entropy, fm.cast
//===----------------------------------------------------------------------===//

func.func @embedding_table_rank(%t: tensor<16x8x2xf32>, %i: tensor<4xi32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{table must be 2-D [rows, features], got 'tensor<16x8x2xf32>'}}
  %0 = fm.embedding %t[%i] : tensor<16x8x2xf32>, tensor<4xi32>
  return %0 : tensor<4x8xf32>
}

// -----

func.func @cross_entropy_label_shape(%l: tensor<4x10xf32>, %y: tensor<4x10xi32>) -> tensor<f32> {
  // expected-error @+1 {{labels 'tensor<4x10xi32>' must have the shape of logits 'tensor<4x10xf32>' without its last (class) axis}}
  %0 = fm.cross_entropy %l, %y : tensor<4x10xf32>, tensor<4x10xi32>
  return %0 : tensor<f32>
}

// -----

func.func @cross_entropy_scalar_logits(%l: tensor<f32>, %y: tensor<i32>) -> tensor<f32> {
  // expected-error @+1 {{labels 'tensor<i32>' must have the shape of logits 'tensor<f32>' without its last (class) axis}}
  %0 = fm.cross_entropy %l, %y : tensor<f32>, tensor<i32>
  return %0 : tensor<f32>
}

// -----

func.func @cast_shape(%a: tensor<4x8xf32>) -> tensor<32xbf16> {
  // expected-error @+1 {{'fm.cast' op cannot change the shape: 'tensor<4x8xf32>' to 'tensor<32xbf16>'}}
  %0 = fm.cast %a : tensor<4x8xf32> -> tensor<32xbf16>
  return %0 : tensor<32xbf16>
}

// -----

//===----------------------------------------------------------------------===//
// Generic form: attributes and properties
//===----------------------------------------------------------------------===//

func.func @softmax_axis_i32(%a: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'fm.softmax' op attribute 'axis' failed to satisfy constraint: 64-bit signless integer axis}}
  %0 = "fm.softmax"(%a) <{axis = 0 : i32}> : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @gelu_approximate_not_string(%a: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{Invalid attribute `approximate` in property conversion: 1 : i64}}
  %0 = "fm.gelu"(%a) <{approximate = 1 : i64}> : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @slice_missing_limit(%a: tensor<4xf32>) -> tensor<2xf32> {
  // expected-error @+1 {{'fm.slice' op requires attribute 'limit'}}
  %0 = "fm.slice"(%a) <{start = array<i64: 0>}> : (tensor<4xf32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

//===----------------------------------------------------------------------===//
// fm.* function argument and result attributes
//===----------------------------------------------------------------------===//

// expected-error @+1 {{'fm.name' of argument #0 must be a non-empty string}}
func.func @name_not_string(%a: tensor<4xf32> {fm.name = 3 : i64}) {
  return
}

// -----

// expected-error @+1 {{'fm.name' of result #0 must be a non-empty string}}
func.func @result_name_not_string(%a: tensor<4xf32>) -> (tensor<4xf32> {fm.name = ["y"]}) {
  return %a : tensor<4xf32>
}

// -----

// expected-error @+1 {{'fm.param' must be a unit attribute}}
func.func @param_not_unit(%a: tensor<4xf32> {fm.param = true}) {
  return
}

// -----

// expected-error @+1 {{'fm.data' must be a unit attribute}}
func.func @data_not_unit(%a: tensor<4xf32> {fm.data = "x"}) {
  return
}

// -----

// expected-error @+1 {{unknown fm argument attribute 'fm.weight'}}
func.func @unknown_argument_attribute(%a: tensor<4xf32> {fm.weight}) {
  return
}

// -----

// expected-error @+1 {{unknown fm result attribute 'fm.param'}}
func.func @param_on_result(%a: tensor<4xf32>) -> (tensor<4xf32> {fm.param}) {
  return %a : tensor<4xf32>
}

// -----

// expected-error @+1 {{unknown fm result attribute 'fm.data'}}
func.func @data_on_result(%a: tensor<4xf32>) -> (tensor<4xf32> {fm.data}) {
  return %a : tensor<4xf32>
}

// -----

// expected-error @+1 {{argument #1 may carry only one of 'fm.param', 'fm.data' and 'fm.state'}}
func.func @param_and_data(%a: tensor<4xf32> {fm.param}, %b: tensor<4xf32> {fm.name = "b", fm.param, fm.data}) {
  return
}

// -----

// expected-error @+1 {{'fm.name' of argument #0 must be a non-empty string}}
func.func @empty_name(%a: tensor<4xf32> {fm.name = ""}) {
  return
}

// -----

// expected-error @+1 {{arguments #0 and #1 have the same fm.name "x"}}
func.func @duplicate_argument_names(%a: tensor<4xf32> {fm.name = "x"}, %b: tensor<4xf32> {fm.name = "x"}) {
  return
}

// -----

// expected-error @+1 {{results #0 and #1 have the same fm.name "y"}}
func.func @duplicate_result_names(%a: tensor<4xf32>) -> (tensor<4xf32> {fm.name = "y"}, tensor<4xf32> {fm.name = "y"}) {
  return %a, %a : tensor<4xf32>, tensor<4xf32>
}

// -----

// expected-error @+1 {{'fm.param' marks argument #0, which is not a tensor}}
func.func @param_not_tensor(%a: i32 {fm.param}) {
  return
}

// -----

// expected-error @+1 {{'fm.state' must be a unit attribute}}
func.func @state_not_unit(%a: tensor<4xf32> {fm.state = 1}) {
  return
}

// -----

// expected-error @+1 {{'fm.bogus' is not an fm operation attribute}}
func.func @op_attribute() attributes {fm.bogus = 1} {
  return
}

// -----

func.func @op_attribute_on_fm_op(%a: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'fm.whatever' is not an fm operation attribute}}
  %0 = fm.relu %a {fm.whatever} : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// expected-error @+1 {{unknown fm result attribute 'fm.param'}}
func.func @param_on_result(%a: tensor<4xf32>) -> (tensor<4xf32> {fm.param}) {
  return %a : tensor<4xf32>
}

// -----

// expected-error @+1 {{'fm.feeds' must be an integer}}
func.func @feeds_not_integer(%a: tensor<4xf32>) -> (tensor<4xf32> {fm.feeds = "a"}) {
  return %a : tensor<4xf32>
}

// -----

// expected-error @+1 {{result #0 feeds argument #3, which does not exist}}
func.func @feeds_out_of_range(%a: tensor<4xf32>) -> (tensor<4xf32> {fm.feeds = 3}) {
  return %a : tensor<4xf32>
}

// -----

// expected-error @+1 {{result #0 feeds argument #0 of another type ('tensor<2xf32>' vs 'tensor<4xf32>')}}
func.func @feeds_wrong_type(%a: tensor<4xf32>, %b: tensor<2xf32>) -> (tensor<2xf32> {fm.feeds = 0}) {
  return %b : tensor<2xf32>
}

// -----

func.func @layer_norm_negative_eps(%a: tensor<4x8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'fm.layer_norm' op eps must be non-negative, got -1}}
  %0 = fm.layer_norm %a eps -1.0 : tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

func.func @rms_norm_negative_eps(%a: tensor<4x8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'fm.rms_norm' op eps must be non-negative, got -5.0}}
  %0 = fm.rms_norm %a eps -0.5 : tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

func.func @select_operand_numbering(%c: tensor<4xi1>, %a: tensor<4xf32>, %b: tensor<4xbf16>) -> tensor<4xf32> {
  // expected-error @+1 {{operand element types differ: 'f32' vs 'bf16'}}
  %0 = fm.select %c, %a, %b : tensor<4xi1>, tensor<4xf32>, tensor<4xbf16>
  return %0 : tensor<4xf32>
}

// -----

//===----------------------------------------------------------------------===//
// Backward ops
//===----------------------------------------------------------------------===//

func.func @pad_entry_count(%a: tensor<2x3xf32>) -> tensor<3x3xf32> {
  // expected-error @+1 {{low, high and interior need one entry per axis (rank 2)}}
  %0 = fm.pad %a low [1] high [0, 0] : tensor<2x3xf32>
  return %0 : tensor<3x3xf32>
}

// -----

func.func @pad_negative_high(%a: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{axis 1: padding must be non-negative}}
  %0 = fm.pad %a low [0, 1] high [0, -1] : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @pad_negative_interior(%a: tensor<2x3xf32>) -> tensor<2x3xf32> {
  // expected-error @+1 {{axis 0: padding must be non-negative}}
  %0 = fm.pad %a low [0, 0] high [0, 0] interior [-1, 0] : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

func.func @pad_wrong_result(%a: tensor<2x3xf32>) -> tensor<2x4xf32> {
  // expected-error @+2 {{op failed to infer returned types}}
  // expected-error @+1 {{'fm.pad' op inferred type(s) 'tensor<2x5xf32>' are incompatible with return type(s) of operation 'tensor<2x4xf32>'}}
  %0 = "fm.pad"(%a) <{low = array<i64: 0, 0>, high = array<i64: 0, 0>, interior = array<i64: 0, 1>}> : (tensor<2x3xf32>) -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

func.func @gelu_grad_approximate(%a: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'fm.gelu_grad' op approximate must be "tanh" or "none", got "erf"}}
  %0 = fm.gelu_grad %a, %a approximate "erf" : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

func.func @softmax_grad_axis(%a: tensor<4x8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'fm.softmax_grad' op axis 2 is out of range for rank 2}}
  %0 = fm.softmax_grad %a, %a axis 2 : tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

func.func @log_softmax_grad_axis(%a: tensor<4x8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'fm.log_softmax_grad' op axis -3 is out of range for rank 2}}
  %0 = fm.log_softmax_grad %a, %a axis -3 : tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// -----

func.func @layer_norm_grad_scalar(%a: tensor<f32>) -> tensor<f32> {
  // expected-error @+1 {{input must have at least one axis to normalize}}
  %0:3 = fm.layer_norm_grad %a, %a : tensor<f32>
  return %0#0 : tensor<f32>
}

// -----

func.func @layer_norm_grad_scale(%a: tensor<4x8xf32>, %s: tensor<4xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{scale must be 'tensor<8xf32>' to match the input's last axis, got 'tensor<4xf32>'}}
  %0:3 = fm.layer_norm_grad %a, %a scale(%s : tensor<4xf32>) : tensor<4x8xf32>
  return %0#0 : tensor<4x8xf32>
}

// -----

func.func @rms_norm_grad_scale_type(%a: tensor<4x8xf32>, %s: tensor<8xbf16>) -> tensor<4x8xf32> {
  // expected-error @+1 {{scale must be 'tensor<8xf32>' to match the input's last axis, got 'tensor<8xbf16>'}}
  %0:2 = fm.rms_norm_grad %a, %a scale(%s : tensor<8xbf16>) : tensor<4x8xf32>
  return %0#0 : tensor<4x8xf32>
}

// -----

func.func @rms_norm_grad_wrong_results(%a: tensor<4x8xf32>) -> tensor<4x8xf32> {
  // expected-error @+2 {{op failed to infer returned types}}
  // expected-error @+1 {{'fm.rms_norm_grad' op inferred type(s) 'tensor<4x8xf32>', 'tensor<8xf32>' are incompatible with return type(s) of operation 'tensor<4x8xf32>', 'tensor<4xf32>'}}
  %0:2 = "fm.rms_norm_grad"(%a, %a) : (tensor<4x8xf32>, tensor<4x8xf32>) -> (tensor<4x8xf32>, tensor<4xf32>)
  return %0#0 : tensor<4x8xf32>
}

// -----

func.func @cross_entropy_grad_labels(%l: tensor<4x10xf32>, %y: tensor<10xi32>, %g: tensor<f32>) -> tensor<4x10xf32> {
  // expected-error @+1 {{'fm.cross_entropy_grad' op labels 'tensor<10xi32>' must have the shape of logits 'tensor<4x10xf32>' without its last (class) axis}}
  %0 = fm.cross_entropy_grad %l, %y, %g : tensor<4x10xf32>, tensor<10xi32>
  return %0 : tensor<4x10xf32>
}

// -----

func.func @embedding_grad_features(%g: tensor<4x8xf32>, %i: tensor<4xi32>) -> tensor<16x4xf32> {
  // expected-error @+1 {{'fm.embedding_grad' op result 'tensor<16x4xf32>' must be a [rows, 8] table of the gradient's element type}}
  %0 = fm.embedding_grad %g[%i] : tensor<4x8xf32>, tensor<4xi32> -> tensor<16x4xf32>
  return %0 : tensor<16x4xf32>
}

// -----

func.func @embedding_grad_element_type(%g: tensor<4x8xf32>, %i: tensor<4xi32>) -> tensor<16x8xbf16> {
  // expected-error @+1 {{'fm.embedding_grad' op result 'tensor<16x8xbf16>' must be a [rows, 8] table of the gradient's element type}}
  %0 = fm.embedding_grad %g[%i] : tensor<4x8xf32>, tensor<4xi32> -> tensor<16x8xbf16>
  return %0 : tensor<16x8xbf16>
}

// -----

func.func @embedding_grad_indices(%g: tensor<4x8xf32>, %i: tensor<2x2xi32>) -> tensor<16x8xf32> {
  // expected-error @+1 {{'fm.embedding_grad' op grad 'tensor<4x8xf32>' must have the indices' shape 'tensor<2x2xi32>' followed by the feature axis}}
  %0 = fm.embedding_grad %g[%i] : tensor<4x8xf32>, tensor<2x2xi32> -> tensor<16x8xf32>
  return %0 : tensor<16x8xf32>
}

// -----

func.func @layer_norm_grad_negative_eps(%a: tensor<4x8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'fm.layer_norm_grad' op eps must be non-negative}}
  %0:3 = fm.layer_norm_grad %a, %a eps -1.0 : tensor<4x8xf32>
  return %0#0 : tensor<4x8xf32>
}

// -----

func.func @rms_norm_grad_negative_eps(%a: tensor<4x8xf32>) -> tensor<4x8xf32> {
  // expected-error @+1 {{'fm.rms_norm_grad' op eps must be non-negative}}
  %0:2 = fm.rms_norm_grad %a, %a eps -1.0 : tensor<4x8xf32>
  return %0#0 : tensor<4x8xf32>
}

// -----

//===----------------------------------------------------------------------===//
// Kernel-level ops: fm.fusion and fm.yield
//===----------------------------------------------------------------------===//

func.func @fusion_kind(%a: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'fm.fusion' op kind must be "gemm", "reduction" or "elementwise", got "matmul"}}
  %0 = fm.fusion kind "matmul" (%a) : (tensor<4xf32>) -> tensor<4xf32> {
  ^bb0(%x: tensor<4xf32>):
    fm.yield %x : tensor<4xf32>
  }
  return %0 : tensor<4xf32>
}

// -----

func.func @fusion_argument_types(%a: tensor<4xf32>) -> tensor<4xf16> {
  // expected-error @+1 {{'fm.fusion' op body arguments ('tensor<4xf16>') must have the operand types ('tensor<4xf32>')}}
  %0 = fm.fusion (%a) : (tensor<4xf32>) -> tensor<4xf16> {
  ^bb0(%x: tensor<4xf16>):
    fm.yield %x : tensor<4xf16>
  }
  return %0 : tensor<4xf16>
}

// -----

func.func @fusion_argument_count(%a: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'fm.fusion' op body arguments () must have the operand types ('tensor<4xf32>')}}
  %0 = fm.fusion (%a) : (tensor<4xf32>) -> tensor<4xf32> {
    %1 = fm.iota : tensor<4xf32>
    fm.yield %1 : tensor<4xf32>
  }
  return %0 : tensor<4xf32>
}

// -----

func.func @fusion_yield_types(%a: tensor<4xf32>) -> tensor<2x2xf32> {
  %0 = fm.fusion (%a) : (tensor<4xf32>) -> tensor<2x2xf32> {
  ^bb0(%x: tensor<4xf32>):
    // expected-error @+1 {{'fm.yield' op yields ('tensor<4xf32>') but the fusion returns ('tensor<2x2xf32>')}}
    fm.yield %x : tensor<4xf32>
  }
  return %0 : tensor<2x2xf32>
}

// -----

func.func @fusion_other_dialect(%a: tensor<4xf32>) -> tensor<4xf32> {
  %0 = fm.fusion (%a) : (tensor<4xf32>) -> tensor<4xf32> {
  ^bb0(%x: tensor<4xf32>):
    // expected-error @+1 {{'arith.addf' op cannot be in an fm.fusion body, which holds fm ops only}}
    %1 = arith.addf %x, %x : tensor<4xf32>
    fm.yield %1 : tensor<4xf32>
  }
  return %0 : tensor<4xf32>
}

// -----

func.func @fusion_nested(%a: tensor<4xf32>) -> tensor<4xf32> {
  %0 = fm.fusion (%a) : (tensor<4xf32>) -> tensor<4xf32> {
  ^bb0(%x: tensor<4xf32>):
    // expected-error @+1 {{'fm.fusion' op cannot be nested in another fm.fusion}}
    %1 = fm.fusion (%x) : (tensor<4xf32>) -> tensor<4xf32> {
    ^bb0(%y: tensor<4xf32>):
      fm.yield %y : tensor<4xf32>
    }
    fm.yield %1 : tensor<4xf32>
  }
  return %0 : tensor<4xf32>
}

// -----

func.func @fusion_isolated(%a: tensor<4xf32>) -> tensor<4xf32> {
  // expected-note @+1 {{required by region isolation constraints}}
  %0 = fm.fusion () : () -> tensor<4xf32> {
    // expected-error @+1 {{'fm.exp' op using value defined outside the region}}
    %1 = fm.exp %a : tensor<4xf32>
    fm.yield %1 : tensor<4xf32>
  }
  return %0 : tensor<4xf32>
}

// -----

func.func @fusion_no_yield(%a: tensor<4xf32>) -> tensor<4xf32> {
  %0 = fm.fusion (%a) : (tensor<4xf32>) -> tensor<4xf32> {
  ^bb0(%x: tensor<4xf32>):
    // expected-error @+1 {{block with no terminator}}
    %1 = fm.exp %x : tensor<4xf32>
  }
  return %0 : tensor<4xf32>
}

// -----

func.func @yield_outside_fusion(%a: tensor<4xf32>) {
  // expected-error @+1 {{'fm.yield' op expects parent op 'fm.fusion'}}
  fm.yield %a : tensor<4xf32>
}

// -----

//===----------------------------------------------------------------------===//
// fm.memory_plan, fm-plan-memory's summary on a function
//===----------------------------------------------------------------------===//

func.func @memory_plan_on_op(%a: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'fm.memory_plan' must be a dictionary of integers on a function}}
  %0 = fm.exp %a {fm.memory_plan = {peak = 16}} : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// expected-error @+1 {{'fm.memory_plan' must be a dictionary of integers on a function}}
func.func @memory_plan_entries() attributes {fm.memory_plan = {peak = "16"}} {
  return
}

// -----

//===----------------------------------------------------------------------===//
// FP8 ops
//===----------------------------------------------------------------------===//

func.func @quantize_to_wide(%x: tensor<4x16xf32>, %s: tensor<f32>) {
  // expected-error @+1 {{result #0 must be statically shaped tensor of f8E4M3FN type or f8E5M2 type values}}
  %q = fm.quantize %x, %s : tensor<4x16xf32>, tensor<f32> -> tensor<4x16xbf16>
  return
}

// -----

func.func @quantize_shape(%x: tensor<4x16xf32>, %s: tensor<f32>) {
  // expected-error @+1 {{result shape 'tensor<4x8xf8E4M3FN>' differs from the input's, 'tensor<4x16xf32>'}}
  %q = fm.quantize %x, %s : tensor<4x16xf32>, tensor<f32> -> tensor<4x8xf8E4M3FN>
  return
}

// -----

func.func @quantize_group_does_not_divide(%x: tensor<4x16xf32>, %s: tensor<4x3xf32>) {
  // expected-error @+1 {{group 5 does not divide axis 1 of size 16}}
  %q = fm.quantize %x, %s group 5 : tensor<4x16xf32>, tensor<4x3xf32> -> tensor<4x16xf8E4M3FN>
  return
}

// -----

func.func @quantize_group_zero(%x: tensor<4x16xf32>, %s: tensor<4x3xf32>) {
  // expected-error @+1 {{group 0 does not divide axis 1 of size 16}}
  %q = fm.quantize %x, %s group 0 : tensor<4x16xf32>, tensor<4x3xf32> -> tensor<4x16xf8E4M3FN>
  return
}

// -----

func.func @quantize_scale_shape(%x: tensor<4x16xf32>, %s: tensor<4x2xf32>) {
  // expected-error @+1 {{scale shape 'tensor<4x2xf32>' should be 'tensor<4x4xf32>'}}
  %q = fm.quantize %x, %s group 4 : tensor<4x16xf32>, tensor<4x2xf32> -> tensor<4x16xf8E4M3FN>
  return
}

// -----

func.func @quantize_per_tensor_scale(%x: tensor<4x16xf32>, %s: tensor<4xf32>) {
  // expected-error @+1 {{scale shape 'tensor<4xf32>' should be 'tensor<f32>'}}
  %q = fm.quantize %x, %s : tensor<4x16xf32>, tensor<4xf32> -> tensor<4x16xf8E4M3FN>
  return
}

// -----

func.func @quantize_axis_without_group(%x: tensor<4x16xf32>, %s: tensor<f32>) {
  // expected-error @+1 {{`axis` needs `group`}}
  %q = fm.quantize %x, %s axis 0 : tensor<4x16xf32>, tensor<f32> -> tensor<4x16xf8E4M3FN>
  return
}

// -----

func.func @quantize_axis_range(%x: tensor<4x16xf32>, %s: tensor<4x4xf32>) {
  // expected-error @+1 {{axis 2 is out of range for rank 2}}
  %q = fm.quantize %x, %s group 4 axis 2 : tensor<4x16xf32>, tensor<4x4xf32> -> tensor<4x16xf8E4M3FN>
  return
}

// -----

func.func @quantize_rank0_group(%x: tensor<f32>, %s: tensor<f32>) {
  // expected-error @+1 {{a rank-0 tensor cannot be grouped}}
  %q = fm.quantize %x, %s group 1 : tensor<f32>, tensor<f32> -> tensor<f8E4M3FN>
  return
}

// -----

func.func @dequantize_from_wide(%q: tensor<4x16xf32>, %s: tensor<f32>) {
  // expected-error @+1 {{operand #0 must be statically shaped tensor of f8E4M3FN type or f8E5M2 type values}}
  %x = fm.dequantize %q, %s : tensor<4x16xf32>, tensor<f32> -> tensor<4x16xf32>
  return
}

// -----

func.func @scaled_matmul_wide_operand(%a: tensor<4x8xbf16>, %b: tensor<8x2xf8E4M3FN>, %s: tensor<f32>) {
  // expected-error @+1 {{operand #0 must be statically shaped tensor of f8E4M3FN type or f8E5M2 type values}}
  %y = fm.scaled_matmul %a, %s, %b, %s : tensor<4x8xbf16>, tensor<8x2xf8E4M3FN> -> tensor<4x2xf32>
  return
}

// -----

func.func @scaled_matmul_contracted(%a: tensor<4x8xf8E4M3FN>, %b: tensor<7x2xf8E4M3FN>, %s: tensor<f32>) {
  // expected-error @+1 {{contracted sizes differ: lhs has 8, rhs has 7}}
  %y = fm.scaled_matmul %a, %s, %b, %s : tensor<4x8xf8E4M3FN>, tensor<7x2xf8E4M3FN> -> tensor<4x2xf32>
  return
}

// -----

func.func @scaled_matmul_result(%a: tensor<4x8xf8E4M3FN>, %b: tensor<8x2xf8E5M2>, %s: tensor<f32>) {
  // expected-error @+1 {{result shape 'tensor<2x4xf32>' should be 'tensor<4x2xf32>'}}
  %y = fm.scaled_matmul %a, %s, %b, %s : tensor<4x8xf8E4M3FN>, tensor<8x2xf8E5M2> -> tensor<2x4xf32>
  return
}

// -----

func.func @scaled_matmul_per_group_scale(%a: tensor<4x8xf8E4M3FN>, %b: tensor<8x2xf8E4M3FN>, %s: tensor<4xf32>, %t: tensor<f32>) {
  // expected-error @+1 {{operand #1 must be 0D tensor of 32-bit float values}}
  %y = "fm.scaled_matmul"(%a, %s, %b, %t) : (tensor<4x8xf8E4M3FN>, tensor<4xf32>, tensor<8x2xf8E4M3FN>, tensor<f32>) -> tensor<4x2xf32>
  return
}

// -----

func.func @quantize_expanded_group(%m: tensor<4x100xf32>) {
  // expected-error @+1 {{group 128 does not divide axis 1 of size 100}}
  %q, %s, %k, %c = fm.quantize_expanded %m group 128 : tensor<4x100xf32> -> tensor<4x100xf8E4M3FN>, tensor<4x1xf32>
  return
}

// -----

func.func @dequantize_expanded_metadata(%q: tensor<4x256xf8E4M3FN>, %s: tensor<4x2xf32>, %k: tensor<4x1xf32>) {
  // expected-error @+1 {{'fm.dequantize_expanded' op failed to verify that all of {scale, exponent, centre} have same type}}
  %m = "fm.dequantize_expanded"(%q, %s, %k, %s) <{group = 128 : i64}> : (tensor<4x256xf8E4M3FN>, tensor<4x2xf32>, tensor<4x1xf32>, tensor<4x2xf32>) -> tensor<4x256xf32>
  return
}

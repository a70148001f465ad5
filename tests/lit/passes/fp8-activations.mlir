// RUN: fmc-opt %s -split-input-file -pass-pipeline='builtin.module(fm-autodiff,fm-fp8-activations)' | FileCheck %s
// RUN: fmc-opt %s -split-input-file -pass-pipeline='builtin.module(fm-autodiff,fm-fp8-activations{group=32})' | FileCheck %s --check-prefix=G32

// The GELU input that gelu_grad reads is quantized to E4M3 in 1x16 groups
// where it is made (group amaxes of the [4, 2, 16] view over 448) and
// dequantized just before the backward pass reads it; the forward GELU
// keeps the f32 value. The function without a loss is left alone.
// CHECK-LABEL: func.func @f(
// CHECK-NOT: fm.quantize
// CHECK-LABEL: func.func @f_grad
// CHECK: %[[H:.+]] = fm.matmul
// CHECK: %[[GROUPED:.+]] = fm.reshape %[[H]] : tensor<4x32xf32> -> tensor<4x2x16xf32>
// CHECK: %[[ABS:.+]] = fm.abs %[[GROUPED]]
// CHECK: %[[AMAX:.+]] = fm.reduce_max %[[ABS]] axes [-1] : tensor<4x2x16xf32>
// CHECK: %[[FLOORED:.+]] = fm.max %[[AMAX]], %{{.+}} : tensor<4x2xf32>, tensor<f32>
// CHECK: %[[SCALE:.+]] = fm.div %[[FLOORED]], %{{.+}} : tensor<4x2xf32>, tensor<f32>
// CHECK: %[[Q:.+]] = fm.quantize %[[H]], %[[SCALE]] group 16 : tensor<4x32xf32>, tensor<4x2xf32> -> tensor<4x32xf8E4M3FN>
// CHECK: fm.gelu %[[H]] : tensor<4x32xf32>
// CHECK: %[[RESTORED:.+]] = fm.dequantize %[[Q]], %[[SCALE]] group 16 : tensor<4x32xf8E4M3FN>, tensor<4x2xf32> -> tensor<4x32xf32>
// CHECK-NEXT: fm.gelu_grad %[[RESTORED]], %{{.+}} : tensor<4x32xf32>
// G32-LABEL: func.func @f_grad
// G32: fm.quantize %{{.+}}, %{{.+}} group 32 : tensor<4x32xf32>, tensor<4x1xf32> -> tensor<4x32xf8E4M3FN>
func.func @f(%w: tensor<16x32xf32> {fm.name = "w", fm.param}, %x: tensor<4x16xf32> {fm.name = "x", fm.data}) -> (tensor<f32> {fm.name = "loss"}) {
  %h = fm.matmul %x, %w : tensor<4x16xf32>, tensor<16x32xf32>
  %g = fm.gelu %h : tensor<4x32xf32>
  %l = fm.reduce_sum %g : tensor<4x32xf32>
  return %l : tensor<f32>
}

// -----

// A saved tensor whose last axis does not split into groups of 16 stays.
// CHECK-LABEL: func.func @odd_grad
// CHECK-NOT: fm.quantize
// CHECK: fm.gelu_grad
func.func @odd(%w: tensor<16x24xf32> {fm.name = "w", fm.param}, %x: tensor<4x16xf32> {fm.name = "x", fm.data}) -> (tensor<f32> {fm.name = "loss"}) {
  %h = fm.matmul %x, %w : tensor<4x16xf32>, tensor<16x24xf32>
  %g = fm.gelu %h : tensor<4x24xf32>
  %l = fm.reduce_sum %g : tensor<4x24xf32>
  return %l : tensor<f32>
}


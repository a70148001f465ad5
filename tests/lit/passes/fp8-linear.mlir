// RUN: fmc-opt %s -split-input-file -fm-fp8-linear | FileCheck %s

// A forward matmul (the loss depends on it): both operands are quantized
// to E4M3 with the current amax of the tensor, floored, over 448.
// CHECK-LABEL: func.func @forward
// CHECK-SAME: (%[[X:.+]]: tensor<4x8xf32>, %[[W:.+]]: tensor<8x2xf32>)
// CHECK: %[[XABS:.+]] = fm.abs %[[X]] : tensor<4x8xf32>
// CHECK: %[[XAMAX:.+]] = fm.reduce_max %[[XABS]] : tensor<4x8xf32>
// CHECK: %[[FLOOR:.+]] = fm.constant dense<1.000000e-30> : tensor<f32>
// CHECK: %[[XFLOORED:.+]] = fm.max %[[XAMAX]], %[[FLOOR]] : tensor<f32>
// CHECK: %[[FMAX:.+]] = fm.constant dense<4.480000e+02> : tensor<f32>
// CHECK: %[[XSCALE:.+]] = fm.div %[[XFLOORED]], %[[FMAX]] : tensor<f32>
// CHECK: %[[XQ:.+]] = fm.quantize %[[X]], %[[XSCALE]] : tensor<4x8xf32>, tensor<f32> -> tensor<4x8xf8E4M3FN>
// CHECK: %[[WQ:.+]] = fm.quantize %[[W]], %{{.+}} : tensor<8x2xf32>, tensor<f32> -> tensor<8x2xf8E4M3FN>
// CHECK: fm.scaled_matmul %[[XQ]], %[[XSCALE]], %[[WQ]], %{{.+}} : tensor<4x8xf8E4M3FN>, tensor<8x2xf8E4M3FN> -> tensor<4x2xf32>
// CHECK-NOT: fm.matmul
func.func @forward(%x: tensor<4x8xf32>, %w: tensor<8x2xf32>) -> tensor<f32> {
  %y = fm.matmul %x, %w : tensor<4x8xf32>, tensor<8x2xf32>
  %loss = fm.reduce_sum %y : tensor<4x2xf32>
  return %loss : tensor<f32>
}

// -----

// A backward matmul (the loss does not depend on it): the gradient operand
// becomes E5M2 (fmax 57344), the saved forward input E4M3; transposes stay.
// CHECK-LABEL: func.func @weight_gradient
// CHECK-SAME: (%[[X:.+]]: tensor<4x8xf32>, %[[DY:.+]]: tensor<4x2xf32>)
// CHECK: fm.constant dense<5.734400e+04> : tensor<f32>
// CHECK: %[[XQ:.+]] = fm.quantize %[[X]], %{{.+}} : tensor<4x8xf32>, tensor<f32> -> tensor<4x8xf8E4M3FN>
// CHECK: %[[GQ:.+]] = fm.quantize %{{.+}}, %{{.+}} : tensor<4x2xf32>, tensor<f32> -> tensor<4x2xf8E5M2>
// CHECK: fm.scaled_matmul %[[XQ]], %{{.+}}, %[[GQ]], %{{.+}} transpose_a : tensor<4x8xf8E4M3FN>, tensor<4x2xf8E5M2> -> tensor<8x2xf32>
func.func @weight_gradient(%x: tensor<4x8xf32>, %dy: tensor<4x2xf32>) -> (tensor<f32>, tensor<8x2xf32>) {
  %loss = fm.reduce_sum %x : tensor<4x8xf32>
  %g = fm.mul %dy, %dy : tensor<4x2xf32>, tensor<4x2xf32>
  %dw = fm.matmul %x, %g transpose_a : tensor<4x8xf32>, tensor<4x2xf32>
  return %loss, %dw : tensor<f32>, tensor<8x2xf32>
}

// -----

// Without a scalar loss every operand is a forward tensor; a bf16 amax is
// widened to f32 for the scale, and the result keeps the matmul's type.
// CHECK-LABEL: func.func @no_loss
// CHECK: %[[AMAX:.+]] = fm.reduce_max %{{.+}} : tensor<2x3xbf16>
// CHECK: fm.cast %[[AMAX]] : tensor<bf16> -> tensor<f32>
// CHECK-NOT: f8E5M2
// CHECK: fm.scaled_matmul {{.+}} -> tensor<2x2xbf16>
func.func @no_loss(%a: tensor<2x3xbf16>, %b: tensor<3x2xbf16>) -> tensor<2x2xbf16> {
  %y = fm.matmul %a, %b : tensor<2x3xbf16>, tensor<3x2xbf16>
  return %y : tensor<2x2xbf16>
}

// -----

// A matmul inside a fusion (fm-fuse ran first): its operands are the
// fusion's block arguments, so their scales are computed inside the body,
// which sees nothing else. Found by fmc fuzz (the scale was placed at the
// top of the function, out of the body's reach).
// CHECK-LABEL: func.func @in_fusion
// CHECK: fm.fusion
// CHECK-NEXT: ^bb0(%[[A:.+]]: tensor<4x8xf32>, %[[B:.+]]: tensor<8x2xf32>):
// CHECK: %[[AMAX:.+]] = fm.reduce_max {{.*}}
// CHECK: fm.quantize %[[A]]
// CHECK: fm.scaled_matmul
// CHECK: fm.yield
func.func @in_fusion(%a: tensor<4x8xf32>, %b: tensor<8x2xf32>) -> tensor<4x2xf32> {
  %0 = fm.fusion kind "reduction" (%a, %b) : (tensor<4x8xf32>, tensor<8x2xf32>) -> tensor<4x2xf32> {
  ^bb0(%x: tensor<4x8xf32>, %y: tensor<8x2xf32>):
    %1 = fm.matmul %x, %y : tensor<4x8xf32>, tensor<8x2xf32>
    fm.yield %1 : tensor<4x2xf32>
  }
  return %0 : tensor<4x2xf32>
}

// -----

// A GEMM that already reads FP8 tensors has nothing to quantize: it stays.
// Found by fmc fuzz (fm.quantize of an FP8 tensor did not verify).
// CHECK-LABEL: func.func @already_fp8
// CHECK-NOT: fm.quantize
// CHECK: fm.matmul
func.func @already_fp8(%a: tensor<4x8xf8E4M3FN>, %b: tensor<8x2xf8E4M3FN>) -> tensor<4x2xf8E4M3FN> {
  %0 = fm.matmul %a, %b : tensor<4x8xf8E4M3FN>, tensor<8x2xf8E4M3FN>
  return %0 : tensor<4x2xf8E4M3FN>
}

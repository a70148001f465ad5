// RUN: fmc-opt %s -fm-autodiff=function=second | FileCheck %s
// RUN: fmc-opt %s -fm-autodiff | FileCheck %s --check-prefix=ALL

// `function=` differentiates only the named loss; without it, every loss.

// CHECK: func.func @first(
// CHECK-NOT: func.func @first_grad(
// CHECK: func.func @second(
// CHECK: func.func @second_grad(
// CHECK-SAME: -> (tensor<f32> {fm.name = "loss"}, tensor<3xf32> {fm.name = "grad.w"})
// CHECK-NOT: func.func @first_grad(

// ALL: func.func @first(
// ALL: func.func @first_grad(
// ALL-SAME: -> (tensor<f32> {fm.name = "loss"}, tensor<3xf32> {fm.name = "grad.v"})
// ALL: func.func @second(
// ALL: func.func @second_grad(

func.func @first(%v: tensor<3xf32> {fm.name = "v", fm.param}) -> tensor<f32> {
  %0 = fm.reduce_sum %v : tensor<3xf32>
  return %0 : tensor<f32>
}

func.func @second(%w: tensor<3xf32> {fm.name = "w", fm.param}) -> tensor<f32> {
  %0 = fm.mul %w, %w : tensor<3xf32>
  %1 = fm.reduce_mean %0 : tensor<3xf32>
  return %1 : tensor<f32>
}

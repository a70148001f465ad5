// RUN: fmc-opt %s -pass-pipeline='builtin.module(fm-train{function=f},fm-fp8-linear{recipe=delayed history=4 margin=1})' | FileCheck %s
// RUN: not fmc-opt %s -pass-pipeline='builtin.module(fm-fp8-linear{recipe=sometimes})' 2>&1 | FileCheck %s --check-prefix=RECIPE

// Delayed scaling: in the gradient function every quantized tensor gets an
// amax history argument (state) and returns the rolled history; the scale
// is max(history) * 2^margin / fmax, or the tensor's own amax while the
// history is all zero. @train_step threads the histories as state. The
// forward function @f, which no step runs, keeps current scaling.
// CHECK-LABEL: func.func @f(
// CHECK-NOT: amax_history
// CHECK-LABEL: func.func @f_grad
// CHECK-SAME: %[[H0:[a-z0-9]+]]: tensor<4xf32> {fm.name = "fp8.amax_history.0", fm.state}
// CHECK-SAME: tensor<4xf32> {fm.feeds = {{[0-9]+}} : i64, fm.name = "fp8.amax_history.0"}
// CHECK: %[[AMAX:.+]] = fm.reduce_max %{{.+}} : tensor<4x16xf32>
// CHECK: %[[PAST:.+]] = fm.reduce_max %[[H0]] : tensor<4xf32>
// CHECK: %[[SEEN:.+]] = fm.gt %[[PAST]], %{{.+}} : tensor<f32>
// CHECK: %[[TWO:.+]] = fm.constant dense<2.000000e+00> : tensor<f32>
// CHECK: %[[DELAYED:.+]] = fm.mul %[[PAST]], %[[TWO]] : tensor<f32>
// CHECK: %[[CHOSEN:.+]] = fm.select %[[SEEN]], %[[DELAYED]], %[[AMAX]]
// CHECK: %[[KEPT:.+]] = fm.slice %[[H0]] start [1] limit [4] : tensor<4xf32>
// CHECK: %[[LATEST:.+]] = fm.reshape %[[AMAX]] : tensor<f32> -> tensor<1xf32>
// CHECK: fm.concat %[[KEPT]], %[[LATEST]] : tensor<3xf32>, tensor<1xf32>
// CHECK: fm.max %[[CHOSEN]]
// CHECK-LABEL: func.func @train_step
// CHECK-SAME: tensor<4xf32> {fm.name = "fp8.amax_history.0", fm.state}
// CHECK-SAME: tensor<4xf32> {fm.feeds = {{[0-9]+}} : i64, fm.name = "fp8.amax_history.0"}
// CHECK: call @f_grad
// RECIPE: fm-fp8-linear: unknown recipe 'sometimes' (expected current or delayed)
func.func @f(%w: tensor<16x32xf32> {fm.name = "w", fm.param}, %x: tensor<4x16xf32> {fm.name = "x", fm.data}) -> (tensor<f32> {fm.name = "loss"}) {
  %h = fm.matmul %x, %w : tensor<4x16xf32>, tensor<16x32xf32>
  %l = fm.reduce_sum %h : tensor<4x32xf32>
  return %l : tensor<f32>
}

// RUN: fmc-opt %s -fm-optimizer='function=g kind=sgd weight-decay=0' | FileCheck %s

// Two candidates: without `function` this is an error (see
// optimizer-invalid.mlir); `function=g` picks @g_grad and @g's signature.

func.func @f(%w: tensor<2xf32> {fm.name = "w", fm.param}) -> tensor<f32> {
  %0 = fm.reduce_sum %w : tensor<2xf32>
  return %0 : tensor<f32>
}

func.func @f_grad(%w: tensor<2xf32> {fm.name = "w", fm.param})
    -> (tensor<f32>, tensor<2xf32>) {
  %0 = fm.reduce_sum %w : tensor<2xf32>
  %1 = fm.constant dense<1.0> : tensor<2xf32>
  return %0, %1 : tensor<f32>, tensor<2xf32>
}

func.func @g(%v: tensor<3xf32> {fm.name = "v", fm.param}) -> tensor<f32> {
  %0 = fm.reduce_sum %v : tensor<3xf32>
  return %0 : tensor<f32>
}

func.func @g_grad(%v: tensor<3xf32> {fm.name = "v", fm.param})
    -> (tensor<f32>, tensor<3xf32>) {
  %0 = fm.reduce_sum %v : tensor<3xf32>
  %1 = fm.constant dense<1.0> : tensor<3xf32>
  return %0, %1 : tensor<f32>, tensor<3xf32>
}

// CHECK-LABEL: func.func @train_step(
// CHECK-SAME: %[[V:.*]]: tensor<3xf32> {fm.name = "v", fm.param},
// CHECK-SAME: %{{.*}}: tensor<i64> {fm.name = "step", fm.state})
// CHECK-SAME: -> (tensor<f32> {fm.name = "loss"},
// CHECK-SAME: tensor<3xf32> {fm.feeds = 0 : i64, fm.name = "v"},
// CHECK-SAME: tensor<i64> {fm.feeds = 1 : i64, fm.name = "step"})
// CHECK-NEXT: call @g_grad(%[[V]])
// CHECK-NOT: @f_grad

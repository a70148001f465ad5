// RUN: fmc-opt %s -pass-pipeline='builtin.module(fm-train{kind=sgd lr=0.1})' | FileCheck %s

// fm-train runs fm-autodiff, then fm-optimizer with the options given: the
// gradient of the real differentiator feeds an SGD step.

func.func @f(%x: tensor<4x3xf32> {fm.name = "x", fm.data},
             %w: tensor<3x2xf32> {fm.name = "w", fm.param},
             %b: tensor<2xf32> {fm.name = "b", fm.param}) -> tensor<f32> {
  %0 = fm.matmul %x, %w : tensor<4x3xf32>, tensor<3x2xf32>
  %1 = fm.add %0, %b : tensor<4x2xf32>, tensor<2xf32>
  %2 = fm.mul %1, %1 : tensor<4x2xf32>
  %3 = fm.reduce_mean %2 : tensor<4x2xf32>
  return %3 : tensor<f32>
}

// CHECK-LABEL: func.func @f_grad(
// CHECK-LABEL: func.func @train_step(
// CHECK-SAME: %[[W:.*]]: tensor<3x2xf32> {fm.name = "w", fm.param},
// CHECK-SAME: %[[B:.*]]: tensor<2xf32> {fm.name = "b", fm.param},
// CHECK-SAME: %[[STEP:.*]]: tensor<i64> {fm.name = "step", fm.state},
// CHECK-SAME: %[[X:.*]]: tensor<4x3xf32> {fm.data, fm.name = "x"})
// CHECK-SAME: -> (tensor<f32> {fm.name = "loss"},
// CHECK-SAME: tensor<3x2xf32> {fm.feeds = 0 : i64, fm.name = "w"},
// CHECK-SAME: tensor<2xf32> {fm.feeds = 1 : i64, fm.name = "b"},
// CHECK-SAME: tensor<i64> {fm.feeds = 2 : i64, fm.name = "step"})
// CHECK-NEXT: %[[G:.*]]:3 = call @f_grad(%[[X]], %[[W]], %[[B]])
// The default weight decay, as L2 for SGD, then p + (-lr) g.
// CHECK: %[[WD:.*]] = fm.constant dense<0.00999999977> : tensor<f32>
// CHECK-NEXT: %[[DECAY:.*]] = fm.mul %[[WD]], %[[W]] : tensor<f32>, tensor<3x2xf32>
// CHECK-NEXT: %[[GW:.*]] = fm.add %[[DECAY]], %[[G]]#1 : tensor<3x2xf32>
// CHECK-NEXT: %[[MINUS_LR:.*]] = fm.constant dense<-1.000000e-01> : tensor<f32>
// CHECK-NEXT: %[[DW:.*]] = fm.mul %[[MINUS_LR]], %[[GW]] : tensor<f32>, tensor<3x2xf32>
// CHECK-NEXT: %[[NEW_W:.*]] = fm.add %[[DW]], %[[W]] : tensor<3x2xf32>
// CHECK: return %[[G]]#0, %[[NEW_W]], %{{.*}}, %{{.*}} :

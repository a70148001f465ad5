// RUN: fmc-opt %s -split-input-file -fm-optimizer='lr=0.125 beta1=0.75 beta2=0.9375 eps=0.015625 weight-decay=0.25' | FileCheck %s --check-prefix=ADAMW
// RUN: fmc-opt %s -split-input-file -fm-optimizer | FileCheck %s --check-prefix=DEFAULT
// RUN: fmc-opt %s -split-input-file -fm-optimizer='kind=sgd lr=0.5 weight-decay=0' | FileCheck %s --check-prefix=SGD
// RUN: fmc-opt %s -split-input-file -fm-optimizer='kind=sgd lr=0.5 momentum=0.75 weight-decay=0.25' | FileCheck %s --check-prefix=MOMENTUM
// RUN: fmc-opt %s -split-input-file -fm-optimizer='kind=sgd lr=0.5 weight-decay=0 clip-norm=2.0' | FileCheck %s --check-prefix=CLIP

// Every RUN line sees every split, so each split has one loss function with
// its gradient function. The ADAMW hyper-parameters are exact in f32 and
// differ from each other and from 1 - beta1 = 0.25, 1 - beta2 = 0.0625 and
// 1 - lr * wd = 0.96875, so each constant below stands for one of them.

// A loss with two parameters among batch arguments, and its gradient written
// by hand (dloss/dw = x, dloss/db = 1). @helper_grad has no @helper and @g no
// @g_grad, so @f_grad is the only candidate.
func.func @f(%w: tensor<2xf32> {fm.name = "w", fm.param},
             %x: tensor<2xf32> {fm.name = "x", fm.data},
             %b: tensor<f32> {fm.name = "b", fm.param},
             %n: tensor<3xi32>) -> tensor<f32> {
  %0 = fm.mul %w, %x : tensor<2xf32>
  %1 = fm.reduce_sum %0 : tensor<2xf32>
  %2 = fm.add %1, %b : tensor<f32>
  return %2 : tensor<f32>
}

func.func @f_grad(%w: tensor<2xf32> {fm.name = "w", fm.param},
                  %x: tensor<2xf32> {fm.name = "x", fm.data},
                  %b: tensor<f32> {fm.name = "b", fm.param},
                  %n: tensor<3xi32>)
    -> (tensor<f32>, tensor<2xf32>, tensor<f32>) {
  %0 = fm.mul %w, %x : tensor<2xf32>
  %1 = fm.reduce_sum %0 : tensor<2xf32>
  %2 = fm.add %1, %b : tensor<f32>
  %one = fm.constant dense<1.0> : tensor<f32>
  return %2, %x, %one : tensor<f32>, tensor<2xf32>, tensor<f32>
}

func.func @helper_grad(%x: tensor<2xf32>) -> tensor<2xf32> {
  return %x : tensor<2xf32>
}

func.func @g(%x: tensor<f32>) -> tensor<f32> {
  return %x : tensor<f32>
}

// Params, then all first moments, then all second moments, then the step,
// then the batch (data and unmarked arguments alike, in @f's order). Each
// result after the loss feeds the argument at its own index minus one.
// ADAMW-LABEL: func.func @train_step(
// ADAMW-SAME: %[[W:.*]]: tensor<2xf32> {fm.name = "w", fm.param},
// ADAMW-SAME: %[[B:.*]]: tensor<f32> {fm.name = "b", fm.param},
// ADAMW-SAME: %[[MW:.*]]: tensor<2xf32> {fm.name = "adamw.m.w", fm.state},
// ADAMW-SAME: %[[MB:.*]]: tensor<f32> {fm.name = "adamw.m.b", fm.state},
// ADAMW-SAME: %[[VW:.*]]: tensor<2xf32> {fm.name = "adamw.v.w", fm.state},
// ADAMW-SAME: %[[VB:.*]]: tensor<f32> {fm.name = "adamw.v.b", fm.state},
// ADAMW-SAME: %[[STEP:.*]]: tensor<i64> {fm.name = "step", fm.state},
// ADAMW-SAME: %[[X:.*]]: tensor<2xf32> {fm.data, fm.name = "x"},
// ADAMW-SAME: %[[N:.*]]: tensor<3xi32>)
// ADAMW-SAME: -> (tensor<f32> {fm.name = "loss"},
// ADAMW-SAME: tensor<2xf32> {fm.feeds = 0 : i64, fm.name = "w"},
// ADAMW-SAME: tensor<f32> {fm.feeds = 1 : i64, fm.name = "b"},
// ADAMW-SAME: tensor<2xf32> {fm.feeds = 2 : i64, fm.name = "adamw.m.w"},
// ADAMW-SAME: tensor<f32> {fm.feeds = 3 : i64, fm.name = "adamw.m.b"},
// ADAMW-SAME: tensor<2xf32> {fm.feeds = 4 : i64, fm.name = "adamw.v.w"},
// ADAMW-SAME: tensor<f32> {fm.feeds = 5 : i64, fm.name = "adamw.v.b"},
// ADAMW-SAME: tensor<i64> {fm.feeds = 6 : i64, fm.name = "step"})
// ADAMW: %[[G:.*]]:3 = call @f_grad(%[[W]], %[[X]], %[[B]], %[[N]])
// ADAMW: %[[ONE_STEP:.*]] = fm.constant dense<1> : tensor<i64>
// ADAMW: %[[NEXT:.*]] = fm.add %[[STEP]], %[[ONE_STEP]] : tensor<i64>
// ADAMW: %[[T:.*]] = fm.cast %[[NEXT]] : tensor<i64> -> tensor<f32>
// Once per step: lr / (1 - beta1^t) and sqrt(1 - beta2^t).
// ADAMW: %[[LR:.*]] = fm.constant dense<1.250000e-01> : tensor<f32>
// ADAMW: %[[ONE:.*]] = fm.constant dense<1.000000e+00> : tensor<f32>
// ADAMW: %[[B1:.*]] = fm.constant dense<7.500000e-01> : tensor<f32>
// ADAMW: %[[B1T:.*]] = fm.pow %[[B1]], %[[T]] : tensor<f32>
// ADAMW: %[[BC1:.*]] = fm.sub %[[ONE]], %[[B1T]] : tensor<f32>
// ADAMW: %[[STEP_SIZE:.*]] = fm.div %[[LR]], %[[BC1]] : tensor<f32>
// ADAMW: %[[B2:.*]] = fm.constant dense<9.375000e-01> : tensor<f32>
// ADAMW: %[[B2T:.*]] = fm.pow %[[B2]], %[[T]] : tensor<f32>
// ADAMW: %[[BC2:.*]] = fm.sub %[[ONE]], %[[B2T]] : tensor<f32>
// ADAMW: %[[SQRT_BC2:.*]] = fm.sqrt %[[BC2]] : tensor<f32>
// w: m = b1 m + (1 - b1) g, v = b2 v + (1 - b2) g^2,
// p = (1 - lr wd) p - step_size * m / (sqrt(v) / sqrt(bc2) + eps).
// ADAMW: %[[M1:.*]] = fm.mul %[[B1]], %[[MW]] : tensor<f32>, tensor<2xf32>
// ADAMW: %[[ONE_B1:.*]] = fm.constant dense<2.500000e-01> : tensor<f32>
// ADAMW: %[[M2:.*]] = fm.mul %[[ONE_B1]], %[[G]]#1 : tensor<f32>, tensor<2xf32>
// ADAMW: %[[NEW_MW:.*]] = fm.add %[[M1]], %[[M2]] : tensor<2xf32>
// ADAMW: %[[GG:.*]] = fm.mul %[[G]]#1, %[[G]]#1 : tensor<2xf32>
// ADAMW: %[[V1:.*]] = fm.mul %[[B2]], %[[VW]] : tensor<f32>, tensor<2xf32>
// ADAMW: %[[ONE_B2:.*]] = fm.constant dense<6.250000e-02> : tensor<f32>
// ADAMW: %[[V2:.*]] = fm.mul %[[ONE_B2]], %[[GG]] : tensor<f32>, tensor<2xf32>
// ADAMW: %[[NEW_VW:.*]] = fm.add %[[V1]], %[[V2]] : tensor<2xf32>
// ADAMW: %[[SQRT_V:.*]] = fm.sqrt %[[NEW_VW]] : tensor<2xf32>
// ADAMW: %[[V_HAT:.*]] = fm.div %[[SQRT_V]], %[[SQRT_BC2]] : tensor<2xf32>, tensor<f32>
// ADAMW: %[[EPS:.*]] = fm.constant dense<1.562500e-02> : tensor<f32>
// ADAMW: %[[DENOM:.*]] = fm.add %[[V_HAT]], %[[EPS]] : tensor<2xf32>, tensor<f32>
// ADAMW: %[[DECAY:.*]] = fm.constant dense<9.687500e-01> : tensor<f32>
// ADAMW: %[[DECAYED:.*]] = fm.mul %[[DECAY]], %[[W]] : tensor<f32>, tensor<2xf32>
// ADAMW: %[[RATIO:.*]] = fm.div %[[NEW_MW]], %[[DENOM]] : tensor<2xf32>
// ADAMW: %[[DELTA:.*]] = fm.mul %[[STEP_SIZE]], %[[RATIO]] : tensor<f32>, tensor<2xf32>
// ADAMW: %[[NEW_W:.*]] = fm.sub %[[DECAYED]], %[[DELTA]] : tensor<2xf32>
// b: the same ops on rank 0, with the same constants.
// ADAMW: %[[NEW_MB:.*]] = fm.add %{{.*}}, %{{.*}} : tensor<f32>
// ADAMW: fm.mul %[[G]]#2, %[[G]]#2 : tensor<f32>
// ADAMW: %[[NEW_VB:.*]] = fm.add %{{.*}}, %{{.*}} : tensor<f32>
// ADAMW: fm.add %{{.*}}, %[[EPS]] : tensor<f32>
// ADAMW: fm.mul %[[DECAY]], %[[B]] : tensor<f32>
// ADAMW: %[[NEW_B:.*]] = fm.sub %{{.*}}, %{{.*}} : tensor<f32>
// ADAMW-NEXT: return %[[G]]#0, %[[NEW_W]], %[[NEW_B]], %[[NEW_MW]], %[[NEW_MB]], %[[NEW_VW]], %[[NEW_VB]], %[[NEXT]] :

// PyTorch's defaults (weight decay 0.01 as AdamW's), rounded to f32.
// DEFAULT-LABEL: func.func @train_step(
// DEFAULT: fm.constant dense<1.000000e-03> : tensor<f32>
// DEFAULT: fm.constant dense<0.899999976> : tensor<f32>
// DEFAULT: fm.constant dense<9.990000e-01> : tensor<f32>
// DEFAULT: fm.constant dense<1.000000e-01> : tensor<f32>
// DEFAULT: fm.constant dense<9.99999993E-9> : tensor<f32>
// DEFAULT: fm.constant dense<0.999989986> : tensor<f32>
// DEFAULT-NOT: fm.min

// Plain SGD keeps no state, and without weight decay p = p + (-lr) g is all.
// SGD-LABEL: func.func @train_step(
// SGD-SAME: %[[W:.*]]: tensor<2xf32> {fm.name = "w", fm.param},
// SGD-SAME: %[[B:.*]]: tensor<f32> {fm.name = "b", fm.param},
// SGD-SAME: %[[STEP:.*]]: tensor<i64> {fm.name = "step", fm.state},
// SGD-SAME: %[[X:.*]]: tensor<2xf32> {fm.data, fm.name = "x"},
// SGD-SAME: %[[N:.*]]: tensor<3xi32>)
// SGD-SAME: -> (tensor<f32> {fm.name = "loss"},
// SGD-SAME: tensor<2xf32> {fm.feeds = 0 : i64, fm.name = "w"},
// SGD-SAME: tensor<f32> {fm.feeds = 1 : i64, fm.name = "b"},
// SGD-SAME: tensor<i64> {fm.feeds = 2 : i64, fm.name = "step"})
// SGD-NEXT: %[[G:.*]]:3 = call @f_grad(%[[W]], %[[X]], %[[B]], %[[N]])
// SGD-NEXT: %[[ONE:.*]] = fm.constant dense<1> : tensor<i64>
// SGD-NEXT: %[[NEXT:.*]] = fm.add %[[STEP]], %[[ONE]] : tensor<i64>
// SGD-NEXT: %[[MINUS_LR:.*]] = fm.constant dense<-5.000000e-01> : tensor<f32>
// SGD-NEXT: %[[DW:.*]] = fm.mul %[[MINUS_LR]], %[[G]]#1 : tensor<f32>, tensor<2xf32>
// SGD-NEXT: %[[NEW_W:.*]] = fm.add %[[DW]], %[[W]] : tensor<2xf32>
// SGD-NEXT: %[[DB:.*]] = fm.mul %[[MINUS_LR]], %[[G]]#2 : tensor<f32>
// SGD-NEXT: %[[NEW_B:.*]] = fm.add %[[DB]], %[[B]] : tensor<f32>
// SGD-NEXT: return %[[G]]#0, %[[NEW_W]], %[[NEW_B]], %[[NEXT]] :

// With momentum: g = g + wd p, buf = momentum buf + g, p = p + (-lr) buf.
// MOMENTUM-LABEL: func.func @train_step(
// MOMENTUM-SAME: %[[W:.*]]: tensor<2xf32> {fm.name = "w", fm.param},
// MOMENTUM-SAME: %[[B:.*]]: tensor<f32> {fm.name = "b", fm.param},
// MOMENTUM-SAME: %[[BUF_W:.*]]: tensor<2xf32> {fm.name = "sgd.momentum.w", fm.state},
// MOMENTUM-SAME: %[[BUF_B:.*]]: tensor<f32> {fm.name = "sgd.momentum.b", fm.state},
// MOMENTUM-SAME: %[[STEP:.*]]: tensor<i64> {fm.name = "step", fm.state},
// MOMENTUM-SAME: tensor<2xf32> {fm.feeds = 2 : i64, fm.name = "sgd.momentum.w"},
// MOMENTUM-SAME: tensor<f32> {fm.feeds = 3 : i64, fm.name = "sgd.momentum.b"},
// MOMENTUM-SAME: tensor<i64> {fm.feeds = 4 : i64, fm.name = "step"})
// MOMENTUM: %[[G:.*]]:3 = call @f_grad(
// MOMENTUM: %[[NEXT:.*]] = fm.add %[[STEP]], %{{.*}} : tensor<i64>
// MOMENTUM-NEXT: %[[WD:.*]] = fm.constant dense<2.500000e-01> : tensor<f32>
// MOMENTUM-NEXT: %[[DECAY:.*]] = fm.mul %[[WD]], %[[W]] : tensor<f32>, tensor<2xf32>
// MOMENTUM-NEXT: %[[GW:.*]] = fm.add %[[DECAY]], %[[G]]#1 : tensor<2xf32>
// MOMENTUM-NEXT: %[[MOM:.*]] = fm.constant dense<7.500000e-01> : tensor<f32>
// MOMENTUM-NEXT: %[[KEPT:.*]] = fm.mul %[[MOM]], %[[BUF_W]] : tensor<f32>, tensor<2xf32>
// MOMENTUM-NEXT: %[[NEW_BUF_W:.*]] = fm.add %[[KEPT]], %[[GW]] : tensor<2xf32>
// MOMENTUM-NEXT: %[[MINUS_LR:.*]] = fm.constant dense<-5.000000e-01> : tensor<f32>
// MOMENTUM-NEXT: %[[DW:.*]] = fm.mul %[[MINUS_LR]], %[[NEW_BUF_W]] : tensor<f32>, tensor<2xf32>
// MOMENTUM-NEXT: %[[NEW_W:.*]] = fm.add %[[DW]], %[[W]] : tensor<2xf32>
// MOMENTUM: fm.mul %[[MOM]], %[[BUF_B]] : tensor<f32>
// MOMENTUM-NEXT: %[[NEW_BUF_B:.*]] = fm.add
// MOMENTUM: %[[NEW_B:.*]] = fm.add %{{.*}}, %[[B]] : tensor<f32>
// MOMENTUM-NEXT: return %[[G]]#0, %[[NEW_W]], %[[NEW_B]], %[[NEW_BUF_W]], %[[NEW_BUF_B]], %[[NEXT]] :

// Clipping first: coef = min(1, clip / (sqrt(sum(g_w^2) + sum(g_b^2)) + 1e-6))
// scales every gradient before the update.
// CLIP-LABEL: func.func @train_step(
// CLIP: %[[G:.*]]:3 = call @f_grad(
// CLIP-NEXT: %[[SQ_W:.*]] = fm.mul %[[G]]#1, %[[G]]#1 : tensor<2xf32>
// CLIP-NEXT: %[[SUM_W:.*]] = fm.reduce_sum %[[SQ_W]] : tensor<2xf32>
// CLIP-NEXT: %[[SQ_B:.*]] = fm.mul %[[G]]#2, %[[G]]#2 : tensor<f32>
// CLIP-NEXT: %[[SUM_B:.*]] = fm.reduce_sum %[[SQ_B]] : tensor<f32>
// CLIP-NEXT: %[[SUM:.*]] = fm.add %[[SUM_W]], %[[SUM_B]] : tensor<f32>
// CLIP-NEXT: %[[NORM:.*]] = fm.sqrt %[[SUM]] : tensor<f32>
// CLIP-NEXT: %[[ONE:.*]] = fm.constant dense<1.000000e+00> : tensor<f32>
// CLIP-NEXT: %[[CLIP:.*]] = fm.constant dense<2.000000e+00> : tensor<f32>
// CLIP-NEXT: %[[TINY:.*]] = fm.constant dense<9.99999997E-7> : tensor<f32>
// CLIP-NEXT: %[[SHIFTED:.*]] = fm.add %[[NORM]], %[[TINY]] : tensor<f32>
// CLIP-NEXT: %[[RATIO:.*]] = fm.div %[[CLIP]], %[[SHIFTED]] : tensor<f32>
// CLIP-NEXT: %[[COEF:.*]] = fm.min %[[ONE]], %[[RATIO]] : tensor<f32>
// CLIP-NEXT: %[[GW:.*]] = fm.mul %[[G]]#1, %[[COEF]] : tensor<2xf32>, tensor<f32>
// CLIP-NEXT: %[[GB:.*]] = fm.mul %[[G]]#2, %[[COEF]] : tensor<f32>
// CLIP: fm.mul %{{.*}}, %[[GW]] : tensor<f32>, tensor<2xf32>
// CLIP: fm.mul %{{.*}}, %[[GB]] : tensor<f32>

// -----

// The batch comes first in @loss: @train_step still takes the parameter
// first, and the call passes the arguments back in @loss's order.
func.func @loss(%x: tensor<3xf32> {fm.name = "x", fm.data},
                %w: tensor<2x3xf32> {fm.name = "weight", fm.param})
    -> tensor<f32> {
  %0 = fm.mul %w, %x : tensor<2x3xf32>, tensor<3xf32>
  %1 = fm.reduce_sum %0 : tensor<2x3xf32>
  return %1 : tensor<f32>
}

func.func @loss_grad(%x: tensor<3xf32> {fm.name = "x", fm.data},
                     %w: tensor<2x3xf32> {fm.name = "weight", fm.param})
    -> (tensor<f32>, tensor<2x3xf32>) {
  %0 = fm.mul %w, %x : tensor<2x3xf32>, tensor<3xf32>
  %1 = fm.reduce_sum %0 : tensor<2x3xf32>
  %2 = fm.broadcast_to %x : tensor<3xf32> -> tensor<2x3xf32>
  return %1, %2 : tensor<f32>, tensor<2x3xf32>
}

// ADAMW-LABEL: func.func @train_step(
// ADAMW-SAME: %[[W:.*]]: tensor<2x3xf32> {fm.name = "weight", fm.param},
// ADAMW-SAME: %{{.*}}: tensor<2x3xf32> {fm.name = "adamw.m.weight", fm.state},
// ADAMW-SAME: %{{.*}}: tensor<2x3xf32> {fm.name = "adamw.v.weight", fm.state},
// ADAMW-SAME: %{{.*}}: tensor<i64> {fm.name = "step", fm.state},
// ADAMW-SAME: %[[X:.*]]: tensor<3xf32> {fm.data, fm.name = "x"})
// ADAMW-NEXT: call @loss_grad(%[[X]], %[[W]]) : (tensor<3xf32>, tensor<2x3xf32>) -> (tensor<f32>, tensor<2x3xf32>)

// SGD-LABEL: func.func @train_step(
// SGD-SAME: %[[W:.*]]: tensor<2x3xf32> {fm.name = "weight", fm.param},
// SGD-SAME: %[[STEP:.*]]: tensor<i64> {fm.name = "step", fm.state},
// SGD-SAME: %[[X:.*]]: tensor<3xf32> {fm.data, fm.name = "x"})
// SGD-SAME: -> (tensor<f32> {fm.name = "loss"},
// SGD-SAME: tensor<2x3xf32> {fm.feeds = 0 : i64, fm.name = "weight"},
// SGD-SAME: tensor<i64> {fm.feeds = 1 : i64, fm.name = "step"})
// SGD-NEXT: %[[G:.*]]:2 = call @loss_grad(%[[X]], %[[W]])
// SGD: fm.mul %{{.*}}, %[[G]]#1 : tensor<f32>, tensor<2x3xf32>

// RUN: fmc-opt %s -split-input-file -verify-diagnostics -fm-optimizer

// Bad options are reported at the module before anything else, so every
// split gives the same error; FileCheck looks at the first.
// RUN: not fmc-opt %s -split-input-file -fm-optimizer=kind=adam 2>&1 | FileCheck %s --check-prefix=KIND
// RUN: not fmc-opt %s -split-input-file -fm-optimizer=lr=-1 2>&1 | FileCheck %s --check-prefix=LR
// RUN: not fmc-opt %s -split-input-file -fm-optimizer=weight-decay=-0.5 2>&1 | FileCheck %s --check-prefix=WD
// RUN: not fmc-opt %s -split-input-file -fm-optimizer=clip-norm=-1 2>&1 | FileCheck %s --check-prefix=CLIP
// RUN: not fmc-opt %s -split-input-file -fm-optimizer=eps=-1e-8 2>&1 | FileCheck %s --check-prefix=EPS
// RUN: not fmc-opt %s -split-input-file -fm-optimizer=beta1=1 2>&1 | FileCheck %s --check-prefix=BETA1
// RUN: not fmc-opt %s -split-input-file -fm-optimizer=beta2=-0.5 2>&1 | FileCheck %s --check-prefix=BETA2
// RUN: not fmc-opt %s -split-input-file -fm-optimizer='kind=sgd momentum=-0.9' 2>&1 | FileCheck %s --check-prefix=MOMENTUM
// KIND: error: fm-optimizer: unknown kind 'adam' (expected adamw or sgd)
// LR: error: fm-optimizer: lr must be non-negative, got -1
// WD: error: fm-optimizer: weight-decay must be non-negative, got -0.5
// CLIP: error: fm-optimizer: clip-norm must be non-negative, got -1
// EPS: error: fm-optimizer: eps must be non-negative, got -1e-08
// BETA1: error: fm-optimizer: beta1 must be in [0, 1), got 1
// BETA2: error: fm-optimizer: beta2 must be in [0, 1), got -0.5
// MOMENTUM: error: fm-optimizer: momentum must be non-negative, got -0.9

// `function` names a function that is not there, or one without a gradient
// function (the first split).
// RUN: not fmc-opt %s -split-input-file -fm-optimizer=function=missing 2>&1 | FileCheck %s --check-prefix=MISSING
// RUN: not fmc-opt %s -split-input-file -fm-optimizer=function=f 2>&1 | FileCheck %s --check-prefix=NO-GRAD
// MISSING: error: fm-optimizer: no function @missing
// NO-GRAD: error: fm-optimizer: no gradient function @f_grad (run fm-autodiff first)

// No gradient function: @orphan_grad has no @orphan.
// expected-error @+1 {{fm-optimizer: no gradient function @<name>_grad next to its @<name> (run fm-autodiff first)}}
module {
  func.func @f(%w: tensor<2xf32> {fm.name = "w", fm.param}) -> tensor<f32> {
    %0 = fm.reduce_sum %w : tensor<2xf32>
    return %0 : tensor<f32>
  }
  func.func @orphan_grad(%w: tensor<2xf32>) -> tensor<2xf32> {
    return %w : tensor<2xf32>
  }
}

// -----

// expected-error @+1 {{fm-optimizer: several gradient functions (@f_grad, @g_grad); choose one with function=<name>}}
module {
  func.func @f(%w: tensor<2xf32> {fm.name = "w", fm.param}) -> tensor<f32> {
    %0 = fm.reduce_sum %w : tensor<2xf32>
    return %0 : tensor<f32>
  }
  func.func @f_grad(%w: tensor<2xf32> {fm.name = "w", fm.param})
      -> (tensor<f32>, tensor<2xf32>) {
    %0 = fm.reduce_sum %w : tensor<2xf32>
    return %0, %w : tensor<f32>, tensor<2xf32>
  }
  func.func @g(%w: tensor<2xf32> {fm.name = "w", fm.param}) -> tensor<f32> {
    %0 = fm.reduce_sum %w : tensor<2xf32>
    return %0 : tensor<f32>
  }
  func.func @g_grad(%w: tensor<2xf32> {fm.name = "w", fm.param})
      -> (tensor<f32>, tensor<2xf32>) {
    %0 = fm.reduce_sum %w : tensor<2xf32>
    return %0, %w : tensor<f32>, tensor<2xf32>
  }
}

// -----

func.func @f(%w: tensor<2xf32> {fm.name = "w", fm.param}) -> tensor<f32> {
  %0 = fm.reduce_sum %w : tensor<2xf32>
  return %0 : tensor<f32>
}
func.func @f_grad(%w: tensor<2xf32> {fm.name = "w", fm.param})
    -> (tensor<f32>, tensor<2xf32>) {
  %0 = fm.reduce_sum %w : tensor<2xf32>
  return %0, %w : tensor<f32>, tensor<2xf32>
}
// expected-error @+1 {{fm-optimizer: the module already has @train_step}}
func.func @train_step() {
  return
}

// -----

// expected-error @+1 {{fm-optimizer: fm.param argument #1 has no fm.name, which names its optimizer state and its result}}
func.func @f(%x: tensor<2xf32> {fm.data}, %w: tensor<2xf32> {fm.param})
    -> tensor<f32> {
  %0 = fm.reduce_sum %w : tensor<2xf32>
  return %0 : tensor<f32>
}
func.func @f_grad(%x: tensor<2xf32> {fm.data}, %w: tensor<2xf32> {fm.param})
    -> (tensor<f32>, tensor<2xf32>) {
  %0 = fm.reduce_sum %w : tensor<2xf32>
  return %0, %w : tensor<f32>, tensor<2xf32>
}

// -----

// expected-error @+1 {{fm-optimizer: fm.param argument #0 is 'tensor<2xf8E4M3FN>'; parameters must be f32, bf16 or f16}}
func.func @f(%w: tensor<2xf8E4M3FN> {fm.name = "w", fm.param}) -> tensor<f32> {
  %0 = fm.cast %w : tensor<2xf8E4M3FN> -> tensor<2xf32>
  %1 = fm.reduce_sum %0 : tensor<2xf32>
  return %1 : tensor<f32>
}
func.func @f_grad(%w: tensor<2xf8E4M3FN> {fm.name = "w", fm.param})
    -> (tensor<f32>, tensor<2xf8E4M3FN>) {
  %0 = fm.cast %w : tensor<2xf8E4M3FN> -> tensor<2xf32>
  %1 = fm.reduce_sum %0 : tensor<2xf32>
  return %1, %w : tensor<f32>, tensor<2xf8E4M3FN>
}

// -----

// expected-error @+1 {{fm-optimizer: @f has no fm.param argument to train}}
func.func @f(%x: tensor<2xf32> {fm.name = "x", fm.data}) -> tensor<f32> {
  %0 = fm.reduce_sum %x : tensor<2xf32>
  return %0 : tensor<f32>
}
func.func @f_grad(%x: tensor<2xf32> {fm.name = "x", fm.data}) -> tensor<f32> {
  %0 = fm.reduce_sum %x : tensor<2xf32>
  return %0 : tensor<f32>
}

// -----

func.func @f(%w: tensor<2xf32> {fm.name = "w", fm.param}) -> tensor<f32> {
  %0 = fm.reduce_sum %w : tensor<2xf32>
  return %0 : tensor<f32>
}
// expected-error @+1 {{fm-optimizer: @f_grad does not take the arguments of @f}}
func.func @f_grad(%w: tensor<3xf32> {fm.name = "w", fm.param})
    -> (tensor<f32>, tensor<3xf32>) {
  %0 = fm.reduce_sum %w : tensor<3xf32>
  return %0, %w : tensor<f32>, tensor<3xf32>
}

// -----

func.func @f(%w: tensor<2xf32> {fm.name = "w", fm.param},
             %b: tensor<f32> {fm.name = "b", fm.param}) -> tensor<f32> {
  %0 = fm.reduce_sum %w : tensor<2xf32>
  return %0 : tensor<f32>
}
// expected-error @+1 {{fm-optimizer: @f_grad must return the loss and the gradient of each fm.param argument: ('tensor<f32>', 'tensor<2xf32>', 'tensor<f32>')}}
func.func @f_grad(%w: tensor<2xf32> {fm.name = "w", fm.param},
                  %b: tensor<f32> {fm.name = "b", fm.param})
    -> (tensor<f32>, tensor<2xf32>) {
  %0 = fm.reduce_sum %w : tensor<2xf32>
  return %0, %w : tensor<f32>, tensor<2xf32>
}

// -----

// A batch argument named "step" would clash with the step counter.
// expected-error @+1 {{fm-optimizer: @train_step would have two arguments named 'step'; rename that argument of @f}}
func.func @f(%w: tensor<2xf32> {fm.name = "w", fm.param},
             %s: tensor<2xf32> {fm.name = "step", fm.data}) -> tensor<f32> {
  %0 = fm.reduce_sum %w : tensor<2xf32>
  return %0 : tensor<f32>
}
func.func @f_grad(%w: tensor<2xf32> {fm.name = "w", fm.param},
                  %s: tensor<2xf32> {fm.name = "step", fm.data})
    -> (tensor<f32>, tensor<2xf32>) {
  %0 = fm.reduce_sum %w : tensor<2xf32>
  return %0, %w : tensor<f32>, tensor<2xf32>
}

// -----

// A parameter named "loss" would clash with the loss result.
// expected-error @+1 {{fm-optimizer: @train_step would have two results named 'loss'; rename that argument of @f}}
func.func @f(%w: tensor<2xf32> {fm.name = "loss", fm.param}) -> tensor<f32> {
  %0 = fm.reduce_sum %w : tensor<2xf32>
  return %0 : tensor<f32>
}
func.func @f_grad(%w: tensor<2xf32> {fm.name = "loss", fm.param})
    -> (tensor<f32>, tensor<2xf32>) {
  %0 = fm.reduce_sum %w : tensor<2xf32>
  return %0, %w : tensor<f32>, tensor<2xf32>
}

// -----

// Nothing to differentiate: fm-autodiff makes no gradient without
// parameters, and fm-optimizer says why (found by fmc fuzz).
// expected-error @+1 {{fm-optimizer: nothing to train: @f has no fm.param arguments}}
func.func @f(%x: tensor<2xf32> {fm.name = "x", fm.data}) -> tensor<f32> {
  %0 = fm.reduce_sum %x : tensor<2xf32>
  return %0 : tensor<f32>
}

// RUN: fmc-opt %s -split-input-file -fm-autodiff=function=loss -verify-diagnostics

// Every case names its function @loss, so that one `function=loss` run
// reaches every diagnostic.

// expected-error @+1 {{fm-autodiff: no function named 'loss'}}
module {
  func.func @other(%x: tensor<4xf32> {fm.param}) -> tensor<f32> {
    %0 = fm.reduce_sum %x : tensor<4xf32>
    return %0 : tensor<f32>
  }
}

// -----

// expected-error @+1 {{fm-autodiff: cannot differentiate @loss: it must return exactly one tensor<f32> loss, not (tensor<4xf32>)}}
func.func @loss(%x: tensor<4xf32> {fm.param}) -> tensor<4xf32> {
  return %x : tensor<4xf32>
}

// -----

// expected-error @+1 {{fm-autodiff: cannot differentiate @loss: it must return exactly one tensor<f32> loss, not (tensor<f32>, tensor<f32>)}}
func.func @loss(%x: tensor<4xf32> {fm.param}) -> (tensor<f32>, tensor<f32>) {
  %0 = fm.reduce_sum %x : tensor<4xf32>
  return %0, %0 : tensor<f32>, tensor<f32>
}

// -----

// A bf16 loss is not a tensor<f32> either.
// expected-error @+1 {{fm-autodiff: cannot differentiate @loss: it must return exactly one tensor<f32> loss, not (tensor<bf16>)}}
func.func @loss(%x: tensor<4xbf16> {fm.param}) -> tensor<bf16> {
  %0 = fm.reduce_sum %x : tensor<4xbf16>
  return %0 : tensor<bf16>
}

// -----

// expected-error @+1 {{fm-autodiff: cannot differentiate @loss: it has no floating-point argument marked 'fm.param'}}
func.func @loss(%x: tensor<4xf32> {fm.data}) -> tensor<f32> {
  %0 = fm.reduce_sum %x : tensor<4xf32>
  return %0 : tensor<f32>
}

// -----

// Integer arguments get no gradient, even marked fm.param.
// expected-error @+1 {{fm-autodiff: cannot differentiate @loss: it has no floating-point argument marked 'fm.param'}}
func.func @loss(%t: tensor<4x3xf32> {fm.data}, %i: tensor<4xi32> {fm.param}) -> tensor<f32> {
  %0 = fm.cross_entropy %t, %i : tensor<4x3xf32>, tensor<4xi32>
  return %0 : tensor<f32>
}

// -----

// expected-error @+1 {{fm-autodiff: cannot differentiate @loss: it has no body}}
func.func private @loss(%x: tensor<4xf32> {fm.param}) -> tensor<f32>

// -----

// fm programs have no control flow; a body of several blocks is not one.
// expected-error @+1 {{fm-autodiff: cannot differentiate @loss: its body has more than one block}}
func.func @loss(%x: tensor<4xf32> {fm.param}) -> tensor<f32> {
  %0 = fm.reduce_sum %x : tensor<4xf32>
  return %0 : tensor<f32>
^unreachable:
  return %0 : tensor<f32>
}

// -----

// Backward ops have no gradient themselves (no second derivatives).
func.func @loss(%x: tensor<4xf32> {fm.param}, %g: tensor<4xf32>) -> tensor<f32> {
  // expected-error @+1 {{fm-autodiff: no gradient rule for 'fm.gelu_grad'}}
  %0 = fm.gelu_grad %x, %g : tensor<4xf32>
  %1 = fm.reduce_sum %0 : tensor<4xf32>
  return %1 : tensor<f32>
}

// -----

// Calls are not differentiated through.
func.func private @square(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = fm.mul %x, %x : tensor<4xf32>
  return %0 : tensor<4xf32>
}
func.func @loss(%x: tensor<4xf32> {fm.param}) -> tensor<f32> {
  // expected-error @+1 {{fm-autodiff: no gradient rule for 'func.call'}}
  %0 = func.call @square(%x) : (tensor<4xf32>) -> tensor<4xf32>
  %1 = fm.reduce_sum %0 : tensor<4xf32>
  return %1 : tensor<f32>
}

// -----

func.func @loss(%x: tensor<4xf32> {fm.param}) -> tensor<f32> {
  %0 = fm.reduce_sum %x : tensor<4xf32>
  return %0 : tensor<f32>
}
// expected-error @+1 {{fm-autodiff: cannot add the gradient of @loss: @loss_grad already exists}}
func.func @loss_grad(%x: tensor<4xf32>) -> tensor<4xf32> {
  return %x : tensor<4xf32>
}

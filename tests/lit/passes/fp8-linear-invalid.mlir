// RUN: fmc-opt %s -split-input-file -verify-diagnostics -fm-fp8-linear="recipe=delayed"

// An amax history is state that @train_step threads through the functions
// it calls: a fusion's body cannot reach it.
func.func @f(%a: tensor<4x8xf32>, %b: tensor<8x2xf32>) -> tensor<4x2xf32> {
  %0 = fm.fusion kind "reduction" (%a, %b) : (tensor<4x8xf32>, tensor<8x2xf32>) -> tensor<4x2xf32> {
  ^bb0(%x: tensor<4x8xf32>, %y: tensor<8x2xf32>):
    // expected-error @+1 {{recipe=delayed cannot reach a matmul inside an fm.fusion}}
    %1 = fm.matmul %x, %y : tensor<4x8xf32>, tensor<8x2xf32>
    fm.yield %1 : tensor<4x2xf32>
  }
  return %0 : tensor<4x2xf32>
}

func.func @train_step(%a: tensor<4x8xf32>, %b: tensor<8x2xf32>) -> tensor<4x2xf32> {
  %0 = func.call @f(%a, %b) : (tensor<4x8xf32>, tensor<8x2xf32>) -> tensor<4x2xf32>
  return %0 : tensor<4x2xf32>
}

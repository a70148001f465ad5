func.func @f(%a: tensor<4xf32>) -> tensor<4xf32> {
  %1 = fm.relu %2 : tensor<4xf32>
  %0 = fm.fusion (%a) : (tensor<4xf32>) -> tensor<4xf32> {
  ^bb0(%x: tensor<4xf32>):
    %2 = fm.relu %x : tensor<4xf32>
    fm.yield %2 : tensor<4xf32
  }
  return %0 : tensor<4xf32>
}

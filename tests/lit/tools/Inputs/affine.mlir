// y = x * w + b, with named arguments and result.
func.func @affine(%x: tensor<2x3xf32> {fm.name = "x", fm.data},
                  %w: tensor<3xf32> {fm.name = "w", fm.param},
                  %b: tensor<f32> {fm.name = "b", fm.param})
    -> (tensor<2x3xf32> {fm.name = "y"}) {
  %0 = fm.mul %x, %w : tensor<2x3xf32>, tensor<3xf32>
  %1 = fm.add %0, %b : tensor<2x3xf32>, tensor<f32>
  return %1 : tensor<2x3xf32>
}

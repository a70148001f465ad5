// The outer product of two vectors of 2^19 elements: 1 TiB of f32.
func.func @f(%a: tensor<524288x1xf32>, %b: tensor<1x524288xf32>) -> tensor<f32> {
  %0 = fm.matmul %a, %b : tensor<524288x1xf32>, tensor<1x524288xf32>
  %1 = fm.reduce_sum %0 : tensor<524288x524288xf32>
  return %1 : tensor<f32>
}

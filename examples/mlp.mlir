//===- mlp.mlir - A 2-layer MLP classifier: forward pass and loss ---------===//
//
// A two-layer perceptron that classifies 64-feature inputs into 10 classes,
// written as the forward graph that fmc trains (autodiff and the optimizer
// step are derived by fmc's passes):
//
//   h      = gelu(x @ w1 + b1)            x: [32, 64]    -> h: [32, 128]
//   logits = h @ w2 + b2                                  -> logits: [32, 10]
//   loss   = cross_entropy(logits, labels)  mean over the batch of 32
//
// GELU is the exact erf form (`approximate "none"`), as PyTorch's
// `nn.GELU()` default. Inputs are marked `fm.data` (a batch), weights
// `fm.param` (trainable); every argument and the result carry an `fm.name`.
//
// Check it with: fmc-opt examples/mlp.mlir
//
//===----------------------------------------------------------------------===//

func.func @mlp(%x: tensor<32x64xf32> {fm.name = "x", fm.data},
               %labels: tensor<32xi32> {fm.name = "labels", fm.data},
               %w1: tensor<64x128xf32> {fm.name = "w1", fm.param},
               %b1: tensor<128xf32> {fm.name = "b1", fm.param},
               %w2: tensor<128x10xf32> {fm.name = "w2", fm.param},
               %b2: tensor<10xf32> {fm.name = "b2", fm.param})
    -> (tensor<f32> {fm.name = "loss"}) {
  // Hidden layer: [32, 64] @ [64, 128] + [128] (bias broadcasts over rows).
  %xw1 = fm.matmul %x, %w1 : tensor<32x64xf32>, tensor<64x128xf32>
  %pre = fm.add %xw1, %b1 : tensor<32x128xf32>, tensor<128xf32>
  %h = fm.gelu %pre approximate "none" : tensor<32x128xf32>

  // Output layer: [32, 128] @ [128, 10] + [10].
  %hw2 = fm.matmul %h, %w2 : tensor<32x128xf32>, tensor<128x10xf32>
  %logits = fm.add %hw2, %b2 : tensor<32x10xf32>, tensor<10xf32>

  // Mean softmax cross-entropy against the integer class labels: a rank-0 f32.
  %loss = fm.cross_entropy %logits, %labels : tensor<32x10xf32>, tensor<32xi32>
  return %loss : tensor<f32>
}

//===- gpt_block.mlir - One-block GPT language model: forward and loss ----===//
//
// A GPT-2 style decoder with a single pre-LayerNorm transformer block, as the
// forward graph that fmc trains (the backward pass and the optimizer step are
// derived by fmc's passes).
//
//   vocab V = 256 (bytes), context T = 64, width C = 128,
//   H = 4 heads of D = 32, batch B = 8, MLP hidden 4C = 512.
//
//   x      = wte[tokens] + wpe                         [B, T, C]
//   x      = x + proj(attention(ln1(x)))               causal self-attention
//   x      = x + mlp(ln2(x))                           fc -> gelu -> proj
//   logits = lnf(x) @ lm_head                          [B, T, V]
//   loss   = cross_entropy(logits, targets)            mean over B*T tokens
//
// The output projection `lm_head.weight` is a separate parameter (untied: it
// does not share storage with the token embedding `wte`). Linear layers work
// on the residual stream flattened to [B*T, C] = [512, 128]; only attention
// uses the [B, H, T, D] = [8, 4, 64, 32] layout. GELU is the tanh
// approximation (the op's default), as GPT-2.
//
// Check it with: fmc-opt examples/gpt_block.mlir
//
//===----------------------------------------------------------------------===//

func.func @gpt_block(
    %tokens: tensor<8x64xi32> {fm.name = "tokens", fm.data},
    %targets: tensor<8x64xi32> {fm.name = "targets", fm.data},
    %wte: tensor<256x128xf32> {fm.name = "wte", fm.param},
    %wpe: tensor<64x128xf32> {fm.name = "wpe", fm.param},
    %ln1_scale: tensor<128xf32> {fm.name = "ln1.scale", fm.param},
    %ln1_bias: tensor<128xf32> {fm.name = "ln1.bias", fm.param},
    %qkv_w: tensor<128x384xf32> {fm.name = "attn.qkv.weight", fm.param},
    %qkv_b: tensor<384xf32> {fm.name = "attn.qkv.bias", fm.param},
    %proj_w: tensor<128x128xf32> {fm.name = "attn.proj.weight", fm.param},
    %proj_b: tensor<128xf32> {fm.name = "attn.proj.bias", fm.param},
    %ln2_scale: tensor<128xf32> {fm.name = "ln2.scale", fm.param},
    %ln2_bias: tensor<128xf32> {fm.name = "ln2.bias", fm.param},
    %fc_w: tensor<128x512xf32> {fm.name = "mlp.fc.weight", fm.param},
    %fc_b: tensor<512xf32> {fm.name = "mlp.fc.bias", fm.param},
    %mproj_w: tensor<512x128xf32> {fm.name = "mlp.proj.weight", fm.param},
    %mproj_b: tensor<128xf32> {fm.name = "mlp.proj.bias", fm.param},
    %lnf_scale: tensor<128xf32> {fm.name = "lnf.scale", fm.param},
    %lnf_bias: tensor<128xf32> {fm.name = "lnf.bias", fm.param},
    %lm_head: tensor<128x256xf32> {fm.name = "lm_head.weight", fm.param})
    -> (tensor<f32> {fm.name = "loss"}) {

  //===--------------------------------------------------------------------===//
  // Embeddings: token rows plus learned positions (broadcast over the batch),
  // then flatten the residual stream to [B*T, C].
  //===--------------------------------------------------------------------===//
  %tok_emb = fm.embedding %wte[%tokens] : tensor<256x128xf32>, tensor<8x64xi32>
  %emb = fm.add %tok_emb, %wpe : tensor<8x64x128xf32>, tensor<64x128xf32>
  %x0 = fm.reshape %emb : tensor<8x64x128xf32> -> tensor<512x128xf32>

  //===--------------------------------------------------------------------===//
  // Attention sub-block: x1 = x0 + proj(attention(ln1(x0)))
  //===--------------------------------------------------------------------===//
  %h1 = fm.layer_norm %x0 scale(%ln1_scale : tensor<128xf32>)
      bias(%ln1_bias : tensor<128xf32>) : tensor<512x128xf32>

  // Fused q/k/v projection: [512, 128] @ [128, 384] + [384]; the 384 columns
  // are (q | k | v) x (4 heads) x (32 per head).
  %qkv_mm = fm.matmul %h1, %qkv_w : tensor<512x128xf32>, tensor<128x384xf32>
  %qkv_2d = fm.add %qkv_mm, %qkv_b : tensor<512x384xf32>, tensor<384xf32>
  %qkv = fm.reshape %qkv_2d : tensor<512x384xf32> -> tensor<8x64x3x4x32xf32>

  // Split q, k, v along axis 2 and bring heads forward: [B, H, T, D].
  %q5 = fm.slice %qkv start [0, 0, 0, 0, 0] limit [8, 64, 1, 4, 32]
      : tensor<8x64x3x4x32xf32>
  %k5 = fm.slice %qkv start [0, 0, 1, 0, 0] limit [8, 64, 2, 4, 32]
      : tensor<8x64x3x4x32xf32>
  %v5 = fm.slice %qkv start [0, 0, 2, 0, 0] limit [8, 64, 3, 4, 32]
      : tensor<8x64x3x4x32xf32>
  %q4 = fm.reshape %q5 : tensor<8x64x1x4x32xf32> -> tensor<8x64x4x32xf32>
  %k4 = fm.reshape %k5 : tensor<8x64x1x4x32xf32> -> tensor<8x64x4x32xf32>
  %v4 = fm.reshape %v5 : tensor<8x64x1x4x32xf32> -> tensor<8x64x4x32xf32>
  %q = fm.transpose %q4 permutation [0, 2, 1, 3] : tensor<8x64x4x32xf32>
  %k = fm.transpose %k4 permutation [0, 2, 1, 3] : tensor<8x64x4x32xf32>
  %v = fm.transpose %v4 permutation [0, 2, 1, 3] : tensor<8x64x4x32xf32>

  // Scaled scores: q @ k^T / sqrt(D), [8, 4, 64, 64]; 1/sqrt(32) = 0.1767767.
  %qk = fm.matmul %q, %k transpose_b
      : tensor<8x4x64x32xf32>, tensor<8x4x64x32xf32>
  %inv_sqrt_d = fm.constant dense<0.176776695> : tensor<f32>
  %scores = fm.mul %qk, %inv_sqrt_d : tensor<8x4x64x64xf32>, tensor<f32>

  // Causal mask: query (row) i may attend to key (column) j only if i >= j.
  // Masked scores become -1e9; softmax subtracts the row maximum first, so
  // their weights underflow to exactly 0.
  %row = fm.iota : tensor<64x64xi32>
  %col = fm.iota axis 1 : tensor<64x64xi32>
  %causal = fm.ge %row, %col : tensor<64x64xi32>
  %neg_big = fm.constant dense<-1.0e9> : tensor<f32>
  %masked = fm.select %causal, %scores, %neg_big
      : tensor<64x64xi1>, tensor<8x4x64x64xf32>, tensor<f32>
  %probs = fm.softmax %masked : tensor<8x4x64x64xf32>

  // Weighted values, heads merged back: [8, 4, 64, 32] -> [512, 128].
  %att = fm.matmul %probs, %v : tensor<8x4x64x64xf32>, tensor<8x4x64x32xf32>
  %att_t = fm.transpose %att permutation [0, 2, 1, 3] : tensor<8x4x64x32xf32>
  %att_2d = fm.reshape %att_t : tensor<8x64x4x32xf32> -> tensor<512x128xf32>

  // Output projection and residual.
  %proj_mm = fm.matmul %att_2d, %proj_w : tensor<512x128xf32>, tensor<128x128xf32>
  %proj = fm.add %proj_mm, %proj_b : tensor<512x128xf32>, tensor<128xf32>
  %x1 = fm.add %x0, %proj : tensor<512x128xf32>

  //===--------------------------------------------------------------------===//
  // MLP sub-block: x2 = x1 + proj(gelu(fc(ln2(x1))))
  //===--------------------------------------------------------------------===//
  %h2 = fm.layer_norm %x1 scale(%ln2_scale : tensor<128xf32>)
      bias(%ln2_bias : tensor<128xf32>) : tensor<512x128xf32>
  %fc_mm = fm.matmul %h2, %fc_w : tensor<512x128xf32>, tensor<128x512xf32>
  %fc = fm.add %fc_mm, %fc_b : tensor<512x512xf32>, tensor<512xf32>
  %act = fm.gelu %fc : tensor<512x512xf32>
  %mproj_mm = fm.matmul %act, %mproj_w : tensor<512x512xf32>, tensor<512x128xf32>
  %mlp = fm.add %mproj_mm, %mproj_b : tensor<512x128xf32>, tensor<128xf32>
  %x2 = fm.add %x1, %mlp : tensor<512x128xf32>

  //===--------------------------------------------------------------------===//
  // Head: final LayerNorm, untied output projection to the vocabulary, and
  // the mean next-token cross-entropy over all B*T positions.
  //===--------------------------------------------------------------------===//
  %hf = fm.layer_norm %x2 scale(%lnf_scale : tensor<128xf32>)
      bias(%lnf_bias : tensor<128xf32>) : tensor<512x128xf32>
  %logits_2d = fm.matmul %hf, %lm_head : tensor<512x128xf32>, tensor<128x256xf32>
  %logits = fm.reshape %logits_2d : tensor<512x256xf32> -> tensor<8x64x256xf32>
  %loss = fm.cross_entropy %logits, %targets
      : tensor<8x64x256xf32>, tensor<8x64xi32>
  return %loss : tensor<f32>
}

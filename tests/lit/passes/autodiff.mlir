// RUN: fmc-opt %s -split-input-file -fm-autodiff | FileCheck %s

// A bias broadcast over rows: its gradient sums the adjoint over the rows.
// The forward function stays; @helper (not a scalar loss) gets no gradient.
// CHECK-LABEL: func.func @bias(
// CHECK-LABEL: func.func @bias_grad(
// CHECK-SAME: %[[X:[^:]+]]: tensor<4x3xf32> {fm.data}, %[[B:[^:]+]]: tensor<3xf32> {fm.name = "b", fm.param})
// CHECK-SAME: -> (tensor<f32> {fm.name = "loss"}, tensor<3xf32> {fm.name = "grad.b"})
// CHECK: %[[SUM:.+]] = fm.add %[[X]], %[[B]] : tensor<4x3xf32>, tensor<3xf32>
// CHECK: %[[LOSS:.+]] = fm.reduce_sum %[[SUM]] : tensor<4x3xf32>
// CHECK: %[[ONE:.+]] = fm.constant dense<1.000000e+00> : tensor<f32>
// CHECK: %[[KEPT:.+]] = fm.reshape %[[ONE]] : tensor<f32> -> tensor<1x1xf32>
// CHECK: %[[SPREAD:.+]] = fm.broadcast_to %[[KEPT]] : tensor<1x1xf32> -> tensor<4x3xf32>
// CHECK: %[[DB:.+]] = fm.reduce_sum %[[SPREAD]] axes [0] : tensor<4x3xf32>
// CHECK-NEXT: return %[[LOSS]], %[[DB]] : tensor<f32>, tensor<3xf32>
// CHECK-LABEL: func.func @helper(
// CHECK-NOT: @helper_grad
func.func @bias(%x: tensor<4x3xf32> {fm.data},
                %b: tensor<3xf32> {fm.name = "b", fm.param}) -> tensor<f32> {
  %0 = fm.add %x, %b : tensor<4x3xf32>, tensor<3xf32>
  %1 = fm.reduce_sum %0 : tensor<4x3xf32>
  return %1 : tensor<f32>
}
func.func @helper(%x: tensor<4xf32> {fm.param}) -> tensor<4xf32> {
  return %x : tensor<4xf32>
}

// -----

// x @ w^T: the transpose flags do the transposing, dx = g w and
// dw = g^T x. An argument without fm.name is named by its index.
// CHECK-LABEL: func.func @linear_grad(
// CHECK-SAME: %[[X:[^:]+]]: tensor<8x16xf32> {fm.name = "x", fm.param}, %[[W:[^:]+]]: tensor<4x16xf32> {fm.param})
// CHECK-SAME: -> (tensor<f32> {fm.name = "loss"}, tensor<8x16xf32> {fm.name = "grad.x"}, tensor<4x16xf32> {fm.name = "grad.1"})
// CHECK: fm.matmul %[[X]], %[[W]] transpose_b
// The mean divides the adjoint by the element count before spreading it.
// CHECK: %[[COUNT:.+]] = fm.constant dense<3.200000e+01> : tensor<f32>
// CHECK: %[[SHARE:.+]] = fm.div %{{.+}}, %[[COUNT]] : tensor<f32>
// CHECK: %[[KEPT:.+]] = fm.reshape %[[SHARE]] : tensor<f32> -> tensor<1x1xf32>
// CHECK: %[[G:.+]] = fm.broadcast_to %[[KEPT]] : tensor<1x1xf32> -> tensor<8x4xf32>
// CHECK: %[[DX:.+]] = fm.matmul %[[G]], %[[W]] : tensor<8x4xf32>, tensor<4x16xf32>
// CHECK: %[[DW:.+]] = fm.matmul %[[G]], %[[X]] transpose_a : tensor<8x4xf32>, tensor<8x16xf32>
// CHECK-NOT: fm.transpose
// CHECK: return %{{.+}}, %[[DX]], %[[DW]]
func.func @linear(%x: tensor<8x16xf32> {fm.name = "x", fm.param},
                  %w: tensor<4x16xf32> {fm.param}) -> tensor<f32> {
  %0 = fm.matmul %x, %w transpose_b : tensor<8x16xf32>, tensor<4x16xf32>
  %1 = fm.reduce_mean %0 : tensor<8x4xf32>
  return %1 : tensor<f32>
}

// -----

// One fm.layer_norm_grad gives the input, scale and bias gradients. The
// maximum's adjoint goes to the positions equal to it, split among ties.
// CHECK-LABEL: func.func @norm_grad(
// CHECK-SAME: %[[X:[^:]+]]: tensor<2x8xf32> {fm.name = "x", fm.param}, %[[S:[^:]+]]: tensor<8xf32> {fm.name = "s", fm.param}, %[[B:[^:]+]]: tensor<8xf32> {fm.name = "b", fm.param})
// CHECK: %[[Y:.+]] = fm.layer_norm %[[X]] scale(%[[S]] : tensor<8xf32>) bias(%[[B]] : tensor<8xf32>) eps 1.000000e-03
// CHECK: %[[MAX:.+]] = fm.reduce_max %[[Y]] : tensor<2x8xf32>
// CHECK: %[[KEPT:.+]] = fm.reshape %[[MAX]] : tensor<f32> -> tensor<1x1xf32>
// CHECK: %[[IS_MAX:.+]] = fm.eq %[[Y]], %[[KEPT]] : tensor<2x8xf32>, tensor<1x1xf32>
// CHECK: %[[ONES:.+]] = fm.cast %[[IS_MAX]] : tensor<2x8xi1> -> tensor<2x8xf32>
// CHECK: %[[TIES:.+]] = fm.reduce_sum %[[ONES]] axes [0, 1] keepdim : tensor<2x8xf32>
// CHECK: %[[SHARE:.+]] = fm.div %{{.+}}, %[[TIES]] : tensor<1x1xf32>
// CHECK: %[[DY:.+]] = fm.select %[[IS_MAX]], %[[SHARE]], %{{.+}} : tensor<2x8xi1>, tensor<1x1xf32>, tensor<f32>
// CHECK: %[[DX:[^ ,]+]], %[[DS:[^ ,]+]], %[[DB:[^ ,]+]] = fm.layer_norm_grad %[[X]], %[[DY]] scale(%[[S]] : tensor<8xf32>) eps 1.000000e-03 : tensor<2x8xf32>
// CHECK-NEXT: return %[[MAX]], %[[DX]], %[[DS]], %[[DB]]
func.func @norm(%x: tensor<2x8xf32> {fm.name = "x", fm.param},
                %s: tensor<8xf32> {fm.name = "s", fm.param},
                %b: tensor<8xf32> {fm.name = "b", fm.param}) -> tensor<f32> {
  %0 = fm.layer_norm %x scale(%s : tensor<8xf32>) bias(%b : tensor<8xf32>)
      eps 1.0e-3 : tensor<2x8xf32>
  %1 = fm.reduce_max %0 : tensor<2x8xf32>
  return %1 : tensor<f32>
}

// -----

// Embedding and cross-entropy: the logits' gradient comes from one op, the
// table's is a scatter-add; the head, shared by both batches of the batched
// matmul, sums its gradient over them. Integer data gets no gradient.
// CHECK-LABEL: func.func @lm_grad(
// CHECK-SAME: %[[TOKENS:[^:]+]]: tensor<2x3xi32> {fm.data}, %[[TARGETS:[^:]+]]: tensor<2x3xi64> {fm.data}, %[[WTE:[^:]+]]: tensor<10x4xf32> {fm.name = "wte", fm.param}, %[[HEAD:[^:]+]]: tensor<4x10xf32> {fm.name = "head", fm.param})
// CHECK-SAME: -> (tensor<f32> {fm.name = "loss"}, tensor<10x4xf32> {fm.name = "grad.wte"}, tensor<4x10xf32> {fm.name = "grad.head"})
// CHECK: %[[E:.+]] = fm.embedding %[[WTE]][%[[TOKENS]]]
// CHECK: %[[LOGITS:.+]] = fm.matmul %[[E]], %[[HEAD]]
// CHECK: %[[LOSS:.+]] = fm.cross_entropy %[[LOGITS]], %[[TARGETS]]
// CHECK: %[[ONE:.+]] = fm.constant dense<1.000000e+00> : tensor<f32>
// CHECK: %[[DLOGITS:.+]] = fm.cross_entropy_grad %[[LOGITS]], %[[TARGETS]], %[[ONE]] : tensor<2x3x10xf32>, tensor<2x3xi64>
// CHECK: %[[DE:.+]] = fm.matmul %[[DLOGITS]], %[[HEAD]] transpose_b : tensor<2x3x10xf32>, tensor<4x10xf32>
// CHECK: %[[DHEADS:.+]] = fm.matmul %[[E]], %[[DLOGITS]] transpose_a : tensor<2x3x4xf32>, tensor<2x3x10xf32>
// CHECK: %[[DHEAD:.+]] = fm.reduce_sum %[[DHEADS]] axes [0] : tensor<2x4x10xf32>
// CHECK: %[[DWTE:.+]] = fm.embedding_grad %[[DE]][%[[TOKENS]]] : tensor<2x3x4xf32>, tensor<2x3xi32> -> tensor<10x4xf32>
// CHECK-NEXT: return %[[LOSS]], %[[DWTE]], %[[DHEAD]]
func.func @lm(%tokens: tensor<2x3xi32> {fm.data},
              %targets: tensor<2x3xi64> {fm.data},
              %wte: tensor<10x4xf32> {fm.name = "wte", fm.param},
              %head: tensor<4x10xf32> {fm.name = "head", fm.param})
    -> tensor<f32> {
  %e = fm.embedding %wte[%tokens] : tensor<10x4xf32>, tensor<2x3xi32>
  %l = fm.matmul %e, %head : tensor<2x3x4xf32>, tensor<4x10xf32>
  %loss = fm.cross_entropy %l, %targets : tensor<2x3x10xf32>, tensor<2x3xi64>
  return %loss : tensor<f32>
}

// -----

// x is used three times: its adjoint sums the three contributions.
// CHECK-LABEL: func.func @fan_out_grad(
// CHECK-SAME: %[[X:[^:]+]]: tensor<4xf32> {fm.param}
// CHECK: %[[G:.+]] = fm.broadcast_to %{{.+}} : tensor<1xf32> -> tensor<4xf32>
// CHECK: %[[FROM_LHS:.+]] = fm.mul %[[G]], %[[X]] : tensor<4xf32>
// CHECK: %[[PARTIAL:.+]] = fm.add %[[G]], %[[FROM_LHS]] : tensor<4xf32>
// CHECK: %[[FROM_RHS:.+]] = fm.mul %[[G]], %[[X]] : tensor<4xf32>
// CHECK: %[[DX:.+]] = fm.add %[[PARTIAL]], %[[FROM_RHS]] : tensor<4xf32>
// CHECK-NEXT: return %{{.+}}, %[[DX]]
func.func @fan_out(%x: tensor<4xf32> {fm.param}) -> tensor<f32> {
  %0 = fm.mul %x, %x : tensor<4xf32>
  %1 = fm.add %0, %x : tensor<4xf32>
  %2 = fm.reduce_sum %1 : tensor<4xf32>
  return %2 : tensor<f32>
}

// -----

// A parameter the loss does not depend on gets zeros; the data argument
// gets no gradient at all.
// CHECK-LABEL: func.func @partial_grad(
// CHECK-SAME: %[[D:[^:]+]]: tensor<3xf32> {fm.data})
// CHECK-SAME: -> (tensor<f32> {fm.name = "loss"}, tensor<3xf32> {fm.name = "grad.used"}, tensor<2x2xf32> {fm.name = "grad.unused"})
// CHECK: %[[G:.+]] = fm.broadcast_to %{{.+}} : tensor<1xf32> -> tensor<3xf32>
// CHECK-NEXT: %[[DX:.+]] = fm.mul %[[G]], %[[D]] : tensor<3xf32>
// CHECK-NEXT: %[[ZEROS:.+]] = fm.constant dense<0.000000e+00> : tensor<2x2xf32>
// CHECK-NEXT: return %{{.+}}, %[[DX]], %[[ZEROS]]
func.func @partial(%x: tensor<3xf32> {fm.name = "used", fm.param},
                   %y: tensor<2x2xf32> {fm.name = "unused", fm.param},
                   %d: tensor<3xf32> {fm.data}) -> tensor<f32> {
  %0 = fm.mul %x, %d : tensor<3xf32>
  %1 = fm.reduce_sum %0 : tensor<3xf32>
  return %1 : tensor<f32>
}

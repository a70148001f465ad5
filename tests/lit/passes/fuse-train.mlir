// RUN: fmc-opt %examples/mlp.mlir -pass-pipeline='builtin.module(fm-train,fm-fuse)' | FileCheck %s

// fm-fuse on a whole training step: the MLP's forward and backward passes
// and AdamW's updates.

// Forward: each GEMM takes its bias. The hidden activation is read again by
// the backward pass (in @mlp_grad), so the GELU stays out of the first GEMM
// there, but not in @mlp.
// CHECK-LABEL: func.func @mlp(
// CHECK: fm.fusion kind "gemm"
// CHECK-NEXT: ^bb0
// CHECK-NEXT: fm.matmul
// CHECK-NEXT: fm.add
// CHECK-NEXT: fm.gelu
// CHECK-NEXT: fm.yield
// CHECK: fm.fusion kind "gemm"
// CHECK-NEXT: ^bb0
// CHECK-NEXT: fm.matmul
// CHECK-NEXT: fm.add
// CHECK-NEXT: fm.yield
// CHECK: fm.cross_entropy

// Backward: the GELU gradient is the epilogue of the GEMM that brings the
// gradient back through the second layer.
// CHECK-LABEL: func.func @mlp_grad(
// CHECK: %[[PRE:.*]] = fm.fusion kind "gemm"
// CHECK: fm.gelu %[[PRE]] approximate "none"
// CHECK: fm.cross_entropy_grad
// CHECK: fm.fusion kind "gemm" (%{{.*}}, %{{.*}}, %[[PRE]])
// CHECK-NEXT: ^bb0(
// CHECK-NEXT: fm.matmul %{{.*}}, %{{.*}} transpose_b
// CHECK-NEXT: fm.gelu_grad
// CHECK-NEXT: fm.yield

// AdamW: the first moment of w1 is one elementwise kernel of the old moment
// and the gradient; the parameter update another.
// CHECK-LABEL: func.func @train_step(
// CHECK: %[[G:.*]]:5 = call @mlp_grad
// CHECK: %[[M:.*]] = fm.fusion kind "elementwise" (%{{.*}}, %[[G]]#1)
// CHECK-NEXT: ^bb0(
// CHECK-NEXT: fm.constant dense<0.899999976>
// CHECK-NEXT: fm.constant dense<1.000000e-01>
// CHECK-NEXT: fm.mul
// CHECK-NEXT: fm.mul
// CHECK-NEXT: fm.add
// CHECK-NEXT: fm.yield
// CHECK: fm.fusion kind "elementwise" ({{.*}}%[[M]]{{.*}})

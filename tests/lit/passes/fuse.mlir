// RUN: fmc-opt %s -fm-fuse | FileCheck %s
// RUN: fmc-opt %s -fm-fuse | fmc-opt | FileCheck %s
// RUN: fmc-opt %s -fm-fuse=max-ops=2 | FileCheck %s --check-prefix=MAX

// fm-fuse groups ops into fm.fusion kernels: a matmul with its epilogue, a
// reduction with its elementwise producers and consumers, and trees of
// elementwise ops. Values inside a group have all their uses in it.

// A GEMM takes its bias and activation as the epilogue.
// CHECK-LABEL: func.func @gemm_bias_gelu(
// CHECK-SAME: %[[X:.*]]: tensor<8x16xf32>, %[[W:.*]]: tensor<16x32xf32>, %[[B:.*]]: tensor<32xf32>)
// CHECK-NEXT: %[[F:.*]] = fm.fusion kind "gemm" (%[[X]], %[[W]], %[[B]]) : (tensor<8x16xf32>, tensor<16x32xf32>, tensor<32xf32>) -> tensor<8x32xf32> {
// CHECK-NEXT: ^bb0(%[[IN0:.*]]: tensor<8x16xf32>, %[[IN1:.*]]: tensor<16x32xf32>, %[[IN2:.*]]: tensor<32xf32>):
// CHECK-NEXT: %[[MM:.*]] = fm.matmul %[[IN0]], %[[IN1]] : tensor<8x16xf32>, tensor<16x32xf32>
// CHECK-NEXT: %[[BIAS:.*]] = fm.add %[[MM]], %[[IN2]] : tensor<8x32xf32>, tensor<32xf32>
// CHECK-NEXT: %[[ACT:.*]] = fm.gelu %[[BIAS]] : tensor<8x32xf32>
// CHECK-NEXT: fm.yield %[[ACT]] : tensor<8x32xf32>
// CHECK-NEXT: }
// CHECK-NEXT: return %[[F]] : tensor<8x32xf32>
// MAX-LABEL: func.func @gemm_bias_gelu(
// MAX: fm.fusion kind "gemm"
// MAX-NEXT: ^bb0
// MAX-NEXT: fm.matmul
// MAX-NEXT: fm.add
// MAX-NEXT: fm.yield
// MAX: fm.gelu
func.func @gemm_bias_gelu(%x: tensor<8x16xf32>, %w: tensor<16x32xf32>,
                          %b: tensor<32xf32>) -> tensor<8x32xf32> {
  %0 = fm.matmul %x, %w : tensor<8x16xf32>, tensor<16x32xf32>
  %1 = fm.add %0, %b : tensor<8x32xf32>, tensor<32xf32>
  %2 = fm.gelu %1 : tensor<8x32xf32>
  return %2 : tensor<8x32xf32>
}

// A residual add joins the epilogue; its result has two users, so it leaves
// the kernel and the cast and the exp stay outside (each alone).
// CHECK-LABEL: func.func @gemm_residual_fan_out(
// CHECK-SAME: %[[X:.*]]: tensor<8x16xf32>, %[[W:.*]]: tensor<16x32xf32>, %[[R:.*]]: tensor<8x32xf32>)
// CHECK-NEXT: %[[F:.*]] = fm.fusion kind "gemm" (%[[X]], %[[W]], %[[R]])
// CHECK-NEXT: ^bb0(%[[IN0:.*]]: tensor<8x16xf32>, %[[IN1:.*]]: tensor<16x32xf32>, %[[IN2:.*]]: tensor<8x32xf32>):
// CHECK-NEXT: %[[MM:.*]] = fm.matmul %[[IN0]], %[[IN1]]
// CHECK-NEXT: %[[SUM:.*]] = fm.add %[[IN2]], %[[MM]] : tensor<8x32xf32>
// CHECK-NEXT: fm.yield %[[SUM]] : tensor<8x32xf32>
// CHECK-NEXT: }
// CHECK-NEXT: %[[C:.*]] = fm.cast %[[F]] : tensor<8x32xf32> -> tensor<8x32xbf16>
// CHECK-NEXT: %[[E:.*]] = fm.exp %[[F]] : tensor<8x32xf32>
// CHECK-NEXT: return %[[C]], %[[E]]
func.func @gemm_residual_fan_out(%x: tensor<8x16xf32>, %w: tensor<16x32xf32>,
                                 %r: tensor<8x32xf32>)
    -> (tensor<8x32xbf16>, tensor<8x32xf32>) {
  %0 = fm.matmul %x, %w : tensor<8x16xf32>, tensor<16x32xf32>
  %1 = fm.add %r, %0 : tensor<8x32xf32>
  %2 = fm.cast %1 : tensor<8x32xf32> -> tensor<8x32xbf16>
  %3 = fm.exp %1 : tensor<8x32xf32>
  return %2, %3 : tensor<8x32xbf16>, tensor<8x32xf32>
}

// An epilogue keeps the GEMM's shape: the broadcasting mul would grow it, so
// it starts an elementwise kernel instead.
// CHECK-LABEL: func.func @gemm_broadcast_consumer(
// CHECK: %[[F:.*]] = fm.fusion kind "gemm" (%{{.*}}, %{{.*}}) : (tensor<8x16xf32>, tensor<16x32xf32>) -> tensor<8x32xf32> {
// CHECK: fm.matmul
// CHECK-NEXT: fm.relu
// CHECK-NEXT: fm.yield
// CHECK: %[[G:.*]] = fm.fusion kind "elementwise" (%[[F]], %{{.*}}) : (tensor<8x32xf32>, tensor<4x8x32xf32>) -> tensor<4x8x32xf32> {
// CHECK: fm.mul
// CHECK-NEXT: fm.exp
// CHECK-NEXT: fm.yield
// CHECK: return %[[G]]
func.func @gemm_broadcast_consumer(%x: tensor<8x16xf32>, %w: tensor<16x32xf32>,
                                   %y: tensor<4x8x32xf32>)
    -> tensor<4x8x32xf32> {
  %0 = fm.matmul %x, %w : tensor<8x16xf32>, tensor<16x32xf32>
  %1 = fm.relu %0 : tensor<8x32xf32>
  %2 = fm.mul %1, %y : tensor<8x32xf32>, tensor<4x8x32xf32>
  %3 = fm.exp %2 : tensor<4x8x32xf32>
  return %3 : tensor<4x8x32xf32>
}

// A layer norm takes the residual add that produces its input.
// CHECK-LABEL: func.func @layer_norm_residual(
// CHECK-SAME: %[[X:.*]]: tensor<8x32xf32>, %[[H:.*]]: tensor<8x32xf32>, %[[G:.*]]: tensor<32xf32>, %[[B:.*]]: tensor<32xf32>)
// CHECK-NEXT: %[[F:.*]] = fm.fusion kind "reduction" (%[[X]], %[[H]], %[[G]], %[[B]])
// CHECK-NEXT: ^bb0(%[[IN0:.*]]: tensor<8x32xf32>, %[[IN1:.*]]: tensor<8x32xf32>, %[[IN2:.*]]: tensor<32xf32>, %[[IN3:.*]]: tensor<32xf32>):
// CHECK-NEXT: %[[SUM:.*]] = fm.add %[[IN0]], %[[IN1]] : tensor<8x32xf32>
// CHECK-NEXT: %[[LN:.*]] = fm.layer_norm %[[SUM]] scale(%[[IN2]] : tensor<32xf32>) bias(%[[IN3]] : tensor<32xf32>) : tensor<8x32xf32>
// CHECK-NEXT: fm.yield %[[LN]] : tensor<8x32xf32>
// CHECK-NEXT: }
// CHECK-NEXT: return %[[F]]
func.func @layer_norm_residual(%x: tensor<8x32xf32>, %h: tensor<8x32xf32>,
                               %g: tensor<32xf32>, %b: tensor<32xf32>)
    -> tensor<8x32xf32> {
  %0 = fm.add %x, %h : tensor<8x32xf32>
  %1 = fm.layer_norm %0 scale(%g : tensor<32xf32>) bias(%b : tensor<32xf32>) : tensor<8x32xf32>
  return %1 : tensor<8x32xf32>
}

// Attention probabilities: the scaling, the causal mask (built in the
// kernel from iotas) and the round trip through bf16 join the softmax; the
// constants are copied in. The matmul that reads the result is not an
// epilogue and stays alone.
// CHECK-LABEL: func.func @softmax_chain(
// CHECK-SAME: %[[S:.*]]: tensor<2x16x16xf32>, %[[V:.*]]: tensor<2x16x8xf32>)
// CHECK-NEXT: %[[F:.*]] = fm.fusion kind "reduction" (%[[S]]) : (tensor<2x16x16xf32>) -> tensor<2x16x16xf32> {
// CHECK-NEXT: ^bb0(%[[IN0:.*]]: tensor<2x16x16xf32>):
// CHECK-NEXT: %[[SCALE:.*]] = fm.constant dense<2.500000e-01> : tensor<f32>
// CHECK-NEXT: %[[NEG:.*]] = fm.constant dense<-1.000000e+09> : tensor<f32>
// CHECK-NEXT: %[[SCALED:.*]] = fm.mul %[[IN0]], %[[SCALE]]
// CHECK-NEXT: %[[ROW:.*]] = fm.iota : tensor<16x16xi32>
// CHECK-NEXT: %[[COL:.*]] = fm.iota axis 1 : tensor<16x16xi32>
// CHECK-NEXT: %[[MASK:.*]] = fm.ge %[[ROW]], %[[COL]]
// CHECK-NEXT: %[[MASKED:.*]] = fm.select %[[MASK]], %[[SCALED]], %[[NEG]]
// CHECK-NEXT: %[[P:.*]] = fm.softmax %[[MASKED]] : tensor<2x16x16xf32>
// CHECK-NEXT: %[[NARROW:.*]] = fm.cast %[[P]] : tensor<2x16x16xf32> -> tensor<2x16x16xbf16>
// CHECK-NEXT: %[[WIDE:.*]] = fm.cast %[[NARROW]] : tensor<2x16x16xbf16> -> tensor<2x16x16xf32>
// CHECK-NEXT: fm.yield %[[WIDE]] : tensor<2x16x16xf32>
// CHECK-NEXT: }
// CHECK-NEXT: %[[O:.*]] = fm.matmul %[[F]], %[[V]]
// CHECK-NEXT: return %[[O]]
func.func @softmax_chain(%s: tensor<2x16x16xf32>, %v: tensor<2x16x8xf32>)
    -> tensor<2x16x8xf32> {
  %scale = fm.constant dense<0.25> : tensor<f32>
  %0 = fm.mul %s, %scale : tensor<2x16x16xf32>, tensor<f32>
  %row = fm.iota : tensor<16x16xi32>
  %col = fm.iota axis 1 : tensor<16x16xi32>
  %mask = fm.ge %row, %col : tensor<16x16xi32>
  %neg = fm.constant dense<-1.0e9> : tensor<f32>
  %1 = fm.select %mask, %0, %neg : tensor<16x16xi1>, tensor<2x16x16xf32>, tensor<f32>
  %2 = fm.softmax %1 : tensor<2x16x16xf32>
  %3 = fm.cast %2 : tensor<2x16x16xf32> -> tensor<2x16x16xbf16>
  %4 = fm.cast %3 : tensor<2x16x16xbf16> -> tensor<2x16x16xf32>
  %5 = fm.matmul %4, %v : tensor<2x16x16xf32>, tensor<2x16x8xf32>
  return %5 : tensor<2x16x8xf32>
}

// %e has two users: fusing it into both would compute it twice, so it ends
// one elementwise kernel and is an input of the next.
// CHECK-LABEL: func.func @elementwise_fan_out(
// CHECK-SAME: %[[X:.*]]: tensor<4x8xf32>, %[[Y:.*]]: tensor<4x8xf32>, %[[Z:.*]]: tensor<8xf32>)
// CHECK-NEXT: %[[E:.*]] = fm.fusion kind "elementwise" (%[[X]]) : (tensor<4x8xf32>) -> tensor<4x8xf32> {
// CHECK-NEXT: ^bb0(%[[IN0:.*]]: tensor<4x8xf32>):
// CHECK-NEXT: %[[N:.*]] = fm.neg %[[IN0]]
// CHECK-NEXT: %[[EXP:.*]] = fm.exp %[[N]]
// CHECK-NEXT: fm.yield %[[EXP]]
// CHECK-NEXT: }
// CHECK-NEXT: %[[D:.*]] = fm.fusion kind "elementwise" (%[[E]], %[[Y]], %[[Z]]) : (tensor<4x8xf32>, tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32> {
// CHECK-NEXT: ^bb0(%[[IN0:.*]]: tensor<4x8xf32>, %[[IN1:.*]]: tensor<4x8xf32>, %[[IN2:.*]]: tensor<8xf32>):
// CHECK-NEXT: %[[A:.*]] = fm.add %[[IN0]], %[[IN1]]
// CHECK-NEXT: %[[M:.*]] = fm.mul %[[IN0]], %[[IN2]]
// CHECK-NEXT: %[[S:.*]] = fm.sub %[[A]], %[[M]]
// CHECK-NEXT: fm.yield %[[S]]
// CHECK-NEXT: }
// CHECK-NEXT: return %[[D]]
// With at most two ops a kernel, the tree of three loses its mul.
// MAX-LABEL: func.func @elementwise_fan_out(
// MAX: fm.fusion kind "elementwise"
// MAX: fm.mul
// MAX: fm.fusion kind "elementwise"
// MAX-NEXT: ^bb0
// MAX-NEXT: fm.add
// MAX-NEXT: fm.sub
// MAX-NEXT: fm.yield
func.func @elementwise_fan_out(%x: tensor<4x8xf32>, %y: tensor<4x8xf32>,
                               %z: tensor<8xf32>) -> tensor<4x8xf32> {
  %0 = fm.neg %x : tensor<4x8xf32>
  %e = fm.exp %0 : tensor<4x8xf32>
  %1 = fm.add %e, %y : tensor<4x8xf32>
  %2 = fm.mul %e, %z : tensor<4x8xf32>, tensor<8xf32>
  %3 = fm.sub %1, %2 : tensor<4x8xf32>
  return %3 : tensor<4x8xf32>
}

// The layer norm gradient takes the neg of its input gradient. The add of
// its scale gradient would close a cycle: it reads the reduce_sum of a
// matmul of the neg, outside the kernel. It goes to the reduce_sum instead.
// CHECK-LABEL: func.func @cycle(
// CHECK-SAME: %[[X:.*]]: tensor<4x8xf32>, %[[DY:.*]]: tensor<4x8xf32>, %[[G:.*]]: tensor<8xf32>, %[[W:.*]]: tensor<8x8xf32>)
// CHECK-NEXT: %[[F:.*]]:3 = fm.fusion kind "reduction" (%[[X]], %[[DY]], %[[G]]) : (tensor<4x8xf32>, tensor<4x8xf32>, tensor<8xf32>) -> (tensor<8xf32>, tensor<8xf32>, tensor<4x8xf32>) {
// CHECK-NEXT: ^bb0(
// CHECK-NEXT: %[[DX:.*]], %[[DG:.*]], %[[DB:.*]] = fm.layer_norm_grad
// CHECK-NEXT: %[[N:.*]] = fm.neg %[[DX]]
// CHECK-NEXT: fm.yield %[[DG]], %[[DB]], %[[N]]
// CHECK-NEXT: }
// CHECK-NEXT: %[[MM:.*]] = fm.matmul %[[F]]#2, %[[W]]
// CHECK-NEXT: %[[R:.*]] = fm.fusion kind "reduction" (%[[MM]], %[[F]]#0)
// CHECK-NEXT: ^bb0(%[[IN0:.*]]: tensor<4x8xf32>, %[[IN1:.*]]: tensor<8xf32>):
// CHECK-NEXT: %[[SUM:.*]] = fm.reduce_sum %[[IN0]] axes [0]
// CHECK-NEXT: %[[ADD:.*]] = fm.add %[[IN1]], %[[SUM]]
// CHECK-NEXT: fm.yield %[[ADD]]
// CHECK-NEXT: }
// CHECK-NEXT: return %[[MM]], %[[R]], %[[F]]#1
func.func @cycle(%x: tensor<4x8xf32>, %dy: tensor<4x8xf32>, %g: tensor<8xf32>,
                 %w: tensor<8x8xf32>)
    -> (tensor<4x8xf32>, tensor<8xf32>, tensor<8xf32>) {
  %0:3 = fm.layer_norm_grad %x, %dy scale(%g : tensor<8xf32>) : tensor<4x8xf32>
  %1 = fm.neg %0#0 : tensor<4x8xf32>
  %2 = fm.matmul %1, %w : tensor<4x8xf32>, tensor<8x8xf32>
  %3 = fm.reduce_sum %2 axes [0] : tensor<4x8xf32>
  %4 = fm.add %0#1, %3 : tensor<8xf32>
  return %2, %4, %0#2 : tensor<4x8xf32>, tensor<8xf32>, tensor<8xf32>
}

// A fusion sits where its last op was; an op that read one of its earlier
// results there (the reshape of the bias gradient) moves after it.
// CHECK-LABEL: func.func @reorder(
// CHECK-NEXT: %[[F:.*]]:3 = fm.fusion kind "reduction"
// CHECK: fm.yield
// CHECK-NEXT: }
// CHECK-NEXT: %[[R:.*]] = fm.reshape %[[F]]#1 : tensor<8xf32> -> tensor<2x4xf32>
// CHECK-NEXT: return %[[F]]#2, %[[R]], %[[F]]#0
func.func @reorder(%x: tensor<4x8xf32>, %dy: tensor<4x8xf32>)
    -> (tensor<4x8xf32>, tensor<2x4xf32>, tensor<8xf32>) {
  %0:3 = fm.layer_norm_grad %x, %dy : tensor<4x8xf32>
  %1 = fm.reshape %0#2 : tensor<8xf32> -> tensor<2x4xf32>
  %2 = fm.exp %0#0 : tensor<4x8xf32>
  return %2, %1, %0#1 : tensor<4x8xf32>, tensor<2x4xf32>, tensor<8xf32>
}

// Shape ops, embeddings, losses and calls are not fused, and a kernel of one
// op stays unfused.
// CHECK-LABEL: func.func @unfused(
// CHECK-NOT: fm.fusion
// CHECK: return
func.func @unfused(%t: tensor<256x16xf32>, %i: tensor<4xi32>,
                   %l: tensor<4xi32>) -> tensor<f32> {
  %0 = fm.embedding %t[%i] : tensor<256x16xf32>, tensor<4xi32>
  %1 = fm.transpose %0 : tensor<4x16xf32>
  %2 = fm.exp %1 : tensor<16x4xf32>
  %3 = fm.transpose %2 : tensor<16x4xf32>
  %4 = fm.cross_entropy %3, %l : tensor<4x16xf32>, tensor<4xi32>
  %5 = call @loss(%4) : (tensor<f32>) -> tensor<f32>
  return %5 : tensor<f32>
}
func.func private @loss(%x: tensor<f32>) -> tensor<f32>

//===- LoweringPatterns.h - fm to linalg rewrite patterns -------*- C++ -*-===//
//
// fm-lower-to-linalg gathers its patterns from three files: elementwise,
// shape and conversion ops (LowerElementwise.cpp); contractions,
// reductions, normalizations, gathers and their gradients
// (LowerStructured.cpp); and FP8 scaling (LowerFp8.cpp). Every pattern rewrites
// one fm op into upstream ops on tensors of the same types. Before them, one
// fm-to-fm rewrite turns sums of disjoint pads into concatenations
// (SumOfPads.cpp).
//
//===----------------------------------------------------------------------===//
#ifndef FM_CODEGEN_LOWERINGPATTERNS_H
#define FM_CODEGEN_LOWERINGPATTERNS_H

#include "mlir/IR/PatternMatch.h"

namespace fm {

/// constant, add … pow, comparisons, select, unary math incl. gelu/silu,
/// gelu_grad, reshape, transpose, broadcast_to, slice, pad, concat, iota,
/// cast.
void populateElementwiseLoweringPatterns(mlir::RewritePatternSet &patterns);

/// matmul, reduce_sum/mean/max, softmax, log_softmax and their gradients,
/// layer_norm, rms_norm and their gradients, embedding, embedding_grad,
/// cross_entropy, cross_entropy_grad.
void populateStructuredLoweringPatterns(mlir::RewritePatternSet &patterns);

/// fm to fm, before the lowering: sums of zero pads of pieces at disjoint
/// places along one axis (the gradient of a tensor read as slices) become
/// an fm.concat of the pieces (SumOfPads.cpp).
void populateSumOfPadsPatterns(mlir::RewritePatternSet &patterns);

/// quantize, dequantize, scaled_matmul, quantize_expanded,
/// dequantize_expanded.
void populateFp8LoweringPatterns(mlir::RewritePatternSet &patterns);

} // namespace fm

#endif // FM_CODEGEN_LOWERINGPATTERNS_H

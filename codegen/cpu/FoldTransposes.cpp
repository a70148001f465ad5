//===- FoldTransposes.cpp - fm-cpu-fold-transposes ------------------------===//
#include "codegen/cpu/CpuPasses.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace fm::cpu {
#define GEN_PASS_DEF_CPUFOLDTRANSPOSES
#include "codegen/cpu/CpuPasses.h.inc"
} // namespace fm::cpu

using namespace mlir;

namespace {

/// A linalg.generic contraction: a product the GEMM call can take, strided
/// operands and result included.
bool isContractionGeneric(Operation *op) {
  return isa_and_nonnull<linalg::GenericOp>(op) && op->getNumResults() == 1 &&
         fm::cpu::isMultiplyAccumulate(op);
}

/// Whether `transpose` keeps its last dimension last: the dimension stored
/// contiguously stays the innermost of the matrix the GEMM reads or writes,
/// so its layout stays one BLAS describes.
bool keepsLastDimension(linalg::TransposeOp transpose) {
  ArrayRef<int64_t> permutation = transpose.getPermutation();
  return !permutation.empty() &&
         permutation.back() == static_cast<int64_t>(permutation.size()) - 1;
}

/// The indices of a transpose's input, given those of its result: result
/// index k is input index permutation[k].
SmallVector<AffineExpr> inputIndices(ArrayRef<int64_t> permutation,
                                     ArrayRef<AffineExpr> resultIndices) {
  SmallVector<AffineExpr> indices(resultIndices.size());
  for (auto [position, source] : llvm::enumerate(permutation))
    indices[source] = resultIndices[position];
  return indices;
}

/// contraction(transpose(x), ...) -> contraction(x, ...) reading x through
/// the composed indexing map.
struct FoldTransposedOperand : OpRewritePattern<linalg::GenericOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(linalg::GenericOp contraction,
                                PatternRewriter &rewriter) const override {
    if (!isContractionGeneric(contraction))
      return rewriter.notifyMatchFailure(contraction, "not a contraction");
    for (OpOperand *operand : contraction.getDpsInputOperands()) {
      auto transpose = operand->get().getDefiningOp<linalg::TransposeOp>();
      if (!transpose || !keepsLastDimension(transpose))
        continue;
      AffineMap map = contraction.getMatchingIndexingMap(operand);
      AffineMap folded = AffineMap::get(
          map.getNumDims(), 0,
          inputIndices(transpose.getPermutation(), map.getResults()),
          getContext());
      SmallVector<AffineMap> maps = contraction.getIndexingMapsArray();
      maps[operand->getOperandNumber()] = folded;
      rewriter.modifyOpInPlace(contraction, [&] {
        operand->set(transpose.getInput());
        contraction.setIndexingMapsAttr(rewriter.getAffineMapArrayAttr(maps));
      });
      return success();
    }
    return rewriter.notifyMatchFailure(contraction, "no transposed operand");
  }
};

/// transpose(contraction onto a fill) -> the contraction writing the
/// transposed result directly, onto the same fill of its shape.
struct FoldTransposedResult : OpRewritePattern<linalg::TransposeOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(linalg::TransposeOp transpose,
                                PatternRewriter &rewriter) const override {
    auto contraction = transpose.getInput().getDefiningOp<linalg::GenericOp>();
    if (!keepsLastDimension(transpose) || !isContractionGeneric(contraction) ||
        !contraction->hasOneUse())
      return rewriter.notifyMatchFailure(transpose,
                                         "not a contraction's only use");
    OpOperand *init = contraction.getDpsInitOperand(0);
    auto fill = init->get().getDefiningOp<linalg::FillOp>();
    if (!fill || !fill->hasOneUse())
      return rewriter.notifyMatchFailure(transpose, "not onto a fill");

    // The contraction writes the transpose's result at the indices the
    // transpose reads it from.
    AffineMap map = contraction.getMatchingIndexingMap(init);
    SmallVector<AffineExpr> resultIndices;
    for (int64_t source : transpose.getPermutation())
      resultIndices.push_back(map.getResult(source));
    SmallVector<AffineMap> maps = contraction.getIndexingMapsArray();
    maps.back() =
        AffineMap::get(map.getNumDims(), 0, resultIndices, getContext());

    // The transpose's own destination comes after the contraction.
    rewriter.setInsertionPoint(contraction);
    auto resultType =
        cast<RankedTensorType>(transpose.getResult()[0].getType());
    Value empty = rewriter.create<tensor::EmptyOp>(
        transpose.getLoc(), resultType.getShape(), resultType.getElementType());
    Value start =
        rewriter
            .create<linalg::FillOp>(fill.getLoc(), fill.getInputs()[0], empty)
            .getResult(0);
    auto folded = rewriter.create<linalg::GenericOp>(
        contraction.getLoc(), TypeRange{resultType}, contraction.getInputs(),
        ValueRange{start}, maps, contraction.getIteratorTypesArray());
    rewriter.inlineRegionBefore(contraction.getRegion(), folded.getRegion(),
                                folded.getRegion().end());
    rewriter.replaceOp(transpose, folded.getResults());
    rewriter.eraseOp(contraction);
    rewriter.eraseOp(fill);
    return success();
  }
};

struct CpuFoldTransposesPass
    : fm::cpu::impl::CpuFoldTransposesBase<CpuFoldTransposesPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<FoldTransposedOperand, FoldTransposedResult>(&getContext());
    if (failed(
            applyPatternsAndFoldGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace

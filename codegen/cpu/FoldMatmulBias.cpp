//===- FoldMatmulBias.cpp - fm-cpu-fold-matmul-bias -----------------------===//
#include "codegen/cpu/CpuPasses.h"

#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace fm::cpu {
#define GEN_PASS_DEF_CPUFOLDMATMULBIAS
#include "codegen/cpu/CpuPasses.h.inc"
} // namespace fm::cpu

using namespace mlir;

namespace {

/// Whether `value` is available before `op`: an argument of the block `op`
/// is in, or the result of an op before it there.
bool isAvailableBefore(Value value, Operation *op) {
  if (auto argument = dyn_cast<BlockArgument>(value))
    return argument.getOwner() == op->getBlock();
  Operation *definition = value.getDefiningOp();
  return definition->getBlock() == op->getBlock() &&
         definition->isBeforeInBlock(op);
}

/// add(product, bias) -> product accumulating onto broadcast(bias), where
/// `product` is an f32 contraction onto zeros used only by the add, and the
/// bias a vector indexed by the last dimension.
struct FoldBiasIntoAccumulator : OpRewritePattern<linalg::GenericOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(linalg::GenericOp add,
                                PatternRewriter &rewriter) const override {
    if (add.getNumDpsInputs() != 2 || add.getNumDpsInits() != 1 ||
        add.getNumReductionLoops() != 0 ||
        add.payloadUsesValueFromOperand(add.getDpsInitOperand(0)))
      return rewriter.notifyMatchFailure(add, "not a two-input map");
    Block &body = *add.getBody();
    auto sum =
        body.getTerminator()->getOperand(0).getDefiningOp<arith::AddFOp>();
    if (!sum || !llvm::hasSingleElement(body.without_terminator()) ||
        !llvm::is_contained({sum.getLhs(), sum.getRhs()},
                            body.getArgument(0)) ||
        !llvm::is_contained({sum.getLhs(), sum.getRhs()}, body.getArgument(1)))
      return rewriter.notifyMatchFailure(add, "body is not one addf");

    auto resultType = cast<RankedTensorType>(add.getResult(0).getType());
    const unsigned rank = resultType.getRank();
    if (!resultType.getElementType().isF32() || rank < 2)
      return rewriter.notifyMatchFailure(add, "not an f32 matrix");
    for (unsigned productIndex : {0u, 1u}) {
      OpOperand *productOperand = add.getDpsInputOperand(productIndex);
      OpOperand *biasOperand = add.getDpsInputOperand(1 - productIndex);
      auto product = productOperand->get().getDefiningOp<linalg::LinalgOp>();
      if (!product || !fm::cpu::isMultiplyAccumulate(product) ||
          product->getNumResults() != 1 || !product->hasOneUse() ||
          product->getResult(0).getType() != resultType ||
          !add.getMatchingIndexingMap(productOperand).isIdentity())
        continue;
      auto fill = product.getDpsInits()[0].getDefiningOp<linalg::FillOp>();
      Value bias = biasOperand->get();
      auto biasType = dyn_cast<RankedTensorType>(bias.getType());
      AffineMap biasMap = add.getMatchingIndexingMap(biasOperand);
      if (!fm::cpu::isZeroFill(fill) || !biasType || biasType.getRank() != 1 ||
          biasMap !=
              AffineMap::get(rank, 0, rewriter.getAffineDimExpr(rank - 1)) ||
          !isAvailableBefore(bias, product))
        continue;

      rewriter.setInsertionPoint(product);
      SmallVector<int64_t> broadcastDimensions =
          llvm::to_vector(llvm::seq<int64_t>(0, rank - 1));
      Value start = rewriter
                        .create<linalg::BroadcastOp>(add.getLoc(), bias,
                                                     fill.getOutputs()[0],
                                                     broadcastDimensions)
                        ->getResult(0);
      rewriter.modifyOpInPlace(
          product, [&] { product.getDpsInitsMutable()[0].set(start); });
      rewriter.replaceOp(add, product->getResults());
      return success();
    }
    return rewriter.notifyMatchFailure(add,
                                       "no contraction onto zeros plus a bias");
  }
};

struct CpuFoldMatmulBiasPass
    : fm::cpu::impl::CpuFoldMatmulBiasBase<CpuFoldMatmulBiasPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<FoldBiasIntoAccumulator>(&getContext());
    if (failed(
            applyPatternsAndFoldGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace

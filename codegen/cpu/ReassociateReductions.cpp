//===- ReassociateReductions.cpp - fm-cpu-reassociate-reductions ----------===//
#include "codegen/cpu/CpuPasses.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace fm::cpu {
#define GEN_PASS_DEF_CPUREASSOCIATEREDUCTIONS
#include "codegen/cpu/CpuPasses.h.inc"
} // namespace fm::cpu

using namespace mlir;

namespace {

/// Whether `value` is the accumulator of a linalg.generic reduction: an
/// argument of its body that stands for an output.
bool isAccumulator(Value value) {
  auto argument = dyn_cast<BlockArgument>(value);
  if (!argument)
    return false;
  auto generic =
      dyn_cast<linalg::GenericOp>(argument.getOwner()->getParentOp());
  return generic && generic.getNumReductionLoops() > 0 &&
         argument.getArgNumber() >= generic.getNumDpsInputs();
}

/// Marks the float op that folds a value into an accumulator `reassoc`.
template <typename Op> struct ReassociateAccumulation : OpRewritePattern<Op> {
  using OpRewritePattern<Op>::OpRewritePattern;

  LogicalResult matchAndRewrite(Op op,
                                PatternRewriter &rewriter) const override {
    arith::FastMathFlags flags = op.getFastmath();
    if (arith::bitEnumContainsAll(flags, arith::FastMathFlags::reassoc) ||
        !llvm::any_of(op->getOperands(), isAccumulator))
      return failure();
    rewriter.modifyOpInPlace(
        op, [&] { op.setFastmath(flags | arith::FastMathFlags::reassoc); });
    return success();
  }
};

/// The interpreter's maximum, `acc > x || isnan(acc) ? acc : x` (as
/// fm-lower-to-linalg builds it), becomes arith.maximumf, which LLVM
/// vectorizes as a reduction. Both propagate NaN; of +0 and -0, maximumf
/// takes +0 where the interpreter takes the later one.
struct MaximumOfAccumulator : OpRewritePattern<arith::SelectOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(arith::SelectOp select,
                                PatternRewriter &rewriter) const override {
    Value acc = select.getTrueValue(), x = select.getFalseValue();
    if (!isAccumulator(acc) || !isa<FloatType>(acc.getType()))
      return failure();
    auto either = select.getCondition().getDefiningOp<arith::OrIOp>();
    if (!either)
      return failure();
    auto isCompare = [](Value value, arith::CmpFPredicate predicate, Value lhs,
                        Value rhs) {
      auto compare = value.getDefiningOp<arith::CmpFOp>();
      return compare && compare.getPredicate() == predicate &&
             compare.getLhs() == lhs && compare.getRhs() == rhs;
    };
    auto isGreaterAndNaN = [&](Value greater, Value nan) {
      return isCompare(greater, arith::CmpFPredicate::OGT, acc, x) &&
             isCompare(nan, arith::CmpFPredicate::UNO, acc, acc);
    };
    if (!isGreaterAndNaN(either.getLhs(), either.getRhs()) &&
        !isGreaterAndNaN(either.getRhs(), either.getLhs()))
      return failure();
    rewriter.replaceOpWithNewOp<arith::MaximumFOp>(select, acc, x);
    return success();
  }
};

struct CpuReassociateReductionsPass
    : fm::cpu::impl::CpuReassociateReductionsBase<
          CpuReassociateReductionsPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<MaximumOfAccumulator, ReassociateAccumulation<arith::AddFOp>,
                 ReassociateAccumulation<arith::MulFOp>,
                 ReassociateAccumulation<arith::MaximumFOp>,
                 ReassociateAccumulation<arith::MinimumFOp>,
                 ReassociateAccumulation<arith::MaxNumFOp>,
                 ReassociateAccumulation<arith::MinNumFOp>>(&getContext());
    if (failed(
            applyPatternsAndFoldGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace

//===- ReassociateReductions.cpp - fm-cpu-reassociate-reductions ----------===//
#include "codegen/cpu/CpuPasses.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
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

/// A sum of a whole buffer of two or more dimensions (the squared gradients
/// of each parameter that clipping sums) runs as one loop nest over it on
/// the calling thread. Summing each index of the first dimension first,
/// into a temporary, and then those sums makes the first generic's outer
/// loop parallel (fm-cpu-parallelize shares it out) and leaves a short sum
/// to the calling thread. The temporary starts at -0.0, which adds nothing
/// to any value.
struct SplitWholeSum : OpRewritePattern<linalg::GenericOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(linalg::GenericOp generic,
                                PatternRewriter &rewriter) const override {
    if (!generic.hasPureBufferSemantics() || generic.getNumDpsInits() != 1 ||
        generic.getNumLoops() < 2 || generic.getNumParallelLoops() != 0)
      return failure();
    Value total = generic.getDpsInitOperand(0)->get();
    auto totalType = dyn_cast<MemRefType>(total.getType());
    // f32 only: a narrower total would round each row's sum once more.
    if (!totalType || totalType.getRank() != 0 ||
        !totalType.getElementType().isF32())
      return failure();
    SmallVector<int64_t> ranges = generic.getStaticLoopRanges();
    if (llvm::any_of(ranges, ShapedType::isDynamic) || ranges.front() < 2)
      return failure();
    int64_t work = 1;
    for (int64_t range : ranges)
      work *= range;
    // Below this the row sums would not go to the pool either.
    if (work < fm::cpu::kMinParallelWork)
      return failure();
    // The body folds one value into the accumulator with a reassociable
    // add, and the accumulator is read nowhere else.
    Block &body = generic.getRegion().front();
    BlockArgument accumulator = body.getArgument(generic.getNumDpsInputs());
    auto add =
        body.getTerminator()->getOperand(0).getDefiningOp<arith::AddFOp>();
    if (!add || !accumulator.hasOneUse() ||
        !llvm::is_contained(add->getOperands(), accumulator) ||
        !arith::bitEnumContainsAll(add.getFastmath(),
                                   arith::FastMathFlags::reassoc))
      return failure();

    Location loc = generic.getLoc();
    Type element = totalType.getElementType();
    MLIRContext *context = getContext();
    auto partialType = MemRefType::get({ranges.front()}, element);
    Value partial = rewriter.create<memref::AllocOp>(loc, partialType);
    Value minusZero = rewriter.create<arith::ConstantOp>(
        loc, rewriter.getFloatAttr(element, -0.0));
    rewriter.create<linalg::FillOp>(loc, minusZero, partial);

    SmallVector<AffineMap> maps = generic.getIndexingMapsArray();
    maps.back() =
        AffineMap::get(generic.getNumLoops(), 0, getAffineDimExpr(0, context));
    SmallVector<utils::IteratorType> iterators =
        generic.getIteratorTypesArray();
    iterators.front() = utils::IteratorType::parallel;
    auto partialSums = rewriter.create<linalg::GenericOp>(
        loc, TypeRange{}, generic.getDpsInputs(), ValueRange{partial}, maps,
        iterators);
    rewriter.inlineRegionBefore(generic.getRegion(), partialSums.getRegion(),
                                partialSums.getRegion().end());

    AffineMap identity = AffineMap::getMultiDimIdentityMap(1, context);
    AffineMap scalar = AffineMap::get(1, 0, context);
    rewriter.create<linalg::GenericOp>(
        loc, TypeRange{}, ValueRange{partial}, ValueRange{total},
        ArrayRef<AffineMap>{identity, scalar},
        ArrayRef<utils::IteratorType>{utils::IteratorType::reduction},
        [&](OpBuilder &builder, Location bodyLoc, ValueRange arguments) {
          Value sum = builder.create<arith::AddFOp>(
              bodyLoc, arguments[1], arguments[0], add.getFastmath());
          builder.create<linalg::YieldOp>(bodyLoc, sum);
        });
    rewriter.create<memref::DeallocOp>(loc, partial);
    rewriter.eraseOp(generic);
    return success();
  }
};

struct CpuReassociateReductionsPass
    : fm::cpu::impl::CpuReassociateReductionsBase<
          CpuReassociateReductionsPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<MaximumOfAccumulator, SplitWholeSum,
                 ReassociateAccumulation<arith::AddFOp>,
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

//===- LowerStructured.cpp - fm contractions, reductions, norms -----------===//
//
// Lowers the fm ops that are not elementwise — matmul, reductions, softmax
// and the normalizations with their gradients, embedding and cross-entropy —
// to linalg.generic (plus linalg.matmul/batch_matmul, tensor and scf ops) on
// tensors.
//
// Every lowering reproduces the interpreter (ir/interp/Interpreter.cpp):
// floats are widened to f32, combined in f32 in the interpreter's order and
// rounded once to the result's element type. The loops of a linalg.generic
// nest in the order of its iteration dimensions, so each generic below
// iterates its input in row-major order and accumulates every reduction in
// the order the interpreter does, with the same f32 operations (even its
// compensated summation of the cross-entropy loss); results then match bit
// for bit as long as libm's expf and logf are the interpreter's.
//
// Most lowerings are a few generics over one iteration space (the op's
// input shape) whose operands broadcast along some of its dimensions: a
// per-row statistic is indexed by every dimension but the normalized axis,
// a per-feature scale by the last one only. IterationSpace builds those
// operand maps; buildMap and buildReduce build the generics.
//
//===----------------------------------------------------------------------===//

#include "codegen/GenericBuilders.h"
#include "codegen/LoweringPatterns.h"
#include "codegen/NarrowFloats.h"
#include "ir/FmOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"

#include "llvm/ADT/STLExtras.h"

#include <limits>

using namespace mlir;
using namespace fm::lowering;

namespace {

//===----------------------------------------------------------------------===//
// Scalar helpers
//===----------------------------------------------------------------------===//

/// `count` as the interpreter divides by it: the integer converted to f32.
Value countConstant(OpBuilder &b, Location loc, int64_t count) {
  return f32Constant(b, loc, static_cast<float>(count));
}

/// The interpreter's Max: `acc` when it is NaN or greater, else `x`. NaN in
/// either operand propagates, and of two equal values (+0 and -0) the later
/// one wins; arith.maximumf would order -0 below +0 instead.
Value maxCombine(OpBuilder &b, Location loc, Value acc, Value x) {
  if (isa<IntegerType>(acc.getType()))
    return b.create<arith::MaxSIOp>(loc, acc, x);
  Value greater =
      b.create<arith::CmpFOp>(loc, arith::CmpFPredicate::OGT, acc, x);
  Value isNaN =
      b.create<arith::CmpFOp>(loc, arith::CmpFPredicate::UNO, acc, acc);
  Value keep = b.create<arith::OrIOp>(loc, greater, isNaN);
  return b.create<arith::SelectOp>(loc, keep, acc, x);
}

/// The integer scalar `index` (i32 or i64) clamped to [0, bound) and cast to
/// index. The interpreter reports an index or label outside [0, bound) as an
/// error; compiled code cannot, so it clamps: an out-of-range value reads the
/// nearest valid row or class and never touches memory out of bounds.
/// `bound` must be positive.
Value clampIndex(OpBuilder &b, Location loc, Value index, int64_t bound) {
  auto type = cast<IntegerType>(index.getType());
  // An i32 index cannot exceed INT32_MAX: no clamp constant may overflow.
  int64_t last = std::min<int64_t>(
      bound - 1, APInt::getSignedMaxValue(type.getWidth()).getSExtValue());
  Value zero = b.create<arith::ConstantOp>(loc, b.getIntegerAttr(type, 0));
  Value top = b.create<arith::ConstantOp>(loc, b.getIntegerAttr(type, last));
  Value clamped = b.create<arith::MinSIOp>(
      loc, b.create<arith::MaxSIOp>(loc, index, zero), top);
  return b.create<arith::IndexCastOp>(loc, b.getIndexType(), clamped);
}

/// `(x - mean) / denominator`, or `x / denominator` without a mean (rms_norm,
/// whose centre is 0: the interpreter's `x - 0` is exactly `x`).
Value normalized(OpBuilder &b, Location loc, Value x, Value mean,
                 Value denominator) {
  Value centred = mean ? b.create<arith::SubFOp>(loc, x, mean) : x;
  return b.create<arith::DivFOp>(loc, centred, denominator);
}

/// `value` reshaped to `type`, which has the same sizes plus or minus unit
/// dimensions (at the positions `unitDims` of the larger shape): the keepdim
/// form of a reduction, or a batch of one. Each unit dimension joins its
/// neighbouring group.
Value reshapeUnitDims(OpBuilder &b, Location loc, Value value,
                      RankedTensorType type, ArrayRef<int64_t> unitDims) {
  auto source = cast<RankedTensorType>(value.getType());
  if (source == type)
    return value;
  bool expand = type.getRank() > source.getRank();
  int64_t rank = std::max(type.getRank(), source.getRank());
  SmallVector<ReassociationIndices> groups;
  ReassociationIndices leading;
  for (int64_t dim = 0; dim < rank; ++dim) {
    if (!llvm::is_contained(unitDims, dim)) {
      groups.push_back(leading);
      groups.back().push_back(dim);
      leading.clear();
    } else if (groups.empty()) {
      leading.push_back(dim);
    } else {
      groups.back().push_back(dim);
    }
  }
  if (expand)
    return b.create<tensor::ExpandShapeOp>(loc, type, value, groups);
  return b.create<tensor::CollapseShapeOp>(loc, type, value, groups);
}

/// The reassociation that merges the leading `count` (at least 1) of `rank`
/// dimensions into one and keeps the others.
SmallVector<ReassociationIndices> leadingGroups(int64_t rank, int64_t count) {
  SmallVector<ReassociationIndices> groups(1);
  for (int64_t dim = 0; dim < count; ++dim)
    groups[0].push_back(dim);
  for (int64_t dim = count; dim < rank; ++dim)
    groups.push_back({dim});
  return groups;
}

/// Collapses the leading `count` dimensions of `value` into one (a new unit
/// dimension when `count` is 0).
Value collapseLeading(OpBuilder &b, Location loc, Value value, int64_t count) {
  if (count == 1)
    return value;
  auto type = cast<RankedTensorType>(value.getType());
  ArrayRef<int64_t> shape = type.getShape();
  int64_t leading = 1;
  for (int64_t size : shape.take_front(count))
    leading *= size;
  SmallVector<int64_t> collapsed{leading};
  llvm::append_range(collapsed, shape.drop_front(count));
  auto collapsedType = RankedTensorType::get(collapsed, type.getElementType());
  if (count == 0)
    return reshapeUnitDims(b, loc, value, collapsedType, {0});
  return b.create<tensor::CollapseShapeOp>(
      loc, collapsedType, value, leadingGroups(type.getRank(), count));
}

/// The inverse of collapseLeading for `count` >= 1: splits the first
/// dimension of `value` into the leading `count` dimensions of `type`.
Value expandLeading(OpBuilder &b, Location loc, Value value,
                    RankedTensorType type, int64_t count) {
  if (count == 1)
    return value;
  return b.create<tensor::ExpandShapeOp>(loc, type, value,
                                         leadingGroups(type.getRank(), count));
}

//===----------------------------------------------------------------------===//
// Shared statistics
//===----------------------------------------------------------------------===//

/// The row maxima of `x` along `axis` and the sums of `exp(x - max)`: the
/// halves of a stable softmax or log-sum-exp, as the interpreter's
/// maxAndExpSum. Both are f32 tensors indexed by the dimensions but `axis`.
std::pair<Value, Value> buildMaxAndExpSum(OpBuilder &b, Location loc,
                                          const IterationSpace &space, Value x,
                                          int64_t axis) {
  Value max = buildReduce(
      b, loc, space, axis, space.full(x),
      b.getF32FloatAttr(-std::numeric_limits<float>::infinity()),
      [](OpBuilder &b, Location loc, ValueRange args, ValueRange accs) {
        return SmallVector<Value>{maxCombine(b, loc, accs[0], args[0])};
      });
  Value sum = buildReduce(
      b, loc, space, axis, {space.full(x), space.without(max, axis)},
      b.getF32FloatAttr(0),
      [](OpBuilder &b, Location loc, ValueRange args, ValueRange accs) {
        Value shifted = b.create<arith::SubFOp>(loc, args[0], args[1]);
        Value term = b.create<math::ExpOp>(loc, shifted);
        return SmallVector<Value>{b.create<arith::AddFOp>(loc, accs[0], term)};
      });
  return {max, sum};
}

/// f32 sums divided by `count`: means, rounded to `element` (f32 for the
/// statistics that later generics read).
SmallVector<Value> buildMeans(OpBuilder &b, Location loc, ValueRange sums,
                              int64_t count, Type element) {
  if (sums.empty())
    return {};
  IterationSpace rows(b.getContext(),
                      cast<RankedTensorType>(sums[0].getType()).getShape());
  SmallVector<GenericInput> inputs;
  for (Value sum : sums)
    inputs.push_back(rows.full(sum));
  SmallVector<Type> types(sums.size(), element);
  return buildMap(b, loc, rows, inputs, types,
                  [&](OpBuilder &b, Location loc, ValueRange args, ValueRange) {
                    Value n = countConstant(b, loc, count);
                    SmallVector<Value> means;
                    for (Value sum : args)
                      means.push_back(b.create<arith::DivFOp>(loc, sum, n));
                    return means;
                  });
}

/// The statistics of layer_norm and rms_norm over the last axis, as the
/// interpreter's rowStatistics: the row mean (null without `center`) and the
/// denominator `sqrt(mean((x - mean)^2) + eps)`, f32 tensors of the row
/// shape.
struct RowStatistics {
  Value mean;
  Value denominator;
};

RowStatistics buildRowStatistics(OpBuilder &b, Location loc,
                                 const IterationSpace &space, Value x,
                                 bool center, FloatAttr eps) {
  const int64_t axis = space.rank() - 1;
  const int64_t features = space.getShape()[axis];
  auto add = [](OpBuilder &b, Location loc, ValueRange args, ValueRange accs) {
    return SmallVector<Value>{b.create<arith::AddFOp>(loc, accs[0], args[0])};
  };
  RowStatistics stats;
  SmallVector<GenericInput> inputs{space.full(x)};
  if (center) {
    Value sum =
        buildReduce(b, loc, space, axis, inputs, b.getF32FloatAttr(0), add);
    stats.mean = buildMeans(b, loc, sum, features, b.getF32Type()).front();
    inputs.push_back(space.without(stats.mean, axis));
  }
  Value spread = buildReduce(
      b, loc, space, axis, inputs, b.getF32FloatAttr(0),
      [&](OpBuilder &b, Location loc, ValueRange args, ValueRange accs) {
        Value d =
            center ? b.create<arith::SubFOp>(loc, args[0], args[1]) : args[0];
        Value square = b.create<arith::MulFOp>(loc, d, d);
        return SmallVector<Value>{
            b.create<arith::AddFOp>(loc, accs[0], square)};
      });
  IterationSpace rows(b.getContext(),
                      cast<RankedTensorType>(spread.getType()).getShape());
  stats.denominator = buildMap(
      b, loc, rows, rows.full(spread), b.getF32Type(),
      [&](OpBuilder &b, Location loc, ValueRange args, ValueRange) {
        Value variance = b.create<arith::DivFOp>(
            loc, args[0], countConstant(b, loc, features));
        Value shifted = b.create<arith::AddFOp>(
            loc, variance, b.create<arith::ConstantOp>(loc, eps));
        return SmallVector<Value>{b.create<math::SqrtOp>(loc, shifted)};
      });
  return stats;
}

/// Appends operands to a generic's input list and remembers where optional
/// ones went, so that a body can find them among its arguments.
class InputList {
public:
  unsigned add(GenericInput input) {
    inputs.push_back(input);
    return inputs.size() - 1;
  }
  /// Adds the operand when `value` is non-null.
  std::optional<unsigned> addIf(Value value, GenericInput input) {
    if (!value)
      return std::nullopt;
    return add(input);
  }
  operator ArrayRef<GenericInput>() const { return inputs; }

private:
  SmallVector<GenericInput> inputs;
};

/// args[*position], or null without a position.
Value argAt(ValueRange args, std::optional<unsigned> position) {
  return position ? args[*position] : Value();
}

//===----------------------------------------------------------------------===//
// matmul
//===----------------------------------------------------------------------===//

struct MatmulLowering : OpRewritePattern<fm::MatmulOp> {
  // A narrow matmul becomes an f32 one, lowered by this pattern in turn.
  explicit MatmulLowering(MLIRContext *context) : OpRewritePattern(context) {
    setHasBoundedRewriteRecursion();
  }

  LogicalResult matchAndRewrite(fm::MatmulOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto resultType = cast<RankedTensorType>(op.getType());
    Type element = resultType.getElementType();
    if (!element.isF32()) {
      // Narrow operands widen exactly; their f32 product takes the f32
      // path (BLAS on the CPU) and is rounded once to the element type.
      Value product = rewriter.create<fm::MatmulOp>(
          loc, widenTensor(rewriter, loc, op.getLhs()),
          widenTensor(rewriter, loc, op.getRhs()), op.getTransposeA(),
          op.getTransposeB());
      rewriter.replaceOp(op, narrowTensor(rewriter, loc, product, element));
      return success();
    }
    Value product;
    if (!op.getTransposeA() && !op.getTransposeB())
      product =
          buildNamedMatmul(rewriter, loc, op.getLhs(), op.getRhs(), resultType);
    if (!product)
      product = buildContraction(rewriter, loc, op, resultType);
    rewriter.replaceOp(op, narrowTensor(rewriter, loc, product, element));
    return success();
  }

private:
  /// A zero-filled f32 accumulator of `shape`.
  static Value zeroAccumulator(OpBuilder &b, Location loc,
                               ArrayRef<int64_t> shape) {
    Value empty = b.create<tensor::EmptyOp>(loc, shape, b.getF32Type());
    return b.create<linalg::FillOp>(loc, f32Constant(b, loc, 0), empty)
        .result();
  }

  /// linalg.matmul or linalg.batch_matmul, which later passes hand to BLAS,
  /// for f32 operands without transposes whose batches need no broadcast:
  /// a 2-D rhs (the common `x @ W`) folds the lhs batch into its rows, and
  /// one equal batch axis makes a batch_matmul. Null when neither applies.
  /// Several batch axes (attention's batch and heads) stay separate loops
  /// of a contraction instead of collapsing into one: a transpose of its
  /// operands or result across them can then fold into its indexing maps
  /// (fm-cpu-fold-transposes), and the GEMM call collapses them where the
  /// strides allow. These named ops accumulate each output in k order from
  /// zero, as the interpreter does.
  static Value buildNamedMatmul(OpBuilder &b, Location loc, Value lhs,
                                Value rhs, RankedTensorType resultType) {
    auto lhsType = cast<RankedTensorType>(lhs.getType());
    auto rhsType = cast<RankedTensorType>(rhs.getType());
    ArrayRef<int64_t> shape = resultType.getShape();
    const int64_t rank = resultType.getRank();
    const int64_t n = shape[rank - 1];
    auto f32Result = RankedTensorType::get(shape, b.getF32Type());
    if (rhsType.getRank() == 2) {
      // [..., M, K] x [K, N]: one [B*M, K] x [K, N] product.
      Value rows = collapseLeading(b, loc, lhs, lhsType.getRank() - 1);
      int64_t m = cast<RankedTensorType>(rows.getType()).getDimSize(0);
      Value product =
          b.create<linalg::MatmulOp>(loc, ValueRange{rows, rhs},
                                     zeroAccumulator(b, loc, {m, n}))
              .getResult(0);
      return expandLeading(b, loc, product, f32Result, rank - 1);
    }
    if (rank != 3 || lhsType.getRank() != 3 || rhsType.getRank() != 3 ||
        lhsType.getDimSize(0) != rhsType.getDimSize(0))
      return Value();
    // Equal batches [B, M, K] x [B, K, N].
    return b
        .create<linalg::BatchMatmulOp>(
            loc, ValueRange{lhs, rhs},
            zeroAccumulator(b, loc, {shape[0], shape[1], n}))
        .getResult(0);
  }

  /// One linalg.generic over (batch..., m, n, k) whose indexing maps read
  /// the operands transposed and broadcast in place: an operand's batch
  /// axis of size 1 that the result stretches is indexed by the constant 0.
  /// The f32 product of the widened operands accumulates in k order.
  static Value buildContraction(OpBuilder &b, Location loc, fm::MatmulOp op,
                                RankedTensorType resultType) {
    MLIRContext *context = b.getContext();
    ArrayRef<int64_t> shape = resultType.getShape();
    const int64_t batchRank = resultType.getRank() - 2;
    const int64_t rank = batchRank + 3;
    AffineExpr m = getAffineDimExpr(batchRank, context);
    AffineExpr n = getAffineDimExpr(batchRank + 1, context);
    AffineExpr k = getAffineDimExpr(batchRank + 2, context);
    auto operandMap = [&](Value operand, AffineExpr rows, AffineExpr cols,
                          bool transposed) {
      ArrayRef<int64_t> sizes =
          cast<RankedTensorType>(operand.getType()).getShape().drop_back(2);
      const int64_t offset = batchRank - sizes.size();
      SmallVector<AffineExpr> exprs;
      for (auto [dim, size] : llvm::enumerate(sizes)) {
        const int64_t resultDim = offset + dim;
        exprs.push_back(size == 1 && shape[resultDim] != 1
                            ? getAffineConstantExpr(0, context)
                            : getAffineDimExpr(resultDim, context));
      }
      exprs.push_back(transposed ? cols : rows);
      exprs.push_back(transposed ? rows : cols);
      return AffineMap::get(rank, 0, exprs, context);
    };
    // The contracted size k, from the lhs.
    ArrayRef<int64_t> lhsShape =
        cast<RankedTensorType>(op.getLhs().getType()).getShape();
    const int64_t kSize =
        op.getTransposeA() ? lhsShape[lhsShape.size() - 2] : lhsShape.back();
    SmallVector<int64_t> space(shape);
    space.push_back(kSize);
    IterationSpace iteration(context, space);
    return buildReduce(
        b, loc, iteration, rank - 1,
        {{op.getLhs(), operandMap(op.getLhs(), m, k, op.getTransposeA())},
         {op.getRhs(), operandMap(op.getRhs(), k, n, op.getTransposeB())}},
        b.getF32FloatAttr(0),
        [](OpBuilder &b, Location loc, ValueRange args, ValueRange accs) {
          Value product = b.create<arith::MulFOp>(loc, args[0], args[1]);
          return SmallVector<Value>{
              b.create<arith::AddFOp>(loc, accs[0], product)};
        });
  }
};

//===----------------------------------------------------------------------===//
// reduce_sum, reduce_mean, reduce_max
//===----------------------------------------------------------------------===//

/// The three reductions: floats accumulate in f32 (from 0 or -inf), integers
/// in their own type, where wrapping matches the interpreter's int64 sum
/// truncated to the element width. A mean divides the f32 sum by the count.
/// keepdim is a tensor.expand_shape of the reduced result.
template <typename ReduceOp>
struct ReduceLowering : OpRewritePattern<ReduceOp> {
  using OpRewritePattern<ReduceOp>::OpRewritePattern;

  LogicalResult matchAndRewrite(ReduceOp op,
                                PatternRewriter &rewriter) const override {
    constexpr bool isMax = std::is_same_v<ReduceOp, fm::ReduceMaxOp>;
    constexpr bool isMean = std::is_same_v<ReduceOp, fm::ReduceMeanOp>;
    Location loc = op.getLoc();
    Value input = op.getInput();
    auto inputType = cast<RankedTensorType>(input.getType());
    auto resultType = cast<RankedTensorType>(op.getType());
    Type element = inputType.getElementType();
    SmallVector<int64_t> axes = op.getReducedAxes();
    IterationSpace space(rewriter.getContext(), inputType.getShape());

    TypedAttr init;
    if (auto integer = dyn_cast<IntegerType>(element))
      init = rewriter.getIntegerAttr(
          integer, isMax ? APInt::getSignedMinValue(integer.getWidth())
                         : APInt::getZero(integer.getWidth()));
    else
      init = rewriter.getF32FloatAttr(
          isMax ? -std::numeric_limits<float>::infinity() : 0.0f);
    Value reduced = buildReduce(
        rewriter, loc, space, axes, space.full(input), init,
        [](OpBuilder &b, Location loc, ValueRange args, ValueRange accs) {
          Value acc = accs[0], x = args[0];
          Value next;
          if constexpr (isMax)
            next = maxCombine(b, loc, acc, x);
          else if (isa<IntegerType>(x.getType()))
            next = b.create<arith::AddIOp>(loc, acc, x);
          else
            next = b.create<arith::AddFOp>(loc, acc, x);
          return SmallVector<Value>{next};
        });

    if constexpr (isMean) {
      int64_t count = 1;
      for (int64_t axis : axes)
        count *= inputType.getDimSize(axis);
      reduced = buildMeans(rewriter, loc, reduced, count, element).front();
    } else {
      reduced = narrowTensor(rewriter, loc, reduced, element);
    }
    rewriter.replaceOp(
        op, reshapeUnitDims(rewriter, loc, reduced, resultType, axes));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// softmax, log_softmax and their gradients
//===----------------------------------------------------------------------===//

/// softmax `exp(x - max) / sum` and log_softmax `x - max - log(sum)` along
/// the op's axis, with the interpreter's max and exp-sum.
template <typename SoftmaxOp>
struct SoftmaxLowering : OpRewritePattern<SoftmaxOp> {
  using OpRewritePattern<SoftmaxOp>::OpRewritePattern;

  LogicalResult matchAndRewrite(SoftmaxOp op,
                                PatternRewriter &rewriter) const override {
    constexpr bool isLog = std::is_same_v<SoftmaxOp, fm::LogSoftmaxOp>;
    Location loc = op.getLoc();
    Value x = op.getInput();
    auto type = cast<RankedTensorType>(x.getType());
    const int64_t axis = op.getNormalizedAxis();
    IterationSpace space(rewriter.getContext(), type.getShape());
    auto [max, sum] = buildMaxAndExpSum(rewriter, loc, space, x, axis);
    if constexpr (isLog) {
      // One logarithm per row rather than per element.
      IterationSpace rows(rewriter.getContext(),
                          cast<RankedTensorType>(sum.getType()).getShape());
      sum = buildMap(
          rewriter, loc, rows, rows.full(sum), rewriter.getF32Type(),
          [](OpBuilder &b, Location loc, ValueRange args, ValueRange) {
            return SmallVector<Value>{b.create<math::LogOp>(loc, args[0])};
          });
    }
    Value result = buildMap(
        rewriter, loc, space,
        {space.full(x), space.without(max, axis), space.without(sum, axis)},
        type.getElementType(),
        [](OpBuilder &b, Location loc, ValueRange args, ValueRange) {
          Value shifted = b.create<arith::SubFOp>(loc, args[0], args[1]);
          if (isLog)
            return SmallVector<Value>{
                b.create<arith::SubFOp>(loc, shifted, args[2])};
          Value exp = b.create<math::ExpOp>(loc, shifted);
          return SmallVector<Value>{b.create<arith::DivFOp>(loc, exp, args[2])};
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// softmax_grad `y (g - sum(g y))` and log_softmax_grad `g - exp(y) sum(g)`
/// along the op's axis, from the forward output y and its gradient g.
template <typename GradOp>
struct SoftmaxGradLowering : OpRewritePattern<GradOp> {
  using OpRewritePattern<GradOp>::OpRewritePattern;

  LogicalResult matchAndRewrite(GradOp op,
                                PatternRewriter &rewriter) const override {
    constexpr bool isLog = std::is_same_v<GradOp, fm::LogSoftmaxGradOp>;
    Location loc = op.getLoc();
    Value y = op.getOutput(), g = op.getGrad();
    auto type = cast<RankedTensorType>(y.getType());
    const int64_t axis = op.getNormalizedAxis();
    IterationSpace space(rewriter.getContext(), type.getShape());
    Value sum = buildReduce(
        rewriter, loc, space, axis, {space.full(y), space.full(g)},
        rewriter.getF32FloatAttr(0),
        [](OpBuilder &b, Location loc, ValueRange args, ValueRange accs) {
          Value term =
              isLog ? args[1] : b.create<arith::MulFOp>(loc, args[1], args[0]);
          return SmallVector<Value>{
              b.create<arith::AddFOp>(loc, accs[0], term)};
        });
    Value result =
        buildMap(rewriter, loc, space,
                 {space.full(y), space.full(g), space.without(sum, axis)},
                 type.getElementType(),
                 [](OpBuilder &b, Location loc, ValueRange args, ValueRange) {
                   Value y = args[0], g = args[1], sum = args[2];
                   Value result;
                   if (isLog)
                     result = b.create<arith::SubFOp>(
                         loc, g,
                         b.create<arith::MulFOp>(
                             loc, b.create<math::ExpOp>(loc, y), sum));
                   else
                     result = b.create<arith::MulFOp>(
                         loc, y, b.create<arith::SubFOp>(loc, g, sum));
                   return SmallVector<Value>{result};
                 });
    rewriter.replaceOp(op, result);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// layer_norm, rms_norm and their gradients
//===----------------------------------------------------------------------===//

/// `(x - mean) / denominator * scale + bias` over the last axis (no mean for
/// rms_norm); scale and bias are optional.
Value buildNormalize(OpBuilder &b, Location loc, Value x, Value scale,
                     Value bias, FloatAttr eps, bool center) {
  auto type = cast<RankedTensorType>(x.getType());
  const int64_t axis = type.getRank() - 1;
  IterationSpace space(b.getContext(), type.getShape());
  RowStatistics stats = buildRowStatistics(b, loc, space, x, center, eps);
  InputList inputs;
  unsigned xAt = inputs.add(space.full(x));
  std::optional<unsigned> meanAt =
      inputs.addIf(stats.mean, space.without(stats.mean, axis));
  unsigned denominatorAt = inputs.add(space.without(stats.denominator, axis));
  std::optional<unsigned> scaleAt =
      inputs.addIf(scale, space.only(scale, axis));
  std::optional<unsigned> biasAt = inputs.addIf(bias, space.only(bias, axis));
  return buildMap(b, loc, space, inputs, type.getElementType(),
                  [&](OpBuilder &b, Location loc, ValueRange args, ValueRange) {
                    Value y = normalized(b, loc, args[xAt], argAt(args, meanAt),
                                         args[denominatorAt]);
                    if (scaleAt)
                      y = b.create<arith::MulFOp>(loc, y, args[*scaleAt]);
                    if (biasAt)
                      y = b.create<arith::AddFOp>(loc, y, args[*biasAt]);
                    return SmallVector<Value>{y};
                  });
}

/// layer_norm_grad (center) and rms_norm_grad, as the interpreter's
/// normalizeGrad: with x_hat = (x - mean) / d and dx_hat = grad * scale,
/// the input gradient is `(dx_hat - mean(dx_hat) - x_hat mean(dx_hat x_hat))
/// / d` (no `mean(dx_hat)` term for rms_norm); the scale and bias gradients
/// sum `grad * x_hat` and `grad` over every axis but the last. Returns the
/// input gradient, the scale gradient and (with `center`) the bias gradient.
SmallVector<Value> buildNormalizeGrad(OpBuilder &b, Location loc, Value x,
                                      Value grad, Value scale, FloatAttr eps,
                                      bool center) {
  auto type = cast<RankedTensorType>(x.getType());
  Type element = type.getElementType();
  const int64_t axis = type.getRank() - 1;
  const int64_t features = type.getDimSize(axis);
  IterationSpace space(b.getContext(), type.getShape());
  RowStatistics stats = buildRowStatistics(b, loc, space, x, center, eps);

  // The operands every generic below reads: x, grad, the statistics and the
  // scale; xHatOf and dxHatOf compute x_hat and dx_hat from them.
  InputList inputs;
  unsigned xAt = inputs.add(space.full(x));
  unsigned gradAt = inputs.add(space.full(grad));
  std::optional<unsigned> meanAt =
      inputs.addIf(stats.mean, space.without(stats.mean, axis));
  unsigned denominatorAt = inputs.add(space.without(stats.denominator, axis));
  std::optional<unsigned> scaleAt =
      inputs.addIf(scale, space.only(scale, axis));
  auto xHatOf = [&](OpBuilder &b, Location loc, ValueRange args) {
    return normalized(b, loc, args[xAt], argAt(args, meanAt),
                      args[denominatorAt]);
  };
  auto dxHatOf = [&](OpBuilder &b, Location loc, ValueRange args) -> Value {
    if (!scaleAt)
      return args[gradAt];
    return b.create<arith::MulFOp>(loc, args[gradAt], args[*scaleAt]);
  };
  TypedAttr zero = b.getF32FloatAttr(0);

  // Per row: sum(dx_hat) (layer_norm only) and sum(dx_hat x_hat), then their
  // means.
  SmallVector<TypedAttr> rowInits(center ? 2 : 1, zero);
  SmallVector<Value> rowSums = buildReduce(
      b, loc, space, axis, inputs, rowInits,
      [&](OpBuilder &b, Location loc, ValueRange args, ValueRange accs) {
        Value xHat = xHatOf(b, loc, args);
        Value dxHat = dxHatOf(b, loc, args);
        Value product = b.create<arith::MulFOp>(loc, dxHat, xHat);
        SmallVector<Value> next;
        if (center)
          next.push_back(b.create<arith::AddFOp>(loc, accs[0], dxHat));
        next.push_back(b.create<arith::AddFOp>(loc, accs.back(), product));
        return next;
      });
  SmallVector<Value> rowMeans =
      buildMeans(b, loc, rowSums, features, b.getF32Type());

  // Per feature: sum(grad x_hat) and sum(grad) over the rows.
  SmallVector<int64_t> rowDims = space.complement(axis);
  SmallVector<TypedAttr> featureInits(center ? 2 : 1, zero);
  SmallVector<Value> featureSums = buildReduce(
      b, loc, space, rowDims, inputs, featureInits,
      [&](OpBuilder &b, Location loc, ValueRange args, ValueRange accs) {
        Value xHat = xHatOf(b, loc, args);
        Value product = b.create<arith::MulFOp>(loc, args[gradAt], xHat);
        SmallVector<Value> next{b.create<arith::AddFOp>(loc, accs[0], product)};
        if (center)
          next.push_back(b.create<arith::AddFOp>(loc, accs[1], args[gradAt]));
        return next;
      });

  std::optional<unsigned> meanDxHatAt;
  if (center)
    meanDxHatAt = inputs.add(space.without(rowMeans[0], axis));
  unsigned meanProductAt = inputs.add(space.without(rowMeans.back(), axis));
  Value inputGrad = buildMap(
      b, loc, space, inputs, element,
      [&](OpBuilder &b, Location loc, ValueRange args, ValueRange) {
        Value xHat = xHatOf(b, loc, args);
        Value dxHat = dxHatOf(b, loc, args);
        Value centred =
            meanDxHatAt
                ? b.create<arith::SubFOp>(loc, dxHat, args[*meanDxHatAt])
                : dxHat;
        Value correction =
            b.create<arith::MulFOp>(loc, xHat, args[meanProductAt]);
        Value numerator = b.create<arith::SubFOp>(loc, centred, correction);
        return SmallVector<Value>{
            b.create<arith::DivFOp>(loc, numerator, args[denominatorAt])};
      });

  SmallVector<Value> results{inputGrad};
  llvm::append_range(results, narrowTensors(b, loc, featureSums, element));
  return results;
}

struct LayerNormLowering : OpRewritePattern<fm::LayerNormOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(fm::LayerNormOp op,
                                PatternRewriter &rewriter) const override {
    rewriter.replaceOp(op, buildNormalize(rewriter, op.getLoc(), op.getInput(),
                                          op.getScale(), op.getBias(),
                                          op.getEpsAttr(), /*center=*/true));
    return success();
  }
};

struct RmsNormLowering : OpRewritePattern<fm::RmsNormOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(fm::RmsNormOp op,
                                PatternRewriter &rewriter) const override {
    rewriter.replaceOp(op, buildNormalize(rewriter, op.getLoc(), op.getInput(),
                                          op.getScale(), Value(),
                                          op.getEpsAttr(), /*center=*/false));
    return success();
  }
};

struct LayerNormGradLowering : OpRewritePattern<fm::LayerNormGradOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(fm::LayerNormGradOp op,
                                PatternRewriter &rewriter) const override {
    rewriter.replaceOp(op, buildNormalizeGrad(rewriter, op.getLoc(),
                                              op.getInput(), op.getGrad(),
                                              op.getScale(), op.getEpsAttr(),
                                              /*center=*/true));
    return success();
  }
};

struct RmsNormGradLowering : OpRewritePattern<fm::RmsNormGradOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(fm::RmsNormGradOp op,
                                PatternRewriter &rewriter) const override {
    rewriter.replaceOp(op, buildNormalizeGrad(rewriter, op.getLoc(),
                                              op.getInput(), op.getGrad(),
                                              op.getScale(), op.getEpsAttr(),
                                              /*center=*/false));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// embedding, embedding_grad
//===----------------------------------------------------------------------===//

/// A gather: a generic over the result `S x [D]` whose body extracts
/// `table[clamp(indices[s]), d]`. Elements are copied, not converted. A
/// table without rows has nothing to read: the result is zero.
struct EmbeddingLowering : OpRewritePattern<fm::EmbeddingOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(fm::EmbeddingOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value table = op.getTable();
    auto resultType = cast<RankedTensorType>(op.getType());
    const int64_t rows = cast<RankedTensorType>(table.getType()).getDimSize(0);
    const int64_t featureDim = resultType.getRank() - 1;
    IterationSpace space(rewriter.getContext(), resultType.getShape());
    Value result = buildMap(
        rewriter, loc, space, space.without(op.getIndices(), featureDim),
        resultType.getElementType(),
        [&](OpBuilder &b, Location loc, ValueRange args, ValueRange) {
          if (rows == 0)
            return SmallVector<Value>{f32Constant(b, loc, 0)};
          Value row = clampIndex(b, loc, args[0], rows);
          Value column = b.create<linalg::IndexOp>(loc, featureDim);
          return SmallVector<Value>{
              b.create<tensor::ExtractOp>(loc, table, ValueRange{row, column})};
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// A scatter-add: an scf.for over the index positions adds each gradient
/// row into row `clamp(index)` of an f32 zero table (extract_slice, an
/// in-place generic, insert_slice), in position order as the interpreter,
/// so repeated indices accumulate in the same order. O(positions x
/// features); a generic over the table reducing over positions would be
/// O(rows x positions x features).
struct EmbeddingGradLowering : OpRewritePattern<fm::EmbeddingGradOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(fm::EmbeddingGradOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto resultType = cast<RankedTensorType>(op.getType());
    const int64_t rows = resultType.getDimSize(0);
    const int64_t features = resultType.getDimSize(1);
    Value empty = rewriter.create<tensor::EmptyOp>(loc, resultType.getShape(),
                                                   rewriter.getF32Type());
    Value table =
        rewriter
            .create<linalg::FillOp>(loc, f32Constant(rewriter, loc, 0), empty)
            .result();
    // A table without rows is empty: there is nothing to add to.
    if (rows > 0) {
      // Positions as one axis: grad [N, D], indices [N].
      const int64_t positionRank =
          cast<RankedTensorType>(op.getIndices().getType()).getRank();
      Value grad = collapseLeading(rewriter, loc, op.getGrad(), positionRank);
      Value flatIndices =
          collapseLeading(rewriter, loc, op.getIndices(), positionRank);
      const int64_t positions =
          cast<RankedTensorType>(grad.getType()).getDimSize(0);
      Value lower = rewriter.create<arith::ConstantIndexOp>(loc, 0);
      Value upper = rewriter.create<arith::ConstantIndexOp>(loc, positions);
      Value one = rewriter.create<arith::ConstantIndexOp>(loc, 1);
      auto loop = rewriter.create<scf::ForOp>(
          loc, lower, upper, one, table,
          [&](OpBuilder &b, Location loc, Value position, ValueRange iter) {
            Value index =
                b.create<tensor::ExtractOp>(loc, flatIndices, position);
            Value row = clampIndex(b, loc, index, rows);
            Value accumulated =
                addRow(b, loc, iter[0], row, grad, position, features);
            b.create<scf::YieldOp>(loc, accumulated);
          });
      table = loop.getResult(0);
    }
    rewriter.replaceOp(
        op, narrowTensor(rewriter, loc, table, resultType.getElementType()));
    return success();
  }

private:
  /// `table` with grad[position, :] (widened) added to row `row`, in place.
  static Value addRow(OpBuilder &b, Location loc, Value table, Value row,
                      Value grad, Value position, int64_t features) {
    SmallVector<OpFoldResult> sizes{b.getIndexAttr(1),
                                    b.getIndexAttr(features)};
    SmallVector<OpFoldResult> strides(2, b.getIndexAttr(1));
    auto rowOf = [&](Value source, Value at) {
      auto type = cast<RankedTensorType>(source.getType());
      auto rowType = RankedTensorType::get({features}, type.getElementType());
      return b.create<tensor::ExtractSliceOp>(
          loc, rowType, source, ArrayRef<OpFoldResult>{at, b.getIndexAttr(0)},
          sizes, strides);
    };
    Value tableRow = rowOf(table, row);
    Value gradRow = rowOf(grad, position);
    IterationSpace space(b.getContext(), {features});
    Value sum =
        buildGeneric(
            b, loc, space, /*reducedDims=*/{}, space.full(gradRow), tableRow,
            /*readOutputs=*/true,
            [](OpBuilder &b, Location loc, ValueRange args, ValueRange accs) {
              return SmallVector<Value>{
                  b.create<arith::AddFOp>(loc, accs[0], args[0])};
            })
            .front();
    return b.create<tensor::InsertSliceOp>(
        loc, sum, table, ArrayRef<OpFoldResult>{row, b.getIndexAttr(0)}, sizes,
        strides);
  }
};

//===----------------------------------------------------------------------===//
// cross_entropy, cross_entropy_grad
//===----------------------------------------------------------------------===//

/// The mean over positions of `max + log(sum) - logits[label]`: the row max
/// and exp-sum as softmax, then one generic over the positions that reads
/// each label's logit and sums the losses. The sum is compensated (Kahan,
/// a second accumulator holding the carry) as in the interpreter: a loss
/// averages many positions, and plain f32 summation would drift by about
/// sqrt(positions) ulps from it. With no classes there is no logit to read
/// and it counts as 0.
struct CrossEntropyLowering : OpRewritePattern<fm::CrossEntropyOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(fm::CrossEntropyOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value logits = op.getLogits();
    auto type = cast<RankedTensorType>(logits.getType());
    const int64_t axis = type.getRank() - 1;
    const int64_t classes = type.getDimSize(axis);
    MLIRContext *context = rewriter.getContext();
    IterationSpace space(context, type.getShape());
    auto [max, sum] = buildMaxAndExpSum(rewriter, loc, space, logits, axis);

    IterationSpace positions(context, type.getShape().drop_back());
    SmallVector<int64_t> allDims = positions.complement({});
    TypedAttr zero = rewriter.getF32FloatAttr(0);
    SmallVector<Value> total = buildReduce(
        rewriter, loc, positions, allDims,
        {positions.full(max), positions.full(sum),
         positions.full(op.getLabels())},
        {zero, zero},
        [&](OpBuilder &b, Location loc, ValueRange args, ValueRange accs) {
          Value picked = f32Constant(b, loc, 0);
          if (classes > 0) {
            SmallVector<Value> at;
            for (int64_t dim : allDims)
              at.push_back(b.create<linalg::IndexOp>(loc, dim));
            at.push_back(clampIndex(b, loc, args[2], classes));
            picked = fm::widenToF32(
                b, loc, b.create<tensor::ExtractOp>(loc, logits, at));
          }
          Value logSum = b.create<math::LogOp>(loc, args[1]);
          Value loss = b.create<arith::SubFOp>(
              loc, b.create<arith::AddFOp>(loc, args[0], logSum), picked);
          // The interpreter's CompensatedSum::add.
          Value total = accs[0], carry = accs[1];
          Value corrected = b.create<arith::SubFOp>(loc, loss, carry);
          Value next = b.create<arith::AddFOp>(loc, total, corrected);
          Value added = b.create<arith::SubFOp>(loc, next, total);
          Value lost = b.create<arith::SubFOp>(loc, added, corrected);
          return SmallVector<Value>{next, lost};
        });
    const int64_t count =
        cast<RankedTensorType>(op.getLabels().getType()).getNumElements();
    Value mean =
        buildMeans(rewriter, loc, total[0], count, rewriter.getF32Type())
            .front();
    rewriter.replaceOp(op, mean);
    return success();
  }
};

/// `(exp(x - max) / sum - one_hot(label)) * grad / N` along the last axis.
struct CrossEntropyGradLowering : OpRewritePattern<fm::CrossEntropyGradOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(fm::CrossEntropyGradOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value logits = op.getLogits();
    auto type = cast<RankedTensorType>(logits.getType());
    const int64_t axis = type.getRank() - 1;
    const int64_t classes = type.getDimSize(axis);
    const int64_t positions =
        cast<RankedTensorType>(op.getLabels().getType()).getNumElements();
    IterationSpace space(rewriter.getContext(), type.getShape());
    auto [max, sum] = buildMaxAndExpSum(rewriter, loc, space, logits, axis);
    // grad / N once, as the interpreter.
    Value scale = rewriter.create<arith::DivFOp>(
        loc, rewriter.create<tensor::ExtractOp>(loc, op.getGrad()),
        countConstant(rewriter, loc, positions));
    Value result = buildMap(
        rewriter, loc, space,
        {space.full(logits), space.without(max, axis), space.without(sum, axis),
         space.without(op.getLabels(), axis)},
        type.getElementType(),
        [&](OpBuilder &b, Location loc, ValueRange args, ValueRange) {
          Value shifted = b.create<arith::SubFOp>(loc, args[0], args[1]);
          Value probability = b.create<arith::DivFOp>(
              loc, b.create<math::ExpOp>(loc, shifted), args[2]);
          // Clamped as in cross_entropy, so that this stays the gradient of
          // the compiled loss. (Without classes the body never runs.)
          Value label =
              clampIndex(b, loc, args[3], std::max<int64_t>(classes, 1));
          Value isLabel = b.create<arith::CmpIOp>(
              loc, arith::CmpIPredicate::eq,
              b.create<linalg::IndexOp>(loc, axis), label);
          Value oneHot = b.create<arith::SelectOp>(
              loc, isLabel, f32Constant(b, loc, 1), f32Constant(b, loc, 0));
          Value difference = b.create<arith::SubFOp>(loc, probability, oneHot);
          return SmallVector<Value>{
              b.create<arith::MulFOp>(loc, difference, scale)};
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

namespace fm {

void populateStructuredLoweringPatterns(RewritePatternSet &patterns) {
  patterns.add<
      MatmulLowering, ReduceLowering<ReduceSumOp>, ReduceLowering<ReduceMeanOp>,
      ReduceLowering<ReduceMaxOp>, SoftmaxLowering<SoftmaxOp>,
      SoftmaxLowering<LogSoftmaxOp>, SoftmaxGradLowering<SoftmaxGradOp>,
      SoftmaxGradLowering<LogSoftmaxGradOp>, LayerNormLowering, RmsNormLowering,
      LayerNormGradLowering, RmsNormGradLowering, EmbeddingLowering,
      EmbeddingGradLowering, CrossEntropyLowering, CrossEntropyGradLowering>(
      patterns.getContext());
}

} // namespace fm

//===- LowerFp8.cpp - fm FP8 scaling, scaled matmul, range expansion ------===//
//
// Lowers fm.quantize, fm.dequantize, fm.scaled_matmul, fm.quantize_expanded
// and fm.dequantize_expanded to linalg on tensors, step for step as the
// interpreter computes them (ir/interp/Interpreter.cpp) in f32, so that the
// FP8 bits match: a group's scale is read through an indexing map that
// divides the grouped dimension by the group size, and range expansion's
// per-group statistics reduce over the input reshaped to
// [..., groups, group, ...].
//
//===----------------------------------------------------------------------===//

#include "codegen/GenericBuilders.h"
#include "codegen/LoweringPatterns.h"
#include "ir/FmOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/PatternMatch.h"

#include <cmath>
#include <limits>

using namespace mlir;
using namespace fm::lowering;

namespace {

/// The map from an element of `space` to its group's scale: every
/// dimension, the grouped one divided by `group`; none per tensor.
AffineMap groupScaleMap(const IterationSpace &space,
                        std::optional<uint64_t> group, int64_t axis,
                        MLIRContext *context) {
  if (!group)
    return AffineMap::get(space.rank(), 0, {}, context);
  SmallVector<AffineExpr> exprs;
  for (int64_t dim = 0; dim < space.rank(); ++dim) {
    AffineExpr expr = getAffineDimExpr(dim, context);
    exprs.push_back(dim == axis ? expr.floorDiv(static_cast<int64_t>(*group))
                                : expr);
  }
  return AffineMap::get(space.rank(), 0, exprs, context);
}

/// sign(magnitudeOf) * magnitude, as std::copysign.
Value copySign(OpBuilder &b, Location loc, Value magnitude, Value sign) {
  return b.create<math::CopySignOp>(loc, magnitude, sign);
}

//===----------------------------------------------------------------------===//
// quantize, dequantize
//===----------------------------------------------------------------------===//

/// `combine(x, scale)` per element with its group's scale, rounded once to
/// the result type.
template <typename GroupScaledOp>
struct GroupScaledLowering : OpRewritePattern<GroupScaledOp> {
  using OpRewritePattern<GroupScaledOp>::OpRewritePattern;

  LogicalResult matchAndRewrite(GroupScaledOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = cast<RankedTensorType>(op.getResult().getType());
    IterationSpace space(rewriter.getContext(), type.getShape());
    const int64_t axis = op.getGroup() ? op.getNormalizedAxis() : 0;
    GenericInput scale{op.getScale(), groupScaleMap(space, op.getGroup(), axis,
                                                    rewriter.getContext())};
    Value result =
        buildMap(rewriter, loc, space, {space.full(op.getInput()), scale},
                 type.getElementType(),
                 [](OpBuilder &b, Location loc, ValueRange args, ValueRange) {
                   return SmallVector<Value>{combine(b, loc, args[0], args[1])};
                 });
    rewriter.replaceOp(op, result);
    return success();
  }

  static Value combine(OpBuilder &b, Location loc, Value x, Value scale) {
    if constexpr (std::is_same_v<GroupScaledOp, fm::QuantizeOp>)
      return b.create<arith::DivFOp>(loc, x, scale);
    else
      return b.create<arith::MulFOp>(loc, x, scale);
  }
};

//===----------------------------------------------------------------------===//
// scaled_matmul
//===----------------------------------------------------------------------===//

/// The operands widened to f32 (exactly), their f32 fm.matmul (lowered by
/// the matmul pattern, accumulating in k order), then
/// `acc * (lhs_scale * rhs_scale)` rounded once to the result type.
struct ScaledMatmulLowering : OpRewritePattern<fm::ScaledMatmulOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(fm::ScaledMatmulOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value product = rewriter.create<fm::MatmulOp>(
        loc, widenTensor(rewriter, loc, op.getLhs()),
        widenTensor(rewriter, loc, op.getRhs()), op.getTransposeA(),
        op.getTransposeB());
    auto type = cast<RankedTensorType>(op.getResult().getType());
    IterationSpace space(rewriter.getContext(), type.getShape());
    Value result =
        buildMap(rewriter, loc, space,
                 {space.full(product), space.only(op.getLhsScale(), {}),
                  space.only(op.getRhsScale(), {})},
                 type.getElementType(),
                 [](OpBuilder &b, Location loc, ValueRange args, ValueRange) {
                   Value scale = b.create<arith::MulFOp>(loc, args[1], args[2]);
                   return SmallVector<Value>{
                       b.create<arith::MulFOp>(loc, args[0], scale)};
                 });
    rewriter.replaceOp(op, result);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Dynamic range expansion
//===----------------------------------------------------------------------===//

/// `value` ([..., A, ...], A along `axis`) as [..., A / group, group, ...].
Value splitGroups(OpBuilder &b, Location loc, Value value, int64_t axis,
                  int64_t group) {
  auto type = cast<RankedTensorType>(value.getType());
  SmallVector<int64_t> shape;
  SmallVector<ReassociationIndices> reassociation;
  for (int64_t dim = 0; dim < type.getRank(); ++dim) {
    const int64_t next = static_cast<int64_t>(shape.size());
    if (dim == axis) {
      shape.push_back(type.getDimSize(dim) / group);
      shape.push_back(group);
      reassociation.push_back({next, next + 1});
    } else {
      shape.push_back(type.getDimSize(dim));
      reassociation.push_back({next});
    }
  }
  return b.create<tensor::ExpandShapeOp>(
      loc, RankedTensorType::get(shape, type.getElementType()), value,
      reassociation);
}

/// fm.quantize_expanded: per group, the largest finite and smallest
/// nonzero magnitudes and whether a non-finite value is present (one
/// reduction over the grouped view); then scale, k and centre (a map over
/// the groups); then the expanded, scaled and rounded values.
struct QuantizeExpandedLowering : OpRewritePattern<fm::QuantizeExpandedOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(fm::QuantizeExpandedOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *context = rewriter.getContext();
    const int64_t axis = op.getNormalizedAxis();
    const auto group = static_cast<int64_t>(op.getGroup());
    Type f32 = rewriter.getF32Type();
    const float inf = std::numeric_limits<float>::infinity();
    const float fmax = fm::largestFinite(
        cast<FloatType>(op.getResult().getType().getElementType()));

    Value grouped = splitGroups(rewriter, loc, op.getInput(), axis, group);
    IterationSpace groupedSpace(
        context, cast<RankedTensorType>(grouped.getType()).getShape());
    SmallVector<Value> statistics = buildReduce(
        rewriter, loc, groupedSpace, {axis + 1}, {groupedSpace.full(grouped)},
        {rewriter.getF32FloatAttr(0), rewriter.getF32FloatAttr(inf),
         rewriter.getF32FloatAttr(0)},
        [&](OpBuilder &b, Location loc, ValueRange args, ValueRange acc) {
          Value magnitude = b.create<math::AbsFOp>(loc, args[0]);
          // Ordered and below infinity: finite (NaN compares false).
          Value finite =
              b.create<arith::CmpFOp>(loc, arith::CmpFPredicate::OLT, magnitude,
                                      f32Constant(b, loc, inf));
          Value nonzero =
              b.create<arith::CmpFOp>(loc, arith::CmpFPredicate::ONE, magnitude,
                                      f32Constant(b, loc, 0));
          Value largest = b.create<arith::SelectOp>(
              loc, finite, b.create<arith::MaximumFOp>(loc, acc[0], magnitude),
              acc[0]);
          Value smallest = b.create<arith::SelectOp>(
              loc, b.create<arith::AndIOp>(loc, finite, nonzero),
              b.create<arith::MinimumFOp>(loc, acc[1], magnitude), acc[1]);
          Value flag = b.create<arith::SelectOp>(loc, finite, acc[2],
                                                 f32Constant(b, loc, 1));
          return SmallVector<Value>{largest, smallest, flag};
        });

    auto metaType = cast<RankedTensorType>(op.getScale().getType());
    IterationSpace groups(context, metaType.getShape());
    SmallVector<Value> metadata = buildMap(
        rewriter, loc, groups,
        {groups.full(statistics[0]), groups.full(statistics[1]),
         groups.full(statistics[2])},
        TypeRange{f32, f32, f32},
        [&](OpBuilder &b, Location loc, ValueRange args, ValueRange) {
          Value one = f32Constant(b, loc, 1);
          Value tiny = f32Constant(b, loc, 1e-30f);
          Value hi = b.create<arith::AddFOp>(loc, args[0], tiny);
          Value anyNonzero =
              b.create<arith::CmpFOp>(loc, arith::CmpFPredicate::OLT, args[1],
                                      f32Constant(b, loc, inf));
          Value lo = b.create<arith::SelectOp>(
              loc, anyNonzero, b.create<arith::AddFOp>(loc, args[1], tiny), hi);
          Value ratio = b.create<arith::DivFOp>(loc, hi, lo);
          // Degenerate: non-finite values, or not ratio > 1.
          Value expands = b.create<arith::AndIOp>(
              loc,
              b.create<arith::CmpFOp>(loc, arith::CmpFPredicate::OEQ, args[2],
                                      f32Constant(b, loc, 0)),
              b.create<arith::CmpFOp>(loc, arith::CmpFPredicate::OGT, ratio,
                                      one));
          Value sixteen = f32Constant(b, loc, 16);
          Value k = b.create<arith::DivFOp>(
              loc,
              b.create<math::FloorOp>(
                  loc,
                  b.create<arith::MulFOp>(
                      loc,
                      b.create<arith::DivFOp>(
                          loc,
                          f32Constant(b, loc, std::log2(fmax * fmax / 2.0f)),
                          b.create<math::Log2Op>(loc, ratio)),
                      sixteen)),
              sixteen);
          k = b.create<arith::MinimumFOp>(
              loc,
              b.create<arith::MaximumFOp>(loc, k,
                                          f32Constant(b, loc, 1.0f / 16)),
              sixteen);
          Value centre =
              b.create<arith::MulFOp>(loc, b.create<math::SqrtOp>(loc, hi),
                                      b.create<math::SqrtOp>(loc, lo));
          Value fmaxValue = f32Constant(b, loc, fmax);
          Value expandedScale = b.create<arith::DivFOp>(
              loc,
              b.create<math::PowFOp>(
                  loc, b.create<arith::DivFOp>(loc, hi, centre), k),
              fmaxValue);
          Value plainScale = b.create<arith::DivFOp>(loc, hi, fmaxValue);
          return SmallVector<Value>{
              b.create<arith::SelectOp>(loc, expands, expandedScale,
                                        plainScale),
              b.create<arith::SelectOp>(loc, expands, k, one),
              b.create<arith::SelectOp>(loc, expands, centre, one)};
        });

    auto type = cast<RankedTensorType>(op.getResult().getType());
    IterationSpace space(context, type.getShape());
    AffineMap groupMap =
        groupScaleMap(space, op.getGroup(), axis, rewriter.getContext());
    Value result = buildMap(
        rewriter, loc, space,
        {space.full(op.getInput()),
         {metadata[0], groupMap},
         {metadata[1], groupMap},
         {metadata[2], groupMap}},
        type.getElementType(),
        [](OpBuilder &b, Location loc, ValueRange args, ValueRange) {
          Value x = args[0], scale = args[1], k = args[2], centre = args[3];
          Value expanded =
              copySign(b, loc,
                       b.create<math::PowFOp>(
                           loc,
                           b.create<arith::DivFOp>(
                               loc, b.create<math::AbsFOp>(loc, x), centre),
                           k),
                       x);
          return SmallVector<Value>{
              b.create<arith::DivFOp>(loc, expanded, scale)};
        });
    rewriter.replaceOp(op, {result, metadata[0], metadata[1], metadata[2]});
    return success();
  }
};

/// fm.dequantize_expanded: sign(q) * pow(|q * scale|, 1 / k) * c per element.
struct DequantizeExpandedLowering : OpRewritePattern<fm::DequantizeExpandedOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(fm::DequantizeExpandedOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = cast<RankedTensorType>(op.getResult().getType());
    IterationSpace space(rewriter.getContext(), type.getShape());
    AffineMap groupMap = groupScaleMap(
        space, op.getGroup(), op.getNormalizedAxis(), rewriter.getContext());
    Value result = buildMap(
        rewriter, loc, space,
        {space.full(op.getInput()),
         {op.getScale(), groupMap},
         {op.getExponent(), groupMap},
         {op.getCentre(), groupMap}},
        type.getElementType(),
        [](OpBuilder &b, Location loc, ValueRange args, ValueRange) {
          Value q = args[0], scale = args[1], k = args[2], centre = args[3];
          Value root = b.create<math::PowFOp>(
              loc,
              b.create<math::AbsFOp>(loc,
                                     b.create<arith::MulFOp>(loc, q, scale)),
              b.create<arith::DivFOp>(loc, f32Constant(b, loc, 1), k));
          return SmallVector<Value>{
              copySign(b, loc, b.create<arith::MulFOp>(loc, root, centre), q)};
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void fm::populateFp8LoweringPatterns(RewritePatternSet &patterns) {
  patterns.add<GroupScaledLowering<fm::QuantizeOp>,
               GroupScaledLowering<fm::DequantizeOp>, ScaledMatmulLowering,
               QuantizeExpandedLowering, DequantizeExpandedLowering>(
      patterns.getContext());
}

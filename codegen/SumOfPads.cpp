//===- SumOfPads.cpp - Sums of disjoint pads as concatenations ------------===//
//
// The gradient of a tensor split by slices (a fused QKV projection read as
// q, k and v) is the sum of the slices' gradients, each zero-padded back to
// the whole (fm-autodiff's rule for fm.slice): three zero-filled copies of
// the full tensor and two adds, where writing each piece once into its place
// would do. fm-lower-to-linalg rewrites such sums into an fm.concat first.
//
//===----------------------------------------------------------------------===//

#include "codegen/LoweringPatterns.h"
#include "ir/FmOps.h"

#include "mlir/IR/BuiltinAttributes.h"

#include <algorithm>

using namespace mlir;

namespace fm {
namespace {

/// A zero-padded piece of the sum: `input` placed at `low` along the axis.
struct Piece {
  Value input;
  int64_t low;
};

/// The pads whose sum `value` is, through adds of its own type that have no
/// other use (`adds`, outermost first); fails on anything else.
LogicalResult collectPads(Value value, RankedTensorType type,
                          SmallVectorImpl<PadOp> &pads,
                          SmallVectorImpl<AddOp> &adds) {
  if (auto add = value.getDefiningOp<AddOp>();
      add && add.getResult().hasOneUse() && add.getLhs().getType() == type &&
      add.getRhs().getType() == type) {
    adds.push_back(add);
    return success(succeeded(collectPads(add.getLhs(), type, pads, adds)) &&
                   succeeded(collectPads(add.getRhs(), type, pads, adds)));
  }
  if (auto pad = value.getDefiningOp<PadOp>()) {
    pads.push_back(pad);
    return success();
  }
  return failure();
}

/// The one axis along which `pad` pads, without interior padding; -1 if
/// there is none or more than one.
int64_t paddedAxis(PadOp pad) {
  int64_t axis = -1;
  for (auto [index, low, high, interior] : llvm::enumerate(
           pad.getLow(), pad.getHigh(), pad.getEffectiveInterior())) {
    if (interior != 0)
      return -1;
    if (low == 0 && high == 0)
      continue;
    if (axis >= 0)
      return -1;
    axis = static_cast<int64_t>(index);
  }
  return axis;
}

/// add(pad(a), add(pad(b), pad(c))), with the pads along one axis at
/// disjoint places, becomes concat(zeros?, a + 0, zeros?, b + 0, ...).
/// Adding +0 keeps the sum's bits: -0 + 0 is +0. f32 only, the type whose
/// adds fm-lower-to-linalg lowers without rounding.
struct SumOfDisjointPads : OpRewritePattern<AddOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(AddOp root,
                                PatternRewriter &rewriter) const override {
    auto type = root.getResult().getType();
    if (!type.getElementType().isF32() || root.getLhs().getType() != type ||
        root.getRhs().getType() != type)
      return failure();
    // Part of a larger sum: rewrite that one instead.
    if (root.getResult().hasOneUse())
      if (auto user = dyn_cast<AddOp>(*root.getResult().getUsers().begin());
          user && user.getResult().getType() == type)
        return failure();
    SmallVector<PadOp> pads;
    SmallVector<AddOp> adds;
    if (failed(collectPads(root.getLhs(), type, pads, adds)) ||
        failed(collectPads(root.getRhs(), type, pads, adds)))
      return failure();
    const int64_t axis = paddedAxis(pads.front());
    if (axis < 0)
      return failure();
    SmallVector<Piece> pieces;
    for (PadOp pad : pads) {
      if (paddedAxis(pad) != axis)
        return failure();
      pieces.push_back({pad.getInput(), pad.getLow()[axis]});
    }
    llvm::sort(pieces,
               [](const Piece &a, const Piece &b) { return a.low < b.low; });
    auto end = [&](const Piece &piece) {
      return piece.low +
             cast<RankedTensorType>(piece.input.getType()).getDimSize(axis);
    };
    // Overlapping places make a real sum; checked before anything is built.
    for (size_t i = 1; i < pieces.size(); ++i)
      if (pieces[i].low < end(pieces[i - 1]))
        return failure();
    Location loc = root.getLoc();
    auto zerosAlong = [&](int64_t size) -> Value {
      SmallVector<int64_t> shape(type.getShape());
      shape[axis] = size;
      auto zerosType = type.clone(shape);
      return rewriter.create<ConstantOp>(
          loc, DenseElementsAttr::get(zerosType, rewriter.getF32FloatAttr(0)));
    };
    Value zero = rewriter.create<ConstantOp>(
        loc,
        DenseElementsAttr::get(RankedTensorType::get({}, rewriter.getF32Type()),
                               rewriter.getF32FloatAttr(0)));
    SmallVector<Value> inputs;
    int64_t next = 0;
    for (const Piece &piece : pieces) {
      if (piece.low > next)
        inputs.push_back(zerosAlong(piece.low - next));
      inputs.push_back(rewriter.create<AddOp>(loc, piece.input, zero));
      next = end(piece);
    }
    if (next < type.getDimSize(axis))
      inputs.push_back(zerosAlong(type.getDimSize(axis) - next));
    rewriter.replaceOpWithNewOp<ConcatOp>(root, inputs, axis);
    // The sum's other adds and its pads are dead now, users first.
    for (AddOp add : adds)
      rewriter.eraseOp(add);
    for (PadOp pad : pads)
      if (pad.getResult().use_empty())
        rewriter.eraseOp(pad);
    return success();
  }
};

} // namespace

void populateSumOfPadsPatterns(RewritePatternSet &patterns) {
  patterns.add<SumOfDisjointPads>(patterns.getContext());
}

} // namespace fm

//===- Fp8Activations.cpp - fm-fp8-activations ----------------------------===//
//
// COAT's "FP8 precision flow" for non-linear layers: the tensors that
// layer/RMS norms, GELU/SiLU, elementwise products and softmax keep for the
// backward pass are stored as E4M3 with 1 x G group scales along the last
// axis, and the backward pass reads them dequantized.
//
//===----------------------------------------------------------------------===//
#include "passes/Passes.h"

#include "ir/FmOps.h"
#include "passes/Fp8Common.h"

#include "mlir/IR/Builders.h"

#include "llvm/ADT/SetVector.h"

namespace fm {
#define GEN_PASS_DEF_FP8ACTIVATIONS
#include "passes/Passes.h.inc"
} // namespace fm

using namespace mlir;
using namespace fm;

namespace {

/// The tensors a non-linear op's backward reads: its inputs, and for
/// softmax its output.
SmallVector<Value> savedTensors(Operation *op) {
  if (isa<LayerNormOp, RmsNormOp, GeluOp, SiluOp, MulOp>(op))
    return SmallVector<Value>(op->getOperands());
  if (isa<SoftmaxOp>(op))
    return {op->getResult(0)};
  return {};
}

struct Fp8ActivationsPass : fm::impl::Fp8ActivationsBase<Fp8ActivationsPass> {
  using Fp8ActivationsBase::Fp8ActivationsBase;

  void runOnOperation() override {
    if (group <= 0) {
      getOperation().emitError() << "fm-fp8-activations: group must be "
                                    "positive, got "
                                 << static_cast<int64_t>(group);
      return signalPassFailure();
    }
    for (auto function : getOperation().getOps<func::FuncOp>())
      if (!function.isExternal())
        compressSavedActivations(function);
  }

private:
  void compressSavedActivations(func::FuncOp function) {
    DenseSet<Value> forward = forwardValues(function);
    if (forward.empty())
      return; // No loss: no backward pass to save anything for.
    llvm::SetVector<Value> saved;
    function.walk([&](Operation *op) {
      if (!forward.contains(op->getNumResults() ? op->getResult(0) : Value()))
        return;
      for (Value value : savedTensors(op))
        if (isCompressible(value) &&
            llvm::any_of(value.getUsers(), [&](Operation *user) {
              return !isForward(user, forward);
            }))
          saved.insert(value);
    });
    for (Value value : saved)
      compress(value, forward);
    requantizeArgumentsInBackward(function, forward);
  }

  /// COAT's two-stage amax: a per-tensor amax of `value` (fm-fp8-linear's
  /// reduce_max(abs(value)) over all axes) becomes the maximum of its group
  /// amaxes, 16x fewer elements to read. The same value: max is exact.
  /// Returns the abs ops left unused, for the caller to erase once it is
  /// done inserting (its insertion point may be one of them).
  static SmallVector<AbsOp> reduceTensorAmaxOverGroups(Value value,
                                                       Value groupAmax) {
    SmallVector<AbsOp> unused;
    for (Operation *user : value.getUsers()) {
      auto abs = dyn_cast<AbsOp>(user);
      if (!abs)
        continue;
      for (Operation *absUser : llvm::make_early_inc_range(abs->getUsers()))
        if (auto reduce = dyn_cast<ReduceMaxOp>(absUser);
            reduce && !reduce.getAxes() && !reduce.getKeepdim())
          reduce.getInputMutable().assign(groupAmax);
      if (abs->use_empty())
        unused.push_back(abs);
    }
    return unused;
  }

  /// An FP8 copy of an argument (a weight, for fm-fp8-linear's GEMMs) that
  /// the backward pass reads is made again there, from the argument, which
  /// lives through the step anyway: the copy itself need not.
  static void requantizeArgumentsInBackward(func::FuncOp function,
                                            const DenseSet<Value> &forward) {
    SmallVector<QuantizeOp> copies;
    function.walk([&](QuantizeOp copy) {
      if (isa<BlockArgument>(copy.getInput()) &&
          llvm::any_of(copy->getUsers(), [&](Operation *user) {
            return !isForward(user, forward);
          }))
        copies.push_back(copy);
    });
    for (QuantizeOp copy : copies) {
      SmallVector<OpOperand *> backwardUses;
      Operation *first = nullptr;
      for (OpOperand &use : copy.getResult().getUses()) {
        if (isForward(use.getOwner(), forward))
          continue;
        backwardUses.push_back(&use);
        if (!first || use.getOwner()->isBeforeInBlock(first))
          first = use.getOwner();
      }
      // Only a copy the forward pass reads too is kept across the passes.
      if (backwardUses.size() == static_cast<size_t>(std::distance(
                                     copy->use_begin(), copy->use_end())))
        continue;
      OpBuilder b(first);
      Operation *again = b.clone(*copy);
      for (OpOperand *use : backwardUses)
        use->set(again->getResult(0));
    }
  }

  static bool isForward(Operation *op, const DenseSet<Value> &forward) {
    return op->getNumResults() && forward.contains(op->getResult(0));
  }

  /// A float tensor whose last axis splits into groups.
  bool isCompressible(Value value) {
    auto type = dyn_cast<RankedTensorType>(value.getType());
    return type && type.getRank() >= 1 &&
           isa<FloatType>(type.getElementType()) &&
           !isa<Float8E4M3FNType, Float8E5M2Type>(type.getElementType()) &&
           type.getShape().back() % group == 0;
  }

  /// Quantizes `value` where it is made, and gives its backward users the
  /// dequantized copy, made just before the first of them, so that only the
  /// FP8 codes and scales live from the forward pass to the backward pass.
  /// A per-tensor FP8 copy of `value` that backward GEMMs read (made by
  /// fm-fp8-linear for the forward GEMM, the softmax output's for one) is
  /// made again in the backward pass from the dequantized copy, with the
  /// same scale, instead of being kept too.
  void compress(Value value, const DenseSet<Value> &forward) {
    // The backward uses, before the quantization adds uses of its own.
    SmallVector<OpOperand *> backwardUses, backwardCopyUses;
    SmallVector<QuantizeOp> copies;
    Operation *first = nullptr;
    auto noteBackwardUse = [&](OpOperand &use,
                               SmallVectorImpl<OpOperand *> &uses) {
      uses.push_back(&use);
      if (!first || use.getOwner()->isBeforeInBlock(first))
        first = use.getOwner();
    };
    for (OpOperand &use : value.getUses()) {
      Operation *user = use.getOwner();
      if (!isForward(user, forward)) {
        noteBackwardUse(use, backwardUses);
        continue;
      }
      auto copy = dyn_cast<QuantizeOp>(user);
      if (!copy || copy.getGroup() || copy.getInput() != value)
        continue;
      const size_t before = backwardCopyUses.size();
      for (OpOperand &copyUse : copy.getResult().getUses())
        if (!isForward(copyUse.getOwner(), forward))
          noteBackwardUse(copyUse, backwardCopyUses);
      if (backwardCopyUses.size() != before)
        copies.push_back(copy);
    }
    auto type = cast<RankedTensorType>(value.getType());
    OpBuilder b(&getContext());
    if (Operation *def = value.getDefiningOp())
      b.setInsertionPointAfter(def);
    else
      b.setInsertionPointToStart(cast<BlockArgument>(value).getOwner());
    Location loc = value.getLoc();
    Type f32 = b.getF32Type();

    // 1 x G group amaxes: the value viewed as [..., N / G, G], reduced over
    // its last axis.
    SmallVector<int64_t> groupedShape(type.getShape());
    const int64_t groups = groupedShape.back() / group;
    groupedShape.back() = groups;
    SmallVector<int64_t> scaleShape = groupedShape;
    groupedShape.push_back(group);
    Value grouped = b.create<ReshapeOp>(
        loc, RankedTensorType::get(groupedShape, type.getElementType()), value);
    Value amax = b.create<ReduceMaxOp>(loc, b.create<AbsOp>(loc, grouped),
                                       b.getDenseI64ArrayAttr({-1}),
                                       /*keepdim=*/false);
    auto scaleType = RankedTensorType::get(scaleShape, f32);
    SmallVector<AbsOp> unusedMagnitudes;
    if (!type.getElementType().isF32())
      amax = b.create<CastOp>(loc, scaleType, amax);
    else
      unusedMagnitudes = reduceTensorAmaxOverGroups(value, amax);
    FloatType e4m3 = b.getFloat8E4M3FNType();
    Value scale = scaleFromAmax(b, loc, amax, e4m3);
    Value codes = b.create<QuantizeOp>(
        loc, RankedTensorType::get(type.getShape(), e4m3), value, scale,
        b.getI64IntegerAttr(group), /*axis=*/-1);

    b.setInsertionPoint(first);
    Value restored = b.create<DequantizeOp>(loc, type, codes, scale,
                                            b.getI64IntegerAttr(group),
                                            /*axis=*/-1);
    for (OpOperand *use : backwardUses)
      use->set(restored);
    for (QuantizeOp copy : copies) {
      Value again = b.create<QuantizeOp>(copy.getLoc(), copy.getType(),
                                         restored, copy.getScale(),
                                         /*group=*/nullptr, /*axis=*/-1);
      for (OpOperand *use : backwardCopyUses)
        if (use->get() == copy.getResult())
          use->set(again);
    }
    for (AbsOp abs : unusedMagnitudes)
      abs->erase();
  }
};

} // namespace

//===- Fp8Linear.cpp - fm-fp8-linear --------------------------------------===//
//
// Rewrites every fm.matmul into a per-tensor-scaled FP8 GEMM (COAT's and
// TransformerEngine's linear layers): each operand is quantized with the
// scale amax / fmax of its own current values ("current scaling"), forward
// tensors to E4M3 and gradients to E5M2, and fm.scaled_matmul multiplies
// them with f32 accumulation into the original result type.
//
//===----------------------------------------------------------------------===//
#include "passes/Passes.h"

#include "ir/FmOps.h"
#include "passes/Fp8Common.h"

#include "mlir/IR/Builders.h"

#include <cmath>
#include <optional>

namespace fm {
#define GEN_PASS_DEF_FP8LINEAR
#include "passes/Passes.h.inc"
} // namespace fm

using namespace mlir;
using namespace fm;

namespace {

/// A state tensor a function gains: its name and type. Its new value is
/// returned as a result named alike that feeds it.
struct AddedState {
  std::string name;
  RankedTensorType type;
};

struct Fp8LinearPass : fm::impl::Fp8LinearBase<Fp8LinearPass> {
  using Fp8LinearBase::Fp8LinearBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (recipe != "current" && recipe != "delayed") {
      module.emitError() << "fm-fp8-linear: unknown recipe '" << recipe
                         << "' (expected current or delayed)";
      return signalPassFailure();
    }
    if (recipe == "delayed" && history <= 0) {
      module.emitError() << "fm-fp8-linear: history must be positive, got "
                         << static_cast<int64_t>(history);
      return signalPassFailure();
    }
    // Histories are state that @train_step carries from step to step: only
    // the functions it runs can have them.
    DenseSet<Operation *> stepping;
    if (auto step = module.lookupSymbol<func::FuncOp>("train_step")) {
      SmallVector<func::FuncOp> worklist = {step};
      while (!worklist.empty()) {
        func::FuncOp function = worklist.pop_back_val();
        if (!stepping.insert(function).second)
          continue;
        function.walk([&](func::CallOp call) {
          if (auto callee = module.lookupSymbol<func::FuncOp>(call.getCallee()))
            worklist.push_back(callee);
        });
      }
    }
    SmallVector<func::FuncOp> functions;
    for (auto function : module.getOps<func::FuncOp>())
      if (!function.isExternal())
        functions.push_back(function);
    for (func::FuncOp function : functions) {
      SmallVector<AddedState> added = rewriteMatmuls(
          function, recipe == "delayed" && stepping.contains(function));
      if (!added.empty())
        threadThroughCallers(module, function, added);
    }
  }

private:
  /// The value outside any fusion that `x` stands for: a fusion's block
  /// argument is its operand.
  static Value outsideFusion(Value x) {
    while (auto argument = dyn_cast<BlockArgument>(x)) {
      auto fusion = dyn_cast<FusionOp>(argument.getOwner()->getParentOp());
      if (!fusion)
        break;
      x = fusion->getOperand(argument.getArgNumber());
    }
    return x;
  }

  SmallVector<AddedState> rewriteMatmuls(func::FuncOp function, bool delayed) {
    // Everything the loss does not depend on belongs to the backward pass:
    // gradients, stored in E5M2 for its range.
    DenseSet<Value> forward = forwardValues(function);
    bool hasLoss = !forward.empty();
    SmallVector<MatmulOp> matmuls;
    // Only GEMMs on f32/f16/bf16 (what fm.quantize takes): one on FP8 or
    // integer tensors has nothing to quantize.
    auto isWideFloat = [](Value value) {
      Type element = getElementTypeOrSelf(value.getType());
      return element.isF32() || element.isF16() || element.isBF16();
    };
    function.walk([&](MatmulOp op) {
      if (isWideFloat(op.getLhs()) && isWideFloat(op.getRhs()))
        matmuls.push_back(op);
    });
    // One scale per tensor: the forward and backward GEMMs that read one
    // tensor quantize it alike (and CSE can share the FP8 copy).
    DenseMap<Value, Value> scales;
    SmallVector<AddedState> added;
    SmallVector<Value> newHistories;
    for (MatmulOp op : matmuls) {
      // A fusion's body sees only its block arguments: the scale of one is
      // computed inside, and a history (function state) cannot reach it.
      if (delayed && op->getParentOfType<FusionOp>()) {
        op.emitError("fm-fp8-linear: recipe=delayed cannot reach a matmul "
                     "inside an fm.fusion (run it before fm-fuse)");
        signalPassFailure();
        return {};
      }
      OpBuilder b(op);
      auto operand = [&](Value x) -> std::pair<Value, Value> {
        const bool gradient = hasLoss && !forward.contains(outsideFusion(x));
        Value &scale = scales[x];
        if (!scale) {
          OpBuilder atDef(&getContext());
          if (Operation *def = x.getDefiningOp())
            atDef.setInsertionPointAfter(def);
          else
            atDef.setInsertionPointToStart(cast<BlockArgument>(x).getOwner());
          scale = delayed ? delayedScale(atDef, function, x, gradient, added,
                                         newHistories)
                          : currentScale(atDef, x.getLoc(), x, gradient);
        }
        auto type = cast<RankedTensorType>(x.getType());
        Type fp8 = fp8For(b, gradient);
        Value quantized = b.create<QuantizeOp>(
            op.getLoc(), RankedTensorType::get(type.getShape(), fp8), x, scale,
            /*group=*/nullptr, /*axis=*/-1);
        return {quantized, scale};
      };
      auto [lhs, lhsScale] = operand(op.getLhs());
      auto [rhs, rhsScale] = operand(op.getRhs());
      Value product = b.create<ScaledMatmulOp>(
          op.getLoc(), op.getType(), lhs, lhsScale, rhs, rhsScale,
          op.getTransposeA(), op.getTransposeB());
      op.replaceAllUsesWith(product);
      op.erase();
    }
    if (!added.empty())
      appendStateResults(function, added, newHistories);
    return added;
  }

  static Value scalarConstant(OpBuilder &b, Location loc, float value) {
    return b.create<ConstantOp>(
        loc, DenseElementsAttr::get(RankedTensorType::get({}, b.getF32Type()),
                                    value));
  }

  /// amax(x) as an f32 scalar.
  static Value amaxOf(OpBuilder &b, Location loc, Value x) {
    Value amax = b.create<ReduceMaxOp>(loc, b.create<AbsOp>(loc, x),
                                       /*axes=*/nullptr, /*keepdim=*/false);
    if (!cast<RankedTensorType>(x.getType()).getElementType().isF32())
      amax = b.create<CastOp>(loc, RankedTensorType::get({}, b.getF32Type()),
                              amax);
    return amax;
  }

  /// E5M2 for gradients, for their range; E4M3 for forward tensors.
  static FloatType fp8For(OpBuilder &b, bool gradient) {
    return gradient ? FloatType(b.getFloat8E5M2Type())
                    : FloatType(b.getFloat8E4M3FNType());
  }

  /// Current scaling: from x's own amax.
  static Value currentScale(OpBuilder &b, Location loc, Value x,
                            bool gradient) {
    return scaleFromAmax(b, loc, amaxOf(b, loc, x), fp8For(b, gradient));
  }

  /// Delayed scaling: from the largest amax of the last `history` steps (a
  /// new state argument), times 2^margin; x's own amax while the history
  /// is still empty (all zero: the first step). x's amax is appended to the
  /// history, whose oldest entry drops out.
  Value delayedScale(OpBuilder &b, func::FuncOp function, Value x,
                     bool gradient, SmallVectorImpl<AddedState> &added,
                     SmallVectorImpl<Value> &newHistories) {
    Location loc = x.getLoc();
    auto historyType = RankedTensorType::get({history}, b.getF32Type());
    std::string name = "fp8.amax_history." + std::to_string(counter++);
    const unsigned index = function.getNumArguments();
    function.insertArgument(index, historyType, stateAttrs(name, std::nullopt),
                            loc);
    Value past = function.getArgument(index);
    added.push_back({name, historyType});

    Value amax = amaxOf(b, loc, x);
    Value pastMax = b.create<ReduceMaxOp>(loc, past, /*axes=*/nullptr,
                                          /*keepdim=*/false);
    Value zero = scalarConstant(b, loc, 0.0f);
    Value seen = b.create<GtOp>(loc, pastMax, zero);
    Value delayed = b.create<MulOp>(
        loc, pastMax, scalarConstant(b, loc, std::ldexp(1.0f, margin)));
    Value chosen = b.create<SelectOp>(loc, seen, delayed, amax);
    // The history rolls: entries 1..L-1, then this step's amax.
    Value kept = b.create<SliceOp>(loc, past, b.getDenseI64ArrayAttr({1}),
                                   b.getDenseI64ArrayAttr({history}),
                                   /*stride=*/nullptr);
    Value latest = b.create<ReshapeOp>(
        loc, RankedTensorType::get({1}, b.getF32Type()), amax);
    newHistories.push_back(b.create<ConcatOp>(loc, ValueRange{kept, latest},
                                              b.getI64IntegerAttr(0)));
    return scaleFromAmax(b, loc, chosen, fp8For(b, gradient));
  }

  DictionaryAttr stateAttrs(StringRef name, std::optional<int64_t> feeds) {
    Builder b(&getContext());
    SmallVector<NamedAttribute> attrs = {
        b.getNamedAttr(FmDialect::kNameAttr, b.getStringAttr(name))};
    if (feeds)
      attrs.push_back(
          b.getNamedAttr(FmDialect::kFeedsAttr, b.getI64IntegerAttr(*feeds)));
    else
      attrs.push_back(b.getNamedAttr(FmDialect::kStateAttr, b.getUnitAttr()));
    return b.getDictionaryAttr(attrs);
  }

  /// Returns `values` after `function`'s results, each feeding the last
  /// `added.size()` arguments in order.
  void appendStateResults(func::FuncOp function, ArrayRef<AddedState> added,
                          ArrayRef<Value> values) {
    auto ret = cast<func::ReturnOp>(function.getBody().back().getTerminator());
    SmallVector<Value> operands(ret.getOperands());
    llvm::append_range(operands, values);
    ret->setOperands(operands);
    const unsigned firstArg = function.getNumArguments() - added.size();
    for (auto [i, state] : llvm::enumerate(added))
      function.insertResult(function.getNumResults(), state.type,
                            stateAttrs(state.name, firstArg + i));
  }

  /// Every caller of `callee` passes the new state through: it gains the
  /// same arguments and results, and so on up the call graph.
  void threadThroughCallers(ModuleOp module, func::FuncOp callee,
                            ArrayRef<AddedState> added) {
    SmallVector<func::CallOp> calls;
    module.walk([&](func::CallOp call) {
      if (call.getCallee() == callee.getSymName())
        calls.push_back(call);
    });
    for (func::CallOp call : calls) {
      auto caller = call->getParentOfType<func::FuncOp>();
      SmallVector<Value> operands(call.getOperands());
      for (const AddedState &state : added) {
        const unsigned index = caller.getNumArguments();
        caller.insertArgument(index, state.type,
                              stateAttrs(state.name, std::nullopt),
                              call.getLoc());
        operands.push_back(caller.getArgument(index));
      }
      OpBuilder b(call);
      auto replacement =
          b.create<func::CallOp>(call.getLoc(), callee, operands);
      call.replaceAllUsesWith(
          replacement.getResults().take_front(call.getNumResults()));
      SmallVector<Value> newStates(
          replacement.getResults().drop_front(call.getNumResults()));
      call.erase();
      appendStateResults(caller, added, newStates);
      threadThroughCallers(module, caller, added);
    }
  }

  unsigned counter = 0;
};

} // namespace

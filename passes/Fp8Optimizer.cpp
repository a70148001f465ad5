//===- Fp8Optimizer.cpp - fm-fp8-optimizer --------------------------------===//
//
// Stores AdamW's moments in FP8 (COAT): every `adamw.m.<p>` and
// `adamw.v.<p>` state argument of @train_step becomes FP8 codes in 1 x G
// groups plus per-group metadata, dequantized where the step starts and
// requantized where it ends, so the update itself still runs in f32.
//
//===----------------------------------------------------------------------===//
#include "passes/Passes.h"

#include "ir/FmOps.h"
#include "passes/Fp8Common.h"

#include "mlir/IR/Builders.h"

#include "llvm/ADT/StringMap.h"

namespace fm {
#define GEN_PASS_DEF_FP8OPTIMIZER
#include "passes/Passes.h.inc"
} // namespace fm

using namespace mlir;
using namespace fm;

namespace {

/// One FP8 moment: its codes and metadata, as values of the rewritten step.
struct StoredMoment {
  Value codes, scale, exponent, centre;
};

struct Fp8OptimizerPass : fm::impl::Fp8OptimizerBase<Fp8OptimizerPass> {
  using Fp8OptimizerBase::Fp8OptimizerBase;

  void runOnOperation() override {
    auto step = getOperation().lookupSymbol<func::FuncOp>("train_step");
    if (!step) {
      getOperation().emitError()
          << "fm-fp8-optimizer needs @train_step (run fm-train first)";
      return signalPassFailure();
    }
    if (group <= 0 || (secondMoment != "e4m3" && secondMoment != "e5m2")) {
      step.emitError() << "fm-fp8-optimizer: group must be positive and "
                          "second-moment e4m3 or e5m2";
      return signalPassFailure();
    }
    for (unsigned index = step.getNumArguments(); index-- > 0;) {
      auto name =
          step.getArgAttrOfType<StringAttr>(index, FmDialect::kNameAttr);
      if (!name || !step.getArgAttr(index, FmDialect::kStateAttr))
        continue;
      const bool first = name.getValue().starts_with("adamw.m.");
      if (!first && !name.getValue().starts_with("adamw.v."))
        continue;
      auto type = cast<RankedTensorType>(step.getArgument(index).getType());
      if (!type.getElementType().isF32() || type.getNumElements() % group)
        continue; // Stays f32: its moments do not split into groups.
      compressMoment(step, index, first);
    }
    remapFeeds(step);
  }

private:
  /// The FP8 type moment `first` (m) or not (v) is stored in.
  Type fp8Type(bool first) {
    Builder b(&getContext());
    return first || secondMoment == "e4m3" ? Type(b.getFloat8E4M3FNType())
                                           : Type(b.getFloat8E5M2Type());
  }

  /// Replaces argument `index` (an f32 moment) and the result feeding it by
  /// FP8 codes [n / G, G] and per-group metadata [n / G, 1].
  void compressMoment(func::FuncOp step, unsigned index, bool first) {
    MLIRContext *context = &getContext();
    Builder b(context);
    BlockArgument moment = step.getArgument(index);
    auto type = cast<RankedTensorType>(moment.getType());
    StringRef name =
        step.getArgAttrOfType<StringAttr>(index, FmDialect::kNameAttr)
            .getValue();
    const int64_t groups = type.getNumElements() / group;
    auto codesType = RankedTensorType::get({groups, group}, fp8Type(first));
    auto flatType = RankedTensorType::get({groups, group}, b.getF32Type());
    auto metaType = RankedTensorType::get({groups, 1}, b.getF32Type());
    SmallVector<StringRef> parts = {""};
    SmallVector<Type> partTypes = {codesType};
    if (expand) {
      parts.append({".scale", ".exponent", ".centre"});
      partTypes.append(3, metaType);
    } else {
      parts.push_back(".scale");
      partTypes.push_back(metaType);
    }

    // The new arguments, right after the old one, which then goes.
    SmallVector<unsigned> positions(parts.size(), index + 1);
    SmallVector<DictionaryAttr> attrs;
    SmallVector<Location> locs(parts.size(), moment.getLoc());
    for (StringRef part : parts)
      attrs.push_back(stateAttrs((name + part).str(), /*feeds=*/false));
    step.insertArguments(positions, partTypes, attrs, locs);
    SmallVector<Value> stored;
    for (unsigned i = 0; i < parts.size(); ++i)
      stored.push_back(step.getArgument(index + 1 + i));

    // Dequantized just before the update first reads it, so that the f32
    // moment does not live through the forward and backward passes.
    Operation *firstUser = nullptr;
    for (Operation *user : moment.getUsers())
      if (!firstUser || user->isBeforeInBlock(firstUser))
        firstUser = user;
    OpBuilder builder(&getContext());
    if (firstUser)
      builder.setInsertionPoint(firstUser);
    else
      builder.setInsertionPointToStart(&step.getBody().front());
    Location loc = moment.getLoc();
    Value flat;
    if (expand)
      flat = builder.create<DequantizeExpandedOp>(
          loc, flatType, stored[0], stored[1], stored[2], stored[3], group,
          /*axis=*/-1);
    else
      flat = builder.create<DequantizeOp>(loc, flatType, stored[0], stored[1],
                                          b.getI64IntegerAttr(group),
                                          /*axis=*/-1);
    Value unpacked = builder.create<ReshapeOp>(loc, type, flat);
    moment.replaceAllUsesWith(unpacked);
    step.eraseArgument(index);

    // Requantized where it ends: the result that fed the moment is replaced
    // by the stored parts' new values.
    auto ret = cast<func::ReturnOp>(step.getBody().back().getTerminator());
    std::optional<unsigned> fed;
    for (unsigned r = 0; r < step.getNumResults(); ++r)
      if (auto n =
              step.getResultAttrOfType<StringAttr>(r, FmDialect::kNameAttr);
          n && n.getValue() == name)
        fed = r;
    if (!fed)
      return;
    builder.setInsertionPoint(ret);
    Value updated = ret.getOperand(*fed);
    Value grouped = builder.create<ReshapeOp>(loc, flatType, updated);
    SmallVector<Value> newParts;
    if (expand) {
      auto quantized = builder.create<QuantizeExpandedOp>(
          loc, TypeRange{codesType, metaType, metaType, metaType}, grouped,
          group, /*axis=*/-1);
      llvm::append_range(newParts, quantized.getResults());
    } else {
      newParts = plainQuantize(builder, loc, grouped, codesType, metaType);
    }
    SmallVector<Value> operands(ret.getOperands());
    operands.erase(operands.begin() + *fed);
    operands.insert(operands.begin() + *fed, newParts.begin(), newParts.end());
    SmallVector<unsigned> resultPositions(parts.size(), *fed + 1);
    SmallVector<DictionaryAttr> resultAttrs;
    for (StringRef part : parts)
      resultAttrs.push_back(stateAttrs((name + part).str(), /*feeds=*/true));
    ret->setOperands(operands);
    step.insertResults(resultPositions, partTypes, resultAttrs);
    step.eraseResult(*fed);
  }

  /// Per-group scaling without expansion (the ablation): scale =
  /// max(amax of the group, 1e-30) / fmax.
  SmallVector<Value> plainQuantize(OpBuilder &builder, Location loc,
                                   Value grouped, RankedTensorType codesType,
                                   RankedTensorType metaType) {
    Value amax = builder.create<ReduceMaxOp>(
        loc, builder.create<AbsOp>(loc, grouped),
        builder.getDenseI64ArrayAttr({1}), /*keepdim=*/true);
    Value scale = scaleFromAmax(builder, loc, amax,
                                cast<FloatType>(codesType.getElementType()));
    Value codes = builder.create<QuantizeOp>(loc, codesType, grouped, scale,
                                             builder.getI64IntegerAttr(group),
                                             /*axis=*/-1);
    return {codes, scale};
  }

  DictionaryAttr stateAttrs(const std::string &name, bool feeds) {
    Builder b(&getContext());
    SmallVector<NamedAttribute> attrs = {
        b.getNamedAttr(FmDialect::kNameAttr, b.getStringAttr(name))};
    if (feeds) // The index is set by remapFeeds.
      attrs.push_back(
          b.getNamedAttr(FmDialect::kFeedsAttr, b.getI64IntegerAttr(0)));
    else
      attrs.push_back(b.getNamedAttr(FmDialect::kStateAttr, b.getUnitAttr()));
    return b.getDictionaryAttr(attrs);
  }

  /// Points every fm.feeds result at the argument of its name again, now
  /// that arguments have moved.
  static void remapFeeds(func::FuncOp step) {
    llvm::StringMap<unsigned> argumentOf;
    for (unsigned i = 0; i < step.getNumArguments(); ++i)
      if (auto name =
              step.getArgAttrOfType<StringAttr>(i, FmDialect::kNameAttr))
        argumentOf[name.getValue()] = i;
    Builder b(step.getContext());
    for (unsigned r = 0; r < step.getNumResults(); ++r) {
      auto name = step.getResultAttrOfType<StringAttr>(r, FmDialect::kNameAttr);
      if (!name || !step.getResultAttr(r, FmDialect::kFeedsAttr))
        continue;
      step.setResultAttr(
          r, FmDialect::kFeedsAttr,
          b.getI64IntegerAttr(argumentOf.lookup(name.getValue())));
    }
  }
};

} // namespace

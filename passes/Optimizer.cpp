//===- Optimizer.cpp - fm-optimizer ---------------------------------------===//
//
// Builds @train_step around the gradient function that fm-autodiff made: one
// call of @<name>_grad, optional global-norm clipping, then the AdamW or SGD
// update of every parameter, all as ordinary fm ops so that the interpreter
// and every later pass see a plain function.
//
// @train_step's arguments are the params (in @<name>'s order), the optimizer
// state grouped by kind (adamw: every adamw.m.<param>, then every
// adamw.v.<param>; sgd with momentum: every sgd.momentum.<param>), `step`,
// then the batch (@<name>'s other arguments, in order). Its results are the
// loss followed by the new value of every argument before the batch, in
// argument order, each feeding the argument it replaces.
//
//===----------------------------------------------------------------------===//
#include "passes/Passes.h"

#include "ir/FmOps.h"

#include "mlir/IR/Builders.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/ADT/bit.h"
#include "llvm/Support/Format.h"

namespace fm {
#define GEN_PASS_DEF_OPTIMIZER
#include "passes/Passes.h.inc"
} // namespace fm

using namespace mlir;
using namespace fm;

namespace {

/// Elementwise f32 arithmetic whose constants are rank-0 tensors that
/// broadcast, so that the update rules below read like their formulas.
class Math {
public:
  Math(OpBuilder &builder, Location loc) : builder(builder), loc(loc) {}

  /// A rank-0 f32 constant: `value` rounded to the nearest f32. Each value
  /// is emitted once, so that every hyper-parameter appears once in the IR.
  Value scalar(double value) {
    auto rounded = static_cast<float>(value);
    Value &constant = constants[llvm::bit_cast<uint32_t>(rounded)];
    if (!constant)
      constant = builder.create<ConstantOp>(
          loc, DenseElementsAttr::get(
                   RankedTensorType::get({}, builder.getF32Type()), rounded));
    return constant;
  }
  Value add(Value a, Value b) { return builder.create<AddOp>(loc, a, b); }
  Value sub(Value a, Value b) { return builder.create<SubOp>(loc, a, b); }
  Value mul(Value a, Value b) { return builder.create<MulOp>(loc, a, b); }
  Value div(Value a, Value b) { return builder.create<DivOp>(loc, a, b); }
  Value min(Value a, Value b) { return builder.create<MinOp>(loc, a, b); }
  Value pow(Value a, Value b) { return builder.create<PowOp>(loc, a, b); }
  Value sqrt(Value x) { return builder.create<SqrtOp>(loc, x); }
  /// The sum of all elements, rank 0.
  Value sum(Value x) {
    return builder.create<ReduceSumOp>(loc, x, DenseI64ArrayAttr(),
                                       /*keepdim=*/false);
  }
  /// `a * x`.
  Value scale(double a, Value x) { return mul(scalar(a), x); }
  /// `a * x + y`.
  Value axpy(double a, Value x, Value y) { return add(scale(a, x), y); }
  /// `a * x + b * y`.
  Value axpby(double a, Value x, double b, Value y) {
    return add(scale(a, x), scale(b, y));
  }

private:
  OpBuilder &builder;
  Location loc;
  /// Constants by the bits of their value; all live in one block, so the
  /// first one emitted dominates every later use.
  llvm::DenseMap<uint32_t, Value> constants;
};

/// The hyper-parameters of the update, from the pass options.
struct Hyper {
  double lr, beta1, beta2, eps, weightDecay, momentum;
};

/// A parameter after its update, and its new state (one tensor per state
/// kind, in the kinds' order).
struct Updated {
  Value param;
  SmallVector<Value, 2> state;
};

/// torch.optim.AdamW (not amsgrad), written as PyTorch computes it:
/// `p - (lr / bc1) * m / (sqrt(v) / sqrt(bc2) + eps)`, which is Passes.td's
/// `p - lr * m_hat / (sqrt(v_hat) + eps)`.
class AdamW {
public:
  /// The bias corrections depend only on `t`, so they are emitted once for all
  /// parameters.
  AdamW(Math &math, const Hyper &hyper, Value t)
      : math(math), hyper(hyper),
        stepSize(
            math.div(math.scalar(hyper.lr), biasCorrection(hyper.beta1, t))),
        sqrtBiasCorrection2(math.sqrt(biasCorrection(hyper.beta2, t))) {}

  Updated update(Value p, Value g, ValueRange state) const {
    Value m = math.axpby(hyper.beta1, state[0], 1 - hyper.beta1, g);
    Value v =
        math.axpby(hyper.beta2, state[1], 1 - hyper.beta2, math.mul(g, g));
    Value denom = math.add(math.div(math.sqrt(v), sqrtBiasCorrection2),
                           math.scalar(hyper.eps));
    // Decoupled weight decay shrinks the old parameter; multiplying by 1 would
    // change nothing, so no decay emits nothing.
    if (hyper.weightDecay != 0)
      p = math.scale(1 - hyper.lr * hyper.weightDecay, p);
    return {math.sub(p, math.mul(stepSize, math.div(m, denom))), {m, v}};
  }

private:
  /// `1 - beta^t`.
  Value biasCorrection(double beta, Value t) const {
    return math.sub(math.scalar(1), math.pow(math.scalar(beta), t));
  }

  Math &math;
  const Hyper &hyper;
  Value stepSize, sqrtBiasCorrection2;
};

/// torch.optim.SGD (dampening 0, not nesterov). The momentum buffer starts at
/// zero, so `momentum * 0 + g` is PyTorch's first-step `buf = g` exactly.
Updated sgdUpdate(Math &math, const Hyper &hyper, Value p, Value g,
                  ValueRange state) {
  if (hyper.weightDecay != 0)
    g = math.axpy(hyper.weightDecay, p, g);
  Updated updated;
  if (hyper.momentum > 0) {
    g = math.axpy(hyper.momentum, state[0], g);
    updated.state.push_back(g);
  }
  updated.param = math.axpy(-hyper.lr, g, p);
  return updated;
}

/// torch.nn.utils.clip_grad_norm_: scales every gradient by
/// `min(1, clip / (global_norm + 1e-6))`.
void clipByGlobalNorm(Math &math, double clip,
                      MutableArrayRef<Value> gradients) {
  Value squares;
  for (Value g : gradients) {
    Value sum = math.sum(math.mul(g, g));
    squares = squares ? math.add(squares, sum) : sum;
  }
  Value norm = math.sqrt(squares);
  Value coefficient =
      math.min(math.scalar(1),
               math.div(math.scalar(clip), math.add(norm, math.scalar(1e-6))));
  for (Value &g : gradients)
    g = math.mul(g, coefficient);
}

/// Argument or result types of @train_step with their attribute dictionaries.
struct Signature {
  SmallVector<Type> types;
  SmallVector<DictionaryAttr> attrs;

  /// Appends an entry and returns its index.
  unsigned push(Type type, DictionaryAttr dict) {
    types.push_back(type);
    attrs.push_back(dict);
    return types.size() - 1;
  }
};

/// `value` as a user writes it ("-0.5", "1e-08"); diagnostics would print
/// -5.000000e-01.
std::string optionText(double value) {
  std::string text;
  llvm::raw_string_ostream(text) << llvm::format("%g", value);
  return text;
}

struct OptimizerPass : fm::impl::OptimizerBase<OptimizerPass> {
  using OptimizerBase::OptimizerBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (failed(checkOptions()))
      return signalPassFailure();
    FailureOr<std::pair<func::FuncOp, func::FuncOp>> functions =
        findFunctions();
    if (failed(functions))
      return signalPassFailure();
    if (Operation *existing = module.lookupSymbol("train_step")) {
      existing->emitError("fm-optimizer: the module already has @train_step");
      return signalPassFailure();
    }
    if (failed(buildTrainStep(functions->first, functions->second)))
      return signalPassFailure();
  }

private:
  InFlightDiagnostic error(Operation *op) {
    return op->emitError() << "fm-optimizer: ";
  }

  /// Options of the other kind (betas and eps for sgd, momentum for adamw)
  /// are ignored, so only the chosen kind's are checked.
  LogicalResult checkOptions() {
    ModuleOp module = getOperation();
    if (kind != "adamw" && kind != "sgd")
      return error(module) << "unknown kind '" << kind
                           << "' (expected adamw or sgd)";
    SmallVector<std::pair<StringRef, double>> nonNegative = {
        {"lr", lr}, {"weight-decay", weightDecay}, {"clip-norm", clipNorm}};
    SmallVector<std::pair<StringRef, double>> betas;
    if (kind == "adamw") {
      nonNegative.push_back({"eps", eps});
      betas = {{"beta1", beta1}, {"beta2", beta2}};
    } else {
      nonNegative.push_back({"momentum", momentum});
    }
    // Written as negated comparisons so that NaN fails them too.
    for (auto [name, value] : nonNegative)
      if (!(value >= 0))
        return error(module)
               << name << " must be non-negative, got " << optionText(value);
    for (auto [name, value] : betas)
      if (!(value >= 0 && value < 1))
        return error(module)
               << name << " must be in [0, 1), got " << optionText(value);
    return success();
  }

  /// The loss function and its gradient function: those of `function`, or
  /// else the module's only @<name>_grad whose @<name> exists.
  FailureOr<std::pair<func::FuncOp, func::FuncOp>> findFunctions() {
    ModuleOp module = getOperation();
    if (!functionName.empty()) {
      auto loss = module.lookupSymbol<func::FuncOp>(functionName);
      if (!loss)
        return error(module) << "no function @" << functionName;
      auto grad = module.lookupSymbol<func::FuncOp>(functionName + "_grad");
      if (!grad)
        return error(loss) << "no gradient function @" << functionName
                           << "_grad (run fm-autodiff first)";
      return std::make_pair(loss, grad);
    }
    SmallVector<std::pair<func::FuncOp, func::FuncOp>> candidates;
    for (auto grad : module.getOps<func::FuncOp>()) {
      StringRef base = grad.getSymName();
      if (!base.consume_back("_grad"))
        continue;
      if (auto loss = module.lookupSymbol<func::FuncOp>(base))
        candidates.emplace_back(loss, grad);
    }
    if (candidates.empty()) {
      // fm-autodiff makes no gradient without parameters: say that.
      SmallVector<func::FuncOp> functions;
      bool anyParam = false;
      for (auto function : module.getOps<func::FuncOp>()) {
        if (function.isExternal())
          continue;
        functions.push_back(function);
        for (unsigned i = 0; i < function.getNumArguments(); ++i)
          anyParam |=
              static_cast<bool>(function.getArgAttr(i, FmDialect::kParamAttr));
      }
      if (!anyParam && functions.size() == 1)
        return error(functions.front())
               << "nothing to train: @" << functions.front().getSymName()
               << " has no fm.param arguments";
      if (!anyParam && !functions.empty())
        return error(module)
               << "nothing to train: no function has fm.param arguments";
      return error(module) << "no gradient function @<name>_grad next to its "
                              "@<name> (run fm-autodiff first)";
    }
    if (candidates.size() > 1) {
      InFlightDiagnostic diag = error(module) << "several gradient functions (";
      llvm::interleaveComma(candidates, diag, [&](auto pair) {
        diag << "@" << pair.second.getSymName();
      });
      return diag << "); choose one with function=<name>";
    }
    return candidates.front();
  }

  /// The state kinds (name prefixes) of the chosen optimizer; every parameter
  /// has one state tensor of each kind.
  SmallVector<StringRef> stateKinds() const {
    if (kind == "adamw")
      return {"adamw.m", "adamw.v"};
    if (momentum > 0)
      return {"sgd.momentum"};
    return {};
  }

  /// Checks that `loss` has trainable f32 parameters, all named, and that
  /// `grad` returns the loss and their gradients; returns the parameters'
  /// argument indices.
  FailureOr<SmallVector<unsigned>> checkFunctions(func::FuncOp loss,
                                                  func::FuncOp grad) {
    SmallVector<unsigned> params;
    SmallVector<Type> expectedResults = {
        RankedTensorType::get({}, Float32Type::get(&getContext()))};
    for (auto [index, type] : llvm::enumerate(loss.getArgumentTypes())) {
      if (!loss.getArgAttr(index, FmDialect::kParamAttr))
        continue;
      if (!loss.getArgAttr(index, FmDialect::kNameAttr))
        return error(loss) << "fm.param argument #" << index
                           << " has no fm.name, which names its optimizer "
                              "state and its result";
      Type element = cast<RankedTensorType>(type).getElementType();
      if (!element.isF32() && !element.isBF16() && !element.isF16())
        return error(loss) << "fm.param argument #" << index << " is " << type
                           << "; parameters must be f32, bf16 or f16";
      params.push_back(index);
      expectedResults.push_back(type);
    }
    if (params.empty())
      return error(loss) << "@" << loss.getSymName()
                         << " has no fm.param argument to train";
    if (grad.getArgumentTypes() != loss.getArgumentTypes())
      return error(grad) << "@" << grad.getSymName()
                         << " does not take the arguments of @"
                         << loss.getSymName();
    if (grad.getResultTypes() != ArrayRef<Type>(expectedResults)) {
      InFlightDiagnostic diag = error(grad)
                                << "@" << grad.getSymName()
                                << " must return the loss and the gradient of "
                                   "each fm.param argument: (";
      llvm::interleaveComma(expectedResults, diag);
      return diag << ")";
    }
    return params;
  }

  /// Emits an error at `loss` if two entries of `attrs` share an fm.name.
  LogicalResult checkUniqueNames(func::FuncOp loss,
                                 ArrayRef<DictionaryAttr> attrs,
                                 StringRef what) {
    llvm::StringSet<> seen;
    for (DictionaryAttr dict : attrs)
      if (auto name = dict.getAs<StringAttr>(FmDialect::kNameAttr))
        if (!seen.insert(name.getValue()).second)
          return error(loss)
                 << "@train_step would have two " << what << "s named '"
                 << name.getValue() << "'; rename that argument of @"
                 << loss.getSymName();
    return success();
  }

  LogicalResult buildTrainStep(func::FuncOp loss, func::FuncOp grad) {
    FailureOr<SmallVector<unsigned>> params = checkFunctions(loss, grad);
    if (failed(params))
      return failure();
    Builder b(&getContext());
    auto nameAttr = [&](StringRef name) {
      return b.getNamedAttr(FmDialect::kNameAttr, b.getStringAttr(name));
    };
    auto stateAttrs = [&](StringRef name) {
      return b.getDictionaryAttr(
          {nameAttr(name),
           b.getNamedAttr(FmDialect::kStateAttr, b.getUnitAttr())});
    };
    auto feedsAttrs = [&](StringRef name, unsigned argument) {
      return b.getDictionaryAttr(
          {nameAttr(name), b.getNamedAttr(FmDialect::kFeedsAttr,
                                          b.getI64IntegerAttr(argument))});
    };
    auto argAttrs = [&](unsigned index) {
      DictionaryAttr dict = loss.getArgAttrDict(index);
      return dict ? dict : b.getDictionaryAttr({});
    };

    // The signature, and where each argument of `loss` lands in it.
    Signature args, results;
    SmallVector<unsigned> position(loss.getNumArguments());
    SmallVector<StringRef> paramNames;
    results.push(grad.getResultTypes().front(),
                 b.getDictionaryAttr({nameAttr("loss")}));
    for (unsigned index : *params) {
      Type type = loss.getArgumentTypes()[index];
      StringRef name =
          loss.getArgAttrOfType<StringAttr>(index, FmDialect::kNameAttr);
      position[index] = args.push(type, argAttrs(index));
      results.push(type, feedsAttrs(name, position[index]));
      paramNames.push_back(name);
    }
    SmallVector<StringRef> kinds = stateKinds();
    for (StringRef prefix : kinds)
      for (auto [index, name] : llvm::zip(*params, paramNames)) {
        std::string stateName = (prefix + "." + name).str();
        Type type = loss.getArgumentTypes()[index];
        results.push(type, feedsAttrs(stateName,
                                      args.push(type, stateAttrs(stateName))));
      }
    auto stepType = RankedTensorType::get({}, b.getI64Type());
    unsigned stepIndex = args.push(stepType, stateAttrs("step"));
    results.push(stepType, feedsAttrs("step", stepIndex));
    for (auto [index, type] : llvm::enumerate(loss.getArgumentTypes()))
      if (!llvm::is_contained(*params, index))
        position[index] = args.push(type, argAttrs(index));
    if (failed(checkUniqueNames(loss, args.attrs, "argument")) ||
        failed(checkUniqueNames(loss, results.attrs, "result")))
      return failure();

    Location loc = loss.getLoc();
    auto builder = OpBuilder::atBlockEnd(getOperation().getBody());
    auto step = builder.create<func::FuncOp>(
        loc, "train_step", b.getFunctionType(args.types, results.types));
    step.setAllArgAttrs(args.attrs);
    step.setAllResultAttrs(results.attrs);
    Block *body = step.addEntryBlock();
    builder.setInsertionPointToStart(body);

    SmallVector<Value> operands;
    for (unsigned index : position)
      operands.push_back(body->getArgument(index));
    auto call = builder.create<func::CallOp>(loc, grad, operands);
    // Clipping and the update compute in f32, whatever the parameters'
    // type (a bf16 model keeps bf16 parameters and moments).
    auto toF32 = [&](Value value) -> Value {
      auto type = cast<RankedTensorType>(value.getType());
      if (type.getElementType().isF32())
        return value;
      return builder.create<CastOp>(
          loc, RankedTensorType::get(type.getShape(), b.getF32Type()), value);
    };
    auto toTypeOf = [&](Value value, Value like) -> Value {
      if (value.getType() == like.getType())
        return value;
      return builder.create<CastOp>(loc, like.getType(), value);
    };
    SmallVector<Value> gradients;
    for (Value gradient : call.getResults().drop_front())
      gradients.push_back(toF32(gradient));
    Math math(builder, loc);
    if (clipNorm > 0)
      clipByGlobalNorm(math, clipNorm, gradients);

    // step + 1 is both the new step and PyTorch's `t`, the number of this
    // update, which AdamW's bias correction needs as a float.
    Value one = builder.create<ConstantOp>(
        loc, DenseElementsAttr::get(stepType, static_cast<int64_t>(1)));
    Value nextStep =
        builder.create<AddOp>(loc, body->getArgument(stepIndex), one);
    Hyper hyper{lr, beta1, beta2, eps, weightDecay, momentum};
    std::optional<AdamW> adamw;
    if (kind == "adamw")
      adamw.emplace(
          math, hyper,
          builder.create<CastOp>(loc, RankedTensorType::get({}, b.getF32Type()),
                                 nextStep));

    // The new value of every argument before the batch, by argument index:
    // param i is argument i, and its state of kind k argument
    // numParams * (1 + k) + i.
    size_t numParams = params->size();
    SmallVector<Value> newValues(stepIndex);
    for (size_t i = 0; i < numParams; ++i) {
      SmallVector<Value, 2> state;
      for (size_t k = 0; k < kinds.size(); ++k)
        state.push_back(toF32(body->getArgument(numParams * (1 + k) + i)));
      Value param = body->getArgument(i);
      Updated updated =
          adamw ? adamw->update(toF32(param), gradients[i], state)
                : sgdUpdate(math, hyper, toF32(param), gradients[i], state);
      newValues[i] = toTypeOf(updated.param, param);
      for (auto [k, value] : llvm::enumerate(updated.state))
        newValues[numParams * (1 + k) + i] = toTypeOf(value, param);
    }
    SmallVector<Value> returned = {call.getResult(0)};
    llvm::append_range(returned, newValues);
    returned.push_back(nextStep);
    builder.create<func::ReturnOp>(loc, returned);
    return success();
  }
};

} // namespace

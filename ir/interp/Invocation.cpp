//===- Invocation.cpp - Preparing and reporting a function call -----------===//
#include "ir/interp/Invocation.h"
#include "ir/FmDialect.h"
#include "ir/FmOps.h"
#include "ir/interp/Interpreter.h"

#include "fmrt/Npy.h"
#include "fmrt/Random.h"

#include "mlir/IR/SymbolTable.h"

#include "llvm/ADT/DenseSet.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>
#include <limits>

using namespace mlir;

namespace fm {

/// `function` when its arguments and results are tensors of types the
/// runtime holds (fm's ops allow other types in a function's signature).
static FailureOr<func::FuncOp> runnable(func::FuncOp function) {
  auto check = [&](Type type, StringRef what, unsigned index) -> LogicalResult {
    auto tensor = dyn_cast<RankedTensorType>(type);
    // f64 is the interpreter's internal precision, not an fm element type.
    if (tensor && hasAddressableSize(tensor) &&
        toDType(tensor.getElementType()) && !tensor.getElementType().isF64())
      return success();
    return function.emitError()
           << what << " #" << index << " of @" << function.getSymName()
           << " has type " << type
           << "; fmc runs functions of statically shaped tensors of f32, f16, "
              "bf16, FP8 or integers, of at most 2^40 elements";
  };
  for (auto [index, type] : llvm::enumerate(function.getArgumentTypes()))
    if (failed(check(type, "argument", index)))
      return failure();
  for (auto [index, type] : llvm::enumerate(function.getResultTypes()))
    if (failed(check(type, "result", index)))
      return failure();
  return function;
}

FailureOr<func::FuncOp> findEntryFunction(ModuleOp module, StringRef name) {
  if (!name.empty()) {
    if (auto function = module.lookupSymbol<func::FuncOp>(name))
      if (!function.isExternal())
        return runnable(function);
    return module.emitError()
           << "no function named '" << name << "' with a body in the module";
  }
  func::FuncOp first;
  for (auto function : module.getOps<func::FuncOp>()) {
    if (function.isExternal())
      continue;
    if (function.isPublic())
      return runnable(function);
    if (!first)
      first = function;
  }
  if (!first)
    return module.emitError() << "the module has no function to run";
  return runnable(first);
}

static StringRef getNameAttr(DictionaryAttr attrs) {
  if (attrs)
    if (auto name = attrs.getAs<StringAttr>(FmDialect::kNameAttr))
      return name.getValue();
  return "";
}

StringRef getArgumentName(func::FuncOp function, unsigned index) {
  return getNameAttr(function.getArgAttrDict(index));
}

StringRef getResultName(func::FuncOp function, unsigned index) {
  return getNameAttr(function.getResultAttrDict(index));
}

void forEachIndexUse(Value value, function_ref<void(Operation *)> visit) {
  SmallVector<Value> worklist{value};
  llvm::DenseSet<Value> visited{value};
  auto follow = [&](Value next) {
    if (visited.insert(next).second)
      worklist.push_back(next);
  };
  while (!worklist.empty()) {
    Value current = worklist.pop_back_val();
    for (OpOperand &use : current.getUses()) {
      Operation *user = use.getOwner();
      if (auto embedding = dyn_cast<EmbeddingOp>(user)) {
        if (use.get() == embedding.getIndices())
          visit(user);
      } else if (auto loss = dyn_cast<CrossEntropyOp>(user)) {
        if (use.get() == loss.getLabels())
          visit(user);
      } else if (isa<ReshapeOp, TransposeOp, BroadcastToOp, SliceOp, ConcatOp,
                     CastOp>(user)) {
        follow(user->getResult(0));
      } else if (auto fusion = dyn_cast<FusionOp>(user)) {
        follow(fusion.getBody().getArgument(use.getOperandNumber()));
      } else if (auto call = dyn_cast<func::CallOp>(user)) {
        // Follow the value into the callee, e.g. from @train_step into the
        // gradient function.
        auto callee = SymbolTable::lookupNearestSymbolFrom<func::FuncOp>(
            call, call.getCalleeAttr());
        if (callee && !callee.isExternal())
          follow(callee.getArgument(use.getOperandNumber()));
      }
    }
  }
}

/// The exclusive upper bound the uses of an integer value allow.
static std::optional<int64_t> findIndexBound(Value value) {
  std::optional<int64_t> bound;
  forEachIndexUse(value, [&](Operation *user) {
    int64_t limit =
        isa<EmbeddingOp>(user)
            ? cast<EmbeddingOp>(user).getTable().getType().getDimSize(0)
            : cast<CrossEntropyOp>(user)
                  .getLogits()
                  .getType()
                  .getShape()
                  .back();
    bound = bound ? std::min(*bound, limit) : limit;
  });
  return bound;
}

std::vector<fmrt::Tensor> makeRandomInputs(func::FuncOp function,
                                           uint64_t seed) {
  constexpr int64_t kDefaultIntegerBound = 16;
  constexpr double kParamScale = 0.02;
  fmrt::Random random(seed);
  std::vector<fmrt::Tensor> inputs;
  for (BlockArgument argument : function.getArguments()) {
    auto type = cast<RankedTensorType>(argument.getType());
    fmrt::DType dtype = *toDType(type.getElementType());
    fmrt::Tensor tensor(dtype, fmrt::Shape(type.getShape()));
    bool isParam = function.getArgAttr(argument.getArgNumber(),
                                       FmDialect::kParamAttr) != nullptr;
    int64_t bound =
        dtype == fmrt::DType::I1
            ? 2
            : findIndexBound(argument).value_or(kDefaultIntegerBound);
    for (int64_t i = 0; i < tensor.numElements(); ++i) {
      if (fmrt::isFloat(dtype))
        tensor.setDouble(i, random.normal() * (isParam ? kParamScale : 1.0));
      else
        tensor.setInt(i, static_cast<int64_t>(random.below(bound)));
    }
    inputs.push_back(std::move(tensor));
  }
  return inputs;
}

/// The argument a `KEY` names: a position or an `fm.name`.
static std::optional<unsigned> resolveArgumentKey(func::FuncOp function,
                                                  StringRef key) {
  unsigned position;
  if (!key.getAsInteger(10, position))
    return position < function.getNumArguments()
               ? std::optional<unsigned>(position)
               : std::nullopt;
  for (unsigned i = 0; i < function.getNumArguments(); ++i)
    if (getArgumentName(function, i) == key)
      return i;
  return std::nullopt;
}

LogicalResult bindInputFiles(func::FuncOp function, ArrayRef<std::string> specs,
                             std::vector<std::optional<fmrt::Tensor>> &inputs) {
  inputs.resize(function.getNumArguments());
  for (const std::string &spec : specs) {
    auto [key, path] = StringRef(spec).split('=');
    if (key.empty() || path.empty())
      return function.emitError()
             << "input '" << spec << "' is not of the form KEY=PATH.npy";
    std::optional<unsigned> index = resolveArgumentKey(function, key);
    if (!index)
      return function.emitError()
             << "input key '" << key << "' is neither an argument position (0.."
             << function.getNumArguments() - 1 << ") nor an argument's fm.name";
    if (inputs[*index])
      return function.emitError()
             << "argument #" << *index << " is given more than once";
    fmrt::Expected<fmrt::Tensor> tensor = fmrt::readNpy(path.str());
    if (!tensor)
      return function.emitError() << tensor.status().message();
    auto type = cast<RankedTensorType>(function.getArgument(*index).getType());
    fmrt::Shape expected(type.getShape());
    if (tensor->shape() != expected)
      return function.emitError()
             << path << ": shape " << fmrt::formatShape(tensor->shape())
             << " does not match argument #" << *index << " ('" << key
             << "') of type " << type;
    fmrt::DType dtype = *toDType(type.getElementType());
    if (fmrt::isFloat(dtype) != fmrt::isFloat(tensor->dtype()))
      return function.emitError()
             << path << ": a " << fmrt::dtypeName(tensor->dtype())
             << " array cannot feed argument #" << *index << " of type "
             << type;
    inputs[*index] = fmrt::convertTensor(*tensor, dtype);
  }
  return success();
}

std::string summarizeTensor(StringRef label, const fmrt::Tensor &tensor,
                            StringRef typeName) {
  constexpr int64_t kShownValues = 4;
  std::string text;
  llvm::raw_string_ostream os(text);
  os << label << ": ";
  if (tensor.rank() > 0)
    os << fmrt::formatShape(tensor.shape()) << "x";
  os << typeName;
  auto value = [&](double v) { os << llvm::format("%.6g", v); };
  if (tensor.numElements() == 1 && tensor.rank() == 0) {
    os << " = ";
    value(tensor.getDouble(0));
    return text;
  }
  if (tensor.numElements() > 0) {
    double lo = std::numeric_limits<double>::infinity(), hi = -lo, sum = 0;
    for (int64_t i = 0; i < tensor.numElements(); ++i) {
      double v = tensor.getDouble(i);
      lo = std::min(lo, v);
      hi = std::max(hi, v);
      sum += v;
    }
    os << " min=";
    value(lo);
    os << " max=";
    value(hi);
    os << " mean=";
    value(sum / tensor.numElements());
  }
  os << " [";
  int64_t shown = std::min(tensor.numElements(), kShownValues);
  for (int64_t i = 0; i < shown; ++i) {
    if (i)
      os << ", ";
    value(tensor.getDouble(i));
  }
  if (shown < tensor.numElements())
    os << ", ...";
  os << "]";
  return text;
}

} // namespace fm

//===- Signature.cpp - What a compiled function takes and returns ---------===//
#include "codegen/cpu/Signature.h"

#include "ir/FmDialect.h"
#include "ir/interp/Interpreter.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Diagnostics.h"

using namespace mlir;

namespace fm::cpu {

namespace {

FailureOr<TensorSpec> describeTensor(func::FuncOp function, Type type,
                                     DictionaryAttr attrs, StringRef what,
                                     unsigned index) {
  auto tensorType = dyn_cast<RankedTensorType>(type);
  std::optional<fmrt::DType> dtype =
      tensorType ? toDType(tensorType.getElementType()) : std::nullopt;
  if (!dtype || *dtype == fmrt::DType::F64)
    return function.emitError()
           << "cannot compile @" << function.getName() << ": " << what << " #"
           << index << " has type " << type
           << ", but entry points take and return tensors of fm element types";
  TensorSpec spec;
  spec.dtype = *dtype;
  spec.shape.assign(tensorType.getShape().begin(), tensorType.getShape().end());
  if (!attrs)
    return spec;
  if (auto name = attrs.getAs<StringAttr>(FmDialect::kNameAttr))
    spec.name = name.str();
  if (attrs.get(FmDialect::kParamAttr))
    spec.role = "param";
  else if (attrs.get(FmDialect::kStateAttr))
    spec.role = "state";
  else if (attrs.get(FmDialect::kDataAttr))
    spec.role = "data";
  if (auto feeds = attrs.getAs<IntegerAttr>(FmDialect::kFeedsAttr))
    spec.feeds = feeds.getInt();
  return spec;
}

FailureOr<FunctionSignature> describeFunction(func::FuncOp function) {
  FunctionSignature signature{
      function.getName().str(), function.getLoc(), {}, {}};
  for (auto [index, type] : llvm::enumerate(function.getArgumentTypes())) {
    FailureOr<TensorSpec> spec = describeTensor(
        function, type, function.getArgAttrDict(index), "argument", index);
    if (failed(spec))
      return failure();
    signature.args.push_back(std::move(*spec));
  }
  for (auto [index, type] : llvm::enumerate(function.getResultTypes())) {
    FailureOr<TensorSpec> spec = describeTensor(
        function, type, function.getResultAttrDict(index), "result", index);
    if (failed(spec))
      return failure();
    signature.results.push_back(std::move(*spec));
  }
  return signature;
}

} // namespace

FailureOr<std::vector<FunctionSignature>>
describeEntryFunctions(ModuleOp module, ArrayRef<std::string> entries) {
  std::vector<FunctionSignature> signatures;
  for (auto function : module.getOps<func::FuncOp>()) {
    if (function.isPrivate() || function.isExternal() ||
        (!entries.empty() && !llvm::is_contained(entries, function.getName())))
      continue;
    FailureOr<FunctionSignature> signature = describeFunction(function);
    if (failed(signature))
      return failure();
    signatures.push_back(std::move(*signature));
  }
  for (const std::string &entry : entries)
    if (llvm::none_of(signatures, [&](const FunctionSignature &signature) {
          return signature.name == entry;
        }))
      return module.emitError()
             << "no public function @" << entry << " to compile";
  return signatures;
}

LogicalResult checkInputs(const FunctionSignature &signature,
                          ArrayRef<fmrt::Tensor> inputs) {
  if (inputs.size() != signature.args.size())
    return emitError(signature.loc)
           << "@" << signature.name << " takes " << signature.args.size()
           << " arguments, got " << inputs.size();
  for (auto [index, input, arg] : llvm::enumerate(inputs, signature.args)) {
    if (input.dtype() == arg.dtype && input.shape() == arg.shape)
      continue;
    std::string name = arg.name.empty() ? "" : " ('" + arg.name + "')";
    return emitError(signature.loc)
           << "argument #" << index << name << " of @" << signature.name
           << " must be " << fmrt::formatShape(arg.shape)
           << (arg.shape.empty() ? "" : "x") << fmrt::dtypeName(arg.dtype)
           << ", got " << fmrt::formatShape(input.shape())
           << (input.shape().empty() ? "" : "x")
           << fmrt::dtypeName(input.dtype());
  }
  return success();
}

} // namespace fm::cpu

//===- FmDialect.cpp - The fm dialect -------------------------------------===//
#include "ir/FmDialect.h"
#include "ir/FmOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/Interfaces/FunctionInterfaces.h"

using namespace mlir;
using namespace fm;

#include "ir/FmDialect.cpp.inc"

bool fm::hasAddressableSize(Type type) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  if (!tensor || !tensor.hasStaticShape())
    return false;
  int64_t elements = 1;
  for (int64_t size : tensor.getShape())
    if (size > kMaxTensorElements ||
        (size && elements > kMaxTensorElements / size))
      return false;
    else
      elements *= size;
  return elements <= kMaxTensorElements;
}

void FmDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "ir/FmOps.cpp.inc"
      >();
}

Operation *FmDialect::materializeConstant(OpBuilder &builder, Attribute value,
                                          Type type, Location loc) {
  auto elements = dyn_cast<ElementsAttr>(value);
  if (!elements || elements.getType() != type)
    return nullptr;
  return builder.create<ConstantOp>(loc, elements);
}

LogicalResult FmDialect::verifyOperationAttribute(Operation *op,
                                                  NamedAttribute attr) {
  // The one fm attribute of an operation: fm-plan-memory's summary of a
  // function's buffers, in bytes.
  if (attr.getName() == kMemoryPlanAttr) {
    auto plan = dyn_cast<DictionaryAttr>(attr.getValue());
    if (!isa<FunctionOpInterface>(op) || !plan ||
        !llvm::all_of(plan.getValue(), [](NamedAttribute entry) {
          return isa<IntegerAttr>(entry.getValue());
        }))
      return op->emitError() << "'" << kMemoryPlanAttr
                             << "' must be a dictionary of "
                                "integers on a function";
    return success();
  }
  return op->emitError() << "'" << attr.getName().strref()
                         << "' is not an fm operation attribute (fm.* "
                            "attributes belong on function arguments and "
                            "results)";
}

/// Checks that an `fm.name` is a non-empty string that no other argument
/// (or result) of the same function repeats.
static LogicalResult verifyUniqueName(Operation *op, Attribute name,
                                      unsigned index, bool isArgument) {
  StringRef what = isArgument ? "argument" : "result";
  auto text = dyn_cast<StringAttr>(name);
  if (!text || text.getValue().empty())
    return op->emitError() << "'" << FmDialect::kNameAttr << "' of " << what
                           << " #" << index << " must be a non-empty string";
  auto function = dyn_cast<FunctionOpInterface>(op);
  if (!function)
    return success();
  SmallVector<DictionaryAttr> dicts;
  if (isArgument)
    function.getAllArgAttrs(dicts);
  else
    function.getAllResultAttrs(dicts);
  for (auto [other, attrs] : llvm::enumerate(dicts))
    if (other != index && attrs && attrs.get(FmDialect::kNameAttr) == name)
      return op->emitError()
             << what << "s #" << std::min<size_t>(other, index) << " and #"
             << std::max<size_t>(other, index) << " have the same "
             << FmDialect::kNameAttr << " " << name;
  return success();
}

LogicalResult FmDialect::verifyRegionArgAttribute(Operation *op, unsigned,
                                                  unsigned argIndex,
                                                  NamedAttribute attr) {
  auto function = dyn_cast<FunctionOpInterface>(op);
  StringRef name = attr.getName().strref();
  if (name == kNameAttr)
    return verifyUniqueName(op, attr.getValue(), argIndex,
                            /*isArgument=*/true);
  if (name != kParamAttr && name != kDataAttr && name != kStateAttr)
    return op->emitError() << "unknown fm argument attribute '" << name << "'";
  if (!isa<UnitAttr>(attr.getValue()))
    return op->emitError() << "'" << name << "' must be a unit attribute";
  if (!function)
    return success();
  if (!isa<RankedTensorType>(function.getArgumentTypes()[argIndex]))
    return op->emitError() << "'" << name << "' marks argument #" << argIndex
                           << ", which is not a tensor";
  int roles = 0;
  for (StringRef role : {kParamAttr, kDataAttr, kStateAttr})
    roles += function.getArgAttr(argIndex, role) != nullptr;
  if (roles > 1)
    return op->emitError() << "argument #" << argIndex
                           << " may carry only one of 'fm.param', 'fm.data' "
                              "and 'fm.state'";
  return success();
}

LogicalResult FmDialect::verifyRegionResultAttribute(Operation *op, unsigned,
                                                     unsigned resultIndex,
                                                     NamedAttribute attr) {
  auto function = dyn_cast<FunctionOpInterface>(op);
  StringRef name = attr.getName().strref();
  if (name == kNameAttr)
    return verifyUniqueName(op, attr.getValue(), resultIndex,
                            /*isArgument=*/false);
  if (name != kFeedsAttr)
    return op->emitError() << "unknown fm result attribute '" << name << "'";
  auto feeds = dyn_cast<IntegerAttr>(attr.getValue());
  if (!feeds)
    return op->emitError() << "'" << name << "' must be an integer";
  if (!function)
    return success();
  int64_t argument = feeds.getInt();
  if (argument < 0 ||
      argument >= static_cast<int64_t>(function.getNumArguments()))
    return op->emitError() << "result #" << resultIndex << " feeds argument #"
                           << argument << ", which does not exist";
  if (function.getArgumentTypes()[argument] !=
      function.getResultTypes()[resultIndex])
    return op->emitError() << "result #" << resultIndex << " feeds argument #"
                           << argument << " of another type ("
                           << function.getResultTypes()[resultIndex] << " vs "
                           << function.getArgumentTypes()[argument] << ")";
  return success();
}

//===- IRMutator.cpp - Mutations of fm programs ---------------------------===//
//
// Each mutator changes a parsed module in place and says whether it
// applied; mutateProgram runs them on copies of the module until one gives a
// module that verifies. Ops are created generically or with explicit result
// types, never through result-type inference (whose builders abort on
// operands that do not fit): a mutation that does not type-check fails
// verification instead. New ops come from the program generator's snippets,
// so that the knowledge of every op's constraints lives in one place.
// retypeFunction re-derives the result types downstream of a change, the
// repair shared by the mutators that change types, shapes or attributes.
//
//===----------------------------------------------------------------------===//
#include "fuzz/IRMutator.h"

#include "fuzz/Generator.h"
#include "ir/FmOps.h"
#include "ir/Parse.h"
#include "passes/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Traits.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/IR/Verifier.h"

#include "llvm/ADT/SetVector.h"
#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;

namespace fm::fuzz {

namespace {

//===----------------------------------------------------------------------===//
// Random choices, types and sites
//===----------------------------------------------------------------------===//

template <typename T> T pickFrom(fmrt::Random &random, ArrayRef<T> choices) {
  return choices[random.below(choices.size())];
}
bool chance(fmrt::Random &random, unsigned outOf) {
  return random.below(outOf) == 0;
}

std::string print(ModuleOp module) {
  std::string text;
  llvm::raw_string_ostream os(text);
  module->print(os);
  return text;
}

/// The generator's view of `type`: a static tensor of an fm element type.
std::optional<TensorType> generatorType(Type type) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  if (!tensor || !tensor.hasStaticShape())
    return std::nullopt;
  std::string name;
  llvm::raw_string_ostream os(name);
  tensor.getElementType().print(os);
  std::optional<ElementType> element = parseElementType(name);
  if (!element)
    return std::nullopt;
  return TensorType{
      std::vector<int64_t>(tensor.getShape().begin(), tensor.getShape().end()),
      *element};
}

/// The element type of `type` when it is a static ranked tensor, else null.
Type elementOf(Type type) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  return tensor && tensor.hasStaticShape() ? tensor.getElementType() : Type();
}

bool isWideFloat(Type element) {
  return isa_and_nonnull<Float32Type, Float16Type, BFloat16Type>(element);
}

RankedTensorType withElement(Type tensor, Type element) {
  return RankedTensorType::get(cast<RankedTensorType>(tensor).getShape(),
                               element);
}

RankedTensorType withShape(Type tensor, ArrayRef<int64_t> shape) {
  return RankedTensorType::get(shape,
                               cast<RankedTensorType>(tensor).getElementType());
}

/// A wide float type other than `element`, narrower where one exists: f32
/// becomes bf16 or f16, bf16 and f16 become each other.
Type narrower(MLIRContext *context, Type element, fmrt::Random &random) {
  if (isa<Float32Type>(element))
    return chance(random, 2) ? Type(BFloat16Type::get(context))
                             : Type(Float16Type::get(context));
  if (isa<BFloat16Type>(element))
    return Float16Type::get(context);
  return BFloat16Type::get(context);
}

/// The other FP8 format.
Type otherFormat(Type element) {
  if (isa<Float8E4M3FNType>(element))
    return Float8E5M2Type::get(element.getContext());
  return Float8E4M3FNType::get(element.getContext());
}

SmallVector<func::FuncOp> functionsWithBodies(ModuleOp module) {
  SmallVector<func::FuncOp> functions;
  for (auto function : module.getOps<func::FuncOp>())
    if (!function.isExternal())
      functions.push_back(function);
  return functions;
}

/// Whether something refers to `function` (a call): its signature is fixed.
bool isCalled(func::FuncOp function) {
  return !SymbolTable::symbolKnownUseEmpty(function, function->getParentOp());
}

/// The ops in the bodies of the module's functions, fusion bodies included,
/// in pre-order; terminators only when asked for.
SmallVector<Operation *> bodyOps(ModuleOp module, bool withTerminators) {
  SmallVector<Operation *> ops;
  for (func::FuncOp function : functionsWithBodies(module))
    function->walk<WalkOrder::PreOrder>([&](Operation *op) {
      if (op != function &&
          (withTerminators || !op->hasTrait<OpTrait::IsTerminator>()))
        ops.push_back(op);
    });
  return ops;
}

template <typename OpTy> SmallVector<OpTy> opsOfType(ModuleOp module) {
  SmallVector<OpTy> ops;
  for (Operation *op : bodyOps(module, /*withTerminators=*/false))
    if (auto typed = dyn_cast<OpTy>(op))
      ops.push_back(typed);
  return ops;
}

/// The values an op at `point` may use: its block's arguments and the
/// results of the ops before it.
SmallVector<Value> valuesBefore(Operation *point) {
  Block *block = point->getBlock();
  SmallVector<Value> values(block->getArguments());
  for (Operation &op : *block) {
    if (&op == point)
      break;
    llvm::append_range(values, op.getResults());
  }
  return values;
}

/// What can stand for a result of `op` of `type` once `op` is gone: an
/// operand of `op` of that type first, else a value defined before it; at
/// random with `random`, else the first operand or the closest value. Null
/// when none has the type.
Value replacementFor(Operation *op, Type type, fmrt::Random *random) {
  SmallVector<Value> candidates;
  for (Value operand : op->getOperands())
    if (operand.getType() == type)
      candidates.push_back(operand);
  const bool fromOperands = !candidates.empty();
  if (!fromOperands)
    for (Value value : valuesBefore(op))
      if (value.getType() == type)
        candidates.push_back(value);
  if (candidates.empty())
    return Value();
  if (random)
    return pickFrom<Value>(*random, candidates);
  return fromOperands ? candidates.front() : candidates.back();
}

/// Erases `op`, rewiring the uses of its results (see replacementFor);
/// failure, with nothing changed, when a used result has no replacement.
LogicalResult removeOp(Operation *op, fmrt::Random *random) {
  SmallVector<Value> replacements;
  for (OpResult result : op->getResults()) {
    replacements.push_back(result.use_empty()
                               ? Value()
                               : replacementFor(op, result.getType(), random));
    if (!result.use_empty() && !replacements.back())
      return failure();
  }
  for (auto [result, replacement] : llvm::zip(op->getResults(), replacements))
    if (replacement)
      result.replaceAllUsesWith(replacement);
  op->erase();
  return success();
}

//===----------------------------------------------------------------------===//
// Re-deriving result types after a change
//===----------------------------------------------------------------------===//

/// The shape of a matrix product by fm.matmul's rules, or failure.
FailureOr<SmallVector<int64_t>> matmulShape(Type lhsType, Type rhsType,
                                            bool transposeA, bool transposeB) {
  auto lhs = dyn_cast<RankedTensorType>(lhsType);
  auto rhs = dyn_cast<RankedTensorType>(rhsType);
  if (!lhs || !rhs || lhs.getRank() < 2 || rhs.getRank() < 2)
    return failure();
  ArrayRef<int64_t> a = lhs.getShape(), b = rhs.getShape();
  const size_t m = a.size() - (transposeA ? 1 : 2);
  const size_t k = a.size() - (transposeA ? 2 : 1);
  const size_t kRhs = b.size() - (transposeB ? 1 : 2);
  const size_t n = b.size() - (transposeB ? 2 : 1);
  SmallVector<int64_t> shape;
  if (a[k] != b[kRhs] || !OpTrait::util::getBroadcastedShape(
                             a.drop_back(2), b.drop_back(2), shape))
    return failure();
  shape.push_back(a[m]);
  shape.push_back(b[n]);
  return shape;
}

/// The shape of the scales of a grouped op on `input`, or failure when the
/// group does not divide the axis.
FailureOr<SmallVector<int64_t>> groupScaleShape(Operation *op, Type input) {
  auto type = dyn_cast<RankedTensorType>(input);
  auto group = op->getAttrOfType<IntegerAttr>("group");
  auto axisAttr = op->getAttrOfType<IntegerAttr>("axis");
  if (!type || !group)
    return failure();
  const int64_t rank = type.getRank();
  const int64_t axis = normalizeAxis(axisAttr ? axisAttr.getInt() : -1, rank);
  if (axis < 0 || axis >= rank || group.getInt() <= 0 ||
      type.getDimSize(axis) % group.getInt() != 0)
    return failure();
  SmallVector<int64_t> shape(type.getShape());
  shape[axis] /= group.getInt();
  return shape;
}

/// The result types `op` has with its current operands and attributes, for
/// ops whose result types follow from them; the current ones for ops whose
/// result types are fixed (casts' elements, reshapes' shapes ...) as far as
/// they still fit.
FailureOr<SmallVector<Type>> deriveResultTypes(Operation *op) {
  SmallVector<Type> types;
  if (auto infer = dyn_cast<InferTypeOpInterface>(op)) {
    if (failed(infer.inferReturnTypes(
            op->getContext(), op->getLoc(), op->getOperands(),
            op->getRawDictionaryAttrs(), op->getPropertiesStorage(),
            op->getRegions(), types)))
      return failure();
    return types;
  }
  llvm::append_range(types, op->getResultTypes());
  if (types.empty() || op->getNumOperands() == 0)
    return types;
  Type input = op->getOperand(0).getType();
  if (!isa<RankedTensorType>(input) || !isa<RankedTensorType>(types.front()))
    return types;
  if (op->hasTrait<OpTrait::SameOperandsAndResultType>() ||
      isa<GeluGradOp, SoftmaxGradOp, LogSoftmaxGradOp, CrossEntropyGradOp>(op))
    return SmallVector<Type>(types.size(), input);
  auto inputShape = cast<RankedTensorType>(input).getShape();
  Type &result = types.front();
  return TypeSwitch<Operation *, FailureOr<SmallVector<Type>>>(op)
      .Case<CastOp, QuantizeOp, DequantizeOp, DequantizeExpandedOp>(
          [&](Operation *) {
            result = withShape(result, inputShape);
            return types;
          })
      .Case([&](ReshapeOp) -> FailureOr<SmallVector<Type>> {
        auto shaped = cast<RankedTensorType>(result);
        if (shaped.getNumElements() !=
            cast<RankedTensorType>(input).getNumElements())
          return failure();
        result = withElement(result, elementOf(input));
        return types;
      })
      .Case([&](BroadcastToOp) {
        result = withElement(result, elementOf(input));
        return types;
      })
      .Case([&](EmbeddingGradOp) {
        result = RankedTensorType::get(
            {cast<RankedTensorType>(result).getDimSize(0), inputShape.back()},
            elementOf(input));
        return types;
      })
      .Case([&](ScaledMatmulOp op) -> FailureOr<SmallVector<Type>> {
        FailureOr<SmallVector<int64_t>> shape =
            matmulShape(op.getLhs().getType(), op.getRhs().getType(),
                        op.getTransposeA(), op.getTransposeB());
        if (failed(shape))
          return failure();
        result = withShape(result, *shape);
        return types;
      })
      .Case([&](QuantizeExpandedOp op) -> FailureOr<SmallVector<Type>> {
        FailureOr<SmallVector<int64_t>> scales = groupScaleShape(op, input);
        if (failed(scales))
          return failure();
        result = withShape(result, inputShape);
        for (Type &scale : llvm::drop_begin(types))
          scale = withShape(scale, *scales);
        return types;
      })
      .Default([&](Operation *) { return types; });
}

/// Re-derives the result types of the ops of `block` in order, fusions'
/// bodies included.
LogicalResult retypeBlock(Block &block) {
  for (Operation &op : block) {
    if (auto fusion = dyn_cast<FusionOp>(op)) {
      Block &body = fusion.getBodyBlock();
      for (auto [argument, input] :
           llvm::zip(body.getArguments(), fusion.getInputs()))
        argument.setType(input.getType());
      if (failed(retypeBlock(body)))
        return failure();
      for (auto [result, yielded] :
           llvm::zip(fusion.getResults(), fusion.getYield().getValues()))
        result.setType(yielded.getType());
      continue;
    }
    if (op.hasTrait<OpTrait::IsTerminator>())
      continue;
    FailureOr<SmallVector<Type>> types = deriveResultTypes(&op);
    if (failed(types) || types->size() != op.getNumResults())
      return failure();
    for (auto [result, type] : llvm::zip(op.getResults(), *types))
      result.setType(type);
  }
  return success();
}

/// Repairs `function` after its argument types, an op's attributes or an
/// op's result types changed: re-derives the result types downstream and
/// makes the returned values fit the function's results. A returned value
/// whose element type changed is cast back; one whose shape changed
/// changes the function's type, unless something calls the function or the
/// result is a scalar (a loss stays one).
LogicalResult retypeFunction(func::FuncOp function) {
  if (!function || function.isExternal() || !function.getBody().hasOneBlock())
    return failure();
  Block &body = function.front();
  auto ret = dyn_cast<func::ReturnOp>(body.getTerminator());
  if (failed(retypeBlock(body)) || !ret ||
      ret.getNumOperands() != function.getNumResults())
    return failure();
  SmallVector<Type> resultTypes(function.getResultTypes());
  OpBuilder builder(ret);
  for (unsigned index = 0; index < ret.getNumOperands(); ++index) {
    Value value = ret.getOperand(index);
    auto from = dyn_cast<RankedTensorType>(value.getType());
    auto to = dyn_cast<RankedTensorType>(resultTypes[index]);
    if (value.getType() == resultTypes[index])
      continue;
    if (from && to && from.getShape() == to.getShape()) {
      ret.setOperand(index, builder.create<CastOp>(ret.getLoc(), to, value));
      continue;
    }
    if ((to && to.getRank() == 0) || isCalled(function))
      return failure();
    resultTypes[index] = value.getType();
  }
  function.setFunctionType(FunctionType::get(
      function.getContext(), body.getArgumentTypes(), resultTypes));
  return success();
}

/// Gives `value` the element type `element` and casts it back for its
/// users that `keeps` says still read the old type.
void retypeWithCastBack(Value value, Type element,
                        function_ref<bool(Operation *)> keeps) {
  Type old = value.getType();
  value.setType(withElement(old, element));
  if (llvm::none_of(value.getUsers(), keeps))
    return;
  OpBuilder builder(value.getContext());
  builder.setInsertionPointAfterValue(value);
  auto back = builder.create<CastOp>(value.getLoc(), old, value);
  value.replaceUsesWithIf(back, [&](OpOperand &use) {
    return use.getOwner() != back && keeps(use.getOwner());
  });
}

//===----------------------------------------------------------------------===//
// Splicing generated snippets
//===----------------------------------------------------------------------===//

/// `base`, or `base_<n>` when another argument of `function` has that
/// fm.name.
std::string uniqueArgumentName(func::FuncOp function, StringRef base) {
  for (unsigned suffix = 0;; ++suffix) {
    std::string name = suffix ? (base + "_" + Twine(suffix)).str() : base.str();
    bool taken = false;
    for (unsigned index = 0; index < function.getNumArguments(); ++index)
      if (auto other = function.getArgAttrOfType<StringAttr>(
              index, FmDialect::kNameAttr))
        taken |= other.getValue() == name;
    if (!taken)
      return name;
  }
}

/// A value for argument `index` of `snippet`, an input the snippet made up:
/// a new argument of the function `point` is in, with the snippet's
/// attributes and a unique fm.name, when `point` is directly in a
/// function's body and nothing calls it; else a constant (integer ones
/// zeros, so that indices stay in range).
Value newInput(Operation *point, func::FuncOp snippet, unsigned index,
               OpBuilder &builder) {
  MLIRContext *context = point->getContext();
  auto type = cast<RankedTensorType>(snippet.getArgument(index).getType());
  auto function = dyn_cast<func::FuncOp>(point->getParentOp());
  if (function && !isCalled(function)) {
    NamedAttrList attributes(snippet.getArgAttrDict(index));
    auto name =
        snippet.getArgAttrOfType<StringAttr>(index, FmDialect::kNameAttr);
    attributes.set(FmDialect::kNameAttr,
                   StringAttr::get(context, uniqueArgumentName(
                                                function, name ? name.getValue()
                                                               : "input")));
    const unsigned position = function.getNumArguments();
    function.insertArgument(position, type, attributes.getDictionary(context),
                            point->getLoc());
    return function.getArgument(position);
  }
  Type element = type.getElementType();
  Attribute value = isa<FloatType>(element)
                        ? Attribute(FloatAttr::get(element, 0.5))
                        : Attribute(IntegerAttr::get(element, 0));
  return builder.create<ConstantOp>(point->getLoc(), type,
                                    DenseElementsAttr::get(type, value));
}

/// Clones the body of `snippet` (generateSnippet's text) before `point`,
/// its first arguments standing for `operands` and the others made by
/// newInput; collects the new ops in `inserted`. Returns the values the
/// snippet returns.
FailureOr<SmallVector<Value>> splice(StringRef snippet, Operation *point,
                                     ArrayRef<Value> operands,
                                     SmallPtrSetImpl<Operation *> &inserted) {
  OwningOpRef<ModuleOp> parsed = parseModule(snippet, point->getContext());
  if (!parsed || parsed->getOps<func::FuncOp>().empty())
    return failure();
  func::FuncOp source = *parsed->getOps<func::FuncOp>().begin();
  OpBuilder builder(point);
  IRMapping mapping;
  for (BlockArgument argument : source.getArguments()) {
    const unsigned index = argument.getArgNumber();
    mapping.map(argument, index < operands.size()
                              ? operands[index]
                              : newInput(point, source, index, builder));
  }
  for (Operation &op : source.front().without_terminator())
    inserted.insert(builder.clone(op, mapping));
  SmallVector<Value> results;
  for (Value value : source.front().getTerminator()->getOperands())
    results.push_back(mapping.lookup(value));
  return results;
}

/// The operands a snippet may take at `point`: the values before it that
/// the generator can build on (rank 1 to 3), at most `limit` of them in a
/// random window.
std::pair<SmallVector<Value>, std::vector<TensorType>>
snippetOperands(Operation *point, size_t limit, fmrt::Random &random) {
  SmallVector<Value> values;
  std::vector<TensorType> types;
  for (Value value : valuesBefore(point)) {
    std::optional<TensorType> type = generatorType(value.getType());
    if (type && !type->shape.empty() && type->shape.size() <= 3) {
      values.push_back(value);
      types.push_back(*type);
    }
  }
  if (values.size() > limit) {
    const size_t start = random.below(values.size() - limit + 1);
    values = SmallVector<Value>(values.begin() + start,
                                values.begin() + start + limit);
    types = std::vector<TensorType>(types.begin() + start,
                                    types.begin() + start + limit);
  }
  return {values, types};
}

//===----------------------------------------------------------------------===//
// General mutators (Tzer's)
//===----------------------------------------------------------------------===//

/// A small generated subgraph on values before a random op, one of whose
/// results replaces an operand of that op or of an op after it.
LogicalResult insertOp(ModuleOp module, fmrt::Random &random) {
  SmallVector<Operation *> points = bodyOps(module, /*withTerminators=*/true);
  if (points.empty())
    return failure();
  Operation *point = pickFrom<Operation *>(random, points);
  auto [operands, types] = snippetOperands(point, 12, random);
  GeneratorOptions options;
  options.ops = 1 + random.below(2);
  SmallPtrSet<Operation *, 16> inserted;
  FailureOr<SmallVector<Value>> made = splice(
      generateSnippet(types, random, options), point, operands, inserted);
  if (failed(made))
    return failure();
  // The newest value that some operand at or after the point can take.
  for (Value value : llvm::reverse(*made)) {
    SmallVector<OpOperand *> sites;
    for (Operation *op = point; op; op = op->getNextNode())
      for (OpOperand &operand : op->getOpOperands())
        if (operand.get().getType() == value.getType())
          sites.push_back(&operand);
    if (!sites.empty()) {
      pickFrom<OpOperand *>(random, sites)->set(value);
      return success();
    }
  }
  return failure();
}

LogicalResult deleteOp(ModuleOp module, fmrt::Random &random) {
  SmallVector<Operation *> ops = bodyOps(module, /*withTerminators=*/false);
  if (ops.empty())
    return failure();
  return removeOp(pickFrom<Operation *>(random, ops), &random);
}

/// Replaces `op` by an op named `name` on `operands`, with `op`'s result
/// types and the attributes of `op` the new op also has (its inherent ones
/// by name, discardable ones all). Null when `name` is not registered.
Operation *recreate(Operation *op, StringRef name, ValueRange operands) {
  std::optional<RegisteredOperationName> info =
      RegisteredOperationName::lookup(name, op->getContext());
  if (!info)
    return nullptr;
  OperationState state(op->getLoc(), *info);
  state.addOperands(operands);
  state.addTypes(op->getResultTypes());
  OpBuilder builder(op);
  Operation *created = builder.create(state);
  std::optional<RegisteredOperationName> old = op->getRegisteredInfo();
  for (NamedAttribute attribute : op->getAttrs()) {
    const bool inherentThere =
        old &&
        llvm::is_contained(old->getAttributeNames(), attribute.getName());
    if (!inherentThere ||
        llvm::is_contained(info->getAttributeNames(), attribute.getName()))
      created->setAttr(attribute.getName(), attribute.getValue());
  }
  op->replaceAllUsesWith(created);
  op->erase();
  return created;
}

/// Ops that take the same operands and attributes and give results of the
/// same types, so that one can stand for another.
constexpr StringLiteral kArithmetic[] = {"fm.add", "fm.sub", "fm.mul", "fm.div",
                                         "fm.max", "fm.min", "fm.pow"};
constexpr StringLiteral kComparisons[] = {"fm.eq", "fm.ne", "fm.lt",
                                          "fm.le", "fm.gt", "fm.ge"};
constexpr StringLiteral kUnary[] = {
    "fm.neg",  "fm.abs",     "fm.exp",  "fm.log",  "fm.sqrt", "fm.rsqrt",
    "fm.tanh", "fm.sigmoid", "fm.relu", "fm.silu", "fm.gelu"};
constexpr StringLiteral kReductions[] = {"fm.reduce_sum", "fm.reduce_mean",
                                         "fm.reduce_max"};
constexpr StringLiteral kSoftmaxes[] = {"fm.softmax", "fm.log_softmax"};
constexpr StringLiteral kSoftmaxGrads[] = {"fm.softmax_grad",
                                           "fm.log_softmax_grad"};
constexpr StringLiteral kNorms[] = {"fm.layer_norm", "fm.rms_norm"};
const ArrayRef<StringLiteral> kReplaceable[] = {
    kArithmetic, kComparisons, kUnary,       kReductions,
    kSoftmaxes,  kNorms,       kSoftmaxGrads};

LogicalResult replaceOp(ModuleOp module, fmrt::Random &random) {
  SmallVector<std::pair<Operation *, ArrayRef<StringLiteral>>> sites;
  for (Operation *op : bodyOps(module, /*withTerminators=*/false))
    for (ArrayRef<StringLiteral> family : kReplaceable)
      if (llvm::is_contained(family, op->getName().getStringRef()))
        sites.push_back({op, family});
  if (sites.empty())
    return failure();
  auto [op, family] = sites[random.below(sites.size())];
  const StringRef name = family[random.below(family.size())];
  if (name == op->getName().getStringRef())
    return failure();
  // The norms differ in operands: rms_norm has no bias, layer_norm counts
  // its optional operands.
  SmallVector<Value> operands(op->getOperands());
  if (auto layer = dyn_cast<LayerNormOp>(op)) {
    operands = {layer.getInput()};
    if (layer.getScale())
      operands.push_back(layer.getScale());
  }
  Operation *created = recreate(op, name, operands);
  if (created && isa<LayerNormOp>(created))
    created->setAttr("operandSegmentSizes",
                     DenseI32ArrayAttr::get(
                         op->getContext(),
                         {1, static_cast<int32_t>(operands.size() - 1), 0}));
  return success(created != nullptr);
}

LogicalResult replaceOperand(ModuleOp module, fmrt::Random &random) {
  SmallVector<OpOperand *> sites;
  for (Operation *op : bodyOps(module, /*withTerminators=*/true))
    for (OpOperand &operand : op->getOpOperands())
      sites.push_back(&operand);
  if (sites.empty())
    return failure();
  OpOperand *site = pickFrom<OpOperand *>(random, sites);
  SmallVector<Value> candidates;
  for (Value value : valuesBefore(site->getOwner()))
    if (value.getType() == site->get().getType() && value != site->get())
      candidates.push_back(value);
  if (candidates.empty())
    return failure();
  site->set(pickFrom<Value>(random, candidates));
  return success();
}

/// The rank of `value`'s type, or -1 when it is not a ranked tensor.
int64_t rankOf(Value value) {
  auto type = dyn_cast<RankedTensorType>(value.getType());
  return type ? type.getRank() : -1;
}

void setI64(Operation *op, StringRef name, int64_t value) {
  op->setAttr(name,
              IntegerAttr::get(IntegerType::get(op->getContext(), 64), value));
}

void toggleUnit(Operation *op, StringRef name) {
  if (op->getAttr(name))
    op->removeAttr(name);
  else
    op->setAttr(name, UnitAttr::get(op->getContext()));
}

/// A random axis of a tensor of `rank`, non-negative or counted from the
/// end.
int64_t randomAxis(int64_t rank, fmrt::Random &random) {
  const int64_t axis = random.below(rank);
  return chance(random, 3) ? axis - rank : axis;
}

/// One per axis of `shape`: (start, limit, stride) of a non-empty slice, or
/// (low, high, interior) of a small padding.
void setPerAxis(Operation *op, ArrayRef<StringRef> names,
                ArrayRef<int64_t> shape,
                function_ref<std::array<int64_t, 3>(int64_t)> draw) {
  SmallVector<int64_t> values[3];
  for (int64_t size : shape) {
    std::array<int64_t, 3> drawn = draw(size);
    for (int i = 0; i < 3; ++i)
      values[i].push_back(drawn[i]);
  }
  for (int i = 0; i < 3; ++i)
    op->setAttr(names[i], DenseI64ArrayAttr::get(op->getContext(), values[i]));
}

/// Changes an attribute of `op` within its valid range (as far as `op`
/// alone decides it); failure when `op` has none.
LogicalResult mutateAttributes(Operation *op, fmrt::Random &random) {
  MLIRContext *context = op->getContext();
  int64_t rank = -1;
  if (op->getNumOperands())
    rank = rankOf(op->getOperand(0));
  else if (op->getNumResults())
    rank = rankOf(op->getResult(0));
  return TypeSwitch<Operation *, LogicalResult>(op)
      .Case<ReduceSumOp, ReduceMeanOp, ReduceMaxOp>(
          [&](Operation *) -> LogicalResult {
            if (rank <= 0 || chance(random, 2)) {
              toggleUnit(op, "keepdim");
              return success();
            }
            if (chance(random, 6)) {
              op->removeAttr("axes");
              return success();
            }
            SmallVector<int64_t> axes;
            for (int64_t axis = 0; axis < rank; ++axis)
              if (chance(random, 2))
                axes.push_back(chance(random, 3) ? axis - rank : axis);
            op->setAttr("axes", DenseI64ArrayAttr::get(context, axes));
            return success();
          })
      .Case<SoftmaxOp, LogSoftmaxOp, SoftmaxGradOp, LogSoftmaxGradOp, IotaOp,
            ConcatOp>([&](Operation *) -> LogicalResult {
        if (rank <= 0)
          return failure();
        setI64(op, "axis", randomAxis(rank, random));
        return success();
      })
      .Case([&](TransposeOp) {
        SmallVector<int64_t> permutation;
        for (int64_t axis = 0; axis < rank; ++axis)
          permutation.push_back(axis);
        for (size_t i = permutation.size(); i > 1; --i)
          std::swap(permutation[i - 1], permutation[random.below(i)]);
        if (chance(random, 4))
          op->removeAttr("permutation");
        else
          op->setAttr("permutation",
                      DenseI64ArrayAttr::get(context, permutation));
        return success();
      })
      .Case<MatmulOp, ScaledMatmulOp>([&](Operation *) {
        toggleUnit(op, chance(random, 2) ? "transpose_a" : "transpose_b");
        return success();
      })
      .Case<LayerNormOp, RmsNormOp, LayerNormGradOp, RmsNormGradOp>(
          [&](Operation *) {
            op->setAttr(
                "eps", FloatAttr::get(Float32Type::get(context),
                                      pickFrom<double>(random, {0.0, 1e-6, 1e-5,
                                                                1e-3, 0.1})));
            return success();
          })
      .Case<GeluOp, GeluGradOp>([&](Operation *) {
        auto approximate = op->getAttrOfType<StringAttr>("approximate");
        op->setAttr(
            "approximate",
            StringAttr::get(context, approximate && approximate == "none"
                                         ? "tanh"
                                         : "none"));
        return success();
      })
      .Case([&](SliceOp slice) {
        setPerAxis(op, {"start", "limit", "stride"},
                   slice.getInput().getType().getShape(), [&](int64_t size) {
                     const int64_t start = random.below(size);
                     return std::array<int64_t, 3>{
                         start,
                         start + 1 +
                             static_cast<int64_t>(random.below(size - start)),
                         1 + static_cast<int64_t>(random.below(2))};
                   });
        return success();
      })
      .Case([&](PadOp pad) {
        setPerAxis(op, {"low", "high", "interior"},
                   pad.getInput().getType().getShape(), [&](int64_t) {
                     return std::array<int64_t, 3>{
                         static_cast<int64_t>(random.below(3)),
                         static_cast<int64_t>(random.below(3)),
                         static_cast<int64_t>(random.below(2))};
                   });
        return success();
      })
      .Case([&](FusionOp) {
        const StringRef kinds[] = {FusionOp::kGemm, FusionOp::kReduction,
                                   FusionOp::kElementwise};
        if (chance(random, 4))
          op->removeAttr("kind");
        else
          op->setAttr("kind", StringAttr::get(
                                  context, pickFrom<StringRef>(random, kinds)));
        return success();
      })
      .Case([&](ConstantOp constant) -> LogicalResult {
        auto type = dyn_cast<RankedTensorType>(constant.getType());
        if (!type)
          return failure();
        Type element = type.getElementType();
        Attribute value;
        if (isa<FloatType>(element))
          value = FloatAttr::get(element, random.normal());
        else if (element.isInteger(1))
          value = IntegerAttr::get(element, random.below(2));
        else
          value = IntegerAttr::get(element, random.below(4));
        op->setAttr("value", DenseElementsAttr::get(type, value));
        return success();
      })
      .Default([](Operation *) { return failure(); });
}

/// An attribute of a random op, with the types downstream re-derived.
LogicalResult changeAttribute(ModuleOp module, fmrt::Random &random) {
  SmallVector<Operation *> ops = bodyOps(module, /*withTerminators=*/false);
  if (ops.empty())
    return failure();
  Operation *op = pickFrom<Operation *>(random, ops);
  if (failed(mutateAttributes(op, random)))
    return failure();
  return retypeFunction(op->getParentOfType<func::FuncOp>());
}

/// Gives the ops of `function` whose result types are fixed rather than
/// derived (reshapes, broadcasts, iotas, embedding gradients, splat
/// constants) the types `substitute` makes of them.
LogicalResult substituteFixedTypes(func::FuncOp function,
                                   function_ref<Type(Type)> substitute) {
  WalkResult walked = function.walk([&](Operation *op) {
    if (!isa<ReshapeOp, BroadcastToOp, IotaOp, EmbeddingGradOp, ConstantOp>(op))
      return WalkResult::advance();
    Type old = op->getResult(0).getType();
    Type type = substitute(old);
    if (type == old)
      return WalkResult::advance();
    if (auto constant = dyn_cast<ConstantOp>(op)) {
      auto dense = dyn_cast<DenseElementsAttr>(constant.getValue());
      Type element = elementOf(type);
      if (!dense || !dense.isSplat())
        return WalkResult::interrupt();
      Attribute value =
          isa<FloatType>(element)
              ? Attribute(FloatAttr::get(
                    element, dense.getSplatValue<APFloat>().convertToDouble()))
              : Attribute(IntegerAttr::get(
                    element, dense.getSplatValue<APInt>().getSExtValue()));
      op->setAttr("value",
                  DenseElementsAttr::get(cast<ShapedType>(type), value));
    }
    op->getResult(0).setType(type);
    return WalkResult::advance();
  });
  return failure(walked.wasInterrupted());
}

/// A function argument's element type or one of its dimensions changes;
/// half of the time every argument (and fixed type) with that element type
/// or dimension size changes with it, as when a whole model moves to bf16
/// or another batch size. Downstream types are re-derived.
LogicalResult changeShapeOrDtype(ModuleOp module, fmrt::Random &random) {
  SmallVector<BlockArgument> arguments;
  for (func::FuncOp function : functionsWithBodies(module))
    if (!isCalled(function))
      for (BlockArgument argument : function.getArguments())
        if (generatorType(argument.getType()))
          arguments.push_back(argument);
  if (arguments.empty())
    return failure();
  BlockArgument argument = pickFrom<BlockArgument>(random, arguments);
  auto function = cast<func::FuncOp>(argument.getOwner()->getParentOp());
  auto type = cast<RankedTensorType>(argument.getType());
  MLIRContext *context = module.getContext();
  const bool everywhere = chance(random, 2);
  std::function<Type(Type)> substitute;
  if (chance(random, 2)) {
    Type from = type.getElementType();
    Type to;
    if (isa<FloatType>(from))
      to = chance(random, 6) ? otherFormat(from)
                             : narrower(context, from, random);
    else if (from.isInteger(32) || from.isInteger(64))
      to = IntegerType::get(context, from.isInteger(32) ? 64 : 32);
    else
      return failure();
    substitute = [=](Type old) {
      return elementOf(old) == from ? withElement(old, to) : old;
    };
  } else {
    if (type.getRank() == 0)
      return failure();
    const int64_t axis = random.below(type.getRank());
    const int64_t from = type.getDimSize(axis);
    const int64_t to = pickFrom<int64_t>(random, {1, 2, 3, 4, 8, 16});
    if (to == from)
      return failure();
    substitute = [=](Type old) {
      auto tensor = dyn_cast<RankedTensorType>(old);
      if (!tensor)
        return old;
      SmallVector<int64_t> shape(tensor.getShape());
      for (int64_t &size : shape)
        if (size == from)
          size = to;
      return Type(withShape(old, shape));
    };
  }
  if (everywhere) {
    for (BlockArgument other : function.getArguments())
      other.setType(substitute(other.getType()));
    if (failed(substituteFixedTypes(function, substitute)))
      return failure();
  } else {
    argument.setType(substitute(argument.getType()));
  }
  return retypeFunction(function);
}

//===----------------------------------------------------------------------===//
// Tensor-compiler mutators
//===----------------------------------------------------------------------===//

/// Whether `op` computes in one wide float element type that could be
/// another: its float operands and all its results have that element type,
/// and it fixes no element type itself (as casts, FP8 ops and losses do).
bool isRetargetable(Operation *op, Type element) {
  if (!isa_and_nonnull<FmDialect>(op->getDialect()) ||
      isa<FusionOp, YieldOp, ConstantOp, CastOp, QuantizeOp, DequantizeOp,
          QuantizeExpandedOp, DequantizeExpandedOp, ScaledMatmulOp,
          CrossEntropyOp, CrossEntropyGradOp, IotaOp>(op) ||
      op->getNumResults() == 0)
    return false;
  return llvm::all_of(op->getResultTypes(),
                      [&](Type type) { return elementOf(type) == element; }) &&
         llvm::all_of(op->getOperandTypes(), [&](Type type) {
           return !isa_and_nonnull<FloatType>(elementOf(type)) ||
                  elementOf(type) == element;
         });
}

/// A function argument becomes bf16 or f16, cast back where the body
/// starts.
LogicalResult narrowArgument(ModuleOp module, fmrt::Random &random) {
  SmallVector<BlockArgument> arguments;
  for (func::FuncOp function : functionsWithBodies(module))
    if (!isCalled(function))
      for (BlockArgument argument : function.getArguments())
        if (isWideFloat(elementOf(argument.getType())))
          arguments.push_back(argument);
  if (arguments.empty())
    return failure();
  BlockArgument argument = pickFrom<BlockArgument>(random, arguments);
  Block *body = argument.getOwner();
  Type wide = argument.getType();
  argument.setType(withElement(
      wide, narrower(module.getContext(), elementOf(wide), random)));
  auto builder = OpBuilder::atBlockBegin(body);
  auto cast = builder.create<CastOp>(argument.getLoc(), wide, argument);
  argument.replaceAllUsesExcept(cast, cast);
  return retypeFunction(cast->getParentOfType<func::FuncOp>());
}

/// A chain of up to four ops, each the sole user of the previous one's
/// result, computes in bf16 or f16, with fm.cast at its borders.
LogicalResult narrowChain(ModuleOp module, fmrt::Random &random) {
  SmallVector<Operation *> starts;
  for (Operation *op : bodyOps(module, /*withTerminators=*/false))
    if (op->getNumResults() &&
        isWideFloat(elementOf(op->getResult(0).getType())) &&
        isRetargetable(op, elementOf(op->getResult(0).getType())))
      starts.push_back(op);
  if (starts.empty())
    return failure();
  SmallVector<Operation *> chain{pickFrom<Operation *>(random, starts)};
  const Type wide = elementOf(chain.front()->getResult(0).getType());
  for (unsigned length = 1 + random.below(4); chain.size() < length;) {
    Operation *last = chain.back();
    if (last->getNumResults() != 1 || !last->getResult(0).hasOneUse())
      break;
    Operation *user = *last->getResult(0).getUsers().begin();
    if (user->getBlock() != last->getBlock() || !isRetargetable(user, wide))
      break;
    chain.push_back(user);
  }
  const Type narrow = narrower(module.getContext(), wide, random);
  SmallPtrSet<Operation *, 4> members(chain.begin(), chain.end());
  DenseMap<Value, Value> narrowed;
  for (Operation *op : chain) {
    for (OpOperand &operand : op->getOpOperands()) {
      Value value = operand.get();
      if (elementOf(value.getType()) != wide ||
          members.contains(value.getDefiningOp()))
        continue;
      // Cast where first read: the chain is in program order, so later
      // members can share the cast.
      auto [it, inserted] = narrowed.try_emplace(value);
      if (inserted) {
        OpBuilder builder(op);
        it->second = builder.create<CastOp>(
            op->getLoc(), withElement(value.getType(), narrow), value);
      }
      operand.set(it->second);
    }
    for (Value result : op->getResults())
      retypeWithCastBack(result, narrow, [&](Operation *user) {
        return !members.contains(user);
      });
  }
  return success();
}

LogicalResult toLowPrecision(ModuleOp module, fmrt::Random &random) {
  return chance(random, 3) ? narrowArgument(module, random)
                           : narrowChain(module, random);
}

/// An FP8 quantize -> dequantize round trip (per tensor or grouped, plain
/// or with COAT's range expansion, drawn by the generator) on a value; its
/// users read the round trip.
LogicalResult quantizeValue(ModuleOp module, fmrt::Random &random) {
  SmallVector<Value> values;
  for (Operation *op : bodyOps(module, /*withTerminators=*/true)) {
    for (Region &region : op->getRegions())
      for (Block &block : region)
        llvm::append_range(values, block.getArguments());
    llvm::append_range(values, op->getResults());
  }
  for (func::FuncOp function : functionsWithBodies(module))
    llvm::append_range(values, function.getArguments());
  llvm::erase_if(values, [](Value value) {
    return value.use_empty() || !isWideFloat(elementOf(value.getType())) ||
           rankOf(value) < 1 || rankOf(value) > 3;
  });
  if (values.empty())
    return failure();
  Value value = pickFrom<Value>(random, values);
  Operation *point = value.getDefiningOp()
                         ? value.getDefiningOp()->getNextNode()
                         : &cast<BlockArgument>(value).getOwner()->front();
  GeneratorOptions options;
  options.ops = 1;
  options.families = {"quantize", "quantize-expanded"};
  SmallPtrSet<Operation *, 16> inserted;
  FailureOr<SmallVector<Value>> made = splice(
      generateSnippet({*generatorType(value.getType())}, random, options),
      point, {value}, inserted);
  if (failed(made))
    return failure();
  auto shape = cast<RankedTensorType>(value.getType()).getShape();
  auto roundTrip = llvm::find_if(llvm::reverse(*made), [&](Value candidate) {
    return isWideFloat(elementOf(candidate.getType())) &&
           cast<RankedTensorType>(candidate.getType()).getShape() == shape;
  });
  if (roundTrip == llvm::reverse(*made).end())
    return failure();
  Value replacement = *roundTrip;
  if (replacement.getType() != value.getType()) {
    OpBuilder builder(point);
    replacement =
        builder.create<CastOp>(point->getLoc(), value.getType(), replacement);
    inserted.insert(replacement.getDefiningOp());
  }
  value.replaceUsesWithIf(replacement, [&](OpOperand &use) {
    return !inserted.contains(use.getOwner());
  });
  return success();
}

/// Makes `op` read operand `index` in the other FP8 format, through an
/// fm.cast.
void recastOperand(Operation *op, unsigned index) {
  Value value = op->getOperand(index);
  OpBuilder builder(op);
  op->setOperand(
      index,
      builder.create<CastOp>(
          op->getLoc(),
          withElement(value.getType(), otherFormat(elementOf(value.getType()))),
          value));
}

bool sameGrouping(Operation *a, Operation *b) {
  return a->getAttr("group") == b->getAttr("group") &&
         a->getAttr("axis") == b->getAttr("axis");
}

/// Sets random `group` and `axis` attributes (no group when `required` is
/// false, half of the time) valid for `input` on `ops`.
LogicalResult regroup(ArrayRef<Operation *> ops, Type input, bool required,
                      fmrt::Random &random) {
  const int64_t rank = rankOf(ops.front()->getOperand(0));
  if (!required && chance(random, 2)) {
    // `axis` has a default, which getters read: it is set, never removed.
    for (Operation *op : ops) {
      op->removeAttr("group");
      setI64(op, "axis", -1);
    }
    return success();
  }
  if (rank <= 0)
    return failure();
  const int64_t axis = randomAxis(rank, random);
  const int64_t size =
      cast<RankedTensorType>(input).getDimSize(normalizeAxis(axis, rank));
  SmallVector<int64_t> divisors;
  for (int64_t group = 1; group <= size; ++group)
    if (size % group == 0)
      divisors.push_back(group);
  const int64_t group = pickFrom<int64_t>(random, divisors);
  for (Operation *op : ops) {
    setI64(op, "group", group);
    setI64(op, "axis", axis);
  }
  return success();
}

/// New granularity for a quantize or dequantize (and the dequantizations
/// of a quantize that share its scale): a new constant scale of the new
/// shape, with the old scale's value when that was a splat constant.
LogicalResult regroupScaled(Operation *op, fmrt::Random &random) {
  Value oldScale = op->getOperand(1);
  SmallVector<Operation *> targets{op};
  if (isa<QuantizeOp>(op))
    for (Operation *user : op->getResult(0).getUsers())
      if (isa<DequantizeOp>(user) && user->getOperand(1) == oldScale &&
          sameGrouping(user, op))
        targets.push_back(user);
  Type input = op->getOperand(0).getType();
  if (failed(regroup(targets, input, /*required=*/false, random)))
    return failure();
  SmallVector<int64_t> shape;
  if (op->getAttr("group")) {
    FailureOr<SmallVector<int64_t>> grouped = groupScaleShape(op, input);
    if (failed(grouped))
      return failure();
    shape = *grouped;
  }
  double value = 0.01;
  DenseElementsAttr old;
  if (matchPattern(oldScale, m_Constant(&old)) && old.isSplat())
    value = old.getSplatValue<APFloat>().convertToDouble();
  auto type = RankedTensorType::get(shape, Float32Type::get(op->getContext()));
  OpBuilder builder(op);
  Value scale = builder.create<ConstantOp>(
      op->getLoc(), type,
      DenseElementsAttr::get(type, builder.getF32FloatAttr(value)));
  for (Operation *target : targets)
    target->setOperand(1, scale);
  return success();
}

/// New groups for a quantize_expanded and the dequantize_expanded ops that
/// read all its results.
LogicalResult regroupExpanded(QuantizeExpandedOp op, fmrt::Random &random) {
  SmallVector<Operation *> targets{op};
  for (Operation *user : op->getUsers())
    if (isa<DequantizeExpandedOp>(user) &&
        user->getOperands() == ValueRange(op->getResults()) &&
        sameGrouping(user, op) && !llvm::is_contained(targets, user))
      targets.push_back(user);
  return regroup(targets, op.getInput().getType(), /*required=*/true, random);
}

/// Changes the FP8 format, granularity, group size or axis of an FP8 op (or
/// the precision of a scaled matmul's result).
LogicalResult changeQuantization(ModuleOp module, fmrt::Random &random) {
  SmallVector<Operation *> ops;
  for (Operation *op : bodyOps(module, /*withTerminators=*/false))
    if (isa<QuantizeOp, DequantizeOp, QuantizeExpandedOp, DequantizeExpandedOp,
            ScaledMatmulOp>(op))
      ops.push_back(op);
  if (ops.empty())
    return failure();
  Operation *op = pickFrom<Operation *>(random, ops);
  const bool format = chance(random, 2);
  LogicalResult changed =
      TypeSwitch<Operation *, LogicalResult>(op)
          .Case<QuantizeOp, QuantizeExpandedOp>([&](Operation *) {
            if (!format)
              return isa<QuantizeOp>(op)
                         ? regroupScaled(op, random)
                         : regroupExpanded(cast<QuantizeExpandedOp>(op),
                                           random);
            Value result = op->getResult(0);
            result.setType(withElement(
                result.getType(), otherFormat(elementOf(result.getType()))));
            return success();
          })
          .Case([&](DequantizeOp) {
            if (!format)
              return regroupScaled(op, random);
            recastOperand(op, 0);
            return success();
          })
          .Case([&](DequantizeExpandedOp dequantize) {
            if (format) {
              recastOperand(op, 0);
              return success();
            }
            auto producer =
                dequantize.getInput().getDefiningOp<QuantizeExpandedOp>();
            return producer ? regroupExpanded(producer, random) : failure();
          })
          .Case([&](ScaledMatmulOp) {
            if (format) {
              recastOperand(op, chance(random, 2) ? 0 : 2);
              return success();
            }
            Value result = op->getResult(0);
            retypeWithCastBack(
                result,
                narrower(op->getContext(), elementOf(result.getType()), random),
                [&](Operation *user) { return user != op; });
            return success();
          });
  if (failed(changed))
    return failure();
  return retypeFunction(op->getParentOfType<func::FuncOp>());
}

/// An argument marked fm.param becomes fm.data, or the other way round.
LogicalResult toggleRole(ModuleOp module, fmrt::Random &random) {
  SmallVector<std::pair<func::FuncOp, unsigned>> arguments;
  for (func::FuncOp function : functionsWithBodies(module))
    for (unsigned index = 0; index < function.getNumArguments(); ++index)
      if (function.getArgAttr(index, FmDialect::kParamAttr) ||
          function.getArgAttr(index, FmDialect::kDataAttr))
        arguments.push_back({function, index});
  if (arguments.empty())
    return failure();
  auto [function, index] = arguments[random.below(arguments.size())];
  const bool param =
      function.getArgAttr(index, FmDialect::kParamAttr) != nullptr;
  function.removeArgAttr(index,
                         param ? FmDialect::kParamAttr : FmDialect::kDataAttr);
  function.setArgAttr(index,
                      param ? FmDialect::kDataAttr : FmDialect::kParamAttr,
                      UnitAttr::get(module.getContext()));
  return success();
}

/// Up to four consecutive fm ops of a function body become one fm.fusion,
/// as fm-fuse builds them, with a random kind.
LogicalResult wrapFusion(ModuleOp module, fmrt::Random &random) {
  auto fusible = [](Operation *op) {
    return op && isa_and_nonnull<FmDialect>(op->getDialect()) &&
           op->getNumRegions() == 0 && !op->hasTrait<OpTrait::IsTerminator>();
  };
  SmallVector<Operation *> starts;
  for (func::FuncOp function : functionsWithBodies(module))
    for (Operation &op : function.getBody().getOps())
      if (fusible(&op))
        starts.push_back(&op);
  if (starts.empty())
    return failure();
  SmallVector<Operation *> members{pickFrom<Operation *>(random, starts)};
  for (unsigned length = 1 + random.below(4);
       members.size() < length && fusible(members.back()->getNextNode());)
    members.push_back(members.back()->getNextNode());

  SmallPtrSet<Operation *, 4> inside(members.begin(), members.end());
  SetVector<Value> inputs;
  SmallVector<Value> outputs;
  for (Operation *op : members) {
    for (Value operand : op->getOperands())
      if (!inside.contains(operand.getDefiningOp()))
        inputs.insert(operand);
    for (Value result : op->getResults())
      if (llvm::any_of(result.getUsers(),
                       [&](Operation *user) { return !inside.contains(user); }))
        outputs.push_back(result);
  }
  MLIRContext *context = module.getContext();
  const StringRef kinds[] = {FusionOp::kGemm, FusionOp::kReduction,
                             FusionOp::kElementwise, ""};
  const StringRef kind = pickFrom<StringRef>(random, kinds);
  OpBuilder builder(context);
  builder.setInsertionPointAfter(members.back());
  Location loc = members.back()->getLoc();
  auto fusion = builder.create<FusionOp>(
      loc, ValueRange(outputs).getTypes(), inputs.getArrayRef(),
      kind.empty() ? StringAttr() : StringAttr::get(context, kind));
  Block *body = builder.createBlock(&fusion.getBody(), {},
                                    ValueRange(inputs.getArrayRef()).getTypes(),
                                    SmallVector<Location>(inputs.size(), loc));
  // The members move into the body, where the arguments stand for the
  // inputs; outside, the fusion's results stand for the outputs.
  for (Operation *op : members)
    op->moveBefore(body, body->end());
  auto inBody = [&](OpOperand &use) {
    return use.getOwner()->getBlock() == body;
  };
  for (auto [input, argument] : llvm::zip(inputs, body->getArguments()))
    Value(input).replaceUsesWithIf(argument, inBody);
  builder.create<YieldOp>(loc, outputs);
  for (auto [output, result] : llvm::zip(outputs, fusion.getResults()))
    output.replaceUsesWithIf(result,
                             [&](OpOperand &use) { return !inBody(use); });
  return success();
}

/// An fm.fusion's body replaces it.
LogicalResult unwrapFusion(ModuleOp module, fmrt::Random &random) {
  SmallVector<FusionOp> fusions = opsOfType<FusionOp>(module);
  if (fusions.empty())
    return failure();
  inlineFusions(pickFrom<FusionOp>(random, fusions));
  return success();
}

struct Mutator {
  StringLiteral name;
  LogicalResult (*apply)(ModuleOp, fmrt::Random &);
};

constexpr Mutator kMutators[] = {
    {"insert-op", insertOp},
    {"delete-op", deleteOp},
    {"replace-op", replaceOp},
    {"replace-operand", replaceOperand},
    {"change-attribute", changeAttribute},
    {"change-shape-or-dtype", changeShapeOrDtype},
    {"to-low-precision", toLowPrecision},
    {"quantize-value", quantizeValue},
    {"change-quantization", changeQuantization},
    {"toggle-role", toggleRole},
    {"wrap-fusion", wrapFusion},
    {"unwrap-fusion", unwrapFusion},
};

/// Tries per mutator, each at a new random site, before the next mutator.
constexpr int kAttemptsPerMutator = 4;

} // namespace

FailureOr<ProgramMutation>
mutateProgram(MLIRContext &context, StringRef program, fmrt::Random &random) {
  ScopedDiagnosticHandler quiet(&context,
                                [](Diagnostic &) { return success(); });
  OwningOpRef<ModuleOp> module = parseModule(program, &context);
  if (!module)
    return failure();
  SmallVector<unsigned> order;
  for (unsigned index = 0; index < std::size(kMutators); ++index)
    order.push_back(index);
  for (size_t i = order.size(); i > 1; --i)
    std::swap(order[i - 1], order[random.below(i)]);
  for (unsigned index : order) {
    for (int attempt = 0; attempt < kAttemptsPerMutator; ++attempt) {
      OwningOpRef<ModuleOp> copy(module->clone());
      if (succeeded(kMutators[index].apply(*copy, random)) &&
          succeeded(verify(*copy)))
        return ProgramMutation{print(*copy), kMutators[index].name.str()};
    }
  }
  return failure();
}

ArrayRef<StringLiteral> irMutatorNames() {
  static const std::vector<StringLiteral> names = [] {
    std::vector<StringLiteral> all;
    for (const Mutator &mutator : kMutators)
      all.push_back(mutator.name);
    return all;
  }();
  return names;
}

unsigned countRemovableOps(MLIRContext &context, StringRef program) {
  ScopedDiagnosticHandler quiet(&context,
                                [](Diagnostic &) { return success(); });
  OwningOpRef<ModuleOp> module = parseModule(program, &context);
  return module ? bodyOps(*module, /*withTerminators=*/false).size() : 0;
}

FailureOr<std::string> removeOps(MLIRContext &context, StringRef program,
                                 ArrayRef<unsigned> opIndices) {
  ScopedDiagnosticHandler quiet(&context,
                                [](Diagnostic &) { return success(); });
  OwningOpRef<ModuleOp> module = parseModule(program, &context);
  if (!module)
    return failure();
  SmallVector<Operation *> ops = bodyOps(*module, /*withTerminators=*/false);
  SmallVector<unsigned> indices(opIndices);
  llvm::sort(indices);
  indices.erase(std::unique(indices.begin(), indices.end()), indices.end());
  if (!indices.empty() && indices.back() >= ops.size())
    return failure();
  // Last first: users go before their producers, and a fusion's body ops
  // before the fusion.
  for (unsigned index : llvm::reverse(indices))
    if (failed(removeOp(ops[index], /*random=*/nullptr)))
      return failure();
  if (failed(verify(*module)))
    return failure();
  return print(*module);
}

} // namespace fm::fuzz

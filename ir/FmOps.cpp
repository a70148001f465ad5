//===- FmOps.cpp - Verifiers and shape inference of fm ops ----------------===//
#include "ir/FmOps.h"

#include "mlir/Dialect/Traits.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"

#include "llvm/ADT/STLExtras.h"

#include <numeric>

using namespace mlir;
using namespace fm;

//===----------------------------------------------------------------------===//
// Shared inference helpers
//===----------------------------------------------------------------------===//

/// The operand's type as a statically shaped tensor, or an error. Inference
/// runs before ODS type constraints when parsing, so it checks for itself.
static FailureOr<RankedTensorType>
getStaticTensorType(std::optional<Location> location, Value value,
                    StringRef what) {
  auto type = dyn_cast<RankedTensorType>(value.getType());
  if (!type || !type.hasStaticShape())
    return emitOptionalError(location, what,
                             " must be a statically shaped tensor, got ",
                             value.getType());
  return type;
}

LogicalResult fm::inferBroadcastResult(std::optional<Location> location,
                                       ValueRange operands, Type resultElement,
                                       SmallVectorImpl<Type> &inferred,
                                       unsigned firstOperandIndex) {
  SmallVector<int64_t> shape;
  Type element;
  for (auto [index, operand] : llvm::enumerate(operands)) {
    auto type = getStaticTensorType(
        location, operand,
        "operand #" + std::to_string(firstOperandIndex + index));
    if (failed(type))
      return failure();
    if (!element) {
      element = type->getElementType();
      shape.assign(type->getShape().begin(), type->getShape().end());
      continue;
    }
    if (type->getElementType() != element)
      return emitOptionalError(location,
                               "operand element types differ: ", element,
                               " vs ", type->getElementType());
    SmallVector<int64_t> broadcast;
    if (!OpTrait::util::getBroadcastedShape(shape, type->getShape(), broadcast))
      return emitOptionalError(
          location, "operand shapes are not broadcast-compatible: ",
          RankedTensorType::get(shape, element), " and ", *type);
    shape = std::move(broadcast);
  }
  inferred.push_back(
      RankedTensorType::get(shape, resultElement ? resultElement : element));
  return success();
}

SmallVector<int64_t>
fm::normalizeReduceAxes(int64_t rank, std::optional<ArrayRef<int64_t>> axes) {
  SmallVector<int64_t> result;
  if (!axes) {
    result.resize(rank);
    std::iota(result.begin(), result.end(), 0);
    return result;
  }
  for (int64_t axis : *axes)
    result.push_back(axis < 0 ? axis + rank : axis);
  llvm::sort(result);
  return result;
}

LogicalResult fm::inferReduceResult(std::optional<Location> location,
                                    Value input,
                                    std::optional<ArrayRef<int64_t>> axes,
                                    bool keepdim,
                                    SmallVectorImpl<Type> &inferred) {
  auto type = getStaticTensorType(location, input, "input");
  if (failed(type))
    return failure();
  int64_t rank = type->getRank();
  if (axes) {
    for (int64_t axis : *axes)
      if (axis < -rank || axis >= rank)
        return emitOptionalError(location, "reduction axis ", axis,
                                 " is out of range for rank ", rank);
  }
  SmallVector<int64_t> reduced = normalizeReduceAxes(rank, axes);
  if (std::adjacent_find(reduced.begin(), reduced.end()) != reduced.end())
    return emitOptionalError(location, "reduction axes repeat an axis");
  SmallVector<int64_t> shape;
  for (int64_t axis = 0; axis < rank; ++axis) {
    if (!llvm::is_contained(reduced, axis))
      shape.push_back(type->getDimSize(axis));
    else if (keepdim)
      shape.push_back(1);
  }
  inferred.push_back(RankedTensorType::get(shape, type->getElementType()));
  return success();
}

/// Checks an optional per-feature operand of a normalization: a 1-D tensor of
/// the input's last axis size and element type.
static LogicalResult verifyNormAffine(std::optional<Location> location,
                                      RankedTensorType input, Value operand,
                                      StringRef name) {
  if (!operand)
    return success();
  auto type = getStaticTensorType(location, operand, name);
  if (failed(type))
    return failure();
  int64_t features = input.getShape().back();
  if (type->getRank() != 1 || type->getDimSize(0) != features ||
      type->getElementType() != input.getElementType())
    return emitOptionalError(
        location, name, " must be ",
        RankedTensorType::get({features}, input.getElementType()),
        " to match the input's last axis, got ", *type);
  return success();
}

static LogicalResult inferNormResult(std::optional<Location> location,
                                     Value input, ValueRange affine,
                                     ArrayRef<StringRef> names,
                                     SmallVectorImpl<Type> &inferred) {
  auto type = getStaticTensorType(location, input, "input");
  if (failed(type))
    return failure();
  if (type->getRank() == 0)
    return emitOptionalError(location,
                             "input must have at least one axis to normalize");
  for (auto [operand, name] : llvm::zip(affine, names))
    if (failed(verifyNormAffine(location, *type, operand, name)))
      return failure();
  inferred.push_back(*type);
  return success();
}

//===----------------------------------------------------------------------===//
// Custom assembly: `T` when both operand types are equal, `T, U` otherwise.
//===----------------------------------------------------------------------===//

static ParseResult parseOperandTypes(OpAsmParser &parser, Type &lhs,
                                     Type &rhs) {
  if (parser.parseType(lhs))
    return failure();
  rhs = lhs;
  if (succeeded(parser.parseOptionalComma()))
    return parser.parseType(rhs);
  return success();
}

static void printOperandTypes(OpAsmPrinter &printer, Operation *, Type lhs,
                              Type rhs) {
  printer << lhs;
  if (rhs != lhs)
    printer << ", " << rhs;
}

//===----------------------------------------------------------------------===//
// Ops
//===----------------------------------------------------------------------===//

LogicalResult ConstantOp::inferReturnTypes(MLIRContext *,
                                           std::optional<Location> location,
                                           Adaptor adaptor,
                                           SmallVectorImpl<Type> &inferred) {
  auto type = dyn_cast<RankedTensorType>(adaptor.getValue().getType());
  if (!type || !type.hasStaticShape())
    return emitOptionalError(location,
                             "value must have a statically shaped tensor type");
  inferred.push_back(type);
  return success();
}

OpFoldResult ConstantOp::fold(FoldAdaptor) { return getValue(); }

LogicalResult SelectOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> location,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &inferred) {
  SmallVector<Type, 1> cond;
  if (failed(inferBroadcastResult(location, adaptor.getCond(), Type(), cond)))
    return failure();
  SmallVector<Type, 1> values;
  if (failed(inferBroadcastResult(location,
                                  {adaptor.getOnTrue(), adaptor.getOnFalse()},
                                  Type(), values, /*firstOperandIndex=*/1)))
    return failure();
  auto condType = cast<RankedTensorType>(cond.front());
  auto valueType = cast<RankedTensorType>(values.front());
  SmallVector<int64_t> shape;
  if (!OpTrait::util::getBroadcastedShape(condType.getShape(),
                                          valueType.getShape(), shape))
    return emitOptionalError(location,
                             "condition shape is not broadcast-compatible "
                             "with the values: ",
                             condType, " and ", valueType);
  inferred.push_back(RankedTensorType::get(shape, valueType.getElementType()));
  return success();
}

template <typename GeluLike> static LogicalResult verifyGeluLike(GeluLike op) {
  if (op.getApproximate() != "tanh" && op.getApproximate() != "none")
    return op.emitOpError("approximate must be \"tanh\" or \"none\", got \"")
           << op.getApproximate() << "\"";
  return success();
}
LogicalResult GeluOp::verify() { return verifyGeluLike(*this); }
LogicalResult GeluGradOp::verify() { return verifyGeluLike(*this); }

/// The result shape of a matrix product of `lhs` and `rhs` (fm.matmul's
/// rules: rank >= 2, equal contracted sizes, broadcast batch axes).
static FailureOr<SmallVector<int64_t>>
inferMatmulShape(std::optional<Location> location, RankedTensorType lhs,
                 RankedTensorType rhs, bool transposeA, bool transposeB) {
  if (lhs.getRank() < 2 || rhs.getRank() < 2)
    return emitOptionalError(location, "operands must have rank >= 2, got ",
                             lhs, " and ", rhs);
  ArrayRef<int64_t> a = lhs.getShape(), b = rhs.getShape();
  int64_t m = transposeA ? a[a.size() - 1] : a[a.size() - 2];
  int64_t k = transposeA ? a[a.size() - 2] : a[a.size() - 1];
  int64_t kRhs = transposeB ? b[b.size() - 1] : b[b.size() - 2];
  int64_t n = transposeB ? b[b.size() - 2] : b[b.size() - 1];
  if (k != kRhs)
    return emitOptionalError(location, "contracted sizes differ: lhs has ", k,
                             ", rhs has ", kRhs);
  SmallVector<int64_t> shape;
  if (!OpTrait::util::getBroadcastedShape(a.drop_back(2), b.drop_back(2),
                                          shape))
    return emitOptionalError(location,
                             "batch axes are not broadcast-compatible: ", lhs,
                             " and ", rhs);
  shape.push_back(m);
  shape.push_back(n);
  return shape;
}

LogicalResult MatmulOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> location,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &inferred) {
  auto lhs = getStaticTensorType(location, adaptor.getLhs(), "lhs");
  auto rhs = getStaticTensorType(location, adaptor.getRhs(), "rhs");
  if (failed(lhs) || failed(rhs))
    return failure();
  if (lhs->getElementType() != rhs->getElementType())
    return emitOptionalError(
        location, "operand element types differ: ", lhs->getElementType(),
        " vs ", rhs->getElementType());
  FailureOr<SmallVector<int64_t>> shape = inferMatmulShape(
      location, *lhs, *rhs, adaptor.getTransposeA(), adaptor.getTransposeB());
  if (failed(shape))
    return failure();
  inferred.push_back(RankedTensorType::get(*shape, lhs->getElementType()));
  return success();
}

LogicalResult ScaledMatmulOp::verify() {
  FailureOr<SmallVector<int64_t>> shape =
      inferMatmulShape(getLoc(), getLhs().getType(), getRhs().getType(),
                       getTransposeA(), getTransposeB());
  if (failed(shape))
    return failure();
  if (getResult().getType().getShape() != ArrayRef<int64_t>(*shape))
    return emitOpError("result shape ")
           << getResult().getType() << " should be "
           << RankedTensorType::get(*shape,
                                    getResult().getType().getElementType());
  return success();
}

/// Checks that `axis` indexes an axis of a tensor of `rank`.
static LogicalResult verifyAxis(Operation *op, int64_t axis, int64_t rank) {
  if (axis < -rank || axis >= rank)
    return op->emitOpError("axis ")
           << axis << " is out of range for rank " << rank;
  return success();
}

/// Checks a grouped op: `input` and `result` have one shape, `axis` is
/// valid (and only given with a group), `group` divides that axis, and each
/// of `scales` has the input's shape with the axis divided by `group` (rank
/// 0 without a group).
static LogicalResult verifyGroupScales(Operation *op, RankedTensorType input,
                                       RankedTensorType result,
                                       std::optional<uint64_t> group,
                                       int64_t axis, TypeRange scales) {
  if (input.getShape() != result.getShape())
    return op->emitOpError("result shape ")
           << result << " differs from the input's, " << input;
  SmallVector<int64_t> expected;
  if (!group) {
    if (axis != -1)
      return op->emitOpError("`axis` needs `group`");
  } else {
    const int64_t rank = input.getRank();
    if (rank == 0)
      return op->emitOpError("a rank-0 tensor cannot be grouped");
    if (failed(verifyAxis(op, axis, rank)))
      return failure();
    const int64_t normalized = normalizeAxis(axis, rank);
    const int64_t size = input.getDimSize(normalized);
    if (*group == 0 || static_cast<int64_t>(*group) < 0 ||
        size % static_cast<int64_t>(*group) != 0)
      return op->emitOpError("group ") << *group << " does not divide axis "
                                       << normalized << " of size " << size;
    expected.assign(input.getShape().begin(), input.getShape().end());
    expected[normalized] /= static_cast<int64_t>(*group);
  }
  for (Type scale : scales)
    if (cast<RankedTensorType>(scale).getShape() != ArrayRef<int64_t>(expected))
      return op->emitOpError("scale shape ")
             << scale << " should be "
             << RankedTensorType::get(expected,
                                      Float32Type::get(op->getContext()));
  return success();
}

LogicalResult QuantizeOp::verify() {
  return verifyGroupScales(*this, getInput().getType(), getResult().getType(),
                           getGroup(), getAxis(), getScale().getType());
}

LogicalResult DequantizeOp::verify() {
  return verifyGroupScales(*this, getInput().getType(), getResult().getType(),
                           getGroup(), getAxis(), getScale().getType());
}

LogicalResult QuantizeExpandedOp::verify() {
  return verifyGroupScales(*this, getInput().getType(), getResult().getType(),
                           getGroup(), getAxis(), getScale().getType());
}

LogicalResult DequantizeExpandedOp::verify() {
  return verifyGroupScales(*this, getInput().getType(), getResult().getType(),
                           getGroup(), getAxis(), getScale().getType());
}

template <typename SoftmaxLike>
static LogicalResult verifySoftmaxLike(SoftmaxLike op) {
  return verifyAxis(op, op.getAxis(), op.getInput().getType().getRank());
}
LogicalResult SoftmaxOp::verify() { return verifySoftmaxLike(*this); }
LogicalResult LogSoftmaxOp::verify() { return verifySoftmaxLike(*this); }
LogicalResult SoftmaxGradOp::verify() {
  return verifyAxis(*this, getAxis(), getOutput().getType().getRank());
}
LogicalResult LogSoftmaxGradOp::verify() {
  return verifyAxis(*this, getAxis(), getOutput().getType().getRank());
}

LogicalResult LayerNormOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> location,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &inferred) {
  return inferNormResult(location, adaptor.getInput(),
                         {adaptor.getScale(), adaptor.getBias()},
                         {"scale", "bias"}, inferred);
}

LogicalResult RmsNormOp::inferReturnTypes(MLIRContext *,
                                          std::optional<Location> location,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &inferred) {
  return inferNormResult(location, adaptor.getInput(), {adaptor.getScale()},
                         {"scale"}, inferred);
}

/// Normalization divides by sqrt(statistic + eps): a negative eps can take
/// the square root of a negative number.
template <typename NormOp> static LogicalResult verifyNormEps(NormOp op) {
  if (!(op.getEps().convertToDouble() >= 0.0))
    return op.emitOpError("eps must be non-negative, got ")
           << op.getEps().convertToDouble();
  return success();
}
LogicalResult LayerNormOp::verify() { return verifyNormEps(*this); }
LogicalResult RmsNormOp::verify() { return verifyNormEps(*this); }
LogicalResult LayerNormGradOp::verify() { return verifyNormEps(*this); }
LogicalResult RmsNormGradOp::verify() { return verifyNormEps(*this); }

LogicalResult ReshapeOp::verify() {
  auto input = getInput().getType();
  auto result = getResult().getType();
  if (input.getElementType() != result.getElementType())
    return emitOpError("cannot change the element type (")
           << input.getElementType() << " to " << result.getElementType()
           << "); use fm.cast";
  if (input.getNumElements() != result.getNumElements())
    return emitOpError("element counts differ: ")
           << input << " has " << input.getNumElements() << ", " << result
           << " has " << result.getNumElements();
  return success();
}

SmallVector<int64_t> TransposeOp::getEffectivePermutation() {
  if (auto permutation = getPermutation())
    return SmallVector<int64_t>(*permutation);
  int64_t rank = getInput().getType().getRank();
  SmallVector<int64_t> reversed(rank);
  for (int64_t i = 0; i < rank; ++i)
    reversed[i] = rank - 1 - i;
  return reversed;
}

LogicalResult TransposeOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> location,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &inferred) {
  auto type = getStaticTensorType(location, adaptor.getInput(), "input");
  if (failed(type))
    return failure();
  int64_t rank = type->getRank();
  SmallVector<int64_t> shape(type->getShape().rbegin(),
                             type->getShape().rend());
  if (auto permutation = adaptor.getPermutation()) {
    if (static_cast<int64_t>(permutation->size()) != rank)
      return emitOptionalError(location, "permutation has ",
                               permutation->size(), " entries for rank ", rank);
    SmallVector<bool> seen(rank, false);
    for (auto [i, axis] : llvm::enumerate(*permutation)) {
      if (axis < 0 || axis >= rank || seen[axis])
        return emitOptionalError(location,
                                 "permutation is not a "
                                 "permutation of [0, ",
                                 rank, ")");
      seen[axis] = true;
      shape[i] = type->getDimSize(axis);
    }
  }
  inferred.push_back(RankedTensorType::get(shape, type->getElementType()));
  return success();
}

LogicalResult BroadcastToOp::verify() {
  auto input = getInput().getType();
  auto result = getResult().getType();
  if (input.getElementType() != result.getElementType())
    return emitOpError("cannot change the element type (")
           << input.getElementType() << " to " << result.getElementType()
           << ")";
  int64_t offset = result.getRank() - input.getRank();
  if (offset < 0)
    return emitOpError("cannot broadcast ")
           << input << " to the lower-rank " << result;
  for (int64_t axis = 0; axis < input.getRank(); ++axis) {
    int64_t from = input.getDimSize(axis);
    if (from != 1 && from != result.getDimSize(axis + offset))
      return emitOpError("cannot broadcast ")
             << input << " to " << result << ": axis " << axis << " has size "
             << from;
  }
  return success();
}

/// `given`, or `rank` copies of `fill` when the optional array is absent.
static SmallVector<int64_t> valueOrFill(std::optional<ArrayRef<int64_t>> given,
                                        int64_t rank, int64_t fill) {
  if (given)
    return SmallVector<int64_t>(*given);
  return SmallVector<int64_t>(rank, fill);
}

/// Checks that each per-axis array has one entry per axis.
static LogicalResult verifyPerAxis(std::optional<Location> location,
                                   int64_t rank,
                                   ArrayRef<ArrayRef<int64_t>> arrays,
                                   StringRef names) {
  for (ArrayRef<int64_t> array : arrays)
    if (static_cast<int64_t>(array.size()) != rank)
      return emitOptionalError(location, names,
                               " need one entry per axis (rank ", rank, ")");
  return success();
}

SmallVector<int64_t> SliceOp::getEffectiveStride() {
  return valueOrFill(getStride(), getInput().getType().getRank(), 1);
}

LogicalResult SliceOp::inferReturnTypes(MLIRContext *,
                                        std::optional<Location> location,
                                        Adaptor adaptor,
                                        SmallVectorImpl<Type> &inferred) {
  auto type = getStaticTensorType(location, adaptor.getInput(), "input");
  if (failed(type))
    return failure();
  int64_t rank = type->getRank();
  ArrayRef<int64_t> start = adaptor.getStart(), limit = adaptor.getLimit();
  SmallVector<int64_t> stride = valueOrFill(adaptor.getStride(), rank, 1);
  if (failed(verifyPerAxis(location, rank, {start, limit, stride},
                           "start, limit and stride")))
    return failure();
  SmallVector<int64_t> shape;
  for (int64_t axis = 0; axis < rank; ++axis) {
    if (start[axis] < 0 || start[axis] > limit[axis] ||
        limit[axis] > type->getDimSize(axis))
      return emitOptionalError(location, "axis ", axis, ": need 0 <= start (",
                               start[axis], ") <= limit (", limit[axis],
                               ") <= size (", type->getDimSize(axis), ")");
    if (stride[axis] < 1)
      return emitOptionalError(location, "axis ", axis, ": stride ",
                               stride[axis], " must be positive");
    shape.push_back(llvm::divideCeil(limit[axis] - start[axis], stride[axis]));
  }
  inferred.push_back(RankedTensorType::get(shape, type->getElementType()));
  return success();
}

LogicalResult ConcatOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> location,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &inferred) {
  if (adaptor.getInputs().empty())
    return emitOptionalError(location, "needs at least one input");
  auto first =
      getStaticTensorType(location, adaptor.getInputs().front(), "input #0");
  if (failed(first))
    return failure();
  int64_t rank = first->getRank();
  // The custom parser infers before it fills in defaults, so the attribute
  // may still be absent here.
  IntegerAttr axisAttr = adaptor.getAxisAttr();
  int64_t axis = axisAttr ? axisAttr.getValue().getSExtValue() : 0;
  if (axis < -rank || axis >= rank)
    return emitOptionalError(location, "axis ", axis,
                             " is out of range for rank ", rank);
  axis = normalizeAxis(axis, rank);
  SmallVector<int64_t> shape(first->getShape());
  for (auto [index, input] :
       llvm::enumerate(adaptor.getInputs().drop_front())) {
    auto type = getStaticTensorType(location, input,
                                    "input #" + std::to_string(index + 1));
    if (failed(type))
      return failure();
    if (type->getElementType() != first->getElementType() ||
        type->getRank() != rank)
      return emitOptionalError(location, "input #", index + 1, " (", *type,
                               ") does not match input #0 (", *first,
                               ") in rank or element type");
    for (int64_t d = 0; d < rank; ++d)
      if (d != axis && type->getDimSize(d) != shape[d])
        return emitOptionalError(location, "input #", index + 1, " (", *type,
                                 ") differs from input #0 (", *first,
                                 ") on axis ", d, ", not the concat axis");
    shape[axis] += type->getDimSize(axis);
  }
  inferred.push_back(RankedTensorType::get(shape, first->getElementType()));
  return success();
}

LogicalResult IotaOp::verify() {
  return verifyAxis(*this, getAxis(), getResult().getType().getRank());
}

LogicalResult EmbeddingOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> location,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &inferred) {
  auto table = getStaticTensorType(location, adaptor.getTable(), "table");
  auto indices = getStaticTensorType(location, adaptor.getIndices(), "indices");
  if (failed(table) || failed(indices))
    return failure();
  if (table->getRank() != 2)
    return emitOptionalError(location,
                             "table must be 2-D [rows, features], "
                             "got ",
                             *table);
  SmallVector<int64_t> shape(indices->getShape());
  shape.push_back(table->getDimSize(1));
  inferred.push_back(RankedTensorType::get(shape, table->getElementType()));
  return success();
}

/// Checks that the labels index every position of the logits but the class
/// axis.
template <typename CrossEntropyLike>
static LogicalResult verifyCrossEntropyLike(CrossEntropyLike op) {
  auto logits = op.getLogits().getType();
  if (logits.getRank() < 1 ||
      logits.getShape().drop_back() != op.getLabels().getType().getShape())
    return op.emitOpError("labels ")
           << op.getLabels().getType() << " must have the shape of logits "
           << logits << " without its last (class) axis";
  return success();
}
LogicalResult CrossEntropyOp::verify() { return verifyCrossEntropyLike(*this); }

LogicalResult CastOp::verify() {
  if (getInput().getType().getShape() != getResult().getType().getShape())
    return emitOpError("cannot change the shape: ")
           << getInput().getType() << " to " << getResult().getType();
  return success();
}

//===----------------------------------------------------------------------===//
// Backward ops
//===----------------------------------------------------------------------===//

SmallVector<int64_t> PadOp::getEffectiveInterior() {
  return valueOrFill(getInterior(), getInput().getType().getRank(), 0);
}

LogicalResult PadOp::inferReturnTypes(MLIRContext *,
                                      std::optional<Location> location,
                                      Adaptor adaptor,
                                      SmallVectorImpl<Type> &inferred) {
  auto type = getStaticTensorType(location, adaptor.getInput(), "input");
  if (failed(type))
    return failure();
  int64_t rank = type->getRank();
  ArrayRef<int64_t> low = adaptor.getLow(), high = adaptor.getHigh();
  SmallVector<int64_t> interior = valueOrFill(adaptor.getInterior(), rank, 0);
  if (failed(verifyPerAxis(location, rank, {low, high, interior},
                           "low, high and interior")))
    return failure();
  SmallVector<int64_t> shape;
  for (int64_t axis = 0; axis < rank; ++axis) {
    if (low[axis] < 0 || high[axis] < 0 || interior[axis] < 0)
      return emitOptionalError(location, "axis ", axis,
                               ": padding must be non-negative");
    int64_t size = type->getDimSize(axis);
    shape.push_back(low[axis] + size + high[axis] +
                    (size > 0 ? (size - 1) * interior[axis] : 0));
  }
  inferred.push_back(RankedTensorType::get(shape, type->getElementType()));
  return success();
}

/// The shared result types of the normalization gradients: the input's
/// gradient, then `count` per-feature gradients of shape [last axis].
static LogicalResult inferNormGradResult(std::optional<Location> location,
                                         Value input, Value scale,
                                         unsigned count,
                                         SmallVectorImpl<Type> &inferred) {
  SmallVector<Type, 1> forward;
  if (failed(inferNormResult(location, input, {scale}, {"scale"}, forward)))
    return failure();
  // `grad` has the input's type: the ops' AllTypesMatch trait checks it.
  auto inputType = cast<RankedTensorType>(forward.front());
  inferred.push_back(inputType);
  auto feature = RankedTensorType::get({inputType.getShape().back()},
                                       inputType.getElementType());
  inferred.append(count, feature);
  return success();
}

LogicalResult LayerNormGradOp::inferReturnTypes(
    MLIRContext *, std::optional<Location> location, Adaptor adaptor,
    SmallVectorImpl<Type> &inferred) {
  return inferNormGradResult(location, adaptor.getInput(), adaptor.getScale(),
                             2, inferred);
}

LogicalResult RmsNormGradOp::inferReturnTypes(MLIRContext *,
                                              std::optional<Location> location,
                                              Adaptor adaptor,
                                              SmallVectorImpl<Type> &inferred) {
  return inferNormGradResult(location, adaptor.getInput(), adaptor.getScale(),
                             1, inferred);
}

LogicalResult CrossEntropyGradOp::verify() {
  return verifyCrossEntropyLike(*this);
}

LogicalResult EmbeddingGradOp::verify() {
  auto grad = getGrad().getType();
  auto result = getResult().getType();
  if (result.getRank() != 2 || grad.getRank() < 1 ||
      result.getDimSize(1) != grad.getShape().back() ||
      result.getElementType() != grad.getElementType())
    return emitOpError("result ")
           << result << " must be a [rows, " << grad.getShape().back()
           << "] table of the gradient's element type";
  if (grad.getShape().drop_back() != getIndices().getType().getShape())
    return emitOpError("grad ")
           << grad << " must have the indices' shape " << getIndices().getType()
           << " followed by the feature axis";
  return success();
}

//===----------------------------------------------------------------------===//
// Kernel-level ops
//===----------------------------------------------------------------------===//

YieldOp FusionOp::getYield() {
  return cast<YieldOp>(getBodyBlock().getTerminator());
}

/// Names the body's arguments %in0, %in1 ... after the operands they stand
/// for.
void FusionOp::getAsmBlockArgumentNames(Region &region,
                                        OpAsmSetValueNameFn setNameFn) {
  for (BlockArgument argument : region.getArguments())
    setNameFn(argument, ("in" + Twine(argument.getArgNumber())).str());
}

LogicalResult FusionOp::verify() {
  std::optional<StringRef> kind = getKind();
  if (kind && *kind != kGemm && *kind != kReduction && *kind != kElementwise)
    return emitOpError("kind must be \"")
           << kGemm << "\", \"" << kReduction << "\" or \"" << kElementwise
           << "\", got \"" << *kind << "\"";
  return success();
}

LogicalResult FusionOp::verifyRegions() {
  Block &body = getBodyBlock();
  if (body.getArgumentTypes() != getInputs().getTypes())
    return emitOpError("body arguments (")
           << body.getArgumentTypes() << ") must have the operand types ("
           << getInputs().getTypes() << ")";
  // A kernel is generated from fm ops alone; nested kernels have no meaning.
  for (Operation &op : body) {
    if (!isa_and_nonnull<FmDialect>(op.getDialect()))
      return op.emitOpError("cannot be in an fm.fusion body, which holds fm "
                            "ops only");
    if (isa<FusionOp>(op))
      return op.emitOpError("cannot be nested in another fm.fusion");
  }
  // MLIR has checked that the block ends in a terminator; fm.yield is the
  // only fm one.
  YieldOp yield = getYield();
  if (yield.getValues().getTypes() != getResultTypes())
    return yield.emitOpError("yields (")
           << yield.getValues().getTypes() << ") but the fusion returns ("
           << getResultTypes() << ")";
  return success();
}

#define GET_OP_CLASSES
#include "ir/FmOps.cpp.inc"

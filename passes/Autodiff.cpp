//===- Autodiff.cpp - fm-autodiff -----------------------------------------===//
//
// Reverse-mode differentiation of a scalar loss. For a loss function @f the
// pass adds @f_grad: a clone of @f's body (the backward pass reads forward
// values), then the backward pass, which visits the forward ops in reverse
// and turns the adjoint (the loss' gradient) of each op's result into
// contributions to the adjoints of its operands. A value with several uses
// sums its contributions with fm.add.
//
// Only *varied* values, float tensors that depend on an fm.param argument,
// receive adjoints, so subgraphs of data alone (masks, positions, labels)
// cost nothing in the backward pass.
//
//===----------------------------------------------------------------------===//
#include "passes/Passes.h"

#include "ir/FmOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"
#include "mlir/IR/SymbolTable.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/raw_ostream.h"

namespace fm {
#define GEN_PASS_DEF_AUTODIFF
#include "passes/Passes.h.inc"
} // namespace fm

using namespace mlir;
using namespace fm;

namespace {

bool isFloatTensor(Type type) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  return tensor && isa<FloatType>(tensor.getElementType());
}

RankedTensorType tensorType(Value value) {
  return cast<RankedTensorType>(value.getType());
}

/// Builds the backward pass of one function body at the builder's insertion
/// point. Every op it creates carries the location of the forward op it
/// differentiates.
class GradientBuilder {
public:
  GradientBuilder(ImplicitLocOpBuilder &builder, DenseSet<Value> varied)
      : b(builder), varied(std::move(varied)) {}

  /// Starts the backward pass from d(loss)/d(loss) = 1.
  void seed(Value loss) {
    b.setLoc(loss.getLoc());
    if (varied.contains(loss))
      adjoints[loss] = constant(tensorType(loss), 1.0);
  }

  /// Adds the contributions of `op`'s result adjoint to its operands'. An op
  /// whose results the loss does not depend on through a parameter is
  /// skipped; one without a rule is an error.
  LogicalResult backpropagate(Operation *op) {
    if (llvm::none_of(op->getResults(),
                      [&](Value result) { return adjoints.count(result); }))
      return success();
    b.setLoc(op->getLoc());
    return TypeSwitch<Operation *, LogicalResult>(op)
        .Case<AddOp, SubOp, MulOp, DivOp, MaxOp, MinOp, PowOp, SelectOp, NegOp,
              AbsOp, ExpOp, LogOp, SqrtOp, RsqrtOp, TanhOp, SigmoidOp, ReluOp,
              SiluOp, GeluOp, MatmulOp, ReduceSumOp, ReduceMeanOp, ReduceMaxOp,
              SoftmaxOp, LogSoftmaxOp, LayerNormOp, RmsNormOp, ReshapeOp,
              TransposeOp, BroadcastToOp, SliceOp, PadOp, ConcatOp, EmbeddingOp,
              CrossEntropyOp, CastOp>([&](auto forward) {
          rule(forward, adjoints.lookup(forward.getResult()));
          return success();
        })
        .Default([](Operation *op) {
          return op->emitError() << "fm-autodiff: no gradient rule for '"
                                 << op->getName() << "'";
        });
  }

  /// The gradient of the loss with respect to `value`: zeros when the loss
  /// does not depend on it.
  Value gradient(Value value) {
    if (Value adjoint = adjoints.lookup(value))
      return adjoint;
    b.setLoc(value.getLoc());
    return constant(tensorType(value), 0.0);
  }

private:
  //===--------------------------------------------------------------------===//
  // Adjoint bookkeeping
  //===--------------------------------------------------------------------===//

  /// Adds `contribution()` (of `operand`'s type) to `operand`'s adjoint;
  /// does not even build it when the operand is not varied.
  void propagate(Value operand, function_ref<Value()> contribution) {
    if (!varied.contains(operand))
      return;
    Value value = contribution();
    auto [it, inserted] = adjoints.try_emplace(operand, value);
    if (!inserted)
      it->second = add(it->second, value);
  }

  /// propagate() for a contribution of the broadcast result's shape: it is
  /// first summed over the axes along which the operand was broadcast.
  void propagateBroadcast(Value operand, function_ref<Value()> contribution) {
    propagate(operand, [&] { return unbroadcast(contribution(), operand); });
  }

  //===--------------------------------------------------------------------===//
  // Building blocks
  //===--------------------------------------------------------------------===//

  Value constant(RankedTensorType type, double value) {
    return b.create<ConstantOp>(cast<ElementsAttr>(DenseElementsAttr::get(
        type, FloatAttr::get(type.getElementType(), value))));
  }
  /// A rank-0 constant of `like`'s element type; it broadcasts against
  /// anything.
  Value scalar(Value like, double value) {
    return constant(
        RankedTensorType::get({}, tensorType(like).getElementType()), value);
  }

  Value add(Value lhs, Value rhs) { return b.create<AddOp>(lhs, rhs); }
  Value sub(Value lhs, Value rhs) { return b.create<SubOp>(lhs, rhs); }
  Value mul(Value lhs, Value rhs) { return b.create<MulOp>(lhs, rhs); }
  Value div(Value lhs, Value rhs) { return b.create<DivOp>(lhs, rhs); }
  Value neg(Value value) { return b.create<NegOp>(value); }
  Value select(Value cond, Value onTrue, Value onFalse) {
    return b.create<SelectOp>(cond, onTrue, onFalse);
  }
  Value matmul(Value lhs, Value rhs, bool transposeA, bool transposeB) {
    return b.create<MatmulOp>(lhs, rhs, transposeA, transposeB);
  }
  Value reduceSum(Value value, ArrayRef<int64_t> axes, bool keepdim) {
    return b.create<ReduceSumOp>(value, b.getDenseI64ArrayAttr(axes), keepdim);
  }
  Value reshape(Value value, Type type) {
    return value.getType() == type ? value : b.create<ReshapeOp>(type, value);
  }
  Value broadcastTo(Value value, Type type) {
    return value.getType() == type ? value
                                   : b.create<BroadcastToOp>(type, value);
  }
  /// A DenseI64ArrayAttr of `values`, or null (the op's default) when every
  /// entry is `defaultValue`.
  DenseI64ArrayAttr optionalArray(ArrayRef<int64_t> values,
                                  int64_t defaultValue) {
    if (llvm::all_of(values, [&](int64_t v) { return v == defaultValue; }))
      return nullptr;
    return b.getDenseI64ArrayAttr(values);
  }

  /// `grad`, of a numpy broadcast of `operand`'s shape, summed back to that
  /// shape: over the leading axes the operand lacks and the axes it
  /// stretches from size 1.
  Value unbroadcast(Value grad, Value operand) {
    RankedTensorType gradType = tensorType(grad), type = tensorType(operand);
    if (gradType == type)
      return grad;
    const int64_t extra = gradType.getRank() - type.getRank();
    SmallVector<int64_t> axes;
    for (int64_t axis = 0; axis < gradType.getRank(); ++axis)
      if (axis < extra || (type.getDimSize(axis - extra) == 1 &&
                           gradType.getDimSize(axis) != 1))
        axes.push_back(axis);
    // Without leading axes, keepdim gives the operand's shape directly;
    // otherwise the reshape puts the stretched size-1 axes back.
    Value summed = axes.empty() ? grad : reduceSum(grad, axes, extra == 0);
    return reshape(summed, type);
  }

  /// The type of `input` reduced over `axes` with keepdim.
  static RankedTensorType keptType(Value input, ArrayRef<int64_t> axes) {
    SmallVector<int64_t> shape(tensorType(input).getShape());
    for (int64_t axis : axes)
      shape[axis] = 1;
    return tensorType(input).clone(shape);
  }

  /// `grad`, the adjoint of a reduction of `input` over `axes`, spread back
  /// over every reduced position.
  Value unreduce(Value grad, Value input, ArrayRef<int64_t> axes) {
    return broadcastTo(reshape(grad, keptType(input, axes)), input.getType());
  }

  //===--------------------------------------------------------------------===//
  // Rules: one overload per differentiable op, `g` being the adjoint of its
  // result.
  //===--------------------------------------------------------------------===//

  void rule(AddOp op, Value g) {
    propagateBroadcast(op.getLhs(), [&] { return g; });
    propagateBroadcast(op.getRhs(), [&] { return g; });
  }
  void rule(SubOp op, Value g) {
    propagateBroadcast(op.getLhs(), [&] { return g; });
    // Negating after the reduction touches fewer elements.
    propagate(op.getRhs(), [&] { return neg(unbroadcast(g, op.getRhs())); });
  }
  void rule(MulOp op, Value g) {
    propagateBroadcast(op.getLhs(), [&] { return mul(g, op.getRhs()); });
    propagateBroadcast(op.getRhs(), [&] { return mul(g, op.getLhs()); });
  }
  void rule(DivOp op, Value g) {
    propagateBroadcast(op.getLhs(), [&] { return div(g, op.getRhs()); });
    // d(a/b)/db = -a/b^2 = -y/b.
    propagate(op.getRhs(), [&] {
      return neg(
          unbroadcast(div(mul(g, op.getResult()), op.getRhs()), op.getRhs()));
    });
  }
  /// max and min: the adjoint goes to lhs where `lhsWins` holds, else to rhs;
  /// ties (lhs == rhs) go to lhs.
  void minMaxRule(Value lhs, Value rhs, Value lhsWins, Value g) {
    propagateBroadcast(lhs, [&] { return select(lhsWins, g, scalar(g, 0)); });
    propagateBroadcast(rhs, [&] { return select(lhsWins, scalar(g, 0), g); });
  }
  void rule(MaxOp op, Value g) {
    minMaxRule(op.getLhs(), op.getRhs(),
               b.create<GeOp>(op.getLhs(), op.getRhs()), g);
  }
  void rule(MinOp op, Value g) {
    minMaxRule(op.getLhs(), op.getRhs(),
               b.create<LeOp>(op.getLhs(), op.getRhs()), g);
  }
  void rule(PowOp op, Value g) {
    Value base = op.getLhs(), exponent = op.getRhs();
    propagateBroadcast(base, [&] {
      Value power = b.create<PowOp>(base, sub(exponent, scalar(exponent, 1)));
      return mul(g, mul(exponent, power));
    });
    propagateBroadcast(exponent, [&] {
      return mul(g, mul(op.getResult(), b.create<LogOp>(base)));
    });
  }
  void rule(SelectOp op, Value g) {
    propagateBroadcast(op.getOnTrue(),
                       [&] { return select(op.getCond(), g, scalar(g, 0)); });
    propagateBroadcast(op.getOnFalse(),
                       [&] { return select(op.getCond(), scalar(g, 0), g); });
  }

  void rule(NegOp op, Value g) {
    propagate(op.getInput(), [&] { return neg(g); });
  }
  /// sign(x) g, with sign(0) = 0.
  void rule(AbsOp op, Value g) {
    propagate(op.getInput(), [&] {
      Value x = op.getInput(), zero = scalar(x, 0);
      Value negative = select(b.create<LtOp>(x, zero), neg(g), zero);
      return select(b.create<GtOp>(x, zero), g, negative);
    });
  }
  void rule(ExpOp op, Value g) {
    propagate(op.getInput(), [&] { return mul(g, op.getResult()); });
  }
  void rule(LogOp op, Value g) {
    propagate(op.getInput(), [&] { return div(g, op.getInput()); });
  }
  /// g / (2 sqrt(x)).
  void rule(SqrtOp op, Value g) {
    propagate(op.getInput(),
              [&] { return div(mul(g, scalar(g, 0.5)), op.getResult()); });
  }
  /// d/dx x^-1/2 = -0.5 x^-3/2 = -0.5 y^3.
  void rule(RsqrtOp op, Value g) {
    propagate(op.getInput(), [&] {
      Value y = op.getResult();
      return mul(mul(g, scalar(g, -0.5)), mul(mul(y, y), y));
    });
  }
  void rule(TanhOp op, Value g) {
    propagate(op.getInput(), [&] {
      Value y = op.getResult();
      return mul(g, sub(scalar(y, 1), mul(y, y)));
    });
  }
  void rule(SigmoidOp op, Value g) {
    propagate(op.getInput(), [&] {
      Value y = op.getResult();
      return mul(g, mul(y, sub(scalar(y, 1), y)));
    });
  }
  /// The adjoint passes where x > 0 (so the subgradient at 0 is 0).
  void rule(ReluOp op, Value g) {
    propagate(op.getInput(), [&] {
      Value x = op.getInput(), zero = scalar(x, 0);
      return select(b.create<GtOp>(x, zero), g, zero);
    });
  }
  /// d/dx x s(x) = s (1 + x (1 - s)), with s = sigmoid(x).
  void rule(SiluOp op, Value g) {
    propagate(op.getInput(), [&] {
      Value x = op.getInput(), one = scalar(x, 1);
      Value s = b.create<SigmoidOp>(x);
      return mul(g, mul(s, add(one, mul(x, sub(one, s)))));
    });
  }
  void rule(GeluOp op, Value g) {
    propagate(op.getInput(), [&] {
      return b.create<GeluGradOp>(op.getInput(), g, op.getApproximate());
    });
  }
  void rule(SoftmaxOp op, Value g) {
    propagate(op.getInput(), [&] {
      return b.create<SoftmaxGradOp>(op.getResult(), g, op.getAxis());
    });
  }
  void rule(LogSoftmaxOp op, Value g) {
    propagate(op.getInput(), [&] {
      return b.create<LogSoftmaxGradOp>(op.getResult(), g, op.getAxis());
    });
  }
  void rule(LayerNormOp op, Value g) {
    auto grads = b.create<LayerNormGradOp>(op.getInput(), g, op.getScale(),
                                           op.getEpsAttr());
    propagate(op.getInput(), [&] { return grads.getInputGrad(); });
    if (Value scale = op.getScale())
      propagate(scale, [&] { return grads.getScaleGrad(); });
    if (Value bias = op.getBias())
      propagate(bias, [&] { return grads.getBiasGrad(); });
  }
  void rule(RmsNormOp op, Value g) {
    auto grads = b.create<RmsNormGradOp>(op.getInput(), g, op.getScale(),
                                         op.getEpsAttr());
    propagate(op.getInput(), [&] { return grads.getInputGrad(); });
    if (Value scale = op.getScale())
      propagate(scale, [&] { return grads.getScaleGrad(); });
  }

  /// With C = A' B' (A' = A or A^T as transpose_a says, B' likewise),
  /// dA' = g B'^T and dB' = A'^T g; a stored-transposed operand takes the
  /// transpose of its gradient, which swaps the product's factors. The
  /// transpose flags do all transposing; batch axes that an operand
  /// broadcast along are then summed away.
  void rule(MatmulOp op, Value g) {
    Value lhs = op.getLhs(), rhs = op.getRhs();
    const bool ta = op.getTransposeA(), tb = op.getTransposeB();
    propagateBroadcast(lhs, [&] {
      // dA = g B'^T, or (g B'^T)^T = B' g^T.
      return ta ? matmul(rhs, g, tb, true) : matmul(g, rhs, false, !tb);
    });
    propagateBroadcast(rhs, [&] {
      // dB = A'^T g, or (A'^T g)^T = g^T A'.
      return tb ? matmul(g, lhs, true, ta) : matmul(lhs, g, !ta, false);
    });
  }
  void rule(ReduceSumOp op, Value g) {
    propagate(op.getInput(),
              [&] { return unreduce(g, op.getInput(), op.getReducedAxes()); });
  }
  void rule(ReduceMeanOp op, Value g) {
    propagate(op.getInput(), [&] {
      SmallVector<int64_t> axes = op.getReducedAxes();
      int64_t count = 1;
      for (int64_t axis : axes)
        count *= tensorType(op.getInput()).getDimSize(axis);
      return unreduce(div(g, scalar(g, count)), op.getInput(), axes);
    });
  }
  /// The adjoint goes to the positions that equal the maximum, split evenly
  /// among ties.
  void rule(ReduceMaxOp op, Value g) {
    propagate(op.getInput(), [&] {
      Value x = op.getInput();
      SmallVector<int64_t> axes = op.getReducedAxes();
      RankedTensorType kept = keptType(x, axes);
      // Comparisons and select broadcast the kept axes back over x.
      Value isMax = b.create<EqOp>(x, reshape(op.getResult(), kept));
      Value ties = reduceSum(b.create<CastOp>(x.getType(), isMax), axes,
                             /*keepdim=*/true);
      return select(isMax, div(reshape(g, kept), ties), scalar(g, 0));
    });
  }

  void rule(ReshapeOp op, Value g) {
    propagate(op.getInput(),
              [&] { return reshape(g, op.getInput().getType()); });
  }
  void rule(TransposeOp op, Value g) {
    propagate(op.getInput(), [&] {
      SmallVector<int64_t> permutation = op.getEffectivePermutation();
      SmallVector<int64_t> inverse(permutation.size());
      for (auto [i, axis] : llvm::enumerate(permutation))
        inverse[axis] = i;
      return b.create<TransposeOp>(g, b.getDenseI64ArrayAttr(inverse));
    });
  }
  void rule(BroadcastToOp op, Value g) {
    propagateBroadcast(op.getInput(), [&] { return g; });
  }
  /// The adjoint of a slice is zero but at the positions it read: a pad with
  /// the slice's start before, `stride - 1` zeros between elements and the
  /// rest of the input after.
  void rule(SliceOp op, Value g) {
    propagate(op.getInput(), [&] {
      ArrayRef<int64_t> inputShape = tensorType(op.getInput()).getShape();
      ArrayRef<int64_t> outputShape = tensorType(op.getResult()).getShape();
      SmallVector<int64_t> stride = op.getEffectiveStride(), high, interior;
      for (auto [axis, start] : llvm::enumerate(op.getStart())) {
        const int64_t count = outputShape[axis];
        const int64_t covered = count ? (count - 1) * stride[axis] + 1 : 0;
        high.push_back(inputShape[axis] - start - covered);
        interior.push_back(stride[axis] - 1);
      }
      return b.create<PadOp>(g, op.getStart(), high,
                             optionalArray(interior, 0));
    });
  }
  /// The adjoint of a pad reads back the positions the input went to.
  void rule(PadOp op, Value g) {
    propagate(op.getInput(), [&] {
      ArrayRef<int64_t> inputShape = tensorType(op.getInput()).getShape();
      SmallVector<int64_t> interior = op.getEffectiveInterior(), limit, stride;
      for (auto [axis, low] : llvm::enumerate(op.getLow())) {
        stride.push_back(interior[axis] + 1);
        const int64_t count = inputShape[axis];
        limit.push_back(low + (count ? (count - 1) * stride.back() + 1 : 0));
      }
      return b.create<SliceOp>(g, op.getLow(), limit, optionalArray(stride, 1));
    });
  }
  void rule(ConcatOp op, Value g) {
    const int64_t axis = op.getNormalizedAxis();
    ArrayRef<int64_t> shape = tensorType(op.getResult()).getShape();
    int64_t offset = 0;
    for (Value input : op.getInputs()) {
      const int64_t size = tensorType(input).getDimSize(axis);
      propagate(input, [&] {
        SmallVector<int64_t> start(shape.size(), 0), limit(shape);
        start[axis] = offset;
        limit[axis] = offset + size;
        return b.create<SliceOp>(g, start, limit, /*stride=*/nullptr);
      });
      offset += size;
    }
  }
  void rule(EmbeddingOp op, Value g) {
    propagate(op.getTable(), [&] {
      return b.create<EmbeddingGradOp>(op.getTable().getType(), g,
                                       op.getIndices());
    });
  }
  void rule(CrossEntropyOp op, Value g) {
    propagate(op.getLogits(), [&] {
      return b.create<CrossEntropyGradOp>(op.getLogits(), op.getLabels(), g);
    });
  }
  /// Rounding to a narrower float passes the adjoint straight through.
  void rule(CastOp op, Value g) {
    propagate(op.getInput(),
              [&] { return b.create<CastOp>(op.getInput().getType(), g); });
  }

  ImplicitLocOpBuilder &b;
  DenseSet<Value> varied;
  DenseMap<Value, Value> adjoints;
};

/// The float arguments of `function` marked fm.param, in argument order.
SmallVector<unsigned> parameterIndices(func::FuncOp function) {
  SmallVector<unsigned> indices;
  for (auto [index, argument] : llvm::enumerate(function.getArguments()))
    if (function.getArgAttr(index, FmDialect::kParamAttr) &&
        isFloatTensor(argument.getType()))
      indices.push_back(index);
  return indices;
}

/// Why `function` is not a loss to differentiate, or "" when it is one.
std::string whyNotALoss(func::FuncOp function) {
  std::string reason;
  llvm::raw_string_ostream os(reason);
  auto scalarF32 =
      RankedTensorType::get({}, Float32Type::get(function.getContext()));
  ArrayRef<Type> results = function.getResultTypes();
  if (function.isExternal()) {
    os << "it has no body";
  } else if (results.size() != 1 || results.front() != scalarF32) {
    os << "it must return exactly one tensor<f32> loss, not (";
    llvm::interleaveComma(results, os);
    os << ")";
  } else if (!function.getBody().hasOneBlock()) {
    os << "its body has more than one block";
  } else if (parameterIndices(function).empty()) {
    os << "it has no floating-point argument marked '" << FmDialect::kParamAttr
       << "'";
  }
  return reason;
}

/// The `fm.name` of the gradient of argument `index`: "grad.<its fm.name>",
/// or "grad.<index>" when it has none.
std::string gradientName(func::FuncOp function, unsigned index) {
  if (auto name =
          function.getArgAttrOfType<StringAttr>(index, FmDialect::kNameAttr))
    return ("grad." + name.getValue()).str();
  return "grad." + std::to_string(index);
}

/// Adds `@<loss>_grad` next to `loss`, which whyNotALoss() accepted.
LogicalResult differentiate(func::FuncOp loss) {
  std::string name = (loss.getSymName() + "_grad").str();
  if (Operation *existing = SymbolTable::lookupNearestSymbolFrom(
          loss, StringAttr::get(loss.getContext(), name)))
    return existing->emitError()
           << "fm-autodiff: cannot add the gradient of @" << loss.getSymName()
           << ": @" << name << " already exists";

  SmallVector<unsigned> params = parameterIndices(loss);
  SmallVector<Type> resultTypes(loss.getResultTypes());
  for (unsigned index : params)
    resultTypes.push_back(loss.getArgumentTypes()[index]);
  OpBuilder moduleBuilder(loss);
  moduleBuilder.setInsertionPointAfter(loss);
  auto grad = moduleBuilder.create<func::FuncOp>(
      loss.getLoc(), name,
      moduleBuilder.getFunctionType(loss.getArgumentTypes(), resultTypes));
  grad.setVisibility(loss.getVisibility());
  grad.setArgAttrsAttr(loss.getArgAttrsAttr());
  grad.setResultAttr(0, FmDialect::kNameAttr,
                     moduleBuilder.getStringAttr("loss"));
  for (auto [position, index] : llvm::enumerate(params))
    grad.setResultAttr(position + 1, FmDialect::kNameAttr,
                       moduleBuilder.getStringAttr(gradientName(loss, index)));

  // The forward pass, then the backward pass in place of its return.
  IRMapping mapping;
  loss.getBody().cloneInto(&grad.getBody(), mapping);
  Block &body = grad.front();
  Operation *terminator = body.getTerminator();
  Value lossValue = terminator->getOperand(0);
  Location returnLoc = terminator->getLoc();
  terminator->erase();
  SmallVector<Operation *> forward;
  for (Operation &op : body)
    forward.push_back(&op);

  DenseSet<Value> varied;
  for (unsigned index : params)
    varied.insert(body.getArgument(index));
  for (Operation *op : forward)
    if (llvm::any_of(op->getOperands(),
                     [&](Value operand) { return varied.contains(operand); }))
      for (Value result : op->getResults())
        if (isFloatTensor(result.getType()))
          varied.insert(result);

  auto builder = ImplicitLocOpBuilder::atBlockEnd(grad.getLoc(), &body);
  GradientBuilder gradients(builder, std::move(varied));
  gradients.seed(lossValue);
  for (Operation *op : llvm::reverse(forward)) {
    if (failed(gradients.backpropagate(op))) {
      grad.erase();
      return failure();
    }
  }
  SmallVector<Value> results{lossValue};
  for (unsigned index : params)
    results.push_back(gradients.gradient(body.getArgument(index)));
  builder.setLoc(returnLoc);
  builder.create<func::ReturnOp>(results);
  return success();
}

struct AutodiffPass : fm::impl::AutodiffBase<AutodiffPass> {
  using AutodiffBase::AutodiffBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<func::FuncOp> losses;
    if (functionName.empty()) {
      for (auto function : module.getOps<func::FuncOp>())
        if (whyNotALoss(function).empty())
          losses.push_back(function);
    } else {
      auto function = module.lookupSymbol<func::FuncOp>(functionName);
      if (!function) {
        module.emitError() << "fm-autodiff: no function named '" << functionName
                           << "'";
        return signalPassFailure();
      }
      std::string reason = whyNotALoss(function);
      if (!reason.empty()) {
        function.emitError() << "fm-autodiff: cannot differentiate @"
                             << functionName << ": " << reason;
        return signalPassFailure();
      }
      losses.push_back(function);
    }
    for (func::FuncOp loss : losses)
      if (failed(differentiate(loss)))
        return signalPassFailure();
  }
};

} // namespace

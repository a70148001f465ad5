//===- Interpreter.cpp - Reference interpreter for fm programs ------------===//
//
// Runs a func.func op by op on host tensors. Each op's semantics is written
// once, templated on the compute type R of floats:
//  - Precision::F32 runs Executor<float>. Every tensor keeps its declared
//    element type (bf16, f16 and FP8 as raw bits). An op decodes its operands
//    exactly to float, computes and accumulates in float, and rounds each
//    result element once to its element type by the numerics contract.
//  - Precision::F64 runs Executor<double>. Every float tensor is stored as
//    fmrt::DType::F64 whatever its declared element type, and nothing is ever
//    rounded to a narrower float (casts included), so the whole program is
//    evaluated in double precision, as finite-difference checks need.
// Integer ops compute in int64 and wrap to the element width in both modes.
//
//===----------------------------------------------------------------------===//

#include "ir/interp/Interpreter.h"

#include "ir/FmOps.h"
#include "ir/interp/Kernels.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/SymbolTable.h"

#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/MathExtras.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <tuple>
#include <type_traits>
#include <utility>

using namespace mlir;
using namespace fm;
using namespace fm::interp;
using fmrt::DType;
using fmrt::Tensor;

std::optional<DType> fm::toDType(Type type) {
  if (type.isF32())
    return DType::F32;
  // Not an fm element type, but the runtime's (F64 mode, host I/O).
  if (type.isF64())
    return DType::F64;
  if (type.isF16())
    return DType::F16;
  if (type.isBF16())
    return DType::BF16;
  if (type.isFloat8E4M3FN())
    return DType::F8E4M3FN;
  if (type.isFloat8E5M2())
    return DType::F8E5M2;
  if (type.isSignlessInteger(32))
    return DType::I32;
  if (type.isSignlessInteger(64))
    return DType::I64;
  if (type.isSignlessInteger(1))
    return DType::I1;
  return std::nullopt;
}

Type fm::toMlirType(MLIRContext *context, DType dtype) {
  Builder builder(context);
  switch (dtype) {
  case DType::F32:
    return builder.getF32Type();
  case DType::F64:
    return builder.getF64Type();
  case DType::F16:
    return builder.getF16Type();
  case DType::BF16:
    return builder.getBF16Type();
  case DType::F8E4M3FN:
    return builder.getFloat8E4M3FNType();
  case DType::F8E5M2:
    return builder.getFloat8E5M2Type();
  case DType::I32:
    return builder.getI32Type();
  case DType::I64:
    return builder.getI64Type();
  case DType::I1:
    return builder.getI1Type();
  }
  llvm_unreachable("unknown DType");
}

namespace {

/// How deeply func.call may nest. fm has no control flow, so a recursive
/// call never ends; the limit makes it an error instead of a stack overflow.
constexpr unsigned kMaxCallDepth = 64;

template <typename T> bool isNaN(T value) {
  if constexpr (std::is_floating_point_v<T>)
    return std::isnan(value);
  else
    return false;
}

/// Integer arithmetic runs on uint64_t, where overflow wraps instead of being
/// undefined; encode() then truncates to the element width.
int64_t wrap(uint64_t value) { return static_cast<int64_t>(value); }

// Elementwise functors, shared by the elementwise ops and the reductions. The
// int64_t overloads are the wrapping integer versions.
struct Add {
  template <typename T> T operator()(T a, T b) const { return a + b; }
  int64_t operator()(int64_t a, int64_t b) const {
    return wrap(static_cast<uint64_t>(a) + static_cast<uint64_t>(b));
  }
};
struct Sub {
  template <typename T> T operator()(T a, T b) const { return a - b; }
  int64_t operator()(int64_t a, int64_t b) const {
    return wrap(static_cast<uint64_t>(a) - static_cast<uint64_t>(b));
  }
};
struct Mul {
  template <typename T> T operator()(T a, T b) const { return a * b; }
  int64_t operator()(int64_t a, int64_t b) const {
    return wrap(static_cast<uint64_t>(a) * static_cast<uint64_t>(b));
  }
};
/// NaN in either operand gives NaN (a comparison alone would drop it).
struct Max {
  template <typename T> T operator()(T a, T b) const {
    return isNaN(a) || a > b ? a : b;
  }
};
struct Min {
  template <typename T> T operator()(T a, T b) const {
    return isNaN(a) || a < b ? a : b;
  }
};
struct Neg {
  template <typename T> T operator()(T a) const { return -a; }
  int64_t operator()(int64_t a) const {
    return wrap(0 - static_cast<uint64_t>(a));
  }
};
struct Abs {
  template <typename T> T operator()(T a) const { return std::abs(a); }
  int64_t operator()(int64_t a) const { return a < 0 ? Neg()(a) : a; }
};

/// The identity of Max: -inf for floats, the lowest value for integers.
template <typename T> T lowest() {
  if constexpr (std::numeric_limits<T>::has_infinity)
    return -std::numeric_limits<T>::infinity();
  else
    return std::numeric_limits<T>::lowest();
}

/// The maximum of `at(0..n-1)` and the sum of `exp(at(j) - max)`: the two
/// halves of a numerically stable softmax or log-sum-exp.
template <typename R, typename At>
std::pair<R, R> maxAndExpSum(int64_t n, At at) {
  R max = lowest<R>();
  for (int64_t j = 0; j < n; ++j)
    max = Max()(max, at(j));
  R sum = 0;
  for (int64_t j = 0; j < n; ++j)
    sum += std::exp(at(j) - max);
  return {max, sum};
}

/// sqrt(2 / pi) (x + 0.044715 x^3), the tanh argument of GELU's tanh
/// approximation.
template <typename R> R geluTanhArgument(R x) {
  const R sqrt2OverPi =
      static_cast<R>(llvm::numbers::sqrt2 * llvm::numbers::inv_sqrtpi);
  return sqrt2OverPi * (x + R(0.044715) * x * x * x);
}

/// The derivative of GELU at `x`: of the exact (erf) form, or of the tanh
/// approximation.
template <typename R> R geluDerivative(R x, bool exact) {
  if (exact) {
    // d/dx x Phi(x) = Phi(x) + x phi(x).
    const R invSqrt2Pi =
        static_cast<R>(llvm::numbers::inv_sqrt2 * llvm::numbers::inv_sqrtpi);
    return R(0.5) *
               (R(1) + std::erf(x * static_cast<R>(llvm::numbers::inv_sqrt2))) +
           x * invSqrt2Pi * std::exp(R(-0.5) * x * x);
  }
  // d/dx 0.5 x (1 + tanh(u)) = 0.5 (1 + tanh(u)) + 0.5 x (1 - tanh(u)^2) u'.
  const R sqrt2OverPi =
      static_cast<R>(llvm::numbers::sqrt2 * llvm::numbers::inv_sqrtpi);
  const R t = std::tanh(geluTanhArgument(x));
  const R du = sqrt2OverPi * (R(1) + R(3) * R(0.044715) * x * x);
  return R(0.5) * (R(1) + t) + R(0.5) * x * (R(1) - t * t) * du;
}

/// A Kahan (compensated) sum, whose rounding error stays about one ulp of the
/// result however many terms it adds.
template <typename R> class CompensatedSum {
public:
  void add(R term) {
    const R corrected = term - carry;
    const R next = sum + corrected;
    carry = (next - sum) - corrected;
    sum = next;
  }
  R value() const { return sum; }

private:
  R sum = 0, carry = 0;
};

int64_t product(ArrayRef<int64_t> sizes) {
  int64_t result = 1;
  for (int64_t size : sizes)
    result *= size;
  return result;
}

Shape shapeOf(Value value) {
  ArrayRef<int64_t> shape = cast<RankedTensorType>(value.getType()).getShape();
  return Shape(shape.begin(), shape.end());
}

Type elementTypeOf(Value value) {
  return cast<ShapedType>(value.getType()).getElementType();
}

/// "8x32", or "()" for a rank-0 shape.
std::string shapeText(ArrayRef<int64_t> shape) {
  return shape.empty() ? "()"
                       : fmrt::formatShape(Shape(shape.begin(), shape.end()));
}

/// Flat position `flat` in `shape` as a multi-index, "[1, 3]".
std::string indexText(int64_t flat, ArrayRef<int64_t> shape) {
  Shape strides = stridesOf(shape);
  std::string text = "[";
  for (size_t axis = 0; axis < shape.size(); ++axis) {
    if (axis)
      text += ", ";
    text += std::to_string(flat / strides[axis] % shape[axis]);
  }
  return text + "]";
}

LogicalResult cannotRun(Operation *op) {
  return op->emitError() << "the interpreter cannot run '" << op->getName()
                         << "'";
}

/// Runs one function; a func.call runs the callee in a nested Executor.
template <typename R> class Executor {
public:
  explicit Executor(unsigned depth) : depth(depth) {}

  FailureOr<std::vector<Tensor>> run(func::FuncOp function,
                                     ArrayRef<Tensor> inputs) {
    if (function.isExternal()) {
      emitError(function.getLoc())
          << "function '" << function.getSymName() << "' has no body to run";
      return failure();
    }
    if (failed(bindArguments(function, inputs)))
      return failure();
    Block &body = function.front();
    for (Operation &op : body.without_terminator())
      if (failed(execute(op)))
        return failure();
    auto ret = dyn_cast<func::ReturnOp>(body.getTerminator());
    if (!ret)
      return cannotRun(body.getTerminator());
    std::vector<Tensor> results;
    for (Value value : ret.getOperands())
      results.push_back(get(value));
    return results;
  }

private:
  static constexpr bool kF64 = std::is_same_v<R, double>;

  /// The runtime type that holds values of `elementType` in this mode.
  static DType storageOf(Type elementType) {
    DType dtype = *toDType(elementType);
    return kF64 && fmrt::isFloat(dtype) ? DType::F64 : dtype;
  }
  static DType storageOf(Value value) {
    return storageOf(elementTypeOf(value));
  }

  const Tensor &get(Value value) const {
    // A fusion's block arguments stand for its operands; reading through
    // them copies nothing.
    if (auto argument = dyn_cast<BlockArgument>(value))
      if (auto fusion = dyn_cast<FusionOp>(argument.getOwner()->getParentOp()))
        return get(fusion.getInputs()[argument.getArgNumber()]);
    return values.find(value)->second;
  }

  /// `values` as op's result `index`, with the result's shape and storage.
  template <typename T>
  static Tensor encodeResult(Operation *op, const std::vector<T> &values,
                             unsigned index = 0) {
    Value result = op->getResult(index);
    return encode(values, storageOf(result), shapeOf(result));
  }

  /// Calls `f(T())` with T the compute type of `value`'s elements: R for
  /// floats, int64_t for integers.
  template <typename F> static auto withComputeType(Value value, F f) {
    if (isa<FloatType>(elementTypeOf(value)))
      return f(R());
    return f(int64_t());
  }

  LogicalResult bindArguments(func::FuncOp function, ArrayRef<Tensor> inputs) {
    Location loc = function.getLoc();
    if (inputs.size() != function.getNumArguments())
      return emitError(loc)
             << "function '" << function.getSymName() << "' takes "
             << function.getNumArguments() << " inputs, got " << inputs.size();
    for (auto [index, argument, input] :
         llvm::enumerate(function.getArguments(), inputs)) {
      auto type = dyn_cast<RankedTensorType>(argument.getType());
      std::optional<DType> expected;
      if (type && type.hasStaticShape())
        expected = toDType(type.getElementType());
      if (!expected)
        return emitError(loc)
               << "argument #" << index << " has type " << argument.getType()
               << ", which the interpreter cannot take";
      std::string what = "input #" + std::to_string(index);
      if (auto name = function.getArgAttrOfType<StringAttr>(
              index, FmDialect::kNameAttr))
        what += " ('" + name.str() + "')";
      bool widened =
          kF64 && fmrt::isFloat(*expected) && input.dtype() == DType::F64;
      if (input.dtype() != *expected && !widened)
        return emitError(loc) << what << " has element type "
                              << StringRef(fmrt::dtypeName(input.dtype()))
                              << " but the argument expects "
                              << StringRef(fmrt::dtypeName(*expected));
      if (ArrayRef<int64_t>(input.shape()) != type.getShape())
        return emitError(loc)
               << what << " has shape " << shapeText(input.shape())
               << " but the argument expects " << shapeText(type.getShape());
      // Only a default-constructed Tensor (rank 0, no buffer) gets here.
      if (input.numElements() != type.getNumElements())
        return emitError(loc)
               << what << " holds no data (a default-constructed tensor)";
      values.try_emplace(
          argument,
          fmrt::convertTensor(input, storageOf(type.getElementType())));
    }
    return success();
  }

  LogicalResult execute(Operation &operation) {
    if (auto call = dyn_cast<func::CallOp>(operation))
      return callFunction(call);
    if (auto fusion = dyn_cast<FusionOp>(operation))
      return runFusion(fusion);
    // Besides fusions, the normalization gradients and the range-expanding
    // quantization are the only multi-result fm ops.
    if (auto op = dyn_cast<QuantizeExpandedOp>(operation))
      return bindResults(op, quantizeExpanded(op));
    if (auto op = dyn_cast<LayerNormGradOp>(operation))
      return bindResults(op, normalizeGrad(op, op.getScale(), op.getEps(),
                                           /*center=*/true));
    if (auto op = dyn_cast<RmsNormGradOp>(operation))
      return bindResults(op, normalizeGrad(op, op.getScale(), op.getEps(),
                                           /*center=*/false));
    FailureOr<Tensor> result =
        TypeSwitch<Operation *, FailureOr<Tensor>>(&operation)
            .Case([&](ConstantOp op) { return constant(op); })
            .Case([&](AddOp op) { return numericBinary(op, Add()); })
            .Case([&](SubOp op) { return numericBinary(op, Sub()); })
            .Case([&](MulOp op) { return numericBinary(op, Mul()); })
            .Case([&](DivOp op) {
              return binary<R>(op, [](R a, R b) { return a / b; });
            })
            .Case([&](MaxOp op) { return numericBinary(op, Max()); })
            .Case([&](MinOp op) { return numericBinary(op, Min()); })
            .Case([&](PowOp op) {
              return binary<R>(op, [](R a, R b) { return std::pow(a, b); });
            })
            .Case([&](EqOp op) {
              return numericBinary(
                  op, [](auto a, auto b) -> uint8_t { return a == b; });
            })
            .Case([&](NeOp op) {
              return numericBinary(
                  op, [](auto a, auto b) -> uint8_t { return a != b; });
            })
            .Case([&](LtOp op) {
              return numericBinary(
                  op, [](auto a, auto b) -> uint8_t { return a < b; });
            })
            .Case([&](LeOp op) {
              return numericBinary(
                  op, [](auto a, auto b) -> uint8_t { return a <= b; });
            })
            .Case([&](GtOp op) {
              return numericBinary(
                  op, [](auto a, auto b) -> uint8_t { return a > b; });
            })
            .Case([&](GeOp op) {
              return numericBinary(
                  op, [](auto a, auto b) -> uint8_t { return a >= b; });
            })
            .Case([&](SelectOp op) { return select(op); })
            .Case([&](NegOp op) { return numericUnary(op, Neg()); })
            .Case([&](AbsOp op) { return numericUnary(op, Abs()); })
            .Case([&](ExpOp op) {
              return unary<R>(op, [](R x) { return std::exp(x); });
            })
            .Case([&](LogOp op) {
              return unary<R>(op, [](R x) { return std::log(x); });
            })
            .Case([&](SqrtOp op) {
              return unary<R>(op, [](R x) { return std::sqrt(x); });
            })
            .Case([&](RsqrtOp op) {
              return unary<R>(op, [](R x) { return R(1) / std::sqrt(x); });
            })
            .Case([&](TanhOp op) {
              return unary<R>(op, [](R x) { return std::tanh(x); });
            })
            .Case([&](SigmoidOp op) {
              return unary<R>(op,
                              [](R x) { return R(1) / (R(1) + std::exp(-x)); });
            })
            .Case([&](ReluOp op) {
              // Written so that NaN stays NaN.
              return unary<R>(op, [](R x) { return x < R(0) ? R(0) : x; });
            })
            .Case([&](SiluOp op) {
              return unary<R>(op,
                              [](R x) { return x / (R(1) + std::exp(-x)); });
            })
            .Case([&](GeluOp op) { return gelu(op); })
            .Case([&](MatmulOp op) { return matmul(op); })
            .Case([&](ReduceSumOp op) {
              return withComputeType(op.getInput(), [&](auto zero) {
                using T = decltype(zero);
                return encodeResult(
                    op,
                    reduce<T>(op.getInput(), op.getReducedAxes(), T(0), Add()));
              });
            })
            .Case([&](ReduceMaxOp op) {
              return withComputeType(op.getInput(), [&](auto zero) {
                using T = decltype(zero);
                return encodeResult(op, reduce<T>(op.getInput(),
                                                  op.getReducedAxes(),
                                                  lowest<T>(), Max()));
              });
            })
            .Case([&](ReduceMeanOp op) { return reduceMean(op); })
            .Case([&](SoftmaxOp op) {
              return softmax(op, op.getNormalizedAxis(), /*log=*/false);
            })
            .Case([&](LogSoftmaxOp op) {
              return softmax(op, op.getNormalizedAxis(), /*log=*/true);
            })
            .Case([&](LayerNormOp op) {
              return normalize(op, op.getScale(), op.getBias(), op.getEps(),
                               /*center=*/true);
            })
            .Case([&](RmsNormOp op) {
              return normalize(op, op.getScale(), Value(), op.getEps(),
                               /*center=*/false);
            })
            .Case([&](ReshapeOp op) {
              return get(op.getInput()).reshaped(shapeOf(op.getResult()));
            })
            .Case([&](TransposeOp op) { return transpose(op); })
            .Case([&](BroadcastToOp op) {
              Shape shape = shapeOf(op.getResult());
              return gather(get(op.getInput()), shape, 0,
                            broadcastStrides(shapeOf(op.getInput()), shape));
            })
            .Case([&](SliceOp op) { return slice(op); })
            .Case([&](ConcatOp op) { return concat(op); })
            .Case([&](IotaOp op) { return iota(op); })
            .Case([&](EmbeddingOp op) { return embedding(op); })
            .Case([&](CrossEntropyOp op) { return crossEntropy(op); })
            .Case([&](CastOp op) {
              return fmrt::convertTensor(get(op.getInput()),
                                         storageOf(op.getResult()));
            })
            .Case([&](QuantizeOp op) {
              return scaleByGroup(op, [](R x, R scale) { return x / scale; });
            })
            .Case([&](DequantizeOp op) {
              return scaleByGroup(op, [](R q, R scale) { return q * scale; });
            })
            .Case([&](ScaledMatmulOp op) { return scaledMatmul(op); })
            .Case(
                [&](DequantizeExpandedOp op) { return dequantizeExpanded(op); })
            .Case([&](PadOp op) { return pad(op); })
            .Case([&](GeluGradOp op) {
              const bool exact = op.getApproximate() == "none";
              return binary<R>(op, [exact](R x, R grad) {
                return grad * geluDerivative(x, exact);
              });
            })
            .Case([&](SoftmaxGradOp op) {
              return softmaxGrad(op, op.getNormalizedAxis(), /*log=*/false);
            })
            .Case([&](LogSoftmaxGradOp op) {
              return softmaxGrad(op, op.getNormalizedAxis(), /*log=*/true);
            })
            .Case([&](CrossEntropyGradOp op) { return crossEntropyGrad(op); })
            .Case([&](EmbeddingGradOp op) { return embeddingGrad(op); })
            .Default([&](Operation *op) -> FailureOr<Tensor> {
              return cannotRun(op);
            });
    if (failed(result))
      return failure();
    values.try_emplace(operation.getResult(0), std::move(*result));
    return success();
  }

  LogicalResult bindResults(Operation *op, std::vector<Tensor> results) {
    for (auto [result, tensor] : llvm::zip_equal(op->getResults(), results))
      values.try_emplace(result, std::move(tensor));
    return success();
  }

  LogicalResult callFunction(func::CallOp call) {
    auto callee = SymbolTable::lookupNearestSymbolFrom<func::FuncOp>(
        call, call.getCalleeAttr());
    if (!callee)
      return call.emitError()
             << "cannot find the function '" << call.getCallee() << "'";
    if (depth + 1 >= kMaxCallDepth)
      return call.emitError() << "calls nest deeper than " << kMaxCallDepth
                              << " levels; is the function recursive?";
    std::vector<Tensor> arguments;
    for (Value operand : call.getOperands())
      arguments.push_back(get(operand));
    FailureOr<std::vector<Tensor>> results =
        Executor(depth + 1).run(callee, arguments);
    if (failed(results))
      return failure();
    for (auto [result, tensor] : llvm::zip(call.getResults(), *results))
      values.try_emplace(result, std::move(tensor));
    return success();
  }

  /// Runs the body of `fusion` op by op, as the ops would run unfused, so a
  /// fused program computes the very same bits.
  LogicalResult runFusion(FusionOp fusion) {
    for (Operation &op : fusion.getBodyBlock().without_terminator())
      if (failed(execute(op)))
        return failure();
    // Copied before the insertion: growing the map would move the tensor
    // that get() refers to while try_emplace copies it (found by fmc fuzz).
    for (auto [result, yielded] :
         llvm::zip_equal(fusion.getResults(), fusion.getYield().getValues())) {
      Tensor value = get(yielded);
      values.try_emplace(result, std::move(value));
    }
    return success();
  }

  FailureOr<Tensor> constant(ConstantOp op) {
    ElementsAttr attr = op.getValue();
    Tensor tensor(storageOf(op.getResult()), shapeOf(op.getResult()));
    int64_t index = 0;
    // Every fm float type converts exactly to double, which setDouble then
    // rounds exactly to the storage type (a no-op for representable values).
    if (isa<FloatType>(attr.getElementType())) {
      if (auto elements = attr.tryGetValues<APFloat>()) {
        for (APFloat value : *elements) {
          bool losesInfo;
          value.convert(APFloat::IEEEdouble(), APFloat::rmNearestTiesToEven,
                        &losesInfo);
          tensor.setDouble(index++, value.convertToDouble());
        }
        return tensor;
      }
    } else if (auto elements = attr.tryGetValues<APInt>()) {
      for (const APInt &value : *elements)
        tensor.setInt(index++, value.getBitWidth() == 1
                                   ? static_cast<int64_t>(value.getZExtValue())
                                   : value.getSExtValue());
      return tensor;
    }
    op.emitError() << "the interpreter cannot read the elements of " << attr;
    return failure();
  }

  /// Elementwise `fn(lhs, rhs)` over the numpy broadcast of the operands,
  /// computed in T.
  template <typename T, typename Fn> Tensor binary(Operation *op, Fn fn) {
    Value lhs = op->getOperand(0), rhs = op->getOperand(1);
    Shape shape = shapeOf(op->getResult(0));
    std::vector<T> a = decode<T>(get(lhs)), b = decode<T>(get(rhs));
    std::vector<std::invoke_result_t<Fn, T, T>> out;
    out.reserve(fmrt::numElements(shape));
    walk<2>(shape,
            {broadcastStrides(shapeOf(lhs), shape),
             broadcastStrides(shapeOf(rhs), shape)},
            [&](const std::array<int64_t, 2> &at) {
              out.push_back(fn(a[at[0]], b[at[1]]));
            });
    return encodeResult(op, out);
  }
  template <typename Fn> Tensor numericBinary(Operation *op, Fn fn) {
    return withComputeType(op->getOperand(0), [&](auto zero) {
      return binary<decltype(zero)>(op, fn);
    });
  }

  template <typename T, typename Fn> Tensor unary(Operation *op, Fn fn) {
    std::vector<T> values = decode<T>(get(op->getOperand(0)));
    for (T &value : values)
      value = fn(value);
    return encodeResult(op, values);
  }
  template <typename Fn> Tensor numericUnary(Operation *op, Fn fn) {
    return withComputeType(op->getOperand(0), [&](auto zero) {
      return unary<decltype(zero)>(op, fn);
    });
  }

  Tensor gelu(GeluOp op) {
    if (op.getApproximate() == "none")
      return unary<R>(op, [](R x) {
        return R(0.5) * x *
               (R(1) + std::erf(x * static_cast<R>(llvm::numbers::inv_sqrt2)));
      });
    return unary<R>(op, [](R x) {
      return R(0.5) * x * (R(1) + std::tanh(geluTanhArgument(x)));
    });
  }

  Tensor select(SelectOp op) {
    Shape shape = shapeOf(op.getResult());
    const Tensor &cond = get(op.getCond());
    const Tensor &onTrue = get(op.getOnTrue());
    const Tensor &onFalse = get(op.getOnFalse());
    Tensor out(onTrue.dtype(), shape);
    withElementWord(out.dtype(), [&](auto word) {
      using Word = decltype(word);
      const uint8_t *c = cond.dataAs<uint8_t>();
      const Word *t = onTrue.dataAs<Word>(), *f = onFalse.dataAs<Word>();
      Word *o = out.dataAs<Word>();
      walk<3>(shape,
              {broadcastStrides(shapeOf(op.getCond()), shape),
               broadcastStrides(shapeOf(op.getOnTrue()), shape),
               broadcastStrides(shapeOf(op.getOnFalse()), shape)},
              [&](const std::array<int64_t, 3> &at) {
                *o++ = c[at[0]] ? t[at[1]] : f[at[2]];
              });
    });
    return out;
  }

  /// `source` as a row-major rows x cols matrix: itself, or packed into
  /// `buffer` when it is stored transposed (cols x rows).
  static const R *asRowMajor(const R *source, int64_t rows, int64_t cols,
                             bool transposed, std::vector<R> &buffer) {
    if (!transposed)
      return source;
    buffer.resize(rows * cols);
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t c = 0; c < cols; ++c)
        buffer[r * cols + c] = source[c * rows + r];
    return buffer.data();
  }

  /// The f32 (R) products of fm.matmul or fm.scaled_matmul, before any
  /// scaling or rounding.
  template <typename MatmulLike> std::vector<R> matmulProducts(MatmulLike op) {
    Shape lhsShape = shapeOf(op.getLhs()), rhsShape = shapeOf(op.getRhs());
    Shape shape = shapeOf(op.getResult());
    const size_t rank = shape.size();
    const int64_t m = shape[rank - 2], n = shape[rank - 1];
    const int64_t k =
        op.getTransposeA() ? lhsShape[lhsShape.size() - 2] : lhsShape.back();
    std::vector<R> a = decode<R>(get(op.getLhs()));
    std::vector<R> b = decode<R>(get(op.getRhs()));
    std::vector<R> c(fmrt::numElements(shape), R(0));

    // Batch axes broadcast; their strides count whole matrices.
    ArrayRef<int64_t> batch = ArrayRef<int64_t>(shape).drop_back(2);
    Shape aStrides =
        broadcastStrides(ArrayRef<int64_t>(lhsShape).drop_back(2), batch);
    Shape bStrides =
        broadcastStrides(ArrayRef<int64_t>(rhsShape).drop_back(2), batch);
    for (int64_t &stride : aStrides)
      stride *= m * k;
    for (int64_t &stride : bStrides)
      stride *= k * n;

    // Row-major A [M, K] and B [K, N], and the i-k-j order, make the inner
    // loop a contiguous axpy over rows of B and C that vectorizes. Each C
    // element still sums its products in k order, accumulating in R.
    std::vector<R> packedA, packedB;
    R *out = c.data();
    walk<2>(batch, {aStrides, bStrides}, [&](const std::array<int64_t, 2> &at) {
      const R *pa =
          asRowMajor(a.data() + at[0], m, k, op.getTransposeA(), packedA);
      const R *pb =
          asRowMajor(b.data() + at[1], k, n, op.getTransposeB(), packedB);
      for (int64_t i = 0; i < m; ++i) {
        R *row = out + i * n;
        for (int64_t p = 0; p < k; ++p) {
          const R scale = pa[i * k + p];
          const R *bRow = pb + p * n;
          for (int64_t j = 0; j < n; ++j)
            row[j] += scale * bRow[j];
        }
      }
      out += m * n;
    });
    return c;
  }

  Tensor matmul(MatmulOp op) { return encodeResult(op, matmulProducts(op)); }

  /// `acc * (lhs_scale * rhs_scale)` per element, rounded once.
  Tensor scaledMatmul(ScaledMatmulOp op) {
    std::vector<R> c = matmulProducts(op);
    const R scale = scalarOf(op.getLhsScale()) * scalarOf(op.getRhsScale());
    for (R &value : c)
      value *= scale;
    return encodeResult(op, c);
  }

  R scalarOf(Value value) const { return decode<R>(get(value)).front(); }

  //===--------------------------------------------------------------------===//
  // FP8 scaling
  //===--------------------------------------------------------------------===//

  /// For each element of a tensor of `shape`, the index of its group's
  /// scale: 0 without a group, else its position in the tensor with axis
  /// `axis` divided by `group`.
  static std::vector<int64_t> groupIndices(ArrayRef<int64_t> shape,
                                           std::optional<uint64_t> group,
                                           int64_t axis) {
    std::vector<int64_t> indices(fmrt::numElements(shape), 0);
    if (!group)
      return indices;
    const auto size = static_cast<int64_t>(*group);
    int64_t inner = 1;
    for (int64_t dim = axis + 1; dim < static_cast<int64_t>(shape.size());
         ++dim)
      inner *= shape[dim];
    const int64_t extent = shape[axis];
    for (int64_t i = 0; i < static_cast<int64_t>(indices.size()); ++i) {
      const int64_t outer = i / (extent * inner), along = i / inner % extent;
      indices[i] = (outer * (extent / size) + along / size) * inner + i % inner;
    }
    return indices;
  }

  /// fm.quantize or fm.dequantize: `combine(x, scale)` per element with
  /// the scale of its group, rounded once to the result type.
  template <typename GroupScaled, typename Combine>
  Tensor scaleByGroup(GroupScaled op, Combine combine) {
    std::vector<R> values = decode<R>(get(op.getInput()));
    std::vector<R> scales = decode<R>(get(op.getScale()));
    std::vector<int64_t> groups =
        groupIndices(shapeOf(op.getInput()), op.getGroup(),
                     op.getGroup() ? op.getNormalizedAxis() : 0);
    for (size_t i = 0; i < values.size(); ++i)
      values[i] = combine(values[i], scales[groups[i]]);
    return encodeResult(op, values);
  }

  /// The largest finite value of the FP8 element type of `value`.
  static R fp8Max(Value value) {
    return R(largestFinite(cast<FloatType>(elementTypeOf(value))));
  }

  /// fm.quantize_expanded, by the steps of its description.
  std::vector<Tensor> quantizeExpanded(QuantizeExpandedOp op) {
    std::vector<R> x = decode<R>(get(op.getInput()));
    std::vector<int64_t> groups = groupIndices(
        shapeOf(op.getInput()), op.getGroup(), op.getNormalizedAxis());
    const size_t count = fmrt::numElements(shapeOf(op.getScale()));
    const R tiny = R(1e-30f), fmax = fp8Max(op.getResult());
    // Per group: the largest finite and the smallest nonzero magnitude, and
    // whether an infinity or NaN is present.
    std::vector<R> largest(count, R(0)),
        smallest(count, std::numeric_limits<R>::infinity());
    std::vector<uint8_t> nonFinite(count, 0);
    for (size_t i = 0; i < x.size(); ++i) {
      const R magnitude = std::fabs(x[i]);
      const int64_t g = groups[i];
      if (!std::isfinite(magnitude)) {
        nonFinite[g] = 1;
        continue;
      }
      largest[g] = std::max(largest[g], magnitude);
      if (magnitude != R(0))
        smallest[g] = std::min(smallest[g], magnitude);
    }
    const R rangeBits = std::log2(fmax * fmax / R(2));
    std::vector<R> scale(count), exponent(count), centre(count);
    for (size_t g = 0; g < count; ++g) {
      const R hi = largest[g] + tiny;
      const R lo = std::isfinite(smallest[g]) ? smallest[g] + tiny : hi;
      const R ratio = hi / lo;
      if (nonFinite[g] || !(ratio > R(1))) {
        exponent[g] = R(1);
        centre[g] = R(1);
        scale[g] = hi / fmax;
        continue;
      }
      R k = std::floor(rangeBits / std::log2(ratio) * R(16)) / R(16);
      k = std::min(std::max(k, R(1) / R(16)), R(16));
      exponent[g] = k;
      centre[g] = std::sqrt(hi) * std::sqrt(lo);
      scale[g] = std::pow(hi / centre[g], k) / fmax;
    }
    for (size_t i = 0; i < x.size(); ++i) {
      const int64_t g = groups[i];
      const R expanded = std::copysign(
          std::pow(std::fabs(x[i]) / centre[g], exponent[g]), x[i]);
      x[i] = expanded / scale[g];
    }
    return {encodeResult(op, x, 0), encodeResult(op, scale, 1),
            encodeResult(op, exponent, 2), encodeResult(op, centre, 3)};
  }

  /// fm.dequantize_expanded: sign(q) * pow(|q * scale|, 1 / k) * c.
  Tensor dequantizeExpanded(DequantizeExpandedOp op) {
    std::vector<R> q = decode<R>(get(op.getInput()));
    std::vector<R> scale = decode<R>(get(op.getScale()));
    std::vector<R> exponent = decode<R>(get(op.getExponent()));
    std::vector<R> centre = decode<R>(get(op.getCentre()));
    std::vector<int64_t> groups = groupIndices(
        shapeOf(op.getInput()), op.getGroup(), op.getNormalizedAxis());
    for (size_t i = 0; i < q.size(); ++i) {
      const int64_t g = groups[i];
      q[i] = std::copysign(
          std::pow(std::fabs(q[i] * scale[g]), R(1) / exponent[g]) * centre[g],
          q[i]);
    }
    return encodeResult(op, q);
  }

  /// Combines `input`'s elements over `axes` (sorted, non-negative) into a
  /// buffer laid out like the keepdim result, starting from `init`.
  template <typename T, typename Combine>
  std::vector<T> reduce(Value input, ArrayRef<int64_t> axes, T init,
                        Combine combine) {
    Shape shape = shapeOf(input);
    Shape kept = shape;
    for (int64_t axis : axes)
      kept[axis] = 1;
    // Walking the input with the result's strides, zeroed along the reduced
    // axes, gives each input element's result position.
    Shape strides = stridesOf(kept);
    for (int64_t axis : axes)
      strides[axis] = 0;
    std::vector<T> in = decode<T>(get(input));
    std::vector<T> out(fmrt::numElements(kept), init);
    const T *next = in.data();
    walk<1>(shape, {strides}, [&](const std::array<int64_t, 1> &at) {
      out[at[0]] = combine(out[at[0]], *next++);
    });
    return out;
  }

  Tensor reduceMean(ReduceMeanOp op) {
    SmallVector<int64_t> axes = op.getReducedAxes();
    std::vector<R> sums = reduce<R>(op.getInput(), axes, R(0), Add());
    Shape shape = shapeOf(op.getInput());
    int64_t count = 1;
    for (int64_t axis : axes)
      count *= shape[axis];
    for (R &sum : sums)
      sum /= static_cast<R>(count);
    return encodeResult(op, sums);
  }

  Tensor softmax(Operation *op, int64_t axis, bool log) {
    Value input = op->getOperand(0);
    Shape shape = shapeOf(input);
    std::vector<R> x = decode<R>(get(input));
    const int64_t size = shape[axis];
    forEachLine(shape, axis, [&](int64_t first, int64_t step) {
      auto at = [&](int64_t j) -> R & { return x[first + j * step]; };
      auto [max, sum] = maxAndExpSum<R>(size, at);
      const R logSum = std::log(sum);
      for (int64_t j = 0; j < size; ++j)
        at(j) = log ? at(j) - max - logSum : std::exp(at(j) - max) / sum;
    });
    return encodeResult(op, x);
  }

  /// softmax_grad `y (g - sum(g y))` and log_softmax_grad
  /// `g - exp(y) sum(g)` along `axis`, from the forward output y and its
  /// gradient g.
  Tensor softmaxGrad(Operation *op, int64_t axis, bool log) {
    Value output = op->getOperand(0);
    Shape shape = shapeOf(output);
    std::vector<R> y = decode<R>(get(output));
    std::vector<R> g = decode<R>(get(op->getOperand(1)));
    std::vector<R> out(y.size());
    const int64_t size = shape[axis];
    forEachLine(shape, axis, [&](int64_t first, int64_t step) {
      R sum = 0;
      for (int64_t j = 0, at = first; j < size; ++j, at += step)
        sum += log ? g[at] : g[at] * y[at];
      for (int64_t j = 0, at = first; j < size; ++j, at += step)
        out[at] = log ? g[at] - std::exp(y[at]) * sum : y[at] * (g[at] - sum);
    });
    return encodeResult(op, out);
  }

  /// layer_norm (center) and rms_norm (no center) over the last axis:
  /// `y = (x - c) / sqrt(mean((x - c)^2) + eps) * scale + bias`, with `c` the
  /// row mean or 0. The layer_norm variance is thus the biased one.
  Tensor normalize(Operation *op, Value scale, Value bias, APFloat eps,
                   bool center) {
    Value input = op->getOperand(0);
    std::vector<R> x = decode<R>(get(input));
    const int64_t features = shapeOf(input).back();
    const std::vector<R> gamma =
        scale ? decode<R>(get(scale)) : std::vector<R>();
    const std::vector<R> beta = bias ? decode<R>(get(bias)) : std::vector<R>();
    const R epsilon = static_cast<R>(eps.convertToFloat());
    const int64_t rows =
        features ? static_cast<int64_t>(x.size()) / features : 0;
    for (int64_t row = 0; row < rows; ++row) {
      R *v = x.data() + row * features;
      auto [mean, denominator] = rowStatistics(v, features, center, epsilon);
      for (int64_t j = 0; j < features; ++j) {
        R y = (v[j] - mean) / denominator;
        if (!gamma.empty())
          y *= gamma[j];
        if (!beta.empty())
          y += beta[j];
        v[j] = y;
      }
    }
    return encodeResult(op, x);
  }

  /// The centre `c` (the mean, or 0 without `center`) and the denominator
  /// `sqrt(mean((v - c)^2) + eps)` of a normalized row of `features` values.
  static std::pair<R, R> rowStatistics(const R *v, int64_t features,
                                       bool center, R eps) {
    R mean = 0;
    if (center) {
      for (int64_t j = 0; j < features; ++j)
        mean += v[j];
      mean /= static_cast<R>(features);
    }
    R spread = 0;
    for (int64_t j = 0; j < features; ++j)
      spread += (v[j] - mean) * (v[j] - mean);
    return {mean, std::sqrt(spread / static_cast<R>(features) + eps)};
  }

  /// layer_norm_grad (center) and rms_norm_grad: with x_hat = (x - c) / d
  /// and dx_hat = grad * scale, the input gradient is
  /// `(dx_hat - mean(dx_hat) - x_hat mean(dx_hat x_hat)) / d` (without the
  /// `mean(dx_hat)` term for rms_norm, whose centre is constant); the scale
  /// and bias gradients sum `grad * x_hat` and `grad` over the rows.
  std::vector<Tensor> normalizeGrad(Operation *op, Value scale, APFloat eps,
                                    bool center) {
    Value input = op->getOperand(0);
    const std::vector<R> x = decode<R>(get(input));
    const std::vector<R> g = decode<R>(get(op->getOperand(1)));
    const int64_t features = shapeOf(input).back();
    const std::vector<R> gamma =
        scale ? decode<R>(get(scale)) : std::vector<R>();
    const R epsilon = static_cast<R>(eps.convertToFloat());
    const int64_t rows =
        features ? static_cast<int64_t>(x.size()) / features : 0;
    std::vector<R> dx(x.size()), dScale(features, R(0)), dBias(features, R(0));
    for (int64_t row = 0; row < rows; ++row) {
      const R *v = x.data() + row * features;
      const R *dy = g.data() + row * features;
      // std::tie, not a structured binding: C++17 lambdas cannot capture one.
      R mean, denominator;
      std::tie(mean, denominator) = rowStatistics(v, features, center, epsilon);
      auto xHat = [&](int64_t j) { return (v[j] - mean) / denominator; };
      auto dxHat = [&](int64_t j) {
        return gamma.empty() ? dy[j] : dy[j] * gamma[j];
      };
      R meanDxHat = 0, meanDxHatXHat = 0;
      for (int64_t j = 0; j < features; ++j) {
        meanDxHat += dxHat(j);
        meanDxHatXHat += dxHat(j) * xHat(j);
        dScale[j] += dy[j] * xHat(j);
        dBias[j] += dy[j];
      }
      meanDxHat = center ? meanDxHat / static_cast<R>(features) : R(0);
      meanDxHatXHat /= static_cast<R>(features);
      for (int64_t j = 0; j < features; ++j)
        dx[row * features + j] =
            (dxHat(j) - meanDxHat - xHat(j) * meanDxHatXHat) / denominator;
    }
    std::vector<Tensor> results{encodeResult(op, dx),
                                encodeResult(op, dScale, 1)};
    if (center)
      results.push_back(encodeResult(op, dBias, 2));
    return results;
  }

  /// The tensor of `shape` whose element at index `i` is `input`'s element at
  /// flat offset `base + dot(i, strides)`.
  static Tensor gather(const Tensor &input, const Shape &shape, int64_t base,
                       const Shape &strides) {
    Tensor out(input.dtype(), shape);
    withElementWord(input.dtype(), [&](auto word) {
      using Word = decltype(word);
      const Word *in = input.dataAs<Word>();
      Word *o = out.dataAs<Word>();
      walk<1>(shape, {strides}, [&](const std::array<int64_t, 1> &at) {
        *o++ = in[base + at[0]];
      });
    });
    return out;
  }

  /// The zero tensor of `shape` that holds `input`'s element at index `i` at
  /// flat offset `base + dot(i, strides)`: the inverse of gather.
  static Tensor scatter(const Tensor &input, const Shape &shape, int64_t base,
                        const Shape &strides) {
    Tensor out(input.dtype(), shape);
    withElementWord(input.dtype(), [&](auto word) {
      using Word = decltype(word);
      const Word *in = input.dataAs<Word>();
      Word *o = out.dataAs<Word>() + base;
      walk<1>(input.shape(), {strides},
              [&](const std::array<int64_t, 1> &at) { o[at[0]] = *in++; });
    });
    return out;
  }

  Tensor transpose(TransposeOp op) {
    Shape dense = stridesOf(shapeOf(op.getInput()));
    SmallVector<int64_t> permutation = op.getEffectivePermutation();
    Shape strides;
    for (int64_t axis : permutation)
      strides.push_back(dense[axis]);
    return gather(get(op.getInput()), shapeOf(op.getResult()), 0, strides);
  }

  Tensor slice(SliceOp op) {
    auto [base, strides] = stridedView(shapeOf(op.getInput()), op.getStart(),
                                       op.getEffectiveStride());
    return gather(get(op.getInput()), shapeOf(op.getResult()), base, strides);
  }

  /// Writes the input into a zero result where the slice with start `low`
  /// and stride `interior + 1` would read it.
  Tensor pad(PadOp op) {
    SmallVector<int64_t> step = op.getEffectiveInterior();
    for (int64_t &s : step)
      ++s;
    Shape shape = shapeOf(op.getResult());
    auto [base, strides] = stridedView(shape, op.getLow(), step);
    return scatter(get(op.getInput()), shape, base, strides);
  }

  Tensor concat(ConcatOp op) {
    Shape shape = shapeOf(op.getResult());
    const int64_t axis = op.getNormalizedAxis();
    Tensor out(storageOf(op.getResult()), shape);
    // Each input contributes one contiguous chunk to every outer slice.
    const int64_t outer = product(ArrayRef<int64_t>(shape).take_front(axis));
    const size_t inner =
        product(ArrayRef<int64_t>(shape).drop_front(axis + 1)) *
        fmrt::dtypeSize(out.dtype());
    const size_t outSlice = shape[axis] * inner;
    uint8_t *dst = out.dataAs<uint8_t>();
    size_t column = 0;
    for (Value input : op.getInputs()) {
      const Tensor &tensor = get(input);
      const size_t chunk = tensor.shape()[axis] * inner;
      for (int64_t o = 0; o < outer; ++o)
        std::memcpy(dst + o * outSlice + column,
                    tensor.dataAs<uint8_t>() + o * chunk, chunk);
      column += chunk;
    }
    return out;
  }

  Tensor iota(IotaOp op) {
    Shape shape = shapeOf(op.getResult());
    const int64_t axis = op.getNormalizedAxis();
    const int64_t size = shape[axis];
    const int64_t inner =
        product(ArrayRef<int64_t>(shape).drop_front(axis + 1));
    return withComputeType(op.getResult(), [&](auto zero) {
      using T = decltype(zero);
      std::vector<T> values(fmrt::numElements(shape));
      for (size_t i = 0; i < values.size(); ++i)
        values[i] = static_cast<T>(static_cast<int64_t>(i) / inner % size);
      return encodeResult(op, values);
    });
  }

  /// The elements of the integer tensor `source`, or an error at `op` naming
  /// the first one outside [0, bound): "<noun> 7 at [0, 1] is out of range
  /// for <range>".
  FailureOr<std::vector<int64_t>> decodeInRange(Operation *op, Value source,
                                                int64_t bound, StringRef noun,
                                                const Twine &range) {
    std::vector<int64_t> values = decode<int64_t>(get(source));
    for (size_t position = 0; position < values.size(); ++position) {
      if (values[position] >= 0 && values[position] < bound)
        continue;
      op->emitError() << noun << " " << values[position] << " at "
                      << indexText(position, shapeOf(source))
                      << " is out of range for " << range;
      return failure();
    }
    return values;
  }

  /// The indices of an embedding (or its gradient) into a table of `rows`.
  FailureOr<std::vector<int64_t>> tableIndices(Operation *op, Value indices,
                                               int64_t rows) {
    return decodeInRange(op, indices, rows, "index",
                         "a table of " + Twine(rows) + " rows");
  }

  /// The labels of a cross-entropy (or its gradient) over `classes`.
  FailureOr<std::vector<int64_t>> classLabels(Operation *op, Value labels,
                                              int64_t classes) {
    return decodeInRange(op, labels, classes, "label",
                         Twine(classes) + " classes");
  }

  FailureOr<Tensor> embedding(EmbeddingOp op) {
    const Tensor &table = get(op.getTable());
    const size_t rowBytes = table.shape()[1] * fmrt::dtypeSize(table.dtype());
    FailureOr<std::vector<int64_t>> indices =
        tableIndices(op, op.getIndices(), table.shape()[0]);
    if (failed(indices))
      return failure();
    Tensor out(table.dtype(), shapeOf(op.getResult()));
    for (auto [position, index] : llvm::enumerate(*indices))
      std::memcpy(out.dataAs<uint8_t>() + position * rowBytes,
                  table.dataAs<uint8_t>() + index * rowBytes, rowBytes);
    return out;
  }

  /// Scatter-adds the rows of the gradient into a zero table.
  FailureOr<Tensor> embeddingGrad(EmbeddingGradOp op) {
    const Shape shape = shapeOf(op.getResult());
    const int64_t features = shape[1];
    FailureOr<std::vector<int64_t>> indices =
        tableIndices(op, op.getIndices(), shape[0]);
    if (failed(indices))
      return failure();
    const std::vector<R> grad = decode<R>(get(op.getGrad()));
    std::vector<R> table(fmrt::numElements(shape), R(0));
    for (auto [position, index] : llvm::enumerate(*indices))
      for (int64_t j = 0; j < features; ++j)
        table[index * features + j] += grad[position * features + j];
    return encodeResult(op, table);
  }

  FailureOr<Tensor> crossEntropy(CrossEntropyOp op) {
    std::vector<R> logits = decode<R>(get(op.getLogits()));
    const int64_t classes = shapeOf(op.getLogits()).back();
    FailureOr<std::vector<int64_t>> labels =
        classLabels(op, op.getLabels(), classes);
    if (failed(labels))
      return failure();
    // A loss is a mean over many positions: compensated summation keeps its
    // rounding near one ulp, the noise floor of finite-difference gradient
    // checks in F64 mode.
    CompensatedSum<R> total;
    for (auto [position, label] : llvm::enumerate(*labels)) {
      const R *row = logits.data() + position * classes;
      auto [max, sum] =
          maxAndExpSum<R>(classes, [&](int64_t j) { return row[j]; });
      total.add(max + std::log(sum) - row[label]);
    }
    return encodeResult(
        op, std::vector<R>{total.value() / static_cast<R>(labels->size())});
  }

  /// `(softmax(logits) - one_hot(labels)) * grad / N` row by row.
  FailureOr<Tensor> crossEntropyGrad(CrossEntropyGradOp op) {
    std::vector<R> logits = decode<R>(get(op.getLogits()));
    const int64_t classes = shapeOf(op.getLogits()).back();
    FailureOr<std::vector<int64_t>> labels =
        classLabels(op, op.getLabels(), classes);
    if (failed(labels))
      return failure();
    const R scale =
        decode<R>(get(op.getGrad())).front() / static_cast<R>(labels->size());
    for (auto [position, label] : llvm::enumerate(*labels)) {
      R *row = logits.data() + position * classes;
      auto [max, sum] =
          maxAndExpSum<R>(classes, [&](int64_t j) { return row[j]; });
      for (int64_t j = 0; j < classes; ++j)
        row[j] = (std::exp(row[j] - max) / sum - R(j == label)) * scale;
    }
    return encodeResult(op, logits);
  }

  unsigned depth;
  llvm::DenseMap<Value, Tensor> values;
};

} // namespace

Interpreter::Interpreter(ModuleOp module, InterpreterOptions options)
    : module(module), options(options) {}

FailureOr<std::vector<Tensor>> Interpreter::run(func::FuncOp function,
                                                ArrayRef<Tensor> inputs) {
  if (options.precision == Precision::F64)
    return Executor<double>(0).run(function, inputs);
  return Executor<float>(0).run(function, inputs);
}

FailureOr<std::vector<Tensor>> Interpreter::run(StringRef name,
                                                ArrayRef<Tensor> inputs) {
  auto function = module.lookupSymbol<func::FuncOp>(name);
  if (!function) {
    emitError(module.getLoc())
        << "no function named '" << name << "' in the module";
    return failure();
  }
  return run(function, inputs);
}

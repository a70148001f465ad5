//===- LowerElementwise.cpp - fm elementwise and shape ops to linalg ------===//
//
// Lowers fm's elementwise, shape and conversion ops to linalg, tensor, arith
// and math on tensors, matching the reference interpreter
// (ir/interp/Interpreter.cpp) bit for bit, libm functions included as long
// as the compiled code calls the same libm:
//  - Every elementwise op, broadcasting included, is one linalg.generic built
//    by buildElementwise: size-1 operand axes read index 0 and missing
//    leading axes are dropped from the operand's indexing map.
//  - Floats are computed in f32, like the interpreter's F32 mode: a narrow
//    operand (bf16, f16, FP8) is widened exactly inside the body and the
//    result rounded once to the result's element type (NarrowFloats.h).
//  - The f32 scalar formulas repeat the interpreter's expressions operation
//    for operation (same order, same f32 constants), so the only differences
//    left are those of the math library.
//  - Integer ops wrap (arith without overflow flags); comparisons are signed.
//  - Data movement (select, broadcast_to, transpose, slices, pads, concat,
//    reshape) copies elements without widening them.
//
//===----------------------------------------------------------------------===//

#include "codegen/LoweringPatterns.h"
#include "codegen/NarrowFloats.h"
#include "ir/FmOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/ReshapeOpsUtils.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/PatternMatch.h"

#include "llvm/Support/MathExtras.h"

using namespace mlir;

namespace fm {
namespace {

//===----------------------------------------------------------------------===//
// The shared elementwise builder
//===----------------------------------------------------------------------===//

/// How buildElementwise hands elements to the scalar body.
enum class ElementMode {
  /// Float operands arrive widened to f32 and a float result is rounded from
  /// f32 to the result's element type; integers and i1 pass as they are.
  Compute,
  /// Elements arrive and leave in their own types: for ops that only move
  /// them, which must not touch NaN payloads or pay for a round trip.
  Raw,
};

/// Builds the scalar result of one element from the operands' elements.
using ScalarBuilder =
    llvm::function_ref<Value(OpBuilder &, Location, ValueRange)>;

/// The indexing map that reads `operand` while iterating over `result`
/// under numpy broadcasting: trailing axes aligned, size-1 axes at 0.
AffineMap broadcastMap(RankedTensorType operand, RankedTensorType result) {
  MLIRContext *context = operand.getContext();
  const int64_t offset = result.getRank() - operand.getRank();
  SmallVector<AffineExpr> exprs;
  for (int64_t axis = 0; axis < operand.getRank(); ++axis)
    exprs.push_back(operand.getDimSize(axis) == 1
                        ? getAffineConstantExpr(0, context)
                        : getAffineDimExpr(axis + offset, context));
  return AffineMap::get(result.getRank(), 0, exprs, context);
}

/// One linalg.generic that computes `resultType` elementwise from `operands`
/// (each broadcast to the result shape) with `scalar` as the body.
Value buildElementwise(OpBuilder &builder, Location loc,
                       RankedTensorType resultType, ValueRange operands,
                       ElementMode mode, ScalarBuilder scalar) {
  Type element = resultType.getElementType();
  Value init =
      builder.create<tensor::EmptyOp>(loc, resultType.getShape(), element);
  SmallVector<AffineMap> maps;
  for (Value operand : operands)
    maps.push_back(
        broadcastMap(cast<RankedTensorType>(operand.getType()), resultType));
  maps.push_back(builder.getMultiDimIdentityMap(resultType.getRank()));
  SmallVector<utils::IteratorType> iterators(resultType.getRank(),
                                             utils::IteratorType::parallel);
  const bool compute = mode == ElementMode::Compute;
  auto generic = builder.create<linalg::GenericOp>(
      loc, TypeRange{resultType}, operands, ValueRange{init}, maps, iterators,
      [&](OpBuilder &b, Location bodyLoc, ValueRange args) {
        SmallVector<Value> elements;
        for (Value arg : args.drop_back())
          elements.push_back(compute && isa<FloatType>(arg.getType())
                                 ? widenToF32(b, bodyLoc, arg)
                                 : arg);
        Value result = scalar(b, bodyLoc, elements);
        if (compute && isa<FloatType>(element))
          result = narrowFromF32(b, bodyLoc, result, element);
        b.create<linalg::YieldOp>(bodyLoc, result);
      });
  return generic.getResult(0);
}

/// The scalar semantics of an elementwise fm op: operands as buildElementwise
/// hands them over, and the op for its attributes.
using ScalarFn = Value (*)(OpBuilder &, Location, ValueRange, Operation *);

/// Lowers an elementwise op whose every element is `fn` of its operands'
/// broadcast elements.
template <typename OpTy>
class ElementwiseLowering : public OpRewritePattern<OpTy> {
public:
  ElementwiseLowering(MLIRContext *context, ScalarFn fn, ElementMode mode)
      : OpRewritePattern<OpTy>(context), fn(fn), mode(mode) {}

  LogicalResult matchAndRewrite(OpTy op,
                                PatternRewriter &rewriter) const override {
    auto type = cast<RankedTensorType>(op.getResult().getType());
    Value result =
        buildElementwise(rewriter, op.getLoc(), type, op->getOperands(), mode,
                         [&](OpBuilder &b, Location loc, ValueRange args) {
                           return fn(b, loc, args, op);
                         });
    rewriter.replaceOp(op, result);
    return success();
  }

private:
  ScalarFn fn;
  ElementMode mode;
};

//===----------------------------------------------------------------------===//
// Scalar semantics
//===----------------------------------------------------------------------===//

bool isFloat(Value value) { return isa<FloatType>(value.getType()); }

/// f32 scalar arithmetic, so that the formulas below read like the
/// interpreter's C++ they transcribe.
class F32 {
public:
  F32(OpBuilder &builder, Location loc) : b(builder), loc(loc) {}

  Value c(float value) {
    return b.create<arith::ConstantOp>(loc, b.getF32FloatAttr(value));
  }
  Value add(Value x, Value y) { return b.create<arith::AddFOp>(loc, x, y); }
  Value sub(Value x, Value y) { return b.create<arith::SubFOp>(loc, x, y); }
  Value mul(Value x, Value y) { return b.create<arith::MulFOp>(loc, x, y); }
  Value div(Value x, Value y) { return b.create<arith::DivFOp>(loc, x, y); }
  Value neg(Value x) { return b.create<arith::NegFOp>(loc, x); }
  Value exp(Value x) { return b.create<math::ExpOp>(loc, x); }
  Value tanh(Value x) { return b.create<math::TanhOp>(loc, x); }
  Value erf(Value x) { return b.create<math::ErfOp>(loc, x); }

private:
  OpBuilder &b;
  Location loc;
};

// The interpreter's GELU constants: double expressions rounded once to f32.
constexpr float kSqrt2OverPi =
    static_cast<float>(llvm::numbers::sqrt2 * llvm::numbers::inv_sqrtpi);
constexpr float kInvSqrt2 = static_cast<float>(llvm::numbers::inv_sqrt2);
constexpr float kInvSqrt2Pi =
    static_cast<float>(llvm::numbers::inv_sqrt2 * llvm::numbers::inv_sqrtpi);
constexpr float kGeluCubic = static_cast<float>(0.044715);

/// A binary op that is `FloatOp` on floats and `IntOp` (wrapping) on
/// integers.
template <typename FloatOp, typename IntOp>
Value arithmetic(OpBuilder &b, Location loc, ValueRange args, Operation *) {
  if (isFloat(args[0]))
    return b.create<FloatOp>(loc, args[0], args[1]);
  return b.create<IntOp>(loc, args[0], args[1]);
}

/// A binary op defined on floats only (div, pow).
template <typename FloatOp>
Value floatBinary(OpBuilder &b, Location loc, ValueRange args, Operation *) {
  return b.create<FloatOp>(loc, args[0], args[1]);
}

/// max (FP = ogt, IP = sgt) and min (olt, slt) as the interpreter writes
/// them: `isNaN(a) || a > b ? a : b`. arith.maximumf would propagate NaN too,
/// but it orders -0 below +0, whereas the interpreter returns `b` for equal
/// operands, so max(+0, -0) is -0; the select also passes NaN payloads
/// through unchanged.
template <arith::CmpFPredicate FP, arith::CmpIPredicate IP>
Value pick(OpBuilder &b, Location loc, ValueRange args, Operation *) {
  Value lhs = args[0], rhs = args[1];
  Value takeLhs;
  if (isFloat(lhs))
    takeLhs = b.create<arith::OrIOp>(
        loc, b.create<arith::CmpFOp>(loc, arith::CmpFPredicate::UNO, lhs, lhs),
        b.create<arith::CmpFOp>(loc, FP, lhs, rhs));
  else
    takeLhs = b.create<arith::CmpIOp>(loc, IP, lhs, rhs);
  return b.create<arith::SelectOp>(loc, takeLhs, lhs, rhs);
}

/// A comparison: ordered on floats (false with NaN) except `ne`, which is
/// unordered, as C++'s operators; signed on integers.
template <arith::CmpFPredicate FP, arith::CmpIPredicate IP>
Value compare(OpBuilder &b, Location loc, ValueRange args, Operation *) {
  if (isFloat(args[0]))
    return b.create<arith::CmpFOp>(loc, FP, args[0], args[1]);
  return b.create<arith::CmpIOp>(loc, IP, args[0], args[1]);
}

Value select(OpBuilder &b, Location loc, ValueRange args, Operation *) {
  return b.create<arith::SelectOp>(loc, args[0], args[1], args[2]);
}

Value identity(OpBuilder &, Location, ValueRange args, Operation *) {
  return args[0];
}

Value negate(OpBuilder &b, Location loc, ValueRange args, Operation *) {
  if (isFloat(args[0]))
    return b.create<arith::NegFOp>(loc, args[0]);
  Value zero =
      b.create<arith::ConstantOp>(loc, b.getZeroAttr(args[0].getType()));
  return b.create<arith::SubIOp>(loc, zero, args[0]);
}

/// |x|; the integer minimum stays itself, as the interpreter's wrapping
/// negation leaves it.
Value absolute(OpBuilder &b, Location loc, ValueRange args, Operation *) {
  if (isFloat(args[0]))
    return b.create<math::AbsFOp>(loc, args[0]);
  return b.create<math::AbsIOp>(loc, args[0]);
}

template <typename MathOp>
Value mathUnary(OpBuilder &b, Location loc, ValueRange args, Operation *) {
  return b.create<MathOp>(loc, args[0]);
}

/// 1 / sqrt(x), not math.rsqrt, whose lowering may approximate.
Value rsqrt(OpBuilder &b, Location loc, ValueRange args, Operation *) {
  F32 f(b, loc);
  return f.div(f.c(1.0f), b.create<math::SqrtOp>(loc, args[0]));
}

/// 1 / (1 + exp(-x)).
Value sigmoid(OpBuilder &b, Location loc, ValueRange args, Operation *) {
  F32 f(b, loc);
  return f.div(f.c(1.0f), f.add(f.c(1.0f), f.exp(f.neg(args[0]))));
}

/// x / (1 + exp(-x)), one division like the interpreter, not x * sigmoid(x).
Value silu(OpBuilder &b, Location loc, ValueRange args, Operation *) {
  F32 f(b, loc);
  return f.div(args[0], f.add(f.c(1.0f), f.exp(f.neg(args[0]))));
}

/// x < 0 ? 0 : x, which keeps NaN and -0 as they are.
Value relu(OpBuilder &b, Location loc, ValueRange args, Operation *) {
  F32 f(b, loc);
  Value zero = f.c(0.0f);
  Value negative =
      b.create<arith::CmpFOp>(loc, arith::CmpFPredicate::OLT, args[0], zero);
  return b.create<arith::SelectOp>(loc, negative, zero, args[0]);
}

bool isExactGelu(StringRef approximate) { return approximate == "none"; }

/// sqrt(2/pi) * (x + 0.044715 x^3), evaluated left to right as the C++.
Value geluTanhArgument(F32 &f, Value x) {
  Value cubic = f.mul(f.mul(f.mul(f.c(kGeluCubic), x), x), x);
  return f.mul(f.c(kSqrt2OverPi), f.add(x, cubic));
}

/// 0.5 x (1 + erf(x / sqrt 2)) or 0.5 x (1 + tanh(geluTanhArgument(x))).
Value gelu(OpBuilder &b, Location loc, ValueRange args, Operation *op) {
  F32 f(b, loc);
  Value x = args[0];
  Value inner = isExactGelu(cast<GeluOp>(op).getApproximate())
                    ? f.erf(f.mul(x, f.c(kInvSqrt2)))
                    : f.tanh(geluTanhArgument(f, x));
  return f.mul(f.mul(f.c(0.5f), x), f.add(f.c(1.0f), inner));
}

/// grad * gelu'(x), the interpreter's geluDerivative term by term.
Value geluGrad(OpBuilder &b, Location loc, ValueRange args, Operation *op) {
  F32 f(b, loc);
  Value x = args[0], grad = args[1];
  Value half = f.c(0.5f), one = f.c(1.0f);
  Value derivative;
  if (isExactGelu(cast<GeluGradOp>(op).getApproximate())) {
    // Phi(x) + x phi(x).
    Value cdf = f.mul(half, f.add(one, f.erf(f.mul(x, f.c(kInvSqrt2)))));
    Value pdf = f.exp(f.mul(f.mul(f.c(-0.5f), x), x));
    derivative = f.add(cdf, f.mul(f.mul(x, f.c(kInvSqrt2Pi)), pdf));
  } else {
    // 0.5 (1 + t) + 0.5 x (1 - t^2) u'. The C++ multiplies R(3) *
    // R(0.044715) in f32 first; the same product is folded here.
    Value t = f.tanh(geluTanhArgument(f, x));
    Value du = f.mul(f.c(kSqrt2OverPi),
                     f.add(one, f.mul(f.mul(f.c(3.0f * kGeluCubic), x), x)));
    Value slope = f.mul(f.mul(f.mul(half, x), f.sub(one, f.mul(t, t))), du);
    derivative = f.add(f.mul(half, f.add(one, t)), slope);
  }
  return f.mul(grad, derivative);
}

//===----------------------------------------------------------------------===//
// Casts
//===----------------------------------------------------------------------===//

/// fmrt's truncateWrapping of an f32: truncation toward zero, modulo 2^64,
/// and 0 for NaN and infinities, as an i64. A plain arith.fptosi is poison
/// out of range, so the integer part is built from the bits instead: the
/// 24-bit significand shifted by the exponent (a left shift drops exactly
/// the bits above 2^64, a right shift truncates), then negated for a
/// negative input.
Value truncateWrapping(OpBuilder &b, Location loc, Value value) {
  Type i32 = b.getI32Type(), i64 = b.getI64Type();
  auto c64 = [&](int64_t v) -> Value {
    return b.create<arith::ConstantIntOp>(loc, v, 64);
  };
  Value bits = b.create<arith::ExtUIOp>(
      loc, i64, b.create<arith::BitcastOp>(loc, i32, value));
  Value biased = b.create<arith::AndIOp>(
      loc, b.create<arith::ShRUIOp>(loc, bits, c64(23)), c64(0xff));
  Value significand = b.create<arith::OrIOp>(
      loc, b.create<arith::AndIOp>(loc, bits, c64(0x7fffff)), c64(0x800000));
  // value = significand * 2^shift for normal inputs; subnormals (biased 0)
  // get a shift far below -24 and come out 0, as they should.
  Value shift = b.create<arith::SubIOp>(loc, biased, c64(127 + 23));
  Value zero = c64(0), limit = c64(63);
  Value left = b.create<arith::SelectOp>(
      loc,
      b.create<arith::CmpIOp>(loc, arith::CmpIPredicate::sgt, shift, limit),
      zero,
      b.create<arith::ShLIOp>(loc, significand,
                              b.create<arith::MaxSIOp>(loc, shift, zero)));
  Value right = b.create<arith::ShRUIOp>(
      loc, significand,
      b.create<arith::MinSIOp>(loc, b.create<arith::SubIOp>(loc, zero, shift),
                               limit));
  Value magnitude = b.create<arith::SelectOp>(
      loc, b.create<arith::CmpIOp>(loc, arith::CmpIPredicate::sge, shift, zero),
      left, right);
  Value negative = b.create<arith::CmpIOp>(
      loc, arith::CmpIPredicate::ne,
      b.create<arith::ShRUIOp>(loc, bits, c64(31)), zero);
  Value result = b.create<arith::SelectOp>(
      loc, negative, b.create<arith::SubIOp>(loc, zero, magnitude), magnitude);
  Value finite =
      b.create<arith::CmpIOp>(loc, arith::CmpIPredicate::ne, biased, c64(0xff));
  return b.create<arith::SelectOp>(loc, finite, result, zero);
}

/// `value` with the quiet bit set if it is a NaN. fmrt::convertTensor
/// widens through double, and that conversion quiets a signaling NaN, which
/// bf16, f16 and E5M2 codes can hold. Narrowing sets the quiet bit anyway,
/// so only casts to f32 need this.
Value quietNaN(OpBuilder &b, Location loc, Value value) {
  Type i32 = b.getI32Type();
  Value quieted = b.create<arith::BitcastOp>(
      loc, value.getType(),
      b.create<arith::OrIOp>(
          loc, b.create<arith::BitcastOp>(loc, i32, value),
          b.create<arith::ConstantIntOp>(loc, 0x400000, 32)));
  Value isNaN =
      b.create<arith::CmpFOp>(loc, arith::CmpFPredicate::UNO, value, value);
  return b.create<arith::SelectOp>(loc, isNaN, quieted, value);
}

/// One element of fmrt::convertTensor from `source` to `target` element
/// type, on buildElementwise's Compute-mode values (floats as f32). Integer
/// and float sources go through double in the runtime: i32 -> f32 rounds
/// once either way, but i64 must round to f64 first and then to f32 to give
/// the same (doubly rounded) result.
Value castElement(OpBuilder &b, Location loc, Value value, Type source,
                  Type target) {
  Type f32 = b.getF32Type();
  if (isa<FloatType>(target)) {
    if (isa<FloatType>(source))
      return target.isF32() ? quietNaN(b, loc, value)
                            : value; // buildElementwise rounds to target.
    if (source.isInteger(1))
      return b.create<arith::UIToFPOp>(loc, f32, value);
    if (source.isInteger(64))
      return b.create<arith::TruncFOp>(
          loc, f32, b.create<arith::SIToFPOp>(loc, b.getF64Type(), value));
    return b.create<arith::SIToFPOp>(loc, f32, value);
  }
  if (target.isInteger(1)) {
    // `x != 0`, true for NaN.
    if (isa<FloatType>(source))
      return b.create<arith::CmpFOp>(
          loc, arith::CmpFPredicate::UNE, value,
          b.create<arith::ConstantOp>(loc, b.getF32FloatAttr(0.0f)));
    return b.create<arith::CmpIOp>(
        loc, arith::CmpIPredicate::ne, value,
        b.create<arith::ConstantOp>(loc, b.getZeroAttr(source)));
  }
  if (isa<FloatType>(source))
    value = truncateWrapping(b, loc, value);
  else if (source.isInteger(1))
    return b.create<arith::ExtUIOp>(loc, target, value);
  const unsigned from = value.getType().getIntOrFloatBitWidth();
  const unsigned to = target.getIntOrFloatBitWidth();
  if (from > to)
    return b.create<arith::TruncIOp>(loc, target, value);
  if (from < to)
    return b.create<arith::ExtSIOp>(loc, target, value);
  return value;
}

/// fm.cast: one generic over castElement, or nothing for a same-type cast.
struct CastLowering : OpRewritePattern<CastOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(CastOp op,
                                PatternRewriter &rewriter) const override {
    auto type = op.getResult().getType();
    if (op.getInput().getType() == type) {
      rewriter.replaceOp(op, op.getInput());
      return success();
    }
    Type source = op.getInput().getType().getElementType();
    Type target = type.getElementType();
    Value result = buildElementwise(
        rewriter, op.getLoc(), type, op.getInput(), ElementMode::Compute,
        [&](OpBuilder &b, Location loc, ValueRange args) {
          return castElement(b, loc, args[0], source, target);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Constants and index-generating ops
//===----------------------------------------------------------------------===//

/// The dense attribute as is: MLIR 19 lowers FP8 dense constants to i8
/// globals with the right bits (checked by the tests), so no bitcast
/// detour is needed.
struct ConstantLowering : OpRewritePattern<ConstantOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(ConstantOp op,
                                PatternRewriter &rewriter) const override {
    auto value = dyn_cast<TypedAttr>(op.getValue());
    if (!value)
      return rewriter.notifyMatchFailure(op, "the value is not typed");
    rewriter.replaceOpWithNewOp<arith::ConstantOp>(op, value);
    return success();
  }
};

/// fm.iota: linalg.index along the axis, converted like the interpreter's
/// static_cast from int64 (one rounding to f32, then to a narrow type).
struct IotaLowering : OpRewritePattern<IotaOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(IotaOp op,
                                PatternRewriter &rewriter) const override {
    auto type = op.getResult().getType();
    const int64_t axis = op.getNormalizedAxis();
    Type element = type.getElementType();
    Value result = buildElementwise(
        rewriter, op.getLoc(), type, ValueRange(), ElementMode::Compute,
        [&](OpBuilder &b, Location loc, ValueRange) -> Value {
          Value index = b.create<linalg::IndexOp>(loc, axis);
          if (isa<FloatType>(element))
            return b.create<arith::SIToFPOp>(
                loc, b.getF32Type(),
                b.create<arith::IndexCastOp>(loc, b.getI64Type(), index));
          return b.create<arith::IndexCastOp>(loc, element, index);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// Shape ops
//===----------------------------------------------------------------------===//

SmallVector<ReassociationIndices> allInOne(int64_t rank) {
  if (rank == 0)
    return {};
  ReassociationIndices all;
  for (int64_t axis = 0; axis < rank; ++axis)
    all.push_back(axis);
  return {all};
}

/// How `wide` (the higher-rank shape) groups into `narrow`, when a single
/// collapse/expand relates them.
std::optional<SmallVector<ReassociationIndices>>
directReassociation(ArrayRef<int64_t> wide, ArrayRef<int64_t> narrow) {
  // Unit-only shapes: rank 0 takes no groups. Zero-size shapes are left to
  // the general route, whose groups are always valid.
  if (llvm::is_contained(wide, 0))
    return std::nullopt;
  if (narrow.empty())
    return SmallVector<ReassociationIndices>();
  return getReassociationIndicesForCollapse(wide, narrow);
}

/// `input` under `target`'s shape, by collapse_shape/expand_shape, which
/// bufferize to views of the same buffer: one op when the shapes group
/// into each other, else through the flat 1-D shape.
Value reshape(OpBuilder &b, Location loc, Value input,
              RankedTensorType target) {
  auto source = cast<RankedTensorType>(input.getType());
  if (source == target)
    return input;
  if (source.getRank() > target.getRank())
    if (auto groups = directReassociation(source.getShape(), target.getShape()))
      return b.create<tensor::CollapseShapeOp>(loc, target, input, *groups);
  if (source.getRank() < target.getRank())
    if (auto groups = directReassociation(target.getShape(), source.getShape()))
      return b.create<tensor::ExpandShapeOp>(loc, target, input, *groups);

  auto flat =
      RankedTensorType::get({source.getNumElements()}, source.getElementType());
  Value flatInput = input;
  if (source.getRank() == 0)
    flatInput = b.create<tensor::ExpandShapeOp>(
        loc, flat, input, SmallVector<ReassociationIndices>());
  else if (source.getRank() > 1)
    flatInput = b.create<tensor::CollapseShapeOp>(loc, flat, input,
                                                  allInOne(source.getRank()));
  if (target.getRank() == 0)
    return b.create<tensor::CollapseShapeOp>(
        loc, target, flatInput, SmallVector<ReassociationIndices>());
  if (target.getRank() == 1)
    return flatInput;
  return b.create<tensor::ExpandShapeOp>(loc, target, flatInput,
                                         allInOne(target.getRank()));
}

struct ReshapeLowering : OpRewritePattern<ReshapeOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(ReshapeOp op,
                                PatternRewriter &rewriter) const override {
    rewriter.replaceOp(op, reshape(rewriter, op.getLoc(), op.getInput(),
                                   op.getResult().getType()));
    return success();
  }
};

Value emptyLike(OpBuilder &b, Location loc, RankedTensorType type) {
  return b.create<tensor::EmptyOp>(loc, type.getShape(), type.getElementType());
}

/// fm.transpose: linalg.transpose uses the same convention (result axis i
/// is input axis permutation[i]).
struct TransposeLowering : OpRewritePattern<TransposeOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(TransposeOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value init = emptyLike(rewriter, loc, op.getResult().getType());
    auto transpose = rewriter.create<linalg::TransposeOp>(
        loc, op.getInput(), init, op.getEffectivePermutation());
    rewriter.replaceOp(op, transpose->getResults());
    return success();
  }
};

/// fm.slice: a strided tensor.extract_slice, a view after bufferization.
struct SliceLowering : OpRewritePattern<SliceOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(SliceOp op,
                                PatternRewriter &rewriter) const override {
    MLIRContext *context = op.getContext();
    auto type = op.getResult().getType();
    rewriter.replaceOpWithNewOp<tensor::ExtractSliceOp>(
        op, type, op.getInput(), getAsIndexOpFoldResult(context, op.getStart()),
        getAsIndexOpFoldResult(context, type.getShape()),
        getAsIndexOpFoldResult(context, op.getEffectiveStride()));
    return success();
  }
};

/// fm.pad: zeros, then the input inserted at `low` with stride
/// `interior + 1`, where the matching fm.slice would read it back.
struct PadLowering : OpRewritePattern<PadOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(PadOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *context = op.getContext();
    auto type = op.getResult().getType();
    Value zero = rewriter.create<arith::ConstantOp>(
        loc, rewriter.getZeroAttr(type.getElementType()));
    Value zeros =
        rewriter
            .create<linalg::FillOp>(loc, ValueRange{zero},
                                    ValueRange{emptyLike(rewriter, loc, type)})
            .getResult(0);
    SmallVector<int64_t> strides = op.getEffectiveInterior();
    for (int64_t &stride : strides)
      ++stride;
    rewriter.replaceOpWithNewOp<tensor::InsertSliceOp>(
        op, op.getInput(), zeros, getAsIndexOpFoldResult(context, op.getLow()),
        getAsIndexOpFoldResult(context, op.getInput().getType().getShape()),
        getAsIndexOpFoldResult(context, strides));
    return success();
  }
};

/// fm.concat: each input inserted at its running offset along the axis.
struct ConcatLowering : OpRewritePattern<ConcatOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(ConcatOp op,
                                PatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *context = op.getContext();
    auto type = op.getResult().getType();
    const int64_t axis = op.getNormalizedAxis();
    Value result = emptyLike(rewriter, loc, type);
    SmallVector<int64_t> offsets(type.getRank(), 0);
    SmallVector<int64_t> strides(type.getRank(), 1);
    for (Value input : op.getInputs()) {
      ArrayRef<int64_t> shape =
          cast<RankedTensorType>(input.getType()).getShape();
      result = rewriter.create<tensor::InsertSliceOp>(
          loc, input, result, getAsIndexOpFoldResult(context, offsets),
          getAsIndexOpFoldResult(context, shape),
          getAsIndexOpFoldResult(context, strides));
      offsets[axis] += shape[axis];
    }
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// Registers an ElementwiseLowering of OpTy with semantics `fn`.
template <typename OpTy>
void addElementwise(RewritePatternSet &patterns, ScalarFn fn,
                    ElementMode mode = ElementMode::Compute) {
  patterns.add<ElementwiseLowering<OpTy>>(patterns.getContext(), fn, mode);
}

} // namespace

void populateElementwiseLoweringPatterns(RewritePatternSet &patterns) {
  using FP = arith::CmpFPredicate;
  using IP = arith::CmpIPredicate;
  addElementwise<AddOp>(patterns, arithmetic<arith::AddFOp, arith::AddIOp>);
  addElementwise<SubOp>(patterns, arithmetic<arith::SubFOp, arith::SubIOp>);
  addElementwise<MulOp>(patterns, arithmetic<arith::MulFOp, arith::MulIOp>);
  addElementwise<DivOp>(patterns, floatBinary<arith::DivFOp>);
  addElementwise<PowOp>(patterns, floatBinary<math::PowFOp>);
  addElementwise<MaxOp>(patterns, pick<FP::OGT, IP::sgt>);
  addElementwise<MinOp>(patterns, pick<FP::OLT, IP::slt>);
  addElementwise<EqOp>(patterns, compare<FP::OEQ, IP::eq>);
  addElementwise<NeOp>(patterns, compare<FP::UNE, IP::ne>);
  addElementwise<LtOp>(patterns, compare<FP::OLT, IP::slt>);
  addElementwise<LeOp>(patterns, compare<FP::OLE, IP::sle>);
  addElementwise<GtOp>(patterns, compare<FP::OGT, IP::sgt>);
  addElementwise<GeOp>(patterns, compare<FP::OGE, IP::sge>);
  addElementwise<SelectOp>(patterns, select, ElementMode::Raw);
  addElementwise<BroadcastToOp>(patterns, identity, ElementMode::Raw);
  addElementwise<NegOp>(patterns, negate);
  addElementwise<AbsOp>(patterns, absolute);
  addElementwise<ExpOp>(patterns, mathUnary<math::ExpOp>);
  addElementwise<LogOp>(patterns, mathUnary<math::LogOp>);
  addElementwise<SqrtOp>(patterns, mathUnary<math::SqrtOp>);
  addElementwise<TanhOp>(patterns, mathUnary<math::TanhOp>);
  addElementwise<RsqrtOp>(patterns, rsqrt);
  addElementwise<SigmoidOp>(patterns, sigmoid);
  addElementwise<ReluOp>(patterns, relu);
  addElementwise<SiluOp>(patterns, silu);
  addElementwise<GeluOp>(patterns, gelu);
  addElementwise<GeluGradOp>(patterns, geluGrad);
  patterns.add<CastLowering, ConcatLowering, ConstantLowering, IotaLowering,
               PadLowering, ReshapeLowering, SliceLowering, TransposeLowering>(
      patterns.getContext());
}

} // namespace fm

//===- NarrowFloats.cpp - Exact bf16/f16/FP8 conversions in IR ------------===//
//
// The arith transcription of runtime/lib/Numerics.cpp. Every conversion works
// on the integer bits (arith.bitcast to and from i32/i16/i8), so the result
// never depends on how LLVM or the host converts floats: LLVM has no FP8
// types at all, and its f16/bf16 conversions (libgcc calls or F16C
// instructions) need not treat NaN payloads as the runtime does.
//
// Each function mirrors the C++ function of the same role; the comments name
// it, and the tests compare both on every narrow bit pattern.
//
//===----------------------------------------------------------------------===//

#include "codegen/NarrowFloats.h"

#include "mlir/Dialect/Arith/IR/Arith.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/Support/MathExtras.h"

#include <cmath>

using namespace mlir;

namespace {

/// The parameters of a narrow binary float format.
struct NarrowFormat {
  unsigned width;    // total bits
  int mantBits;      // stored mantissa bits
  int expBits;       // exponent field bits
  int bias;          // exponent bias
  bool ieeeSpecials; // all-ones exponent means inf/NaN (f16, E5M2)
};

constexpr NarrowFormat kF16{16, 10, 5, 15, true};
constexpr NarrowFormat kE4M3{8, 3, 4, 7, false};
constexpr NarrowFormat kE5M2{8, 2, 5, 15, true};

constexpr uint32_t kF32SignMask = 0x80000000u;
constexpr uint32_t kF32Inf = 0x7f800000u;

/// Creates the i32 arithmetic of the conversions with little ceremony.
class Bits {
public:
  Bits(OpBuilder &builder, Location loc) : b(builder), loc(loc) {}

  /// An i32 constant, created once per conversion; `value` may be given as
  /// the unsigned bit pattern.
  Value c(int64_t value) {
    value = llvm::SignExtend64(static_cast<uint64_t>(value), 32);
    Value &constant = constants[value];
    if (!constant)
      constant = b.create<arith::ConstantIntOp>(loc, value, 32);
    return constant;
  }
  Value add(Value x, Value y) { return b.create<arith::AddIOp>(loc, x, y); }
  Value sub(Value x, Value y) { return b.create<arith::SubIOp>(loc, x, y); }
  Value band(Value x, Value y) { return b.create<arith::AndIOp>(loc, x, y); }
  Value bor(Value x, Value y) { return b.create<arith::OrIOp>(loc, x, y); }
  Value shl(Value x, Value y) { return b.create<arith::ShLIOp>(loc, x, y); }
  Value shr(Value x, Value y) { return b.create<arith::ShRUIOp>(loc, x, y); }
  Value cmp(arith::CmpIPredicate predicate, Value x, Value y) {
    return b.create<arith::CmpIOp>(loc, predicate, x, y);
  }
  Value select(Value condition, Value x, Value y) {
    return b.create<arith::SelectOp>(loc, condition, x, y);
  }
  Value umin(Value x, Value y) { return b.create<arith::MinUIOp>(loc, x, y); }
  Value smin(Value x, Value y) { return b.create<arith::MinSIOp>(loc, x, y); }
  Value bitcast(Type type, Value x) {
    return b.create<arith::BitcastOp>(loc, type, x);
  }
  Value zext(Type type, Value x) {
    return b.create<arith::ExtUIOp>(loc, type, x);
  }
  Value trunc(Type type, Value x) {
    return b.create<arith::TruncIOp>(loc, type, x);
  }

  OpBuilder &b;
  Location loc;

private:
  llvm::DenseMap<int64_t, Value> constants;
};

using P = arith::CmpIPredicate;

/// Numerics.cpp's roundMagnitude: rounds the finite, non-negative f32 whose
/// bits are `absBits` (i32) to nearest-even in `format` and returns the
/// magnitude code, which exceeds the largest finite code on overflow.
///
/// The C++ takes one of two branches, normal or subnormal in the target; here
/// both are one computation whose shift and leading bits are selected, since
/// they differ only in those. The C++ caps the subnormal shift at 63 and
/// works in 64 bits; the significand has 24 bits, so any shift of 25 or more
/// already gives code 0 with rest < half, and capping at 25 keeps everything
/// in i32 with the same result.
Value roundMagnitude(Bits &x, Value absBits, const NarrowFormat &format) {
  const int minNormalExp = 1 - format.bias;
  Value f32Exp = x.shr(absBits, x.c(23));
  Value f32Mant = x.band(absBits, x.c(0x7fffff));
  Value isF32Subnormal = x.cmp(P::eq, f32Exp, x.c(0));
  // Unbiased exponent; an f32 subnormal is 0.mant * 2^-126.
  Value exp = x.select(isF32Subnormal, x.c(-126), x.sub(f32Exp, x.c(127)));
  Value sig = x.select(isF32Subnormal, f32Mant, x.bor(f32Mant, x.c(0x800000)));
  Value isNormal = x.cmp(P::sge, exp, x.c(minNormalExp));

  // Normal in the target: the exponent field over the top mantBits of the
  // f32 mantissa. Subnormal: the value in units of the smallest subnormal.
  Value normalShift = x.c(23 - format.mantBits);
  Value subnormalShift = x.smin(
      x.add(x.c(23 - format.mantBits + minNormalExp), x.sub(x.c(0), exp)),
      x.c(25));
  Value shift = x.select(isNormal, normalShift, subnormalShift);
  Value source = x.select(isNormal, f32Mant, sig);
  Value lead = x.select(
      isNormal, x.shl(x.add(exp, x.c(format.bias)), x.c(format.mantBits)),
      x.c(0));
  Value code = x.bor(lead, x.shr(source, shift));
  Value one = x.c(1);
  Value rest = x.band(source, x.sub(x.shl(one, shift), one));
  Value half = x.shl(one, x.sub(shift, one));

  // Round to nearest, ties to even; a carry out of the mantissa bumps the
  // exponent field, as in the C++.
  Value odd = x.cmp(P::ne, x.band(code, one), x.c(0));
  Value roundUp =
      x.bor(x.cmp(P::ugt, rest, half), x.band(x.cmp(P::eq, rest, half), odd));
  return x.select(roundUp, x.add(code, one), code);
}

/// Numerics.cpp's floatToF16 and floatToFP8 on the f32 bits `bits` (i32):
/// the code of the narrow value, as an i32.
Value narrowCode(Bits &x, Value bits, const NarrowFormat &format) {
  const int magnitudeBits = format.width - 1;
  Value sign = x.shr(x.band(bits, x.c(kF32SignMask)), x.c(32 - format.width));
  Value absBits = x.band(bits, x.c(~kF32SignMask & 0xffffffffu));
  Value isNaN = x.cmp(P::ugt, absBits, x.c(kF32Inf));
  Value isInf = x.cmp(P::eq, absBits, x.c(kF32Inf));
  Value rounded = roundMagnitude(x, absBits, format);
  Value code, nanCode;
  if (format.width == 16) {
    // f16 follows IEEE: overflow and inf give inf; a NaN keeps the top
    // payload bits and gets the quiet bit.
    Value inf = x.c(0x7c00);
    code = x.umin(x.select(isInf, inf, rounded), inf);
    nanCode = x.bor(x.c(0x7e00), x.band(x.shr(absBits, x.c(13)), x.c(0x3ff)));
  } else {
    // FP8 saturates finite overflow and inf to the largest finite code
    // (CUDA's __NV_SATFINITE); NaN is all ones in both formats.
    Value maxCode = x.c(format.ieeeSpecials ? 0x7b : 0x7e);
    code = x.umin(x.select(isInf, maxCode, rounded), maxCode);
    nanCode = x.c((1 << magnitudeBits) - 1);
  }
  return x.bor(sign, x.select(isNaN, nanCode, code));
}

/// Numerics.cpp's f16ToFloat, e4m3ToFloat and e5m2ToFloat on the code
/// `code` (i32): the f32 bits, as an i32. E5M2 is the top byte of an f16, so
/// its direct decoding here gives the same bits as the C++ route via f16.
Value wideBits(Bits &x, Value code, const NarrowFormat &format) {
  const int magnitudeBits = format.width - 1;
  const int mantShift = 23 - format.mantBits;
  Value sign = x.shl(x.shr(code, x.c(magnitudeBits)), x.c(31));
  Value exp =
      x.band(x.shr(code, x.c(format.mantBits)), x.c((1 << format.expBits) - 1));
  Value mant = x.band(code, x.c((1 << format.mantBits) - 1));
  Value isZeroExp = x.cmp(P::eq, exp, x.c(0));

  Value normal =
      x.bor(sign, x.bor(x.shl(x.add(exp, x.c(127 - format.bias)), x.c(23)),
                        x.shl(mant, x.c(mantShift))));
  // Subnormal: mant * 2^(1 - bias - mantBits), exact in f32; the sign is
  // or-ed in, which is what negating the magnitude does (also for zero).
  Type f32 = x.b.getF32Type();
  Value magnitude = x.b.create<arith::MulFOp>(
      x.loc, x.b.create<arith::UIToFPOp>(x.loc, f32, mant),
      x.b.create<arith::ConstantOp>(
          x.loc, x.b.getF32FloatAttr(
                     std::ldexp(1.0f, 1 - format.bias - format.mantBits))));
  Value subnormal = x.bor(sign, x.bitcast(x.b.getI32Type(), magnitude));
  Value result = x.select(isZeroExp, subnormal, normal);

  Value allOnesExp = x.c((1 << format.expBits) - 1);
  if (format.ieeeSpecials) {
    // inf, or NaN with its payload kept (and not quieted).
    Value special =
        x.bor(sign, x.bor(x.c(kF32Inf), x.shl(mant, x.c(mantShift))));
    return x.select(x.cmp(P::eq, exp, allOnesExp), special, result);
  }
  // E4M3FN: only S.1111.111 is special, a quiet NaN; the other codes of the
  // top exponent are normal numbers up to 448.
  Value isNaN = x.cmp(P::eq, x.band(code, x.c((1 << magnitudeBits) - 1)),
                      x.c((1 << magnitudeBits) - 1));
  return x.select(isNaN, x.bor(sign, x.c(0x7fc00000)), result);
}

const NarrowFormat *formatOf(Type type) {
  if (type.isF16())
    return &kF16;
  if (type.isFloat8E4M3FN())
    return &kE4M3;
  if (type.isFloat8E5M2())
    return &kE5M2;
  return nullptr;
}

} // namespace

bool fm::isNarrowFloat(Type type) {
  return type.isBF16() || formatOf(type) != nullptr;
}

Value fm::widenToF32(OpBuilder &builder, Location loc, Value value) {
  Type type = value.getType();
  if (type.isF32())
    return value;
  assert(isNarrowFloat(type) && "widenToF32 takes f32 or a narrow float");
  Bits x(builder, loc);
  Type i32 = builder.getI32Type();
  Value code = x.zext(
      i32,
      x.bitcast(builder.getIntegerType(type.getIntOrFloatBitWidth()), value));
  Value bits =
      type.isBF16() ? x.shl(code, x.c(16)) : wideBits(x, code, *formatOf(type));
  return x.bitcast(builder.getF32Type(), bits);
}

Value fm::narrowFromF32(OpBuilder &builder, Location loc, Value value,
                        Type type) {
  assert(value.getType().isF32() && "narrowFromF32 takes an f32 value");
  if (type.isF32())
    return value;
  assert(isNarrowFloat(type) && "narrowFromF32 makes f32 or a narrow float");
  Bits x(builder, loc);
  Value bits = x.bitcast(builder.getI32Type(), value);
  Value code;
  if (type.isBF16()) {
    // floatToBF16: bf16 shares f32's exponent range, so RNE on the low 16
    // bits is the whole job (a carry overflows to inf); NaN is quieted.
    Value high = x.shr(bits, x.c(16));
    Value roundingBias = x.add(x.c(0x7fff), x.band(high, x.c(1)));
    Value rounded = x.shr(x.add(bits, roundingBias), x.c(16));
    Value isNaN = x.cmp(P::ugt, x.band(bits, x.c(~kF32SignMask & 0xffffffffu)),
                        x.c(kF32Inf));
    code = x.select(isNaN, x.bor(high, x.c(0x40)), rounded);
  } else {
    code = narrowCode(x, bits, *formatOf(type));
  }
  unsigned width = type.getIntOrFloatBitWidth();
  return x.bitcast(type, x.trunc(builder.getIntegerType(width), code));
}

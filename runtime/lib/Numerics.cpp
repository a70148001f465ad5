//===- Numerics.cpp - Exact narrow floating-point conversions -------------===//
//
// All conversions work on the integer bits of the float so that they do not
// depend on the host's FP environment or on compiler support for _Float16 /
// __bf16, and so that the same algorithm can be emitted as bit arithmetic by
// the code generators.
//
//===----------------------------------------------------------------------===//

#include "fmrt/Numerics.h"

#include <cstring>

namespace fmrt {

namespace {

uint32_t bitsOf(float value) {
  uint32_t bits;
  std::memcpy(&bits, &value, sizeof(bits));
  return bits;
}

float floatOf(uint32_t bits) {
  float value;
  std::memcpy(&value, &bits, sizeof(value));
  return value;
}

constexpr uint32_t kF32SignMask = 0x80000000u;
constexpr uint32_t kF32Inf = 0x7f800000u;

/// Rounds a finite, non-negative f32 (given by its bits) to nearest-even in a
/// binary format with `mantBits` stored mantissa bits and exponent bias
/// `bias`, which must have a narrower exponent range than f32. Returns the
/// magnitude code (exponent field << mantBits | mantissa); values too large
/// for the format give codes past its largest finite one (callers saturate or
/// produce inf), since a carry out of the mantissa bumps the exponent field.
uint32_t roundMagnitude(uint32_t absBits, int mantBits, int bias) {
  const int f32Exp = static_cast<int>(absBits >> 23);
  const uint32_t f32Mant = absBits & 0x7fffffu;
  // Unbiased exponent and the significand with its implicit bit; an f32
  // subnormal is 0.mant * 2^-126.
  const int exp = f32Exp == 0 ? -126 : f32Exp - 127;
  const uint64_t sig = f32Exp == 0 ? f32Mant : (f32Mant | 0x800000u);
  const int minNormalExp = 1 - bias;

  uint32_t code;
  uint64_t rest, half;
  if (exp >= minNormalExp) {
    // Normal in the target: keep the top mantBits of the f32 mantissa.
    const int shift = 23 - mantBits;
    code = (static_cast<uint32_t>(exp + bias) << mantBits) |
           static_cast<uint32_t>(f32Mant >> shift);
    rest = f32Mant & ((uint64_t{1} << shift) - 1);
    half = uint64_t{1} << (shift - 1);
  } else {
    // Subnormal in the target: the code is the value in units of the
    // smallest subnormal, 2^(minNormalExp - mantBits). Beyond a 63-bit shift
    // the value is far below half a unit; capping keeps the shifts defined
    // and still rounds to zero because rest < half.
    int shift = 23 - mantBits + (minNormalExp - exp);
    if (shift > 63)
      shift = 63;
    code = static_cast<uint32_t>(sig >> shift);
    rest = sig & ((uint64_t{1} << shift) - 1);
    half = uint64_t{1} << (shift - 1);
  }
  // Round to nearest, ties to even. A subnormal that rounds up to 2^mantBits
  // is exactly the smallest normal's code.
  if (rest > half || (rest == half && (code & 1u)))
    ++code;
  return code;
}

/// Shared float -> FP8 conversion with OCP saturation: `maxCode` is the
/// largest finite magnitude code and `nanCode` the NaN produced (sign kept).
uint8_t floatToFP8(float value, int mantBits, int bias, uint32_t maxCode,
                   uint32_t nanCode) {
  const uint32_t bits = bitsOf(value);
  const uint32_t sign = (bits & kF32SignMask) >> 24;
  const uint32_t absBits = bits & ~kF32SignMask;
  if (absBits > kF32Inf)
    return static_cast<uint8_t>(sign | nanCode);
  // +-inf saturates too, like CUDA's __NV_SATFINITE.
  uint32_t code =
      absBits == kF32Inf ? maxCode : roundMagnitude(absBits, mantBits, bias);
  if (code > maxCode)
    code = maxCode;
  return static_cast<uint8_t>(sign | code);
}

} // namespace

// E4M3FN: S.EEEE.MMM, bias 7; S.1111.111 is NaN, so the top finite code is
// 0x7E = 1.75 * 2^8 = 448.
uint8_t floatToE4M3(float value) { return floatToFP8(value, 3, 7, 0x7e, 0x7f); }

// E5M2: S.EEEEE.MM, bias 15, IEEE-like; the top finite code is 0x7B = 57344.
// NaN is all ones (as for E4M3FN and CUDA's canonical FP8 NaN).
uint8_t floatToE5M2(float value) {
  return floatToFP8(value, 2, 15, 0x7b, 0x7f);
}

float e4m3ToFloat(uint8_t bits) {
  const uint32_t sign = static_cast<uint32_t>(bits & 0x80u) << 24;
  const uint32_t exp = (bits >> 3) & 0xfu;
  const uint32_t mant = bits & 0x7u;
  if (exp == 0xf && mant == 0x7)
    return floatOf(sign | 0x7fc00000u);
  if (exp == 0) {
    // Subnormal: mant * 2^-9, exact in f32.
    const float magnitude = static_cast<float>(mant) * 0x1p-9f;
    return sign ? -magnitude : magnitude;
  }
  return floatOf(sign | ((exp - 7 + 127) << 23) | (mant << 20));
}

// E5M2 has f16's exponent layout, so it is exactly the top byte of an f16.
float e5m2ToFloat(uint8_t bits) {
  return f16ToFloat(static_cast<uint16_t>(bits << 8));
}

uint16_t floatToBF16(float value) {
  const uint32_t bits = bitsOf(value);
  if ((bits & ~kF32SignMask) > kF32Inf)
    return static_cast<uint16_t>((bits >> 16) | 0x0040u); // quiet the NaN
  // bf16 shares f32's exponent range, so RNE on the low 16 bits is the whole
  // job; a carry rolls into the exponent and overflows to inf as IEEE wants.
  const uint32_t roundingBias = 0x7fffu + ((bits >> 16) & 1u);
  return static_cast<uint16_t>((bits + roundingBias) >> 16);
}

float bf16ToFloat(uint16_t bits) {
  return floatOf(static_cast<uint32_t>(bits) << 16);
}

uint16_t floatToF16(float value) {
  const uint32_t bits = bitsOf(value);
  const uint32_t sign = (bits & kF32SignMask) >> 16;
  const uint32_t absBits = bits & ~kF32SignMask;
  if (absBits > kF32Inf) // NaN: keep the top payload bits, set the quiet bit.
    return static_cast<uint16_t>(sign | 0x7e00u | ((absBits >> 13) & 0x3ffu));
  uint32_t code =
      absBits == kF32Inf ? 0x7c00u : roundMagnitude(absBits, 10, 15);
  if (code > 0x7c00u)
    code = 0x7c00u; // IEEE overflow goes to inf
  return static_cast<uint16_t>(sign | code);
}

float f16ToFloat(uint16_t bits) {
  const uint32_t sign = static_cast<uint32_t>(bits & 0x8000u) << 16;
  const uint32_t exp = (bits >> 10) & 0x1fu;
  const uint32_t mant = bits & 0x3ffu;
  if (exp == 0x1f) // inf, or NaN with its payload kept
    return floatOf(sign | kF32Inf | (mant << 13));
  if (exp == 0) {
    // Subnormal: mant * 2^-24, exact in f32.
    const float magnitude = static_cast<float>(mant) * 0x1p-24f;
    return sign ? -magnitude : magnitude;
  }
  return floatOf(sign | ((exp - 15 + 127) << 23) | (mant << 13));
}

} // namespace fmrt

//===- NumericsTest.cpp - FP8 / bf16 / f16 conversions --------------------===//
//
// Checks the conversions against references written here from the format
// definitions (OCP FP8, IEEE 754) with ldexp and exhaustive search, not from
// the bit tricks the library uses.
//
//===----------------------------------------------------------------------===//

#include "fmrt/Numerics.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

using namespace fmrt;

namespace {

enum class Special {
  E4M3FN, // no infinities; only S.1111.111 is NaN
  IEEE,   // all-ones exponent: infinity (mantissa 0) or NaN
};

/// A binary format and the library's conversions for it. `saturate`: finite
/// overflow and infinities go to +-max (FP8) instead of inf (IEEE).
struct Format {
  const char *name;
  int expBits, mantBits, bias;
  Special special;
  bool saturate;
  uint32_t (*encode)(float);
  float (*decode)(uint32_t);

  int totalBits() const { return 1 + expBits + mantBits; }
  uint32_t signBit() const { return 1u << (expBits + mantBits); }
  uint32_t numCodes() const { return 1u << totalBits(); }
  /// Largest finite magnitude code.
  uint32_t maxCode() const {
    const uint32_t allOnesExp = ((1u << expBits) - 1) << mantBits;
    return special == Special::E4M3FN ? allOnesExp | ((1u << mantBits) - 2)
                                      : allOnesExp - 1;
  }
  uint32_t infCode() const { return ((1u << expBits) - 1) << mantBits; }
};

const Format kE4M3 = {"E4M3FN",
                      4,
                      3,
                      7,
                      Special::E4M3FN,
                      true,
                      [](float f) -> uint32_t { return floatToE4M3(f); },
                      [](uint32_t c) { return e4m3ToFloat(uint8_t(c)); }};
const Format kE5M2 = {"E5M2",
                      5,
                      2,
                      15,
                      Special::IEEE,
                      true,
                      [](float f) -> uint32_t { return floatToE5M2(f); },
                      [](uint32_t c) { return e5m2ToFloat(uint8_t(c)); }};
const Format kF16 = {"F16",
                     5,
                     10,
                     15,
                     Special::IEEE,
                     false,
                     [](float f) -> uint32_t { return floatToF16(f); },
                     [](uint32_t c) { return f16ToFloat(uint16_t(c)); }};
const Format kBF16 = {"BF16",
                      8,
                      7,
                      127,
                      Special::IEEE,
                      false,
                      [](float f) -> uint32_t { return floatToBF16(f); },
                      [](uint32_t c) { return bf16ToFloat(uint16_t(c)); }};

/// The value of `code` straight from the format definition.
double refDecode(const Format &fmt, uint32_t code) {
  const bool negative = code & fmt.signBit();
  const uint32_t exp = (code >> fmt.mantBits) & ((1u << fmt.expBits) - 1);
  const uint32_t mant = code & ((1u << fmt.mantBits) - 1);
  const uint32_t maxExp = (1u << fmt.expBits) - 1;
  double magnitude;
  if (fmt.special == Special::E4M3FN && exp == maxExp &&
      mant == (1u << fmt.mantBits) - 1)
    magnitude = std::numeric_limits<double>::quiet_NaN();
  else if (fmt.special == Special::IEEE && exp == maxExp)
    magnitude = mant ? std::numeric_limits<double>::quiet_NaN()
                     : std::numeric_limits<double>::infinity();
  else if (exp == 0) // subnormal: 0.mant * 2^(1 - bias)
    magnitude = std::ldexp(double(mant), 1 - fmt.bias - fmt.mantBits);
  else // normal: 1.mant * 2^(exp - bias)
    magnitude = std::ldexp(double((1u << fmt.mantBits) | mant),
                           int(exp) - fmt.bias - fmt.mantBits);
  return negative ? -magnitude : magnitude;
}

bool isNaNCode(const Format &fmt, uint32_t code) {
  return std::isnan(refDecode(fmt, code));
}

/// Round-to-nearest-even by exhaustive search over the format's magnitude
/// codes (monotone in value, so the neighbours are found by bisection).
uint32_t refEncode(const Format &fmt, float value) {
  const uint32_t sign = std::signbit(value) ? fmt.signBit() : 0;
  const double x = std::fabs(double(value));
  const uint32_t maxCode = fmt.maxCode();
  const double maxValue = refDecode(fmt, maxCode);
  if (x >= maxValue) {
    if (fmt.saturate)
      return sign | maxCode;
    // IEEE: the next value would be 2^(emax + 1), whose mantissa (0) is
    // even, so the halfway point already overflows to inf.
    const double next = std::ldexp(1.0, (1 << fmt.expBits) - 1 - fmt.bias);
    return sign | (x >= (maxValue + next) / 2 ? fmt.infCode() : maxCode);
  }
  // Largest code whose value is <= x.
  uint32_t lo = 0, hi = maxCode;
  while (lo < hi) {
    const uint32_t mid = (lo + hi + 1) / 2;
    if (refDecode(fmt, mid) <= x)
      lo = mid;
    else
      hi = mid - 1;
  }
  const double below = refDecode(fmt, lo), above = refDecode(fmt, lo + 1);
  // x lies in [below, above] with above <= 2 * below (or below == 0), so
  // these differences are exact.
  const double dBelow = x - below, dAbove = above - x;
  if (dBelow < dAbove)
    return sign | lo;
  if (dAbove < dBelow)
    return sign | (lo + 1);
  return sign | ((lo & 1) ? lo + 1 : lo);
}

uint32_t bitsOf(float f) {
  uint32_t b;
  std::memcpy(&b, &f, sizeof(b));
  return b;
}

float floatOf(uint32_t b) {
  float f;
  std::memcpy(&f, &b, sizeof(f));
  return f;
}

/// The value halfway between `code` and `code + 1`, which is exact in f32
/// (it needs one more mantissa bit than the format has); computed in double
/// because the sum of the two can overflow f32 for bf16.
float midpoint(const Format &fmt, uint32_t code) {
  const double mid =
      (double(fmt.decode(code)) + double(fmt.decode(code + 1))) / 2;
  EXPECT_EQ(double(float(mid)), mid);
  return float(mid);
}

constexpr float kInf = std::numeric_limits<float>::infinity();

class NumericsTest : public ::testing::TestWithParam<const Format *> {};

TEST_P(NumericsTest, DecodesEveryCodeExactly) {
  const Format &fmt = *GetParam();
  for (uint32_t code = 0; code < fmt.numCodes(); ++code) {
    const double expected = refDecode(fmt, code);
    const float actual = fmt.decode(code);
    if (std::isnan(expected)) {
      EXPECT_TRUE(std::isnan(actual)) << "code " << code;
    } else {
      EXPECT_EQ(double(actual), expected) << "code " << code;
      EXPECT_EQ(std::signbit(actual), std::signbit(expected))
          << "code " << code;
    }
  }
}

TEST_P(NumericsTest, EveryNonNaNCodeRoundTrips) {
  const Format &fmt = *GetParam();
  for (uint32_t code = 0; code < fmt.numCodes(); ++code) {
    if (isNaNCode(fmt, code))
      continue;
    const float value = fmt.decode(code);
    if (std::isinf(value) && fmt.saturate) {
      // E5M2 has infinities but conversion saturates them.
      EXPECT_EQ(fmt.encode(value), (code & fmt.signBit()) | fmt.maxCode());
      continue;
    }
    EXPECT_EQ(fmt.encode(value), code) << "code " << code;
  }
}

TEST_P(NumericsTest, MidpointsRoundToEven) {
  const Format &fmt = *GetParam();
  for (uint32_t code = 0; code < fmt.maxCode(); ++code) {
    // Both neighbours are exact in f32, and so is their midpoint.
    const float mid = midpoint(fmt, code);
    const uint32_t even = (code & 1) ? code + 1 : code;
    for (const uint32_t sign : {0u, fmt.signBit()}) {
      const float s = sign ? -1.0f : 1.0f;
      EXPECT_EQ(fmt.encode(s * mid), sign | even) << "code " << code;
      EXPECT_EQ(fmt.encode(s * std::nextafter(mid, 0.0f)), sign | code)
          << "code " << code;
      EXPECT_EQ(fmt.encode(s * std::nextafter(mid, kInf)), sign | (code + 1))
          << "code " << code;
    }
  }
}

TEST_P(NumericsTest, OverflowAndInfinity) {
  const Format &fmt = *GetParam();
  const float maxValue = fmt.decode(fmt.maxCode());
  // Halfway between max and the next value the format would have: half an
  // ulp of max above it (464 for E4M3FN, 61440 for E5M2, 65520 for f16).
  const float halfway =
      maxValue + std::ldexp(1.0f, std::ilogb(maxValue) - fmt.mantBits - 1);
  const uint32_t overflow = fmt.saturate ? fmt.maxCode() : fmt.infCode();
  for (const uint32_t sign : {0u, fmt.signBit()}) {
    const float s = sign ? -1.0f : 1.0f;
    EXPECT_EQ(fmt.encode(s * std::nextafter(halfway, 0.0f)),
              sign | fmt.maxCode());
    EXPECT_EQ(fmt.encode(s * halfway), sign | overflow);
    EXPECT_EQ(fmt.encode(s * std::numeric_limits<float>::max()),
              sign | overflow);
    EXPECT_EQ(fmt.encode(s * kInf),
              sign | (fmt.saturate ? fmt.maxCode() : fmt.infCode()));
  }
}

TEST_P(NumericsTest, NaNStaysNaN) {
  const Format &fmt = *GetParam();
  // Quiet, signalling and payload-only-in-low-bits NaNs of both signs; a
  // naive truncation would turn 0x7f800001 into an infinity.
  for (const uint32_t bits : {0x7fc00000u, 0x7f800001u, 0x7fa00000u,
                              0x7fffffffu, 0xffc00000u, 0xff800001u}) {
    const uint32_t code = fmt.encode(floatOf(bits));
    EXPECT_TRUE(isNaNCode(fmt, code)) << std::hex << bits << " -> " << code;
    EXPECT_EQ(bool(code & fmt.signBit()), bool(bits >> 31)) << std::hex << bits;
  }
}

TEST_P(NumericsTest, TinyValuesFlushToSignedZero) {
  const Format &fmt = *GetParam();
  const float smallest = fmt.decode(1);
  // Exactly half the smallest subnormal ties to the even code, zero.
  EXPECT_EQ(fmt.encode(smallest / 2), 0u);
  EXPECT_EQ(fmt.encode(-smallest / 2), fmt.signBit());
  EXPECT_EQ(fmt.encode(std::nextafter(smallest / 2, 1.0f)), 1u);
  for (const float tiny :
       {smallest / 4, std::numeric_limits<float>::denorm_min(), 1e-45f, 0.0f}) {
    EXPECT_EQ(fmt.encode(tiny), 0u) << tiny;
    EXPECT_EQ(fmt.encode(-tiny), fmt.signBit()) << tiny;
  }
}

TEST_P(NumericsTest, MatchesExhaustiveSearchOnRandomFloats) {
  const Format &fmt = *GetParam();
  std::mt19937_64 rng(12345);
  const float maxValue = fmt.decode(fmt.maxCode());
  const int minExp = 1 - fmt.bias - fmt.mantBits - 2;
  std::uniform_int_distribution<int> expDist(minExp,
                                             int(std::ilogb(maxValue)) + 2);
  std::uniform_real_distribution<float> sigDist(1.0f, 2.0f);
  for (int i = 0; i < 200000; ++i) {
    float value;
    if (i % 2) {
      // Any f32 bit pattern: all exponents, f32 subnormals included.
      value = floatOf(uint32_t(rng()));
      if (std::isnan(value))
        continue;
    } else {
      // Concentrated on the format's own range, where rounding is subtle.
      value = std::ldexp(sigDist(rng), expDist(rng));
      if (rng() & 1)
        value = -value;
    }
    ASSERT_EQ(fmt.encode(value), refEncode(fmt, value))
        << fmt.name << " " << std::hexfloat << value;
  }
  // f32 subnormals (bf16 has subnormals of its own in this range).
  for (uint32_t bits = 1; bits < 0x800000u; bits += 1237) {
    ASSERT_EQ(fmt.encode(floatOf(bits)), refEncode(fmt, floatOf(bits)))
        << std::hex << bits;
    ASSERT_EQ(fmt.encode(-floatOf(bits)), refEncode(fmt, -floatOf(bits)))
        << std::hex << bits;
  }
}

TEST_P(NumericsTest, MatchesExhaustiveSearchAtMidpoints) {
  const Format &fmt = *GetParam();
  for (uint32_t code = 0; code < fmt.maxCode(); ++code) {
    const float mid = midpoint(fmt, code);
    for (const float v :
         {mid, std::nextafter(mid, 0.0f), std::nextafter(mid, kInf), -mid})
      ASSERT_EQ(fmt.encode(v), refEncode(fmt, v))
          << fmt.name << " " << std::hexfloat << v;
  }
}

INSTANTIATE_TEST_SUITE_P(Formats, NumericsTest,
                         ::testing::Values(&kE4M3, &kE5M2, &kF16, &kBF16),
                         [](const auto &info) {
                           return std::string(info.param->name);
                         });

// Spot checks with the numbers written out, as a reader would check them.
TEST(NumericsSpotTest, E4M3) {
  EXPECT_EQ(floatToE4M3(1.0f), 0x38);
  EXPECT_EQ(floatToE4M3(-2.0f), 0xC0);
  EXPECT_EQ(floatToE4M3(448.0f), 0x7E);
  EXPECT_EQ(floatToE4M3(460.0f), 0x7E);
  EXPECT_EQ(floatToE4M3(464.0f), 0x7E); // would round to 480: saturates
  EXPECT_EQ(floatToE4M3(480.0f), 0x7E);
  EXPECT_EQ(floatToE4M3(-1e9f), 0xFE);
  EXPECT_EQ(floatToE4M3(kInf), 0x7E);
  EXPECT_EQ(floatToE4M3(std::nanf("")), 0x7F);
  EXPECT_EQ(floatToE4M3(-std::nanf("")), 0xFF);
  EXPECT_EQ(floatToE4M3(0x1p-9f), 0x01);  // smallest subnormal
  EXPECT_EQ(floatToE4M3(0x1p-10f), 0x00); // tie -> even (zero)
  EXPECT_EQ(floatToE4M3(0x3p-10f), 0x02); // tie between 1 and 2 -> 2
  EXPECT_EQ(floatToE4M3(0x7p-9f), 0x07);  // largest subnormal
  EXPECT_EQ(floatToE4M3(0xfp-10f), 0x08); // tie 7/8 -> smallest normal
  EXPECT_EQ(floatToE4M3(-0.0f), 0x80);
  EXPECT_EQ(e4m3ToFloat(0x7E), 448.0f);
  EXPECT_EQ(e4m3ToFloat(0x08), 0x1p-6f);
}

TEST(NumericsSpotTest, E5M2) {
  EXPECT_EQ(floatToE5M2(1.0f), 0x3C);
  EXPECT_EQ(floatToE5M2(57344.0f), 0x7B);
  EXPECT_EQ(floatToE5M2(61439.0f), 0x7B);
  EXPECT_EQ(floatToE5M2(61440.0f), 0x7B); // would round to inf: saturates
  EXPECT_EQ(floatToE5M2(-kInf), 0xFB);
  EXPECT_EQ(floatToE5M2(std::nanf("")), 0x7F);
  EXPECT_EQ(floatToE5M2(-std::nanf("")), 0xFF);
  EXPECT_EQ(floatToE5M2(0x1p-16f), 0x01);
  EXPECT_EQ(floatToE5M2(0x1p-17f), 0x00);
  EXPECT_EQ(floatToE5M2(-0x1p-18f), 0x80);
  EXPECT_TRUE(std::isinf(e5m2ToFloat(0x7C)));
  EXPECT_EQ(e5m2ToFloat(0x7B), 57344.0f);
}

TEST(NumericsSpotTest, BF16AndF16) {
  EXPECT_EQ(floatToBF16(1.0f), 0x3F80);
  EXPECT_EQ(floatToBF16(1.0f + 0x1p-8f), 0x3F80); // tie -> even
  EXPECT_EQ(floatToBF16(1.0f + 0x3p-8f), 0x3F82); // tie -> even (up)
  EXPECT_EQ(floatToBF16(std::numeric_limits<float>::max()), 0x7F80);
  EXPECT_EQ(floatToBF16(floatOf(0x7f800001u)) & 0x7FC0, 0x7FC0);
  EXPECT_EQ(floatToF16(1.0f), 0x3C00);
  EXPECT_EQ(floatToF16(65504.0f), 0x7BFF);
  EXPECT_EQ(floatToF16(65519.0f), 0x7BFF);
  EXPECT_EQ(floatToF16(65520.0f), 0x7C00); // halfway to 2^16 -> inf
  EXPECT_EQ(floatToF16(0x1p-24f), 0x0001);
  EXPECT_EQ(floatToF16(0x1p-25f), 0x0000);
  EXPECT_EQ(floatToF16(-0x1p-26f), 0x8000);
  EXPECT_EQ(floatToF16(std::nanf("")) & 0x7E00, 0x7E00);
  EXPECT_EQ(f16ToFloat(0x3555), 0x1.554p-2f);
  EXPECT_EQ(bitsOf(bf16ToFloat(0x8000)), 0x80000000u);
}

} // namespace

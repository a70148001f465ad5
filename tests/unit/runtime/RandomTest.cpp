//===- RandomTest.cpp - Seeded random numbers -----------------------------===//

#include "fmrt/Random.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

using namespace fmrt;

namespace {

// Reference values from an independent implementation of splitmix64 and
// xoshiro256** (Blackman & Vigna). These pin the sequence: checkpoints store
// the state and rely on it.
TEST(RandomTest, MatchesReferenceSequence) {
  Random zero(0);
  EXPECT_EQ(zero.state()[0], 0xe220a8397b1dcdafull); // splitmix64(0)
  EXPECT_EQ(zero.state()[3], 0xf88bb8a8724c81ecull);
  for (uint64_t want : {0x99ec5f36cb75f2b4ull, 0xbf6e1f784956452aull,
                        0x1a5f849d4933e6e0ull, 0x6aa594f1262d2d2cull})
    EXPECT_EQ(zero.nextU64(), want);
  Random r42(42);
  for (uint64_t want : {0x15780b2e0c2ec716ull, 0x6104d9866d113a7eull,
                        0xae17533239e499a1ull, 0xecb8ad4703b360a1ull})
    EXPECT_EQ(r42.nextU64(), want);
}

TEST(RandomTest, SameSeedSameSequence) {
  Random a(123), b(123), c(124);
  bool differs = false;
  for (int i = 0; i < 1000; ++i) {
    const uint64_t x = a.nextU64();
    EXPECT_EQ(x, b.nextU64());
    differs |= x != c.nextU64();
  }
  EXPECT_TRUE(differs);
}

TEST(RandomTest, RestoredStateContinuesIdentically) {
  Random a(99);
  for (int i = 0; i < 17; ++i)
    a.normal();
  const std::array<uint64_t, 4> saved = a.state();
  std::vector<double> expected;
  for (int i = 0; i < 100; ++i) {
    expected.push_back(a.uniform());
    expected.push_back(a.normal());
    expected.push_back(double(a.below(1000)));
  }
  Random b(5);
  b.setState(saved);
  for (size_t i = 0; i < expected.size(); i += 3) {
    EXPECT_EQ(b.uniform(), expected[i]);
    EXPECT_EQ(b.normal(), expected[i + 1]);
    EXPECT_EQ(double(b.below(1000)), expected[i + 2]);
  }
}

TEST(RandomTest, UniformIsTheTop53Bits) {
  Random a(8), b(8);
  for (int i = 0; i < 10000; ++i) {
    const double u = a.uniform();
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
    EXPECT_EQ(u, std::ldexp(double(b.nextU64() >> 11), -53));
  }
}

TEST(RandomTest, BelowStaysInRangeAndCoversIt) {
  Random r(1);
  EXPECT_EQ(r.below(1), 0u);
  int counts[10] = {};
  const int n = 100000;
  for (int i = 0; i < n; ++i) {
    const uint64_t v = r.below(10);
    ASSERT_LT(v, 10u);
    ++counts[v];
  }
  // Each bucket expects 10000 with a standard deviation under 100.
  for (int c : counts)
    EXPECT_NEAR(c, n / 10, 600);
  // A bound just over 2^63 rejects about half the raw draws.
  const uint64_t big = (uint64_t{1} << 63) + 1;
  for (int i = 0; i < 1000; ++i)
    ASSERT_LT(r.below(big), big);
}

TEST(RandomTest, NormalHasZeroMeanAndUnitVariance) {
  Random r(2024);
  const int n = 100000;
  double sum = 0, sumSq = 0;
  for (int i = 0; i < n; ++i) {
    const double x = r.normal();
    ASSERT_TRUE(std::isfinite(x));
    sum += x;
    sumSq += x * x;
  }
  const double mean = sum / n;
  const double variance = sumSq / n - mean * mean;
  // Standard errors: 0.0032 for the mean, 0.0045 for the variance.
  EXPECT_NEAR(mean, 0.0, 0.02);
  EXPECT_NEAR(variance, 1.0, 0.03);
}

} // namespace

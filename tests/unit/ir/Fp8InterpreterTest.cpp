//===- Fp8InterpreterTest.cpp - The interpreter's FP8 ops -----------------===//
//
// fm.quantize / fm.dequantize at every granularity, fm.scaled_matmul, and
// COAT's dynamic range expansion, against references written here with
// explicit loops over (outer, group, element-in-group, inner) positions;
// only the scalar FP8 roundings come from fmrt's numerics, which
// NumericsTest checks on every code. Then the properties range expansion is
// for: bounded round-trip error, lower error than plain per-group scaling
// on moment-like data, and the documented rule for degenerate groups.
//
//===----------------------------------------------------------------------===//

#include "ir/interp/Interpreter.h"
#include "tests/unit/FmProgramTest.h"

#include "fmrt/Numerics.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

using fmrt::DType;
using fmrt::Shape;
using fmrt::Tensor;

namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();
constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

Tensor f32Tensor(const Shape &shape, const std::vector<float> &values) {
  Tensor tensor(DType::F32, shape);
  EXPECT_EQ(static_cast<int64_t>(values.size()), tensor.numElements());
  std::memcpy(tensor.dataAs<float>(), values.data(),
              values.size() * sizeof(float));
  return tensor;
}

std::vector<float> floats(const Tensor &tensor) {
  std::vector<float> values;
  for (int64_t i = 0; i < tensor.numElements(); ++i)
    values.push_back(static_cast<float>(tensor.getDouble(i)));
  return values;
}

std::vector<uint8_t> codes(const Tensor &tensor) {
  const auto *bytes = tensor.dataAs<uint8_t>();
  return std::vector<uint8_t>(bytes, bytes + tensor.numElements());
}

/// Moment-like data: signs mixed, magnitudes log-uniform over `decades`.
std::vector<float> wideRange(size_t count, double decades, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> exponent(-decades, 0.0);
  std::bernoulli_distribution negative(0.5);
  std::vector<float> values(count);
  for (float &value : values)
    value = static_cast<float>((negative(rng) ? -1 : 1) *
                               std::pow(10.0, exponent(rng)));
  return values;
}

/// A [outer, extent, inner] view of a tensor grouped along its middle axis
/// in groups of `group`: the flat index of element `e` of group `g`.
struct GroupedView {
  int64_t outer, extent, inner, group;
  int64_t groups() const { return outer * (extent / group) * inner; }
  /// Group number `(o, j, i)` for outer o, group j along the axis, inner i.
  int64_t groupNumber(int64_t o, int64_t j, int64_t i) const {
    return (o * (extent / group) + j) * inner + i;
  }
  int64_t element(int64_t o, int64_t j, int64_t e, int64_t i) const {
    return (o * extent + j * group + e) * inner + i;
  }
  template <typename F> void forEachGroup(F f) const {
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t j = 0; j < extent / group; ++j)
        for (int64_t i = 0; i < inner; ++i) {
          std::vector<int64_t> members;
          for (int64_t e = 0; e < group; ++e)
            members.push_back(element(o, j, e, i));
          f(groupNumber(o, j, i), members);
        }
  }
};

class Fp8InterpreterTest : public fm::testing::FmProgramTest {
protected:
  std::vector<Tensor> run(const std::string &source,
                          const std::vector<Tensor> &inputs) {
    if (!parse(source))
      return {};
    fm::Interpreter interpreter(*module, {});
    auto results = interpreter.run("main", inputs);
    if (failed(results)) {
      ADD_FAILURE() << diagnostics;
      return {};
    }
    return std::move(*results);
  }
};

TEST_F(Fp8InterpreterTest, QuantizeAndDequantizeEveryGranularity) {
  // [2, 8, 3] grouped along the middle axis by 4 (1 x 4 groups crossing
  // the inner axis), along the last axis... and per tensor.
  const Shape shape = {2, 8, 3};
  std::vector<float> x = wideRange(48, 3, 1);
  x[5] = 1e6f; // saturates in its group
  struct Case {
    std::string attrs, scaleType;
    GroupedView view;
  };
  const Case cases[] = {
      {"group 4 axis 1", "tensor<2x2x3xf32>", {2, 8, 3, 4}},
      {"group 4 axis -2", "tensor<2x2x3xf32>", {2, 8, 3, 4}},
      {"group 3", "tensor<2x8x1xf32>", {16, 3, 1, 3}},
      {"", "tensor<f32>", {1, 48, 1, 48}},
  };
  for (const Case &c : cases) {
    SCOPED_TRACE(c.attrs.empty() ? "per tensor" : c.attrs);
    for (const char *fp8 : {"f8E4M3FN", "f8E5M2"}) {
      SCOPED_TRACE(fp8);
      const bool e4m3 = std::string(fp8) == "f8E4M3FN";
      std::vector<float> scales(c.view.groups());
      for (size_t g = 0; g < scales.size(); ++g)
        scales[g] = 0.01f * static_cast<float>(g + 1);
      Shape scaleShape;
      if (!c.attrs.empty())
        scaleShape = c.view.inner == 1 ? Shape{2, 8, 1} : Shape{2, 2, 3};
      const std::string source =
          "func.func @main(%x: tensor<2x8x3xf32>, %s: " + c.scaleType +
          ") -> (tensor<2x8x3x" + fp8 +
          ">, tensor<2x8x3xf32>) {\n"
          "  %q = fm.quantize %x, %s " +
          c.attrs + " : tensor<2x8x3xf32>, " + c.scaleType +
          " -> tensor<2x8x3x" + fp8 +
          ">\n"
          "  %d = fm.dequantize %q, %s " +
          c.attrs + " : tensor<2x8x3x" + fp8 + ">, " + c.scaleType +
          " -> tensor<2x8x3xf32>\n"
          "  return %q, %d : tensor<2x8x3x" +
          fp8 + ">, tensor<2x8x3xf32>\n}\n";
      std::vector<Tensor> results =
          run(source, {f32Tensor(shape, x), f32Tensor(scaleShape, scales)});
      ASSERT_EQ(results.size(), 2u);
      std::vector<uint8_t> q = codes(results[0]);
      std::vector<float> d = floats(results[1]);
      c.view.forEachGroup([&](int64_t g, const std::vector<int64_t> &members) {
        for (int64_t index : members) {
          const float quotient = x[index] / scales[g];
          const uint8_t want =
              e4m3 ? fmrt::floatToE4M3(quotient) : fmrt::floatToE5M2(quotient);
          ASSERT_EQ(q[index], want) << "element " << index;
          const float decoded =
              e4m3 ? fmrt::e4m3ToFloat(want) : fmrt::e5m2ToFloat(want);
          ASSERT_EQ(d[index], decoded * scales[g]) << "element " << index;
        }
      });
      // 1e6 is beyond the largest finite value times any scale here.
      const float fmax = e4m3 ? fmrt::kE4M3Max : fmrt::kE5M2Max;
      EXPECT_EQ(e4m3 ? fmrt::e4m3ToFloat(q[5]) : fmrt::e5m2ToFloat(q[5]), fmax);
    }
  }
}

TEST_F(Fp8InterpreterTest, ScaledMatmulAccumulatesInF32ThenScales) {
  // [2, 3, 5] (E5M2, transposed) x [4, 5] (E4M3, transposed) -> [2, 3, 4]
  // ... written as lhs [2, 5, 3] with transpose_a and rhs [4, 5] with
  // transpose_b, so every index path of the op is used.
  std::vector<float> a = wideRange(30, 2, 2), b = wideRange(20, 2, 3);
  std::vector<uint8_t> aCodes, bCodes;
  for (float v : a)
    aCodes.push_back(fmrt::floatToE5M2(v * 8));
  for (float v : b)
    bCodes.push_back(fmrt::floatToE4M3(v * 100));
  Tensor lhs(DType::F8E5M2, Shape{2, 5, 3}), rhs(DType::F8E4M3FN, Shape{4, 5});
  std::memcpy(lhs.dataAs<uint8_t>(), aCodes.data(), aCodes.size());
  std::memcpy(rhs.dataAs<uint8_t>(), bCodes.data(), bCodes.size());
  const float sa = 0.125f, sb = 0.01f;
  std::vector<Tensor> results = run(
      "func.func @main(%a: tensor<2x5x3xf8E5M2>, %sa: tensor<f32>, "
      "%b: tensor<4x5xf8E4M3FN>, %sb: tensor<f32>) -> tensor<2x3x4xbf16> {\n"
      "  %y = fm.scaled_matmul %a, %sa, %b, %sb transpose_a transpose_b : "
      "tensor<2x5x3xf8E5M2>, tensor<4x5xf8E4M3FN> -> tensor<2x3x4xbf16>\n"
      "  return %y : tensor<2x3x4xbf16>\n}\n",
      {lhs, f32Tensor({}, {sa}), rhs, f32Tensor({}, {sb})});
  ASSERT_EQ(results.size(), 1u);
  std::vector<float> y = floats(results[0]);
  for (int64_t batch = 0; batch < 2; ++batch)
    for (int64_t m = 0; m < 3; ++m)
      for (int64_t n = 0; n < 4; ++n) {
        float acc = 0;
        for (int64_t k = 0; k < 5; ++k)
          acc += fmrt::e5m2ToFloat(aCodes[(batch * 5 + k) * 3 + m]) *
                 fmrt::e4m3ToFloat(bCodes[n * 5 + k]);
        const float want =
            fmrt::bf16ToFloat(fmrt::floatToBF16(acc * (sa * sb)));
        EXPECT_EQ(y[(batch * 3 + m) * 4 + n], want)
            << "at " << batch << ", " << m << ", " << n;
      }
}

/// fm.quantize_expanded's steps, written again.
struct Expanded {
  std::vector<uint8_t> q;
  std::vector<float> scale, exponent, centre;
};

Expanded referenceExpand(const std::vector<float> &x, const GroupedView &view) {
  Expanded out;
  out.q.resize(x.size());
  out.scale.resize(view.groups());
  out.exponent.resize(view.groups());
  out.centre.resize(view.groups());
  const float fmax = fmrt::kE4M3Max;
  view.forEachGroup([&](int64_t g, const std::vector<int64_t> &members) {
    float largest = 0, smallest = kInf;
    bool finite = true;
    for (int64_t i : members) {
      const float m = std::fabs(x[i]);
      if (!std::isfinite(m)) {
        finite = false;
        continue;
      }
      largest = std::max(largest, m);
      if (m != 0)
        smallest = std::min(smallest, m);
    }
    const float hi = largest + 1e-30f;
    const float lo = std::isfinite(smallest) ? smallest + 1e-30f : hi;
    float k = 1, c = 1, scale;
    if (finite && hi / lo > 1) {
      k = std::floor(std::log2(fmax * fmax / 2) / std::log2(hi / lo) * 16) / 16;
      k = std::min(std::max(k, 1.0f / 16), 16.0f);
      c = std::sqrt(hi) * std::sqrt(lo);
      scale = std::pow(hi / c, k) / fmax;
    } else {
      scale = hi / fmax;
    }
    out.scale[g] = scale;
    out.exponent[g] = k;
    out.centre[g] = c;
    for (int64_t i : members)
      out.q[i] = fmrt::floatToE4M3(
          std::copysign(std::pow(std::fabs(x[i]) / c, k), x[i]) / scale);
  });
  return out;
}

class RangeExpansionTest : public Fp8InterpreterTest {
protected:
  /// Runs quantize_expanded then dequantize_expanded on [rows, cols] `x`,
  /// groups of `group` along the last axis.
  std::vector<Tensor> roundTrip(const std::vector<float> &x, int64_t rows,
                                int64_t cols, int64_t group) {
    const std::string data =
        "tensor<" + std::to_string(rows) + "x" + std::to_string(cols) + "xf32>";
    const std::string fp8 = "tensor<" + std::to_string(rows) + "x" +
                            std::to_string(cols) + "xf8E4M3FN>";
    const std::string meta = "tensor<" + std::to_string(rows) + "x" +
                             std::to_string(cols / group) + "xf32>";
    const std::string g = std::to_string(group);
    return run("func.func @main(%x: " + data + ") -> (" + fp8 + ", " + meta +
                   ", " + meta + ", " + meta + ", " + data +
                   ") {\n"
                   "  %q, %s, %k, %c = fm.quantize_expanded %x group " +
                   g + " : " + data + " -> " + fp8 + ", " + meta +
                   "\n"
                   "  %d = fm.dequantize_expanded %q, %s, %k, %c group " +
                   g + " : " + fp8 + ", " + meta + " -> " + data +
                   "\n"
                   "  return %q, %s, %k, %c, %d : " +
                   fp8 + ", " + meta + ", " + meta + ", " + meta + ", " + data +
                   "\n}\n",
               {f32Tensor({rows, cols}, x)});
  }
};

TEST_F(RangeExpansionTest, MatchesTheReferenceBitForBit) {
  std::vector<float> x = wideRange(4 * 256, 5, 4);
  std::vector<Tensor> results = roundTrip(x, 4, 256, 128);
  ASSERT_EQ(results.size(), 5u);
  Expanded want = referenceExpand(x, {4, 256, 1, 128});
  EXPECT_EQ(codes(results[0]), want.q);
  EXPECT_EQ(floats(results[1]), want.scale);
  EXPECT_EQ(floats(results[2]), want.exponent);
  EXPECT_EQ(floats(results[3]), want.centre);
  std::vector<float> d = floats(results[4]);
  for (size_t i = 0; i < x.size(); ++i) {
    const int64_t g = static_cast<int64_t>(i) / 128;
    const float q = fmrt::e4m3ToFloat(want.q[i]);
    const float expected = std::copysign(
        std::pow(std::fabs(q * want.scale[g]), 1.0f / want.exponent[g]) *
            want.centre[g],
        q);
    ASSERT_EQ(d[i], expected) << "element " << i;
  }
}

TEST_F(RangeExpansionTest, LowersTheErrorOfNarrowRangeGroups) {
  // Magnitudes over 1.5 decades per group, as Adam's moments within 128
  // neighbours often are: plain 1 x 128 scaling leaves most of E4M3's range
  // unused, expansion (k > 1) spreads the group over it, and the k-th root
  // divides the relative rounding error by k.
  std::vector<float> x = wideRange(8 * 128, 1.5, 5);
  std::vector<Tensor> results = roundTrip(x, 8, 128, 128);
  ASSERT_EQ(results.size(), 5u);
  std::vector<uint8_t> q = codes(results[0]);
  std::vector<float> k = floats(results[2]), expanded = floats(results[4]);
  std::vector<float> scales(8, 0);
  for (int r = 0; r < 8; ++r)
    for (int c = 0; c < 128; ++c)
      scales[r] = std::max(scales[r], std::fabs(x[r * 128 + c]) / 448);
  std::vector<Tensor> plain =
      run("func.func @main(%x: tensor<8x128xf32>, %s: tensor<8x1xf32>) -> "
          "tensor<8x128xf32> {\n"
          "  %q = fm.quantize %x, %s group 128 : tensor<8x128xf32>, "
          "tensor<8x1xf32> -> tensor<8x128xf8E4M3FN>\n"
          "  %d = fm.dequantize %q, %s group 128 : tensor<8x128xf8E4M3FN>, "
          "tensor<8x1xf32> -> tensor<8x128xf32>\n"
          "  return %d : tensor<8x128xf32>\n}\n",
          {f32Tensor({8, 128}, x), f32Tensor({8, 1}, scales)});
  ASSERT_EQ(plain.size(), 1u);
  std::vector<float> direct = floats(plain[0]);
  double expandedError = 0, directError = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    const double e = (expanded[i] - x[i]) / x[i], p = (direct[i] - x[i]) / x[i];
    expandedError += e * e;
    directError += p * p;
    // Where the expanded value is a normal E4M3 number its relative
    // rounding error is at most 2^-4, and 2^-4 / k after the root.
    const int64_t group = static_cast<int64_t>(i) / 128;
    if (std::fabs(fmrt::e4m3ToFloat(q[i])) >= std::ldexp(1.0f, -6))
      ASSERT_LE(std::fabs(e), 1.01 * std::ldexp(1.0, -4) / k[group])
          << "element " << i << " (k = " << k[group] << ")";
  }
  expandedError /= x.size();
  directError /= x.size();
  for (float exponent : k)
    EXPECT_GT(exponent, 1.0f) << "a narrow range is expanded";
  EXPECT_LT(expandedError, directError / 4)
      << "expanded " << expandedError << " vs plain " << directError;
  std::printf("mean squared relative error: plain 1x128 %.4g, expanded "
              "%.4g (k = %.4g .. %.4g)\n",
              directError, expandedError, *std::min_element(k.begin(), k.end()),
              *std::max_element(k.begin(), k.end()));
}

TEST_F(RangeExpansionTest, DegenerateGroupsFollowTheDocumentedRule) {
  // Four groups of 8: all zeros; one magnitude with both signs; holding an
  // infinity and a NaN; and barely-different magnitudes (R just above 1,
  // where k is clamped to 16).
  std::vector<float> x(32, 0.0f);
  for (int i = 8; i < 16; ++i)
    x[i] = (i % 2 ? -1 : 1) * 0.375f;
  for (int i = 16; i < 24; ++i)
    x[i] = 0.5f * static_cast<float>(i - 15);
  x[17] = kInf;
  x[18] = kNaN;
  for (int i = 24; i < 32; ++i)
    x[i] = std::nextafter(2.0f, 3.0f) * ((i % 2) ? 1.0f : -1.0f);
  x[24] = 2.0f;
  std::vector<Tensor> results = roundTrip(x, 1, 32, 8);
  ASSERT_EQ(results.size(), 5u);
  std::vector<float> scale = floats(results[1]), k = floats(results[2]),
                     c = floats(results[3]), d = floats(results[4]);
  // All zeros: plain scaling of 1e-30, zeros back.
  EXPECT_EQ(k[0], 1.0f);
  EXPECT_EQ(c[0], 1.0f);
  EXPECT_EQ(scale[0], 1e-30f / 448);
  for (int i = 0; i < 8; ++i)
    EXPECT_EQ(d[i], 0.0f) << i;
  // One magnitude: plain scaling, the values come back.
  EXPECT_EQ(k[1], 1.0f);
  for (int i = 8; i < 16; ++i)
    EXPECT_NEAR(d[i], x[i], 1e-6) << i;
  // Non-finite: plain scaling by the finite maximum (4.0); inf saturates,
  // NaN stays NaN, the rest round to E4M3.
  EXPECT_EQ(k[2], 1.0f);
  EXPECT_EQ(scale[2], (4.0f + 1e-30f) / 448);
  EXPECT_EQ(d[17], 448 * scale[2]);
  EXPECT_TRUE(std::isnan(d[18]));
  for (int i = 19; i < 24; ++i)
    EXPECT_NEAR(d[i], x[i], x[i] / 16) << i;
  // R barely above 1: k clamped to 16, nothing NaN, values back closely.
  EXPECT_EQ(k[3], 16.0f);
  for (int i = 24; i < 32; ++i) {
    EXPECT_FALSE(std::isnan(d[i])) << i;
    EXPECT_NEAR(d[i], x[i], 1e-3) << i;
  }
}

} // namespace

//===- FastMathTest.cpp - fm-cpu-fast-math's accuracy ---------------------===//
//
// The compiled CPU backend computes f32 tanh with a rational approximation
// (fm-cpu-fast-math). This measures it against tanh in double on a
// dense sweep and on special values, and pins the bound the pass's
// documentation states.
//
//===----------------------------------------------------------------------===//

#include "tests/unit/FmProgramTest.h"

#include "codegen/cpu/JitModule.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

namespace {

/// Distance in f32 units in the last place from `value` to the f32 nearest
/// `exact`.
double ulpError(float value, double exact) {
  const float nearest = static_cast<float>(exact);
  const float ulp = std::nextafter(std::fabs(nearest),
                                   std::numeric_limits<float>::infinity()) -
                    std::fabs(nearest);
  return std::fabs(static_cast<double>(value) - nearest) / ulp;
}

class FastMathTest : public fm::testing::FmProgramTest {};

TEST_F(FastMathTest, TanhIsWithinAFewUlpsOfTheTrueValue) {
  constexpr int64_t kCount = 1 << 20;
  const std::string program = "func.func @f(%x: tensor<" +
                              std::to_string(kCount) + "xf32>) -> tensor<" +
                              std::to_string(kCount) +
                              "xf32> {\n"
                              "  %y = fm.tanh %x : tensor<" +
                              std::to_string(kCount) +
                              "xf32>\n"
                              "  return %y : tensor<" +
                              std::to_string(kCount) + "xf32>\n}\n";
  ASSERT_TRUE(parse(program));
  mlir::FailureOr<std::unique_ptr<fm::cpu::JitModule>> jit =
      fm::cpu::JitModule::compile(*module);
  ASSERT_TRUE(succeeded(jit)) << diagnostics;

  // A dense sweep of [-10, 10], where tanh saturates in f32, with the
  // specials in the first slots.
  const float specials[] = {0.0f,
                            -0.0f,
                            1e-30f,
                            -3e-6f,
                            std::numeric_limits<float>::denorm_min(),
                            std::numeric_limits<float>::infinity(),
                            -std::numeric_limits<float>::infinity(),
                            std::numeric_limits<float>::quiet_NaN(),
                            std::numeric_limits<float>::max(),
                            -std::numeric_limits<float>::max()};
  constexpr int64_t kSpecials = std::size(specials);
  fmrt::Tensor input(fmrt::DType::F32, fmrt::Shape{kCount});
  float *x = input.dataAs<float>();
  std::memcpy(x, specials, sizeof(specials));
  for (int64_t i = kSpecials; i < kCount; ++i)
    x[i] = -10.0f + 20.0f * static_cast<float>(i - kSpecials) /
                        static_cast<float>(kCount - kSpecials);

  mlir::FailureOr<std::vector<fmrt::Tensor>> results = (*jit)->run("f", input);
  ASSERT_TRUE(succeeded(results)) << diagnostics;
  const float *y = (*results)[0].dataAs<float>();

  EXPECT_TRUE(std::isnan(y[7])) << "tanh(NaN)";
  EXPECT_EQ(y[5], 1.0f) << "tanh(+inf)";
  EXPECT_EQ(y[6], -1.0f) << "tanh(-inf)";
  EXPECT_EQ(y[8], 1.0f) << "tanh(max)";
  EXPECT_EQ(y[9], -1.0f) << "tanh(-max)";
  double worstUlps = 0, worstAbsolute = 0;
  float worstAt = 0;
  for (int64_t i = 0; i < kCount; ++i) {
    if (i >= 5 && i < kSpecials)
      continue;
    const double exact = std::tanh(static_cast<double>(x[i]));
    const double ulps = ulpError(y[i], exact);
    if (ulps > worstUlps) {
      worstUlps = ulps;
      worstAt = x[i];
    }
    worstAbsolute = std::max(worstAbsolute, std::fabs(y[i] - exact));
  }
  // The bound fm-cpu-fast-math documents; libm's tanhf is within 1.
  EXPECT_LE(worstUlps, 5.0) << "at x = " << worstAt;
  EXPECT_LE(worstAbsolute, 3e-7);
  std::printf("tanh approximation: worst %.2f ulp (at x = %g), worst absolute "
              "error %.3g\n",
              worstUlps, worstAt, worstAbsolute);
}

TEST_F(FastMathTest, ExpKeepsLibmBitsAcrossTheUnderflowGuard) {
  ASSERT_TRUE(parse("func.func @f(%x: tensor<4096xf32>) -> tensor<4096xf32> {\n"
                    "  %y = fm.exp %x : tensor<4096xf32>\n"
                    "  return %y : tensor<4096xf32>\n}\n"));
  mlir::FailureOr<std::unique_ptr<fm::cpu::JitModule>> jit =
      fm::cpu::JitModule::compile(*module);
  ASSERT_TRUE(succeeded(jit)) << diagnostics;
  fmrt::Tensor input(fmrt::DType::F32, fmrt::Shape{4096});
  float *x = input.dataAs<float>();
  // Around the guard's bound (-104) and the subnormal range, far below it
  // (masked scores), the specials, and the rest of the range.
  const float specials[] = {-1e9f,
                            -104.0f,
                            std::nextafter(-104.0f, 0.0f),
                            std::nextafter(-104.0f, -200.0f),
                            -103.97f,
                            -87.5f,
                            0.0f,
                            -0.0f,
                            88.8f,
                            std::numeric_limits<float>::infinity(),
                            -std::numeric_limits<float>::infinity(),
                            std::numeric_limits<float>::quiet_NaN()};
  std::memcpy(x, specials, sizeof(specials));
  for (int64_t i = std::size(specials); i < 4096; ++i)
    x[i] = -120.0f + 210.0f * static_cast<float>(i) / 4096.0f;
  mlir::FailureOr<std::vector<fmrt::Tensor>> results = (*jit)->run("f", input);
  ASSERT_TRUE(succeeded(results)) << diagnostics;
  const float *y = (*results)[0].dataAs<float>();
  for (int64_t i = 0; i < 4096; ++i) {
    const float want = std::exp(x[i]);
    if (std::isnan(want)) {
      EXPECT_TRUE(std::isnan(y[i])) << "exp(" << x[i] << ")";
      continue;
    }
    EXPECT_EQ(std::memcmp(&y[i], &want, sizeof(float)), 0)
        << "exp(" << x[i] << ") = " << y[i] << ", libm gives " << want;
  }
}

} // namespace

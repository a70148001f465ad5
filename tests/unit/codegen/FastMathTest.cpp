//===- FastMathTest.cpp - fm-cpu-fast-math's accuracy ---------------------===//
//
// The compiled CPU backend computes f32 exp and tanh with vectorizable
// approximations (fm-cpu-fast-math). This measures them against the true
// values (in double) on dense sweeps and checks the special values, pinning
// the bounds the pass documents; and checks that with approximations off,
// exp gives libm's bits, underflow guard included.
//
//===----------------------------------------------------------------------===//

#include "tests/unit/FmProgramTest.h"

#include "codegen/cpu/JitModule.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();
constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

/// Distance from `value` to the f32 nearest `exact`, in units in the last
/// place of that f32 (subnormal spacing below the normal range).
double ulpError(float value, double exact) {
  const float nearest = static_cast<float>(exact);
  const float ulp =
      std::nextafter(std::fabs(nearest), kInf) - std::fabs(nearest);
  return std::fabs(static_cast<double>(value) - nearest) / ulp;
}

struct Accuracy {
  double worstUlps = 0;
  float worstAt = 0;
};

class FastMathTest : public fm::testing::FmProgramTest {
protected:
  /// `fm.<op>` of `inputs`, compiled for the CPU with `options`.
  std::vector<float> run(const std::string &op,
                         const std::vector<float> &inputs,
                         const fm::cpu::CpuPipelineOptions &options = {}) {
    const std::string type =
        "tensor<" + std::to_string(inputs.size()) + "xf32>";
    if (!parse("func.func @f(%x: " + type + ") -> " + type + " {\n  %y = fm." +
               op + " %x : " + type + "\n  return %y : " + type + "\n}\n"))
      return {};
    mlir::FailureOr<std::unique_ptr<fm::cpu::JitModule>> jit =
        fm::cpu::JitModule::compile(*module, options);
    if (failed(jit)) {
      ADD_FAILURE() << diagnostics;
      return {};
    }
    fmrt::Tensor input(fmrt::DType::F32,
                       fmrt::Shape{static_cast<int64_t>(inputs.size())});
    std::memcpy(input.dataAs<float>(), inputs.data(),
                inputs.size() * sizeof(float));
    mlir::FailureOr<std::vector<fmrt::Tensor>> results =
        (*jit)->run("f", input);
    if (failed(results)) {
      ADD_FAILURE() << diagnostics;
      return {};
    }
    const float *y = (*results)[0].dataAs<float>();
    return std::vector<float>(y, y + inputs.size());
  }

  /// `count` evenly spaced values from `low` to `high`.
  static std::vector<float> sweep(float low, float high, int64_t count) {
    std::vector<float> values(count);
    for (int64_t i = 0; i < count; ++i)
      values[i] = low + (high - low) * static_cast<float>(i) /
                            static_cast<float>(count - 1);
    return values;
  }

  /// The worst error of `outputs` against `exact` of `inputs`.
  template <typename Exact>
  static Accuracy measure(const std::vector<float> &inputs,
                          const std::vector<float> &outputs, Exact exact) {
    Accuracy accuracy;
    for (size_t i = 0; i < inputs.size(); ++i) {
      const double ulps =
          ulpError(outputs[i], exact(static_cast<double>(inputs[i])));
      if (ulps > accuracy.worstUlps)
        accuracy = {ulps, inputs[i]};
    }
    return accuracy;
  }
};

TEST_F(FastMathTest, TanhIsWithinFiveUlpsOfTheTrueValue) {
  std::vector<float> inputs = sweep(-10, 10, 1 << 20);
  inputs.insert(inputs.end(), {0.0f, -0.0f, 1e-30f, -3e-6f,
                               std::numeric_limits<float>::denorm_min()});
  std::vector<float> outputs = run("tanh", inputs);
  ASSERT_EQ(outputs.size(), inputs.size());
  Accuracy accuracy =
      measure(inputs, outputs, [](double x) { return std::tanh(x); });
  double worstAbsolute = 0;
  for (size_t i = 0; i < inputs.size(); ++i)
    worstAbsolute = std::max(
        worstAbsolute, std::fabs(static_cast<double>(outputs[i]) -
                                 std::tanh(static_cast<double>(inputs[i]))));
  // The bounds fm-cpu-fast-math documents; libm's tanhf is within 1 ulp.
  EXPECT_LE(accuracy.worstUlps, 5.0) << "at x = " << accuracy.worstAt;
  EXPECT_LE(worstAbsolute, 3e-7);
  std::printf("tanh: worst %.2f ulp (at x = %g), worst absolute error %.3g\n",
              accuracy.worstUlps, accuracy.worstAt, worstAbsolute);

  std::vector<float> specials = {kInf, -kInf, kNaN,
                                 std::numeric_limits<float>::max(),
                                 -std::numeric_limits<float>::max()};
  std::vector<float> special = run("tanh", specials);
  ASSERT_EQ(special.size(), specials.size());
  EXPECT_EQ(special[0], 1.0f);
  EXPECT_EQ(special[1], -1.0f);
  EXPECT_TRUE(std::isnan(special[2]));
  EXPECT_EQ(special[3], 1.0f);
  EXPECT_EQ(special[4], -1.0f);
}

TEST_F(FastMathTest, ExpIsWithinOneUlpOfTheTrueValue) {
  // Normal results, then subnormal ones (x below -87.34), where the error
  // is counted in subnormal steps.
  std::vector<float> inputs = sweep(-87.0f, 88.72f, 1 << 20);
  std::vector<float> outputs = run("exp", inputs);
  ASSERT_EQ(outputs.size(), inputs.size());
  Accuracy normal =
      measure(inputs, outputs, [](double x) { return std::exp(x); });
  EXPECT_LE(normal.worstUlps, 1.0) << "at x = " << normal.worstAt;

  std::vector<float> tiny = sweep(-104.0f, -87.0f, 1 << 16);
  std::vector<float> tinyOutputs = run("exp", tiny);
  ASSERT_EQ(tinyOutputs.size(), tiny.size());
  Accuracy subnormal =
      measure(tiny, tinyOutputs, [](double x) { return std::exp(x); });
  EXPECT_LE(subnormal.worstUlps, 1.0) << "at x = " << subnormal.worstAt;
  std::printf("exp: worst %.2f ulp (at x = %g); subnormal results: %.2f "
              "(at x = %g)\n",
              normal.worstUlps, normal.worstAt, subnormal.worstUlps,
              subnormal.worstAt);

  std::vector<float> specials = {0.0f,  -0.0f,   kInf,   -kInf, kNaN,    -1e9f,
                                 88.8f, -104.5f, 1e-30f, 1.0f,  88.7228f};
  std::vector<float> special = run("exp", specials);
  ASSERT_EQ(special.size(), specials.size());
  EXPECT_EQ(special[0], 1.0f);
  EXPECT_EQ(special[1], 1.0f);
  EXPECT_EQ(special[2], kInf);
  EXPECT_EQ(special[3], 0.0f);
  EXPECT_TRUE(std::isnan(special[4]));
  EXPECT_EQ(special[5], 0.0f);
  EXPECT_EQ(special[6], kInf);
  EXPECT_EQ(special[7], 0.0f);
  EXPECT_EQ(special[8], 1.0f);
  EXPECT_LE(ulpError(special[9], std::exp(1.0)), 1.0);
  EXPECT_TRUE(std::isfinite(special[10]));
}

TEST_F(FastMathTest, WithoutApproximationsExpGivesLibmBits) {
  // Around the underflow guard's bound (-104), the subnormal range, far
  // below it (masked scores), the specials, and the rest of the range.
  std::vector<float> inputs = {-1e9f,
                               -104.0f,
                               std::nextafter(-104.0f, 0.0f),
                               std::nextafter(-104.0f, -200.0f),
                               -103.97f,
                               -87.5f,
                               0.0f,
                               -0.0f,
                               88.8f,
                               kInf,
                               -kInf,
                               kNaN};
  for (float x : sweep(-120, 90, 4096))
    inputs.push_back(x);
  fm::cpu::CpuPipelineOptions options;
  options.approximate = false;
  std::vector<float> outputs = run("exp", inputs, options);
  ASSERT_EQ(outputs.size(), inputs.size());
  for (size_t i = 0; i < inputs.size(); ++i) {
    const float want = std::exp(inputs[i]);
    if (std::isnan(want)) {
      EXPECT_TRUE(std::isnan(outputs[i])) << "exp(" << inputs[i] << ")";
      continue;
    }
    EXPECT_EQ(std::memcmp(&outputs[i], &want, sizeof(float)), 0)
        << "exp(" << inputs[i] << ") = " << outputs[i] << ", libm gives "
        << want;
  }
}

} // namespace

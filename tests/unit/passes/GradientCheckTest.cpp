//===- GradientCheckTest.cpp - fm-autodiff against finite differences -----===//
//
// Every gradient rule of fm-autodiff is checked the same way: a small loss
// function is differentiated by the pass, @f_grad runs in the interpreter's
// F64 mode, and the gradient of every fm.param argument is compared with
// central finite differences of @f, also in F64 mode. Op cases take the loss
// `sum(op(...) * weights)` with random weights, so that the adjoint reaching
// the op is not uniform. Float inputs are kept away from kinks (relu, abs,
// max) and from ties.
//
// The differences use the fourth-order stencil
// (8 (f(x+h) - f(x-h)) - (f(x+2h) - f(x-2h))) / 12h. Its error is the
// truncation, O(h^4), plus the rounding noise of f, about ulp(f) / h. Small
// ops take h = 1e-6 max(1, |x|). The example models have gradients as small
// as 1e-6 against a loss of 5.5: at that step their noise alone reached 3e-3
// relative error, so they take h = 3e-3 max(1, |x|), where both terms stay
// below 2e-7.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"
#include "tests/unit/FmProgramTest.h"

#include "ir/FmOps.h"
#include "ir/interp/Interpreter.h"
#include "ir/interp/Invocation.h"

#include "fmrt/Random.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"

#include "llvm/Support/MemoryBuffer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <limits>
#include <numeric>
#include <ostream>
#include <string>
#include <vector>

using namespace mlir;
using fmrt::DType;
using fmrt::Tensor;

namespace {

constexpr double kInfinity = std::numeric_limits<double>::infinity();

struct GradCheckOptions {
  /// Draw float inputs in [0.5, 1.5] (for log, sqrt, pow ...) instead of
  /// +-[0.5, 1.5].
  bool positive = false;
  /// Keep fm::makeRandomInputs' floats (small parameters, as a model is
  /// initialized) instead of drawing them.
  bool modelInputs = false;
  /// Check at most this many random coordinates of each parameter.
  int64_t maxCoordinates = std::numeric_limits<int64_t>::max();
  /// The finite-difference step, relative to max(1, |x|).
  double step = 1e-6;
  double tolerance = 1e-6;
  uint64_t seed = 1;
};

class GradientCheckTest : public fm::testing::FmProgramTest {
protected:
  /// Parses `source`, runs fm-autodiff and checks the gradient of its first
  /// function by finite differences. Returns the largest relative error
  /// `||g_ad - g_fd|| / max(||g_fd||, tiny)` over the parameters (infinity
  /// after a failure, which is also reported).
  double checkGradients(StringRef source, const GradCheckOptions &options) {
    if (!parse(source))
      return kInfinity;
    func::FuncOp loss = *module->getOps<func::FuncOp>().begin();
    std::string lossName = loss.getSymName().str();
    PassManager pm(&context);
    pm.addPass(fm::createAutodiff());
    if (failed(pm.run(*module))) {
      ADD_FAILURE() << "fm-autodiff failed:\n" << diagnostics;
      return kInfinity;
    }
    auto grad = module->lookupSymbol<func::FuncOp>(lossName + "_grad");
    if (!grad) {
      ADD_FAILURE() << "fm-autodiff added no @" << lossName << "_grad";
      return kInfinity;
    }

    std::vector<Tensor> inputs = makeInputs(loss, options);
    fm::Interpreter interpreter(*module, {fm::Precision::F64});
    auto evaluate = [&]() {
      FailureOr<std::vector<Tensor>> results = interpreter.run(loss, inputs);
      return succeeded(results) ? results->front().getDouble(0) : kInfinity;
    };
    FailureOr<std::vector<Tensor>> gradients = interpreter.run(grad, inputs);
    if (failed(gradients)) {
      ADD_FAILURE() << "@" << lossName << "_grad failed:\n" << diagnostics;
      return kInfinity;
    }
    // The clone of the forward pass computes the very same loss.
    EXPECT_EQ((*gradients)[0].getDouble(0), evaluate());

    double worst = 0;
    fmrt::Random random(options.seed);
    size_t next = 1;
    for (auto [index, argument] : llvm::enumerate(loss.getArguments())) {
      if (!loss.getArgAttr(index, fm::FmDialect::kParamAttr) ||
          !isa<FloatType>(getElementTypeOrSelf(argument.getType())))
        continue;
      const Tensor &analytic = (*gradients)[next++];
      Tensor &x = inputs[index];
      EXPECT_EQ(analytic.shape(), x.shape());
      double errorSquares = 0, numericSquares = 0;
      for (int64_t i : pickCoordinates(x.numElements(), options, random)) {
        const double x0 = x.getDouble(i);
        const double h = options.step * std::max(1.0, std::fabs(x0));
        auto at = [&](double offset) {
          x.setDouble(i, x0 + offset);
          const double value = evaluate();
          x.setDouble(i, x0);
          return value;
        };
        const double numeric =
            (8 * (at(h) - at(-h)) - (at(2 * h) - at(-2 * h))) / (12 * h);
        errorSquares += std::pow(analytic.getDouble(i) - numeric, 2);
        numericSquares += numeric * numeric;
      }
      const double error =
          std::sqrt(errorSquares) / std::max(std::sqrt(numericSquares), 1e-12);
      EXPECT_LT(error, options.tolerance)
          << "gradient of argument #" << index << " ("
          << fm::getArgumentName(loss, index).str() << ")";
      worst = std::max(worst, error);
    }
    EXPECT_EQ(next, gradients->size());
    return worst;
  }

  /// checkGradients() of `sum(%y * weights)`, where `body` computes `%y` of
  /// type `type` from the arguments `args` of the loss function.
  double checkOp(StringRef args, StringRef body, StringRef type,
                 const GradCheckOptions &options = {}) {
    std::string source = ("func.func @f(" + args + ", %weights: " + type +
                          ") -> tensor<f32> {\n" + body +
                          "\n  %weighted = fm.mul %y, %weights : " + type +
                          "\n  %loss = fm.reduce_sum %weighted : " + type +
                          "\n  return %loss : tensor<f32>\n}\n")
                             .str();
    return checkGradients(source, options);
  }

  /// fm::makeRandomInputs (integers bounded by their uses), with floats
  /// redrawn unless `modelInputs`, and stored as f64 so that finite
  /// difference steps are not rounded.
  static std::vector<Tensor> makeInputs(func::FuncOp function,
                                        const GradCheckOptions &options) {
    std::vector<Tensor> inputs = fm::makeRandomInputs(function, options.seed);
    fmrt::Random random(options.seed + 1);
    for (Tensor &input : inputs) {
      if (!fmrt::isFloat(input.dtype()))
        continue;
      input = fmrt::convertTensor(input, DType::F64);
      if (options.modelInputs)
        continue;
      for (int64_t i = 0; i < input.numElements(); ++i) {
        const double magnitude = 0.5 + random.uniform();
        const bool negative = !options.positive && random.below(2);
        input.setDouble(i, negative ? -magnitude : magnitude);
      }
    }
    return inputs;
  }

  /// All of [0, count), or `options.maxCoordinates` of them at random.
  static std::vector<int64_t> pickCoordinates(int64_t count,
                                              const GradCheckOptions &options,
                                              fmrt::Random &random) {
    std::vector<int64_t> all(count);
    std::iota(all.begin(), all.end(), 0);
    const int64_t picked = std::min(count, options.maxCoordinates);
    for (int64_t i = 0; i < picked; ++i)
      std::swap(all[i], all[i + random.below(count - i)]);
    all.resize(picked);
    return all;
  }
};

GradCheckOptions positive() {
  GradCheckOptions options;
  options.positive = true;
  return options;
}

//===----------------------------------------------------------------------===//
// Elementwise binary ops, with broadcasting
//===----------------------------------------------------------------------===//

TEST_F(GradientCheckTest, AddBroadcastsRow) {
  checkOp("%a: tensor<3x4xf32> {fm.param}, %b: tensor<4xf32> {fm.param}",
          "%y = fm.add %a, %b : tensor<3x4xf32>, tensor<4xf32>",
          "tensor<3x4xf32>");
}

TEST_F(GradientCheckTest, AddStretchesBothOperands) {
  checkOp("%a: tensor<3x1xf32> {fm.param}, %b: tensor<1x4xf32> {fm.param}",
          "%y = fm.add %a, %b : tensor<3x1xf32>, tensor<1x4xf32>",
          "tensor<3x4xf32>");
}

TEST_F(GradientCheckTest, SubWithRankExtensionAndStretch) {
  checkOp("%a: tensor<2x3x4xf32> {fm.param}, %b: tensor<3x1xf32> {fm.param}",
          "%y = fm.sub %a, %b : tensor<2x3x4xf32>, tensor<3x1xf32>",
          "tensor<2x3x4xf32>");
}

TEST_F(GradientCheckTest, SubFromScalar) {
  checkOp("%a: tensor<f32> {fm.param}, %b: tensor<2x3xf32> {fm.param}",
          "%y = fm.sub %a, %b : tensor<f32>, tensor<2x3xf32>",
          "tensor<2x3xf32>");
}

TEST_F(GradientCheckTest, MulBroadcastsBothWays) {
  checkOp("%a: tensor<2x1x4xf32> {fm.param}, %b: tensor<3x1xf32> {fm.param}",
          "%y = fm.mul %a, %b : tensor<2x1x4xf32>, tensor<3x1xf32>",
          "tensor<2x3x4xf32>");
}

TEST_F(GradientCheckTest, MulOfAValueWithItself) {
  checkOp("%a: tensor<3x4xf32> {fm.param}",
          "%y = fm.mul %a, %a : tensor<3x4xf32>", "tensor<3x4xf32>");
}

TEST_F(GradientCheckTest, DivBroadcastsDenominator) {
  checkOp("%a: tensor<3x4xf32> {fm.param}, %b: tensor<4xf32> {fm.param}",
          "%y = fm.div %a, %b : tensor<3x4xf32>, tensor<4xf32>",
          "tensor<3x4xf32>");
}

TEST_F(GradientCheckTest, DivByScalar) {
  checkOp("%a: tensor<3x4xf32> {fm.param}, %b: tensor<f32> {fm.param}",
          "%y = fm.div %b, %a : tensor<f32>, tensor<3x4xf32>",
          "tensor<3x4xf32>");
}

TEST_F(GradientCheckTest, MaxBroadcastsRow) {
  checkOp("%a: tensor<3x4xf32> {fm.param}, %b: tensor<4xf32> {fm.param}",
          "%y = fm.max %a, %b : tensor<3x4xf32>, tensor<4xf32>",
          "tensor<3x4xf32>");
}

TEST_F(GradientCheckTest, MinBroadcastsColumn) {
  checkOp("%a: tensor<4x1xf32> {fm.param}, %b: tensor<4x3xf32> {fm.param}",
          "%y = fm.min %a, %b : tensor<4x1xf32>, tensor<4x3xf32>",
          "tensor<4x3xf32>");
}

TEST_F(GradientCheckTest, PowOfBothOperands) {
  checkOp("%a: tensor<3x4xf32> {fm.param}, %b: tensor<4xf32> {fm.param}",
          "%y = fm.pow %a, %b : tensor<3x4xf32>, tensor<4xf32>",
          "tensor<3x4xf32>", positive());
}

TEST_F(GradientCheckTest, PowWithConstantExponent) {
  checkOp("%a: tensor<3x4xf32> {fm.param}",
          "%e = fm.constant dense<2.5> : tensor<f32>\n"
          "%y = fm.pow %a, %e : tensor<3x4xf32>, tensor<f32>",
          "tensor<3x4xf32>", positive());
}

TEST_F(GradientCheckTest, SelectBroadcastsConditionAndValues) {
  checkOp("%c: tensor<3x1xi1>, %a: tensor<3x4xf32> {fm.param}, "
          "%b: tensor<4xf32> {fm.param}",
          "%y = fm.select %c, %a, %b : tensor<3x1xi1>, tensor<3x4xf32>, "
          "tensor<4xf32>",
          "tensor<3x4xf32>");
}

TEST_F(GradientCheckTest, SelectOnAComparisonOfParameters) {
  // The mask depends on the parameters but is not differentiable itself.
  checkOp("%a: tensor<3x4xf32> {fm.param}, %b: tensor<3x4xf32> {fm.param}",
          "%c = fm.gt %a, %b : tensor<3x4xf32>\n"
          "%y = fm.select %c, %a, %b : tensor<3x4xi1>, tensor<3x4xf32>",
          "tensor<3x4xf32>");
}

//===----------------------------------------------------------------------===//
// Elementwise unary ops
//===----------------------------------------------------------------------===//

// Each parameterized case prints as its op, in test listings and ctest.
struct UnaryCase {
  const char *op;
  bool positive;
  friend void PrintTo(const UnaryCase &c, std::ostream *os) { *os << c.op; }
};

class UnaryGradientTest : public GradientCheckTest,
                          public ::testing::WithParamInterface<UnaryCase> {};

TEST_P(UnaryGradientTest, OnAMatrix) {
  GradCheckOptions options;
  options.positive = GetParam().positive;
  checkOp("%x: tensor<3x4xf32> {fm.param}",
          std::string("%y = ") + GetParam().op + " : tensor<3x4xf32>",
          "tensor<3x4xf32>", options);
}

INSTANTIATE_TEST_SUITE_P(
    Ops, UnaryGradientTest,
    ::testing::Values(
        UnaryCase{"fm.neg %x", false}, UnaryCase{"fm.abs %x", false},
        UnaryCase{"fm.exp %x", false}, UnaryCase{"fm.log %x", true},
        UnaryCase{"fm.sqrt %x", true}, UnaryCase{"fm.rsqrt %x", true},
        UnaryCase{"fm.tanh %x", false}, UnaryCase{"fm.sigmoid %x", false},
        UnaryCase{"fm.relu %x", false}, UnaryCase{"fm.silu %x", false},
        UnaryCase{"fm.gelu %x", false},
        UnaryCase{"fm.gelu %x approximate \"none\"", false},
        UnaryCase{"fm.softmax %x", false},
        UnaryCase{"fm.softmax %x axis 0", false},
        UnaryCase{"fm.log_softmax %x", false},
        UnaryCase{"fm.log_softmax %x axis -2", false}),
    [](const ::testing::TestParamInfo<UnaryCase> &info) {
      std::string name;
      for (const char *c = info.param.op; *c; ++c)
        if (std::isalnum(static_cast<unsigned char>(*c)))
          name += *c;
      return name;
    });

//===----------------------------------------------------------------------===//
// Matmul
//===----------------------------------------------------------------------===//

TEST_F(GradientCheckTest, Matmul2D) {
  checkOp("%a: tensor<3x4xf32> {fm.param}, %b: tensor<4x2xf32> {fm.param}",
          "%y = fm.matmul %a, %b : tensor<3x4xf32>, tensor<4x2xf32>",
          "tensor<3x2xf32>");
}

TEST_F(GradientCheckTest, MatmulTransposeA) {
  checkOp("%a: tensor<4x3xf32> {fm.param}, %b: tensor<4x2xf32> {fm.param}",
          "%y = fm.matmul %a, %b transpose_a : tensor<4x3xf32>, "
          "tensor<4x2xf32>",
          "tensor<3x2xf32>");
}

TEST_F(GradientCheckTest, MatmulTransposeB) {
  checkOp("%a: tensor<3x4xf32> {fm.param}, %b: tensor<2x4xf32> {fm.param}",
          "%y = fm.matmul %a, %b transpose_b : tensor<3x4xf32>, "
          "tensor<2x4xf32>",
          "tensor<3x2xf32>");
}

TEST_F(GradientCheckTest, MatmulTransposeBoth) {
  checkOp("%a: tensor<4x3xf32> {fm.param}, %b: tensor<2x4xf32> {fm.param}",
          "%y = fm.matmul %a, %b transpose_a transpose_b : tensor<4x3xf32>, "
          "tensor<2x4xf32>",
          "tensor<3x2xf32>");
}

TEST_F(GradientCheckTest, MatmulBatched) {
  checkOp("%a: tensor<2x3x4xf32> {fm.param}, %b: tensor<2x4x5xf32> {fm.param}",
          "%y = fm.matmul %a, %b : tensor<2x3x4xf32>, tensor<2x4x5xf32>",
          "tensor<2x3x5xf32>");
}

TEST_F(GradientCheckTest, MatmulBatchedWith2DRhs) {
  checkOp("%a: tensor<2x3x4xf32> {fm.param}, %b: tensor<4x5xf32> {fm.param}",
          "%y = fm.matmul %a, %b : tensor<2x3x4xf32>, tensor<4x5xf32>",
          "tensor<2x3x5xf32>");
}

TEST_F(GradientCheckTest, MatmulBatchAxesBroadcastWithTransposes) {
  // Batch [2, 1] with [3] gives [2, 3]: both operands are summed over the
  // batches they were broadcast along.
  checkOp("%a: tensor<2x1x4x3xf32> {fm.param}, "
          "%b: tensor<3x5x4xf32> {fm.param}",
          "%y = fm.matmul %a, %b transpose_a transpose_b : "
          "tensor<2x1x4x3xf32>, tensor<3x5x4xf32>",
          "tensor<2x3x3x5xf32>");
}

TEST_F(GradientCheckTest, MatmulBatchedTransposeBWith2DLhs) {
  checkOp("%a: tensor<3x4xf32> {fm.param}, %b: tensor<2x5x4xf32> {fm.param}",
          "%y = fm.matmul %a, %b transpose_b : tensor<3x4xf32>, "
          "tensor<2x5x4xf32>",
          "tensor<2x3x5xf32>");
}

//===----------------------------------------------------------------------===//
// Reductions and normalizations
//===----------------------------------------------------------------------===//

struct ReductionCase {
  const char *op;
  const char *type;
  friend void PrintTo(const ReductionCase &c, std::ostream *os) { *os << c.op; }
};

class ReductionGradientTest
    : public GradientCheckTest,
      public ::testing::WithParamInterface<ReductionCase> {};

TEST_P(ReductionGradientTest, Of2x3x4) {
  checkOp("%x: tensor<2x3x4xf32> {fm.param}",
          std::string("%y = ") + GetParam().op + " : tensor<2x3x4xf32>",
          GetParam().type);
}

INSTANTIATE_TEST_SUITE_P(
    Ops, ReductionGradientTest,
    ::testing::Values(
        ReductionCase{"fm.reduce_sum %x", "tensor<f32>"},
        ReductionCase{"fm.reduce_sum %x axes [1]", "tensor<2x4xf32>"},
        ReductionCase{"fm.reduce_sum %x axes [0, 2] keepdim",
                      "tensor<1x3x1xf32>"},
        ReductionCase{"fm.reduce_sum %x axes []", "tensor<2x3x4xf32>"},
        ReductionCase{"fm.reduce_mean %x axes [-1]", "tensor<2x3xf32>"},
        ReductionCase{"fm.reduce_mean %x axes [2, 0] keepdim",
                      "tensor<1x3x1xf32>"},
        ReductionCase{"fm.reduce_mean %x", "tensor<f32>"},
        ReductionCase{"fm.reduce_max %x axes [1]", "tensor<2x4xf32>"},
        ReductionCase{"fm.reduce_max %x axes [0, 2] keepdim",
                      "tensor<1x3x1xf32>"},
        ReductionCase{"fm.reduce_max %x", "tensor<f32>"}),
    [](const ::testing::TestParamInfo<ReductionCase> &info) {
      return "Case" + std::to_string(info.index);
    });

TEST_F(GradientCheckTest, ReduceMaxSplitsTiesEvenly) {
  // Not differentiable at ties, so checked against the rule itself: each of
  // the k tied maxima of a row gets 1/k of the row's adjoint.
  ASSERT_LT(checkGradients(R"mlir(
    func.func @f(%x: tensor<2x3xf32> {fm.param}) -> tensor<f32> {
      %m = fm.reduce_max %x axes [1] : tensor<2x3xf32>
      %w = fm.constant dense<[2.0, -3.0]> : tensor<2xf32>
      %y = fm.mul %m, %w : tensor<2xf32>
      %loss = fm.reduce_sum %y : tensor<2xf32>
      return %loss : tensor<f32>
    })mlir",
                           {}),
            kInfinity);
  Tensor x(DType::F64, {2, 3});
  for (auto [i, value] : llvm::enumerate(std::vector<double>{1, 5, 5, 7, 7, 7}))
    x.setDouble(i, value);
  fm::Interpreter interpreter(*module, {fm::Precision::F64});
  FailureOr<std::vector<Tensor>> results = interpreter.run("f_grad", {x});
  ASSERT_TRUE(succeeded(results)) << diagnostics;
  const Tensor &grad = (*results)[1];
  const std::vector<double> expected = {0, 1, 1, -1, -1, -1};
  for (int64_t i = 0; i < 6; ++i)
    EXPECT_DOUBLE_EQ(grad.getDouble(i), expected[i]) << "element " << i;
}

struct NormCase {
  const char *args;
  const char *op;
  friend void PrintTo(const NormCase &c, std::ostream *os) {
    *os << c.op << " with " << c.args;
  }
};

class NormGradientTest : public GradientCheckTest,
                         public ::testing::WithParamInterface<NormCase> {};

TEST_P(NormGradientTest, Of2x3x5) {
  checkOp(GetParam().args,
          std::string("%y = ") + GetParam().op + " : tensor<2x3x5xf32>",
          "tensor<2x3x5xf32>");
}

INSTANTIATE_TEST_SUITE_P(
    Ops, NormGradientTest,
    ::testing::Values(
        NormCase{"%x: tensor<2x3x5xf32> {fm.param}", "fm.layer_norm %x"},
        NormCase{"%x: tensor<2x3x5xf32> {fm.param}, "
                 "%s: tensor<5xf32> {fm.param}",
                 "fm.layer_norm %x scale(%s : tensor<5xf32>) eps 0.25"},
        NormCase{"%x: tensor<2x3x5xf32> {fm.param}, "
                 "%b: tensor<5xf32> {fm.param}",
                 "fm.layer_norm %x bias(%b : tensor<5xf32>)"},
        NormCase{"%x: tensor<2x3x5xf32> {fm.param}, "
                 "%s: tensor<5xf32> {fm.param}, %b: tensor<5xf32> {fm.param}",
                 "fm.layer_norm %x scale(%s : tensor<5xf32>) "
                 "bias(%b : tensor<5xf32>)"},
        // Only the affine operands are parameters.
        NormCase{"%x: tensor<2x3x5xf32>, %s: tensor<5xf32> {fm.param}, "
                 "%b: tensor<5xf32> {fm.param}",
                 "fm.layer_norm %x scale(%s : tensor<5xf32>) "
                 "bias(%b : tensor<5xf32>)"},
        NormCase{"%x: tensor<2x3x5xf32> {fm.param}", "fm.rms_norm %x"},
        NormCase{"%x: tensor<2x3x5xf32> {fm.param}, "
                 "%s: tensor<5xf32> {fm.param}",
                 "fm.rms_norm %x scale(%s : tensor<5xf32>) eps 0.5"},
        NormCase{"%x: tensor<2x3x5xf32>, %s: tensor<5xf32> {fm.param}",
                 "fm.rms_norm %x scale(%s : tensor<5xf32>)"}),
    [](const ::testing::TestParamInfo<NormCase> &info) {
      return "Case" + std::to_string(info.index);
    });

//===----------------------------------------------------------------------===//
// Shape ops
//===----------------------------------------------------------------------===//

TEST_F(GradientCheckTest, Reshape) {
  checkOp("%x: tensor<2x6xf32> {fm.param}",
          "%y = fm.reshape %x : tensor<2x6xf32> -> tensor<3x1x4xf32>",
          "tensor<3x1x4xf32>");
}

TEST_F(GradientCheckTest, TransposeReversed) {
  checkOp("%x: tensor<2x3x4xf32> {fm.param}",
          "%y = fm.transpose %x : tensor<2x3x4xf32>", "tensor<4x3x2xf32>");
}

TEST_F(GradientCheckTest, TransposeRotated) {
  checkOp("%x: tensor<2x3x4xf32> {fm.param}",
          "%y = fm.transpose %x permutation [1, 2, 0] : tensor<2x3x4xf32>",
          "tensor<3x4x2xf32>");
}

TEST_F(GradientCheckTest, BroadcastTo) {
  checkOp("%x: tensor<3x1xf32> {fm.param}",
          "%y = fm.broadcast_to %x : tensor<3x1xf32> -> tensor<2x3x4xf32>",
          "tensor<2x3x4xf32>");
}

TEST_F(GradientCheckTest, SliceWithStrides) {
  checkOp("%x: tensor<5x7xf32> {fm.param}",
          "%y = fm.slice %x start [1, 0] limit [5, 7] stride [2, 3] : "
          "tensor<5x7xf32>",
          "tensor<2x3xf32>");
}

TEST_F(GradientCheckTest, SliceWithoutStrides) {
  checkOp("%x: tensor<4x6xf32> {fm.param}",
          "%y = fm.slice %x start [1, 2] limit [3, 5] : tensor<4x6xf32>",
          "tensor<2x3xf32>");
}

TEST_F(GradientCheckTest, Pad) {
  checkOp("%x: tensor<2x3xf32> {fm.param}",
          "%y = fm.pad %x low [1, 0] high [0, 2] interior [1, 1] : "
          "tensor<2x3xf32>",
          "tensor<4x7xf32>");
}

TEST_F(GradientCheckTest, ConcatAlongLastAxisWithRepeatedInput) {
  checkOp("%a: tensor<2x1xf32> {fm.param}, %b: tensor<2x3xf32> {fm.param}",
          "%y = fm.concat %a, %b, %a axis -1 : tensor<2x1xf32>, "
          "tensor<2x3xf32>, tensor<2x1xf32>",
          "tensor<2x5xf32>");
}

TEST_F(GradientCheckTest, ConcatWithAnInactiveInput) {
  checkOp("%a: tensor<2x3xf32> {fm.param}, %c: tensor<1x3xf32>",
          "%y = fm.concat %c, %a : tensor<1x3xf32>, tensor<2x3xf32>",
          "tensor<3x3xf32>");
}

//===----------------------------------------------------------------------===//
// Model ops and casts
//===----------------------------------------------------------------------===//

TEST_F(GradientCheckTest, EmbeddingWithRepeatedIndices) {
  // Six indices into four rows: some rows are gathered twice.
  checkOp("%t: tensor<4x3xf32> {fm.param}, %i: tensor<2x3xi32>",
          "%y = fm.embedding %t[%i] : tensor<4x3xf32>, tensor<2x3xi32>",
          "tensor<2x3x3xf32>");
}

TEST_F(GradientCheckTest, CrossEntropyWithI32Labels) {
  checkOp("%l: tensor<4x5xf32> {fm.param}, %t: tensor<4xi32>",
          "%y = fm.cross_entropy %l, %t : tensor<4x5xf32>, tensor<4xi32>",
          "tensor<f32>");
}

TEST_F(GradientCheckTest, CrossEntropyWithI64LabelsOn3DLogits) {
  checkOp("%l: tensor<2x3x5xf32> {fm.param}, %t: tensor<2x3xi64>",
          "%y = fm.cross_entropy %l, %t : tensor<2x3x5xf32>, tensor<2x3xi64>",
          "tensor<f32>");
}

TEST_F(GradientCheckTest, CastF32ToF32) {
  checkOp("%x: tensor<3x4xf32> {fm.param}",
          "%y = fm.cast %x : tensor<3x4xf32> -> tensor<3x4xf32>",
          "tensor<3x4xf32>");
}

TEST_F(GradientCheckTest, CastThroughBF16) {
  // F64 mode never rounds, so the bf16 detour is exact.
  checkOp("%x: tensor<3x4xf32> {fm.param}",
          "%h = fm.cast %x : tensor<3x4xf32> -> tensor<3x4xbf16>\n"
          "%e = fm.exp %h : tensor<3x4xbf16>\n"
          "%y = fm.cast %e : tensor<3x4xbf16> -> tensor<3x4xf32>",
          "tensor<3x4xf32>");
}

//===----------------------------------------------------------------------===//
// Graph structure
//===----------------------------------------------------------------------===//

TEST_F(GradientCheckTest, FanOutAccumulates) {
  checkOp("%x: tensor<3x4xf32> {fm.param}, %b: tensor<4xf32> {fm.param}",
          "%t = fm.tanh %x : tensor<3x4xf32>\n"
          "%s = fm.mul %t, %t : tensor<3x4xf32>\n"
          "%u = fm.add %s, %t : tensor<3x4xf32>\n"
          "%v = fm.add %u, %b : tensor<3x4xf32>, tensor<4xf32>\n"
          "%y = fm.mul %v, %b : tensor<3x4xf32>, tensor<4xf32>",
          "tensor<3x4xf32>");
}

TEST_F(GradientCheckTest, UnusedParameterGetsZeros) {
  ASSERT_LT(checkOp("%x: tensor<3x4xf32> {fm.param}, "
                    "%unused: tensor<2xf32> {fm.param}",
                    "%y = fm.exp %x : tensor<3x4xf32>", "tensor<3x4xf32>"),
            kInfinity);
  auto grad = module->lookupSymbol<func::FuncOp>("f_grad");
  Operation *zeros =
      grad.front().getTerminator()->getOperand(2).getDefiningOp();
  auto constant = dyn_cast_or_null<fm::ConstantOp>(zeros);
  ASSERT_TRUE(constant);
  EXPECT_TRUE(cast<DenseElementsAttr>(constant.getValue()).isSplat());
  EXPECT_EQ(cast<DenseElementsAttr>(constant.getValue())
                .getSplatValue<APFloat>()
                .convertToDouble(),
            0.0);
}

TEST_F(GradientCheckTest, ParameterThroughDataOnlySubgraph) {
  // A causal-style mask from iotas and data-only arithmetic next to the
  // parameter path.
  checkOp("%x: tensor<4x4xf32> {fm.param}, %d: tensor<4x4xf32>",
          "%r = fm.iota : tensor<4x4xi32>\n"
          "%c = fm.iota axis 1 : tensor<4x4xi32>\n"
          "%m = fm.ge %r, %c : tensor<4x4xi32>\n"
          "%e = fm.exp %d : tensor<4x4xf32>\n"
          "%big = fm.constant dense<-1.0e3> : tensor<f32>\n"
          "%s = fm.mul %x, %e : tensor<4x4xf32>\n"
          "%masked = fm.select %m, %s, %big : tensor<4x4xi1>, "
          "tensor<4x4xf32>, tensor<f32>\n"
          "%y = fm.softmax %masked : tensor<4x4xf32>",
          "tensor<4x4xf32>");
}

//===----------------------------------------------------------------------===//
// Whole models
//===----------------------------------------------------------------------===//

class ExampleGradientTest : public GradientCheckTest {
protected:
  /// checkGradients() of an example model on fm::makeRandomInputs, at a
  /// random subset of coordinates per parameter; prints the largest relative
  /// error.
  void checkExample(StringRef file, int64_t maxCoordinates) {
    std::string path = (Twine(FMC_EXAMPLES_DIR) + "/" + file).str();
    auto buffer = llvm::MemoryBuffer::getFile(path);
    ASSERT_TRUE(bool(buffer)) << "cannot read " << path;
    GradCheckOptions options;
    options.modelInputs = true;
    options.step = 3e-3;
    options.maxCoordinates = maxCoordinates;
    double worst = checkGradients((*buffer)->getBuffer(), options);
    std::printf("[ gradcheck ] %s: max relative error %.3g\n",
                file.str().c_str(), worst);
    RecordProperty("max_relative_error", std::to_string(worst));
  }
};

TEST_F(ExampleGradientTest, Mlp) { checkExample("mlp.mlir", 50); }

// One evaluation of gpt_block takes ~30 ms, and each coordinate takes four:
// 12 coordinates of each of its 17 parameters keep the test near 25 s.
TEST_F(ExampleGradientTest, GptBlock) { checkExample("gpt_block.mlir", 12); }

} // namespace

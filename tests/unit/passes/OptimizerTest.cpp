//===- OptimizerTest.cpp - The training step fm-optimizer builds ----------===//
//
// Runs the @train_step that fm-optimizer builds for a small quadratic loss in
// the reference interpreter for a few steps, feeding every result back to the
// argument its fm.feeds names, and compares the loss, the parameters, the
// optimizer state and the step counter after each step with PyTorch's update
// rules written out here as plain loops in double.
//
//===----------------------------------------------------------------------===//

#include "ir/FmOps.h"
#include "ir/interp/Interpreter.h"
#include "passes/Passes.h"
#include "tests/unit/FmProgramTest.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

using namespace mlir;
using fm::OptimizerOptions;
using fm::Precision;
using fmrt::DType;
using fmrt::Tensor;

namespace {

/// loss = 0.5 * sum((w - x)^2) + 2 * b^2, so dloss/dw = w - x and
/// dloss/db = 4 b. The batch sits between the parameters.
constexpr const char *kProgram = R"mlir(
func.func @f(%w: tensor<3xf32> {fm.name = "w", fm.param},
             %x: tensor<3xf32> {fm.name = "x", fm.data},
             %b: tensor<f32> {fm.name = "b", fm.param}) -> tensor<f32> {
  %d = fm.sub %w, %x : tensor<3xf32>
  %dd = fm.mul %d, %d : tensor<3xf32>
  %s = fm.reduce_sum %dd : tensor<3xf32>
  %half = fm.constant dense<0.5> : tensor<f32>
  %l1 = fm.mul %half, %s : tensor<f32>
  %two = fm.constant dense<2.0> : tensor<f32>
  %bb = fm.mul %b, %b : tensor<f32>
  %l2 = fm.mul %two, %bb : tensor<f32>
  %loss = fm.add %l1, %l2 : tensor<f32>
  return %loss : tensor<f32>
}

func.func @f_grad(%w: tensor<3xf32> {fm.name = "w", fm.param},
                  %x: tensor<3xf32> {fm.name = "x", fm.data},
                  %b: tensor<f32> {fm.name = "b", fm.param})
    -> (tensor<f32>, tensor<3xf32>, tensor<f32>) {
  %loss = func.call @f(%w, %x, %b)
      : (tensor<3xf32>, tensor<3xf32>, tensor<f32>) -> tensor<f32>
  %dw = fm.sub %w, %x : tensor<3xf32>
  %four = fm.constant dense<4.0> : tensor<f32>
  %db = fm.mul %four, %b : tensor<f32>
  return %loss, %dw, %db : tensor<f32>, tensor<3xf32>, tensor<f32>
}
)mlir";

const std::map<std::string, std::vector<double>> kInitialParams = {
    {"w", {0.5, -1.25, 2.0}}, {"b", {0.75}}};
/// The batch of each step.
const std::vector<std::vector<double>> kBatches = {
    {1.0, 0.25, -0.5}, {0.75, -0.5, 1.5}, {-1.0, 0.5, 0.25}};

/// torch.optim.AdamW and torch.optim.SGD (single-tensor path, one parameter
/// group) after torch.nn.utils.clip_grad_norm_, for the loss above.
class Reference {
public:
  explicit Reference(const OptimizerOptions &options) : options(options) {}

  /// Takes one step on batch `x` and returns the loss before the update.
  double step(const std::vector<double> &x) {
    std::vector<double> &w = params["w"];
    double b = params["b"][0];
    std::map<std::string, std::vector<double>> grads = {{"w", {}},
                                                        {"b", {4 * b}}};
    double loss = 2 * b * b;
    for (size_t i = 0; i < w.size(); ++i) {
      grads["w"].push_back(w[i] - x[i]);
      loss += 0.5 * (w[i] - x[i]) * (w[i] - x[i]);
    }
    if (options.clipNorm > 0)
      clip(grads);
    ++t;
    for (auto &[name, grad] : grads) {
      if (options.kind == "adamw")
        adamw(params[name], grad, m[name], v[name]);
      else
        // PyTorch keeps a momentum buffer only with momentum.
        sgd(params[name], grad, options.momentum != 0 ? &buf[name] : nullptr);
    }
    return loss;
  }

  /// The expected value of @train_step's result named `name`.
  std::optional<std::vector<double>> expected(const std::string &name) {
    if (name == "step")
      return std::vector<double>{static_cast<double>(t)};
    for (auto [prefix, values] :
         {std::pair{"", &params}, std::pair{"adamw.m.", &m},
          std::pair{"adamw.v.", &v}, std::pair{"sgd.momentum.", &buf}})
      for (auto &[param, value] : *values)
        if (name == prefix + param)
          return value;
    return std::nullopt;
  }

  /// How many values expected() knows: params, state and step.
  size_t numExpected() const {
    return params.size() + m.size() + v.size() + buf.size() + 1;
  }

  const OptimizerOptions &getOptions() const { return options; }
  /// How much the last step's clipping scaled the gradients.
  double getLastClipCoefficient() const { return lastClipCoefficient; }

private:
  void clip(std::map<std::string, std::vector<double>> &grads) {
    double squares = 0;
    for (auto &[name, grad] : grads)
      for (double g : grad)
        squares += g * g;
    lastClipCoefficient =
        std::min(1.0, options.clipNorm / (std::sqrt(squares) + 1e-6));
    for (auto &[name, grad] : grads)
      for (double &g : grad)
        g *= lastClipCoefficient;
  }

  void adamw(std::vector<double> &p, const std::vector<double> &g,
             std::vector<double> &expAvg, std::vector<double> &expAvgSq) {
    expAvg.resize(p.size());
    expAvgSq.resize(p.size());
    double lr = options.lr, beta1 = options.beta1, beta2 = options.beta2;
    double biasCorrection1 = 1 - std::pow(beta1, t);
    double biasCorrection2 = 1 - std::pow(beta2, t);
    double stepSize = lr / biasCorrection1;
    for (size_t i = 0; i < p.size(); ++i) {
      p[i] *= 1 - lr * options.weightDecay;
      expAvg[i] += (g[i] - expAvg[i]) * (1 - beta1);
      expAvgSq[i] = expAvgSq[i] * beta2 + (1 - beta2) * g[i] * g[i];
      double denom =
          std::sqrt(expAvgSq[i]) / std::sqrt(biasCorrection2) + options.eps;
      p[i] -= stepSize * expAvg[i] / denom;
    }
  }

  void sgd(std::vector<double> &p, const std::vector<double> &g,
           std::vector<double> *momentumBuffer) {
    if (momentumBuffer)
      momentumBuffer->resize(p.size());
    for (size_t i = 0; i < p.size(); ++i) {
      double d = g[i] + options.weightDecay * p[i];
      if (momentumBuffer) {
        double &b = (*momentumBuffer)[i];
        b = t == 1 ? d : options.momentum * b + d;
        d = b;
      }
      p[i] -= options.lr * d;
    }
  }

  OptimizerOptions options;
  std::map<std::string, std::vector<double>> params = kInitialParams, m, v, buf;
  int64_t t = 0;
  double lastClipCoefficient = 1;
};

Tensor tensorOf(DType dtype, const fmrt::Shape &shape,
                const std::vector<double> &values) {
  Tensor tensor(dtype, shape);
  EXPECT_EQ(static_cast<int64_t>(values.size()), tensor.numElements());
  for (size_t i = 0; i < values.size(); ++i)
    tensor.setDouble(i, values[i]);
  return tensor;
}

class OptimizerTest : public fm::testing::FmProgramTest {
protected:
  /// Parses kProgram and runs fm-optimizer with `options`; returns
  /// @train_step, or null after reporting a failure.
  func::FuncOp buildTrainStep(const OptimizerOptions &options) {
    if (!parse(kProgram))
      return nullptr;
    PassManager pm(&context);
    pm.addPass(fm::createOptimizer(options));
    if (failed(pm.run(*module))) {
      ADD_FAILURE() << "fm-optimizer failed:\n" << diagnostics;
      return nullptr;
    }
    return module->lookupSymbol<func::FuncOp>("train_step");
  }

  /// The first inputs of @train_step: the initial parameters, zero state and
  /// step, and the first batch.
  static std::vector<Tensor> initialInputs(func::FuncOp step) {
    std::vector<Tensor> inputs;
    for (auto [index, type] : llvm::enumerate(step.getArgumentTypes())) {
      auto tensorType = cast<RankedTensorType>(type);
      DType dtype = *fm::toDType(tensorType.getElementType());
      fmrt::Shape shape(tensorType.getShape());
      std::string name =
          step.getArgAttrOfType<StringAttr>(index, fm::FmDialect::kNameAttr)
              .str();
      auto param = kInitialParams.find(name);
      if (param != kInitialParams.end())
        inputs.push_back(tensorOf(dtype, shape, param->second));
      else if (name == "x")
        inputs.push_back(tensorOf(dtype, shape, kBatches.front()));
      else
        inputs.emplace_back(dtype, shape); // State starts at zero.
    }
    return inputs;
  }

  /// Trains on every batch of kBatches with @train_step and with `reference`
  /// side by side, comparing every result after every step within a relative
  /// `tolerance`.
  void trainAndCompare(Reference &reference, Precision precision,
                       double tolerance) {
    func::FuncOp step = buildTrainStep(reference.getOptions());
    if (!step)
      return;
    std::vector<Tensor> inputs = initialInputs(step);
    std::optional<unsigned> batchIndex;
    for (unsigned i = 0; i < step.getNumArguments(); ++i)
      if (step.getArgAttr(i, fm::FmDialect::kDataAttr))
        batchIndex = i;
    ASSERT_TRUE(batchIndex.has_value()) << "no fm.data argument";

    fm::Interpreter interpreter(*module, {precision});
    for (size_t k = 0; k < kBatches.size(); ++k) {
      SCOPED_TRACE("step " + std::to_string(k));
      inputs[*batchIndex] = tensorOf(DType::F32, {3}, kBatches[k]);
      FailureOr<std::vector<Tensor>> results = interpreter.run(step, inputs);
      ASSERT_TRUE(succeeded(results)) << "@train_step failed to run";
      double expectedLoss = reference.step(kBatches[k]);
      ASSERT_EQ(results->size(), 1 + reference.numExpected())
          << "not the loss and one result per param, state and step";
      for (auto [index, result] : llvm::enumerate(*results)) {
        std::string name = step.getResultAttrOfType<StringAttr>(
                                   index, fm::FmDialect::kNameAttr)
                               .str();
        std::optional<std::vector<double>> expected =
            name == "loss" ? std::vector<double>{expectedLoss}
                           : reference.expected(name);
        ASSERT_TRUE(expected.has_value()) << "unexpected result " << name;
        ASSERT_EQ(result.numElements(), static_cast<int64_t>(expected->size()))
            << name;
        for (size_t i = 0; i < expected->size(); ++i)
          EXPECT_NEAR(result.getDouble(i), (*expected)[i],
                      tolerance * std::fabs((*expected)[i]))
              << name << "[" << i << "]";
        if (auto feeds = step.getResultAttrOfType<IntegerAttr>(
                index, fm::FmDialect::kFeedsAttr))
          inputs[feeds.getInt()] = std::move(result);
      }
    }
  }

  /// In F64 mode the interpreter computes in double like Reference, so the
  /// two agree to rounding; in F32 mode to float rounding. Returns the
  /// reference after training.
  Reference checkBothPrecisions(const OptimizerOptions &options) {
    Reference reference(options);
    {
      SCOPED_TRACE("F64");
      trainAndCompare(reference, Precision::F64, 1e-12);
    }
    {
      SCOPED_TRACE("F32");
      Reference f32Reference(options);
      trainAndCompare(f32Reference, Precision::F32, 1e-6);
    }
    return reference;
  }
};

/// Hyper-parameters exact in f32, so that the f32 constants of @train_step
/// hold exactly the values Reference uses in double.
OptimizerOptions exactAdamW() {
  OptimizerOptions options;
  options.lr = 0.125;
  options.beta1 = 0.75;
  options.beta2 = 0.9375;
  options.eps = 1.0 / 1024;
  options.weightDecay = 0.25;
  return options;
}

OptimizerOptions exactSgd(double momentum) {
  OptimizerOptions options;
  options.kind = "sgd";
  options.lr = 0.25;
  options.weightDecay = 0.125;
  options.momentum = momentum;
  return options;
}

TEST_F(OptimizerTest, AdamW) { checkBothPrecisions(exactAdamW()); }

TEST_F(OptimizerTest, AdamWWithoutWeightDecay) {
  OptimizerOptions options = exactAdamW();
  options.weightDecay = 0;
  checkBothPrecisions(options);
}

// PyTorch's defaults are not exact in f32; the rounded constants still keep
// the f32 step within float rounding of the exact one.
TEST_F(OptimizerTest, AdamWDefaultsInF32) {
  Reference reference{OptimizerOptions()};
  trainAndCompare(reference, Precision::F32, 1e-6);
}

TEST_F(OptimizerTest, Sgd) { checkBothPrecisions(exactSgd(0)); }

TEST_F(OptimizerTest, SgdWithMomentum) { checkBothPrecisions(exactSgd(0.5)); }

TEST_F(OptimizerTest, ClippedAdamW) {
  OptimizerOptions options = exactAdamW();
  options.clipNorm = 0.5;
  EXPECT_LT(checkBothPrecisions(options).getLastClipCoefficient(), 1)
      << "clipping never bit";
}

TEST_F(OptimizerTest, ClippedSgdWithMomentum) {
  OptimizerOptions options = exactSgd(0.5);
  options.clipNorm = 1.0;
  EXPECT_LT(checkBothPrecisions(options).getLastClipCoefficient(), 1)
      << "clipping never bit";
}

// A clip norm above the gradient norm leaves the step unchanged.
TEST_F(OptimizerTest, ClipAboveTheNormChangesNothing) {
  OptimizerOptions options = exactSgd(0.5);
  options.clipNorm = 1000;
  EXPECT_EQ(checkBothPrecisions(options).getLastClipCoefficient(), 1);
}

} // namespace

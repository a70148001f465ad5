//===- Fp8LinearTest.cpp - fm-fp8-linear's delayed scaling over steps -----===//
//
// Runs a training step with delayed scaling in the interpreter for several
// steps, carrying its state, and checks the documented rule: each history
// rolls (the oldest amax drops out, the step's amax is appended), and the
// step's FP8 GEMM uses max(history) / 448, or the tensor's own amax while
// the history is empty. The GEMM's output is the loss here, so the loss
// shows which scale was used.
//
//===----------------------------------------------------------------------===//

#include "ir/interp/Interpreter.h"
#include "passes/Passes.h"
#include "tests/unit/FmProgramTest.h"

#include "fmrt/Numerics.h"

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

using fmrt::DType;
using fmrt::Shape;
using fmrt::Tensor;

namespace {

class Fp8LinearTest : public fm::testing::FmProgramTest {
protected:
  static void SetUpTestSuite() { fm::registerFmcPasses(); }
};

/// E4M3 quantization of `x` with `scale`, decoded back: what the FP8 GEMM
/// multiplies.
float throughE4M3(float x, float scale) {
  return fmrt::e4m3ToFloat(fmrt::floatToE4M3(x / scale));
}

TEST_F(Fp8LinearTest, DelayedHistoriesRollAndSetTheScale) {
  // loss = sum(x @ w) with w a fixed parameter (SGD with lr 0 keeps it),
  // x the batch: 1x2 times 2x1.
  ASSERT_TRUE(parse(R"mlir(
func.func @f(%w: tensor<2x1xf32> {fm.name = "w", fm.param},
             %x: tensor<1x2xf32> {fm.name = "x", fm.data})
    -> (tensor<f32> {fm.name = "loss"}) {
  %y = fm.matmul %x, %w : tensor<1x2xf32>, tensor<2x1xf32>
  %l = fm.reduce_sum %y : tensor<1x1xf32>
  return %l : tensor<f32>
}
)mlir"));
  mlir::PassManager pm(&context);
  ASSERT_TRUE(succeeded(mlir::parsePassPipeline(
      "fm-train{function=f kind=sgd lr=0 clip-norm=0 weight-decay=0},"
      "fm-fp8-linear{recipe=delayed history=3}",
      pm)));
  ASSERT_TRUE(succeeded(pm.run(*module))) << diagnostics;
  auto step = module->lookupSymbol<mlir::func::FuncOp>("train_step");
  ASSERT_TRUE(step);

  // Arguments by name.
  auto argument = [&](llvm::StringRef name) -> int {
    for (unsigned i = 0; i < step.getNumArguments(); ++i)
      if (auto attr = step.getArgAttrOfType<mlir::StringAttr>(
              i, fm::FmDialect::kNameAttr);
          attr && attr.getValue() == name)
        return static_cast<int>(i);
    return -1;
  };
  // The forward GEMM's operands are x (history 0) and w (history 1).
  const int xHistory = argument("fp8.amax_history.0");
  const int wArg = argument("w"), xArg = argument("x");
  ASSERT_GE(xHistory, 0);
  ASSERT_GE(wArg, 0);
  ASSERT_GE(xArg, 0);

  std::vector<Tensor> inputs;
  for (mlir::Type type : step.getArgumentTypes()) {
    auto tensor = mlir::cast<mlir::RankedTensorType>(type);
    inputs.emplace_back(*fm::toDType(tensor.getElementType()),
                        Shape(tensor.getShape()));
  }
  const float w[2] = {1.0f, 1.0f};
  for (int i = 0; i < 2; ++i)
    inputs[wArg].setDouble(i, w[i]);

  // x's amax per step: the delayed scale at step 3 comes from max(10, 1)
  // = 10, so x = 1 (and 0.3) are quantized with 10 / 448.
  const std::vector<std::vector<float>> batches = {
      {10.0f, 2.0f}, {1.0f, 0.5f}, {1.0f, 0.3f}, {0.2f, 0.1f}};
  std::vector<float> amaxes;
  for (size_t s = 0; s < batches.size(); ++s) {
    SCOPED_TRACE("step " + std::to_string(s));
    for (int i = 0; i < 2; ++i)
      inputs[xArg].setDouble(i, batches[s][i]);
    std::vector<float> history;
    for (int i = 0; i < 3; ++i)
      history.push_back(static_cast<float>(inputs[xHistory].getDouble(i)));
    const float past = *std::max_element(history.begin(), history.end());
    const float amax =
        std::max(std::fabs(batches[s][0]), std::fabs(batches[s][1]));
    // The documented scale, then the loss it gives (w's own history is
    // its amax, 1, from the first step on).
    const float xScale = (past > 0 ? past : amax) / 448.0f;
    const float wScale = 1.0f / 448.0f;
    float expected = 0;
    for (int i = 0; i < 2; ++i)
      expected +=
          throughE4M3(batches[s][i], xScale) * throughE4M3(w[i], wScale);
    expected *= xScale * wScale;

    mlir::FailureOr<std::vector<Tensor>> results =
        fm::Interpreter(*module).run(step, inputs);
    ASSERT_TRUE(succeeded(results)) << diagnostics;
    EXPECT_FLOAT_EQ(static_cast<float>((*results)[0].getDouble(0)), expected);

    amaxes.push_back(amax);
    for (unsigned r = 0; r < step.getNumResults(); ++r)
      if (auto feeds = step.getResultAttrOfType<mlir::IntegerAttr>(
              r, fm::FmDialect::kFeedsAttr))
        inputs[feeds.getInt()] = (*results)[r];
    // The history now ends with the last three amaxes, zeros before them.
    for (int i = 0; i < 3; ++i) {
      const int fromEnd = 2 - i;
      const float want = fromEnd < static_cast<int>(amaxes.size())
                             ? amaxes[amaxes.size() - 1 - fromEnd]
                             : 0.0f;
      EXPECT_EQ(inputs[xHistory].getDouble(i), want) << "entry " << i;
    }
  }
}

} // namespace

//===- JitModuleTest.cpp - Running compiled functions into given results -===//
//
// cpu::JitModule::run writes into the result tensors it is handed when they
// have the results' dtypes and shapes (fmc train hands back the buffers of
// the state a step replaced), and replaces the others.
//
//===----------------------------------------------------------------------===//

#include "tests/unit/FmProgramTest.h"

#include "codegen/cpu/JitModule.h"

#include <memory>
#include <vector>

namespace {

class JitModuleTest : public fm::testing::FmProgramTest {
protected:
  /// @f(x) = (x + 1, sum(x)) on four floats, compiled.
  std::unique_ptr<fm::cpu::JitModule> compile() {
    if (!parse("func.func @f(%x: tensor<4xf32>) -> (tensor<4xf32>, "
               "tensor<f32>) {\n"
               "  %one = fm.constant dense<1.0> : tensor<f32>\n"
               "  %y = fm.add %x, %one : tensor<4xf32>, tensor<f32>\n"
               "  %s = fm.reduce_sum %x axes [0] : tensor<4xf32>\n"
               "  return %y, %s : tensor<4xf32>, tensor<f32>\n}\n"))
      return nullptr;
    mlir::FailureOr<std::unique_ptr<fm::cpu::JitModule>> jit =
        fm::cpu::JitModule::compile(*module, {});
    if (failed(jit)) {
      ADD_FAILURE() << diagnostics;
      return nullptr;
    }
    return std::move(*jit);
  }

  static fmrt::Tensor filled(fmrt::Shape shape, float value) {
    fmrt::Tensor tensor(fmrt::DType::F32, std::move(shape));
    for (int64_t i = 0; i < tensor.numElements(); ++i)
      tensor.dataAs<float>()[i] = value;
    return tensor;
  }
};

TEST_F(JitModuleTest, FittingResultsAreWrittenInPlace) {
  std::unique_ptr<fm::cpu::JitModule> jit = compile();
  ASSERT_TRUE(jit);
  // Stale values, as in the buffers of a step's old state.
  std::vector<fmrt::Tensor> results;
  results.push_back(filled({4}, 7.0f));
  results.push_back(filled({}, -3.0f));
  const void *y = results[0].data(), *sum = results[1].data();
  ASSERT_TRUE(succeeded(jit->run("f", {filled({4}, 2.0f)}, results)))
      << diagnostics;
  ASSERT_EQ(results.size(), 2u);
  EXPECT_EQ(results[0].data(), y);
  EXPECT_EQ(results[1].data(), sum);
  for (int64_t i = 0; i < 4; ++i)
    EXPECT_EQ(results[0].dataAs<float>()[i], 3.0f) << "element " << i;
  EXPECT_EQ(results[1].dataAs<float>()[0], 8.0f);
}

TEST_F(JitModuleTest, ResultsThatDoNotFitAreReplaced) {
  std::unique_ptr<fm::cpu::JitModule> jit = compile();
  ASSERT_TRUE(jit);
  // A wrong shape, a wrong dtype, and one result missing.
  std::vector<fmrt::Tensor> results;
  results.push_back(filled({5}, 0.0f));
  ASSERT_TRUE(succeeded(jit->run("f", {filled({4}, 2.0f)}, results)))
      << diagnostics;
  ASSERT_EQ(results.size(), 2u);
  EXPECT_EQ(results[0].shape(), fmrt::Shape{4});
  EXPECT_EQ(results[0].dataAs<float>()[3], 3.0f);
  EXPECT_EQ(results[1].dataAs<float>()[0], 8.0f);

  results[1] = fmrt::Tensor(fmrt::DType::F64, {});
  ASSERT_TRUE(succeeded(jit->run("f", {filled({4}, 1.0f)}, results)))
      << diagnostics;
  EXPECT_EQ(results[1].dtype(), fmrt::DType::F32);
  EXPECT_EQ(results[1].dataAs<float>()[0], 4.0f);
}

TEST_F(JitModuleTest, BadInputsLeaveTheResultsAlone) {
  std::unique_ptr<fm::cpu::JitModule> jit = compile();
  ASSERT_TRUE(jit);
  std::vector<fmrt::Tensor> results;
  results.push_back(filled({4}, 7.0f));
  EXPECT_TRUE(failed(jit->run("f", {filled({3}, 2.0f)}, results)));
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].dataAs<float>()[0], 7.0f);
}

} // namespace

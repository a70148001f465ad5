//===- FuseTest.cpp - fm-fuse keeps the program's meaning -----------------===//
//
// The example models go through fm-train, then a copy of the module through
// fm-fuse. Both @train_step programs run two training steps in the reference
// interpreter from the same random parameters and zero optimizer state, each
// step's fm.feeds results becoming the next step's arguments; every result
// must be bitwise equal. Fusion also must not duplicate a single op, and
// inlineFusions() must give the ops back.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"
#include "tests/unit/FmProgramTest.h"

#include "ir/FmOps.h"
#include "ir/interp/Interpreter.h"
#include "ir/interp/Invocation.h"

#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"

#include "llvm/Support/MemoryBuffer.h"

#include <gtest/gtest.h>

#include <cstring>
#include <map>
#include <string>
#include <vector>

using namespace mlir;
using fmrt::Tensor;

namespace {

/// How often each op name occurs in the module, fusions and their
/// terminators and constants (which fusions copy) left out.
std::map<std::string, int> countOps(ModuleOp module) {
  std::map<std::string, int> counts;
  module.walk([&](Operation *op) {
    if (!isa<fm::FusionOp, fm::YieldOp, fm::ConstantOp>(op))
      ++counts[op->getName().getStringRef().str()];
  });
  return counts;
}

bool bitwiseEqual(const Tensor &a, const Tensor &b) {
  return a.dtype() == b.dtype() && a.shape() == b.shape() &&
         std::memcmp(a.data(), b.data(), a.byteSize()) == 0;
}

class FuseTest : public fm::testing::FmProgramTest,
                 public ::testing::WithParamInterface<const char *> {
protected:
  /// Parses examples/<GetParam()> and runs fm-train (AdamW, defaults).
  void SetUp() override {
    std::string path = std::string(FMC_EXAMPLES_DIR) + "/" + GetParam();
    auto file = llvm::MemoryBuffer::getFile(path);
    ASSERT_TRUE(file) << "cannot read " << path;
    ASSERT_TRUE(parse((*file)->getBuffer()));
    PassManager pm(&context);
    pm.addPass(fm::createAutodiff());
    pm.addPass(fm::createOptimizer());
    ASSERT_TRUE(succeeded(pm.run(*module))) << diagnostics;
  }

  /// A copy of the trained module after fm-fuse.
  OwningOpRef<ModuleOp> fused() {
    OwningOpRef<ModuleOp> copy = module->clone();
    PassManager pm(&context);
    pm.addPass(fm::createFuse());
    EXPECT_TRUE(succeeded(pm.run(*copy))) << diagnostics;
    return copy;
  }

  /// The results of two @train_step calls in `program`, the second fed by
  /// the first; parameters are drawn with a fixed seed, state starts at
  /// zero.
  std::vector<std::vector<Tensor>> trainTwice(ModuleOp program) {
    auto step = program.lookupSymbol<func::FuncOp>("train_step");
    std::vector<Tensor> inputs = fm::makeRandomInputs(step, /*seed=*/7);
    // makeRandomInputs bounds integers (tokens, labels) by their uses, which
    // it does not follow into calls: draw them for the loss function, the
    // module's first, where they meet their embedding or loss.
    auto loss = *program.getOps<func::FuncOp>().begin();
    std::vector<Tensor> lossInputs = fm::makeRandomInputs(loss, /*seed=*/7);
    std::map<std::string, Tensor> bounded;
    for (auto [index, input] : llvm::enumerate(lossInputs))
      if (!fmrt::isFloat(input.dtype()))
        bounded[fm::getArgumentName(loss, index).str()] = input;
    for (auto [index, input] : llvm::enumerate(inputs)) {
      if (step.getArgAttr(index, fm::FmDialect::kStateAttr))
        input = Tensor(input.dtype(), input.shape());
      auto it = bounded.find(fm::getArgumentName(step, index).str());
      if (it != bounded.end())
        input = it->second;
    }
    fm::Interpreter interpreter(program);
    std::vector<std::vector<Tensor>> steps;
    for (int i = 0; i < 2; ++i) {
      FailureOr<std::vector<Tensor>> results = interpreter.run(step, inputs);
      if (failed(results)) {
        ADD_FAILURE() << "@train_step failed:\n" << diagnostics;
        return steps;
      }
      for (auto [index, result] : llvm::enumerate(*results))
        if (auto feeds = step.getResultAttrOfType<IntegerAttr>(
                index, fm::FmDialect::kFeedsAttr))
          inputs[feeds.getInt()] = result;
      steps.push_back(std::move(*results));
    }
    return steps;
  }

  /// Expects `program` to compute exactly what the unfused module does.
  void expectSameTraining(ModuleOp program) {
    std::vector<std::vector<Tensor>> expected = trainTwice(*module);
    std::vector<std::vector<Tensor>> actual = trainTwice(program);
    ASSERT_EQ(actual.size(), expected.size());
    for (size_t step = 0; step < expected.size(); ++step) {
      ASSERT_EQ(actual[step].size(), expected[step].size());
      for (size_t i = 0; i < expected[step].size(); ++i)
        EXPECT_TRUE(bitwiseEqual(actual[step][i], expected[step][i]))
            << "step " << step + 1 << ", result #" << i;
    }
  }
};

TEST_P(FuseTest, TrainStepIsBitwiseEqual) {
  OwningOpRef<ModuleOp> program = fused();
  ASSERT_TRUE(succeeded(verify(*program)));
  // Both models have GEMMs with epilogues (bias, activation), and the
  // optimizer's updates are elementwise chains.
  std::map<std::string, int> kinds;
  program->walk([&](fm::FusionOp fusion) { ++kinds[fusion.getKind()->str()]; });
  EXPECT_GT(kinds["gemm"], 0);
  EXPECT_GT(kinds["elementwise"], 0);
  expectSameTraining(*program);
}

TEST_P(FuseTest, DuplicatesNoOp) {
  OwningOpRef<ModuleOp> program = fused();
  EXPECT_EQ(countOps(*program), countOps(*module));
}

TEST_P(FuseTest, InlineFusionsGivesTheOpsBack) {
  OwningOpRef<ModuleOp> program = fused();
  fm::inlineFusions(*program);
  ASSERT_TRUE(succeeded(verify(*program)));
  int fusions = 0;
  program->walk([&](fm::FusionOp) { ++fusions; });
  EXPECT_EQ(fusions, 0);
  EXPECT_EQ(countOps(*program), countOps(*module));
  expectSameTraining(*program);
}

INSTANTIATE_TEST_SUITE_P(
    Examples, FuseTest, ::testing::Values("mlp.mlir", "gpt_block.mlir"),
    [](const ::testing::TestParamInfo<const char *> &info) {
      std::string name = info.param;
      return name.substr(0, name.find('.'));
    });

} // namespace

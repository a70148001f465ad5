//===- PipelineMutatorTest.cpp - Pass mutators and crossovers -------------===//
#include "fuzz/PipelineMutator.h"
#include "fuzz/Case.h"
#include "fuzz/Oracles.h"

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/Support/raw_ostream.h"

#include <gtest/gtest.h>

using namespace fm::fuzz;

namespace {

/// Whether MLIR parses `pipeline` for a module.
bool parses(llvm::StringRef pipeline) {
  mlir::MLIRContext context;
  mlir::PassManager pm(&context);
  std::string errors;
  llvm::raw_string_ostream os(errors);
  return succeeded(mlir::parsePassPipeline(pipeline, pm, os));
}

class PipelineMutatorTest : public ::testing::Test {
protected:
  static void SetUpTestSuite() { registerPassPool(); }
};

TEST(CaseTest, SplitsPipelinesAtTopLevelCommas) {
  EXPECT_EQ(
      splitPipeline("a,b{x=1 y=2},func.func(c,d),e"),
      (std::vector<std::string>{"a", "b{x=1 y=2}", "func.func(c,d)", "e"}));
  EXPECT_TRUE(splitPipeline("").empty());
  EXPECT_EQ(splitPipeline(" a , ,b "), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(joinPipeline(splitPipeline("a,b{x=1},c(d,e)")), "a,b{x=1},c(d,e)");
}

TEST_F(PipelineMutatorTest, PoolHoldsFmcAndUpstreamPassesThatParse) {
  std::vector<std::string> pool = passPool();
  auto has = [&](llvm::StringRef name) {
    return llvm::is_contained(pool, name.str());
  };
  EXPECT_TRUE(has("fm-train"));
  EXPECT_TRUE(has("fm-coat"));
  EXPECT_TRUE(has("fm-fuse"));
  EXPECT_TRUE(has("fm-fp8-linear"));
  EXPECT_TRUE(has("canonicalize"));
  EXPECT_TRUE(has("linalg-fuse-elementwise-ops"));
  EXPECT_TRUE(has("func.func(fm-cpu-fast-math)"));
  for (const std::string &pass : pool)
    EXPECT_TRUE(parses(pass)) << pass;
}

TEST_F(PipelineMutatorTest, EveryMutatorAppliesAndResultsParse) {
  fmrt::Random random(7);
  llvm::StringMap<int> applied;
  std::string pipeline = "fm-train,cse";
  for (int i = 0; i < 2000; ++i) {
    PipelineMutation mutation = mutatePipeline(pipeline, random);
    EXPECT_NE(mutation.pipeline, pipeline);
    EXPECT_TRUE(parses(mutation.pipeline)) << mutation.pipeline;
    ++applied[mutation.mutator];
    PipelineMutation child =
        crossOverPipelines(mutation.pipeline, "fm-coat,fm-fuse,cse", random);
    EXPECT_TRUE(parses(child.pipeline)) << child.pipeline;
    ++applied[child.mutator];
    // Keep pipelines short so that every mutator keeps applying.
    pipeline = splitPipeline(mutation.pipeline).size() > 6 ? "fm-train,cse"
                                                           : mutation.pipeline;
  }
  for (llvm::StringRef name : pipelineMutatorNames())
    EXPECT_GT(applied.lookup(name), 0) << name.str();
}

TEST_F(PipelineMutatorTest, ChangesOptionsWithinTheirChoices) {
  fmrt::Random random(3);
  bool changed = false;
  for (int i = 0; i < 500 && !changed; ++i) {
    PipelineMutation mutation = mutatePipeline("fm-fuse", random);
    if (mutation.mutator != "change-options")
      continue;
    changed = true;
    EXPECT_TRUE(llvm::StringRef(mutation.pipeline).starts_with("fm-fuse{"));
    EXPECT_TRUE(parses(mutation.pipeline)) << mutation.pipeline;
  }
  EXPECT_TRUE(changed);
}

TEST_F(PipelineMutatorTest, IsDeterministicInTheSeed) {
  fmrt::Random first(11), second(11);
  for (int i = 0; i < 50; ++i)
    EXPECT_EQ(mutatePipeline("fm-train", first).pipeline,
              mutatePipeline("fm-train", second).pipeline);
}

} // namespace

//===- OraclesTest.cpp - What a replay tells its observer -----------------===//
#include "fuzz/Oracles.h"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <utility>

using namespace fm::fuzz;

namespace {

/// Remembers the fingerprints on which an oracle held, as fmc-fuzz's
/// harness does, and records the stages a replay enters.
class RememberingObserver : public ReplayObserver {
public:
  void enterStage(llvm::StringRef stage) override {
    stages.insert(stage.str());
  }
  bool alreadyHeld(llvm::StringRef oracle, uint64_t fingerprint) override {
    return heldOn.count({oracle.str(), fingerprint});
  }
  void held(llvm::StringRef oracle, uint64_t fingerprint) override {
    heldOn.insert({oracle.str(), fingerprint});
    ++timesHeld[oracle.str()];
  }

  std::set<std::string> stages;
  std::set<std::pair<std::string, uint64_t>> heldOn;
  std::map<std::string, int> timesHeld;
};

using HeldCounts = std::map<std::string, int>;

// A program that cse and symbol-dce leave as it is.
constexpr const char *kProgram = R"(
func.func @f(%x: tensor<4x3xf32> {fm.name = "x", fm.data}) -> (tensor<f32> {fm.name = "loss"}) {
  %y = fm.mul %x, %x : tensor<4x3xf32>, tensor<4x3xf32>
  %loss = fm.reduce_sum %y : tensor<4x3xf32>
  return %loss : tensor<f32>
}
)";

FuzzCase caseWith(llvm::StringRef pipeline) {
  return FuzzCase{pipeline.str(), kProgram};
}

TEST(OraclesTest, DeterministicOraclesRunOncePerModuleAndInputs) {
  RememberingObserver observer;
  Outcome first = replay(caseWith("cse"), "a.fmz", /*seed=*/1, &observer);
  ASSERT_EQ(first.verdict, Verdict::Ok) << first.message;
  EXPECT_TRUE(observer.stages.count("compiled"));
  EXPECT_EQ(observer.timesHeld,
            (HeldCounts{{"roundtrip", 1}, {"lower", 1}, {"compiled", 1}}));

  // Another pipeline that leaves the same module: nothing to run again.
  observer.stages.clear();
  Outcome again =
      replay(caseWith("symbol-dce"), "b.fmz", /*seed=*/1, &observer);
  ASSERT_EQ(again.verdict, Verdict::Ok) << again.message;
  EXPECT_TRUE(observer.stages.count("differential"));
  EXPECT_FALSE(observer.stages.count("lower"));
  EXPECT_EQ(observer.timesHeld,
            (HeldCounts{{"roundtrip", 1}, {"lower", 1}, {"compiled", 1}}));

  // Other inputs: the same module round-trips as before, but the compiled
  // code runs on them.
  observer.stages.clear();
  Outcome otherInputs = replay(caseWith("cse"), "c.fmz", /*seed=*/2, &observer);
  ASSERT_EQ(otherInputs.verdict, Verdict::Ok) << otherInputs.message;
  EXPECT_TRUE(observer.stages.count("compiled"));
  EXPECT_EQ(observer.timesHeld,
            (HeldCounts{{"roundtrip", 1}, {"lower", 2}, {"compiled", 2}}));
}

TEST(OraclesTest, LoweringAloneDoesNotStandForTheCompiledRun) {
  // The observer asks for the lowering alone: what held is "lower", and
  // a later replay that wants the compiled run too still gets it.
  class LowerOnly : public RememberingObserver {
  public:
    bool shouldRunCompiled() override { return false; }
  };
  LowerOnly lowerOnly;
  ASSERT_EQ(replay(caseWith(""), "a.fmz", 1, &lowerOnly).verdict, Verdict::Ok);
  EXPECT_EQ(lowerOnly.timesHeld, (HeldCounts{{"roundtrip", 1}, {"lower", 1}}));

  RememberingObserver full;
  full.heldOn = lowerOnly.heldOn;
  ASSERT_EQ(replay(caseWith(""), "a.fmz", 1, &full).verdict, Verdict::Ok);
  EXPECT_TRUE(full.stages.count("compiled"));
  EXPECT_EQ(full.timesHeld, (HeldCounts{{"lower", 1}, {"compiled", 1}}));
}

} // namespace

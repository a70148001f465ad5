//===- TrainingDataTest.cpp - Data sources and checkpoints ----------------===//
#include "fmrt/Checkpoint.h"
#include "fmrt/Data.h"
#include "fmrt/Safetensors.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <unistd.h>

using namespace fmrt;

namespace {

/// A fresh directory, removed with everything in it when the test ends.
class ScratchDir {
public:
  explicit ScratchDir(const std::string &name)
      : path(::testing::TempDir() + "fmrt-" + name + "-XXXXXX") {
    EXPECT_NE(mkdtemp(path.data()), nullptr);
  }
  ~ScratchDir() { std::filesystem::remove_all(path); }
  ScratchDir(const ScratchDir &) = delete;
  ScratchDir &operator=(const ScratchDir &) = delete;

  std::string path;
};

std::string writeText(const std::string &dir, const std::string &text) {
  std::string path = dir + "/corpus.txt";
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

TEST(ByteCorpusTest, WindowsAreShiftedByOneAndDeterministic) {
  std::string text = "abcdefghijklmnopqrstuvwxyz";
  ScratchDir dir("c");
  Expected<ByteCorpus> corpus = ByteCorpus::load(writeText(dir.path, text));
  ASSERT_TRUE(corpus.ok()) << corpus.status().message();
  Tensor tokens(DType::I32, {3, 5}), targets(DType::I32, {3, 5});
  Random random(7);
  ASSERT_TRUE(corpus->sampleWindows(random, tokens, targets).ok());
  for (int64_t row = 0; row < 3; ++row) {
    // Each row is a contiguous slice of the text; targets are tokens + 1.
    int64_t first = tokens.getInt(row * 5);
    for (int64_t t = 0; t < 5; ++t) {
      EXPECT_EQ(tokens.getInt(row * 5 + t), first + t);
      EXPECT_EQ(targets.getInt(row * 5 + t), first + t + 1);
    }
    EXPECT_GE(first, 'a');
    EXPECT_LE(first + 5, 'z');
  }
  Tensor again(DType::I32, {3, 5}), againTargets(DType::I32, {3, 5});
  Random same(7);
  ASSERT_TRUE(corpus->sampleWindows(same, again, againTargets).ok());
  for (int64_t i = 0; i < 15; ++i)
    EXPECT_EQ(again.getInt(i), tokens.getInt(i));
}

TEST(ByteCorpusTest, ShorterThanOneWindowIsAnError) {
  ScratchDir dir("s");
  Expected<ByteCorpus> corpus = ByteCorpus::load(writeText(dir.path, "abc"));
  ASSERT_TRUE(corpus.ok());
  Tensor tokens(DType::I64, {1, 3}), targets(DType::I64, {1, 3});
  Random random(0);
  Status status = corpus->sampleWindows(random, tokens, targets);
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.message().find("3 bytes is shorter than one window of 4"),
            std::string::npos)
      << status.message();
}

TEST(ByteCorpusTest, MissingFile) {
  Expected<ByteCorpus> corpus = ByteCorpus::load("/nonexistent/corpus.txt");
  ASSERT_FALSE(corpus.ok());
  EXPECT_NE(corpus.status().message().find("cannot open file"),
            std::string::npos);
}

TEST(SyntheticClassificationTest, LabelsInRangeAndClustersSeparate) {
  SyntheticClassification data(/*features=*/8, /*classes=*/3, /*seed=*/1,
                               /*noise=*/0.01);
  Tensor x(DType::F32, {64, 8}), labels(DType::I32, {64});
  Random random(2);
  ASSERT_TRUE(data.sample(random, x, labels).ok());
  // With tiny noise, samples of one class are nearly identical.
  for (int64_t a = 0; a < 64; ++a)
    for (int64_t b = 0; b < 64; ++b) {
      ASSERT_GE(labels.getInt(a), 0);
      ASSERT_LT(labels.getInt(a), 3);
      if (labels.getInt(a) != labels.getInt(b))
        continue;
      for (int64_t f = 0; f < 8; ++f)
        EXPECT_NEAR(x.getDouble(a * 8 + f), x.getDouble(b * 8 + f), 0.1);
    }
}

TEST(CheckpointTest, RoundTripKeepsTensorsStepAndRng) {
  ScratchDir scratch("ckpt");
  std::string dir = scratch.path + "/nested/dir";
  Checkpoint checkpoint;
  Tensor w(DType::F32, {2, 3});
  for (int64_t i = 0; i < 6; ++i)
    w.setDouble(i, 0.25 * i - 1);
  Tensor step(DType::I64, {});
  step.setInt(0, 42);
  checkpoint.tensors = {{"w", w}, {"step", step}};
  checkpoint.step = 42;
  checkpoint.seed = 0xfedcba9876543210ull;
  checkpoint.rngState = {1, 0xffffffffffffffffull, 3, 0x0123456789abcdefull};
  ASSERT_TRUE(saveCheckpoint(dir, checkpoint).ok());

  Expected<Checkpoint> loaded = loadCheckpoint(dir);
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  EXPECT_EQ(loaded->step, 42);
  EXPECT_EQ(loaded->seed, checkpoint.seed);
  EXPECT_EQ(loaded->rngState, checkpoint.rngState);
  ASSERT_EQ(loaded->tensors.size(), 2u);
  EXPECT_EQ(loaded->tensors[0].first, "w");
  for (int64_t i = 0; i < 6; ++i)
    EXPECT_EQ(loaded->tensors[0].second.getDouble(i), w.getDouble(i));
  EXPECT_EQ(loaded->tensors[1].second.getInt(0), 42);
}

TEST(CheckpointTest, ForeignSafetensorsFileIsRejected) {
  ScratchDir scratch("foreign");
  const std::string &dir = scratch.path;
  SafetensorsFile file;
  file.tensors.push_back({"w", Tensor(DType::F32, {2})});
  ASSERT_TRUE(writeSafetensors(checkpointFile(dir), file).ok());
  Expected<Checkpoint> loaded = loadCheckpoint(dir);
  ASSERT_FALSE(loaded.ok());
  EXPECT_NE(loaded.status().message().find("not an fmc checkpoint"),
            std::string::npos);
}

TEST(CheckpointTest, MissingDirectory) {
  Expected<Checkpoint> loaded = loadCheckpoint("/nonexistent/ckpt");
  ASSERT_FALSE(loaded.ok());
  EXPECT_NE(loaded.status().message().find("checkpoint.safetensors"),
            std::string::npos);
}

} // namespace

//===- WrapperTest.cpp - The header-only C++ wrapper (fmrt.hpp) -----------===//

#include "fmrt/fmrt.hpp"

#include <gtest/gtest.h>

#include <cstdio>

namespace {

TEST(WrapperTest, CallsFunctions) {
  fmrt::ApiResult<fmrt::Artifact> artifact =
      fmrt::Artifact::load(FMRT_TEST_ARTIFACT_GOOD);
  ASSERT_TRUE(artifact.ok()) << artifact.status().message();
  EXPECT_EQ(artifact->info().format_version, 1);
  std::vector<fmrt::Function> functions = artifact->functions();
  ASSERT_EQ(functions.size(), 2u);
  EXPECT_EQ(functions[0].name(), "axpy");

  fmrt::ApiResult<fmrt::Function> axpy = artifact->function("axpy");
  ASSERT_TRUE(axpy.ok());
  EXPECT_EQ(axpy->numArgs(), 3);
  EXPECT_STREQ(axpy->arg(1).name, "x");
  EXPECT_EQ(axpy->result(0).rank, 1);

  std::vector<float> ones(1000, 1.0f);
  const float three = 3;
  auto alpha = fmrt::TensorHandle::create(FMRT_F32, {}, &three);
  auto x = fmrt::TensorHandle::create(FMRT_F32, {1000}, ones.data());
  ASSERT_TRUE(alpha.ok() && x.ok());
  auto results = axpy->call({*alpha, *x, *x});
  ASSERT_TRUE(results.ok()) << results.status().message();
  ASSERT_EQ(results->size(), 1u);
  EXPECT_EQ((*results)[0].shape(), std::vector<int64_t>({1000}));
  EXPECT_EQ((*results)[0].data<float>()[999], 4.0f);

  auto wrong = axpy->call({*alpha, *x});
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.status().code(), FMRT_INVALID_ARGUMENT);
  EXPECT_EQ(wrong.status().message(), "axpy: expected 3 inputs, got 2");
}

TEST(WrapperTest, ErrorsCarryCodeAndMessage) {
  auto missing = fmrt::Artifact::load("/nonexistent/artifact.so");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), FMRT_IO_ERROR);
  EXPECT_EQ(missing.status().message(),
            "/nonexistent/artifact.so: cannot open file: No such file or "
            "directory");
  auto future = fmrt::Artifact::load(FMRT_TEST_ARTIFACT_VERSION2);
  ASSERT_FALSE(future.ok());
  EXPECT_EQ(future.status().code(), FMRT_VERSION_MISMATCH);
}

TEST(WrapperTest, TrainsASession) {
  auto artifact = fmrt::Artifact::load(FMRT_TEST_ARTIFACT_GOOD);
  ASSERT_TRUE(artifact.ok());
  auto session = fmrt::Session::create(*artifact, "accumulate");
  ASSERT_TRUE(session.ok()) << session.status().message();
  EXPECT_EQ(session->function().name(), "accumulate");
  std::vector<float> values = {1, 2, 3, 4, 5, 6};
  auto x = fmrt::TensorHandle::create(FMRT_F32, {2, 3}, values.data());
  ASSERT_TRUE(x.ok());
  fmrt::ApiResult<double> loss = session->step({*x});
  ASSERT_TRUE(loss.ok()) << loss.status().message();
  EXPECT_EQ(*loss, 21);
  EXPECT_EQ(session->stepCount(), 1);

  fmrt::ApiResult<fmrt::TensorView> total = session->state("total");
  ASSERT_TRUE(total.ok());
  EXPECT_EQ(total->data<float>()[5], 6.0f);
  auto copy = fmrt::TensorHandle::create(FMRT_F32, {2, 3});
  ASSERT_TRUE(copy.ok());
  ASSERT_TRUE(session->setState("total", *copy).ok());
  EXPECT_EQ(total->data<float>()[5], 0.0f);
  fmrt::ApiStatus bad = session->setState("count", *copy);
  EXPECT_EQ(bad.code(), FMRT_DTYPE_MISMATCH);

  const std::string directory =
      ::testing::TempDir() + "fmrt-wrapper-" + std::to_string(getpid());
  ASSERT_TRUE(session->saveCheckpoint(directory).ok());
  auto resumed = fmrt::Session::create(*artifact, "accumulate");
  ASSERT_TRUE(resumed.ok());
  ASSERT_TRUE(resumed->loadCheckpoint(directory).ok());
  EXPECT_EQ(resumed->stepCount(), 1);
  std::remove((directory + "/checkpoint.safetensors").c_str());
  std::remove(directory.c_str());
}

TEST(WrapperTest, NpyThroughHandles) {
  const std::string path = ::testing::TempDir() + "fmrt-wrapper-" +
                           std::to_string(getpid()) + ".npy";
  const int32_t values[] = {7, -8};
  auto tensor = fmrt::TensorHandle::create(FMRT_I32, {2}, values);
  ASSERT_TRUE(tensor.ok());
  ASSERT_TRUE(tensor->saveNpy(path).ok());
  auto loaded = fmrt::TensorHandle::loadNpy(path);
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  EXPECT_EQ(loaded->dtype(), FMRT_I32);
  EXPECT_EQ(loaded->data<int32_t>()[1], -8);
  auto clone = loaded->clone();
  ASSERT_TRUE(clone.ok());
  EXPECT_NE(clone->get(), loaded->get());
  std::remove(path.c_str());
}

} // namespace

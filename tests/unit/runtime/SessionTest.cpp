//===- SessionTest.cpp - Training sessions --------------------------------===//
//
// On the fake artifact good.so's accumulate step (total += x, count += 1,
// loss = sum(total)) and toy_train.so's train_step.
//
//===----------------------------------------------------------------------===//

#include "CApiTestUtil.h"

#include <cmath>
#include <cstdio>
#include <numeric>

using namespace fmrt::test;

namespace {

SessionPtr createSession(const fmrt_artifact *artifact, const char *function) {
  fmrt_session *session = nullptr;
  EXPECT_EQ(fmrt_session_create(artifact, function, &session), FMRT_OK)
      << fmrt_last_error();
  return SessionPtr(session);
}

const fmrt_tensor *getState(const fmrt_session *session, const char *name) {
  const fmrt_tensor *tensor = nullptr;
  EXPECT_EQ(fmrt_session_get_state(session, name, &tensor), FMRT_OK)
      << fmrt_last_error();
  return tensor;
}

int32_t countOf(const fmrt_session *session) {
  return *static_cast<const int32_t *>(
      fmrt_tensor_const_data(getState(session, "count")));
}

double step(fmrt_session *session, const fmrt_tensor *x) {
  double loss = 0;
  EXPECT_EQ(fmrt_session_step(session, &x, 1, &loss), FMRT_OK)
      << fmrt_last_error();
  return loss;
}

class AccumulateTest : public ::testing::Test {
protected:
  void SetUp() override {
    artifact = loadArtifact(FMRT_TEST_ARTIFACT_GOOD);
    ASSERT_TRUE(artifact);
    session = createSession(artifact.get(), "accumulate");
    ASSERT_TRUE(session);
  }
  ArtifactPtr artifact;
  SessionPtr session;
  TensorPtr x = makeF32({2, 3}, {1, 2, 3, 4, 5, 6});
};

TEST_F(AccumulateTest, StepsCarryTheState) {
  EXPECT_STREQ(fmrt_function_name(fmrt_session_function(session.get())),
               "accumulate");
  EXPECT_EQ(fmrt_session_step_count(session.get()), 0);
  // The handle stays valid and follows the state across steps.
  const fmrt_tensor *total = getState(session.get(), "total");
  EXPECT_EQ(valuesOf(total), std::vector<float>(6, 0));
  EXPECT_EQ(step(session.get(), x.get()), 21);
  EXPECT_EQ(step(session.get(), x.get()), 42);
  EXPECT_EQ(step(session.get(), x.get()), 63);
  EXPECT_EQ(fmrt_session_step_count(session.get()), 3);
  EXPECT_EQ(countOf(session.get()), 3);
  EXPECT_EQ(valuesOf(total), std::vector<float>({3, 6, 9, 12, 15, 18}));
  EXPECT_EQ(getState(session.get(), "total"), total);
}

TEST_F(AccumulateTest, SetState) {
  TensorPtr start = makeF32({2, 3}, {10, 0, 0, 0, 0, 0});
  ASSERT_EQ(fmrt_session_set_state(session.get(), "total", start.get()),
            FMRT_OK);
  EXPECT_EQ(step(session.get(), x.get()), 31);

  TensorPtr wrongShape = makeF32({3, 2}, std::vector<float>(6));
  EXPECT_FMRT_ERROR(
      fmrt_session_set_state(session.get(), "total", wrongShape.get()),
      FMRT_SHAPE_MISMATCH,
      "accumulate: state 'total' has shape 3x2, expected 2x3");
  EXPECT_FMRT_ERROR(fmrt_session_set_state(session.get(), "count", x.get()),
                    FMRT_DTYPE_MISMATCH,
                    "accumulate: state 'count' has dtype f32, expected i32");
  EXPECT_FMRT_ERROR(fmrt_session_set_state(session.get(), "x", x.get()),
                    FMRT_NOT_FOUND, "accumulate has no state tensor 'x'");
  const fmrt_tensor *tensor = nullptr;
  EXPECT_FMRT_ERROR(fmrt_session_get_state(session.get(), "nope", &tensor),
                    FMRT_NOT_FOUND, "accumulate has no state tensor 'nope'");
}

TEST_F(AccumulateTest, BadBatchesLeaveTheStateAlone) {
  double loss = -1;
  EXPECT_FMRT_ERROR(fmrt_session_step(session.get(), nullptr, 0, &loss),
                    FMRT_INVALID_ARGUMENT,
                    "accumulate: expected 1 batch inputs (x), got 0");
  TensorPtr wrong = makeF32({6}, std::vector<float>(6));
  const fmrt_tensor *batch[] = {wrong.get()};
  EXPECT_FMRT_ERROR(fmrt_session_step(session.get(), batch, 1, &loss),
                    FMRT_SHAPE_MISMATCH,
                    "accumulate: input #2 ('x') has shape 6, expected 2x3");
  EXPECT_EQ(loss, -1);
  EXPECT_EQ(fmrt_session_step_count(session.get()), 0);
  EXPECT_EQ(countOf(session.get()), 0);
}

TEST_F(AccumulateTest, CheckpointsRoundTrip) {
  step(session.get(), x.get());
  step(session.get(), x.get());
  const std::string directory = tempPath("accumulate-checkpoint");
  ASSERT_EQ(fmrt_session_save_checkpoint(session.get(), directory.c_str()),
            FMRT_OK)
      << fmrt_last_error();

  SessionPtr resumed = createSession(artifact.get(), "accumulate");
  ASSERT_EQ(fmrt_session_load_checkpoint(resumed.get(), directory.c_str()),
            FMRT_OK)
      << fmrt_last_error();
  EXPECT_EQ(fmrt_session_step_count(resumed.get()), 2);
  EXPECT_EQ(countOf(resumed.get()), 2);
  EXPECT_EQ(step(resumed.get(), x.get()), step(session.get(), x.get()));
  EXPECT_EQ(fmrt_session_step_count(resumed.get()), 3);
  std::remove((directory + "/checkpoint.safetensors").c_str());
  std::remove(directory.c_str());
}

TEST_F(AccumulateTest, CheckpointMismatches) {
  const std::string directory = tempPath("mismatch-checkpoint");
  const std::string file = directory + "/checkpoint.safetensors";
  ASSERT_EQ(fmrt_session_save_checkpoint(session.get(), directory.c_str()),
            FMRT_OK);
  // Edit the checkpoint through a tensor map, which keeps its metadata.
  auto rewrite = [&](const char *name, const fmrt_tensor *tensor) {
    fmrt_tensor_map *map = nullptr;
    ASSERT_EQ(fmrt_safetensors_load(file.c_str(), &map), FMRT_OK);
    ASSERT_EQ(fmrt_tensor_map_set(map, name, tensor), FMRT_OK);
    ASSERT_EQ(fmrt_safetensors_save(file.c_str(), map), FMRT_OK);
    fmrt_tensor_map_destroy(map);
  };
  TensorPtr wrongShape = makeF32({3, 2}, std::vector<float>(6));
  TensorPtr extra = makeF32({1}, {1});
  TensorPtr goodTotal = makeF32({2, 3}, std::vector<float>(6, 5));

  rewrite("total", wrongShape.get());
  EXPECT_FMRT_ERROR(
      fmrt_session_load_checkpoint(session.get(), directory.c_str()),
      FMRT_SHAPE_MISMATCH,
      file + ": checkpoint tensor 'total' for accumulate has shape 3x2, "
             "expected 2x3");
  rewrite("total", goodTotal.get());
  rewrite("extra", extra.get());
  EXPECT_FMRT_ERROR(
      fmrt_session_load_checkpoint(session.get(), directory.c_str()),
      FMRT_INVALID_ARGUMENT,
      file + ": the checkpoint has tensor 'extra' that accumulate does not "
             "have");
  // Nothing was restored by the failed loads.
  EXPECT_EQ(valuesOf(getState(session.get(), "total")),
            std::vector<float>(6, 0));

  ArtifactPtr toy = loadArtifact(FMRT_TEST_ARTIFACT_TOY_TRAIN);
  SessionPtr other = createSession(toy.get(), "train_step");
  EXPECT_FMRT_ERROR(
      fmrt_session_load_checkpoint(other.get(), directory.c_str()),
      FMRT_NOT_FOUND,
      file + ": the checkpoint has no tensor 'proj.weight' that train_step "
             "needs (4x2xf32)");

  std::remove(file.c_str());
  std::remove(directory.c_str());
  EXPECT_FMRT_ERROR(
      fmrt_session_load_checkpoint(session.get(), directory.c_str()),
      FMRT_IO_ERROR, file + ": cannot open file: No such file or directory");
}

TEST(SessionTest, CreateErrors) {
  ArtifactPtr artifact = loadArtifact(FMRT_TEST_ARTIFACT_GOOD);
  fmrt_session *session = nullptr;
  EXPECT_FMRT_ERROR(fmrt_session_create(artifact.get(), "train_step", &session),
                    FMRT_NOT_FOUND,
                    "the artifact has no function 'train_step' (it has "
                    "'axpy', 'accumulate')");
  EXPECT_FMRT_ERROR(fmrt_session_create(artifact.get(), "axpy", &session),
                    FMRT_INVALID_ARGUMENT,
                    "axpy: cannot train: result #0 must be the loss, a scalar "
                    "float");
  EXPECT_EQ(session, nullptr);
}

TEST(SessionTest, OutlivesItsArtifactHandle) {
  ArtifactPtr artifact = loadArtifact(FMRT_TEST_ARTIFACT_GOOD);
  SessionPtr session = createSession(artifact.get(), "accumulate");
  artifact.reset();
  TensorPtr x = makeF32({2, 3}, {1, 1, 1, 1, 1, 1});
  EXPECT_EQ(step(session.get(), x.get()), 6);
}

std::vector<float> stateValues(const fmrt_session *session, const char *name) {
  return valuesOf(getState(session, name));
}

TEST(SessionTest, InitializesLikeFmcTrain) {
  ArtifactPtr artifact = loadArtifact(FMRT_TEST_ARTIFACT_TOY_TRAIN);
  SessionPtr session = createSession(artifact.get(), "train_step");
  ASSERT_EQ(fmrt_session_initialize(session.get(), 7), FMRT_OK);
  // Matrices: small normal draws; scales: ones; biases and state: zeros.
  std::vector<float> weight = stateValues(session.get(), "proj.weight");
  double sumSquares = 0;
  for (float w : weight) {
    EXPECT_LT(std::fabs(w), 0.1f);
    sumSquares += w * w;
  }
  EXPECT_GT(sumSquares, 0);
  EXPECT_EQ(stateValues(session.get(), "norm.scale"),
            std::vector<float>({1, 1}));
  EXPECT_EQ(stateValues(session.get(), "proj.bias"),
            std::vector<float>({0, 0}));
  EXPECT_EQ(*static_cast<const int32_t *>(
                fmrt_tensor_const_data(getState(session.get(), "step"))),
            0);

  // Deterministic in the seed.
  SessionPtr same = createSession(artifact.get(), "train_step");
  SessionPtr other = createSession(artifact.get(), "train_step");
  ASSERT_EQ(fmrt_session_initialize(same.get(), 7), FMRT_OK);
  ASSERT_EQ(fmrt_session_initialize(other.get(), 8), FMRT_OK);
  EXPECT_EQ(stateValues(same.get(), "proj.weight"), weight);
  EXPECT_NE(stateValues(other.get(), "proj.weight"), weight);
}

TEST(SessionTest, TrainsTheToyModel) {
  ArtifactPtr artifact = loadArtifact(FMRT_TEST_ARTIFACT_TOY_TRAIN);
  SessionPtr session = createSession(artifact.get(), "train_step");
  ASSERT_EQ(fmrt_session_initialize(session.get(), 0), FMRT_OK);
  std::vector<int32_t> tokens(16), targets(16);
  std::iota(tokens.begin(), tokens.end(), 90);
  std::iota(targets.begin(), targets.end(), 91);
  TensorPtr tokenTensor = makeTensor(FMRT_I32, {2, 8}, tokens.data());
  TensorPtr targetTensor = makeTensor(FMRT_I32, {2, 8}, targets.data());
  const fmrt_tensor *batch[] = {tokenTensor.get(), targetTensor.get()};
  double first = 0, loss = 0;
  for (int i = 0; i < 20; ++i) {
    ASSERT_EQ(fmrt_session_step(session.get(), batch, 2, &loss), FMRT_OK)
        << fmrt_last_error();
    if (i == 0)
      first = loss;
  }
  EXPECT_LT(loss, first / 10);
  EXPECT_EQ(*static_cast<const int32_t *>(
                fmrt_tensor_const_data(getState(session.get(), "step"))),
            20);
}

} // namespace

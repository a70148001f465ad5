//===- embed.cpp - Train a compiled fmc model through libfmrt -------------===//
//
// Loads an artifact that `fmc compile` built from a language model, starts a
// training session on its train_step (fresh parameters, or a checkpoint),
// trains on random windows of a text file (one byte = one token) and prints
// the loss of each step:
//
//   embed ARTIFACT --data TEXT [--steps N] [--seed S] [--checkpoint DIR]
//         [--save DIR]
//
// It needs nothing but libfmrt, through the header-only C++ wrapper fmrt.hpp.
//
//===----------------------------------------------------------------------===//

#include "fmrt/fmrt.hpp"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

namespace {

struct Options {
  std::string artifact, data, checkpoint, save;
  long steps = 10;
  unsigned long long seed = 0;
};

int fail(const std::string &message) {
  std::fprintf(stderr, "embed: %s\n", message.c_str());
  return 1;
}

const char *kUsage = "usage: embed ARTIFACT --data TEXT [--steps N] "
                     "[--seed S] [--checkpoint DIR] [--save DIR]";

bool parseOptions(int argc, char **argv, Options &options) {
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (flag.rfind("--", 0) != 0) {
      if (!options.artifact.empty())
        return false;
      options.artifact = flag;
      continue;
    }
    if (i + 1 == argc)
      return false;
    const char *value = argv[++i];
    char *end = nullptr;
    if (flag == "--data")
      options.data = value;
    else if (flag == "--checkpoint")
      options.checkpoint = value;
    else if (flag == "--save")
      options.save = value;
    else if (flag == "--steps")
      options.steps = std::strtol(value, &end, 10);
    else if (flag == "--seed")
      options.seed = std::strtoull(value, &end, 10);
    else
      return false;
    if (end && (*end != '\0' || end == value))
      return false;
  }
  return !options.artifact.empty() && !options.data.empty() &&
         options.steps >= 0;
}

/// The language model's batch: tokens and targets, two integer [batch, seq]
/// tensors (the train_step arguments that are neither param nor state).
struct Batch {
  std::vector<fmrt::TensorHandle> tensors;
  int64_t rows = 0, seq = 0;
};

fmrt::ApiResult<Batch> makeBatch(const fmrt::Function &step) {
  Batch batch;
  for (int64_t i = 0; i < step.numArgs(); ++i) {
    fmrt_value_info arg = step.arg(i);
    if (arg.role == FMRT_ROLE_PARAM || arg.role == FMRT_ROLE_STATE)
      continue;
    if (arg.rank != 2 || (arg.dtype != FMRT_I32 && arg.dtype != FMRT_I64))
      return fmrt::ApiStatus::error(
          FMRT_INVALID_ARGUMENT,
          std::string("batch argument '") + arg.name +
              "' is not an integer [batch, seq] tensor; this example trains "
              "language models");
    auto tensor = fmrt::TensorHandle::create(
        arg.dtype, std::vector<int64_t>(arg.shape, arg.shape + 2));
    if (!tensor)
      return tensor.status();
    batch.rows = arg.shape[0];
    batch.seq = arg.shape[1];
    batch.tensors.push_back(tensor.take());
  }
  if (batch.tensors.size() != 2 ||
      batch.tensors[0].shape() != batch.tensors[1].shape())
    return fmrt::ApiStatus::error(
        FMRT_INVALID_ARGUMENT,
        step.name() + " does not take tokens and targets of one shape");
  return batch;
}

template <typename T>
void fillRow(fmrt::TensorHandle &tensor, int64_t row, const char *bytes,
             int64_t seq) {
  T *out = tensor.data<T>() + row * seq;
  for (int64_t i = 0; i < seq; ++i)
    out[i] = static_cast<unsigned char>(bytes[i]);
}

/// Row r of the tokens holds bytes [o, o + seq) of the text and row r of the
/// targets the bytes one further, for a random offset o per row.
void sample(const std::string &text, std::mt19937_64 &random, Batch &batch) {
  std::uniform_int_distribution<size_t> offsets(0, text.size() - batch.seq - 1);
  for (int64_t row = 0; row < batch.rows; ++row) {
    const size_t offset = offsets(random);
    for (int which = 0; which < 2; ++which) {
      fmrt::TensorHandle &tensor = batch.tensors[which];
      const char *bytes = text.data() + offset + which;
      if (tensor.dtype() == FMRT_I32)
        fillRow<int32_t>(tensor, row, bytes, batch.seq);
      else
        fillRow<int64_t>(tensor, row, bytes, batch.seq);
    }
  }
}

} // namespace

int main(int argc, char **argv) {
  Options options;
  if (!parseOptions(argc, argv, options))
    return fail(kUsage);
  std::ifstream file(options.data, std::ios::binary);
  if (!file)
    return fail("cannot read " + options.data);
  const std::string text((std::istreambuf_iterator<char>(file)), {});

  auto artifact = fmrt::Artifact::load(options.artifact);
  if (!artifact)
    return fail(artifact.status().message());
  auto session = fmrt::Session::create(*artifact, "train_step");
  if (!session)
    return fail(session.status().message());
  fmrt::ApiStatus started = options.checkpoint.empty()
                                ? session->initialize(options.seed)
                                : session->loadCheckpoint(options.checkpoint);
  if (!started)
    return fail(started.message());
  auto batch = makeBatch(session->function());
  if (!batch)
    return fail(batch.status().message());
  if (static_cast<int64_t>(text.size()) <= batch->seq)
    return fail(options.data + " is shorter than one window of " +
                std::to_string(batch->seq + 1) + " bytes");
  std::printf("%s: train_step on %lldx%lld tokens, starting at step %lld\n",
              options.artifact.c_str(), static_cast<long long>(batch->rows),
              static_cast<long long>(batch->seq),
              static_cast<long long>(session->stepCount()));

  std::mt19937_64 random(options.seed);
  for (long i = 0; i < options.steps; ++i) {
    sample(text, random, *batch);
    auto loss = session->step({batch->tensors[0], batch->tensors[1]});
    if (!loss)
      return fail(loss.status().message());
    std::printf("step %lld  loss %.4f\n",
                static_cast<long long>(session->stepCount()), *loss);
  }
  if (!options.save.empty()) {
    if (fmrt::ApiStatus saved = session->saveCheckpoint(options.save); !saved)
      return fail(saved.message());
    std::printf("saved %s\n", options.save.c_str());
  }
  return 0;
}

//===- Checkpoint.h - Training checkpoints ----------------------*- C++ -*-===//
//
// A checkpoint is a directory holding `checkpoint.safetensors`: the training
// state (parameters, optimizer state, step counter) under the names the graph
// gives them, so PyTorch/HF tools can read it, plus string metadata: the
// format tag, the step, the run's seed and the data generator's state. It is written
// atomically: an interrupted save leaves the previous checkpoint intact.
//
//===----------------------------------------------------------------------===//
#ifndef FMRT_CHECKPOINT_H
#define FMRT_CHECKPOINT_H

#include "fmrt/Status.h"
#include "fmrt/Tensor.h"

#include <array>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace fmrt {

struct Checkpoint {
  std::vector<std::pair<std::string, Tensor>> tensors;
  int64_t step = 0;
  /// The run's seed: it also defines data a resumed run must see again.
  uint64_t seed = 0;
  std::array<uint64_t, 4> rngState = {};
};

/// The file inside a checkpoint directory.
std::string checkpointFile(const std::string &directory);
/// Creates `directory` if needed and writes the checkpoint into it.
Status saveCheckpoint(const std::string &directory,
                      const Checkpoint &checkpoint);
Expected<Checkpoint> loadCheckpoint(const std::string &directory);

} // namespace fmrt

#endif // FMRT_CHECKPOINT_H

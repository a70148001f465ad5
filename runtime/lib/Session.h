//===- Session.h - Training sessions ----------------------------*- C++ -*-===//
//
// The C++ class behind fmrt_session: a training step function plus the state
// it carries from step to step (see fmrt.h).
//
//===----------------------------------------------------------------------===//
#ifndef FMRT_LIB_SESSION_H
#define FMRT_LIB_SESSION_H

#include "Artifact.h"

#include <array>

namespace fmrt::detail {

class Session {
public:
  static ApiResult<std::unique_ptr<Session>>
  create(std::shared_ptr<const Artifact> artifact, std::string_view function);

  const Function &function() const { return *function_; }
  int64_t stepCount() const { return steps_; }

  void initialize(uint64_t seed);
  /// The state tensor called `name`.
  ApiResult<const Tensor *> state(std::string_view name) const;
  ApiStatus setState(std::string_view name, const Tensor &value);
  ApiStatus loadCheckpoint(const std::string &directory);
  ApiStatus saveCheckpoint(const std::string &directory) const;
  /// Runs a step on the batch arguments, in order; returns the loss.
  ApiResult<double> step(const std::vector<const Tensor *> &batch);

private:
  Session(std::shared_ptr<const Artifact> artifact, const Function &function);
  ApiResult<size_t> findState(std::string_view name) const;
  /// "<function>: state '<name>'".
  std::string describeState(size_t arg) const;

  // Keeps the shared object loaded while the session runs its code.
  std::shared_ptr<const Artifact> artifact_;
  const Function *function_;
  /// One per argument: state arguments hold the state, batch ones stay empty.
  std::vector<Tensor> args_;
  /// One per result, allocated once: after a step, each result that feeds an
  /// argument swaps buffers with it.
  std::vector<Tensor> results_;
  std::vector<size_t> stateArgs_, batchArgs_;
  int64_t steps_ = 0;
  // A loaded checkpoint's seed and data-generator state, carried through
  // unchanged (the session draws no data itself); after initialize(seed),
  // the seed and a generator freshly seeded with it, so that `fmc train`
  // can resume the checkpoints the session writes.
  uint64_t seed_ = 0;
  std::array<uint64_t, 4> rngState_;
};

} // namespace fmrt::detail

#endif // FMRT_LIB_SESSION_H

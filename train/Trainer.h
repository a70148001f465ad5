//===- Trainer.h - The training loop behind `fmc train` ---------*- C++ -*-===//
//
// Turns a forward graph with a scalar loss into @train_step (the fm-train
// pipeline), initializes or restores its state, feeds it batches and runs it
// step after step, logging progress and writing loss.csv and checkpoints.
//
//===----------------------------------------------------------------------===//
#ifndef FM_TRAIN_TRAINER_H
#define FM_TRAIN_TRAINER_H

#include "ir/interp/Interpreter.h"
#include "train/Executor.h"

#include "mlir/IR/BuiltinOps.h"

#include "llvm/Support/raw_ostream.h"

#include <cstdint>
#include <string>

namespace fm {

struct TrainOptions {
  /// The loss function (default: the module's entry function).
  std::string entry;
  std::string optimizer = "adamw";
  double lr = 1e-3;
  double beta1 = 0.9, beta2 = 0.999, eps = 1e-8;
  double weightDecay = 0.01;
  double momentum = 0.0;
  double clipNorm = 1.0;
  /// Steps to run in this invocation (a resumed run continues its count).
  int64_t steps = 100;
  uint64_t seed = 0;
  /// Byte-level text for language models.
  std::string dataPath;
  std::string checkpointDir;
  /// Also checkpoint every this many steps (0: only at the end).
  int64_t checkpointEvery = 0;
  std::string resumeDir;
  /// Plain log lines every this many steps (and the last).
  int64_t logEvery = 10;
  /// Where to write the loss curve (default: <checkpoint dir>/loss.csv, or
  /// ./loss.csv).
  std::string lossCsv;
  /// A live progress line instead of log lines (for terminals).
  bool progressBar = false;
  Backend backend = Backend::Interp;
  /// The named pipeline that derives @train_step from the loss, given the
  /// optimizer options: fm-train, or fm-coat for COAT's FP8 training.
  std::string pipeline = "fm-train";
  /// More passes (a pipeline string) run on the module after it, e.g.
  /// "fm-fp8-linear".
  std::string stepPasses;
  /// The interpreter's arithmetic (Backend::Interp only).
  Precision precision = Precision::F32;
};

/// Trains the loss function of `module` in place (the module gains the
/// gradient and @train_step). Errors are emitted as diagnostics (located at
/// the graph where they concern it) and return failure.
mlir::LogicalResult train(mlir::ModuleOp module, const TrainOptions &options,
                          llvm::raw_ostream &log);

} // namespace fm

#endif // FM_TRAIN_TRAINER_H

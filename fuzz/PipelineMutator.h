//===- PipelineMutator.h - Mutating a case's pass pipeline ------*- C++ -*-===//
//
// Tzer's pass mutators on the pipeline half of a fuzz case: add, delete,
// replace or swap a pass, add, delete or replace a run of passes, change a
// pass's options, and single-point, two-point and uniform crossover of two
// pipelines. Passes come from a pool: every fm pass and named pipeline, the
// CPU backend's passes, and the upstream passes fmc's pipelines use, each
// with the option values worth trying.
//
//===----------------------------------------------------------------------===//
#ifndef FM_FUZZ_PIPELINEMUTATOR_H
#define FM_FUZZ_PIPELINEMUTATOR_H

#include "fmrt/Random.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

#include <string>
#include <vector>

namespace fm::fuzz {

struct PipelineMutation {
  /// The mutated pipeline (top-level elements joined by commas).
  std::string pipeline;
  /// The mutator that made it, e.g. "add-pass".
  std::string mutator;
};

/// The pool's passes as pipeline elements with their default options
/// (e.g. "fm-fuse", "func.func(fm-cpu-fast-math)"); only those registered
/// in this process.
std::vector<std::string> passPool();

/// One random pass mutation of `pipeline`; it always differs from
/// `pipeline`.
PipelineMutation mutatePipeline(llvm::StringRef pipeline, fmrt::Random &random);

/// One random crossover (single-point, two-point or uniform) of `first`
/// and `second`.
PipelineMutation crossOverPipelines(llvm::StringRef first,
                                    llvm::StringRef second,
                                    fmrt::Random &random);

/// The names of the pass mutators and crossovers, for statistics.
llvm::ArrayRef<llvm::StringLiteral> pipelineMutatorNames();

} // namespace fm::fuzz

#endif // FM_FUZZ_PIPELINEMUTATOR_H

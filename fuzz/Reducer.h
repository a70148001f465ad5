//===- Reducer.h - Delta debugging of fuzz cases ----------------*- C++ -*-===//
//
// `fmc reduce` and campaigns shrink a case that shows a bug to a small one
// with the same bug signature: delta debugging over the elements of its
// pipeline and over the ops of its program (a removed op's uses take a
// value of the same type), repeated until neither shrinks. Every candidate
// runs in a child process (fuzz/Sandbox.h), so crashing cases reduce too.
//
//===----------------------------------------------------------------------===//
#ifndef FM_FUZZ_REDUCER_H
#define FM_FUZZ_REDUCER_H

#include "fuzz/Case.h"
#include "fuzz/Sandbox.h"

#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/Support/Error.h"

namespace fm::fuzz {

struct ReduceOptions {
  /// Seeds the inputs of every replay.
  uint64_t seed = 0;
  /// Each replay's time limit.
  unsigned timeoutSeconds = 30;
  /// Called after each accepted step with a one-line summary.
  llvm::function_ref<void(llvm::StringRef)> progress = nullptr;
};

struct ReduceResult {
  FuzzCase reduced;
  /// The bug the original and the reduced case both show.
  SandboxOutcome bug;
  unsigned replays = 0;
  unsigned opsBefore = 0, opsAfter = 0;
  unsigned passesBefore = 0, passesAfter = 0;
};

/// Reduces `fuzzCase`; an error when it shows no bug.
llvm::Expected<ReduceResult> reduceCase(const FuzzCase &fuzzCase,
                                        const ReduceOptions &options);

} // namespace fm::fuzz

#endif // FM_FUZZ_REDUCER_H

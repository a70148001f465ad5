//===- Sandbox.h - Replaying a case in a child process ----------*- C++ -*-===//
//
// The reducer and campaigns judge cases that may crash, hang or trip a
// sanitizer: each replay runs in a forked child that reports the stage it
// is in and its verdict through a pipe. A child that dies is a "crash"
// (or the sanitizer's report), one that outlives the time limit a
// "timeout"; both are located at the stage they reached and, where a stack
// trace was printed, at its first frame in fmc's code.
//
//===----------------------------------------------------------------------===//
#ifndef FM_FUZZ_SANDBOX_H
#define FM_FUZZ_SANDBOX_H

#include "fuzz/Oracles.h"

#include "llvm/ADT/StringRef.h"

#include <cstdint>
#include <string>

namespace fm::fuzz {

struct SandboxOutcome {
  Verdict verdict = Verdict::Ok;
  /// The bug's kind: an oracle (verifier, roundtrip, bytecode,
  /// differential, compile, compiled), "crash", "timeout", or a sanitizer's
  /// ("asan:heap-use-after-free", "ubsan"); empty unless a bug.
  std::string kind;
  /// Tells bugs apart: the kind, the stage or pass, and the first frame in
  /// fmc's code when known, e.g. "crash:fm-fuse@fm::FusionBuilder::grow".
  std::string signature;
  /// What happened: the oracle's message, or the end of the child's output.
  std::string message;
};

/// Replays the .fmz text `caseText` (inputs from `seed`) in a child process
/// killed after `timeoutSeconds`.
SandboxOutcome replayInChild(llvm::StringRef caseText, uint64_t seed,
                             unsigned timeoutSeconds);

} // namespace fm::fuzz

#endif // FM_FUZZ_SANDBOX_H

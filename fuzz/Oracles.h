//===- Oracles.h - What counts as a bug when running a fuzz case -*- C++
//-*-===//
//
// Runs a fuzz case through fmc and judges it. A pass (or the interpreter)
// refusing the program with a diagnostic is "rejected", not a bug; a bug is
// IR that no longer verifies after a pass, a print -> parse or bytecode
// round trip that changes the module, results of the interpreter after the
// pipeline that differ from the original program's, or compiled CPU results
// that differ from the interpreter's (or a program the CPU backend cannot
// compile). Crashes are the fuzzer driver's to catch.
//
//===----------------------------------------------------------------------===//
#ifndef FM_FUZZ_ORACLES_H
#define FM_FUZZ_ORACLES_H

#include "fuzz/Case.h"

#include <cstdint>
#include <string>

namespace fm::fuzz {

enum class Verdict { Ok, Rejected, Bug };

struct Outcome {
  Verdict verdict = Verdict::Ok;
  /// The oracle or stage: parse, interpreter, pipeline, verifier,
  /// roundtrip, bytecode, differential, compile, compiled.
  std::string oracle;
  /// What happened, with the diagnostics.
  std::string message;
};

/// Runs `fuzzCase` (read from `path`, for locations) on inputs drawn from
/// `seed` and applies every oracle.
Outcome replay(const FuzzCase &fuzzCase, llvm::StringRef path, uint64_t seed);

} // namespace fm::fuzz

#endif // FM_FUZZ_ORACLES_H

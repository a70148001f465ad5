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

#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"

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
  /// The pass a verifier failure or rejection points at, when one does.
  std::string pass;
};

/// Watches a replay: the fuzzer attributes coverage to pipeline elements
/// and decides whether the expensive part of the compiled oracle runs; the
/// reducer reports where a crashing case died.
class ReplayObserver {
public:
  virtual ~ReplayObserver() = default;
  /// A stage begins: "parse", "interpreter", a pass's name, "roundtrip",
  /// "differential", "lower", "jit", "compiled".
  virtual void enterStage(llvm::StringRef stage) {}
  /// The pipeline's top-level element `index` is about to run.
  virtual void beforeElement(unsigned index) {}
  /// The pipeline's top-level element `index` has run.
  virtual void afterElement(unsigned index) {}
  /// Whether to lower the program for the CPU (most of a replay's time),
  /// and then whether to JIT-compile and run it (LLVM's code generation).
  virtual bool shouldLower() { return true; }
  virtual bool shouldRunCompiled() { return true; }
  /// Whether `oracle` ("roundtrip", "lower" or "compiled") already held on
  /// `fingerprint`, a hash of all it depends on; and that it held now.
  /// These oracles are deterministic: an observer may remember what held
  /// and have the repeats skipped.
  virtual bool alreadyHeld(llvm::StringRef oracle, uint64_t fingerprint) {
    return false;
  }
  virtual void held(llvm::StringRef oracle, uint64_t fingerprint) {}
};

/// Registers the passes a case's pipeline may name: fmc's passes and
/// pipelines, the CPU backend's, and the upstream passes fmc's pipelines use
/// (canonicalize, cse, inline, linalg's elementwise fusion, ...).
void registerPassPool();

/// Runs `fuzzCase` (read from `path`, for locations) on inputs drawn from
/// `seed` and applies every oracle. The pipeline's top-level elements run
/// one after the other. When the pipeline leaves ops outside fm (a lowering
/// pass), only the verifier and the round trips judge the result. Runs in
/// `context` when given (the fuzzer reuses one; it must have the dialects
/// of makeReplayRegistry), else in a fresh one.
Outcome replay(const FuzzCase &fuzzCase, llvm::StringRef path, uint64_t seed,
               ReplayObserver *observer = nullptr,
               mlir::MLIRContext *context = nullptr);

/// The dialects a replay needs: fm's and the CPU backend's.
mlir::DialectRegistry makeReplayRegistry();

/// A short, stable name for a bug, to tell bugs apart: the oracle and,
/// where known, the pass (e.g. "verifier:fm-fuse").
std::string bugSignature(const Outcome &outcome);

} // namespace fm::fuzz

#endif // FM_FUZZ_ORACLES_H

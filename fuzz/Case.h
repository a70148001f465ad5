//===- Case.h - Fuzz cases: a program and a pass pipeline -------*- C++ -*-===//
//
// A fuzz case is an fm program and the pass pipeline to run on it, stored
// as readable text (.fmz) so that a person can read a reproducer and
// `fmc fuzz replay` can run it:
//
//   // fmz 1
//   // pipeline: fm-train,fm-fp8-linear
//   func.func @f(...) { ... }
//
//===----------------------------------------------------------------------===//
#ifndef FM_FUZZ_CASE_H
#define FM_FUZZ_CASE_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <string>

namespace fm::fuzz {

struct FuzzCase {
  /// A textual pass pipeline for the module (as fmc opt's
  /// --pass-pipeline, without the builtin.module(...) anchor); may be empty.
  std::string pipeline;
  /// The fm program, MLIR text.
  std::string program;
};

/// Parses the .fmz text `text`; errors name `path` and the line.
llvm::Expected<FuzzCase> parseCase(llvm::StringRef text, llvm::StringRef path);

/// The .fmz text of `fuzzCase`.
std::string printCase(const FuzzCase &fuzzCase);

} // namespace fm::fuzz

#endif // FM_FUZZ_CASE_H

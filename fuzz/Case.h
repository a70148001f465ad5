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

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <string>
#include <vector>

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

/// Reads and parses the .fmz file at `path`.
llvm::Expected<FuzzCase> readCase(llvm::StringRef path);

/// The .fmz text of `fuzzCase`.
std::string printCase(const FuzzCase &fuzzCase);

/// The top-level elements of a pipeline string: "a,b{x=1},c(d,e)" ->
/// ["a", "b{x=1}", "c(d,e)"] (commas inside (), {} or [] do not split).
std::vector<std::string> splitPipeline(llvm::StringRef pipeline);
/// The inverse of splitPipeline.
std::string joinPipeline(llvm::ArrayRef<std::string> elements);

} // namespace fm::fuzz

#endif // FM_FUZZ_CASE_H

//===- Case.cpp - Fuzz cases: a program and a pass pipeline ---------------===//
#include "fuzz/Case.h"

#include "llvm/Support/FormatVariadic.h"

namespace fm::fuzz {

namespace {
constexpr llvm::StringLiteral kHeader = "// fmz 1";
constexpr llvm::StringLiteral kPipelinePrefix = "// pipeline:";

llvm::Error errorAt(llvm::StringRef path, int line, const llvm::Twine &what) {
  return llvm::createStringError(
      llvm::formatv("{0}:{1}: {2}", path, line, what.str()).str());
}
} // namespace

llvm::Expected<FuzzCase> parseCase(llvm::StringRef text, llvm::StringRef path) {
  auto [header, rest] = text.split('\n');
  if (header.rtrim() != kHeader)
    return errorAt(path, 1,
                   "not an fmz case: the first line must be '" + kHeader + "'");
  auto [pipelineLine, program] = rest.split('\n');
  if (!pipelineLine.starts_with(kPipelinePrefix))
    return errorAt(path, 2,
                   "expected '" + kPipelinePrefix +
                       " <passes>' (it may list "
                       "no passes)");
  FuzzCase fuzzCase;
  fuzzCase.pipeline =
      pipelineLine.drop_front(kPipelinePrefix.size()).trim().str();
  fuzzCase.program = program.str();
  return fuzzCase;
}

std::string printCase(const FuzzCase &fuzzCase) {
  return (kHeader + "\n" + kPipelinePrefix + " " + fuzzCase.pipeline + "\n" +
          fuzzCase.program)
      .str();
}

} // namespace fm::fuzz

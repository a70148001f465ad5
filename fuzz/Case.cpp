//===- Case.cpp - Fuzz cases: a program and a pass pipeline ---------------===//
#include "fuzz/Case.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/MemoryBuffer.h"

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

llvm::Expected<FuzzCase> readCase(llvm::StringRef path) {
  llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> buffer =
      llvm::MemoryBuffer::getFile(path, /*IsText=*/true);
  if (std::error_code error = buffer.getError())
    return llvm::createStringError("cannot open '" + path +
                                   "': " + error.message());
  return parseCase((*buffer)->getBuffer(), path);
}

std::string printCase(const FuzzCase &fuzzCase) {
  return (kHeader + "\n" + kPipelinePrefix + " " + fuzzCase.pipeline + "\n" +
          fuzzCase.program)
      .str();
}

std::vector<std::string> splitPipeline(llvm::StringRef pipeline) {
  std::vector<std::string> elements;
  int depth = 0;
  size_t start = 0;
  for (size_t i = 0; i <= pipeline.size(); ++i) {
    const char c = i < pipeline.size() ? pipeline[i] : ',';
    if (c == '(' || c == '{' || c == '[')
      ++depth;
    else if (c == ')' || c == '}' || c == ']')
      --depth;
    else if (c == ',' && depth <= 0) {
      llvm::StringRef element = pipeline.slice(start, i).trim();
      if (!element.empty())
        elements.push_back(element.str());
      start = i + 1;
    }
  }
  return elements;
}

std::string joinPipeline(llvm::ArrayRef<std::string> elements) {
  return llvm::join(elements, ",");
}

} // namespace fm::fuzz

//===- FuzzCommand.cpp - fmc fuzz -----------------------------------------===//
#include "Commands.h"

#include "fuzz/Generator.h"
#include "fuzz/Oracles.h"

#include "llvm/Support/CommandLine.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/WithColor.h"
#include "llvm/Support/raw_ostream.h"

using namespace llvm;

namespace fmc {

cl::SubCommand
    fuzzCommand("fuzz",
                "Fuzz fmc: 'fmc fuzz replay CASE.fmz' runs one case (an fm "
                "program and a pass pipeline) through every oracle; 'fmc fuzz "
                "generate' writes a case with a random program");

static cl::opt<std::string> action(cl::Positional, cl::Required,
                                   cl::desc("replay | generate"),
                                   cl::sub(fuzzCommand),
                                   cl::cat(getCommandCategory()));
static cl::opt<std::string> casePath(cl::Positional, cl::Optional,
                                     cl::desc("<case.fmz> (replay)"),
                                     cl::sub(fuzzCommand),
                                     cl::cat(getCommandCategory()));
static cl::opt<int> ops("ops",
                        cl::desc("generate: ops in the program (default 8)"),
                        cl::init(8), cl::sub(fuzzCommand),
                        cl::cat(getCommandCategory()));
static cl::opt<std::string>
    pipeline("pipeline",
             cl::desc("generate: the case's pass pipeline (default none)"),
             cl::sub(fuzzCommand), cl::cat(getCommandCategory()));
static cl::opt<std::string> outputPath("o",
                                       cl::desc("generate: output file "
                                                "(default: stdout)"),
                                       cl::value_desc("path"),
                                       cl::sub(fuzzCommand),
                                       cl::cat(getCommandCategory()));
static cl::opt<uint64_t> seed("seed",
                              cl::desc("Seeds the random inputs (replay) or "
                                       "the program (generate); default 0"),
                              cl::init(0), cl::sub(fuzzCommand),
                              cl::cat(getCommandCategory()));

/// Writes a case with a generated program and --pipeline.
static int generateCase() {
  if (ops < 1) {
    WithColor::error(errs(), "fmc fuzz") << "--ops must be positive\n";
    return 1;
  }
  fm::fuzz::FuzzCase fuzzCase;
  fuzzCase.pipeline = pipeline;
  fuzzCase.program = fm::fuzz::generateProgram(seed, {ops});
  std::string text = fm::fuzz::printCase(fuzzCase);
  if (outputPath.empty()) {
    outs() << text;
    return 0;
  }
  std::error_code error;
  raw_fd_ostream os(outputPath, error);
  if (error) {
    WithColor::error(errs(), "fmc fuzz")
        << "cannot write '" << outputPath << "': " << error.message() << "\n";
    return 1;
  }
  os << text;
  return 0;
}

/// replay prints the verdict: "ok", "rejected (stage): ...", "bug (oracle):
/// ...", and exits 0 unless a bug was found or the case cannot be read.
int runFuzzCommand() {
  if (action == "generate")
    return generateCase();
  if (action != "replay") {
    WithColor::error(errs(), "fmc fuzz")
        << "unknown action '" << action << "' (expected replay or generate)\n";
    return 1;
  }
  if (casePath.empty()) {
    WithColor::error(errs(), "fmc fuzz") << "replay needs a case file\n";
    return 1;
  }
  ErrorOr<std::unique_ptr<MemoryBuffer>> buffer =
      MemoryBuffer::getFile(casePath, /*IsText=*/true);
  if (std::error_code error = buffer.getError()) {
    WithColor::error(errs(), "fmc fuzz")
        << "cannot open '" << casePath << "': " << error.message() << "\n";
    return 1;
  }
  Expected<fm::fuzz::FuzzCase> fuzzCase =
      fm::fuzz::parseCase((*buffer)->getBuffer(), casePath);
  if (!fuzzCase) {
    WithColor::error(errs(), "fmc fuzz")
        << toString(fuzzCase.takeError()) << "\n";
    return 1;
  }
  fm::fuzz::Outcome outcome = fm::fuzz::replay(*fuzzCase, casePath, seed);
  switch (outcome.verdict) {
  case fm::fuzz::Verdict::Ok:
    outs() << "ok\n";
    return 0;
  case fm::fuzz::Verdict::Rejected:
    outs() << "rejected (" << outcome.oracle << "): " << outcome.message
           << "\n";
    return 0;
  case fm::fuzz::Verdict::Bug:
    outs() << "bug (" << outcome.oracle << "): " << outcome.message << "\n";
    return 1;
  }
  return 1;
}

} // namespace fmc

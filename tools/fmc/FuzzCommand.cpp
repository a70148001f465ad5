//===- FuzzCommand.cpp - fmc fuzz -----------------------------------------===//
#include "Commands.h"

#include "fuzz/Oracles.h"

#include "llvm/Support/CommandLine.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/WithColor.h"

using namespace llvm;

namespace fmc {

cl::SubCommand
    fuzzCommand("fuzz",
                "Fuzz fmc: 'fmc fuzz replay CASE.fmz' runs one case (an fm "
                "program and a pass pipeline) through every oracle");

static cl::opt<std::string> action(cl::Positional, cl::Required,
                                   cl::desc("replay"), cl::sub(fuzzCommand),
                                   cl::cat(getCommandCategory()));
static cl::opt<std::string> casePath(cl::Positional, cl::Required,
                                     cl::desc("<case.fmz>"),
                                     cl::sub(fuzzCommand),
                                     cl::cat(getCommandCategory()));
static cl::opt<uint64_t> seed("seed",
                              cl::desc("Seeds the random inputs (default 0)"),
                              cl::init(0), cl::sub(fuzzCommand),
                              cl::cat(getCommandCategory()));

/// Prints the verdict: "ok", "rejected (oracle): ...", "bug (oracle): ...".
/// Exit code 0 unless a bug was found (1) or the case cannot be read (1).
int runFuzzCommand() {
  if (action != "replay") {
    WithColor::error(errs(), "fmc fuzz")
        << "unknown action '" << action << "' (expected replay)\n";
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

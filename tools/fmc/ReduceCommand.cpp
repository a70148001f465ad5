//===- ReduceCommand.cpp - fmc reduce -------------------------------------===//
#include "Commands.h"

#include "fuzz/Reducer.h"

#include "llvm/Support/CommandLine.h"
#include "llvm/Support/WithColor.h"
#include "llvm/Support/raw_ostream.h"

using namespace llvm;

namespace fmc {

cl::SubCommand reduceCommand(
    "reduce",
    "Shrink a fuzz case that shows a bug (a crash, a hang, a sanitizer "
    "report or an oracle's verdict) to a minimal one with the same bug "
    "signature: delta debugging over the passes of its pipeline and the ops "
    "of its program; every candidate runs in a child process");

static cl::opt<std::string> casePath(cl::Positional, cl::Required,
                                     cl::desc("<case.fmz>"),
                                     cl::sub(reduceCommand),
                                     cl::cat(getCommandCategory()));
static cl::opt<std::string>
    outputPath("o", cl::desc("Output file (default: stdout)"),
               cl::value_desc("path"), cl::sub(reduceCommand),
               cl::cat(getCommandCategory()));
static cl::opt<uint64_t> seed("seed",
                              cl::desc("Seeds the random inputs of every "
                                       "replay (default 0)"),
                              cl::init(0), cl::sub(reduceCommand),
                              cl::cat(getCommandCategory()));
static cl::opt<unsigned> timeout("timeout",
                                 cl::desc("Seconds after which a replay "
                                          "counts as a hang (default 30)"),
                                 cl::init(30), cl::sub(reduceCommand),
                                 cl::cat(getCommandCategory()));

int runReduceCommand() {
  Expected<fm::fuzz::FuzzCase> fuzzCase = fm::fuzz::readCase(casePath);
  if (!fuzzCase) {
    WithColor::error(errs(), "fmc reduce")
        << toString(fuzzCase.takeError()) << "\n";
    return 1;
  }
  if (timeout < 1) {
    WithColor::error(errs(), "fmc reduce") << "--timeout must be positive\n";
    return 1;
  }
  fm::fuzz::ReduceOptions options;
  options.seed = seed;
  options.timeoutSeconds = timeout;
  auto progress = [](StringRef line) { errs() << "reduce: " << line << "\n"; };
  options.progress = progress;
  Expected<fm::fuzz::ReduceResult> result =
      fm::fuzz::reduceCase(*fuzzCase, options);
  if (!result) {
    WithColor::error(errs(), "fmc reduce")
        << casePath << ": " << toString(result.takeError()) << "\n";
    return 1;
  }
  errs() << "reduce: bug " << result->bug.signature << "; " << result->opsBefore
         << " -> " << result->opsAfter << " ops, " << result->passesBefore
         << " -> " << result->passesAfter << " passes, " << result->replays
         << " replays\n";
  return writeOutput(outputPath, fm::fuzz::printCase(result->reduced),
                     "fmc reduce");
}

} // namespace fmc

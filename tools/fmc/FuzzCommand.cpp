//===- FuzzCommand.cpp - fmc fuzz -----------------------------------------===//
#include "Commands.h"

#include "fuzz/Campaign.h"
#include "fuzz/Generator.h"
#include "fuzz/Oracles.h"

#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/WithColor.h"
#include "llvm/Support/raw_ostream.h"

using namespace llvm;

namespace fmc {

cl::SubCommand fuzzCommand(
    "fuzz",
    "Fuzz fmc. 'fmc fuzz [--time 10m --jobs N --mode joint ...]' runs a "
    "campaign: fmc-fuzz (libFuzzer, fork mode) mutates cases (an fm program "
    "and a pass pipeline) and runs them through the oracles, with a live "
    "status line, coverage.csv/.svg and reduced bugs in --out. 'fmc fuzz "
    "replay CASE.fmz' runs one case through every oracle; 'fmc fuzz "
    "generate' writes a case with a random program. See docs/fuzzing.md");

static cl::opt<std::string> action(cl::Positional, cl::Optional,
                                   cl::desc("[replay | generate]"),
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
                              cl::desc("Seeds the random inputs (replay), "
                                       "the program (generate) or "
                                       "libFuzzer (a campaign; 0 there: "
                                       "from the clock); default 0"),
                              cl::init(0), cl::sub(fuzzCommand),
                              cl::cat(getCommandCategory()));
static cl::opt<std::string> duration(
    "time", cl::desc("campaign: how long, e.g. 90s, 10m, 1h (default 10m)"),
    cl::init("10m"), cl::sub(fuzzCommand), cl::cat(getCommandCategory()));
static cl::opt<unsigned> jobs("jobs",
                              cl::desc("campaign: fuzzing processes at once "
                                       "(default 1)"),
                              cl::init(1), cl::sub(fuzzCommand),
                              cl::cat(getCommandCategory()));
static cl::list<std::string>
    corpora("corpus",
            cl::desc("campaign: seed corpus directory, read only (default: "
                     "fmc's fuzz/corpus); may be repeated"),
            cl::sub(fuzzCommand), cl::cat(getCommandCategory()));
static cl::opt<std::string>
    outDir("out",
           cl::desc("campaign: output directory: corpus/, artifacts/, bugs/, "
                    "coverage.csv, coverage.svg (default fuzz-out)"),
           cl::init("fuzz-out"), cl::sub(fuzzCommand),
           cl::cat(getCommandCategory()));
static cl::opt<std::string>
    mode("mode",
         cl::desc("campaign: joint (program and pipeline, Tzer's schedule), "
                  "ir (program only), pass (pipeline only), bytes (plain "
                  "libFuzzer byte mutation); default joint"),
         cl::init("joint"), cl::sub(fuzzCommand),
         cl::cat(getCommandCategory()));
static cl::opt<unsigned>
    maxIRMisses("nmax",
                cl::desc("campaign: program mutations in a row without new "
                         "coverage before the pipeline mutates (default 4)"),
                cl::init(4), cl::sub(fuzzCommand),
                cl::cat(getCommandCategory()));
static cl::opt<std::string>
    fuzzerPath("fuzzer",
               cl::desc("campaign: the fmc-fuzz executable (default: the "
                        "one built beside this fmc)"),
               cl::sub(fuzzCommand), cl::cat(getCommandCategory()));
static cl::opt<bool> noReduce("no-reduce",
                              cl::desc("campaign: do not reduce the bugs "
                                       "found"),
                              cl::sub(fuzzCommand),
                              cl::cat(getCommandCategory()));

/// Writes a case with a generated program and --pipeline.
static int generateCase() {
  if (ops < 1) {
    WithColor::error(errs(), "fmc fuzz") << "--ops must be positive\n";
    return 1;
  }
  fm::fuzz::FuzzCase fuzzCase;
  fuzzCase.pipeline = pipeline;
  fm::fuzz::GeneratorOptions options;
  options.ops = ops;
  fuzzCase.program = fm::fuzz::generateProgram(seed, options);
  return writeOutput(outputPath, fm::fuzz::printCase(fuzzCase), "fmc fuzz");
}

/// Seconds in "90", "90s", "10m" or "1h"; nullopt when malformed.
static std::optional<unsigned> parseDuration(StringRef text) {
  unsigned scale = 1;
  if (text.consume_back("s"))
    scale = 1;
  else if (text.consume_back("m"))
    scale = 60;
  else if (text.consume_back("h"))
    scale = 3600;
  unsigned value;
  if (text.getAsInteger(10, value) || value == 0)
    return std::nullopt;
  return value * scale;
}

/// fmc-fuzz beside this fmc: in the build tree tools/fmc-fuzz/, installed
/// in the same directory.
static std::string defaultFuzzer() {
  static int anchor;
  std::string self = sys::fs::getMainExecutable("fmc", &anchor);
  StringRef dir = sys::path::parent_path(self);
  for (const std::string &candidate :
       {(dir + "/fmc-fuzz").str(),
        (sys::path::parent_path(dir) + "/fmc-fuzz/fmc-fuzz").str()})
    if (sys::fs::can_execute(candidate))
      return candidate;
  return (sys::path::parent_path(dir) + "/fmc-fuzz/fmc-fuzz").str();
}

static int runCampaign() {
  std::optional<unsigned> seconds = parseDuration(duration);
  if (!seconds) {
    WithColor::error(errs(), "fmc fuzz")
        << "--time must be a positive duration such as 90s, 10m or 1h, not '"
        << duration << "'\n";
    return 1;
  }
  if (mode != "joint" && mode != "ir" && mode != "pass" && mode != "bytes") {
    WithColor::error(errs(), "fmc fuzz")
        << "unknown --mode '" << mode
        << "' (expected joint, ir, pass or bytes)\n";
    return 1;
  }
  if (jobs < 1 || maxIRMisses < 1) {
    WithColor::error(errs(), "fmc fuzz")
        << "--jobs and --nmax must be positive\n";
    return 1;
  }
  fm::fuzz::CampaignOptions options;
  options.fuzzer = fuzzerPath.empty() ? defaultFuzzer() : fuzzerPath;
  options.seconds = *seconds;
  options.jobs = jobs;
  options.seedCorpora.assign(corpora.begin(), corpora.end());
  if (options.seedCorpora.empty() && sys::fs::is_directory(FMC_FUZZ_CORPUS_DIR))
    options.seedCorpora.push_back(FMC_FUZZ_CORPUS_DIR);
  for (const std::string &corpus : options.seedCorpora)
    if (!sys::fs::is_directory(corpus)) {
      WithColor::error(errs(), "fmc fuzz")
          << "--corpus '" << corpus << "' is not a directory\n";
      return 1;
    }
  options.outDir = outDir;
  options.mode = mode;
  options.seed = seed;
  options.maxIRMisses = maxIRMisses;
  options.reduce = !noReduce;
  options.liveStatus = sys::Process::StandardErrIsDisplayed();
  Expected<fm::fuzz::CampaignSummary> summary =
      fm::fuzz::runCampaign(options, errs());
  if (!summary) {
    WithColor::error(errs(), "fmc fuzz")
        << toString(summary.takeError()) << "\n";
    return 1;
  }
  if (summary->bugCases.empty()) {
    outs() << "no bugs found (" << summary->execs << " cases, "
           << summary->edges << " edges)\n";
    return 0;
  }
  outs() << summary->bugCases.size() << " unique bug"
         << (summary->bugCases.size() == 1 ? "" : "s") << " found:\n";
  for (const std::string &bugCase : summary->bugCases) {
    outs() << "--- " << bugCase << "\n";
    if (ErrorOr<std::unique_ptr<MemoryBuffer>> text =
            MemoryBuffer::getFile(bugCase))
      outs() << (*text)->getBuffer() << "\n";
  }
  return 1;
}

/// replay prints the verdict: "ok", "rejected (stage): ...", "bug (oracle):
/// ...", and exits 0 unless a bug was found or the case cannot be read.
int runFuzzCommand() {
  if (action.empty())
    return runCampaign();
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
  Expected<fm::fuzz::FuzzCase> fuzzCase = fm::fuzz::readCase(casePath);
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

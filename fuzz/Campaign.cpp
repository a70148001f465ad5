//===- Campaign.cpp - fmc fuzz: a fuzzing campaign ------------------------===//
#include "fuzz/Campaign.h"

#include "fuzz/Case.h"
#include "fuzz/Reducer.h"
#include "fuzz/Sandbox.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"

#include <chrono>
#include <csignal>
#include <map>
#include <thread>

extern char **environ;

namespace fm::fuzz {

namespace {

using Clock = std::chrono::steady_clock;

/// One "#N: cov: C ft: F corp: K exec/s: E ..." line of libFuzzer's fork
/// mode (or "#N ... cov: C ft: F corp: K/..." of a single process).
struct Status {
  uint64_t execs = 0, edges = 0, corpus = 0, execsPerSecond = 0;
};

std::optional<Status> parseStatus(llvm::StringRef line) {
  if (!line.consume_front("#"))
    return std::nullopt;
  Status status;
  llvm::SmallVector<llvm::StringRef> words;
  line.split(words, ' ', -1, /*KeepEmpty=*/false);
  if (words.empty() || !llvm::to_integer(words[0].rtrim(':'), status.execs))
    return std::nullopt;
  bool hasEdges = false;
  for (size_t i = 1; i + 1 < words.size(); ++i) {
    llvm::StringRef value = words[i + 1].split('/').first;
    if (words[i] == "cov:")
      hasEdges = llvm::to_integer(value, status.edges);
    else if (words[i] == "corp:")
      llvm::to_integer(value, status.corpus);
    else if (words[i] == "exec/s:")
      llvm::to_integer(value, status.execsPerSecond);
  }
  return hasEdges ? std::optional<Status>(status) : std::nullopt;
}

/// A file-name-safe form of a bug signature.
std::string fileNameOf(llvm::StringRef signature) {
  std::string name;
  for (char c : signature.take_front(60))
    name += llvm::isAlnum(c) || c == '-' ? c : '_';
  return name;
}

/// coverage.svg: edges over time as a line, with axes labelled.
void writeCoverageSvg(llvm::StringRef path,
                      llvm::ArrayRef<std::pair<double, uint64_t>> points) {
  std::error_code error;
  llvm::raw_fd_ostream os(path, error);
  if (error)
    return;
  const double width = 640, height = 360, left = 70, bottom = 40, top = 20,
               right = 20;
  double maxSeconds = 1, maxEdges = 1;
  for (auto [seconds, edges] : points) {
    maxSeconds = std::max(maxSeconds, seconds);
    maxEdges = std::max<double>(maxEdges, edges);
  }
  auto x = [&](double s) {
    return left + s / maxSeconds * (width - left - right);
  };
  auto y = [&](double e) {
    return height - bottom - e / maxEdges * (height - bottom - top);
  };
  os << llvm::formatv("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" "
                      "height=\"{1}\" font-family=\"sans-serif\" "
                      "font-size=\"12\">\n",
                      width, height);
  os << llvm::formatv("<line x1=\"{0}\" y1=\"{1}\" x2=\"{2}\" y2=\"{1}\" "
                      "stroke=\"black\"/>\n<line x1=\"{0}\" y1=\"{1}\" "
                      "x2=\"{0}\" y2=\"{3}\" stroke=\"black\"/>\n",
                      left, y(0), x(maxSeconds), y(maxEdges));
  os << llvm::formatv("<text x=\"{0}\" y=\"{1}\" text-anchor=\"middle\">"
                      "seconds (max {2:f0})</text>\n",
                      (left + width - right) / 2, height - 8, maxSeconds);
  os << llvm::formatv("<text x=\"14\" y=\"{0}\" transform=\"rotate(-90 14 "
                      "{0})\" text-anchor=\"middle\">edges (max {1:f0})"
                      "</text>\n",
                      (top + height - bottom) / 2, maxEdges);
  os << "<polyline fill=\"none\" stroke=\"#1f77b4\" stroke-width=\"2\" "
        "points=\"";
  for (auto [seconds, edges] : points)
    os << llvm::formatv("{0:f1},{1:f1} ", x(seconds), y(edges));
  os << "\"/>\n</svg>\n";
}

class Campaign {
public:
  Campaign(const CampaignOptions &options, llvm::raw_ostream &log)
      : options(options), log(log) {}

  llvm::Expected<CampaignSummary> run() {
    if (!llvm::sys::fs::can_execute(options.fuzzer))
      return llvm::createStringError(
          "cannot run the fuzzer '" + options.fuzzer +
          "': build it with -DFMC_ENABLE_FUZZ=ON (make fuzz-build), or "
          "name it with --fuzzer");
    for (llvm::StringRef dir : {"corpus", "artifacts", "bugs"})
      if (std::error_code error = llvm::sys::fs::create_directories(path(dir)))
        return llvm::createStringError("cannot create '" + path(dir) +
                                       "': " + error.message());
    std::error_code error;
    csv = std::make_unique<llvm::raw_fd_ostream>(path("coverage.csv"), error);
    if (error)
      return llvm::createStringError("cannot write '" + path("coverage.csv") +
                                     "': " + error.message());
    *csv << "seconds,edges,execs,corpus,bugs\n";
    llvm::sys::fs::remove(path("stats.txt"));
    // Bugs a previous campaign in this directory found are known ones.
    noteExistingArtifacts();

    llvm::Expected<llvm::sys::ProcessInfo> fuzzer = startFuzzer();
    if (!fuzzer)
      return fuzzer.takeError();
    start = Clock::now();
    auto lastPrint = start;
    size_t logOffset = 0;
    std::string partial;
    for (bool running = true; running;) {
      llvm::sys::ProcessInfo state =
          llvm::sys::Wait(*fuzzer, /*SecondsToWait=*/0);
      running = state.Pid == 0;
      // libFuzzer ends its last job late at times: interrupt it (it stops
      // its jobs), then kill it.
      if (running && elapsed() > options.seconds + 10)
        ::kill(fuzzer->Pid,
               elapsed() > options.seconds + 30 ? SIGKILL : SIGINT);
      readLog(logOffset, partial);
      triageArtifacts();
      const auto now = Clock::now();
      if (options.liveStatus) {
        log << "\r" << statusLine() << "   ";
        log.flush();
      } else if (now - lastPrint >= std::chrono::seconds(10)) {
        log << statusLine() << "\n";
        lastPrint = now;
      }
      if (running)
        std::this_thread::sleep_for(std::chrono::milliseconds(250));
    }
    if (options.liveStatus)
      log << "\n";
    log << statusLine() << "\n";
    csv->flush();
    writeCoverageSvg(path("coverage.svg"), curve);
    if (status.execs == 0)
      return llvm::createStringError("the fuzzer ran no inputs; see " +
                                     path("fuzzer.log"));
    if (options.reduce)
      reduceBugs();
    return summarize();
  }

private:
  std::string path(llvm::StringRef name) const {
    llvm::SmallString<256> joined(options.outDir);
    llvm::sys::path::append(joined, name);
    return joined.str().str();
  }

  double elapsed() const {
    return std::chrono::duration<double>(Clock::now() - start).count();
  }

  llvm::Expected<llvm::sys::ProcessInfo> startFuzzer() {
    std::vector<std::string> arguments = {
        options.fuzzer,
        "-fork=" + std::to_string(options.jobs),
        "-ignore_crashes=1",
        "-ignore_timeouts=1",
        "-ignore_ooms=1",
        "-max_total_time=" + std::to_string(options.seconds),
        "-seed=" + std::to_string(options.seed),
        "-max_len=32768",
        "-timeout=30",
        "-rss_limit_mb=4096",
        "-artifact_prefix=" + path("artifacts") + "/",
        path("corpus")};
    for (const std::string &corpus : options.seedCorpora)
      arguments.push_back(corpus);
    std::vector<std::string> environment;
    for (char **variable = environ; *variable; ++variable)
      environment.push_back(*variable);
    environment.push_back("FMC_FUZZ_MODE=" + options.mode);
    environment.push_back("FMC_FUZZ_NMAX=" +
                          std::to_string(options.maxIRMisses));
    environment.push_back("FMC_FUZZ_STATS=" + path("stats.txt"));
    // MLIR's registries live until exit on purpose: not leaks to report.
    environment.push_back("ASAN_OPTIONS=detect_leaks=0");
    environment.push_back("UBSAN_OPTIONS=print_stacktrace=1");
    std::vector<llvm::StringRef> argumentRefs(arguments.begin(),
                                              arguments.end());
    std::vector<llvm::StringRef> environmentRefs(environment.begin(),
                                                 environment.end());
    const std::string logPath = path("fuzzer.log");
    std::optional<llvm::StringRef> redirects[] = {
        std::nullopt, llvm::StringRef(logPath), llvm::StringRef(logPath)};
    std::string message;
    bool failed = false;
    llvm::sys::ProcessInfo process =
        llvm::sys::ExecuteNoWait(options.fuzzer, argumentRefs, environmentRefs,
                                 redirects, 0, &message, &failed);
    if (failed)
      return llvm::createStringError("cannot start '" + options.fuzzer +
                                     "': " + message);
    log << "fmc fuzz: " << options.mode << " mode, " << options.jobs
        << (options.jobs == 1 ? " job, " : " jobs, ") << options.seconds
        << " s; libFuzzer's output in " << logPath << "\n";
    return process;
  }

  /// Reads what libFuzzer wrote since `offset`; each status line becomes a
  /// row of coverage.csv.
  void readLog(size_t &offset, std::string &partial) {
    llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> buffer =
        llvm::MemoryBuffer::getFile(path("fuzzer.log"), /*IsText=*/false,
                                    /*RequiresNullTerminator=*/false,
                                    /*IsVolatile=*/true);
    if (!buffer || (*buffer)->getBufferSize() <= offset)
      return;
    partial += (*buffer)->getBuffer().drop_front(offset).str();
    offset = (*buffer)->getBufferSize();
    size_t lineEnd;
    while ((lineEnd = partial.find('\n')) != std::string::npos) {
      llvm::StringRef line = llvm::StringRef(partial).take_front(lineEnd);
      if (std::optional<Status> parsed = parseStatus(line)) {
        status = *parsed;
        *csv << llvm::formatv("{0:f1},{1},{2},{3},{4}\n", elapsed(),
                              status.edges, status.execs, status.corpus,
                              bugs.size());
        csv->flush();
        curve.push_back({elapsed(), status.edges});
      }
      partial.erase(0, lineEnd + 1);
    }
  }

  std::string statusLine() const {
    std::map<std::string, unsigned> byKind;
    for (const auto &bug : bugs)
      ++byKind[bug.second.kind];
    std::string kinds;
    for (const auto &[kind, count] : byKind)
      kinds +=
          (kinds.empty() ? " (" : ", ") + kind + " " + std::to_string(count);
    if (!kinds.empty())
      kinds += ")";
    return llvm::formatv("[{0,5:f0} s] execs {1} ({2}/s)  edges {3}  corpus "
                         "{4}  bugs {5}{6}",
                         elapsed(), status.execs, status.execsPerSecond,
                         status.edges, status.corpus, bugs.size(), kinds)
        .str();
  }

  void noteExistingArtifacts() {
    std::error_code error;
    for (llvm::sys::fs::directory_iterator entry(path("artifacts"), error), end;
         !error && entry != end; entry.increment(error))
      triaged.insert(entry->path());
  }

  /// Replays the inputs libFuzzer saved since the last look; a signature
  /// not seen before is a new bug.
  void triageArtifacts() {
    std::error_code error;
    for (llvm::sys::fs::directory_iterator entry(path("artifacts"), error), end;
         !error && entry != end; entry.increment(error)) {
      if (!triaged.insert(entry->path()).second)
        continue;
      llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> input =
          llvm::MemoryBuffer::getFile(entry->path());
      if (!input)
        continue;
      std::string text = (*input)->getBuffer().str();
      SandboxOutcome outcome =
          replayInChild(text, /*seed=*/0, /*timeoutSeconds=*/60);
      if (outcome.verdict != Verdict::Bug) {
        // Not reproducible on its own (a JIT sampled in, a timeout under
        // load): keep it, signed by the kind libFuzzer gave it.
        outcome.kind =
            llvm::sys::path::filename(entry->path()).split('-').first.str();
        outcome.signature = "unreproduced-" + outcome.kind;
      }
      if (bugs.count(outcome.signature))
        continue;
      const std::string casePath =
          path("bugs/" + std::to_string(bugs.size() + 1) + "-" +
               fileNameOf(outcome.signature) + ".fmz");
      std::error_code writeError;
      llvm::raw_fd_ostream os(casePath, writeError);
      os << text;
      if (options.liveStatus)
        log << "\n";
      log << "new bug " << outcome.signature << ": " << casePath << "\n";
      bugs.insert({outcome.signature, {outcome.kind, casePath, text}});
    }
  }

  void reduceBugs() {
    for (auto &[signature, bug] : bugs) {
      llvm::Expected<FuzzCase> fuzzCase = parseCase(bug.text, bug.casePath);
      if (!fuzzCase) {
        llvm::consumeError(fuzzCase.takeError());
        continue; // Bytes that are not a case: nothing to reduce by.
      }
      log << "reducing " << signature << " ...\n";
      ReduceOptions reduceOptions;
      llvm::Expected<ReduceResult> reduced =
          reduceCase(*fuzzCase, reduceOptions);
      if (!reduced) {
        log << "  not reduced: " << llvm::toString(reduced.takeError()) << "\n";
        continue;
      }
      std::string reducedPath =
          llvm::StringRef(bug.casePath).drop_back(4).str() + ".reduced.fmz";
      std::error_code error;
      llvm::raw_fd_ostream os(reducedPath, error);
      os << printCase(reduced->reduced);
      log << llvm::formatv("  {0} -> {1} ops, {2} -> {3} passes ({4} "
                           "replays): {5}\n",
                           reduced->opsBefore, reduced->opsAfter,
                           reduced->passesBefore, reduced->passesAfter,
                           reduced->replays, reducedPath);
      bug.casePath = reducedPath;
      bug.text = printCase(reduced->reduced);
    }
  }

  CampaignSummary summarize() const {
    CampaignSummary summary;
    summary.execs = status.execs;
    summary.edges = status.edges;
    summary.corpus = status.corpus;
    for (const auto &bug : bugs)
      summary.bugCases.push_back(bug.second.casePath);
    return summary;
  }

  struct Bug {
    std::string kind, casePath, text;
  };

  const CampaignOptions &options;
  llvm::raw_ostream &log;
  std::unique_ptr<llvm::raw_fd_ostream> csv;
  Clock::time_point start;
  Status status;
  std::vector<std::pair<double, uint64_t>> curve;
  llvm::StringSet<> triaged;
  std::map<std::string, Bug> bugs;
};

} // namespace

llvm::Expected<CampaignSummary> runCampaign(const CampaignOptions &options,
                                            llvm::raw_ostream &log) {
  return Campaign(options, log).run();
}

} // namespace fm::fuzz

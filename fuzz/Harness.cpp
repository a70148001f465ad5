//===- Harness.cpp - What fmc-fuzz's libFuzzer entry points do ------------===//
#include "fuzz/Harness.h"

#include "fuzz/Case.h"
#include "fuzz/Coverage.h"
#include "fuzz/Generator.h"
#include "fuzz/IRMutator.h"
#include "fuzz/Oracles.h"
#include "fuzz/PipelineMutator.h"

#include "mlir/IR/MLIRContext.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/Hashing.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>

namespace fm::fuzz {

namespace {

int environmentInt(const char *name, int fallback) {
  const char *value = std::getenv(name);
  return value && *value ? std::atoi(value) : fallback;
}

FuzzMode environmentMode() {
  const char *variable = std::getenv("FMC_FUZZ_MODE");
  llvm::StringRef mode = variable && *variable ? variable : "joint";
  if (mode == "ir")
    return FuzzMode::IR;
  if (mode == "pass")
    return FuzzMode::Pass;
  if (mode == "bytes")
    return FuzzMode::Bytes;
  if (mode != "joint") {
    llvm::errs() << "fmc-fuzz: unknown FMC_FUZZ_MODE '" << mode
                 << "' (expected joint, ir, pass or bytes)\n";
    std::exit(2);
  }
  return FuzzMode::Joint;
}

/// What this process saw, for the ablation's share of valid programs and
/// where the time goes.
struct Counts {
  /// valid: the program parses, verifies and runs in the interpreter;
  /// accepted: besides, the pipeline took it and every oracle passed.
  uint64_t runs = 0, valid = 0, accepted = 0, rejected = 0, bugs = 0;
  uint64_t irMutations = 0, pipelineMutations = 0, regenerated = 0;
  /// Oracle runs skipped because the oracle held on their fingerprint
  /// before.
  uint64_t memoized = 0;
  /// Seconds per replay stage ("passes" for all passes), and mutating.
  std::map<std::string, double> seconds;
};

/// (oracle, fingerprint) pairs on which the oracle held
/// (ReplayObserver::alreadyHeld): mutations often leave the module after
/// the pipeline as it was (a pipeline change that does nothing new, an op
/// a pass folds away), and a repeat would only spend the time again.
/// Stored as hashes of the pair.
using HeldOracles = llvm::DenseSet<uint64_t>;

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

/// Attributes new edges to the pipeline's elements, times the stages, and
/// says whether this case is one of those that are lowered and compiled.
class CoverageObserver : public ReplayObserver {
public:
  CoverageObserver(EdgeCoverage &coverage, bool lower, bool jit,
                   HeldOracles &heldOracles, Counts &counts)
      : coverage(coverage), lower(lower), jit(jit), heldOracles(heldOracles),
        counts(counts) {}
  ~CoverageObserver() override { enterStage(""); }
  void enterStage(llvm::StringRef stage) override {
    if (!current.empty())
      counts.seconds[current] += secondsSince(started);
    static const llvm::StringSet<> kOracleStages = {
        "parse", "interpreter", "roundtrip", "differential",
        "lower", "jit",         "compiled"};
    current =
        stage.empty() || kOracleStages.contains(stage) ? stage.str() : "passes";
    started = Clock::now();
  }
  void beforeElement(unsigned) override { newEdges += coverage.absorbNew(); }
  void afterElement(unsigned index) override {
    if (size_t fresh = coverage.absorbNew()) {
      newEdges += fresh;
      contributing.push_back(index);
    }
  }
  bool shouldLower() override { return lower; }
  bool shouldRunCompiled() override { return jit; }
  bool alreadyHeld(llvm::StringRef oracle, uint64_t fingerprint) override {
    if (!heldOracles.contains(llvm::hash_combine(oracle, fingerprint)))
      return false;
    ++counts.memoized;
    return true;
  }
  void held(llvm::StringRef oracle, uint64_t fingerprint) override {
    heldOracles.insert(llvm::hash_combine(oracle, fingerprint));
  }

  EdgeCoverage &coverage;
  bool lower, jit;
  HeldOracles &heldOracles;
  Counts &counts;
  size_t newEdges = 0;
  std::vector<unsigned> contributing;
  std::string current;
  Clock::time_point started;
};

struct Harness {
  FuzzMode mode = FuzzMode::Joint;
  int maxIRMisses = 4;
  int lowerEvery = 4;
  int jitEvery = 32;
  ByteMutator byteMutator = nullptr;
  std::unique_ptr<mlir::MLIRContext> context;
  EdgeCoverage coverage;
  HeldOracles heldOracles;
  Counts counts;

  /// The joint schedule's state: whether the last mutation we made was of
  /// the program, the hash of the case it made, and the program mutations
  /// in a row that reached no new code.
  bool lastWasIR = false;
  size_t lastMutation = 0;
  int irMisses = 0;
  /// Cases that reached new code -> their pipeline shrunk to the elements
  /// that did.
  llvm::DenseMap<size_t, std::string> shrunkPipelines;

  ~Harness() {
    const char *statsPath = std::getenv("FMC_FUZZ_STATS");
    if (!statsPath || !*statsPath)
      return;
    std::error_code error;
    llvm::raw_fd_ostream os(statsPath, error, llvm::sys::fs::OF_Append);
    if (!error)
      os << "runs=" << counts.runs << " valid=" << counts.valid
         << " accepted=" << counts.accepted << " rejected=" << counts.rejected
         << " bugs=" << counts.bugs << " ir_mutations=" << counts.irMutations
         << " pipeline_mutations=" << counts.pipelineMutations
         << " regenerated=" << counts.regenerated
         << " memoized=" << counts.memoized;
    for (const auto &[stage, seconds] : counts.seconds)
      os << " seconds_" << stage << "=" << llvm::format("%.3f", seconds);
    os << "\n";
  }
};

Harness &harness() {
  static Harness instance;
  return instance;
}

size_t hashBytes(llvm::StringRef bytes) { return llvm::hash_value(bytes); }

/// Writes `text` over `data` when it fits; returns its size, or 0.
size_t store(const std::string &text, uint8_t *data, size_t maxSize) {
  if (text.size() > maxSize)
    return 0;
  std::memcpy(data, text.data(), text.size());
  return text.size();
}

/// A fresh case for inputs that are not cases (libFuzzer's empty first
/// input, or bytes another mode left behind).
FuzzCase freshCase(uint64_t seed) {
  fmrt::Random random(seed);
  FuzzCase fuzzCase;
  fuzzCase.program = generateProgram(seed, {});
  if (random.below(2))
    fuzzCase.pipeline = mutatePipeline("", random).pipeline;
  return fuzzCase;
}

} // namespace

void initializeHarness(ByteMutator byteMutator) {
  Harness &state = harness();
  state.mode = environmentMode();
  state.maxIRMisses = std::max(1, environmentInt("FMC_FUZZ_NMAX", 4));
  state.lowerEvery = std::max(1, environmentInt("FMC_FUZZ_LOWER_EVERY", 4));
  // The JIT needs the lowering: a multiple of its period.
  state.jitEvery =
      state.lowerEvery *
      std::max(1, environmentInt("FMC_FUZZ_JIT_EVERY", 32) / state.lowerEvery);
  state.byteMutator = byteMutator;
  state.context = std::make_unique<mlir::MLIRContext>(
      makeReplayRegistry(), mlir::MLIRContext::Threading::DISABLED);
  state.context->loadAllAvailableDialects();
  registerPassPool();
}

void runInput(const uint8_t *data, size_t size) {
  Harness &state = harness();
  llvm::StringRef text(reinterpret_cast<const char *>(data), size);
  ++state.counts.runs;
  llvm::Expected<FuzzCase> fuzzCase = parseCase(text, "case.fmz");
  if (!fuzzCase) {
    llvm::consumeError(fuzzCase.takeError());
    ++state.counts.rejected;
    return;
  }
  // Which cases are lowered and compiled depends on the case alone, so
  // that a case covers the same code whenever it runs.
  const size_t hash = hashBytes(text);
  CoverageObserver observer(state.coverage, hash % state.lowerEvery == 0,
                            hash % state.jitEvery == 0, state.heldOracles,
                            state.counts);
  Outcome outcome =
      replay(*fuzzCase, "case.fmz", /*seed=*/0, &observer, state.context.get());
  observer.newEdges += state.coverage.absorbNew();

  if (outcome.verdict == Verdict::Bug) {
    ++state.counts.bugs;
    llvm::errs() << "==fmc-fuzz== BUG " << bugSignature(outcome) << ": "
                 << outcome.message << "\n";
    llvm::errs().flush();
    std::abort();
  }
  if (outcome.verdict == Verdict::Rejected &&
      (outcome.oracle == "parse" || outcome.oracle == "interpreter"))
    ++state.counts.rejected;
  else
    ++state.counts.valid;
  if (outcome.verdict == Verdict::Ok)
    ++state.counts.accepted;

  const bool mine = state.lastMutation == hash;
  if (mine && state.lastWasIR)
    state.irMisses = observer.newEdges ? 0 : state.irMisses + 1;
  std::vector<std::string> elements = splitPipeline(fuzzCase->pipeline);
  if (observer.newEdges && observer.contributing.size() < elements.size()) {
    std::vector<std::string> kept;
    for (unsigned index : observer.contributing)
      kept.push_back(elements[index]);
    state.shrunkPipelines[hash] = joinPipeline(kept);
  }
}

size_t mutateInput(uint8_t *data, size_t size, size_t maxSize,
                   unsigned int seed) {
  Harness &state = harness();
  if (state.mode == FuzzMode::Bytes)
    return state.byteMutator(data, size, maxSize);
  const Clock::time_point start = Clock::now();
  auto timed = llvm::make_scope_exit(
      [&] { state.counts.seconds["mutate"] += secondsSince(start); });
  llvm::StringRef text(reinterpret_cast<const char *>(data), size);
  fmrt::Random random(seed);
  llvm::Expected<FuzzCase> parsed = parseCase(text, "case.fmz");
  FuzzCase fuzzCase;
  if (parsed) {
    fuzzCase = std::move(*parsed);
    auto shrunk = state.shrunkPipelines.find(hashBytes(text));
    if (shrunk != state.shrunkPipelines.end())
      fuzzCase.pipeline = shrunk->second;
  } else {
    llvm::consumeError(parsed.takeError());
    fuzzCase = freshCase(seed);
    ++state.counts.regenerated;
  }

  bool mutateProgram =
      state.mode == FuzzMode::IR ||
      (state.mode == FuzzMode::Joint && state.irMisses < state.maxIRMisses);
  if (state.mode == FuzzMode::Joint && !mutateProgram)
    state.irMisses = 0;
  if (mutateProgram) {
    mlir::FailureOr<ProgramMutation> mutation =
        fuzz::mutateProgram(*state.context, fuzzCase.program, random);
    if (succeeded(mutation))
      fuzzCase.program = std::move(mutation->program);
    // A program no mutator applies to: in joint mode the pipeline changes
    // instead; in ir mode the case stays as it is.
    else if (state.mode == FuzzMode::Joint)
      mutateProgram = false;
  }
  if (!mutateProgram)
    fuzzCase.pipeline = mutatePipeline(fuzzCase.pipeline, random).pipeline;
  ++(mutateProgram ? state.counts.irMutations : state.counts.pipelineMutations);

  std::string mutated = printCase(fuzzCase);
  size_t newSize = store(mutated, data, maxSize);
  if (!newSize)
    return size; // Too long: keep the input.
  state.lastWasIR = mutateProgram;
  state.lastMutation = hashBytes(mutated);
  return newSize;
}

size_t crossOverInputs(const uint8_t *first, size_t firstSize,
                       const uint8_t *second, size_t secondSize, uint8_t *out,
                       size_t maxSize, unsigned int seed) {
  Harness &state = harness();
  fmrt::Random random(seed);
  llvm::StringRef a(reinterpret_cast<const char *>(first), firstSize);
  llvm::StringRef b(reinterpret_cast<const char *>(second), secondSize);
  if (state.mode == FuzzMode::Bytes) {
    // libFuzzer's own cross-over is a splice of the two byte strings.
    std::string spliced = (a.take_front(random.below(a.size() + 1)) +
                           b.drop_front(random.below(b.size() + 1)))
                              .str();
    return store(spliced.substr(0, maxSize), out, maxSize);
  }
  llvm::Expected<FuzzCase> caseA = parseCase(a, "a.fmz");
  llvm::Expected<FuzzCase> caseB = parseCase(b, "b.fmz");
  if (!caseA || !caseB || state.mode == FuzzMode::IR) {
    llvm::consumeError(caseA.takeError());
    llvm::consumeError(caseB.takeError());
    return store(a.str(), out, maxSize);
  }
  // The first case's program with a child of both pipelines.
  caseA->pipeline =
      crossOverPipelines(caseA->pipeline, caseB->pipeline, random).pipeline;
  return store(printCase(*caseA), out, maxSize);
}

} // namespace fm::fuzz

//===- Reducer.cpp - Delta debugging of fuzz cases ------------------------===//
#include "fuzz/Reducer.h"

#include "fuzz/IRMutator.h"

#include "mlir/IR/MLIRContext.h"

#include "llvm/Support/FormatVariadic.h"

#include <numeric>

namespace fm::fuzz {

namespace {

class Reducer {
public:
  Reducer(const FuzzCase &fuzzCase, const ReduceOptions &options)
      : current(fuzzCase), options(options),
        context(makeReplayRegistry(), mlir::MLIRContext::Threading::DISABLED) {}

  llvm::Expected<ReduceResult> run() {
    result.bug =
        replayInChild(printCase(current), options.seed, options.timeoutSeconds);
    ++result.replays;
    if (result.bug.verdict != Verdict::Bug)
      return llvm::createStringError(
          result.bug.verdict == Verdict::Ok
              ? "the case shows no bug: nothing to reduce"
              : "the case is rejected, not a bug: nothing to reduce");
    result.opsBefore = countRemovableOps(context, current.program);
    result.passesBefore = splitPipeline(current.pipeline).size();
    // Removing an op can make a pass removable and the other way round.
    for (bool shrunk = true; shrunk;) {
      const bool fewerPasses = reducePipeline();
      const bool fewerOps = reduceProgram();
      shrunk = fewerPasses || fewerOps;
    }
    result.reduced = current;
    result.opsAfter = countRemovableOps(context, current.program);
    result.passesAfter = splitPipeline(current.pipeline).size();
    return std::move(result);
  }

private:
  /// Whether `candidate` shows the original bug.
  bool sameBug(const FuzzCase &candidate) {
    ++result.replays;
    SandboxOutcome outcome = replayInChild(printCase(candidate), options.seed,
                                           options.timeoutSeconds);
    return outcome.verdict == Verdict::Bug &&
           outcome.signature == result.bug.signature;
  }

  void report(llvm::StringRef what) {
    if (options.progress)
      options.progress(
          llvm::formatv("{0}: {1} ops, {2} passes ({3} replays)", what,
                        countRemovableOps(context, current.program),
                        splitPipeline(current.pipeline).size(), result.replays)
              .str());
  }

  /// Delta debugging over the `count()` items of the current case: tries
  /// dropping runs of items, halving the run length down to one.
  /// `without(begin, end)` makes the candidate without items [begin, end),
  /// or nothing when it cannot. Returns whether anything was dropped.
  template <typename Count, typename Without>
  bool deltaDebug(Count count, Without without, llvm::StringRef what) {
    bool shrunk = false;
    for (unsigned run = std::max(1u, count() / 2); run >= 1; run /= 2) {
      for (unsigned begin = 0; begin < count();) {
        const unsigned end = std::min(count(), begin + run);
        std::optional<FuzzCase> candidate = without(begin, end);
        if (candidate && sameBug(*candidate)) {
          current = std::move(*candidate);
          shrunk = true;
          report(what);
        } else {
          begin = end;
        }
      }
      if (run == 1)
        break;
    }
    return shrunk;
  }

  bool reducePipeline() {
    return deltaDebug(
        [&] { return unsigned(splitPipeline(current.pipeline).size()); },
        [&](unsigned begin, unsigned end) -> std::optional<FuzzCase> {
          std::vector<std::string> kept = splitPipeline(current.pipeline);
          kept.erase(kept.begin() + begin, kept.begin() + end);
          FuzzCase candidate = current;
          candidate.pipeline = joinPipeline(kept);
          return candidate;
        },
        "passes");
  }

  bool reduceProgram() {
    return deltaDebug(
        [&] { return countRemovableOps(context, current.program); },
        [&](unsigned begin, unsigned end) -> std::optional<FuzzCase> {
          std::vector<unsigned> indices(end - begin);
          std::iota(indices.begin(), indices.end(), begin);
          mlir::FailureOr<std::string> program =
              removeOps(context, current.program, indices);
          if (failed(program))
            return std::nullopt;
          FuzzCase candidate = current;
          candidate.program = std::move(*program);
          return candidate;
        },
        "ops");
  }

  FuzzCase current;
  const ReduceOptions &options;
  mlir::MLIRContext context;
  ReduceResult result;
};

} // namespace

llvm::Expected<ReduceResult> reduceCase(const FuzzCase &fuzzCase,
                                        const ReduceOptions &options) {
  return Reducer(fuzzCase, options).run();
}

} // namespace fm::fuzz

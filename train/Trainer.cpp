//===- Trainer.cpp - The training loop behind `fmc train` -----------------===//
#include "train/Trainer.h"

#include "ir/FmDialect.h"
#include "ir/FmOps.h"
#include "ir/interp/Invocation.h"
#include "passes/Passes.h"

#include "fmrt/Checkpoint.h"
#include "fmrt/Data.h"
#include "fmrt/Init.h"
#include "fmrt/Random.h"

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/Path.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>

using namespace mlir;

namespace fm {
namespace {

/// Decay of the smoothed loss shown next to the raw one.
constexpr double kSmoothing = 0.9;

//===----------------------------------------------------------------------===//
// The training graph
//===----------------------------------------------------------------------===//

/// What @train_step's arguments and results are, from their attributes.
struct StepSignature {
  // Op handles are cheap values whose accessors are not const.
  mutable func::FuncOp function;
  /// Arguments carried from step to step (fm.param, fm.state), in order.
  SmallVector<unsigned> stateArgs;
  /// The batch arguments, in order.
  SmallVector<unsigned> dataArgs;
  /// (result, argument) pairs from fm.feeds.
  SmallVector<std::pair<unsigned, unsigned>> feeds;

  std::string argName(unsigned index) const {
    StringRef name = getArgumentName(function, index);
    return name.empty() ? "arg" + std::to_string(index) : name.str();
  }
  bool isParam(unsigned index) const {
    return function.getArgAttr(index, FmDialect::kParamAttr) != nullptr;
  }
  RankedTensorType argType(unsigned index) const {
    return cast<RankedTensorType>(function.getArgumentTypes()[index]);
  }
};

FailureOr<StepSignature> inspectTrainStep(ModuleOp module) {
  auto function = module.lookupSymbol<func::FuncOp>("train_step");
  if (!function)
    return module.emitError("the training pipeline produced no @train_step");
  StepSignature signature{function, {}, {}, {}};
  for (unsigned i = 0; i < function.getNumArguments(); ++i) {
    bool carried = function.getArgAttr(i, FmDialect::kParamAttr) ||
                   function.getArgAttr(i, FmDialect::kStateAttr);
    (carried ? signature.stateArgs : signature.dataArgs).push_back(i);
  }
  for (unsigned r = 0; r < function.getNumResults(); ++r)
    if (auto feeds =
            function.getResultAttrOfType<IntegerAttr>(r, FmDialect::kFeedsAttr))
      signature.feeds.push_back({r, static_cast<unsigned>(feeds.getInt())});
  return signature;
}

/// Checks that `function` returns one scalar f32 loss.
LogicalResult verifyLossFunction(func::FuncOp function) {
  auto types = function.getResultTypes();
  auto scalar =
      RankedTensorType::get({}, Float32Type::get(function.getContext()));
  if (types.size() != 1 || types.front() != scalar)
    return function.emitError()
           << "fmc train needs a function returning one scalar f32 loss "
              "(tensor<f32>); @"
           << function.getSymName() << " returns " << types.size()
           << " result(s)" << (types.empty() ? "" : " starting with ")
           << (types.empty() ? Type() : types.front());
  return success();
}

LogicalResult runTrainingPipeline(ModuleOp module, StringRef lossName,
                                  const TrainOptions &options) {
  std::string pipeline;
  llvm::raw_string_ostream os(pipeline);
  os << options.pipeline << "{function=" << lossName
     << " kind=" << options.optimizer << " lr=" << options.lr
     << " beta1=" << options.beta1 << " beta2=" << options.beta2
     << " eps=" << options.eps << " weight-decay=" << options.weightDecay
     << " momentum=" << options.momentum << " clip-norm=" << options.clipNorm
     << "}";
  if (!options.stepPasses.empty())
    os << "," << options.stepPasses;
  PassManager pm(module.getContext());
  std::string message;
  llvm::raw_string_ostream errors(message);
  if (failed(parsePassPipeline(pipeline, pm, errors)))
    return module.emitError()
           << "invalid training pipeline '" << pipeline << "': " << message;
  return pm.run(module);
}

//===----------------------------------------------------------------------===//
// Data
//===----------------------------------------------------------------------===//

enum class DataRole { Tokens, Labels, Features };

/// Where each batch argument's values come from: windows of a byte corpus
/// for language models (token and target arguments), or the synthetic
/// classification set (feature and label arguments).
class DataSource {
public:
  static FailureOr<DataSource> create(func::FuncOp lossFunction,
                                      const StepSignature &step,
                                      const TrainOptions &options,
                                      uint64_t seed);

  /// Fills the batch arguments of `inputs`.
  fmrt::Status fill(fmrt::Random &random,
                    std::vector<fmrt::Tensor> &inputs) const {
    fmrt::Tensor &labels = inputs[labelsArg];
    if (corpus)
      return corpus->sampleWindows(random, inputs[inputArg], labels);
    return synthetic->sample(random, inputs[inputArg], labels);
  }
  /// Tokens (language models) or samples per step, and what they are called.
  int64_t itemsPerStep = 0;
  const char *itemName = "samples";

private:
  unsigned inputArg = 0, labelsArg = 0;
  std::optional<fmrt::ByteCorpus> corpus;
  std::optional<fmrt::SyntheticClassification> synthetic;
};

FailureOr<DataSource> DataSource::create(func::FuncOp lossFunction,
                                         const StepSignature &step,
                                         const TrainOptions &options,
                                         uint64_t seed) {
  // @train_step's batch arguments are the loss function's non-parameter
  // arguments, in order.
  SmallVector<BlockArgument> batch;
  for (BlockArgument argument : lossFunction.getArguments())
    if (!lossFunction.getArgAttr(argument.getArgNumber(),
                                 FmDialect::kParamAttr))
      batch.push_back(argument);
  std::optional<unsigned> tokens, labels, features;
  int64_t classes = 0;
  for (auto [position, argument] : llvm::enumerate(batch)) {
    unsigned stepArg = step.dataArgs[position];
    auto type = cast<RankedTensorType>(argument.getType());
    if (isa<FloatType>(type.getElementType())) {
      if (features)
        return lossFunction.emitError()
               << "fmc train supports one float data argument; '"
               << step.argName(stepArg) << "' is a second one";
      features = stepArg;
      continue;
    }
    bool feedsEmbedding = false, feedsLoss = false;
    forEachIndexUse(argument, [&](Operation *user) {
      if (auto loss = dyn_cast<CrossEntropyOp>(user)) {
        feedsLoss = true;
        classes = loss.getLogits().getType().getShape().back();
      } else {
        feedsEmbedding = true;
      }
    });
    std::optional<unsigned> &slot = feedsEmbedding ? tokens : labels;
    if ((!feedsEmbedding && !feedsLoss) || slot)
      return lossFunction.emitError()
             << "cannot tell what data argument '" << step.argName(stepArg)
             << "' holds: fmc train needs one integer argument feeding an "
                "fm.embedding (tokens) and one feeding fm.cross_entropy "
                "(targets), or one float argument (features) and one "
                "integer argument feeding fm.cross_entropy (labels)";
    slot = stepArg;
  }

  DataSource source;
  if (tokens && labels && !features) {
    if (step.argType(*tokens).getShape() != step.argType(*labels).getShape() ||
        step.argType(*tokens).getRank() != 2)
      return lossFunction.emitError()
             << "a language model's tokens and targets must both be "
                "[batch, seq]";
    if (options.dataPath.empty())
      return lossFunction.emitError()
             << "this graph is a language model: pass --data with a text "
                "file (e.g. examples/data/genesis.txt)";
    fmrt::Expected<fmrt::ByteCorpus> corpus =
        fmrt::ByteCorpus::load(options.dataPath);
    if (!corpus)
      return lossFunction.emitError() << corpus.status().message();
    source.corpus = corpus.take();
    source.inputArg = *tokens;
    source.itemName = "tokens";
    source.itemsPerStep = step.argType(*tokens).getNumElements();
  } else if (features && labels && !tokens) {
    auto type = step.argType(*features);
    if (type.getRank() != 2 || step.argType(*labels).getRank() != 1)
      return lossFunction.emitError()
             << "a classifier's features must be [batch, features] and its "
                "labels [batch]";
    source.synthetic.emplace(type.getDimSize(1), classes, seed);
    source.inputArg = *features;
    source.itemsPerStep = type.getDimSize(0);
  } else {
    return lossFunction.emitError()
           << "fmc train needs tokens and targets (a language model) or "
              "features and labels (a classifier) among the data arguments";
  }
  source.labelsArg = *labels;
  return source;
}

//===----------------------------------------------------------------------===//
// State: initialization and checkpoints
//===----------------------------------------------------------------------===//

/// A fresh run's value of state argument `arg`: parameters follow
/// fmrt::initializeParameter's documented scheme; optimizer state and the
/// step counter are zeros.
fmrt::Tensor initialState(const StepSignature &step, unsigned arg,
                          fmrt::Random &random) {
  RankedTensorType type = step.argType(arg);
  fmrt::Tensor tensor(*toDType(type.getElementType()),
                      fmrt::Shape(type.getShape()));
  if (step.isParam(arg))
    fmrt::initializeParameter(tensor, step.argName(arg), random);
  return tensor;
}

LogicalResult restoreState(const StepSignature &step,
                           const fmrt::Checkpoint &checkpoint,
                           std::vector<fmrt::Tensor> &inputs) {
  std::map<std::string, const fmrt::Tensor *> byName;
  for (const auto &[name, tensor] : checkpoint.tensors)
    byName[name] = &tensor;
  for (unsigned arg : step.stateArgs) {
    std::string name = step.argName(arg);
    auto found = byName.find(name);
    RankedTensorType type = step.argType(arg);
    if (found == byName.end())
      return step.function.emitError()
             << "the checkpoint has no tensor '" << name
             << "' that the graph needs (" << type << ")";
    const fmrt::Tensor &tensor = *found->second;
    fmrt::DType dtype = *toDType(type.getElementType());
    if (tensor.shape() != fmrt::Shape(type.getShape()) ||
        (tensor.dtype() != dtype && tensor.dtype() != fmrt::DType::F64))
      return step.function.emitError()
             << "checkpoint tensor '" << name << "' is "
             << fmrt::formatShape(tensor.shape()) << "x"
             << fmrt::dtypeName(tensor.dtype()) << " but the graph expects "
             << type;
    inputs[arg] = tensor;
    byName.erase(found);
  }
  if (!byName.empty())
    return step.function.emitError()
           << "the checkpoint has tensor '" << byName.begin()->first
           << "' that the graph does not have";
  return success();
}

fmrt::Checkpoint makeCheckpoint(const StepSignature &step,
                                const std::vector<fmrt::Tensor> &inputs,
                                int64_t stepCount, uint64_t seed,
                                const fmrt::Random &random) {
  fmrt::Checkpoint checkpoint;
  for (unsigned arg : step.stateArgs)
    checkpoint.tensors.push_back({step.argName(arg), inputs[arg]});
  checkpoint.step = stepCount;
  checkpoint.seed = seed;
  checkpoint.rngState = random.state();
  return checkpoint;
}

//===----------------------------------------------------------------------===//
// Progress
//===----------------------------------------------------------------------===//

std::string formatDuration(double seconds) {
  auto total = static_cast<int64_t>(std::max(0.0, seconds) + 0.5);
  std::string text;
  llvm::raw_string_ostream os(text);
  if (total >= 3600)
    os << total / 3600 << "h" << llvm::format("%02d", (total / 60) % 60) << "m";
  else
    os << total / 60 << "m" << llvm::format("%02d", total % 60) << "s";
  return text;
}

/// Reports each step: a live progress line on a terminal, plain log lines
/// otherwise, and a row of loss.csv.
class Progress {
public:
  Progress(const TrainOptions &options, int64_t firstStep, int64_t items,
           const char *itemName, llvm::raw_ostream &log, llvm::raw_ostream &csv)
      : options(options), firstStep(firstStep), items(items),
        itemName(itemName), log(log), csv(csv),
        start(std::chrono::steady_clock::now()) {}

  void report(int64_t stepCount, double loss) {
    smoothedSum = kSmoothing * smoothedSum + (1 - kSmoothing) * loss;
    smoothedWeight = kSmoothing * smoothedWeight + (1 - kSmoothing);
    double smoothed = smoothedSum / smoothedWeight;
    double elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
            .count();
    int64_t done = stepCount - firstStep;
    int64_t total = options.steps;
    double rate = done * items / std::max(elapsed, 1e-9);
    double eta = elapsed / done * (total - done);
    csv << stepCount << "," << llvm::format("%.6f", loss) << ","
        << llvm::format("%.6f", smoothed) << ","
        << llvm::format("%.3f", elapsed) << "\n";
    if (options.progressBar) {
      constexpr int kWidth = 30;
      int filled =
          static_cast<int>(kWidth * done / std::max<int64_t>(total, 1));
      log << "\r[" << std::string(filled, '#')
          << std::string(kWidth - filled, '-') << "] " << stepCount << "/"
          << firstStep + total << "  loss " << llvm::format("%.4f", loss)
          << " (smoothed " << llvm::format("%.4f", smoothed) << ")  "
          << llvm::format("%.0f", rate) << " " << itemName << "/s  ETA "
          << formatDuration(eta) << "   ";
      if (done == total)
        log << "\n";
      log.flush();
      return;
    }
    if (done == total ||
        (options.logEvery > 0 && done % options.logEvery == 0) || done == 1)
      log << "step " << stepCount << "/" << firstStep + total << "  loss "
          << llvm::format("%.4f", loss) << "  smoothed "
          << llvm::format("%.4f", smoothed) << "  "
          << llvm::format("%.0f", rate) << " " << itemName << "/s  eta "
          << formatDuration(eta) << "\n";
  }

private:
  const TrainOptions &options;
  int64_t firstStep, items;
  const char *itemName;
  llvm::raw_ostream &log, &csv;
  std::chrono::steady_clock::time_point start;
  double smoothedSum = 0, smoothedWeight = 0;
};

/// The closing line: how long preparing the step took (the JIT compile on
/// the CPU backend) and the median time of a step, the figure bench/
/// compares (data loading and logging excluded).
void reportTimes(llvm::raw_ostream &log, double compileSeconds,
                 std::vector<double> stepSeconds) {
  if (stepSeconds.empty())
    return;
  auto middle = stepSeconds.begin() + stepSeconds.size() / 2;
  std::nth_element(stepSeconds.begin(), middle, stepSeconds.end());
  log << "time: prepare " << llvm::format("%.2f", compileSeconds)
      << " s, median step " << llvm::format("%.2f", *middle * 1e3) << " ms\n";
}

/// Opens loss.csv: appended to when resuming, otherwise started afresh.
FailureOr<std::unique_ptr<llvm::raw_fd_ostream>>
openLossCsv(ModuleOp module, const TrainOptions &options) {
  std::string path = options.lossCsv;
  if (path.empty())
    path = options.checkpointDir.empty()
               ? "loss.csv"
               : (options.checkpointDir + "/loss.csv");
  StringRef parent = llvm::sys::path::parent_path(path);
  if (std::error_code error = parent.empty()
                                  ? std::error_code()
                                  : llvm::sys::fs::create_directories(parent))
    return module.emitError() << "cannot create the directory of '" << path
                              << "': " << error.message();
  bool append = !options.resumeDir.empty() && llvm::sys::fs::exists(path);
  std::error_code error;
  auto csv = std::make_unique<llvm::raw_fd_ostream>(
      path, error, append ? llvm::sys::fs::OF_Append : llvm::sys::fs::OF_None);
  if (error)
    return module.emitError()
           << "cannot write '" << path << "': " << error.message();
  if (!append)
    *csv << "step,loss,smoothed_loss,elapsed_seconds\n";
  return csv;
}

} // namespace

LogicalResult train(ModuleOp module, const TrainOptions &options,
                    llvm::raw_ostream &log) {
  if (options.steps < 0)
    return module.emitError()
           << "the step count must be >= 0, got " << options.steps;
  FailureOr<func::FuncOp> lossFunction =
      findEntryFunction(module, options.entry);
  if (failed(lossFunction) || failed(verifyLossFunction(*lossFunction)) ||
      failed(runTrainingPipeline(module, lossFunction->getSymName(), options)))
    return failure();
  FailureOr<StepSignature> step = inspectTrainStep(module);
  if (failed(step) || failed(checkMemoryFits(step->function)))
    return failure();
  // A resumed run continues the original one: same seed (which defines the
  // synthetic data set), same data stream, same state.
  std::vector<fmrt::Tensor> inputs(step->function.getNumArguments());
  uint64_t seed = options.seed;
  fmrt::Random dataRandom(seed ^ 0x9e3779b97f4a7c15ull);
  int64_t firstStep = 0;
  if (!options.resumeDir.empty()) {
    fmrt::Expected<fmrt::Checkpoint> checkpoint =
        fmrt::loadCheckpoint(options.resumeDir);
    if (!checkpoint)
      return module.emitError() << checkpoint.status().message();
    if (failed(restoreState(*step, *checkpoint, inputs)))
      return failure();
    firstStep = checkpoint->step;
    seed = checkpoint->seed;
    dataRandom.setState(checkpoint->rngState);
  } else {
    fmrt::Random initRandom(seed);
    for (unsigned arg : step->stateArgs)
      inputs[arg] = initialState(*step, arg, initRandom);
  }
  FailureOr<DataSource> data =
      DataSource::create(*lossFunction, *step, options, seed);
  if (failed(data))
    return failure();
  for (unsigned arg : step->dataArgs) {
    RankedTensorType type = step->argType(arg);
    inputs[arg] = fmrt::Tensor(*toDType(type.getElementType()),
                               fmrt::Shape(type.getShape()));
  }

  // Compiled before the clock of the progress report starts.
  using Clock = std::chrono::steady_clock;
  Clock::time_point compileStart = Clock::now();
  FailureOr<std::unique_ptr<Executor>> executor = createExecutor(
      options.backend, module, step->function, options.precision);
  if (failed(executor))
    return failure();
  double compileSeconds =
      std::chrono::duration<double>(Clock::now() - compileStart).count();
  std::vector<double> stepSeconds;
  FailureOr<std::unique_ptr<llvm::raw_fd_ostream>> csv =
      openLossCsv(module, options);
  if (failed(csv))
    return failure();
  Progress progress(options, firstStep, data->itemsPerStep, data->itemName, log,
                    **csv);
  auto save = [&](int64_t stepCount) -> LogicalResult {
    fmrt::Status saved = fmrt::saveCheckpoint(
        options.checkpointDir,
        makeCheckpoint(*step, inputs, stepCount, seed, dataRandom));
    if (!saved.ok())
      return module.emitError() << saved.message();
    return success();
  };

  // The state a step replaces becomes the next step's result buffers.
  std::vector<fmrt::Tensor> results;
  for (int64_t done = 0; done < options.steps; ++done) {
    fmrt::Status filled = data->fill(dataRandom, inputs);
    if (!filled.ok())
      return module.emitError() << filled.message();
    Clock::time_point stepStart = Clock::now();
    if (failed((*executor)->run(inputs, results)))
      return failure();
    stepSeconds.push_back(
        std::chrono::duration<double>(Clock::now() - stepStart).count());
    double loss = results[0].getDouble(0);
    int64_t stepCount = firstStep + done + 1;
    if (!std::isfinite(loss))
      return module.emitError()
             << "the loss became " << loss << " at step " << stepCount
             << "; try a lower --lr or --clip-norm";
    for (auto [result, arg] : step->feeds)
      std::swap(inputs[arg], results[result]);
    progress.report(stepCount, loss);
    if (!options.checkpointDir.empty() && options.checkpointEvery > 0 &&
        stepCount % options.checkpointEvery == 0 && failed(save(stepCount)))
      return failure();
  }
  reportTimes(log, compileSeconds, stepSeconds);
  if (!options.checkpointDir.empty())
    return save(firstStep + options.steps);
  return success();
}

} // namespace fm

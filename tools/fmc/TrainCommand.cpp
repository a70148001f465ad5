//===- TrainCommand.cpp - `fmc train`: train a model ----------------------===//
#include "tools/fmc/Commands.h"

#include "passes/Passes.h"
#include "train/Trainer.h"

#include "mlir/IR/Diagnostics.h"

#include "llvm/Support/Process.h"

using namespace llvm;

namespace fmc {

cl::SubCommand trainCommand(
    "train", "Derive the training step of a forward graph with a scalar loss "
             "and train it");

static cl::opt<std::string> inputPath(cl::Positional, cl::Required,
                                      cl::desc("<model.mlir | ->"),
                                      cl::sub(trainCommand),
                                      cl::cat(getCommandCategory()));
static cl::opt<std::string>
    entryName("entry",
              cl::desc("The loss function (default: the only public "
                       "function, else the first)"),
              cl::value_desc("name"), cl::sub(trainCommand),
              cl::cat(getCommandCategory()));
static cl::opt<std::string> optimizer("optimizer",
                                      cl::desc("adamw (default) or sgd"),
                                      cl::value_desc("kind"), cl::init("adamw"),
                                      cl::sub(trainCommand),
                                      cl::cat(getCommandCategory()));
static cl::opt<double> lr("lr", cl::desc("Learning rate (default 1e-3)"),
                          cl::init(1e-3), cl::sub(trainCommand),
                          cl::cat(getCommandCategory()));
static cl::opt<double>
    weightDecay("weight-decay",
                cl::desc("Weight decay: decoupled for adamw, L2 for sgd "
                         "(default 0.01)"),
                cl::init(0.01), cl::sub(trainCommand),
                cl::cat(getCommandCategory()));
static cl::opt<double> momentum("momentum",
                                cl::desc("SGD momentum (default 0)"),
                                cl::init(0.0), cl::sub(trainCommand),
                                cl::cat(getCommandCategory()));
static cl::opt<double>
    clipNorm("clip-norm",
             cl::desc("Clip gradients to this global L2 norm; 0 disables "
                      "(default 1)"),
             cl::init(1.0), cl::sub(trainCommand),
             cl::cat(getCommandCategory()));
static cl::opt<int64_t> steps("steps",
                              cl::desc("Steps to run now; a resumed run "
                                       "continues its count (default 100)"),
                              cl::init(100), cl::sub(trainCommand),
                              cl::cat(getCommandCategory()));
static cl::opt<uint64_t>
    seed("seed",
         cl::desc("Seeds initialization and batch sampling (default 0)"),
         cl::init(0), cl::sub(trainCommand), cl::cat(getCommandCategory()));
static cl::opt<std::string> dataPath(
    "data",
    cl::desc("Text file for language models: every byte is a token, batches "
             "are random windows of the graph's sequence length. Classifiers "
             "train on a seeded synthetic set of Gaussian clusters instead."),
    cl::value_desc("path"), cl::sub(trainCommand),
    cl::cat(getCommandCategory()));
static cl::opt<std::string> checkpointDir(
    "checkpoint",
    cl::desc("Write DIR/checkpoint.safetensors at the end (and every "
             "--checkpoint-every steps)"),
    cl::value_desc("dir"), cl::sub(trainCommand),
    cl::cat(getCommandCategory()));
static cl::opt<int64_t>
    checkpointEvery("checkpoint-every",
                    cl::desc("Also checkpoint every K steps (default 0: "
                             "only at the end)"),
                    cl::init(0), cl::value_desc("K"), cl::sub(trainCommand),
                    cl::cat(getCommandCategory()));
static cl::opt<std::string>
    resumeDir("resume",
              cl::desc("Continue from the checkpoint in DIR (bit-identical "
                       "to an uninterrupted run)"),
              cl::value_desc("dir"), cl::sub(trainCommand),
              cl::cat(getCommandCategory()));
static cl::opt<int64_t>
    logEvery("log-every",
             cl::desc("Print a log line every K steps when not on a "
                      "terminal (default 10)"),
             cl::init(10), cl::value_desc("K"), cl::sub(trainCommand),
             cl::cat(getCommandCategory()));
static cl::opt<std::string> lossCsv(
    "loss-csv",
    cl::desc("Where to write the loss curve (default: DIR/loss.csv with "
             "--checkpoint, else ./loss.csv)"),
    cl::value_desc("path"), cl::sub(trainCommand),
    cl::cat(getCommandCategory()));
static cl::opt<fm::Backend>
    backend("backend", cl::desc("Execution backend"),
            cl::init(fm::Backend::Cpu),
            cl::values(clEnumValN(fm::Backend::Interp, "interp",
                                  "the reference interpreter"),
                       clEnumValN(fm::Backend::Cpu, "cpu",
                                  "@train_step compiled for the host CPU (JIT; "
                                  "default)")),
            cl::sub(trainCommand), cl::cat(getCommandCategory()));

static cl::opt<std::string> pipelineName(
    "pipeline",
    cl::desc("The pipeline that derives the training step: fm-train "
             "(default) or fm-coat (COAT's FP8 GEMMs, activations and "
             "optimizer states)"),
    cl::init("fm-train"), cl::value_desc("name"), cl::sub(trainCommand),
    cl::cat(getCommandCategory()));
static cl::opt<std::string> stepPasses(
    "step-passes",
    cl::desc("More fm passes to run on the derived step, e.g. fm-fp8-linear "
             "or 'fm-fp8-optimizer{expand=false}'"),
    cl::value_desc("passes"), cl::sub(trainCommand),
    cl::cat(getCommandCategory()));

int runTrainCommand() {
  fm::registerFmcPasses();
  LoadedProgram program;
  if (failed(program.load(inputPath)))
    return 1;
  mlir::ModuleOp module = program.getModule();

  fm::TrainOptions options;
  options.entry = entryName;
  options.optimizer = optimizer;
  options.lr = lr;
  options.weightDecay = weightDecay;
  options.momentum = momentum;
  options.clipNorm = clipNorm;
  options.steps = steps;
  options.seed = seed;
  options.dataPath = dataPath;
  options.checkpointDir = checkpointDir;
  options.checkpointEvery = checkpointEvery;
  options.resumeDir = resumeDir;
  options.logEvery = logEvery;
  options.lossCsv = lossCsv;
  options.backend = backend;
  options.pipeline = pipelineName;
  options.stepPasses = stepPasses;
  options.progressBar = sys::Process::StandardOutIsDisplayed();
  return failed(fm::train(module, options, outs())) ? 1 : 0;
}

} // namespace fmc

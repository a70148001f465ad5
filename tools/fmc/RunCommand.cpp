//===- RunCommand.cpp - `fmc run`: execute a function ---------------------===//
#include "tools/fmc/Commands.h"

#include "ir/interp/Interpreter.h"
#include "ir/interp/Invocation.h"
#include "train/Executor.h"

#include "fmrt/Npy.h"

#include "mlir/IR/Diagnostics.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/WithColor.h"

using namespace llvm;

namespace fmc {

cl::SubCommand runCommand("run", "Run a function of an fm program and print "
                                 "its results");

static cl::opt<std::string> inputPath(cl::Positional, cl::Required,
                                      cl::desc("<input.mlir | ->"),
                                      cl::sub(runCommand),
                                      cl::cat(getCommandCategory()));
static cl::opt<std::string>
    entryName("entry",
              cl::desc("Function to run (default: the only public function, "
                       "else the first)"),
              cl::value_desc("name"), cl::sub(runCommand),
              cl::cat(getCommandCategory()));
static cl::list<std::string>
    inputFiles("input",
               cl::desc("Argument KEY (its position or fm.name) read from a "
                        ".npy file; repeatable"),
               cl::value_desc("KEY=PATH.npy"), cl::sub(runCommand),
               cl::cat(getCommandCategory()));
static cl::opt<uint64_t> randomSeed(
    "random-inputs",
    cl::desc("Draw every argument not given by --input at random from this "
             "seed: fm.param floats ~ 0.02*N(0,1), other floats ~ N(0,1), "
             "integers uniform in the range their uses allow (embedding rows, "
             "cross-entropy classes; else [0,16))"),
    cl::value_desc("seed"), cl::sub(runCommand), cl::cat(getCommandCategory()));
static cl::opt<std::string> outputDir(
    "output-dir",
    cl::desc("Write result<i>.npy (and <fm.name>.npy when named) here"),
    cl::value_desc("dir"), cl::sub(runCommand), cl::cat(getCommandCategory()));

static cl::opt<fm::Backend>
    backend("backend", cl::desc("Execution backend"),
            cl::init(fm::Backend::Cpu),
            cl::values(clEnumValN(fm::Backend::Interp, "interp",
                                  "the reference interpreter"),
                       clEnumValN(fm::Backend::Cpu, "cpu",
                                  "compiled for the host CPU in memory (JIT; "
                                  "default)")),
            cl::sub(runCommand), cl::cat(getCommandCategory()));
static cl::opt<fm::Precision> precision(
    "precision",
    cl::desc("Interpreter arithmetic (f64 implies --backend interp)"),
    cl::init(fm::Precision::F32),
    cl::values(clEnumValN(fm::Precision::F32, "f32",
                          "f32 arithmetic, results rounded to their types"),
               clEnumValN(fm::Precision::F64, "f64",
                          "every float computed and kept in double")),
    cl::sub(runCommand), cl::cat(getCommandCategory()));

/// Collects one tensor per argument from --input files and --random-inputs.
static FailureOr<std::vector<fmrt::Tensor>>
gatherInputs(mlir::func::FuncOp function) {
  std::vector<std::optional<fmrt::Tensor>> bound;
  if (failed(fm::bindInputFiles(function, inputFiles, bound)))
    return failure();
  std::vector<fmrt::Tensor> random;
  if (randomSeed.getNumOccurrences())
    random = fm::makeRandomInputs(function, randomSeed);
  std::vector<fmrt::Tensor> inputs;
  for (unsigned i = 0; i < function.getNumArguments(); ++i) {
    if (bound[i]) {
      inputs.push_back(std::move(*bound[i]));
    } else if (!random.empty()) {
      inputs.push_back(std::move(random[i]));
    } else {
      StringRef name = fm::getArgumentName(function, i);
      function.emitError() << "argument #" << i << (name.empty() ? "" : " ('")
                           << name << (name.empty() ? "" : "')")
                           << " has no value: pass --input "
                           << (name.empty() ? std::to_string(i) : name.str())
                           << "=PATH.npy or --random-inputs SEED";
      return failure();
    }
  }
  return inputs;
}

/// Runs `function` with the chosen backend.
static FailureOr<std::vector<fmrt::Tensor>>
execute(mlir::ModuleOp module, mlir::func::FuncOp function,
        ArrayRef<fmrt::Tensor> inputs) {
  // f64 arithmetic is an interpreter mode: asking for it picks the
  // interpreter unless a backend is named.
  fm::Backend chosen = backend;
  if (precision == fm::Precision::F64 && !backend.getNumOccurrences())
    chosen = fm::Backend::Interp;
  FailureOr<std::unique_ptr<fm::Executor>> executor =
      fm::createExecutor(chosen, module, function, precision);
  std::vector<fmrt::Tensor> results;
  if (failed(executor) || failed((*executor)->run(inputs, results)))
    return failure();
  return results;
}

/// Writes `tensor` as `<dir>/<stem>.npy`.
static bool writeResult(StringRef stem, const fmrt::Tensor &tensor) {
  SmallString<128> path(outputDir);
  std::string file = stem.str();
  std::replace(file.begin(), file.end(), '/', '_');
  sys::path::append(path, file + ".npy");
  fmrt::Status status = fmrt::writeNpy(path.str().str(), tensor);
  if (!status.ok())
    WithColor::error(errs(), "fmc run") << status.message() << "\n";
  return status.ok();
}

int runRunCommand() {
  LoadedProgram program;
  if (failed(program.load(inputPath)))
    return 1;
  mlir::ModuleOp module = program.getModule();
  FailureOr<mlir::func::FuncOp> function =
      fm::findEntryFunction(module, entryName);
  if (failed(function) || failed(fm::checkMemoryFits(*function)))
    return 1;
  FailureOr<std::vector<fmrt::Tensor>> inputs = gatherInputs(*function);
  if (failed(inputs))
    return 1;

  FailureOr<std::vector<fmrt::Tensor>> results =
      execute(module, *function, *inputs);
  if (failed(results))
    return 1;

  if (!outputDir.empty()) {
    if (std::error_code error = sys::fs::create_directories(outputDir)) {
      WithColor::error(errs(), "fmc run")
          << "cannot create '" << outputDir << "': " << error.message() << "\n";
      return 1;
    }
  }
  mlir::TypeRange resultTypes = function->getResultTypes();
  for (auto [index, tensor] : llvm::enumerate(*results)) {
    StringRef name = fm::getResultName(*function, index);
    std::string positional = "result" + std::to_string(index);
    std::string typeName;
    raw_string_ostream typeStream(typeName);
    typeStream
        << cast<mlir::RankedTensorType>(resultTypes[index]).getElementType();
    outs() << fm::summarizeTensor(name.empty() ? positional : name, tensor,
                                  typeName)
           << "\n";
    if (!outputDir.empty()) {
      if (!writeResult(positional, tensor) ||
          (!name.empty() && !writeResult(name, tensor)))
        return 1;
    }
  }
  return 0;
}

} // namespace fmc

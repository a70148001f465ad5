//===- OptCommand.cpp - `fmc opt`: parse, verify, transform, print --------===//
#include "tools/fmc/Commands.h"

#include "codegen/Passes.h"
#include "codegen/cpu/CpuPipeline.h"
#include "passes/Passes.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Transforms/Passes.h"

#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/WithColor.h"

using namespace llvm;

namespace fmc {

cl::SubCommand optCommand("opt",
                          "Parse and verify an fm program, optionally run a "
                          "pass pipeline on it, and print it");

static cl::opt<std::string> inputPath(cl::Positional, cl::Required,
                                      cl::desc("<input.mlir | ->"),
                                      cl::sub(optCommand),
                                      cl::cat(getCommandCategory()));
static cl::opt<std::string>
    passPipeline("pass-pipeline",
                 cl::desc("Passes to run, e.g. 'canonicalize,cse' or "
                          "'builtin.module(canonicalize)'"),
                 cl::value_desc("pipeline"), cl::sub(optCommand),
                 cl::cat(getCommandCategory()));
static cl::opt<std::string>
    outputPath("o", cl::desc("Output file (default: stdout)"),
               cl::value_desc("path"), cl::init("-"), cl::sub(optCommand),
               cl::cat(getCommandCategory()));
static cl::opt<bool> printGeneric("print-generic",
                                  cl::desc("Print ops in MLIR's generic form"),
                                  cl::sub(optCommand),
                                  cl::cat(getCommandCategory()));

/// Fills `pm` from either a bare pass list or a `builtin.module(...)`
/// anchored pipeline.
static mlir::LogicalResult buildPipeline(mlir::PassManager &pm,
                                         StringRef pipeline) {
  std::string message;
  raw_string_ostream errors(message);
  mlir::LogicalResult result = mlir::failure();
  if (pipeline.trim().starts_with("builtin.module(")) {
    FailureOr<mlir::OpPassManager> parsed =
        mlir::parsePassPipeline(pipeline, errors);
    if (succeeded(parsed)) {
      static_cast<mlir::OpPassManager &>(pm) = *parsed;
      result = mlir::success();
    }
  } else {
    result = mlir::parsePassPipeline(pipeline, pm, errors);
  }
  if (failed(result))
    WithColor::error(errs(), "fmc opt")
        << "invalid --pass-pipeline '" << pipeline << "': " << message << "\n";
  return result;
}

int runOptCommand() {
  mlir::registerTransformsPasses();
  fm::registerFmcPasses();
  fm::registerFmCodegenPasses();
  fm::cpu::registerCpuPasses();
  LoadedProgram program;
  if (failed(program.load(inputPath)))
    return 1;
  mlir::ModuleOp module = program.getModule();

  mlir::PassManager pm(module.getContext());
  if (!passPipeline.empty()) {
    if (failed(buildPipeline(pm, passPipeline)))
      return 1;
    if (failed(pm.run(module)))
      return 1;
  }

  std::string message;
  std::unique_ptr<ToolOutputFile> output =
      mlir::openOutputFile(outputPath, &message);
  if (!output) {
    WithColor::error(errs(), "fmc opt") << message << "\n";
    return 1;
  }
  mlir::OpPrintingFlags flags;
  if (printGeneric)
    flags.printGenericOpForm();
  module.print(output->os(), flags);
  output->os() << "\n";
  output->keep();
  return 0;
}

} // namespace fmc

//===- CompileCommand.cpp - `fmc compile`: build an artifact --------------===//
#include "tools/fmc/Commands.h"

#include "codegen/cpu/Artifact.h"
#include "passes/Passes.h"

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"

#include "llvm/Support/Path.h"
#include "llvm/Support/WithColor.h"

using namespace llvm;

namespace fmc {

cl::SubCommand compileCommand(
    "compile", "Compile the public functions of an fm program into a shared "
               "library artifact (docs/artifact.md)");

static cl::opt<std::string> inputPath(cl::Positional, cl::Required,
                                      cl::desc("<input.mlir | ->"),
                                      cl::sub(compileCommand),
                                      cl::cat(getCommandCategory()));
static cl::opt<std::string>
    outputPath("o", cl::desc("The artifact (default: <input stem>.so)"),
               cl::value_desc("path"), cl::sub(compileCommand),
               cl::cat(getCommandCategory()));
enum class Target { Cpu };
static cl::opt<Target>
    target("target", cl::desc("What to compile for"), cl::init(Target::Cpu),
           cl::values(clEnumValN(Target::Cpu, "cpu", "the host CPU (default)")),
           cl::sub(compileCommand), cl::cat(getCommandCategory()));
static cl::opt<std::string> pipelineName(
    "pipeline",
    cl::desc("A named fm pipeline to run before lowering, e.g. fm-train "
             "(which derives @train_step) or 'fm-train{kind=sgd lr=0.1}'"),
    cl::value_desc("name"), cl::sub(compileCommand),
    cl::cat(getCommandCategory()));
static cl::opt<std::string>
    passPipeline("pass-pipeline",
                 cl::desc("fm-level passes to run before lowering, e.g. "
                          "'fm-train{function=mlp},fm-fuse'"),
                 cl::value_desc("pipeline"), cl::sub(compileCommand),
                 cl::cat(getCommandCategory()));
static cl::list<std::string>
    entries("entry",
            cl::desc("Compile only this public function; repeatable "
                     "(default: every public function)"),
            cl::value_desc("name"), cl::sub(compileCommand),
            cl::cat(getCommandCategory()));
static cl::opt<bool>
    report("report",
           cl::desc("Print the time of each pass, the fusion groups, "
                    "kernels and FLOPs per call of each function, and the "
                    "memory plan"),
           cl::sub(compileCommand), cl::cat(getCommandCategory()));

/// The fm-level pipeline --pipeline or --pass-pipeline asks for ("" for
/// none).
static FailureOr<std::string> chosenPipeline() {
  if (pipelineName.empty())
    return passPipeline.getValue();
  if (!passPipeline.empty()) {
    WithColor::error(errs(), "fmc compile")
        << "--pipeline and --pass-pipeline exclude each other\n";
    return failure();
  }
  StringRef name = StringRef(pipelineName).split('{').first;
  if (!mlir::PassPipelineInfo::lookup(name)) {
    WithColor::error(errs(), "fmc compile")
        << "no pipeline named '" << name
        << "' (fm-train is one; --pass-pipeline takes any passes)\n";
    return failure();
  }
  return pipelineName.getValue();
}

int runCompileCommand() {
  fm::registerFmcPasses();
  LoadedProgram program;
  if (failed(program.load(inputPath)))
    return 1;
  mlir::ModuleOp module = program.getModule();

  fm::cpu::CompileReport compileReport;
  FailureOr<std::string> pipeline = chosenPipeline();
  if (failed(pipeline))
    return 1;
  if (!pipeline->empty()) {
    mlir::PassManager pm(module.getContext());
    std::string message;
    raw_string_ostream errors(message);
    if (failed(mlir::parsePassPipeline(*pipeline, pm, errors))) {
      WithColor::error(errs(), "fmc compile")
          << "invalid pipeline '" << *pipeline << "': " << message << "\n";
      return 1;
    }
    if (failed(fm::cpu::runTimed(pm, module, &compileReport.lowering.passes)))
      return 1;
  }

  std::string output = outputPath;
  if (output.empty())
    output = (sys::path::stem(inputPath == "-" ? StringRef("out")
                                               : StringRef(inputPath)) +
              ".so")
                 .str();
  fm::cpu::ArtifactOptions options;
  options.pipeline.entries.assign(entries.begin(), entries.end());
  options.fmcVersion = FMC_VERSION;
  if (failed(fm::cpu::compileArtifact(module, output, options, &compileReport)))
    return 1;
  if (report)
    fm::cpu::printCompileReport(outs(), compileReport);
  return 0;
}

} // namespace fmc

//===- fmc-opt.cpp - mlir-opt compatible driver for fmc -------------------===//
#include "codegen/Passes.h"
#include "codegen/cpu/CpuPipeline.h"
#include "ir/Parse.h"
#include "ir/Registration.h"
#include "passes/Passes.h"
#include "tests/lib/TestPasses.h"

#include "mlir/Support/FileUtilities.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "mlir/Transforms/Passes.h"

#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/ToolOutputFile.h"

using namespace mlir;

int main(int argc, char **argv) {
  llvm::InitLLVM initLLVM(argc, argv);
  DialectRegistry registry;
  fm::registerFmcDialects(registry);
  registerTransformsPasses();
  fm::registerFmcPasses();
  fm::registerFmCodegenPasses();
  fm::test::registerTestPasses();
  fm::cpu::registerCpuDialects(registry);
  fm::cpu::registerCpuPasses();
  auto [inputFilename, outputFilename] = registerAndParseCLIOptions(
      argc, argv, "fmc optimizer driver\n", registry);
  MlirOptMainConfig config = MlirOptMainConfig::createFromCLOptions();
  if (config.shouldShowDialects())
    return asMainReturnCode(
        MlirOptMain(argc, argv, inputFilename, outputFilename, registry));

  // MlirOptMain's own file handling, with the check before parsing.
  std::string errorMessage;
  std::unique_ptr<llvm::MemoryBuffer> input =
      openInputFile(inputFilename, &errorMessage);
  if (!input) {
    llvm::errs() << errorMessage << "\n";
    return 1;
  }
  // LLVM 19's parser does not survive some malformed text (ir/Parse.h).
  MLIRContext diagnostics;
  if (failed(fm::checkParserHazardsInChunks(
          input->getMemBufferRef(), config.inputSplitMarker(), &diagnostics)))
    return 1;
  std::unique_ptr<llvm::ToolOutputFile> output =
      openOutputFile(outputFilename, &errorMessage);
  if (!output) {
    llvm::errs() << errorMessage << "\n";
    return 1;
  }
  if (failed(MlirOptMain(output->os(), std::move(input), registry, config)))
    return 1;
  output->keep();
  return 0;
}

//===- fmc-opt.cpp - mlir-opt compatible driver for fmc -------------------===//
#include "codegen/Passes.h"
#include "codegen/cpu/CpuPipeline.h"
#include "ir/Parse.h"
#include "ir/Registration.h"
#include "passes/Passes.h"
#include "tests/lib/TestPasses.h"

#include "mlir/Bytecode/BytecodeReader.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Support/ToolUtilities.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "mlir/Transforms/Passes.h"

#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/ToolOutputFile.h"

using namespace mlir;

namespace {

/// Reports the malformed text LLVM 19's parser does not survive
/// (fm::checkParserHazards) in each chunk MlirOptMain is about to parse.
LogicalResult checkParserHazards(const llvm::MemoryBuffer &input,
                                 const MlirOptMainConfig &config) {
  MLIRContext diagnostics;
  std::string ignored;
  llvm::raw_string_ostream sink(ignored);
  return splitAndProcessBuffer(
      llvm::MemoryBuffer::getMemBuffer(input.getMemBufferRef(),
                                       /*RequiresNullTerminator=*/false),
      [&](std::unique_ptr<llvm::MemoryBuffer> chunk, raw_ostream &) {
        if (isBytecode(chunk->getMemBufferRef()))
          return success();
        llvm::SourceMgr sourceMgr;
        sourceMgr.AddNewSourceBuffer(std::move(chunk), llvm::SMLoc());
        SourceMgrDiagnosticHandler handler(sourceMgr, &diagnostics);
        return fm::checkParserHazards(sourceMgr, &diagnostics);
      },
      sink, config.inputSplitMarker());
}

} // namespace

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
  if (failed(checkParserHazards(*input, config)))
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

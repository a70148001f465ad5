//===- fmc.cpp - The fmc command-line driver ------------------------------===//
//
// A thin main: parses the subcommand and its options, then hands over to the
// subcommand's implementation.
//
//===----------------------------------------------------------------------===//
#include "tools/fmc/Commands.h"

#include "ir/Registration.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/Parser/Parser.h"

#include "llvm/Config/llvm-config.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/WithColor.h"
#include "llvm/Support/raw_ostream.h"

using namespace llvm;

namespace fmc {

cl::OptionCategory &getCommandCategory() {
  static cl::OptionCategory category("fmc options");
  return category;
}

mlir::OwningOpRef<mlir::ModuleOp>
loadModule(StringRef path, SourceMgr &sourceMgr, mlir::MLIRContext &context) {
  ErrorOr<std::unique_ptr<MemoryBuffer>> buffer =
      MemoryBuffer::getFileOrSTDIN(path, /*IsText=*/true);
  if (std::error_code error = buffer.getError()) {
    WithColor::error(errs(), "fmc")
        << "cannot open '" << path << "': " << error.message() << "\n";
    return nullptr;
  }
  sourceMgr.AddNewSourceBuffer(std::move(*buffer), SMLoc());
  return mlir::parseSourceFile<mlir::ModuleOp>(sourceMgr, &context);
}

} // namespace fmc

static void printVersion(raw_ostream &os) {
  os << "fmc " << FMC_VERSION << " (MLIR/LLVM " << LLVM_VERSION_STRING << ")\n";
}

int main(int argc, char **argv) {
  InitLLVM init(argc, argv);
  cl::SetVersionPrinter(printVersion);
  cl::HideUnrelatedOptions(fmc::getCommandCategory());
  if (argc > 1 && argv[1][0] != '-' &&
      StringRef(argv[1]) != fmc::optCommand.getName() &&
      StringRef(argv[1]) != fmc::runCommand.getName()) {
    WithColor::error(errs(), "fmc")
        << "unknown command '" << argv[1] << "' (see 'fmc --help')\n";
    return 1;
  }
  cl::ParseCommandLineOptions(
      argc, argv,
      "fmc - a tensor compiler for training graphs\n\n"
      "  fmc opt FILE [--pass-pipeline=...] [-o OUT]\n"
      "  fmc run FILE [--entry NAME] [--input KEY=PATH.npy]... "
      "[--random-inputs SEED] [--output-dir DIR]\n\n"
      "Run 'fmc COMMAND --help' for the options of a command.\n");
  if (fmc::optCommand)
    return fmc::runOptCommand();
  if (fmc::runCommand)
    return fmc::runRunCommand();
  WithColor::error(errs(), "fmc") << "no command given (see 'fmc --help')\n";
  return 1;
}

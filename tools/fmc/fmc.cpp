//===- fmc.cpp - The fmc command-line driver ------------------------------===//
//
// A thin main: parses the subcommand and its options, then hands over to the
// subcommand's implementation.
//
//===----------------------------------------------------------------------===//
#include "tools/fmc/Commands.h"

#include "codegen/cpu/CpuPipeline.h"
#include "ir/Parse.h"
#include "ir/Registration.h"
#include "tests/lib/TestPasses.h"

#include "mlir/IR/Diagnostics.h"

#include "llvm/ADT/STLExtras.h"
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

static mlir::DialectRegistry makeRegistry() {
  mlir::DialectRegistry registry;
  fm::registerFmcDialects(registry);
  // `fmc opt` also reads and writes the lowered forms.
  fm::cpu::registerCpuDialects(registry);
  return registry;
}

LoadedProgram::LoadedProgram()
    : context(makeRegistry()), diagnostics(sourceMgr, &context) {
  // Errors point at file:line:col and show the source line; a dump of the
  // op in generic form (a whole function, for a function's error) would
  // bury the message.
  context.printOpOnDiagnostic(false);
}

LogicalResult LoadedProgram::load(StringRef path) {
  ErrorOr<std::unique_ptr<MemoryBuffer>> buffer =
      MemoryBuffer::getFileOrSTDIN(path, /*IsText=*/true);
  if (std::error_code error = buffer.getError()) {
    WithColor::error(errs(), "fmc")
        << "cannot open '" << path << "': " << error.message() << "\n";
    return failure();
  }
  sourceMgr.AddNewSourceBuffer(std::move(*buffer), SMLoc());
  module = fm::parseModule(sourceMgr, &context);
  return success(static_cast<bool>(module));
}

int writeOutput(StringRef path, StringRef text, StringRef tool) {
  if (path.empty()) {
    outs() << text;
    return 0;
  }
  std::error_code error;
  raw_fd_ostream os(path, error);
  if (error) {
    WithColor::error(errs(), tool)
        << "cannot write '" << path << "': " << error.message() << "\n";
    return 1;
  }
  os << text;
  return 0;
}

} // namespace fmc

static void printVersion(raw_ostream &os) {
  os << "fmc " << FMC_VERSION << " (MLIR/LLVM " << LLVM_VERSION_STRING << ")\n";
}

namespace {
struct Command {
  cl::SubCommand &subCommand;
  int (*run)();
};
} // namespace

int main(int argc, char **argv) {
  InitLLVM init(argc, argv);
  fm::test::registerTestPasses();
  const Command commands[] = {
      {fmc::newCommand, fmc::runNewCommand},
      {fmc::optCommand, fmc::runOptCommand},
      {fmc::runCommand, fmc::runRunCommand},
      {fmc::trainCommand, fmc::runTrainCommand},
      {fmc::compileCommand, fmc::runCompileCommand},
      {fmc::fuzzCommand, fmc::runFuzzCommand},
      {fmc::reduceCommand, fmc::runReduceCommand},
  };
  cl::SetVersionPrinter(printVersion);
  cl::HideUnrelatedOptions(fmc::getCommandCategory());
  if (argc > 1 && argv[1][0] != '-' &&
      llvm::none_of(commands, [&](const Command &command) {
        return command.subCommand.getName() == StringRef(argv[1]);
      })) {
    WithColor::error(errs(), "fmc")
        << "unknown command '" << argv[1] << "' (see 'fmc --help')\n";
    return 1;
  }
  cl::ParseCommandLineOptions(
      argc, argv,
      "fmc - a tensor compiler for training graphs\n\n"
      "  fmc new mlp|gpt [--layers N --dim N --heads N ...] [-o OUT]\n"
      "  fmc opt FILE [--pass-pipeline=...] [-o OUT]\n"
      "  fmc run FILE [--entry NAME] [--input KEY=PATH.npy]... "
      "[--random-inputs SEED] [--output-dir DIR] [--backend cpu|interp]\n"
      "  fmc compile FILE [-o OUT.so] [--pipeline NAME | --pass-pipeline=...] "
      "[--report]\n"
      "  fmc train FILE [--optimizer adamw|sgd --lr X --steps N --seed S "
      "--data PATH --checkpoint DIR --resume DIR ...]\n"
      "  fmc fuzz [--time 10m --jobs N --mode joint|ir|pass|bytes --corpus "
      "DIR --out DIR --seed S]\n"
      "  fmc fuzz replay CASE.fmz [--seed S] | fmc fuzz generate [--seed S]\n"
      "  fmc reduce CASE.fmz [-o OUT]\n\n"
      "Run 'fmc COMMAND --help' for the options of a command.\n");
  for (const Command &command : commands)
    if (command.subCommand)
      return command.run();
  WithColor::error(errs(), "fmc") << "no command given (see 'fmc --help')\n";
  return 1;
}

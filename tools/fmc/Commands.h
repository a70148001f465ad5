//===- Commands.h - Subcommands of the fmc driver ---------------*- C++ -*-===//
#ifndef FMC_TOOLS_FMC_COMMANDS_H
#define FMC_TOOLS_FMC_COMMANDS_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OwningOpRef.h"

#include "llvm/Support/CommandLine.h"
#include "llvm/Support/SourceMgr.h"

namespace fmc {

/// Options every subcommand shows in its --help.
llvm::cl::OptionCategory &getCommandCategory();

/// A program read from a file: an MLIR context with fmc's dialects, and a
/// source manager so that every diagnostic is printed as file:line:col.
class LoadedProgram {
public:
  LoadedProgram();
  /// Parses and verifies `path` ("-" for stdin). Prints the reason and
  /// returns failure when it cannot.
  llvm::LogicalResult load(llvm::StringRef path);
  mlir::ModuleOp getModule() { return *module; }

private:
  mlir::MLIRContext context;
  llvm::SourceMgr sourceMgr;
  mlir::SourceMgrDiagnosticHandler diagnostics;
  mlir::OwningOpRef<mlir::ModuleOp> module;
};

/// Writes `text` to `path` ("" for stdout); prints why not, as `tool`, and
/// returns 1 when it cannot, else 0.
int writeOutput(llvm::StringRef path, llvm::StringRef text,
                llvm::StringRef tool);

/// Each returns the process exit code (0 success, 1 error).
int runOptCommand();
int runRunCommand();
int runNewCommand();
int runTrainCommand();
int runCompileCommand();
int runFuzzCommand();
int runReduceCommand();

extern llvm::cl::SubCommand optCommand;
extern llvm::cl::SubCommand runCommand;
extern llvm::cl::SubCommand newCommand;
extern llvm::cl::SubCommand trainCommand;
extern llvm::cl::SubCommand compileCommand;
extern llvm::cl::SubCommand fuzzCommand;
extern llvm::cl::SubCommand reduceCommand;

} // namespace fmc

#endif // FMC_TOOLS_FMC_COMMANDS_H

//===- Commands.h - Subcommands of the fmc driver ---------------*- C++ -*-===//
#ifndef FMC_TOOLS_FMC_COMMANDS_H
#define FMC_TOOLS_FMC_COMMANDS_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OwningOpRef.h"

#include "llvm/Support/CommandLine.h"
#include "llvm/Support/SourceMgr.h"

namespace fmc {

/// Options every subcommand shows in its --help.
llvm::cl::OptionCategory &getCommandCategory();

/// Parses and verifies `path` ("-" for stdin) into `context`, registering the
/// buffer with `sourceMgr` so diagnostics carry file:line:col. Prints the
/// reason and returns null on failure.
mlir::OwningOpRef<mlir::ModuleOp> loadModule(llvm::StringRef path,
                                             llvm::SourceMgr &sourceMgr,
                                             mlir::MLIRContext &context);

/// Each returns the process exit code (0 success, 1 error).
int runOptCommand();
int runRunCommand();

extern llvm::cl::SubCommand optCommand;
extern llvm::cl::SubCommand runCommand;

} // namespace fmc

#endif // FMC_TOOLS_FMC_COMMANDS_H

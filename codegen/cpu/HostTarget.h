//===- HostTarget.h - LLVM code generation for the host CPU -----*- C++ -*-===//
//
// What the JIT and the artifact compiler share once the module is in the
// LLVM dialect: a target machine for the CPU fmc runs on and the -O3
// optimization of the translated LLVM IR.
//
//===----------------------------------------------------------------------===//
#ifndef FM_CODEGEN_CPU_HOSTTARGET_H
#define FM_CODEGEN_CPU_HOSTTARGET_H

#include "llvm/IR/Module.h"
#include "llvm/Support/Error.h"
#include "llvm/Target/TargetMachine.h"

#include <memory>

namespace fm::cpu {

/// A target machine for the host: its triple, CPU and features, -O3 code
/// generation, position-independent code (artifacts are shared objects).
llvm::Expected<std::unique_ptr<llvm::TargetMachine>> createHostTargetMachine();

/// Optimizes `module` at -O3 for `target`. Only the entry points
/// (fmc_entry_*) and `keep` stay visible; everything else is internalized
/// first, so that the optimizer can inline it into them and drop the rest.
llvm::Error optimizeModule(llvm::Module &module, llvm::TargetMachine &target,
                           llvm::ArrayRef<llvm::StringRef> keep = {});

} // namespace fm::cpu

#endif // FM_CODEGEN_CPU_HOSTTARGET_H

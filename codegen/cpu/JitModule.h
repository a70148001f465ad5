//===- JitModule.h - fm functions compiled in memory ------------*- C++ -*-===//
//
// `fmc run --backend cpu` and the trainer's compiled executor: the CPU
// pipeline down to the LLVM dialect, then MLIR's ExecutionEngine (ORC) at
// -O3 for the host CPU, with libfmrt's kernels resolved in the process.
//
//===----------------------------------------------------------------------===//
#ifndef FM_CODEGEN_CPU_JITMODULE_H
#define FM_CODEGEN_CPU_JITMODULE_H

#include "codegen/cpu/CpuPipeline.h"
#include "codegen/cpu/Signature.h"

#include "fmrt/EntryAbi.h"

#include "mlir/ExecutionEngine/ExecutionEngine.h"

#include <memory>

namespace fm::cpu {

class JitModule {
public:
  /// Lowers a copy of `module` (fm ops; the module itself is not changed)
  /// and compiles it. Errors are diagnostics. With `report`, records what
  /// lowerToLLVMDialect does, and the time LLVM takes.
  static mlir::FailureOr<std::unique_ptr<JitModule>>
  compile(mlir::ModuleOp module, const CpuPipelineOptions &options = {},
          LoweringReport *report = nullptr);

  /// Compiles `lowered`, a module lowerToLLVMDialect already lowered, whose
  /// entry points `signatures` describes (describeEntryFunctions, before
  /// lowering).
  static mlir::FailureOr<std::unique_ptr<JitModule>>
  compileLowered(mlir::OwningOpRef<mlir::ModuleOp> lowered,
                 std::vector<FunctionSignature> signatures,
                 LoweringReport *report = nullptr);

  /// The compiled function `name` (nullptr, with an error diagnostic, when
  /// it was not compiled).
  const FunctionSignature *getSignature(llvm::StringRef name) const;
  /// Its entry point, following runtime/include/fmrt/EntryAbi.h.
  fmrt::EntryFunction getEntry(const FunctionSignature &function) const;

  /// Where errors of getSignature and run are reported.
  mlir::MLIRContext *getContext() const { return loc.getContext(); }

  /// Runs `name` on `inputs`, checked against its signature, and returns
  /// newly allocated results.
  mlir::FailureOr<std::vector<fmrt::Tensor>>
  run(llvm::StringRef name, llvm::ArrayRef<fmrt::Tensor> inputs) const;
  /// The same into `results`: each tensor already there with its result's
  /// dtype and shape is written in place, the others are replaced. A
  /// training loop hands back the buffers of the state a step replaced, so
  /// that a step allocates no results (21 MB a step of a small GPT, zeroed
  /// by each allocation).
  mlir::LogicalResult run(llvm::StringRef name,
                          llvm::ArrayRef<fmrt::Tensor> inputs,
                          std::vector<fmrt::Tensor> &results) const;

private:
  JitModule(std::unique_ptr<mlir::ExecutionEngine> engine,
            std::vector<FunctionSignature> signatures,
            std::vector<fmrt::EntryFunction> entries, mlir::Location loc);

  std::unique_ptr<mlir::ExecutionEngine> engine;
  std::vector<FunctionSignature> signatures;
  /// One per signature.
  std::vector<fmrt::EntryFunction> entries;
  mlir::Location loc;
};

} // namespace fm::cpu

#endif // FM_CODEGEN_CPU_JITMODULE_H

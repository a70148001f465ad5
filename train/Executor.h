//===- Executor.h - What runs a function of an fm program -------*- C++ -*-===//
//
// `fmc train` runs @train_step, and `fmc run` any function, through an
// Executor: the reference interpreter, or the function compiled for the
// host CPU (codegen/cpu).
//
//===----------------------------------------------------------------------===//
#ifndef FM_TRAIN_EXECUTOR_H
#define FM_TRAIN_EXECUTOR_H

#include "ir/interp/Interpreter.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"

#include <memory>
#include <vector>

namespace fm {

enum class Backend { Interp, Cpu };

class Executor {
public:
  virtual ~Executor() = default;
  /// Runs the function on `inputs`, one per argument, into `results`, one
  /// per result. Compiled code writes into the tensors already there when
  /// their dtypes and shapes fit (cpu::JitModule::run), so a loop that
  /// hands back the buffers a step's results replaced allocates nothing.
  /// Errors are diagnostics.
  virtual mlir::LogicalResult run(llvm::ArrayRef<fmrt::Tensor> inputs,
                                  std::vector<fmrt::Tensor> &results) = 0;
};

/// Fails, with an error at `function`, when the peak of its memory plan
/// (fm-plan-memory's) exceeds this machine's memory:
/// allocating its tensors would fail partway, outside fmc's error reporting.
/// Functions fm-plan-memory does not plan pass.
mlir::LogicalResult checkMemoryFits(mlir::func::FuncOp function);

/// An executor of `function` (a public function of `module`) on `backend`.
/// The interpreter computes with `precision`; compiling may fail (an op
/// without a lowering), with an error diagnostic.
mlir::FailureOr<std::unique_ptr<Executor>>
createExecutor(Backend backend, mlir::ModuleOp module,
               mlir::func::FuncOp function, Precision precision);

} // namespace fm

#endif // FM_TRAIN_EXECUTOR_H

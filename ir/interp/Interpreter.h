//===- Interpreter.h - Reference interpreter for fm programs ----*- C++ -*-===//
//
// The executable specification of every fm op: runs a func.func made of fm
// and func ops on host tensors (fmrt::Tensor).
//
// Precision modes:
//  - F32 (default): floats are computed in f32 with f32 accumulation; every
//    result is rounded exactly to its tensor's element type (bf16, f16, FP8
//    by the numerics contract), so narrow tensors hold exactly representable
//    values.
//  - F64: every float is computed and stored in double, whatever its declared
//    element type, and casts between float types are exact (no rounding).
//    Used for gradient checks by finite differences.
//
//===----------------------------------------------------------------------===//
#ifndef FM_IR_INTERP_INTERPRETER_H
#define FM_IR_INTERP_INTERPRETER_H

#include "fmrt/Tensor.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Support/LogicalResult.h"

#include <optional>
#include <vector>

namespace fm {

enum class Precision { F32, F64 };

struct InterpreterOptions {
  Precision precision = Precision::F32;
};

/// The runtime element type of an MLIR element type (nullopt if fm does not
/// support it).
std::optional<fmrt::DType> toDType(mlir::Type elementType);
mlir::Type toMlirType(mlir::MLIRContext *context, fmrt::DType dtype);

class Interpreter {
public:
  explicit Interpreter(mlir::ModuleOp module, InterpreterOptions options = {});

  /// Runs `function` on `inputs`, one per argument. Each input must have the
  /// argument's shape and element type; in F64 mode float inputs may also be
  /// F64. Float results are F64 tensors in F64 mode. On failure (bad inputs,
  /// an op it cannot run, an index out of range at run time) it emits an
  /// error diagnostic located at the offending op or function and returns
  /// failure; it never crashes on a verified module.
  mlir::FailureOr<std::vector<fmrt::Tensor>>
  run(mlir::func::FuncOp function, llvm::ArrayRef<fmrt::Tensor> inputs);

  /// Looks up `name` in the module and runs it; errors as above.
  mlir::FailureOr<std::vector<fmrt::Tensor>>
  run(llvm::StringRef name, llvm::ArrayRef<fmrt::Tensor> inputs);

private:
  mlir::ModuleOp module;
  InterpreterOptions options;
};

} // namespace fm

#endif // FM_IR_INTERP_INTERPRETER_H

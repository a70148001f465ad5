//===- Signature.h - What a compiled function takes and returns -*- C++ -*-===//
//
// The tensors an entry point reads and writes, captured from the fm-level
// function before lowering (which drops the fm attributes): the artifact's
// manifest lists them, and callers allocate results from them.
//
//===----------------------------------------------------------------------===//
#ifndef FM_CODEGEN_CPU_SIGNATURE_H
#define FM_CODEGEN_CPU_SIGNATURE_H

#include "fmrt/Tensor.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Location.h"

#include <string>
#include <vector>

namespace fm::cpu {

struct TensorSpec {
  /// fm.name ("" when absent).
  std::string name;
  fmrt::DType dtype = fmrt::DType::F32;
  fmrt::Shape shape;
  /// Arguments: "param", "state", "data" or "".
  std::string role;
  /// Results: the argument fm.feeds names, or -1.
  int64_t feeds = -1;

  size_t byteSize() const {
    return fmrt::numElements(shape) * fmrt::dtypeSize(dtype);
  }
};

struct FunctionSignature {
  std::string name;
  /// Where the function is defined, for diagnostics about calls.
  mlir::Location loc;
  std::vector<TensorSpec> args, results;
};

/// The signatures of the functions fm-cpu-prepare-functions makes entry
/// points: `entries`, or every public function. Emits an error for a
/// function that is missing or takes or returns something other than a
/// ranked tensor of an fm element type.
mlir::FailureOr<std::vector<FunctionSignature>>
describeEntryFunctions(mlir::ModuleOp module,
                       llvm::ArrayRef<std::string> entries);

/// Checks `inputs` against `signature`'s arguments (count, dtype, shape);
/// emits an error at the function otherwise.
mlir::LogicalResult checkInputs(const FunctionSignature &signature,
                                llvm::ArrayRef<fmrt::Tensor> inputs);

} // namespace fm::cpu

#endif // FM_CODEGEN_CPU_SIGNATURE_H

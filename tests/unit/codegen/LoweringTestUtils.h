//===- LoweringTestUtils.h - Run lowered fm functions in tests --*- C++ -*-===//
//
// A small executor for the code generation unit tests, and for them only:
// it compiles a module with the CPU backend's pipeline (codegen/cpu, with
// matrix products kept as loops) and calls its functions on fmrt tensors,
// so that tests can compare the lowering with the reference interpreter.
//
//===----------------------------------------------------------------------===//
#ifndef FMC_TESTS_UNIT_CODEGEN_LOWERINGTESTUTILS_H
#define FMC_TESTS_UNIT_CODEGEN_LOWERINGTESTUTILS_H

#include "fmrt/Tensor.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Support/LogicalResult.h"

#include <memory>
#include <string>
#include <vector>

namespace fm::cpu {
class JitModule;
} // namespace fm::cpu

namespace fm::testing {

/// Registers fm, every upstream dialect with its interfaces (bufferization,
/// LLVM conversion) and the LLVM IR translations the executor needs.
void registerLoweringTestDialects(mlir::DialectRegistry &registry);

/// A module lowered to the LLVM dialect and JIT-compiled. Every public
/// function of the original module can be called with one fmrt tensor per
/// argument and returns one per result.
class CompiledModule {
public:
  /// Lowers and compiles a clone of `module` (which stays as it is, for the
  /// interpreter). On failure returns null and describes why in `error`,
  /// with the diagnostics the passes emitted.
  static std::unique_ptr<CompiledModule> compile(mlir::ModuleOp module,
                                                 std::string &error);

  /// Runs `name`. The inputs must have the arguments' shapes and element
  /// types; on a mismatch returns failure with `error` set.
  mlir::FailureOr<std::vector<fmrt::Tensor>>
  run(llvm::StringRef name, llvm::ArrayRef<fmrt::Tensor> inputs,
      std::string &error) const;

  ~CompiledModule();

private:
  explicit CompiledModule(std::unique_ptr<cpu::JitModule> jit);

  std::unique_ptr<cpu::JitModule> jit;
};

} // namespace fm::testing

#endif // FMC_TESTS_UNIT_CODEGEN_LOWERINGTESTUTILS_H

//===- LoweringTestUtils.cpp - Run lowered fm functions in tests ----------===//

#include "tests/unit/codegen/LoweringTestUtils.h"

#include "codegen/cpu/JitModule.h"
#include "ir/Registration.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"

using namespace mlir;

namespace fm::testing {

void registerLoweringTestDialects(DialectRegistry &registry) {
  registerAllDialects(registry);
  registerAllExtensions(registry);
  registerFmcDialects(registry);
  registerBuiltinDialectTranslation(registry);
  registerLLVMDialectTranslation(registry);
}

CompiledModule::CompiledModule(std::unique_ptr<cpu::JitModule> jit)
    : jit(std::move(jit)) {}

CompiledModule::~CompiledModule() = default;

std::unique_ptr<CompiledModule> CompiledModule::compile(ModuleOp module,
                                                        std::string &error) {
  std::string diagnostics;
  ScopedDiagnosticHandler handler(module.getContext(),
                                  [&](Diagnostic &diagnostic) {
                                    diagnostics += diagnostic.str() + "\n";
                                    return success();
                                  });
  // The tests check the lowering bit for bit, so matrix products stay loops
  // rather than libfmrt's GEMM, and reductions keep their order, as the
  // interpreter's (both sum in another order otherwise); exp and tanh are
  // libm's, as the interpreter's.
  cpu::CpuPipelineOptions options;
  options.runtimeMatmul = false;
  options.approximate = false;
  options.reassociate = false;
  FailureOr<std::unique_ptr<cpu::JitModule>> jit =
      cpu::JitModule::compile(module, options);
  if (failed(jit)) {
    error = "compilation failed:\n" + diagnostics;
    return nullptr;
  }
  return std::unique_ptr<CompiledModule>(new CompiledModule(std::move(*jit)));
}

FailureOr<std::vector<fmrt::Tensor>>
CompiledModule::run(StringRef name, ArrayRef<fmrt::Tensor> inputs,
                    std::string &error) const {
  std::string diagnostics;
  ScopedDiagnosticHandler handler(jit->getContext(),
                                  [&](Diagnostic &diagnostic) {
                                    diagnostics += diagnostic.str() + "\n";
                                    return success();
                                  });
  FailureOr<std::vector<fmrt::Tensor>> results = jit->run(name, inputs);
  if (failed(results))
    error = diagnostics;
  return results;
}

} // namespace fm::testing

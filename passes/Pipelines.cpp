//===- Pipelines.cpp - Pass registration and fmc's named pipelines --------===//
#include "passes/Passes.h"

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

/// fm-autodiff, then fm-optimizer{options}.
static LogicalResult
addTrainingPasses(OpPassManager &pm, StringRef options,
                  function_ref<LogicalResult(const Twine &)> errorHandler) {
  pm.addPass(fm::createAutodiff());
  std::string message;
  llvm::raw_string_ostream errors(message);
  if (failed(parsePassPipeline(("fm-optimizer{" + options + "}").str(), pm,
                               errors)))
    return errorHandler(message);
  return success();
}

void fm::registerFmcPasses() {
  registerFmPasses();
  // Both take the optimizer's options (see `fm-optimizer`), forwarded as
  // written.
  registerPassPipeline(
      "fm-train",
      "Derive the gradient and build @train_step (fm-autodiff, then "
      "fm-optimizer with the given options)",
      addTrainingPasses,
      [](function_ref<void(const detail::PassOptions &)>) {});
  registerPassPipeline(
      "fm-coat",
      "fm-train with COAT's FP8 training: FP8 GEMMs (fm-fp8-linear), FP8 "
      "saved activations in 1x16 groups (fm-fp8-activations) and FP8 AdamW "
      "moments in 1x128 groups with range expansion (fm-fp8-optimizer)",
      [](OpPassManager &pm, StringRef options,
         function_ref<LogicalResult(const Twine &)> errorHandler) {
        if (failed(addTrainingPasses(pm, options, errorHandler)))
          return failure();
        pm.addPass(fm::createFp8Linear());
        // The backward pass quantizes a saved GEMM input exactly as the
        // forward pass did: CSE lets it reuse the forward's FP8 copy, so
        // the full-precision input need not live until the backward pass.
        pm.addPass(createCSEPass());
        pm.addPass(fm::createFp8Activations());
        pm.addPass(fm::createFp8Optimizer());
        return success();
      },
      [](function_ref<void(const detail::PassOptions &)>) {});
}

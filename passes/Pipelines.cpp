//===- Pipelines.cpp - Pass registration and fmc's named pipelines --------===//
#include "passes/Passes.h"

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"

using namespace mlir;

void fm::registerFmcPasses() {
  registerFmPasses();
  // fm-train{OPTIONS} = fm-autodiff, fm-optimizer{OPTIONS}: the options are
  // the optimizer's (see `fm-optimizer`), forwarded as written.
  registerPassPipeline(
      "fm-train",
      "Derive the gradient and build @train_step (fm-autodiff, then "
      "fm-optimizer with the given options)",
      [](OpPassManager &pm, StringRef options,
         function_ref<LogicalResult(const Twine &)> errorHandler) {
        pm.addPass(createAutodiff());
        std::string message;
        llvm::raw_string_ostream errors(message);
        if (failed(parsePassPipeline(("fm-optimizer{" + options + "}").str(),
                                     pm, errors)))
          return errorHandler(message);
        return success();
      },
      [](function_ref<void(const detail::PassOptions &)>) {});
}

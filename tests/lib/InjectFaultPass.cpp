//===- InjectFaultPass.cpp - fm-test-inject-fault -------------------------===//
#include "tests/lib/TestPasses.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassRegistry.h"

#include <chrono>
#include <thread>

using namespace mlir;

namespace {

struct InjectFaultPass
    : public PassWrapper<InjectFaultPass, OperationPass<ModuleOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(InjectFaultPass)

  InjectFaultPass() = default;
  InjectFaultPass(const InjectFaultPass &other) : PassWrapper(other) {}

  StringRef getArgument() const override { return "fm-test-inject-fault"; }
  StringRef getDescription() const override {
    return "Plant a bug when the module holds a given op (tests the fuzzer's "
           "reducer and campaigns)";
  }

  void runOnOperation() override {
    Operation *target = nullptr;
    getOperation().walk([&](Operation *op) {
      if (op->getName().getStringRef() == opName.getValue()) {
        target = op;
        return WalkResult::interrupt();
      }
      return WalkResult::advance();
    });
    if (!target)
      return;
    if (kind == "crash") {
      __builtin_trap();
    } else if (kind == "hang") {
      for (;;)
        std::this_thread::sleep_for(std::chrono::seconds(1));
    } else if (kind == "invalid-ir") {
      // An operand that does not dominate its use.
      if (target->getNumOperands() && target->getNumResults())
        target->setOperand(0, target->getResult(0));
    } else if (kind == "wrong-result") {
      if (target->getNumOperands() && target->getNumResults() &&
          target->getOperand(0).getType() == target->getResult(0).getType())
        target->getResult(0).replaceAllUsesWith(target->getOperand(0));
    } else {
      target->emitError("fm-test-inject-fault: unknown kind '") << kind << "'";
      signalPassFailure();
    }
  }

  Option<std::string> opName{*this, "op",
                             llvm::cl::desc("The op that triggers the fault"),
                             llvm::cl::init("fm.sigmoid")};
  Option<std::string> kind{
      *this, "kind", llvm::cl::desc("crash, hang, invalid-ir or wrong-result"),
      llvm::cl::init("crash")};
};

} // namespace

void fm::test::registerTestPasses() { PassRegistration<InjectFaultPass>(); }

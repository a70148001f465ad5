//===- ReassociateReductions.cpp - fm-cpu-reassociate-reductions ----------===//
#include "codegen/cpu/CpuPasses.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"

namespace fm::cpu {
#define GEN_PASS_DEF_CPUREASSOCIATEREDUCTIONS
#include "codegen/cpu/CpuPasses.h.inc"
} // namespace fm::cpu

using namespace mlir;

namespace {

/// The float ops that fold a value into a reduction's accumulator.
bool combinesAccumulator(Operation *op) {
  return isa<arith::AddFOp, arith::MulFOp, arith::MaximumFOp, arith::MinimumFOp,
             arith::MaxNumFOp, arith::MinNumFOp>(op);
}

struct CpuReassociateReductionsPass
    : fm::cpu::impl::CpuReassociateReductionsBase<
          CpuReassociateReductionsPass> {
  void runOnOperation() override {
    MLIRContext *context = &getContext();
    getOperation().walk([&](linalg::GenericOp generic) {
      if (generic.getNumReductionLoops() == 0)
        return;
      for (OpOperand &init : generic.getDpsInitsMutable())
        for (Operation *user :
             generic.getMatchingBlockArgument(&init).getUsers()) {
          auto fastMath = dyn_cast<arith::ArithFastMathInterface>(user);
          if (!fastMath || !combinesAccumulator(user))
            continue;
          user->setAttr(
              fastMath.getFastMathAttrName(),
              arith::FastMathFlagsAttr::get(
                  context, fastMath.getFastMathFlagsAttr().getValue() |
                               arith::FastMathFlags::reassoc));
        }
    });
  }
};

} // namespace

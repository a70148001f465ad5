//===- FastMath.cpp - fm-cpu-fast-math ------------------------------------===//
#include "codegen/cpu/CpuPasses.h"

#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace fm::cpu {
#define GEN_PASS_DEF_CPUFASTMATH
#include "codegen/cpu/CpuPasses.h.inc"
} // namespace fm::cpu

using namespace mlir;

namespace {

/// Below this, expf's result rounds to +0 (e^-104 is under half the
/// smallest f32 subnormal).
constexpr float kExpUnderflow = -104.0f;

/// exp(x) = x < -104 ? +0 : exp(x), where the call sees 0 instead of x
/// below the bound, so it never takes libm's underflow path (which sets
/// errno through a chain of calls). Bit for bit the same values.
void guardExpUnderflow(math::ExpOp exp) {
  OpBuilder b(exp);
  Location loc = exp.getLoc();
  Value x = exp.getOperand();
  Value zero = b.create<arith::ConstantOp>(loc, b.getF32FloatAttr(0.0f));
  Value bound =
      b.create<arith::ConstantOp>(loc, b.getF32FloatAttr(kExpUnderflow));
  Value underflows =
      b.create<arith::CmpFOp>(loc, arith::CmpFPredicate::OLT, x, bound);
  exp.getOperandMutable().assign(
      b.create<arith::SelectOp>(loc, underflows, zero, x));
  b.setInsertionPointAfter(exp);
  auto result = b.create<arith::SelectOp>(loc, underflows, zero, exp);
  exp.getResult().replaceAllUsesExcept(result, result);
}

struct CpuFastMathPass : fm::cpu::impl::CpuFastMathBase<CpuFastMathPass> {
  using CpuFastMathBase::CpuFastMathBase;

  void runOnOperation() override {
    // A walk, not a pattern: the guarded exp would match again.
    getOperation().walk([](math::ExpOp exp) {
      if (exp.getType().isF32())
        guardExpUnderflow(exp);
    });
    if (!approximateTanh)
      return;
    RewritePatternSet patterns(&getContext());
    populatePolynomialApproximateTanhPattern(patterns);
    if (failed(
            applyPatternsAndFoldGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace

//===- FastMath.cpp - fm-cpu-fast-math ------------------------------------===//
#include "codegen/cpu/CpuPasses.h"

#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <limits>

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

/// f32 exp as arithmetic that vectorizes: with k = round(x / ln 2) and
/// r = x - k ln 2 (|r| <= ln 2 / 2, Cody-Waite: ln 2 in a high part exact in
/// f32 and a low part), exp(x) = 2^k * p(r), p the degree-7 Taylor
/// polynomial (its truncation error is under 0.05 ulp there), evaluated
/// with FMAs. 2^k is applied in two halves so that subnormal results and
/// k = 128 stay representable. Specials: NaN stays NaN, above ln(FLT_MAX)
/// gives +inf, below -104 gives +0.
struct ApproximateExp : OpRewritePattern<math::ExpOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(math::ExpOp exp,
                                PatternRewriter &rewriter) const override {
    if (!exp.getType().isF32())
      return failure();
    Location loc = exp.getLoc();
    ImplicitLocOpBuilder b(loc, rewriter);
    auto constant = [&](float value) -> Value {
      return b.create<arith::ConstantOp>(b.getF32FloatAttr(value));
    };
    auto fma = [&](Value a, Value x, Value c) -> Value {
      return b.create<math::FmaOp>(a, x, c);
    };
    Value x = exp.getOperand();
    // Clamped so that k stays an i32 in [-151, 128]; the specials are
    // patched in at the end.
    Value clamped = b.create<arith::MinimumFOp>(
        b.create<arith::MaximumFOp>(x, constant(kExpUnderflow)),
        constant(88.8f));
    Value k = b.create<math::RoundEvenOp>(
        b.create<arith::MulFOp>(clamped, constant(1.44269504088896341f)));
    Value r = fma(k, constant(-0.693145751953125f), clamped);
    r = fma(k, constant(-1.428606765330187045e-06f), r);
    // Horner from 1/7! down to 1.
    const float coefficients[] = {1.0f / 5040, 1.0f / 720, 1.0f / 120,
                                  1.0f / 24,   1.0f / 6,   0.5f,
                                  1.0f,        1.0f};
    Value p = constant(coefficients[0]);
    for (float c : llvm::ArrayRef(coefficients).drop_front())
      p = fma(p, r, constant(c));
    // 2^h * 2^(k-h) with h = k / 2, each built from its exponent bits.
    Type i32 = b.getI32Type();
    Value ki = b.create<arith::FPToSIOp>(i32, k);
    Value half =
        b.create<arith::ShRSIOp>(ki, b.create<arith::ConstantIntOp>(1, i32));
    auto powerOfTwo = [&](Value exponent) -> Value {
      Value biased = b.create<arith::AddIOp>(
          exponent, b.create<arith::ConstantIntOp>(127, i32));
      return b.create<arith::BitcastOp>(
          b.getF32Type(), b.create<arith::ShLIOp>(
                              biased, b.create<arith::ConstantIntOp>(23, i32)));
    };
    Value result =
        b.create<arith::MulFOp>(b.create<arith::MulFOp>(p, powerOfTwo(half)),
                                powerOfTwo(b.create<arith::SubIOp>(ki, half)));
    auto select = [&](arith::CmpFPredicate predicate, float bound,
                      Value replacement, Value otherwise) -> Value {
      Value test = b.create<arith::CmpFOp>(predicate, x, constant(bound));
      return b.create<arith::SelectOp>(test, replacement, otherwise);
    };
    result = select(arith::CmpFPredicate::OGT, 88.72283935546875f,
                    constant(std::numeric_limits<float>::infinity()), result);
    result = select(arith::CmpFPredicate::OLT, kExpUnderflow, constant(0.0f),
                    result);
    result = select(arith::CmpFPredicate::UNO, 0.0f, x, result);
    rewriter.replaceOp(exp, result);
    return success();
  }
};

struct CpuFastMathPass : fm::cpu::impl::CpuFastMathBase<CpuFastMathPass> {
  using CpuFastMathBase::CpuFastMathBase;

  void runOnOperation() override {
    if (!approximate) {
      // A walk, not a pattern: the guarded exp would match again.
      getOperation().walk([](math::ExpOp exp) {
        if (exp.getType().isF32())
          guardExpUnderflow(exp);
      });
      return;
    }
    RewritePatternSet patterns(&getContext());
    patterns.add<ApproximateExp>(&getContext());
    populatePolynomialApproximateTanhPattern(patterns);
    if (failed(
            applyPatternsAndFoldGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace

//===- LowerToLinalg.cpp - fm-lower-to-linalg -----------------------------===//
#include "codegen/LoweringPatterns.h"
#include "codegen/Passes.h"
#include "ir/FmDialect.h"
#include "ir/FmOps.h"
#include "passes/Passes.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Transforms/DialectConversion.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace fm {
#define GEN_PASS_DEF_LOWERTOLINALG
#include "codegen/Passes.h.inc"
} // namespace fm

using namespace mlir;

namespace {
struct LowerToLinalgPass : fm::impl::LowerToLinalgBase<LowerToLinalgPass> {
  void runOnOperation() override {
    // Kernel-level grouping is a scheduling hint the loop lowering does not
    // use yet: lower the fused ops as if they were never grouped.
    fm::inlineFusions(getOperation());
    // Only on the adds: the greedy driver would also merge equal constants
    // elsewhere, which bufferization then copies.
    SmallVector<Operation *> adds;
    getOperation().walk([&](fm::AddOp add) { adds.push_back(add); });
    RewritePatternSet sums(&getContext());
    fm::populateSumOfPadsPatterns(sums);
    GreedyRewriteConfig onlyTheAdds;
    onlyTheAdds.strictMode = GreedyRewriteStrictness::ExistingOps;
    if (failed(applyOpPatternsAndFold(adds, std::move(sums), onlyTheAdds)))
      return signalPassFailure();
    ConversionTarget target(getContext());
    target.addIllegalDialect<fm::FmDialect>();
    target.addLegalDialect<
        arith::ArithDialect, bufferization::BufferizationDialect,
        func::FuncDialect, linalg::LinalgDialect, math::MathDialect,
        scf::SCFDialect, tensor::TensorDialect>();
    target.addLegalOp<ModuleOp>();
    RewritePatternSet patterns(&getContext());
    fm::populateElementwiseLoweringPatterns(patterns);
    fm::populateStructuredLoweringPatterns(patterns);
    fm::populateFp8LoweringPatterns(patterns);
    if (failed(applyPartialConversion(getOperation(), target,
                                      std::move(patterns))))
      signalPassFailure();
  }
};
} // namespace

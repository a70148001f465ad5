//===- FuseElementwise.cpp - fm-cpu-fuse-elementwise ----------------------===//
#include "codegen/cpu/CpuPasses.h"

#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace fm::cpu {
#define GEN_PASS_DEF_CPUFUSEELEMENTWISE
#include "codegen/cpu/CpuPasses.h.inc"
} // namespace fm::cpu

using namespace mlir;

namespace {

/// Whether `op`'s body reads its outputs' initial values (an accumulation
/// whose reduction dimensions are all of size one, e.g. a norm's bias
/// gradient without batch dimensions, is all-parallel). Fused into a
/// consumer with more loops, it would accumulate once per consumer
/// iteration: upstream's fusion does not check this (found by fmc fuzz).
bool readsItsOutputs(Operation *op) {
  auto linalgOp = dyn_cast_or_null<linalg::LinalgOp>(op);
  return linalgOp &&
         llvm::any_of(linalgOp.getDpsInitsMutable(), [&](OpOperand &init) {
           return linalgOp.payloadUsesValueFromOperand(&init);
         });
}

/// Whether `op` computes its values from their indices alone, with integer
/// and comparison arithmetic (iota, a causal mask): cheaper to recompute in
/// each consumer than to store and read back. Compiled code keeps booleans
/// in memory as one byte each, which LLVM gathers one at a time when it
/// vectorizes their reader: the causal-attention mask's select ran at two
/// cycles an element.
bool computesFromIndices(Operation *op) {
  auto generic = dyn_cast_or_null<linalg::GenericOp>(op);
  if (!generic || generic.getNumDpsInputs() != 0 ||
      generic.getNumReductionLoops() != 0)
    return false;
  return llvm::all_of(
      generic.getBody()->without_terminator(), [](Operation &bodyOp) {
        return isa<linalg::IndexOp, arith::ConstantOp, arith::IndexCastOp,
                   arith::CmpIOp, arith::AddIOp, arith::SubIOp, arith::MulIOp,
                   arith::AndIOp, arith::OrIOp, arith::XOrIOp, arith::SelectOp>(
            bodyOp);
      });
}

struct CpuFuseElementwisePass
    : fm::cpu::impl::CpuFuseElementwiseBase<CpuFuseElementwisePass> {
  void runOnOperation() override {
    MLIRContext *context = &getContext();
    RewritePatternSet patterns(context);
    linalg::populateElementwiseOpsFusionPatterns(patterns, [](OpOperand *use) {
      Operation *producer = use->get().getDefiningOp();
      return producer &&
             (producer->hasOneUse() || computesFromIndices(producer)) &&
             !fm::cpu::isMultiplyAccumulate(producer) &&
             !readsItsOutputs(producer) &&
             !fm::cpu::isMultiplyAccumulate(use->getOwner());
    });
    // Fusion leaves unused operands and results behind; these drop them.
    linalg::GenericOp::getCanonicalizationPatterns(patterns, context);
    tensor::EmptyOp::getCanonicalizationPatterns(patterns, context);
    if (failed(
            applyPatternsAndFoldGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace

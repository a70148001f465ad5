//===- FuseElementwise.cpp - fm-cpu-fuse-elementwise ----------------------===//
#include "codegen/cpu/CpuPasses.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
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

/// What every fusion here requires besides upstream's own legality check:
/// contractions stay whole for fm-cpu-matmul-to-runtime, and a producer
/// that accumulates into its outputs is not repeated per consumer iteration.
bool mayFuse(OpOperand *use) {
  Operation *producer = use->get().getDefiningOp();
  return producer && !fm::cpu::isMultiplyAccumulate(producer) &&
         !readsItsOutputs(producer) &&
         !fm::cpu::isMultiplyAccumulate(use->getOwner());
}

/// Whether the value `use` reads is returned by every other user: it is
/// stored as a result anyway (an updated optimizer moment or parameter).
/// Its user must be all-parallel over the producer's own iteration space,
/// so that a fused nest writes each element of that result exactly once,
/// and `use` must be the user's only operand from the producer, whose other
/// results, if any, are only returned too: the fused nest takes the place
/// of both ops, so nothing else may read the producer's results (nor the
/// user's other operands, which would then read the fused nest itself).
/// All of them share a block: a user in a loop would compute the value
/// once per iteration, and the return would not see it.
bool isAlsoReturned(OpOperand *use) {
  auto consumer = dyn_cast<linalg::GenericOp>(use->getOwner());
  Operation *producer = use->get().getDefiningOp();
  if (!consumer || !producer || consumer.getNumReductionLoops() != 0 ||
      producer->getBlock() != consumer->getBlock() ||
      !consumer.getMatchingIndexingMap(use).isPermutation())
    return false;
  for (OpOperand &operand : consumer->getOpOperands())
    if (&operand != use && operand.get().getDefiningOp() == producer)
      return false;
  return llvm::all_of(producer->getUsers(), [&](Operation *user) {
    return user == consumer || (isa<func::ReturnOp>(user) &&
                                user->getBlock() == consumer->getBlock());
  });
}

/// Fuses a producer whose value is also returned into its one computing
/// user, and the fused nest writes that value as a result of its own.
/// Upstream's pattern would recompute the producer in the user and keep it
/// as a loop of its own for the return, one pass more instead of one less.
/// AdamW's moments fuse this way into the parameter update: one pass reads
/// p, g, m and v and writes p, m and v, where four made and reread a
/// clipped gradient and both moments.
struct FuseAlsoReturnedProducer : OpRewritePattern<linalg::GenericOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(linalg::GenericOp consumer,
                                PatternRewriter &rewriter) const override {
    for (OpOperand &use : consumer->getOpOperands()) {
      // A producer used once is upstream's pattern's.
      Operation *producer = use.get().getDefiningOp();
      if (!producer || producer->hasOneUse() ||
          !linalg::areElementwiseOpsFusable(&use) || !mayFuse(&use) ||
          !isAlsoReturned(&use))
        continue;
      // Every returned result must come out of the fused nest, or the
      // producer could not be erased.
      auto generic = cast<linalg::GenericOp>(producer);
      llvm::SmallDenseSet<int> kept =
          linalg::ElementwiseOpFusionResult::getPreservedProducerResults(
              generic, consumer);
      if (llvm::any_of(producer->getResults(), [&](OpResult result) {
            return !kept.contains(result.getResultNumber()) &&
                   llvm::any_of(result.getUsers(), [&](Operation *user) {
                     return user != consumer;
                   });
          }))
        continue;
      FailureOr<linalg::ElementwiseOpFusionResult> fused =
          linalg::fuseElementwiseOps(rewriter, &use);
      if (failed(fused))
        return rewriter.notifyMatchFailure(consumer, "fusion failed");
      // The replacements cover the consumer's results and the producer's
      // returned one, so both ops are left without users.
      for (auto [original, replacement] : fused->replacements)
        rewriter.replaceAllUsesWith(original, replacement);
      rewriter.eraseOp(consumer);
      rewriter.eraseOp(producer);
      return success();
    }
    return rewriter.notifyMatchFailure(consumer, "no returned producer");
  }
};

struct CpuFuseElementwisePass
    : fm::cpu::impl::CpuFuseElementwiseBase<CpuFuseElementwisePass> {
  void runOnOperation() override {
    MLIRContext *context = &getContext();
    RewritePatternSet patterns(context);
    linalg::populateElementwiseOpsFusionPatterns(patterns, [](OpOperand *use) {
      Operation *producer = use->get().getDefiningOp();
      return producer &&
             (producer->hasOneUse() || computesFromIndices(producer)) &&
             mayFuse(use);
    });
    patterns.add<FuseAlsoReturnedProducer>(context);
    // Fusion leaves unused operands and results behind; these drop them.
    linalg::GenericOp::getCanonicalizationPatterns(patterns, context);
    tensor::EmptyOp::getCanonicalizationPatterns(patterns, context);
    if (failed(
            applyPatternsAndFoldGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace

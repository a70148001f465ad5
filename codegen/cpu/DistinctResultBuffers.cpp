//===- DistinctResultBuffers.cpp - fm-cpu-distinct-result-buffers ---------===//
#include "codegen/cpu/CpuPasses.h"

#include "llvm/ADT/SmallPtrSet.h"

namespace fm::cpu {
#define GEN_PASS_DEF_CPUDISTINCTRESULTBUFFERS
#include "codegen/cpu/CpuPasses.h.inc"
} // namespace fm::cpu

using namespace mlir;

namespace {
struct CpuDistinctResultBuffersPass
    : fm::cpu::impl::CpuDistinctResultBuffersBase<
          CpuDistinctResultBuffersPass> {
  void runOnOperation() override {
    getOperation().walk([](func::ReturnOp ret) {
      OpBuilder builder(ret);
      llvm::SmallPtrSet<Value, 8> returned;
      for (OpOperand &operand : ret->getOpOperands()) {
        Value value = operand.get();
        auto type = dyn_cast<MemRefType>(value.getType());
        if (!type || (value.getDefiningOp<memref::AllocOp>() &&
                      returned.insert(value).second))
          continue;
        Value copy = builder.create<memref::AllocOp>(ret.getLoc(), type);
        builder.create<memref::CopyOp>(ret.getLoc(), value, copy);
        operand.set(copy);
      }
    });
  }
};
} // namespace

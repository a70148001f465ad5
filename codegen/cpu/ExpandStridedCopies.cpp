//===- ExpandStridedCopies.cpp - fm-cpu-expand-strided-copies -------------===//
#include "codegen/cpu/CpuPasses.h"

#include "mlir/Dialect/MemRef/Utils/MemRefUtils.h"

namespace fm::cpu {
#define GEN_PASS_DEF_CPUEXPANDSTRIDEDCOPIES
#include "codegen/cpu/CpuPasses.h.inc"
} // namespace fm::cpu

using namespace mlir;

namespace {
/// The condition under which finalize-memref-to-llvm emits memcpy (it
/// hands empty strided memrefs to the C runner utilities too).
bool isContiguous(Value value) {
  auto type = cast<MemRefType>(value.getType());
  return type.getLayout().isIdentity() ||
         (type.hasStaticShape() && type.getNumElements() > 0 &&
          memref::isStaticShapeAndContiguousRowMajor(type));
}

struct CpuExpandStridedCopiesPass
    : fm::cpu::impl::CpuExpandStridedCopiesBase<CpuExpandStridedCopiesPass> {
  void runOnOperation() override {
    getOperation().walk([](memref::CopyOp copy) {
      if (isContiguous(copy.getSource()) && isContiguous(copy.getTarget()))
        return;
      OpBuilder builder(copy);
      builder.create<linalg::CopyOp>(copy.getLoc(), copy.getSource(),
                                     copy.getTarget());
      copy.erase();
    });
  }
};
} // namespace

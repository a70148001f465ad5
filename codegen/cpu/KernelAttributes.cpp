//===- KernelAttributes.cpp - fm-cpu-kernel-attributes --------------------===//
#include "codegen/cpu/CpuPasses.h"

namespace fm::cpu {
#define GEN_PASS_DEF_CPUKERNELATTRIBUTES
#include "codegen/cpu/CpuPasses.h.inc"
} // namespace fm::cpu

using namespace mlir;

namespace {
struct CpuKernelAttributesPass
    : fm::cpu::impl::CpuKernelAttributesBase<CpuKernelAttributesPass> {
  void runOnOperation() override {
    UnitAttr unit = UnitAttr::get(&getContext());
    for (auto function : getOperation().getOps<LLVM::LLVMFuncOp>()) {
      auto positions =
          function->getAttrOfType<DenseI64ArrayAttr>(fm::cpu::kNoAliasAttr);
      if (!positions)
        continue;
      for (int64_t position : positions.asArrayRef())
        function.setArgAttr(position, LLVM::LLVMDialect::getNoAliasAttrName(),
                            unit);
      function.setNoInline(true);
      function->removeAttr(fm::cpu::kNoAliasAttr);
    }
  }
};
} // namespace

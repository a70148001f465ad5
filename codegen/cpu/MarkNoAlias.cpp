//===- MarkNoAlias.cpp - fm-cpu-mark-noalias ------------------------------===//
#include "codegen/cpu/CpuPasses.h"

namespace fm::cpu {
#define GEN_PASS_DEF_CPUMARKNOALIAS
#include "codegen/cpu/CpuPasses.h.inc"
} // namespace fm::cpu

using namespace mlir;

namespace {
struct CpuMarkNoAliasPass
    : fm::cpu::impl::CpuMarkNoAliasBase<CpuMarkNoAliasPass> {
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
      function->removeAttr(fm::cpu::kNoAliasAttr);
    }
  }
};
} // namespace

//===- PrepareFunctions.cpp - fm-cpu-prepare-functions --------------------===//
#include "codegen/cpu/CpuPasses.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"

namespace fm::cpu {
#define GEN_PASS_DEF_CPUPREPAREFUNCTIONS
#include "codegen/cpu/CpuPasses.h.inc"
} // namespace fm::cpu

using namespace mlir;

namespace {
/// fm's argument and result attributes describe tensors, and the fm
/// dialect's verifier rejects them once bufferization makes them memrefs.
void dropFmAttributes(func::FuncOp function) {
  auto withoutFm = [](DictionaryAttr attrs) {
    SmallVector<NamedAttribute> kept;
    if (attrs)
      llvm::copy_if(attrs, std::back_inserter(kept), [](NamedAttribute attr) {
        return !attr.getName().getValue().starts_with("fm.");
      });
    return kept;
  };
  for (unsigned i = 0; i < function.getNumArguments(); ++i)
    function.setArgAttrs(i, withoutFm(function.getArgAttrDict(i)));
  for (unsigned i = 0; i < function.getNumResults(); ++i)
    function.setResultAttrs(i, withoutFm(function.getResultAttrDict(i)));
}

struct CpuPrepareFunctionsPass
    : fm::cpu::impl::CpuPrepareFunctionsBase<CpuPrepareFunctionsPass> {
  using CpuPrepareFunctionsBase::CpuPrepareFunctionsBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    for (const std::string &name : entries) {
      auto function = module.lookupSymbol<func::FuncOp>(name);
      if (!function || function.isPrivate() || function.isExternal()) {
        module.emitError() << "no public function @" << name << " to compile";
        return signalPassFailure();
      }
    }
    // No entry point reaches into a nested module (calls name flat
    // symbols), and its functions would keep fm's attributes through
    // bufferization: like every other unused function, it goes away.
    for (auto nested : llvm::make_early_inc_range(module.getOps<ModuleOp>()))
      nested.erase();
    Builder builder(&getContext());
    for (auto function : module.getOps<func::FuncOp>()) {
      dropFmAttributes(function);
      if (function.isPrivate() || function.isExternal())
        continue;
      if (!entries.empty() &&
          !llvm::is_contained(entries, function.getName())) {
        function.setPrivate();
        continue;
      }
      for (unsigned i = 0; i < function.getNumArguments(); ++i)
        function.setArgAttr(
            i, bufferization::BufferizationDialect::kWritableAttrName,
            builder.getBoolAttr(false));
      function->setAttr(LLVM::LLVMDialect::getEmitCWrapperAttrName(),
                        builder.getUnitAttr());
    }
  }
};
} // namespace

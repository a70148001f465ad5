//===- RuntimeAllocator.cpp - fm-cpu-runtime-allocator --------------------===//
#include "codegen/cpu/CpuPasses.h"

namespace fm::cpu {
#define GEN_PASS_DEF_CPURUNTIMEALLOCATOR
#include "codegen/cpu/CpuPasses.h.inc"
} // namespace fm::cpu

using namespace mlir;

namespace {
struct CpuRuntimeAllocatorPass
    : fm::cpu::impl::CpuRuntimeAllocatorBase<CpuRuntimeAllocatorPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    for (auto [libc, runtime] :
         {std::pair<StringRef, StringRef>{"malloc", "fmrt_alloc"},
          std::pair<StringRef, StringRef>{"free", "fmrt_free"}}) {
      auto declaration = module.lookupSymbol<LLVM::LLVMFuncOp>(libc);
      if (!declaration || !declaration.isExternal())
        continue;
      if (module.lookupSymbol(runtime)) {
        declaration.emitError() << "cannot rename @" << libc << " to @"
                                << runtime << ": the name is taken";
        return signalPassFailure();
      }
      if (failed(SymbolTable::replaceAllSymbolUses(
              declaration, StringAttr::get(&getContext(), runtime), module)))
        return signalPassFailure();
      declaration.setSymName(runtime);
    }
  }
};
} // namespace

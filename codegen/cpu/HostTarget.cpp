//===- HostTarget.cpp - LLVM code generation for the host CPU -------------===//
#include "codegen/cpu/HostTarget.h"
#include "codegen/cpu/CpuPasses.h"

#include "mlir/ExecutionEngine/OptUtils.h"

#include "llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Transforms/IPO/Internalize.h"

#include <mutex>

namespace fm::cpu {

llvm::Expected<std::unique_ptr<llvm::TargetMachine>> createHostTargetMachine() {
  static std::once_flag initialized;
  std::call_once(initialized, [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
  });
  // detectHost fills in the process triple and the host's CPU and features.
  llvm::Expected<llvm::orc::JITTargetMachineBuilder> builder =
      llvm::orc::JITTargetMachineBuilder::detectHost();
  if (!builder)
    return builder.takeError();
  builder->setCodeGenOptLevel(llvm::CodeGenOptLevel::Aggressive);
  builder->setRelocationModel(llvm::Reloc::PIC_);
  return builder->createTargetMachine();
}

llvm::Error optimizeModule(llvm::Module &module, llvm::TargetMachine &target,
                           llvm::ArrayRef<llvm::StringRef> keep) {
  module.setTargetTriple(target.getTargetTriple().str());
  module.setDataLayout(target.createDataLayout());
  llvm::internalizeModule(module, [&](const llvm::GlobalValue &value) {
    return value.getName().starts_with(kEntryPrefix) ||
           llvm::is_contained(keep, value.getName());
  });
  return mlir::makeOptimizingTransformer(/*optLevel=*/3, /*sizeLevel=*/0,
                                         &target)(&module);
}

} // namespace fm::cpu

//===- EntryPoints.cpp - fm-cpu-entry-points ------------------------------===//
#include "codegen/cpu/CpuPasses.h"

namespace fm::cpu {
#define GEN_PASS_DEF_CPUENTRYPOINTS
#include "codegen/cpu/CpuPasses.h.inc"
} // namespace fm::cpu

using namespace mlir;

namespace {
struct CpuEntryPointsPass
    : fm::cpu::impl::CpuEntryPointsBase<CpuEntryPointsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<LLVM::LLVMFuncOp> functions;
    for (auto function : module.getOps<LLVM::LLVMFuncOp>())
      if (function->hasAttr(LLVM::LLVMDialect::getEmitCWrapperAttrName()) &&
          !function.isExternal() &&
          !function.getName().starts_with(kInterfacePrefix))
        functions.push_back(function);
    for (LLVM::LLVMFuncOp function : functions)
      if (failed(addEntryPoint(module, function)))
        return signalPassFailure();
  }

private:
  static constexpr llvm::StringLiteral kInterfacePrefix = "_mlir_ciface_";

  LogicalResult addEntryPoint(ModuleOp module, LLVM::LLVMFuncOp function) {
    std::string interfaceName = (kInterfacePrefix + function.getName()).str();
    std::string entryName = (fm::cpu::kEntryPrefix + function.getName()).str();
    auto interface = module.lookupSymbol<LLVM::LLVMFuncOp>(interfaceName);
    if (!interface)
      return function.emitError() << "no C interface @" << interfaceName;
    if (module.lookupSymbol(entryName))
      return function.emitError() << "@" << entryName << " already exists";
    // The out-parameter calling convention leaves only memref descriptors,
    // which the C interface passes by pointer.
    MLIRContext *context = &getContext();
    auto ptrType = LLVM::LLVMPointerType::get(context);
    LLVM::LLVMFunctionType interfaceType = interface.getFunctionType();
    if (!isa<LLVM::LLVMVoidType>(interfaceType.getReturnType()) ||
        llvm::any_of(interfaceType.getParams(),
                     [&](Type type) { return type != ptrType; }))
      return function.emitError()
             << "cannot export @" << function.getName()
             << ": an entry point takes only tensors and returns its results "
                "through out-parameters";

    Location loc = function.getLoc();
    auto builder = OpBuilder::atBlockEnd(module.getBody());
    auto entry = builder.create<LLVM::LLVMFuncOp>(
        loc, entryName,
        LLVM::LLVMFunctionType::get(LLVM::LLVMVoidType::get(context),
                                    {ptrType}));
    Block *body = entry.addEntryBlock(builder);
    builder.setInsertionPointToStart(body);
    SmallVector<Value> descriptors;
    for (unsigned i = 0; i < interfaceType.getNumParams(); ++i) {
      Value slot = builder.create<LLVM::GEPOp>(
          loc, ptrType, ptrType, body->getArgument(0),
          ArrayRef<LLVM::GEPArg>{static_cast<int32_t>(i)});
      descriptors.push_back(builder.create<LLVM::LoadOp>(loc, ptrType, slot));
    }
    builder.create<LLVM::CallOp>(loc, interface, descriptors);
    builder.create<LLVM::ReturnOp>(loc, ValueRange());
    return success();
  }
};
} // namespace

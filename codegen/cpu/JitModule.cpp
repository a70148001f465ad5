//===- JitModule.cpp - fm functions compiled in memory --------------------===//
#include "codegen/cpu/JitModule.h"
#include "codegen/cpu/CpuPasses.h"
#include "codegen/cpu/HostTarget.h"

#include "fmrt/fmrt.h"

#include "mlir/IR/Diagnostics.h"

#include "llvm/ExecutionEngine/Orc/Mangling.h"

using namespace mlir;

namespace fm::cpu {

namespace {

/// libfmrt's functions that generated code calls, bound to the copies
/// linked into this process whether or not they are exported dynamically.
llvm::orc::SymbolMap runtimeSymbols(llvm::orc::MangleAndInterner mangle) {
  llvm::orc::SymbolMap symbols;
  auto bind = [&](llvm::StringRef name, auto *function) {
    symbols[mangle(name)] = {llvm::orc::ExecutorAddr::fromPtr(function),
                             llvm::JITSymbolFlags::Exported};
  };
  bind("fmrt_alloc", &fmrt_alloc);
  bind("fmrt_free", &fmrt_free);
  bind("fmrt_matmul_f32", &fmrt_matmul_f32);
  bind("fmrt_matmul_bias_f32", &fmrt_matmul_bias_f32);
  bind("fmrt_parallel_for", &fmrt_parallel_for);
  return symbols;
}

} // namespace

JitModule::JitModule(std::unique_ptr<ExecutionEngine> engine,
                     std::vector<FunctionSignature> signatures,
                     std::vector<fmrt::EntryFunction> entries, Location loc)
    : engine(std::move(engine)), signatures(std::move(signatures)),
      entries(std::move(entries)), loc(loc) {}

FailureOr<std::unique_ptr<JitModule>>
JitModule::compile(ModuleOp module, const CpuPipelineOptions &options,
                   LoweringReport *report) {
  FailureOr<std::vector<FunctionSignature>> signatures =
      describeEntryFunctions(module, options.entries);
  if (failed(signatures))
    return failure();
  OwningOpRef<ModuleOp> lowered = module.clone();
  if (failed(lowerToLLVMDialect(*lowered, options, report)))
    return failure();
  return compileLowered(std::move(lowered), std::move(*signatures), report);
}

FailureOr<std::unique_ptr<JitModule>>
JitModule::compileLowered(OwningOpRef<ModuleOp> lowered,
                          std::vector<FunctionSignature> signatures,
                          LoweringReport *report) {
  ModuleOp module = *lowered;
  llvm::Expected<std::unique_ptr<llvm::TargetMachine>> target =
      createHostTargetMachine();
  if (!target)
    return emitError(module.getLoc()) << "cannot target the host CPU: "
                                      << llvm::toString(target.takeError());
  auto optimize = [&](llvm::Module *llvmModule) {
    return optimizeModule(*llvmModule, **target);
  };
  ExecutionEngineOptions engineOptions;
  engineOptions.transformer = optimize;
  engineOptions.jitCodeGenOptLevel = llvm::CodeGenOptLevel::Aggressive;
  std::vector<PassTiming> *timings = report ? &report->passes : nullptr;
  auto engine = timeStep(timings, "llvm-translate-and-O3", [&] {
    return ExecutionEngine::create(*lowered, engineOptions);
  });
  if (!engine)
    return emitError(module.getLoc())
           << "JIT compilation failed: " << llvm::toString(engine.takeError());
  (*engine)->registerSymbols(runtimeSymbols);

  // Looking up the first entry point generates the machine code.
  std::vector<fmrt::EntryFunction> entries;
  for (const FunctionSignature &signature : signatures) {
    std::string symbol = (kEntryPrefix + signature.name).str();
    auto address = timeStep(timings, "llvm-codegen",
                            [&] { return (*engine)->lookup(symbol); });
    if (!address)
      return emitError(signature.loc)
             << "JIT compilation of @" << signature.name
             << " failed: " << llvm::toString(address.takeError());
    entries.push_back(reinterpret_cast<fmrt::EntryFunction>(*address));
  }
  return std::unique_ptr<JitModule>(
      new JitModule(std::move(*engine), std::move(signatures),
                    std::move(entries), module.getLoc()));
}

const FunctionSignature *JitModule::getSignature(llvm::StringRef name) const {
  for (const FunctionSignature &signature : signatures)
    if (signature.name == name)
      return &signature;
  emitError(loc) << "@" << name << " was not compiled";
  return nullptr;
}

fmrt::EntryFunction
JitModule::getEntry(const FunctionSignature &function) const {
  return entries[&function - signatures.data()];
}

FailureOr<std::vector<fmrt::Tensor>>
JitModule::run(llvm::StringRef name,
               llvm::ArrayRef<fmrt::Tensor> inputs) const {
  std::vector<fmrt::Tensor> results;
  if (failed(run(name, inputs, results)))
    return failure();
  return results;
}

LogicalResult JitModule::run(llvm::StringRef name,
                             llvm::ArrayRef<fmrt::Tensor> inputs,
                             std::vector<fmrt::Tensor> &results) const {
  const FunctionSignature *signature = getSignature(name);
  if (!signature || failed(checkInputs(*signature, inputs)))
    return failure();
  results.resize(signature->results.size());
  for (auto [result, spec] : llvm::zip(results, signature->results))
    if (!result.data() || result.dtype() != spec.dtype ||
        result.shape() != spec.shape)
      result = fmrt::Tensor(spec.dtype, spec.shape);
  std::vector<const fmrt::Tensor *> inputPointers;
  for (const fmrt::Tensor &input : inputs)
    inputPointers.push_back(&input);
  std::vector<fmrt::Tensor *> outputPointers;
  for (fmrt::Tensor &result : results)
    outputPointers.push_back(&result);
  fmrt::callEntry(getEntry(*signature), inputPointers, outputPointers);
  return success();
}

} // namespace fm::cpu

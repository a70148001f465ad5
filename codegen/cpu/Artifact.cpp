//===- Artifact.cpp - fm programs compiled into a shared library ----------===//
#include "codegen/cpu/Artifact.h"
#include "codegen/cpu/CpuPasses.h"
#include "codegen/cpu/HostTarget.h"

#include "ir/FmOps.h"
#include "passes/Passes.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/Target/LLVMIR/Export.h"

#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FileUtilities.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Program.h"

using namespace mlir;

namespace fm::cpu {

namespace {

constexpr llvm::StringLiteral kManifestFunction = "fmc_artifact_manifest";

std::vector<std::pair<std::string, int64_t>>
readMemoryPlan(func::FuncOp function) {
  std::vector<std::pair<std::string, int64_t>> plan;
  if (auto summary = function->getAttrOfType<DictionaryAttr>("fm.memory_plan"))
    for (NamedAttribute entry : summary)
      if (auto bytes = dyn_cast<IntegerAttr>(entry.getValue()))
        plan.push_back({entry.getName().str(), bytes.getInt()});
  return plan;
}

int64_t planValue(llvm::ArrayRef<std::pair<std::string, int64_t>> plan,
                  llvm::StringRef key) {
  for (const auto &[name, bytes] : plan)
    if (name == key)
      return bytes;
  return 0;
}

llvm::json::Value describeTensor(const TensorSpec &spec, bool isArgument) {
  llvm::json::Object object{
      {"name", spec.name},
      {"dtype", llvm::StringRef(fmrt::dtypeName(spec.dtype))},
      {"shape", llvm::json::Array(spec.shape)}};
  if (isArgument)
    object["role"] = spec.role;
  else
    object["feeds"] = spec.feeds;
  return llvm::json::Value(std::move(object));
}

/// docs/artifact.md. The artifact has one memory plan: that of its
/// function with the highest peak (the training step, in practice).
std::string buildManifest(const std::vector<FunctionSignature> &functions,
                          const CompileReport &report,
                          const llvm::TargetMachine &target,
                          llvm::StringRef fmcVersion) {
  llvm::json::Array functionsJson;
  for (const FunctionSignature &function : functions) {
    llvm::json::Array args, results;
    for (const TensorSpec &arg : function.args)
      args.push_back(describeTensor(arg, /*isArgument=*/true));
    for (const TensorSpec &result : function.results)
      results.push_back(describeTensor(result, /*isArgument=*/false));
    functionsJson.push_back(
        llvm::json::Object{{"name", function.name},
                           {"symbol", (kEntryPrefix + function.name).str()},
                           {"args", std::move(args)},
                           {"results", std::move(results)}});
  }
  llvm::json::Object manifest{
      {"format", "fmc-artifact"},
      {"version", kArtifactVersion},
      {"fmc_version", fmcVersion},
      {"target",
       llvm::json::Object{{"triple", target.getTargetTriple().str()},
                          {"cpu", target.getTargetCPU()},
                          {"features", target.getTargetFeatureString()}}},
      {"functions", std::move(functionsJson)}};
  const std::vector<std::pair<std::string, int64_t>> *largest = nullptr;
  for (const auto &plan : report.memoryPlans)
    if (!plan.empty() &&
        (!largest || planValue(plan, "peak") > planValue(*largest, "peak")))
      largest = &plan;
  if (largest) {
    llvm::json::Object plan;
    for (const auto &[key, bytes] : *largest)
      plan[key] = bytes;
    manifest["memory_plan"] = std::move(plan);
  }
  return llvm::formatv("{0}", llvm::json::Value(std::move(manifest))).str();
}

/// Adds `const char *fmc_artifact_manifest(void)` returning `manifest`.
void embedManifest(llvm::Module &module, llvm::StringRef manifest) {
  llvm::LLVMContext &context = module.getContext();
  llvm::Constant *text = llvm::ConstantDataArray::getString(context, manifest);
  auto *global = new llvm::GlobalVariable(
      module, text->getType(), /*isConstant=*/true,
      llvm::GlobalValue::PrivateLinkage, text, "fmc_manifest_text");
  auto *function = llvm::Function::Create(
      llvm::FunctionType::get(llvm::PointerType::get(context, 0), false),
      llvm::GlobalValue::ExternalLinkage, kManifestFunction, module);
  llvm::IRBuilder<> builder(
      llvm::BasicBlock::Create(context, "entry", function));
  builder.CreateRet(global);
}

LogicalResult emitObject(llvm::Module &module, llvm::TargetMachine &target,
                         llvm::StringRef path, Location loc) {
  std::error_code error;
  llvm::raw_fd_ostream os(path, error);
  if (error)
    return emitError(loc) << "cannot write '" << path
                          << "': " << error.message();
  llvm::legacy::PassManager codegen;
  if (target.addPassesToEmitFile(codegen, os, nullptr,
                                 llvm::CodeGenFileType::ObjectFile))
    return emitError(loc) << "LLVM cannot emit object code for "
                          << target.getTargetTriple().str();
  codegen.run(module);
  return success();
}

/// Links `object` into the shared library `output` with ld.lld. References
/// to libfmrt, libm and libc stay undefined: they resolve against the
/// process that loads the artifact (docs/artifact.md).
LogicalResult linkSharedLibrary(llvm::StringRef object, llvm::StringRef output,
                                Location loc) {
  llvm::StringRef linker = FMC_LLD_PATH;
  if (!llvm::sys::fs::can_execute(linker))
    return emitError(loc) << "cannot link the artifact: the linker '" << linker
                          << "' does not exist (install lld-19, or configure "
                             "fmc with the LLVM whose ld.lld to use)";
  llvm::SmallString<128> log;
  if (std::error_code error =
          llvm::sys::fs::createTemporaryFile("fmc-link", "log", log))
    return emitError(loc) << "cannot create a temporary file: "
                          << error.message();
  llvm::FileRemover removeLog(log);
  llvm::StringRef arguments[] = {linker, "-shared", "-o", output, object};
  std::optional<llvm::StringRef> redirects[] = {std::nullopt, log.str(),
                                                log.str()};
  std::string message;
  int status = llvm::sys::ExecuteAndWait(linker, arguments, std::nullopt,
                                         redirects, 0, 0, &message);
  if (status == 0)
    return success();
  llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> linkerOutput =
      llvm::MemoryBuffer::getFile(log);
  return emitError(loc) << "linking '" << output << "' failed"
                        << (message.empty() ? "" : ": ") << message
                        << (linkerOutput
                                ? "\n" + (*linkerOutput)->getBuffer().str()
                                : "");
}

} // namespace

LogicalResult compileArtifact(ModuleOp module, llvm::StringRef outputPath,
                              const ArtifactOptions &options,
                              CompileReport *report) {
  CompileReport local;
  CompileReport &out = report ? *report : local;
  std::vector<PassTiming> &timings = out.lowering.passes;
  OwningOpRef<ModuleOp> lowered = module.clone();

  PassManager planning(module.getContext());
  planning.addPass(createPlanMemory());
  if (failed(runTimed(planning, *lowered, &timings)))
    return failure();
  FailureOr<std::vector<FunctionSignature>> functions =
      describeEntryFunctions(*lowered, options.pipeline.entries);
  if (failed(functions))
    return failure();
  out.functions = *functions;
  for (const FunctionSignature &signature : out.functions) {
    auto function = lowered->lookupSymbol<func::FuncOp>(signature.name);
    int64_t fusions = 0;
    function.walk([&](FusionOp) { ++fusions; });
    out.fusionGroups.push_back(fusions);
    out.memoryPlans.push_back(readMemoryPlan(function));
  }
  if (failed(lowerToLLVMDialect(*lowered, options.pipeline, &out.lowering)))
    return failure();

  Location loc = module.getLoc();
  llvm::Expected<std::unique_ptr<llvm::TargetMachine>> target =
      createHostTargetMachine();
  if (!target)
    return emitError(loc) << "cannot target the host CPU: "
                          << llvm::toString(target.takeError());
  llvm::LLVMContext llvmContext;
  std::unique_ptr<llvm::Module> llvmModule =
      timeStep(&timings, "translate-to-llvm-ir", [&] {
        return translateModuleToLLVMIR(*lowered, llvmContext, "fmc-artifact");
      });
  if (!llvmModule)
    return emitError(loc) << "translation to LLVM IR failed";
  out.manifest =
      buildManifest(out.functions, out, **target, options.fmcVersion);
  embedManifest(*llvmModule, out.manifest);
  if (llvm::Error error = timeStep(&timings, "llvm-O3", [&] {
        return optimizeModule(*llvmModule, **target, {kManifestFunction});
      }))
    return emitError(loc) << "LLVM optimization failed: "
                          << llvm::toString(std::move(error));

  llvm::SmallString<128> object;
  if (std::error_code error =
          llvm::sys::fs::createTemporaryFile("fmc-artifact", "o", object))
    return emitError(loc) << "cannot create a temporary file: "
                          << error.message();
  llvm::FileRemover removeObject(object);
  if (failed(timeStep(&timings, "llvm-codegen", [&] {
        return emitObject(*llvmModule, **target, object, loc);
      })))
    return failure();
  return timeStep(&timings, "link",
                  [&] { return linkSharedLibrary(object, outputPath, loc); });
}

void printCompileReport(llvm::raw_ostream &os, const CompileReport &report) {
  double total = 0;
  for (const PassTiming &timing : report.lowering.passes)
    total += timing.seconds;
  os << "passes (" << llvm::format("%.3f", total) << " s):\n";
  for (const PassTiming &timing : report.lowering.passes)
    os << llvm::format("  %9.3f ms  ", timing.seconds * 1e3) << timing.pass
       << "\n";
  for (auto [index, function] : llvm::enumerate(report.functions)) {
    os << "function @" << function.name << ":\n";
    os << "  fusion groups: " << report.fusionGroups[index] << "\n";
    for (const KernelStats &stats : report.lowering.functions) {
      if (stats.function != function.name)
        continue;
      os << "  kernels:";
      for (const auto &[kind, count] : stats.kernels)
        os << " " << kind << " x" << count;
      os << "\n  FLOPs per call: " << stats.flops << "\n";
      os << "  temporary buffers: " << stats.allocations << ", "
         << stats.allocatedBytes << " bytes\n";
    }
    int64_t params = 0, state = 0, data = 0, results = 0;
    for (const TensorSpec &arg : function.args)
      (arg.role == "param"   ? params
       : arg.role == "state" ? state
                             : data) += arg.byteSize();
    for (const TensorSpec &result : function.results)
      results += result.byteSize();
    os << "  memory: params " << params << ", state " << state << ", data "
       << data << ", results " << results << " bytes\n";
    const auto &plan = report.memoryPlans[index];
    if (!plan.empty()) {
      os << "  memory plan (fm-plan-memory):";
      for (const auto &[key, bytes] : plan)
        os << " " << key << "=" << bytes;
      os << "\n";
    }
  }
}

} // namespace fm::cpu

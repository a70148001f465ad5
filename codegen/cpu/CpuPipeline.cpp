//===- CpuPipeline.cpp - fm to the LLVM dialect for the host CPU ----------===//
#include "codegen/cpu/CpuPipeline.h"
#include "codegen/Passes.h"
#include "codegen/cpu/CpuPasses.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Arith/Transforms/BufferDeallocationOpInterfaceImpl.h"
#include "mlir/Dialect/Arith/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/FuncBufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Bufferization/Transforms/OneShotAnalysis.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlow.h"
#include "mlir/Dialect/ControlFlow/Transforms/BufferDeallocationOpInterfaceImpl.h"
#include "mlir/Dialect/Func/Extensions/InlinerExtension.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/Linalg/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/MemRef/Transforms/AllocationOpInterfaceImpl.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/BufferDeallocationOpInterfaceImpl.h"
#include "mlir/Dialect/SCF/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Tensor/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Transforms/Passes.h"

#include "llvm/ADT/StringMap.h"

#include <chrono>
#include <map>
#include <mutex>

using namespace mlir;

namespace fm::cpu {

void registerCpuDialects(DialectRegistry &registry) {
  registry.insert<bufferization::BufferizationDialect, cf::ControlFlowDialect,
                  linalg::LinalgDialect, LLVM::LLVMDialect, math::MathDialect,
                  memref::MemRefDialect, scf::SCFDialect>();
  arith::registerBufferizableOpInterfaceExternalModels(registry);
  arith::registerBufferDeallocationOpInterfaceExternalModels(registry);
  bufferization::func_ext::registerBufferizableOpInterfaceExternalModels(
      registry);
  cf::registerBufferDeallocationOpInterfaceExternalModels(registry);
  func::registerInlinerExtension(registry);
  linalg::registerBufferizableOpInterfaceExternalModels(registry);
  memref::registerAllocationOpInterfaceExternalModels(registry);
  scf::registerBufferizableOpInterfaceExternalModels(registry);
  scf::registerBufferDeallocationOpInterfaceExternalModels(registry);
  tensor::registerBufferizableOpInterfaceExternalModels(registry);
  registerBuiltinDialectTranslation(registry);
  registerLLVMDialectTranslation(registry);
}

void buildBufferizePipeline(OpPassManager &pm,
                            const CpuPipelineOptions &options) {
  pm.addPass(createLowerToLinalg());
  CpuPrepareFunctionsOptions prepare;
  prepare.entries = options.entries;
  pm.addPass(createCpuPrepareFunctions(prepare));
  // Calls between fm functions (@train_step calls the gradient) are inlined
  // into their entry point; what no entry point uses goes away. The
  // canonicalizer runs right after, so the inliner does not also run it on
  // every callee.
  pm.addPass(
      createInlinerPass(/*opPipelines=*/{},
                        /*defaultPipelineBuilder=*/[](OpPassManager &) {}));
  pm.addPass(createSymbolDCEPass());
  // No CSE on tensors: merging two equal zero-filled accumulators makes
  // bufferization copy one of them, which hides the fill from
  // fm-cpu-matmul-to-runtime.
  pm.addPass(createCanonicalizerPass());
  // Only the runtime's GEMM takes a bias or packs strided operands; a
  // matmul lowered to loops would just sum in another order, or stride.
  if (options.runtimeMatmul) {
    pm.addPass(createCpuFoldMatmulBias());
    pm.addPass(createCpuFoldTransposes());
  }
  pm.addPass(createCpuFuseElementwise());

  bufferization::OneShotBufferizationOptions bufferize;
  bufferize.bufferizeFunctionBoundaries = true;
  // Entry points take plain, contiguous buffers (the entry ABI), and so do
  // all other buffers unless a view needs a layout.
  bufferize.setFunctionBoundaryTypeConversion(
      bufferization::LayoutMapOption::IdentityLayoutMap);
  bufferize.unknownTypeConverterFn =
      [](Value value, Attribute memorySpace,
         const bufferization::BufferizationOptions &) {
        return bufferization::getMemRefTypeWithStaticIdentityLayout(
            cast<TensorType>(value.getType()), memorySpace);
      };
  pm.addPass(bufferization::createOneShotBufferizePass(bufferize));
  pm.addNestedPass<func::FuncOp>(createCpuDistinctResultBuffers());
  bufferization::BufferResultsToOutParamsOpts outParams;
  outParams.hoistStaticAllocs = true;
  pm.addPass(bufferization::createBufferResultsToOutParamsPass(outParams));
  if (options.runtimeMatmul)
    pm.addPass(createCpuMatmulToRuntime());
  pm.addPass(createCSEPass());
  bufferization::buildBufferDeallocationPipeline(pm, {});
}

void buildBuffersToLLVMPipeline(OpPassManager &pm,
                                const CpuPipelineOptions &options) {
  pm.addNestedPass<func::FuncOp>(createCpuExpandStridedCopies());
  if (options.reassociate)
    pm.addNestedPass<func::FuncOp>(createCpuReassociateReductions());
  if (options.parallel) {
    pm.addNestedPass<func::FuncOp>(createConvertLinalgToParallelLoopsPass());
    pm.addPass(createCpuParallelize());
  } else {
    pm.addNestedPass<func::FuncOp>(createConvertLinalgToLoopsPass());
  }
  CpuFastMathOptions fastMath;
  fastMath.approximate = options.approximate;
  pm.addNestedPass<func::FuncOp>(createCpuFastMath(fastMath));
  pm.addPass(createLowerAffinePass());
  pm.addPass(createConvertSCFToCFPass());
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  pm.addPass(createConvertMathToLLVMPass());
  pm.addPass(createConvertMathToLibmPass());
  pm.addPass(createFinalizeMemRefToLLVMConversionPass());
  pm.addPass(createArithToLLVMConversionPass());
  pm.addPass(createConvertIndexToLLVMPass());
  pm.addPass(createConvertControlFlowToLLVMPass());
  pm.addPass(createConvertFuncToLLVMPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
  pm.addPass(createCpuKernelAttributes());
  pm.addPass(createCpuRuntimeAllocator());
  pm.addPass(createCpuEntryPoints());
}

namespace {

struct LowerPipelineOptions : PassPipelineOptions<LowerPipelineOptions> {
  ListOption<std::string> entries{
      *this, "entries",
      llvm::cl::desc("Functions to compile (default: every public one)")};
  Option<bool> runtimeMatmul{
      *this, "runtime-matmul",
      llvm::cl::desc("Call libfmrt's GEMM for f32 matrix products"),
      llvm::cl::init(true)};
  Option<bool> parallel{
      *this, "parallel",
      llvm::cl::desc("Split loop nests across libfmrt's thread pool"),
      llvm::cl::init(true)};
  Option<bool> approximate{
      *this, "approximate",
      llvm::cl::desc("Compute f32 exp and tanh with vectorizable "
                     "approximations (fm-cpu-fast-math) instead of libm"),
      llvm::cl::init(true)};
  Option<bool> reassociate{
      *this, "reassociate",
      llvm::cl::desc("Let LLVM reorder the accumulations of reductions "
                     "(fm-cpu-reassociate-reductions) instead of keeping the "
                     "interpreter's order"),
      llvm::cl::init(true)};
};

/// Sums the wall time of every pass by its name. Passes on nested
/// operations may run on several threads at once.
class PassTimer : public PassInstrumentation {
public:
  explicit PassTimer(std::vector<PassTiming> &timings) : timings(timings) {}

  void runBeforePass(Pass *pass, Operation *op) override {
    if (pass->getArgument().empty())
      return; // A pass manager adaptor: its passes are timed themselves.
    std::lock_guard<std::mutex> lock(mutex);
    started[{pass, op}] = Clock::now();
  }
  void runAfterPass(Pass *pass, Operation *op) override { stop(pass, op); }
  void runAfterPassFailed(Pass *pass, Operation *op) override {
    stop(pass, op);
  }

private:
  using Clock = std::chrono::steady_clock;

  void stop(Pass *pass, Operation *op) {
    std::lock_guard<std::mutex> lock(mutex);
    auto found = started.find({pass, op});
    if (found == started.end())
      return;
    double seconds =
        std::chrono::duration<double>(Clock::now() - found->second).count();
    started.erase(found);
    auto [slot, inserted] =
        positions.try_emplace(pass->getArgument(), timings.size());
    if (inserted)
      timings.push_back({pass->getArgument().str(), 0});
    timings[slot->second].seconds += seconds;
  }

  std::vector<PassTiming> &timings;
  std::mutex mutex;
  std::map<std::pair<Pass *, Operation *>, Clock::time_point> started;
  llvm::StringMap<size_t> positions;
};

/// The product of the trip counts of the loops around `op`.
int64_t enclosingTrips(Operation *op) {
  int64_t trips = 1;
  for (Operation *parent = op->getParentOp(); parent;
       parent = parent->getParentOp()) {
    if (auto loop = dyn_cast<scf::ForOp>(parent)) {
      trips *= constantTripCount(loop.getLowerBound(), loop.getUpperBound(),
                                 loop.getStep())
                   .value_or(1);
    } else if (auto loop = dyn_cast<scf::ParallelOp>(parent)) {
      for (auto [lower, upper, step] : llvm::zip(
               loop.getLowerBound(), loop.getUpperBound(), loop.getStep()))
        trips *= constantTripCount(lower, upper, step).value_or(1);
    }
  }
  return trips;
}

KernelStats countKernels(func::FuncOp function) {
  KernelStats stats;
  stats.function = function.getName().str();
  llvm::StringMap<size_t> positions;
  auto count = [&](StringRef kind, int64_t calls) {
    auto [slot, inserted] = positions.try_emplace(kind, stats.kernels.size());
    if (inserted)
      stats.kernels.push_back({kind.str(), 0});
    stats.kernels[slot->second].second += calls;
  };
  function.walk([&](Operation *op) {
    if (auto linalgOp = dyn_cast<linalg::LinalgOp>(op)) {
      count(op->getName().getStringRef(), 1);
      std::optional<SmallVector<int64_t, 4>> ranges =
          linalgOp.getStaticLoopRanges();
      int64_t iterations = 1;
      for (int64_t range : ranges ? *ranges : SmallVector<int64_t, 4>())
        iterations *= ShapedType::isDynamic(range) ? 1 : range;
      bool accumulatesProducts =
          linalgOp.getNumReductionLoops() > 0 &&
          llvm::any_of(
              linalgOp.getBlock()->getOperations(),
              [](Operation &nested) { return isa<arith::MulFOp>(nested); });
      stats.flops += iterations * (accumulatesProducts ? 2 : 1);
    } else if (auto call = dyn_cast<func::CallOp>(op)) {
      std::optional<GemmCallSizes> sizes = gemmCallSizes(call);
      if (!sizes)
        return;
      // 2·batch·m·n·k per call, plus batch·m·n for a bias.
      int64_t trips = enclosingTrips(op);
      count(call.getCallee(), trips);
      stats.flops +=
          trips * (2 * sizes->multiplyAdds() +
                   (sizes->withBias ? sizes->batch * sizes->m * sizes->n : 0));
    } else if (auto alloc = dyn_cast<memref::AllocOp>(op)) {
      MemRefType type = alloc.getType();
      if (!type.hasStaticShape())
        return;
      ++stats.allocations;
      stats.allocatedBytes +=
          type.getNumElements() *
          llvm::divideCeil(type.getElementTypeBitWidth(), 8);
    }
  });
  return stats;
}

} // namespace

void registerCpuPasses() {
  registerFmCpuPasses();
  // The upstream passes of the pipeline, so that fmc-opt can run it step by
  // step.
  bufferization::registerBufferizationPasses();
  registerConvertLinalgToLoopsPass();
  registerConvertLinalgToParallelLoopsPass();
  memref::registerExpandStridedMetadataPass();
  registerConversionPasses();
  bufferization::registerBufferizationPipelines();
  PassPipelineRegistration<LowerPipelineOptions>(
      "fm-cpu-lower",
      "Lower fm to the LLVM dialect for the host CPU, with fmc_entry_<F> "
      "entry points",
      [](OpPassManager &pm, const LowerPipelineOptions &registered) {
        CpuPipelineOptions options;
        options.entries.assign(registered.entries.begin(),
                               registered.entries.end());
        options.runtimeMatmul = registered.runtimeMatmul;
        options.parallel = registered.parallel;
        options.approximate = registered.approximate;
        options.reassociate = registered.reassociate;
        buildBufferizePipeline(pm, options);
        buildBuffersToLLVMPipeline(pm, options);
      });
}

LogicalResult runTimed(PassManager &pm, ModuleOp module,
                       std::vector<PassTiming> *timings) {
  if (timings)
    pm.addInstrumentation(std::make_unique<PassTimer>(*timings));
  return pm.run(module);
}

LogicalResult lowerToLLVMDialect(ModuleOp module,
                                 const CpuPipelineOptions &options,
                                 LoweringReport *report) {
  MLIRContext *context = module.getContext();
  DialectRegistry registry;
  registerCpuDialects(registry);
  context->appendDialectRegistry(registry);
  std::vector<PassTiming> *timings = report ? &report->passes : nullptr;
  // Without the verifier after each pass, each half is verified once.
  auto verified = [&](LogicalResult ran) {
    return success(succeeded(ran) &&
                   (options.verifyEachPass || succeeded(verify(module))));
  };
  PassManager toBuffers(context);
  toBuffers.enableVerifier(options.verifyEachPass);
  buildBufferizePipeline(toBuffers, options);
  if (failed(verified(runTimed(toBuffers, module, timings))))
    return failure();
  if (report)
    for (auto function : module.getOps<func::FuncOp>())
      if (!function.isExternal())
        report->functions.push_back(countKernels(function));
  PassManager toLLVM(context);
  toLLVM.enableVerifier(options.verifyEachPass);
  buildBuffersToLLVMPipeline(toLLVM, options);
  return verified(runTimed(toLLVM, module, timings));
}

} // namespace fm::cpu

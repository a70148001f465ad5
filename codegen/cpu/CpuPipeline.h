//===- CpuPipeline.h - fm to the LLVM dialect for the host CPU --*- C++ -*-===//
//
// The CPU backend's lowering: fm ops on tensors -> linalg on tensors ->
// one-shot bufferization with out-parameters -> libfmrt GEMM calls and scf
// loops -> the LLVM dialect, where every entry function F gets
// `void fmc_entry_F(void **args)` (runtime/include/fmrt/EntryAbi.h).
// JitModule (in-memory) and compileArtifact (a shared library) take it from
// there.
//
//===----------------------------------------------------------------------===//
#ifndef FM_CODEGEN_CPU_CPUPIPELINE_H
#define FM_CODEGEN_CPU_CPUPIPELINE_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Pass/PassManager.h"

#include <chrono>
#include <string>
#include <vector>

namespace fm::cpu {

struct CpuPipelineOptions {
  /// The public functions to compile (default: every public function).
  std::vector<std::string> entries;
  /// Hand f32 matrix products to libfmrt's GEMM rather than loops.
  bool runtimeMatmul = true;
  /// Run large loop nests on libfmrt's thread pool.
  bool parallel = true;
  /// Compute f32 exp and tanh with fm-cpu-fast-math's vectorizable
  /// approximations instead of libm.
  bool approximate = true;
  /// Let LLVM reorder (and so vectorize) the accumulations of reductions
  /// (fm-cpu-reassociate-reductions) instead of keeping the interpreter's
  /// order.
  bool reassociate = true;
  /// Verify the IR after every pass (the pass manager's default), or only
  /// after each half of the lowering: the fuzzer lowers hundreds of small
  /// programs a second, and the verifier takes nearly half of that time.
  bool verifyEachPass = true;
};

/// Registers the dialects, interface implementations and LLVM IR
/// translations the CPU pipeline needs.
void registerCpuDialects(mlir::DialectRegistry &registry);

/// Registers the fm-cpu-* passes, the upstream passes of the lowering, and
/// the `fm-cpu-lower` pipeline (the whole lowering, options `entries`,
/// `runtime-matmul`, `parallel`, `approximate` and `reassociate`).
void registerCpuPasses();

/// The first half of the lowering: fm on tensors to linalg on buffers, with
/// results as out-parameters, GEMMs as libfmrt calls and deallocations.
void buildBufferizePipeline(mlir::OpPassManager &pm,
                            const CpuPipelineOptions &options);
/// The second half: buffers to loops (split across threads) and the LLVM
/// dialect, with the fmc_entry_<F> entry points.
void buildBuffersToLLVMPipeline(mlir::OpPassManager &pm,
                                const CpuPipelineOptions &options);

/// Wall time spent in one pass, summed over the operations it ran on.
struct PassTiming {
  std::string pass;
  double seconds = 0;
};

/// Runs `step()`, appending its wall time to `timings` (when given) under
/// `name`: for the steps that are not MLIR passes.
template <typename Fn>
auto timeStep(std::vector<PassTiming> *timings, llvm::StringRef name, Fn step) {
  auto start = std::chrono::steady_clock::now();
  auto result = step();
  if (timings)
    timings->push_back(
        {name.str(),
         std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
             .count()});
  return result;
}

/// Runs `pm` on `module`; with `timings`, appends the time of each pass
/// (in the order they first ran; nested pass managers are looked through).
mlir::LogicalResult runTimed(mlir::PassManager &pm, mlir::ModuleOp module,
                             std::vector<PassTiming> *timings);

/// What one entry point became, counted between the two halves of the
/// lowering (on buffers, before loops).
struct KernelStats {
  std::string function;
  /// Loop nests by the linalg op they come from ("linalg.generic", ...),
  /// and "fmrt_matmul_f32" for library GEMMs (per call made).
  std::vector<std::pair<std::string, int64_t>> kernels;
  /// 2 per multiply-accumulate (2·M·N·K for a matrix product), 1 per
  /// element for every other loop nest.
  int64_t flops = 0;
  /// Bytes of temporary buffers the code allocates per call, each counted
  /// once (an upper bound: no reuse).
  int64_t allocatedBytes = 0;
  int64_t allocations = 0;
};

struct LoweringReport {
  std::vector<PassTiming> passes;
  std::vector<KernelStats> functions;
};

/// Lowers `module` in place from fm to the LLVM dialect. Errors, such as an
/// fm op without a lowering, are emitted as diagnostics at the op. With
/// `report`, records pass times and kernel statistics.
mlir::LogicalResult lowerToLLVMDialect(mlir::ModuleOp module,
                                       const CpuPipelineOptions &options = {},
                                       LoweringReport *report = nullptr);

} // namespace fm::cpu

#endif // FM_CODEGEN_CPU_CPUPIPELINE_H

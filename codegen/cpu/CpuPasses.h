//===- CpuPasses.h - fmc CPU backend passes ---------------------*- C++ -*-===//
#ifndef FM_CODEGEN_CPU_CPUPASSES_H
#define FM_CODEGEN_CPU_CPUPASSES_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

#include <optional>

namespace fm::cpu {

/// Innermost iterations below which a loop nest stays on the calling
/// thread: fm-cpu-parallelize's default min-work, which
/// fm-cpu-reassociate-reductions also uses to tell whether splitting a sum
/// would let the pool share it out.
inline constexpr int64_t kMinParallelWork = 32768;

#define GEN_PASS_DECL
#include "codegen/cpu/CpuPasses.h.inc"

#define GEN_PASS_REGISTRATION
#include "codegen/cpu/CpuPasses.h.inc"

/// Whether `op` is a linalg op with a reduction loop whose body computes
/// `acc + x * y` from its arguments (x, y, acc): a matrix product, batched,
/// transposed or not, as fm-cpu-matmul-to-runtime takes them. (MLIR 19's
/// isaContractionOpInterface crashes on bodies that yield an argument
/// through a cast.)
bool isMultiplyAccumulate(mlir::Operation *op);

/// Whether `op` is a linalg.fill with a float zero (+0 or -0): what a
/// product accumulates onto before the GEMM call takes it over.
bool isZeroFill(mlir::Operation *op);

/// The sizes of a call of libfmrt's GEMM (fm-cpu-matmul-to-runtime's),
/// from its constant operands; none for any other call.
struct GemmCallSizes {
  int64_t batch = 1, m = 1, n = 1, k = 1;
  bool withBias = false;
  /// batch * m * n * k.
  int64_t multiplyAdds() const { return batch * m * n * k; }
};
std::optional<GemmCallSizes> gemmCallSizes(mlir::func::CallOp call);

/// The prefix of the exported function that runs `F`: fmc_entry_F.
inline constexpr llvm::StringLiteral kEntryPrefix = "fmc_entry_";
/// libfmrt's GEMMs, which fm-cpu-matmul-to-runtime calls: without and
/// with a bias.
inline constexpr llvm::StringLiteral kMatmulFunction = "fmrt_matmul_f32";
inline constexpr llvm::StringLiteral kMatmulBiasFunction =
    "fmrt_matmul_bias_f32";
/// On a function: the positions of its LLVM arguments that
/// fm-cpu-kernel-attributes marks `llvm.noalias` once it is in the LLVM
/// dialect.
inline constexpr llvm::StringLiteral kNoAliasAttr = "fm_cpu.noalias_args";
/// libfmrt's thread pool loop, which fm-cpu-parallelize calls.
inline constexpr llvm::StringLiteral kParallelForFunction = "fmrt_parallel_for";

} // namespace fm::cpu

#endif // FM_CODEGEN_CPU_CPUPASSES_H

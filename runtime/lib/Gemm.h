//===- Gemm.h - libfmrt's own f32 GEMM kernel -------------------*- C++ -*-===//
//
// fmrt_matmul_f32 (Blas.cpp) runs its products on this kernel where the CPU
// has AVX-512, and on OpenBLAS elsewhere. Internal to libfmrt.
//
//===----------------------------------------------------------------------===//
#ifndef FMRT_LIB_GEMM_H
#define FMRT_LIB_GEMM_H

#include <cstdint>

namespace fmrt::gemm {

enum class Kernel { Avx512, OpenBlas };

/// The tile of C that avx512Product's micro-kernel computes at once: a
/// product split at multiples of it ends in partial tiles only at C's edge.
constexpr int64_t kTileRows = 12;
constexpr int64_t kTileColumns = 32;

/// The kernel fmrt_matmul_f32 runs its products on: libfmrt's own where the
/// CPU has AVX-512F, else OpenBLAS, unless FMRT_GEMM (auto, avx512 or
/// openblas) says otherwise. Chosen once per process.
Kernel selectedKernel();

/// Whether this CPU can run avx512Product.
bool avx512Available();

/// C (m x n) = op(A) (m x k) . op(B) (k x n), all row-major, overwriting C,
/// plus `bias` (n values, added to every row) when it is not null; op
/// transposes a stored k x m A (n x k B) when transA (transB). m, n and k
/// are positive. Single-threaded; call only where avx512Available().
///
/// A nonzero `product` says that the call computes some rows of a larger
/// product, with the same B, that this thread may compute more rows of in
/// later calls with the same `product`: B is then packed whole on the
/// thread's first such call and reused by the next (when
/// reusesPackedB(n, k)). Each product needs its own number.
void avx512Product(bool transA, bool transB, int64_t m, int64_t n, int64_t k,
                   const float *a, int64_t lda, const float *b, int64_t ldb,
                   const float *bias, float *c, int64_t ldc,
                   uint64_t product = 0);

/// Whether avx512Product keeps a k x n op(B) packed across the calls of a
/// product, rather than repacking it on each.
bool reusesPackedB(int64_t n, int64_t k);

} // namespace fmrt::gemm

#endif // FMRT_LIB_GEMM_H

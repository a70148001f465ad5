//===- Blas.cpp - GEMM for compiled code ----------------------------------===//
//
// fmrt_matmul_f32 and fmrt_matmul_bias_f32 (the same with a bias added to
// every row of C) run each matrix product single-threaded on one of two
// kernels: libfmrt's own (GemmAvx512.cpp) where the CPU has AVX-512, else
// OpenBLAS; FMRT_GEMM=openblas|avx512|auto overrides the choice, to compare
// them. libfmrt's pool shares the work out itself, over the batch when there
// are enough matrices, otherwise over blocks of rows (or columns) of C.
// With OpenBLAS's own threads as well, two pools competed for the cores,
// and OpenBLAS's idle threads spin on sched_yield for a while after each
// GEMM, which took a fifth of a GPT step's time on two cores. Debian's
// OpenBLAS 0.3.21 only has a process-wide thread count, so libfmrt sets it
// to 1 the first time it multiplies.
//
//===----------------------------------------------------------------------===//

#include "Gemm.h"
#include "fmrt/ThreadPool.h"
#include "fmrt/fmrt.h"

#include <cblas.h>

#include <algorithm>
#include <atomic>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>

using fmrt::gemm::Kernel;

namespace {

/// Products smaller than this (m * n * k) run on the calling thread: waking
/// the pool costs more than they do.
constexpr double kParallelWork = 64.0 * 64 * 64;
/// Rows and columns of C per parallel block: libfmrt's kernel tile, so that
/// only the last block ends in a partial tile, and small, so that the
/// threads' shares come out even (1024 rows split 516 / 508; in blocks of 48
/// they split 528 / 496).
constexpr int64_t kRowBlock = fmrt::gemm::kTileRows;
constexpr int64_t kColumnBlock = fmrt::gemm::kTileColumns;
/// The fewest blocks of a unit that the pool balances: each unit reads all
/// of the operand the units share (packed B, or A in place) from the caches
/// again, which thinner units do not repay (a GPT's 256 x 256 x 1024 weight
/// gradient ran at 303 GFLOP/s in units of 24 to 36 rows, 327 in one unit
/// per thread).
constexpr int64_t kMinRowBlocksPerUnit = 8;
constexpr int64_t kMinColumnBlocksPerUnit = 4;

Kernel chooseKernel() {
  const bool avx512 = fmrt::gemm::avx512Available();
  const char *forced = std::getenv("FMRT_GEMM");
  if (!forced || !*forced || std::strcmp(forced, "auto") == 0)
    return avx512 ? Kernel::Avx512 : Kernel::OpenBlas;
  if (std::strcmp(forced, "openblas") == 0)
    return Kernel::OpenBlas;
  if (std::strcmp(forced, "avx512") == 0) {
    if (avx512)
      return Kernel::Avx512;
    std::fprintf(stderr, "fmrt: FMRT_GEMM=avx512, but this CPU has no "
                         "AVX-512F; using OpenBLAS\n");
    return Kernel::OpenBlas;
  }
  std::fprintf(stderr,
               "fmrt: ignoring FMRT_GEMM=%s (expected auto, avx512 or "
               "openblas)\n",
               forced);
  return avx512 ? Kernel::Avx512 : Kernel::OpenBlas;
}

/// OpenBLAS takes 32-bit sizes; libfmrt's kernel would take larger ones,
/// but a product behaves the same on every CPU. fmrt_matmul_f32 has no way
/// to report an error, and a silently wrapped size would compute garbage.
blasint checkedSize(int64_t value, const char *name) {
  if (value < 0 || value > INT_MAX) {
    std::fprintf(stderr,
                 "fmrt_matmul_f32: %s = %lld is out of range (0 to %d)\n", name,
                 static_cast<long long>(value), INT_MAX);
    std::abort();
  }
  return static_cast<blasint>(value);
}

/// One row-major product: C (m x n) = op(A) op(B), plus `bias` (n values)
/// in every row when it is not null.
struct Gemm {
  Kernel kernel;
  bool transA, transB;
  blasint lda, ldb, ldc;

  /// `product` as avx512Product's.
  void operator()(int64_t m, int64_t n, int64_t k, const float *a,
                  const float *b, const float *bias, float *c,
                  uint64_t product = 0) const {
    if (kernel == Kernel::Avx512) {
      fmrt::gemm::avx512Product(transA, transB, m, n, k, a, lda, b, ldb, bias,
                                c, ldc, product);
      return;
    }
    // OpenBLAS adds the product to C holding the bias (beta = 1).
    if (bias)
      for (int64_t row = 0; row < m; ++row)
        std::memcpy(c + row * ldc, bias, n * sizeof(float));
    cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans,
                transB ? CblasTrans : CblasNoTrans, static_cast<blasint>(m),
                static_cast<blasint>(n), static_cast<blasint>(k), 1.0f, a, lda,
                b, ldb, bias ? 1.0f : 0.0f, c, ldc);
  }

  /// Rows [first, last) of C: rows of op(A), which are columns of a
  /// transposed A.
  void rows(int64_t first, int64_t last, int64_t n, int64_t k, const float *a,
            const float *b, const float *bias, float *c,
            uint64_t product) const {
    (*this)(last - first, n, k, a + (transA ? first : first * lda), b, bias,
            c + first * ldc, product);
  }

  /// Columns [first, last) of C: columns of op(B), which are rows of a
  /// transposed B.
  void columns(int64_t first, int64_t last, int64_t m, int64_t k,
               const float *a, const float *b, const float *bias,
               float *c) const {
    (*this)(m, last - first, k, a, b + (transB ? first * ldb : first),
            bias ? bias + first : nullptr, c + first);
  }
};

} // namespace

Kernel fmrt::gemm::selectedKernel() {
  static const Kernel kernel = chooseKernel();
  return kernel;
}

void fmrt_matmul_f32(int64_t batch, int64_t m, int64_t n, int64_t k,
                     const float *a, int64_t lda, int64_t strideA, bool transA,
                     const float *b, int64_t ldb, int64_t strideB, bool transB,
                     float *c, int64_t ldc, int64_t strideC) {
  fmrt_matmul_bias_f32(batch, m, n, k, a, lda, strideA, transA, b, ldb, strideB,
                       transB, nullptr, c, ldc, strideC);
}

void fmrt_matmul_bias_f32(int64_t batch, int64_t m, int64_t n, int64_t k,
                          const float *a, int64_t lda, int64_t strideA,
                          bool transA, const float *b, int64_t ldb,
                          int64_t strideB, bool transB, const float *bias,
                          float *c, int64_t ldc, int64_t strideC) {
  if (batch <= 0 || m <= 0 || n <= 0)
    return;
  if (k <= 0) {
    // An empty sum; cblas would also reject the zero leading dimensions
    // such operands may come with.
    for (int64_t i = 0; i < batch; ++i)
      for (int64_t row = 0; row < m; ++row) {
        float *target = c + i * strideC + row * ldc;
        if (bias)
          std::memcpy(target, bias, n * sizeof(float));
        else
          std::memset(target, 0, n * sizeof(float));
      }
    return;
  }
  checkedSize(m, "m");
  checkedSize(n, "n");
  checkedSize(k, "k");
  static std::once_flag singleThreaded;
  std::call_once(singleThreaded, [] { openblas_set_num_threads(1); });
  const Gemm gemm{fmrt::gemm::selectedKernel(),
                  transA,
                  transB,
                  checkedSize(lda, "lda"),
                  checkedSize(ldb, "ldb"),
                  checkedSize(ldc, "ldc")};

  fmrt::ThreadPool &pool = fmrt::ThreadPool::global();
  // In double: the product of three 31-bit sizes overflows int64_t.
  const double work = static_cast<double>(m) * n * k;
  if (pool.threads() == 1 || work * batch < kParallelWork) {
    for (int64_t i = 0; i < batch; ++i)
      gemm(m, n, k, a + i * strideA, b + i * strideB, bias, c + i * strideC);
  } else if (batch >= pool.threads()) {
    pool.parallelFor(0, batch, [&](int64_t first, int64_t last) {
      for (int64_t i = first; i < last; ++i)
        gemm(m, n, k, a + i * strideA, b + i * strideB, bias, c + i * strideC);
    });
  } else {
    // Few large matrices: split each along its longer side of C, in units
    // of a few blocks per thread that the pool balances as they run. Units
    // of rows share B, which libfmrt's kernel packs once per thread; units
    // of columns share A, which only a transposed A is read in place,
    // unpacked. Elsewhere (and on OpenBLAS, which packs on every call) each
    // thread takes one unit.
    static std::atomic<uint64_t> products{0};
    const bool byRows = m >= n;
    const bool balanced = gemm.kernel == Kernel::Avx512 &&
                          (byRows ? fmrt::gemm::reusesPackedB(n, k) : transA);
    const int64_t block = byRows ? kRowBlock : kColumnBlock;
    const int64_t size = byRows ? m : n;
    const int64_t blocks = (size + block - 1) / block;
    const int64_t unitsPerThread =
        balanced
            ? std::clamp<int64_t>(blocks / (pool.threads() *
                                            (byRows ? kMinRowBlocksPerUnit
                                                    : kMinColumnBlocksPerUnit)),
                                  1, fmrt::ThreadPool::kUnitsPerThread)
            : 1;
    for (int64_t i = 0; i < batch; ++i) {
      const float *ai = a + i * strideA, *bi = b + i * strideB;
      float *ci = c + i * strideC;
      const uint64_t product = byRows && balanced ? ++products : 0;
      pool.parallelFor(
          0, blocks,
          [&](int64_t first, int64_t last) {
            const int64_t end = std::min(size, last * block);
            if (byRows)
              gemm.rows(first * block, end, n, k, ai, bi, bias, ci, product);
            else
              gemm.columns(first * block, end, m, k, ai, bi, bias, ci);
          },
          static_cast<unsigned>(unitsPerThread));
    }
  }
}

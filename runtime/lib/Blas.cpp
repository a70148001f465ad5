//===- Blas.cpp - GEMM for compiled code ----------------------------------===//
//
// fmrt_matmul_f32 hands each matrix product to OpenBLAS. Batches are spread
// over fmrt's thread pool only when each product is small enough that
// OpenBLAS runs it on one thread (it does so up to m*n*k = 4 * 65536, its
// default GEMM_MULTITHREAD_THRESHOLD); larger products run one after another,
// each on OpenBLAS's own threads. So the two pools never compete for the
// cores, without touching OpenBLAS's process-wide thread count (Debian's
// OpenBLAS 0.3.21 has no per-thread setting).
//
//===----------------------------------------------------------------------===//

#include "fmrt/ThreadPool.h"
#include "fmrt/fmrt.h"

#include <cblas.h>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace {

constexpr int64_t kOpenBlasSingleThreadedWork = 4 * 65536;

/// OpenBLAS takes 32-bit sizes. fmrt_matmul_f32 has no way to report an
/// error, and a silently wrapped size would compute garbage.
blasint checkedSize(int64_t value, const char *name) {
  if (value < 0 || value > INT_MAX) {
    std::fprintf(stderr,
                 "fmrt_matmul_f32: %s = %lld is out of OpenBLAS's range\n",
                 name, static_cast<long long>(value));
    std::abort();
  }
  return static_cast<blasint>(value);
}

} // namespace

void fmrt_matmul_f32(int64_t batch, int64_t m, int64_t n, int64_t k,
                     const float *a, int64_t lda, int64_t strideA, bool transA,
                     const float *b, int64_t ldb, int64_t strideB, bool transB,
                     float *c, int64_t ldc, int64_t strideC) {
  if (batch <= 0 || m <= 0 || n <= 0)
    return;
  if (k <= 0) {
    // An empty sum; cblas would also reject the zero leading dimensions
    // such operands may come with.
    for (int64_t i = 0; i < batch; ++i)
      for (int64_t row = 0; row < m; ++row)
        std::memset(c + i * strideC + row * ldc, 0, n * sizeof(float));
    return;
  }
  const blasint rows = checkedSize(m, "m"), cols = checkedSize(n, "n"),
                depth = checkedSize(k, "k"),
                rowStrideA = checkedSize(lda, "lda"),
                rowStrideB = checkedSize(ldb, "ldb"),
                rowStrideC = checkedSize(ldc, "ldc");
  auto multiply = [&](int64_t first, int64_t last) {
    for (int64_t i = first; i < last; ++i)
      cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans,
                  transB ? CblasTrans : CblasNoTrans, rows, cols, depth, 1.0f,
                  a + i * strideA, rowStrideA, b + i * strideB, rowStrideB,
                  0.0f, c + i * strideC, rowStrideC);
  };
  // In double: the product of three 31-bit sizes overflows int64_t.
  const double work = static_cast<double>(m) * n * k;
  if (batch == 1 || work > kOpenBlasSingleThreadedWork)
    multiply(0, batch);
  else
    fmrt::ThreadPool::global().parallelFor(0, batch, multiply);
}

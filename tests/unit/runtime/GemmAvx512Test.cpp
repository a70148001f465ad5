//===- GemmAvx512Test.cpp - libfmrt's AVX-512 GEMM against a naive one ----===//
//
// fmrt_matmul_f32 (BlasTest) splits products across the pool into pieces
// smaller than the kernel's blocks; these call the kernel directly with
// shapes that cross every block boundary and every edge of its tiles.
//
//===----------------------------------------------------------------------===//

#include "Gemm.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

namespace {

struct Shape {
  int64_t m, n, k;
};

void expectMatchesNaive(Shape s, bool transA, bool transB, int64_t pad,
                        bool withBias = false) {
  SCOPED_TRACE(::testing::Message()
               << "m " << s.m << " n " << s.n << " k " << s.k << " transA "
               << transA << " transB " << transB << " pad " << pad << " bias "
               << withBias);
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> uniform(-1, 1);
  const int64_t lda = (transA ? s.m : s.k) + pad,
                ldb = (transB ? s.k : s.n) + pad, ldc = s.n + pad;
  std::vector<float> a((transA ? s.k : s.m) * lda),
      b((transB ? s.n : s.k) * ldb);
  for (float &x : a)
    x = uniform(rng);
  for (float &x : b)
    x = uniform(rng);
  std::vector<float> bias(withBias ? s.n : 0);
  for (float &x : bias)
    x = uniform(rng);
  // C starts as garbage: the kernel overwrites it, and keeps the padding.
  std::vector<float> c(s.m * ldc, 7.0f);
  fmrt::gemm::avx512Product(transA, transB, s.m, s.n, s.k, a.data(), lda,
                            b.data(), ldb, withBias ? bias.data() : nullptr,
                            c.data(), ldc);
  for (int64_t i = 0; i < s.m; ++i) {
    for (int64_t j = 0; j < s.n; ++j) {
      double expected = withBias ? bias[j] : 0.0;
      for (int64_t p = 0; p < s.k; ++p)
        expected +=
            static_cast<double>(transA ? a[p * lda + i] : a[i * lda + p]) *
            (transB ? b[j * ldb + p] : b[p * ldb + j]);
      ASSERT_NEAR(c[i * ldc + j], expected,
                  1e-5 * (1 + std::sqrt(static_cast<double>(s.k))))
          << "at (" << i << ", " << j << ")";
    }
    for (int64_t j = s.n; j < ldc; ++j)
      ASSERT_EQ(c[i * ldc + j], 7.0f) << "row padding of row " << i;
  }
}

class GemmAvx512Test : public ::testing::Test {
protected:
  void SetUp() override {
    if (!fmrt::gemm::avx512Available())
      GTEST_SKIP() << "this CPU has no AVX-512F";
  }
};

TEST_F(GemmAvx512Test, WholeTilesAndEdges) {
  // One 12 x 32 tile, then every shorter row count and column edge, and
  // depths that are not a multiple of the 16 x 16 transposes.
  for (bool transA : {false, true})
    for (bool transB : {false, true}) {
      expectMatchesNaive({12, 32, 16}, transA, transB, 0);
      expectMatchesNaive({1, 1, 1}, transA, transB, 0);
      expectMatchesNaive({23, 47, 19}, transA, transB, 3);
      expectMatchesNaive({11, 17, 33}, transA, transB, 1);
    }
}

TEST_F(GemmAvx512Test, SeveralBlocksInEveryDimension) {
  // m past 240 rows (two A blocks), k past 2 x 256 (partial sums in C),
  // n past 1024 columns (two B blocks).
  for (bool transA : {false, true})
    for (bool transB : {false, true})
      expectMatchesNaive({250, 70, 530}, transA, transB, 2);
  expectMatchesNaive({30, 1030, 260}, false, false, 0);
  expectMatchesNaive({30, 1030, 260}, true, true, 5);
}

TEST_F(GemmAvx512Test, BiasStartsEverySum) {
  // The bias enters in the first depth block only, for every column block
  // and tile edge.
  for (bool transA : {false, true})
    for (bool transB : {false, true})
      expectMatchesNaive({23, 47, 19}, transA, transB, 3, true);
  expectMatchesNaive({250, 1030, 530}, false, false, 2, true);
}

} // namespace

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

/// Where op(A) is zero: the kernel skips a panel's zero depth steps.
enum class Zeros {
  None,
  /// Past the diagonal, (i, p) with p > i: a causal mask's probabilities.
  AboveDiagonal,
  /// Before the diagonal, p < i: their transpose.
  BelowDiagonal,
  Everywhere,
};

bool zeroAt(Zeros zeros, int64_t i, int64_t p) {
  switch (zeros) {
  case Zeros::None:
    return false;
  case Zeros::AboveDiagonal:
    return p > i;
  case Zeros::BelowDiagonal:
    return p < i;
  case Zeros::Everywhere:
    return true;
  }
  return false;
}

/// Computes op(A) op(B) on the kernel and compares it with a naive product:
/// in one call, or in `pieces` calls on consecutive rows that share B as
/// product number `product` (avx512Product's).
void expectMatchesNaive(Shape s, bool transA, bool transB, int64_t pad,
                        bool withBias = false, Zeros zeros = Zeros::None,
                        int64_t pieces = 1, uint64_t product = 0,
                        unsigned seed = 7) {
  SCOPED_TRACE(::testing::Message()
               << "m " << s.m << " n " << s.n << " k " << s.k << " transA "
               << transA << " transB " << transB << " pad " << pad << " bias "
               << withBias << " zeros " << static_cast<int>(zeros) << " pieces "
               << pieces << " product " << product);
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> uniform(-1, 1);
  const int64_t lda = (transA ? s.m : s.k) + pad,
                ldb = (transB ? s.k : s.n) + pad, ldc = s.n + pad;
  std::vector<float> a((transA ? s.k : s.m) * lda),
      b((transB ? s.n : s.k) * ldb);
  for (int64_t i = 0; i < s.m; ++i)
    for (int64_t p = 0; p < s.k; ++p)
      (transA ? a[p * lda + i] : a[i * lda + p]) =
          zeroAt(zeros, i, p) ? 0.0f : uniform(rng);
  for (float &x : b)
    x = uniform(rng);
  std::vector<float> bias(withBias ? s.n : 0);
  for (float &x : bias)
    x = uniform(rng);
  // C starts as garbage: the kernel overwrites it, and keeps the padding.
  std::vector<float> c(s.m * ldc, 7.0f);
  for (int64_t piece = 0; piece < pieces; ++piece) {
    const int64_t first = s.m * piece / pieces,
                  last = s.m * (piece + 1) / pieces;
    if (first < last)
      fmrt::gemm::avx512Product(transA, transB, last - first, s.n, s.k,
                                a.data() + (transA ? first : first * lda), lda,
                                b.data(), ldb, withBias ? bias.data() : nullptr,
                                c.data() + first * ldc, ldc, product);
  }
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

TEST_F(GemmAvx512Test, SkipsZeroDepthStepsOfA) {
  // Triangles cut each 12-row panel's depth at a different step, inside
  // depth blocks and across them; an all-zero A leaves C = bias.
  for (Zeros zeros :
       {Zeros::AboveDiagonal, Zeros::BelowDiagonal, Zeros::Everywhere})
    for (bool transA : {false, true})
      for (bool transB : {false, true}) {
        expectMatchesNaive({128, 64, 128}, transA, transB, 0, false, zeros);
        expectMatchesNaive({250, 47, 530}, transA, transB, 3, true, zeros);
      }
}

TEST_F(GemmAvx512Test, PiecesOfAProductReuseItsPackedB) {
  // Row pieces of one product pack B on the first call only, across
  // several depth and column blocks; the next product, with another B of
  // the same shape, packs its own.
  for (bool transA : {false, true})
    for (bool transB : {false, true}) {
      expectMatchesNaive({250, 1030, 530}, transA, transB, 2, true, Zeros::None,
                         5, 1, 1);
      expectMatchesNaive({250, 1030, 530}, transA, transB, 2, true, Zeros::None,
                         3, 2, 2);
      expectMatchesNaive({97, 40, 300}, transA, transB, 0, false,
                         Zeros::AboveDiagonal, 4, 3, 3);
    }
  // Too large to keep whole: each piece packs B again.
  ASSERT_FALSE(fmrt::gemm::reusesPackedB(4100, 1100));
  expectMatchesNaive({24, 4100, 1100}, false, false, 0, false, Zeros::None, 2,
                     4, 4);
}

TEST_F(GemmAvx512Test, ZerosTimesInfinityStayNaN) {
  // 0 * inf is NaN: a block of B holding an infinity skips nothing, so the
  // rows whose zeros meet it are NaN, as a naive product makes them.
  for (bool transA : {false, true}) {
    SCOPED_TRACE(transA ? "transposed A" : "A");
    const int64_t m = 24, n = 32, k = 16;
    std::vector<float> a(m * k), b(k * n, 1.0f), c(m * n);
    // Row i of op(A) is 1 up to depth i % k and zero after it.
    for (int64_t i = 0; i < m; ++i)
      for (int64_t p = 0; p < k; ++p)
        (transA ? a[p * m + i] : a[i * k + p]) = p <= i % k ? 1.0f : 0.0f;
    b[(k - 1) * n + 5] = INFINITY;
    fmrt::gemm::avx512Product(transA, false, m, n, k, a.data(), transA ? m : k,
                              b.data(), n, nullptr, c.data(), n);
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j) {
        // Depth k - 1 meets the infinity: 1 * inf for the one row that
        // reaches it, 0 * inf = NaN for the others.
        if (j != 5)
          ASSERT_EQ(c[i * n + j], static_cast<float>(i % k + 1))
              << "at (" << i << ", " << j << ")";
        else if (i % k == k - 1)
          ASSERT_EQ(c[i * n + j], INFINITY) << "row " << i;
        else
          ASSERT_TRUE(std::isnan(c[i * n + j])) << "row " << i;
      }
  }
}

} // namespace

//===- BlasTest.cpp - fmrt_matmul_f32 against a naive product -------------===//

#include "fmrt/fmrt.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

namespace {

struct Case {
  int64_t batch, m, n, k;
  bool transA, transB;
  /// Extra elements per row and per batch beyond the tight layout.
  int64_t rowPad, batchPad;
  /// Through fmrt_matmul_bias_f32 with a random bias.
  bool withBias = false;
};

std::vector<float> randomValues(size_t count, std::mt19937 &rng) {
  std::uniform_real_distribution<float> uniform(-1, 1);
  std::vector<float> values(count);
  for (float &value : values)
    value = uniform(rng);
  return values;
}

void expectMatchesNaive(const Case &c) {
  SCOPED_TRACE(::testing::Message()
               << "batch " << c.batch << " m " << c.m << " n " << c.n << " k "
               << c.k << " transA " << c.transA << " transB " << c.transB
               << " pad " << c.rowPad << "/" << c.batchPad << " bias "
               << c.withBias);
  std::mt19937 rng(42);
  // Stored shapes: A is m x k (k x m transposed), B is k x n (n x k).
  const int64_t aRows = c.transA ? c.k : c.m, aCols = c.transA ? c.m : c.k;
  const int64_t bRows = c.transB ? c.n : c.k, bCols = c.transB ? c.k : c.n;
  const int64_t lda = aCols + c.rowPad, ldb = bCols + c.rowPad,
                ldc = c.n + c.rowPad;
  const int64_t strideA = aRows * lda + c.batchPad,
                strideB = bRows * ldb + c.batchPad,
                strideC = c.m * ldc + c.batchPad;
  std::vector<float> a = randomValues(c.batch * strideA, rng);
  std::vector<float> b = randomValues(c.batch * strideB, rng);
  std::vector<float> bias = randomValues(c.withBias ? c.n : 0, rng);
  // Padding in C must survive; the product part is overwritten.
  std::vector<float> out(c.batch * strideC, 7.0f);
  if (c.withBias)
    fmrt_matmul_bias_f32(c.batch, c.m, c.n, c.k, a.data(), lda, strideA,
                         c.transA, b.data(), ldb, strideB, c.transB,
                         bias.data(), out.data(), ldc, strideC);
  else
    fmrt_matmul_f32(c.batch, c.m, c.n, c.k, a.data(), lda, strideA, c.transA,
                    b.data(), ldb, strideB, c.transB, out.data(), ldc, strideC);
  for (int64_t p = 0; p < c.batch; ++p)
    for (int64_t i = 0; i < c.m; ++i) {
      for (int64_t j = 0; j < c.n; ++j) {
        double expected = c.withBias ? bias[j] : 0.0;
        for (int64_t l = 0; l < c.k; ++l) {
          const float x = c.transA ? a[p * strideA + l * lda + i]
                                   : a[p * strideA + i * lda + l];
          const float y = c.transB ? b[p * strideB + j * ldb + l]
                                   : b[p * strideB + l * ldb + j];
          expected += static_cast<double>(x) * y;
        }
        ASSERT_NEAR(out[p * strideC + i * ldc + j], expected,
                    1e-5 * (1 + std::sqrt(static_cast<double>(c.k))))
            << "at batch " << p << " (" << i << ", " << j << ")";
      }
      for (int64_t j = c.n; j < ldc; ++j)
        ASSERT_EQ(out[p * strideC + i * ldc + j], 7.0f) << "row padding";
    }
}

TEST(BlasTest, MatchesNaiveProductForAllTransposes) {
  for (bool transA : {false, true})
    for (bool transB : {false, true}) {
      expectMatchesNaive({1, 5, 7, 3, transA, transB, 0, 0});
      expectMatchesNaive({1, 1, 1, 1, transA, transB, 0, 0});
      expectMatchesNaive({1, 33, 17, 65, transA, transB, 3, 0});
    }
}

TEST(BlasTest, Batches) {
  // Tiny products: on the calling thread.
  expectMatchesNaive({9, 6, 5, 4, false, false, 0, 0});
  expectMatchesNaive({13, 7, 3, 11, true, true, 2, 5});
  // Enough matrices for every pool thread: batches spread over the pool.
  expectMatchesNaive({5, 70, 65, 67, false, true, 1, 3});
}

TEST(BlasTest, LargeProductsSplitAcrossThePool) {
  // A single product split into blocks of rows (m >= n) or of columns,
  // with ragged last blocks, for every transpose of the operands.
  for (bool transA : {false, true})
    for (bool transB : {false, true}) {
      expectMatchesNaive({1, 133, 70, 40, transA, transB, 2, 0});
      expectMatchesNaive({1, 45, 151, 38, transA, transB, 0, 0});
    }
}

TEST(BlasTest, BiasInEveryRowOfEveryMatrix) {
  // On the calling thread, over the batch, and split by rows and by
  // columns (the bias follows the columns).
  expectMatchesNaive({3, 5, 7, 3, false, true, 1, 2, true});
  expectMatchesNaive({5, 70, 65, 67, true, false, 1, 3, true});
  expectMatchesNaive({1, 133, 70, 40, false, false, 2, 0, true});
  expectMatchesNaive({1, 45, 151, 38, true, true, 0, 0, true});
}

TEST(BlasTest, EmptyOperands) {
  // k = 0: an empty sum is zero, even with degenerate leading dimensions.
  std::vector<float> out(6, 7.0f);
  fmrt_matmul_f32(2, 1, 3, 0, nullptr, 0, 0, false, nullptr, 0, 0, false,
                  out.data(), 3, 3);
  EXPECT_EQ(out, std::vector<float>(6, 0.0f));
  // With a bias, an empty sum is the bias.
  const float bias[3] = {1, 2, 3};
  fmrt_matmul_bias_f32(2, 1, 3, 0, nullptr, 0, 0, false, nullptr, 0, 0, false,
                       bias, out.data(), 3, 3);
  EXPECT_EQ(out, (std::vector<float>{1, 2, 3, 1, 2, 3}));
  // m, n or batch = 0: nothing to write.
  fmrt_matmul_f32(0, 2, 2, 2, nullptr, 2, 4, false, nullptr, 2, 4, false,
                  nullptr, 2, 4);
  fmrt_matmul_f32(1, 0, 2, 2, nullptr, 2, 0, false, nullptr, 2, 4, false,
                  nullptr, 2, 0);
}

} // namespace

//===- GemmAvx512.cpp - libfmrt's own f32 GEMM for AVX-512 ----------------===//
//
// A blocked GEMM in the manner of BLIS (Goto's algorithm): B is packed a
// block of kKc x kNc at a time into panels of kNr columns, A a block of
// kMc x kKc into panels of kMr rows, and a register-blocked micro-kernel
// multiplies one A panel by one B panel into a kMr x kNr tile of C held in
// 24 zmm accumulators, reading each A value as an embedded broadcast. The
// B panel (kKc x kNr, 32 KB) stays in L1 while the kernel walks down the A
// block, which stays in L2. A transposed A (the weight gradients' X^T) is
// not packed: its stored rows already hold each depth step's panel rows
// side by side, so the kernel reads them in place, lda apart. A panel's
// zero depth steps at either end are skipped (multiplyBlock). When the pool
// runs a product as several units of rows per thread, each thread packs B
// whole on its first unit and reuses it on the others (`product`). Packing
// it once for all threads, each panel by the first thread to reach it, ran
// the GPT's row-split products 6-11% slower, likely because each thread
// then reads half its panels from the other core's caches.
//
// Why fmc has its own: Debian's OpenBLAS picks its kernels by CPU model, and
// on machines whose environment pins OPENBLAS_CORETYPE to an older core
// (because some OpenBLAS builds miscompute on newer ones) it runs AVX2
// kernels at half the FMA peak. This kernel needs only AVX-512F, which it
// checks at run time, so the rest of libfmrt stays portable: every function
// here carries the target attribute instead of the whole file being built
// with -mavx512f, which would also let AVX-512 code into inline functions
// shared with other files.
//
//===----------------------------------------------------------------------===//

#include "Gemm.h"

#include <cstdio>
#include <cstdlib>

#if defined(__x86_64__)

#include <immintrin.h>

#include <algorithm>
#include <optional>

#define FMRT_AVX512 __attribute__((target("avx512f")))

namespace fmrt::gemm {
namespace {

/// Rows and columns of the C tile the micro-kernel keeps in registers:
/// 12 x 2 zmm accumulators of the 32 zmm registers.
constexpr int kMr = kTileRows;
constexpr int kNr = kTileColumns;
/// Depth of a block: a kKc x kNr B panel is 32 KB, within L1 (48 KB).
constexpr int64_t kKc = 256;
/// Rows of A per block: kMc x kKc floats is 240 KB, well within L2.
constexpr int64_t kMc = 20 * kMr;
/// Columns of B per block: kKc x kNc floats is 1 MB.
constexpr int64_t kNc = 32 * kNr;
/// The largest op(B) a thread keeps packed across the calls of a product:
/// 4 MB, which every pool thread may come to hold. The GPT's row-split
/// products' are at most 1 MB; larger ones are packed a block at a time.
constexpr int64_t kMaxReusedFloats = int64_t(1) << 20;

/// Floats of op(B) packed whole: its panels are zero-padded to kNr columns.
int64_t packedFloats(int64_t n, int64_t k) {
  return (n + kNr - 1) / kNr * kNr * k;
}

/// Lanes [0, count) of a 16-lane mask, count clamped to [0, 16].
FMRT_AVX512 __mmask16 firstLanes(int64_t count) {
  if (count <= 0)
    return 0;
  return count >= 16 ? __mmask16(0xFFFF) : __mmask16((1u << count) - 1);
}

/// A 64-byte-aligned scratch buffer per thread, grown on demand.
class Scratch {
public:
  ~Scratch() { std::free(data_); }
  float *get(size_t floats) {
    if (floats > capacity_) {
      std::free(data_);
      // aligned_alloc wants a multiple of the alignment.
      const size_t bytes = (floats * sizeof(float) + 63) / 64 * 64;
      data_ = static_cast<float *>(std::aligned_alloc(64, bytes));
      if (!data_) {
        std::fprintf(stderr,
                     "fmrt: out of memory allocating %zu bytes for GEMM "
                     "packing\n",
                     bytes);
        std::abort();
      }
      capacity_ = floats;
    }
    return data_;
  }

private:
  float *data_ = nullptr;
  size_t capacity_ = 0;
};

/// C[0:Rows, 0:32] = A panel . B panel over depth kc, plus C's old values
/// when `accumulate`, else plus `bias` (32 values) when it is not null. The
/// panel of A holds its element (r, p) at [p * depthStrideA + r]. The
/// columns past C's edge are masked off; the packed B panel is zero-padded.
template <int Rows>
FMRT_AVX512 void
microKernel(int64_t kc, const float *panelA, int64_t depthStrideA,
            const float *packedB, const float *bias, float *c, int64_t ldc,
            __mmask16 mask0, __mmask16 mask1, bool accumulate) {
  // A bias starts the sums, as a depth step before the first would.
  const __m512 start0 = bias ? _mm512_maskz_loadu_ps(mask0, bias)
                             : _mm512_setzero_ps(),
               start1 = bias ? _mm512_maskz_loadu_ps(mask1, bias + 16)
                             : _mm512_setzero_ps();
  __m512 acc0[Rows], acc1[Rows];
#pragma GCC unroll 16
  for (int r = 0; r < Rows; ++r) {
    // The tile of C is needed only at the end: fetching it now hides the
    // misses of its first write (or read) behind the products.
    _mm_prefetch(reinterpret_cast<const char *>(c + r * ldc), _MM_HINT_T0);
    _mm_prefetch(reinterpret_cast<const char *>(c + r * ldc + 16), _MM_HINT_T0);
    acc0[r] = start0;
    acc1[r] = start1;
  }
#pragma GCC unroll 4
  for (int64_t p = 0; p < kc; ++p) {
    const __m512 b0 = _mm512_load_ps(packedB + p * kNr);
    const __m512 b1 = _mm512_load_ps(packedB + p * kNr + 16);
#pragma GCC unroll 16
    for (int r = 0; r < Rows; ++r) {
      const __m512 a = _mm512_set1_ps(panelA[p * depthStrideA + r]);
      acc0[r] = _mm512_fmadd_ps(a, b0, acc0[r]);
      acc1[r] = _mm512_fmadd_ps(a, b1, acc1[r]);
    }
  }
#pragma GCC unroll 16
  for (int r = 0; r < Rows; ++r) {
    float *row = c + r * ldc;
    if (accumulate) {
      acc0[r] = _mm512_add_ps(acc0[r], _mm512_maskz_loadu_ps(mask0, row));
      acc1[r] = _mm512_add_ps(acc1[r], _mm512_maskz_loadu_ps(mask1, row + 16));
    }
    _mm512_mask_storeu_ps(row, mask0, acc0[r]);
    _mm512_mask_storeu_ps(row + 16, mask1, acc1[r]);
  }
}

using MicroKernel = void (*)(int64_t, const float *, int64_t, const float *,
                             const float *, float *, int64_t, __mmask16,
                             __mmask16, bool);

/// microKernel<rows>, for the last, shorter panel of a block as well.
constexpr MicroKernel kMicroKernels[kMr + 1] = {
    nullptr,        microKernel<1>, microKernel<2>,  microKernel<3>,
    microKernel<4>, microKernel<5>, microKernel<6>,  microKernel<7>,
    microKernel<8>, microKernel<9>, microKernel<10>, microKernel<11>,
    microKernel<12>};

/// Loads rows [0, rows) x lanes [0, lanes) of a 16 x 16 block at `source`
/// (rows `stride` apart), zero elsewhere.
FMRT_AVX512 void loadBlock(__m512 block[16], const float *source,
                           int64_t stride, int64_t rows, int64_t lanes) {
  const __mmask16 mask = firstLanes(lanes);
  for (int64_t i = 0; i < 16; ++i) {
    if (i >= rows) {
      block[i] = _mm512_setzero_ps();
      continue;
    }
    // Sixteen rows are more streams than the prefetchers follow: ask for
    // the row's block after next.
    _mm_prefetch(reinterpret_cast<const char *>(source + i * stride + 32),
                 _MM_HINT_T0);
    block[i] = _mm512_maskz_loadu_ps(mask, source + i * stride);
  }
}

/// Transposes a 16 x 16 block in registers: lane l of row i goes to lane i
/// of row l. Each of the four stages swaps bit w of the row number with
/// bit w of the lane number, a pair of rows at a time.
FMRT_AVX512 void transpose16(__m512 block[16]) {
  const __m512i lane =
      _mm512_set_epi32(15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0);
#pragma GCC unroll 16
  for (int w = 8; w >= 1; w /= 2) {
    const __m512i width = _mm512_set1_epi32(w);
    const __mmask16 upper = _mm512_test_epi32_mask(lane, width);
    // Row i (bit w clear) keeps its lower lanes and takes row i + w's lower
    // lanes as its upper ones; row i + w takes row i's upper lanes as its
    // lower ones and keeps its upper lanes. permutex2var indexes row i's
    // lanes as 0-15 and row i + w's as 16-31.
    const __m512i intoLower =
        _mm512_mask_add_epi32(lane, upper, lane, _mm512_set1_epi32(16 - w));
    const __m512i intoUpper = _mm512_mask_add_epi32(
        _mm512_add_epi32(lane, width), upper, lane, _mm512_set1_epi32(16));
#pragma GCC unroll 16
    for (int i = 0; i < 16; ++i) {
      if (i & w)
        continue;
      const __m512 lower = block[i], upperRow = block[i + w];
      block[i] = _mm512_permutex2var_ps(lower, intoLower, upperRow);
      block[i + w] = _mm512_permutex2var_ps(lower, intoUpper, upperRow);
    }
  }
}

/// How many stored rows ahead packB's row-by-row loop prefetches. Its
/// operands are often cold (activations written long before), and rows
/// more than a page apart defeat the hardware prefetchers.
constexpr int64_t kPrefetchRows = 8;

/// Prefetches `count` floats from `row` into L1, a cache line at a time.
FMRT_AVX512 void prefetchRow(const float *row, int64_t count) {
  for (int64_t i = 0; i < count; i += 16)
    _mm_prefetch(reinterpret_cast<const char *>(row + i), _MM_HINT_T0);
}

/// Packs rows [0, mc) x depth [0, kc) of A (not transposed: a transposed
/// A needs no packing), starting at `a`, into panels of kMr rows: panel i
/// holds its element (r, p) at [p * kMr + r].
FMRT_AVX512 void packA(int64_t mc, int64_t kc, const float *a, int64_t lda,
                       float *packed) {
  // A's rows are stored rows: transpose 16 x 16 blocks, of which the rows
  // past the panel's are zero.
  for (int64_t first = 0; first < mc; first += kMr) {
    const int64_t rows = std::min<int64_t>(kMr, mc - first);
    float *panel = packed + first * kc;
    for (int64_t p = 0; p < kc; p += 16) {
      const int64_t depth = std::min<int64_t>(16, kc - p);
      __m512 block[16];
      loadBlock(block, a + first * lda + p, lda, rows, depth);
      transpose16(block);
      for (int64_t q = 0; q < depth; ++q)
        _mm512_mask_storeu_ps(panel + (p + q) * kMr, firstLanes(kMr), block[q]);
    }
  }
}

/// Packs depth [0, kc) x columns [0, nc) of op(B), starting at `b`, into
/// panels of kNr columns: panel j holds its element (p, c) at [p * kNr + c],
/// zero past the last column.
FMRT_AVX512 void packB(bool transB, int64_t kc, int64_t nc, const float *b,
                       int64_t ldb, float *packed) {
  if (!transB) {
    // Each depth step is a stored row, read from start to end.
    for (int64_t p = 0; p < kc; ++p) {
      if (p + kPrefetchRows < kc)
        prefetchRow(b + (p + kPrefetchRows) * ldb, nc);
      for (int64_t first = 0; first < nc; first += kNr) {
        const float *source = b + p * ldb + first;
        float *target = packed + first * kc + p * kNr;
        _mm512_store_ps(target,
                        _mm512_maskz_loadu_ps(firstLanes(nc - first), source));
        _mm512_store_ps(
            target + 16,
            _mm512_maskz_loadu_ps(firstLanes(nc - first - 16), source + 16));
      }
    }
    return;
  }
  for (int64_t first = 0; first < nc; first += kNr) {
    const int64_t columns = std::min<int64_t>(kNr, nc - first);
    float *panel = packed + first * kc;
    // op(B)'s columns are stored rows: transpose 16 x 16 blocks, each
    // half of the panel in turn.
    for (int64_t half = 0; half < kNr; half += 16) {
      const int64_t count = std::clamp<int64_t>(columns - half, 0, 16);
      for (int64_t p = 0; p < kc; p += 16) {
        const int64_t depth = std::min<int64_t>(16, kc - p);
        __m512 block[16];
        loadBlock(block, b + (first + half) * ldb + p, ldb, count, depth);
        transpose16(block);
        for (int64_t q = 0; q < depth; ++q)
          _mm512_store_ps(panel + (p + q) * kNr + half, block[q]);
      }
    }
  }
}

/// Depth steps [begin, end) of a panel of A outside which its values are
/// all zero.
struct DepthRange {
  int64_t begin, end;
};

/// Whether `row` is zero in every lane of `lanes` (NaN is not zero).
FMRT_AVX512 bool zeroRow(const float *row, __mmask16 lanes) {
  return _mm512_cmp_ps_mask(_mm512_maskz_loadu_ps(lanes, row),
                            _mm512_setzero_ps(), _CMP_NEQ_UQ) == 0;
}

/// The nonzero depth range of the first `rows` rows of a panel of A whose
/// element (r, p) is at [p * depthStride + r], over depth [0, kc).
FMRT_AVX512 DepthRange nonzeroDepth(const float *panel, int64_t depthStride,
                                    int64_t rows, int64_t kc) {
  const __mmask16 lanes = firstLanes(rows);
  DepthRange range{0, kc};
  while (range.end > 0 && zeroRow(panel + (range.end - 1) * depthStride, lanes))
    --range.end;
  while (range.begin < range.end &&
         zeroRow(panel + range.begin * depthStride, lanes))
    ++range.begin;
  return range;
}

/// Whether a packed B block (kc x nc, panels kc deep) holds only finite
/// values.
FMRT_AVX512 bool allFinite(const float *packedB, int64_t kc, int64_t nc) {
  const int64_t floats = (nc + kNr - 1) / kNr * kNr * kc;
  __mmask16 nonFinite = 0;
  for (int64_t i = 0; i < floats; i += 16) {
    // x - x is 0 for a finite x, NaN for an infinity or a NaN.
    const __m512 value = _mm512_load_ps(packedB + i);
    nonFinite |= _mm512_cmp_ps_mask(_mm512_sub_ps(value, value),
                                    _mm512_setzero_ps(), _CMP_NEQ_UQ);
  }
  return nonFinite == 0;
}

/// C[:, jc:jc+nc] = op(A) . the packed block (pc, jc) of op(B), kc x nc,
/// plus C's old values when pc > 0, else plus the bias when it is not null.
///
/// A panel's depth steps where it is zero are skipped, as reference BLAS
/// skips zero factors: attention's causal masks leave half of the
/// probabilities and their gradients exactly zero, a triangle in every
/// product that reads them. Skipping adds exact zeros less, so the sums are
/// the same; only where B holds an infinity or a NaN would 0 * B have made
/// a NaN, so a block of B that holds one skips nothing.
FMRT_AVX512 void multiplyBlock(bool transA, int64_t m, int64_t jc, int64_t nc,
                               int64_t pc, int64_t kc, const float *a,
                               int64_t lda, const float *packedB,
                               const float *bias, float *c, int64_t ldc,
                               float *packedA) {
  // Checked only once a panel could skip something: dense products never
  // read B twice.
  std::optional<bool> finiteB;
  for (int64_t ic = 0; ic < m; ic += kMc) {
    const int64_t mc = std::min(kMc, m - ic);
    // op(A) transposed is stored as panels need it, a row per depth step
    // with a panel's rows side by side: the kernel reads it in place, with
    // lda between depth steps instead of kMr.
    if (!transA)
      packA(mc, kc, a + ic * lda + pc, lda, packedA);
    const float *blockA = transA ? a + pc * lda + ic : packedA;
    const int64_t depthStride = transA ? lda : kMr;
    auto panelAt = [&](int64_t ir) {
      return transA ? blockA + ir : blockA + ir * kc;
    };
    DepthRange depths[kMc / kMr];
    for (int64_t ir = 0; ir < mc; ir += kMr) {
      DepthRange &range = depths[ir / kMr];
      range = nonzeroDepth(panelAt(ir), depthStride,
                           std::min<int64_t>(kMr, mc - ir), kc);
      if (range.begin == 0 && range.end == kc)
        continue;
      if (!finiteB)
        finiteB = allFinite(packedB, kc, nc);
      if (!*finiteB)
        range = {0, kc};
    }
    for (int64_t jr = 0; jr < nc; jr += kNr) {
      const __mmask16 mask0 = firstLanes(nc - jr),
                      mask1 = firstLanes(nc - jr - 16);
      for (int64_t ir = 0; ir < mc; ir += kMr) {
        const int64_t rows = std::min<int64_t>(kMr, mc - ir);
        const DepthRange range = depths[ir / kMr];
        kMicroKernels[rows](
            range.end - range.begin, panelAt(ir) + range.begin * depthStride,
            depthStride, packedB + jr * kc + range.begin * kNr,
            pc == 0 && bias ? bias + jc + jr : nullptr,
            c + (ic + ir) * ldc + jc + jr, ldc, mask0, mask1, pc > 0);
      }
    }
  }
}

} // namespace

bool avx512Available() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx512f");
}

bool reusesPackedB(int64_t n, int64_t k) {
  return packedFloats(n, k) <= kMaxReusedFloats;
}

FMRT_AVX512 void avx512Product(bool transA, bool transB, int64_t m, int64_t n,
                               int64_t k, const float *a, int64_t lda,
                               const float *b, int64_t ldb, const float *bias,
                               float *c, int64_t ldc, uint64_t product) {
  thread_local Scratch scratchA, scratchB;
  // The product whose op(B) scratchB holds whole, block after block.
  thread_local uint64_t packedProduct = 0;
  const bool whole = product != 0 && reusesPackedB(n, k);
  const bool packed = whole && packedProduct == product;
  packedProduct = whole ? product : 0;
  float *packedA = scratchA.get(kMc * kKc);
  float *packedB = scratchB.get(whole ? packedFloats(n, k) : kKc * kNc);
  for (int64_t jc = 0; jc < n; jc += kNc) {
    const int64_t nc = std::min(kNc, n - jc);
    for (int64_t pc = 0; pc < k; pc += kKc) {
      const int64_t kc = std::min(kKc, k - pc);
      // Whole, the blocks before (jc, pc) are jc columns deep k and pc
      // depth steps of panels as wide as nc, padded.
      float *block =
          whole ? packedB + jc * k + pc * packedFloats(nc, 1) : packedB;
      if (!packed)
        packB(transB, kc, nc, transB ? b + jc * ldb + pc : b + pc * ldb + jc,
              ldb, block);
      multiplyBlock(transA, m, jc, nc, pc, kc, a, lda, block, bias, c, ldc,
                    packedA);
    }
  }
}

} // namespace fmrt::gemm

#else // Not x86-64: OpenBLAS runs every product.

namespace fmrt::gemm {

bool avx512Available() { return false; }

bool reusesPackedB(int64_t, int64_t) { return false; }

void avx512Product(bool, bool, int64_t, int64_t, int64_t, const float *,
                   int64_t, const float *, int64_t, const float *, float *,
                   int64_t, uint64_t) {
  std::abort();
}

} // namespace fmrt::gemm

#endif

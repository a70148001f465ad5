//===- gemm_bench.cpp - fmrt_matmul_f32 against the machine's FMA peak ----===//
//
// Measures the f32 FMA peak of this machine (one thread, then every pool
// thread) with a kernel of independent vector FMAs, then the GFLOP/s that
// fmrt_matmul_f32 reaches on the GEMMs of a GPT training step (2 layers,
// dim 256, seq 128, batch 8: forward, input gradient, weight gradient and
// the batched attention products, also with causal zeros), with operands
// in the caches and out of them, and prints both as a table.
//
//   fmc-bench-gemm [--seconds S]     (FMRT_NUM_THREADS sets the pool size)
//
//===----------------------------------------------------------------------===//

#include "Gemm.h"
#include "fmrt/fmrt.h"

#include <immintrin.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// Twelve independent accumulators hide the FMA latency (4 cycles) behind
// two FMA pipes. Returns the flops done, so the work cannot be optimized out.
constexpr int kChains = 12;

__attribute__((target("avx2,fma"))) double fmaLoopAvx2(int64_t iterations,
                                                       float seed) {
  __m256 acc[kChains];
  for (int i = 0; i < kChains; ++i)
    acc[i] = _mm256_set1_ps(seed + i);
  const __m256 a = _mm256_set1_ps(0.999999f), b = _mm256_set1_ps(1e-7f);
  for (int64_t it = 0; it < iterations; ++it)
    for (int i = 0; i < kChains; ++i)
      acc[i] = _mm256_fmadd_ps(acc[i], a, b);
  float sink = 0;
  for (int i = 0; i < kChains; ++i)
    sink += _mm256_cvtss_f32(acc[i]);
  volatile float keep = sink;
  (void)keep;
  return 2.0 * 8 * kChains * static_cast<double>(iterations);
}

__attribute__((target("avx512f"))) double fmaLoopAvx512(int64_t iterations,
                                                        float seed) {
  __m512 acc[kChains];
  for (int i = 0; i < kChains; ++i)
    acc[i] = _mm512_set1_ps(seed + i);
  const __m512 a = _mm512_set1_ps(0.999999f), b = _mm512_set1_ps(1e-7f);
  for (int64_t it = 0; it < iterations; ++it)
    for (int i = 0; i < kChains; ++i)
      acc[i] = _mm512_fmadd_ps(acc[i], a, b);
  float sink = 0;
  for (int i = 0; i < kChains; ++i)
    sink += _mm512_reduce_add_ps(acc[i]);
  volatile float keep = sink;
  (void)keep;
  return 2.0 * 16 * kChains * static_cast<double>(iterations);
}

struct Peak {
  const char *isa;
  double oneThread, allThreads;
};

/// GFLOP/s of `threads` threads running the widest FMA loop this CPU has.
double measureFma(bool avx512, unsigned threads, double seconds) {
  constexpr int64_t kIterations = 1 << 22;
  std::atomic<double> flops{0};
  std::atomic<bool> stop{false};
  std::vector<std::thread> workers;
  const Clock::time_point start = Clock::now();
  for (unsigned t = 0; t < threads; ++t)
    workers.emplace_back([&, t] {
      double done = 0;
      while (!stop.load(std::memory_order_relaxed)) {
        done += avx512 ? fmaLoopAvx512(kIterations, 1.0f + t)
                       : fmaLoopAvx2(kIterations, 1.0f + t);
        if (t == 0 && secondsSince(start) > seconds)
          stop = true;
      }
      double expected = flops.load();
      while (!flops.compare_exchange_weak(expected, expected + done)) {
      }
    });
  for (std::thread &worker : workers)
    worker.join();
  return flops.load() / secondsSince(start) / 1e9;
}

Peak measurePeak(unsigned threads, double seconds) {
  __builtin_cpu_init();
  const bool avx512 = __builtin_cpu_supports("avx512f");
  if (!avx512 && !__builtin_cpu_supports("fma")) {
    std::fprintf(stderr, "fmc-bench-gemm: this CPU has no FMA\n");
    std::exit(1);
  }
  return {avx512 ? "AVX-512" : "AVX2", measureFma(avx512, 1, seconds),
          measureFma(avx512, threads, seconds)};
}

struct Shape {
  const char *what;
  int64_t batch, m, n, k;
  bool transA, transB;
  /// op(A) is zero past the diagonal, as attention's probabilities are
  /// under a causal mask: the kernel skips those depth steps, and the
  /// GFLOP/s count the dense product's flops.
  bool causalA = false;
};

/// Operands, when measured cold, rotate through sets of buffers at least
/// this large together: more than the caches hold, as in a training step,
/// which touches a hundred megabytes between two uses of a weight.
constexpr size_t kColdBytes = size_t(64) << 20;

/// Best-of GFLOP/s of fmrt_matmul_f32 on `shape`, repeated for `seconds`:
/// on the same buffers each time (warm), or (`cold`) rotating through
/// enough copies of them that each call reads its operands from memory.
double measureGemm(const Shape &s, double seconds, bool cold) {
  std::mt19937 rng(0);
  std::uniform_real_distribution<float> uniform(-1, 1);
  const int64_t sizeA = s.batch * s.m * s.k, sizeB = s.batch * s.k * s.n,
                sizeC = s.batch * s.m * s.n;
  const size_t setBytes = (sizeA + sizeB + sizeC) * sizeof(float);
  const size_t sets = cold ? std::max<size_t>(2, kColdBytes / setBytes + 1) : 1;
  std::vector<float> a(sets * sizeA), b(sets * sizeB), c(sets * sizeC);
  const int64_t lda = s.transA ? s.m : s.k, ldb = s.transB ? s.k : s.n;
  for (int64_t matrix = 0; matrix < s.batch; ++matrix)
    for (int64_t i = 0; i < s.m; ++i)
      for (int64_t p = 0; p < s.k; ++p)
        a[matrix * s.m * s.k + (s.transA ? p * lda + i : i * lda + p)] =
            s.causalA && p > i ? 0.0f : uniform(rng);
  for (int64_t i = 0; i < sizeB; ++i)
    b[i] = uniform(rng);
  for (size_t set = 1; set < sets; ++set) {
    std::copy(a.begin(), a.begin() + sizeA, a.begin() + set * sizeA);
    std::copy(b.begin(), b.begin() + sizeB, b.begin() + set * sizeB);
  }
  size_t next = 0;
  auto once = [&] {
    const size_t set = next++ % sets;
    fmrt_matmul_f32(s.batch, s.m, s.n, s.k, a.data() + set * sizeA, lda,
                    s.m * s.k, s.transA, b.data() + set * sizeB, ldb, s.k * s.n,
                    s.transB, c.data() + set * sizeC, s.n, s.m * s.n);
  };
  for (size_t set = 0; set < sets; ++set)
    once(); // Warm up: page in, start the pool.
  double best = 1e30;
  const Clock::time_point start = Clock::now();
  int runs = 0;
  while (runs < 3 || secondsSince(start) < seconds) {
    const Clock::time_point t0 = Clock::now();
    once();
    best = std::min(best, secondsSince(t0));
    ++runs;
  }
  return 2.0 * s.batch * s.m * s.n * s.k / best / 1e9;
}

} // namespace

int main(int argc, char **argv) {
  double seconds = 0.5;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--seconds") == 0 && i + 1 < argc) {
      seconds = std::atof(argv[++i]);
    } else {
      std::fprintf(stderr, "usage: fmc-bench-gemm [--seconds S]\n"
                           "  S: time per measurement (default 0.5)\n"
                           "  FMRT_NUM_THREADS sets libfmrt's pool size\n");
      return std::strcmp(argv[i], "--help") == 0 ? 0 : 2;
    }
  }
  const unsigned threads = static_cast<unsigned>(fmrt_num_threads());
  const Peak peak = measurePeak(threads, seconds);
  std::printf("FMA peak (%s, measured): %.1f GFLOP/s on 1 thread, %.1f "
              "GFLOP/s on %u threads\n\n",
              peak.isa, peak.oneThread, peak.allThreads, threads);

  // T = batch * seq = 1024 tokens; the MLP's fc layer is 256 -> 1024.
  const Shape shapes[] = {
      {"qkv forward       T x 256 . 256 x 768", 1, 1024, 768, 256, false,
       false},
      {"fc forward        T x 256 . 256 x 1024", 1, 1024, 1024, 256, false,
       false},
      {"fc input grad     T x 1024 . (256 x 1024)^T", 1, 1024, 256, 1024, false,
       true},
      {"fc weight grad    (T x 256)^T . T x 1024", 1, 256, 1024, 1024, true,
       false},
      {"attn scores       32 x 128 x 64 . (128 x 64)^T", 32, 128, 128, 64,
       false, true},
      {"attn values       32 x 128 x 128 . 128 x 64", 32, 128, 64, 128, false,
       false},
      {"attn values, causal P (zero past the diagonal; dense flops)", 32, 128,
       64, 128, false, false, true},
      {"attn key grad, causal dS^T (zero before the diagonal; dense flops)", 32,
       128, 64, 128, true, false, true},
      {"square            1024^3", 1, 1024, 1024, 1024, false, false},
  };
  const bool own = fmrt::gemm::selectedKernel() == fmrt::gemm::Kernel::Avx512;
  std::printf("| GEMM (fmrt_matmul_f32 on %s, %u threads) | GFLOP/s | %% of "
              "%u-thread peak | operands cold: GFLOP/s | %% of peak |\n"
              "|---|---:|---:|---:|---:|\n",
              own ? "libfmrt's AVX-512 kernel" : "OpenBLAS", threads, threads);
  for (const Shape &shape : shapes) {
    const double warm = measureGemm(shape, seconds, false),
                 cold = measureGemm(shape, seconds, true);
    std::printf("| %s | %.1f | %.0f%% | %.1f | %.0f%% |\n", shape.what, warm,
                100.0 * warm / peak.allThreads, cold,
                100.0 * cold / peak.allThreads);
  }
  std::printf("\n(Cold: each call's operands come from memory, as in a "
              "training step; warm: the same buffers again.)\n");
  return 0;
}

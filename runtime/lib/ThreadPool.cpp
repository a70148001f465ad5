//===- ThreadPool.cpp - Parallel loops for compiled code ------------------===//

#include "fmrt/ThreadPool.h"

#include "fmrt/fmrt.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>

namespace fmrt {

namespace {

// More threads than this is a typo in FMRT_NUM_THREADS, not a machine.
constexpr long kMaxThreads = 4096;

/// Units are numbered in 16 bits in a share's word.
constexpr int64_t kMaxUnits = 0xFFFF;

uint64_t shareWord(uint32_t tag, uint64_t first, uint64_t end) {
  return uint64_t(tag) << 32 | first << 16 | end;
}

/// Whether this thread is running a unit of a parallel loop (workers
/// always are): a nested loop then runs inline instead of waiting for
/// threads that are busy running its parent.
thread_local bool insideLoop = false;

unsigned defaultThreads() {
  if (const char *text = std::getenv("FMRT_NUM_THREADS")) {
    char *end = nullptr;
    errno = 0;
    const long threads = std::strtol(text, &end, 10);
    if (*text != '\0' && *end == '\0' && errno == 0 && threads > 0 &&
        threads <= kMaxThreads)
      return static_cast<unsigned>(threads);
    std::fprintf(stderr,
                 "fmrt: ignoring FMRT_NUM_THREADS='%s' (expected an integer "
                 "from 1 to %ld)\n",
                 text, kMaxThreads);
  }
  return std::max(1u, std::thread::hardware_concurrency());
}

/// How long a thread waiting for the pool polls before it sleeps. A step
/// runs hundreds of loops a few microseconds apart; a sleeping worker takes
/// tens of microseconds to wake, which summed to a sixth of a GPT step.
constexpr auto kSpin = std::chrono::microseconds(100);

/// Polls `ready` for up to kSpin; whether it became true.
template <typename Ready> bool spinUntil(Ready ready) {
  const auto deadline = std::chrono::steady_clock::now() + kSpin;
  for (;;) {
    for (int i = 0; i < 64; ++i) {
      if (ready())
        return true;
#if defined(__x86_64__) || defined(__i386__)
      __builtin_ia32_pause();
#endif
    }
    if (std::chrono::steady_clock::now() > deadline)
      return false;
  }
}

} // namespace

ThreadPool::ThreadPool(unsigned threads)
    : shares_(new Share[std::max(threads, 1u)]) {
  for (unsigned i = 1; i < threads; ++i)
    workers_.emplace_back([this, i] { work(i); });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (std::thread &worker : workers_)
    worker.join();
}

ThreadPool &ThreadPool::global() {
  static ThreadPool pool(defaultThreads());
  return pool;
}

void ThreadPool::parallelFor(int64_t begin, int64_t end, Body body,
                             void *context, unsigned unitsPerThread) {
  if (end <= begin)
    return;
  const int64_t size = end - begin;
  bool idle = false;
  if (size < 2 || workers_.empty() || insideLoop ||
      !busy_.compare_exchange_strong(idle, true, std::memory_order_acquire)) {
    body(begin, end, context);
    return;
  }
  const unsigned threads = this->threads();
  const auto units = static_cast<uint32_t>(std::min<int64_t>(
      {size, int64_t(threads) * std::max(unitsPerThread, 1u), kMaxUnits}));
  const auto tag = static_cast<uint32_t>(generation_.load() + 1);
  body_ = body;
  context_ = context;
  begin_ = begin;
  size_ = size;
  units_ = units;
  finished_.store(0, std::memory_order_relaxed);
  for (unsigned thread = 0; thread < threads; ++thread)
    shares_[thread].units.store(
        shareWord(tag, uint64_t(units) * thread / threads,
                  uint64_t(units) * (thread + 1) / threads),
        std::memory_order_relaxed);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    generation_.fetch_add(1, std::memory_order_release);
  }
  wake_.notify_all();
  insideLoop = true;
  runUnits(0, tag);
  insideLoop = false;
  auto allFinished = [&] {
    return finished_.load(std::memory_order_acquire) == units;
  };
  if (!spinUntil(allFinished)) {
    std::unique_lock<std::mutex> lock(mutex_);
    done_.wait(lock, allFinished);
  }
  busy_.store(false, std::memory_order_release);
}

int64_t ThreadPool::claim(unsigned share, bool fromFront, uint32_t tag) {
  std::atomic<uint64_t> &units = shares_[share].units;
  uint64_t word = units.load(std::memory_order_acquire);
  for (;;) {
    const uint64_t first = word >> 16 & 0xFFFF, end = word & 0xFFFF;
    if (word >> 32 != tag || first >= end)
      return -1;
    const uint64_t rest = fromFront ? shareWord(tag, first + 1, end)
                                    : shareWord(tag, first, end - 1);
    if (units.compare_exchange_weak(word, rest, std::memory_order_acq_rel,
                                    std::memory_order_acquire))
      return static_cast<int64_t>(fromFront ? first : end - 1);
  }
}

void ThreadPool::runUnit(int64_t unit) {
  // Read before the unit counts as finished: the next loop may then start.
  const uint32_t units = units_;
  // Unit u starts at size * u / units, which spreads the indices left over
  // evenly, so that the threads' shares differ by one index at most; (size
  // % units) * u < 2^32 does not overflow.
  auto start = [&](int64_t u) {
    return begin_ + size_ / units * u + size_ % units * u / units;
  };
  body_(start(unit), start(unit + 1), context_);
  if (finished_.fetch_add(1, std::memory_order_acq_rel) + 1 == units) {
    std::lock_guard<std::mutex> lock(mutex_);
    done_.notify_one();
  }
}

void ThreadPool::runUnits(unsigned thread, uint32_t tag) {
  for (int64_t unit; (unit = claim(thread, true, tag)) >= 0;)
    runUnit(unit);
  const unsigned threads = this->threads();
  for (unsigned i = 1; i < threads; ++i)
    for (int64_t unit; (unit = claim((thread + i) % threads, false, tag)) >= 0;)
      runUnit(unit);
}

void ThreadPool::work(unsigned index) {
  insideLoop = true;
  uint64_t seen = 0;
  for (;;) {
    auto newLoop = [&] {
      return generation_.load(std::memory_order_acquire) != seen ||
             stopping_.load(std::memory_order_relaxed);
    };
    if (!spinUntil(newLoop)) {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait(lock, newLoop);
    }
    if (stopping_.load(std::memory_order_relaxed))
      return;
    // A loop that has finished meanwhile has no units left to claim under
    // its tag, so a late worker never touches it.
    seen = generation_.load(std::memory_order_acquire);
    runUnits(index, static_cast<uint32_t>(seen));
  }
}

} // namespace fmrt

int fmrt_num_threads(void) {
  return static_cast<int>(fmrt::ThreadPool::global().threads());
}

void fmrt_parallel_for(int64_t begin, int64_t end,
                       void (*body)(int64_t, int64_t, void *), void *context) {
  fmrt::ThreadPool::global().parallelFor(begin, end, body, context);
}

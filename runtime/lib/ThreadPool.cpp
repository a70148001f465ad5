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

/// Whether this thread is running a chunk of a parallel loop (workers
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

struct ThreadPool::Loop {
  Body body;
  void *context;
  int64_t begin;
  int64_t size;
  unsigned chunks;
  /// Chunks the workers have yet to finish.
  std::atomic<unsigned> pending;

  /// Where chunk `chunk` starts: the first size % chunks chunks have one
  /// index more than the others.
  int64_t start(unsigned chunk) const {
    return begin + size / chunks * chunk +
           std::min<int64_t>(chunk, size % chunks);
  }
  void run(unsigned chunk) const {
    body(start(chunk), start(chunk + 1), context);
  }
};

ThreadPool::ThreadPool(unsigned threads) {
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
                             void *context) {
  if (end <= begin)
    return;
  const int64_t size = end - begin;
  bool idle = false;
  if (size < 2 || workers_.empty() || insideLoop ||
      !busy_.compare_exchange_strong(idle, true, std::memory_order_acquire)) {
    body(begin, end, context);
    return;
  }
  const auto chunks = static_cast<unsigned>(std::min<int64_t>(threads(), size));
  Loop loop{body, context, begin, size, chunks, {chunks - 1}};
  {
    std::lock_guard<std::mutex> lock(mutex_);
    loop_ = &loop;
    ++generation_;
  }
  wake_.notify_all();
  insideLoop = true;
  loop.run(0);
  insideLoop = false;
  spinUntil([&] { return loop.pending.load(std::memory_order_acquire) == 0; });
  {
    std::unique_lock<std::mutex> lock(mutex_);
    done_.wait(lock, [&] { return loop.pending.load() == 0; });
    loop_ = nullptr;
  }
  busy_.store(false, std::memory_order_release);
}

void ThreadPool::work(unsigned index) {
  insideLoop = true;
  uint64_t seen = 0;
  for (;;) {
    spinUntil([&] {
      return generation_.load(std::memory_order_acquire) != seen ||
             stopping_.load(std::memory_order_relaxed);
    });
    Loop *loop;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait(lock, [&] { return stopping_ || generation_ != seen; });
      if (stopping_)
        return;
      seen = generation_;
      // A worker without a chunk must not touch the loop: its caller does
      // not wait for it and may already have returned.
      if (!loop_ || index >= loop_->chunks)
        continue;
      loop = loop_;
    }
    loop->run(index);
    if (loop->pending.fetch_sub(1) == 1) {
      std::lock_guard<std::mutex> lock(mutex_);
      done_.notify_one();
    }
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

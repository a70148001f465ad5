//===- ThreadPool.h - Parallel loops for compiled code ----------*- C++ -*-===//
//
// A fixed pool of threads that runs parallel loops with static scheduling:
// [begin, end) is cut into one contiguous chunk per thread, the calling
// thread runs the first chunk and waits for the others. Compiled code reaches
// the process-wide pool through fmrt_parallel_for (fmrt.h).
//
//===----------------------------------------------------------------------===//
#ifndef FMRT_THREADPOOL_H
#define FMRT_THREADPOOL_H

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>
#include <type_traits>
#include <vector>

namespace fmrt {

class ThreadPool {
public:
  using Body = void (*)(int64_t begin, int64_t end, void *context);

  /// A pool of `threads` threads, counting the caller of parallelFor: it
  /// starts threads - 1 workers.
  explicit ThreadPool(unsigned threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool &) = delete;
  ThreadPool &operator=(const ThreadPool &) = delete;

  /// The process-wide pool: FMRT_NUM_THREADS threads if that is a positive
  /// integer, otherwise one per hardware thread.
  static ThreadPool &global();

  unsigned threads() const {
    return static_cast<unsigned>(workers_.size()) + 1;
  }

  /// Runs body(chunkBegin, chunkEnd, context) over contiguous chunks that
  /// cover [begin, end) exactly once, at most one per thread, and returns
  /// when all have finished. Runs the whole range inline when it has fewer
  /// than two indices, when called from inside a parallel loop (so nested
  /// loops cannot deadlock), or when another thread's loop holds the pool.
  void parallelFor(int64_t begin, int64_t end, Body body, void *context);

  /// parallelFor over a callable taking (chunkBegin, chunkEnd).
  template <typename F> void parallelFor(int64_t begin, int64_t end, F &&f) {
    using Callable = std::remove_reference_t<F>;
    parallelFor(
        begin, end,
        [](int64_t chunkBegin, int64_t chunkEnd, void *context) {
          (*static_cast<Callable *>(context))(chunkBegin, chunkEnd);
        },
        const_cast<void *>(static_cast<const void *>(&f)));
  }

private:
  struct Loop;

  void work(unsigned index);

  std::vector<std::thread> workers_;
  std::mutex mutex_;
  std::condition_variable wake_, done_;
  /// Bumped for each loop handed to the workers. Written under mutex_;
  /// atomic so that waiting workers can poll it without the lock.
  std::atomic<uint64_t> generation_{0};
  Loop *loop_ = nullptr;
  std::atomic<bool> stopping_{false};
  /// Held by the thread whose loop the workers are running.
  std::atomic<bool> busy_{false};
};

} // namespace fmrt

#endif // FMRT_THREADPOOL_H

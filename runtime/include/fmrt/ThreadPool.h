//===- ThreadPool.h - Parallel loops for compiled code ----------*- C++ -*-===//
//
// A fixed pool of threads that runs parallel loops, balancing them as they
// run: [begin, end) is cut into a few contiguous units per thread, and each
// thread runs the units of its own share from the front, then takes the
// units that other threads have not started from the back of their shares.
// A thread that the machine slows (another process on its core, a
// hypervisor taking the vCPU) then holds a loop up by at most one unit,
// not by its whole share; when none is slowed, each thread runs its own
// contiguous share, as a static split would, and keeps the rows it wrote in
// its caches for the next loop. The calling thread takes part and returns
// when every unit is done. Compiled code reaches the process-wide pool
// through fmrt_parallel_for (fmrt.h).
//
//===----------------------------------------------------------------------===//
#ifndef FMRT_THREADPOOL_H
#define FMRT_THREADPOOL_H

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
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

  /// Units per thread a loop is cut into by default: enough that a slowed
  /// thread's last unit is a small part of the loop, few enough that a
  /// unit's fixed costs (a GEMM's packing) stay small.
  static constexpr unsigned kUnitsPerThread = 4;

  /// Runs body(unitBegin, unitEnd, context) over contiguous units that cover
  /// [begin, end) exactly once, at most `unitsPerThread` times threads() of
  /// them, and returns when all have finished; units may run in any order,
  /// on any thread. Runs the whole range inline when it has fewer than two
  /// indices, when called from inside a parallel loop (so nested loops
  /// cannot deadlock), or when another thread's loop holds the pool.
  void parallelFor(int64_t begin, int64_t end, Body body, void *context,
                   unsigned unitsPerThread = kUnitsPerThread);

  /// parallelFor over a callable taking (unitBegin, unitEnd).
  template <typename F>
  void parallelFor(int64_t begin, int64_t end, F &&f,
                   unsigned unitsPerThread = kUnitsPerThread) {
    using Callable = std::remove_reference_t<F>;
    parallelFor(
        begin, end,
        [](int64_t unitBegin, int64_t unitEnd, void *context) {
          (*static_cast<Callable *>(context))(unitBegin, unitEnd);
        },
        const_cast<void *>(static_cast<const void *>(&f)), unitsPerThread);
  }

private:
  /// The units of one thread's share that no thread has started, as one
  /// word, so that its owner (from the front) and others (from the back)
  /// claim a unit with one compare-and-swap: the loop's tag in the high 32
  /// bits, then the first and the end unit in 16 bits each.
  struct alignas(64) Share {
    std::atomic<uint64_t> units{0};
  };

  void work(unsigned index);
  /// Runs units of the loop tagged `tag` until none is left unstarted:
  /// first those of `thread`'s share, then the others'.
  void runUnits(unsigned thread, uint32_t tag);
  /// Claims a unit of `share` from its front or back; -1 when it has none
  /// left or belongs to another loop than `tag`.
  int64_t claim(unsigned share, bool fromFront, uint32_t tag);
  void runUnit(int64_t unit);

  std::vector<std::thread> workers_;
  std::unique_ptr<Share[]> shares_;
  std::mutex mutex_;
  std::condition_variable wake_, done_;
  /// Bumped for each loop handed to the workers; its low 32 bits tag the
  /// loop's shares. Written under mutex_; atomic so that workers can poll
  /// it without the lock.
  std::atomic<uint64_t> generation_{0};
  /// The running loop: written before its generation is published, read
  /// only by a thread that has claimed one of its units, so unchanged until
  /// all have finished.
  Body body_ = nullptr;
  void *context_ = nullptr;
  int64_t begin_ = 0, size_ = 0;
  uint32_t units_ = 0;
  std::atomic<uint32_t> finished_{0};
  std::atomic<bool> stopping_{false};
  /// Held by the thread whose loop the workers are running.
  std::atomic<bool> busy_{false};
};

} // namespace fmrt

#endif // FMRT_THREADPOOL_H

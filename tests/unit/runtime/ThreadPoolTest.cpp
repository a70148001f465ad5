//===- ThreadPoolTest.cpp - Parallel loops --------------------------------===//

#include "fmrt/ThreadPool.h"
#include "fmrt/fmrt.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <set>
#include <thread>
#include <utility>

using namespace fmrt;

namespace {

/// Runs a loop over [begin, end) and checks that its units are contiguous,
/// disjoint, at most `unitsPerThread` per thread, and cover every index
/// exactly once.
void expectExactCover(ThreadPool &pool, int64_t begin, int64_t end,
                      unsigned unitsPerThread = ThreadPool::kUnitsPerThread) {
  const int64_t size = std::max<int64_t>(end - begin, 0);
  std::unique_ptr<std::atomic<int>[]> visits(new std::atomic<int>[size]());
  std::mutex mutex;
  std::set<std::pair<int64_t, int64_t>> chunks;
  pool.parallelFor(
      begin, end,
      [&](int64_t chunkBegin, int64_t chunkEnd) {
        for (int64_t i = chunkBegin; i < chunkEnd; ++i)
          ++visits[i - begin];
        std::lock_guard<std::mutex> lock(mutex);
        chunks.insert({chunkBegin, chunkEnd});
      },
      unitsPerThread);
  for (int64_t i = 0; i < size; ++i)
    ASSERT_EQ(visits[i].load(), 1) << "index " << begin + i;
  EXPECT_LE(chunks.size(), pool.threads() * unitsPerThread);
  int64_t next = begin;
  for (auto [chunkBegin, chunkEnd] : chunks) {
    EXPECT_EQ(chunkBegin, next);
    EXPECT_LT(chunkBegin, chunkEnd);
    next = chunkEnd;
  }
  EXPECT_EQ(next, std::max(begin, end));
}

TEST(ThreadPoolTest, CoversEveryIndexExactlyOnce) {
  for (unsigned threads : {1u, 2u, 3u, 8u}) {
    ThreadPool pool(threads);
    EXPECT_EQ(pool.threads(), threads);
    for (auto [begin, end] :
         std::initializer_list<std::pair<int64_t, int64_t>>{{0, 0},
                                                            {5, 5},
                                                            {7, 3},
                                                            {0, 1},
                                                            {0, 2},
                                                            {0, 7},
                                                            {-5, 5},
                                                            {100, 1100},
                                                            {0, 100003}})
      for (unsigned units : {1u, ThreadPool::kUnitsPerThread, 100000u})
        expectExactCover(pool, begin, end, units);
  }
}

TEST(ThreadPoolTest, ManyShortLoopsEachCoverExactly) {
  // Loops that follow each other closely: a worker still looking for units
  // of one loop must not take the next loop's for it.
  ThreadPool pool(3);
  for (int round = 0; round < 5000; ++round)
    expectExactCover(pool, 0, 1 + round % 13);
}

TEST(ThreadPoolTest, UsesSeveralThreads) {
  ThreadPool pool(4);
  std::mutex mutex;
  std::set<std::thread::id> ids;
  // Each unit waits until all four have started, so that no thread can
  // take another's: every thread runs its own.
  std::atomic<int> started{0};
  pool.parallelFor(
      0, 4,
      [&](int64_t, int64_t) {
        ++started;
        const auto deadline =
            std::chrono::steady_clock::now() + std::chrono::seconds(10);
        while (started.load() < 4 &&
               std::chrono::steady_clock::now() < deadline)
          std::this_thread::yield();
        std::lock_guard<std::mutex> lock(mutex);
        ids.insert(std::this_thread::get_id());
      },
      1);
  EXPECT_EQ(ids.size(), 4u);
  EXPECT_EQ(ids.count(std::this_thread::get_id()), 1u);
}

TEST(ThreadPoolTest, OtherThreadsTakeASlowThreadsUnits) {
  // The calling thread's units are slow: the worker, done with its own,
  // takes those the caller has not started.
  ThreadPool pool(2);
  const std::thread::id caller = std::this_thread::get_id();
  std::atomic<int> callerUnits{0}, workerUnits{0};
  pool.parallelFor(0, 8, [&](int64_t begin, int64_t end) {
    EXPECT_EQ(end - begin, 1);
    if (std::this_thread::get_id() != caller) {
      ++workerUnits;
      return;
    }
    ++callerUnits;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  });
  EXPECT_EQ(callerUnits + workerUnits, 8);
  // Its own share was 4 units; it had started at most 3 when the worker
  // (150 ms to wake, at least) took the rest.
  EXPECT_LT(callerUnits.load(), 4);
  EXPECT_GT(workerUnits.load(), 4);
}

TEST(ThreadPoolTest, NestedLoopsRunInline) {
  ThreadPool pool(4);
  std::atomic<int64_t> sum{0};
  pool.parallelFor(0, 8, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i)
      pool.parallelFor(0, 100, [&](int64_t innerBegin, int64_t innerEnd) {
        for (int64_t j = innerBegin; j < innerEnd; ++j)
          sum += i * 100 + j;
      });
  });
  EXPECT_EQ(sum.load(), 800 * 799 / 2);
}

TEST(ThreadPoolTest, ConcurrentCallersBothFinish) {
  ThreadPool pool(3);
  std::atomic<int64_t> total{0};
  auto work = [&] {
    for (int round = 0; round < 200; ++round)
      pool.parallelFor(
          0, 1000, [&](int64_t begin, int64_t end) { total += end - begin; });
  };
  std::thread other(work);
  work();
  other.join();
  EXPECT_EQ(total.load(), 2 * 200 * 1000);
}

TEST(ThreadPoolTest, CEntryPointUsesTheGlobalPool) {
  EXPECT_EQ(fmrt_num_threads(),
            static_cast<int>(ThreadPool::global().threads()));
  EXPECT_GE(fmrt_num_threads(), 1);
  std::atomic<int64_t> sum{0};
  fmrt_parallel_for(
      10, 1010,
      [](int64_t begin, int64_t end, void *context) {
        for (int64_t i = begin; i < end; ++i)
          *static_cast<std::atomic<int64_t> *>(context) += i;
      },
      &sum);
  EXPECT_EQ(sum.load(), (10 + 1009) * 1000 / 2);
}

} // namespace

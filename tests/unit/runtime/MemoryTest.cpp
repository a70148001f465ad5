//===- MemoryTest.cpp - fmrt_alloc's block cache --------------------------===//
#include "fmrt/fmrt.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>

namespace {

TEST(Memory, BlocksAreAlignedAndWritable) {
  for (int64_t bytes : {1, 3, 64, 1000, 1 << 20}) {
    void *block = fmrt_alloc(bytes);
    ASSERT_NE(block, nullptr) << bytes;
    EXPECT_EQ(reinterpret_cast<uintptr_t>(block) % 64, 0u) << bytes;
    std::memset(block, 0xab, bytes);
    fmrt_free(block);
  }
  // Zero bytes still gives a block that can be freed.
  void *empty = fmrt_alloc(0);
  EXPECT_NE(empty, nullptr);
  fmrt_free(empty);
  fmrt_free(nullptr);
  fmrt_trim_memory();
}

TEST(MemoryDeathTest, OutOfMemoryAbortsWithTheSize) {
  // Compiled code cannot handle a null block; a message beats a segfault.
  // The runtime's thread pool may be running: re-execute rather than fork.
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_DEATH(fmrt_alloc(INT64_MAX / 4),
               "fmrt: out of memory allocating 2305843009213693952 bytes");
}

TEST(Memory, FreedBlocksServeTheNextAllocationOfTheirSize) {
  fmrt_trim_memory();
  void *first = fmrt_alloc(4 << 20);
  void *second = fmrt_alloc(4 << 20);
  ASSERT_NE(first, second);
  fmrt_free(first);
  // A different size does not take it.
  void *other = fmrt_alloc(8 << 20);
  EXPECT_NE(other, first);
  EXPECT_EQ(fmrt_alloc(4 << 20), first);
  fmrt_free(first);
  fmrt_free(second);
  fmrt_free(other);
  fmrt_trim_memory();
}

TEST(Memory, LiveBlocksNeverOverlap) {
  constexpr int kBlocks = 16;
  unsigned char *blocks[kBlocks];
  for (int round = 0; round < 3; ++round) {
    for (int i = 0; i < kBlocks; ++i) {
      blocks[i] = static_cast<unsigned char *>(fmrt_alloc(1000 + 64 * i % 3));
      std::memset(blocks[i], i, 1000);
    }
    for (int i = 0; i < kBlocks; ++i)
      for (int byte = 0; byte < 1000; byte += 97)
        ASSERT_EQ(blocks[i][byte], i) << "round " << round;
    for (int i = kBlocks - 1; i >= 0; --i)
      fmrt_free(blocks[i]);
  }
  fmrt_trim_memory();
}

} // namespace

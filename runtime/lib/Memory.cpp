//===- Memory.cpp - Buffers for compiled code -----------------------------===//
//
// A training step allocates the same few hundred temporaries, of the same
// sizes, on every call. Straight from malloc, each large one is a fresh
// mmap whose pages the kernel faults in and zeroes again: on a GPT step that
// was a third of the step's time. fmrt_alloc keeps freed blocks on
// per-size free lists instead, so from the second step on a step touches
// only memory it has touched before.
//
//===----------------------------------------------------------------------===//

#include "fmrt/fmrt.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace {

/// Block alignment: a cache line, and an AVX-512 vector.
constexpr size_t kAlignment = 64;
/// The block header holding the usable size sits in the alignment padding
/// before the pointer handed out.
constexpr size_t kHeader = kAlignment;
constexpr size_t kDefaultCacheMiB = 2048;

size_t cacheLimitBytes() {
  if (const char *text = std::getenv("FMRT_ALLOC_CACHE_MB")) {
    char *end = nullptr;
    errno = 0;
    const unsigned long long mib = std::strtoull(text, &end, 10);
    if (*text != '\0' && *end == '\0' && errno == 0 && mib < (1ull << 40))
      return static_cast<size_t>(mib) << 20;
    std::fprintf(stderr,
                 "fmrt: ignoring FMRT_ALLOC_CACHE_MB='%s' (expected a "
                 "number of MiB)\n",
                 text);
  }
  return kDefaultCacheMiB << 20;
}

class BlockCache {
public:
  static BlockCache &global() {
    // Never destroyed: artifacts' code may free blocks during exit.
    static auto *cache = new BlockCache();
    return *cache;
  }

  void *allocate(size_t bytes) {
    // Equal sizes are what repeats; rounding up lets near-equal ones share.
    bytes = (bytes + kAlignment - 1) / kAlignment * kAlignment;
    {
      std::lock_guard<std::mutex> lock(mutex);
      auto found = freeBlocks.find(bytes);
      if (found != freeBlocks.end() && !found->second.empty()) {
        void *block = found->second.back();
        found->second.pop_back();
        cachedBytes -= bytes;
        return block;
      }
    }
    void *raw = std::aligned_alloc(kAlignment, kHeader + bytes);
    if (!raw) {
      std::fprintf(stderr, "fmrt: out of memory allocating %zu bytes\n", bytes);
      std::abort();
    }
    *static_cast<size_t *>(raw) = bytes;
    return static_cast<char *>(raw) + kHeader;
  }

  void release(void *block) {
    if (!block)
      return;
    void *raw = static_cast<char *>(block) - kHeader;
    const size_t bytes = *static_cast<size_t *>(raw);
    {
      std::lock_guard<std::mutex> lock(mutex);
      if (cachedBytes + bytes <= limit) {
        freeBlocks[bytes].push_back(block);
        cachedBytes += bytes;
        return;
      }
    }
    std::free(raw);
  }

  void trim() {
    std::lock_guard<std::mutex> lock(mutex);
    for (auto &[bytes, blocks] : freeBlocks)
      for (void *block : blocks)
        std::free(static_cast<char *>(block) - kHeader);
    freeBlocks.clear();
    cachedBytes = 0;
  }

private:
  std::mutex mutex;
  std::unordered_map<size_t, std::vector<void *>> freeBlocks;
  size_t cachedBytes = 0;
  const size_t limit = cacheLimitBytes();
};

} // namespace

void *fmrt_alloc(int64_t bytes) {
  return BlockCache::global().allocate(bytes > 0 ? static_cast<size_t>(bytes)
                                                 : 1);
}

void fmrt_free(void *block) { BlockCache::global().release(block); }

void fmrt_trim_memory(void) { BlockCache::global().trim(); }

//===- Coverage.cpp - Edges this process has covered ----------------------===//
#include "fuzz/Coverage.h"

#include <cstring>

// The linker defines these around the section of inline 8-bit counters in
// the executable; without instrumentation the section does not exist and
// the weak references stay null.
extern "C" {
extern uint8_t __start___sancov_cntrs[] __attribute__((weak));
extern uint8_t __stop___sancov_cntrs[] __attribute__((weak));
}

namespace fm::fuzz {

EdgeCoverage::EdgeCoverage()
    : counters(__start___sancov_cntrs),
      size(counters ? __stop___sancov_cntrs - __start___sancov_cntrs : 0),
      seen(size) {}

size_t EdgeCoverage::absorbNew() {
  size_t fresh = 0;
  size_t i = 0;
  // Most counters are zero: skip them a word at a time.
  for (; i + 8 <= size; i += 8) {
    uint64_t word;
    std::memcpy(&word, counters + i, 8);
    if (!word)
      continue;
    for (size_t j = i; j < i + 8; ++j)
      if (counters[j] && !seen[j]) {
        seen[j] = 1;
        ++fresh;
      }
  }
  for (; i < size; ++i)
    if (counters[i] && !seen[i]) {
      seen[i] = 1;
      ++fresh;
    }
  total += fresh;
  return fresh;
}

} // namespace fm::fuzz

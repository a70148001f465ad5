//===- Coverage.h - Edges this process has covered --------------*- C++ -*-===//
//
// Reads the inline 8-bit edge counters that -fsanitize-coverage (the fuzz
// build's -fsanitize=fuzzer-no-link) puts into fmc's own code, so that the
// fuzzer can tell which mutation, and which pass of a pipeline, reached
// new code. libFuzzer clears the counters before every input; this keeps
// the union over the process's life. In a build without coverage there
// are no counters and nothing is ever new.
//
//===----------------------------------------------------------------------===//
#ifndef FM_FUZZ_COVERAGE_H
#define FM_FUZZ_COVERAGE_H

#include <cstddef>
#include <cstdint>
#include <vector>

namespace fm::fuzz {

class EdgeCoverage {
public:
  EdgeCoverage();
  /// Whether this build has coverage counters.
  bool available() const { return size != 0; }
  /// Marks the edges hit since the counters were last cleared as covered;
  /// returns how many of them were not covered before.
  size_t absorbNew();
  /// Edges covered so far.
  size_t covered() const { return total; }

private:
  const uint8_t *counters;
  size_t size;
  std::vector<uint8_t> seen;
  size_t total = 0;
};

} // namespace fm::fuzz

#endif // FM_FUZZ_COVERAGE_H

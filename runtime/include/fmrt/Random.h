//===- Random.h - Seeded, serializable random numbers -----------*- C++ -*-===//
//
// fmc's own generator (xoshiro256**, seeded through splitmix64) so results do
// not depend on the C++ library and the full state can be saved in a
// checkpoint and restored bit-exactly.
//
//===----------------------------------------------------------------------===//
#ifndef FMRT_RANDOM_H
#define FMRT_RANDOM_H

#include <array>
#include <cstdint>

namespace fmrt {

class Random {
public:
  explicit Random(uint64_t seed = 0);
  uint64_t nextU64();
  /// Uniform in [0, 1) with 53 random bits.
  double uniform();
  /// Uniform integer in [0, bound), bound > 0, without modulo bias.
  uint64_t below(uint64_t bound);
  /// Standard normal (Box-Muller; no cached second value, so the state is
  /// just the four words below).
  double normal();

  std::array<uint64_t, 4> state() const { return state_; }
  void setState(const std::array<uint64_t, 4> &state) { state_ = state; }

private:
  std::array<uint64_t, 4> state_;
};

} // namespace fmrt

#endif // FMRT_RANDOM_H

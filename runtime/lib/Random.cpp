//===- Random.cpp - Seeded, serializable random numbers -------------------===//
//
// xoshiro256** and splitmix64 as published by Blackman and Vigna
// (https://prng.di.unimi.it/); the exact output sequence is part of the
// checkpoint format, so it must not change.
//
//===----------------------------------------------------------------------===//

#include "fmrt/Random.h"

#include <cassert>
#include <cmath>

namespace fmrt {

namespace {

uint64_t splitMix64(uint64_t &state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

} // namespace

// splitmix64 spreads any seed (0 included) over the 256-bit state, which
// xoshiro needs to be non-zero; four consecutive outputs cannot all be zero.
Random::Random(uint64_t seed) {
  for (uint64_t &word : state_)
    word = splitMix64(seed);
}

uint64_t Random::nextU64() {
  const uint64_t result = rotl(state_[1] * 5, 7) * 9;
  const uint64_t t = state_[1] << 17;
  state_[2] ^= state_[0];
  state_[3] ^= state_[1];
  state_[1] ^= state_[2];
  state_[0] ^= state_[3];
  state_[2] ^= t;
  state_[3] = rotl(state_[3], 45);
  return result;
}

double Random::uniform() {
  return static_cast<double>(nextU64() >> 11) * 0x1p-53;
}

uint64_t Random::below(uint64_t bound) {
  assert(bound > 0 && "below() needs a positive bound");
  // Reject the lowest 2^64 mod bound values so that the remaining range is a
  // whole number of copies of [0, bound).
  const uint64_t threshold = -bound % bound;
  while (true) {
    const uint64_t r = nextU64();
    if (r >= threshold)
      return r % bound;
  }
}

double Random::normal() {
  // 1 - uniform() lies in (0, 1], so the logarithm is finite.
  const double u1 = 1.0 - uniform();
  const double u2 = uniform();
  constexpr double kTwoPi = 6.283185307179586476925286766559;
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(kTwoPi * u2);
}

} // namespace fmrt

//===- Generator.h - Random well-typed fm programs --------------*- C++ -*-===//
//
// Draws fm training programs for fuzzing: a function of `fm.param` weights
// and an `fm.data` batch that chains random ops, each built only where its
// constraints hold (broadcast-compatible shapes, contracted sizes, valid
// axes), and ends in a rank-0 f32 loss. Text, so that a case stays
// readable.
//
//===----------------------------------------------------------------------===//
#ifndef FM_FUZZ_GENERATOR_H
#define FM_FUZZ_GENERATOR_H

#include <cstdint>
#include <string>

namespace fm::fuzz {

struct GeneratorOptions {
  /// Ops in the body, before the loss.
  int ops = 8;
};

/// A random program (MLIR text) drawn from `seed`.
std::string generateProgram(uint64_t seed, const GeneratorOptions &options);

} // namespace fm::fuzz

#endif // FM_FUZZ_GENERATOR_H

//===- Harness.h - What fmc-fuzz's libFuzzer entry points do ----*- C++ -*-===//
//
// libFuzzer hands fmc-fuzz bytes; fmc-fuzz hands them here. An input is a
// fuzz case's .fmz text. Running one replays it through the oracles and
// aborts, with a "==fmc-fuzz== BUG" line naming the bug's signature, when
// one finds a bug, so that libFuzzer keeps the input as a crash. Mutating
// one follows Tzer's joint schedule: mutate the program and keep the
// pipeline; after `maxIRMisses` program mutations in a row that reached no
// new code, mutate the pipeline instead. A case that reaches new code is
// remembered with its pipeline shrunk to the elements that did, and
// mutations of it start from that.
//
// The environment configures a run (fork-mode children inherit it):
//   FMC_FUZZ_MODE       joint (default) | ir | pass | bytes
//   FMC_FUZZ_NMAX       the joint schedule's N_max (default 4)
//   FMC_FUZZ_LOWER_EVERY  lower one case in N for the CPU (default 4)
//   FMC_FUZZ_JIT_EVERY    JIT-compile and run one case in N (default 32;
//                         rounded to a multiple of the above). The lowering
//                         and LLVM's code generation would otherwise take
//                         most of the time; which cases they run on depends
//                         on the case's hash. The round trips and the
//                         compiled oracle run once per distinct module
//                         after the pipeline (docs/fuzzing.md).
//   FMC_FUZZ_STATS      append this process's counts to this file at exit
//
//===----------------------------------------------------------------------===//
#ifndef FM_FUZZ_HARNESS_H
#define FM_FUZZ_HARNESS_H

#include <cstddef>
#include <cstdint>

namespace fm::fuzz {

enum class FuzzMode { Joint, IR, Pass, Bytes };

/// libFuzzer's own byte mutator (LLVMFuzzerMutate).
using ByteMutator = size_t (*)(uint8_t *data, size_t size, size_t maxSize);

/// Reads the environment; call once before the others.
void initializeHarness(ByteMutator byteMutator);

/// Runs one input through the oracles; aborts on a bug.
void runInput(const uint8_t *data, size_t size);

/// Mutates the input in `data` (size `size`, room for `maxSize`) in place
/// and returns its new size.
size_t mutateInput(uint8_t *data, size_t size, size_t maxSize,
                   unsigned int seed);

/// Writes a cross-over of two inputs to `out` and returns its size.
size_t crossOverInputs(const uint8_t *first, size_t firstSize,
                       const uint8_t *second, size_t secondSize, uint8_t *out,
                       size_t maxSize, unsigned int seed);

} // namespace fm::fuzz

#endif // FM_FUZZ_HARNESS_H

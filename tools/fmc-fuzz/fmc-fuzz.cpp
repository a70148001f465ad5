//===- fmc-fuzz.cpp - libFuzzer entry points for fmc ----------------------===//
//
// A thin main: libFuzzer drives it (`fmc fuzz` runs it in fork mode); the
// work is in fuzz/Harness.cpp. Built only with -DFMC_ENABLE_FUZZ=ON.
//
//===----------------------------------------------------------------------===//
#include "fuzz/Harness.h"
#include "tests/lib/TestPasses.h"

extern "C" size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t maxSize);

extern "C" int LLVMFuzzerInitialize(int *, char ***) {
  fm::test::registerTestPasses();
  fm::fuzz::initializeHarness(LLVMFuzzerMutate);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  fm::fuzz::runInput(data, size);
  return 0;
}

extern "C" size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size,
                                          size_t maxSize, unsigned int seed) {
  return fm::fuzz::mutateInput(data, size, maxSize, seed);
}

extern "C" size_t LLVMFuzzerCustomCrossOver(const uint8_t *first,
                                            size_t firstSize,
                                            const uint8_t *second,
                                            size_t secondSize, uint8_t *out,
                                            size_t maxSize, unsigned int seed) {
  return fm::fuzz::crossOverInputs(first, firstSize, second, secondSize, out,
                                   maxSize, seed);
}

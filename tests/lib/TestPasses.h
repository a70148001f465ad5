//===- TestPasses.h - Passes for testing fmc's tools ------------*- C++ -*-===//
#ifndef FM_TESTS_LIB_TESTPASSES_H
#define FM_TESTS_LIB_TESTPASSES_H

namespace fm::test {

/// Registers `fm-test-inject-fault`: when the module holds an op named
/// `op`, it crashes (kind=crash), hangs (kind=hang), leaves IR that does
/// not verify (kind=invalid-ir) or replaces that op's result by its first
/// operand (kind=wrong-result). The fuzzer's reducer and campaigns are
/// tested on the bugs it plants; no fmc pipeline uses it.
void registerTestPasses();

} // namespace fm::test

#endif // FM_TESTS_LIB_TESTPASSES_H

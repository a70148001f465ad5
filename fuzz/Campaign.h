//===- Campaign.h - fmc fuzz: a fuzzing campaign ----------------*- C++ -*-===//
//
// Drives fmc-fuzz (libFuzzer in fork mode) for a time, reads its status
// lines into a live status line and coverage.csv (and coverage.svg),
// replays every input it saved as a crash, timeout or out-of-memory in a
// sandbox to get its bug signature, keeps one case per signature and
// reduces each. The output directory holds:
//   corpus/        the inputs libFuzzer kept (reused by a later campaign)
//   artifacts/     what libFuzzer saved as crashes, timeouts, OOMs
//   bugs/          one case per unique bug: N-KIND.fmz and N-KIND.reduced.fmz
//   coverage.csv   seconds,edges,execs,corpus,bugs
//   coverage.svg   edges over time
//   stats.txt      each fuzzing process's counts of valid programs
//   fuzzer.log     libFuzzer's output
//
//===----------------------------------------------------------------------===//
#ifndef FM_FUZZ_CAMPAIGN_H
#define FM_FUZZ_CAMPAIGN_H

#include "llvm/Support/raw_ostream.h"

#include <cstdint>
#include <string>
#include <vector>

namespace fm::fuzz {

struct CampaignOptions {
  /// The fmc-fuzz executable.
  std::string fuzzer;
  unsigned seconds = 600;
  unsigned jobs = 1;
  /// Seed corpora, read only.
  std::vector<std::string> seedCorpora;
  std::string outDir = "fuzz-out";
  /// joint | ir | pass | bytes
  std::string mode = "joint";
  uint64_t seed = 1;
  unsigned maxIRMisses = 4;
  /// Reduce every unique bug at the end.
  bool reduce = true;
  /// Rewrite one status line in place (a terminal) or print a line every
  /// few seconds (a log).
  bool liveStatus = false;
};

struct CampaignSummary {
  uint64_t execs = 0, edges = 0, corpus = 0;
  /// One reproducer per unique bug signature (reduced when asked to).
  std::vector<std::string> bugCases;
};

/// Runs a campaign, reporting progress and bugs to `log`. Fails with a
/// message when fmc-fuzz cannot run or the output directory cannot be
/// written.
llvm::Expected<CampaignSummary> runCampaign(const CampaignOptions &options,
                                            llvm::raw_ostream &log);

} // namespace fm::fuzz

#endif // FM_FUZZ_CAMPAIGN_H

//===- Data.h - Training data sources ---------------------------*- C++ -*-===//
//
// Batches for training steps, drawn from a seeded fmrt::Random so that a run
// (and a resumed run) sees exactly the same batches.
//
//===----------------------------------------------------------------------===//
#ifndef FMRT_DATA_H
#define FMRT_DATA_H

#include "fmrt/Random.h"
#include "fmrt/Status.h"
#include "fmrt/Tensor.h"

#include <string>

namespace fmrt {

/// A byte-level text corpus: every byte is a token in [0, 256).
class ByteCorpus {
public:
  static Expected<ByteCorpus> load(const std::string &path);

  size_t size() const { return bytes_.size(); }
  const std::string &path() const { return path_; }

  /// Fills `tokens` and `targets` (integer tensors of one shape [batch, seq])
  /// with random windows: row b holds bytes [o, o+seq) and [o+1, o+seq+1)
  /// for an offset o drawn uniformly. Fails when the corpus is shorter than
  /// seq + 1 bytes.
  Status sampleWindows(Random &random, Tensor &tokens, Tensor &targets) const;

private:
  std::string path_;
  std::string bytes_;
};

/// A learnable classification task: `classes` Gaussian clusters in
/// `features` dimensions. The cluster centres are N(0, 1) draws from `seed`;
/// a sample picks a class uniformly and adds N(0, noise^2) noise to its
/// centre.
class SyntheticClassification {
public:
  SyntheticClassification(int64_t features, int64_t classes, uint64_t seed,
                          double noise = 0.5);

  /// Fills `x` ([batch, features], float) and `labels` ([batch], integer).
  Status sample(Random &random, Tensor &x, Tensor &labels) const;

private:
  int64_t features_;
  int64_t classes_;
  double noise_;
  std::vector<double> centres_;
};

} // namespace fmrt

#endif // FMRT_DATA_H

//===- Data.cpp - Training data sources -----------------------------------===//
#include "fmrt/Data.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>

namespace fmrt {

Expected<ByteCorpus> ByteCorpus::load(const std::string &path) {
  std::ifstream file(path, std::ios::binary);
  if (!file)
    return Status::error(path + ": cannot open file: " + std::strerror(errno));
  ByteCorpus corpus;
  corpus.path_ = path;
  corpus.bytes_.assign(std::istreambuf_iterator<char>(file),
                       std::istreambuf_iterator<char>());
  if (file.bad())
    return Status::error(path + ": read error");
  return corpus;
}

Status ByteCorpus::sampleWindows(Random &random, Tensor &tokens,
                                 Tensor &targets) const {
  if (tokens.rank() != 2 || tokens.shape() != targets.shape())
    return Status::error("token windows need two [batch, seq] tensors");
  const int64_t batch = tokens.shape()[0], seq = tokens.shape()[1];
  const uint64_t window = static_cast<uint64_t>(seq) + 1;
  if (bytes_.size() < window)
    return Status::error(path_ + ": " + std::to_string(bytes_.size()) +
                         " bytes is shorter than one window of " +
                         std::to_string(window) + " bytes (seq + 1)");
  const uint64_t offsets = bytes_.size() - window + 1;
  for (int64_t row = 0; row < batch; ++row) {
    const uint64_t offset = random.below(offsets);
    for (int64_t t = 0; t < seq; ++t) {
      tokens.setInt(row * seq + t,
                    static_cast<unsigned char>(bytes_[offset + t]));
      targets.setInt(row * seq + t,
                     static_cast<unsigned char>(bytes_[offset + t + 1]));
    }
  }
  return Status::success();
}

SyntheticClassification::SyntheticClassification(int64_t features,
                                                 int64_t classes, uint64_t seed,
                                                 double noise)
    : features_(features), classes_(classes), noise_(noise),
      centres_(features * classes) {
  Random random(seed);
  for (double &value : centres_)
    value = random.normal();
}

Status SyntheticClassification::sample(Random &random, Tensor &x,
                                       Tensor &labels) const {
  if (x.rank() != 2 || x.shape()[1] != features_ || labels.rank() != 1 ||
      labels.shape()[0] != x.shape()[0])
    return Status::error("classification batches need x [batch, " +
                         std::to_string(features_) + "] and labels [batch]");
  for (int64_t row = 0; row < x.shape()[0]; ++row) {
    const int64_t label = static_cast<int64_t>(random.below(classes_));
    labels.setInt(row, label);
    for (int64_t f = 0; f < features_; ++f)
      x.setDouble(row * features_ + f,
                  centres_[label * features_ + f] + noise_ * random.normal());
  }
  return Status::success();
}

} // namespace fmrt

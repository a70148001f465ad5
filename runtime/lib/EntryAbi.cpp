//===- EntryAbi.cpp - How compiled fmc functions are called ---------------===//
#include "fmrt/EntryAbi.h"

#include <cstdint>

namespace fmrt {

namespace {
/// A memref descriptor as one array of 64-bit words (pointers are stored as
/// integers of the same size on the 64-bit targets fmc supports).
std::vector<int64_t> describe(const Tensor &tensor) {
  static_assert(sizeof(void *) == sizeof(int64_t), "64-bit targets only");
  auto pointer = reinterpret_cast<int64_t>(tensor.data());
  std::vector<int64_t> words = {pointer, pointer, /*offset=*/0};
  const Shape &shape = tensor.shape();
  words.insert(words.end(), shape.begin(), shape.end());
  std::vector<int64_t> strides(shape.size(), 1);
  for (size_t i = shape.size(); i-- > 1;)
    strides[i - 1] = strides[i] * shape[i];
  words.insert(words.end(), strides.begin(), strides.end());
  return words;
}
} // namespace

void callEntry(EntryFunction entry, const std::vector<const Tensor *> &inputs,
               const std::vector<Tensor *> &outputs) {
  std::vector<std::vector<int64_t>> descriptors;
  descriptors.reserve(inputs.size() + outputs.size());
  for (const Tensor *input : inputs)
    descriptors.push_back(describe(*input));
  for (Tensor *output : outputs)
    descriptors.push_back(describe(*output));
  std::vector<void *> args;
  for (std::vector<int64_t> &descriptor : descriptors)
    args.push_back(descriptor.data());
  entry(args.data());
}

} // namespace fmrt

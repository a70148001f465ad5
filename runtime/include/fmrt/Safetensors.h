//===- Safetensors.h - HuggingFace .safetensors files -----------*- C++ -*-===//
//
// Reads and writes checkpoints in the safetensors format: an 8-byte
// little-endian header length, a JSON header naming each tensor's dtype, shape
// and byte range, then the tensors' data back to back. Every fmrt::DType has
// a safetensors spelling (F8E4M3FN is "F8_E4M3", I1 is "BOOL").
//
//===----------------------------------------------------------------------===//
#ifndef FMRT_SAFETENSORS_H
#define FMRT_SAFETENSORS_H

#include "fmrt/Status.h"
#include "fmrt/Tensor.h"

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace fmrt {

struct SafetensorsFile {
  /// In file order of data offsets.
  std::vector<std::pair<std::string, Tensor>> tensors;
  /// The header's "__metadata__" string-to-string map.
  std::map<std::string, std::string> metadata;

  /// The tensor called `name`, or null.
  const Tensor *find(const std::string &name) const;
};

Expected<SafetensorsFile> readSafetensors(const std::string &path);
/// Writes the tensors in the given order. Writes atomically: to
/// "<path>.tmp-<pid>" then fsync + rename, so an interrupted write never
/// leaves a half-written file at `path`. Names must be unique, non-empty,
/// valid UTF-8 and not "__metadata__".
Status writeSafetensors(const std::string &path, const SafetensorsFile &file);

} // namespace fmrt

#endif // FMRT_SAFETENSORS_H

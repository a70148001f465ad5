//===- Manifest.h - Artifact manifests --------------------------*- C++ -*-===//
//
// The JSON manifest an artifact exports through fmc_artifact_manifest(),
// parsed and validated (docs/artifact.md is the format's reference).
//
//===----------------------------------------------------------------------===//
#ifndef FMRT_LIB_MANIFEST_H
#define FMRT_LIB_MANIFEST_H

#include "fmrt/ApiResult.h"
#include "fmrt/Tensor.h"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace fmrt::detail {

/// An argument or a result of a function.
struct ValueSpec {
  std::string name;
  DType dtype = DType::F32;
  Shape shape;
  /// Arguments only.
  fmrt_role role = FMRT_ROLE_NONE;
  /// Results only: the argument this result replaces on the next step.
  int64_t feeds = -1;
};

struct FunctionSpec {
  std::string name;
  std::string symbol;
  std::vector<ValueSpec> args;
  std::vector<ValueSpec> results;
};

/// Planned bytes per category.
struct MemoryPlan {
  int64_t weights = 0;
  int64_t gradients = 0;
  int64_t optimizerState = 0;
  int64_t activations = 0;
  int64_t workspace = 0;
  int64_t peak = 0;
};

struct Manifest {
  int64_t version = 0;
  std::string fmcVersion;
  std::string triple;
  std::string cpu;
  std::string features;
  std::vector<FunctionSpec> functions;
  std::optional<MemoryPlan> memoryPlan;
};

/// Parses and validates a manifest. Fails with FMRT_VERSION_MISMATCH for a
/// format version other than FMRT_ARTIFACT_VERSION, otherwise with
/// FMRT_FORMAT_ERROR; messages do not name the artifact.
ApiResult<Manifest> parseManifest(std::string_view json);

/// "64x128xf32", or "f32" for rank 0.
std::string describeType(DType dtype, const Shape &shape);

} // namespace fmrt::detail

#endif // FMRT_LIB_MANIFEST_H

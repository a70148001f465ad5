//===- Artifact.h - Loaded artifacts and their functions --------*- C++ -*-===//
//
// The C++ classes behind the C API's fmrt_artifact and fmrt_function. They
// live in fmrt::detail so that they never meet fmrt.hpp's wrapper classes of
// the same names.
//
//===----------------------------------------------------------------------===//
#ifndef FMRT_LIB_ARTIFACT_H
#define FMRT_LIB_ARTIFACT_H

#include "Manifest.h"

#include "fmrt/EntryAbi.h"

#include <memory>

namespace fmrt::detail {

/// Checks `tensor`'s dtype and shape against `spec`; `what` starts the
/// message ("train_step: input #2 ('w1')").
ApiStatus checkType(const std::string &what, const Tensor &tensor,
                    const ValueSpec &spec);

/// The code for a file that failed to load: FMRT_IO_ERROR when it cannot be
/// opened for reading, FMRT_FORMAT_ERROR when its contents are at fault.
fmrt_status loadErrorCode(const std::string &path);

class Function {
public:
  Function(FunctionSpec spec, EntryFunction entry)
      : spec_(std::move(spec)), entry_(entry) {}

  const FunctionSpec &spec() const { return spec_; }

  /// Checks a call: input and output counts, their dtypes and shapes, and
  /// that no output is also an input or another output. Null outputs stand
  /// for outputs the caller has yet to allocate.
  ApiStatus check(const std::vector<const Tensor *> &inputs,
                  const std::vector<const Tensor *> &outputs) const;
  /// Checks the call, then runs it; every output must be allocated.
  ApiStatus call(const std::vector<const Tensor *> &inputs,
                 const std::vector<Tensor *> &outputs) const;

private:
  FunctionSpec spec_;
  EntryFunction entry_;
};

class Artifact {
public:
  /// Loads and validates the artifact at `path` (see fmrt_artifact_load).
  static ApiResult<std::shared_ptr<const Artifact>>
  load(const std::string &path);

  Artifact(const Artifact &) = delete;
  Artifact &operator=(const Artifact &) = delete;

  const std::string &manifestJson() const { return manifestJson_; }
  const Manifest &manifest() const { return manifest_; }
  const std::vector<Function> &functions() const { return functions_; }
  /// NOT_FOUND names the functions there are.
  ApiResult<const Function *> function(std::string_view name) const;

private:
  struct LibraryCloser {
    void operator()(void *handle) const;
  };

  Artifact() = default;

  std::unique_ptr<void, LibraryCloser> library_;
  std::string manifestJson_;
  Manifest manifest_;
  std::vector<Function> functions_;
};

} // namespace fmrt::detail

#endif // FMRT_LIB_ARTIFACT_H

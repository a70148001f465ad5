//===- fmrt.hpp - Header-only C++ wrapper over the C API --------*- C++ -*-===//
//
// RAII classes over fmrt.h's handles. Like the C API they never throw:
// fallible calls return an ApiStatus or an ApiResult<T> carrying the
// fmrt_status code and fmrt_last_error()'s message. Only the C API crosses
// the library boundary, so this header works with any C++17 compiler and
// standard library.
//
//   auto artifact = fmrt::Artifact::load("gpt.so");
//   if (!artifact) { std::cerr << artifact.status().message(); return 1; }
//   auto session = fmrt::Session::create(*artifact, "train_step");
//   session->initialize(/*seed=*/0);
//   fmrt::ApiResult<double> loss = session->step({tokens, targets});
//
//===----------------------------------------------------------------------===//
#ifndef FMRT_FMRT_HPP
#define FMRT_FMRT_HPP

#include "fmrt/ApiResult.h"
#include "fmrt/fmrt.h"

#include <memory>
#include <string>
#include <vector>

namespace fmrt {

/// `code` with this thread's last error message.
inline ApiStatus lastStatus(fmrt_status code) {
  return code == FMRT_OK ? ApiStatus::success()
                         : ApiStatus::error(code, fmrt_last_error());
}

/// A tensor someone else owns: a session's state, a map's entry, a
/// TensorHandle.
class TensorView {
public:
  TensorView() = default;
  explicit TensorView(const fmrt_tensor *tensor) : tensor_(tensor) {}

  const fmrt_tensor *get() const { return tensor_; }
  fmrt_dtype dtype() const { return fmrt_tensor_dtype(tensor_); }
  std::vector<int64_t> shape() const {
    const int64_t *dims = fmrt_tensor_shape(tensor_);
    return std::vector<int64_t>(dims, dims + fmrt_tensor_rank(tensor_));
  }
  int64_t numElements() const { return fmrt_tensor_num_elements(tensor_); }
  template <typename T> const T *data() const {
    return static_cast<const T *>(fmrt_tensor_const_data(tensor_));
  }

private:
  const fmrt_tensor *tensor_ = nullptr;
};

/// A tensor this object owns.
class TensorHandle {
public:
  TensorHandle() = default;
  /// Takes ownership of `tensor`.
  explicit TensorHandle(fmrt_tensor *tensor) : tensor_(tensor) {}

  /// Zeros, or a copy of `data` (numElements * dtype size bytes).
  static ApiResult<TensorHandle> create(fmrt_dtype dtype,
                                        const std::vector<int64_t> &shape,
                                        const void *data = nullptr) {
    fmrt_tensor *tensor = nullptr;
    fmrt_status status = fmrt_tensor_create(
        dtype, shape.data(), static_cast<int64_t>(shape.size()), data, &tensor);
    if (status != FMRT_OK)
      return lastStatus(status);
    return TensorHandle(tensor);
  }
  static ApiResult<TensorHandle> loadNpy(const std::string &path) {
    fmrt_tensor *tensor = nullptr;
    fmrt_status status = fmrt_npy_load(path.c_str(), &tensor);
    if (status != FMRT_OK)
      return lastStatus(status);
    return TensorHandle(tensor);
  }
  ApiStatus saveNpy(const std::string &path) const {
    return lastStatus(fmrt_npy_save(path.c_str(), get()));
  }
  ApiResult<TensorHandle> clone() const {
    fmrt_tensor *copy = nullptr;
    fmrt_status status = fmrt_tensor_clone(get(), &copy);
    if (status != FMRT_OK)
      return lastStatus(status);
    return TensorHandle(copy);
  }

  explicit operator bool() const { return tensor_ != nullptr; }
  fmrt_tensor *get() const { return tensor_.get(); }
  fmrt_tensor *release() { return tensor_.release(); }
  TensorView view() const { return TensorView(get()); }
  /// So that handles can be passed where views are expected.
  operator TensorView() const { return view(); }

  fmrt_dtype dtype() const { return view().dtype(); }
  std::vector<int64_t> shape() const { return view().shape(); }
  int64_t numElements() const { return view().numElements(); }
  template <typename T> T *data() const {
    return static_cast<T *>(fmrt_tensor_data(get()));
  }

private:
  struct Deleter {
    void operator()(fmrt_tensor *tensor) const { fmrt_tensor_destroy(tensor); }
  };
  std::unique_ptr<fmrt_tensor, Deleter> tensor_;
};

namespace wrapper_detail {
inline std::vector<const fmrt_tensor *>
handles(const std::vector<TensorView> &views) {
  std::vector<const fmrt_tensor *> result;
  for (const TensorView &view : views)
    result.push_back(view.get());
  return result;
}
} // namespace wrapper_detail

/// A function of a loaded artifact; valid while the artifact is loaded.
class Function {
public:
  explicit Function(const fmrt_function *function) : function_(function) {}

  const fmrt_function *get() const { return function_; }
  std::string name() const { return fmrt_function_name(function_); }
  int64_t numArgs() const { return fmrt_function_num_args(function_); }
  int64_t numResults() const { return fmrt_function_num_results(function_); }
  /// Argument `index` (0 <= index < numArgs()).
  fmrt_value_info arg(int64_t index) const {
    fmrt_value_info info{};
    fmrt_function_arg(function_, index, &info);
    return info;
  }
  /// Result `index` (0 <= index < numResults()).
  fmrt_value_info result(int64_t index) const {
    fmrt_value_info info{};
    fmrt_function_result(function_, index, &info);
    return info;
  }

  /// Calls the function; `outputs` has one handle per result, and empty
  /// handles receive newly allocated results.
  ApiStatus call(const std::vector<TensorView> &inputs,
                 std::vector<TensorHandle> &outputs) const {
    std::vector<const fmrt_tensor *> in = wrapper_detail::handles(inputs);
    std::vector<fmrt_tensor *> out;
    for (const TensorHandle &output : outputs)
      out.push_back(output.get());
    fmrt_status status = fmrt_function_call(
        function_, in.data(), static_cast<int64_t>(in.size()), out.data(),
        static_cast<int64_t>(out.size()));
    if (status != FMRT_OK)
      return lastStatus(status);
    for (size_t i = 0; i < outputs.size(); ++i)
      if (!outputs[i])
        outputs[i] = TensorHandle(out[i]);
    return ApiStatus::success();
  }
  /// Calls the function on newly allocated results.
  ApiResult<std::vector<TensorHandle>>
  call(const std::vector<TensorView> &inputs) const {
    std::vector<TensorHandle> outputs(static_cast<size_t>(numResults()));
    if (ApiStatus status = call(inputs, outputs); !status.ok())
      return status;
    return outputs;
  }

private:
  const fmrt_function *function_;
};

class Artifact {
public:
  static ApiResult<Artifact> load(const std::string &path) {
    fmrt_artifact *artifact = nullptr;
    fmrt_status status = fmrt_artifact_load(path.c_str(), &artifact);
    if (status != FMRT_OK)
      return lastStatus(status);
    return Artifact(artifact);
  }

  const fmrt_artifact *get() const { return artifact_.get(); }
  std::string manifestJson() const {
    return fmrt_artifact_manifest_json(get());
  }
  fmrt_artifact_info info() const {
    fmrt_artifact_info info{};
    fmrt_artifact_get_info(get(), &info);
    return info;
  }
  std::vector<Function> functions() const {
    std::vector<Function> result;
    for (int64_t i = 0; i < fmrt_artifact_num_functions(get()); ++i)
      result.emplace_back(fmrt_artifact_function_at(get(), i));
    return result;
  }
  ApiResult<Function> function(const std::string &name) const {
    const fmrt_function *function = nullptr;
    fmrt_status status = fmrt_artifact_function(get(), name.c_str(), &function);
    if (status != FMRT_OK)
      return lastStatus(status);
    return Function(function);
  }

private:
  explicit Artifact(fmrt_artifact *artifact) : artifact_(artifact) {}
  struct Deleter {
    void operator()(fmrt_artifact *artifact) const {
      fmrt_artifact_unload(artifact);
    }
  };
  std::unique_ptr<fmrt_artifact, Deleter> artifact_;
};

/// A training step and its state (see fmrt_session in fmrt.h).
class Session {
public:
  static ApiResult<Session> create(const Artifact &artifact,
                                   const std::string &function) {
    fmrt_session *session = nullptr;
    fmrt_status status =
        fmrt_session_create(artifact.get(), function.c_str(), &session);
    if (status != FMRT_OK)
      return lastStatus(status);
    return Session(session);
  }

  fmrt_session *get() const { return session_.get(); }
  Function function() const { return Function(fmrt_session_function(get())); }
  int64_t stepCount() const { return fmrt_session_step_count(get()); }

  ApiStatus initialize(uint64_t seed) {
    return lastStatus(fmrt_session_initialize(get(), seed));
  }
  ApiResult<TensorView> state(const std::string &name) const {
    const fmrt_tensor *tensor = nullptr;
    fmrt_status status = fmrt_session_get_state(get(), name.c_str(), &tensor);
    if (status != FMRT_OK)
      return lastStatus(status);
    return TensorView(tensor);
  }
  ApiStatus setState(const std::string &name, TensorView value) {
    return lastStatus(fmrt_session_set_state(get(), name.c_str(), value.get()));
  }
  ApiStatus loadCheckpoint(const std::string &directory) {
    return lastStatus(fmrt_session_load_checkpoint(get(), directory.c_str()));
  }
  ApiStatus saveCheckpoint(const std::string &directory) const {
    return lastStatus(fmrt_session_save_checkpoint(get(), directory.c_str()));
  }
  /// Runs one step on the batch arguments, in order; returns the loss.
  ApiResult<double> step(const std::vector<TensorView> &batch) {
    std::vector<const fmrt_tensor *> handles = wrapper_detail::handles(batch);
    double loss = 0;
    fmrt_status status = fmrt_session_step(
        get(), handles.data(), static_cast<int64_t>(handles.size()), &loss);
    if (status != FMRT_OK)
      return lastStatus(status);
    return loss;
  }

private:
  explicit Session(fmrt_session *session) : session_(session) {}
  struct Deleter {
    void operator()(fmrt_session *session) const {
      fmrt_session_destroy(session);
    }
  };
  std::unique_ptr<fmrt_session, Deleter> session_;
};

} // namespace fmrt

#endif // FMRT_FMRT_HPP

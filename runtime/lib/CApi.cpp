//===- CApi.cpp - The C API of libfmrt ------------------------------------===//
//
// Thin: each function checks its pointers, converts handles and forwards to
// the C++ runtime, turning failures into a status code plus the thread's
// last-error message. Handles that the C API owns outright (artifacts,
// sessions) are structs defined here; handles that may be borrowed from a
// C++ object (tensors inside a session or map, functions inside an
// artifact) are that object's address cast to an opaque type.
//
//===----------------------------------------------------------------------===//

#include "Artifact.h"
#include "Json.h"
#include "Session.h"

#include "fmrt/Npy.h"
#include "fmrt/Safetensors.h"
#include "fmrt/fmrt.h"

#include <cstring>

using fmrt::ApiStatus;
using fmrt::DType;
using fmrt::SafetensorsFile;
using fmrt::Tensor;

struct fmrt_artifact {
  std::shared_ptr<const fmrt::detail::Artifact> impl;
};

struct fmrt_session {
  std::unique_ptr<fmrt::detail::Session> impl;
};

namespace {

// The C enum mirrors fmrt::DType, so conversions are casts.
static_assert(FMRT_F32 == static_cast<int>(DType::F32) &&
                  FMRT_F64 == static_cast<int>(DType::F64) &&
                  FMRT_F16 == static_cast<int>(DType::F16) &&
                  FMRT_BF16 == static_cast<int>(DType::BF16) &&
                  FMRT_F8E4M3FN == static_cast<int>(DType::F8E4M3FN) &&
                  FMRT_F8E5M2 == static_cast<int>(DType::F8E5M2) &&
                  FMRT_I32 == static_cast<int>(DType::I32) &&
                  FMRT_I64 == static_cast<int>(DType::I64) &&
                  FMRT_I1 == static_cast<int>(DType::I1),
              "fmrt_dtype must match fmrt::DType");

thread_local std::string lastError;

fmrt_status fail(fmrt_status code, std::string message) {
  lastError = std::move(message);
  return code;
}

fmrt_status report(const ApiStatus &status) {
  if (!status.ok())
    lastError = status.message();
  return status.code();
}

fmrt_status nullArgument(const char *function, const char *parameter) {
  return fail(FMRT_INVALID_ARGUMENT,
              std::string(function) + ": " + parameter + " is null");
}

bool validDType(fmrt_dtype dtype) {
  return dtype >= FMRT_F32 && dtype <= FMRT_I1;
}

Tensor *unwrap(fmrt_tensor *tensor) {
  return reinterpret_cast<Tensor *>(tensor);
}
const Tensor *unwrap(const fmrt_tensor *tensor) {
  return reinterpret_cast<const Tensor *>(tensor);
}
fmrt_tensor *wrap(Tensor *tensor) {
  return reinterpret_cast<fmrt_tensor *>(tensor);
}
const fmrt_tensor *wrap(const Tensor *tensor) {
  return reinterpret_cast<const fmrt_tensor *>(tensor);
}

SafetensorsFile *unwrap(fmrt_tensor_map *map) {
  return reinterpret_cast<SafetensorsFile *>(map);
}
const SafetensorsFile *unwrap(const fmrt_tensor_map *map) {
  return reinterpret_cast<const SafetensorsFile *>(map);
}

const fmrt::detail::Function *unwrap(const fmrt_function *function) {
  return reinterpret_cast<const fmrt::detail::Function *>(function);
}
const fmrt_function *wrap(const fmrt::detail::Function *function) {
  return reinterpret_cast<const fmrt_function *>(function);
}

/// Hands a new tensor to the caller through `out`.
fmrt_status giveTensor(Tensor tensor, fmrt_tensor **out) {
  *out = wrap(new Tensor(std::move(tensor)));
  return FMRT_OK;
}

void describe(const fmrt::detail::ValueSpec &value, fmrt_value_info *info) {
  info->name = value.name.c_str();
  info->dtype = static_cast<fmrt_dtype>(value.dtype);
  info->rank = static_cast<int64_t>(value.shape.size());
  info->shape = value.shape.empty() ? nullptr : value.shape.data();
  info->role = value.role;
  info->feeds = value.feeds;
}

/// `values[index]` described into `info`, for fmrt_function_arg/result.
fmrt_status describeAt(const char *function, const fmrt_function *handle,
                       int64_t index, fmrt_value_info *info, bool results) {
  if (!handle)
    return nullArgument(function, "function");
  if (!info)
    return nullArgument(function, "info");
  const fmrt::detail::FunctionSpec &spec = unwrap(handle)->spec();
  const auto &values = results ? spec.results : spec.args;
  if (index < 0 || index >= static_cast<int64_t>(values.size()))
    return fail(FMRT_INVALID_ARGUMENT,
                std::string(function) + ": index " + std::to_string(index) +
                    " is out of range: " + spec.name + " has " +
                    std::to_string(values.size()) +
                    (results ? " results" : " arguments"));
  describe(values[index], info);
  return FMRT_OK;
}

} // namespace

//===----------------------------------------------------------------------===//
// Status, versions, dtypes
//===----------------------------------------------------------------------===//

const char *fmrt_status_name(fmrt_status status) {
  switch (status) {
  case FMRT_OK:
    return "FMRT_OK";
  case FMRT_INVALID_ARGUMENT:
    return "FMRT_INVALID_ARGUMENT";
  case FMRT_NOT_FOUND:
    return "FMRT_NOT_FOUND";
  case FMRT_IO_ERROR:
    return "FMRT_IO_ERROR";
  case FMRT_FORMAT_ERROR:
    return "FMRT_FORMAT_ERROR";
  case FMRT_VERSION_MISMATCH:
    return "FMRT_VERSION_MISMATCH";
  case FMRT_SHAPE_MISMATCH:
    return "FMRT_SHAPE_MISMATCH";
  case FMRT_DTYPE_MISMATCH:
    return "FMRT_DTYPE_MISMATCH";
  case FMRT_INTERNAL:
    return "FMRT_INTERNAL";
  }
  return "FMRT_UNKNOWN_STATUS";
}

const char *fmrt_last_error(void) { return lastError.c_str(); }

const char *fmrt_version(void) { return FMRT_VERSION_STRING; }

const char *fmrt_dtype_name(fmrt_dtype dtype) {
  // Every name is a string literal, so its data is NUL-terminated.
  return validDType(dtype) ? fmrt::dtypeName(static_cast<DType>(dtype)).data()
                           : nullptr;
}

size_t fmrt_dtype_size(fmrt_dtype dtype) {
  return validDType(dtype) ? fmrt::dtypeSize(static_cast<DType>(dtype)) : 0;
}

//===----------------------------------------------------------------------===//
// Tensors
//===----------------------------------------------------------------------===//

fmrt_status fmrt_tensor_create(fmrt_dtype dtype, const int64_t *shape,
                               int64_t rank, const void *data,
                               fmrt_tensor **tensor) {
  constexpr const char *kFunction = "fmrt_tensor_create";
  if (!tensor)
    return nullArgument(kFunction, "tensor");
  if (!validDType(dtype))
    return fail(FMRT_INVALID_ARGUMENT, std::string(kFunction) +
                                           ": invalid dtype " +
                                           std::to_string(dtype));
  if (rank < 0)
    return fail(FMRT_INVALID_ARGUMENT, std::string(kFunction) +
                                           ": negative rank " +
                                           std::to_string(rank));
  if (rank > 0 && !shape)
    return nullArgument(kFunction, "shape");
  fmrt::Shape dims(shape, shape + rank);
  int64_t bytes = static_cast<int64_t>(fmrt::dtypeSize(DType(dtype)));
  for (int64_t dim : dims)
    if (dim < 0 || __builtin_mul_overflow(bytes, dim, &bytes))
      return fail(FMRT_INVALID_ARGUMENT, std::string(kFunction) +
                                             ": invalid shape " +
                                             fmrt::formatShape(dims));
  Tensor result(DType(dtype), std::move(dims));
  if (data)
    std::memcpy(result.data(), data, result.byteSize());
  return giveTensor(std::move(result), tensor);
}

fmrt_status fmrt_tensor_clone(const fmrt_tensor *tensor, fmrt_tensor **copy) {
  if (!tensor)
    return nullArgument("fmrt_tensor_clone", "tensor");
  if (!copy)
    return nullArgument("fmrt_tensor_clone", "copy");
  return giveTensor(*unwrap(tensor), copy);
}

void fmrt_tensor_destroy(fmrt_tensor *tensor) { delete unwrap(tensor); }

fmrt_dtype fmrt_tensor_dtype(const fmrt_tensor *tensor) {
  return tensor ? static_cast<fmrt_dtype>(unwrap(tensor)->dtype()) : FMRT_F32;
}

int64_t fmrt_tensor_rank(const fmrt_tensor *tensor) {
  return tensor ? unwrap(tensor)->rank() : 0;
}

const int64_t *fmrt_tensor_shape(const fmrt_tensor *tensor) {
  return tensor && unwrap(tensor)->rank() > 0 ? unwrap(tensor)->shape().data()
                                              : nullptr;
}

void fmrt_tensor_strides(const fmrt_tensor *tensor, int64_t *strides) {
  if (!tensor || !strides)
    return;
  const fmrt::Shape &shape = unwrap(tensor)->shape();
  int64_t stride = 1;
  for (size_t i = shape.size(); i-- > 0;) {
    strides[i] = stride;
    stride *= shape[i];
  }
}

int64_t fmrt_tensor_num_elements(const fmrt_tensor *tensor) {
  return tensor ? unwrap(tensor)->numElements() : 0;
}

size_t fmrt_tensor_byte_size(const fmrt_tensor *tensor) {
  return tensor ? unwrap(tensor)->byteSize() : 0;
}

void *fmrt_tensor_data(fmrt_tensor *tensor) {
  return tensor ? unwrap(tensor)->data() : nullptr;
}

const void *fmrt_tensor_const_data(const fmrt_tensor *tensor) {
  return tensor ? unwrap(tensor)->data() : nullptr;
}

fmrt_status fmrt_npy_load(const char *path, fmrt_tensor **tensor) {
  if (!path)
    return nullArgument("fmrt_npy_load", "path");
  if (!tensor)
    return nullArgument("fmrt_npy_load", "tensor");
  fmrt::Expected<Tensor> loaded = fmrt::readNpy(path);
  if (!loaded)
    return fail(fmrt::detail::loadErrorCode(path), loaded.status().message());
  return giveTensor(loaded.take(), tensor);
}

fmrt_status fmrt_npy_save(const char *path, const fmrt_tensor *tensor) {
  if (!path)
    return nullArgument("fmrt_npy_save", "path");
  if (!tensor)
    return nullArgument("fmrt_npy_save", "tensor");
  fmrt::Status saved = fmrt::writeNpy(path, *unwrap(tensor));
  return saved.ok() ? FMRT_OK : fail(FMRT_IO_ERROR, saved.message());
}

//===----------------------------------------------------------------------===//
// Tensor maps
//===----------------------------------------------------------------------===//

fmrt_status fmrt_tensor_map_create(fmrt_tensor_map **map) {
  if (!map)
    return nullArgument("fmrt_tensor_map_create", "map");
  *map = reinterpret_cast<fmrt_tensor_map *>(new SafetensorsFile());
  return FMRT_OK;
}

void fmrt_tensor_map_destroy(fmrt_tensor_map *map) { delete unwrap(map); }

int64_t fmrt_tensor_map_size(const fmrt_tensor_map *map) {
  return map ? static_cast<int64_t>(unwrap(map)->tensors.size()) : 0;
}

const char *fmrt_tensor_map_name(const fmrt_tensor_map *map, int64_t index) {
  if (index < 0 || index >= fmrt_tensor_map_size(map))
    return nullptr;
  return unwrap(map)->tensors[index].first.c_str();
}

const fmrt_tensor *fmrt_tensor_map_at(const fmrt_tensor_map *map,
                                      int64_t index) {
  if (index < 0 || index >= fmrt_tensor_map_size(map))
    return nullptr;
  return wrap(&unwrap(map)->tensors[index].second);
}

const fmrt_tensor *fmrt_tensor_map_find(const fmrt_tensor_map *map,
                                        const char *name) {
  return map && name ? wrap(unwrap(map)->find(name)) : nullptr;
}

fmrt_status fmrt_tensor_map_set(fmrt_tensor_map *map, const char *name,
                                const fmrt_tensor *tensor) {
  constexpr const char *kFunction = "fmrt_tensor_map_set";
  if (!map)
    return nullArgument(kFunction, "map");
  if (!name)
    return nullArgument(kFunction, "name");
  if (!tensor)
    return nullArgument(kFunction, "tensor");
  // The names a safetensors file can hold, checked here so that saving can
  // only fail for I/O reasons.
  if (!*name || std::strcmp(name, "__metadata__") == 0 ||
      !fmrt::isValidUtf8(name))
    return fail(FMRT_INVALID_ARGUMENT,
                std::string(kFunction) + ": '" + name +
                    "' cannot name a tensor (names are non-empty UTF-8 and "
                    "not \"__metadata__\")");
  auto &tensors = unwrap(map)->tensors;
  for (auto &[existing, value] : tensors)
    if (existing == name) {
      value = *unwrap(tensor);
      return FMRT_OK;
    }
  tensors.emplace_back(name, *unwrap(tensor));
  return FMRT_OK;
}

fmrt_status fmrt_safetensors_load(const char *path, fmrt_tensor_map **map) {
  if (!path)
    return nullArgument("fmrt_safetensors_load", "path");
  if (!map)
    return nullArgument("fmrt_safetensors_load", "map");
  fmrt::Expected<SafetensorsFile> file = fmrt::readSafetensors(path);
  if (!file)
    return fail(fmrt::detail::loadErrorCode(path), file.status().message());
  *map = reinterpret_cast<fmrt_tensor_map *>(new SafetensorsFile(file.take()));
  return FMRT_OK;
}

fmrt_status fmrt_safetensors_save(const char *path,
                                  const fmrt_tensor_map *map) {
  if (!path)
    return nullArgument("fmrt_safetensors_save", "path");
  if (!map)
    return nullArgument("fmrt_safetensors_save", "map");
  fmrt::Status saved = fmrt::writeSafetensors(path, *unwrap(map));
  return saved.ok() ? FMRT_OK : fail(FMRT_IO_ERROR, saved.message());
}

//===----------------------------------------------------------------------===//
// Artifacts and functions
//===----------------------------------------------------------------------===//

fmrt_status fmrt_artifact_load(const char *path, fmrt_artifact **artifact) {
  if (!path)
    return nullArgument("fmrt_artifact_load", "path");
  if (!artifact)
    return nullArgument("fmrt_artifact_load", "artifact");
  auto loaded = fmrt::detail::Artifact::load(path);
  if (!loaded)
    return report(loaded.status());
  *artifact = new fmrt_artifact{loaded.take()};
  return FMRT_OK;
}

void fmrt_artifact_unload(fmrt_artifact *artifact) { delete artifact; }

const char *fmrt_artifact_manifest_json(const fmrt_artifact *artifact) {
  return artifact ? artifact->impl->manifestJson().c_str() : nullptr;
}

fmrt_status fmrt_artifact_get_info(const fmrt_artifact *artifact,
                                   fmrt_artifact_info *info) {
  if (!artifact)
    return nullArgument("fmrt_artifact_get_info", "artifact");
  if (!info)
    return nullArgument("fmrt_artifact_get_info", "info");
  const fmrt::detail::Manifest &manifest = artifact->impl->manifest();
  const fmrt::detail::MemoryPlan plan =
      manifest.memoryPlan.value_or(fmrt::detail::MemoryPlan());
  *info = fmrt_artifact_info{manifest.version,
                             manifest.fmcVersion.c_str(),
                             manifest.triple.c_str(),
                             manifest.cpu.c_str(),
                             manifest.features.c_str(),
                             manifest.memoryPlan.has_value(),
                             plan.weights,
                             plan.gradients,
                             plan.optimizerState,
                             plan.activations,
                             plan.workspace,
                             plan.peak};
  return FMRT_OK;
}

int64_t fmrt_artifact_num_functions(const fmrt_artifact *artifact) {
  return artifact ? static_cast<int64_t>(artifact->impl->functions().size())
                  : 0;
}

const fmrt_function *fmrt_artifact_function_at(const fmrt_artifact *artifact,
                                               int64_t index) {
  if (index < 0 || index >= fmrt_artifact_num_functions(artifact))
    return nullptr;
  return wrap(&artifact->impl->functions()[index]);
}

fmrt_status fmrt_artifact_function(const fmrt_artifact *artifact,
                                   const char *name,
                                   const fmrt_function **function) {
  if (!artifact)
    return nullArgument("fmrt_artifact_function", "artifact");
  if (!name)
    return nullArgument("fmrt_artifact_function", "name");
  if (!function)
    return nullArgument("fmrt_artifact_function", "function");
  auto found = artifact->impl->function(name);
  if (!found)
    return report(found.status());
  *function = wrap(*found);
  return FMRT_OK;
}

const char *fmrt_function_name(const fmrt_function *function) {
  return function ? unwrap(function)->spec().name.c_str() : nullptr;
}

const char *fmrt_function_symbol(const fmrt_function *function) {
  return function ? unwrap(function)->spec().symbol.c_str() : nullptr;
}

int64_t fmrt_function_num_args(const fmrt_function *function) {
  return function ? static_cast<int64_t>(unwrap(function)->spec().args.size())
                  : 0;
}

int64_t fmrt_function_num_results(const fmrt_function *function) {
  return function
             ? static_cast<int64_t>(unwrap(function)->spec().results.size())
             : 0;
}

fmrt_status fmrt_function_arg(const fmrt_function *function, int64_t index,
                              fmrt_value_info *info) {
  return describeAt("fmrt_function_arg", function, index, info,
                    /*results=*/false);
}

fmrt_status fmrt_function_result(const fmrt_function *function, int64_t index,
                                 fmrt_value_info *info) {
  return describeAt("fmrt_function_result", function, index, info,
                    /*results=*/true);
}

fmrt_status fmrt_function_call(const fmrt_function *function,
                               const fmrt_tensor *const *inputs,
                               int64_t num_inputs, fmrt_tensor **outputs,
                               int64_t num_outputs) {
  constexpr const char *kFunction = "fmrt_function_call";
  if (!function)
    return nullArgument(kFunction, "function");
  if (num_inputs < 0 || num_outputs < 0)
    return fail(FMRT_INVALID_ARGUMENT,
                std::string(kFunction) + ": negative count");
  if (num_inputs > 0 && !inputs)
    return nullArgument(kFunction, "inputs");
  if (num_outputs > 0 && !outputs)
    return nullArgument(kFunction, "outputs");
  const fmrt::detail::Function &callee = *unwrap(function);
  std::vector<const Tensor *> in, given;
  for (int64_t i = 0; i < num_inputs; ++i)
    in.push_back(unwrap(inputs[i]));
  for (int64_t i = 0; i < num_outputs; ++i)
    given.push_back(unwrap(outputs[i]));
  if (ApiStatus s = callee.check(in, given); !s.ok())
    return report(s);
  // Only now allocate the missing outputs: a failed call leaves the slots
  // as they were.
  std::vector<std::unique_ptr<Tensor>> allocated(num_outputs);
  std::vector<Tensor *> out;
  for (int64_t i = 0; i < num_outputs; ++i) {
    if (!outputs[i]) {
      const fmrt::detail::ValueSpec &result = callee.spec().results[i];
      allocated[i] = std::make_unique<Tensor>(result.dtype, result.shape);
    }
    out.push_back(outputs[i] ? unwrap(outputs[i]) : allocated[i].get());
  }
  if (ApiStatus s = callee.call(in, out); !s.ok())
    return report(s);
  for (int64_t i = 0; i < num_outputs; ++i)
    if (allocated[i])
      outputs[i] = wrap(allocated[i].release());
  return FMRT_OK;
}

//===----------------------------------------------------------------------===//
// Sessions
//===----------------------------------------------------------------------===//

fmrt_status fmrt_session_create(const fmrt_artifact *artifact,
                                const char *function, fmrt_session **session) {
  if (!artifact)
    return nullArgument("fmrt_session_create", "artifact");
  if (!function)
    return nullArgument("fmrt_session_create", "function");
  if (!session)
    return nullArgument("fmrt_session_create", "session");
  auto created = fmrt::detail::Session::create(artifact->impl, function);
  if (!created)
    return report(created.status());
  *session = new fmrt_session{created.take()};
  return FMRT_OK;
}

void fmrt_session_destroy(fmrt_session *session) { delete session; }

const fmrt_function *fmrt_session_function(const fmrt_session *session) {
  return session ? wrap(&session->impl->function()) : nullptr;
}

int64_t fmrt_session_step_count(const fmrt_session *session) {
  return session ? session->impl->stepCount() : 0;
}

fmrt_status fmrt_session_initialize(fmrt_session *session, uint64_t seed) {
  if (!session)
    return nullArgument("fmrt_session_initialize", "session");
  session->impl->initialize(seed);
  return FMRT_OK;
}

fmrt_status fmrt_session_get_state(const fmrt_session *session,
                                   const char *name,
                                   const fmrt_tensor **tensor) {
  if (!session)
    return nullArgument("fmrt_session_get_state", "session");
  if (!name)
    return nullArgument("fmrt_session_get_state", "name");
  if (!tensor)
    return nullArgument("fmrt_session_get_state", "tensor");
  auto state = session->impl->state(name);
  if (!state)
    return report(state.status());
  *tensor = wrap(*state);
  return FMRT_OK;
}

fmrt_status fmrt_session_set_state(fmrt_session *session, const char *name,
                                   const fmrt_tensor *tensor) {
  if (!session)
    return nullArgument("fmrt_session_set_state", "session");
  if (!name)
    return nullArgument("fmrt_session_set_state", "name");
  if (!tensor)
    return nullArgument("fmrt_session_set_state", "tensor");
  return report(session->impl->setState(name, *unwrap(tensor)));
}

fmrt_status fmrt_session_load_checkpoint(fmrt_session *session,
                                         const char *directory) {
  if (!session)
    return nullArgument("fmrt_session_load_checkpoint", "session");
  if (!directory)
    return nullArgument("fmrt_session_load_checkpoint", "directory");
  return report(session->impl->loadCheckpoint(directory));
}

fmrt_status fmrt_session_save_checkpoint(const fmrt_session *session,
                                         const char *directory) {
  if (!session)
    return nullArgument("fmrt_session_save_checkpoint", "session");
  if (!directory)
    return nullArgument("fmrt_session_save_checkpoint", "directory");
  return report(session->impl->saveCheckpoint(directory));
}

fmrt_status fmrt_session_step(fmrt_session *session,
                              const fmrt_tensor *const *batch,
                              int64_t num_batch, double *loss) {
  if (!session)
    return nullArgument("fmrt_session_step", "session");
  if (num_batch < 0)
    return fail(FMRT_INVALID_ARGUMENT, "fmrt_session_step: negative count");
  if (num_batch > 0 && !batch)
    return nullArgument("fmrt_session_step", "batch");
  if (!loss)
    return nullArgument("fmrt_session_step", "loss");
  std::vector<const Tensor *> inputs;
  for (int64_t i = 0; i < num_batch; ++i)
    inputs.push_back(unwrap(batch[i]));
  auto stepped = session->impl->step(inputs);
  if (!stepped)
    return report(stepped.status());
  *loss = *stepped;
  return FMRT_OK;
}

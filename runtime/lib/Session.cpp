//===- Session.cpp - Training sessions ------------------------------------===//

#include "Session.h"

#include "fmrt/Checkpoint.h"
#include "fmrt/Init.h"

#include <map>
#include <set>

namespace fmrt::detail {

namespace {

bool isState(const ValueSpec &arg) {
  return arg.role == FMRT_ROLE_PARAM || arg.role == FMRT_ROLE_STATE;
}

} // namespace

Session::Session(std::shared_ptr<const Artifact> artifact,
                 const Function &function)
    : artifact_(std::move(artifact)), function_(&function),
      rngState_(Random(0).state()) {
  const FunctionSpec &spec = function.spec();
  args_.resize(spec.args.size());
  for (size_t i = 0; i < spec.args.size(); ++i) {
    if (!isState(spec.args[i])) {
      batchArgs_.push_back(i);
      continue;
    }
    stateArgs_.push_back(i);
    args_[i] = Tensor(spec.args[i].dtype, spec.args[i].shape);
  }
  for (const ValueSpec &result : spec.results)
    results_.emplace_back(result.dtype, result.shape);
}

ApiResult<std::unique_ptr<Session>>
Session::create(std::shared_ptr<const Artifact> artifact,
                std::string_view name) {
  ApiResult<const Function *> function = artifact->function(name);
  if (!function)
    return function.status();
  const FunctionSpec &spec = (*function)->spec();
  auto invalid = [&](const std::string &message) {
    return ApiStatus::error(FMRT_INVALID_ARGUMENT,
                            spec.name + ": cannot train: " + message);
  };
  if (spec.results.empty() || !spec.results[0].shape.empty() ||
      !isFloat(spec.results[0].dtype))
    return invalid("result #0 must be the loss, a scalar float");
  // State names key checkpoints.
  std::set<std::string_view> names;
  for (size_t i = 0; i < spec.args.size(); ++i) {
    const ValueSpec &arg = spec.args[i];
    if (!isState(arg))
      continue;
    if (arg.name.empty())
      return invalid("state argument #" + std::to_string(i) + " has no name");
    if (!names.insert(arg.name).second)
      return invalid("two state arguments are called '" + arg.name + "'");
  }
  for (size_t i = 0; i < spec.results.size(); ++i) {
    const int64_t feeds = spec.results[i].feeds;
    if (feeds >= 0 && !isState(spec.args[feeds]))
      return invalid("result #" + std::to_string(i) + " feeds argument #" +
                     std::to_string(feeds) + " ('" + spec.args[feeds].name +
                     "'), which is not a param or state argument");
  }
  return std::unique_ptr<Session>(new Session(std::move(artifact), **function));
}

void Session::initialize(uint64_t seed) {
  Random random(seed);
  for (size_t arg : stateArgs_) {
    const ValueSpec &spec = function_->spec().args[arg];
    args_[arg] = Tensor(spec.dtype, spec.shape);
    if (spec.role == FMRT_ROLE_PARAM)
      initializeParameter(args_[arg], spec.name, random);
  }
  steps_ = 0;
  seed_ = seed;
  rngState_ = Random(seed).state();
}

std::string Session::describeState(size_t arg) const {
  return function_->spec().name + ": state '" +
         function_->spec().args[arg].name + "'";
}

ApiResult<size_t> Session::findState(std::string_view name) const {
  for (size_t arg : stateArgs_)
    if (function_->spec().args[arg].name == name)
      return arg;
  return ApiStatus::error(FMRT_NOT_FOUND, function_->spec().name +
                                              " has no state tensor '" +
                                              std::string(name) + "'");
}

ApiResult<const Tensor *> Session::state(std::string_view name) const {
  ApiResult<size_t> arg = findState(name);
  if (!arg)
    return arg.status();
  return &args_[*arg];
}

ApiStatus Session::setState(std::string_view name, const Tensor &value) {
  ApiResult<size_t> arg = findState(name);
  if (!arg)
    return arg.status();
  if (ApiStatus s =
          checkType(describeState(*arg), value, function_->spec().args[*arg]);
      !s.ok())
    return s;
  args_[*arg] = value;
  return ApiStatus::success();
}

ApiStatus Session::loadCheckpoint(const std::string &directory) {
  const std::string file = checkpointFile(directory);
  Expected<Checkpoint> checkpoint = fmrt::loadCheckpoint(directory);
  if (!checkpoint)
    return ApiStatus::error(loadErrorCode(file), checkpoint.status().message());
  const std::string &function = function_->spec().name;
  std::map<std::string, Tensor *> byName;
  for (auto &[name, tensor] : checkpoint->tensors)
    byName[name] = &tensor;
  // Everything is checked before the state changes.
  std::vector<Tensor> restored;
  for (size_t arg : stateArgs_) {
    const ValueSpec &spec = function_->spec().args[arg];
    auto found = byName.find(spec.name);
    if (found == byName.end())
      return ApiStatus::error(
          FMRT_NOT_FOUND, file + ": the checkpoint has no tensor '" +
                              spec.name + "' that " + function + " needs (" +
                              describeType(spec.dtype, spec.shape) + ")");
    Tensor tensor = std::move(*found->second);
    byName.erase(found);
    // The interpreter's f64 mode saves float state as f64.
    if (tensor.dtype() == DType::F64 && isFloat(spec.dtype))
      tensor = convertTensor(tensor, spec.dtype);
    if (ApiStatus s = checkType(file + ": checkpoint tensor '" + spec.name +
                                    "' for " + function,
                                tensor, spec);
        !s.ok())
      return s;
    restored.push_back(std::move(tensor));
  }
  if (!byName.empty())
    return ApiStatus::error(FMRT_INVALID_ARGUMENT,
                            file + ": the checkpoint has tensor '" +
                                byName.begin()->first + "' that " + function +
                                " does not have");
  for (size_t i = 0; i < stateArgs_.size(); ++i)
    args_[stateArgs_[i]] = std::move(restored[i]);
  steps_ = checkpoint->step;
  seed_ = checkpoint->seed;
  rngState_ = checkpoint->rngState;
  return ApiStatus::success();
}

ApiStatus Session::saveCheckpoint(const std::string &directory) const {
  Checkpoint checkpoint;
  for (size_t arg : stateArgs_)
    checkpoint.tensors.emplace_back(function_->spec().args[arg].name,
                                    args_[arg]);
  checkpoint.step = steps_;
  checkpoint.seed = seed_;
  checkpoint.rngState = rngState_;
  Status saved = fmrt::saveCheckpoint(directory, checkpoint);
  if (!saved.ok())
    return ApiStatus::error(FMRT_IO_ERROR, saved.message());
  return ApiStatus::success();
}

ApiResult<double> Session::step(const std::vector<const Tensor *> &batch) {
  const FunctionSpec &spec = function_->spec();
  if (batch.size() != batchArgs_.size()) {
    std::string names;
    for (size_t arg : batchArgs_)
      names += (names.empty() ? "" : ", ") + spec.args[arg].name;
    return ApiStatus::error(FMRT_INVALID_ARGUMENT,
                            spec.name + ": expected " +
                                std::to_string(batchArgs_.size()) +
                                " batch inputs (" + names + "), got " +
                                std::to_string(batch.size()));
  }
  std::vector<const Tensor *> inputs(args_.size());
  for (size_t arg : stateArgs_)
    inputs[arg] = &args_[arg];
  for (size_t i = 0; i < batch.size(); ++i)
    inputs[batchArgs_[i]] = batch[i];
  std::vector<Tensor *> outputs;
  for (Tensor &result : results_)
    outputs.push_back(&result);
  if (ApiStatus s = function_->call(inputs, outputs); !s.ok())
    return s;
  const double loss = results_[0].getDouble(0);
  for (size_t i = 0; i < results_.size(); ++i)
    if (spec.results[i].feeds >= 0)
      std::swap(args_[spec.results[i].feeds], results_[i]);
  ++steps_;
  return loss;
}

} // namespace fmrt::detail

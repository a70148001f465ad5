//===- Manifest.cpp - Artifact manifests ----------------------------------===//
//
// Parsing runs twice over the text. The first pass reads only "format" and
// "version", so that a manifest of another format version is reported as a
// version mismatch whatever else changed in its schema. The second pass reads
// the schema of version 1, skipping keys it does not know (later compilers
// may add some) but rejecting duplicate keys, missing keys and values of the
// wrong type. Last, the manifest is checked as a whole: unique function
// names, sizes that fit in memory, `feeds` indices that name an argument of
// the same type.
//
//===----------------------------------------------------------------------===//

#include "Manifest.h"

#include "Json.h"

#include <limits>
#include <set>

namespace fmrt::detail {

namespace {

constexpr std::string_view kFormat = "fmc-artifact";

/// Parses an object whose known keys `member(key)` handles, rejecting
/// duplicate keys and recording the keys seen in `keys`.
template <typename F>
Status parseMembers(JsonReader &json, const std::string &where,
                    std::set<std::string> &keys, F &&member) {
  return json.parseObject([&](std::string key) -> Status {
    if (!keys.insert(key).second)
      return Status::error(where + ": duplicate key '" + key + "'");
    return member(key);
  });
}

Status requireKeys(const std::set<std::string> &keys, const std::string &where,
                   std::initializer_list<std::string_view> required) {
  for (std::string_view key : required)
    if (!keys.count(std::string(key)))
      return Status::error(where + ": missing key '" + std::string(key) + "'");
  return Status::success();
}

Status parseRole(const std::string &text, const std::string &where,
                 fmrt_role &role) {
  if (text == "param")
    role = FMRT_ROLE_PARAM;
  else if (text == "state")
    role = FMRT_ROLE_STATE;
  else if (text == "data")
    role = FMRT_ROLE_DATA;
  else if (text.empty())
    role = FMRT_ROLE_NONE;
  else
    return Status::error(where + ": unknown role '" + text +
                         "' (expected \"param\", \"state\", \"data\" or \"\")");
  return Status::success();
}

/// The schema of format version 1.
class ManifestParser {
public:
  explicit ManifestParser(std::string_view text)
      : json_(text, "manifest JSON") {}

  Expected<Manifest> parse() {
    Manifest manifest;
    std::set<std::string> keys;
    Status parsed =
        parseMembers(json_, "manifest", keys, [&](const std::string &key) {
          if (key == "format") {
            std::string ignored; // checked by the first pass
            return json_.parseString(ignored);
          }
          if (key == "version")
            return json_.parseInteger(manifest.version);
          if (key == "fmc_version")
            return json_.parseString(manifest.fmcVersion);
          if (key == "target")
            return parseTarget(manifest);
          if (key == "functions")
            return parseFunctions(manifest.functions);
          if (key == "memory_plan")
            return parseMemoryPlan(manifest.memoryPlan.emplace());
          return json_.skipValue();
        });
    if (!parsed.ok())
      return parsed;
    if (Status s = requireKeys(keys, "manifest", {"target", "functions"});
        !s.ok())
      return s;
    return manifest;
  }

private:
  Status parseTarget(Manifest &manifest) {
    std::set<std::string> keys;
    Status parsed = parseMembers(
        json_, "manifest.target", keys, [&](const std::string &key) {
          if (key == "triple")
            return json_.parseString(manifest.triple);
          if (key == "cpu")
            return json_.parseString(manifest.cpu);
          if (key == "features")
            return json_.parseString(manifest.features);
          return json_.skipValue();
        });
    if (!parsed.ok())
      return parsed;
    return requireKeys(keys, "manifest.target", {"triple"});
  }

  Status parseFunctions(std::vector<FunctionSpec> &functions) {
    return json_.parseArray([&]() {
      return parseFunction("manifest.functions[" +
                               std::to_string(functions.size()) + "]",
                           functions.emplace_back());
    });
  }

  Status parseFunction(const std::string &where, FunctionSpec &function) {
    std::set<std::string> keys;
    Status parsed =
        parseMembers(json_, where, keys, [&](const std::string &key) {
          if (key == "name")
            return json_.parseString(function.name);
          if (key == "symbol")
            return json_.parseString(function.symbol);
          if (key == "args")
            return parseValues(where + ".args", /*isArg=*/true, function.args);
          if (key == "results")
            return parseValues(where + ".results", /*isArg=*/false,
                               function.results);
          return json_.skipValue();
        });
    if (!parsed.ok())
      return parsed;
    return requireKeys(keys, where, {"name", "symbol", "args", "results"});
  }

  Status parseValues(const std::string &where, bool isArg,
                     std::vector<ValueSpec> &values) {
    return json_.parseArray([&]() {
      return parseValue(where + "[" + std::to_string(values.size()) + "]",
                        isArg, values.emplace_back());
    });
  }

  Status parseValue(const std::string &where, bool isArg, ValueSpec &value) {
    std::set<std::string> keys;
    Status parsed =
        parseMembers(json_, where, keys, [&](const std::string &key) {
          if (key == "name")
            return json_.parseString(value.name);
          if (key == "dtype")
            return parseDTypeValue(where, value.dtype);
          if (key == "shape")
            return parseShape(where, value.shape);
          if (isArg && key == "role") {
            std::string role;
            if (Status s = json_.parseString(role); !s.ok())
              return s;
            return parseRole(role, where, value.role);
          }
          if (!isArg && key == "feeds")
            return json_.parseInteger(value.feeds);
          return json_.skipValue();
        });
    if (!parsed.ok())
      return parsed;
    return requireKeys(keys, where, {"name", "dtype", "shape"});
  }

  Status parseDTypeValue(const std::string &where, DType &dtype) {
    std::string name;
    if (Status s = json_.parseString(name); !s.ok())
      return s;
    std::optional<DType> parsed = parseDType(name);
    if (!parsed)
      return Status::error(where + ": unknown dtype '" + name + "'");
    dtype = *parsed;
    return Status::success();
  }

  Status parseShape(const std::string &where, Shape &shape) {
    std::vector<uint64_t> dims;
    if (Status s = json_.parseUnsignedArray(dims); !s.ok())
      return s;
    for (uint64_t dim : dims) {
      if (dim > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
        return Status::error(where + ": dimension " + std::to_string(dim) +
                             " is too large");
      shape.push_back(static_cast<int64_t>(dim));
    }
    return Status::success();
  }

  Status parseMemoryPlan(MemoryPlan &plan) {
    std::set<std::string> keys;
    const std::pair<std::string_view, int64_t *> fields[] = {
        {"weights", &plan.weights},
        {"gradients", &plan.gradients},
        {"optimizer_state", &plan.optimizerState},
        {"activations", &plan.activations},
        {"workspace", &plan.workspace},
        {"peak", &plan.peak},
    };
    return parseMembers(
        json_, "manifest.memory_plan", keys,
        [&](const std::string &key) -> Status {
          for (const auto &[name, field] : fields) {
            if (key != name)
              continue;
            uint64_t bytes;
            if (Status s = json_.parseUnsigned(bytes); !s.ok())
              return s;
            if (bytes >
                static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
              return Status::error("manifest.memory_plan." + key +
                                   " is too large");
            *field = static_cast<int64_t>(bytes);
            return Status::success();
          }
          return json_.skipValue();
        });
  }

  JsonReader json_;
};

/// The first pass: "format" and "version" alone.
ApiStatus checkVersion(std::string_view text) {
  auto malformed = [](const Status &status) {
    return ApiStatus::error(FMRT_FORMAT_ERROR, status.message());
  };
  JsonReader json(text, "manifest JSON");
  std::optional<std::string> format;
  std::optional<int64_t> version;
  std::set<std::string> keys;
  Status parsed =
      parseMembers(json, "manifest", keys, [&](const std::string &key) {
        if (key == "format")
          return json.parseString(format.emplace());
        if (key == "version")
          return json.parseInteger(version.emplace());
        return json.skipValue();
      });
  if (!parsed.ok())
    return malformed(parsed);
  if (Status s = json.expectEnd("unexpected text after the manifest object");
      !s.ok())
    return malformed(s);
  if (!format || *format != kFormat)
    return ApiStatus::error(FMRT_FORMAT_ERROR,
                            "not an fmc artifact manifest: \"format\" is " +
                                (format ? "'" + *format + "'" : "missing") +
                                ", expected '" + std::string(kFormat) + "'");
  if (!version)
    return ApiStatus::error(FMRT_FORMAT_ERROR,
                            "manifest: missing key 'version'");
  if (*version != FMRT_ARTIFACT_VERSION)
    return ApiStatus::error(
        FMRT_VERSION_MISMATCH,
        "artifact format version " + std::to_string(*version) +
            ", this runtime reads " + std::to_string(FMRT_ARTIFACT_VERSION));
  return ApiStatus::success();
}

/// Whether a buffer of `shape` elements of `dtype` has a size in int64_t.
bool fitsInMemory(DType dtype, const Shape &shape) {
  int64_t bytes = static_cast<int64_t>(dtypeSize(dtype));
  for (int64_t dim : shape)
    if (__builtin_mul_overflow(bytes, dim, &bytes))
      return false;
  return true;
}

std::string describeValue(const char *kind, size_t index,
                          const ValueSpec &value) {
  return std::string(kind) + " #" + std::to_string(index) + " ('" + value.name +
         "')";
}

/// The checks that span several values of a manifest.
Status validate(const Manifest &manifest) {
  std::set<std::string_view> names;
  for (const FunctionSpec &function : manifest.functions) {
    if (function.name.empty() || function.symbol.empty())
      return Status::error("a function has an empty name or symbol");
    if (!names.insert(function.name).second)
      return Status::error("duplicate function '" + function.name + "'");
    const std::string where = "function '" + function.name + "'";
    for (size_t i = 0; i < function.args.size(); ++i)
      if (!fitsInMemory(function.args[i].dtype, function.args[i].shape))
        return Status::error(where + ": " +
                             describeValue("argument", i, function.args[i]) +
                             " is too large");
    std::vector<bool> fed(function.args.size(), false);
    for (size_t i = 0; i < function.results.size(); ++i) {
      const ValueSpec &result = function.results[i];
      const std::string resultText = describeValue("result", i, result);
      if (!fitsInMemory(result.dtype, result.shape))
        return Status::error(where + ": " + resultText + " is too large");
      if (result.feeds == -1)
        continue;
      if (result.feeds < 0 ||
          result.feeds >= static_cast<int64_t>(function.args.size()))
        return Status::error(where + ": " + resultText + " feeds argument " +
                             std::to_string(result.feeds) + ", but there are " +
                             std::to_string(function.args.size()) +
                             " arguments");
      const ValueSpec &arg = function.args[result.feeds];
      if (arg.dtype != result.dtype || arg.shape != result.shape)
        return Status::error(where + ": " + resultText + " is " +
                             describeType(result.dtype, result.shape) +
                             " but feeds " +
                             describeValue("argument", result.feeds, arg) +
                             " of type " + describeType(arg.dtype, arg.shape));
      if (fed[result.feeds])
        return Status::error(where + ": two results feed " +
                             describeValue("argument", result.feeds, arg));
      fed[result.feeds] = true;
    }
  }
  return Status::success();
}

} // namespace

std::string describeType(DType dtype, const Shape &shape) {
  std::string text = formatShape(shape);
  return text + (text.empty() ? "" : "x") + std::string(dtypeName(dtype));
}

ApiResult<Manifest> parseManifest(std::string_view json) {
  // JsonReader copies string bytes unchecked.
  if (!isValidUtf8(json))
    return ApiStatus::error(FMRT_FORMAT_ERROR, "manifest is not valid UTF-8");
  if (ApiStatus s = checkVersion(json); !s.ok())
    return s;
  Expected<Manifest> manifest = ManifestParser(json).parse();
  if (!manifest)
    return ApiStatus::error(FMRT_FORMAT_ERROR, manifest.status().message());
  if (Status s = validate(*manifest); !s.ok())
    return ApiStatus::error(FMRT_FORMAT_ERROR,
                            "invalid manifest: " + s.message());
  return manifest.take();
}

} // namespace fmrt::detail

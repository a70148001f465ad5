//===- Checkpoint.cpp - Training checkpoints ------------------------------===//
#include "fmrt/Checkpoint.h"
#include "fmrt/Safetensors.h"

#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <sys/stat.h>

namespace fmrt {

namespace {
constexpr const char *kFormatKey = "format";
constexpr const char *kFormat = "fmc-checkpoint-1";
constexpr const char *kStepKey = "step";
constexpr const char *kSeedKey = "seed";
constexpr const char *kRngKey = "rng";

/// A non-negative decimal integer filling all of `text`.
template <typename Int> bool parseDecimal(const std::string *text, Int &value) {
  if (!text || text->empty() || (*text)[0] == '-')
    return false;
  char *end = nullptr;
  errno = 0;
  unsigned long long parsed = std::strtoull(text->c_str(), &end, 10);
  value = static_cast<Int>(parsed);
  return *end == '\0' && errno == 0 &&
         static_cast<unsigned long long>(value) == parsed && value >= 0;
}

/// mkdir -p.
Status createDirectories(const std::string &path) {
  for (size_t slash = path.find('/', 1);; slash = path.find('/', slash + 1)) {
    std::string prefix = path.substr(0, slash);
    if (!prefix.empty() && mkdir(prefix.c_str(), 0777) != 0 && errno != EEXIST)
      return Status::error(
          prefix + ": cannot create directory: " + std::strerror(errno));
    if (slash == std::string::npos)
      return Status::success();
  }
}

std::string formatRng(const std::array<uint64_t, 4> &state) {
  char text[4 * 17];
  std::snprintf(text, sizeof(text),
                "%016" PRIx64 ":%016" PRIx64 ":%016" PRIx64 ":%016" PRIx64,
                state[0], state[1], state[2], state[3]);
  return text;
}

bool parseRng(const std::string &text, std::array<uint64_t, 4> &state) {
  int consumed = 0;
  return std::sscanf(
             text.c_str(),
             "%16" SCNx64 ":%16" SCNx64 ":%16" SCNx64 ":%16" SCNx64 "%n",
             &state[0], &state[1], &state[2], &state[3], &consumed) == 4 &&
         static_cast<size_t>(consumed) == text.size();
}
} // namespace

std::string checkpointFile(const std::string &directory) {
  return directory + "/checkpoint.safetensors";
}

Status saveCheckpoint(const std::string &directory,
                      const Checkpoint &checkpoint) {
  Status created = createDirectories(directory);
  if (!created.ok())
    return created;
  SafetensorsFile file;
  file.tensors = checkpoint.tensors;
  file.metadata[kFormatKey] = kFormat;
  file.metadata[kStepKey] = std::to_string(checkpoint.step);
  file.metadata[kSeedKey] = std::to_string(checkpoint.seed);
  file.metadata[kRngKey] = formatRng(checkpoint.rngState);
  return writeSafetensors(checkpointFile(directory), file);
}

Expected<Checkpoint> loadCheckpoint(const std::string &directory) {
  const std::string path = checkpointFile(directory);
  Expected<SafetensorsFile> file = readSafetensors(path);
  if (!file)
    return file.status();
  auto field = [&](const char *key) -> const std::string * {
    auto it = file->metadata.find(key);
    return it == file->metadata.end() ? nullptr : &it->second;
  };
  const std::string *format = field(kFormatKey);
  if (!format || *format != kFormat)
    return Status::error(path + ": not an fmc checkpoint (metadata \"" +
                         kFormatKey + "\" is not \"" + kFormat + "\")");
  Checkpoint checkpoint;
  if (!parseDecimal(field(kStepKey), checkpoint.step))
    return Status::error(path + ": metadata \"step\" is missing or invalid");
  if (!parseDecimal(field(kSeedKey), checkpoint.seed))
    return Status::error(path + ": metadata \"seed\" is missing or invalid");
  const std::string *rng = field(kRngKey);
  if (!rng || !parseRng(*rng, checkpoint.rngState))
    return Status::error(path + ": metadata \"rng\" is missing or invalid");
  checkpoint.tensors = std::move(file->tensors);
  return checkpoint;
}

} // namespace fmrt

//===- Safetensors.cpp - HuggingFace .safetensors files -------------------===//
//
// The format (github.com/huggingface/safetensors): a little-endian uint64 N,
// then N bytes of UTF-8 JSON such as
//   {"__metadata__":{"format":"pt"},
//    "w":{"dtype":"F32","shape":[2,3],"data_offsets":[0,24]}}
// padded with spaces to a multiple of 8 bytes, then the data. Offsets count
// from the first byte after the header, and the tensors must tile the data
// exactly: no gaps, no overlaps, nothing after the last one. The writer emits
// the same bytes as the reference implementation (compact JSON, serde_json's
// escapes, "__metadata__" first). The reader takes untrusted input: the whole
// header is checked, against the file size too, before any tensor is
// allocated, and every failure is an error Status, never a crash.
//
//===----------------------------------------------------------------------===//

#include "fmrt/Safetensors.h"

#include "Json.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <limits>
#include <memory>
#include <set>
#include <string_view>
#include <sys/stat.h>
#include <tuple>
#include <unistd.h>

// Element bytes are copied between the file and the tensor unchanged.
static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
              "the safetensors reader and writer assume a little-endian host");

namespace fmrt {

namespace {

constexpr size_t kLengthSize = 8;
// The reference implementation's limit. It also bounds what a corrupt length
// field can make the reader allocate.
constexpr uint64_t kMaxHeaderSize = 100'000'000;
constexpr std::string_view kMetadataKey = "__metadata__";

struct SafetensorsDType {
  DType type;
  std::string_view name;
};
// One row per enumerator, in declaration order, so lookups by DType index it.
constexpr SafetensorsDType kDTypes[] = {
    {DType::F32, "F32"},          {DType::F64, "F64"},
    {DType::F16, "F16"},          {DType::BF16, "BF16"},
    {DType::F8E4M3FN, "F8_E4M3"}, {DType::F8E5M2, "F8_E5M2"},
    {DType::I32, "I32"},          {DType::I64, "I64"},
    {DType::I1, "BOOL"},
};

constexpr bool tableMatchesEnum() {
  size_t i = 0;
  for (const SafetensorsDType &entry : kDTypes)
    if (static_cast<size_t>(entry.type) != i++)
      return false;
  return i == static_cast<size_t>(DType::I1) + 1;
}
static_assert(tableMatchesEnum(), "kDTypes must list every DType in order");

std::string_view safetensorsName(DType type) {
  return kDTypes[static_cast<size_t>(type)].name;
}

struct TensorEntry {
  std::string name;
  DType dtype = DType::F32;
  Shape shape;
  uint64_t begin = 0, end = 0;
  size_t headerIndex = 0; // breaks ties between zero-size tensors
};

struct Header {
  std::vector<TensorEntry> tensors; // in header order
  std::map<std::string, std::string> metadata;
};

/// Parses the header: strict JSON restricted to what the format uses
/// (objects, arrays, strings and non-negative integers; any other value is an
/// error), checked against the header schema as it goes. Errors are returned
/// without the file name; readSafetensors prefixes it.
class HeaderParser {
public:
  explicit HeaderParser(std::string_view text) : json_(text, "header JSON") {}

  Expected<Header> parse() {
    Header header;
    bool haveMetadata = false;
    std::set<std::string> names;
    Status parsed = json_.parseObject([&](std::string key) -> Status {
      if (key == kMetadataKey) {
        if (haveMetadata)
          return Status::error("duplicate \"__metadata__\"");
        haveMetadata = true;
        return parseMetadata(header.metadata);
      }
      // The writer refuses empty names; refusing them here too means any
      // file that reads can be written back.
      if (key.empty())
        return Status::error("empty tensor name");
      if (!names.insert(key).second)
        return Status::error("duplicate tensor name '" + key + "'");
      TensorEntry entry;
      entry.name = std::move(key);
      entry.headerIndex = header.tensors.size();
      if (Status s = parseTensor(entry); !s.ok())
        return s;
      header.tensors.push_back(std::move(entry));
      return Status::success();
    });
    if (!parsed.ok())
      return parsed;
    if (Status s = json_.expectEnd("unexpected text after the header object");
        !s.ok())
      return s;
    return header;
  }

private:
  Status parseMetadata(std::map<std::string, std::string> &out) {
    return json_.parseObject([&](std::string key) -> Status {
      std::string value;
      if (Status s = json_.parseString(value); !s.ok())
        return s;
      if (!out.emplace(key, std::move(value)).second)
        return Status::error("duplicate metadata key '" + key + "'");
      return Status::success();
    });
  }

  Status parseTensor(TensorEntry &entry) {
    const std::string tensor = "tensor '" + entry.name + "'";
    std::set<std::string> keys;
    Status parsed = json_.parseObject([&](std::string key) -> Status {
      if (!keys.insert(key).second)
        return Status::error(tensor + " has duplicate key '" + key + "'");
      return parseTensorField(tensor, key, entry);
    });
    if (!parsed.ok())
      return parsed;
    // parseTensorField rejects other keys, so three keys are these three.
    if (keys.size() != 3)
      return Status::error(tensor +
                           " needs \"dtype\", \"shape\" and \"data_offsets\"");
    return Status::success();
  }

  Status parseTensorField(const std::string &tensor, const std::string &key,
                          TensorEntry &entry) {
    if (key == "dtype") {
      std::string name;
      if (Status s = json_.parseString(name); !s.ok())
        return s;
      for (const SafetensorsDType &known : kDTypes)
        if (known.name == name) {
          entry.dtype = known.type;
          return Status::success();
        }
      return Status::error(tensor + " has unsupported dtype '" + name +
                           "' (supported: F32, F64, F16, BF16, F8_E4M3, "
                           "F8_E5M2, I32, I64, BOOL)");
    }
    std::vector<uint64_t> values;
    if (key == "shape") {
      if (Status s = json_.parseUnsignedArray(values); !s.ok())
        return s;
      for (uint64_t dim : values) {
        if (dim > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
          return Status::error(tensor + " has dimension " +
                               std::to_string(dim) + ", which is too large");
        entry.shape.push_back(static_cast<int64_t>(dim));
      }
      return Status::success();
    }
    if (key == "data_offsets") {
      if (Status s = json_.parseUnsignedArray(values); !s.ok())
        return s;
      if (values.size() != 2)
        return Status::error(tensor +
                             ": \"data_offsets\" must be [begin, end]");
      entry.begin = values[0];
      entry.end = values[1];
      return Status::success();
    }
    return Status::error(tensor + " has unexpected key '" + key + "'");
  }

  JsonReader json_;
};

/// Checks each tensor's byte range against its shape and dtype, and that the
/// ranges tile the `dataSize` bytes of data exactly, as the format requires.
/// Sorts `tensors` into data order; zero-size tensors at the same offset keep
/// their header order.
Status checkLayout(std::vector<TensorEntry> &tensors, uint64_t dataSize) {
  for (const TensorEntry &t : tensors) {
    const std::string dtype(safetensorsName(t.dtype));
    const std::string shape =
        t.shape.empty() ? "rank-0 shape" : "shape " + formatShape(t.shape);
    // In int64 like Tensor itself, so any shape that passes can be allocated
    // without overflow.
    int64_t count = 1, bytes;
    for (int64_t dim : t.shape)
      if (__builtin_mul_overflow(count, dim, &count))
        return Status::error("tensor '" + t.name + "' has " + shape +
                             ", which is too large");
    if (__builtin_mul_overflow(count, static_cast<int64_t>(dtypeSize(t.dtype)),
                               &bytes))
      return Status::error("tensor '" + t.name + "' has " + shape + " of " +
                           dtype + ", which is too large");
    const std::string offsets = "data_offsets [" + std::to_string(t.begin) +
                                ", " + std::to_string(t.end) + "]";
    if (t.end < t.begin)
      return Status::error("tensor '" + t.name + "' has " + offsets +
                           " that end before they begin");
    if (t.end - t.begin != static_cast<uint64_t>(bytes))
      return Status::error("tensor '" + t.name + "' has " +
                           std::to_string(t.end - t.begin) + " bytes for " +
                           shape + " of " + dtype + " (expected " +
                           std::to_string(bytes) + ")");
    if (t.end > dataSize)
      return Status::error("tensor '" + t.name + "' has " + offsets +
                           " past the end of the " + std::to_string(dataSize) +
                           " bytes of data");
  }
  std::sort(tensors.begin(), tensors.end(),
            [](const TensorEntry &a, const TensorEntry &b) {
              return std::tie(a.begin, a.end, a.headerIndex) <
                     std::tie(b.begin, b.end, b.headerIndex);
            });
  const TensorEntry *previous = nullptr;
  uint64_t offset = 0;
  for (const TensorEntry &t : tensors) {
    if (t.begin < offset)
      return Status::error("tensor '" + t.name + "' overlaps tensor '" +
                           previous->name + "' in the data");
    if (t.begin > offset)
      return Status::error(std::to_string(t.begin - offset) +
                           " bytes of data before tensor '" + t.name +
                           "' belong to no tensor");
    offset = t.end;
    previous = &t;
  }
  if (offset != dataSize)
    return Status::error(std::to_string(dataSize - offset) +
                         " bytes after the last tensor belong to no tensor");
  return Status::success();
}

/// Reads exactly `size` bytes, or says why not.
Status readExactly(std::FILE *file, void *out, size_t size) {
  if (std::fread(out, 1, size, file) == size)
    return Status::success();
  if (std::ferror(file))
    return Status::error(std::string("read error: ") + std::strerror(errno));
  // The size was checked against fstat, so the file shrank meanwhile.
  return Status::error("unexpected end of file");
}

struct FileCloser {
  void operator()(std::FILE *file) const { std::fclose(file); }
};

std::string serializeHeader(const SafetensorsFile &file) {
  std::string json = "{";
  const char *separator = "";
  if (!file.metadata.empty()) {
    json += "\"__metadata__\":{";
    for (const auto &[key, value] : file.metadata) {
      json += separator;
      appendJsonString(json, key);
      json += ':';
      appendJsonString(json, value);
      separator = ",";
    }
    json += '}';
  }
  uint64_t offset = 0;
  for (const auto &[name, tensor] : file.tensors) {
    json += separator;
    separator = ",";
    appendJsonString(json, name);
    json += ":{\"dtype\":\"";
    json += safetensorsName(tensor.dtype());
    json += "\",\"shape\":[";
    for (size_t i = 0; i < tensor.shape().size(); ++i)
      json += (i ? "," : "") + std::to_string(tensor.shape()[i]);
    json += "],\"data_offsets\":[" + std::to_string(offset) + ",";
    offset += tensor.byteSize();
    json += std::to_string(offset) + "]}";
  }
  json += '}';
  // Like the reference writer, pad so the data starts 8-byte aligned.
  json.append((8 - json.size() % 8) % 8, ' ');
  return json;
}

bool writeContents(std::FILE *out, const std::string &header,
                   const SafetensorsFile &file) {
  char length[kLengthSize];
  for (size_t i = 0; i < kLengthSize; ++i)
    length[i] =
        static_cast<char>(static_cast<uint64_t>(header.size()) >> (8 * i));
  if (std::fwrite(length, 1, kLengthSize, out) != kLengthSize ||
      std::fwrite(header.data(), 1, header.size(), out) != header.size())
    return false;
  for (const auto &entry : file.tensors) {
    const Tensor &tensor = entry.second;
    if (std::fwrite(tensor.data(), 1, tensor.byteSize(), out) !=
        tensor.byteSize())
      return false;
  }
  return true;
}

} // namespace

const Tensor *SafetensorsFile::find(const std::string &name) const {
  for (const auto &entry : tensors)
    if (entry.first == name)
      return &entry.second;
  return nullptr;
}

Expected<SafetensorsFile> readSafetensors(const std::string &path) {
  auto fail = [&](const std::string &message) {
    return Status::error(path + ": " + message);
  };
  std::unique_ptr<std::FILE, FileCloser> file(std::fopen(path.c_str(), "rb"));
  if (!file)
    return fail(std::string("cannot open file: ") + std::strerror(errno));
  struct stat info;
  if (fstat(fileno(file.get()), &info) != 0)
    return fail(std::string("cannot stat file: ") + std::strerror(errno));
  // Directories open fine for reading; their size means nothing.
  if (!S_ISREG(info.st_mode))
    return fail("not a regular file");
  const uint64_t fileSize = static_cast<uint64_t>(info.st_size);

  if (fileSize < kLengthSize)
    return fail("truncated header");
  uint8_t lengthBytes[kLengthSize];
  if (Status s = readExactly(file.get(), lengthBytes, kLengthSize); !s.ok())
    return fail(s.message());
  uint64_t headerSize = 0;
  for (size_t i = 0; i < kLengthSize; ++i)
    headerSize |= static_cast<uint64_t>(lengthBytes[i]) << (8 * i);
  if (headerSize > kMaxHeaderSize)
    return fail("header length " + std::to_string(headerSize) +
                " exceeds the limit of " + std::to_string(kMaxHeaderSize) +
                " bytes");
  if (headerSize > fileSize - kLengthSize)
    return fail("truncated header: expected " + std::to_string(headerSize) +
                " bytes, found " + std::to_string(fileSize - kLengthSize));
  std::string text(headerSize, '\0');
  if (Status s = readExactly(file.get(), text.data(), headerSize); !s.ok())
    return fail(s.message());
  if (!isValidUtf8(text))
    return fail("header is not valid UTF-8");

  Expected<Header> parsed = HeaderParser(text).parse();
  if (!parsed)
    return fail(parsed.status().message());
  Header &header = *parsed;
  if (Status s =
          checkLayout(header.tensors, fileSize - kLengthSize - headerSize);
      !s.ok())
    return fail(s.message());

  // The tensors now tile the rest of the file in order: read them straight
  // into their buffers.
  SafetensorsFile result;
  result.metadata = std::move(header.metadata);
  for (TensorEntry &entry : header.tensors) {
    Tensor tensor(entry.dtype, std::move(entry.shape));
    if (Status s = readExactly(file.get(), tensor.data(), tensor.byteSize());
        !s.ok())
      return fail(s.message());
    // Keep the 0/1 invariant of i1 whatever non-zero byte the file holds.
    if (tensor.dtype() == DType::I1)
      for (int64_t i = 0; i < tensor.numElements(); ++i)
        tensor.dataAs<uint8_t>()[i] = tensor.dataAs<uint8_t>()[i] != 0;
    result.tensors.emplace_back(std::move(entry.name), std::move(tensor));
  }
  return result;
}

Status writeSafetensors(const std::string &path, const SafetensorsFile &file) {
  auto fail = [&](const std::string &message) {
    return Status::error(path + ": " + message);
  };
  // Refuse what would make an unreadable file before touching the disk.
  std::set<std::string_view> names;
  for (const auto &[name, tensor] : file.tensors) {
    if (name.empty())
      return fail("empty tensor name");
    if (name == kMetadataKey)
      return fail("a tensor cannot be named \"__metadata__\"");
    if (!isValidUtf8(name))
      return fail("tensor name '" + name + "' is not valid UTF-8");
    if (!names.insert(name).second)
      return fail("duplicate tensor name '" + name + "'");
    // A default-constructed Tensor's shape and size disagree.
    if (!tensor.data())
      return fail("tensor '" + name + "' is an empty Tensor()");
  }
  for (const auto &[key, value] : file.metadata)
    if (!isValidUtf8(key) || !isValidUtf8(value))
      return fail("metadata entry '" + key + "' is not valid UTF-8");
  const std::string header = serializeHeader(file);
  if (header.size() > kMaxHeaderSize)
    return fail("header of " + std::to_string(header.size()) +
                " bytes exceeds the limit of " +
                std::to_string(kMaxHeaderSize) + " bytes");

  const std::string tempPath = path + ".tmp-" + std::to_string(getpid());
  std::FILE *out = std::fopen(tempPath.c_str(), "wb");
  if (!out)
    return fail(std::string("cannot open file for writing: ") +
                std::strerror(errno));
  auto abandon = [&](const std::string &message, int error) {
    std::remove(tempPath.c_str());
    return fail(message + ": " + std::strerror(error));
  };
  // fsync before the rename: otherwise a crash soon after could leave the
  // new name pointing at data that never reached the disk.
  const bool synced = writeContents(out, header, file) &&
                      std::fflush(out) == 0 && fsync(fileno(out)) == 0;
  const int syncErrno = errno;
  const bool closed = std::fclose(out) == 0;
  if (!synced || !closed)
    return abandon("write failed", synced ? errno : syncErrno);
  if (std::rename(tempPath.c_str(), path.c_str()) != 0)
    return abandon("cannot rename '" + tempPath + "' into place", errno);
  return Status::success();
}

} // namespace fmrt

//===- Npy.cpp - NumPy .npy files -----------------------------------------===//
//
// The format (numpy/lib/format.py): "\x93NUMPY", major and minor version
// bytes, the header length (uint16 in 1.0, uint32 in 2.0, little-endian),
// then a Python dict literal such as
//   {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }
// padded with spaces and a final '\n' so the data starts at a multiple of 64
// bytes. The reader takes untrusted input: every length and size is checked
// before it is used, and every failure is an error Status, never a crash.
//
//===----------------------------------------------------------------------===//

#include "fmrt/Npy.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <limits>
#include <string_view>

// Element bytes are copied between the file and the tensor unchanged.
static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
              "the .npy reader and writer assume a little-endian host");

namespace fmrt {

namespace {

constexpr char kMagic[] = "\x93NUMPY";
constexpr size_t kMagicSize = 6;
constexpr size_t kAlign = 64;
// numpy leaves room for the first dimension to grow to this many digits so
// the header can be rewritten in place; writing the same keeps files
// byte-identical to numpy.save.
constexpr size_t kGrowthAxisMaxDigits = 21;

struct NpyDType {
  std::string_view descr;
  DType type;
};
constexpr NpyDType kNpyDTypes[] = {
    {"<f4", DType::F32}, {"<f8", DType::F64}, {"<f2", DType::F16},
    {"<i4", DType::I32}, {"<i8", DType::I64}, {"|b1", DType::I1},
};

struct Header {
  std::string descr;
  bool fortranOrder = false;
  Shape shape;
};

/// Recursive-descent parser for the subset of Python literals a .npy header
/// uses. Errors are returned without the file name; parseNpy prefixes it.
class HeaderParser {
public:
  explicit HeaderParser(std::string_view text) : text_(text) {}

  Expected<Header> parse() {
    Header header;
    bool haveDescr = false, haveOrder = false, haveShape = false;
    if (!consume('{'))
      return error("expected '{'");
    while (true) {
      if (consume('}'))
        break;
      std::string key;
      if (Status s = parseString(key); !s.ok())
        return s;
      if (!consume(':'))
        return error("expected ':' after '" + key + "'");
      Status s = Status::success();
      if (key == "descr") {
        if (haveDescr)
          return error("duplicate key 'descr'");
        haveDescr = true;
        skipSpace();
        if (pos_ < text_.size() && text_[pos_] == '[')
          return error("structured dtypes are not supported");
        s = parseString(header.descr);
      } else if (key == "fortran_order") {
        if (haveOrder)
          return error("duplicate key 'fortran_order'");
        haveOrder = true;
        s = parseBool(header.fortranOrder);
      } else if (key == "shape") {
        if (haveShape)
          return error("duplicate key 'shape'");
        haveShape = true;
        s = parseShape(header.shape);
      } else {
        return error("unexpected key '" + key + "'");
      }
      if (!s.ok())
        return s;
      // Python allows a trailing comma before the closing brace.
      if (!consume(',')) {
        if (!consume('}'))
          return error("expected ',' or '}'");
        break;
      }
    }
    skipSpace();
    if (pos_ != text_.size())
      return error("unexpected text after the dict");
    if (!haveDescr || !haveOrder || !haveShape)
      return error("missing 'descr', 'fortran_order' or 'shape'");
    return header;
  }

private:
  static Status error(const std::string &message) {
    return Status::error("malformed header: " + message);
  }

  void skipSpace() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t' ||
                                   text_[pos_] == '\n' || text_[pos_] == '\r'))
      ++pos_;
  }

  bool consume(char c) {
    skipSpace();
    if (pos_ < text_.size() && text_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }

  Status parseString(std::string &out) {
    skipSpace();
    if (pos_ >= text_.size() || (text_[pos_] != '\'' && text_[pos_] != '"'))
      return error("expected a string");
    const char quote = text_[pos_++];
    const size_t end = text_.find(quote, pos_);
    if (end == std::string_view::npos)
      return error("unterminated string");
    out = std::string(text_.substr(pos_, end - pos_));
    pos_ = end + 1;
    return Status::success();
  }

  Status parseBool(bool &out) {
    skipSpace();
    for (auto [word, value] : {std::pair{std::string_view("True"), true},
                               std::pair{std::string_view("False"), false}}) {
      if (text_.substr(pos_, word.size()) == word) {
        pos_ += word.size();
        out = value;
        return Status::success();
      }
    }
    return error("expected True or False");
  }

  Status parseDim(int64_t &out) {
    skipSpace();
    const size_t start = pos_;
    int64_t value = 0;
    while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') {
      const int digit = text_[pos_++] - '0';
      if (value > (std::numeric_limits<int64_t>::max() - digit) / 10)
        return error("dimension too large");
      value = value * 10 + digit;
    }
    if (pos_ == start)
      return error("expected a non-negative integer dimension");
    // Python 2 wrote longs with an 'L' suffix.
    if (pos_ < text_.size() && text_[pos_] == 'L')
      ++pos_;
    out = value;
    return Status::success();
  }

  Status parseShape(Shape &out) {
    if (!consume('('))
      return error("expected '(' to start the shape");
    while (!consume(')')) {
      int64_t dim;
      if (Status s = parseDim(dim); !s.ok())
        return s;
      out.push_back(dim);
      if (!consume(',')) {
        if (!consume(')'))
          return error("expected ',' or ')' in the shape");
        break;
      }
    }
    return Status::success();
  }

  std::string_view text_;
  size_t pos_ = 0;
};

uint32_t readLE(const std::string &bytes, size_t offset, size_t width) {
  uint32_t value = 0;
  for (size_t i = 0; i < width; ++i)
    value |= static_cast<uint32_t>(static_cast<uint8_t>(bytes[offset + i]))
             << (8 * i);
  return value;
}

std::string formatPythonShape(const Shape &shape) {
  std::string text = "(";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i)
      text += ", ";
    text += std::to_string(shape[i]);
  }
  // A one-element tuple needs its trailing comma in Python.
  if (shape.size() == 1)
    text += ',';
  return text + ")";
}

} // namespace

Expected<Tensor> parseNpy(const std::string &bytes, const std::string &name) {
  auto fail = [&](const std::string &message) {
    return Status::error(name + ": " + message);
  };
  if (bytes.size() < kMagicSize ||
      bytes.compare(0, kMagicSize, kMagic, kMagicSize) != 0)
    return fail("not a .npy file (bad magic)");
  if (bytes.size() < kMagicSize + 2)
    return fail("truncated header");
  const int major = static_cast<uint8_t>(bytes[kMagicSize]);
  const int minor = static_cast<uint8_t>(bytes[kMagicSize + 1]);
  if ((major != 1 && major != 2) || minor != 0)
    return fail("unsupported .npy version " + std::to_string(major) + "." +
                std::to_string(minor) + " (supported: 1.0, 2.0)");
  const size_t lengthWidth = major == 1 ? 2 : 4;
  const size_t prefixSize = kMagicSize + 2 + lengthWidth;
  if (bytes.size() < prefixSize)
    return fail("truncated header");
  const size_t headerSize = readLE(bytes, kMagicSize + 2, lengthWidth);
  if (bytes.size() - prefixSize < headerSize)
    return fail("truncated header: expected " + std::to_string(headerSize) +
                " bytes, found " + std::to_string(bytes.size() - prefixSize));

  Expected<Header> parsed =
      HeaderParser(std::string_view(bytes).substr(prefixSize, headerSize))
          .parse();
  if (!parsed)
    return fail(parsed.status().message());
  const Header &header = *parsed;

  const NpyDType *npyType = nullptr;
  for (const NpyDType &entry : kNpyDTypes)
    if (entry.descr == header.descr)
      npyType = &entry;
  if (!npyType) {
    const bool bigEndian = !header.descr.empty() && header.descr[0] == '>';
    return fail("unsupported dtype '" + header.descr + "'" +
                (bigEndian ? " (big-endian data is not supported)"
                           : " (supported: <f4, <f8, <f2, <i4, <i8, |b1)"));
  }
  if (header.fortranOrder)
    return fail("Fortran-order arrays are not supported (save the array "
                "C-contiguous)");

  // Element count and byte size, refusing anything that overflows before it
  // could reach the allocator.
  int64_t count = 1;
  for (int64_t dim : header.shape)
    if (__builtin_mul_overflow(count, dim, &count))
      return fail("shape (" + formatShape(header.shape) + ") is too large");
  int64_t dataSize;
  if (__builtin_mul_overflow(
          count, static_cast<int64_t>(dtypeSize(npyType->type)), &dataSize))
    return fail("shape (" + formatShape(header.shape) + ") is too large");

  const size_t dataOffset = prefixSize + headerSize;
  const size_t available = bytes.size() - dataOffset;
  if (static_cast<uint64_t>(dataSize) > available)
    return fail("truncated data: expected " + std::to_string(dataSize) +
                " bytes, found " + std::to_string(available));
  // np.load ignores extra bytes, but in a file we read they mean corruption
  // (or several arrays appended to one file, which we do not support).
  if (static_cast<uint64_t>(dataSize) < available)
    return fail(std::to_string(available - dataSize) +
                " unexpected bytes after the data");

  Tensor tensor(npyType->type, header.shape);
  std::memcpy(tensor.data(), bytes.data() + dataOffset, dataSize);
  // numpy treats any non-zero byte as True; keep the 0/1 invariant of i1.
  if (tensor.dtype() == DType::I1)
    for (int64_t i = 0; i < count; ++i)
      tensor.dataAs<uint8_t>()[i] = tensor.dataAs<uint8_t>()[i] != 0;
  return tensor;
}

std::string serializeNpy(const Tensor &tensor) {
  // bf16 and FP8 have no numpy dtype; f32 holds all their values exactly.
  const DType dtype = tensor.dtype();
  if (dtype == DType::BF16 || dtype == DType::F8E4M3FN ||
      dtype == DType::F8E5M2)
    return serializeNpy(convertTensor(tensor, DType::F32));

  std::string_view descr;
  for (const NpyDType &entry : kNpyDTypes)
    if (entry.type == dtype)
      descr = entry.descr;

  std::string header = "{'descr': '" + std::string(descr) +
                       "', 'fortran_order': False, 'shape': " +
                       formatPythonShape(tensor.shape()) + ", }";
  if (tensor.rank() > 0)
    header.append(
        kGrowthAxisMaxDigits - std::to_string(tensor.shape()[0]).size(), ' ');

  // Version 1.0 unless the header length does not fit its uint16 field.
  // Like numpy, pad with 1..64 spaces (never zero) before the '\n'.
  auto paddedLength = [&](size_t prefixSize) {
    const size_t used = prefixSize + header.size() + 1;
    return header.size() + 1 + (kAlign - used % kAlign);
  };
  int major = 1;
  size_t headerSize = paddedLength(kMagicSize + 4);
  if (headerSize > 0xffff) {
    major = 2;
    headerSize = paddedLength(kMagicSize + 6);
  }
  const size_t lengthWidth = major == 1 ? 2 : 4;

  std::string out(kMagic, kMagicSize);
  out += static_cast<char>(major);
  out += '\0';
  for (size_t i = 0; i < lengthWidth; ++i)
    out += static_cast<char>((headerSize >> (8 * i)) & 0xff);
  out += header;
  out.append(headerSize - header.size() - 1, ' ');
  out += '\n';
  out.append(static_cast<const char *>(tensor.data()), tensor.byteSize());
  return out;
}

Status writeNpy(const std::string &path, const Tensor &tensor) {
  const std::string bytes = serializeNpy(tensor);
  std::FILE *file = std::fopen(path.c_str(), "wb");
  if (!file)
    return Status::error(
        path + ": cannot open file for writing: " + std::strerror(errno));
  const bool written =
      std::fwrite(bytes.data(), 1, bytes.size(), file) == bytes.size();
  const int writeErrno = errno;
  // fclose flushes, so it can be the call that reports a full disk.
  if (std::fclose(file) != 0 || !written)
    return Status::error(path + ": write failed: " +
                         std::strerror(written ? errno : writeErrno));
  return Status::success();
}

Expected<Tensor> readNpy(const std::string &path) {
  std::FILE *file = std::fopen(path.c_str(), "rb");
  if (!file)
    return Status::error(path + ": cannot open file: " + std::strerror(errno));
  std::string bytes;
  char buffer[1 << 16];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof(buffer), file)) > 0)
    bytes.append(buffer, n);
  const bool failed = std::ferror(file);
  const int readErrno = errno;
  std::fclose(file);
  if (failed)
    return Status::error(path + ": read error: " + std::strerror(readErrno));
  return parseNpy(bytes, path);
}

} // namespace fmrt

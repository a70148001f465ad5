//===- Json.h - A small strict JSON reader and writer helpers ---*- C++ -*-===//
//
// The runtime reads two kinds of JSON, both from untrusted files: safetensors
// headers and artifact manifests. Neither needs a document tree: their
// parsers walk the text with JsonReader, checking the schema as they go, so
// that every error can name what was wrong and where. JsonReader accepts
// strict JSON (RFC 8259) only; callers validate UTF-8 up front with
// isValidUtf8, so strings are copied byte for byte.
//
//===----------------------------------------------------------------------===//
#ifndef FMRT_LIB_JSON_H
#define FMRT_LIB_JSON_H

#include "fmrt/Status.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace fmrt {

/// Whether `text` is well-formed UTF-8: no overlong forms, surrogates or code
/// points past U+10FFFF.
bool isValidUtf8(std::string_view text);

/// Appends `text` as a JSON string with serde_json's escapes (so safetensors
/// headers are byte-identical to the reference writer's).
void appendJsonString(std::string &out, std::string_view text);

class JsonReader {
public:
  /// `document` names the text in syntax errors: "malformed <document>: ...".
  JsonReader(std::string_view text, std::string document)
      : text_(text), document_(std::move(document)) {}

  /// "malformed <document>: <message> at offset <n>".
  Status syntaxError(const std::string &message) const;

  /// Skips whitespace, then consumes `c` if it comes next.
  bool consume(char c);
  Status expect(char c);
  /// Fails with `message` unless only whitespace is left.
  Status expectEnd(const std::string &message);

  Status parseString(std::string &out);
  /// A non-negative integer that fits in uint64_t.
  Status parseUnsigned(uint64_t &out);
  /// An integer, possibly negative, that fits in int64_t.
  Status parseInteger(int64_t &out);
  Status parseUnsignedArray(std::vector<uint64_t> &out);
  /// Skips one value of any type (for keys a reader does not know).
  Status skipValue() { return skipValue(0); }

  /// Parses an object, calling `member(std::string key)` with the reader
  /// positioned at each member's value; `member` must consume the value.
  template <typename F> Status parseObject(F &&member) {
    if (Status s = expect('{'); !s.ok())
      return s;
    if (consume('}'))
      return Status::success();
    do {
      std::string key;
      if (Status s = parseString(key); !s.ok())
        return s;
      if (Status s = expect(':'); !s.ok())
        return s;
      if (Status s = member(std::move(key)); !s.ok())
        return s;
    } while (consume(','));
    return expect('}');
  }

  /// Parses an array, calling `element()` with the reader positioned at each
  /// element; `element` must consume it.
  template <typename F> Status parseArray(F &&element) {
    if (Status s = expect('['); !s.ok())
      return s;
    if (consume(']'))
      return Status::success();
    do {
      if (Status s = element(); !s.ok())
        return s;
    } while (consume(','));
    return expect(']');
  }

private:
  void skipSpace();
  Status parseDigits(uint64_t &out);
  Status rejectFraction();
  Status parseHex4(uint32_t &out);
  Status parseUnicodeEscape(uint32_t &codePoint);
  Status skipNumber();
  Status skipValue(int depth);

  std::string_view text_;
  std::string document_;
  size_t pos_ = 0;
};

} // namespace fmrt

#endif // FMRT_LIB_JSON_H

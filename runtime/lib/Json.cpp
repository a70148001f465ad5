//===- Json.cpp - A small strict JSON reader and writer helpers -----------===//

#include "Json.h"

#include <limits>

namespace fmrt {

namespace {

// Deeper nesting than any manifest or header needs; it bounds the recursion
// of skipValue on hostile input.
constexpr int kMaxDepth = 64;

void appendUtf8(std::string &out, uint32_t codePoint) {
  if (codePoint < 0x80) {
    out += static_cast<char>(codePoint);
  } else if (codePoint < 0x800) {
    out += static_cast<char>(0xc0 | codePoint >> 6);
    out += static_cast<char>(0x80 | (codePoint & 0x3f));
  } else if (codePoint < 0x10000) {
    out += static_cast<char>(0xe0 | codePoint >> 12);
    out += static_cast<char>(0x80 | (codePoint >> 6 & 0x3f));
    out += static_cast<char>(0x80 | (codePoint & 0x3f));
  } else {
    out += static_cast<char>(0xf0 | codePoint >> 18);
    out += static_cast<char>(0x80 | (codePoint >> 12 & 0x3f));
    out += static_cast<char>(0x80 | (codePoint >> 6 & 0x3f));
    out += static_cast<char>(0x80 | (codePoint & 0x3f));
  }
}

bool isDigit(char c) { return c >= '0' && c <= '9'; }

} // namespace

bool isValidUtf8(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    const uint8_t lead = static_cast<uint8_t>(text[i]);
    if (lead < 0x80) {
      ++i;
      continue;
    }
    size_t length;
    uint32_t codePoint, minimum;
    if ((lead & 0xe0) == 0xc0) {
      length = 2;
      codePoint = lead & 0x1f;
      minimum = 0x80;
    } else if ((lead & 0xf0) == 0xe0) {
      length = 3;
      codePoint = lead & 0x0f;
      minimum = 0x800;
    } else if ((lead & 0xf8) == 0xf0) {
      length = 4;
      codePoint = lead & 0x07;
      minimum = 0x10000;
    } else {
      return false;
    }
    if (text.size() - i < length)
      return false;
    for (size_t k = 1; k < length; ++k) {
      const uint8_t next = static_cast<uint8_t>(text[i + k]);
      if ((next & 0xc0) != 0x80)
        return false;
      codePoint = codePoint << 6 | (next & 0x3f);
    }
    if (codePoint < minimum || codePoint > 0x10ffff ||
        (codePoint >= 0xd800 && codePoint <= 0xdfff))
      return false;
    i += length;
  }
  return true;
}

void appendJsonString(std::string &out, std::string_view text) {
  out += '"';
  for (char c : text) {
    switch (c) {
    case '"':
      out += "\\\"";
      break;
    case '\\':
      out += "\\\\";
      break;
    case '\b':
      out += "\\b";
      break;
    case '\f':
      out += "\\f";
      break;
    case '\n':
      out += "\\n";
      break;
    case '\r':
      out += "\\r";
      break;
    case '\t':
      out += "\\t";
      break;
    default:
      if (static_cast<uint8_t>(c) < 0x20) {
        constexpr char kHex[] = "0123456789abcdef";
        out += "\\u00";
        out += kHex[c >> 4];
        out += kHex[c & 0xf];
      } else {
        out += c;
      }
    }
  }
  out += '"';
}

Status JsonReader::syntaxError(const std::string &message) const {
  return Status::error("malformed " + document_ + ": " + message +
                       " at offset " + std::to_string(pos_));
}

void JsonReader::skipSpace() {
  while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t' ||
                                 text_[pos_] == '\n' || text_[pos_] == '\r'))
    ++pos_;
}

bool JsonReader::consume(char c) {
  skipSpace();
  if (pos_ < text_.size() && text_[pos_] == c) {
    ++pos_;
    return true;
  }
  return false;
}

Status JsonReader::expect(char c) {
  if (consume(c))
    return Status::success();
  return syntaxError(std::string("expected '") + c + "'");
}

Status JsonReader::expectEnd(const std::string &message) {
  skipSpace();
  if (pos_ != text_.size())
    return syntaxError(message);
  return Status::success();
}

Status JsonReader::parseString(std::string &out) {
  if (!consume('"'))
    return syntaxError("expected a string");
  out.clear();
  while (pos_ < text_.size()) {
    const char c = text_[pos_];
    if (static_cast<uint8_t>(c) < 0x20)
      return syntaxError("unescaped control character in a string");
    ++pos_;
    if (c == '"')
      return Status::success();
    if (c != '\\') {
      // Raw bytes need no check: callers validated the text as UTF-8.
      out += c;
      continue;
    }
    if (pos_ == text_.size())
      break;
    switch (text_[pos_++]) {
    case '"':
      out += '"';
      break;
    case '\\':
      out += '\\';
      break;
    case '/':
      out += '/';
      break;
    case 'b':
      out += '\b';
      break;
    case 'f':
      out += '\f';
      break;
    case 'n':
      out += '\n';
      break;
    case 'r':
      out += '\r';
      break;
    case 't':
      out += '\t';
      break;
    case 'u': {
      uint32_t codePoint;
      if (Status s = parseUnicodeEscape(codePoint); !s.ok())
        return s;
      appendUtf8(out, codePoint);
      break;
    }
    default:
      --pos_;
      return syntaxError("invalid escape in a string");
    }
  }
  return syntaxError("unterminated string");
}

Status JsonReader::parseHex4(uint32_t &out) {
  out = 0;
  for (int i = 0; i < 4; ++i, ++pos_) {
    const char c = pos_ < text_.size() ? text_[pos_] : '\0';
    uint32_t digit;
    if (isDigit(c))
      digit = c - '0';
    else if (c >= 'a' && c <= 'f')
      digit = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F')
      digit = c - 'A' + 10;
    else
      return syntaxError("expected 4 hex digits after \\u");
    out = out << 4 | digit;
  }
  return Status::success();
}

/// The code point of a \u escape whose "\u" has been consumed. Characters
/// past U+FFFF arrive as a UTF-16 surrogate pair; a lone surrogate has no
/// UTF-8 encoding, so it is an error.
Status JsonReader::parseUnicodeEscape(uint32_t &codePoint) {
  if (Status s = parseHex4(codePoint); !s.ok())
    return s;
  if (codePoint < 0xd800 || codePoint > 0xdfff)
    return Status::success();
  if (codePoint >= 0xdc00 || text_.substr(pos_, 2) != "\\u")
    return syntaxError("unpaired UTF-16 surrogate in a \\u escape");
  pos_ += 2;
  uint32_t low;
  if (Status s = parseHex4(low); !s.ok())
    return s;
  if (low < 0xdc00 || low > 0xdfff)
    return syntaxError("unpaired UTF-16 surrogate in a \\u escape");
  codePoint = 0x10000 + ((codePoint - 0xd800) << 10) + (low - 0xdc00);
  return Status::success();
}

/// The digits of an integer, without sign or surrounding whitespace.
Status JsonReader::parseDigits(uint64_t &out) {
  const size_t start = pos_;
  if (pos_ == text_.size() || !isDigit(text_[pos_]))
    return syntaxError("expected an integer");
  out = 0;
  while (pos_ < text_.size() && isDigit(text_[pos_])) {
    const unsigned digit = text_[pos_] - '0';
    if (out > (std::numeric_limits<uint64_t>::max() - digit) / 10)
      return syntaxError("integer too large");
    out = out * 10 + digit;
    ++pos_;
  }
  if (text_[start] == '0' && pos_ - start > 1) {
    pos_ = start;
    return syntaxError("integer with a leading zero");
  }
  return Status::success();
}

/// Where an integer is expected, "1.0" and "1e0" are errors, not 1.
Status JsonReader::rejectFraction() {
  if (pos_ < text_.size() &&
      (text_[pos_] == '.' || text_[pos_] == 'e' || text_[pos_] == 'E'))
    return syntaxError("expected an integer");
  return Status::success();
}

Status JsonReader::parseUnsigned(uint64_t &out) {
  skipSpace();
  if (pos_ < text_.size() && text_[pos_] == '-')
    return syntaxError("expected a non-negative integer");
  if (Status s = parseDigits(out); !s.ok())
    return s;
  return rejectFraction();
}

Status JsonReader::parseInteger(int64_t &out) {
  skipSpace();
  const bool negative = pos_ < text_.size() && text_[pos_] == '-';
  pos_ += negative;
  uint64_t magnitude;
  if (Status s = parseDigits(magnitude); !s.ok())
    return s;
  const uint64_t limit =
      static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) + negative;
  if (magnitude > limit)
    return syntaxError("integer out of the range of int64");
  out = negative ? static_cast<int64_t>(0 - magnitude)
                 : static_cast<int64_t>(magnitude);
  return rejectFraction();
}

Status JsonReader::parseUnsignedArray(std::vector<uint64_t> &out) {
  return parseArray([&]() {
    uint64_t value;
    if (Status s = parseUnsigned(value); !s.ok())
      return s;
    out.push_back(value);
    return Status::success();
  });
}

/// A number as RFC 8259 spells it:
/// -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
Status JsonReader::skipNumber() {
  auto digits = [&]() {
    const size_t start = pos_;
    while (pos_ < text_.size() && isDigit(text_[pos_]))
      ++pos_;
    return pos_ > start;
  };
  auto next = [&](std::string_view chars) {
    return pos_ < text_.size() && chars.find(text_[pos_]) != chars.npos;
  };
  pos_ += next("-");
  const size_t start = pos_;
  if (!digits())
    return syntaxError("expected a value");
  if (text_[start] == '0' && pos_ - start > 1) {
    pos_ = start;
    return syntaxError("number with a leading zero");
  }
  if (next(".")) {
    ++pos_;
    if (!digits())
      return syntaxError("expected digits after '.'");
  }
  if (next("eE")) {
    ++pos_;
    pos_ += next("+-");
    if (!digits())
      return syntaxError("expected digits in an exponent");
  }
  return Status::success();
}

Status JsonReader::skipValue(int depth) {
  skipSpace();
  if (pos_ == text_.size())
    return syntaxError("expected a value");
  const char c = text_[pos_];
  if (c == '"') {
    std::string ignored;
    return parseString(ignored);
  }
  if (c == '{' || c == '[') {
    if (depth == kMaxDepth)
      return syntaxError("values nested too deeply");
    if (c == '[')
      return parseArray([&]() { return skipValue(depth + 1); });
    return parseObject([&](std::string) { return skipValue(depth + 1); });
  }
  for (std::string_view literal : {"true", "false", "null"})
    if (text_.substr(pos_, literal.size()) == literal) {
      pos_ += literal.size();
      return Status::success();
    }
  return skipNumber();
}

} // namespace fmrt

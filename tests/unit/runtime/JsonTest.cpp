//===- JsonTest.cpp - The runtime's JSON reader ---------------------------===//
//
// Safetensors headers and manifests exercise most of JsonReader through
// their own tests; these cover what neither reaches directly.
//
//===----------------------------------------------------------------------===//

#include "Json.h"

#include <gtest/gtest.h>

using namespace fmrt;

namespace {

Status skipAll(const std::string &text) {
  JsonReader json(text, "test JSON");
  if (Status s = json.skipValue(); !s.ok())
    return s;
  return json.expectEnd("trailing text");
}

TEST(JsonTest, SkipsEveryKindOfValue) {
  for (const char *text :
       {"0", "-0", "12", "-3.25", "1e9", "2.5E-3", "6.02e+23", "true", "false",
        "null", "\"a \\\"quoted\\\" \\u00e9 string\"", "[]", "{}",
        "[1, [2, [3, {\"a\": null}]], \"x\"]",
        " { \"k\" : { \"nested\" : [ true , false ] } } "})
    EXPECT_TRUE(skipAll(text).ok()) << text << ": " << skipAll(text).message();
}

TEST(JsonTest, RejectsWhatIsNotJson) {
  for (const char *text :
       {"", "01", "-", "1.", ".5", "1e", "+1", "tru", "nul", "[1,]", "{\"a\"}",
        "{\"a\":1,}", "[1 2]", "'a'", "\"unterminated", "NaN", "[] []"})
    EXPECT_FALSE(skipAll(text).ok()) << text;
}

TEST(JsonTest, BoundsNesting) {
  EXPECT_TRUE(skipAll(std::string(64, '[') + std::string(64, ']')).ok());
  Status deep = skipAll(std::string(65, '[') + std::string(65, ']'));
  ASSERT_FALSE(deep.ok());
  EXPECT_EQ(deep.message(),
            "malformed test JSON: values nested too deeply at offset 64");
}

TEST(JsonTest, Integers) {
  auto parse = [](const std::string &text, int64_t &value) {
    return JsonReader(text, "test JSON").parseInteger(value);
  };
  int64_t value;
  ASSERT_TRUE(parse(" -1", value).ok());
  EXPECT_EQ(value, -1);
  ASSERT_TRUE(parse("9223372036854775807", value).ok());
  EXPECT_EQ(value, INT64_MAX);
  ASSERT_TRUE(parse("-9223372036854775808", value).ok());
  EXPECT_EQ(value, INT64_MIN);
  EXPECT_EQ(parse("9223372036854775808", value).message(),
            "malformed test JSON: integer out of the range of int64 at offset "
            "19");
  EXPECT_EQ(parse("- 1", value).message(),
            "malformed test JSON: expected an integer at offset 1");
  EXPECT_EQ(parse("1.5", value).message(),
            "malformed test JSON: expected an integer at offset 1");

  uint64_t unsignedValue;
  EXPECT_EQ(
      JsonReader("-1", "test JSON").parseUnsigned(unsignedValue).message(),
      "malformed test JSON: expected a non-negative integer at offset 0");
}

TEST(JsonTest, ValidatesUtf8) {
  EXPECT_TRUE(isValidUtf8("plain ascii"));
  EXPECT_TRUE(isValidUtf8("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80"));
  EXPECT_FALSE(isValidUtf8("\xc0\xaf"));         // overlong '/'
  EXPECT_FALSE(isValidUtf8("\xed\xa0\x80"));     // a surrogate
  EXPECT_FALSE(isValidUtf8("\xf4\x90\x80\x80")); // past U+10FFFF
  EXPECT_FALSE(isValidUtf8("\xe2\x82"));         // cut short
}

} // namespace

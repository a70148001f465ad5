//===- SafetensorsTest.cpp - .safetensors reading and writing -------------===//

#include "fmrt/Safetensors.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <dirent.h>
#include <fstream>
#include <random>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

using namespace fmrt;

namespace {

std::string tempPath(const std::string &name) {
  return ::testing::TempDir() + "fmrt-safetensors-" + std::to_string(getpid()) +
         "-" + name;
}

/// A fresh, empty directory (without a trailing '/').
std::string tempDir(const std::string &name) {
  std::string pattern = tempPath(name + "-XXXXXX");
  EXPECT_NE(mkdtemp(pattern.data()), nullptr);
  return pattern;
}

std::vector<std::string> listDir(const std::string &dir) {
  std::vector<std::string> names;
  DIR *d = opendir(dir.c_str());
  EXPECT_NE(d, nullptr);
  while (dirent *entry = readdir(d))
    if (std::strcmp(entry->d_name, ".") && std::strcmp(entry->d_name, ".."))
      names.push_back(entry->d_name);
  closedir(d);
  return names;
}

void writeFile(const std::string &path, const std::string &bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

std::string readFile(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

std::string lengthBytes(uint64_t length) {
  std::string out;
  for (int i = 0; i < 8; ++i)
    out += char(length >> (8 * i));
  return out;
}

/// A file image: the header length, `json` unpadded, then `data`.
std::string image(const std::string &json, const std::string &data) {
  return lengthBytes(json.size()) + json + data;
}

template <typename T> std::string bytesOf(std::initializer_list<T> values) {
  std::string out;
  for (T v : values)
    out.append(reinterpret_cast<const char *>(&v), sizeof(v));
  return out;
}

bool sameTensor(const Tensor &a, const Tensor &b) {
  return a.dtype() == b.dtype() && a.shape() == b.shape() &&
         std::memcmp(a.data(), b.data(), a.byteSize()) == 0;
}

Expected<SafetensorsFile> readImage(const std::string &name,
                                    const std::string &bytes) {
  const std::string path = tempPath(name);
  writeFile(path, bytes);
  Expected<SafetensorsFile> result = readSafetensors(path);
  std::remove(path.c_str());
  return result;
}

TEST(SafetensorsTest, RoundTripsEveryDTypeAndMetadata) {
  std::mt19937_64 rng(11);
  SafetensorsFile file;
  for (DType type :
       {DType::F32, DType::F64, DType::F16, DType::BF16, DType::F8E4M3FN,
        DType::F8E5M2, DType::I32, DType::I64, DType::I1}) {
    Tensor t(type, {3, 5});
    auto *bytes = t.dataAs<uint8_t>();
    for (size_t i = 0; i < t.byteSize(); ++i)
      bytes[i] = type == DType::I1 ? rng() & 1 : uint8_t(rng());
    file.tensors.emplace_back("layer." + std::string(dtypeName(type)), t);
  }
  Tensor scalar(DType::F64, {});
  scalar.setDouble(0, -0.375);
  file.tensors.emplace_back("scalar", scalar);
  // Zero-size tensors share an offset; they keep their order.
  file.tensors.emplace_back("empty", Tensor(DType::F32, {0, 4}));
  file.tensors.emplace_back("also.empty", Tensor(DType::BF16, {3, 0}));
  // Names and metadata that need JSON escapes, and non-ASCII text.
  file.tensors.emplace_back("q\"uote\\back\nslash\x01 caf\xc3\xa9",
                            Tensor(DType::I32, {2}));
  file.metadata = {
      {"format", "pt"},
      {"note", "tab\there \"quoted\" \xe2\x9c\x93 \xf0\x9f\x98\x80"},
      {"", ""}};

  const std::string path = tempPath("roundtrip.safetensors");
  ASSERT_TRUE(writeSafetensors(path, file).ok());
  Expected<SafetensorsFile> back = readSafetensors(path);
  std::remove(path.c_str());
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->metadata, file.metadata);
  ASSERT_EQ(back->tensors.size(), file.tensors.size());
  for (size_t i = 0; i < file.tensors.size(); ++i) {
    EXPECT_EQ(back->tensors[i].first, file.tensors[i].first);
    EXPECT_TRUE(sameTensor(back->tensors[i].second, file.tensors[i].second))
        << file.tensors[i].first;
  }
  const Tensor *found = back->find("scalar");
  ASSERT_NE(found, nullptr);
  EXPECT_EQ(found->rank(), 0);
  EXPECT_EQ(found->getDouble(0), -0.375);
  EXPECT_EQ(back->find("missing"), nullptr);
}

TEST(SafetensorsTest, LayoutIsByteExact) {
  SafetensorsFile file;
  Tensor a(DType::F32, {2});
  a.setDouble(0, 1.0);
  a.setDouble(1, -2.0);
  Tensor b(DType::I1, {3});
  b.setInt(0, 1);
  b.setInt(2, 1);
  Tensor s(DType::F16, {});
  s.setDouble(0, 1.0);
  file.tensors = {{"a", a}, {"b", b}, {"s\t\"\\\x01", s}};
  file.metadata = {{"format", "pt"}};

  // Compact JSON, "__metadata__" first, tensors in the given order with keys
  // in the reference order, serde_json's escapes; 206 bytes padded to 208.
  const std::string json =
      "{\"__metadata__\":{\"format\":\"pt\"},"
      "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
      "\"b\":{\"dtype\":\"BOOL\",\"shape\":[3],\"data_offsets\":[8,11]},"
      "\"s\\t\\\"\\\\\\u0001\":{\"dtype\":\"F16\",\"shape\":[],"
      "\"data_offsets\":[11,13]}}";
  ASSERT_EQ(json.size(), 206u);
  std::string expected("\xd0\0\0\0\0\0\0\0", 8);
  expected += json + "  ";
  expected += bytesOf<float>({1.0f, -2.0f});
  expected += std::string("\x01\x00\x01", 3);
  expected += std::string("\x00\x3c", 2); // f16 1.0 is 0x3c00

  const std::string path = tempPath("exact.safetensors");
  ASSERT_TRUE(writeSafetensors(path, file).ok());
  EXPECT_EQ(readFile(path), expected);
  std::remove(path.c_str());
}

TEST(SafetensorsTest, ReadsHandWrittenHeaders) {
  // "__metadata__" first, tensors listed out of data order, keys in another
  // order, whitespace, \u escapes (one a surrogate pair) and no padding.
  const std::string json =
      "{ \"__metadata__\" : { \"k\\u00e9y\" : \"v\\/\\ud83d\\ude00\" },\n"
      "  \"second\": {\"data_offsets\": [8, 20], \"shape\": [3],"
      " \"dtype\": \"I32\"},\n"
      "  \"first\": {\"shape\": [2, 1], \"dtype\": \"BF16\","
      " \"data_offsets\": [4, 8]},\n"
      "  \"zeroth\": {\"shape\": [], \"data_offsets\": [0, 4],"
      " \"dtype\": \"F32\"},\n"
      "  \"flags\": {\"dtype\": \"BOOL\", \"shape\": [2],"
      " \"data_offsets\": [20, 22]} }";
  const std::string data =
      bytesOf<float>({2.5f}) + bytesOf<uint16_t>({0x3f80, 0xc000}) +
      bytesOf<int32_t>({7, -8, 9}) + std::string("\x00\x05", 2);
  Expected<SafetensorsFile> file =
      readImage("handwritten.safetensors", image(json, data));
  ASSERT_TRUE(file.ok()) << file.status().message();
  EXPECT_EQ(file->metadata.size(), 1u);
  EXPECT_EQ(file->metadata.at("k\xc3\xa9y"), "v/\xf0\x9f\x98\x80");
  ASSERT_EQ(file->tensors.size(), 4u);
  EXPECT_EQ(file->tensors[0].first, "zeroth");
  EXPECT_EQ(file->tensors[1].first, "first");
  EXPECT_EQ(file->tensors[2].first, "second");
  EXPECT_EQ(file->tensors[3].first, "flags");
  EXPECT_EQ(file->tensors[0].second.rank(), 0);
  EXPECT_EQ(file->tensors[0].second.getDouble(0), 2.5);
  const Tensor &first = file->tensors[1].second;
  EXPECT_EQ(first.dtype(), DType::BF16);
  EXPECT_EQ(first.shape(), (Shape{2, 1}));
  EXPECT_EQ(first.getDouble(0), 1.0);
  EXPECT_EQ(first.getDouble(1), -2.0);
  EXPECT_EQ(file->find("second")->getInt(1), -8);
  // Any non-zero byte is true; i1 tensors hold 0 or 1.
  EXPECT_EQ(file->find("flags")->dataAs<uint8_t>()[0], 0);
  EXPECT_EQ(file->find("flags")->dataAs<uint8_t>()[1], 1);
}

void expectError(const Expected<SafetensorsFile> &result,
                 const std::string &message) {
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().message().rfind(message, 0), 0u)
      << "got: " << result.status().message();
}

/// Reads the image through a file called "ckpt.safetensors" in a fresh
/// directory and expects `message` after the path.
void expectImageError(const std::string &bytes, const std::string &message) {
  const std::string dir = tempDir("errors");
  const std::string path = dir + "/ckpt.safetensors";
  writeFile(path, bytes);
  expectError(readSafetensors(path), path + ": " + message);
  std::remove(path.c_str());
  rmdir(dir.c_str());
}

const std::string kW1 =
    "\"w1\":{\"dtype\":\"F32\",\"shape\":[4,8],\"data_offsets\":[0,128]}";

TEST(SafetensorsTest, FileErrorsNameTheFile) {
  const std::string missing = tempPath("does-not-exist.safetensors");
  expectError(readSafetensors(missing),
              missing + ": cannot open file: No such file or directory");
  const std::string dir = tempDir("a-directory");
  expectError(readSafetensors(dir), dir + ": not a regular file");
  rmdir(dir.c_str());

  expectImageError("", "truncated header");
  expectImageError(std::string("\x10\0\0\0", 4), "truncated header");
  expectImageError(lengthBytes(64) + "{}",
                   "truncated header: expected 64 bytes, found 2");
  expectImageError(lengthBytes(100'000'001) + "{}",
                   "header length 100000001 exceeds the limit of 100000000 "
                   "bytes");
  expectImageError(lengthBytes(~0ull) + "{}",
                   "header length 18446744073709551615 exceeds the limit");
  expectImageError(image("{\"a\":\"\xff\"}", ""), "header is not valid UTF-8");
}

TEST(SafetensorsTest, LayoutErrors) {
  const std::string data(128, '\0');
  expectImageError(image("{" + kW1 + "}", data.substr(0, 96)),
                   "tensor 'w1' has data_offsets [0, 128] past the end of the "
                   "96 bytes of data");
  expectImageError(
      image("{\"w1\":{\"dtype\":\"F32\",\"shape\":[4,8],"
            "\"data_offsets\":[0,96]}}",
            data.substr(0, 96)),
      "tensor 'w1' has 96 bytes for shape 4x8 of F32 (expected 128)");
  expectImageError(
      image("{\"s\":{\"dtype\":\"I64\",\"shape\":[],\"data_offsets\":[0,4]}}",
            data.substr(0, 4)),
      "tensor 's' has 4 bytes for rank-0 shape of I64 (expected 8)");
  expectImageError(
      image("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,4]}}",
            data.substr(0, 8)),
      "tensor 'w' has data_offsets [8, 4] that end before they begin");
  expectImageError(image("{" + kW1 + "}", data + "xyz"),
                   "3 bytes after the last tensor belong to no tensor");
  expectImageError(
      image("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}",
            data.substr(0, 8)),
      "4 bytes of data before tensor 'w' belong to no tensor");
  expectImageError(image("{" + kW1 +
                             ",\"w2\":{\"dtype\":\"I32\",\"shape\":[2],"
                             "\"data_offsets\":[124,132]}}",
                         data + "1234"),
                   "tensor 'w2' overlaps tensor 'w1' in the data");
  expectImageError(
      image("{\"big\":{\"dtype\":\"F32\",\"shape\":[4611686018427387904,4],"
            "\"data_offsets\":[0,0]}}",
            ""),
      "tensor 'big' has shape 4611686018427387904x4, which is too large");
  expectImageError(
      image("{\"big\":{\"dtype\":\"F64\",\"shape\":[2305843009213693952],"
            "\"data_offsets\":[0,0]}}",
            ""),
      "tensor 'big' has shape 2305843009213693952 of F64, which is too large");
  expectImageError(
      image("{\"big\":{\"dtype\":\"F32\",\"shape\":[9223372036854775808],"
            "\"data_offsets\":[0,0]}}",
            ""),
      "tensor 'big' has dimension 9223372036854775808, which is too large");
}

TEST(SafetensorsTest, HeaderErrors) {
  const std::string data(128, '\0');
  expectImageError(image("{\"w1\":{\"dtype\":\"U8\",\"shape\":[4,8],"
                         "\"data_offsets\":[0,128]}}",
                         data),
                   "tensor 'w1' has unsupported dtype 'U8' (supported: F32, "
                   "F64, F16, BF16, F8_E4M3, F8_E5M2, I32, I64, BOOL)");
  expectImageError(image("{" + kW1 + "," + kW1 + "}", data),
                   "duplicate tensor name 'w1'");
  expectImageError(image("{\"__metadata__\":{},\"__metadata__\":{}}", ""),
                   "duplicate \"__metadata__\"");
  expectImageError(image("{\"__metadata__\":{\"a\":\"1\",\"a\":\"2\"}}", ""),
                   "duplicate metadata key 'a'");
  expectImageError(image("{\"\":{\"dtype\":\"F32\",\"shape\":[0],"
                         "\"data_offsets\":[0,0]}}",
                         ""),
                   "empty tensor name");
  expectImageError(image("{\"w\":{\"dtype\":\"F32\",\"shape\":[0]}}", ""),
                   "tensor 'w' needs \"dtype\", \"shape\" and "
                   "\"data_offsets\"");
  expectImageError(image("{\"w\":{\"dtype\":\"F32\",\"dtype\":\"F32\"}}", ""),
                   "tensor 'w' has duplicate key 'dtype'");
  expectImageError(image("{\"w\":{\"dtype\":\"F32\",\"offsets\":[0,0]}}", ""),
                   "tensor 'w' has unexpected key 'offsets'");
  expectImageError(image("{\"w\":{\"dtype\":\"F32\",\"shape\":[0],"
                         "\"data_offsets\":[0]}}",
                         ""),
                   "tensor 'w': \"data_offsets\" must be [begin, end]");
  expectImageError(image("{\"a\":1}", ""),
                   "malformed header JSON: expected '{' at offset 5");
  expectImageError(image("{} x", ""),
                   "malformed header JSON: unexpected text after the header "
                   "object at offset 3");
}

TEST(SafetensorsTest, MalformedJsonIsAnError) {
  const std::string tensor =
      "\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}";
  for (const std::string &json : {
           std::string(""),
           std::string("   "),
           std::string("{"),
           std::string("[]"),
           std::string("{\"w\"}"),
           std::string("{\"w\":{\"dtype\":\"F32\",}}"),
           "{" + tensor + ",}",
           "{" + tensor + "}}",
           "{" + tensor + " " + tensor + "}",
           std::string("{\"w:{}}"),
           std::string("{'w':{}}"),
           std::string("{\"w\x01\":{}}"),
           std::string("{\"w\\x\":{}}"),
           std::string("{\"w\\u12\":{}}"),
           std::string("{\"w\\ud800\":{}}"),
           std::string("{\"w\\udc00\":{}}"),
           std::string("{\"w\\ud800\\u0041\":{}}"),
           std::string("{\"w\":{\"dtype\":\"F32\",\"shape\":[-1],"
                       "\"data_offsets\":[0,4]}}"),
           std::string("{\"w\":{\"dtype\":\"F32\",\"shape\":[1.0],"
                       "\"data_offsets\":[0,4]}}"),
           std::string("{\"w\":{\"dtype\":\"F32\",\"shape\":[1e0],"
                       "\"data_offsets\":[0,4]}}"),
           std::string("{\"w\":{\"dtype\":\"F32\",\"shape\":[01],"
                       "\"data_offsets\":[0,4]}}"),
           std::string("{\"w\":{\"dtype\":\"F32\",\"shape\":[1,],"
                       "\"data_offsets\":[0,4]}}"),
           std::string("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],"
                       "\"data_offsets\":[0,18446744073709551616]}}"),
           std::string("{\"w\":{\"dtype\":\"F32\",\"shape\":null,"
                       "\"data_offsets\":[0,4]}}"),
           std::string("{\"w\":{\"dtype\":true,\"shape\":[1],"
                       "\"data_offsets\":[0,4]}}"),
           std::string("{\"w\":[]}"),
           std::string("{\"__metadata__\":{\"a\":1}}"),
           std::string("{\"__metadata__\":null}"),
       })
    expectImageError(image(json, std::string(4, '\0')),
                     "malformed header JSON: ");
}

TEST(SafetensorsTest, CorruptFilesNeverCrash) {
  SafetensorsFile file;
  file.tensors = {{"a", Tensor(DType::F32, {2, 3})},
                  {"b", Tensor(DType::BF16, {4})}};
  file.metadata = {{"format", "pt"}};
  const std::string path = tempPath("corrupt.safetensors");
  ASSERT_TRUE(writeSafetensors(path, file).ok());
  const std::string bytes = readFile(path);
  // Every proper prefix is an error.
  for (size_t n = 0; n < bytes.size(); ++n) {
    writeFile(path, bytes.substr(0, n));
    EXPECT_FALSE(readSafetensors(path).ok()) << n;
  }
  // Any corrupted byte in the length or header is handled.
  std::mt19937_64 rng(5);
  const size_t headerEnd = bytes.size() - 6 * 4 - 4 * 2;
  for (size_t i = 0; i < headerEnd; ++i) {
    for (int k = 0; k < 4; ++k) {
      std::string corrupt = bytes;
      corrupt[i] = char(rng());
      writeFile(path, corrupt);
      Expected<SafetensorsFile> result = readSafetensors(path);
      if (!result.ok())
        EXPECT_EQ(result.status().message().rfind(path + ": ", 0), 0u);
    }
  }
  std::remove(path.c_str());
}

TEST(SafetensorsTest, InvalidTensorListsAreRefused) {
  const std::string dir = tempDir("refused");
  const std::string path = dir + "/out.safetensors";
  auto expectRefused = [&](const SafetensorsFile &file,
                           const std::string &message) {
    Status s = writeSafetensors(path, file);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.message(), path + ": " + message);
  };
  const Tensor t(DType::F32, {1});
  SafetensorsFile file;
  file.tensors = {{"w", t}, {"w", t}};
  expectRefused(file, "duplicate tensor name 'w'");
  file.tensors = {{"", t}};
  expectRefused(file, "empty tensor name");
  file.tensors = {{"__metadata__", t}};
  expectRefused(file, "a tensor cannot be named \"__metadata__\"");
  file.tensors = {{"bad\xff", t}};
  expectRefused(file, "tensor name 'bad\xff' is not valid UTF-8");
  file.tensors = {{"w", Tensor()}};
  expectRefused(file, "tensor 'w' is an empty Tensor()");
  file.tensors = {{"w", t}};
  file.metadata = {{"k", "\xc0\x80"}};
  expectRefused(file, "metadata entry 'k' is not valid UTF-8");
  // Nothing was created.
  EXPECT_TRUE(listDir(dir).empty());
  rmdir(dir.c_str());
}

TEST(SafetensorsTest, WritesAtomically) {
  const std::string missing = tempPath("no-such-dir/x.safetensors");
  SafetensorsFile file;
  file.tensors = {{"w", Tensor(DType::F32, {2})}};
  Status s = writeSafetensors(missing, file);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.message(), missing + ": cannot open file for writing: No such "
                                   "file or directory");

  const std::string dir = tempDir("atomic");
  const std::string path = dir + "/ckpt.safetensors";
  ASSERT_TRUE(writeSafetensors(path, file).ok());
  // Overwriting replaces the whole file.
  file.tensors = {{"v", Tensor(DType::I64, {3})}};
  ASSERT_TRUE(writeSafetensors(path, file).ok());
  EXPECT_EQ(listDir(dir), std::vector<std::string>{"ckpt.safetensors"});
  Expected<SafetensorsFile> back = readSafetensors(path);
  ASSERT_TRUE(back.ok()) << back.status().message();
  ASSERT_EQ(back->tensors.size(), 1u);
  EXPECT_EQ(back->tensors[0].first, "v");

  // A failed rename (the target is a directory) cleans up its temporary file.
  const std::string blocked = dir + "/blocked";
  ASSERT_EQ(mkdir(blocked.c_str(), 0700), 0);
  s = writeSafetensors(blocked, file);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.message().rfind(blocked + ": cannot rename '" + blocked +
                                  ".tmp-" + std::to_string(getpid()) +
                                  "' into place: ",
                              0),
            0u)
      << s.message();
  std::vector<std::string> names = listDir(dir);
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"blocked", "ckpt.safetensors"}));

  rmdir(blocked.c_str());
  std::remove(path.c_str());
  rmdir(dir.c_str());
}

} // namespace

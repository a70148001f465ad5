//===- NpyTest.cpp - NumPy .npy reading and writing -----------------------===//

#include "fmrt/Npy.h"
#include "fmrt/Numerics.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <random>
#include <unistd.h>

using namespace fmrt;

namespace {

std::string tempPath(const std::string &name) {
  return ::testing::TempDir() + "fmrt-npy-" + std::to_string(getpid()) + "-" +
         name;
}

void writeFile(const std::string &path, const std::string &bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

/// A .npy image with the given header dict text and data, padded like numpy.
std::string npyImage(const std::string &dict, const std::string &data,
                     int major = 1) {
  const size_t prefix = major == 1 ? 10 : 12;
  std::string header = dict;
  while ((prefix + header.size() + 1) % 64)
    header += ' ';
  header += '\n';
  std::string out("\x93NUMPY", 6);
  out += char(major);
  out += '\0';
  for (size_t i = 0; i < prefix - 8; ++i)
    out += char((header.size() >> (8 * i)) & 0xff);
  return out + header + data;
}

std::string floatBytes(std::initializer_list<float> values) {
  std::string out;
  for (float v : values)
    out.append(reinterpret_cast<const char *>(&v), sizeof(v));
  return out;
}

bool sameBytes(const Tensor &a, const Tensor &b) {
  return a.dtype() == b.dtype() && a.shape() == b.shape() &&
         std::memcmp(a.data(), b.data(), a.byteSize()) == 0;
}

TEST(NpyTest, HeaderIsByteIdenticalToNumpy) {
  Tensor t(DType::F32, {2, 3});
  for (int i = 0; i < 6; ++i)
    t.setDouble(i, i);
  // What numpy.save writes: the dict, spaces (including numpy's room for the
  // first dimension to grow) up to a 64-byte aligned total, then '\n'.
  const std::string dict =
      "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
  std::string expected("\x93NUMPY\x01\x00\x76\x00", 10);
  expected += dict + std::string(128 - 10 - 1 - dict.size(), ' ') + "\n";
  expected += floatBytes({0, 1, 2, 3, 4, 5});
  EXPECT_EQ(serializeNpy(t), expected);
}

TEST(NpyTest, HeaderKeepsNumpysRoomToGrow) {
  // numpy.save puts 21 - len(str(shape[0])) spaces after the dict so that
  // the first dimension can later be rewritten in place. For 15 dimensions
  // of 1 that is what pushes the data offset from 128 to 192.
  const std::string image = serializeNpy(Tensor(DType::F32, Shape(15, 1)));
  EXPECT_EQ(image.size(), 192u + 4);
  EXPECT_EQ(image[8], char(192 - 10));
  EXPECT_EQ(image[191], '\n');
}

TEST(NpyTest, ScalarAndVectorShapes) {
  const std::string scalar = serializeNpy(Tensor(DType::F64, {}));
  EXPECT_NE(scalar.find("'shape': (), } "), std::string::npos);
  EXPECT_EQ(scalar.size(), 128u + 8);
  const std::string vector = serializeNpy(Tensor(DType::I32, {5}));
  EXPECT_NE(vector.find("'shape': (5,), }"), std::string::npos);
  for (const std::string &image : {scalar, vector}) {
    Expected<Tensor> back = parseNpy(image, "mem.npy");
    ASSERT_TRUE(back.ok()) << back.status().message();
  }
  EXPECT_EQ(parseNpy(vector, "v.npy")->shape(), (Shape{5}));
  EXPECT_EQ(parseNpy(scalar, "s.npy")->shape(), Shape{});
}

TEST(NpyTest, RoundTripsEveryNativeDType) {
  std::mt19937_64 rng(7);
  for (DType type : {DType::F32, DType::F64, DType::F16, DType::I32, DType::I64,
                     DType::I1}) {
    Tensor t(type, {3, 4, 5});
    // Random bit patterns (valid for i1: 0 or 1).
    auto *bytes = t.dataAs<uint8_t>();
    for (size_t i = 0; i < t.byteSize(); ++i)
      bytes[i] = type == DType::I1 ? rng() & 1 : uint8_t(rng());
    const std::string path = tempPath(std::string(dtypeName(type)) + ".npy");
    ASSERT_TRUE(writeNpy(path, t).ok());
    Expected<Tensor> back = readNpy(path);
    ASSERT_TRUE(back.ok()) << back.status().message();
    EXPECT_TRUE(sameBytes(*back, t)) << dtypeName(type);
    std::remove(path.c_str());
  }
}

TEST(NpyTest, NarrowFloatsAreStoredAsExactF32) {
  Tensor bf16(DType::BF16, {256, 256});
  for (uint32_t c = 0; c < 65536; ++c)
    bf16.dataAs<uint16_t>()[c] = uint16_t(c);
  Tensor e4m3(DType::F8E4M3FN, {256});
  Tensor e5m2(DType::F8E5M2, {16, 16});
  for (uint32_t c = 0; c < 256; ++c) {
    e4m3.dataAs<uint8_t>()[c] = uint8_t(c);
    e5m2.dataAs<uint8_t>()[c] = uint8_t(c);
  }
  for (const Tensor *t : {&bf16, &e4m3, &e5m2}) {
    Expected<Tensor> back = parseNpy(serializeNpy(*t), "narrow.npy");
    ASSERT_TRUE(back.ok()) << back.status().message();
    EXPECT_EQ(back->dtype(), DType::F32);
    EXPECT_EQ(back->shape(), t->shape());
    // Converting back reproduces every non-NaN code bit for bit.
    const Tensor again = convertTensor(*back, t->dtype());
    for (int64_t i = 0; i < t->numElements(); ++i) {
      const double want = t->getDouble(i);
      if (std::isnan(want)) {
        EXPECT_TRUE(std::isnan(back->getDouble(i)));
        continue;
      }
      ASSERT_EQ(back->getDouble(i), want) << dtypeName(t->dtype()) << " " << i;
      ASSERT_EQ(std::signbit(back->getDouble(i)), std::signbit(want));
      if (!std::isinf(want) || t->dtype() != DType::F8E5M2)
        ASSERT_EQ(std::memcmp(static_cast<const uint8_t *>(again.data()) +
                                  i * dtypeSize(t->dtype()),
                              static_cast<const uint8_t *>(t->data()) +
                                  i * dtypeSize(t->dtype()),
                              dtypeSize(t->dtype())),
                  0)
            << i;
    }
  }
}

TEST(NpyTest, ReadsFormat2) {
  const std::string image =
      npyImage("{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }",
               floatBytes({1.5f, -2.0f, 0.25f}), 2);
  EXPECT_EQ(image.compare(0, 8, "\x93NUMPY\x02\x00", 8), 0);
  Expected<Tensor> t = parseNpy(image, "v2.npy");
  ASSERT_TRUE(t.ok()) << t.status().message();
  EXPECT_EQ(t->shape(), (Shape{3}));
  EXPECT_EQ(t->getDouble(0), 1.5);
  EXPECT_EQ(t->getDouble(1), -2.0);
  EXPECT_EQ(t->getDouble(2), 0.25);
}

TEST(NpyTest, WritesFormat2WhenTheHeaderNeedsIt) {
  // 30000 dimensions of 1 need a header longer than format 1.0's 65535.
  Tensor t(DType::F32, Shape(30000, 1));
  t.setDouble(0, 3.25);
  const std::string image = serializeNpy(t);
  ASSERT_EQ(image[6], 2);
  const uint32_t headerSize = uint8_t(image[8]) | uint8_t(image[9]) << 8 |
                              uint8_t(image[10]) << 16 |
                              uint32_t(uint8_t(image[11])) << 24;
  EXPECT_GT(headerSize, 0xffffu);
  EXPECT_EQ((12 + headerSize) % 64, 0u);
  Expected<Tensor> back = parseNpy(image, "big.npy");
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_TRUE(sameBytes(*back, t));
}

TEST(NpyTest, AcceptsNumpyVariants) {
  // Key order, double quotes, Python 2 longs, no trailing comma.
  Expected<Tensor> t =
      parseNpy(npyImage("{\"shape\": (2L, 1L), 'fortran_order': False, "
                        "'descr': '<i8'}",
                        std::string(16, '\0')),
               "variant.npy");
  ASSERT_TRUE(t.ok()) << t.status().message();
  EXPECT_EQ(t->dtype(), DType::I64);
  EXPECT_EQ(t->shape(), (Shape{2, 1}));
  // numpy reads any non-zero byte as True.
  Expected<Tensor> b = parseNpy(
      npyImage("{'descr': '|b1', 'fortran_order': False, 'shape': (3,), }",
               std::string("\x00\x02\xff", 3)),
      "bool.npy");
  ASSERT_TRUE(b.ok()) << b.status().message();
  EXPECT_EQ(b->getInt(0), 0);
  EXPECT_EQ(b->dataAs<uint8_t>()[1], 1);
  EXPECT_EQ(b->dataAs<uint8_t>()[2], 1);
}

void expectError(const Expected<Tensor> &result, const std::string &message) {
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().message().rfind(message, 0), 0u)
      << "got: " << result.status().message();
}

const std::string kValidDict =
    "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }";

TEST(NpyTest, ErrorsNameTheFile) {
  const std::string missing = tempPath("does-not-exist.npy");
  expectError(readNpy(missing),
              missing + ": cannot open file: No such file or directory");

  const std::string bad = tempPath("bad-magic.npy");
  writeFile(bad, "PK\x03\x04 this is a zip file");
  expectError(readNpy(bad), bad + ": not a .npy file (bad magic)");
  std::remove(bad.c_str());

  expectError(parseNpy("", "empty.npy"),
              "empty.npy: not a .npy file (bad magic)");
  expectError(parseNpy(std::string("\x93NUMPY\x01", 7), "x.npy"),
              "x.npy: truncated header");
  expectError(parseNpy(npyImage(kValidDict, "").substr(0, 40), "x.npy"),
              "x.npy: truncated header: expected 118 bytes, found 30");
  expectError(parseNpy(npyImage(kValidDict, std::string(10, '\0')), "x.npy"),
              "x.npy: truncated data: expected 16 bytes, found 10");
  expectError(parseNpy(npyImage(kValidDict, std::string(20, '\0')), "x.npy"),
              "x.npy: 4 unexpected bytes after the data");
  expectError(parseNpy(npyImage("{'descr': '<f4', 'fortran_order': True, "
                                "'shape': (2, 2), }",
                                std::string(16, '\0')),
                       "f.npy"),
              "f.npy: Fortran-order arrays are not supported");
  expectError(parseNpy(npyImage("{'descr': '>f4', 'fortran_order': False, "
                                "'shape': (2, 2), }",
                                std::string(16, '\0')),
                       "x.npy"),
              "x.npy: unsupported dtype '>f4' (big-endian");
  expectError(parseNpy(npyImage("{'descr': '<u2', 'fortran_order': False, "
                                "'shape': (2, 2), }",
                                std::string(8, '\0')),
                       "x.npy"),
              "x.npy: unsupported dtype '<u2'");
  expectError(parseNpy(npyImage("{'descr': [('a', '<f4')], 'fortran_order': "
                                "False, 'shape': (2,), }",
                                std::string(8, '\0')),
                       "x.npy"),
              "x.npy: malformed header: structured dtypes");
  std::string v3 = npyImage(kValidDict, std::string(16, '\0'));
  v3[6] = 3;
  expectError(parseNpy(v3, "x.npy"), "x.npy: unsupported .npy version 3.0");
}

TEST(NpyTest, MalformedHeadersAreErrors) {
  for (const char *dict : {
           "",
           "{",
           "{}",
           "[1, 2]",
           "{'descr': '<f4', 'fortran_order': False}",
           "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), } x",
           "{'descr': '<f4', 'fortran_order': Maybe, 'shape': (2, 2), }",
           "{'descr': '<f4', 'fortran_order': False, 'shape': (2, -2), }",
           "{'descr': '<f4', 'fortran_order': False, 'shape': (2 2), }",
           "{'descr': '<f4', 'fortran_order': False, 'shape': [2, 2], }",
           "{'descr': '<f4, 'fortran_order': False, 'shape': (2, 2), }",
           "{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, "
           "'shape': (2, 2), }",
           "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), "
           "'extra': 1, }",
           "{'descr': '<f4', 'fortran_order': False, "
           "'shape': (99999999999999999999,), }",
       })
    expectError(parseNpy(npyImage(dict, std::string(16, '\0')), "m.npy"),
                "m.npy: malformed header");
}

TEST(NpyTest, HugeShapesFailBeforeAllocating) {
  expectError(parseNpy(npyImage("{'descr': '<f8', 'fortran_order': False, "
                                "'shape': (4611686018427387904, 4), }",
                                ""),
                       "x.npy"),
              "x.npy: shape (4611686018427387904x4) is too large");
  expectError(parseNpy(npyImage("{'descr': '<f8', 'fortran_order': False, "
                                "'shape': (2305843009213693952,), }",
                                ""),
                       "x.npy"),
              "x.npy: shape (2305843009213693952) is too large");
  expectError(parseNpy(npyImage("{'descr': '<f8', 'fortran_order': False, "
                                "'shape': (1000000000000,), }",
                                ""),
                       "x.npy"),
              "x.npy: truncated data: expected 8000000000000 bytes, found 0");
}

TEST(NpyTest, CorruptImagesNeverCrash) {
  Tensor t(DType::I32, {3, 2});
  const std::string image = serializeNpy(t);
  // Every proper prefix is an error.
  for (size_t n = 0; n < image.size(); ++n)
    EXPECT_FALSE(parseNpy(image.substr(0, n), "p.npy").ok()) << n;
  // Any single corrupted byte in the prefix and header is handled.
  std::mt19937_64 rng(3);
  for (size_t i = 0; i < 128; ++i) {
    for (int k = 0; k < 16; ++k) {
      std::string corrupt = image;
      corrupt[i] = char(rng());
      Expected<Tensor> result = parseNpy(corrupt, "c.npy");
      if (!result.ok())
        EXPECT_EQ(result.status().message().rfind("c.npy: ", 0), 0u);
    }
  }
}

TEST(NpyTest, WriteErrorsNameTheFile) {
  const std::string path = tempPath("no-such-dir/x.npy");
  Status s = writeNpy(path, Tensor(DType::F32, {1}));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.message().rfind(path + ": cannot open file for writing: ", 0), 0u)
      << s.message();
}

} // namespace

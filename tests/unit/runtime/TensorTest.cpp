//===- TensorTest.cpp - Host tensors and element types --------------------===//

#include "fmrt/Tensor.h"
#include "fmrt/Numerics.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>

using namespace fmrt;

namespace {

constexpr DType kAllDTypes[] = {DType::F32,  DType::F64,      DType::F16,
                                DType::BF16, DType::F8E4M3FN, DType::F8E5M2,
                                DType::I32,  DType::I64,      DType::I1};

TEST(DTypeTest, SizesNamesAndKinds) {
  EXPECT_EQ(dtypeSize(DType::F32), 4u);
  EXPECT_EQ(dtypeSize(DType::F64), 8u);
  EXPECT_EQ(dtypeSize(DType::F16), 2u);
  EXPECT_EQ(dtypeSize(DType::BF16), 2u);
  EXPECT_EQ(dtypeSize(DType::F8E4M3FN), 1u);
  EXPECT_EQ(dtypeSize(DType::F8E5M2), 1u);
  EXPECT_EQ(dtypeSize(DType::I32), 4u);
  EXPECT_EQ(dtypeSize(DType::I64), 8u);
  EXPECT_EQ(dtypeSize(DType::I1), 1u);
  EXPECT_EQ(dtypeName(DType::BF16), "bf16");
  EXPECT_EQ(dtypeName(DType::F8E4M3FN), "f8E4M3FN");
  EXPECT_EQ(dtypeName(DType::F8E5M2), "f8E5M2");
  EXPECT_EQ(dtypeName(DType::I1), "i1");
  for (DType type : kAllDTypes) {
    EXPECT_EQ(parseDType(dtypeName(type)), type) << dtypeName(type);
    EXPECT_NE(isFloat(type), isInteger(type) || type == DType::I1);
  }
  EXPECT_TRUE(isFloat(DType::F8E5M2));
  EXPECT_TRUE(isInteger(DType::I64));
  EXPECT_FALSE(isInteger(DType::I1));
  EXPECT_FALSE(parseDType("f128").has_value());
  EXPECT_FALSE(parseDType("F32").has_value());
  EXPECT_FALSE(parseDType("").has_value());
}

TEST(ShapeTest, CountAndFormat) {
  EXPECT_EQ(numElements({}), 1);
  EXPECT_EQ(numElements({4, 8}), 32);
  EXPECT_EQ(numElements({2, 0, 3}), 0);
  EXPECT_EQ(formatShape({4, 8}), "4x8");
  EXPECT_EQ(formatShape({4, 8, 16}), "4x8x16");
  EXPECT_EQ(formatShape({7}), "7");
  EXPECT_EQ(formatShape({}), "");
}

TEST(TensorTest, ConstructionZeroFillsAnAlignedBuffer) {
  for (DType type : kAllDTypes) {
    Tensor t(type, {3, 5});
    EXPECT_EQ(t.dtype(), type);
    EXPECT_EQ(t.shape(), (Shape{3, 5}));
    EXPECT_EQ(t.rank(), 2);
    EXPECT_EQ(t.numElements(), 15);
    EXPECT_EQ(t.byteSize(), 15 * dtypeSize(type));
    ASSERT_NE(t.data(), nullptr);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(t.data()) % 64, 0u);
    const auto *bytes = t.dataAs<uint8_t>();
    for (size_t i = 0; i < t.byteSize(); ++i)
      ASSERT_EQ(bytes[i], 0) << dtypeName(type) << " byte " << i;
    for (int64_t i = 0; i < t.numElements(); ++i)
      EXPECT_EQ(t.getDouble(i), 0.0);
  }
}

TEST(TensorTest, ScalarAndEmptyTensors) {
  Tensor scalar(DType::F32, {});
  EXPECT_EQ(scalar.rank(), 0);
  EXPECT_EQ(scalar.numElements(), 1);
  scalar.setDouble(0, 2.5);
  EXPECT_EQ(scalar.getDouble(0), 2.5);

  Tensor empty(DType::I64, {4, 0});
  EXPECT_EQ(empty.numElements(), 0);
  EXPECT_EQ(empty.byteSize(), 0u);
  EXPECT_NE(empty.data(), nullptr);
  Tensor copy(empty);
  EXPECT_EQ(copy.shape(), (Shape{4, 0}));
}

TEST(TensorTest, CopiesAreDeep) {
  Tensor a(DType::F32, {2, 2});
  a.setDouble(1, 7.0);
  Tensor b(a);
  EXPECT_NE(a.data(), b.data());
  a.setDouble(1, 9.0);
  EXPECT_EQ(b.getDouble(1), 7.0);

  Tensor c(DType::I32, {1});
  c = a;
  EXPECT_EQ(c.dtype(), DType::F32);
  EXPECT_EQ(c.shape(), a.shape());
  EXPECT_EQ(c.getDouble(1), 9.0);
  c.setDouble(1, 1.0);
  EXPECT_EQ(a.getDouble(1), 9.0);

  const Tensor &self = c;
  c = self;
  EXPECT_EQ(c.getDouble(1), 1.0);

  Tensor moved(std::move(c));
  EXPECT_EQ(moved.getDouble(1), 1.0);
  Tensor defaulted;
  Tensor defaultedCopy(defaulted);
  EXPECT_EQ(defaultedCopy.numElements(), 0);
}

TEST(TensorTest, FloatElementsRoundPerDType) {
  const double third = 1.0 / 3.0;
  Tensor f32(DType::F32, {1});
  f32.setDouble(0, third);
  EXPECT_EQ(f32.getDouble(0), double(float(third)));
  EXPECT_EQ(f32.dataAs<float>()[0], float(third));

  Tensor f64(DType::F64, {1});
  f64.setDouble(0, third);
  EXPECT_EQ(f64.getDouble(0), third);

  Tensor f16(DType::F16, {2});
  f16.setDouble(0, third);
  EXPECT_EQ(f16.dataAs<uint16_t>()[0], 0x3555);
  EXPECT_EQ(f16.getDouble(0), double(f16ToFloat(0x3555)));
  f16.setDouble(1, 1e6);
  EXPECT_TRUE(std::isinf(f16.getDouble(1)));

  Tensor bf16(DType::BF16, {1});
  bf16.setDouble(0, 1.0 + 0x1p-8); // tie -> even
  EXPECT_EQ(bf16.dataAs<uint16_t>()[0], 0x3F80);
  EXPECT_EQ(bf16.getDouble(0), 1.0);

  Tensor e4m3(DType::F8E4M3FN, {3});
  e4m3.setDouble(0, 1000.0);
  e4m3.setDouble(1, -0.0);
  e4m3.setDouble(2, std::nan(""));
  EXPECT_EQ(e4m3.dataAs<uint8_t>()[0], 0x7E);
  EXPECT_EQ(e4m3.getDouble(0), 448.0);
  EXPECT_EQ(e4m3.dataAs<uint8_t>()[1], 0x80);
  EXPECT_TRUE(std::isnan(e4m3.getDouble(2)));

  Tensor e5m2(DType::F8E5M2, {1});
  e5m2.setDouble(0, -1e300); // f64 beyond f32 range still saturates
  EXPECT_EQ(e5m2.getDouble(0), -57344.0);
}

TEST(TensorTest, IntegerElementsTruncateAndWrap) {
  Tensor i32(DType::I32, {1});
  const std::pair<double, int64_t> cases[] = {{3.7, 3},
                                              {-3.7, -3},
                                              {-0.5, 0},
                                              {4294967301.0, 5}, // 2^32 + 5
                                              {2147483648.0, -2147483648LL},
                                              {std::nan(""), 0}};
  for (auto [in, out] : cases) {
    i32.setDouble(0, in);
    EXPECT_EQ(i32.getInt(0), out) << in;
    EXPECT_EQ(i32.getDouble(0), double(out)) << in;
  }
  Tensor i64(DType::I64, {1});
  i64.setDouble(0, 1e19); // 1e19 - 2^64
  EXPECT_EQ(i64.getInt(0), -8446744073709551616LL);
  i64.setDouble(0, -9223372036854775808.0);
  EXPECT_EQ(i64.getInt(0), std::numeric_limits<int64_t>::min());
  i64.setDouble(0, 9223372036854775808.0); // 2^63 wraps to -2^63
  EXPECT_EQ(i64.getInt(0), std::numeric_limits<int64_t>::min());
  i64.setDouble(0, -std::numeric_limits<double>::infinity());
  EXPECT_EQ(i64.getInt(0), 0);
  i64.setInt(0, std::numeric_limits<int64_t>::max());
  EXPECT_EQ(i64.getInt(0), std::numeric_limits<int64_t>::max());

  i32.setInt(0, (int64_t{1} << 32) + 7);
  EXPECT_EQ(i32.getInt(0), 7);
  i32.setInt(0, -12);
  EXPECT_EQ(i32.dataAs<int32_t>()[0], -12);
}

TEST(TensorTest, BoolElementsHoldZeroOrOne) {
  Tensor b(DType::I1, {5});
  b.setDouble(0, 0.5);
  b.setDouble(1, -0.0);
  b.setDouble(2, std::nan(""));
  b.setInt(3, 42);
  b.setInt(4, 0);
  const uint8_t expected[] = {1, 0, 1, 1, 0};
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(b.dataAs<uint8_t>()[i], expected[i]) << i;
    EXPECT_EQ(b.getInt(i), expected[i]) << i;
    EXPECT_EQ(b.getDouble(i), expected[i]) << i;
  }
}

TEST(TensorTest, IntAccessOnFloatTensors) {
  Tensor f(DType::F32, {2});
  f.setDouble(0, -2.9);
  EXPECT_EQ(f.getInt(0), -2);
  f.setInt(1, 16777217); // 2^24 + 1 rounds to 2^24 in f32
  EXPECT_EQ(f.getDouble(1), 16777216.0);
}

TEST(TensorTest, ReshapedCopiesWithNewShape) {
  Tensor a(DType::I32, {2, 3});
  for (int64_t i = 0; i < 6; ++i)
    a.setInt(i, i);
  Tensor b = a.reshaped({3, 2});
  EXPECT_EQ(b.shape(), (Shape{3, 2}));
  EXPECT_EQ(a.shape(), (Shape{2, 3}));
  for (int64_t i = 0; i < 6; ++i)
    EXPECT_EQ(b.getInt(i), i);
  EXPECT_DEBUG_DEATH(a.reshaped({4, 2}), "element count");
}

TEST(ConvertTensorTest, FloatToNarrowRoundsOnce) {
  Tensor src(DType::F32, {6});
  const float values[] = {1.0f + 0x1p-8f, 1.0f + 0x3p-8f, 500.0f,
                          -1e30f,         std::nanf(""),  0x1p-10f};
  for (int i = 0; i < 6; ++i)
    src.setDouble(i, values[i]);

  Tensor bf16 = convertTensor(src, DType::BF16);
  EXPECT_EQ(bf16.dtype(), DType::BF16);
  EXPECT_EQ(bf16.shape(), src.shape());
  for (int i = 0; i < 6; ++i)
    EXPECT_EQ(bf16.dataAs<uint16_t>()[i], floatToBF16(values[i])) << i;
  EXPECT_EQ(bf16.dataAs<uint16_t>()[0], 0x3F80);
  EXPECT_EQ(bf16.dataAs<uint16_t>()[1], 0x3F82);

  Tensor e4m3 = convertTensor(src, DType::F8E4M3FN);
  const uint8_t expected[] = {0x38, 0x38, 0x7E, 0xFE, 0x7F, 0x00};
  for (int i = 0; i < 6; ++i)
    EXPECT_EQ(e4m3.dataAs<uint8_t>()[i], expected[i]) << i;

  // Back to f32 is exact.
  Tensor back = convertTensor(bf16, DType::F32);
  for (int i = 0; i < 6; ++i) {
    const float want = bf16ToFloat(bf16.dataAs<uint16_t>()[i]);
    if (std::isnan(want))
      EXPECT_TRUE(std::isnan(back.dataAs<float>()[i]));
    else
      EXPECT_EQ(back.dataAs<float>()[i], want);
  }
}

TEST(ConvertTensorTest, IntegerAndBoolConversions) {
  Tensor f(DType::F64, {5});
  const double values[] = {-2.5, 0.0, -0.0, 0.1, 3e9};
  for (int i = 0; i < 5; ++i)
    f.setDouble(i, values[i]);
  Tensor i32 = convertTensor(f, DType::I32);
  EXPECT_EQ(i32.getInt(0), -2);
  EXPECT_EQ(i32.getInt(3), 0);
  EXPECT_EQ(i32.getInt(4), int64_t(3000000000LL - 4294967296LL)); // wraps
  Tensor b = convertTensor(f, DType::I1);
  const int64_t bools[] = {1, 0, 0, 1, 1};
  for (int i = 0; i < 5; ++i)
    EXPECT_EQ(b.getInt(i), bools[i]) << i;

  Tensor i64(DType::I64, {3});
  i64.setInt(0, (int64_t{1} << 32) + 3);
  i64.setInt(1, (int64_t{1} << 24) + 1);
  i64.setInt(2, -1);
  Tensor narrowed = convertTensor(i64, DType::I32);
  EXPECT_EQ(narrowed.getInt(0), 3);
  EXPECT_EQ(narrowed.getInt(2), -1);
  Tensor asFloat = convertTensor(i64, DType::F32);
  EXPECT_EQ(asFloat.getDouble(1), 16777216.0); // RNE in f32
  EXPECT_EQ(asFloat.getDouble(2), -1.0);
  Tensor asBool = convertTensor(i64, DType::I1);
  EXPECT_EQ(asBool.getInt(2), 1);
  Tensor fromBool = convertTensor(asBool, DType::F16);
  EXPECT_EQ(fromBool.dataAs<uint16_t>()[0], 0x3C00);

  Tensor same = convertTensor(i64, DType::I64);
  EXPECT_NE(same.data(), i64.data());
  EXPECT_EQ(same.getInt(0), i64.getInt(0));
}

} // namespace

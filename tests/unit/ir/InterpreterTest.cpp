//===- InterpreterTest.cpp - The reference interpreter --------------------===//
//
// Runs small fm programs through fm::Interpreter and compares the results with
// values worked out by hand or by plain reference loops written here, never
// with the interpreter's own kernels.
//
//===----------------------------------------------------------------------===//

#include "ir/interp/Interpreter.h"
#include "ir/FmOps.h"
#include "tests/unit/FmProgramTest.h"

#include "fmrt/Numerics.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <vector>

using namespace mlir;
using fm::Precision;
using fmrt::DType;
using fmrt::Shape;
using fmrt::Tensor;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

Tensor makeTensor(DType dtype, const Shape &shape,
                  const std::vector<double> &values) {
  Tensor tensor(dtype, shape);
  EXPECT_EQ(static_cast<int64_t>(values.size()), tensor.numElements());
  for (size_t i = 0; i < values.size(); ++i)
    tensor.setDouble(i, values[i]);
  return tensor;
}

Tensor f32(const Shape &shape, const std::vector<double> &values) {
  return makeTensor(DType::F32, shape, values);
}

Tensor ints(DType dtype, const Shape &shape,
            const std::vector<int64_t> &values) {
  Tensor tensor(dtype, shape);
  for (size_t i = 0; i < values.size(); ++i)
    tensor.setInt(i, values[i]);
  return tensor;
}

std::vector<double> elements(const Tensor &tensor) {
  std::vector<double> values;
  for (int64_t i = 0; i < tensor.numElements(); ++i)
    values.push_back(tensor.getDouble(i));
  return values;
}

std::vector<int64_t> intElements(const Tensor &tensor) {
  std::vector<int64_t> values;
  for (int64_t i = 0; i < tensor.numElements(); ++i)
    values.push_back(tensor.getInt(i));
  return values;
}

/// Element-by-element comparison with an absolute-plus-relative tolerance;
/// NaN matches NaN.
void expectClose(const std::vector<double> &actual,
                 const std::vector<double> &expected, double tolerance = 1e-6) {
  ASSERT_EQ(actual.size(), expected.size());
  for (size_t i = 0; i < actual.size(); ++i) {
    if (std::isnan(expected[i])) {
      EXPECT_TRUE(std::isnan(actual[i])) << "element " << i;
      continue;
    }
    if (std::isinf(expected[i])) {
      EXPECT_EQ(actual[i], expected[i]) << "element " << i;
      continue;
    }
    EXPECT_NEAR(actual[i], expected[i],
                tolerance * (1 + std::fabs(expected[i])))
        << "element " << i;
  }
}

/// numpy broadcasting written out: the multi-index of each result element,
/// mapped into each operand by dropping missing leading axes and pinning
/// size-1 axes to 0.
int64_t broadcastSource(int64_t flat, const Shape &result,
                        const Shape &operand) {
  std::vector<int64_t> index(result.size());
  for (size_t axis = result.size(); axis-- > 0;) {
    index[axis] = flat % result[axis];
    flat /= result[axis];
  }
  int64_t source = 0;
  const size_t offset = result.size() - operand.size();
  for (size_t axis = 0; axis < operand.size(); ++axis)
    source = source * operand[axis] +
             (operand[axis] == 1 ? 0 : index[axis + offset]);
  return source;
}

std::vector<double>
referenceBinary(const Shape &result, const Shape &lhsShape,
                const std::vector<double> &lhs, const Shape &rhsShape,
                const std::vector<double> &rhs,
                const std::function<double(double, double)> &fn) {
  std::vector<double> out;
  for (int64_t i = 0; i < fmrt::numElements(result); ++i)
    out.push_back(fn(lhs[broadcastSource(i, result, lhsShape)],
                     rhs[broadcastSource(i, result, rhsShape)]));
  return out;
}

/// Deterministic test data in [-2, 2).
std::vector<double> sequence(int64_t count, int seed) {
  std::vector<double> values;
  for (int64_t i = 0; i < count; ++i)
    values.push_back(((i * 37 + seed * 11) % 64) / 16.0 - 2.0);
  return values;
}

class InterpreterTest : public fm::testing::FmProgramTest {
protected:
  /// Parses `source` and runs its function @main; the text of every
  /// diagnostic lands in `diagnostics`.
  FailureOr<std::vector<Tensor>> run(StringRef source,
                                     const std::vector<Tensor> &inputs,
                                     Precision precision = Precision::F32) {
    if (!parse(source))
      return failure();
    fm::Interpreter interpreter(*module, {precision});
    return interpreter.run("main", inputs);
  }

  /// Runs a program that must succeed with one result.
  Tensor runOne(StringRef source, const std::vector<Tensor> &inputs,
                Precision precision = Precision::F32) {
    FailureOr<std::vector<Tensor>> results = run(source, inputs, precision);
    if (failed(results) || results->size() != 1) {
      ADD_FAILURE() << "the program failed or has not one result:\n"
                    << diagnostics;
      return Tensor();
    }
    return std::move(results->front());
  }

  /// Runs a program that must fail and returns its diagnostics.
  std::string runFailing(StringRef source, const std::vector<Tensor> &inputs,
                         Precision precision = Precision::F32) {
    EXPECT_TRUE(failed(run(source, inputs, precision)));
    return diagnostics;
  }
};

//===----------------------------------------------------------------------===//
// Type mapping
//===----------------------------------------------------------------------===//

TEST_F(InterpreterTest, TypeMappingRoundTrips) {
  for (DType dtype :
       {DType::F32, DType::F64, DType::F16, DType::BF16, DType::F8E4M3FN,
        DType::F8E5M2, DType::I32, DType::I64, DType::I1}) {
    Type type = fm::toMlirType(&context, dtype);
    EXPECT_EQ(fm::toDType(type), dtype) << fmrt::dtypeName(dtype);
  }
  Builder builder(&context);
  EXPECT_TRUE(fm::toMlirType(&context, DType::F8E4M3FN).isFloat8E4M3FN());
  EXPECT_TRUE(fm::toMlirType(&context, DType::I32).isSignlessInteger(32));
  EXPECT_FALSE(fm::toDType(builder.getI8Type()).has_value());
  EXPECT_FALSE(
      fm::toDType(builder.getIntegerType(32, /*isSigned=*/true)).has_value());
}

//===----------------------------------------------------------------------===//
// Constants and elementwise ops
//===----------------------------------------------------------------------===//

TEST_F(InterpreterTest, Constants) {
  auto results = run(R"mlir(
    func.func @main() -> (tensor<2x2xf32>, tensor<3xi32>, tensor<2xi1>,
                          tensor<2xbf16>, tensor<2xf32>) {
      %0 = fm.constant dense<[[1.5, -2.0], [0.25, 3.0]]> : tensor<2x2xf32>
      %1 = fm.constant dense<[7, -8, 2147483647]> : tensor<3xi32>
      %2 = fm.constant dense<[true, false]> : tensor<2xi1>
      %3 = fm.constant dense<[1.5, -0.0078125]> : tensor<2xbf16>
      %4 = fm.constant dense<4.0> : tensor<2xf32>
      return %0, %1, %2, %3, %4 : tensor<2x2xf32>, tensor<3xi32>,
                                  tensor<2xi1>, tensor<2xbf16>, tensor<2xf32>
    })mlir",
                     {});
  ASSERT_TRUE(succeeded(results)) << diagnostics;
  EXPECT_EQ((*results)[0].shape(), (Shape{2, 2}));
  EXPECT_EQ(elements((*results)[0]), (std::vector<double>{1.5, -2, 0.25, 3}));
  EXPECT_EQ((*results)[1].dtype(), DType::I32);
  EXPECT_EQ(intElements((*results)[1]),
            (std::vector<int64_t>{7, -8, 2147483647}));
  EXPECT_EQ((*results)[2].dtype(), DType::I1);
  EXPECT_EQ(intElements((*results)[2]), (std::vector<int64_t>{1, 0}));
  EXPECT_EQ((*results)[3].dtype(), DType::BF16);
  EXPECT_EQ((*results)[3].dataAs<uint16_t>()[0], 0x3fc0); // 1.5
  EXPECT_EQ(elements((*results)[3]), (std::vector<double>{1.5, -0.0078125}));
  EXPECT_EQ(elements((*results)[4]), (std::vector<double>{4, 4}));
}

TEST_F(InterpreterTest, AddSameShape) {
  Tensor out =
      runOne(R"mlir(
    func.func @main(%a: tensor<2x2xf32>, %b: tensor<2x2xf32>) -> tensor<2x2xf32> {
      %0 = fm.add %a, %b : tensor<2x2xf32>
      return %0 : tensor<2x2xf32>
    })mlir",
             {f32({2, 2}, {1, 2, 3, 4}), f32({2, 2}, {10, 20, 30, 40})});
  EXPECT_EQ(out.dtype(), DType::F32);
  EXPECT_EQ(elements(out), (std::vector<double>{11, 22, 33, 44}));
}

TEST_F(InterpreterTest, BroadcastRankZeroWithTensor) {
  Tensor out = runOne(R"mlir(
    func.func @main(%s: tensor<f32>, %x: tensor<2x3xf32>) -> tensor<2x3xf32> {
      %0 = fm.sub %s, %x : tensor<f32>, tensor<2x3xf32>
      return %0 : tensor<2x3xf32>
    })mlir",
                      {f32({}, {10}), f32({2, 3}, {1, 2, 3, 4, 5, 6})});
  EXPECT_EQ(out.shape(), (Shape{2, 3}));
  EXPECT_EQ(elements(out), (std::vector<double>{9, 8, 7, 6, 5, 4}));
}

TEST_F(InterpreterTest, BroadcastSizeOneAxesOnBothSides) {
  Shape lhsShape{3, 1}, rhsShape{1, 4}, shape{3, 4};
  std::vector<double> lhs = {1, 2, 3}, rhs = {10, 20, 30, 40};
  Tensor out = runOne(R"mlir(
    func.func @main(%a: tensor<3x1xf32>, %b: tensor<1x4xf32>) -> tensor<3x4xf32> {
      %0 = fm.mul %a, %b : tensor<3x1xf32>, tensor<1x4xf32>
      return %0 : tensor<3x4xf32>
    })mlir",
                      {f32(lhsShape, lhs), f32(rhsShape, rhs)});
  EXPECT_EQ(out.shape(), shape);
  EXPECT_EQ(elements(out),
            referenceBinary(shape, lhsShape, lhs, rhsShape, rhs,
                            [](double a, double b) { return a * b; }));
}

TEST_F(InterpreterTest, BroadcastRankExtension) {
  Shape lhsShape{2, 1, 4}, rhsShape{3, 1}, shape{2, 3, 4};
  std::vector<double> lhs = sequence(8, 1), rhs = {1, 2, 4};
  Tensor out = runOne(R"mlir(
    func.func @main(%a: tensor<2x1x4xf32>, %b: tensor<3x1xf32>) -> tensor<2x3x4xf32> {
      %0 = fm.div %a, %b : tensor<2x1x4xf32>, tensor<3x1xf32>
      return %0 : tensor<2x3x4xf32>
    })mlir",
                      {f32(lhsShape, lhs), f32(rhsShape, rhs)});
  EXPECT_EQ(out.shape(), shape);
  EXPECT_EQ(elements(out),
            referenceBinary(shape, lhsShape, lhs, rhsShape, rhs,
                            [](double a, double b) { return a / b; }));
}

TEST_F(InterpreterTest, PowMaxMinPropagateNaN) {
  auto results = run(R"mlir(
    func.func @main(%a: tensor<4xf32>, %b: tensor<4xf32>)
        -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) {
      %0 = fm.pow %a, %b : tensor<4xf32>
      %1 = fm.max %a, %b : tensor<4xf32>
      %2 = fm.min %a, %b : tensor<4xf32>
      return %0, %1, %2 : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
    })mlir",
                     {f32({4}, {2, 9, kNaN, 1}), f32({4}, {3, 0.5, 1, kNaN})});
  ASSERT_TRUE(succeeded(results)) << diagnostics;
  expectClose(elements((*results)[0]), {8, 3, kNaN, 1});
  expectClose(elements((*results)[1]), {3, 9, kNaN, kNaN});
  expectClose(elements((*results)[2]), {2, 0.5, kNaN, kNaN});
}

TEST_F(InterpreterTest, ComparisonsOnFloatsBroadcast) {
  auto results = run(R"mlir(
    func.func @main(%a: tensor<2x3xf32>, %b: tensor<3xf32>)
        -> (tensor<2x3xi1>, tensor<2x3xi1>, tensor<2x3xi1>, tensor<2x3xi1>,
            tensor<2x3xi1>, tensor<2x3xi1>) {
      %0 = fm.eq %a, %b : tensor<2x3xf32>, tensor<3xf32>
      %1 = fm.ne %a, %b : tensor<2x3xf32>, tensor<3xf32>
      %2 = fm.lt %a, %b : tensor<2x3xf32>, tensor<3xf32>
      %3 = fm.le %a, %b : tensor<2x3xf32>, tensor<3xf32>
      %4 = fm.gt %a, %b : tensor<2x3xf32>, tensor<3xf32>
      %5 = fm.ge %a, %b : tensor<2x3xf32>, tensor<3xf32>
      return %0, %1, %2, %3, %4, %5 : tensor<2x3xi1>, tensor<2x3xi1>,
          tensor<2x3xi1>, tensor<2x3xi1>, tensor<2x3xi1>, tensor<2x3xi1>
    })mlir",
                     {f32({2, 3}, {1, 2, 3, 4, 5, kNaN}), f32({3}, {1, 5, 3})});
  ASSERT_TRUE(succeeded(results)) << diagnostics;
  using V = std::vector<int64_t>;
  EXPECT_EQ((*results)[0].dtype(), DType::I1);
  EXPECT_EQ(intElements((*results)[0]), (V{1, 0, 1, 0, 1, 0}));
  EXPECT_EQ(intElements((*results)[1]), (V{0, 1, 0, 1, 0, 1}));
  EXPECT_EQ(intElements((*results)[2]), (V{0, 1, 0, 0, 0, 0}));
  EXPECT_EQ(intElements((*results)[3]), (V{1, 1, 1, 0, 1, 0}));
  EXPECT_EQ(intElements((*results)[4]), (V{0, 0, 0, 1, 0, 0}));
  EXPECT_EQ(intElements((*results)[5]), (V{1, 0, 1, 1, 1, 0}));
}

TEST_F(InterpreterTest, ComparisonsOnIntegersAreExact) {
  // 2^53 + 1 and 2^53 are equal as doubles but not as i64.
  const int64_t big = (int64_t{1} << 53) + 1;
  auto results = run(
      R"mlir(
    func.func @main(%a: tensor<2xi64>, %b: tensor<2xi64>)
        -> (tensor<2xi1>, tensor<2xi1>) {
      %0 = fm.eq %a, %b : tensor<2xi64>
      %1 = fm.gt %a, %b : tensor<2xi64>
      return %0, %1 : tensor<2xi1>, tensor<2xi1>
    })mlir",
      {ints(DType::I64, {2}, {big, -3}), ints(DType::I64, {2}, {big - 1, -3})});
  ASSERT_TRUE(succeeded(results)) << diagnostics;
  EXPECT_EQ(intElements((*results)[0]), (std::vector<int64_t>{0, 1}));
  EXPECT_EQ(intElements((*results)[1]), (std::vector<int64_t>{1, 0}));
}

TEST_F(InterpreterTest, SelectBroadcastsThreeWays) {
  Tensor out = runOne(
      R"mlir(
    func.func @main(%c: tensor<2x1xi1>, %t: tensor<3xf32>, %f: tensor<f32>)
        -> tensor<2x3xf32> {
      %0 = fm.select %c, %t, %f : tensor<2x1xi1>, tensor<3xf32>, tensor<f32>
      return %0 : tensor<2x3xf32>
    })mlir",
      {ints(DType::I1, {2, 1}, {1, 0}), f32({3}, {1, 2, 3}), f32({}, {-1})});
  EXPECT_EQ(out.shape(), (Shape{2, 3}));
  EXPECT_EQ(elements(out), (std::vector<double>{1, 2, 3, -1, -1, -1}));
}

TEST_F(InterpreterTest, SelectOnIntegers) {
  Tensor out =
      runOne(R"mlir(
    func.func @main(%c: tensor<3xi1>, %t: tensor<3xi64>, %f: tensor<1xi64>)
        -> tensor<3xi64> {
      %0 = fm.select %c, %t, %f : tensor<3xi1>, tensor<3xi64>, tensor<1xi64>
      return %0 : tensor<3xi64>
    })mlir",
             {ints(DType::I1, {3}, {0, 1, 0}), ints(DType::I64, {3}, {5, 6, 7}),
              ints(DType::I64, {1}, {-9})});
  EXPECT_EQ(intElements(out), (std::vector<int64_t>{-9, 6, -9}));
}

TEST_F(InterpreterTest, UnaryFloatOps) {
  const std::vector<double> x = {-2.5, -0.5, 0.25, 1.0, 3.0};
  auto results = run(R"mlir(
    func.func @main(%x: tensor<5xf32>, %p: tensor<5xf32>)
        -> (tensor<5xf32>, tensor<5xf32>, tensor<5xf32>, tensor<5xf32>,
            tensor<5xf32>, tensor<5xf32>, tensor<5xf32>, tensor<5xf32>,
            tensor<5xf32>, tensor<5xf32>, tensor<5xf32>, tensor<5xf32>) {
      %0 = fm.neg %x : tensor<5xf32>
      %1 = fm.abs %x : tensor<5xf32>
      %2 = fm.exp %x : tensor<5xf32>
      %3 = fm.log %p : tensor<5xf32>
      %4 = fm.sqrt %p : tensor<5xf32>
      %5 = fm.rsqrt %p : tensor<5xf32>
      %6 = fm.tanh %x : tensor<5xf32>
      %7 = fm.sigmoid %x : tensor<5xf32>
      %8 = fm.relu %x : tensor<5xf32>
      %9 = fm.silu %x : tensor<5xf32>
      %10 = fm.gelu %x : tensor<5xf32>
      %11 = fm.gelu %x approximate "none" : tensor<5xf32>
      return %0, %1, %2, %3, %4, %5, %6, %7, %8, %9, %10, %11
          : tensor<5xf32>, tensor<5xf32>, tensor<5xf32>, tensor<5xf32>,
            tensor<5xf32>, tensor<5xf32>, tensor<5xf32>, tensor<5xf32>,
            tensor<5xf32>, tensor<5xf32>, tensor<5xf32>, tensor<5xf32>
    })mlir",
                     {f32({5}, x), f32({5}, {0.25, 1, 2, 4, 9})});
  ASSERT_TRUE(succeeded(results)) << diagnostics;
  auto map = [&](const std::vector<double> &in, double (*fn)(double)) {
    std::vector<double> out;
    for (double v : in)
      out.push_back(fn(v));
    return out;
  };
  const std::vector<double> p = {0.25, 1, 2, 4, 9};
  const double pi = 3.14159265358979323846;
  expectClose(elements((*results)[0]), map(x, [](double v) { return -v; }));
  expectClose(elements((*results)[1]), map(x, std::fabs));
  expectClose(elements((*results)[2]), map(x, std::exp));
  expectClose(elements((*results)[3]), map(p, std::log));
  expectClose(elements((*results)[4]), map(p, std::sqrt));
  expectClose(elements((*results)[5]),
              map(p, [](double v) { return 1 / std::sqrt(v); }));
  expectClose(elements((*results)[6]), map(x, std::tanh));
  expectClose(elements((*results)[7]),
              map(x, [](double v) { return 1 / (1 + std::exp(-v)); }));
  expectClose(elements((*results)[8]), {0, 0, 0.25, 1, 3});
  expectClose(elements((*results)[9]),
              map(x, [](double v) { return v / (1 + std::exp(-v)); }));
  std::vector<double> geluTanh, geluErf;
  for (double v : x) {
    geluTanh.push_back(
        0.5 * v *
        (1 + std::tanh(std::sqrt(2 / pi) * (v + 0.044715 * v * v * v))));
    geluErf.push_back(0.5 * v * (1 + std::erf(v / std::sqrt(2.0))));
  }
  expectClose(elements((*results)[10]), geluTanh);
  expectClose(elements((*results)[11]), geluErf);
  // The two approximations differ measurably, so each was really taken.
  EXPECT_GT(std::fabs(geluTanh[0] - geluErf[0]), 1e-4);
}

TEST_F(InterpreterTest, ReluKeepsNaN) {
  Tensor out = runOne(R"mlir(
    func.func @main(%x: tensor<2xf32>) -> tensor<2xf32> {
      %0 = fm.relu %x : tensor<2xf32>
      return %0 : tensor<2xf32>
    })mlir",
                      {f32({2}, {kNaN, -kInf})});
  expectClose(elements(out), {kNaN, 0});
}

//===----------------------------------------------------------------------===//
// Integer arithmetic
//===----------------------------------------------------------------------===//

TEST_F(InterpreterTest, I32AddWrapsAround) {
  Tensor out = runOne(R"mlir(
    func.func @main(%a: tensor<3xi32>, %b: tensor<3xi32>) -> tensor<3xi32> {
      %0 = fm.add %a, %b : tensor<3xi32>
      return %0 : tensor<3xi32>
    })mlir",
                      {ints(DType::I32, {3}, {2147483647, -2147483647 - 1, 5}),
                       ints(DType::I32, {3}, {1, -1, -7})});
  EXPECT_EQ(out.dtype(), DType::I32);
  EXPECT_EQ(intElements(out),
            (std::vector<int64_t>{-2147483647 - 1, 2147483647, -2}));
}

TEST_F(InterpreterTest, IntegerArithmetic) {
  const int64_t int32Min = std::numeric_limits<int32_t>::min();
  const int64_t int64Max = std::numeric_limits<int64_t>::max();
  const int64_t int64Min = std::numeric_limits<int64_t>::min();
  auto results = run(R"mlir(
    func.func @main(%a: tensor<3xi32>, %b: tensor<3xi32>, %c: tensor<2xi64>)
        -> (tensor<3xi32>, tensor<3xi32>, tensor<3xi32>, tensor<3xi32>,
            tensor<3xi32>, tensor<3xi32>, tensor<2xi64>, tensor<2xi64>,
            tensor<2xi64>) {
      %0 = fm.sub %a, %b : tensor<3xi32>
      %1 = fm.mul %a, %b : tensor<3xi32>
      %2 = fm.max %a, %b : tensor<3xi32>
      %3 = fm.min %a, %b : tensor<3xi32>
      %4 = fm.neg %a : tensor<3xi32>
      %5 = fm.abs %a : tensor<3xi32>
      %6 = fm.mul %c, %c : tensor<2xi64>
      %7 = fm.neg %c : tensor<2xi64>
      %8 = fm.add %c, %c : tensor<2xi64>
      return %0, %1, %2, %3, %4, %5, %6, %7, %8
          : tensor<3xi32>, tensor<3xi32>, tensor<3xi32>, tensor<3xi32>,
            tensor<3xi32>, tensor<3xi32>, tensor<2xi64>, tensor<2xi64>,
            tensor<2xi64>
    })mlir",
                     {ints(DType::I32, {3}, {int32Min, 65536, -3}),
                      ints(DType::I32, {3}, {1, 65536, 4}),
                      ints(DType::I64, {2}, {int64Min, int64Max})});
  ASSERT_TRUE(succeeded(results)) << diagnostics;
  using V = std::vector<int64_t>;
  EXPECT_EQ(intElements((*results)[0]), (V{2147483647, 0, -7}));
  EXPECT_EQ(intElements((*results)[1]), (V{int32Min, 0, -12})); // 2^32 wraps
  EXPECT_EQ(intElements((*results)[2]), (V{1, 65536, 4}));
  EXPECT_EQ(intElements((*results)[3]), (V{int32Min, 65536, -3}));
  EXPECT_EQ(intElements((*results)[4]), (V{int32Min, -65536, 3}));
  EXPECT_EQ(intElements((*results)[5]), (V{int32Min, 65536, 3}));
  EXPECT_EQ(intElements((*results)[6]), (V{0, 1}));
  EXPECT_EQ(intElements((*results)[7]), (V{int64Min, -int64Max}));
  EXPECT_EQ(intElements((*results)[8]), (V{0, -2}));
}

//===----------------------------------------------------------------------===//
// Matmul
//===----------------------------------------------------------------------===//

/// C[b] = op(A[b]) op(B[b]) with explicit index arithmetic; `aBatches` or
/// `bBatches` of 1 reuses the one matrix for every batch.
std::vector<double>
referenceMatmul(const std::vector<double> &a, const std::vector<double> &b,
                int64_t batches, int64_t aBatches, int64_t bBatches, int64_t m,
                int64_t k, int64_t n, bool transposeA, bool transposeB) {
  std::vector<double> c;
  for (int64_t batch = 0; batch < batches; ++batch) {
    const double *pa = a.data() + (aBatches == 1 ? 0 : batch) * m * k;
    const double *pb = b.data() + (bBatches == 1 ? 0 : batch) * k * n;
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j) {
        double sum = 0;
        for (int64_t p = 0; p < k; ++p)
          sum += (transposeA ? pa[p * m + i] : pa[i * k + p]) *
                 (transposeB ? pb[j * k + p] : pb[p * n + j]);
        c.push_back(sum);
      }
  }
  return c;
}

TEST_F(InterpreterTest, Matmul2D) {
  Tensor out = runOne(
      R"mlir(
    func.func @main(%a: tensor<2x3xf32>, %b: tensor<3x2xf32>) -> tensor<2x2xf32> {
      %0 = fm.matmul %a, %b : tensor<2x3xf32>, tensor<3x2xf32>
      return %0 : tensor<2x2xf32>
    })mlir",
      {f32({2, 3}, {1, 2, 3, 4, 5, 6}), f32({3, 2}, {7, 8, 9, 10, 11, 12})});
  EXPECT_EQ(out.shape(), (Shape{2, 2}));
  EXPECT_EQ(elements(out), (std::vector<double>{58, 64, 139, 154}));
}

TEST_F(InterpreterTest, BatchedMatmulWith2DRhs) {
  std::vector<double> a = sequence(2 * 3 * 5, 1), b = sequence(5 * 4, 2);
  Tensor out = runOne(R"mlir(
    func.func @main(%a: tensor<2x3x5xf32>, %b: tensor<5x4xf32>) -> tensor<2x3x4xf32> {
      %0 = fm.matmul %a, %b : tensor<2x3x5xf32>, tensor<5x4xf32>
      return %0 : tensor<2x3x4xf32>
    })mlir",
                      {f32({2, 3, 5}, a), f32({5, 4}, b)});
  EXPECT_EQ(out.shape(), (Shape{2, 3, 4}));
  expectClose(elements(out),
              referenceMatmul(a, b, 2, 2, 1, 3, 5, 4, false, false));
}

TEST_F(InterpreterTest, BatchedMatmulWithTransposes) {
  // lhs [1, K=5, M=3] broadcasts over the 2 batches of rhs [2, N=4, K=5].
  std::vector<double> a = sequence(5 * 3, 3), b = sequence(2 * 4 * 5, 4);
  Tensor out = runOne(R"mlir(
    func.func @main(%a: tensor<1x5x3xf32>, %b: tensor<2x4x5xf32>) -> tensor<2x3x4xf32> {
      %0 = fm.matmul %a, %b transpose_a transpose_b : tensor<1x5x3xf32>, tensor<2x4x5xf32>
      return %0 : tensor<2x3x4xf32>
    })mlir",
                      {f32({1, 5, 3}, a), f32({2, 4, 5}, b)});
  EXPECT_EQ(out.shape(), (Shape{2, 3, 4}));
  expectClose(elements(out),
              referenceMatmul(a, b, 2, 1, 2, 3, 5, 4, true, true));
}

TEST_F(InterpreterTest, MatmulTransposeBOnly) {
  std::vector<double> a = sequence(3 * 6, 5), b = sequence(2 * 6, 6);
  Tensor out = runOne(R"mlir(
    func.func @main(%a: tensor<3x6xf32>, %b: tensor<2x6xf32>) -> tensor<3x2xf32> {
      %0 = fm.matmul %a, %b transpose_b : tensor<3x6xf32>, tensor<2x6xf32>
      return %0 : tensor<3x2xf32>
    })mlir",
                      {f32({3, 6}, a), f32({2, 6}, b)});
  expectClose(elements(out),
              referenceMatmul(a, b, 1, 1, 1, 3, 6, 2, false, true));
}

TEST_F(InterpreterTest, MatmulAccumulatesInF32) {
  // 2^24 + 1 + 1: each partial sum rounds in f32, so the ones are lost; a
  // double accumulator would give 2^24 + 2.
  Tensor out = runOne(R"mlir(
    func.func @main(%a: tensor<1x3xf32>, %b: tensor<3x1xf32>) -> tensor<1x1xf32> {
      %0 = fm.matmul %a, %b : tensor<1x3xf32>, tensor<3x1xf32>
      return %0 : tensor<1x1xf32>
    })mlir",
                      {f32({1, 3}, {16777216, 1, 1}), f32({3, 1}, {1, 1, 1})});
  EXPECT_EQ(elements(out), (std::vector<double>{16777216}));
}

//===----------------------------------------------------------------------===//
// Reductions, softmax, normalization
//===----------------------------------------------------------------------===//

TEST_F(InterpreterTest, ReductionsOverAxes) {
  // x[i][j][l] = 12 i + 4 j + l on 2x3x4.
  std::vector<double> x;
  for (int i = 0; i < 24; ++i)
    x.push_back(i);
  auto results = run(R"mlir(
    func.func @main(%x: tensor<2x3x4xf32>)
        -> (tensor<f32>, tensor<2x3x1xf32>, tensor<3xf32>, tensor<1x3x1xf32>,
            tensor<2x4xf32>) {
      %0 = fm.reduce_sum %x : tensor<2x3x4xf32>
      %1 = fm.reduce_sum %x axes [-1] keepdim : tensor<2x3x4xf32>
      %2 = fm.reduce_mean %x axes [0, -1] : tensor<2x3x4xf32>
      %3 = fm.reduce_max %x axes [2, 0] keepdim : tensor<2x3x4xf32>
      %4 = fm.reduce_max %x axes [1] : tensor<2x3x4xf32>
      return %0, %1, %2, %3, %4 : tensor<f32>, tensor<2x3x1xf32>, tensor<3xf32>,
          tensor<1x3x1xf32>, tensor<2x4xf32>
    })mlir",
                     {f32({2, 3, 4}, x)});
  ASSERT_TRUE(succeeded(results)) << diagnostics;
  using V = std::vector<double>;
  EXPECT_EQ((*results)[0].shape(), Shape{});
  EXPECT_EQ(elements((*results)[0]), (V{276}));
  EXPECT_EQ((*results)[1].shape(), (Shape{2, 3, 1}));
  EXPECT_EQ(elements((*results)[1]), (V{6, 22, 38, 54, 70, 86}));
  // mean over i and l of 12 i + 4 j + l = 6 + 4 j + 1.5.
  EXPECT_EQ(elements((*results)[2]), (V{7.5, 11.5, 15.5}));
  EXPECT_EQ((*results)[3].shape(), (Shape{1, 3, 1}));
  EXPECT_EQ(elements((*results)[3]), (V{15, 19, 23}));
  EXPECT_EQ(elements((*results)[4]), (V{8, 9, 10, 11, 20, 21, 22, 23}));
}

TEST_F(InterpreterTest, IntegerReductions) {
  auto results = run(R"mlir(
    func.func @main(%x: tensor<2x2xi32>) -> (tensor<2xi32>, tensor<2xi32>) {
      %0 = fm.reduce_sum %x axes [1] : tensor<2x2xi32>
      %1 = fm.reduce_max %x axes [0] : tensor<2x2xi32>
      return %0, %1 : tensor<2xi32>, tensor<2xi32>
    })mlir",
                     {ints(DType::I32, {2, 2}, {2147483647, 1, -5, -7})});
  ASSERT_TRUE(succeeded(results)) << diagnostics;
  EXPECT_EQ(intElements((*results)[0]),
            (std::vector<int64_t>{-2147483647 - 1, -12}));
  EXPECT_EQ(intElements((*results)[1]), (std::vector<int64_t>{2147483647, 1}));
}

TEST_F(InterpreterTest, ReduceMaxPropagatesNaN) {
  Tensor out = runOne(R"mlir(
    func.func @main(%x: tensor<2x2xf32>) -> tensor<2xf32> {
      %0 = fm.reduce_max %x axes [1] : tensor<2x2xf32>
      return %0 : tensor<2xf32>
    })mlir",
                      {f32({2, 2}, {kNaN, 1, -3, -2})});
  expectClose(elements(out), {kNaN, -2});
}

std::vector<double> referenceSoftmax(const std::vector<double> &line) {
  double max = -kInf, sum = 0;
  for (double v : line)
    max = std::max(max, v);
  for (double v : line)
    sum += std::exp(v - max);
  std::vector<double> out;
  for (double v : line)
    out.push_back(std::exp(v - max) / sum);
  return out;
}

TEST_F(InterpreterTest, SoftmaxAlongAxisZero) {
  // Columns of a 3x2 tensor: {1, 2, 3} and {1000, 1001, 1002} (stability).
  Tensor out = runOne(R"mlir(
    func.func @main(%x: tensor<3x2xf32>) -> tensor<3x2xf32> {
      %0 = fm.softmax %x axis 0 : tensor<3x2xf32>
      return %0 : tensor<3x2xf32>
    })mlir",
                      {f32({3, 2}, {1, 1000, 2, 1001, 3, 1002})});
  std::vector<double> column = referenceSoftmax({1, 2, 3});
  expectClose(elements(out), {column[0], column[0], column[1], column[1],
                              column[2], column[2]});
}

TEST_F(InterpreterTest, LogSoftmaxLastAxis) {
  std::vector<double> x = {0.5, -1, 2, 3, 3, 3};
  Tensor out = runOne(R"mlir(
    func.func @main(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
      %0 = fm.log_softmax %x : tensor<2x3xf32>
      return %0 : tensor<2x3xf32>
    })mlir",
                      {f32({2, 3}, x)});
  std::vector<double> expected;
  for (int row = 0; row < 2; ++row)
    for (double p :
         referenceSoftmax({x[3 * row], x[3 * row + 1], x[3 * row + 2]}))
      expected.push_back(std::log(p));
  expectClose(elements(out), expected);
}

/// Normalizes rows of `features` values; `center` selects layer norm (mean
/// and biased variance) over RMS norm.
std::vector<double> referenceNorm(const std::vector<double> &x,
                                  int64_t features, bool center, double eps,
                                  const std::vector<double> &scale,
                                  const std::vector<double> &bias) {
  std::vector<double> out;
  for (size_t row = 0; row < x.size() / features; ++row) {
    const double *v = x.data() + row * features;
    double mean = 0, square = 0;
    for (int64_t j = 0; j < features; ++j)
      mean += v[j] / features;
    if (!center)
      mean = 0;
    for (int64_t j = 0; j < features; ++j)
      square += (v[j] - mean) * (v[j] - mean) / features;
    for (int64_t j = 0; j < features; ++j)
      out.push_back((v[j] - mean) / std::sqrt(square + eps) *
                        (scale.empty() ? 1 : scale[j]) +
                    (bias.empty() ? 0 : bias[j]));
  }
  return out;
}

TEST_F(InterpreterTest, LayerNormWithAndWithoutAffine) {
  std::vector<double> x = {1, 2, 3, 6, -1, 0, 0.5, 4};
  std::vector<double> g = {1, 2, 0.5, -1}, b = {0, 1, -1, 0.25};
  auto results = run(R"mlir(
    func.func @main(%x: tensor<2x4xf32>, %g: tensor<4xf32>, %b: tensor<4xf32>)
        -> (tensor<2x4xf32>, tensor<2x4xf32>, tensor<2x4xf32>) {
      %0 = fm.layer_norm %x : tensor<2x4xf32>
      %1 = fm.layer_norm %x scale(%g : tensor<4xf32>) bias(%b : tensor<4xf32>) eps 0.5 : tensor<2x4xf32>
      %2 = fm.layer_norm %x bias(%b : tensor<4xf32>) : tensor<2x4xf32>
      return %0, %1, %2 : tensor<2x4xf32>, tensor<2x4xf32>, tensor<2x4xf32>
    })mlir",
                     {f32({2, 4}, x), f32({4}, g), f32({4}, b)});
  ASSERT_TRUE(succeeded(results)) << diagnostics;
  const double eps = static_cast<float>(1e-5);
  expectClose(elements((*results)[0]), referenceNorm(x, 4, true, eps, {}, {}));
  expectClose(elements((*results)[1]), referenceNorm(x, 4, true, 0.5, g, b));
  expectClose(elements((*results)[2]), referenceNorm(x, 4, true, eps, {}, b));
}

TEST_F(InterpreterTest, RmsNorm) {
  std::vector<double> x = {1, 2, 3, -4, 0.5, 0.25};
  std::vector<double> g = {2, -1, 0.5};
  auto results = run(R"mlir(
    func.func @main(%x: tensor<2x3xf32>, %g: tensor<3xf32>)
        -> (tensor<2x3xf32>, tensor<2x3xf32>) {
      %0 = fm.rms_norm %x : tensor<2x3xf32>
      %1 = fm.rms_norm %x scale(%g : tensor<3xf32>) eps 0.25 : tensor<2x3xf32>
      return %0, %1 : tensor<2x3xf32>, tensor<2x3xf32>
    })mlir",
                     {f32({2, 3}, x), f32({3}, g)});
  ASSERT_TRUE(succeeded(results)) << diagnostics;
  expectClose(elements((*results)[0]),
              referenceNorm(x, 3, false, static_cast<float>(1e-5), {}, {}));
  expectClose(elements((*results)[1]), referenceNorm(x, 3, false, 0.25, g, {}));
}

//===----------------------------------------------------------------------===//
// Shape ops
//===----------------------------------------------------------------------===//

TEST_F(InterpreterTest, ReshapeKeepsElementOrder) {
  Tensor out = runOne(R"mlir(
    func.func @main(%x: tensor<2x3xf32>) -> tensor<3x1x2xf32> {
      %0 = fm.reshape %x : tensor<2x3xf32> -> tensor<3x1x2xf32>
      return %0 : tensor<3x1x2xf32>
    })mlir",
                      {f32({2, 3}, {1, 2, 3, 4, 5, 6})});
  EXPECT_EQ(out.shape(), (Shape{3, 1, 2}));
  EXPECT_EQ(elements(out), (std::vector<double>{1, 2, 3, 4, 5, 6}));
}

TEST_F(InterpreterTest, Transposes) {
  std::vector<double> x;
  for (int i = 0; i < 24; ++i)
    x.push_back(i);
  auto results = run(R"mlir(
    func.func @main(%x: tensor<2x3x4xf32>) -> (tensor<4x3x2xf32>, tensor<3x4x2xf32>) {
      %0 = fm.transpose %x : tensor<2x3x4xf32>
      %1 = fm.transpose %x permutation [1, 2, 0] : tensor<2x3x4xf32>
      return %0, %1 : tensor<4x3x2xf32>, tensor<3x4x2xf32>
    })mlir",
                     {f32({2, 3, 4}, x)});
  ASSERT_TRUE(succeeded(results)) << diagnostics;
  std::vector<double> reversed, rotated;
  for (int l = 0; l < 4; ++l)
    for (int j = 0; j < 3; ++j)
      for (int i = 0; i < 2; ++i)
        reversed.push_back(12 * i + 4 * j + l);
  for (int j = 0; j < 3; ++j)
    for (int l = 0; l < 4; ++l)
      for (int i = 0; i < 2; ++i)
        rotated.push_back(12 * i + 4 * j + l);
  EXPECT_EQ(elements((*results)[0]), reversed);
  EXPECT_EQ(elements((*results)[1]), rotated);
}

TEST_F(InterpreterTest, TransposeOfBF16KeepsBits) {
  Tensor x = makeTensor(DType::BF16, {2, 2}, {1.5, -2, 3.25, 0.0078125});
  Tensor out = runOne(R"mlir(
    func.func @main(%x: tensor<2x2xbf16>) -> tensor<2x2xbf16> {
      %0 = fm.transpose %x : tensor<2x2xbf16>
      return %0 : tensor<2x2xbf16>
    })mlir",
                      {x});
  EXPECT_EQ(out.dtype(), DType::BF16);
  EXPECT_EQ(elements(out), (std::vector<double>{1.5, 3.25, -2, 0.0078125}));
}

TEST_F(InterpreterTest, BroadcastTo) {
  Tensor out = runOne(R"mlir(
    func.func @main(%x: tensor<3x1xi32>) -> tensor<2x3x2xi32> {
      %0 = fm.broadcast_to %x : tensor<3x1xi32> -> tensor<2x3x2xi32>
      return %0 : tensor<2x3x2xi32>
    })mlir",
                      {ints(DType::I32, {3, 1}, {1, 2, 3})});
  EXPECT_EQ(intElements(out),
            (std::vector<int64_t>{1, 1, 2, 2, 3, 3, 1, 1, 2, 2, 3, 3}));
}

TEST_F(InterpreterTest, SliceWithStrides) {
  std::vector<double> x;
  for (int i = 0; i < 32; ++i)
    x.push_back(i);
  auto results = run(R"mlir(
    func.func @main(%x: tensor<4x8xf32>) -> (tensor<2x3xf32>, tensor<2x2xf32>) {
      %0 = fm.slice %x start [1, 1] limit [4, 7] stride [2, 2] : tensor<4x8xf32>
      %1 = fm.slice %x start [2, 5] limit [4, 7] : tensor<4x8xf32>
      return %0, %1 : tensor<2x3xf32>, tensor<2x2xf32>
    })mlir",
                     {f32({4, 8}, x)});
  ASSERT_TRUE(succeeded(results)) << diagnostics;
  // Rows 1, 3 and columns 1, 3, 5; then rows 2, 3 and columns 5, 6.
  EXPECT_EQ(elements((*results)[0]),
            (std::vector<double>{9, 11, 13, 25, 27, 29}));
  EXPECT_EQ(elements((*results)[1]), (std::vector<double>{21, 22, 29, 30}));
}

TEST_F(InterpreterTest, ConcatAlongNegativeAndLeadingAxes) {
  auto results = run(R"mlir(
    func.func @main(%a: tensor<2x1xf32>, %b: tensor<2x3xf32>, %c: tensor<1x3xf32>)
        -> (tensor<2x5xf32>, tensor<3x3xf32>) {
      %0 = fm.concat %a, %b, %a axis -1 : tensor<2x1xf32>, tensor<2x3xf32>, tensor<2x1xf32>
      %1 = fm.concat %b, %c axis 0 : tensor<2x3xf32>, tensor<1x3xf32>
      return %0, %1 : tensor<2x5xf32>, tensor<3x3xf32>
    })mlir",
                     {f32({2, 1}, {-1, -2}), f32({2, 3}, {1, 2, 3, 4, 5, 6}),
                      f32({1, 3}, {7, 8, 9})});
  ASSERT_TRUE(succeeded(results)) << diagnostics;
  EXPECT_EQ(elements((*results)[0]),
            (std::vector<double>{-1, 1, 2, 3, -1, -2, 4, 5, 6, -2}));
  EXPECT_EQ(elements((*results)[1]),
            (std::vector<double>{1, 2, 3, 4, 5, 6, 7, 8, 9}));
}

TEST_F(InterpreterTest, IotaFloatAndInt) {
  auto results = run(R"mlir(
    func.func @main() -> (tensor<2x3xf32>, tensor<2x3xi32>, tensor<2x3xi64>) {
      %0 = fm.iota axis 1 : tensor<2x3xf32>
      %1 = fm.iota : tensor<2x3xi32>
      %2 = fm.iota axis -1 : tensor<2x3xi64>
      return %0, %1, %2 : tensor<2x3xf32>, tensor<2x3xi32>, tensor<2x3xi64>
    })mlir",
                     {});
  ASSERT_TRUE(succeeded(results)) << diagnostics;
  EXPECT_EQ((*results)[0].dtype(), DType::F32);
  EXPECT_EQ(elements((*results)[0]), (std::vector<double>{0, 1, 2, 0, 1, 2}));
  EXPECT_EQ((*results)[1].dtype(), DType::I32);
  EXPECT_EQ(intElements((*results)[1]),
            (std::vector<int64_t>{0, 0, 0, 1, 1, 1}));
  EXPECT_EQ(intElements((*results)[2]),
            (std::vector<int64_t>{0, 1, 2, 0, 1, 2}));
}

//===----------------------------------------------------------------------===//
// Model ops
//===----------------------------------------------------------------------===//

TEST_F(InterpreterTest, EmbeddingGathersRows) {
  Tensor out = runOne(R"mlir(
    func.func @main(%t: tensor<4x2xf32>, %i: tensor<2x2xi32>) -> tensor<2x2x2xf32> {
      %0 = fm.embedding %t[%i] : tensor<4x2xf32>, tensor<2x2xi32>
      return %0 : tensor<2x2x2xf32>
    })mlir",
                      {f32({4, 2}, {0, 1, 10, 11, 20, 21, 30, 31}),
                       ints(DType::I32, {2, 2}, {3, 0, 1, 3})});
  EXPECT_EQ(out.shape(), (Shape{2, 2, 2}));
  EXPECT_EQ(elements(out), (std::vector<double>{30, 31, 0, 1, 10, 11, 30, 31}));
}

TEST_F(InterpreterTest, CrossEntropyWithI64Labels) {
  std::vector<double> logits = {1, 2, 3, 0.5, -1, 4};
  std::vector<int64_t> labels = {2, 0};
  Tensor out = runOne(R"mlir(
    func.func @main(%l: tensor<2x3xf32>, %y: tensor<2xi64>) -> tensor<f32> {
      %0 = fm.cross_entropy %l, %y : tensor<2x3xf32>, tensor<2xi64>
      return %0 : tensor<f32>
    })mlir",
                      {f32({2, 3}, logits), ints(DType::I64, {2}, labels)});
  double total = 0;
  for (int row = 0; row < 2; ++row) {
    double sum = 0;
    for (int j = 0; j < 3; ++j)
      sum += std::exp(logits[3 * row + j]);
    total += std::log(sum) - logits[3 * row + labels[row]];
  }
  EXPECT_EQ(out.shape(), Shape{});
  EXPECT_EQ(out.dtype(), DType::F32);
  expectClose(elements(out), {total / 2});
}

TEST_F(InterpreterTest, CrossEntropyOnBF16LogitsIsF32) {
  Tensor out = runOne(
      R"mlir(
    func.func @main(%l: tensor<3xbf16>, %y: tensor<i32>) -> tensor<f32> {
      %0 = fm.cross_entropy %l, %y : tensor<3xbf16>, tensor<i32>
      return %0 : tensor<f32>
    })mlir",
      {makeTensor(DType::BF16, {3}, {0, 0, 0}), ints(DType::I32, {}, {1})});
  EXPECT_EQ(out.dtype(), DType::F32);
  expectClose(elements(out), {std::log(3.0)});
}

//===----------------------------------------------------------------------===//
// Backward ops
//===----------------------------------------------------------------------===//

TEST_F(InterpreterTest, PadLowHighAndInterior) {
  std::vector<double> x = {1, 2, 3, 4, 5, 6};
  auto results = run(R"mlir(
    func.func @main(%x: tensor<2x3xf32>, %n: tensor<2xi32>)
        -> (tensor<4x7xf32>, tensor<5xi32>) {
      %0 = fm.pad %x low [1, 0] high [0, 2] interior [1, 1] : tensor<2x3xf32>
      %1 = fm.pad %n low [1] high [2] : tensor<2xi32>
      return %0, %1 : tensor<4x7xf32>, tensor<5xi32>
    })mlir",
                     {f32({2, 3}, x), ints(DType::I32, {2}, {5, -7})});
  ASSERT_TRUE(succeeded(results)) << diagnostics;
  // Row i lands on row 1 + 2 i, column j on column 2 j; the rest is zero.
  std::vector<double> expected(4 * 7, 0);
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 3; ++j)
      expected[(1 + 2 * i) * 7 + 2 * j] = x[i * 3 + j];
  EXPECT_EQ((*results)[0].shape(), (Shape{4, 7}));
  EXPECT_EQ(elements((*results)[0]), expected);
  EXPECT_EQ(intElements((*results)[1]), (std::vector<int64_t>{0, 5, -7, 0, 0}));
}

/// d/dx of `fn` at `x` by central differences (error ~1e-10 here).
double numericDerivative(const std::function<double(double)> &fn, double x) {
  const double h = 1e-5;
  return (fn(x + h) - fn(x - h)) / (2 * h);
}

TEST_F(InterpreterTest, GeluGradBothApproximations) {
  const std::vector<double> x = {-2.5, -0.5, 0.25, 1.0, 3.0};
  const std::vector<double> g = {1, -2, 0.5, 3, -1};
  auto results = run(R"mlir(
    func.func @main(%x: tensor<5xf32>, %g: tensor<5xf32>)
        -> (tensor<5xf32>, tensor<5xf32>) {
      %0 = fm.gelu_grad %x, %g : tensor<5xf32>
      %1 = fm.gelu_grad %x, %g approximate "none" : tensor<5xf32>
      return %0, %1 : tensor<5xf32>, tensor<5xf32>
    })mlir",
                     {f32({5}, x), f32({5}, g)}, Precision::F64);
  ASSERT_TRUE(succeeded(results)) << diagnostics;
  const double pi = 3.14159265358979323846;
  auto geluTanh = [&](double v) {
    return 0.5 * v *
           (1 + std::tanh(std::sqrt(2 / pi) * (v + 0.044715 * v * v * v)));
  };
  auto geluErf = [](double v) {
    return 0.5 * v * (1 + std::erf(v / std::sqrt(2.0)));
  };
  std::vector<double> tanhGrad, erfGrad;
  for (size_t i = 0; i < x.size(); ++i) {
    tanhGrad.push_back(g[i] * numericDerivative(geluTanh, x[i]));
    erfGrad.push_back(g[i] * numericDerivative(geluErf, x[i]));
  }
  expectClose(elements((*results)[0]), tanhGrad, 1e-8);
  expectClose(elements((*results)[1]), erfGrad, 1e-8);
}

/// `g^T J` for one line, with the Jacobian of softmax `y_i (d_ij - y_j)` or
/// of log-softmax `d_ij - exp(y_j)` written out element by element.
std::vector<double> softmaxJacobianProduct(const std::vector<double> &y,
                                           const std::vector<double> &g,
                                           bool log) {
  std::vector<double> out(y.size(), 0);
  for (size_t j = 0; j < y.size(); ++j)
    for (size_t i = 0; i < y.size(); ++i) {
      const double delta = i == j ? 1 : 0;
      out[j] += g[i] * (log ? delta - std::exp(y[j]) : y[i] * (delta - y[j]));
    }
  return out;
}

TEST_F(InterpreterTest, SoftmaxGradAlongAxisZeroAndLogSoftmaxGrad) {
  // softmax_grad along axis 0 of a 3x2 tensor: the columns are the lines.
  std::vector<double> c0 = referenceSoftmax({1, 2, 3});
  std::vector<double> c1 = referenceSoftmax({0.5, -1, 0});
  std::vector<double> y = {c0[0], c1[0], c0[1], c1[1], c0[2], c1[2]};
  std::vector<double> g = {1, -1, 2, 0.5, -3, 4};
  // log_softmax_grad along the last axis of a 2x3 tensor.
  std::vector<double> l0 = referenceSoftmax({0.5, -1, 2});
  std::vector<double> l1 = referenceSoftmax({3, 3, 1});
  std::vector<double> ly;
  for (double p : l0)
    ly.push_back(std::log(p));
  for (double p : l1)
    ly.push_back(std::log(p));
  std::vector<double> lg = {0.25, -1, 2, 1, 1, -0.5};
  auto results = run(R"mlir(
    func.func @main(%y: tensor<3x2xf32>, %g: tensor<3x2xf32>,
                    %ly: tensor<2x3xf32>, %lg: tensor<2x3xf32>)
        -> (tensor<3x2xf32>, tensor<2x3xf32>) {
      %0 = fm.softmax_grad %y, %g axis 0 : tensor<3x2xf32>
      %1 = fm.log_softmax_grad %ly, %lg : tensor<2x3xf32>
      return %0, %1 : tensor<3x2xf32>, tensor<2x3xf32>
    })mlir",
                     // F64 inputs: y must stay exactly a softmax output.
                     {makeTensor(DType::F64, {3, 2}, y), f32({3, 2}, g),
                      makeTensor(DType::F64, {2, 3}, ly), f32({2, 3}, lg)},
                     Precision::F64);
  ASSERT_TRUE(succeeded(results)) << diagnostics;
  std::vector<double> d0 =
      softmaxJacobianProduct(c0, {g[0], g[2], g[4]}, /*log=*/false);
  std::vector<double> d1 =
      softmaxJacobianProduct(c1, {g[1], g[3], g[5]}, /*log=*/false);
  expectClose(elements((*results)[0]),
              {d0[0], d1[0], d0[1], d1[1], d0[2], d1[2]}, 1e-12);
  std::vector<double> e0 = softmaxJacobianProduct(
      {ly[0], ly[1], ly[2]}, {lg[0], lg[1], lg[2]}, /*log=*/true);
  std::vector<double> e1 = softmaxJacobianProduct(
      {ly[3], ly[4], ly[5]}, {lg[3], lg[4], lg[5]}, /*log=*/true);
  e0.insert(e0.end(), e1.begin(), e1.end());
  expectClose(elements((*results)[1]), e0, 1e-12);
}

/// The gradients of `sum(g * norm(x) * scale + bias)` by definition: the
/// input's by central differences of referenceNorm, the scale's as
/// `sum over rows of g * x_hat` and the bias' as `sum over rows of g`.
struct NormGrads {
  std::vector<double> input, scale, bias;
};
NormGrads referenceNormGrads(const std::vector<double> &x,
                             const std::vector<double> &g, int64_t features,
                             bool center, double eps,
                             const std::vector<double> &scale) {
  auto loss = [&](const std::vector<double> &at) {
    std::vector<double> y = referenceNorm(at, features, center, eps, scale, {});
    double total = 0;
    for (size_t i = 0; i < y.size(); ++i)
      total += g[i] * y[i];
    return total;
  };
  NormGrads grads;
  for (size_t j = 0; j < x.size(); ++j) {
    const double h = 1e-6;
    std::vector<double> up = x, down = x;
    up[j] += h;
    down[j] -= h;
    grads.input.push_back((loss(up) - loss(down)) / (2 * h));
  }
  std::vector<double> xHat = referenceNorm(x, features, center, eps, {}, {});
  grads.scale.assign(features, 0);
  grads.bias.assign(features, 0);
  for (size_t i = 0; i < x.size(); ++i) {
    grads.scale[i % features] += g[i] * xHat[i];
    grads.bias[i % features] += g[i];
  }
  return grads;
}

TEST_F(InterpreterTest, LayerNormGradWithAndWithoutScale) {
  std::vector<double> x = {1, 2, 3, 6, -1, 0, 0.5, 4};
  std::vector<double> g = {0.5, -1, 2, 1, 3, -2, 0.25, 1};
  std::vector<double> s = {1, 2, 0.5, -1};
  auto results =
      run(R"mlir(
    func.func @main(%x: tensor<2x4xf32>, %g: tensor<2x4xf32>, %s: tensor<4xf32>)
        -> (tensor<2x4xf32>, tensor<4xf32>, tensor<4xf32>,
            tensor<2x4xf32>, tensor<4xf32>, tensor<4xf32>) {
      %0:3 = fm.layer_norm_grad %x, %g scale(%s : tensor<4xf32>) eps 0.5 : tensor<2x4xf32>
      %1:3 = fm.layer_norm_grad %x, %g : tensor<2x4xf32>
      return %0#0, %0#1, %0#2, %1#0, %1#1, %1#2
          : tensor<2x4xf32>, tensor<4xf32>, tensor<4xf32>,
            tensor<2x4xf32>, tensor<4xf32>, tensor<4xf32>
    })mlir",
          {f32({2, 4}, x), f32({2, 4}, g), f32({4}, s)}, Precision::F64);
  ASSERT_TRUE(succeeded(results)) << diagnostics;
  ASSERT_EQ(results->size(), 6u);
  NormGrads scaled = referenceNormGrads(x, g, 4, true, 0.5, s);
  expectClose(elements((*results)[0]), scaled.input, 1e-7);
  expectClose(elements((*results)[1]), scaled.scale, 1e-12);
  expectClose(elements((*results)[2]), scaled.bias, 1e-12);
  NormGrads plain =
      referenceNormGrads(x, g, 4, true, static_cast<float>(1e-5), {});
  expectClose(elements((*results)[3]), plain.input, 1e-7);
  expectClose(elements((*results)[4]), plain.scale, 1e-12);
  expectClose(elements((*results)[5]), plain.bias, 1e-12);
}

TEST_F(InterpreterTest, RmsNormGradWithAndWithoutScale) {
  std::vector<double> x = {1, 2, 3, -4, 0.5, 0.25};
  std::vector<double> g = {1, -0.5, 2, 0.75, 3, -1};
  std::vector<double> s = {2, -1, 0.5};
  auto results =
      run(R"mlir(
    func.func @main(%x: tensor<2x3xf32>, %g: tensor<2x3xf32>, %s: tensor<3xf32>)
        -> (tensor<2x3xf32>, tensor<3xf32>, tensor<2x3xf32>, tensor<3xf32>) {
      %0:2 = fm.rms_norm_grad %x, %g scale(%s : tensor<3xf32>) eps 0.25 : tensor<2x3xf32>
      %1:2 = fm.rms_norm_grad %x, %g : tensor<2x3xf32>
      return %0#0, %0#1, %1#0, %1#1
          : tensor<2x3xf32>, tensor<3xf32>, tensor<2x3xf32>, tensor<3xf32>
    })mlir",
          {f32({2, 3}, x), f32({2, 3}, g), f32({3}, s)}, Precision::F64);
  ASSERT_TRUE(succeeded(results)) << diagnostics;
  ASSERT_EQ(results->size(), 4u);
  NormGrads scaled = referenceNormGrads(x, g, 3, false, 0.25, s);
  expectClose(elements((*results)[0]), scaled.input, 1e-7);
  expectClose(elements((*results)[1]), scaled.scale, 1e-12);
  NormGrads plain =
      referenceNormGrads(x, g, 3, false, static_cast<float>(1e-5), {});
  expectClose(elements((*results)[2]), plain.input, 1e-7);
  expectClose(elements((*results)[3]), plain.scale, 1e-12);
}

TEST_F(InterpreterTest, CrossEntropyGradWithI32AndI64Labels) {
  std::vector<double> logits = {1, 2, 3, 0.5, -1, 4};
  std::vector<double> logits3 = {0, 1, 2, -1, 0.5, 0, 3, 3, 1, 2, -2, 0};
  auto results =
      run(R"mlir(
    func.func @main(%l: tensor<2x3xf32>, %y: tensor<2xi64>, %g: tensor<f32>,
                    %l3: tensor<2x2x3xf32>, %y3: tensor<2x2xi32>)
        -> (tensor<2x3xf32>, tensor<2x2x3xf32>) {
      %0 = fm.cross_entropy_grad %l, %y, %g : tensor<2x3xf32>, tensor<2xi64>
      %1 = fm.cross_entropy_grad %l3, %y3, %g : tensor<2x2x3xf32>, tensor<2x2xi32>
      return %0, %1 : tensor<2x3xf32>, tensor<2x2x3xf32>
    })mlir",
          {f32({2, 3}, logits), ints(DType::I64, {2}, {2, 0}), f32({}, {1.5}),
           f32({2, 2, 3}, logits3), ints(DType::I32, {2, 2}, {0, 2, 1, 1})});
  ASSERT_TRUE(succeeded(results)) << diagnostics;
  // (softmax(row) - one_hot(label)) * grad / (number of rows).
  auto expected = [](const std::vector<double> &all,
                     const std::vector<int64_t> &labels, double grad) {
    std::vector<double> out;
    for (size_t row = 0; row < labels.size(); ++row) {
      std::vector<double> p =
          referenceSoftmax({all[3 * row], all[3 * row + 1], all[3 * row + 2]});
      for (int64_t j = 0; j < 3; ++j)
        out.push_back((p[j] - (j == labels[row] ? 1 : 0)) * grad /
                      static_cast<double>(labels.size()));
    }
    return out;
  };
  expectClose(elements((*results)[0]), expected(logits, {2, 0}, 1.5));
  EXPECT_EQ((*results)[1].shape(), (Shape{2, 2, 3}));
  expectClose(elements((*results)[1]), expected(logits3, {0, 2, 1, 1}, 1.5));
}

TEST_F(InterpreterTest, EmbeddingGradAccumulatesRepeatedIndices) {
  Tensor out = runOne(R"mlir(
    func.func @main(%g: tensor<2x2x2xf32>, %i: tensor<2x2xi32>) -> tensor<4x2xf32> {
      %0 = fm.embedding_grad %g[%i] : tensor<2x2x2xf32>, tensor<2x2xi32> -> tensor<4x2xf32>
      return %0 : tensor<4x2xf32>
    })mlir",
                      {f32({2, 2, 2}, {1, 2, 3, 4, 5, 6, 7, 8}),
                       ints(DType::I32, {2, 2}, {3, 0, 3, 1})});
  // Row 3 gets [1, 2] + [5, 6]; row 2 is never named.
  EXPECT_EQ(out.shape(), (Shape{4, 2}));
  EXPECT_EQ(elements(out), (std::vector<double>{3, 4, 7, 8, 0, 0, 6, 8}));
}

//===----------------------------------------------------------------------===//
// Casts and narrow floats
//===----------------------------------------------------------------------===//

TEST_F(InterpreterTest, CastToE4M3Saturates) {
  Tensor out = runOne(R"mlir(
    func.func @main(%x: tensor<6xf32>) -> tensor<6xf8E4M3FN> {
      %0 = fm.cast %x : tensor<6xf32> -> tensor<6xf8E4M3FN>
      return %0 : tensor<6xf8E4M3FN>
    })mlir",
                      {f32({6}, {1000, kNaN, -500, kInf, 0.3, 17})});
  EXPECT_EQ(out.dtype(), DType::F8E4M3FN);
  // 0.3 lies between 0.28125 and 0.3125 (spacing 2^-5), nearer 0.3125; 17 is
  // halfway between 16 and 18 and ties to even (16).
  expectClose(elements(out), {448, kNaN, -448, 448, 0.3125, 16}, 0);
  EXPECT_EQ(out.dataAs<uint8_t>()[0], 0x7e);
  EXPECT_EQ(out.dataAs<uint8_t>()[1] & 0x7f, 0x7f);
}

TEST_F(InterpreterTest, CastsThroughE5M2AndF16) {
  auto results = run(R"mlir(
    func.func @main(%x: tensor<4xf32>) -> (tensor<4xf8E5M2>, tensor<4xf16>, tensor<4xf32>) {
      %0 = fm.cast %x : tensor<4xf32> -> tensor<4xf8E5M2>
      %1 = fm.cast %x : tensor<4xf32> -> tensor<4xf16>
      %2 = fm.cast %0 : tensor<4xf8E5M2> -> tensor<4xf32>
      return %0, %1, %2 : tensor<4xf8E5M2>, tensor<4xf16>, tensor<4xf32>
    })mlir",
                     {f32({4}, {1e6, -kInf, 1.375, 70000})});
  ASSERT_TRUE(succeeded(results)) << diagnostics;
  // E5M2 saturates to 57344 and has 2 mantissa bits: 1.375 ties to 1.5.
  // f16 overflows to infinity by IEEE rules.
  EXPECT_EQ(elements((*results)[0]),
            (std::vector<double>{57344, -57344, 1.5, 57344}));
  EXPECT_EQ(elements((*results)[1]),
            (std::vector<double>{kInf, -kInf, 1.375, kInf}));
  EXPECT_EQ((*results)[2].dtype(), DType::F32);
  EXPECT_EQ(elements((*results)[2]),
            (std::vector<double>{57344, -57344, 1.5, 57344}));
}

TEST_F(InterpreterTest, CastToBF16RoundsToNearestEven) {
  // 1 + 2^-8 is halfway between 1 and 1 + 2^-7: ties to the even 1.
  // 1 + 3 * 2^-8 is halfway between 1 + 2^-7 and 1 + 2^-6: ties to 1 + 2^-6.
  // 1 + 2^-8 + 2^-20 is above halfway: rounds up.
  Tensor out =
      runOne(R"mlir(
    func.func @main(%x: tensor<3xf32>) -> tensor<3xbf16> {
      %0 = fm.cast %x : tensor<3xf32> -> tensor<3xbf16>
      return %0 : tensor<3xbf16>
    })mlir",
             {f32({3}, {1 + std::ldexp(1.0, -8), 1 + 3 * std::ldexp(1.0, -8),
                        1 + std::ldexp(1.0, -8) + std::ldexp(1.0, -20)})});
  EXPECT_EQ(out.dtype(), DType::BF16);
  EXPECT_EQ(elements(out), (std::vector<double>{1, 1 + std::ldexp(1.0, -6),
                                                1 + std::ldexp(1.0, -7)}));
}

TEST_F(InterpreterTest, CastsBetweenIntegersFloatsAndBools) {
  auto results = run(R"mlir(
    func.func @main(%x: tensor<5xf32>, %n: tensor<3xi32>)
        -> (tensor<5xi32>, tensor<5xi1>, tensor<3xf32>, tensor<3xi1>, tensor<3xi64>) {
      %0 = fm.cast %x : tensor<5xf32> -> tensor<5xi32>
      %1 = fm.cast %x : tensor<5xf32> -> tensor<5xi1>
      %2 = fm.cast %n : tensor<3xi32> -> tensor<3xf32>
      %3 = fm.cast %n : tensor<3xi32> -> tensor<3xi1>
      %4 = fm.cast %n : tensor<3xi32> -> tensor<3xi64>
      return %0, %1, %2, %3, %4 : tensor<5xi32>, tensor<5xi1>, tensor<3xf32>,
          tensor<3xi1>, tensor<3xi64>
    })mlir",
                     {f32({5}, {2.7, -2.7, 0, 0.25, -0.0}),
                      ints(DType::I32, {3}, {-3, 0, 16777217})});
  ASSERT_TRUE(succeeded(results)) << diagnostics;
  EXPECT_EQ(intElements((*results)[0]), (std::vector<int64_t>{2, -2, 0, 0, 0}));
  EXPECT_EQ(intElements((*results)[1]), (std::vector<int64_t>{1, 1, 0, 1, 0}));
  // 2^24 + 1 is not an f32: it rounds to even (2^24).
  EXPECT_EQ(elements((*results)[2]), (std::vector<double>{-3, 0, 16777216}));
  EXPECT_EQ(intElements((*results)[3]), (std::vector<int64_t>{1, 0, 1}));
  EXPECT_EQ(intElements((*results)[4]),
            (std::vector<int64_t>{-3, 0, 16777217}));
}

TEST_F(InterpreterTest, BF16AddRoundsToBF16) {
  // Both sums are exact in f32 and halfway between bf16 neighbours.
  const double e8 = std::ldexp(1.0, -8);
  Tensor out = runOne(R"mlir(
    func.func @main(%a: tensor<2xbf16>, %b: tensor<2xbf16>) -> tensor<2xbf16> {
      %0 = fm.add %a, %b : tensor<2xbf16>
      return %0 : tensor<2xbf16>
    })mlir",
                      {makeTensor(DType::BF16, {2}, {1, 1}),
                       makeTensor(DType::BF16, {2}, {e8, 3 * e8})});
  EXPECT_EQ(out.dtype(), DType::BF16);
  EXPECT_EQ(elements(out), (std::vector<double>{1, 1 + std::ldexp(1.0, -6)}));
}

TEST_F(InterpreterTest, E4M3ArithmeticSaturates) {
  Tensor out = runOne(R"mlir(
    func.func @main(%a: tensor<2xf8E4M3FN>) -> tensor<2xf8E4M3FN> {
      %0 = fm.mul %a, %a : tensor<2xf8E4M3FN>
      return %0 : tensor<2xf8E4M3FN>
    })mlir",
                      {makeTensor(DType::F8E4M3FN, {2}, {32, -3})});
  EXPECT_EQ(out.dtype(), DType::F8E4M3FN);
  EXPECT_EQ(elements(out), (std::vector<double>{448, 9}));
}

//===----------------------------------------------------------------------===//
// Precision modes
//===----------------------------------------------------------------------===//

constexpr const char *kAddProgram = R"mlir(
    func.func @main(%a: tensor<1xf32>, %b: tensor<1xf32>) -> tensor<1xf32> {
      %0 = fm.add %a, %b : tensor<1xf32>
      return %0 : tensor<1xf32>
    })mlir";

TEST_F(InterpreterTest, F32ModeRoundsToFloat) {
  Tensor out = runOne(kAddProgram, {f32({1}, {1}), f32({1}, {1e-12})});
  EXPECT_EQ(out.dtype(), DType::F32);
  EXPECT_EQ(elements(out), (std::vector<double>{1}));
}

TEST_F(InterpreterTest, F64ModeKeepsDoublePrecision) {
  Tensor out = runOne(
      kAddProgram,
      {makeTensor(DType::F64, {1}, {1}), makeTensor(DType::F64, {1}, {1e-12})},
      Precision::F64);
  EXPECT_EQ(out.dtype(), DType::F64);
  EXPECT_EQ(elements(out), (std::vector<double>{1 + 1e-12}));
  EXPECT_NE(elements(out)[0], 1.0);
}

TEST_F(InterpreterTest, F64ModeAccumulatesInDouble) {
  // The f32 accumulation of MatmulAccumulatesInF32 loses the ones; F64 mode
  // keeps them.
  Tensor out = runOne(R"mlir(
    func.func @main(%a: tensor<1x3xf32>, %b: tensor<3x1xf32>) -> tensor<1x1xf32> {
      %0 = fm.matmul %a, %b : tensor<1x3xf32>, tensor<3x1xf32>
      return %0 : tensor<1x1xf32>
    })mlir",
                      {f32({1, 3}, {16777216, 1, 1}), f32({3, 1}, {1, 1, 1})},
                      Precision::F64);
  EXPECT_EQ(out.dtype(), DType::F64);
  EXPECT_EQ(elements(out), (std::vector<double>{16777218}));
}

TEST_F(InterpreterTest, F64ModeAcceptsDeclaredTypesAndNeverNarrows) {
  // A bf16 argument takes a bf16 input; the cast to bf16 and the bf16 add do
  // not round, and the integer result stays i32.
  auto results =
      run(R"mlir(
    func.func @main(%a: tensor<1xbf16>, %b: tensor<1xf32>, %n: tensor<1xi32>)
        -> (tensor<1xbf16>, tensor<1xi32>) {
      %0 = fm.cast %b : tensor<1xf32> -> tensor<1xbf16>
      %1 = fm.add %a, %0 : tensor<1xbf16>
      %2 = fm.add %n, %n : tensor<1xi32>
      return %1, %2 : tensor<1xbf16>, tensor<1xi32>
    })mlir",
          {makeTensor(DType::BF16, {1}, {1}),
           makeTensor(DType::F64, {1}, {1e-9}), ints(DType::I32, {1}, {21})},
          Precision::F64);
  ASSERT_TRUE(succeeded(results)) << diagnostics;
  EXPECT_EQ((*results)[0].dtype(), DType::F64);
  EXPECT_EQ(elements((*results)[0]), (std::vector<double>{1 + 1e-9}));
  EXPECT_EQ((*results)[1].dtype(), DType::I32);
  EXPECT_EQ(intElements((*results)[1]), (std::vector<int64_t>{42}));
}

//===----------------------------------------------------------------------===//
// Calls
//===----------------------------------------------------------------------===//

TEST_F(InterpreterTest, CallsOtherFunctions) {
  Tensor out = runOne(R"mlir(
    func.func private @square(%x: tensor<2xf32>) -> tensor<2xf32> {
      %0 = fm.mul %x, %x : tensor<2xf32>
      return %0 : tensor<2xf32>
    }
    func.func private @sumOfSquares(%x: tensor<2xf32>, %y: tensor<2xf32>)
        -> (tensor<2xf32>, tensor<2xf32>) {
      %0 = func.call @square(%x) : (tensor<2xf32>) -> tensor<2xf32>
      %1 = func.call @square(%y) : (tensor<2xf32>) -> tensor<2xf32>
      %2 = fm.add %0, %1 : tensor<2xf32>
      return %2, %0 : tensor<2xf32>, tensor<2xf32>
    }
    func.func @main(%x: tensor<2xf32>, %y: tensor<2xf32>) -> tensor<2xf32> {
      %0:2 = func.call @sumOfSquares(%x, %y)
          : (tensor<2xf32>, tensor<2xf32>) -> (tensor<2xf32>, tensor<2xf32>)
      %1 = fm.sub %0#0, %0#1 : tensor<2xf32>
      return %1 : tensor<2xf32>
    })mlir",
                      {f32({2}, {1, 2}), f32({2}, {3, 4})});
  EXPECT_EQ(elements(out), (std::vector<double>{9, 16}));
}

TEST_F(InterpreterTest, RecursionIsAnError) {
  std::string message = runFailing(R"mlir(
    func.func @main(%x: tensor<2xf32>) -> tensor<2xf32> {
      %0 = func.call @main(%x) : (tensor<2xf32>) -> tensor<2xf32>
      return %0 : tensor<2xf32>
    })mlir",
                                   {f32({2}, {1, 2})});
  EXPECT_NE(message.find("calls nest deeper than"), std::string::npos)
      << message;
}

//===----------------------------------------------------------------------===//
// Errors
//===----------------------------------------------------------------------===//

constexpr const char *kTokensProgram = R"mlir(
    func.func @main(%a: tensor<2xf32>, %b: tensor<2xf32>,
                    %tokens: tensor<8x64xi32> {fm.name = "tokens", fm.data})
        -> tensor<2xf32> {
      return %a : tensor<2xf32>
    })mlir";

TEST_F(InterpreterTest, WrongInputCount) {
  std::string message =
      runFailing(kTokensProgram, {f32({2}, {1, 2}), f32({2}, {1, 2})});
  EXPECT_NE(message.find("function 'main' takes 3 inputs, got 2"),
            std::string::npos)
      << message;
}

TEST_F(InterpreterTest, WrongInputShape) {
  std::string message =
      runFailing(kTokensProgram, {f32({2}, {1, 2}), f32({2}, {1, 2}),
                                  Tensor(DType::I32, {8, 32})});
  EXPECT_NE(message.find("input #2 ('tokens') has shape 8x32 but the "
                         "argument expects 8x64"),
            std::string::npos)
      << message;
}

TEST_F(InterpreterTest, WrongInputDType) {
  std::string message =
      runFailing(kTokensProgram, {f32({2}, {1, 2}), Tensor(DType::BF16, {2}),
                                  Tensor(DType::I32, {8, 64})});
  EXPECT_NE(message.find("input #1 has element type bf16 but the argument "
                         "expects f32"),
            std::string::npos)
      << message;
}

TEST_F(InterpreterTest, F64InputNeedsF64Mode) {
  std::string message = runFailing(
      kAddProgram, {makeTensor(DType::F64, {1}, {1}), f32({1}, {1})});
  EXPECT_NE(message.find("input #0 has element type f64 but the argument "
                         "expects f32"),
            std::string::npos)
      << message;
}

TEST_F(InterpreterTest, DefaultConstructedInput) {
  std::string message = runFailing(R"mlir(
    func.func @main(%a: tensor<f32>) -> tensor<f32> {
      %0 = fm.exp %a : tensor<f32>
      return %0 : tensor<f32>
    })mlir",
                                   {Tensor()});
  EXPECT_NE(message.find("input #0 holds no data"), std::string::npos)
      << message;
}

TEST_F(InterpreterTest, EmbeddingIndexOutOfRange) {
  std::string message = runFailing(
      R"mlir(
    func.func @main(%t: tensor<4x2xf32>, %i: tensor<3xi64>) -> tensor<3x2xf32> {
      %0 = fm.embedding %t[%i] : tensor<4x2xf32>, tensor<3xi64>
      return %0 : tensor<3x2xf32>
    })mlir",
      {Tensor(DType::F32, {4, 2}), ints(DType::I64, {3}, {0, 4, 1})});
  EXPECT_NE(message.find("index 4 at [1] is out of range for a table of 4 "
                         "rows"),
            std::string::npos)
      << message;
}

TEST_F(InterpreterTest, CrossEntropyLabelOutOfRange) {
  std::string message =
      runFailing(R"mlir(
    func.func @main(%l: tensor<2x3xf32>, %y: tensor<2xi32>) -> tensor<f32> {
      %0 = fm.cross_entropy %l, %y : tensor<2x3xf32>, tensor<2xi32>
      return %0 : tensor<f32>
    })mlir",
                 {Tensor(DType::F32, {2, 3}), ints(DType::I32, {2}, {1, -1})});
  EXPECT_NE(message.find("label -1 at [1] is out of range for 3 classes"),
            std::string::npos)
      << message;
}

TEST_F(InterpreterTest, EmbeddingGradIndexOutOfRange) {
  std::string message = runFailing(
      R"mlir(
    func.func @main(%g: tensor<2x2x3xf32>, %i: tensor<2x2xi64>) -> tensor<4x3xf32> {
      %0 = fm.embedding_grad %g[%i] : tensor<2x2x3xf32>, tensor<2x2xi64> -> tensor<4x3xf32>
      return %0 : tensor<4x3xf32>
    })mlir",
      {Tensor(DType::F32, {2, 2, 3}), ints(DType::I64, {2, 2}, {0, 1, -1, 2})});
  EXPECT_NE(message.find("index -1 at [1, 0] is out of range for a table of 4 "
                         "rows"),
            std::string::npos)
      << message;
}

TEST_F(InterpreterTest, CrossEntropyGradLabelOutOfRange) {
  std::string message = runFailing(
      R"mlir(
    func.func @main(%l: tensor<2x3xf32>, %y: tensor<2xi32>, %g: tensor<f32>)
        -> tensor<2x3xf32> {
      %0 = fm.cross_entropy_grad %l, %y, %g : tensor<2x3xf32>, tensor<2xi32>
      return %0 : tensor<2x3xf32>
    })mlir",
      {Tensor(DType::F32, {2, 3}), ints(DType::I32, {2}, {0, 3}),
       f32({}, {1})});
  EXPECT_NE(message.find("label 3 at [1] is out of range for 3 classes"),
            std::string::npos)
      << message;
}

TEST_F(InterpreterTest, UnsupportedOp) {
  std::string message = runFailing(R"mlir(
    func.func @main(%a: tensor<2xf32>) -> tensor<2xf32> {
      %0 = arith.addf %a, %a : tensor<2xf32>
      return %0 : tensor<2xf32>
    })mlir",
                                   {f32({2}, {1, 2})});
  EXPECT_NE(message.find("the interpreter cannot run 'arith.addf'"),
            std::string::npos)
      << message;
}

TEST_F(InterpreterTest, UnknownFunctionName) {
  ScopedDiagnosticHandler handler(&context, [&](Diagnostic &diagnostic) {
    diagnostics += diagnostic.str();
    return success();
  });
  OwningOpRef<ModuleOp> empty = parseSourceString<ModuleOp>("", &context);
  ASSERT_TRUE(empty);
  fm::Interpreter interpreter(*empty);
  EXPECT_TRUE(failed(interpreter.run("missing", {})));
  EXPECT_NE(diagnostics.find("no function named 'missing'"), std::string::npos)
      << diagnostics;
}

} // namespace

//===- StructuredLoweringTest.cpp - Lowered structured ops vs interpreter -===//
//
// Runs the lowering of every op in codegen/LowerStructured.cpp (matmul,
// reductions, softmax and normalizations with their gradients, embedding,
// cross-entropy) through the JIT executor of LoweringTestUtils and compares
// it with the reference interpreter on random shapes and values.
//
// The lowering computes in f32 with the interpreter's operations in the
// interpreter's order, so results should match bit for bit. The tests
// require that for integers and narrow floats (where a different rounding
// would be a real bug) and, as the lowering's contract, a relative 1e-5 for
// f32 results, which stay exact today only as long as both sides call the
// same expf/logf and nothing reorders or fuses f32 arithmetic.
//
//===----------------------------------------------------------------------===//

#include "tests/unit/FmProgramTest.h"
#include "tests/unit/codegen/LoweringTestUtils.h"

#include "ir/interp/Interpreter.h"

#include "fmrt/Random.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

using fmrt::DType;
using fmrt::Shape;
using fmrt::Tensor;

namespace {

/// How a lowered result must match the interpreter's.
enum class Match {
  /// Same bits (NaNs of any payload are equal).
  Exact,
  /// Within a relative 1e-5 (and an absolute 1e-6 of the largest magnitude,
  /// for results that cancel to nearly 0).
  Close,
  /// Exact for narrow floats and integers, close for f32.
  ExactUnlessF32,
};

std::string typeText(const Shape &shape, llvm::StringRef element) {
  std::string text = "tensor<";
  for (int64_t size : shape)
    text += std::to_string(size) + "x";
  return text + element.str() + ">";
}

std::string listText(llvm::ArrayRef<int64_t> values) {
  std::string text = "[";
  for (auto [index, value] : llvm::enumerate(values))
    text += (index ? ", " : "") + std::to_string(value);
  return text + "]";
}

/// The fm element type name of a dtype.
llvm::StringRef elementName(DType dtype) {
  switch (dtype) {
  case DType::F32:
    return "f32";
  case DType::BF16:
    return "bf16";
  case DType::F16:
    return "f16";
  case DType::F8E4M3FN:
    return "f8E4M3FN";
  case DType::F8E5M2:
    return "f8E5M2";
  case DType::I32:
    return "i32";
  case DType::I64:
    return "i64";
  default:
    return "?";
  }
}

class StructuredLoweringTest : public fm::testing::FmProgramTest {
protected:
  StructuredLoweringTest() {
    mlir::DialectRegistry registry;
    fm::testing::registerLoweringTestDialects(registry);
    context.appendDialectRegistry(registry);
  }

  /// A tensor of normal random values (rounded to its element type).
  Tensor normal(DType dtype, const Shape &shape, double scale = 1.0) {
    Tensor tensor(dtype, shape);
    for (int64_t i = 0; i < tensor.numElements(); ++i)
      tensor.setDouble(i, scale * random.normal());
    return tensor;
  }

  /// A tensor of random integers in [low, high).
  Tensor integers(DType dtype, const Shape &shape, int64_t low, int64_t high) {
    Tensor tensor(dtype, shape);
    for (int64_t i = 0; i < tensor.numElements(); ++i)
      tensor.setInt(i, low + static_cast<int64_t>(random.below(high - low)));
    return tensor;
  }

  int64_t size(int64_t low, int64_t high) {
    return low + static_cast<int64_t>(random.below(high - low + 1));
  }

  Shape randomShape(int64_t minRank, int64_t maxRank, int64_t maxSize = 7) {
    Shape shape;
    for (int64_t rank = size(minRank, maxRank); rank > 0; --rank)
      shape.push_back(size(1, maxSize));
    return shape;
  }

  bool coin() { return random.below(2); }

  /// Parses `source`, runs `@f` on `inputs` with the interpreter and
  /// compiled, and compares every result. `what` names the case in
  /// failures.
  void check(const std::string &source, const std::vector<Tensor> &inputs,
             Match match, const std::string &what) {
    SCOPED_TRACE(what + "\n" + source);
    diagnostics.clear();
    if (!parse(source))
      return;
    fm::Interpreter interpreter(*module);
    mlir::FailureOr<std::vector<Tensor>> expected =
        interpreter.run("f", inputs);
    ASSERT_TRUE(succeeded(expected)) << diagnostics;
    std::string error;
    auto compiled = fm::testing::CompiledModule::compile(*module, error);
    ASSERT_TRUE(compiled) << error;
    mlir::FailureOr<std::vector<Tensor>> actual =
        compiled->run("f", inputs, error);
    ASSERT_TRUE(succeeded(actual)) << error;
    ASSERT_EQ(actual->size(), expected->size());
    for (auto [index, got, want] : llvm::enumerate(*actual, *expected))
      compare(got, want, match, "result #" + std::to_string(index));
  }

  static void compare(const Tensor &got, const Tensor &want, Match match,
                      const std::string &what) {
    ASSERT_EQ(got.dtype(), want.dtype()) << what;
    ASSERT_EQ(got.shape(), want.shape()) << what;
    const bool exact =
        match == Match::Exact ||
        (match == Match::ExactUnlessF32 && want.dtype() != DType::F32);
    double largest = 0;
    for (int64_t i = 0; i < want.numElements(); ++i)
      if (std::isfinite(want.getDouble(i)))
        largest = std::max(largest, std::abs(want.getDouble(i)));
    int failures = 0;
    for (int64_t i = 0; i < want.numElements() && failures < 8; ++i) {
      if (fmrt::isInteger(want.dtype())) {
        if (got.getInt(i) != want.getInt(i)) {
          ++failures;
          ADD_FAILURE() << what << "[" << i << "]: " << got.getInt(i)
                        << " != " << want.getInt(i);
        }
        continue;
      }
      const double a = got.getDouble(i), b = want.getDouble(i);
      if (std::isnan(a) && std::isnan(b))
        continue;
      const size_t bytes = fmrt::dtypeSize(want.dtype());
      const bool same =
          std::memcmp(got.dataAs<uint8_t>() + i * bytes,
                      want.dataAs<uint8_t>() + i * bytes, bytes) == 0;
      const bool close =
          a == b || std::abs(a - b) <= 1e-5 * std::abs(b) + 1e-6 * largest;
      if (exact ? !same : !close) {
        ++failures;
        ADD_FAILURE() << what << "[" << i << "]: " << a << " != " << b
                      << " (expected)" << (exact ? ", bits differ" : "");
      }
    }
  }

  fmrt::Random random{20240611};
};

/// The float dtypes the tests draw from: f32 most of the time.
DType floatType(unsigned draw) {
  static const DType types[] = {DType::F32, DType::BF16, DType::F32,
                                DType::F16};
  return types[draw % 4];
}

//===----------------------------------------------------------------------===//
// matmul
//===----------------------------------------------------------------------===//

TEST_F(StructuredLoweringTest, MatmulRandomShapes) {
  for (int trial = 0; trial < 24; ++trial) {
    const DType dtype = floatType(trial);
    const bool transposeA = coin(), transposeB = coin();
    const int64_t m = size(1, 9), n = size(1, 9), k = size(1, 13);
    // Batch axes: the result's, then each operand's trailing part with some
    // axes set to 1 to broadcast.
    Shape batch = randomShape(0, 3, 4);
    auto operandBatch = [&] {
      Shape own(batch.end() - size(0, batch.size()), batch.end());
      for (int64_t &axis : own)
        if (random.below(3) == 0)
          axis = 1;
      return own;
    };
    Shape lhsBatch = operandBatch(), rhsBatch = operandBatch();
    // The result batch is the broadcast of both.
    Shape resultBatch(std::max(lhsBatch.size(), rhsBatch.size()), 1);
    for (const Shape *operand : {&lhsBatch, &rhsBatch}) {
      const size_t offset = resultBatch.size() - operand->size();
      for (auto [axis, size] : llvm::enumerate(*operand))
        resultBatch[offset + axis] = std::max(resultBatch[offset + axis], size);
    }
    Shape lhs = lhsBatch, rhs = rhsBatch, result = resultBatch;
    lhs.push_back(transposeA ? k : m);
    lhs.push_back(transposeA ? m : k);
    rhs.push_back(transposeB ? n : k);
    rhs.push_back(transposeB ? k : n);
    result.push_back(m);
    result.push_back(n);
    llvm::StringRef element = elementName(dtype);
    std::string source =
        "func.func @f(%a: " + typeText(lhs, element) +
        ", %b: " + typeText(rhs, element) + ") -> " +
        typeText(result, element) + " {\n  %0 = fm.matmul %a, %b" +
        (transposeA ? " transpose_a" : "") +
        (transposeB ? " transpose_b" : "") + " : " + typeText(lhs, element) +
        ", " + typeText(rhs, element) +
        "\n  return %0 : " + typeText(result, element) + "\n}\n";
    check(source, {normal(dtype, lhs), normal(dtype, rhs)},
          Match::ExactUnlessF32, "trial " + std::to_string(trial));
  }
}

// The f32 paths through linalg.matmul and linalg.batch_matmul accumulate in
// the interpreter's order too: bit for bit.
TEST_F(StructuredLoweringTest, MatmulNamedOpsAreExact) {
  const char *source = R"mlir(
    func.func @f(%a: tensor<3x5x17xf32>, %w: tensor<17x9xf32>,
                 %b: tensor<2x3x5x17xf32>, %c: tensor<2x3x17x4xf32>)
        -> (tensor<3x5x9xf32>, tensor<2x3x5x4xf32>) {
      %0 = fm.matmul %a, %w : tensor<3x5x17xf32>, tensor<17x9xf32>
      %1 = fm.matmul %b, %c : tensor<2x3x5x17xf32>, tensor<2x3x17x4xf32>
      return %0, %1 : tensor<3x5x9xf32>, tensor<2x3x5x4xf32>
    }
  )mlir";
  check(source,
        {normal(DType::F32, {3, 5, 17}), normal(DType::F32, {17, 9}),
         normal(DType::F32, {2, 3, 5, 17}), normal(DType::F32, {2, 3, 17, 4})},
        Match::Exact, "named ops");
}

TEST_F(StructuredLoweringTest, MatmulFp8) {
  for (DType dtype : {DType::F8E4M3FN, DType::F8E5M2}) {
    std::string lhs = typeText({2, 5, 8}, elementName(dtype));
    std::string rhs = typeText({3, 8}, elementName(dtype));
    std::string result = typeText({2, 5, 3}, elementName(dtype));
    std::string source = "func.func @f(%a: " + lhs + ", %b: " + rhs + ") -> " +
                         result +
                         " {\n  %0 = fm.matmul %a, %b transpose_b : " + lhs +
                         ", " + rhs + "\n  return %0 : " + result + "\n}\n";
    check(source, {normal(dtype, {2, 5, 8}), normal(dtype, {3, 8})},
          Match::Exact, std::string(elementName(dtype)));
  }
}

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

TEST_F(StructuredLoweringTest, ReductionsRandomAxes) {
  const char *ops[] = {"reduce_sum", "reduce_mean", "reduce_max"};
  const DType types[] = {DType::F32, DType::BF16, DType::I32, DType::I64,
                         DType::F16};
  for (int trial = 0; trial < 45; ++trial) {
    llvm::StringRef op = ops[trial % 3];
    DType dtype = types[(trial / 3) % 5];
    if (op == "reduce_mean" && fmrt::isInteger(dtype))
      dtype = DType::BF16;
    Shape shape = randomShape(1, 4);
    const int64_t rank = shape.size();
    // Absent axes (all), an empty list (none), or a random subset with
    // some negative spellings.
    std::vector<int64_t> axes;
    const unsigned form = random.below(6);
    for (int64_t axis = 0; axis < rank && form > 1; ++axis)
      if (coin())
        axes.push_back(coin() ? axis : axis - rank);
    const bool keepdim = coin();
    std::vector<int64_t> reduced;
    for (int64_t axis = 0; axis < rank; ++axis)
      if (form == 0 || llvm::is_contained(axes, axis) ||
          llvm::is_contained(axes, axis - rank))
        reduced.push_back(axis);
    Shape result;
    for (int64_t axis = 0; axis < rank; ++axis) {
      if (!llvm::is_contained(reduced, axis))
        result.push_back(shape[axis]);
      else if (keepdim)
        result.push_back(1);
    }
    llvm::StringRef element = elementName(dtype);
    std::string attributes;
    if (form == 1)
      attributes += " axes []";
    else if (form > 1)
      attributes += " axes " + listText(axes);
    if (keepdim)
      attributes += " keepdim";
    std::string source =
        "func.func @f(%x: " + typeText(shape, element) + ") -> " +
        typeText(result, element) + " {\n  %0 = fm." + op.str() + " %x" +
        attributes + " : " + typeText(shape, element) +
        "\n  return %0 : " + typeText(result, element) + "\n}\n";
    Tensor input = fmrt::isInteger(dtype)
                       ? integers(dtype, shape, -1000000, 1000000)
                       : normal(dtype, shape, 10.0);
    check(source, {input}, Match::ExactUnlessF32,
          "trial " + std::to_string(trial));
  }
}

// Integer sums wrap at the element width, as the interpreter's int64 sum
// truncated to it.
TEST_F(StructuredLoweringTest, IntegerSumWraps) {
  const char *source = R"mlir(
    func.func @f(%x: tensor<3x4xi32>) -> tensor<3xi32> {
      %0 = fm.reduce_sum %x axes [1] : tensor<3x4xi32>
      return %0 : tensor<3xi32>
    }
  )mlir";
  Tensor input(DType::I32, {3, 4});
  for (int64_t i = 0; i < 12; ++i)
    input.setInt(i, i % 2 ? 2147483000 : -2147483000 + i);
  input.setInt(0, 2147483647);
  input.setInt(1, 2147483647);
  check(source, {input}, Match::Exact, "wrap");
}

// reduce_max propagates NaN (at any position) and, like the interpreter,
// keeps the later of two equal zeros.
TEST_F(StructuredLoweringTest, ReduceMaxNaNAndSignedZeros) {
  const char *source = R"mlir(
    func.func @f(%x: tensor<4x3xf32>) -> (tensor<4xf32>, tensor<3xf32>) {
      %0 = fm.reduce_max %x axes [1] : tensor<4x3xf32>
      %1 = fm.reduce_max %x axes [0] : tensor<4x3xf32>
      return %0, %1 : tensor<4xf32>, tensor<3xf32>
    }
  )mlir";
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  Tensor input(DType::F32, {4, 3});
  const double values[] = {nan, 1,    2,  1,    nan, -inf,
                           0.0, -0.0, -1, -0.0, 0.0, -inf};
  for (int64_t i = 0; i < 12; ++i)
    input.setDouble(i, values[i]);
  check(source, {input}, Match::Exact, "nan");
}

// Axes of size 0: a sum of nothing is 0, a mean NaN, a maximum -inf, and a
// product over an empty contraction 0.
TEST_F(StructuredLoweringTest, EmptyAxes) {
  const char *source = R"mlir(
    func.func @f(%x: tensor<0x3xbf16>, %a: tensor<2x0xf32>, %b: tensor<0x4xf32>,
                 %c: tensor<4x0xf32>, %d: tensor<2x0xbf16>,
                 %e: tensor<4x0xbf16>)
        -> (tensor<3xbf16>, tensor<1x3xbf16>, tensor<3xbf16>, tensor<2x4xf32>,
            tensor<2x4xf32>, tensor<2x4xbf16>) {
      %0 = fm.reduce_sum %x axes [0] : tensor<0x3xbf16>
      %1 = fm.reduce_mean %x axes [0] keepdim : tensor<0x3xbf16>
      %2 = fm.reduce_max %x axes [0] : tensor<0x3xbf16>
      %3 = fm.matmul %a, %b : tensor<2x0xf32>, tensor<0x4xf32>
      %4 = fm.matmul %a, %c transpose_b : tensor<2x0xf32>, tensor<4x0xf32>
      %5 = fm.matmul %d, %e transpose_b : tensor<2x0xbf16>, tensor<4x0xbf16>
      return %0, %1, %2, %3, %4, %5 : tensor<3xbf16>, tensor<1x3xbf16>,
          tensor<3xbf16>, tensor<2x4xf32>, tensor<2x4xf32>, tensor<2x4xbf16>
    }
  )mlir";
  check(source,
        {Tensor(DType::BF16, {0, 3}), Tensor(DType::F32, {2, 0}),
         Tensor(DType::F32, {0, 4}), Tensor(DType::F32, {4, 0}),
         Tensor(DType::BF16, {2, 0}), Tensor(DType::BF16, {4, 0})},
        Match::Exact, "empty");
}

//===----------------------------------------------------------------------===//
// softmax, log_softmax and their gradients
//===----------------------------------------------------------------------===//

TEST_F(StructuredLoweringTest, SoftmaxFamilyRandomAxes) {
  const char *ops[] = {"softmax", "log_softmax", "softmax_grad",
                       "log_softmax_grad"};
  for (int trial = 0; trial < 32; ++trial) {
    llvm::StringRef op = ops[trial % 4];
    const DType dtype = floatType(trial / 4);
    Shape shape = randomShape(1, 4);
    const int64_t rank = shape.size();
    const int64_t axis =
        static_cast<int64_t>(random.below(rank)) - (coin() ? rank : 0);
    const bool grad = op.ends_with("_grad");
    std::string type = typeText(shape, elementName(dtype));
    std::string attributes =
        random.below(4) ? " axis " + std::to_string(axis) : "";
    std::string source =
        "func.func @f(%x: " + type + (grad ? ", %g: " + type : "") + ") -> " +
        type + " {\n  %0 = fm." + op.str() + " %x" + (grad ? ", %g" : "") +
        attributes + " : " + type + "\n  return %0 : " + type + "\n}\n";
    std::vector<Tensor> inputs{normal(dtype, shape, 3.0)};
    if (grad)
      inputs.push_back(normal(dtype, shape));
    check(source, inputs, Match::ExactUnlessF32,
          "trial " + std::to_string(trial));
  }
}

// Rows holding +inf, -inf or NaN give the interpreter's NaNs and zeros.
TEST_F(StructuredLoweringTest, SoftmaxNonFinite) {
  const char *source = R"mlir(
    func.func @f(%x: tensor<3x4xf32>) -> (tensor<3x4xf32>, tensor<3x4xf32>) {
      %0 = fm.softmax %x : tensor<3x4xf32>
      %1 = fm.log_softmax %x : tensor<3x4xf32>
      return %0, %1 : tensor<3x4xf32>, tensor<3x4xf32>
    }
  )mlir";
  const double inf = std::numeric_limits<double>::infinity();
  Tensor input(DType::F32, {3, 4});
  const double values[] = {1, inf, 2,    3,    -inf, 0,
                           1, 2,   -inf, -inf, 5,    std::nan("")};
  for (int64_t i = 0; i < 12; ++i)
    input.setDouble(i, values[i]);
  check(source, {input}, Match::Close, "non-finite");
}

//===----------------------------------------------------------------------===//
// layer_norm, rms_norm and their gradients
//===----------------------------------------------------------------------===//

TEST_F(StructuredLoweringTest, NormalizationsRandomShapes) {
  for (int trial = 0; trial < 40; ++trial) {
    const bool rms = trial % 2;
    const bool grad = (trial / 2) % 2;
    const DType dtype = floatType(trial / 4);
    Shape shape = randomShape(1, 4, 9);
    const int64_t features = shape.back();
    const bool hasScale = coin();
    const bool hasBias = !rms && !grad && coin();
    const bool hasEps = coin();
    llvm::StringRef element = elementName(dtype);
    std::string type = typeText(shape, element);
    std::string featureType = typeText({features}, element);
    std::string op =
        std::string(rms ? "rms_norm" : "layer_norm") + (grad ? "_grad" : "");
    std::string arguments = "%x: " + type;
    std::string operands = " %x";
    if (grad) {
      arguments += ", %g: " + type;
      operands += ", %g";
    }
    std::vector<std::string> results{type};
    if (grad)
      results.insert(results.end(), rms ? 1 : 2, featureType);
    if (hasScale) {
      arguments += ", %s: " + featureType;
      operands += " scale(%s : " + featureType + ")";
    }
    if (hasBias) {
      arguments += ", %b: " + featureType;
      operands += " bias(%b : " + featureType + ")";
    }
    if (hasEps)
      operands += " eps 1.0e-02";
    std::string resultList = llvm::join(results, ", ");
    std::string names = "%0";
    if (grad)
      names = rms ? "%0#0, %0#1" : "%0#0, %0#1, %0#2";
    std::string source = "func.func @f(" + arguments + ") -> (" + resultList +
                         ") {\n  %0" +
                         (grad ? ":" + std::to_string(results.size()) : "") +
                         " = fm." + op + operands + " : " + type +
                         "\n  return " + names + " : " + resultList + "\n}\n";
    std::vector<Tensor> inputs{normal(dtype, shape, 2.0)};
    if (grad)
      inputs.push_back(normal(dtype, shape));
    if (hasScale)
      inputs.push_back(normal(dtype, {features}));
    if (hasBias)
      inputs.push_back(normal(dtype, {features}));
    check(source, inputs, Match::ExactUnlessF32,
          "trial " + std::to_string(trial));
  }
}

//===----------------------------------------------------------------------===//
// embedding, embedding_grad
//===----------------------------------------------------------------------===//

TEST_F(StructuredLoweringTest, EmbeddingRandomShapes) {
  const DType tables[] = {DType::F32, DType::BF16, DType::F8E4M3FN};
  for (int trial = 0; trial < 12; ++trial) {
    const DType dtype = tables[trial % 3];
    const DType indexType = coin() ? DType::I32 : DType::I64;
    const int64_t rows = size(1, 11), features = size(1, 9);
    Shape positions = randomShape(0, 3, 5);
    Shape result = positions;
    result.push_back(features);
    llvm::StringRef element = elementName(dtype);
    std::string table = typeText({rows, features}, element);
    std::string indices = typeText(positions, elementName(indexType));
    std::string source =
        "func.func @f(%t: " + table + ", %i: " + indices + ") -> " +
        typeText(result, element) +
        " {\n  %0 = fm.embedding %t[%i] : " + table + ", " + indices +
        "\n  return %0 : " + typeText(result, element) + "\n}\n";
    check(source,
          {normal(dtype, {rows, features}),
           integers(indexType, positions, 0, rows)},
          Match::Exact, "trial " + std::to_string(trial));
  }
}

// Repeated indices accumulate, in position order.
TEST_F(StructuredLoweringTest, EmbeddingGradRandomShapes) {
  for (int trial = 0; trial < 12; ++trial) {
    const DType dtype = floatType(trial);
    const DType indexType = coin() ? DType::I32 : DType::I64;
    const int64_t rows = size(1, 6), features = size(1, 9);
    Shape positions = randomShape(0, 3, 6);
    Shape grad = positions;
    grad.push_back(features);
    llvm::StringRef element = elementName(dtype);
    std::string gradType = typeText(grad, element);
    std::string indices = typeText(positions, elementName(indexType));
    std::string table = typeText({rows, features}, element);
    std::string source =
        "func.func @f(%g: " + gradType + ", %i: " + indices + ") -> " + table +
        " {\n  %0 = fm.embedding_grad %g[%i] : " + gradType + ", " + indices +
        " -> " + table + "\n  return %0 : " + table + "\n}\n";
    check(source,
          {normal(dtype, grad), integers(indexType, positions, 0, rows)},
          Match::ExactUnlessF32, "trial " + std::to_string(trial));
  }
}

// The interpreter rejects an index outside the table; compiled code clamps
// it to the nearest row (see clampIndex in LowerStructured.cpp) and never
// reads or writes outside the table.
TEST_F(StructuredLoweringTest, OutOfRangeIndicesClamp) {
  const char *source = R"mlir(
    func.func @f(%t: tensor<3x2xf32>, %i: tensor<4xi64>, %g: tensor<4x2xf32>,
                 %l: tensor<4x3xf32>, %y: tensor<4xi32>)
        -> (tensor<4x2xf32>, tensor<3x2xf32>, tensor<f32>) {
      %0 = fm.embedding %t[%i] : tensor<3x2xf32>, tensor<4xi64>
      %1 = fm.embedding_grad %g[%i] : tensor<4x2xf32>, tensor<4xi64> -> tensor<3x2xf32>
      %2 = fm.cross_entropy %l, %y : tensor<4x3xf32>, tensor<4xi32>
      return %0, %1, %2 : tensor<4x2xf32>, tensor<3x2xf32>, tensor<f32>
    }
  )mlir";
  ASSERT_TRUE(parse(source));
  Tensor table(DType::F32, {3, 2}), indices(DType::I64, {4}),
      grad(DType::F32, {4, 2}), logits(DType::F32, {4, 3}),
      labels(DType::I32, {4});
  for (int64_t i = 0; i < 6; ++i)
    table.setDouble(i, i);
  const int64_t index[] = {-5, 7, 1, std::numeric_limits<int64_t>::max()};
  const int64_t label[] = {-1, 3, 2, std::numeric_limits<int32_t>::min()};
  for (int64_t i = 0; i < 4; ++i) {
    indices.setInt(i, index[i]);
    labels.setInt(i, label[i]);
  }
  for (int64_t i = 0; i < 8; ++i)
    grad.setDouble(i, 1);
  for (int64_t i = 0; i < 12; ++i)
    logits.setDouble(i, i % 3);
  std::string error;
  auto compiled = fm::testing::CompiledModule::compile(*module, error);
  ASSERT_TRUE(compiled) << error;
  auto results =
      compiled->run("f", {table, indices, grad, logits, labels}, error);
  ASSERT_TRUE(succeeded(results)) << error;
  // Rows 0, 2, 1, 2.
  const double gathered[] = {0, 1, 4, 5, 2, 3, 4, 5};
  for (int64_t i = 0; i < 8; ++i)
    EXPECT_EQ((*results)[0].getDouble(i), gathered[i]) << i;
  const double scattered[] = {1, 1, 1, 1, 2, 2};
  for (int64_t i = 0; i < 6; ++i)
    EXPECT_EQ((*results)[1].getDouble(i), scattered[i]) << i;
  // Labels 0, 2, 2, 0 of rows (0, 1, 2): logsumexp - logit.
  const double logSumExp = std::log(1 + std::exp(1.0) + std::exp(2.0));
  const double loss = logSumExp - (0 + 2 + 2 + 0) / 4.0;
  EXPECT_NEAR((*results)[2].getDouble(0), loss, 1e-6);
}

//===----------------------------------------------------------------------===//
// cross_entropy, cross_entropy_grad
//===----------------------------------------------------------------------===//

TEST_F(StructuredLoweringTest, CrossEntropyRandomShapes) {
  for (int trial = 0; trial < 24; ++trial) {
    const bool grad = trial % 2;
    const DType dtype = floatType(trial / 2);
    const DType labelType = coin() ? DType::I32 : DType::I64;
    Shape logits = randomShape(1, 3, 9);
    const int64_t classes = logits.back();
    Shape positions(logits.begin(), logits.end() - 1);
    llvm::StringRef element = elementName(dtype);
    std::string logitsType = typeText(logits, element);
    std::string labelsType = typeText(positions, elementName(labelType));
    std::string resultType = grad ? logitsType : "tensor<f32>";
    std::string source =
        "func.func @f(%l: " + logitsType + ", %y: " + labelsType +
        (grad ? ", %g: tensor<f32>" : "") + ") -> " + resultType +
        " {\n  %0 = fm." + (grad ? "cross_entropy_grad" : "cross_entropy") +
        " %l, %y" + (grad ? ", %g" : "") + " : " + logitsType + ", " +
        labelsType + "\n  return %0 : " + resultType + "\n}\n";
    std::vector<Tensor> inputs{normal(dtype, logits, 4.0),
                               integers(labelType, positions, 0, classes)};
    if (grad)
      inputs.push_back(normal(DType::F32, {}));
    check(source, inputs, Match::ExactUnlessF32,
          "trial " + std::to_string(trial));
  }
}

// A loss over many positions: the lowering's compensated sum is the
// interpreter's, bit for bit (plain f32 summation would drift by ulps).
TEST_F(StructuredLoweringTest, CrossEntropyManyPositionsIsExact) {
  const char *source = R"mlir(
    func.func @f(%l: tensor<64x257x3xf32>, %y: tensor<64x257xi64>)
        -> tensor<f32> {
      %0 = fm.cross_entropy %l, %y : tensor<64x257x3xf32>, tensor<64x257xi64>
      return %0 : tensor<f32>
    }
  )mlir";
  check(
      source,
      {normal(DType::F32, {64, 257, 3}), integers(DType::I64, {64, 257}, 0, 3)},
      Match::Exact, "many positions");
}

} // namespace

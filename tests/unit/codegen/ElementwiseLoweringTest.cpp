//===- ElementwiseLoweringTest.cpp - fm elementwise ops, lowered ----------===//
//
// Runs fm programs both through the reference interpreter and through
// fm-lower-to-linalg + the test executor (LoweringTestUtils), and compares
// the results: bit for bit, except f32 results of libm functions, which may
// differ by 1e-6 relative. The narrow-float conversions are also compared
// directly with fmrt's, on every bf16/f16/FP8 code and on special and random
// f32 values.
//
// Each test gathers its cases as functions of one module, which is lowered
// and JIT-compiled once.
//
//===----------------------------------------------------------------------===//

#include "tests/unit/codegen/LoweringTestUtils.h"

#include "ir/interp/Interpreter.h"

#include "fmrt/Numerics.h"
#include "fmrt/Random.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/FormatVariadic.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <vector>

using namespace mlir;
using fmrt::DType;
using fmrt::Shape;
using fmrt::Tensor;

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

/// fm's element types, by their MLIR spelling.
struct Element {
  const char *name;
  DType dtype;
};
const Element kF32{"f32", DType::F32}, kF16{"f16", DType::F16},
    kBF16{"bf16", DType::BF16}, kE4M3{"f8E4M3FN", DType::F8E4M3FN},
    kE5M2{"f8E5M2", DType::F8E5M2}, kI32{"i32", DType::I32},
    kI64{"i64", DType::I64}, kI1{"i1", DType::I1};
const Element kFloats[] = {kF32, kF16, kBF16, kE4M3, kE5M2};
const Element kNarrowFloats[] = {kF16, kBF16, kE4M3, kE5M2};
const Element kNumeric[] = {kF32, kF16, kBF16, kE4M3, kE5M2, kI32, kI64};
const Element kAll[] = {kF32, kF16, kBF16, kE4M3, kE5M2, kI32, kI64, kI1};

/// "tensor<3x4xf32>", "tensor<f32>" for rank 0.
std::string tensorType(const Shape &shape, const Element &element) {
  std::string text = "tensor<";
  for (int64_t size : shape)
    text += std::to_string(size) + "x";
  return text + element.name + ">";
}

Shape broadcastShape(const Shape &a, const Shape &b) {
  Shape result(std::max(a.size(), b.size()), 1);
  for (size_t i = 0; i < result.size(); ++i) {
    int64_t x = i < a.size() ? a[a.size() - 1 - i] : 1;
    int64_t y = i < b.size() ? b[b.size() - 1 - i] : 1;
    result[result.size() - 1 - i] = x == 1 ? y : x;
  }
  return result;
}

/// How results are compared with the interpreter's.
enum class Compare {
  Bits,
  /// Bit for bit, except that NaNs match NaNs: the sign and payload of a NaN
  /// that arithmetic creates (inf - inf, 0 * inf) are the hardware's and the
  /// optimizer's choice, and the contract is only "NaN".
  BitsOrNaN,
  /// f32 results computed with libm: within 1e-6 relative (NaN matches NaN).
  Relative,
};

Tensor fromDoubles(DType dtype, const Shape &shape,
                   const std::vector<double> &values) {
  Tensor tensor(dtype, shape);
  for (size_t i = 0; i < values.size(); ++i)
    tensor.setDouble(i, values[i]);
  return tensor;
}

Tensor fromInts(DType dtype, const Shape &shape,
                const std::vector<int64_t> &values) {
  Tensor tensor(dtype, shape);
  for (size_t i = 0; i < values.size(); ++i)
    tensor.setInt(i, values[i]);
  return tensor;
}

/// Every code of a 16- or 8-bit float type, in code order.
Tensor allCodes(DType dtype) {
  const int64_t count = fmrt::dtypeSize(dtype) == 2 ? 65536 : 256;
  Tensor tensor(dtype, {count});
  for (int64_t code = 0; code < count; ++code) {
    if (count == 65536)
      tensor.dataAs<uint16_t>()[code] = static_cast<uint16_t>(code);
    else
      tensor.dataAs<uint8_t>()[code] = static_cast<uint8_t>(code);
  }
  return tensor;
}

/// Random elements: floats uniform in [-range, range] (or, when `coarse`,
/// multiples of 0.5 in [-3, 3], so that comparisons meet equal operands);
/// integers mostly small, a quarter of them any bit pattern so that
/// arithmetic wraps; i1 0 or 1.
Tensor randomTensor(fmrt::Random &rng, DType dtype, const Shape &shape,
                    double range = 4.0, bool coarse = false) {
  Tensor tensor(dtype, shape);
  for (int64_t i = 0; i < tensor.numElements(); ++i) {
    switch (dtype) {
    case DType::I1:
      tensor.setInt(i, static_cast<int64_t>(rng.below(2)));
      break;
    case DType::I32:
    case DType::I64: {
      int64_t value =
          static_cast<int64_t>(rng.below(coarse ? 7 : 101)) - (coarse ? 3 : 50);
      if (!coarse && rng.below(4) == 0)
        value = static_cast<int64_t>(rng.nextU64());
      tensor.setInt(i, value); // i32 keeps the low 32 bits
      break;
    }
    default:
      tensor.setDouble(i, coarse ? static_cast<double>(rng.below(13)) / 2 - 3
                                 : (2 * rng.uniform() - 1) * range);
    }
  }
  return tensor;
}

std::string elementText(const Tensor &tensor, int64_t index) {
  uint64_t bits = 0;
  const size_t size = fmrt::dtypeSize(tensor.dtype());
  std::memcpy(&bits, tensor.dataAs<uint8_t>() + index * size, size);
  return llvm::formatv("{0} ({1:x})", tensor.getDouble(index), bits).str();
}

bool sameElement(const Tensor &expected, const Tensor &actual, int64_t index,
                 Compare compare) {
  const size_t size = fmrt::dtypeSize(expected.dtype());
  if (std::memcmp(expected.dataAs<uint8_t>() + index * size,
                  actual.dataAs<uint8_t>() + index * size, size) == 0)
    return true;
  if (compare == Compare::Bits)
    return false;
  const double a = expected.getDouble(index), b = actual.getDouble(index);
  if (std::isnan(a) && std::isnan(b))
    return true;
  if (compare == Compare::BitsOrNaN || expected.dtype() != DType::F32)
    return false;
  return std::fabs(a - b) <= 1e-6 * std::max(std::fabs(a), std::fabs(b));
}

/// Checks `actual` against `expected` element by element; reports the first
/// few differences.
void expectSameTensor(const Tensor &expected, const Tensor &actual,
                      Compare compare, const std::string &what) {
  ASSERT_EQ(expected.dtype(), actual.dtype()) << what;
  ASSERT_EQ(expected.shape(), actual.shape()) << what;
  int mismatches = 0;
  for (int64_t i = 0; i < expected.numElements(); ++i) {
    if (sameElement(expected, actual, i, compare))
      continue;
    if (++mismatches <= 5)
      ADD_FAILURE() << what << ": element " << i << ": expected "
                    << elementText(expected, i) << ", got "
                    << elementText(actual, i);
  }
  EXPECT_EQ(mismatches, 0) << what << ": " << mismatches << " of "
                           << expected.numElements() << " elements differ";
}

/// Collects functions into one module, then runs each through the
/// interpreter and the lowering and compares.
class LoweringTest : public ::testing::Test {
protected:
  LoweringTest()
      : handler(&context, [this](Diagnostic &diagnostic) {
          diagnostics += diagnostic.str() + "\n";
          return success();
        }) {
    DialectRegistry registry;
    fm::testing::registerLoweringTestDialects(registry);
    context.appendDialectRegistry(registry);
    context.printOpOnDiagnostic(false);
  }

  /// Adds `@<name>(%a0: arguments[0], ...) -> result`, whose `body` defines
  /// `%r` from `%a0`, `%a1`... Results are compared as `compare` says.
  void add(const std::string &body, std::vector<Tensor> inputs,
           const std::vector<std::string> &arguments, const std::string &result,
           Compare compare = Compare::Bits) {
    const std::string name = "case" + std::to_string(cases.size());
    std::string signature;
    for (auto [index, type] : llvm::enumerate(arguments))
      signature +=
          (index ? ", %a" : "%a") + std::to_string(index) + ": " + type;
    source += llvm::formatv("func.func @{0}({1}) -> {2} {{\n  {3}\n  return "
                            "%r : {2}\n}\n",
                            name, signature, result, body)
                  .str();
    cases.push_back({name, body, std::move(inputs), compare});
  }

  /// A one-op case: `%r = <op> %a0, %a1... <suffix>`.
  void addOp(const std::string &op, const std::string &suffix,
             std::vector<Tensor> inputs,
             const std::vector<std::string> &arguments,
             const std::string &result, Compare compare = Compare::Bits) {
    std::string operands;
    for (size_t i = 0; i < arguments.size(); ++i)
      operands += (i ? ", %a" : " %a") + std::to_string(i);
    add("%r = " + op + operands + " " + suffix, std::move(inputs), arguments,
        result, compare);
  }

  /// Parses and compiles the collected module and checks every case. With
  /// `reference`, also checks each case's results against it.
  void runCases(std::function<void(size_t, const std::vector<Tensor> &)>
                    reference = nullptr) {
    OwningOpRef<ModuleOp> module =
        parseSourceString<ModuleOp>(source, &context);
    ASSERT_TRUE(module) << "cannot parse the test module:\n"
                        << diagnostics << source;
    std::string error;
    auto compiled = fm::testing::CompiledModule::compile(*module, error);
    ASSERT_TRUE(compiled) << error;
    fm::Interpreter interpreter(*module);
    for (auto [index, c] : llvm::enumerate(cases)) {
      SCOPED_TRACE(c.name + ": " + c.body);
      auto expected = interpreter.run(c.name, c.inputs);
      ASSERT_TRUE(succeeded(expected)) << diagnostics;
      auto actual = compiled->run(c.name, c.inputs, error);
      ASSERT_TRUE(succeeded(actual)) << error;
      ASSERT_EQ(expected->size(), actual->size());
      for (size_t r = 0; r < actual->size(); ++r)
        expectSameTensor((*expected)[r], (*actual)[r], c.compare,
                         c.name + " result " + std::to_string(r));
      if (reference)
        reference(index, *actual);
    }
  }

  MLIRContext context;
  std::string diagnostics;
  fmrt::Random rng{2024};

private:
  struct Case {
    std::string name, body;
    std::vector<Tensor> inputs;
    Compare compare;
  };
  std::string source;
  std::vector<Case> cases;
  ScopedDiagnosticHandler handler;
};

/// Operand shape pairs: equal, numpy broadcasting both ways, rank 0, odd
/// sizes.
const std::pair<Shape, Shape> kBroadcastShapes[] = {
    {{7}, {7}},   {{3, 1, 5}, {4, 1}},       {{1, 13}, {11, 1}},
    {{}, {2, 3}}, {{2, 1, 3, 1}, {5, 1, 4}},
};

//===----------------------------------------------------------------------===//
// Elementwise arithmetic, comparisons, select
//===----------------------------------------------------------------------===//

TEST_F(LoweringTest, BinaryArithmeticMatchesInterpreter) {
  for (const char *op : {"fm.add", "fm.sub", "fm.mul", "fm.max", "fm.min"})
    for (const Element &element : kNumeric)
      for (const auto &[lhs, rhs] : kBroadcastShapes)
        addOp(op,
              ": " + tensorType(lhs, element) + ", " + tensorType(rhs, element),
              {randomTensor(rng, element.dtype, lhs),
               randomTensor(rng, element.dtype, rhs)},
              {tensorType(lhs, element), tensorType(rhs, element)},
              tensorType(broadcastShape(lhs, rhs), element));
  for (const char *op : {"fm.div", "fm.pow"})
    for (const Element &element : kFloats)
      for (const auto &[lhs, rhs] : kBroadcastShapes)
        addOp(op,
              ": " + tensorType(lhs, element) + ", " + tensorType(rhs, element),
              {randomTensor(rng, element.dtype, lhs),
               randomTensor(rng, element.dtype, rhs, 3.0)},
              {tensorType(lhs, element), tensorType(rhs, element)},
              tensorType(broadcastShape(lhs, rhs), element),
              std::string(op) == "fm.pow" ? Compare::Relative : Compare::Bits);
  runCases();
}

TEST_F(LoweringTest, ComparisonsMatchInterpreter) {
  for (const char *op : {"fm.eq", "fm.ne", "fm.lt", "fm.le", "fm.gt", "fm.ge"})
    for (const Element &element : kNumeric)
      for (const auto &[lhs, rhs] :
           llvm::ArrayRef(kBroadcastShapes).take_front(3))
        addOp(op,
              ": " + tensorType(lhs, element) + ", " + tensorType(rhs, element),
              {randomTensor(rng, element.dtype, lhs, 0, /*coarse=*/true),
               randomTensor(rng, element.dtype, rhs, 0, /*coarse=*/true)},
              {tensorType(lhs, element), tensorType(rhs, element)},
              tensorType(broadcastShape(lhs, rhs), kI1));
  runCases();
}

/// NaN, signed zeros and infinities against each other, through the ops
/// whose handling of them is spelled out by the interpreter: max/min (NaN
/// propagates, max(+0, -0) is -0), comparisons (ordered, `ne` unordered),
/// relu, abs, neg.
TEST_F(LoweringTest, SpecialValuesMatchInterpreter) {
  const std::vector<double> specials = {kNaN, -kNaN, 0.0,  -0.0,
                                        1.0,  -2.5,  kInf, -kInf};
  const int64_t n = static_cast<int64_t>(specials.size());
  for (const Element &element : kFloats) {
    Tensor column = fromDoubles(element.dtype, {n, 1}, specials);
    Tensor row = fromDoubles(element.dtype, {1, n}, specials);
    const std::string lhs = tensorType({n, 1}, element);
    const std::string rhs = tensorType({1, n}, element);
    for (const char *op : {"fm.max", "fm.min"})
      addOp(op, ": " + lhs + ", " + rhs, {column, row}, {lhs, rhs},
            tensorType({n, n}, element));
    for (const char *op : {"fm.add", "fm.mul"})
      addOp(op, ": " + lhs + ", " + rhs, {column, row}, {lhs, rhs},
            tensorType({n, n}, element), Compare::BitsOrNaN);
    for (const char *op :
         {"fm.eq", "fm.ne", "fm.lt", "fm.le", "fm.gt", "fm.ge"})
      addOp(op, ": " + lhs + ", " + rhs, {column, row}, {lhs, rhs},
            tensorType({n, n}, kI1));
    for (const char *op : {"fm.relu", "fm.abs", "fm.neg"})
      addOp(op, ": " + lhs, {column}, {lhs}, lhs);
  }
  // Integer extremes: wrap-around of neg/abs/add/mul and signed order.
  for (const Element &element : {kI32, kI64}) {
    const bool wide = element.dtype == DType::I64;
    const std::vector<int64_t> extremes = {
        wide ? std::numeric_limits<int64_t>::min()
             : std::numeric_limits<int32_t>::min(),
        wide ? std::numeric_limits<int64_t>::max()
             : std::numeric_limits<int32_t>::max(),
        -1,
        0,
        1,
        3};
    const int64_t m = static_cast<int64_t>(extremes.size());
    const std::string lhs = tensorType({m, 1}, element);
    const std::string rhs = tensorType({1, m}, element);
    Tensor column = fromInts(element.dtype, {m, 1}, extremes);
    Tensor row = fromInts(element.dtype, {1, m}, extremes);
    for (const char *op : {"fm.add", "fm.sub", "fm.mul", "fm.max", "fm.min"})
      addOp(op, ": " + lhs + ", " + rhs, {column, row}, {lhs, rhs},
            tensorType({m, m}, element));
    for (const char *op : {"fm.lt", "fm.ge"})
      addOp(op, ": " + lhs + ", " + rhs, {column, row}, {lhs, rhs},
            tensorType({m, m}, kI1));
    for (const char *op : {"fm.abs", "fm.neg"})
      addOp(op, ": " + lhs, {column}, {lhs}, lhs);
  }
  runCases();
}

TEST_F(LoweringTest, SelectMatchesInterpreter) {
  const struct {
    Shape cond, onTrue, onFalse;
  } shapes[] = {
      {{4, 5}, {4, 5}, {4, 5}},
      {{4, 1}, {1, 5}, {}},
      {{3}, {2, 3}, {3}},
  };
  for (const Element &element : kAll)
    for (const auto &s : shapes) {
      const std::string t = tensorType(s.onTrue, element);
      const std::string f = tensorType(s.onFalse, element);
      const Shape result =
          broadcastShape(s.cond, broadcastShape(s.onTrue, s.onFalse));
      addOp("fm.select", ": " + tensorType(s.cond, kI1) + ", " + t + ", " + f,
            {randomTensor(rng, DType::I1, s.cond),
             randomTensor(rng, element.dtype, s.onTrue),
             randomTensor(rng, element.dtype, s.onFalse)},
            {tensorType(s.cond, kI1), t, f}, tensorType(result, element));
    }
  runCases();
}

//===----------------------------------------------------------------------===//
// Unary math
//===----------------------------------------------------------------------===//

TEST_F(LoweringTest, UnaryOpsMatchInterpreter) {
  const Shape shapes[] = {{3, 5, 7}, {}, {1}};
  for (const char *op : {"fm.neg", "fm.abs"})
    for (const Element &element : kNumeric)
      for (const Shape &shape : shapes)
        addOp(op, ": " + tensorType(shape, element),
              {randomTensor(rng, element.dtype, shape)},
              {tensorType(shape, element)}, tensorType(shape, element));
  // Rounded results of libm functions are compared bit for bit too: the
  // lowered code calls the same libm as the interpreter.
  const struct {
    const char *op, *suffix;
    bool libm;
  } floatOps[] = {
      {"fm.exp", "", true},   {"fm.log", "", true},
      {"fm.sqrt", "", false}, {"fm.rsqrt", "", false},
      {"fm.tanh", "", true},  {"fm.sigmoid", "", true},
      {"fm.relu", "", false}, {"fm.silu", "", true},
      {"fm.gelu", "", true},  {"fm.gelu", "approximate \"none\"", true},
  };
  for (const auto &[op, suffix, libm] : floatOps)
    for (const Element &element : kFloats)
      for (const Shape &shape : shapes)
        addOp(op, std::string(suffix) + " : " + tensorType(shape, element),
              {randomTensor(rng, element.dtype, shape)},
              {tensorType(shape, element)}, tensorType(shape, element),
              libm ? Compare::Relative : Compare::Bits);
  runCases();
}

TEST_F(LoweringTest, GeluGradMatchesInterpreter) {
  for (const char *approximate : {"", "approximate \"none\""})
    for (const Element &element : kFloats)
      for (const Shape &shape : {Shape{6, 9}, Shape{}}) {
        const std::string type = tensorType(shape, element);
        addOp("fm.gelu_grad", std::string(approximate) + " : " + type,
              {randomTensor(rng, element.dtype, shape),
               randomTensor(rng, element.dtype, shape, 2.0)},
              {type, type}, type, Compare::Relative);
      }
  runCases();
}

//===----------------------------------------------------------------------===//
// Shape ops, constants, iota
//===----------------------------------------------------------------------===//

TEST_F(LoweringTest, ReshapeMatchesInterpreter) {
  const std::pair<Shape, Shape> shapes[] = {
      {{2, 3, 4}, {6, 4}},    // one collapse
      {{6, 4}, {2, 3, 2, 2}}, // one expand
      {{2, 3, 4}, {4, 6}},    // through the flat shape
      {{1, 1}, {}},           // to rank 0
      {{}, {1, 1, 1}},        // from rank 0
      {{5, 1, 3}, {1, 15, 1}},
      {{0, 3}, {3, 0}},
  };
  for (const Element &element : {kF32, kBF16, kI1})
    for (const auto &[from, to] : shapes)
      addOp("fm.reshape",
            ": " + tensorType(from, element) + " -> " + tensorType(to, element),
            {randomTensor(rng, element.dtype, from)},
            {tensorType(from, element)}, tensorType(to, element));
  runCases();
}

TEST_F(LoweringTest, TransposeMatchesInterpreter) {
  for (const Element &element : {kF32, kBF16, kE4M3, kI64, kI1}) {
    const Shape shape{2, 3, 5};
    const std::string type = tensorType(shape, element);
    addOp("fm.transpose", ": " + type,
          {randomTensor(rng, element.dtype, shape)}, {type},
          tensorType({5, 3, 2}, element));
    addOp("fm.transpose", "permutation [1, 2, 0] : " + type,
          {randomTensor(rng, element.dtype, shape)}, {type},
          tensorType({3, 5, 2}, element));
    const Shape four{2, 1, 3, 4};
    addOp("fm.transpose",
          "permutation [3, 0, 2, 1] : " + tensorType(four, element),
          {randomTensor(rng, element.dtype, four)}, {tensorType(four, element)},
          tensorType({4, 2, 3, 1}, element));
  }
  runCases();
}

TEST_F(LoweringTest, BroadcastToMatchesInterpreter) {
  const std::pair<Shape, Shape> shapes[] = {
      {{3, 1}, {2, 3, 4}}, {{}, {2, 2}}, {{5}, {3, 5}}, {{1, 1}, {1, 1}}};
  for (const Element &element : {kF32, kF16, kE5M2, kI32, kI1})
    for (const auto &[from, to] : shapes)
      addOp("fm.broadcast_to",
            ": " + tensorType(from, element) + " -> " + tensorType(to, element),
            {randomTensor(rng, element.dtype, from)},
            {tensorType(from, element)}, tensorType(to, element));
  runCases();
}

TEST_F(LoweringTest, SliceMatchesInterpreter) {
  for (const Element &element : {kF32, kBF16, kE4M3, kI64, kI1}) {
    const Shape shape{7, 9};
    const std::string type = tensorType(shape, element);
    addOp("fm.slice", "start [1, 2] limit [6, 9] stride [2, 3] : " + type,
          {randomTensor(rng, element.dtype, shape)}, {type},
          tensorType({3, 3}, element));
    addOp("fm.slice", "start [0, 4] limit [7, 5] : " + type,
          {randomTensor(rng, element.dtype, shape)}, {type},
          tensorType({7, 1}, element));
    addOp("fm.slice", "start [3, 3] limit [3, 8] stride [1, 4] : " + type,
          {randomTensor(rng, element.dtype, shape)}, {type},
          tensorType({0, 2}, element));
  }
  runCases();
}

TEST_F(LoweringTest, PadMatchesInterpreter) {
  for (const Element &element : {kF32, kF16, kE4M3, kE5M2, kI32, kI1}) {
    const Shape shape{3, 4};
    const std::string type = tensorType(shape, element);
    addOp("fm.pad", "low [1, 0] high [2, 1] interior [1, 2] : " + type,
          {randomTensor(rng, element.dtype, shape)}, {type},
          tensorType({8, 11}, element));
    addOp("fm.pad", "low [0, 3] high [0, 0] : " + type,
          {randomTensor(rng, element.dtype, shape)}, {type},
          tensorType({3, 7}, element));
    const Shape scalar{};
    addOp("fm.pad", "low [] high [] : " + tensorType(scalar, element),
          {randomTensor(rng, element.dtype, scalar)},
          {tensorType(scalar, element)}, tensorType(scalar, element));
  }
  runCases();
}

TEST_F(LoweringTest, ConcatMatchesInterpreter) {
  for (const Element &element : {kF32, kBF16, kE5M2, kI64, kI1}) {
    const std::string a = tensorType({2, 3}, element);
    const std::string b = tensorType({2, 5}, element);
    const std::string c = tensorType({2, 1}, element);
    addOp("fm.concat", "axis 1 : " + a + ", " + b + ", " + c,
          {randomTensor(rng, element.dtype, {2, 3}),
           randomTensor(rng, element.dtype, {2, 5}),
           randomTensor(rng, element.dtype, {2, 1})},
          {a, b, c}, tensorType({2, 9}, element));
    const std::string d = tensorType({4, 3}, element);
    addOp("fm.concat", ": " + a + ", " + d,
          {randomTensor(rng, element.dtype, {2, 3}),
           randomTensor(rng, element.dtype, {4, 3})},
          {a, d}, tensorType({6, 3}, element));
    addOp("fm.concat", "axis -1 : " + a,
          {randomTensor(rng, element.dtype, {2, 3})}, {a}, a);
  }
  runCases();
}

TEST_F(LoweringTest, IotaMatchesInterpreter) {
  for (const Element &element : kNumeric) {
    add("%r = fm.iota : " + tensorType({5, 3}, element), {}, {},
        tensorType({5, 3}, element));
    add("%r = fm.iota axis -1 : " + tensorType({2, 3, 4}, element), {}, {},
        tensorType({2, 3, 4}, element));
    // Large enough that narrow types round and FP8 saturates.
    add("%r = fm.iota : " + tensorType({600}, element), {}, {},
        tensorType({600}, element));
  }
  runCases();
}

TEST_F(LoweringTest, ConstantsMatchInterpreter) {
  const struct {
    const char *value;
    Shape shape;
    Element element;
  } constants[] = {
      {"dense<[1.5, -2.0, 3.25]>", {3}, kF32},
      {"dense<[[1.0, 0.1], [-3.0e38, 7.0]]>", {2, 2}, kBF16},
      {"dense<[1.0, -0.5, 448.0, 0.001953125]>", {4}, kE4M3},
      {"dense<[57344.0, -1.0, 0.0, 1.52587890625e-05]>", {4}, kE5M2},
      {"dense<[65504.0, -0.1]>", {2}, kF16},
      {"dense<0.75>", {2, 3}, kE4M3},
      {"dense<[true, false, true]>", {3}, kI1},
      {"dense<[-7, 2147483647]>", {2}, kI32},
      {"dense<[-9223372036854775808, 5]>", {2}, kI64},
      {"dense<-3>", {}, kI64},
  };
  for (const auto &c : constants) {
    const std::string type = tensorType(c.shape, c.element);
    add("%r = fm.constant " + std::string(c.value) + " : " + type, {}, {},
        type);
  }
  runCases();
}

//===----------------------------------------------------------------------===//
// Casts
//===----------------------------------------------------------------------===//

/// Values that exercise a cast from `element`: for floats the rounding and
/// saturation boundaries, float -> int truncation and wrap-around, NaN and
/// infinities (each rounded to the source type first); for integers the
/// extremes and i64 values that round twice on their way to f32.
Tensor castSources(fmrt::Random &rng, const Element &element) {
  std::vector<double> floats = {0.0,
                                -0.0,
                                0.5,
                                -0.5,
                                1.5,
                                -1.5,
                                2.5,
                                -2.75,
                                100.7,
                                -1e5,
                                448.0,
                                449.0,
                                464.0,
                                480.0,
                                -57344.0,
                                61440.0,
                                65504.0,
                                65520.0,
                                2147483647.0,
                                2147483648.0,
                                -2147483648.0,
                                -2147483904.0,
                                3e9,
                                -3e9,
                                9223372036854775808.0,
                                -9223372036854775808.0,
                                1.3835058055282164e19,
                                -1.3835058055282164e19,
                                18446744073709551616.0,
                                1.7e19,
                                1e20,
                                -1e30,
                                3.4e38,
                                1e-40,
                                -1e-45,
                                0.0009765625,
                                kInf,
                                -kInf,
                                kNaN,
                                -kNaN};
  if (element.dtype == DType::I1)
    return fromInts(DType::I1, {4}, {0, 1, 1, 0});
  if (element.dtype == DType::I32 || element.dtype == DType::I64) {
    std::vector<int64_t> ints = {
        0, 1, -1, 7, -300, 16777217, -16777217, 2147483647, -2147483647 - 1};
    if (element.dtype == DType::I64) {
      for (int64_t value :
           {int64_t{1} << 53, (int64_t{1} << 53) + 1,
            (int64_t{1} << 62) + (int64_t{1} << 38) + 1,
            std::numeric_limits<int64_t>::max(),
            std::numeric_limits<int64_t>::min(), int64_t{-4611686018427387905}})
        ints.push_back(value);
      // Values of f32 ties after the first rounding to double.
      for (int i = 0; i < 16; ++i)
        ints.push_back(static_cast<int64_t>(rng.nextU64()));
    }
    return fromInts(element.dtype, {static_cast<int64_t>(ints.size())}, ints);
  }
  for (int i = 0; i < 24; ++i)
    floats.push_back((2 * rng.uniform() - 1) * 1000);
  return fromDoubles(element.dtype, {static_cast<int64_t>(floats.size())},
                     floats);
}

TEST_F(LoweringTest, CastsBetweenAllTypesMatchInterpreter) {
  for (const Element &from : kAll)
    for (const Element &to : kAll) {
      Tensor input = castSources(rng, from);
      const Shape shape = input.shape();
      addOp("fm.cast",
            ": " + tensorType(shape, from) + " -> " + tensorType(shape, to),
            {input}, {tensorType(shape, from)}, tensorType(shape, to));
    }
  runCases();
}

/// Every code of each narrow type through casts to every type, and back
/// from f32: widening is exact, so narrowing gives the code back (NaNs
/// quieted as the runtime quiets them).
TEST_F(LoweringTest, EveryNarrowCodeRoundTripsThroughCasts) {
  // Per case, the narrow type it widens to f32, if it does.
  std::vector<std::optional<DType>> widened;
  for (const Element &from : kNarrowFloats) {
    Tensor codes = allCodes(from.dtype);
    const Shape shape = codes.shape();
    const std::string type = tensorType(shape, from);
    for (const Element &to : kAll) {
      addOp("fm.cast", ": " + type + " -> " + tensorType(shape, to), {codes},
            {type}, tensorType(shape, to));
      widened.push_back(to.dtype == DType::F32 ? std::optional(from.dtype)
                                               : std::nullopt);
    }
    add("%w = fm.cast %a0 : " + type + " -> " + tensorType(shape, kF32) +
            "\n  %r = fm.cast %w : " + tensorType(shape, kF32) + " -> " + type,
        {codes}, {type}, type);
    widened.push_back(std::nullopt);
  }
  // The widening casts also match fmrt's decoders directly, with NaNs
  // quieted as fmrt::convertTensor's detour through double quiets them.
  runCases([&](size_t index, const std::vector<Tensor> &results) {
    if (!widened[index])
      return;
    const DType source = *widened[index];
    const Tensor &out = results.front();
    for (int64_t code = 0; code < out.numElements(); ++code) {
      float expected = 0;
      switch (source) {
      case DType::BF16:
        expected = fmrt::bf16ToFloat(static_cast<uint16_t>(code));
        break;
      case DType::F16:
        expected = fmrt::f16ToFloat(static_cast<uint16_t>(code));
        break;
      case DType::F8E4M3FN:
        expected = fmrt::e4m3ToFloat(static_cast<uint8_t>(code));
        break;
      default:
        expected = fmrt::e5m2ToFloat(static_cast<uint8_t>(code));
      }
      uint32_t want, got;
      std::memcpy(&want, &expected, 4);
      if (std::isnan(expected))
        want |= 0x400000u;
      std::memcpy(&got, out.dataAs<float>() + code, 4);
      ASSERT_EQ(want, got) << "code 0x" << std::hex << code;
    }
  });
}

/// f32 -> narrow on values chosen to hit every branch of the runtime's
/// rounding (ties both ways, the largest finite values and just past them,
/// overflow, infinities, NaNs with payloads, f32 and target subnormals),
/// then 10k random bit patterns and 10k random values of target magnitude,
/// against fmrt's encoders.
TEST_F(LoweringTest, F32ToNarrowMatchesRuntimeBitForBit) {
  std::vector<uint32_t> bits = {
      0x00000000, 0x80000000, 0x3f800000, 0x3f808000, 0x3f818000, 0x3f80c000,
      0x3f807fff, 0x7f7f0000, 0x7f7f7fff, 0x7f7f8000, 0x7f7fffff, 0x7f800000,
      0xff800000, 0x7fc00000, 0xffc00000, 0x7f800001, 0x7fbfffff, 0xff812345,
      0x00000001, 0x807fffff, 0x00400000, 0x43e00000, 0x43e08000, 0x43e80000,
      0x43f00000, 0x47600000, 0x47700000, 0x47800000, 0x477fe000, 0x477ff000,
      0x38800000, 0x38000000, 0x3a800000, 0x3b000000, 0x3b100000, 0x37800000,
      0x33800000, 0x33000000, 0x33000001, 0x33c00000, 0x3c000000, 0x3b800000,
      0x3b400000, 0x3ac00000, 0x3a000000, 0x39800000, 0x39c00000};
  for (double value :
       {448.0, 464.0, 464.0001, 480.0, 57344.0, 61440.0, 61439.99, 65504.0,
        65520.0, 65519.99, 0.001953125, 0.0009765625, 0.00146484375,
        1.52587890625e-05, 7.62939453125e-06, 5.9604644775390625e-08,
        2.98023223876953125e-08, 1.0 / 3, -2.0 / 3}) {
    const float f = static_cast<float>(value);
    uint32_t word;
    std::memcpy(&word, &f, 4);
    bits.push_back(word);
    bits.push_back(word | 0x80000000u);
  }
  for (int i = 0; i < 10000; ++i)
    bits.push_back(static_cast<uint32_t>(rng.nextU64()));
  for (int i = 0; i < 10000; ++i) {
    // Magnitudes around the narrow ranges: 2^-30 .. 2^20, both signs.
    const float f = static_cast<float>(
        (rng.below(2) ? -1 : 1) *
        std::ldexp(1.0 + rng.uniform(), static_cast<int>(rng.below(51)) - 30));
    uint32_t word;
    std::memcpy(&word, &f, 4);
    bits.push_back(word);
  }
  const int64_t n = static_cast<int64_t>(bits.size());
  Tensor input(DType::F32, {n});
  std::memcpy(input.data(), bits.data(), bits.size() * 4);
  for (const Element &to : kNarrowFloats)
    addOp("fm.cast",
          ": " + tensorType({n}, kF32) + " -> " + tensorType({n}, to), {input},
          {tensorType({n}, kF32)}, tensorType({n}, to));
  runCases([&](size_t index, const std::vector<Tensor> &results) {
    const Tensor &out = results.front();
    const DType target = kNarrowFloats[index].dtype;
    for (int64_t i = 0; i < n; ++i) {
      float value;
      std::memcpy(&value, &bits[i], 4);
      uint32_t want, got;
      switch (target) {
      case DType::BF16:
        want = fmrt::floatToBF16(value);
        got = out.dataAs<uint16_t>()[i];
        break;
      case DType::F16:
        want = fmrt::floatToF16(value);
        got = out.dataAs<uint16_t>()[i];
        break;
      case DType::F8E4M3FN:
        want = fmrt::floatToE4M3(value);
        got = out.dataAs<uint8_t>()[i];
        break;
      default:
        want = fmrt::floatToE5M2(value);
        got = out.dataAs<uint8_t>()[i];
      }
      ASSERT_EQ(want, got) << "f32 bits 0x" << std::hex << bits[i] << " to "
                           << fmrt::dtypeName(target);
    }
  });
}

} // namespace

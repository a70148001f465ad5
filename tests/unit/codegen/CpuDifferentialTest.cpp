//===- CpuDifferentialTest.cpp - Compiled CPU code vs the interpreter -----===//
//
// Runs fm programs through the CPU backend (codegen/cpu: the whole pipeline,
// -O3 JIT, libfmrt GEMMs) and through the reference interpreter, and
// compares the results:
//  - every fm op, on random shapes (broadcasting, odd and unit sizes, rank
//    0 to 4) and element types, a few draws each;
//  - the training steps of examples/mlp.mlir and examples/gpt_block.mlir
//    (fm-train), run for three steps with the state carried by fm.feeds.
//
// Tolerances: f32 results within 1e-5 of the largest magnitude (GEMMs sum
// in another order than the interpreter), narrow floats within one ulp of
// it, casts, integers and booleans exactly; training steps within 1e-4.
//
//===----------------------------------------------------------------------===//

#include "tests/unit/FmProgramTest.h"

#include "codegen/cpu/JitModule.h"
#include "ir/FmDialect.h"
#include "ir/interp/Interpreter.h"
#include "ir/interp/Invocation.h"
#include "passes/Passes.h"

#include "fmrt/Random.h"

#include "mlir/Dialect/Traits.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/MemoryBuffer.h"

#include <cmath>
#include <functional>
#include <map>
#include <numeric>
#include <ostream>
#include <string>
#include <vector>

using namespace mlir;
using fmrt::DType;
using fmrt::Shape;
using fmrt::Tensor;

namespace {

//===----------------------------------------------------------------------===//
// Comparison
//===----------------------------------------------------------------------===//

enum class Exactness { Tolerant, Exact };

/// The relative tolerance of a result of `dtype`.
double toleranceOf(DType dtype, double f32Tolerance) {
  switch (dtype) {
  case DType::BF16:
    return 1.0 / 128;
  case DType::F16:
    return 1.0 / 1024;
  case DType::F8E4M3FN:
    return 1.0 / 8;
  case DType::F8E5M2:
    return 1.0 / 4;
  default:
    return f32Tolerance;
  }
}

/// Why `actual` differs from `expected`, or "" when it does not: floats
/// within `tolerance` times the largest finite magnitude of `expected`
/// (NaN and infinities must match), everything else exactly.
std::string compareTensors(const Tensor &actual, const Tensor &expected,
                           Exactness exactness, double f32Tolerance) {
  if (actual.dtype() != expected.dtype() || actual.shape() != expected.shape())
    return "got " + fmrt::formatShape(actual.shape()) + "x" +
           std::string(fmrt::dtypeName(actual.dtype())) + ", expected " +
           fmrt::formatShape(expected.shape()) + "x" +
           std::string(fmrt::dtypeName(expected.dtype()));
  bool exact = exactness == Exactness::Exact || !fmrt::isFloat(actual.dtype());
  double scale = 0;
  for (int64_t i = 0; i < expected.numElements(); ++i)
    if (std::isfinite(expected.getDouble(i)))
      scale = std::max(scale, std::fabs(expected.getDouble(i)));
  double allowed =
      exact ? 0 : toleranceOf(actual.dtype(), f32Tolerance) * scale;
  for (int64_t i = 0; i < expected.numElements(); ++i) {
    double a = actual.getDouble(i), e = expected.getDouble(i);
    bool same =
        (std::isnan(a) && std::isnan(e)) || a == e ||
        (std::isfinite(a) && std::isfinite(e) && std::fabs(a - e) <= allowed);
    if (!same)
      return llvm::formatv("element {0}: got {1:e9}, expected {2:e9} "
                           "(allowed difference {3:e3})",
                           i, a, e, allowed)
          .str();
  }
  return "";
}

//===----------------------------------------------------------------------===//
// Random programs
//===----------------------------------------------------------------------===//

/// Odd, even, unit and prime sizes.
const int64_t kSizes[] = {1, 2, 3, 5, 7, 8, 13, 17, 32};

int64_t randomSize(fmrt::Random &random) {
  return kSizes[random.below(std::size(kSizes))];
}

Shape randomShape(fmrt::Random &random, int64_t minRank, int64_t maxRank) {
  Shape shape(minRank + random.below(maxRank - minRank + 1));
  for (int64_t &size : shape)
    size = randomSize(random);
  return shape;
}

/// A shape that broadcasts with `shape`: some leading axes dropped, some
/// others of size 1.
Shape broadcastPartner(fmrt::Random &random, const Shape &shape) {
  Shape partner(shape.begin() + random.below(shape.size() + 1), shape.end());
  for (int64_t &size : partner)
    if (random.below(3) == 0)
      size = 1;
  // Either side may be the one that stretches.
  return partner;
}

std::string tensorType(const Shape &shape, llvm::StringRef element) {
  std::string text = "tensor<";
  for (int64_t size : shape)
    text += std::to_string(size) + "x";
  return text + element.str() + ">";
}

std::string joined(llvm::ArrayRef<int64_t> values) {
  std::string text;
  for (auto [i, value] : llvm::enumerate(values))
    text += (i ? ", " : "") + std::to_string(value);
  return text;
}

/// Fisher-Yates, with fmrt's generator so draws do not depend on the C++
/// library.
void shuffle(fmrt::Random &random, std::vector<int64_t> &values) {
  for (size_t i = values.size(); i > 1; --i)
    std::swap(values[i - 1], values[random.below(i)]);
}

template <typename T>
const T &pick(fmrt::Random &random, llvm::ArrayRef<T> from) {
  return from[random.below(from.size())];
}

const llvm::StringRef kFloatTypes[] = {"f32", "f32", "f32", "bf16", "f16"};
const llvm::StringRef kNumericTypes[] = {"f32", "f32", "bf16",
                                         "f16", "i32", "i64"};
const llvm::StringRef kAllTypes[] = {"f32",    "f16", "bf16", "f8E4M3FN",
                                     "f8E5M2", "i32", "i64",  "i1"};

/// One draw of a test program: a function @f whose body ends with the op
/// under test; its results become the function's.
struct Case {
  /// Argument types.
  std::vector<std::string> args;
  /// The body, reading %a0, %a1, ...; its last op's results are returned.
  std::string body;
  Exactness exactness = Exactness::Tolerant;
};

using CaseGenerator = std::function<Case(fmrt::Random &)>;

Case binaryCase(fmrt::Random &random, llvm::StringRef op,
                llvm::ArrayRef<llvm::StringRef> types) {
  Shape lhs = randomShape(random, 0, 4);
  Shape rhs = broadcastPartner(random, lhs);
  if (random.below(2))
    std::swap(lhs, rhs);
  llvm::StringRef element = pick(random, types);
  std::string lhsType = tensorType(lhs, element),
              rhsType = tensorType(rhs, element);
  return {
      {lhsType, rhsType},
      llvm::formatv("%r = fm.{0} %a0, %a1 : {1}, {2}", op, lhsType, rhsType)};
}

Case unaryCase(fmrt::Random &random, llvm::StringRef op,
               llvm::ArrayRef<llvm::StringRef> types,
               llvm::StringRef attributes = "") {
  std::string type = tensorType(randomShape(random, 0, 4), pick(random, types));
  return {{type},
          llvm::formatv("%r = fm.{0} %a0{1} : {2}", op, attributes, type)};
}

/// Random operand and result shapes of a (batched, broadcast, transposed)
/// matrix product.
struct MatmulShapes {
  Shape lhs, rhs, result;
  bool transposeA, transposeB;

  std::string transposes() const {
    return std::string(transposeA ? " transpose_a" : "") +
           (transposeB ? " transpose_b" : "");
  }
};

MatmulShapes randomMatmulShapes(fmrt::Random &random) {
  int64_t m = randomSize(random), n = randomSize(random),
          k = randomSize(random);
  Shape batch = randomShape(random, 0, 2);
  MatmulShapes s;
  s.lhs = batch;
  s.rhs = broadcastPartner(random, batch);
  if (random.below(2))
    std::swap(s.lhs, s.rhs);
  SmallVector<int64_t> broadcast;
  OpTrait::util::getBroadcastedShape(s.lhs, s.rhs, broadcast);
  s.result.assign(broadcast.begin(), broadcast.end());
  s.transposeA = random.below(2);
  s.transposeB = random.below(2);
  s.lhs.push_back(s.transposeA ? k : m);
  s.lhs.push_back(s.transposeA ? m : k);
  s.rhs.push_back(s.transposeB ? n : k);
  s.rhs.push_back(s.transposeB ? k : n);
  s.result.push_back(m);
  s.result.push_back(n);
  return s;
}

Case matmulCase(fmrt::Random &random) {
  MatmulShapes shapes = randomMatmulShapes(random);
  llvm::StringRef element = random.below(4) ? "f32" : "bf16";
  std::string lhsType = tensorType(shapes.lhs, element),
              rhsType = tensorType(shapes.rhs, element);
  return {{lhsType, rhsType},
          llvm::formatv("%r = fm.matmul %a0, %a1{0} : {1}, {2}",
                        shapes.transposes(), lhsType, rhsType)};
}

Case reduceCase(fmrt::Random &random, llvm::StringRef op,
                llvm::ArrayRef<llvm::StringRef> types) {
  Shape shape = randomShape(random, 1, 4);
  std::vector<int64_t> axes;
  for (int64_t axis = 0; axis < static_cast<int64_t>(shape.size()); ++axis)
    if (random.below(2))
      axes.push_back(random.below(2) ? axis : axis - shape.size());
  std::string type = tensorType(shape, pick(random, types));
  std::string axesText =
      random.below(4) == 0 ? "" : " axes [" + joined(axes) + "]";
  return {{type},
          llvm::formatv("%r = fm.{0} %a0{1}{2} : {3}", op, axesText,
                        random.below(2) ? " keepdim" : "", type)};
}

/// An axis of a rank-`rank` tensor, counted from either end.
int64_t randomAxis(fmrt::Random &random, int64_t rank) {
  int64_t axis = random.below(rank);
  return random.below(2) ? axis : axis - rank;
}

const llvm::StringRef kWideFloatTypes[] = {"f32", "f32", "bf16", "f16"};
const llvm::StringRef kFp8Types[] = {"f8E4M3FN", "f8E5M2"};

/// A grouping of a tensor of `shape` (rank >= 1): per tensor, or groups of
/// a divisor of a random axis; the attribute text and the scale shape.
std::pair<std::string, Shape> randomGrouping(fmrt::Random &random,
                                             const Shape &shape,
                                             bool perTensorAllowed) {
  if (perTensorAllowed && random.below(3) == 0)
    return {"", Shape{}};
  const auto rank = static_cast<int64_t>(shape.size());
  const int64_t axis = randomAxis(random, rank);
  const int64_t normalized = axis < 0 ? axis + rank : axis;
  std::vector<int64_t> divisors;
  for (int64_t d = 1; d <= shape[normalized]; ++d)
    if (shape[normalized] % d == 0)
      divisors.push_back(d);
  const int64_t group = pick(random, llvm::ArrayRef<int64_t>(divisors));
  Shape scale = shape;
  scale[normalized] /= group;
  return {llvm::formatv(" group {0} axis {1}", group, axis).str(), scale};
}

/// fm.quantize (wide float to FP8) or fm.dequantize (back).
Case groupScaledCase(fmrt::Random &random, bool quantize) {
  Shape shape = randomShape(random, 1, 3);
  auto [grouping, scaleShape] = randomGrouping(random, shape, true);
  std::string wide = tensorType(shape,
                                pick<llvm::StringRef>(random, kWideFloatTypes)),
              fp8 = tensorType(shape, pick<llvm::StringRef>(random, kFp8Types)),
              scale = tensorType(scaleShape, "f32");
  const std::string &from = quantize ? wide : fp8, &to = quantize ? fp8 : wide;
  return {{from, scale},
          llvm::formatv("%r = fm.{0} %a0, %a1{1} : {2}, {3} -> {4}",
                        quantize ? "quantize" : "dequantize", grouping, from,
                        scale, to),
          Exactness::Exact};
}

Case scaledMatmulCase(fmrt::Random &random) {
  MatmulShapes shapes = randomMatmulShapes(random);
  const Shape &lhs = shapes.lhs, &rhs = shapes.rhs, &result = shapes.result;
  std::string lhsType =
                  tensorType(lhs, pick<llvm::StringRef>(random, kFp8Types)),
              rhsType =
                  tensorType(rhs, pick<llvm::StringRef>(random, kFp8Types)),
              resultType = tensorType(
                  result, pick<llvm::StringRef>(random, kWideFloatTypes));
  return {{lhsType, "tensor<f32>", rhsType, "tensor<f32>"},
          llvm::formatv("%r = fm.scaled_matmul %a0, %a1, %a2, %a3{0} : "
                        "{1}, {2} -> {3}",
                        shapes.transposes(), lhsType, rhsType, resultType)};
}

/// fm.quantize_expanded, and with `roundTrip` fm.dequantize_expanded of its
/// results.
Case expandedCase(fmrt::Random &random, bool roundTrip) {
  Shape shape = randomShape(random, 1, 3);
  auto [grouping, metaShape] = randomGrouping(random, shape, false);
  std::string input = tensorType(shape, "f32"),
              fp8 = tensorType(shape, pick<llvm::StringRef>(random, kFp8Types)),
              meta = tensorType(metaShape, "f32");
  std::string body = llvm::formatv("%q, %s, %k, %c = fm.quantize_expanded "
                                   "%a0{0} : {1} -> {2}, {3}",
                                   grouping, input, fp8, meta);
  if (roundTrip)
    body += llvm::formatv("\n%r = fm.dequantize_expanded %q, %s, %k, "
                          "%c{0} : {1}, {2} -> {3}",
                          grouping, fp8, meta, input)
                .str();
  return {{input}, body, Exactness::Exact};
}

Case softmaxCase(fmrt::Random &random, llvm::StringRef op, bool grad) {
  Shape shape = randomShape(random, 1, 3);
  std::string type =
      tensorType(shape, pick<llvm::StringRef>(random, kFloatTypes));
  std::string axis =
      llvm::formatv(" axis {0}", randomAxis(random, shape.size()));
  if (grad)
    return {{type, type},
            llvm::formatv("%r = fm.{0} %a0, %a1{1} : {2}", op, axis, type)};
  return {{type}, llvm::formatv("%r = fm.{0} %a0{1} : {2}", op, axis, type)};
}

/// layer_norm and rms_norm, with or without their optional operands.
Case normCase(fmrt::Random &random, bool layerNorm, bool grad) {
  Shape shape = randomShape(random, 1, 3);
  shape.back() = pick<int64_t>(random, {3, 8, 17, 64});
  llvm::StringRef element = pick<llvm::StringRef>(random, kFloatTypes);
  std::string type = tensorType(shape, element);
  std::string featureType = tensorType({shape.back()}, element);
  Case result;
  result.args = {type};
  std::string operands = "%a0", optional;
  if (grad) {
    result.args.push_back(type);
    operands += ", %a1";
  }
  if (random.below(2)) {
    optional +=
        llvm::formatv(" scale(%a{0} : {1})", result.args.size(), featureType);
    result.args.push_back(featureType);
  }
  if (layerNorm && !grad && random.below(2)) {
    optional +=
        llvm::formatv(" bias(%a{0} : {1})", result.args.size(), featureType);
    result.args.push_back(featureType);
  }
  if (random.below(2))
    optional += " eps 1.0e-3";
  llvm::StringRef name = layerNorm ? "layer_norm" : "rms_norm";
  result.body = llvm::formatv("%r{0} = fm.{1}{2} {3}{4} : {5}",
                              grad ? (layerNorm ? ":3" : ":2") : "", name,
                              grad ? "_grad" : "", operands, optional, type);
  return result;
}

Case reshapeCase(fmrt::Random &random) {
  Shape shape = randomShape(random, 0, 4);
  // Regroup the same elements: a random permutation of the sizes, with
  // some neighbours merged.
  Shape target = shape;
  shuffle(random, target);
  if (target.size() >= 2 && random.below(2)) {
    target[1] *= target[0];
    target.erase(target.begin());
  }
  llvm::StringRef element = pick<llvm::StringRef>(random, kAllTypes);
  return {{tensorType(shape, element)},
          llvm::formatv("%r = fm.reshape %a0 : {0} -> {1}",
                        tensorType(shape, element),
                        tensorType(target, element)),
          Exactness::Exact};
}

Case transposeCase(fmrt::Random &random) {
  Shape shape = randomShape(random, 1, 4);
  std::vector<int64_t> permutation(shape.size());
  std::iota(permutation.begin(), permutation.end(), 0);
  shuffle(random, permutation);
  std::string type =
      tensorType(shape, pick<llvm::StringRef>(random, kAllTypes));
  return {{type},
          llvm::formatv("%r = fm.transpose %a0 permutation [{0}] : {1}",
                        joined(permutation), type),
          Exactness::Exact};
}

Case broadcastCase(fmrt::Random &random) {
  Shape target = randomShape(random, 0, 4);
  Shape source = broadcastPartner(random, target);
  llvm::StringRef element = pick<llvm::StringRef>(random, kAllTypes);
  return {{tensorType(source, element)},
          llvm::formatv("%r = fm.broadcast_to %a0 : {0} -> {1}",
                        tensorType(source, element),
                        tensorType(target, element)),
          Exactness::Exact};
}

Case sliceCase(fmrt::Random &random) {
  Shape shape = randomShape(random, 1, 4);
  std::vector<int64_t> start, limit, stride;
  for (int64_t size : shape) {
    int64_t first = random.below(size);
    start.push_back(first);
    limit.push_back(first + 1 + random.below(size - first));
    stride.push_back(1 + random.below(3));
  }
  std::string type =
      tensorType(shape, pick<llvm::StringRef>(random, kAllTypes));
  return {{type},
          llvm::formatv("%r = fm.slice %a0 start [{0}] limit [{1}] stride "
                        "[{2}] : {3}",
                        joined(start), joined(limit), joined(stride), type),
          Exactness::Exact};
}

Case concatCase(fmrt::Random &random) {
  Shape shape = randomShape(random, 1, 3);
  int64_t axis = random.below(shape.size());
  llvm::StringRef element = pick<llvm::StringRef>(random, kAllTypes);
  Case result;
  result.exactness = Exactness::Exact;
  std::string operands, types;
  int64_t count = 1 + random.below(3);
  for (int64_t i = 0; i < count; ++i) {
    shape[axis] = randomSize(random);
    result.args.push_back(tensorType(shape, element));
    operands += (i ? ", %a" : "%a") + std::to_string(i);
    types += (i ? ", " : "") + result.args.back();
  }
  result.body =
      llvm::formatv("%r = fm.concat {0} axis {1} : {2}", operands, axis, types);
  return result;
}

Case padCase(fmrt::Random &random) {
  Shape shape = randomShape(random, 1, 3);
  std::vector<int64_t> low, high, interior;
  for (size_t i = 0; i < shape.size(); ++i) {
    low.push_back(random.below(3));
    high.push_back(random.below(3));
    interior.push_back(random.below(2));
  }
  std::string type = tensorType(
      shape, pick<llvm::StringRef>(random, {"f32", "bf16", "i32", "i64"}));
  return {{type},
          llvm::formatv("%r = fm.pad %a0 low [{0}] high [{1}] interior [{2}] "
                        ": {3}",
                        joined(low), joined(high), joined(interior), type),
          Exactness::Exact};
}

Case iotaCase(fmrt::Random &random) {
  Shape shape = randomShape(random, 1, 3);
  std::string type = tensorType(
      shape, pick<llvm::StringRef>(random, {"i32", "i64", "f32", "bf16"}));
  return {{},
          llvm::formatv("%r = fm.iota axis {0} : {1}",
                        random.below(shape.size()), type),
          Exactness::Exact};
}

Case constantCase(fmrt::Random &random) {
  Shape shape = randomShape(random, 0, 2);
  llvm::StringRef element =
      pick<llvm::StringRef>(random, {"f32", "bf16", "f8E4M3FN", "i32", "i64"});
  bool isFloat = element.starts_with("f") || element.starts_with("b");
  std::string values;
  for (int64_t i = 0; i < fmrt::numElements(shape); ++i) {
    values += i ? ", " : "";
    values += isFloat ? llvm::formatv("{0:f2}", random.normal() * 10).str()
                      : std::to_string(random.below(200));
  }
  std::string literal = shape.empty() ? values : "[" + values + "]";
  // Nested brackets for rank 2.
  if (shape.size() == 2) {
    literal = "[";
    for (int64_t row = 0; row < shape[0]; ++row) {
      literal += row ? ", [" : "[";
      for (int64_t col = 0; col < shape[1]; ++col)
        literal += (col ? ", " : "") +
                   (isFloat ? llvm::formatv("{0:f2}", random.normal()).str()
                            : std::to_string(random.below(200)));
      literal += "]";
    }
    literal += "]";
  }
  return {{},
          llvm::formatv("%r = fm.constant dense<{0}> : {1}", literal,
                        tensorType(shape, element)),
          Exactness::Exact};
}

Case castCase(fmrt::Random &random) {
  Shape shape = randomShape(random, 0, 3);
  llvm::StringRef from = pick<llvm::StringRef>(random, kAllTypes),
                  to = pick<llvm::StringRef>(random, kAllTypes);
  return {{tensorType(shape, from)},
          llvm::formatv("%r = fm.cast %a0 : {0} -> {1}",
                        tensorType(shape, from), tensorType(shape, to)),
          Exactness::Exact};
}

Case embeddingCase(fmrt::Random &random, bool grad) {
  int64_t rows = randomSize(random) + 1, dim = randomSize(random);
  Shape indices = randomShape(random, 0, 2);
  llvm::StringRef element = pick<llvm::StringRef>(random, {"f32", "bf16"});
  llvm::StringRef indexElement = pick<llvm::StringRef>(random, {"i32", "i64"});
  std::string indexType = tensorType(indices, indexElement);
  std::string tableType = tensorType({rows, dim}, element);
  if (!grad)
    return {{tableType, indexType},
            llvm::formatv("%r = fm.embedding %a0[%a1] : {0}, {1}", tableType,
                          indexType)};
  Shape gradShape = indices;
  gradShape.push_back(dim);
  std::string gradType = tensorType(gradShape, element);
  // The table is unused but bounds the random indices.
  return {{gradType, indexType, tableType},
          llvm::formatv("%unused = fm.embedding %a2[%a1] : {0}, {1}\n"
                        "%r = fm.embedding_grad %a0[%a1] : {2}, {1} -> {0}",
                        tableType, indexType, gradType)};
}

Case crossEntropyCase(fmrt::Random &random, bool grad) {
  Shape labels = randomShape(random, 0, 2);
  Shape logits = labels;
  logits.push_back(randomSize(random) + 1);
  std::string logitsType =
      tensorType(logits, pick<llvm::StringRef>(random, {"f32", "f32", "bf16"}));
  std::string labelsType =
      tensorType(labels, pick<llvm::StringRef>(random, {"i32", "i64"}));
  if (!grad)
    return {{logitsType, labelsType},
            llvm::formatv("%r = fm.cross_entropy %a0, %a1 : {0}, {1}",
                          logitsType, labelsType)};
  // The unused loss bounds the random labels.
  return {{logitsType, labelsType, "tensor<f32>"},
          llvm::formatv("%unused = fm.cross_entropy %a0, %a1 : {0}, {1}\n"
                        "%r = fm.cross_entropy_grad %a0, %a1, %a2 : {0}, {1}",
                        logitsType, labelsType)};
}

Case selectCase(fmrt::Random &random) {
  Shape shape = randomShape(random, 0, 4);
  std::string condition = tensorType(broadcastPartner(random, shape), "i1");
  llvm::StringRef element = pick<llvm::StringRef>(random, kAllTypes);
  std::string lhs = tensorType(shape, element),
              rhs = tensorType(broadcastPartner(random, shape), element);
  return {{condition, lhs, rhs},
          llvm::formatv("%r = fm.select %a0, %a1, %a2 : {0}, {1}, {2}",
                        condition, lhs, rhs)};
}

Case geluGradCase(fmrt::Random &random) {
  std::string type = tensorType(randomShape(random, 0, 3),
                                pick<llvm::StringRef>(random, kFloatTypes));
  return {{type, type},
          llvm::formatv("%r = fm.gelu_grad %a0, %a1 approximate \"{0}\" : {1}",
                        random.below(2) ? "tanh" : "none", type)};
}

/// The fm ops without a case of their own: fm.fusion (and its fm.yield),
/// which fm-lower-to-linalg inlines before lowering the ops inside, so the
/// other cases cover them. CpuOpCoverage checks that every other op has one.
const llvm::StringRef kUntestedOps[] = {"fusion", "yield"};

/// Every fm op with a lowering, by name.
std::map<std::string, CaseGenerator> caseGenerators() {
  std::map<std::string, CaseGenerator> generators;
  for (llvm::StringRef op : {"add", "sub", "mul", "max", "min"})
    generators[op.str()] = [op](fmrt::Random &random) {
      return binaryCase(random, op, kNumericTypes);
    };
  for (llvm::StringRef op : {"div", "pow"})
    generators[op.str()] = [op](fmrt::Random &random) {
      return binaryCase(random, op, kFloatTypes);
    };
  for (llvm::StringRef op : {"eq", "ne", "lt", "le", "gt", "ge"})
    generators[op.str()] = [op](fmrt::Random &random) {
      Case result = binaryCase(random, op, kNumericTypes);
      result.exactness = Exactness::Exact;
      return result;
    };
  for (llvm::StringRef op : {"neg", "abs"})
    generators[op.str()] = [op](fmrt::Random &random) {
      return unaryCase(random, op, kNumericTypes);
    };
  for (llvm::StringRef op :
       {"exp", "log", "sqrt", "rsqrt", "tanh", "sigmoid", "relu", "silu"})
    generators[op.str()] = [op](fmrt::Random &random) {
      return unaryCase(random, op, kFloatTypes);
    };
  generators["gelu"] = [](fmrt::Random &random) {
    return unaryCase(random, "gelu", kFloatTypes,
                     random.below(2) ? " approximate \"tanh\""
                                     : " approximate \"none\"");
  };
  generators["gelu_grad"] = geluGradCase;
  generators["select"] = selectCase;
  generators["matmul"] = matmulCase;
  generators["reduce_sum"] = [](fmrt::Random &random) {
    return reduceCase(random, "reduce_sum", kNumericTypes);
  };
  generators["reduce_max"] = [](fmrt::Random &random) {
    return reduceCase(random, "reduce_max", kNumericTypes);
  };
  generators["reduce_mean"] = [](fmrt::Random &random) {
    return reduceCase(random, "reduce_mean", kFloatTypes);
  };
  for (llvm::StringRef op : {"softmax", "log_softmax"}) {
    generators[op.str()] = [op](fmrt::Random &random) {
      return softmaxCase(random, op, /*grad=*/false);
    };
    generators[(op + "_grad").str()] = [op](fmrt::Random &random) {
      return softmaxCase(random, (op + "_grad").str(), /*grad=*/true);
    };
  }
  generators["layer_norm"] = [](fmrt::Random &r) {
    return normCase(r, true, false);
  };
  generators["layer_norm_grad"] = [](fmrt::Random &r) {
    return normCase(r, true, true);
  };
  generators["rms_norm"] = [](fmrt::Random &r) {
    return normCase(r, false, false);
  };
  generators["rms_norm_grad"] = [](fmrt::Random &r) {
    return normCase(r, false, true);
  };
  generators["reshape"] = reshapeCase;
  generators["transpose"] = transposeCase;
  generators["broadcast_to"] = broadcastCase;
  generators["slice"] = sliceCase;
  generators["concat"] = concatCase;
  generators["pad"] = padCase;
  generators["iota"] = iotaCase;
  generators["constant"] = constantCase;
  generators["cast"] = castCase;
  generators["embedding"] = [](fmrt::Random &r) {
    return embeddingCase(r, false);
  };
  generators["embedding_grad"] = [](fmrt::Random &r) {
    return embeddingCase(r, true);
  };
  generators["cross_entropy"] = [](fmrt::Random &r) {
    return crossEntropyCase(r, false);
  };
  generators["cross_entropy_grad"] = [](fmrt::Random &r) {
    return crossEntropyCase(r, true);
  };
  generators["quantize"] = [](fmrt::Random &r) {
    return groupScaledCase(r, true);
  };
  generators["dequantize"] = [](fmrt::Random &r) {
    return groupScaledCase(r, false);
  };
  generators["scaled_matmul"] = scaledMatmulCase;
  generators["quantize_expanded"] = [](fmrt::Random &r) {
    return expandedCase(r, false);
  };
  generators["dequantize_expanded"] = [](fmrt::Random &r) {
    return expandedCase(r, true);
  };
  return generators;
}

//===----------------------------------------------------------------------===//
// Fixtures
//===----------------------------------------------------------------------===//

class CpuDifferentialTest : public fm::testing::FmProgramTest {
protected:
  static void SetUpTestSuite() { fm::registerFmcPasses(); }

  /// Runs @`name` of `module` with both backends on `inputs`.
  bool runBoth(func::FuncOp function, llvm::ArrayRef<Tensor> inputs,
               std::vector<Tensor> &interpreted, std::vector<Tensor> &compiled,
               const fm::cpu::JitModule &jit) {
    FailureOr<std::vector<Tensor>> expected =
        fm::Interpreter(*module).run(function, inputs);
    FailureOr<std::vector<Tensor>> actual = jit.run(function.getName(), inputs);
    if (failed(expected) || failed(actual)) {
      ADD_FAILURE() << "running @" << function.getName().str() << " failed:\n"
                    << diagnostics;
      return false;
    }
    interpreted = std::move(*expected);
    compiled = std::move(*actual);
    return true;
  }
};

class CpuOpTest : public CpuDifferentialTest,
                  public ::testing::WithParamInterface<std::string> {};

/// A few draws per op; each draw's program is printed when it fails.
TEST_P(CpuOpTest, MatchesInterpreter) {
  constexpr int kDraws = 6;
  CaseGenerator generate = caseGenerators().at(GetParam());
  fmrt::Random random(std::hash<std::string>()(GetParam()));
  for (int draw = 0; draw < kDraws; ++draw) {
    Case testCase = generate(random);
    std::string args;
    for (auto [i, type] : llvm::enumerate(testCase.args))
      args += llvm::formatv("{0}%a{1}: {2}", i ? ", " : "", i, type).str();
    std::string source = llvm::formatv("func.func @f({0}) {{\n{1}\nreturn\n}\n",
                                       args, testCase.body);
    SCOPED_TRACE("program:\n" + source);
    diagnostics.clear();
    if (!parse(source))
      return;
    // Return the results of the op under test (the body's last op).
    auto function = *module->getOps<func::FuncOp>().begin();
    Block &body = function.getBody().front();
    Operation *tested = body.getTerminator()->getPrevNode();
    body.getTerminator()->setOperands(tested->getResults());
    function.setType(FunctionType::get(&context, function.getArgumentTypes(),
                                       tested->getResultTypes()));

    FailureOr<std::unique_ptr<fm::cpu::JitModule>> jit =
        fm::cpu::JitModule::compile(*module);
    ASSERT_TRUE(succeeded(jit)) << diagnostics;
    std::vector<Tensor> inputs =
        fm::makeRandomInputs(function, random.nextU64());
    std::vector<Tensor> expected, actual;
    if (!runBoth(function, inputs, expected, actual, **jit))
      return;
    for (size_t i = 0; i < expected.size(); ++i)
      EXPECT_EQ(
          compareTensors(actual[i], expected[i], testCase.exactness, 1e-5), "")
          << "result #" << i;
  }
}

TEST_F(CpuDifferentialTest, CpuOpCoverage) {
  std::map<std::string, CaseGenerator> generators = caseGenerators();
  size_t ops = 0;
  for (RegisteredOperationName op : context.getRegisteredOperations()) {
    if (op.getDialectNamespace() != "fm")
      continue;
    ++ops;
    llvm::StringRef name = op.stripDialect();
    EXPECT_TRUE(generators.count(name.str()) ||
                llvm::is_contained(kUntestedOps, name))
        << "fm." << name.str()
        << " has no differential test case and is not listed as untested";
  }
  // And no case for an op that does not exist.
  EXPECT_EQ(ops, generators.size() + std::size(kUntestedOps));
}

std::vector<std::string> opNames() {
  std::vector<std::string> names;
  for (const auto &[name, generator] : caseGenerators())
    names.push_back(name);
  return names;
}

INSTANTIATE_TEST_SUITE_P(Ops, CpuOpTest, ::testing::ValuesIn(opNames()),
                         [](const ::testing::TestParamInfo<std::string> &info) {
                           return info.param;
                         });

//===----------------------------------------------------------------------===//
// Training steps
//===----------------------------------------------------------------------===//

/// A training step to compare: an example, the pipeline that derives the
/// step (fm-train or fm-coat), and whether the backends must agree bit for
/// bit.
struct TrainingCase {
  const char *example;
  const char *pipeline;
  bool exact;
  const char *label;
};

/// How test logs show a case (otherwise as raw bytes).
void PrintTo(const TrainingCase &c, std::ostream *os) {
  *os << c.example << " with " << c.pipeline;
}

class CpuTrainingTest : public CpuDifferentialTest,
                        public ::testing::WithParamInterface<TrainingCase> {};

/// fm-train (and the case's passes) on the example, then three steps with
/// each backend from the same state and batches, each carrying its own
/// state by fm.feeds. Exact cases compile matrix products as loops and
/// exp/tanh with libm (the interpreter's order and functions), so that
/// every FP8 code must match.
TEST_P(CpuTrainingTest, StepsMatchInterpreter) {
  constexpr int kSteps = 3;
  const TrainingCase &c = GetParam();
  std::string path = std::string(FMC_EXAMPLES_DIR) + "/" + c.example;
  auto buffer = llvm::MemoryBuffer::getFile(path);
  ASSERT_TRUE(static_cast<bool>(buffer)) << path;
  ASSERT_TRUE(parse((*buffer)->getBuffer()));
  FailureOr<func::FuncOp> loss = fm::findEntryFunction(*module, "");
  ASSERT_TRUE(succeeded(loss));
  PassManager pm(&context);
  ASSERT_TRUE(succeeded(parsePassPipeline(
      (c.pipeline + ("{function=" + loss->getName() + " kind=adamw}")).str(),
      pm)));
  ASSERT_TRUE(succeeded(pm.run(*module))) << diagnostics;
  auto step = module->lookupSymbol<func::FuncOp>("train_step");
  ASSERT_TRUE(step);

  fm::cpu::CpuPipelineOptions options;
  options.entries = {"train_step"};
  options.runtimeMatmul = !c.exact;
  options.approximate = !c.exact;
  options.reassociate = !c.exact;
  FailureOr<std::unique_ptr<fm::cpu::JitModule>> jit =
      fm::cpu::JitModule::compile(*module, options);
  ASSERT_TRUE(succeeded(jit)) << diagnostics;

  // Parameters random, optimizer state zero; batches drawn for the loss
  // function, whose uses bound the labels and tokens, in the order of
  // @train_step's data arguments.
  std::vector<Tensor> initial = fm::makeRandomInputs(step, 1);
  std::vector<unsigned> dataArgs;
  for (unsigned i = 0; i < step.getNumArguments(); ++i) {
    if (step.getArgAttr(i, fm::FmDialect::kStateAttr))
      initial[i] = Tensor(initial[i].dtype(), initial[i].shape());
    else if (!step.getArgAttr(i, fm::FmDialect::kParamAttr))
      dataArgs.push_back(i);
  }
  std::vector<Tensor> interpreted = initial, compiled = initial;
  // As fmc train does, the compiled step writes into the buffers of the
  // state the step before replaced, which hold that state's old values:
  // results must not depend on what their buffers held.
  std::vector<Tensor> actualResults;
  for (int stepIndex = 0; stepIndex < kSteps; ++stepIndex) {
    std::vector<Tensor> batch = fm::makeRandomInputs(*loss, 100 + stepIndex);
    unsigned next = 0;
    for (unsigned i = 0; i < loss->getNumArguments(); ++i)
      if (!loss->getArgAttr(i, fm::FmDialect::kParamAttr)) {
        interpreted[dataArgs[next]] = batch[i];
        compiled[dataArgs[next++]] = batch[i];
      }
    FailureOr<std::vector<Tensor>> expectedResults =
        fm::Interpreter(*module).run(step, interpreted);
    std::vector<const void *> handedBack;
    for (const Tensor &result : actualResults)
      handedBack.push_back(result.data());
    ASSERT_TRUE(succeeded(expectedResults) &&
                succeeded((*jit)->run("train_step", compiled, actualResults)))
        << diagnostics;
    for (size_t r = 0; r < handedBack.size(); ++r)
      EXPECT_EQ(actualResults[r].data(), handedBack[r])
          << "result #" << r << " was not written in place";
    for (size_t r = 0; r < expectedResults->size(); ++r)
      EXPECT_EQ(compareTensors(actualResults[r], (*expectedResults)[r],
                               c.exact ? Exactness::Exact : Exactness::Tolerant,
                               1e-4),
                "")
          << "step " << stepIndex << ", result #" << r << " ('"
          << fm::getResultName(step, r).str() << "')";
    for (unsigned r = 0; r < step.getNumResults(); ++r)
      if (auto feeds = step.getResultAttrOfType<IntegerAttr>(
              r, fm::FmDialect::kFeedsAttr)) {
        interpreted[feeds.getInt()] = std::move((*expectedResults)[r]);
        std::swap(compiled[feeds.getInt()], actualResults[r]);
      }
  }
}

INSTANTIATE_TEST_SUITE_P(
    Examples, CpuTrainingTest,
    ::testing::Values(
        TrainingCase{"mlp.mlir", "fm-train", false, "mlp"},
        TrainingCase{"gpt_block.mlir", "fm-train", false, "gpt_block"},
        // COAT: FP8 GEMMs, activations and moments, every code bit for bit.
        TrainingCase{"mlp.mlir", "fm-coat", true, "mlp_coat"},
        TrainingCase{"gpt_block.mlir", "fm-coat", true, "gpt_block_coat"}),
    [](const ::testing::TestParamInfo<TrainingCase> &info) {
      return std::string(info.param.label);
    });

} // namespace

//===- Generator.cpp - Random well-typed fm programs ----------------------===//
//
// A ProgramWriter keeps a pool of the values written so far (name, type,
// and what fm-autodiff will make of them) and appends op families drawn at
// random. Each family picks operands that satisfy its op's constraints, or
// makes them: new arguments (weights as fm.param, other inputs and integer
// ids as fm.data) or constants.
//
//===----------------------------------------------------------------------===//
#include "fuzz/Generator.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/ErrorHandling.h"
#include "llvm/Support/FormatVariadic.h"

#include <algorithm>
#include <deque>
#include <functional>

namespace fm::fuzz {

/// Every element type with its MLIR spelling.
constexpr std::pair<ElementType, llvm::StringLiteral> kElementTypeNames[] = {
    {ElementType::F32, "f32"},       {ElementType::BF16, "bf16"},
    {ElementType::F16, "f16"},       {ElementType::F8E4M3FN, "f8E4M3FN"},
    {ElementType::F8E5M2, "f8E5M2"}, {ElementType::I32, "i32"},
    {ElementType::I64, "i64"},       {ElementType::I1, "i1"}};

llvm::StringRef elementTypeName(ElementType type) {
  for (auto [element, name] : kElementTypeNames)
    if (element == type)
      return name;
  llvm_unreachable("unknown element type");
}

std::optional<ElementType> parseElementType(llvm::StringRef name) {
  for (auto [element, spelling] : kElementTypeNames)
    if (spelling == name)
      return element;
  return std::nullopt;
}

namespace {

using Shape = llvm::SmallVector<int64_t, 4>;

bool isFP8(ElementType type) {
  return type == ElementType::F8E4M3FN || type == ElementType::F8E5M2;
}
bool isWideFloat(ElementType type) {
  return type == ElementType::F32 || type == ElementType::BF16 ||
         type == ElementType::F16;
}
bool isFloat(ElementType type) { return isWideFloat(type) || isFP8(type); }
bool isNumeric(ElementType type) { return type != ElementType::I1; }

int64_t product(llvm::ArrayRef<int64_t> shape) {
  int64_t count = 1;
  for (int64_t size : shape)
    count *= size;
  return count;
}

std::string typeText(llvm::ArrayRef<int64_t> shape, ElementType element) {
  std::string text = "tensor<";
  for (int64_t size : shape)
    text += std::to_string(size) + "x";
  return text + elementTypeName(element).str() + ">";
}

std::string listText(llvm::ArrayRef<int64_t> values) {
  std::string text;
  for (int64_t value : values)
    text += (text.empty() ? "" : ", ") + std::to_string(value);
  return "[" + text + "]";
}

/// The numpy broadcast of `a` and `b`, or nullopt when they do not
/// broadcast.
std::optional<Shape> broadcastShapes(llvm::ArrayRef<int64_t> a,
                                     llvm::ArrayRef<int64_t> b) {
  Shape result(std::max(a.size(), b.size()), 1);
  for (size_t i = 0; i < result.size(); ++i) {
    const int64_t x = i < a.size() ? a[a.size() - 1 - i] : 1;
    const int64_t y = i < b.size() ? b[b.size() - 1 - i] : 1;
    if (x != y && x != 1 && y != 1)
      return std::nullopt;
    result[result.size() - 1 - i] = x == 1 ? y : x;
  }
  return result;
}

/// Whether `small` broadcasts to exactly `big`.
bool broadcastsTo(llvm::ArrayRef<int64_t> small, llvm::ArrayRef<int64_t> big) {
  std::optional<Shape> shape = broadcastShapes(small, big);
  return shape && llvm::ArrayRef<int64_t>(*shape) == big;
}

/// The family of backward ops, drawn with GeneratorOptions::backwardOps.
constexpr llvm::StringLiteral kBackward = "backward";

/// Keeps every tensor small, so that the interpreter runs a program in
/// milliseconds.
constexpr int64_t kMaxElements = 4096;

/// How fm-autodiff treats an op: it has a gradient rule or it refuses to
/// differentiate through the op.
enum class Gradient { Rule, None };

enum class Role { Param, Data };

/// A value of the program being written.
struct Value {
  std::string name;
  Shape shape;
  ElementType element = ElementType::F32;
  /// A float that depends on an fm.param: fm-autodiff differentiates it.
  bool varied = false;
  /// Made from a varied value by an op without a gradient rule: a loss
  /// that depends on it cannot be differentiated.
  bool opaque = false;

  int64_t rank() const { return shape.size(); }
  std::string type() const { return typeText(shape, element); }
};

/// An integer fm.data argument that indexes tables or classes, and the
/// bound makeRandomInputs draws its values below: the fewest rows or classes
/// of the fm.embedding and fm.cross_entropy ops that read it (16 when none
/// does). Backward ops reading indices do not lower it, so they need a
/// bound within their range.
struct IndexArgument {
  Value value;
  int64_t bound = 16;
};

/// "T" when both operand types are equal, else "T, U", as binary ops print.
std::string operandTypes(const Value &lhs, const Value &rhs) {
  return lhs.type() == rhs.type() ? lhs.type() : lhs.type() + ", " + rhs.type();
}

/// ` group G axis A` (axis omitted or negative at random), or "" without a
/// group.
struct Grouping {
  int64_t group = 0;
  std::string axisText;

  std::string text() const {
    if (!group)
      return "";
    return " group " + std::to_string(group) + axisText;
  }
};

class ProgramWriter {
public:
  ProgramWriter(fmrt::Random &random, const GeneratorOptions &options)
      : random(random), options(options) {}

  std::string writeProgram() {
    writeFirstInput();
    for (int i = 0; i < options.ops; ++i)
      step();
    const std::string loss = writeLoss();
    return "func.func @f(" + arguments +
           ") -> (tensor<f32> {fm.name = \"loss\"}) {\n" + body + "  return " +
           loss + " : tensor<f32>\n}\n";
  }

  std::string writeSnippet(llvm::ArrayRef<TensorType> operands) {
    for (auto [index, operand] : llvm::enumerate(operands)) {
      Value value{"%a" + std::to_string(index),
                  Shape(operand.shape.begin(), operand.shape.end()),
                  operand.element};
      appendArgument(value.name + ": " + value.type());
      addToPool(value);
    }
    for (int i = 0; i < options.ops; ++i)
      step();
    std::vector<std::string> names, types;
    for (const Value &value : results) {
      names.push_back(value.name);
      types.push_back(value.type());
    }
    const std::string typeList = llvm::join(types, ", ");
    const std::string returned =
        names.empty() ? "" : " " + llvm::join(names, ", ") + " : " + typeList;
    return "func.func @snippet(" + arguments + ") -> (" + typeList + ") {\n" +
           body + "  return" + returned + "\n}\n";
  }

private:
  //===--------------------------------------------------------------------===//
  // Random choices
  //===--------------------------------------------------------------------===//

  template <typename T> T pick(std::initializer_list<T> choices) {
    return choices.begin()[random.below(choices.size())];
  }
  bool chance(unsigned outOf) { return random.below(outOf) == 0; }
  int64_t dim() { return pick<int64_t>({2, 2, 3, 4, 4, 8, 8, 16}); }

  ElementType wideFloat() {
    if (!options.narrowFloats || !chance(3))
      return ElementType::F32;
    return pick({ElementType::BF16, ElementType::F16});
  }
  ElementType fp8() {
    return chance(3) ? ElementType::F8E5M2 : ElementType::F8E4M3FN;
  }
  ElementType integer() {
    return chance(2) ? ElementType::I32 : ElementType::I64;
  }

  /// A random axis of a tensor of `rank`, written as a non-negative or
  /// negative index.
  int64_t axisIndex(int64_t rank) {
    const int64_t axis = random.below(rank);
    return chance(3) ? axis - rank : axis;
  }

  /// ` axis A` for an op whose axis defaults to `fallback` (-1 or 0);
  /// sometimes omitted when A is the default.
  std::string axisText(int64_t rank, int64_t fallback) {
    const int64_t axis = axisIndex(rank);
    if (axis == fallback && chance(2))
      return "";
    return " axis " + std::to_string(axis);
  }

  /// A pooled value that `accept`s, the newest one half of the time (so that
  /// chains grow deep), or nullopt.
  std::optional<Value> pickValue(std::function<bool(const Value &)> accept) {
    llvm::SmallVector<size_t> candidates;
    for (auto [index, value] : llvm::enumerate(pool))
      if (accept(value))
        candidates.push_back(index);
    if (candidates.empty())
      return std::nullopt;
    return pool[chance(2) ? candidates.back()
                          : candidates[random.below(candidates.size())]];
  }

  /// A random shape of `rank` axes that fits kMaxElements.
  Shape randomShape(int64_t rank) {
    Shape shape;
    for (int64_t i = 0; i < rank; ++i)
      shape.push_back(dim());
    return shape;
  }

  /// How many elements the ops may make: few enough that whole programs
  /// stay fast, many enough for realistic shapes.
  bool fits(llvm::ArrayRef<int64_t> shape) const {
    return product(shape) <= kMaxElements &&
           static_cast<int64_t>(shape.size()) <= options.maxRank;
  }

  //===--------------------------------------------------------------------===//
  // Writing values
  //===--------------------------------------------------------------------===//

  void appendArgument(const std::string &text) {
    if (!arguments.empty())
      arguments += ", ";
    arguments += text;
  }

  void addToPool(const Value &value) {
    if (value.rank() >= 1 && value.rank() <= options.maxRank)
      pool.push_back(value);
  }

  /// A new function argument `%<prefix><n>` with that fm.name (`%x` for
  /// the batch).
  Value argument(llvm::StringRef prefix, Shape shape, ElementType element,
                 Role role) {
    const std::string name =
        prefix == "x" ? "x" : (prefix + llvm::Twine(counter++)).str();
    Value value{"%" + name, std::move(shape), element};
    value.varied = role == Role::Param;
    appendArgument(llvm::formatv("{0}: {1} {{fm.name = \"{2}\", {3}}",
                                 value.name, value.type(), name,
                                 role == Role::Param ? "fm.param" : "fm.data"));
    hasParam |= value.varied;
    addToPool(value);
    return value;
  }

  /// A new argument for a weight-like operand: a trainable fm.param when
  /// the optimizer can update its element type, else fm.data.
  Value weight(llvm::StringRef prefix, Shape shape, ElementType element) {
    return argument(prefix, std::move(shape), element,
                    isWideFloat(element) ? Role::Param : Role::Data);
  }

  /// An fm.constant splat of `value`.
  Value constant(Shape shape, ElementType element, double value) {
    std::string literal;
    if (isFloat(element))
      literal = llvm::formatv("{0:e}", value).str();
    else if (element == ElementType::I1)
      literal = value != 0 ? "true" : "false";
    else
      literal = std::to_string(static_cast<int64_t>(value));
    Value result{"%c" + std::to_string(counter++), std::move(shape), element};
    body += llvm::formatv("  {0} = fm.constant dense<{1}> : {2}\n", result.name,
                          literal, result.type());
    return result;
  }

  /// Writes `%r0, %r1, ... = <text>` for `types` (named afresh, or `name`
  /// for a single result) and returns the results; `operands` decide what
  /// fm-autodiff makes of them.
  llvm::SmallVector<Value, 1> emitAll(llvm::SmallVector<Value, 1> types,
                                      const llvm::Twine &text,
                                      llvm::ArrayRef<Value> operands,
                                      Gradient gradient = Gradient::Rule,
                                      std::string name = "") {
    const bool variedIn = llvm::any_of(
        operands, [](const Value &operand) { return operand.varied; });
    const bool opaqueIn =
        llvm::any_of(operands,
                     [](const Value &operand) { return operand.opaque; }) ||
        (gradient == Gradient::None && variedIn);
    std::vector<std::string> names;
    for (Value &result : types) {
      result.name = name.empty() ? "%v" + std::to_string(counter++) : name;
      result.varied = isFloat(result.element) && variedIn;
      result.opaque = isFloat(result.element) && opaqueIn;
      names.push_back(result.name);
    }
    body += "  " + llvm::join(names, ", ") + " = " + text.str() + "\n";
    for (const Value &operand : operands)
      used.insert(operand.name);
    for (const Value &result : types) {
      addToPool(result);
      results.push_back(result);
    }
    return types;
  }

  Value emit(Shape shape, ElementType element, const llvm::Twine &text,
             llvm::ArrayRef<Value> operands, Gradient gradient = Gradient::Rule,
             std::string name = "") {
    return emitAll({Value{"", std::move(shape), element}}, text, operands,
                   gradient, std::move(name))
        .front();
  }

  Value cast(const Value &input, ElementType element) {
    return emit(input.shape, element,
                llvm::formatv("fm.cast {0} : {1} -> {2}", input.name,
                              input.type(), typeText(input.shape, element)),
                {input});
  }

  Value unaryOp(llvm::StringRef op, const Value &input,
                llvm::StringRef attributes = "") {
    return emit(input.shape, input.element,
                llvm::formatv("fm.{0} {1}{2} : {3}", op, input.name, attributes,
                              input.type()),
                {input});
  }

  /// `lhs <op> rhs` for an elementwise binary op (arithmetic or comparison).
  Value binaryOp(llvm::StringRef op, const Value &lhs, const Value &rhs,
                 ElementType element) {
    return emit(*broadcastShapes(lhs.shape, rhs.shape), element,
                llvm::formatv("fm.{0} {1}, {2} : {3}", op, lhs.name, rhs.name,
                              operandTypes(lhs, rhs)),
                {lhs, rhs});
  }

  Value select(const Value &cond, const Value &onTrue, const Value &onFalse) {
    Shape shape = *broadcastShapes(*broadcastShapes(cond.shape, onTrue.shape),
                                   onFalse.shape);
    return emit(shape, onTrue.element,
                llvm::formatv("fm.select {0}, {1}, {2} : {3}, {4}", cond.name,
                              onTrue.name, onFalse.name, cond.type(),
                              operandTypes(onTrue, onFalse)),
                {cond, onTrue, onFalse});
  }

  /// A value of `value`'s element type that broadcasts to its shape: a
  /// pooled one, a new argument (a bias, a mask ...) or a scalar constant.
  Value partner(const Value &value) {
    if (!chance(3))
      if (auto other = pickValue([&](const Value &candidate) {
            return candidate.element == value.element &&
                   candidate.name != value.name &&
                   broadcastsTo(candidate.shape, value.shape);
          }))
        return *other;
    if (chance(3))
      return constant({}, value.element, isFloat(value.element) ? 0.5 : 1);
    Shape shape(value.shape);
    if (chance(2)) // A trailing bias, such as [features].
      shape.erase(shape.begin(), shape.begin() + random.below(shape.size()));
    else
      for (int64_t &size : shape)
        if (chance(3))
          size = 1;
    if (!isFloat(value.element))
      return argument("n", shape, value.element, Role::Data);
    return weight("b", shape, value.element);
  }

  /// An integer fm.data argument of `shape` whose values stay below
  /// `limit`. `counted`: makeRandomInputs reads the limit from this use (an
  /// fm.embedding or fm.cross_entropy). An existing one is shared when its
  /// bound allows; a new one is drawn below 16 until a counted use lowers
  /// that, so an uncounted use needs `limit >= 16` for it.
  std::optional<IndexArgument *> indices(llvm::ArrayRef<int64_t> shape,
                                         int64_t limit, bool counted) {
    llvm::SmallVector<IndexArgument *> candidates;
    for (IndexArgument &candidate : indexArguments)
      if (llvm::ArrayRef<int64_t>(candidate.value.shape) == shape &&
          (counted || candidate.bound <= limit))
        candidates.push_back(&candidate);
    IndexArgument *chosen = nullptr;
    if (!candidates.empty() && chance(2)) {
      chosen = candidates[random.below(candidates.size())];
    } else if (counted || limit >= IndexArgument().bound) {
      indexArguments.push_back(
          {argument("ids", Shape(shape), integer(), Role::Data)});
      chosen = &indexArguments.back();
    } else {
      return std::nullopt;
    }
    if (counted)
      chosen->bound = std::min(chosen->bound, limit);
    return chosen;
  }

  //===--------------------------------------------------------------------===//
  // Op families
  //
  // A family writes an op (or a few) on a first operand that step() picked
  // from the pool by the family's predicate, drawing further operands
  // itself; it fails when they cannot be found.
  //===--------------------------------------------------------------------===//

  struct Family {
    llvm::StringLiteral name;
    /// Which pooled value the first operand may be; null for families that
    /// make their own operands.
    bool (*accepts)(const Value &);
    bool (ProgramWriter::*write)(const Value &input);
    unsigned weight;
    /// Whether the family writes bf16, f16 or FP8 values.
    bool narrow = false;
  };

  static bool anyValue(const Value &) { return true; }
  static bool numeric(const Value &value) { return isNumeric(value.element); }
  static bool floating(const Value &value) { return isFloat(value.element); }
  static bool wideFloating(const Value &value) {
    return isWideFloat(value.element);
  }
  static bool boolean(const Value &value) {
    return value.element == ElementType::I1;
  }
  static bool matrix(const Value &value) { return value.rank() >= 2; }
  static bool floatMatrix(const Value &value) {
    return floating(value) && matrix(value);
  }
  static bool wideFloatMatrix(const Value &value) {
    return wideFloating(value) && matrix(value);
  }

public:
  static llvm::ArrayRef<Family> forwardFamilies() {
    static constexpr Family kFamilies[] = {
        {"arithmetic", numeric, &ProgramWriter::arithmetic, 8},
        {"compare", numeric, &ProgramWriter::compare, 3},
        {"select", boolean, &ProgramWriter::selectExisting, 1},
        {"causal-mask", floatMatrix, &ProgramWriter::causalMask, 1},
        {"unary", numeric, &ProgramWriter::unary, 8},
        {"matmul", floatMatrix, &ProgramWriter::matmul, 6},
        {"scaled-matmul", wideFloatMatrix, &ProgramWriter::scaledMatmul, 1,
         true},
        {"reduce", numeric, &ProgramWriter::reduce, 4},
        {"softmax", floating, &ProgramWriter::softmax, 3},
        {"norm", floating, &ProgramWriter::norm, 3},
        {"reshape", anyValue, &ProgramWriter::reshape, 2},
        {"transpose", matrix, &ProgramWriter::transpose, 2},
        {"broadcast-to", anyValue, &ProgramWriter::broadcastTo, 1},
        {"slice", anyValue, &ProgramWriter::slice, 2},
        {"concat", anyValue, &ProgramWriter::concat, 2},
        {"pad", anyValue, &ProgramWriter::pad, 1},
        {"embedding", nullptr, &ProgramWriter::embedding, 1},
        {"cast", anyValue, &ProgramWriter::castValue, 3},
        {"quantize", wideFloating, &ProgramWriter::quantize, 2, true},
        {"quantize-expanded", floating, &ProgramWriter::quantizeExpanded, 1,
         true},
    };
    return kFamilies;
  }

  /// Drawn with GeneratorOptions::backwardOps; all named kBackward.
  static llvm::ArrayRef<Family> backwardFamilies() {
    static constexpr Family kFamilies[] = {
        {kBackward, floating, &ProgramWriter::elementwiseGrad, 2},
        {kBackward, floating, &ProgramWriter::normGrad, 1},
        {kBackward, floating, &ProgramWriter::crossEntropyGrad, 1},
        {kBackward, floatMatrix, &ProgramWriter::embeddingGrad, 1},
    };
    return kFamilies;
  }

private:
  bool allowed(const Family &family) const {
    return (!family.narrow || options.narrowFloats) &&
           (options.families.empty() ||
            llvm::is_contained(options.families, family.name));
  }

  /// Writes a family drawn by weight from the allowed `families`; one that
  /// fails gives way to another draw. Whether one succeeded.
  bool draw(llvm::ArrayRef<Family> families) {
    unsigned total = 0;
    for (const Family &family : families)
      if (allowed(family))
        total += family.weight;
    for (int attempt = 0; total && attempt < 32; ++attempt) {
      uint64_t ticket = random.below(total);
      const Family *drawn = nullptr;
      for (const Family &family : families) {
        if (!allowed(family))
          continue;
        if (ticket < family.weight) {
          drawn = &family;
          break;
        }
        ticket -= family.weight;
      }
      std::optional<Value> input =
          drawn->accepts ? pickValue(drawn->accepts) : Value();
      if (input && (this->*drawn->write)(*input))
        return true;
    }
    return false;
  }

  void step() {
    if (random.uniform() < options.backwardOps && draw(backwardFamilies()))
      return;
    draw(forwardFamilies());
  }

  /// The batch: a float fm.data argument, or token ids through an
  /// embedding.
  void writeFirstInput() {
    if (options.maxRank >= 2 && chance(4) && embedding(Value()))
      return;
    argument("x", randomShape(1 + random.below(options.maxRank)), wideFloat(),
             Role::Data);
  }

  bool arithmetic(const Value &input) {
    const llvm::StringRef op =
        isFloat(input.element)
            ? pick<llvm::StringRef>(
                  {"add", "sub", "mul", "div", "max", "min", "pow"})
            : pick<llvm::StringRef>({"add", "sub", "mul", "max", "min"});
    // Small integer powers keep negative bases finite.
    Value lhs = input;
    Value rhs = op == "pow" && !chance(4)
                    ? constant({}, input.element, pick({2.0, 3.0}))
                    : partner(input);
    if (chance(3))
      std::swap(lhs, rhs);
    binaryOp(op, lhs, rhs, input.element);
    return true;
  }

  bool compare(const Value &lhs) {
    const llvm::StringRef op =
        pick<llvm::StringRef>({"eq", "ne", "lt", "le", "gt", "ge"});
    Value rhs = partner(lhs);
    Value cond = binaryOp(op, lhs, rhs, ElementType::I1);
    // Mostly a `where`; otherwise the mask stays for a later op.
    if (!chance(3))
      select(cond, lhs, rhs);
    return true;
  }

  bool selectExisting(const Value &cond) {
    std::optional<Value> onTrue = pickValue([&](const Value &value) {
      std::optional<Shape> shape = broadcastShapes(cond.shape, value.shape);
      return shape && fits(*shape);
    });
    if (!onTrue)
      return false;
    select(cond, *onTrue, partner(*onTrue));
    return true;
  }

  /// Attention's causal mask on scores: two iotas, a comparison and a
  /// select.
  bool causalMask(const Value &scores) {
    const Shape square(scores.shape.end() - 2, scores.shape.end());
    const ElementType element =
        pick({ElementType::I32, ElementType::I64, ElementType::F32});
    const std::string type = typeText(square, element);
    Value rows = emit(
        square, element,
        llvm::formatv("fm.iota{0} : {1}", pick({"", " axis -2"}), type), {});
    Value cols = emit(
        square, element,
        llvm::formatv("fm.iota axis {0} : {1}", pick({"1", "-1"}), type), {});
    Value mask = binaryOp("ge", rows, cols, ElementType::I1);
    select(mask, scores, constant({}, scores.element, -100.0));
    return true;
  }

  bool unary(const Value &input) {
    const llvm::StringRef op =
        !isFloat(input.element) || chance(6)
            ? pick<llvm::StringRef>({"neg", "abs"})
            : pick<llvm::StringRef>({"exp", "log", "sqrt", "rsqrt", "tanh",
                                     "sigmoid", "relu", "silu", "gelu"});
    // Away from zero and negative numbers: |x| + 0.01.
    Value operand = input;
    if (op == "log" || op == "sqrt" || op == "rsqrt")
      operand = binaryOp("add", unaryOp("abs", input),
                         constant({}, input.element, 0.01), input.element);
    unaryOp(op, operand,
            op == "gelu" && chance(3) ? " approximate \"none\"" : "");
    return true;
  }

  /// The shape of a matrix product (fm.matmul's rules), or nullopt.
  std::optional<Shape> matmulShape(const Value &lhs, const Value &rhs,
                                   bool transposeA, bool transposeB) const {
    const int64_t m = lhs.shape[lhs.rank() - (transposeA ? 1 : 2)];
    const int64_t k = lhs.shape[lhs.rank() - (transposeA ? 2 : 1)];
    const int64_t kRhs = rhs.shape[rhs.rank() - (transposeB ? 1 : 2)];
    const int64_t n = rhs.shape[rhs.rank() - (transposeB ? 2 : 1)];
    std::optional<Shape> batch =
        broadcastShapes(llvm::ArrayRef<int64_t>(lhs.shape).drop_back(2),
                        llvm::ArrayRef<int64_t>(rhs.shape).drop_back(2));
    if (k != kRhs || !batch)
      return std::nullopt;
    batch->push_back(m);
    batch->push_back(n);
    if (!fits(*batch))
      return std::nullopt;
    return batch;
  }

  /// A matrix operand for `lhs`: another value with the contracted size
  /// (attention's q k^T) or a new weight, possibly batched.
  Value rhsFor(const Value &lhs, bool transposeA, bool transposeB) {
    const int64_t k = lhs.shape[lhs.rank() - (transposeA ? 2 : 1)];
    if (chance(3))
      if (auto other = pickValue([&](const Value &value) {
            return value.element == lhs.element && value.rank() >= 2 &&
                   matmulShape(lhs, value, transposeA, transposeB);
          }))
        return *other;
    const int64_t n = dim();
    Shape shape = transposeB ? Shape{n, k} : Shape{k, n};
    if (lhs.rank() == 3 && chance(4))
      shape.insert(shape.begin(), chance(2) ? lhs.shape[0] : 1);
    return weight("w", shape, lhs.element);
  }

  static std::string transposes(bool transposeA, bool transposeB) {
    return std::string(transposeA ? " transpose_a" : "") +
           (transposeB ? " transpose_b" : "");
  }

  /// The operands of a matrix product on `lhs`: the other operand, the
  /// transposes and the result's shape; nullopt when the shapes do not fit.
  struct Product {
    Value rhs;
    bool transposeA, transposeB;
    Shape shape;
  };
  std::optional<Product> productWith(const Value &lhs) {
    Product product;
    product.transposeA = chance(4);
    product.transposeB = chance(3);
    product.rhs = rhsFor(lhs, product.transposeA, product.transposeB);
    std::optional<Shape> shape =
        matmulShape(lhs, product.rhs, product.transposeA, product.transposeB);
    if (!shape)
      return std::nullopt;
    product.shape = *shape;
    return product;
  }

  bool matmul(const Value &lhs) {
    std::optional<Product> product = productWith(lhs);
    if (!product)
      return false;
    emit(product->shape, lhs.element,
         llvm::formatv("fm.matmul {0}, {1}{2} : {3}, {4}", lhs.name,
                       product->rhs.name,
                       transposes(product->transposeA, product->transposeB),
                       lhs.type(), product->rhs.type()),
         {lhs, product->rhs});
    return true;
  }

  /// The largest finite value of an FP8 type.
  static double fp8Max(ElementType element) {
    return element == ElementType::F8E4M3FN ? 448.0 : 57344.0;
  }

  /// A scale for quantizing `input` to `fp8` with `grouping` along `axis`:
  /// the group's amax over the format's maximum (as current scaling
  /// computes it; along the last axis through a reshape to [..., n/G, G]),
  /// or a constant.
  Value scaleFor(const Value &input, ElementType fp8, const Grouping &grouping,
                 int64_t axis) {
    Shape shape;
    if (grouping.group) {
      shape = input.shape;
      shape[axis] /= grouping.group;
    }
    if (chance(3) || (grouping.group && axis != input.rank() - 1))
      return constant(shape, ElementType::F32, pick({0.01, 0.125, 1.0}));
    Value magnitude = unaryOp("abs", input);
    if (grouping.group) {
      Shape split(shape);
      split.push_back(grouping.group);
      magnitude =
          emit(split, input.element,
               llvm::formatv("fm.reshape {0} : {1} -> {2}", magnitude.name,
                             magnitude.type(), typeText(split, input.element)),
               {magnitude});
    }
    Value amax = emit(
        shape, input.element,
        llvm::formatv("fm.reduce_max {0}{1} : {2}", magnitude.name,
                      grouping.group ? " axes [-1]" : "", magnitude.type()),
        {magnitude});
    if (amax.element != ElementType::F32)
      amax = cast(amax, ElementType::F32);
    Value scale =
        binaryOp("div", amax, constant({}, ElementType::F32, fp8Max(fp8)),
                 ElementType::F32);
    // An all-zero group would otherwise get a zero scale.
    return binaryOp("max", scale, constant({}, ElementType::F32, 1e-12),
                    ElementType::F32);
  }

  /// A random grouping of `input`'s axes into 1 x G groups (G divides the
  /// axis), per tensor half of the time. Returns the normalized axis.
  std::pair<Grouping, int64_t> grouping(const Value &input, bool required) {
    if (!required && chance(2))
      return {Grouping(), -1};
    const int64_t axis = random.below(input.rank());
    const int64_t size = input.shape[axis];
    llvm::SmallVector<int64_t> divisors;
    for (int64_t group = 1; group <= size; ++group)
      if (size % group == 0)
        divisors.push_back(group);
    Grouping result;
    // Groups of one element are legal but rare in practice.
    result.group = divisors[divisors.size() > 1 && !chance(8)
                                ? 1 + random.below(divisors.size() - 1)
                                : 0];
    const int64_t written = chance(3) ? axis - input.rank() : axis;
    if (axis != input.rank() - 1 || chance(2))
      result.axisText = " axis " + std::to_string(written);
    return {result, axis};
  }

  /// Quantizes `input` to `fp8`; returns the FP8 value and its scale.
  std::pair<Value, Value> quantizeTo(const Value &input, ElementType fp8,
                                     const Grouping &grouping, int64_t axis) {
    Value scale = scaleFor(input, fp8, grouping, axis);
    Value quantized = emit(
        input.shape, fp8,
        llvm::formatv("fm.quantize {0}, {1}{2} : {3}, {4} -> {5}", input.name,
                      scale.name, grouping.text(), input.type(), scale.type(),
                      typeText(input.shape, fp8)),
        {input, scale}, Gradient::None);
    return {quantized, scale};
  }

  bool scaledMatmul(const Value &lhs) {
    std::optional<Product> product = productWith(lhs);
    if (!product)
      return false;
    auto [a, scaleA] = quantizeTo(lhs, fp8(), Grouping(), -1);
    auto [b, scaleB] = quantizeTo(product->rhs, fp8(), Grouping(), -1);
    const ElementType element = wideFloat();
    emit(product->shape, element,
         llvm::formatv("fm.scaled_matmul {0}, {1}, {2}, {3}{4} : {5}, {6} -> "
                       "{7}",
                       a.name, scaleA.name, b.name, scaleB.name,
                       transposes(product->transposeA, product->transposeB),
                       a.type(), b.type(), typeText(product->shape, element)),
         {a, scaleA, b, scaleB}, Gradient::None);
    return true;
  }

  /// fm.quantize, mostly followed by fm.dequantize to a wide float.
  bool quantize(const Value &input) {
    auto [grouping, axis] = this->grouping(input, /*required=*/false);
    auto [quantized, scale] = quantizeTo(input, fp8(), grouping, axis);
    if (chance(4))
      return true;
    const ElementType element = wideFloat();
    emit(input.shape, element,
         llvm::formatv("fm.dequantize {0}, {1}{2} : {3}, {4} -> {5}",
                       quantized.name, scale.name, grouping.text(),
                       quantized.type(), scale.type(),
                       typeText(input.shape, element)),
         {quantized, scale}, Gradient::None);
    return true;
  }

  /// COAT's dynamic range expansion: fm.quantize_expanded (of f32),
  /// mostly followed by fm.dequantize_expanded.
  bool quantizeExpanded(const Value &value) {
    const Value input = value.element == ElementType::F32
                            ? value
                            : cast(value, ElementType::F32);
    auto [grouping, axis] = this->grouping(input, /*required=*/true);
    Shape scaleShape(input.shape);
    scaleShape[axis] /= grouping.group;
    const Value scaleType{"", scaleShape, ElementType::F32};
    const ElementType format = fp8();
    llvm::SmallVector<Value, 1> expanded = emitAll(
        {Value{"", input.shape, format}, scaleType, scaleType, scaleType},
        llvm::formatv("fm.quantize_expanded {0}{1} : {2} -> {3}, {4}",
                      input.name, grouping.text(), input.type(),
                      typeText(input.shape, format), scaleType.type()),
        {input}, Gradient::None);
    if (chance(4))
      return true;
    emit(input.shape, ElementType::F32,
         llvm::formatv(
             "fm.dequantize_expanded {0}, {1}, {2}, {3}{4} : {5}, {6} -> {7}",
             expanded[0].name, expanded[1].name, expanded[2].name,
             expanded[3].name, grouping.text(), expanded[0].type(),
             scaleType.type(), input.type()),
         expanded, Gradient::None);
    return true;
  }

  bool reduce(const Value &input) {
    const llvm::StringRef op =
        isFloat(input.element)
            ? pick<llvm::StringRef>({"reduce_sum", "reduce_mean", "reduce_max"})
            : pick<llvm::StringRef>({"reduce_sum", "reduce_max"});
    const int64_t rank = input.rank();
    bool keepdim = chance(2);
    std::string axesText;
    llvm::SmallVector<bool> reduced(rank, true);
    if (chance(8)) {
      keepdim = true; // All axes; without keepdim the result has rank 0.
    } else {
      llvm::SmallVector<int64_t> axes;
      for (int64_t axis = 0; axis < rank; ++axis) {
        reduced[axis] = chance(2);
        if (reduced[axis])
          axes.push_back(chance(3) ? axis - rank : axis);
      }
      if (axes.empty() && !chance(8)) { // An empty list reduces nothing.
        const int64_t axis = random.below(rank);
        reduced[axis] = true;
        axes.push_back(axis);
      }
      if (!keepdim && static_cast<int64_t>(axes.size()) == rank)
        keepdim = true;
      // Any order is valid; normalization sorts them.
      if (chance(4))
        std::reverse(axes.begin(), axes.end());
      axesText = " axes " + listText(axes);
    }
    Shape shape;
    for (int64_t axis = 0; axis < rank; ++axis) {
      if (!reduced[axis])
        shape.push_back(input.shape[axis]);
      else if (keepdim)
        shape.push_back(1);
    }
    emit(shape, input.element,
         llvm::formatv("fm.{0} {1}{2}{3} : {4}", op, input.name, axesText,
                       keepdim ? " keepdim" : "", input.type()),
         {input});
    return true;
  }

  bool softmax(const Value &input) {
    unaryOp(pick({"softmax", "log_softmax"}), input,
            axisText(input.rank(), -1));
    return true;
  }

  /// ` eps E` now and then (0 is valid).
  std::string epsText() {
    if (!chance(3))
      return "";
    return llvm::formatv(" eps {0:e}", pick({0.0, 1e-6, 1e-3})).str();
  }

  /// ` scale(%g : tensor<Dxf32>)` with a new per-feature weight, or "" (no
  /// operand added).
  std::string affine(llvm::StringRef keyword, const Value &input,
                     llvm::SmallVectorImpl<Value> &operands) {
    if (chance(3))
      return "";
    Value parameter =
        weight(keyword.take_front(1), {input.shape.back()}, input.element);
    operands.push_back(parameter);
    return llvm::formatv(" {0}({1} : {2})", keyword, parameter.name,
                         parameter.type());
  }

  bool norm(const Value &input) {
    llvm::SmallVector<Value> operands{input};
    const bool layer = chance(2);
    std::string attributes = affine("scale", input, operands);
    if (layer)
      attributes += affine("bias", input, operands);
    emit(input.shape, input.element,
         llvm::formatv("fm.{0} {1}{2}{3} : {4}",
                       layer ? "layer_norm" : "rms_norm", input.name,
                       attributes, epsText(), input.type()),
         operands);
    return true;
  }

  /// fm.reshape or fm.broadcast_to of `input` to `shape`.
  void reshapeLike(llvm::StringRef op, const Value &input, const Shape &shape) {
    emit(shape, input.element,
         llvm::formatv("fm.{0} {1} : {2} -> {3}", op, input.name, input.type(),
                       typeText(shape, input.element)),
         {input});
  }

  bool reshape(const Value &input) {
    // Deals the prime factors of the element count out to the axes.
    Shape shape(1 + random.below(options.maxRank), 1);
    int64_t rest = product(input.shape);
    for (int64_t factor = 2; rest > 1; ++factor)
      for (; rest % factor == 0; rest /= factor)
        shape[random.below(shape.size())] *= factor;
    reshapeLike("reshape", input, shape);
    return true;
  }

  bool transpose(const Value &input) {
    llvm::SmallVector<int64_t> permutation;
    for (int64_t axis = 0; axis < input.rank(); ++axis)
      permutation.push_back(axis);
    std::string attributes;
    if (chance(3)) { // No permutation: the axes reversed.
      std::reverse(permutation.begin(), permutation.end());
    } else {
      for (size_t i = permutation.size(); i > 1; --i)
        std::swap(permutation[i - 1], permutation[random.below(i)]);
      attributes = " permutation " + listText(permutation);
    }
    Shape shape;
    for (int64_t axis : permutation)
      shape.push_back(input.shape[axis]);
    emit(shape, input.element,
         llvm::formatv("fm.transpose {0}{1} : {2}", input.name, attributes,
                       input.type()),
         {input});
    return true;
  }

  bool broadcastTo(const Value &input) {
    Shape shape(input.shape);
    for (int64_t &size : shape)
      if (size == 1 && !chance(3))
        size = dim();
    if (static_cast<int64_t>(shape.size()) < options.maxRank && chance(2))
      shape.insert(shape.begin(), dim());
    if (!fits(shape))
      return false;
    reshapeLike("broadcast_to", input, shape);
    return true;
  }

  bool slice(const Value &input) {
    llvm::SmallVector<int64_t> start, limit, stride;
    Shape shape;
    for (int64_t size : input.shape) {
      start.push_back(random.below(size));
      limit.push_back(start.back() + 1 + random.below(size - start.back()));
      stride.push_back(chance(3) ? 2 : 1);
      shape.push_back((limit.back() - start.back() + stride.back() - 1) /
                      stride.back());
    }
    const bool strided = llvm::any_of(stride, [](int64_t s) { return s != 1; });
    emit(
        shape, input.element,
        llvm::formatv("fm.slice {0} start {1} limit {2}{3} : {4}", input.name,
                      listText(start), listText(limit),
                      strided || chance(4) ? " stride " + listText(stride) : "",
                      input.type()),
        {input});
    return true;
  }

  bool concat(const Value &first) {
    const int64_t axis = random.below(first.rank());
    llvm::SmallVector<Value> inputs{first};
    Shape shape(first.shape);
    for (unsigned count = 1 + random.below(2); count > 0; --count) {
      // The first input again, another that matches off the axis, or a new
      // argument.
      std::optional<Value> other = pickValue([&](const Value &value) {
        if (value.element != first.element || value.rank() != first.rank())
          return false;
        for (int64_t d = 0; d < first.rank(); ++d)
          if (d != axis && value.shape[d] != first.shape[d])
            return false;
        return true;
      });
      if (!other || chance(3)) {
        Shape otherShape(first.shape);
        otherShape[axis] = dim();
        other = isWideFloat(first.element)
                    ? weight("p", otherShape, first.element)
                    : argument("d", otherShape, first.element, Role::Data);
      }
      shape[axis] += other->shape[axis];
      inputs.push_back(*other);
    }
    if (!fits(shape))
      return false;
    std::vector<std::string> names, types;
    for (const Value &input : inputs) {
      names.push_back(input.name);
      types.push_back(input.type());
    }
    emit(shape, first.element,
         llvm::formatv("fm.concat {0}{1} : {2}", llvm::join(names, ", "),
                       axis == 0 && chance(2)
                           ? ""
                           : " axis " + std::to_string(chance(3)
                                                           ? axis - first.rank()
                                                           : axis),
                       llvm::join(types, ", ")),
         inputs);
    return true;
  }

  bool pad(const Value &input) {
    llvm::SmallVector<int64_t> low, high, interior;
    const bool withInterior = chance(4);
    Shape shape;
    for (int64_t size : input.shape) {
      low.push_back(random.below(3));
      high.push_back(random.below(3));
      interior.push_back(withInterior ? random.below(2) : 0);
      shape.push_back(low.back() + size + high.back() +
                      (size - 1) * interior.back());
    }
    if (!fits(shape))
      return false;
    emit(shape, input.element,
         llvm::formatv("fm.pad {0} low {1} high {2}{3} : {4}", input.name,
                       listText(low), listText(high),
                       withInterior ? " interior " + listText(interior) : "",
                       input.type()),
         {input});
    return true;
  }

  /// A table lookup with new or shared token ids; makes its own operands.
  bool embedding(const Value &) {
    if (options.maxRank < 2)
      return false;
    const int64_t rows = pick<int64_t>({4, 8, 16, 32}), features = dim();
    IndexArgument *ids =
        *indices(randomShape(1 + random.below(options.maxRank - 1)), rows,
                 /*counted=*/true);
    Value table = weight("emb", {rows, features}, wideFloat());
    Shape shape(ids->value.shape);
    shape.push_back(features);
    emit(shape, table.element,
         llvm::formatv("fm.embedding {0}[{1}] : {2}, {3}", table.name,
                       ids->value.name, table.type(), ids->value.type()),
         {table, ids->value});
    return true;
  }

  bool castValue(const Value &input) {
    ElementType element = ElementType::F32;
    if (isFloat(input.element) && chance(6))
      element = integer();
    else if (options.narrowFloats)
      element =
          chance(4)
              ? fp8()
              : pick({ElementType::F32, ElementType::BF16, ElementType::F16});
    if (element == input.element)
      return false;
    cast(input, element);
    return true;
  }

  //===--------------------------------------------------------------------===//
  // Backward ops: on a forward input and a gradient of its type (another
  // pooled value, or the input itself).
  //===--------------------------------------------------------------------===//

  Value gradientFor(const Value &input) {
    return *pickValue(
        [&](const Value &value) { return value.type() == input.type(); });
  }

  bool elementwiseGrad(const Value &input) {
    const Value grad = gradientFor(input);
    const llvm::StringRef op = pick<llvm::StringRef>(
        {"gelu_grad", "softmax_grad", "log_softmax_grad"});
    const std::string attributes =
        op == "gelu_grad" ? (chance(2) ? " approximate \"none\"" : "")
                          : axisText(input.rank(), -1);
    emit(input.shape, input.element,
         llvm::formatv("fm.{0} {1}, {2}{3} : {4}", op, input.name, grad.name,
                       attributes, input.type()),
         {input, grad}, Gradient::None);
    return true;
  }

  bool normGrad(const Value &input) {
    llvm::SmallVector<Value> operands{input, gradientFor(input)};
    const bool layer = chance(2);
    const std::string attributes = affine("scale", input, operands) + epsText();
    const Value feature{"", {input.shape.back()}, input.element};
    llvm::SmallVector<Value, 1> types{input, feature};
    if (layer)
      types.push_back(feature);
    emitAll(types,
            llvm::formatv("fm.{0} {1}, {2}{3} : {4}",
                          layer ? "layer_norm_grad" : "rms_norm_grad",
                          input.name, operands[1].name, attributes,
                          input.type()),
            operands, Gradient::None);
    return true;
  }

  bool crossEntropyGrad(const Value &logits) {
    std::optional<IndexArgument *> labels =
        indices(llvm::ArrayRef<int64_t>(logits.shape).drop_back(),
                logits.shape.back(), /*counted=*/false);
    if (!labels)
      return false;
    const Value &ids = (*labels)->value;
    Value grad = constant({}, ElementType::F32, 1.0);
    emit(logits.shape, logits.element,
         llvm::formatv("fm.cross_entropy_grad {0}, {1}, {2} : {3}, {4}",
                       logits.name, ids.name, grad.name, logits.type(),
                       ids.type()),
         {logits, ids, grad}, Gradient::None);
    return true;
  }

  bool embeddingGrad(const Value &grad) {
    const int64_t features = grad.shape.back();
    std::optional<IndexArgument *> ids =
        indices(llvm::ArrayRef<int64_t>(grad.shape).drop_back(),
                IndexArgument().bound, /*counted=*/false);
    if (!ids)
      return false;
    const Value &indices = (*ids)->value;
    const Shape table{(*ids)->bound + static_cast<int64_t>(random.below(8)),
                      features};
    emit(table, grad.element,
         llvm::formatv("fm.embedding_grad {0}[{1}] : {2}, {3} -> {4}",
                       grad.name, indices.name, grad.type(), indices.type(),
                       typeText(table, grad.element)),
         {grad, indices}, Gradient::None);
    return true;
  }

  //===--------------------------------------------------------------------===//
  // The loss
  //===--------------------------------------------------------------------===//

  /// A rank-0 f32 term of the loss made from `value`: a cross-entropy
  /// against new or shared labels, or its mean or sum.
  Value lossTerm(const Value &value, const std::string &name) {
    if (value.shape.back() >= 2 && chance(4)) {
      IndexArgument *labels =
          *indices(llvm::ArrayRef<int64_t>(value.shape).drop_back(),
                   value.shape.back(), /*counted=*/true);
      return emit({}, ElementType::F32,
                  llvm::formatv("fm.cross_entropy {0}, {1} : {2}, {3}",
                                value.name, labels->value.name, value.type(),
                                labels->value.type()),
                  {value, labels->value}, Gradient::Rule, name);
    }
    Value input = value.element == ElementType::F32
                      ? value
                      : cast(value, ElementType::F32);
    return emit({}, ElementType::F32,
                llvm::formatv("fm.{0} {1} : {2}",
                              pick({"reduce_mean", "reduce_sum"}), input.name,
                              input.type()),
                {input}, Gradient::Rule, name);
  }

  /// Sums loss terms of the values nothing uses (the newest always, each
  /// other one half of the time) into `%loss`, and returns its name.
  std::string writeLoss() {
    auto differentiable = [](const Value &value) {
      return isFloat(value.element) && !value.opaque && value.rank() >= 1;
    };
    llvm::SmallVector<Value> sinks;
    for (const Value &value : results)
      if (differentiable(value) && !used.contains(value.name))
        sinks.push_back(value);
    if (sinks.empty()) // Everything is used or opaque: the newest float.
      sinks.push_back(*pickValue(differentiable));
    llvm::SmallVector<Value> chosen{sinks.back()};
    for (const Value &value : llvm::ArrayRef<Value>(sinks).drop_back())
      if (chance(2))
        chosen.push_back(value);
    // fm-autodiff needs a parameter: a bias on the first term.
    if (!hasParam) {
      Value &first = chosen.front();
      if (!isWideFloat(first.element))
        first = cast(first, ElementType::F32);
      first = binaryOp("add", first,
                       weight("b", {first.shape.back()}, first.element),
                       first.element);
    }
    Value total = lossTerm(chosen.front(), chosen.size() == 1 ? "%loss" : "");
    for (size_t i = 1; i < chosen.size(); ++i) {
      Value term = lossTerm(chosen[i], "");
      total = emit(
          {}, ElementType::F32,
          llvm::formatv("fm.add {0}, {1} : tensor<f32>", total.name, term.name),
          {total, term}, Gradient::Rule, i + 1 == chosen.size() ? "%loss" : "");
    }
    return total.name;
  }

  fmrt::Random &random;
  const GeneratorOptions &options;
  /// The values ops may take (rank 1 to maxRank), in order.
  std::vector<Value> pool;
  /// Every value an op made, in order.
  std::vector<Value> results;
  /// The names of the values some op reads.
  llvm::StringSet<> used;
  /// Stable addresses: indices() returns pointers into it.
  std::deque<IndexArgument> indexArguments;
  std::string arguments, body;
  bool hasParam = false;
  int counter = 0;
};

} // namespace

std::string generateProgram(uint64_t seed, const GeneratorOptions &options) {
  fmrt::Random random(seed);
  return ProgramWriter(random, options).writeProgram();
}

llvm::ArrayRef<llvm::StringLiteral> generatorFamilies() {
  static const std::vector<llvm::StringLiteral> names = [] {
    std::vector<llvm::StringLiteral> all;
    for (const auto &family : ProgramWriter::forwardFamilies())
      all.push_back(family.name);
    all.push_back(kBackward);
    return all;
  }();
  return names;
}

std::string generateSnippet(llvm::ArrayRef<TensorType> operands,
                            fmrt::Random &random,
                            const GeneratorOptions &options) {
  return ProgramWriter(random, options).writeSnippet(operands);
}

} // namespace fm::fuzz

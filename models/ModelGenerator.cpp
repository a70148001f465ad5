//===- ModelGenerator.cpp - Builds fm programs of standard models ---------===//
//
// Each model is emitted op by op through GraphBuilder, which owns the
// function being built and the helpers every model shares (parameters, linear
// layers, layer norms). Every op gets a NameLoc naming the part of the model
// it belongs to ("h0.attn.softmax"), so that diagnostics about generated IR
// point somewhere meaningful.
//
//===----------------------------------------------------------------------===//
#include "models/ModelGenerator.h"

#include "ir/FmDialect.h"
#include "ir/FmOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Verifier.h"

#include "llvm/ADT/Twine.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/MathExtras.h"

#include <cmath>
#include <limits>
#include <utility>

using namespace mlir;
using llvm::Twine;

namespace fm {

//===----------------------------------------------------------------------===//
// Validation
//===----------------------------------------------------------------------===//

static llvm::Error makeError(const Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

using NamedSize = std::pair<llvm::StringRef, int64_t>;

/// Sizes must be positive and fit in i32: token ids, labels and the causal
/// mask's iotas are i32, and one bound for all keeps derived sizes such as
/// 4 * dim far from overflow.
static llvm::Error requireSizes(llvm::ArrayRef<NamedSize> sizes) {
  for (auto [name, value] : sizes) {
    if (value <= 0)
      return makeError(Twine(name) + " must be positive, got " + Twine(value));
    if (value > std::numeric_limits<int32_t>::max())
      return makeError(Twine(name) + " must be below 2^31, got " +
                       Twine(value));
  }
  return llvm::Error::success();
}

/// The element counts of the largest tensors must not overflow int64_t, which
/// shape arithmetic here and in every later stage relies on.
static llvm::Error
requireCountable(llvm::ArrayRef<llvm::SmallVector<int64_t>> shapes) {
  for (llvm::ArrayRef<int64_t> shape : shapes) {
    int64_t count = 1;
    for (int64_t size : shape) {
      if (llvm::MulOverflow(count, size, count)) {
        std::string text;
        llvm::raw_string_ostream os(text);
        llvm::interleave(shape, os, "x");
        return makeError("a tensor of shape " + text +
                         " has too many elements");
      }
    }
  }
  return llvm::Error::success();
}

static llvm::Error validate(const MlpConfig &c) {
  if (llvm::Error error = requireSizes({{"batch", c.batch},
                                        {"input", c.input},
                                        {"hidden", c.hidden},
                                        {"classes", c.classes}}))
    return error;
  return requireCountable({{c.batch, c.input},
                           {c.input, c.hidden},
                           {c.batch, c.hidden},
                           {c.hidden, c.classes},
                           {c.batch, c.classes}});
}

static llvm::Error validate(const GptConfig &c) {
  if (llvm::Error error = requireSizes({{"layers", c.layers},
                                        {"dim", c.dim},
                                        {"heads", c.heads},
                                        {"seq", c.seq},
                                        {"vocab", c.vocab},
                                        {"batch", c.batch}}))
    return error;
  if (c.hidden < 0)
    return makeError("hidden must be positive (or 0 for 4 * dim), got " +
                     Twine(c.hidden));
  if (c.dim % c.heads != 0)
    return makeError("dim " + Twine(c.dim) + " is not divisible by heads " +
                     Twine(c.heads));
  if (llvm::Error error = requireSizes({{"hidden", c.getHidden()}}))
    return error;
  return requireCountable({{c.batch, c.heads, c.seq, c.seq},
                           {c.batch, c.seq, c.vocab},
                           {c.batch, c.seq, 3, c.dim},
                           {c.batch, c.seq, c.getHidden()},
                           {c.vocab, c.dim},
                           {c.dim, 3, c.dim},
                           {c.dim, c.getHidden()}});
}

//===----------------------------------------------------------------------===//
// GraphBuilder
//===----------------------------------------------------------------------===//

static llvm::ArrayRef<int64_t> shapeOf(Value value) {
  return cast<RankedTensorType>(value.getType()).getShape();
}

namespace {

/// Builds a module holding one function. Arguments are appended when the body
/// first asks for them, so parameters appear in the order the layers use them
/// and the function type is only fixed by finish().
class GraphBuilder {
public:
  /// `floatType` is the type of the parameters and the float constants.
  GraphBuilder(MLIRContext &context, llvm::StringRef functionName,
               Type floatType = {})
      : context(context), builder(&context),
        module(ModuleOp::create(at(functionName))),
        floatType(floatType ? floatType : builder.getF32Type()) {
    context.loadDialect<FmDialect, func::FuncDialect>();
    builder.setInsertionPointToEnd(module->getBody());
    function = builder.create<func::FuncOp>(at(functionName), functionName,
                                            builder.getFunctionType({}, {}));
    builder.setInsertionPointToStart(function.addEntryBlock());
  }

  Location at(const Twine &name) {
    return NameLoc::get(StringAttr::get(&context, name));
  }

  Type f32() { return builder.getF32Type(); }
  Type real() { return floatType; }
  Type i32() { return builder.getI32Type(); }

  /// Creates an op located at `name` and returns its single result.
  template <typename OpTy, typename... Args>
  Value emit(const Twine &name, Args &&...args) {
    return builder.create<OpTy>(at(name), std::forward<Args>(args)...)
        .getResult();
  }

  /// A batch input (`fm.data`).
  Value data(const Twine &name, llvm::ArrayRef<int64_t> shape, Type element) {
    return addArgument(name, RankedTensorType::get(shape, element),
                       FmDialect::kDataAttr);
  }

  /// A trainable parameter (`fm.param`) of the model's float type.
  Value param(const Twine &name, llvm::ArrayRef<int64_t> shape) {
    return addArgument(name, RankedTensorType::get(shape, real()),
                       FmDialect::kParamAttr);
  }

  /// A rank-0 constant of the model's float type (`value` rounded to it).
  Value scalar(const Twine &name, float value) {
    auto type = RankedTensorType::get({}, real());
    return emit<ConstantOp>(
        name, cast<ElementsAttr>(DenseElementsAttr::get(
                  type, FloatAttr::get(real(), static_cast<double>(value)))));
  }

  Value reshape(const Twine &name, Value input, llvm::ArrayRef<int64_t> shape) {
    auto type = RankedTensorType::get(
        shape, cast<RankedTensorType>(input.getType()).getElementType());
    return emit<ReshapeOp>(name, type, input);
  }

  Value transpose(const Twine &name, Value input,
                  llvm::ArrayRef<int64_t> permutation) {
    return emit<TransposeOp>(name, input,
                             builder.getDenseI64ArrayAttr(permutation));
  }

  /// `x @ weight` with a new `[in, out]` parameter `weightName`; `x` is
  /// `[rows, in]`.
  Value project(Value x, const Twine &weightName, int64_t out,
                const Twine &name) {
    Value weight = param(weightName, {shapeOf(x).back(), out});
    return emit<MatmulOp>(name + ".matmul", x, weight, /*transpose_a=*/false,
                          /*transpose_b=*/false);
  }

  /// A linear layer `x @ weight + bias` with new parameters.
  Value linear(Value x, const Twine &weightName, const Twine &biasName,
               int64_t out, const Twine &name) {
    Value product = project(x, weightName, out, name);
    Value bias = param(biasName, {out});
    return emit<AddOp>(name + ".add_bias", product, bias);
  }

  /// A linear layer whose parameters are `<prefix>.weight` and
  /// `<prefix>.bias`, as PyTorch's state-dict names.
  Value linear(Value x, const Twine &prefix, int64_t out) {
    return linear(x, prefix + ".weight", prefix + ".bias", out, prefix);
  }

  /// Layer norm over the last axis with parameters `<prefix>.scale` and
  /// `<prefix>.bias`.
  Value layerNorm(Value x, const Twine &prefix) {
    int64_t width = shapeOf(x).back();
    Value scale = param(prefix + ".scale", {width});
    Value bias = param(prefix + ".bias", {width});
    return emit<LayerNormOp>(prefix, x, scale, bias,
                             builder.getF32FloatAttr(1.0e-5f));
  }

  /// Returns `loss` (named "loss"), fixes the signature and verifies.
  llvm::Expected<OwningOpRef<ModuleOp>> finish(Value loss) {
    builder.create<func::ReturnOp>(at("return"), loss);
    function.setFunctionType(builder.getFunctionType(
        function.getBody().front().getArgumentTypes(), loss.getType()));
    function.setAllArgAttrs(argAttrs);
    function.setResultAttr(0, FmDialect::kNameAttr,
                           builder.getStringAttr("loss"));

    // The builders infer every result type, so a failure here is a bug in
    // the generator: report it instead of handing out broken IR.
    std::string messages;
    ScopedDiagnosticHandler handler(&context, [&](Diagnostic &diagnostic) {
      llvm::raw_string_ostream os(messages);
      os << "\n  " << diagnostic.getLocation() << ": " << diagnostic;
      return success();
    });
    if (failed(verify(*module)))
      return makeError("generated IR does not verify:" + Twine(messages));
    return std::move(module);
  }

private:
  Value addArgument(const Twine &name, Type type, llvm::StringRef role) {
    StringAttr nameAttr = builder.getStringAttr(name);
    argAttrs.push_back(builder.getDictionaryAttr(
        {builder.getNamedAttr(FmDialect::kNameAttr, nameAttr),
         builder.getNamedAttr(role, builder.getUnitAttr())}));
    return function.getBody().front().addArgument(type, NameLoc::get(nameAttr));
  }

  MLIRContext &context;
  OpBuilder builder;
  OwningOpRef<ModuleOp> module;
  Type floatType;
  func::FuncOp function;
  llvm::SmallVector<DictionaryAttr> argAttrs;
};

//===----------------------------------------------------------------------===//
// GPT
//===----------------------------------------------------------------------===//

/// Emits the transformer blocks of a GPT on the residual stream, which is
/// flattened to [batch * seq, dim]; only attention uses the
/// [batch, heads, seq, head_dim] layout.
class GptBlockBuilder {
public:
  GptBlockBuilder(GraphBuilder &g, const GptConfig &config)
      : g(g), c(config), headDim(config.dim / config.heads) {}

  /// x + attn(ln1(x)), then x + mlp(ln2(x)).
  Value block(Value x, const std::string &prefix) {
    Value attention =
        causalSelfAttention(g.layerNorm(x, prefix + ".ln1"), prefix + ".attn");
    x = g.emit<AddOp>(prefix + ".attn.residual", x, attention);

    Value h = g.layerNorm(x, prefix + ".ln2");
    h = g.linear(h, prefix + ".mlp.fc", c.getHidden());
    h = g.emit<GeluOp>(prefix + ".mlp.gelu", h, "tanh");
    h = g.linear(h, prefix + ".mlp.proj", c.dim);
    return g.emit<AddOp>(prefix + ".mlp.residual", x, h);
  }

private:
  Value causalSelfAttention(Value x, const std::string &prefix) {
    // One projection for q, k and v; its columns are
    // (q | k | v) x heads x head_dim.
    Value qkv = g.linear(x, prefix + ".qkv", 3 * c.dim);
    qkv = g.reshape(prefix + ".split_heads", qkv,
                    {c.batch, c.seq, 3, c.heads, headDim});
    Value q = headsFirst(qkv, 0, prefix + ".q");
    Value k = headsFirst(qkv, 1, prefix + ".k");
    Value v = headsFirst(qkv, 2, prefix + ".v");

    Value scores = g.emit<MatmulOp>(prefix + ".scores", q, k,
                                    /*transpose_a=*/false,
                                    /*transpose_b=*/true);
    scores = g.emit<MulOp>(prefix + ".scale", scores, scoreScale());
    // Separate statements: the order of argument evaluation, and so of the
    // emitted ops, is unspecified.
    Value mask = causalMask();
    Value fill = maskedScore();
    scores = g.emit<SelectOp>(prefix + ".causal_mask", mask, scores, fill);
    Value probs = g.emit<SoftmaxOp>(prefix + ".softmax", scores);

    Value out = g.emit<MatmulOp>(prefix + ".weighted_values", probs, v,
                                 /*transpose_a=*/false, /*transpose_b=*/false);
    out = g.transpose(prefix + ".merge_heads", out, {0, 2, 1, 3});
    out = g.reshape(prefix + ".merge_heads", out, {c.batch * c.seq, c.dim});
    return g.linear(out, prefix + ".proj", c.dim);
  }

  /// Part `index` (q, k or v) of the fused projection as
  /// [batch, heads, seq, head_dim].
  Value headsFirst(Value qkv, int64_t index, const std::string &name) {
    Value part = g.emit<SliceOp>(
        name, qkv, llvm::ArrayRef<int64_t>{0, 0, index, 0, 0},
        llvm::ArrayRef<int64_t>{c.batch, c.seq, index + 1, c.heads, headDim},
        /*stride=*/nullptr);
    part = g.reshape(name, part, {c.batch, c.seq, c.heads, headDim});
    return g.transpose(name, part, {0, 2, 1, 3});
  }

  // The values below are the same in every block: built where the first
  // block needs them and shared by the others.

  Value scoreScale() {
    if (!scaleValue)
      scaleValue = g.scalar("attn.scale", // Rounded once, from double.
                            float(1.0 / std::sqrt(double(headDim))));
    return scaleValue;
  }

  /// Query (row) i may attend to key (column) j only if i >= j.
  Value causalMask() {
    if (!maskValue) {
      auto type = RankedTensorType::get({c.seq, c.seq}, g.i32());
      Value rows = g.emit<IotaOp>("attn.causal_mask.rows", type, 0);
      Value cols = g.emit<IotaOp>("attn.causal_mask.cols", type, 1);
      maskValue = g.emit<GeOp>("attn.causal_mask", rows, cols);
    }
    return maskValue;
  }

  /// What masked scores become: a finite stand-in for -inf. Softmax subtracts
  /// the row maximum first, so their weights underflow to exactly 0, and no
  /// (-inf) - (-inf) = NaN can arise.
  Value maskedScore() {
    if (!fillValue)
      fillValue = g.scalar("attn.causal_mask.fill", -1.0e9f);
    return fillValue;
  }

  GraphBuilder &g;
  const GptConfig &c;
  int64_t headDim;
  Value scaleValue, maskValue, fillValue;
};

} // namespace

//===----------------------------------------------------------------------===//
// Entry points
//===----------------------------------------------------------------------===//

llvm::Expected<OwningOpRef<ModuleOp>> generateMlp(MLIRContext &context,
                                                  const MlpConfig &config) {
  if (llvm::Error error = validate(config))
    return std::move(error);
  GraphBuilder g(context, "mlp");
  Value x = g.data("x", {config.batch, config.input}, g.f32());
  Value labels = g.data("labels", {config.batch}, g.i32());
  Value h = g.linear(x, "w1", "b1", config.hidden, "hidden");
  // The exact erf form, as PyTorch's nn.GELU() default.
  h = g.emit<GeluOp>("hidden.gelu", h, "none");
  Value logits = g.linear(h, "w2", "b2", config.classes, "logits");
  return g.finish(g.emit<CrossEntropyOp>("loss", logits, labels));
}

llvm::Expected<OwningOpRef<ModuleOp>> generateGpt(MLIRContext &context,
                                                  const GptConfig &config) {
  if (llvm::Error error = validate(config))
    return std::move(error);
  const int64_t batch = config.batch, seq = config.seq, dim = config.dim,
                vocab = config.vocab;
  GraphBuilder g(context, "gpt",
                 config.bf16 ? Type(BFloat16Type::get(&context)) : Type());
  Value tokens = g.data("tokens", {batch, seq}, g.i32());
  Value targets = g.data("targets", {batch, seq}, g.i32());

  // Token rows plus learned positions (broadcast over the batch), flattened.
  Value wte = g.param("wte", {vocab, dim});
  Value x = g.emit<EmbeddingOp>("wte.lookup", wte, tokens);
  x = g.emit<AddOp>("wpe.add", x, g.param("wpe", {seq, dim}));
  x = g.reshape("embed.flatten", x, {batch * seq, dim});

  GptBlockBuilder blocks(g, config);
  for (int64_t layer = 0; layer < config.layers; ++layer)
    x = blocks.block(x, "h" + std::to_string(layer));

  x = g.layerNorm(x, "lnf");
  Value logits =
      config.tiedEmbeddings
          ? g.emit<MatmulOp>("lm_head.matmul", x, wte, /*transpose_a=*/false,
                             /*transpose_b=*/true)
          : g.project(x, "lm_head.weight", vocab, "lm_head");
  logits = g.reshape("lm_head.unflatten", logits, {batch, seq, vocab});
  return g.finish(g.emit<CrossEntropyOp>("loss", logits, targets));
}

std::string describeModel(const MlpConfig &c) {
  return llvm::formatv(
      "A two-layer perceptron classifier: forward pass and loss.\n"
      "\n"
      "  h      = gelu(x @ w1 + b1)              x: [{0}, {1}] -> [{0}, {2}]\n"
      "  logits = h @ w2 + b2                    -> [{0}, {3}]\n"
      "  loss   = cross_entropy(logits, labels)  mean over the batch of {0}\n"
      "\n"
      "GELU is the exact erf form (approximate \"none\"), as PyTorch's\n"
      "nn.GELU(). Inputs are fm.data, weights fm.param.\n",
      c.batch, c.input, c.hidden, c.classes);
}

std::string describeModel(const GptConfig &c) {
  std::string blocks = c.layers == 1
                           ? std::string("one pre-LayerNorm block, h0")
                           : llvm::formatv("{0} pre-LayerNorm blocks, h0..h{1}",
                                           c.layers, c.layers - 1)
                                 .str();
  return llvm::formatv(
      "A GPT-2 style decoder with {0}: forward pass and loss.\n"
      "V = {1} tokens, S = {2} positions, D = {3} = {4} heads x {5}, "
      "MLP width {6}, batch B = {7}.\n"
      "\n"
      "  x      = wte[tokens] + wpe                   [B, S, D], as [B*S, D]\n"
      "  x      = x + attn.proj(attention(ln1(x)))    causal, softmax(q k^T "
      "/ sqrt({5}))\n"
      "  x      = x + mlp.proj(gelu(mlp.fc(ln2(x))))  tanh GELU, as GPT-2\n"
      "  logits = lnf(x) @ {8,-27}[B, S, V]\n"
      "  loss   = cross_entropy(logits, targets)      mean over B*S tokens\n",
      blocks, c.vocab, c.seq, c.dim, c.heads, c.dim / c.heads, c.getHidden(),
      c.batch, c.tiedEmbeddings ? "wte^T (tied)" : "lm_head.weight");
}

} // namespace fm

//===- GeneratorTest.cpp - Random well-typed fm programs ------------------===//
#include "fuzz/Generator.h"

#include "ir/FmOps.h"
#include "ir/interp/Interpreter.h"
#include "ir/interp/Invocation.h"
#include "passes/Passes.h"
#include "tests/unit/FmProgramTest.h"

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"

#include "llvm/ADT/StringSet.h"
#include "llvm/Support/raw_ostream.h"

using namespace fm::fuzz;

namespace {

/// The fm ops the generator must draw over many seeds: every forward op and
/// every backward op.
constexpr llvm::StringLiteral kExpectedOps[] = {"fm.add",
                                                "fm.sub",
                                                "fm.mul",
                                                "fm.div",
                                                "fm.max",
                                                "fm.min",
                                                "fm.pow",
                                                "fm.eq",
                                                "fm.ne",
                                                "fm.lt",
                                                "fm.le",
                                                "fm.gt",
                                                "fm.ge",
                                                "fm.select",
                                                "fm.neg",
                                                "fm.abs",
                                                "fm.exp",
                                                "fm.log",
                                                "fm.sqrt",
                                                "fm.rsqrt",
                                                "fm.tanh",
                                                "fm.sigmoid",
                                                "fm.relu",
                                                "fm.silu",
                                                "fm.gelu",
                                                "fm.matmul",
                                                "fm.reduce_sum",
                                                "fm.reduce_mean",
                                                "fm.reduce_max",
                                                "fm.softmax",
                                                "fm.log_softmax",
                                                "fm.layer_norm",
                                                "fm.rms_norm",
                                                "fm.reshape",
                                                "fm.transpose",
                                                "fm.broadcast_to",
                                                "fm.slice",
                                                "fm.concat",
                                                "fm.pad",
                                                "fm.iota",
                                                "fm.embedding",
                                                "fm.cross_entropy",
                                                "fm.cast",
                                                "fm.quantize",
                                                "fm.dequantize",
                                                "fm.scaled_matmul",
                                                "fm.quantize_expanded",
                                                "fm.dequantize_expanded",
                                                "fm.constant",
                                                "fm.gelu_grad",
                                                "fm.softmax_grad",
                                                "fm.log_softmax_grad",
                                                "fm.layer_norm_grad",
                                                "fm.rms_norm_grad",
                                                "fm.cross_entropy_grad",
                                                "fm.embedding_grad"};

/// Variants of ops the generator must draw besides the op names.
constexpr llvm::StringLiteral kExpectedVariants[] = {"batched matmul",
                                                     "transposed matmul",
                                                     "reduce keepdim",
                                                     "reduce all axes",
                                                     "transpose permutation",
                                                     "grouped quantize",
                                                     "layer_norm scale+bias",
                                                     "gelu none",
                                                     "strided slice",
                                                     "interior pad",
                                                     "f8E5M2",
                                                     "f8E4M3FN",
                                                     "bf16",
                                                     "f16",
                                                     "f32",
                                                     "i32",
                                                     "i64",
                                                     "i1"};

std::string typeName(mlir::Type type) {
  std::string text;
  llvm::raw_string_ostream os(text);
  type.print(os);
  return text;
}

class GeneratorTest : public fm::testing::FmProgramTest {
protected:
  /// Parses `program`, names what it holds into `seen` (ops, variants,
  /// element types) and checks the entry returns one f32 scalar.
  void collect(const std::string &program, llvm::StringSet<> &seen) {
    if (!parse(program))
      return;
    auto entry = module->lookupSymbol<mlir::func::FuncOp>("f");
    ASSERT_TRUE(entry);
    ASSERT_EQ(entry.getNumResults(), 1u);
    EXPECT_EQ(typeName(entry.getResultTypes().front()), "tensor<f32>");
    module->walk([&](mlir::Operation *op) {
      seen.insert(op->getName().getStringRef());
      for (mlir::Type type : op->getResultTypes())
        if (auto tensor = llvm::dyn_cast<mlir::RankedTensorType>(type))
          seen.insert(typeName(tensor.getElementType()));
      if (auto matmul = llvm::dyn_cast<fm::MatmulOp>(op)) {
        if (matmul.getLhs().getType().getRank() == 3)
          seen.insert("batched matmul");
        if (matmul.getTransposeA() || matmul.getTransposeB())
          seen.insert("transposed matmul");
      }
      if (auto reduce = llvm::dyn_cast<fm::ReduceSumOp>(op)) {
        if (reduce.getKeepdim())
          seen.insert("reduce keepdim");
        if (!reduce.getAxes())
          seen.insert("reduce all axes");
      }
      if (auto transpose = llvm::dyn_cast<fm::TransposeOp>(op))
        if (transpose.getPermutation())
          seen.insert("transpose permutation");
      if (auto quantize = llvm::dyn_cast<fm::QuantizeOp>(op))
        if (quantize.getGroup())
          seen.insert("grouped quantize");
      if (auto norm = llvm::dyn_cast<fm::LayerNormOp>(op))
        if (norm.getScale() && norm.getBias())
          seen.insert("layer_norm scale+bias");
      if (auto gelu = llvm::dyn_cast<fm::GeluOp>(op))
        if (gelu.getApproximate() == "none")
          seen.insert("gelu none");
      if (auto slice = llvm::dyn_cast<fm::SliceOp>(op))
        if (llvm::any_of(slice.getEffectiveStride(),
                         [](int64_t stride) { return stride > 1; }))
          seen.insert("strided slice");
      if (auto pad = llvm::dyn_cast<fm::PadOp>(op))
        if (llvm::any_of(pad.getEffectiveInterior(),
                         [](int64_t interior) { return interior > 0; }))
          seen.insert("interior pad");
    });
  }

  /// Whether the interpreter runs the parsed program on random inputs.
  bool runs(uint64_t seed) {
    auto entry = module->lookupSymbol<mlir::func::FuncOp>("f");
    return succeeded(
        fm::Interpreter(*module).run(entry, fm::makeRandomInputs(entry, seed)));
  }
};

TEST_F(GeneratorTest, ProgramsVerifyRunAndCoverEveryOpAndType) {
  llvm::StringSet<> seen;
  int programs = 0, running = 0;
  for (uint64_t seed = 0; seed < 300; ++seed) {
    for (int ops : {1, 6, 16}) {
      GeneratorOptions options;
      options.ops = ops;
      options.backwardOps = 0.1;
      collect(generateProgram(seed, options), seen);
      if (HasFailure())
        return;
      ++programs;
      running += runs(seed);
    }
  }
  for (llvm::StringRef op : kExpectedOps)
    EXPECT_TRUE(seen.contains(op)) << "never generated: " << op.str();
  for (llvm::StringRef variant : kExpectedVariants)
    EXPECT_TRUE(seen.contains(variant)) << "never generated: " << variant.str();
  EXPECT_GE(running, programs * 99 / 100)
      << "the interpreter refuses too many programs:\n"
      << diagnostics;
}

TEST_F(GeneratorTest, FmTrainDifferentiatesTheLoss) {
  fm::registerFmcPasses();
  for (uint64_t seed = 0; seed < 60; ++seed) {
    GeneratorOptions options;
    options.ops = 12;
    options.backwardOps = 0.2;
    const std::string program = generateProgram(seed, options);
    if (!parse(program))
      return;
    mlir::PassManager pm(&context);
    std::string errors;
    llvm::raw_string_ostream os(errors);
    ASSERT_TRUE(succeeded(mlir::parsePassPipeline("fm-train", pm, os)))
        << errors;
    EXPECT_TRUE(succeeded(pm.run(*module))) << "seed " << seed << ":\n"
                                            << program << diagnostics;
  }
}

TEST_F(GeneratorTest, SameSeedSameProgram) {
  GeneratorOptions options;
  EXPECT_EQ(generateProgram(7, options), generateProgram(7, options));
  EXPECT_NE(generateProgram(7, options), generateProgram(8, options));
}

TEST_F(GeneratorTest, OptionsLimitRanksTypesAndFamilies) {
  GeneratorOptions options;
  options.ops = 12;
  options.maxRank = 1;
  options.narrowFloats = false;
  options.families = {"arithmetic", "unary", "reduce", "softmax", "norm"};
  for (uint64_t seed = 0; seed < 50; ++seed) {
    llvm::StringSet<> seen;
    collect(generateProgram(seed, options), seen);
    if (HasFailure())
      return;
    for (llvm::StringRef narrow : {"bf16", "f16", "f8E4M3FN", "f8E5M2"})
      EXPECT_FALSE(seen.contains(narrow)) << "seed " << seed;
    for (llvm::StringRef op : {"fm.matmul", "fm.quantize", "fm.concat"})
      EXPECT_FALSE(seen.contains(op)) << "seed " << seed;
    module->walk([&](mlir::Operation *op) {
      for (mlir::Type type : op->getResultTypes())
        EXPECT_LE(llvm::cast<mlir::RankedTensorType>(type).getRank(), 1)
            << "seed " << seed;
    });
  }
  EXPECT_TRUE(llvm::is_contained(generatorFamilies(), "quantize-expanded"));
}

TEST_F(GeneratorTest, SnippetsTakeTheirOperandsAndReturnWhatTheyMake) {
  const std::vector<TensorType> operands = {{{4, 8}, ElementType::F32},
                                            {{8}, ElementType::BF16},
                                            {{2, 4, 8}, ElementType::I32},
                                            {{}, ElementType::F32}};
  for (uint64_t seed = 0; seed < 100; ++seed) {
    fmrt::Random random(seed);
    GeneratorOptions options;
    options.ops = 2;
    if (seed % 2)
      options.families = {"quantize"};
    if (!parse(generateSnippet(operands, random, options)))
      return;
    auto snippet = module->lookupSymbol<mlir::func::FuncOp>("snippet");
    ASSERT_TRUE(snippet);
    ASSERT_GE(snippet.getNumArguments(), operands.size());
    EXPECT_EQ(typeName(snippet.getArgumentTypes()[0]), "tensor<4x8xf32>");
    EXPECT_EQ(typeName(snippet.getArgumentTypes()[2]), "tensor<2x4x8xi32>");
    EXPECT_EQ(typeName(snippet.getArgumentTypes()[3]), "tensor<f32>");
    // It returns every value its ops made.
    unsigned made = 0;
    for (mlir::Operation &op : snippet.front().without_terminator())
      if (!llvm::isa<fm::ConstantOp>(op))
        made += op.getNumResults();
    EXPECT_EQ(snippet.getNumResults(), made) << "seed " << seed;
    if (seed % 2)
      EXPECT_FALSE(snippet.getOps<fm::QuantizeOp>().empty()) << "seed " << seed;
  }
}

} // namespace

//===- IRMutatorTest.cpp - Mutations of fm programs -----------------------===//
#include "fuzz/IRMutator.h"

#include "fuzz/Case.h"
#include "fuzz/Generator.h"
#include "ir/interp/Interpreter.h"
#include "ir/interp/Invocation.h"
#include "passes/Passes.h"
#include "tests/unit/FmProgramTest.h"

#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <gtest/gtest.h>

using namespace fm::fuzz;

namespace {

class IRMutatorTest : public fm::testing::FmProgramTest {
protected:
  static void SetUpTestSuite() { fm::registerFmcPasses(); }

  /// `program` after the pass pipeline `pipeline`, printed.
  std::string transformed(const std::string &program,
                          llvm::StringRef pipeline) {
    if (!parse(program))
      return "";
    mlir::PassManager pm(&context);
    std::string text;
    llvm::raw_string_ostream os(text);
    if (failed(mlir::parsePassPipeline(pipeline, pm, os)) ||
        failed(pm.run(*module))) {
      ADD_FAILURE() << pipeline.str() << " fails: " << text << diagnostics;
      return "";
    }
    module->print(os);
    return text;
  }

  /// The programs the mutators start from: generated ones, the seed
  /// corpus, and generated and corpus programs after fm-train (with @*_grad
  /// and @train_step) and fm-fuse (with fusions).
  std::vector<std::string> seedPrograms() {
    std::vector<std::string> programs;
    for (uint64_t seed = 0; seed < 12; ++seed) {
      GeneratorOptions options;
      options.ops = 4 + seed % 10;
      programs.push_back(generateProgram(seed, options));
    }
    // Sorted: directory order differs between file systems.
    std::vector<std::string> paths;
    std::error_code error;
    for (llvm::sys::fs::recursive_directory_iterator
             it(FMC_FUZZ_CORPUS_DIR, error),
         end;
         it != end && !error; it.increment(error))
      if (llvm::sys::path::extension(it->path()) == ".fmz")
        paths.push_back(it->path());
    llvm::sort(paths);
    for (const std::string &path : paths) {
      auto buffer = llvm::MemoryBuffer::getFile(path);
      EXPECT_TRUE(static_cast<bool>(buffer)) << path;
      if (!buffer)
        continue;
      llvm::Expected<FuzzCase> fuzzCase =
          parseCase((*buffer)->getBuffer(), path);
      if (!fuzzCase) {
        ADD_FAILURE() << llvm::toString(fuzzCase.takeError());
        continue;
      }
      programs.push_back(fuzzCase->program);
    }
    EXPECT_GE(programs.size(), 15u) << "the corpus is missing";
    programs.push_back(transformed(programs[3], "fm-train"));
    programs.push_back(transformed(programs[9], "fm-train,fm-fuse"));
    // FP8 training on f32 programs (fm-fp8-linear takes matmuls of f32).
    GeneratorOptions wide;
    wide.ops = 10;
    wide.narrowFloats = false;
    programs.push_back(
        transformed(generateProgram(100, wide), "fm-coat,fm-fuse"));
    return programs;
  }

  /// Whether the interpreter runs the entry function of `program`.
  bool runs(const std::string &program) {
    if (!parse(program))
      return false;
    mlir::FailureOr<mlir::func::FuncOp> entry =
        fm::findEntryFunction(*module, "");
    return succeeded(entry) && succeeded(fm::Interpreter(*module).run(
                                   *entry, fm::makeRandomInputs(*entry, 1)));
  }

  /// The result types of the function `name` in `program`, printed.
  std::string resultTypes(const std::string &program, llvm::StringRef name) {
    if (!parse(program))
      return "";
    auto function = module->lookupSymbol<mlir::func::FuncOp>(name);
    if (!function)
      return "";
    std::string text;
    llvm::raw_string_ostream os(text);
    llvm::interleaveComma(function.getResultTypes(), os);
    return text;
  }
};

TEST_F(IRMutatorTest, EveryMutatorAppliesAndMutantsVerify) {
  llvm::StringMap<int> applied;
  int mutants = 0, running = 0;
  for (const std::string &program : seedPrograms()) {
    ASSERT_FALSE(program.empty());
    const std::string losses = resultTypes(program, "f");
    for (uint64_t seed = 0; seed < 40; ++seed) {
      fmrt::Random random(seed);
      mlir::FailureOr<ProgramMutation> mutation =
          mutateProgram(context, program, random);
      ASSERT_TRUE(succeeded(mutation)) << "no mutation applies to\n" << program;
      ASSERT_TRUE(llvm::is_contained(irMutatorNames(), mutation->mutator));
      ++applied[mutation->mutator];
      // Parsing verifies; a loss (a scalar f32 result) stays what it was
      // (other results may change shape with the arguments).
      ASSERT_TRUE(parse(mutation->program)) << mutation->mutator << " broke\n"
                                            << program << "into\n"
                                            << mutation->program;
      if (losses == "tensor<f32>")
        EXPECT_EQ(resultTypes(mutation->program, "f"), losses)
            << mutation->mutator << " changed the loss of\n"
            << program << "into\n"
            << mutation->program;
      ++mutants;
      running += runs(mutation->program);
    }
  }
  for (llvm::StringRef name : irMutatorNames())
    EXPECT_GT(applied.lookup(name), 0) << name.str() << " never applied";
  std::string counts;
  for (llvm::StringRef name : irMutatorNames())
    counts += name.str() + "=" + std::to_string(applied.lookup(name)) + " ";
  RecordProperty("applied", counts);
  RecordProperty("interpreted",
                 std::to_string(running) + "/" + std::to_string(mutants));
  // Mutants may compute NaN, but the interpreter refuses few of them.
  EXPECT_GE(running, mutants * 9 / 10) << counts;
}

TEST_F(IRMutatorTest, MutationsChainAndStayValid) {
  GeneratorOptions options;
  options.ops = 6;
  std::string program = generateProgram(3, options);
  fmrt::Random random(3);
  for (int step = 0; step < 60; ++step) {
    mlir::FailureOr<ProgramMutation> mutation =
        mutateProgram(context, program, random);
    ASSERT_TRUE(succeeded(mutation)) << program;
    ASSERT_TRUE(parse(mutation->program)) << mutation->mutator << ":\n"
                                          << mutation->program;
    program = mutation->program;
  }
}

TEST_F(IRMutatorTest, SameSeedSameMutation) {
  GeneratorOptions options;
  const std::string program = generateProgram(11, options);
  for (uint64_t seed = 0; seed < 20; ++seed) {
    fmrt::Random first(seed), second(seed);
    mlir::FailureOr<ProgramMutation> a = mutateProgram(context, program, first);
    mlir::FailureOr<ProgramMutation> b =
        mutateProgram(context, program, second);
    ASSERT_TRUE(succeeded(a) && succeeded(b));
    EXPECT_EQ(a->mutator, b->mutator);
    EXPECT_EQ(a->program, b->program);
  }
}

TEST_F(IRMutatorTest, GarbageFailsWithoutCrashing) {
  GeneratorOptions options;
  const std::string program = generateProgram(5, options);
  std::vector<std::string> garbage = {
      "",
      "garbage",
      "func.func @f(",
      "module { fm.add }",
      "func.func @f(%a: tensor<4xf32>) -> tensor<4xf32> {\n"
      "  %0 = fm.add %a, %a : tensor<4xf64>\n  return %0 : tensor<4xf32>\n}\n",
      std::string("\0\xff\x01", 3)};
  fmrt::Random random(1);
  for (int i = 0; i < 20; ++i) // Programs cut short.
    garbage.push_back(program.substr(0, random.below(program.size() - 2)));
  for (const std::string &text : garbage) {
    EXPECT_TRUE(failed(mutateProgram(context, text, random))) << text;
    EXPECT_EQ(countRemovableOps(context, text), 0u) << text;
    EXPECT_TRUE(failed(removeOps(context, text, {0}))) << text;
  }
}

TEST_F(IRMutatorTest, RemoveOpsRewiresUsesOrFails) {
  const std::string mlp =
      "func.func @f(%x: tensor<4x8xf32> {fm.data}, %w: tensor<8x8xf32> "
      "{fm.param}) -> tensor<f32> {\n"
      "  %h = fm.matmul %x, %w : tensor<4x8xf32>, tensor<8x8xf32>\n"
      "  %g = fm.gelu %h : tensor<4x8xf32>\n"
      "  %l = fm.reduce_mean %g : tensor<4x8xf32>\n"
      "  return %l : tensor<f32>\n}\n";
  EXPECT_EQ(countRemovableOps(context, mlp), 3u);
  // The gelu goes; its user reads its operand instead.
  mlir::FailureOr<std::string> withoutGelu = removeOps(context, mlp, {1});
  ASSERT_TRUE(succeeded(withoutGelu));
  EXPECT_EQ(countRemovableOps(context, *withoutGelu), 2u);
  EXPECT_NE(withoutGelu->find("fm.reduce_mean %0"), std::string::npos)
      << *withoutGelu;
  // The matmul's result has no stand-in of its type but %x: rewired to it.
  mlir::FailureOr<std::string> withoutMatmul = removeOps(context, mlp, {0});
  ASSERT_TRUE(succeeded(withoutMatmul));
  EXPECT_NE(withoutMatmul->find("fm.gelu %arg0"), std::string::npos)
      << *withoutMatmul;
  // Nothing of type tensor<f32> stands in for the loss.
  EXPECT_TRUE(failed(removeOps(context, mlp, {2})));
  EXPECT_TRUE(failed(removeOps(context, mlp, {3})));
  ASSERT_TRUE(succeeded(removeOps(context, mlp, {})));

  for (const std::string &program : seedPrograms()) {
    const unsigned count = countRemovableOps(context, program);
    ASSERT_GT(count, 0u) << program;
    std::vector<unsigned> all(count);
    for (unsigned i = 0; i < count; ++i)
      all[i] = i;
    mlir::FailureOr<std::string> empty = removeOps(context, program, all);
    if (succeeded(empty))
      EXPECT_EQ(countRemovableOps(context, *empty), 0u);
    fmrt::Random random(count);
    for (int trial = 0; trial < 20; ++trial) {
      std::vector<unsigned> subset;
      for (unsigned i = 0; i < count; ++i)
        if (random.below(4) == 0)
          subset.push_back(i);
      mlir::FailureOr<std::string> reduced =
          removeOps(context, program, subset);
      if (failed(reduced))
        continue;
      ASSERT_TRUE(parse(*reduced)) << *reduced;
      EXPECT_LE(countRemovableOps(context, *reduced), count - subset.size());
    }
  }
}

} // namespace

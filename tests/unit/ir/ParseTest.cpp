//===- ParseTest.cpp - fm::parseModule and checkParserHazards -------------===//
#include "ir/Parse.h"
#include "ir/Registration.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"

#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"

#include <gtest/gtest.h>

using namespace mlir;

namespace {

class ParseTest : public ::testing::Test {
protected:
  ParseTest() : context(makeRegistry()) {
    context.allowUnregisteredDialects();
    context.getDiagEngine().registerHandler([this](Diagnostic &diagnostic) {
      auto at = cast<FileLineColLoc>(diagnostic.getLocation());
      messages += std::to_string(at.getLine()) + ":" +
                  std::to_string(at.getColumn()) + ": " + diagnostic.str() +
                  "\n";
      for (Diagnostic &note : diagnostic.getNotes()) {
        auto noteAt = cast<FileLineColLoc>(note.getLocation());
        messages += std::to_string(noteAt.getLine()) + ":" +
                    std::to_string(noteAt.getColumn()) +
                    ": note: " + note.str() + "\n";
      }
    });
  }

  static DialectRegistry makeRegistry() {
    DialectRegistry registry;
    fm::registerFmcDialects(registry);
    return registry;
  }

  /// checkParserHazards on `text` alone.
  bool hazardFree(llvm::StringRef text) {
    llvm::SourceMgr sourceMgr;
    sourceMgr.AddNewSourceBuffer(llvm::MemoryBuffer::getMemBuffer(text, "in"),
                                 llvm::SMLoc());
    return succeeded(fm::checkParserHazards(sourceMgr, &context));
  }

  MLIRContext context;
  std::string messages;
};

TEST_F(ParseTest, ValidProgramsPass) {
  // Region arguments, attribute dictionaries (with braces and % in
  // strings), multiple results, a comment.
  const char *fusion = R"mlir(
func.func @f(%a: tensor<4xf32> {fm.name = "a {%0", fm.param}) -> (tensor<4xf32> {fm.name = "loss"}) attributes {fm.entry} {
  // %z is only in a comment {
  %0:2 = "test.pair"(%a) : (tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>)
  %p, %q = "test.pair"(%0#1) : (tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>)
  %1 = fm.fusion (%p) : (tensor<4xf32>) -> tensor<4xf32> {
  ^bb0(%x: tensor<4xf32>):
    %2 = fm.relu %x : tensor<4xf32>
    %3 = fm.add %2, %a : tensor<4xf32>, tensor<4xf32>
    fm.yield %3 : tensor<4xf32>
  }
  return %1 : tensor<4xf32>
}
func.func @g(%a: tensor<4xf32>) -> tensor<4xf32> {
  %1 = fm.relu %a : tensor<4xf32>
  return %1 : tensor<4xf32>
})mlir";
  EXPECT_TRUE(hazardFree(fusion)) << messages;

  // A loop's induction variable and iteration arguments.
  const char *loop = R"mlir(
func.func @loop(%n: index, %init: f32) -> f32 {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %r = scf.for %i = %c0 to %n step %c1 iter_args(%acc = %init) -> (f32) {
    %s = arith.addf %acc, %acc : f32
    scf.yield %s : f32
  }
  return %r : f32
})mlir";
  EXPECT_TRUE(hazardFree(loop)) << messages;

  // A forward reference within one region (a later block defines it) is
  // legal MLIR and stays legal.
  const char *blocks = R"mlir(
func.func @cfg(%a: i32) -> i32 {
  cf.br ^bb2
^bb1:
  return %x : i32
^bb2:
  %x = arith.addi %a, %a : i32
  cf.br ^bb1
})mlir";
  EXPECT_TRUE(hazardFree(blocks)) << messages;
  OwningOpRef<ModuleOp> module = fm::parseModule(blocks, &context);
  EXPECT_TRUE(module) << messages;
}

TEST_F(ParseTest, UseOutsideTheDefiningRegionIsAnError) {
  // Found by fmc fuzz: LLVM 19's parser frees %2's op with the fusion's
  // body when the body fails to parse, while %1 still uses it.
  const char *nested = R"mlir(func.func @f(%a: tensor<4xf32>) -> tensor<4xf32> {
  %1 = fm.relu %2 : tensor<4xf32>
  %0 = fm.fusion (%a) : (tensor<4xf32>) -> tensor<4xf32> {
  ^bb0(%x: tensor<4xf32>):
    %2 = fm.relu %x : tensor<4xf32>
    fm.yield %2 : tensor<4xf32
  }
  return %0 : tensor<4xf32>
})mlir";
  EXPECT_FALSE(fm::parseModule(nested, &context, "in"));
  EXPECT_EQ(messages, "2:16: value '%2' is used before its definition, which "
                      "is in a region that does not enclose this use\n"
                      "5:5: note: defined here\n");
}

TEST_F(ParseTest, BlockArgumentsAndOtherFunctionsDoNotEncloseTheUse) {
  EXPECT_FALSE(hazardFree(R"mlir(%1 = "test.op"(%x) : (index) -> i32
"test.region"() ({
^bb0(%x: index):
  "test.end"() : () -> ()
}) : () -> ()
)mlir"));
  EXPECT_NE(messages.find("1:16: value '%x'"), std::string::npos) << messages;
  EXPECT_NE(messages.find("3:6: note: defined here"), std::string::npos)
      << messages;

  messages.clear();
  EXPECT_FALSE(hazardFree(R"mlir(func.func @f() {
  %1 = "test.op"(%x) : (index) -> i32
  return
}
func.func @g() {
  %x = "test.def"() : () -> index
  return
}
)mlir"));
  EXPECT_NE(messages.find("2:18: value '%x'"), std::string::npos) << messages;
}

TEST_F(ParseTest, DefinitionsAreFoundWhereverTheLexerFindsThem) {
  // Found by fmc fuzz (bytes mode): MLIR's lexer skips a NUL like a blank,
  // so `%4<NUL>= ...` defines %4 inside the function, and the module-level
  // use of %4 before it is the use-after-free again.
  std::string nul = "%5 = \"test.op\"(%4) : (i32) -> i32\n"
                    "func.func @f() {\n"
                    "  %4";
  nul += '\0';
  nul += "= \"test.def\"() : () -> i32\n"
         "  return\n"
         "}\n";
  EXPECT_FALSE(hazardFree(nul));
  EXPECT_NE(messages.find("1:16: value '%4'"), std::string::npos) << messages;
  EXPECT_NE(messages.find("3:3: note: defined here"), std::string::npos)
      << messages;

  // A line break or a comment before the `=`, a definition in the middle
  // of a line, a carriage return, a loop's induction variable: all are
  // definitions to the parser.
  for (const char *definition :
       {"%4\n  = \"test.def\"() : () -> i32",
        "%4 // result\n  = \"test.def\"() : () -> i32",
        "\"test.nop\"() : () -> () %4 = \"test.def\"() : () -> i32",
        "\"test.nop\"() : () -> () %3, %4 = \"test.def\"() : () -> (i32, i32)",
        "%4\r= \"test.def\"() : () -> i32",
        "scf.for %4 = %c to %c step %c {\n  }"}) {
    messages.clear();
    EXPECT_FALSE(hazardFree(std::string("%5 = \"test.op\"(%4) : (i32) -> "
                                        "i32\nfunc.func @f() {\n  ") +
                            definition + "\n  return\n}\n"))
        << definition;
    EXPECT_NE(messages.find("1:16: value '%4'"), std::string::npos)
        << definition << "\n"
        << messages;
  }

  // Two ops on one line stay valid, and so does a loop whose induction
  // variable is defined in the middle of a line.
  messages.clear();
  EXPECT_TRUE(hazardFree(R"mlir(func.func @f(%n: index) {
  %c0 = arith.constant 0 : index %c1 = arith.constant 1 : index
  scf.for %i = %c0 to %n step %c1 { %j = arith.addi %i, %c1 : index }
  %k = arith.addi %c0, %c1 : index
  return
})mlir"))
      << messages;
}

TEST_F(ParseTest, DeepNestingIsAnError) {
  // Found by fmc fuzz: 10,000 nested parentheses in a type overflow the
  // parser's stack.
  std::string deep =
      "func.func @f(%a: tensor<4xf32>) -> (" + std::string(10000, '(') + "i32";
  EXPECT_FALSE(fm::parseModule(deep, &context, "in"));
  EXPECT_EQ(messages, "1:292: brackets nest deeper than 256 levels\n");

  // 256 levels, and arrows and comparisons that close none, are fine.
  messages.clear();
  std::string nested = std::string(255, '[') + std::string(255, ']') +
                       " (i32) -> i32 affine_set<(d0) : (d0 >= 0)>";
  for (int repeat = 0; repeat < 300; ++repeat)
    nested += " (i32) -> (i32)";
  EXPECT_TRUE(hazardFree(nested)) << messages;
}

} // namespace

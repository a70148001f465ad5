//===- FmProgramTest.h - A test fixture for fm programs ---------*- C++ -*-===//
//
// Parses fm programs written in tests and keeps the text of every diagnostic
// the context emits, so tests can check messages and failures can show them.
//
//===----------------------------------------------------------------------===//
#ifndef FMC_TESTS_UNIT_FMPROGRAMTEST_H
#define FMC_TESTS_UNIT_FMPROGRAMTEST_H

#include "ir/Registration.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"

#include <gtest/gtest.h>

#include <string>

namespace fm::testing {

class FmProgramTest : public ::testing::Test {
protected:
  FmProgramTest()
      : handler(&context, [this](mlir::Diagnostic &diagnostic) {
          diagnostics += diagnostic.str() + "\n";
          return mlir::success();
        }) {
    mlir::DialectRegistry registry;
    registerFmcDialects(registry);
    context.appendDialectRegistry(registry);
    context.loadAllAvailableDialects();
    context.printOpOnDiagnostic(false);
  }

  /// Parses `source` into `module`; a program that does not parse fails the
  /// test, showing the diagnostics.
  bool parse(llvm::StringRef source) {
    module = mlir::parseSourceString<mlir::ModuleOp>(source, &context);
    if (!module)
      ADD_FAILURE() << "cannot parse the test program:\n" << diagnostics;
    return static_cast<bool>(module);
  }

  mlir::MLIRContext context;
  mlir::OwningOpRef<mlir::ModuleOp> module;
  /// Every diagnostic emitted so far, one per line.
  std::string diagnostics;

private:
  mlir::ScopedDiagnosticHandler handler;
};

} // namespace fm::testing

#endif // FMC_TESTS_UNIT_FMPROGRAMTEST_H

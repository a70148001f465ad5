//===- fmc-opt.cpp - mlir-opt compatible driver for fmc -------------------===//
#include "codegen/Passes.h"
#include "codegen/cpu/CpuPipeline.h"
#include "ir/Registration.h"
#include "passes/Passes.h"
#include "tests/lib/TestPasses.h"

#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "mlir/Transforms/Passes.h"

int main(int argc, char **argv) {
  mlir::DialectRegistry registry;
  fm::registerFmcDialects(registry);
  mlir::registerTransformsPasses();
  fm::registerFmcPasses();
  fm::registerFmCodegenPasses();
  fm::test::registerTestPasses();
  fm::cpu::registerCpuDialects(registry);
  fm::cpu::registerCpuPasses();
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "fmc optimizer driver\n", registry));
}

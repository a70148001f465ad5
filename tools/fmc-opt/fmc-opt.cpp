//===- fmc-opt.cpp - mlir-opt compatible driver for fmc -------------------===//
#include "ir/Registration.h"
#include "passes/Passes.h"

#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "mlir/Transforms/Passes.h"

int main(int argc, char **argv) {
  mlir::DialectRegistry registry;
  fm::registerFmcDialects(registry);
  mlir::registerTransformsPasses();
  fm::registerFmcPasses();
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "fmc optimizer driver\n", registry));
}

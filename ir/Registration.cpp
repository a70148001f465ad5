//===- Registration.cpp - Dialects fmc tools load -------------------------===//
#include "ir/Registration.h"
#include "ir/FmDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/Extensions/InlinerExtension.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

void fm::registerFmcDialects(mlir::DialectRegistry &registry) {
  registry.insert<fm::FmDialect, mlir::func::FuncDialect,
                  mlir::arith::ArithDialect, mlir::tensor::TensorDialect>();
  // Without it the `inline` pass silently leaves func.call in place.
  mlir::func::registerInlinerExtension(registry);
}

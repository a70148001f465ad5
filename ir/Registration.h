//===- Registration.h - Dialects fmc tools load -----------------*- C++ -*-===//
#ifndef FM_IR_REGISTRATION_H
#define FM_IR_REGISTRATION_H

#include "mlir/IR/DialectRegistry.h"

namespace fm {

/// Registers `fm` and the upstream dialects fmc programs and pipelines use.
void registerFmcDialects(mlir::DialectRegistry &registry);

} // namespace fm

#endif // FM_IR_REGISTRATION_H

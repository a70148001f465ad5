//===- FmDialect.h - The fm dialect -----------------------------*- C++ -*-===//
#ifndef FM_IR_FMDIALECT_H
#define FM_IR_FMDIALECT_H

#include "mlir/IR/Dialect.h"

#include "ir/FmDialect.h.inc"

#endif // FM_IR_FMDIALECT_H

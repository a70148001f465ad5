//===- Passes.h - fmc passes ------------------------------------*- C++ -*-===//
#ifndef FM_PASSES_PASSES_H
#define FM_PASSES_PASSES_H

#include "ir/FmDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace fm {

#define GEN_PASS_DECL
#include "passes/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "passes/Passes.h.inc"

/// Registers every fm pass and fmc's named pipelines (`fm-train`).
void registerFmcPasses();

} // namespace fm

#endif // FM_PASSES_PASSES_H

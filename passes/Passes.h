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

/// Registers every fm pass and fmc's named pipelines (`fm-train`,
/// `fm-coat`).
void registerFmcPasses();

/// Replaces every fm.fusion under `root` by the ops of its body, undoing
/// fm-fuse, for code generation that does not lower fusions yet.
void inlineFusions(mlir::Operation *root);

/// Whether `op` is an elementwise fm op: each result element is computed
/// from the operand elements at the same position after numpy broadcasting
/// (arithmetic, comparisons, select, unary functions, gelu_grad, cast,
/// broadcast_to, iota). fm-fuse chains them; fm-plan-memory lets them
/// update an argument in place.
bool isElementwise(mlir::Operation *op);

} // namespace fm

#endif // FM_PASSES_PASSES_H

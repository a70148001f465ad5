//===- Passes.h - fmc passes ------------------------------------*- C++ -*-===//
#ifndef FM_PASSES_PASSES_H
#define FM_PASSES_PASSES_H

#include "ir/FmDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

#include <optional>

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

/// The bytes `function` needs at once by fm-plan-memory's plan (`peak`: its
/// arguments plus the most buffer bytes live at one time), or none when the
/// plan does not cover it (an external or multi-block function, a call the
/// planner cannot follow). Leaves the IR as it is and reports nothing.
std::optional<int64_t> plannedPeakBytes(mlir::func::FuncOp function);

} // namespace fm

#endif // FM_PASSES_PASSES_H

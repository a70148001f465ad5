//===- Invocation.h - Preparing and reporting a function call ---*- C++ -*-===//
//
// What a tool needs around Interpreter::run: choosing the entry function,
// binding `KEY=PATH.npy` inputs (KEY is a position or an `fm.name`), drawing
// random inputs, and one-line summaries of results.
//
//===----------------------------------------------------------------------===//
#ifndef FM_IR_INTERP_INVOCATION_H
#define FM_IR_INTERP_INVOCATION_H

#include "fmrt/Tensor.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"

#include <optional>
#include <string>
#include <vector>

namespace fm {

/// The function named `name`; without a name, the module's only public
/// function (or its first one when there are several). Emits an error at the
/// module when none fits.
mlir::FailureOr<mlir::func::FuncOp> findEntryFunction(mlir::ModuleOp module,
                                                      llvm::StringRef name);

/// `fm.name` of argument `index`, or "" when it has none.
llvm::StringRef getArgumentName(mlir::func::FuncOp function, unsigned index);
/// `fm.name` of result `index`, or "" when it has none.
llvm::StringRef getResultName(mlir::func::FuncOp function, unsigned index);

/// Calls `visit` for every op that reads `value`'s elements as indices or
/// labels, looking through ops that only move elements around (reshape,
/// transpose, broadcast_to, slice, concat, cast): an `fm.embedding` (when
/// the value reaches its indices) or an `fm.cross_entropy` (its labels).
void forEachIndexUse(mlir::Value value,
                     llvm::function_ref<void(mlir::Operation *)> visit);

/// Draws a tensor for every argument from a generator seeded by `seed`:
///  - `fm.param` floats: normal(0, 1) * 0.02; other floats: normal(0, 1);
///  - integers: uniform in [0, bound), where bound is the smallest valid
///    range implied by the argument's uses (rows of an `fm.embedding` table,
///    classes of an `fm.cross_entropy`), looking through shape-only ops; 16
///    when no use implies one;
///  - i1: uniform in {0, 1}.
/// Values are rounded to the argument's element type.
std::vector<fmrt::Tensor> makeRandomInputs(mlir::func::FuncOp function,
                                           uint64_t seed);

/// Reads the inputs named by `specs` ("KEY=PATH") into `inputs` (one slot per
/// argument), converting to the argument's element type. Emits an error at
/// the function for an unknown key, a repeated key, an unreadable file or a
/// tensor whose shape differs from the argument's.
mlir::LogicalResult
bindInputFiles(mlir::func::FuncOp function, llvm::ArrayRef<std::string> specs,
               std::vector<std::optional<fmrt::Tensor>> &inputs);

/// "loss: f32 = 5.5452" for a scalar, otherwise
/// "logits: 8x64x256xf32 min=-0.1 max=0.1 mean=0.0003 [0.01, -0.02, ...]".
std::string summarizeTensor(llvm::StringRef label, const fmrt::Tensor &tensor,
                            llvm::StringRef typeName);

} // namespace fm

#endif // FM_IR_INTERP_INVOCATION_H

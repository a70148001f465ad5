//===- Fp8Common.h - What the FP8 passes share ------------------*- C++ -*-===//
//
// The FP8 passes treat a training function's forward values (what its loss
// depends on) differently from its backward values (gradients): E4M3
// against E5M2 GEMM operands, and activations saved for the backward pass.
// They all scale a tensor by its (group) amax the same way.
//
//===----------------------------------------------------------------------===//
#ifndef FM_PASSES_FP8COMMON_H
#define FM_PASSES_FP8COMMON_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"

#include "llvm/ADT/DenseSet.h"

namespace fm {

/// The values `function`'s loss depends on, the loss included: its forward
/// pass. The loss is the first result when that is a rank-0 float (as in
/// fm-autodiff's gradient function and fm-optimizer's @train_step); without
/// one the set is empty.
llvm::DenseSet<mlir::Value> forwardValues(mlir::func::FuncOp function);

/// The scale that maps `amax` (f32, any shape: per tensor or per group) onto
/// FP8 type `fp8`: max(amax, 1e-30) / fmax. The floor keeps an all-zero
/// tensor or group at zeros rather than NaN.
mlir::Value scaleFromAmax(mlir::OpBuilder &builder, mlir::Location loc,
                          mlir::Value amax, mlir::FloatType fp8);

} // namespace fm

#endif // FM_PASSES_FP8COMMON_H

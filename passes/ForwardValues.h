//===- ForwardValues.h - The forward pass of a training function -*- C++
//-*-===//
//
// The FP8 passes treat a training function's forward values (what its loss
// depends on) differently from its backward values (gradients): E4M3
// against E5M2 GEMM operands, and activations saved for the backward pass.
//
//===----------------------------------------------------------------------===//
#ifndef FM_PASSES_FORWARDVALUES_H
#define FM_PASSES_FORWARDVALUES_H

#include "mlir/Dialect/Func/IR/FuncOps.h"

#include "llvm/ADT/DenseSet.h"

namespace fm {

/// The values `function`'s loss depends on, the loss included: its forward
/// pass. The loss is the first result when that is a rank-0 float (as in
/// fm-autodiff's gradient function and fm-optimizer's @train_step); without
/// one the set is empty.
llvm::DenseSet<mlir::Value> forwardValues(mlir::func::FuncOp function);

} // namespace fm

#endif // FM_PASSES_FORWARDVALUES_H

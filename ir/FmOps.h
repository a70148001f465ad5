//===- FmOps.h - Operations of the fm dialect -------------------*- C++ -*-===//
#ifndef FM_IR_FMOPS_H
#define FM_IR_FMOPS_H

#include "ir/FmDialect.h"

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/ControlFlowInterfaces.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

namespace fm {

/// Infers the result of an elementwise op: the numpy broadcast of the operand
/// shapes, with the operands' common element type unless `resultElement` is
/// given. Messages number the operands from `firstOperandIndex`.
llvm::LogicalResult
inferBroadcastResult(std::optional<mlir::Location> location,
                     mlir::ValueRange operands, mlir::Type resultElement,
                     llvm::SmallVectorImpl<mlir::Type> &inferred,
                     unsigned firstOperandIndex = 0);

/// Infers the result of a reduction over `axes` (all axes when null).
llvm::LogicalResult
inferReduceResult(std::optional<mlir::Location> location, mlir::Value input,
                  std::optional<llvm::ArrayRef<int64_t>> axes, bool keepdim,
                  llvm::SmallVectorImpl<mlir::Type> &inferred);

/// `axis` (possibly negative, counting from the end) as a non-negative index.
inline int64_t normalizeAxis(int64_t axis, int64_t rank) {
  return axis < 0 ? axis + rank : axis;
}

/// The largest finite value of `type` (448 for E4M3FN, 57344 for E5M2).
inline float largestFinite(mlir::FloatType type) {
  return llvm::APFloat::getLargest(type.getFloatSemantics()).convertToFloat();
}

/// Reduction axes made non-negative and sorted; all axes when absent.
llvm::SmallVector<int64_t>
normalizeReduceAxes(int64_t rank, std::optional<llvm::ArrayRef<int64_t>> axes);

} // namespace fm

#define GET_OP_CLASSES
#include "ir/FmOps.h.inc"

#endif // FM_IR_FMOPS_H

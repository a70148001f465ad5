//===- NarrowFloats.h - Exact bf16/FP8 conversions in IR --------*- C++ -*-===//
//
// Builds arith ops that convert between f32 and the narrow float types with
// integer bit arithmetic, bit-for-bit as runtime/lib/Numerics.cpp (round to
// nearest even; FP8 saturates finite overflow and infinities, NaN stays
// NaN). LLVM has no FP8 types, and its bf16 truncation depends on the host.
//
//===----------------------------------------------------------------------===//
#ifndef FM_CODEGEN_NARROWFLOATS_H
#define FM_CODEGEN_NARROWFLOATS_H

#include "mlir/IR/Builders.h"

namespace fm {

/// True for the element types computed in f32 and stored narrow: bf16, f16,
/// f8E4M3FN, f8E5M2.
bool isNarrowFloat(mlir::Type type);

/// Widens a scalar of a narrow float type (or f32, returned as is) to f32.
mlir::Value widenToF32(mlir::OpBuilder &builder, mlir::Location loc,
                       mlir::Value value);

/// Rounds an f32 scalar to `type` (a narrow float type or f32).
mlir::Value narrowFromF32(mlir::OpBuilder &builder, mlir::Location loc,
                          mlir::Value value, mlir::Type type);

} // namespace fm

#endif // FM_CODEGEN_NARROWFLOATS_H

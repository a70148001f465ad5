//===- FmDialect.h - The fm dialect -----------------------------*- C++ -*-===//
#ifndef FM_IR_FMDIALECT_H
#define FM_IR_FMDIALECT_H

#include "mlir/IR/Dialect.h"

#include "ir/FmDialect.h.inc"

namespace fm {

/// The most elements an fm tensor may have (2^40): element and byte counts
/// of any tensor then fit in int64 with room to spare.
inline constexpr int64_t kMaxTensorElements = int64_t(1) << 40;

/// Whether `type` is a statically shaped tensor of at most
/// kMaxTensorElements elements (counted without overflowing).
bool hasAddressableSize(mlir::Type type);

} // namespace fm

#endif // FM_IR_FMDIALECT_H

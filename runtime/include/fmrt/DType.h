//===- DType.h - Element types of host tensors ------------------*- C++ -*-===//
#ifndef FMRT_DTYPE_H
#define FMRT_DTYPE_H

#include <cstddef>
#include <optional>
#include <string_view>

namespace fmrt {

/// Element types known to the runtime. F64 is not an `fm` tensor element type;
/// it exists for host-side I/O and the interpreter's f64 mode.
enum class DType {
  F32,
  F64,
  F16,
  BF16,
  F8E4M3FN,
  F8E5M2,
  I32,
  I64,
  I1,
};

/// Bytes one element occupies in a host buffer (I1 is stored as one byte).
size_t dtypeSize(DType type);
bool isFloat(DType type);
bool isInteger(DType type); // I32, I64 (not I1)
/// MLIR spelling: "f32", "bf16", "f8E4M3FN", "i1", ...
std::string_view dtypeName(DType type);
std::optional<DType> parseDType(std::string_view name);

} // namespace fmrt

#endif // FMRT_DTYPE_H

//===- Npy.h - NumPy .npy files ---------------------------------*- C++ -*-===//
//
// Reads and writes .npy format 1.0/2.0 (little-endian, C order) for f32, f64,
// f16, i32, i64 and bool. bf16 and FP8 tensors are written as f32 arrays that
// hold their exact values; reading into such a type rounds exactly.
//
//===----------------------------------------------------------------------===//
#ifndef FMRT_NPY_H
#define FMRT_NPY_H

#include "fmrt/Status.h"
#include "fmrt/Tensor.h"

#include <string>

namespace fmrt {

/// Reads a file as the tensor it stores, in the file's own dtype.
Expected<Tensor> readNpy(const std::string &path);
/// Parses an in-memory .npy image; `name` is used in messages.
Expected<Tensor> parseNpy(const std::string &bytes, const std::string &name);
Status writeNpy(const std::string &path, const Tensor &tensor);
std::string serializeNpy(const Tensor &tensor);

} // namespace fmrt

#endif // FMRT_NPY_H

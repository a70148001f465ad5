//===- Init.h - fmc's parameter initialization scheme -----------*- C++ -*-===//
//
// The initial values `fmc train` documents for a fresh run, in one place so
// that every runtime that starts training (the interpreter's trainer, an
// embedded session) starts from the same state for the same seed.
//
//===----------------------------------------------------------------------===//
#ifndef FMRT_INIT_H
#define FMRT_INIT_H

#include "fmrt/Random.h"
#include "fmrt/Tensor.h"

#include <string_view>

namespace fmrt {

/// Standard deviation of the normal draws for matrices.
inline constexpr double kWeightInitStd = 0.02;

/// Fills the trained parameter `tensor` called `name`: tensors of rank >= 2
/// (matrices) from N(0, kWeightInitStd^2), drawn from `random` in C order;
/// other tensors whose name contains "scale" (norm scales) with ones; the
/// rest (biases) with zeros. Optimizer state is not a parameter: it starts
/// at zero.
void initializeParameter(Tensor &tensor, std::string_view name, Random &random);

} // namespace fmrt

#endif // FMRT_INIT_H

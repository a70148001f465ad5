//===- Kernels.h - Layout and element helpers -------------------*- C++ -*-===//
//
// The building blocks the interpreter's op semantics are written with:
//  - shape arithmetic (C-order strides, numpy broadcast strides, strided
//    views, lines along an axis);
//  - `walk`, one C-order loop nest that tracks an offset per operand through
//    per-axis strides. Broadcasting, transposes, slices, reductions and batch
//    loops are all this walk with different strides (0 along a broadcast or
//    reduced axis);
//  - `decode`/`encode` between host tensors (in their own bit layout) and flat
//    vectors of compute values, rounding exactly by the numerics contract.
//
//===----------------------------------------------------------------------===//
#ifndef FM_IR_INTERP_KERNELS_H
#define FM_IR_INTERP_KERNELS_H

#include "fmrt/Numerics.h"
#include "fmrt/Tensor.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/Support/ErrorHandling.h"

#include <array>
#include <cstdint>
#include <type_traits>
#include <utility>
#include <vector>

namespace fm::interp {

using fmrt::Shape;

/// C-order strides, in elements, of a dense tensor of `shape`.
Shape stridesOf(llvm::ArrayRef<int64_t> shape);

/// Strides that read a dense operand of shape `operand` while walking its
/// numpy broadcast `result`: trailing axes aligned, 0 along the axes the
/// operand lacks or stretches from size 1.
Shape broadcastStrides(llvm::ArrayRef<int64_t> operand,
                       llvm::ArrayRef<int64_t> result);

/// Visits every index of `shape` in C order and calls `visit(offsets)`, where
/// `offsets[n]` is the dot product of the index with `strides[n]`. Visits are
/// in C order, so a counter in `visit` is the flat index into `shape`. A
/// rank-0 shape has one element; a shape with a zero axis has none.
template <size_t N, typename Visit>
void walk(llvm::ArrayRef<int64_t> shape, const std::array<Shape, N> &strides,
          Visit visit) {
  for (int64_t size : shape)
    if (size == 0)
      return;
  std::array<int64_t, N> offsets{};
  const int64_t rank = static_cast<int64_t>(shape.size());
  if (rank == 0) {
    visit(offsets);
    return;
  }
  // The innermost axis is a plain loop; the outer axes are an odometer that
  // adds an axis' stride on increment and rewinds it on wrap-around.
  llvm::SmallVector<int64_t> index(rank, 0);
  const int64_t inner = shape.back();
  while (true) {
    std::array<int64_t, N> current = offsets;
    for (int64_t i = 0; i < inner; ++i) {
      visit(current);
      for (size_t n = 0; n < N; ++n)
        current[n] += strides[n][rank - 1];
    }
    int64_t axis = rank - 2;
    for (; axis >= 0; --axis) {
      for (size_t n = 0; n < N; ++n)
        offsets[n] += strides[n][axis];
      if (++index[axis] < shape[axis])
        break;
      for (size_t n = 0; n < N; ++n)
        offsets[n] -= strides[n][axis] * shape[axis];
      index[axis] = 0;
    }
    if (axis < 0)
      return;
  }
}

/// The flat offset of index `start` and the per-axis strides of stepping
/// `step` elements along each axis in a dense tensor of `shape`: the strided
/// view that slices read and pads write.
std::pair<int64_t, Shape> stridedView(llvm::ArrayRef<int64_t> shape,
                                      llvm::ArrayRef<int64_t> start,
                                      llvm::ArrayRef<int64_t> step);

/// Calls `visit(first, step)` once for every line of a dense tensor of
/// `shape` along `axis`: the line's `shape[axis]` elements are at flat offsets
/// `first + j * step`.
template <typename Visit>
void forEachLine(llvm::ArrayRef<int64_t> shape, int64_t axis, Visit visit) {
  int64_t outer = 1, inner = 1;
  for (int64_t a = 0; a < axis; ++a)
    outer *= shape[a];
  for (size_t a = axis + 1; a < shape.size(); ++a)
    inner *= shape[a];
  const int64_t size = shape[axis];
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < inner; ++i)
      visit(o * size * inner + i, inner);
}

/// Calls `f(word)` with a value of the unsigned type as wide as one element
/// of `dtype`, so that data-movement kernels copy elements without decoding.
template <typename F> decltype(auto) withElementWord(fmrt::DType dtype, F f) {
  switch (fmrt::dtypeSize(dtype)) {
  case 1:
    return f(uint8_t());
  case 2:
    return f(uint16_t());
  case 4:
    return f(uint32_t());
  default:
    return f(uint64_t());
  }
}

/// The elements of `tensor` as `T`: float compute types (float, double) read
/// float tensors, int64_t reads integer and i1 tensors. Narrow floats decode
/// exactly.
template <typename T> std::vector<T> decode(const fmrt::Tensor &tensor) {
  std::vector<T> values(tensor.numElements());
  auto convert = [&](const auto *data, auto toValue) {
    for (size_t i = 0; i < values.size(); ++i)
      values[i] = static_cast<T>(toValue(data[i]));
  };
  auto same = [](auto value) { return value; };
  switch (tensor.dtype()) {
  case fmrt::DType::F32:
    convert(tensor.dataAs<float>(), same);
    break;
  case fmrt::DType::F64:
    convert(tensor.dataAs<double>(), same);
    break;
  case fmrt::DType::F16:
    convert(tensor.dataAs<uint16_t>(), fmrt::f16ToFloat);
    break;
  case fmrt::DType::BF16:
    convert(tensor.dataAs<uint16_t>(), fmrt::bf16ToFloat);
    break;
  case fmrt::DType::F8E4M3FN:
    convert(tensor.dataAs<uint8_t>(), fmrt::e4m3ToFloat);
    break;
  case fmrt::DType::F8E5M2:
    convert(tensor.dataAs<uint8_t>(), fmrt::e5m2ToFloat);
    break;
  case fmrt::DType::I32:
    convert(tensor.dataAs<int32_t>(), same);
    break;
  case fmrt::DType::I64:
    convert(tensor.dataAs<int64_t>(), same);
    break;
  case fmrt::DType::I1:
    convert(tensor.dataAs<uint8_t>(), same);
    break;
  }
  return values;
}

/// A tensor of `dtype` and `shape` holding `values`. Float values (float or
/// double) go to float tensors, rounded once to the element type by the
/// numerics contract (narrow types round from f32, which is exact in the F32
/// mode where they occur). Integer values go to integer tensors, wrapping to
/// the element width, or to i1 as `value != 0`.
template <typename T>
fmrt::Tensor encode(const std::vector<T> &values, fmrt::DType dtype,
                    Shape shape) {
  fmrt::Tensor tensor(dtype, std::move(shape));
  auto fill = [&](auto *data, auto fromValue) {
    for (size_t i = 0; i < values.size(); ++i)
      data[i] = fromValue(values[i]);
  };
  if constexpr (std::is_floating_point_v<T>) {
    auto exact = [](auto zero) {
      return [](T value) { return static_cast<decltype(zero)>(value); };
    };
    auto narrow = [](auto convert) {
      return [convert](T value) { return convert(static_cast<float>(value)); };
    };
    switch (dtype) {
    case fmrt::DType::F32:
      fill(tensor.dataAs<float>(), exact(float()));
      break;
    case fmrt::DType::F64:
      fill(tensor.dataAs<double>(), exact(double()));
      break;
    case fmrt::DType::F16:
      fill(tensor.dataAs<uint16_t>(), narrow(fmrt::floatToF16));
      break;
    case fmrt::DType::BF16:
      fill(tensor.dataAs<uint16_t>(), narrow(fmrt::floatToBF16));
      break;
    case fmrt::DType::F8E4M3FN:
      fill(tensor.dataAs<uint8_t>(), narrow(fmrt::floatToE4M3));
      break;
    case fmrt::DType::F8E5M2:
      fill(tensor.dataAs<uint8_t>(), narrow(fmrt::floatToE5M2));
      break;
    default:
      llvm_unreachable("float values are encoded into float tensors only");
    }
  } else {
    switch (dtype) {
    case fmrt::DType::I32:
      // Two's complement truncation: the wrap-around of i32 arithmetic.
      fill(tensor.dataAs<int32_t>(),
           [](T value) { return static_cast<int32_t>(value); });
      break;
    case fmrt::DType::I64:
      fill(tensor.dataAs<int64_t>(),
           [](T value) { return static_cast<int64_t>(value); });
      break;
    case fmrt::DType::I1:
      fill(tensor.dataAs<uint8_t>(),
           [](T value) { return static_cast<uint8_t>(value != 0); });
      break;
    default:
      llvm_unreachable("integer values are encoded into integer tensors only");
    }
  }
  return tensor;
}

} // namespace fm::interp

#endif // FM_IR_INTERP_KERNELS_H

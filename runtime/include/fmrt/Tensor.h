//===- Tensor.h - Host tensors ----------------------------------*- C++ -*-===//
//
// A dense, C-ordered host tensor that owns a 64-byte aligned buffer. Narrow
// element types are stored in their own bit layout (bf16/f16 as uint16_t, FP8
// as uint8_t, i1 as one byte holding 0 or 1). Copying a Tensor copies the data.
//
//===----------------------------------------------------------------------===//
#ifndef FMRT_TENSOR_H
#define FMRT_TENSOR_H

#include "fmrt/DType.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace fmrt {

using Shape = std::vector<int64_t>;

int64_t numElements(const Shape &shape);
/// "4x8x16" (empty string for rank 0).
std::string formatShape(const Shape &shape);

class Tensor {
public:
  Tensor() = default;
  /// A zero-filled tensor.
  Tensor(DType dtype, Shape shape);
  Tensor(const Tensor &other);
  Tensor &operator=(const Tensor &other);
  Tensor(Tensor &&) noexcept = default;
  Tensor &operator=(Tensor &&) noexcept = default;

  DType dtype() const { return dtype_; }
  const Shape &shape() const { return shape_; }
  int64_t rank() const { return static_cast<int64_t>(shape_.size()); }
  int64_t numElements() const { return numElements_; }
  size_t byteSize() const { return numElements_ * dtypeSize(dtype_); }

  void *data() { return data_.get(); }
  const void *data() const { return data_.get(); }
  template <typename T> T *dataAs() { return static_cast<T *>(data()); }
  template <typename T> const T *dataAs() const {
    return static_cast<const T *>(data());
  }

  /// Element `index` (flat, C order) decoded exactly to double.
  double getDouble(int64_t index) const;
  /// Stores `value` rounded to the element type by the numerics contract
  /// (integers: truncation toward zero with wrap-around; i1: value != 0).
  void setDouble(int64_t index, double value);
  int64_t getInt(int64_t index) const;
  void setInt(int64_t index, int64_t value);

  /// A tensor of the same data viewed with another shape of equal size.
  Tensor reshaped(Shape shape) const;

private:
  struct FreeDeleter {
    void operator()(void *p) const;
  };
  DType dtype_ = DType::F32;
  Shape shape_;
  int64_t numElements_ = 0;
  std::unique_ptr<uint8_t[], FreeDeleter> data_;
};

/// Converts `tensor` to `dtype`, rounding exactly (numerics contract).
Tensor convertTensor(const Tensor &tensor, DType dtype);

} // namespace fmrt

#endif // FMRT_TENSOR_H

//===- Tensor.cpp - Host tensors ------------------------------------------===//

#include "fmrt/Tensor.h"

#include "fmrt/Numerics.h"

#include <cassert>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace fmrt {

namespace {

constexpr size_t kAlignment = 64;

/// Allocates `bytes` zeroed bytes aligned to kAlignment. Without exceptions
/// there is no way to report failure through a constructor, so running out
/// of memory aborts with a message rather than returning a dangling tensor.
uint8_t *allocateZeroed(size_t bytes) {
  // aligned_alloc wants a size that is a multiple of the alignment, and a
  // non-zero size keeps data() non-null for empty tensors.
  const size_t rounded = (bytes + kAlignment - 1) / kAlignment * kAlignment;
  const size_t size = rounded == 0 ? kAlignment : rounded;
  void *p = std::aligned_alloc(kAlignment, size);
  if (!p) {
    std::fprintf(stderr, "fmrt: out of memory allocating %zu bytes\n", size);
    std::abort();
  }
  std::memset(p, 0, size);
  return static_cast<uint8_t *>(p);
}

/// double -> integer by truncation toward zero, wrapping modulo 2^64 (NaN and
/// infinities give 0). A plain cast is undefined outside the target range.
uint64_t truncateWrapping(double value) {
  if (!std::isfinite(value))
    return 0;
  constexpr double kTwo63 = 9223372036854775808.0;
  constexpr double kTwo64 = 18446744073709551616.0;
  // fmod is exact; for |m| >= 2^63 the value is a multiple of 2^11, so
  // shifting it by 2^64 into [-2^63, 2^63) is exact too.
  double m = std::fmod(std::trunc(value), kTwo64);
  if (m >= kTwo63)
    m -= kTwo64;
  else if (m < -kTwo63)
    m += kTwo64;
  return static_cast<uint64_t>(static_cast<int64_t>(m));
}

template <typename T> T load(const void *data, int64_t index) {
  T value;
  std::memcpy(&value, static_cast<const uint8_t *>(data) + index * sizeof(T),
              sizeof(T));
  return value;
}

template <typename T> void store(void *data, int64_t index, T value) {
  std::memcpy(static_cast<uint8_t *>(data) + index * sizeof(T), &value,
              sizeof(T));
}

} // namespace

int64_t numElements(const Shape &shape) {
  int64_t count = 1;
  for (int64_t dim : shape) {
    assert(dim >= 0 && "negative dimension");
    count *= dim;
  }
  return count;
}

std::string formatShape(const Shape &shape) {
  std::string text;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i)
      text += 'x';
    text += std::to_string(shape[i]);
  }
  return text;
}

void Tensor::FreeDeleter::operator()(void *p) const { std::free(p); }

Tensor::Tensor(DType dtype, Shape shape)
    : dtype_(dtype), shape_(std::move(shape)),
      numElements_(fmrt::numElements(shape_)),
      data_(allocateZeroed(byteSize())) {}

Tensor::Tensor(const Tensor &other)
    : dtype_(other.dtype_), shape_(other.shape_),
      numElements_(other.numElements_) {
  if (other.data_) {
    data_.reset(allocateZeroed(byteSize()));
    std::memcpy(data_.get(), other.data_.get(), byteSize());
  }
}

Tensor &Tensor::operator=(const Tensor &other) {
  if (this != &other)
    *this = Tensor(other);
  return *this;
}

double Tensor::getDouble(int64_t index) const {
  assert(index >= 0 && index < numElements_ && "index out of range");
  const void *p = data();
  switch (dtype_) {
  case DType::F32:
    return load<float>(p, index);
  case DType::F64:
    return load<double>(p, index);
  case DType::F16:
    return f16ToFloat(load<uint16_t>(p, index));
  case DType::BF16:
    return bf16ToFloat(load<uint16_t>(p, index));
  case DType::F8E4M3FN:
    return e4m3ToFloat(load<uint8_t>(p, index));
  case DType::F8E5M2:
    return e5m2ToFloat(load<uint8_t>(p, index));
  case DType::I32:
    return load<int32_t>(p, index);
  case DType::I64:
    return static_cast<double>(load<int64_t>(p, index));
  case DType::I1:
    return load<uint8_t>(p, index) ? 1.0 : 0.0;
  }
  return 0.0;
}

// Narrow float types are rounded from (float)value: the conversions of the
// numerics contract take f32. For a double that is not exactly an f32 (the
// interpreter's f64 mode) this rounds twice, which can differ from a single
// double -> narrow rounding in rare halfway cases.
void Tensor::setDouble(int64_t index, double value) {
  assert(index >= 0 && index < numElements_ && "index out of range");
  void *p = data();
  const float f = static_cast<float>(value);
  switch (dtype_) {
  case DType::F32:
    return store<float>(p, index, f);
  case DType::F64:
    return store<double>(p, index, value);
  case DType::F16:
    return store<uint16_t>(p, index, floatToF16(f));
  case DType::BF16:
    return store<uint16_t>(p, index, floatToBF16(f));
  case DType::F8E4M3FN:
    return store<uint8_t>(p, index, floatToE4M3(f));
  case DType::F8E5M2:
    return store<uint8_t>(p, index, floatToE5M2(f));
  case DType::I32:
    return store<int32_t>(p, index,
                          static_cast<int32_t>(truncateWrapping(value)));
  case DType::I64:
    return store<int64_t>(p, index,
                          static_cast<int64_t>(truncateWrapping(value)));
  case DType::I1:
    return store<uint8_t>(p, index, value != 0.0);
  }
}

int64_t Tensor::getInt(int64_t index) const {
  assert(index >= 0 && index < numElements_ && "index out of range");
  switch (dtype_) {
  case DType::I32:
    return load<int32_t>(data(), index);
  case DType::I64:
    return load<int64_t>(data(), index);
  case DType::I1:
    return load<uint8_t>(data(), index);
  default:
    // Float element: truncated toward zero, wrapping like setDouble does.
    return static_cast<int64_t>(truncateWrapping(getDouble(index)));
  }
}

void Tensor::setInt(int64_t index, int64_t value) {
  assert(index >= 0 && index < numElements_ && "index out of range");
  switch (dtype_) {
  case DType::I32:
    return store<int32_t>(data(), index, static_cast<int32_t>(value));
  case DType::I64:
    return store<int64_t>(data(), index, value);
  case DType::I1:
    return store<uint8_t>(data(), index, value != 0);
  default:
    return setDouble(index, static_cast<double>(value));
  }
}

Tensor Tensor::reshaped(Shape shape) const {
  assert(fmrt::numElements(shape) == numElements_ &&
         "reshape must keep the element count");
  Tensor result(*this);
  result.shape_ = std::move(shape);
  return result;
}

Tensor convertTensor(const Tensor &tensor, DType dtype) {
  if (tensor.dtype() == dtype)
    return tensor;
  Tensor result(dtype, tensor.shape());
  const int64_t n = tensor.numElements();
  // Integer sources go through int64 so that i64 -> i32 wraps exactly;
  // everything else decodes exactly to double and rounds once (setDouble).
  if (!isFloat(tensor.dtype()) && !isFloat(dtype)) {
    for (int64_t i = 0; i < n; ++i)
      result.setInt(i, tensor.getInt(i));
  } else {
    for (int64_t i = 0; i < n; ++i)
      result.setDouble(i, tensor.getDouble(i));
  }
  return result;
}

} // namespace fmrt

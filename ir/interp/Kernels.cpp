//===- Kernels.cpp - Layout helpers of the interpreter --------------------===//

#include "ir/interp/Kernels.h"

namespace fm::interp {

Shape stridesOf(llvm::ArrayRef<int64_t> shape) {
  Shape strides(shape.size());
  int64_t stride = 1;
  for (size_t axis = shape.size(); axis-- > 0;) {
    strides[axis] = stride;
    stride *= shape[axis];
  }
  return strides;
}

Shape broadcastStrides(llvm::ArrayRef<int64_t> operand,
                       llvm::ArrayRef<int64_t> result) {
  Shape dense = stridesOf(operand);
  Shape strides(result.size(), 0);
  const size_t offset = result.size() - operand.size();
  for (size_t axis = 0; axis < operand.size(); ++axis)
    if (operand[axis] != 1)
      strides[axis + offset] = dense[axis];
  return strides;
}

std::pair<int64_t, Shape> stridedView(llvm::ArrayRef<int64_t> shape,
                                      llvm::ArrayRef<int64_t> start,
                                      llvm::ArrayRef<int64_t> step) {
  Shape dense = stridesOf(shape);
  int64_t base = 0;
  Shape strides;
  for (size_t axis = 0; axis < dense.size(); ++axis) {
    base += start[axis] * dense[axis];
    strides.push_back(step[axis] * dense[axis]);
  }
  return {base, strides};
}

} // namespace fm::interp

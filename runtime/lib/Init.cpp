//===- Init.cpp - fmc's parameter initialization scheme -------------------===//

#include "fmrt/Init.h"

namespace fmrt {

void initializeParameter(Tensor &tensor, std::string_view name,
                         Random &random) {
  const bool matrix = tensor.rank() >= 2;
  const bool scale = name.find("scale") != std::string_view::npos;
  for (int64_t i = 0; i < tensor.numElements(); ++i)
    tensor.setDouble(i, matrix  ? random.normal() * kWeightInitStd
                        : scale ? 1.0
                                : 0.0);
}

} // namespace fmrt

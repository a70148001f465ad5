//===- CApiTestUtil.h - Helpers for the C API's tests -----------*- C++ -*-===//
#ifndef FMRT_TEST_CAPITESTUTIL_H
#define FMRT_TEST_CAPITESTUTIL_H

#include "fmrt/fmrt.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <unistd.h>
#include <vector>

namespace fmrt::test {

struct TensorDeleter {
  void operator()(fmrt_tensor *tensor) const { fmrt_tensor_destroy(tensor); }
};
using TensorPtr = std::unique_ptr<fmrt_tensor, TensorDeleter>;

struct ArtifactDeleter {
  void operator()(fmrt_artifact *artifact) const {
    fmrt_artifact_unload(artifact);
  }
};
using ArtifactPtr = std::unique_ptr<fmrt_artifact, ArtifactDeleter>;

struct SessionDeleter {
  void operator()(fmrt_session *session) const {
    fmrt_session_destroy(session);
  }
};
using SessionPtr = std::unique_ptr<fmrt_session, SessionDeleter>;

inline TensorPtr makeTensor(fmrt_dtype dtype, std::vector<int64_t> shape,
                            const void *data = nullptr) {
  fmrt_tensor *tensor = nullptr;
  EXPECT_EQ(fmrt_tensor_create(dtype, shape.data(),
                               static_cast<int64_t>(shape.size()), data,
                               &tensor),
            FMRT_OK)
      << fmrt_last_error();
  return TensorPtr(tensor);
}

inline TensorPtr makeF32(std::vector<int64_t> shape,
                         const std::vector<float> &values) {
  return makeTensor(FMRT_F32, std::move(shape), values.data());
}

inline std::vector<float> valuesOf(const fmrt_tensor *tensor) {
  const float *data =
      static_cast<const float *>(fmrt_tensor_const_data(tensor));
  return std::vector<float>(data, data + fmrt_tensor_num_elements(tensor));
}

inline ArtifactPtr loadArtifact(const std::string &path) {
  fmrt_artifact *artifact = nullptr;
  EXPECT_EQ(fmrt_artifact_load(path.c_str(), &artifact), FMRT_OK)
      << fmrt_last_error();
  return ArtifactPtr(artifact);
}

/// A path for a test file, unique to this process.
inline std::string tempPath(const std::string &name) {
  return ::testing::TempDir() + "fmrt-capi-" + std::to_string(getpid()) + "-" +
         name;
}

/// Expects `status` to be `code` with fmrt_last_error() equal to `message`.
#define EXPECT_FMRT_ERROR(status, code, message)                               \
  do {                                                                         \
    EXPECT_EQ(fmrt_status_name(status), fmrt_status_name(code));               \
    EXPECT_EQ(std::string(fmrt_last_error()), message);                        \
  } while (0)

} // namespace fmrt::test

#endif // FMRT_TEST_CAPITESTUTIL_H

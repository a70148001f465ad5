//===- CApiTest.cpp - The C API's tensors, files and errors ---------------===//

#include "CApiTestUtil.h"

#include <cstdio>
#include <cstring>
#include <thread>

using namespace fmrt::test;

namespace {

TEST(CApiTest, StatusNamesAndVersion) {
  EXPECT_STREQ(fmrt_status_name(FMRT_OK), "FMRT_OK");
  EXPECT_STREQ(fmrt_status_name(FMRT_VERSION_MISMATCH),
               "FMRT_VERSION_MISMATCH");
  EXPECT_STREQ(fmrt_status_name(static_cast<fmrt_status>(9)),
               "FMRT_UNKNOWN_STATUS");
  EXPECT_STREQ(fmrt_version(), "0.1.0");
}

TEST(CApiTest, DTypes) {
  EXPECT_STREQ(fmrt_dtype_name(FMRT_F32), "f32");
  EXPECT_STREQ(fmrt_dtype_name(FMRT_BF16), "bf16");
  EXPECT_STREQ(fmrt_dtype_name(FMRT_F8E4M3FN), "f8E4M3FN");
  EXPECT_STREQ(fmrt_dtype_name(FMRT_I1), "i1");
  EXPECT_EQ(fmrt_dtype_name(static_cast<fmrt_dtype>(9)), nullptr);
  EXPECT_EQ(fmrt_dtype_size(FMRT_F64), 8u);
  EXPECT_EQ(fmrt_dtype_size(FMRT_F8E5M2), 1u);
  EXPECT_EQ(fmrt_dtype_size(static_cast<fmrt_dtype>(15)), 0u);
}

TEST(CApiTest, TensorsHaveShapeStridesAndData) {
  const std::vector<float> values = {1, 2, 3, 4, 5, 6};
  TensorPtr tensor = makeF32({2, 3}, values);
  EXPECT_EQ(fmrt_tensor_dtype(tensor.get()), FMRT_F32);
  EXPECT_EQ(fmrt_tensor_rank(tensor.get()), 2);
  EXPECT_EQ(fmrt_tensor_shape(tensor.get())[0], 2);
  EXPECT_EQ(fmrt_tensor_shape(tensor.get())[1], 3);
  int64_t strides[2];
  fmrt_tensor_strides(tensor.get(), strides);
  EXPECT_EQ(strides[0], 3);
  EXPECT_EQ(strides[1], 1);
  EXPECT_EQ(fmrt_tensor_num_elements(tensor.get()), 6);
  EXPECT_EQ(fmrt_tensor_byte_size(tensor.get()), 24u);
  EXPECT_EQ(valuesOf(tensor.get()), values);
  // Buffers are 64-byte aligned, as compiled code may assume.
  EXPECT_EQ(reinterpret_cast<uintptr_t>(fmrt_tensor_data(tensor.get())) % 64,
            0u);

  fmrt_tensor *copy = nullptr;
  ASSERT_EQ(fmrt_tensor_clone(tensor.get(), &copy), FMRT_OK);
  TensorPtr owned(copy);
  static_cast<float *>(fmrt_tensor_data(tensor.get()))[0] = 100;
  EXPECT_EQ(valuesOf(owned.get()), values);

  TensorPtr scalar = makeTensor(FMRT_I64, {});
  EXPECT_EQ(fmrt_tensor_rank(scalar.get()), 0);
  EXPECT_EQ(fmrt_tensor_shape(scalar.get()), nullptr);
  EXPECT_EQ(fmrt_tensor_num_elements(scalar.get()), 1);
  EXPECT_EQ(*static_cast<const int64_t *>(fmrt_tensor_const_data(scalar.get())),
            0);
}

TEST(CApiTest, TensorCreateErrors) {
  fmrt_tensor *tensor = nullptr;
  const int64_t negative[] = {2, -1};
  EXPECT_FMRT_ERROR(fmrt_tensor_create(FMRT_F32, negative, 2, nullptr, &tensor),
                    FMRT_INVALID_ARGUMENT,
                    "fmrt_tensor_create: invalid shape 2x-1");
  const int64_t huge[] = {int64_t{1} << 40, int64_t{1} << 40};
  EXPECT_FMRT_ERROR(fmrt_tensor_create(FMRT_F32, huge, 2, nullptr, &tensor),
                    FMRT_INVALID_ARGUMENT,
                    "fmrt_tensor_create: invalid shape "
                    "1099511627776x1099511627776");
  EXPECT_FMRT_ERROR(fmrt_tensor_create(FMRT_F32, nullptr, 1, nullptr, &tensor),
                    FMRT_INVALID_ARGUMENT, "fmrt_tensor_create: shape is null");
  EXPECT_FMRT_ERROR(fmrt_tensor_create(FMRT_F32, nullptr, -1, nullptr, &tensor),
                    FMRT_INVALID_ARGUMENT,
                    "fmrt_tensor_create: negative rank -1");
  EXPECT_FMRT_ERROR(fmrt_tensor_create(static_cast<fmrt_dtype>(9), nullptr, 0,
                                       nullptr, &tensor),
                    FMRT_INVALID_ARGUMENT,
                    "fmrt_tensor_create: invalid dtype 9");
  EXPECT_FMRT_ERROR(fmrt_tensor_create(FMRT_F32, nullptr, 0, nullptr, nullptr),
                    FMRT_INVALID_ARGUMENT,
                    "fmrt_tensor_create: tensor is null");
  EXPECT_EQ(tensor, nullptr);
  // Getters and destructors accept null.
  EXPECT_EQ(fmrt_tensor_rank(nullptr), 0);
  EXPECT_EQ(fmrt_tensor_data(nullptr), nullptr);
  fmrt_tensor_destroy(nullptr);
}

TEST(CApiTest, LastErrorIsPerThread) {
  fmrt_tensor *tensor = nullptr;
  ASSERT_NE(fmrt_tensor_clone(nullptr, &tensor), FMRT_OK);
  const std::string mine = fmrt_last_error();
  EXPECT_EQ(mine, "fmrt_tensor_clone: tensor is null");
  std::string theirs;
  std::thread([&] {
    theirs = fmrt_last_error();
    fmrt_npy_load(nullptr, nullptr);
  }).join();
  EXPECT_EQ(theirs, "");
  EXPECT_EQ(fmrt_last_error(), mine);
}

TEST(CApiTest, NpyRoundTrip) {
  const std::string path = tempPath("tensor.npy");
  TensorPtr tensor = makeF32({3}, {1.5f, -2, 4});
  ASSERT_EQ(fmrt_npy_save(path.c_str(), tensor.get()), FMRT_OK)
      << fmrt_last_error();
  fmrt_tensor *loaded = nullptr;
  ASSERT_EQ(fmrt_npy_load(path.c_str(), &loaded), FMRT_OK) << fmrt_last_error();
  TensorPtr owned(loaded);
  EXPECT_EQ(valuesOf(owned.get()), std::vector<float>({1.5f, -2, 4}));

  const std::string missing = tempPath("missing.npy");
  EXPECT_EQ(fmrt_npy_load(missing.c_str(), &loaded), FMRT_IO_ERROR);
  std::FILE *file = std::fopen(path.c_str(), "wb");
  std::fputs("not numpy", file);
  std::fclose(file);
  EXPECT_EQ(fmrt_npy_load(path.c_str(), &loaded), FMRT_FORMAT_ERROR);
  EXPECT_NE(std::string(fmrt_last_error()).find(path), std::string::npos);
  std::remove(path.c_str());
}

TEST(CApiTest, TensorMapsAndSafetensors) {
  fmrt_tensor_map *map = nullptr;
  ASSERT_EQ(fmrt_tensor_map_create(&map), FMRT_OK);
  TensorPtr w = makeF32({2}, {1, 2});
  TensorPtr b = makeF32({1}, {3});
  ASSERT_EQ(fmrt_tensor_map_set(map, "w", w.get()), FMRT_OK);
  ASSERT_EQ(fmrt_tensor_map_set(map, "b", b.get()), FMRT_OK);
  // Setting an existing name replaces it in place.
  TensorPtr w2 = makeF32({2}, {5, 6});
  ASSERT_EQ(fmrt_tensor_map_set(map, "w", w2.get()), FMRT_OK);
  EXPECT_EQ(fmrt_tensor_map_size(map), 2);
  EXPECT_STREQ(fmrt_tensor_map_name(map, 0), "w");
  EXPECT_EQ(fmrt_tensor_map_name(map, 2), nullptr);
  EXPECT_EQ(valuesOf(fmrt_tensor_map_at(map, 0)), std::vector<float>({5, 6}));
  EXPECT_EQ(fmrt_tensor_map_find(map, "missing"), nullptr);
  EXPECT_FMRT_ERROR(fmrt_tensor_map_set(map, "", w.get()),
                    FMRT_INVALID_ARGUMENT,
                    "fmrt_tensor_map_set: '' cannot name a tensor (names are "
                    "non-empty UTF-8 and not \"__metadata__\")");
  EXPECT_EQ(fmrt_tensor_map_set(map, "__metadata__", w.get()),
            FMRT_INVALID_ARGUMENT);

  const std::string path = tempPath("map.safetensors");
  ASSERT_EQ(fmrt_safetensors_save(path.c_str(), map), FMRT_OK)
      << fmrt_last_error();
  fmrt_tensor_map_destroy(map);
  ASSERT_EQ(fmrt_safetensors_load(path.c_str(), &map), FMRT_OK)
      << fmrt_last_error();
  EXPECT_EQ(fmrt_tensor_map_size(map), 2);
  EXPECT_EQ(valuesOf(fmrt_tensor_map_find(map, "w")),
            std::vector<float>({5, 6}));
  EXPECT_EQ(valuesOf(fmrt_tensor_map_find(map, "b")), std::vector<float>({3}));
  fmrt_tensor_map_destroy(map);
  std::remove(path.c_str());

  const std::string missing = tempPath("missing.safetensors");
  EXPECT_FMRT_ERROR(fmrt_safetensors_load(missing.c_str(), &map), FMRT_IO_ERROR,
                    missing + ": cannot open file: No such file or directory");
  const std::string noDir = tempPath("no-such-dir") + "/map.safetensors";
  ASSERT_EQ(fmrt_tensor_map_create(&map), FMRT_OK);
  EXPECT_EQ(fmrt_safetensors_save(noDir.c_str(), map), FMRT_IO_ERROR);
  fmrt_tensor_map_destroy(map);
}

} // namespace

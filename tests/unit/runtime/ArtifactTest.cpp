//===- ArtifactTest.cpp - Loading artifacts and calling their functions ---===//
//
// The artifacts are the fake ones of artifacts/, built by this directory's
// CMakeLists.txt; the FMRT_TEST_ARTIFACT_* macros hold their paths.
//
//===----------------------------------------------------------------------===//

#include "CApiTestUtil.h"

#include <cstdio>
#include <fstream>
#include <iterator>
#include <sys/stat.h>

using namespace fmrt::test;

namespace {

const std::string kGood = FMRT_TEST_ARTIFACT_GOOD;

std::string readFile(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void writeFile(const std::string &path, const std::string &bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

/// Loads `path` expecting failure with `code` and a message starting with
/// "<path>: <message>".
void expectLoadError(const std::string &path, fmrt_status code,
                     const std::string &message) {
  fmrt_artifact *artifact = nullptr;
  EXPECT_EQ(fmrt_status_name(fmrt_artifact_load(path.c_str(), &artifact)),
            fmrt_status_name(code))
      << path;
  EXPECT_EQ(artifact, nullptr);
  const std::string error = fmrt_last_error();
  EXPECT_EQ(error.rfind(path + ": " + message, 0), 0u) << "got: " << error;
}

const fmrt_function *findFunction(const fmrt_artifact *artifact,
                                  const char *name) {
  const fmrt_function *function = nullptr;
  EXPECT_EQ(fmrt_artifact_function(artifact, name, &function), FMRT_OK)
      << fmrt_last_error();
  return function;
}

TEST(ArtifactTest, IntrospectsTheManifest) {
  ArtifactPtr artifact = loadArtifact(kGood);
  ASSERT_TRUE(artifact);
  EXPECT_EQ(std::string(fmrt_artifact_manifest_json(artifact.get()))
                .rfind("{\"format\": \"fmc-artifact\", \"version\": 1,", 0),
            0u);
  fmrt_artifact_info info;
  ASSERT_EQ(fmrt_artifact_get_info(artifact.get(), &info), FMRT_OK);
  EXPECT_EQ(info.format_version, 1);
  EXPECT_STREQ(info.fmc_version, "0.1.0");
  EXPECT_STREQ(info.target_triple, "x86_64-unknown-linux-gnu");
  EXPECT_STREQ(info.target_cpu, "x86-64");
  EXPECT_STREQ(info.target_features, "+sse2");
  EXPECT_TRUE(info.has_memory_plan);
  EXPECT_EQ(info.optimizer_state_bytes, 24);
  EXPECT_EQ(info.peak_bytes, 12040);

  ASSERT_EQ(fmrt_artifact_num_functions(artifact.get()), 2);
  EXPECT_STREQ(fmrt_function_name(fmrt_artifact_function_at(artifact.get(), 1)),
               "accumulate");
  EXPECT_EQ(fmrt_artifact_function_at(artifact.get(), 2), nullptr);
  const fmrt_function *accumulate = findFunction(artifact.get(), "accumulate");
  EXPECT_STREQ(fmrt_function_symbol(accumulate), "fmc_entry_accumulate");
  EXPECT_EQ(fmrt_function_num_args(accumulate), 3);
  EXPECT_EQ(fmrt_function_num_results(accumulate), 3);
  fmrt_value_info value;
  ASSERT_EQ(fmrt_function_arg(accumulate, 0, &value), FMRT_OK);
  EXPECT_STREQ(value.name, "total");
  EXPECT_EQ(value.dtype, FMRT_F32);
  ASSERT_EQ(value.rank, 2);
  EXPECT_EQ(value.shape[0], 2);
  EXPECT_EQ(value.shape[1], 3);
  EXPECT_EQ(value.role, FMRT_ROLE_STATE);
  EXPECT_EQ(value.feeds, -1);
  ASSERT_EQ(fmrt_function_arg(accumulate, 1, &value), FMRT_OK);
  EXPECT_EQ(value.dtype, FMRT_I32);
  EXPECT_EQ(value.rank, 0);
  EXPECT_EQ(value.shape, nullptr);
  ASSERT_EQ(fmrt_function_arg(accumulate, 2, &value), FMRT_OK);
  EXPECT_EQ(value.role, FMRT_ROLE_DATA);
  ASSERT_EQ(fmrt_function_result(accumulate, 2, &value), FMRT_OK);
  EXPECT_STREQ(value.name, "count");
  EXPECT_EQ(value.feeds, 1);
  EXPECT_EQ(value.role, FMRT_ROLE_NONE);
  EXPECT_FMRT_ERROR(fmrt_function_result(accumulate, 3, &value),
                    FMRT_INVALID_ARGUMENT,
                    "fmrt_function_result: index 3 is out of range: "
                    "accumulate has 3 results");

  const fmrt_function *missing = nullptr;
  EXPECT_FMRT_ERROR(
      fmrt_artifact_function(artifact.get(), "train_step", &missing),
      FMRT_NOT_FOUND,
      "the artifact has no function 'train_step' (it has 'axpy', "
      "'accumulate')");
}

TEST(ArtifactTest, CallsAFunction) {
  ArtifactPtr artifact = loadArtifact(kGood);
  ASSERT_TRUE(artifact);
  const fmrt_function *axpy = findFunction(artifact.get(), "axpy");
  std::vector<float> xs(1000), ys(1000);
  for (int i = 0; i < 1000; ++i) {
    xs[i] = static_cast<float>(i);
    ys[i] = static_cast<float>(1000 - i);
  }
  TensorPtr alpha = makeF32({}, {2});
  TensorPtr x = makeF32({1000}, xs);
  TensorPtr y = makeF32({1000}, ys);
  const fmrt_tensor *inputs[] = {alpha.get(), x.get(), y.get()};

  // A null output slot gets a new tensor.
  fmrt_tensor *outputs[] = {nullptr};
  ASSERT_EQ(fmrt_function_call(axpy, inputs, 3, outputs, 1), FMRT_OK)
      << fmrt_last_error();
  TensorPtr out(outputs[0]);
  ASSERT_EQ(fmrt_tensor_rank(out.get()), 1);
  EXPECT_EQ(fmrt_tensor_shape(out.get())[0], 1000);
  std::vector<float> values = valuesOf(out.get());
  for (int i = 0; i < 1000; ++i)
    ASSERT_EQ(values[i], 1000.0f + i) << i;

  // A given one is overwritten in place.
  ASSERT_EQ(fmrt_function_call(axpy, inputs, 3, outputs, 1), FMRT_OK);
  EXPECT_EQ(outputs[0], out.get());
  EXPECT_EQ(valuesOf(out.get()), values);
}

TEST(ArtifactTest, CallsAreChecked) {
  ArtifactPtr artifact = loadArtifact(kGood);
  ASSERT_TRUE(artifact);
  const fmrt_function *axpy = findFunction(artifact.get(), "axpy");
  TensorPtr alpha = makeF32({}, {2});
  TensorPtr x = makeTensor(FMRT_F32, {1000});
  TensorPtr shortX = makeTensor(FMRT_F32, {999});
  TensorPtr doubleX = makeTensor(FMRT_F64, {1000});
  TensorPtr matrixX = makeTensor(FMRT_F32, {10, 100});
  TensorPtr out = makeTensor(FMRT_F32, {1000});
  TensorPtr wrongOut = makeTensor(FMRT_F32, {1001});
  fmrt_tensor *outputs[] = {out.get()};

  const fmrt_tensor *twoInputs[] = {alpha.get(), x.get()};
  EXPECT_FMRT_ERROR(fmrt_function_call(axpy, twoInputs, 2, outputs, 1),
                    FMRT_INVALID_ARGUMENT, "axpy: expected 3 inputs, got 2");
  const fmrt_tensor *inputs[] = {alpha.get(), x.get(), x.get()};
  EXPECT_FMRT_ERROR(fmrt_function_call(axpy, inputs, 3, outputs, 0),
                    FMRT_INVALID_ARGUMENT, "axpy: expected 1 outputs, got 0");
  const fmrt_tensor *shortInputs[] = {alpha.get(), shortX.get(), x.get()};
  EXPECT_FMRT_ERROR(fmrt_function_call(axpy, shortInputs, 3, outputs, 1),
                    FMRT_SHAPE_MISMATCH,
                    "axpy: input #1 ('x') has shape 999, expected 1000");
  const fmrt_tensor *matrixInputs[] = {alpha.get(), x.get(), matrixX.get()};
  EXPECT_FMRT_ERROR(fmrt_function_call(axpy, matrixInputs, 3, outputs, 1),
                    FMRT_SHAPE_MISMATCH,
                    "axpy: input #2 ('y') has shape 10x100, expected 1000");
  const fmrt_tensor *vectorAlpha[] = {x.get(), x.get(), x.get()};
  EXPECT_FMRT_ERROR(fmrt_function_call(axpy, vectorAlpha, 3, outputs, 1),
                    FMRT_SHAPE_MISMATCH,
                    "axpy: input #0 ('alpha') has shape 1000, expected []");
  const fmrt_tensor *doubleInputs[] = {alpha.get(), doubleX.get(), x.get()};
  EXPECT_FMRT_ERROR(fmrt_function_call(axpy, doubleInputs, 3, outputs, 1),
                    FMRT_DTYPE_MISMATCH,
                    "axpy: input #1 ('x') has dtype f64, expected f32");
  const fmrt_tensor *nullInput[] = {alpha.get(), nullptr, x.get()};
  EXPECT_FMRT_ERROR(fmrt_function_call(axpy, nullInput, 3, outputs, 1),
                    FMRT_INVALID_ARGUMENT, "axpy: input #1 ('x') is null");
  fmrt_tensor *wrongOutputs[] = {wrongOut.get()};
  EXPECT_FMRT_ERROR(fmrt_function_call(axpy, inputs, 3, wrongOutputs, 1),
                    FMRT_SHAPE_MISMATCH,
                    "axpy: output #0 ('out') has shape 1001, expected 1000");
  fmrt_tensor *aliased[] = {x.get()};
  EXPECT_FMRT_ERROR(fmrt_function_call(axpy, inputs, 3, aliased, 1),
                    FMRT_INVALID_ARGUMENT,
                    "axpy: output #0 ('out') is also input #1");
  EXPECT_FMRT_ERROR(fmrt_function_call(nullptr, inputs, 3, outputs, 1),
                    FMRT_INVALID_ARGUMENT,
                    "fmrt_function_call: function is null");

  // A failed call allocates nothing and leaves the output slots alone.
  fmrt_tensor *empty[] = {nullptr};
  EXPECT_EQ(fmrt_function_call(axpy, shortInputs, 3, empty, 1),
            FMRT_SHAPE_MISMATCH);
  EXPECT_EQ(empty[0], nullptr);
}

TEST(ArtifactTest, LoadErrors) {
  expectLoadError(FMRT_TEST_ARTIFACT_VERSION2, FMRT_VERSION_MISMATCH,
                  "artifact format version 2, this runtime reads 1");
  expectLoadError(FMRT_TEST_ARTIFACT_MISSING_SYMBOL, FMRT_NOT_FOUND,
                  "function 'step': symbol 'fmc_entry_missing' is not defined "
                  "by the artifact");
  expectLoadError(FMRT_TEST_ARTIFACT_MALFORMED, FMRT_FORMAT_ERROR,
                  "malformed manifest JSON: expected a string at offset 57");
  expectLoadError(FMRT_TEST_ARTIFACT_NO_MANIFEST, FMRT_FORMAT_ERROR,
                  "not an fmc artifact: no 'fmc_artifact_manifest' symbol");

  const std::string missing = tempPath("missing.so");
  expectLoadError(missing, FMRT_IO_ERROR,
                  "cannot open file: No such file or directory");
  const std::string directory = tempPath("directory.so");
  ASSERT_EQ(mkdir(directory.c_str(), 0755), 0);
  expectLoadError(directory, FMRT_IO_ERROR, "not a regular file");
  rmdir(directory.c_str());

  const std::string text = tempPath("text.so");
  writeFile(text, "this is not a shared object\n");
  expectLoadError(text, FMRT_FORMAT_ERROR, "not an ELF file");
  std::remove(text.c_str());

  fmrt_artifact *artifact = nullptr;
  EXPECT_FMRT_ERROR(fmrt_artifact_load(nullptr, &artifact),
                    FMRT_INVALID_ARGUMENT, "fmrt_artifact_load: path is null");
}

TEST(ArtifactTest, TruncatedFilesFailCleanly) {
  const std::string image = readFile(kGood);
  ASSERT_GT(image.size(), 4096u);
  const std::string path = tempPath("truncated.so");
  // Inside the ELF header, inside the program headers, inside the segments,
  // and one byte short of the end (the section headers).
  for (size_t size : {size_t{2}, size_t{20}, size_t{100}, image.size() / 3,
                      image.size() / 2, image.size() - 1}) {
    SCOPED_TRACE(size);
    writeFile(path, image.substr(0, size));
    fmrt_artifact *artifact = nullptr;
    EXPECT_EQ(fmrt_artifact_load(path.c_str(), &artifact), FMRT_FORMAT_ERROR);
    const std::string error = fmrt_last_error();
    EXPECT_NE(error.find(size < 4 ? "not an ELF file" : "truncated"),
              std::string::npos)
        << error;
  }
  std::remove(path.c_str());
}

TEST(ArtifactTest, RelativePathsAreRelativeToTheWorkingDirectory) {
  const std::string directory = tempPath("cwd");
  ASSERT_EQ(mkdir(directory.c_str(), 0755), 0);
  writeFile(directory + "/copy.so", readFile(kGood));
  char previous[4096];
  ASSERT_NE(getcwd(previous, sizeof(previous)), nullptr);
  ASSERT_EQ(chdir(directory.c_str()), 0);
  ArtifactPtr artifact = loadArtifact("copy.so");
  ASSERT_EQ(chdir(previous), 0);
  EXPECT_TRUE(artifact);
  std::remove((directory + "/copy.so").c_str());
  rmdir(directory.c_str());
}

} // namespace

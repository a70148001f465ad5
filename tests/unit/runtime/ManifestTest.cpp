//===- ManifestTest.cpp - Parsing and validating artifact manifests -------===//

#include "Manifest.h"

#include <gtest/gtest.h>

using namespace fmrt;
using namespace fmrt::detail;

namespace {

const std::string kTarget =
    R"("target": {"triple": "x86_64-unknown-linux-gnu", "cpu": "skylake-avx512", "features": "+avx512f"})";

const std::string kStep =
    R"({"name": "train_step", "symbol": "fmc_entry_train_step",
  "args": [{"name": "w1", "dtype": "f32", "shape": [64, 128], "role": "param"},
           {"name": "m", "dtype": "bf16", "shape": [64, 128], "role": "state"},
           {"name": "x", "dtype": "i32", "shape": [8], "role": "data"},
           {"name": "flag", "dtype": "i1", "shape": [], "role": ""}],
  "results": [{"name": "loss", "dtype": "f32", "shape": [], "feeds": -1},
              {"name": "w1", "dtype": "f32", "shape": [64, 128], "feeds": 0},
              {"name": "m", "dtype": "bf16", "shape": [64, 128], "feeds": 1}]})";

std::string manifest(const std::string &functions,
                     const std::string &extra = "") {
  return R"({"format": "fmc-artifact", "version": 1, "fmc_version": "0.1.0", )" +
         kTarget + R"(, "functions": [)" + functions + "]" + extra + "}";
}

TEST(ManifestTest, ParsesAFunction) {
  ApiResult<Manifest> parsed = parseManifest(manifest(kStep));
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  EXPECT_EQ(parsed->version, 1);
  EXPECT_EQ(parsed->fmcVersion, "0.1.0");
  EXPECT_EQ(parsed->triple, "x86_64-unknown-linux-gnu");
  EXPECT_EQ(parsed->cpu, "skylake-avx512");
  EXPECT_EQ(parsed->features, "+avx512f");
  EXPECT_FALSE(parsed->memoryPlan.has_value());
  ASSERT_EQ(parsed->functions.size(), 1u);
  const FunctionSpec &step = parsed->functions[0];
  EXPECT_EQ(step.name, "train_step");
  EXPECT_EQ(step.symbol, "fmc_entry_train_step");
  ASSERT_EQ(step.args.size(), 4u);
  EXPECT_EQ(step.args[0].name, "w1");
  EXPECT_EQ(step.args[0].dtype, DType::F32);
  EXPECT_EQ(step.args[0].shape, (Shape{64, 128}));
  EXPECT_EQ(step.args[0].role, FMRT_ROLE_PARAM);
  EXPECT_EQ(step.args[1].dtype, DType::BF16);
  EXPECT_EQ(step.args[1].role, FMRT_ROLE_STATE);
  EXPECT_EQ(step.args[2].role, FMRT_ROLE_DATA);
  EXPECT_EQ(step.args[3].dtype, DType::I1);
  EXPECT_EQ(step.args[3].shape, Shape{});
  EXPECT_EQ(step.args[3].role, FMRT_ROLE_NONE);
  ASSERT_EQ(step.results.size(), 3u);
  EXPECT_EQ(step.results[0].feeds, -1);
  EXPECT_EQ(step.results[2].feeds, 1);
}

TEST(ManifestTest, DefaultsAndMemoryPlan) {
  // No fmc_version, cpu, features, role or feeds: they have defaults.
  ApiResult<Manifest> parsed = parseManifest(
      R"({"version": 1, "format": "fmc-artifact", "target": {"triple": "t"},
          "functions": [{"name": "f", "symbol": "s",
                         "args": [{"name": "a", "dtype": "f8E4M3FN", "shape": [2]}],
                         "results": [{"name": "r", "dtype": "f8E5M2", "shape": [2]}]}],
          "memory_plan": {"weights": 10, "peak": 99}})");
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  EXPECT_EQ(parsed->fmcVersion, "");
  EXPECT_EQ(parsed->cpu, "");
  const FunctionSpec &f = parsed->functions[0];
  EXPECT_EQ(f.args[0].role, FMRT_ROLE_NONE);
  EXPECT_EQ(f.args[0].dtype, DType::F8E4M3FN);
  EXPECT_EQ(f.results[0].feeds, -1);
  ASSERT_TRUE(parsed->memoryPlan.has_value());
  EXPECT_EQ(parsed->memoryPlan->weights, 10);
  EXPECT_EQ(parsed->memoryPlan->gradients, 0);
  EXPECT_EQ(parsed->memoryPlan->peak, 99);
}

TEST(ManifestTest, IgnoresUnknownKeys) {
  const std::string step =
      R"({"name": "f", "symbol": "s", "cost": {"flops": 1.5e9},
      "args": [{"name": "a", "dtype": "f32", "shape": [1], "layout": [0], "role": "param"}],
      "results": [{"name": "r", "dtype": "f32", "shape": [1], "feeds": 0, "alias": null}]})";
  ApiResult<Manifest> parsed = parseManifest(manifest(
      step,
      R"(, "memory_plan": {"peak": 1, "spill": [true, false]}, "x": -2.5)"));
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  EXPECT_EQ(parsed->functions[0].results[0].feeds, 0);
  EXPECT_EQ(parsed->memoryPlan->peak, 1);
}

void expectError(const std::string &json, fmrt_status code,
                 const std::string &message) {
  ApiResult<Manifest> parsed = parseManifest(json);
  ASSERT_FALSE(parsed.ok()) << json;
  EXPECT_EQ(parsed.status().code(), code) << json;
  EXPECT_EQ(parsed.status().message(), message) << json;
}

TEST(ManifestTest, VersionIsCheckedBeforeTheSchema) {
  expectError(
      R"({"format": "fmc-artifact", "version": 2, "functions": {"f": 1}})",
      FMRT_VERSION_MISMATCH, "artifact format version 2, this runtime reads 1");
  expectError(R"({"functions": 0, "version": 0, "format": "fmc-artifact"})",
              FMRT_VERSION_MISMATCH,
              "artifact format version 0, this runtime reads 1");
  expectError(R"({"format": "fmc-artifact", "functions": []})",
              FMRT_FORMAT_ERROR, "manifest: missing key 'version'");
  expectError(R"({"format": "onnx", "version": 1})", FMRT_FORMAT_ERROR,
              "not an fmc artifact manifest: \"format\" is 'onnx', expected "
              "'fmc-artifact'");
  expectError(R"({"version": 1})", FMRT_FORMAT_ERROR,
              "not an fmc artifact manifest: \"format\" is missing, expected "
              "'fmc-artifact'");
  expectError(R"({"format": "fmc-artifact", "version": 1, "version": 2})",
              FMRT_FORMAT_ERROR, "manifest: duplicate key 'version'");
}

TEST(ManifestTest, MalformedJson) {
  expectError("", FMRT_FORMAT_ERROR,
              "malformed manifest JSON: expected '{' at offset 0");
  expectError(R"({"format": "fmc-artifact", "version": 1,})", FMRT_FORMAT_ERROR,
              "malformed manifest JSON: expected a string at offset 40");
  expectError(R"({"format": "fmc-artifact", "version": 1} {})",
              FMRT_FORMAT_ERROR,
              "malformed manifest JSON: unexpected text after the manifest "
              "object at offset 41");
  expectError(R"({"format": "fmc-artifact", "version": "1"})",
              FMRT_FORMAT_ERROR,
              "malformed manifest JSON: expected an integer at offset 38");
  expectError("{\"format\": \"fmc-\xff\"}", FMRT_FORMAT_ERROR,
              "manifest is not valid UTF-8");
}

TEST(ManifestTest, SchemaErrors) {
  auto withStep = [](const std::string &from, const std::string &to) {
    std::string step = kStep;
    size_t at = step.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    return manifest(step.replace(at, from.size(), to));
  };
  expectError(withStep(R"("symbol": "fmc_entry_train_step",)", ""),
              FMRT_FORMAT_ERROR, "manifest.functions[0]: missing key 'symbol'");
  expectError(withStep(R"("dtype": "bf16", "shape": [64, 128], "role")",
                       R"("dtype": "f33", "shape": [64, 128], "role")"),
              FMRT_FORMAT_ERROR,
              "manifest.functions[0].args[1]: unknown dtype 'f33'");
  expectError(withStep(R"("role": "data")", R"("role": "input")"),
              FMRT_FORMAT_ERROR,
              "manifest.functions[0].args[2]: unknown role 'input' (expected "
              "\"param\", \"state\", \"data\" or \"\")");
  expectError(withStep(R"("shape": [8])", R"("shape": [8], "shape": [8])"),
              FMRT_FORMAT_ERROR,
              "manifest.functions[0].args[2]: duplicate key 'shape'");
  expectError(withStep(R"("shape": [8])", R"("shape": [-8])"),
              FMRT_FORMAT_ERROR,
              "malformed manifest JSON: expected a non-negative integer at "
              "offset 446");
  expectError(
      withStep(R"("shape": [8])", R"("shape": [4611686018427387904, 4])"),
      FMRT_FORMAT_ERROR,
      "invalid manifest: function 'train_step': argument #2 ('x') is "
      "too large");
  expectError(withStep(R"("feeds": 1})", R"("feeds": 4})"), FMRT_FORMAT_ERROR,
              "invalid manifest: function 'train_step': result #2 ('m') feeds "
              "argument 4, but there are 4 arguments");
  expectError(withStep(R"("feeds": 1})", R"("feeds": 0})"), FMRT_FORMAT_ERROR,
              "invalid manifest: function 'train_step': result #2 ('m') is "
              "64x128xbf16 but feeds argument #0 ('w1') of type 64x128xf32");
  expectError(withStep(R"("feeds": -1})", R"("feeds": -2})"), FMRT_FORMAT_ERROR,
              "invalid manifest: function 'train_step': result #0 ('loss') "
              "feeds argument -2, but there are 4 arguments");
  expectError(manifest(kStep + ", " + kStep), FMRT_FORMAT_ERROR,
              "invalid manifest: duplicate function 'train_step'");
  expectError(
      manifest(
          R"({"name": "f", "symbol": "s", "args": [{"name": "a", "dtype": "f32", "shape": [2]}],
                   "results": [{"name": "r", "dtype": "f32", "shape": [2], "feeds": 0},
                               {"name": "q", "dtype": "f32", "shape": [2], "feeds": 0}]})"),
      FMRT_FORMAT_ERROR,
      "invalid manifest: function 'f': two results feed argument #0 ('a')");
  expectError(
      manifest(R"({"name": "", "symbol": "s", "args": [], "results": []})"),
      FMRT_FORMAT_ERROR,
      "invalid manifest: a function has an empty name or symbol");
  expectError(
      R"({"format": "fmc-artifact", "version": 1, "target": {"cpu": "x"}, "functions": []})",
      FMRT_FORMAT_ERROR, "manifest.target: missing key 'triple'");
  expectError(R"({"format": "fmc-artifact", "version": 1, "functions": []})",
              FMRT_FORMAT_ERROR, "manifest: missing key 'target'");
  expectError(manifest("", R"(, "memory_plan": {"peak": 9223372036854775808})"),
              FMRT_FORMAT_ERROR, "manifest.memory_plan.peak is too large");
}

TEST(ManifestTest, DescribesTypes) {
  EXPECT_EQ(describeType(DType::F32, {64, 128}), "64x128xf32");
  EXPECT_EQ(describeType(DType::I1, {}), "i1");
}

} // namespace

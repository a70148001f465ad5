//===- Artifact.h - fm programs compiled into a shared library --*- C++ -*-===//
//
// `fmc compile`: the CPU pipeline, then LLVM IR with the manifest embedded,
// -O3 object code for the host CPU and a shared library linked by ld.lld.
// docs/artifact.md is the format's contract with libfmrt.
//
//===----------------------------------------------------------------------===//
#ifndef FM_CODEGEN_CPU_ARTIFACT_H
#define FM_CODEGEN_CPU_ARTIFACT_H

#include "codegen/cpu/CpuPipeline.h"
#include "codegen/cpu/Signature.h"

#include "llvm/Support/raw_ostream.h"

#include <string>
#include <utility>
#include <vector>

namespace fm::cpu {

/// The artifact format version this compiler writes (the manifest's
/// "version"; libfmrt's FMRT_ARTIFACT_VERSION).
inline constexpr int kArtifactVersion = 1;

struct ArtifactOptions {
  CpuPipelineOptions pipeline;
  /// The manifest's "fmc_version".
  std::string fmcVersion;
};

/// What `fmc compile --report` prints.
struct CompileReport {
  /// Pass times (fm-plan-memory, the lowering, LLVM's steps, the link),
  /// kernels and FLOPs per function.
  LoweringReport lowering;
  std::vector<FunctionSignature> functions;
  /// fm.fusion groups per function, before lowering (one per function).
  std::vector<int64_t> fusionGroups;
  /// fm-plan-memory's plan per function, as (key, bytes).
  std::vector<std::vector<std::pair<std::string, int64_t>>> memoryPlans;
  std::string manifest;
};

/// Compiles the public functions of `module` (fm level; the module itself
/// is not changed) into the shared library `outputPath`. Errors are
/// diagnostics.
mlir::LogicalResult compileArtifact(mlir::ModuleOp module,
                                    llvm::StringRef outputPath,
                                    const ArtifactOptions &options,
                                    CompileReport *report = nullptr);

void printCompileReport(llvm::raw_ostream &os, const CompileReport &report);

} // namespace fm::cpu

#endif // FM_CODEGEN_CPU_ARTIFACT_H

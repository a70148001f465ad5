//===- ModelGenerator.h - Builds fm programs of standard models -*- C++ -*-===//
//
// Generates the forward graph and loss of a model as an `fm` function, the
// input that fmc's training pipeline differentiates. `fmc new` prints them;
// tests and benchmarks build them in memory.
//
//===----------------------------------------------------------------------===//
#ifndef FM_MODELS_MODELGENERATOR_H
#define FM_MODELS_MODELGENERATOR_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OwningOpRef.h"

#include "llvm/Support/Error.h"

#include <cstdint>
#include <string>

namespace fm {

/// A two-layer perceptron classifier: gelu(x @ w1 + b1) @ w2 + b2.
struct MlpConfig {
  int64_t batch = 32;
  int64_t input = 64;
  int64_t hidden = 128;
  int64_t classes = 10;
};

/// A GPT-2 style decoder with pre-LayerNorm blocks.
struct GptConfig {
  int64_t layers = 2;
  int64_t dim = 128;
  int64_t heads = 4;
  int64_t seq = 64;
  int64_t vocab = 256;
  int64_t batch = 8;
  /// Width of each block's MLP; 0 stands for 4 * dim.
  int64_t hidden = 0;
  /// Computes the logits with the token embedding `wte` (transposed) instead
  /// of a separate `lm_head.weight`.
  bool tiedEmbeddings = false;
  /// Parameters and activations in bf16 (the cross-entropy loss is f32).
  bool bf16 = false;

  int64_t getHidden() const { return hidden ? hidden : 4 * dim; }
};

/// Validates `config` and builds a module with one function, `@mlp`, that
/// computes the mean cross-entropy loss of a batch:
///   (x: [batch, input] {fm.data}, labels: [batch] i32 {fm.data},
///    w1, b1, w2, b2 {fm.param}) -> loss: f32.
/// The module verifies; invalid sizes give an error message.
llvm::Expected<mlir::OwningOpRef<mlir::ModuleOp>>
generateMlp(mlir::MLIRContext &context, const MlpConfig &config);

/// Validates `config` and builds a module with one function, `@gpt`, that
/// computes the mean next-token cross-entropy loss of a batch:
///   (tokens, targets: [batch, seq] i32 {fm.data}, wte, wpe,
///    h<l>.{ln1,attn.qkv,attn.proj,ln2,mlp.fc,mlp.proj}.*, lnf.*,
///    lm_head.weight (unless tied) {fm.param}) -> loss: f32.
/// Every op has a NameLoc such as "h0.attn.softmax". The module verifies;
/// invalid sizes (e.g. dim not divisible by heads) give an error message.
llvm::Expected<mlir::OwningOpRef<mlir::ModuleOp>>
generateGpt(mlir::MLIRContext &context, const GptConfig &config);

/// A few lines (without comment markers) that explain the generated graph
/// and its sizes, for a header above the printed module.
std::string describeModel(const MlpConfig &config);
std::string describeModel(const GptConfig &config);

} // namespace fm

#endif // FM_MODELS_MODELGENERATOR_H

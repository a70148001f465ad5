//===- Generator.h - Random well-typed fm programs --------------*- C++ -*-===//
//
// Draws fm training programs for fuzzing: a function of `fm.param` weights
// and `fm.data` inputs that chains random ops of every forward fm op family
// (and, rarely, backward ops), each built only where its constraints hold
// (broadcast-compatible shapes, contracted sizes, valid axes, dividing
// groups, indices in range), and ends in a rank-0 f32 loss that fm-autodiff
// can differentiate. Text, so that a case stays readable.
//
// The same op drawing writes small snippets on given operand types, which
// the IR mutators splice into existing programs.
//
//===----------------------------------------------------------------------===//
#ifndef FM_FUZZ_GENERATOR_H
#define FM_FUZZ_GENERATOR_H

#include "fmrt/Random.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace fm::fuzz {

struct GeneratorOptions {
  /// Op families drawn in the body, before the loss (a family may write a
  /// few ops, such as an FP8 quantization and its scale).
  int ops = 8;
  /// The largest rank of the values (1 to 3; intermediate reshapes of FP8
  /// group scales may have one more axis).
  int maxRank = 3;
  /// Whether values may be bf16, f16 or FP8 (casts, quantization, scaled
  /// matrix products); without, every float is f32.
  bool narrowFloats = true;
  /// The probability that a step writes a backward op (fm.*_grad).
  double backwardOps = 0.05;
  /// The op families to draw from (generatorFamilies() names them); all
  /// when empty. "backward" stands for the backward ops.
  std::vector<std::string> families;
};

/// The names of the generator's op families.
llvm::ArrayRef<llvm::StringLiteral> generatorFamilies();

/// A random program (MLIR text) drawn from `seed`.
std::string generateProgram(uint64_t seed, const GeneratorOptions &options);

/// The element types of fm values.
enum class ElementType { F32, BF16, F16, F8E4M3FN, F8E5M2, I32, I64, I1 };

/// The MLIR spelling of `type` ("f32", "f8E4M3FN", "i1").
llvm::StringRef elementTypeName(ElementType type);
/// The element type spelled `name`, if fm has it.
std::optional<ElementType> parseElementType(llvm::StringRef name);

/// A statically shaped tensor type.
struct TensorType {
  std::vector<int64_t> shape;
  ElementType element;
};

/// `func.func @snippet(%a0: operands[0], ...)`: its arguments are
/// `operands`, followed by the new weights and inputs its ops needed
/// (marked fm.param or fm.data as in generateProgram); its body holds
/// `options.ops` op families drawn as generateProgram draws them, on the
/// operands of rank 1 to `options.maxRank`; it returns every value they
/// made, in order (none when no family applied).
std::string generateSnippet(llvm::ArrayRef<TensorType> operands,
                            fmrt::Random &random,
                            const GeneratorOptions &options);

} // namespace fm::fuzz

#endif // FM_FUZZ_GENERATOR_H

//===- Generator.cpp - Random well-typed fm programs ----------------------===//
#include "fuzz/Generator.h"

#include "fmrt/Random.h"

#include "llvm/Support/FormatVariadic.h"

#include <vector>

namespace fm::fuzz {

namespace {

/// A 2-D f32 value of the program being written.
struct Tensor2 {
  std::string name;
  int64_t rows, cols;
  std::string type() const {
    return llvm::formatv("tensor<{0}x{1}xf32>", rows, cols).str();
  }
};

class ProgramWriter {
public:
  explicit ProgramWriter(uint64_t seed) : random(seed) {}

  std::string write(const GeneratorOptions &options) {
    const int64_t batch = pick({2, 4, 8}), width = pick({4, 8, 16});
    values.push_back(argument("x", batch, width, "fm.data"));
    for (int i = 0; i < options.ops; ++i)
      step();
    // The loss: the mean of the last value, an f32 scalar.
    const Tensor2 &last = values.back();
    body += llvm::formatv("  %loss = fm.reduce_mean {0} : {1}\n", last.name,
                          last.type())
                .str();
    return "func.func @f(" + arguments +
           ") -> (tensor<f32> {fm.name = \"loss\"}) {\n" + body +
           "  return %loss : tensor<f32>\n}\n";
  }

private:
  int64_t pick(std::initializer_list<int64_t> choices) {
    return choices.begin()[random.below(choices.size())];
  }

  Tensor2 argument(const std::string &name, int64_t rows, int64_t cols,
                   const char *role) {
    Tensor2 value{"%" + name, rows, cols};
    if (!arguments.empty())
      arguments += ", ";
    arguments += llvm::formatv("{0}: {1} {{fm.name = \"{2}\", {3}}", value.name,
                               value.type(), name, role)
                     .str();
    return value;
  }

  Tensor2 fresh(int64_t rows, int64_t cols) {
    return {"%v" + std::to_string(counter++), rows, cols};
  }

  /// Appends one random op on an earlier value.
  void step() {
    const Tensor2 in = values[random.below(values.size())];
    Tensor2 out = fresh(in.rows, in.cols);
    switch (random.below(7)) {
    case 0: { // A linear layer with a new weight.
      const int64_t cols = pick({4, 8, 16});
      Tensor2 w =
          argument("w" + std::to_string(counter), in.cols, cols, "fm.param");
      out = fresh(in.rows, cols);
      emit(out, llvm::formatv("fm.matmul {0}, {1} : {2}, {3}", in.name, w.name,
                              in.type(), w.type()));
      break;
    }
    case 1: { // Elementwise unary.
      static const char *const unary[] = {"gelu", "tanh", "sigmoid", "silu",
                                          "relu", "neg",  "abs"};
      emit(out, llvm::formatv("fm.{0} {1} : {2}",
                              unary[random.below(std::size(unary))], in.name,
                              in.type()));
      break;
    }
    case 2: { // Elementwise binary with a value of the same shape, or a
              // per-column bias parameter (broadcast).
      static const char *const binary[] = {"add", "sub", "mul", "max"};
      const char *op = binary[random.below(std::size(binary))];
      std::string other, otherType;
      Tensor2 *same = nullptr;
      for (Tensor2 &value : values)
        if (value.rows == in.rows && value.cols == in.cols &&
            value.name != in.name)
          same = &value;
      if (same && random.below(2)) {
        other = same->name;
        otherType = same->type();
      } else {
        std::string name = "b" + std::to_string(counter);
        other = "%" + name;
        otherType = llvm::formatv("tensor<{0}xf32>", in.cols).str();
        if (!arguments.empty())
          arguments += ", ";
        arguments += llvm::formatv("{0}: {1} {{fm.name = \"{2}\", fm.param}",
                                   other, otherType, name)
                         .str();
      }
      emit(out, llvm::formatv("fm.{0} {1}, {2} : {3}, {4}", op, in.name, other,
                              in.type(), otherType));
      break;
    }
    case 3:
      emit(out, llvm::formatv("fm.softmax {0} : {1}", in.name, in.type()));
      break;
    case 4:
      emit(out, llvm::formatv("fm.layer_norm {0} : {1}", in.name, in.type()));
      break;
    case 5: { // A reduction over rows, kept 2-D.
      out = fresh(1, in.cols);
      emit(out, llvm::formatv("fm.reduce_sum {0} axes [0] keepdim : {1}",
                              in.name, in.type()));
      break;
    }
    default: { // Transpose.
      out = fresh(in.cols, in.rows);
      emit(out, llvm::formatv("fm.transpose {0} : {1}", in.name, in.type()));
      break;
    }
    }
    values.push_back(out);
  }

  void emit(const Tensor2 &out, const llvm::Twine &op) {
    body += "  " + out.name + " = " + op.str() + "\n";
  }

  fmrt::Random random;
  std::vector<Tensor2> values;
  std::string arguments, body;
  int counter = 0;
};

} // namespace

std::string generateProgram(uint64_t seed, const GeneratorOptions &options) {
  return ProgramWriter(seed).write(options);
}

} // namespace fm::fuzz

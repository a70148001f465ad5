//===- PipelineMutator.cpp - Mutating a case's pass pipeline --------------===//
#include "fuzz/PipelineMutator.h"

#include "fuzz/Case.h"

#include "mlir/Pass/PassRegistry.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"

#include <algorithm>
#include <map>

namespace fm::fuzz {

namespace {

struct OptionChoices {
  llvm::StringLiteral option;
  std::vector<llvm::StringLiteral> values;
};

struct PoolPass {
  llvm::StringLiteral name;
  /// The op the pass must be nested on ("" for the module).
  llvm::StringLiteral anchor;
  std::vector<OptionChoices> options;
};

/// Every pass a pipeline may draw, with the option values worth trying:
/// the defaults, the edges of their ranges, and values that make the pass
/// take its other paths.
const std::vector<PoolPass> &poolPasses() {
  static const std::vector<PoolPass> pool = [] {
    const std::vector<OptionChoices> optimizerOptions = {
        {"kind", {"adamw", "sgd"}},
        {"lr", {"1e-3", "0.1", "0"}},
        {"momentum", {"0.0", "0.9"}},
        {"weight-decay", {"0.01", "0"}},
        {"clip-norm", {"0.0", "1.0", "1e-6"}}};
    return std::vector<PoolPass>{
        // fmc's passes and pipelines.
        {"fm-train", "", optimizerOptions},
        {"fm-coat", "", optimizerOptions},
        {"fm-autodiff", "", {}},
        {"fm-optimizer", "", optimizerOptions},
        {"fm-fuse", "", {{"max-ops", {"64", "1", "2", "5"}}}},
        {"fm-fp8-linear",
         "",
         {{"recipe", {"current", "delayed"}},
          {"history", {"16", "1", "3"}},
          {"margin", {"0", "1", "4"}}}},
        {"fm-fp8-activations", "", {{"group", {"16", "1", "8", "32"}}}},
        {"fm-fp8-optimizer",
         "",
         {{"group", {"128", "1", "16", "7"}},
          {"second-moment", {"e4m3", "e5m2"}},
          {"expand", {"true", "false"}}}},
        {"fm-plan-memory",
         "",
         {{"alignment", {"64", "1", "16"}}, {"print", {"false", "true"}}}},
        // The CPU backend's.
        {"fm-cpu-prepare-functions", "", {}},
        {"fm-cpu-fuse-elementwise", "", {}},
        {"fm-cpu-matmul-to-runtime", "", {}},
        {"fm-cpu-parallelize", "", {{"min-work", {"32768", "1", "64"}}}},
        {"fm-cpu-fast-math", "func.func", {{"approximate", {"true", "false"}}}},
        {"fm-cpu-reassociate-reductions", "func.func", {}},
        {"fm-cpu-kernel-attributes", "", {}},
        {"fm-cpu-runtime-allocator", "", {}},
        {"fm-cpu-entry-points", "", {}},
        {"fm-cpu-lower",
         "",
         {{"runtime-matmul", {"true", "false"}},
          {"parallel", {"true", "false"}},
          {"approximate", {"true", "false"}},
          {"reassociate", {"true", "false"}}}},
        // Upstream passes fmc's pipelines use.
        {"canonicalize", "", {}},
        {"cse", "", {}},
        {"inline", "", {}},
        {"symbol-dce", "", {}},
        {"symbol-privatize", "", {}},
        {"sccp", "", {}},
        {"loop-invariant-code-motion", "", {}},
        {"linalg-fuse-elementwise-ops", "", {}},
        // Inside functions only: fm's argument roles (fm.param, fm.data,
        // fm.state) are defined for tensors, and bufferizing the function
        // boundaries of an fm program leaves them on buffers, which the
        // verifier rejects, rightly (fm-cpu-prepare-functions strips them
        // first in fmc's own lowering).
        {"one-shot-bufferize", "", {}},
        {"convert-linalg-to-loops", "func.func", {}},
    };
  }();
  return pool;
}

bool isRegistered(llvm::StringRef name) {
  return mlir::PassInfo::lookup(name) || mlir::PassPipelineInfo::lookup(name);
}

/// The registered pool passes.
std::vector<const PoolPass *> registeredPool() {
  std::vector<const PoolPass *> passes;
  for (const PoolPass &pass : poolPasses())
    if (isRegistered(pass.name))
      passes.push_back(&pass);
  return passes;
}

/// A pipeline element taken apart: "anchor(name{k=v k=v})".
struct Element {
  std::string anchor, name;
  std::map<std::string, std::string> options;

  static Element parse(llvm::StringRef text) {
    Element element;
    if (text.ends_with(")")) {
      auto [anchor, inner] = text.split('(');
      if (!inner.empty()) {
        element.anchor = anchor.str();
        text = inner.drop_back();
      }
    }
    auto [name, options] = text.split('{');
    element.name = name.trim().str();
    llvm::SmallVector<llvm::StringRef> pairs;
    options.rtrim('}').split(pairs, ' ', -1, /*KeepEmpty=*/false);
    for (llvm::StringRef pair : pairs) {
      auto [key, value] = pair.split('=');
      element.options[key.str()] = value.str();
    }
    return element;
  }

  std::string print() const {
    std::string text = name;
    if (!options.empty()) {
      std::vector<std::string> pairs;
      for (const auto &[key, value] : options)
        pairs.push_back(key + "=" + value);
      text += "{" + llvm::join(pairs, " ") + "}";
    }
    return anchor.empty() ? text : anchor + "(" + text + ")";
  }
};

std::string printPoolPass(const PoolPass &pass) {
  Element element;
  element.anchor = pass.anchor.str();
  element.name = pass.name.str();
  return element.print();
}

template <typename T>
const T &pickFrom(const std::vector<T> &choices, fmrt::Random &random) {
  return choices[random.below(choices.size())];
}

constexpr llvm::StringLiteral kMutatorNames[] = {"add-pass",
                                                 "delete-pass",
                                                 "replace-pass",
                                                 "swap-passes",
                                                 "add-sequence",
                                                 "delete-sequence",
                                                 "replace-sequence",
                                                 "change-options",
                                                 "single-point-crossover",
                                                 "two-point-crossover",
                                                 "uniform-crossover"};

class PipelineMutator {
public:
  PipelineMutator(llvm::StringRef pipeline, fmrt::Random &random)
      : elements(splitPipeline(pipeline)), random(random),
        pool(registeredPool()) {}

  PipelineMutation mutate() {
    const std::string original = joinPipeline(elements);
    // A mutator that does not apply (deleting from an empty pipeline,
    // options of a pass without any) leaves the pipeline as it was: draw
    // again.
    for (int attempt = 0; attempt < 64; ++attempt) {
      std::vector<std::string> saved = elements;
      llvm::StringLiteral name = kMutatorNames[random.below(8)];
      apply(name);
      std::string mutated = joinPipeline(elements);
      if (mutated != original)
        return {mutated, name.str()};
      elements = std::move(saved);
    }
    elements.push_back(randomPass());
    return {joinPipeline(elements), "add-pass"};
  }

private:
  std::string randomPass() {
    const PoolPass &pass = *pool[random.below(pool.size())];
    // Half of the time with options drawn too.
    Element element = Element::parse(printPoolPass(pass));
    if (!pass.options.empty() && random.below(2)) {
      const OptionChoices &choice = pickFrom(pass.options, random);
      element.options[choice.option.str()] =
          pickFrom(choice.values, random).str();
    }
    return element.print();
  }

  size_t position(bool end) {
    return random.below(elements.size() + (end ? 1 : 0));
  }

  /// A run [begin, end) of at most 3 elements.
  std::pair<size_t, size_t> randomRun() {
    size_t begin = position(/*end=*/false);
    size_t end = std::min(elements.size(), begin + 1 + random.below(3));
    return {begin, end};
  }

  std::vector<std::string> randomPasses() {
    std::vector<std::string> passes(1 + random.below(3));
    for (std::string &pass : passes)
      pass = randomPass();
    return passes;
  }

  void apply(llvm::StringRef name) {
    if (name == "add-pass") {
      elements.insert(elements.begin() + position(true), randomPass());
      return;
    }
    if (name == "add-sequence") {
      std::vector<std::string> passes = randomPasses();
      elements.insert(elements.begin() + position(true), passes.begin(),
                      passes.end());
      return;
    }
    if (elements.empty())
      return;
    if (name == "delete-pass") {
      elements.erase(elements.begin() + position(false));
    } else if (name == "replace-pass") {
      elements[position(false)] = randomPass();
    } else if (name == "swap-passes") {
      std::swap(elements[position(false)], elements[position(false)]);
    } else if (name == "delete-sequence") {
      auto [begin, end] = randomRun();
      elements.erase(elements.begin() + begin, elements.begin() + end);
    } else if (name == "replace-sequence") {
      auto [begin, end] = randomRun();
      std::vector<std::string> passes = randomPasses();
      elements.erase(elements.begin() + begin, elements.begin() + end);
      elements.insert(elements.begin() + begin, passes.begin(), passes.end());
    } else if (name == "change-options") {
      std::string &text = elements[position(false)];
      Element element = Element::parse(text);
      auto pass = llvm::find_if(pool, [&](const PoolPass *candidate) {
        return candidate->name == element.name;
      });
      if (pass == pool.end() || (*pass)->options.empty())
        return;
      const OptionChoices &choice = pickFrom((*pass)->options, random);
      element.options[choice.option.str()] =
          pickFrom(choice.values, random).str();
      text = element.print();
    }
  }

  std::vector<std::string> elements;
  fmrt::Random &random;
  std::vector<const PoolPass *> pool;
};

} // namespace

std::vector<std::string> passPool() {
  std::vector<std::string> passes;
  for (const PoolPass *pass : registeredPool())
    passes.push_back(printPoolPass(*pass));
  return passes;
}

PipelineMutation mutatePipeline(llvm::StringRef pipeline,
                                fmrt::Random &random) {
  return PipelineMutator(pipeline, random).mutate();
}

PipelineMutation crossOverPipelines(llvm::StringRef first,
                                    llvm::StringRef second,
                                    fmrt::Random &random) {
  std::vector<std::string> a = splitPipeline(first), b = splitPipeline(second);
  std::vector<std::string> child;
  switch (random.below(3)) {
  case 0: { // a's head, b's tail.
    const size_t cutA = random.below(a.size() + 1),
                 cutB = random.below(b.size() + 1);
    child.assign(a.begin(), a.begin() + cutA);
    child.insert(child.end(), b.begin() + cutB, b.end());
    return {joinPipeline(child), "single-point-crossover"};
  }
  case 1: { // a with a middle run of b.
    size_t fromA = random.below(a.size() + 1),
           toA = fromA + random.below(a.size() - fromA + 1);
    size_t fromB = random.below(b.size() + 1),
           toB = fromB + random.below(b.size() - fromB + 1);
    child.assign(a.begin(), a.begin() + fromA);
    child.insert(child.end(), b.begin() + fromB, b.begin() + toB);
    child.insert(child.end(), a.begin() + toA, a.end());
    return {joinPipeline(child), "two-point-crossover"};
  }
  default: { // Position by position from either parent.
    for (size_t i = 0; i < std::max(a.size(), b.size()); ++i) {
      const std::vector<std::string> &from = random.below(2) ? a : b;
      if (i < from.size())
        child.push_back(from[i]);
    }
    return {joinPipeline(child), "uniform-crossover"};
  }
  }
}

llvm::ArrayRef<llvm::StringLiteral> pipelineMutatorNames() {
  return kMutatorNames;
}

} // namespace fm::fuzz

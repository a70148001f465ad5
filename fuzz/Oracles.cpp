//===- Oracles.cpp - What counts as a bug when running a fuzz case --------===//
#include "fuzz/Oracles.h"

#include "codegen/cpu/CpuPipeline.h"
#include "codegen/cpu/JitModule.h"
#include "fmrt/Random.h"
#include "ir/FmOps.h"
#include "ir/Parse.h"
#include "ir/Registration.h"
#include "ir/interp/Interpreter.h"
#include "ir/interp/Invocation.h"
#include "passes/Passes.h"

#include "mlir/Bytecode/BytecodeReader.h"
#include "mlir/Bytecode/BytecodeWriter.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassInstrumentation.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>
#include <mutex>

using namespace mlir;

namespace fm::fuzz {

namespace {

/// `module` in generic form, without locations or the trailing newline a
/// top-level op gets.
std::string printed(ModuleOp module) {
  std::string text;
  llvm::raw_string_ostream os(text);
  module->print(os, OpPrintingFlags().printGenericOpForm().enableDebugInfo(
                        /*enable=*/false));
  return llvm::StringRef(text).rtrim().str();
}

/// The quantizations an entry function's results depend on (in its body,
/// its fusions and the functions it calls): how many, and the largest
/// relative rounding error of their formats (2^-3 for E4M3, 2^-2 for E5M2).
/// Dead ones do not count: a pass may remove them.
struct Quantization {
  unsigned count = 0;
  double precision = 0;
  /// Whether the results depend on an op that is not continuous in its
  /// operands: a quantization, a cast to FP8 or integers, a comparison.
  bool discontinuous = false;
};

Quantization quantizationOf(func::FuncOp entry) {
  Quantization quantization;
  auto module = entry->getParentOfType<ModuleOp>();
  SmallVector<Operation *> worklist;
  entry.walk([&](func::ReturnOp op) { worklist.push_back(op); });
  DenseSet<Operation *> live;
  while (!worklist.empty()) {
    Operation *op = worklist.pop_back_val();
    if (!live.insert(op).second)
      continue;
    for (Value operand : op->getOperands())
      if (Operation *def = operand.getDefiningOp())
        worklist.push_back(def);
    // A fusion's result comes from its body; a call's from its callee.
    if (auto fusion = dyn_cast<FusionOp>(op))
      worklist.push_back(fusion.getYield());
    if (auto call = dyn_cast<func::CallOp>(op))
      if (auto callee = module.lookupSymbol<func::FuncOp>(call.getCallee()))
        callee.walk([&](func::ReturnOp op) { worklist.push_back(op); });
    if (auto cast = dyn_cast<CastOp>(op)) {
      Type element = getElementTypeOrSelf(cast.getType());
      quantization.discontinuous |=
          isa<Float8E4M3FNType, Float8E5M2Type, IntegerType>(element);
    }
    quantization.discontinuous |= isa<EqOp, NeOp, LtOp, LeOp, GtOp, GeOp>(op);
    if (!isa<QuantizeOp, QuantizeExpandedOp>(op))
      continue;
    quantization.discontinuous = true;
    ++quantization.count;
    Type element = getElementTypeOrSelf(op->getResult(0).getType());
    quantization.precision = std::max(
        quantization.precision, isa<Float8E5M2Type>(element) ? 0.25 : 0.125);
  }
  return quantization;
}

/// "" when `actual` matches `expected` within `tolerance` of the largest
/// finite magnitude of `expected` plus `absolute` (NaN matches NaN), else
/// the first difference.
std::string compare(const fmrt::Tensor &actual, const fmrt::Tensor &expected,
                    double tolerance, double absolute) {
  if (actual.shape() != expected.shape())
    return "shapes differ";
  double scale = 0;
  for (int64_t i = 0; i < expected.numElements(); ++i)
    if (std::isfinite(expected.getDouble(i)))
      scale = std::max(scale, std::fabs(expected.getDouble(i)));
  for (int64_t i = 0; i < expected.numElements(); ++i) {
    const double a = actual.getDouble(i), e = expected.getDouble(i);
    if ((std::isnan(a) && std::isnan(e)) || a == e ||
        (std::isfinite(a) && std::isfinite(e) &&
         std::fabs(a - e) <= tolerance * scale + absolute))
      continue;
    return llvm::formatv("element {0}: {1:e6} vs {2:e6}", i, a, e).str();
  }
  return "";
}

/// A hash of what the compiled oracle sees: the printed module, which
/// function it compiles and runs, and on what.
uint64_t fingerprintOf(llvm::StringRef module, llvm::StringRef entry,
                       llvm::ArrayRef<fmrt::Tensor> inputs) {
  llvm::hash_code hash = llvm::hash_combine(module, entry);
  for (const fmrt::Tensor &input : inputs)
    hash = llvm::hash_combine(
        hash, static_cast<int>(input.dtype()),
        llvm::hash_combine_range(input.shape().begin(), input.shape().end()),
        llvm::StringRef(static_cast<const char *>(input.data()),
                        input.byteSize()));
  return hash;
}

/// How far `function`'s results move, relative to their largest
/// magnitude, when its float inputs move by up to `relative` (seeded by
/// `seed`): how much the program amplifies an error of that size. Infinite
/// when the interpreter fails or a finite result turns non-finite.
double sensitivity(ModuleOp module, func::FuncOp function,
                   llvm::ArrayRef<fmrt::Tensor> inputs,
                   llvm::ArrayRef<fmrt::Tensor> results, double relative,
                   uint64_t seed) {
  fmrt::Random random(seed);
  std::vector<fmrt::Tensor> moved(inputs.begin(), inputs.end());
  for (fmrt::Tensor &input : moved)
    if (fmrt::isFloat(input.dtype()))
      for (int64_t i = 0; i < input.numElements(); ++i)
        input.setDouble(i, input.getDouble(i) *
                               (1 + relative * (2 * random.uniform() - 1)));
  FailureOr<std::vector<fmrt::Tensor>> perturbed =
      Interpreter(module).run(function, moved);
  if (failed(perturbed))
    return INFINITY;
  double largest = 0;
  for (size_t r = 0; r < results.size(); ++r) {
    double scale = 0, change = 0;
    for (int64_t i = 0; i < results[r].numElements(); ++i) {
      const double before = results[r].getDouble(i),
                   after = (*perturbed)[r].getDouble(i);
      if (!std::isfinite(before))
        continue;
      if (!std::isfinite(after))
        return INFINITY;
      scale = std::max(scale, std::fabs(before));
      change = std::max(change, std::fabs(after - before));
    }
    largest = std::max(largest, scale > 0 ? change / scale : change);
  }
  return largest;
}

/// Whether an element of `tensors` is NaN or infinite.
bool anyNonFinite(llvm::ArrayRef<fmrt::Tensor> tensors) {
  for (const fmrt::Tensor &tensor : tensors)
    if (fmrt::isFloat(tensor.dtype()))
      for (int64_t i = 0; i < tensor.numElements(); ++i)
        if (!std::isfinite(tensor.getDouble(i)))
          return true;
  return false;
}

std::string compareAll(llvm::ArrayRef<fmrt::Tensor> actual,
                       llvm::ArrayRef<fmrt::Tensor> expected, double tolerance,
                       double absolute = 0) {
  if (actual.size() != expected.size())
    return "result counts differ";
  for (size_t i = 0; i < actual.size(); ++i)
    if (std::string difference =
            compare(actual[i], expected[i], tolerance, absolute);
        !difference.empty())
      return "result #" + std::to_string(i) + ": " + difference;
  return "";
}

} // namespace

namespace {

/// Tells the observer which pass runs, and verifies the IR after each, so
/// that a pass leaving invalid IR is told apart from one that fails with a
/// diagnostic.
class PassWatcher : public PassInstrumentation {
public:
  explicit PassWatcher(ReplayObserver &observer) : observer(observer) {}
  void runBeforePass(Pass *pass, Operation *) override {
    observer.enterStage(pass->getArgument());
  }
  void runAfterPass(Pass *pass, Operation *op) override {
    if (broken.empty() && failed(verify(op)))
      broken = pass->getArgument().str();
  }
  void runAfterPassFailed(Pass *pass, Operation *) override {
    if (failedPass.empty())
      failedPass = pass->getArgument().str();
  }
  ReplayObserver &observer;
  std::string broken, failedPass;
};

/// Whether every op of `module` is one the interpreter runs (fm, func,
/// builtin): after a lowering pass, there is nothing to compare numbers on.
bool isFmLevel(ModuleOp module) {
  bool fmLevel = true;
  module.walk([&](Operation *op) {
    StringRef dialect = op->getDialect() ? op->getDialect()->getNamespace()
                                         : StringRef("unregistered");
    if (dialect != "fm" && dialect != "func" && dialect != "builtin") {
      fmLevel = false;
      return WalkResult::interrupt();
    }
    return WalkResult::advance();
  });
  return fmLevel;
}

} // namespace

void registerPassPool() {
  static std::once_flag registered;
  std::call_once(registered, [] {
    fm::registerFmcPasses();
    fm::cpu::registerCpuPasses();
    registerTransformsPasses();
    registerLinalgPasses();
  });
}

mlir::DialectRegistry makeReplayRegistry() {
  DialectRegistry registry;
  registerFmcDialects(registry);
  cpu::registerCpuDialects(registry);
  return registry;
}

Outcome replay(const FuzzCase &fuzzCase, llvm::StringRef path, uint64_t seed,
               ReplayObserver *observer, MLIRContext *sharedContext) {
  registerPassPool();
  ReplayObserver silent;
  ReplayObserver &watch = observer ? *observer : silent;
  // One thread: replays run many times a second, and the reducer forks.
  std::optional<MLIRContext> ownContext;
  if (!sharedContext)
    ownContext.emplace(makeReplayRegistry(), MLIRContext::Threading::DISABLED);
  MLIRContext &context = sharedContext ? *sharedContext : *ownContext;
  context.printOpOnDiagnostic(false);
  std::string diagnostics;
  ScopedDiagnosticHandler handler(&context, [&](Diagnostic &diagnostic) {
    llvm::raw_string_ostream os(diagnostics);
    auto print = [&](Diagnostic &message, llvm::StringRef prefix) {
      if (auto at = dyn_cast<FileLineColLoc>(message.getLocation()))
        os << at.getFilename().getValue() << ":" << at.getLine() << ":"
           << at.getColumn() << ": ";
      else
        os << message.getLocation() << ": ";
      os << prefix << message << "\n";
    };
    print(diagnostic, "");
    for (Diagnostic &note : diagnostic.getNotes())
      print(note, "note: ");
    return success();
  });
  auto verdict = [&](Verdict kind, llvm::StringRef oracle,
                     const llvm::Twine &what, llvm::StringRef pass = "") {
    std::string message = what.str();
    if (!diagnostics.empty())
      message += "\n" + diagnostics;
    return Outcome{kind, oracle.str(), message, pass.str()};
  };

  // The case's first lines are MLIR comments: parsing the whole text keeps
  // the file's line numbers in locations.
  watch.enterStage("parse");
  std::string text = printCase(fuzzCase);
  OwningOpRef<ModuleOp> module = parseModule(text, &context, path);
  if (!module)
    return verdict(Verdict::Rejected, "parse", "the program does not parse");
  FailureOr<func::FuncOp> entry = findEntryFunction(*module, "");
  if (failed(entry))
    return verdict(Verdict::Rejected, "parse", "no entry function");
  const std::string entryName = entry->getSymName().str();
  watch.enterStage("interpreter");
  // A program that needs more memory than a fuzzing process may use (the
  // campaign's -rss_limit_mb) is not a bug to report: it is not run.
  constexpr int64_t kMaxPeakBytes = int64_t(1) << 30;
  if (std::optional<int64_t> peak = plannedPeakBytes(*entry);
      peak && *peak > kMaxPeakBytes)
    return verdict(Verdict::Rejected, "interpreter",
                   "the program needs " + llvm::Twine(*peak) +
                       " bytes at its peak (fm-plan-memory), more than a "
                       "fuzzing run's 1 GiB");
  std::vector<fmrt::Tensor> inputs = makeRandomInputs(*entry, seed);
  FailureOr<std::vector<fmrt::Tensor>> original =
      Interpreter(*module).run(*entry, inputs);
  if (failed(original))
    return verdict(Verdict::Rejected, "interpreter",
                   "the interpreter refuses the original program");
  const Quantization quantizedBefore = quantizationOf(*entry);

  // Element by element, so that the fuzzer can tell which added coverage.
  std::vector<std::string> elements = splitPipeline(fuzzCase.pipeline);
  for (unsigned index = 0; index < elements.size(); ++index) {
    watch.beforeElement(index);
    PassManager pm(&context);
    pm.enableVerifier(false);
    auto watcher = std::make_unique<PassWatcher>(watch);
    PassWatcher *watcherRef = watcher.get();
    pm.addInstrumentation(std::move(watcher));
    std::string errors;
    llvm::raw_string_ostream os(errors);
    if (failed(parsePassPipeline(elements[index], pm, os)))
      return verdict(Verdict::Rejected, "pipeline",
                     "invalid pipeline element '" + elements[index] +
                         "': " + errors);
    LogicalResult ran = pm.run(*module);
    if (!watcherRef->broken.empty())
      return verdict(Verdict::Bug, "verifier",
                     "the IR does not verify after " + watcherRef->broken,
                     watcherRef->broken);
    if (failed(ran))
      return verdict(Verdict::Rejected, "pipeline",
                     "a pass refused the program", watcherRef->failedPass);
    watch.afterElement(index);
  }

  // Print -> parse, and bytecode, give the same module back.
  watch.enterStage("roundtrip");
  std::string before = printed(*module);
  if (const uint64_t printedHash = llvm::hash_value(before);
      !watch.alreadyHeld("roundtrip", printedHash)) {
    OwningOpRef<ModuleOp> reparsed = parseModule(before, &context);
    if (!reparsed || printed(*reparsed) != before)
      return verdict(Verdict::Bug, "roundtrip",
                     "printing and parsing the module changes it");
    std::string bytes;
    llvm::raw_string_ostream bytecode(bytes);
    if (failed(writeBytecodeToFile(*module, bytecode)))
      return verdict(Verdict::Bug, "bytecode", "the module has no bytecode");
    Block block;
    if (failed(readBytecodeFile(llvm::MemoryBufferRef(bytes, "bytecode"),
                                &block, ParserConfig(&context))) ||
        block.empty() || !isa<ModuleOp>(block.front()) ||
        printed(cast<ModuleOp>(block.front())) != before) {
      return verdict(Verdict::Bug, "bytecode",
                     "a bytecode round trip changes the module");
    }
    watch.held("roundtrip", printedHash);
  }

  // The entry function computes what it did, within FP8's precision when
  // the pipeline quantized.
  auto after = module->lookupSymbol<func::FuncOp>(entryName);
  if (!after || after.getFunctionType() != entry->getFunctionType() ||
      !isFmLevel(*module))
    return Outcome{}; // Nothing left to compare with.
  watch.enterStage("differential");
  FailureOr<std::vector<fmrt::Tensor>> transformed =
      Interpreter(*module).run(after, inputs);
  if (failed(transformed))
    return verdict(Verdict::Bug, "differential",
                   "the interpreter refuses the program after the pipeline");
  // Tight when both sides quantize alike; when the pipeline added or
  // removed quantizations, within twice the coarsest format's rounding.
  // FP8 errors scale with the operands, not the result: a result that
  // cancels to near zero gets an absolute allowance too. Ops after a
  // quantization can amplify its rounding (powers, exponentials): the
  // allowance grows with how far the results move when the inputs move by
  // the format's rounding, and a program whose results then stop being
  // finite has nothing to compare. Neither has one whose own
  // discontinuous ops (its quantizations, FP8 casts, comparisons) see the
  // new rounding: a code or a branch may flip. Nor one with NaN or an
  // infinity among its results: one that reaches a new quantization's
  // scale (the largest magnitude of its tensor or group) makes all it
  // scales NaN.
  const Quantization quantizedAfter = quantizationOf(after);
  double fp8Tolerance = 0;
  if (quantizedAfter.count != quantizedBefore.count &&
      (quantizedBefore.discontinuous || anyNonFinite(*original)))
    fp8Tolerance = INFINITY;
  else if (quantizedAfter.count != quantizedBefore.count) {
    const double precision =
        std::max(quantizedBefore.precision, quantizedAfter.precision);
    fp8Tolerance =
        2 * std::max(precision, sensitivity(*module, after, inputs,
                                            *transformed, precision, seed));
  }
  if (std::isfinite(fp8Tolerance))
    if (std::string difference =
            compareAll(*transformed, *original,
                       fp8Tolerance ? fp8Tolerance : 1e-4, fp8Tolerance);
        !difference.empty())
      return verdict(Verdict::Bug, "differential",
                     "after the pipeline, " + difference);

  // Compiled for the CPU with loops in the interpreter's order and libm's
  // functions, the results are the interpreter's within rounding.
  cpu::CpuPipelineOptions options;
  options.entries = {entryName};
  options.runtimeMatmul = false;
  options.approximate = false;
  options.reassociate = false;
  // Invalid IR out of the lowering is still caught, after its half; `fmc
  // opt` with the pipeline names the pass.
  options.verifyEachPass = false;
  if (!watch.shouldLower())
    return Outcome{};
  const bool runCompiled = watch.shouldRunCompiled();
  const uint64_t fingerprint = fingerprintOf(before, entryName, inputs);
  if (watch.alreadyHeld(runCompiled ? "compiled" : "lower", fingerprint))
    return Outcome{};
  watch.enterStage("lower");
  // A pass may have made the entry private (symbol-privatize): compile it
  // all the same.
  after.setPublic();
  FailureOr<std::vector<cpu::FunctionSignature>> signatures =
      cpu::describeEntryFunctions(*module, options.entries);
  OwningOpRef<ModuleOp> lowered = module->clone();
  if (failed(signatures) || failed(cpu::lowerToLLVMDialect(*lowered, options)))
    return verdict(Verdict::Bug, "compile",
                   "the CPU backend cannot lower the program");
  watch.held("lower", fingerprint);
  if (!runCompiled)
    return Outcome{};
  watch.enterStage("jit");
  FailureOr<std::unique_ptr<cpu::JitModule>> jit =
      cpu::JitModule::compileLowered(std::move(lowered),
                                     std::move(*signatures));
  if (failed(jit))
    return verdict(Verdict::Bug, "compile",
                   "the CPU backend cannot compile the program");
  watch.enterStage("compiled");
  FailureOr<std::vector<fmrt::Tensor>> compiled =
      (*jit)->run(entryName, inputs);
  if (failed(compiled))
    return verdict(Verdict::Bug, "compiled", "the compiled program fails");
  if (std::string difference = compareAll(*compiled, *transformed, 1e-5);
      !difference.empty())
    return verdict(Verdict::Bug, "compiled",
                   "compiled vs interpreted, " + difference);
  watch.held("compiled", fingerprint);
  return Outcome{};
}

std::string bugSignature(const Outcome &outcome) {
  return outcome.pass.empty() ? outcome.oracle
                              : outcome.oracle + ":" + outcome.pass;
}

} // namespace fm::fuzz

//===- Oracles.cpp - What counts as a bug when running a fuzz case --------===//
#include "fuzz/Oracles.h"

#include "codegen/cpu/CpuPipeline.h"
#include "codegen/cpu/JitModule.h"
#include "ir/FmOps.h"
#include "ir/Registration.h"
#include "ir/interp/Interpreter.h"
#include "ir/interp/Invocation.h"
#include "passes/Passes.h"

#include "mlir/Bytecode/BytecodeReader.h"
#include "mlir/Bytecode/BytecodeWriter.h"
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

/// Verifies the IR after every pass, so that a pass leaving invalid IR is
/// told apart from one that fails with a diagnostic.
class VerifyAfterEachPass : public PassInstrumentation {
public:
  void runAfterPass(Pass *pass, Operation *op) override {
    if (broken.empty() && failed(verify(op)))
      broken = pass->getArgument().str();
  }
  std::string broken;
};

/// `module` in generic form, without locations or the trailing newline a
/// top-level op gets.
std::string printed(ModuleOp module) {
  std::string text;
  llvm::raw_string_ostream os(text);
  module->print(os, OpPrintingFlags().printGenericOpForm().enableDebugInfo(
                        /*enable=*/false));
  return llvm::StringRef(text).rtrim().str();
}

/// Whether `module` contains a quantization the original did not: results
/// may then differ by FP8's precision.
bool quantizes(ModuleOp module) {
  bool found = false;
  module.walk(
      [&](Operation *op) { found |= isa<QuantizeOp, QuantizeExpandedOp>(op); });
  return found;
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

Outcome replay(const FuzzCase &fuzzCase, llvm::StringRef path, uint64_t seed) {
  // The pass pool: fmc's passes and pipelines, the CPU backend's, and the
  // upstream passes fmc's pipelines use (canonicalize, cse, inline, ...).
  static std::once_flag registered;
  std::call_once(registered, [] {
    fm::registerFmcPasses();
    fm::cpu::registerCpuPasses();
    registerTransformsPasses();
  });
  DialectRegistry registry;
  registerFmcDialects(registry);
  cpu::registerCpuDialects(registry);
  MLIRContext context(registry);
  context.printOpOnDiagnostic(false);
  std::string diagnostics;
  ScopedDiagnosticHandler handler(&context, [&](Diagnostic &diagnostic) {
    llvm::raw_string_ostream os(diagnostics);
    if (auto at = dyn_cast<FileLineColLoc>(diagnostic.getLocation()))
      os << at.getFilename().getValue() << ":" << at.getLine() << ":"
         << at.getColumn() << ": ";
    else
      os << diagnostic.getLocation() << ": ";
    os << diagnostic << "\n";
    return success();
  });
  auto verdict = [&](Verdict kind, llvm::StringRef oracle,
                     const llvm::Twine &what) {
    std::string message = what.str();
    if (!diagnostics.empty())
      message += "\n" + diagnostics;
    return Outcome{kind, oracle.str(), message};
  };

  // The case's first lines are MLIR comments: parsing the whole text keeps
  // the file's line numbers in locations.
  std::string text = printCase(fuzzCase);
  OwningOpRef<ModuleOp> module =
      parseSourceString<ModuleOp>(text, ParserConfig(&context), path);
  if (!module)
    return verdict(Verdict::Rejected, "parse", "the program does not parse");
  FailureOr<func::FuncOp> entry = findEntryFunction(*module, "");
  if (failed(entry))
    return verdict(Verdict::Rejected, "parse", "no entry function");
  const std::string entryName = entry->getSymName().str();
  std::vector<fmrt::Tensor> inputs = makeRandomInputs(*entry, seed);
  FailureOr<std::vector<fmrt::Tensor>> original =
      Interpreter(*module).run(*entry, inputs);
  if (failed(original))
    return verdict(Verdict::Rejected, "interpreter",
                   "the interpreter refuses the original program");
  const bool quantizedBefore = quantizes(*module);

  PassManager pm(&context);
  pm.enableVerifier(false);
  auto verifier = std::make_unique<VerifyAfterEachPass>();
  VerifyAfterEachPass *verifierRef = verifier.get();
  pm.addInstrumentation(std::move(verifier));
  if (!fuzzCase.pipeline.empty()) {
    std::string errors;
    llvm::raw_string_ostream os(errors);
    if (failed(parsePassPipeline(fuzzCase.pipeline, pm, os)))
      return verdict(Verdict::Rejected, "pipeline",
                     "invalid pipeline '" + fuzzCase.pipeline + "': " + errors);
  }
  LogicalResult ran = pm.run(*module);
  if (!verifierRef->broken.empty())
    return verdict(Verdict::Bug, "verifier",
                   "the IR does not verify after " + verifierRef->broken);
  if (failed(ran))
    return verdict(Verdict::Rejected, "pipeline", "a pass refused the program");

  // Print -> parse, and bytecode, give the same module back.
  std::string before = printed(*module);
  OwningOpRef<ModuleOp> reparsed =
      parseSourceString<ModuleOp>(before, ParserConfig(&context));
  if (!reparsed || printed(*reparsed) != before)
    return verdict(Verdict::Bug, "roundtrip",
                   "printing and parsing the module changes it");
  std::string bytes;
  llvm::raw_string_ostream bytecode(bytes);
  if (failed(writeBytecodeToFile(*module, bytecode)))
    return verdict(Verdict::Bug, "bytecode", "the module has no bytecode");
  Block block;
  if (failed(readBytecodeFile(llvm::MemoryBufferRef(bytes, "bytecode"), &block,
                              ParserConfig(&context))) ||
      block.empty() || !isa<ModuleOp>(block.front()) ||
      printed(cast<ModuleOp>(block.front())) != before) {
    return verdict(Verdict::Bug, "bytecode",
                   "a bytecode round trip changes the module");
  }

  // The entry function computes what it did, within FP8's precision when
  // the pipeline quantized.
  auto after = module->lookupSymbol<func::FuncOp>(entryName);
  if (!after || after.getFunctionType() != entry->getFunctionType())
    return Outcome{Verdict::Ok, "", ""}; // Nothing left to compare with.
  FailureOr<std::vector<fmrt::Tensor>> transformed =
      Interpreter(*module).run(after, inputs);
  if (failed(transformed))
    return verdict(Verdict::Bug, "differential",
                   "the interpreter refuses the program after the pipeline");
  // FP8 errors scale with the operands, not the result: a result that
  // cancels to near zero gets an absolute allowance too.
  const bool quantized = quantizes(*module) && !quantizedBefore;
  if (std::string difference =
          compareAll(*transformed, *original, quantized ? 0.25 : 1e-4,
                     quantized ? 0.25 : 0);
      !difference.empty())
    return verdict(Verdict::Bug, "differential",
                   "after the pipeline, " + difference);

  // Compiled for the CPU with loops in the interpreter's order and libm's
  // functions, the results are the interpreter's within rounding.
  cpu::CpuPipelineOptions options;
  options.entries = {entryName};
  options.runtimeMatmul = false;
  options.approximate = false;
  FailureOr<std::unique_ptr<cpu::JitModule>> jit =
      cpu::JitModule::compile(*module, options);
  if (failed(jit))
    return verdict(Verdict::Bug, "compile",
                   "the CPU backend cannot compile the program");
  FailureOr<std::vector<fmrt::Tensor>> compiled =
      (*jit)->run(entryName, inputs);
  if (failed(compiled))
    return verdict(Verdict::Bug, "compiled", "the compiled program fails");
  if (std::string difference = compareAll(*compiled, *transformed, 1e-5);
      !difference.empty())
    return verdict(Verdict::Bug, "compiled",
                   "compiled vs interpreted, " + difference);
  return Outcome{Verdict::Ok, "", ""};
}

} // namespace fm::fuzz

//===- Executor.cpp - What runs a function of an fm program ---------------===//
#include "train/Executor.h"

#include "codegen/cpu/JitModule.h"
#include "passes/Passes.h"

#include "llvm/Support/Format.h"
#include "llvm/Support/MemoryBuffer.h"

#include <unistd.h>

using namespace mlir;

namespace fm {

namespace {

class InterpreterExecutor : public Executor {
public:
  InterpreterExecutor(ModuleOp module, func::FuncOp function,
                      Precision precision)
      : interpreter(module, {precision}), function(function) {}

  LogicalResult run(llvm::ArrayRef<fmrt::Tensor> inputs,
                    std::vector<fmrt::Tensor> &results) override {
    FailureOr<std::vector<fmrt::Tensor>> computed =
        interpreter.run(function, inputs);
    if (failed(computed))
      return failure();
    results = std::move(*computed);
    return success();
  }

private:
  Interpreter interpreter;
  func::FuncOp function;
};

class CompiledExecutor : public Executor {
public:
  CompiledExecutor(std::unique_ptr<cpu::JitModule> compiled,
                   std::string function)
      : compiled(std::move(compiled)), function(std::move(function)) {}

  LogicalResult run(llvm::ArrayRef<fmrt::Tensor> inputs,
                    std::vector<fmrt::Tensor> &results) override {
    return compiled->run(function, inputs, results);
  }

private:
  std::unique_ptr<cpu::JitModule> compiled;
  std::string function;
};

/// Bytes of memory this process may use: the machine's, or its cgroup's
/// limit when that is lower.
uint64_t usableMemoryBytes() {
  uint64_t bytes = static_cast<uint64_t>(sysconf(_SC_PHYS_PAGES)) *
                   static_cast<uint64_t>(sysconf(_SC_PAGE_SIZE));
  llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> limit =
      llvm::MemoryBuffer::getFileAsStream("/sys/fs/cgroup/memory.max");
  uint64_t cgroupBytes = 0;
  if (limit && !(*limit)->getBuffer().trim().getAsInteger(10, cgroupBytes) &&
      cgroupBytes > 0)
    bytes = std::min(bytes, cgroupBytes);
  return bytes;
}

std::string gibibytes(uint64_t bytes) {
  std::string text;
  llvm::raw_string_ostream(text)
      << llvm::format("%.1f GiB", bytes / double(1ull << 30));
  return text;
}

} // namespace

LogicalResult checkMemoryFits(func::FuncOp function) {
  std::optional<int64_t> peak = plannedPeakBytes(function);
  const uint64_t usable = usableMemoryBytes();
  if (!peak || static_cast<uint64_t>(*peak) <= usable)
    return success();
  return function.emitError()
         << "@" << function.getSymName() << " needs " << *peak << " bytes ("
         << gibibytes(*peak)
         << ") at the peak of its memory plan (fm-plan-memory), more than "
            "this machine's "
         << gibibytes(usable);
}

FailureOr<std::unique_ptr<Executor>> createExecutor(Backend backend,
                                                    ModuleOp module,
                                                    func::FuncOp function,
                                                    Precision precision) {
  if (backend == Backend::Interp)
    return std::unique_ptr<Executor>(
        new InterpreterExecutor(module, function, precision));
  if (precision != Precision::F32)
    return function.emitError("f64 precision is an interpreter mode; the cpu "
                              "backend computes in the program's types");
  cpu::CpuPipelineOptions options;
  options.entries = {function.getName().str()};
  FailureOr<std::unique_ptr<cpu::JitModule>> compiled =
      cpu::JitModule::compile(module, options);
  if (failed(compiled))
    return function.emitError()
           << "cannot compile @" << function.getName()
           << " for the cpu backend (see above); --backend interp runs it "
              "with the interpreter";
  return std::unique_ptr<Executor>(
      new CompiledExecutor(std::move(*compiled), function.getName().str()));
}

} // namespace fm

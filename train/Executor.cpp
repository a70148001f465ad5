//===- Executor.cpp - What runs a function of an fm program ---------------===//
#include "train/Executor.h"

#include "codegen/cpu/JitModule.h"

using namespace mlir;

namespace fm {

namespace {

class InterpreterExecutor : public Executor {
public:
  InterpreterExecutor(ModuleOp module, func::FuncOp function,
                      Precision precision)
      : interpreter(module, {precision}), function(function) {}

  FailureOr<std::vector<fmrt::Tensor>>
  run(llvm::ArrayRef<fmrt::Tensor> inputs) override {
    return interpreter.run(function, inputs);
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

  FailureOr<std::vector<fmrt::Tensor>>
  run(llvm::ArrayRef<fmrt::Tensor> inputs) override {
    return compiled->run(function, inputs);
  }

private:
  std::unique_ptr<cpu::JitModule> compiled;
  std::string function;
};

} // namespace

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

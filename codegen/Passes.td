//===- Passes.td - fmc code generation passes --------------*- tablegen -*-===//
#ifndef FM_CODEGEN_PASSES_TD
#define FM_CODEGEN_PASSES_TD

include "mlir/Pass/PassBase.td"

def LowerToLinalg : Pass<"fm-lower-to-linalg", "mlir::ModuleOp"> {
  let summary = "Lowers fm ops to linalg, tensor, arith and math on tensors";
  let description = [{
    Rewrites every fm op into upstream ops on the same tensors: elementwise
    and broadcasting ops into `linalg.generic`, contractions and reductions
    into `linalg.generic` with reduction iterators (f32 accumulation),
    gathers and scatters into `tensor` ops inside loops. bf16 and FP8 values
    are widened to f32 and narrowed back with integer bit arithmetic that
    rounds exactly as the interpreter does, since LLVM has no FP8 types and
    fmc does not rely on the host's bf16 conversion. An fm op without a
    lowering is an error naming it.

    Before that, an f32 sum of zero pads at disjoint places along one axis
    (fm-autodiff's gradient of a tensor read as slices, a fused QKV
    projection's) becomes an `fm.concat` of the pieces, each plus +0 (which
    keeps the sum's bits): each is written once into its place instead of
    into a zero-filled copy of the whole, and the adds go.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect", "::mlir::linalg::LinalgDialect",
    "::mlir::math::MathDialect", "::mlir::scf::SCFDialect",
    "::mlir::tensor::TensorDialect",
  ];
}

#endif // FM_CODEGEN_PASSES_TD

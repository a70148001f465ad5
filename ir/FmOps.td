//===- FmOps.td - Operations of the fm dialect -------------*- tablegen -*-===//
#ifndef FM_OPS_TD
#define FM_OPS_TD

include "ir/FmDialect.td"
include "mlir/IR/BuiltinAttributeInterfaces.td"
include "mlir/IR/OpAsmInterface.td"
include "mlir/Interfaces/ControlFlowInterfaces.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

//===----------------------------------------------------------------------===//
// Constants
//===----------------------------------------------------------------------===//

def Fm_ConstantOp : Fm_Op<"constant", [ConstantLike, Pure,
                                         InferTypeOpAdaptor]> {
  let summary = "A tensor constant";
  let description = [{
    Produces the tensor held by `value`; the result type is the attribute's.

    ```mlir
    %0 = fm.constant dense<[1.0, 2.0]> : tensor<2xf32>
    ```
  }];
  let arguments = (ins ElementsAttr:$value);
  let results = (outs Fm_Tensor:$result);
  let assemblyFormat = "attr-dict $value";
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Elementwise ops
//===----------------------------------------------------------------------===//

// Shares its result-type inference: numpy broadcasting of the operand shapes,
// equal element types. `resultElement` (a C++ expression) overrides the
// result element type.
class Fm_BroadcastBinaryOp<string mnemonic, string summaryText,
                           Type operandType,
                           string resultElement = "::mlir::Type()">
    : Fm_Op<mnemonic, [Pure, InferTypeOpAdaptor]> {
  let summary = summaryText;
  let description = [{
    Applies the operation elementwise. The operand shapes broadcast like numpy
    (trailing axes aligned; an axis of size 1 stretches); the element types
    must be equal.
  }];
  let arguments = (ins operandType:$lhs, operandType:$rhs);
  let assemblyFormat = [{
    $lhs `,` $rhs attr-dict `:` custom<OperandTypes>(type($lhs), type($rhs))
  }];
  let extraClassDefinition = [{
    ::llvm::LogicalResult $cppClass::inferReturnTypes(
        ::mlir::MLIRContext *context, std::optional<::mlir::Location> location,
        Adaptor adaptor, ::llvm::SmallVectorImpl<::mlir::Type> &inferred) {
      return ::fm::inferBroadcastResult(location, adaptor.getOperands(),
                                        }] # resultElement # [{, inferred);
    }
  }];
}

class Fm_ArithmeticOp<string mnemonic, string summaryText,
                      Type operandType = Fm_NumericTensor>
    : Fm_BroadcastBinaryOp<mnemonic, summaryText, operandType> {
  let results = (outs operandType:$result);
}

def Fm_AddOp : Fm_ArithmeticOp<"add", "Elementwise addition">;
def Fm_SubOp : Fm_ArithmeticOp<"sub", "Elementwise subtraction">;
def Fm_MulOp : Fm_ArithmeticOp<"mul", "Elementwise multiplication">;
def Fm_DivOp : Fm_ArithmeticOp<"div", "Elementwise division", Fm_FloatTensor>;
def Fm_MaxOp : Fm_ArithmeticOp<"max", "Elementwise maximum (NaN propagates)"> {
  let description = [{
    `lhs` if it is NaN or greater than `rhs`, else `rhs`: NaN propagates, and
    of two equal values (such as +0 and -0) the result is `rhs`.
  }];
}
def Fm_MinOp : Fm_ArithmeticOp<"min", "Elementwise minimum (NaN propagates)"> {
  let description = [{
    `lhs` if it is NaN or less than `rhs`, else `rhs`: NaN propagates, and of
    two equal values (such as +0 and -0) the result is `rhs`.
  }];
}
def Fm_PowOp : Fm_ArithmeticOp<"pow", "Elementwise power `lhs ^ rhs`",
                               Fm_FloatTensor>;

class Fm_CompareOp<string mnemonic, string relation>
    : Fm_BroadcastBinaryOp<mnemonic, "Elementwise comparison `lhs " # relation
                           # " rhs` producing i1", Fm_NumericTensor,
                           "::mlir::IntegerType::get(context, 1)"> {
  let results = (outs Fm_BoolTensor:$result);
}

def Fm_EqOp : Fm_CompareOp<"eq", "==">;
def Fm_NeOp : Fm_CompareOp<"ne", "!=">;
def Fm_LtOp : Fm_CompareOp<"lt", "<">;
def Fm_LeOp : Fm_CompareOp<"le", "<=">;
def Fm_GtOp : Fm_CompareOp<"gt", ">">;
def Fm_GeOp : Fm_CompareOp<"ge", ">=">;

def Fm_SelectOp : Fm_Op<"select", [Pure, InferTypeOpAdaptor]> {
  let summary = "Elementwise choice: `cond ? on_true : on_false`";
  let description = [{
    The three operand shapes broadcast together like numpy; `on_true` and
    `on_false` have the same element type, which is the result's.
  }];
  let arguments = (ins Fm_BoolTensor:$cond, Fm_Tensor:$on_true,
                   Fm_Tensor:$on_false);
  let results = (outs Fm_Tensor:$result);
  let assemblyFormat = [{
    $cond `,` $on_true `,` $on_false attr-dict `:` type($cond) `,`
    custom<OperandTypes>(type($on_true), type($on_false))
  }];
}

class Fm_UnaryOp<string mnemonic, string summaryText,
                 Type operandType = Fm_FloatTensor>
    : Fm_Op<mnemonic, [Pure, SameOperandsAndResultType]> {
  let summary = summaryText;
  let description = [{
    Applies the function elementwise; the result has the operand's type.
  }];
  let arguments = (ins operandType:$input);
  let results = (outs operandType:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
}

def Fm_NegOp : Fm_UnaryOp<"neg", "Elementwise negation", Fm_NumericTensor>;
def Fm_AbsOp : Fm_UnaryOp<"abs", "Elementwise absolute value",
                          Fm_NumericTensor>;
def Fm_ExpOp : Fm_UnaryOp<"exp", "Elementwise e^x">;
def Fm_LogOp : Fm_UnaryOp<"log", "Elementwise natural logarithm">;
def Fm_SqrtOp : Fm_UnaryOp<"sqrt", "Elementwise square root">;
def Fm_RsqrtOp : Fm_UnaryOp<"rsqrt", "Elementwise reciprocal square root">;
def Fm_TanhOp : Fm_UnaryOp<"tanh", "Elementwise hyperbolic tangent">;
def Fm_SigmoidOp : Fm_UnaryOp<"sigmoid", "Elementwise 1 / (1 + e^-x)">;
def Fm_ReluOp : Fm_UnaryOp<"relu", "Elementwise max(x, 0)">;
def Fm_SiluOp : Fm_UnaryOp<"silu", "Elementwise x * sigmoid(x)">;

def Fm_GeluOp : Fm_UnaryOp<"gelu", "Gaussian error linear unit"> {
  let description = [{
    `approximate = "tanh"` (the default) computes
    `0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))`; `approximate = "none"`
    computes the exact `0.5 x (1 + erf(x / sqrt(2)))`, as PyTorch's
    `gelu(approximate=...)`.
  }];
  let arguments = (ins Fm_FloatTensor:$input,
                   DefaultValuedStrAttr<StrAttr, "tanh">:$approximate);
  let assemblyFormat = [{
    $input (`approximate` $approximate^)? attr-dict `:` type($input)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Contractions and reductions
//===----------------------------------------------------------------------===//

def Fm_MatmulOp : Fm_Op<"matmul", [Pure, InferTypeOpAdaptor]> {
  let summary = "Matrix product, 2-D or batched";
  let description = [{
    `lhs` is `[..., M, K]` (`[..., K, M]` with `transpose_a`) and `rhs` is
    `[..., K, N]` (`[..., N, K]` with `transpose_b`); the result is
    `[..., M, N]`. Leading batch axes broadcast like numpy, so a 2-D `rhs`
    applies to every batch of `lhs`. Products accumulate in f32.

    ```mlir
    %y = fm.matmul %x, %w transpose_b : tensor<8x64xf32>, tensor<128x64xf32>
    ```
  }];
  let arguments = (ins Fm_FloatTensor:$lhs, Fm_FloatTensor:$rhs,
                   UnitAttr:$transpose_a, UnitAttr:$transpose_b);
  let results = (outs Fm_FloatTensor:$result);
  let assemblyFormat = [{
    $lhs `,` $rhs (`transpose_a` $transpose_a^)? (`transpose_b` $transpose_b^)?
    attr-dict `:` type($lhs) `,` type($rhs)
  }];
}

class Fm_ReduceOp<string mnemonic, string summaryText,
                  Type operandType = Fm_NumericTensor>
    : Fm_Op<mnemonic, [Pure, InferTypeOpAdaptor]> {
  let summary = summaryText;
  let description = [{
    Reduces over `axes` (all axes when absent, none when empty; negative
    axes count from the end). With `keepdim` the reduced axes stay as size 1. Floats accumulate in
    f32.

    ```mlir
    %s = fm.reduce_sum %x axes [1] keepdim : tensor<4x8xf32>
    ```
  }];
  let arguments = (ins operandType:$input,
                   OptionalAttr<DenseI64ArrayAttr>:$axes, UnitAttr:$keepdim);
  let results = (outs operandType:$result);
  let assemblyFormat = [{
    $input (`axes` $axes^)? (`keepdim` $keepdim^)? attr-dict `:` type($input)
  }];
  let extraClassDefinition = [{
    ::llvm::LogicalResult $cppClass::inferReturnTypes(
        ::mlir::MLIRContext *context, std::optional<::mlir::Location> location,
        Adaptor adaptor, ::llvm::SmallVectorImpl<::mlir::Type> &inferred) {
      return ::fm::inferReduceResult(location, adaptor.getInput(),
                                     adaptor.getAxes(), adaptor.getKeepdim(),
                                     inferred);
    }
    ::llvm::SmallVector<int64_t> $cppClass::getReducedAxes() {
      return ::fm::normalizeReduceAxes(getInput().getType().getRank(),
                                       getAxes());
    }
  }];
  let extraClassDeclaration = [{
    /// The reduced axes, non-negative and sorted.
    ::llvm::SmallVector<int64_t> getReducedAxes();
  }];
}

def Fm_ReduceSumOp : Fm_ReduceOp<"reduce_sum", "Sum over axes">;
def Fm_ReduceMeanOp : Fm_ReduceOp<"reduce_mean", "Mean over axes",
                                  Fm_FloatTensor>;
def Fm_ReduceMaxOp : Fm_ReduceOp<"reduce_max", "Maximum over axes">;

class Fm_SoftmaxLikeOp<string mnemonic, string summaryText>
    : Fm_Op<mnemonic, [Pure, SameOperandsAndResultType]> {
  let summary = summaryText;
  let description = [{
    Normalizes along `axis` (default: the last; negative counts from the end),
    subtracting the maximum first for stability.
  }];
  let arguments = (ins Fm_FloatTensor:$input,
                   DefaultValuedAttr<Fm_AxisAttr, "-1">:$axis);
  let results = (outs Fm_FloatTensor:$result);
  let assemblyFormat = "$input (`axis` $axis^)? attr-dict `:` type($input)";
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// `axis` as a non-negative index.
    int64_t getNormalizedAxis() {
      return ::fm::normalizeAxis(getAxis(), getInput().getType().getRank());
    }
  }];
}

def Fm_SoftmaxOp : Fm_SoftmaxLikeOp<"softmax", "Softmax along an axis">;
def Fm_LogSoftmaxOp : Fm_SoftmaxLikeOp<"log_softmax",
                                       "Log-softmax along an axis">;

def Fm_LayerNormOp : Fm_Op<"layer_norm", [Pure, AttrSizedOperandSegments,
                                          InferTypeOpAdaptor]> {
  let summary = "Layer normalization over the last axis";
  let description = [{
    `y = (x - mean) / sqrt(var + eps) * scale + bias` with the mean and the
    biased variance taken over the last axis. `scale` and `bias` are optional
    1-D tensors of the last axis' size and the input's element type.

    ```mlir
    %y = fm.layer_norm %x scale(%g : tensor<128xf32>) bias(%b : tensor<128xf32>) : tensor<8x128xf32>
    ```
  }];
  let arguments = (ins Fm_FloatTensor:$input,
                   Optional<Fm_FloatTensor>:$scale,
                   Optional<Fm_FloatTensor>:$bias,
                   DefaultValuedAttr<F32Attr, "1.0e-5f">:$eps);
  let results = (outs Fm_FloatTensor:$result);
  let hasVerifier = 1;
  let assemblyFormat = [{
    $input (`scale` `(` $scale^ `:` type($scale) `)`)?
    (`bias` `(` $bias^ `:` type($bias) `)`)? (`eps` $eps^)? attr-dict `:`
    type($input)
  }];
}

def Fm_RmsNormOp : Fm_Op<"rms_norm", [Pure, InferTypeOpAdaptor]> {
  let summary = "Root-mean-square normalization over the last axis";
  let description = [{
    `y = x / sqrt(mean(x^2) + eps) * scale` over the last axis; `scale` is an
    optional 1-D tensor of the last axis' size and the input's element type.
  }];
  let arguments = (ins Fm_FloatTensor:$input,
                   Optional<Fm_FloatTensor>:$scale,
                   DefaultValuedAttr<F32Attr, "1.0e-5f">:$eps);
  let results = (outs Fm_FloatTensor:$result);
  let hasVerifier = 1;
  let assemblyFormat = [{
    $input (`scale` `(` $scale^ `:` type($scale) `)`)? (`eps` $eps^)?
    attr-dict `:` type($input)
  }];
}

//===----------------------------------------------------------------------===//
// Shape ops
//===----------------------------------------------------------------------===//

def Fm_ReshapeOp : Fm_Op<"reshape", [Pure]> {
  let summary = "Same elements (C order) under another shape";
  let arguments = (ins Fm_Tensor:$input);
  let results = (outs Fm_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
}

def Fm_TransposeOp : Fm_Op<"transpose", [Pure, InferTypeOpAdaptor]> {
  let summary = "Permutes axes";
  let description = [{
    Result axis `i` is input axis `permutation[i]`. Without `permutation` the
    axes are reversed, as numpy's `transpose`.

    ```mlir
    %t = fm.transpose %x permutation [0, 2, 1] : tensor<2x3x4xf32>
    ```
  }];
  let arguments = (ins Fm_Tensor:$input,
                   OptionalAttr<DenseI64ArrayAttr>:$permutation);
  let results = (outs Fm_Tensor:$result);
  let assemblyFormat = [{
    $input (`permutation` $permutation^)? attr-dict `:` type($input)
  }];
  let extraClassDeclaration = [{
    /// The permutation, with the default (reversed axes) filled in.
    ::llvm::SmallVector<int64_t> getEffectivePermutation();
  }];
}

def Fm_BroadcastToOp : Fm_Op<"broadcast_to", [Pure]> {
  let summary = "Broadcasts to a larger shape, as numpy's `broadcast_to`";
  let arguments = (ins Fm_Tensor:$input);
  let results = (outs Fm_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
}

def Fm_SliceOp : Fm_Op<"slice", [Pure, InferTypeOpAdaptor]> {
  let summary = "Static strided slice";
  let description = [{
    Takes elements `start[i], start[i] + stride[i], ...` below `limit[i]` on
    every axis (`stride` defaults to ones), as StableHLO's `slice`.

    ```mlir
    %s = fm.slice %x start [0, 2] limit [4, 6] : tensor<4x8xf32>
    ```
  }];
  let arguments = (ins Fm_Tensor:$input, DenseI64ArrayAttr:$start,
                   DenseI64ArrayAttr:$limit,
                   OptionalAttr<DenseI64ArrayAttr>:$stride);
  let results = (outs Fm_Tensor:$result);
  let assemblyFormat = [{
    $input `start` $start `limit` $limit (`stride` $stride^)? attr-dict `:`
    type($input)
  }];
  let extraClassDeclaration = [{
    /// `stride`, with the default (ones) filled in.
    ::llvm::SmallVector<int64_t> getEffectiveStride();
  }];
}

def Fm_ConcatOp : Fm_Op<"concat", [Pure, InferTypeOpAdaptor]> {
  let summary = "Joins tensors along an axis";
  let description = [{
    All inputs have the same element type and the same sizes except along
    `axis` (default 0; negative counts from the end).
  }];
  let arguments = (ins Variadic<Fm_Tensor>:$inputs,
                   DefaultValuedAttr<Fm_AxisAttr, "0">:$axis);
  let results = (outs Fm_Tensor:$result);
  let assemblyFormat = "$inputs (`axis` $axis^)? attr-dict `:` type($inputs)";
  let extraClassDeclaration = [{
    int64_t getNormalizedAxis() {
      return ::fm::normalizeAxis(getAxis(), getResult().getType().getRank());
    }
  }];
}

def Fm_IotaOp : Fm_Op<"iota", [Pure]> {
  let summary = "Indices along an axis";
  let description = [{
    Element `(i_0, ..., i_n)` is `i_axis` (default axis 0; negative counts
    from the end). Two iotas and a
    comparison build a causal mask:

    ```mlir
    %r = fm.iota : tensor<64x64xi32>
    %c = fm.iota axis 1 : tensor<64x64xi32>
    %mask = fm.ge %r, %c : tensor<64x64xi32>
    ```
  }];
  let arguments = (ins DefaultValuedAttr<Fm_AxisAttr, "0">:$axis);
  let results = (outs Fm_NumericTensor:$result);
  let assemblyFormat = "(`axis` $axis^)? attr-dict `:` type($result)";
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    int64_t getNormalizedAxis() {
      return ::fm::normalizeAxis(getAxis(), getResult().getType().getRank());
    }
  }];
}

//===----------------------------------------------------------------------===//
// Model ops
//===----------------------------------------------------------------------===//

def Fm_EmbeddingOp : Fm_Op<"embedding", [Pure, InferTypeOpAdaptor]> {
  let summary = "Gathers rows of a table";
  let description = [{
    `table` is `[V, D]`; `indices` (i32 or i64) of any shape `S` select rows,
    giving `S x [D]`. An index outside `[0, V)` is an error in the
    interpreter; compiled code clamps it to the nearest row (it never reads
    out of bounds).

    ```mlir
    %e = fm.embedding %wte[%tokens] : tensor<256x128xf32>, tensor<8x64xi32>
    ```
  }];
  let arguments = (ins Fm_FloatTensor:$table, Fm_IntTensor:$indices);
  let results = (outs Fm_FloatTensor:$result);
  let assemblyFormat = [{
    $table `[` $indices `]` attr-dict `:` type($table) `,` type($indices)
  }];
}

def Fm_CrossEntropyOp : Fm_Op<"cross_entropy", [Pure]> {
  let summary = "Mean softmax cross-entropy against integer labels";
  let description = [{
    `logits` is `S x [C]`, `labels` (i32 or i64) is `S` with values in
    `[0, C)`. The result is the rank-0 f32 mean over `S` of
    `logsumexp(logits) - logits[label]`.
  }];
  let arguments = (ins Fm_FloatTensor:$logits, Fm_IntTensor:$labels);
  let results = (outs Fm_ScalarF32Tensor:$result);
  let assemblyFormat = [{
    $logits `,` $labels attr-dict `:` type($logits) `,` type($labels)
  }];
  let hasVerifier = 1;
}

def Fm_CastOp : Fm_Op<"cast", [Pure]> {
  let summary = "Converts the element type";
  let description = [{
    Float to narrower float rounds to nearest, ties to even; to FP8, finite
    overflow and infinities saturate to the format's maximum and NaN stays
    NaN; to bf16/f16, overflow gives infinity. Float to integer truncates
    toward zero and wraps modulo 2^64 before narrowing to the integer width;
    NaN and infinities give 0. i64 to f32 rounds through f64. Anything to i1
    is `x != 0`.
  }];
  let arguments = (ins Fm_Tensor:$input);
  let results = (outs Fm_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// FP8 ops
//
// Scaled conversions between wider floats and FP8 (E4M3FN, E5M2), the FP8
// matrix product, and COAT's dynamic range expansion. A scale tensor holds
// one f32 per group of elements. Without `group` there is one group, the
// whole tensor, and the scale has rank 0. With `group G` (along `axis`,
// default the last; negative counts from the end) each run of G consecutive
// elements along that axis is a group, so the scale has the input's shape
// with that axis divided by G ("1 x G groups").
//===----------------------------------------------------------------------===//

class Fm_GroupScaledOp<string mnemonic, list<Trait> traits = []>
    : Fm_Op<mnemonic, !listconcat([Pure], traits)> {
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// The grouped axis as a non-negative index.
    int64_t getNormalizedAxis() {
      return ::fm::normalizeAxis(getAxis(), getInput().getType().getRank());
    }
  }];
}

def Fm_QuantizeOp : Fm_GroupScaledOp<"quantize"> {
  let summary = "Divides by a per-tensor or per-group scale and rounds to FP8";
  let description = [{
    `q = fp8(f32(x) / scale)` with the scale of x's group: the quotient is
    an f32 division, rounded once to the FP8 result type (nearest, ties to
    even; finite overflow and infinities saturate to the format's maximum;
    NaN stays NaN). A zero scale therefore saturates nonzero values and
    makes NaN of zeros: scales come from amaxes kept away from zero.

    ```mlir
    %q = fm.quantize %x, %s group 16 : tensor<4x64xf32>, tensor<4x4xf32> -> tensor<4x64xf8E4M3FN>
    %t = fm.quantize %w, %sw : tensor<64x64xbf16>, tensor<f32> -> tensor<64x64xf8E4M3FN>
    ```
  }];
  let arguments = (ins Fm_WideFloatTensor:$input, Fm_F32Tensor:$scale,
                   OptionalAttr<I64Attr>:$group,
                   DefaultValuedAttr<Fm_AxisAttr, "-1">:$axis);
  let results = (outs Fm_FP8Tensor:$result);
  let assemblyFormat = [{
    $input `,` $scale (`group` $group^)? (`axis` $axis^)? attr-dict `:`
    type($input) `,` type($scale) `->` type($result)
  }];
}

def Fm_DequantizeOp : Fm_GroupScaledOp<"dequantize"> {
  let summary = "Multiplies FP8 values by their per-tensor or per-group scale";
  let description = [{
    `x = f32(q) * scale` with the scale of q's group, an f32 product rounded
    once to the result type.

    ```mlir
    %x = fm.dequantize %q, %s group 16 : tensor<4x64xf8E4M3FN>, tensor<4x4xf32> -> tensor<4x64xf32>
    ```
  }];
  let arguments = (ins Fm_FP8Tensor:$input, Fm_F32Tensor:$scale,
                   OptionalAttr<I64Attr>:$group,
                   DefaultValuedAttr<Fm_AxisAttr, "-1">:$axis);
  let results = (outs Fm_WideFloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $scale (`group` $group^)? (`axis` $axis^)? attr-dict `:`
    type($input) `,` type($scale) `->` type($result)
  }];
}

def Fm_ScaledMatmulOp : Fm_Op<"scaled_matmul", [Pure]> {
  let summary = "FP8 matrix product with per-tensor scales";
  let description = [{
    The shapes, transposes and batch broadcasting of `fm.matmul`; the
    operands are FP8, each format independently (E4M3 activations and
    weights times E5M2 gradients in the backward pass). Each result element
    is `acc * (lhs_scale * rhs_scale)`, where `acc` sums the f32 products of
    the widened operands in f32, in k order, and the scale product is an f32
    product; the result is rounded once to its type.

    ```mlir
    %y = fm.scaled_matmul %a, %sa, %b, %sb transpose_b : tensor<8x64xf8E4M3FN>, tensor<32x64xf8E4M3FN> -> tensor<8x32xf32>
    ```
  }];
  let arguments = (ins Fm_FP8Tensor:$lhs, Fm_ScalarF32Tensor:$lhs_scale,
                   Fm_FP8Tensor:$rhs, Fm_ScalarF32Tensor:$rhs_scale,
                   UnitAttr:$transpose_a, UnitAttr:$transpose_b);
  let results = (outs Fm_WideFloatTensor:$result);
  let assemblyFormat = [{
    $lhs `,` $lhs_scale `,` $rhs `,` $rhs_scale
    (`transpose_a` $transpose_a^)? (`transpose_b` $transpose_b^)? attr-dict
    `:` type($lhs) `,` type($rhs) `->` type($result)
  }];
  let hasVerifier = 1;
}

def Fm_QuantizeExpandedOp
    : Fm_GroupScaledOp<"quantize_expanded",
                       [AllTypesMatch<["scale", "exponent", "centre"]>]> {
  let summary = "Quantizes to FP8 with COAT's dynamic range expansion";
  let description = [{
    Per group of `group` elements along `axis`, in f32 and in this order
    (`fmax` is the result format's largest finite value, 448 for E4M3 and
    57344 for E5M2):

    - `hi = max |x| + 1e-30`, `lo = min over x != 0 of |x| + 1e-30` (`hi`
      when every x is 0), `R = hi / lo`;
    - `k = floor(log2(fmax^2 / 2) / log2(R) * 16) / 16`, clamped to
      [1/16, 16]: the expansion fits the group's range into FP8's;
    - `c = sqrt(hi) * sqrt(lo)`, the centre the expansion pivots on;
    - `scale = pow(hi / c, k) / fmax`;
    - `q = fp8(sign(x) * pow(|x| / c, k) / scale)`.

    Degenerate groups take `k = 1` and `c = 1` (plain per-group scaling,
    `scale = hi / fmax`): groups whose elements are all zero or all of one
    magnitude (`R <= 1`), and groups holding an infinity or NaN, where `hi`
    is taken over the finite elements (infinities then saturate and NaN
    stays NaN). Finite inputs never give NaN. The clamp of k keeps pow's
    rounding from blowing up when R is barely above 1.

    Results: the FP8 values and, per group, `scale`, `exponent` (k) and
    `centre` (c), each with the input's shape with the grouped axis divided
    by `group`.

    ```mlir
    %q, %s, %k, %c = fm.quantize_expanded %m group 128 : tensor<4x256xf32> -> tensor<4x256xf8E4M3FN>, tensor<4x2xf32>
    ```
  }];
  let arguments = (ins Fm_F32Tensor:$input, I64Attr:$group,
                   DefaultValuedAttr<Fm_AxisAttr, "-1">:$axis);
  let results = (outs Fm_FP8Tensor:$result, Fm_F32Tensor:$scale,
                  Fm_F32Tensor:$exponent, Fm_F32Tensor:$centre);
  let assemblyFormat = [{
    $input `group` $group (`axis` $axis^)? attr-dict `:` type($input) `->`
    type($result) `,` type($scale)
  }];
}

def Fm_DequantizeExpandedOp
    : Fm_GroupScaledOp<"dequantize_expanded",
                       [AllTypesMatch<["scale", "exponent", "centre"]>]> {
  let summary = "Inverts fm.quantize_expanded";
  let description = [{
    `x = sign(q) * pow(|f32(q) * scale|, 1 / k) * c` with the group's
    `scale`, exponent `k` and centre `c`, in f32 and in that order.

    ```mlir
    %m = fm.dequantize_expanded %q, %s, %k, %c group 128 : tensor<4x256xf8E4M3FN>, tensor<4x2xf32> -> tensor<4x256xf32>
    ```
  }];
  let arguments = (ins Fm_FP8Tensor:$input, Fm_F32Tensor:$scale,
                   Fm_F32Tensor:$exponent, Fm_F32Tensor:$centre,
                   I64Attr:$group, DefaultValuedAttr<Fm_AxisAttr, "-1">:$axis);
  let results = (outs Fm_F32Tensor:$result);
  let assemblyFormat = [{
    $input `,` $scale `,` $exponent `,` $centre `group` $group
    (`axis` $axis^)? attr-dict `:` type($input) `,` type($scale) `->`
    type($result)
  }];
}

//===----------------------------------------------------------------------===//
// Backward ops
//
// Gradients that are clearer or cheaper as one op than as a composition of
// forward ops. fm-autodiff emits them; the interpreter defines them.
//===----------------------------------------------------------------------===//

def Fm_PadOp : Fm_Op<"pad", [Pure, InferTypeOpAdaptor]> {
  let summary = "Pads with zeros, before, after and between elements";
  let description = [{
    Along axis `i` puts `low[i]` zeros before the elements, `interior[i]`
    zeros between consecutive elements and `high[i]` zeros after them
    (`interior` defaults to zeros), as XLA's `pad` with a zero value. It is
    the adjoint of `fm.slice`.

    ```mlir
    %p = fm.pad %x low [0, 2] high [0, 1] : tensor<4x5xf32>
    ```
  }];
  let arguments = (ins Fm_Tensor:$input, DenseI64ArrayAttr:$low,
                   DenseI64ArrayAttr:$high,
                   OptionalAttr<DenseI64ArrayAttr>:$interior);
  let results = (outs Fm_Tensor:$result);
  let assemblyFormat = [{
    $input `low` $low `high` $high (`interior` $interior^)? attr-dict `:`
    type($input)
  }];
  let extraClassDeclaration = [{
    /// `interior`, with the default (zeros) filled in.
    ::llvm::SmallVector<int64_t> getEffectiveInterior();
  }];
}

def Fm_GeluGradOp : Fm_Op<"gelu_grad", [Pure, AllTypesMatch<["input", "grad",
                                                              "result"]>]> {
  let summary = "Gradient of fm.gelu";
  let description = [{
    `result = grad * gelu'(input)` for the same `approximate` as the forward
    op.
  }];
  let arguments = (ins Fm_FloatTensor:$input, Fm_FloatTensor:$grad,
                   DefaultValuedStrAttr<StrAttr, "tanh">:$approximate);
  let results = (outs Fm_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $grad (`approximate` $approximate^)? attr-dict `:`
    type($input)
  }];
  let hasVerifier = 1;
}

class Fm_SoftmaxLikeGradOp<string mnemonic, string forward, string formula>
    : Fm_Op<mnemonic, [Pure, AllTypesMatch<["output", "grad", "result"]>]> {
  let summary = "Gradient of fm." # forward # " from its output";
  let description = [{
    With `output` the forward op's result and `grad` the gradient of that
    result, along `axis`: `}] # formula # [{`.
  }];
  let arguments = (ins Fm_FloatTensor:$output, Fm_FloatTensor:$grad,
                   DefaultValuedAttr<Fm_AxisAttr, "-1">:$axis);
  let results = (outs Fm_FloatTensor:$result);
  let assemblyFormat = [{
    $output `,` $grad (`axis` $axis^)? attr-dict `:` type($output)
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    int64_t getNormalizedAxis() {
      return ::fm::normalizeAxis(getAxis(), getOutput().getType().getRank());
    }
  }];
}

def Fm_SoftmaxGradOp : Fm_SoftmaxLikeGradOp<"softmax_grad", "softmax",
    "result = output * (grad - sum(grad * output))">;
def Fm_LogSoftmaxGradOp : Fm_SoftmaxLikeGradOp<"log_softmax_grad",
    "log_softmax", "result = grad - exp(output) * sum(grad)">;

def Fm_LayerNormGradOp : Fm_Op<"layer_norm_grad", [Pure, InferTypeOpAdaptor,
    AllTypesMatch<["input", "grad"]>]> {
  let summary = "Gradient of fm.layer_norm";
  let description = [{
    From the forward input `input`, the gradient `grad` of the forward result
    and the optional `scale`, computes the gradients of the input, of the
    scale and of the bias (the last two summed over every axis but the last;
    they are returned even when the forward op had no scale or bias).
  }];
  let arguments = (ins Fm_FloatTensor:$input, Fm_FloatTensor:$grad,
                   Optional<Fm_FloatTensor>:$scale,
                   DefaultValuedAttr<F32Attr, "1.0e-5f">:$eps);
  let results = (outs Fm_FloatTensor:$input_grad, Fm_FloatTensor:$scale_grad,
                      Fm_FloatTensor:$bias_grad);
  let hasVerifier = 1;
  let assemblyFormat = [{
    $input `,` $grad (`scale` `(` $scale^ `:` type($scale) `)`)?
    (`eps` $eps^)? attr-dict `:` type($input)
  }];
}

def Fm_RmsNormGradOp : Fm_Op<"rms_norm_grad", [Pure, InferTypeOpAdaptor,
    AllTypesMatch<["input", "grad"]>]> {
  let summary = "Gradient of fm.rms_norm";
  let description = [{
    From the forward input, the gradient of the forward result and the
    optional `scale`, computes the gradients of the input and of the scale
    (summed over every axis but the last).
  }];
  let arguments = (ins Fm_FloatTensor:$input, Fm_FloatTensor:$grad,
                   Optional<Fm_FloatTensor>:$scale,
                   DefaultValuedAttr<F32Attr, "1.0e-5f">:$eps);
  let results = (outs Fm_FloatTensor:$input_grad, Fm_FloatTensor:$scale_grad);
  let hasVerifier = 1;
  let assemblyFormat = [{
    $input `,` $grad (`scale` `(` $scale^ `:` type($scale) `)`)?
    (`eps` $eps^)? attr-dict `:` type($input)
  }];
}

def Fm_CrossEntropyGradOp : Fm_Op<"cross_entropy_grad", [Pure,
    AllTypesMatch<["logits", "result"]>]> {
  let summary = "Gradient of fm.cross_entropy with respect to the logits";
  let description = [{
    `result = (softmax(logits) - one_hot(labels)) * grad / N`, where `grad`
    is the gradient of the (mean) loss and `N` the number of label
    positions.
  }];
  let arguments = (ins Fm_FloatTensor:$logits, Fm_IntTensor:$labels,
                   Fm_ScalarF32Tensor:$grad);
  let results = (outs Fm_FloatTensor:$result);
  let assemblyFormat = [{
    $logits `,` $labels `,` $grad attr-dict `:` type($logits) `,`
    type($labels)
  }];
  let hasVerifier = 1;
}

def Fm_EmbeddingGradOp : Fm_Op<"embedding_grad", [Pure]> {
  let summary = "Gradient of fm.embedding with respect to the table";
  let description = [{
    Scatter-adds the rows of `grad` (`S x [D]`) into a zero table of the
    result's shape `[V, D]` at the rows `indices` (`S`) name; repeated
    indices accumulate.

    ```mlir
    %dw = fm.embedding_grad %grad[%tokens] : tensor<8x64x128xf32>, tensor<8x64xi32> -> tensor<256x128xf32>
    ```
  }];
  let arguments = (ins Fm_FloatTensor:$grad, Fm_IntTensor:$indices);
  let results = (outs Fm_FloatTensor:$result);
  let assemblyFormat = [{
    $grad `[` $indices `]` attr-dict `:` type($grad) `,` type($indices) `->`
    type($result)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Kernel-level ops
//
// fm-fuse groups graph-level ops into fusions, each of which code generation
// turns into one kernel.
//===----------------------------------------------------------------------===//

def Fm_FusionOp : Fm_Op<"fusion", [IsolatedFromAbove, RecursiveMemoryEffects,
    RecursivelySpeculatable,
    DeclareOpInterfaceMethods<OpAsmOpInterface, ["getAsmBlockArgumentNames"]>
  ]> {
  let summary = "A group of fm ops that runs as one kernel";
  let description = [{
    The body's block arguments stand for the operands, in order and with
    their types; `fm.yield` gives the results. The body holds fm graph-level
    ops only (no nested fusion) and sees nothing from outside but its
    arguments, so a kernel can be generated from the op alone. Running the
    op means running its body once.

    `kind` says what the kernel is built around, for reports and code
    generation: `"gemm"` (a matmul and its epilogue), `"reduction"` (a
    reduction or normalization with its producers and consumers) or
    `"elementwise"`. fm-fuse sets it; hand-written fusions may leave it out.

    ```mlir
    %y = fm.fusion kind "gemm" (%x, %w, %b)
        : (tensor<8x64xf32>, tensor<64x32xf32>, tensor<32xf32>) -> tensor<8x32xf32> {
    ^bb0(%in0: tensor<8x64xf32>, %in1: tensor<64x32xf32>, %in2: tensor<32xf32>):
      %0 = fm.matmul %in0, %in1 : tensor<8x64xf32>, tensor<64x32xf32>
      %1 = fm.add %0, %in2 : tensor<8x32xf32>, tensor<32xf32>
      %2 = fm.gelu %1 : tensor<8x32xf32>
      fm.yield %2 : tensor<8x32xf32>
    }
    ```
  }];
  let arguments = (ins Variadic<Fm_Tensor>:$inputs,
                   OptionalAttr<StrAttr>:$kind);
  let results = (outs Variadic<Fm_Tensor>:$results);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = [{
    (`kind` $kind^)? ` ` `(` $inputs `)` attr-dict `:`
    functional-type($inputs, $results) $body
  }];
  let hasVerifier = 1;
  let hasRegionVerifier = 1;
  let extraClassDeclaration = [{
    static constexpr ::llvm::StringLiteral kGemm = "gemm";
    static constexpr ::llvm::StringLiteral kReduction = "reduction";
    static constexpr ::llvm::StringLiteral kElementwise = "elementwise";

    ::mlir::Block &getBodyBlock() { return getBody().front(); }
    /// The op that ends the body.
    YieldOp getYield();
  }];
}

def Fm_YieldOp : Fm_Op<"yield", [Pure, ReturnLike, Terminator,
                                  HasParent<"FusionOp">]> {
  let summary = "Ends an fm.fusion body, giving its results";
  let arguments = (ins Variadic<Fm_Tensor>:$values);
  let assemblyFormat = "attr-dict ($values^ `:` type($values))?";
}

#endif // FM_OPS_TD

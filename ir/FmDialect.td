//===- FmDialect.td - The fm dialect -----------------------*- tablegen -*-===//
//
// The `fm` dialect captures training graphs: value-semantics ops on builtin
// static-shaped tensors.
//
//===----------------------------------------------------------------------===//
#ifndef FM_DIALECT_TD
#define FM_DIALECT_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/AttrTypeBase.td"

def Fm_Dialect : Dialect {
  let name = "fm";
  let cppNamespace = "::fm";
  let summary = "Training graphs for the fmc tensor compiler";
  let description = [{
    `fm` ops work on builtin, statically shaped `tensor<...>` values with
    element types f32, f16, bf16, f8E4M3FN, f8E5M2, i32, i64 and i1. They have
    value semantics; elementwise ops broadcast like numpy. Every op has
    executable semantics in fmc's reference interpreter.

    Function arguments may carry `fm.name` (a non-empty string, unique among
    the function's arguments, naming it for tools and checkpoints) and one of
    `fm.param` (a trainable parameter), `fm.data` (a batch input) or
    `fm.state` (optimizer state carried from step to step). Function results
    may carry `fm.name` and `fm.feeds = i`: the result replaces argument `i`
    on the next training step.
  }];
  let hasOperationAttrVerify = 1;
  let hasRegionArgAttrVerify = 1;
  let hasRegionResultAttrVerify = 1;
  let hasConstantMaterializer = 1;
  let extraClassDeclaration = [{
    static constexpr ::llvm::StringLiteral kNameAttr = "fm.name";
    static constexpr ::llvm::StringLiteral kParamAttr = "fm.param";
    static constexpr ::llvm::StringLiteral kDataAttr = "fm.data";
    static constexpr ::llvm::StringLiteral kStateAttr = "fm.state";
    static constexpr ::llvm::StringLiteral kFeedsAttr = "fm.feeds";
    static constexpr ::llvm::StringLiteral kMemoryPlanAttr = "fm.memory_plan";
  }];
}

class Fm_Op<string mnemonic, list<Trait> traits = []>
    : Op<Fm_Dialect, mnemonic, traits>;

//===----------------------------------------------------------------------===//
// Tensor type constraints
//===----------------------------------------------------------------------===//

defvar Fm_FloatElementTypes = [F32, F16, BF16, F8E4M3FN, F8E5M2];
defvar Fm_IntElementTypes = [I32, I64];

// A statically shaped tensor of `types` whose size is addressable: at most
// 2^40 elements, so that no element or byte count overflows (the fuzzer
// wrote shapes whose element counts overflowed int64).
class Fm_TensorOf<list<Type> types>
    : Type<And<[StaticShapeTensorOf<types>.predicate,
                CPred<"::fm::hasAddressableSize($_self)">]>,
           StaticShapeTensorOf<types>.summary # " of at most 2^40 elements",
           "::mlir::RankedTensorType">;

def Fm_Tensor : Fm_TensorOf<!listconcat(Fm_FloatElementTypes,
                                                Fm_IntElementTypes, [I1])>;
def Fm_NumericTensor
    : Fm_TensorOf<!listconcat(Fm_FloatElementTypes, Fm_IntElementTypes)>;
def Fm_FloatTensor : Fm_TensorOf<Fm_FloatElementTypes>;
def Fm_IntTensor : Fm_TensorOf<Fm_IntElementTypes>;
def Fm_BoolTensor : Fm_TensorOf<[I1]>;
def Fm_FP8Tensor : Fm_TensorOf<[F8E4M3FN, F8E5M2]>;
def Fm_WideFloatTensor : Fm_TensorOf<[F32, F16, BF16]>;
def Fm_F32Tensor : Fm_TensorOf<[F32]>;
def Fm_ScalarF32Tensor : 0DTensorOf<[F32]> {
  // Lets assembly formats leave the (always equal) type unwritten.
  let builderCall = "::mlir::RankedTensorType::get({}, $_builder.getF32Type())";
}

//===----------------------------------------------------------------------===//
// Attribute constraints
//===----------------------------------------------------------------------===//

// An axis index: an i64 read back as a signed value, so that negative axes
// (counting from the end) survive; I64Attr returns uint64_t.
def Fm_AxisAttr : TypedSignlessIntegerAttrBase<I64, "int64_t",
                                                  "64-bit signless integer axis"> {
  let convertFromStorage = "$_self.getValue().getSExtValue()";
}

#endif // FM_DIALECT_TD

//===- GenericBuilders.h - linalg.generic builders for lowerings -*- C++
//-*-===//
//
// What the fm-lower-to-linalg patterns build their generics with: an
// iteration space (the shape an op's loops run over) whose operand maps
// broadcast statistics and scales along some dimensions, and builders of
// elementwise maps and reductions whose bodies see float inputs widened to
// f32 and whose f32 results are rounded once to the outputs' element types.
//
//===----------------------------------------------------------------------===//
#ifndef FM_CODEGEN_GENERICBUILDERS_H
#define FM_CODEGEN_GENERICBUILDERS_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/AffineMap.h"
#include "mlir/IR/Builders.h"

#include "llvm/ADT/STLFunctionalExtras.h"

namespace fm::lowering {

using mlir::AffineExpr;
using mlir::AffineMap;
using mlir::ArrayRef;
using mlir::Location;
using mlir::MLIRContext;
using mlir::OpBuilder;
using mlir::SmallVector;
using mlir::Type;
using mlir::TypedAttr;
using mlir::TypeRange;
using mlir::Value;
using mlir::ValueRange;

inline Value f32Constant(OpBuilder &b, Location loc, float value) {
  return b.create<mlir::arith::ConstantOp>(loc, b.getF32FloatAttr(value));
}

/// One input of a linalg.generic and its indexing map.
struct GenericInput {
  Value value;
  AffineMap map;
};

/// The iteration space of the generics that one op lowers to, and the maps
/// of operands indexed by some of its dimensions.
class IterationSpace {
public:
  IterationSpace(MLIRContext *context, ArrayRef<int64_t> shape)
      : context(context), shape(shape.begin(), shape.end()) {}

  int64_t rank() const { return shape.size(); }
  ArrayRef<int64_t> getShape() const { return shape; }

  /// A map to the dimensions `dims` (in their order).
  AffineMap mapTo(ArrayRef<int64_t> dims) const {
    SmallVector<AffineExpr> exprs;
    for (int64_t dim : dims)
      exprs.push_back(mlir::getAffineDimExpr(dim, context));
    return AffineMap::get(rank(), 0, exprs, context);
  }
  /// The dimensions other than `dims`.
  SmallVector<int64_t> complement(ArrayRef<int64_t> dims) const {
    SmallVector<int64_t> rest;
    for (int64_t dim = 0; dim < rank(); ++dim)
      if (!llvm::is_contained(dims, dim))
        rest.push_back(dim);
    return rest;
  }
  /// The sizes of the dimensions other than `dims`.
  SmallVector<int64_t> shapeWithout(ArrayRef<int64_t> dims) const {
    SmallVector<int64_t> sizes;
    for (int64_t dim : complement(dims))
      sizes.push_back(shape[dim]);
    return sizes;
  }

  /// An operand of the space's shape.
  GenericInput full(Value value) const {
    return {value, AffineMap::getMultiDimIdentityMap(rank(), context)};
  }
  /// An operand indexed by every dimension but `dims`, broadcast along them:
  /// a per-row statistic of a reduction over `dims`.
  GenericInput without(Value value, ArrayRef<int64_t> dims) const {
    return {value, mapTo(complement(dims))};
  }
  /// An operand indexed by `dims` only: a per-feature scale, a scalar.
  GenericInput only(Value value, ArrayRef<int64_t> dims) const {
    return {value, mapTo(dims)};
  }

private:
  MLIRContext *context;
  SmallVector<int64_t> shape;
};

/// Builds the body of a generic from its f32 (widened) or integer inputs and
/// its accumulators; returns the values to yield.
using BodyFn = llvm::function_ref<SmallVector<Value>(
    OpBuilder &b, Location loc, ValueRange args, ValueRange accumulators)>;

/// Builds a linalg.generic over `space` whose dimensions `reducedDims` are
/// reductions, writing `outs` (indexed by the other dimensions). The body
/// sees float inputs widened to f32; a yielded f32 value is narrowed to its
/// output's element type when that differs. Accumulators are passed to the
/// body only when `readOutputs`.
SmallVector<Value> buildGeneric(OpBuilder &b, Location loc,
                                const IterationSpace &space,
                                ArrayRef<int64_t> reducedDims,
                                ArrayRef<GenericInput> inputs, ValueRange outs,
                                bool readOutputs, BodyFn body);

/// An elementwise generic over `space`: one result of its shape per entry of
/// `resultElementTypes`.
SmallVector<Value> buildMap(OpBuilder &b, Location loc,
                            const IterationSpace &space,
                            ArrayRef<GenericInput> inputs,
                            TypeRange resultElementTypes, BodyFn body);
Value buildMap(OpBuilder &b, Location loc, const IterationSpace &space,
               ArrayRef<GenericInput> inputs, Type resultElementType,
               BodyFn body);

/// A reduction over the dimensions `reducedDims` of `space`: one accumulator
/// per entry of `inits` (its type and initial value), shaped like the other
/// dimensions and initialized with linalg.fill.
SmallVector<Value> buildReduce(OpBuilder &b, Location loc,
                               const IterationSpace &space,
                               ArrayRef<int64_t> reducedDims,
                               ArrayRef<GenericInput> inputs,
                               ArrayRef<TypedAttr> inits, BodyFn body);
Value buildReduce(OpBuilder &b, Location loc, const IterationSpace &space,
                  ArrayRef<int64_t> reducedDims, ArrayRef<GenericInput> inputs,
                  TypedAttr init, BodyFn body);

/// `values` (of one shape, f32 or already `element`) rounded to `element`
/// elementwise by one generic; as they are when they already have that
/// element type.
SmallVector<Value> narrowTensors(OpBuilder &b, Location loc, ValueRange values,
                                 Type element);
Value narrowTensor(OpBuilder &b, Location loc, Value value, Type element);

/// `value`, a float tensor, widened to f32 elementwise (exactly); as it is
/// when already f32.
Value widenTensor(OpBuilder &b, Location loc, Value value);

} // namespace fm::lowering

#endif // FM_CODEGEN_GENERICBUILDERS_H

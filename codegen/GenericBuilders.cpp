//===- GenericBuilders.cpp - linalg.generic builders for lowerings --------===//

#include "codegen/GenericBuilders.h"
#include "codegen/NarrowFloats.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include "llvm/ADT/STLExtras.h"

using namespace mlir;

namespace fm::lowering {

/// Builds a linalg.generic over `space` whose dimensions `reducedDims` are
/// reductions, writing `outs` (indexed by the other dimensions). The body
/// sees float inputs widened to f32; a yielded f32 value is narrowed to its
/// output's element type when that differs. Accumulators are passed to the
/// body only when `readOutputs`.
SmallVector<Value> buildGeneric(OpBuilder &b, Location loc,
                                const IterationSpace &space,
                                ArrayRef<int64_t> reducedDims,
                                ArrayRef<GenericInput> inputs, ValueRange outs,
                                bool readOutputs, BodyFn body) {
  SmallVector<Value> inputValues;
  SmallVector<AffineMap> maps;
  for (const GenericInput &input : inputs) {
    inputValues.push_back(input.value);
    maps.push_back(input.map);
  }
  AffineMap outMap = space.mapTo(space.complement(reducedDims));
  maps.append(outs.size(), outMap);
  SmallVector<utils::IteratorType> iterators(space.rank(),
                                             utils::IteratorType::parallel);
  for (int64_t dim : reducedDims)
    iterators[dim] = utils::IteratorType::reduction;
  auto generic = b.create<linalg::GenericOp>(
      loc, ValueRange(outs).getTypes(), inputValues, outs, maps, iterators,
      [&](OpBuilder &nested, Location nestedLoc, ValueRange blockArgs) {
        SmallVector<Value> args;
        for (Value arg : blockArgs.take_front(inputs.size()))
          args.push_back(isa<FloatType>(arg.getType())
                             ? fm::widenToF32(nested, nestedLoc, arg)
                             : arg);
        ValueRange accumulators =
            readOutputs ? blockArgs.drop_front(inputs.size()) : ValueRange();
        SmallVector<Value> yielded =
            body(nested, nestedLoc, args, accumulators);
        for (auto [value, out] : llvm::zip_equal(yielded, outs)) {
          Type element = cast<ShapedType>(out.getType()).getElementType();
          if (value.getType() != element)
            value = fm::narrowFromF32(nested, nestedLoc, value, element);
        }
        nested.create<linalg::YieldOp>(nestedLoc, yielded);
      });
  return generic.getResults();
}

/// An elementwise generic over `space`: one result of its shape per entry of
/// `resultElementTypes`.
SmallVector<Value> buildMap(OpBuilder &b, Location loc,
                            const IterationSpace &space,
                            ArrayRef<GenericInput> inputs,
                            TypeRange resultElementTypes, BodyFn body) {
  SmallVector<Value> outs;
  for (Type element : resultElementTypes)
    outs.push_back(b.create<tensor::EmptyOp>(loc, space.getShape(), element));
  return buildGeneric(b, loc, space, /*reducedDims=*/{}, inputs, outs,
                      /*readOutputs=*/false, body);
}

Value buildMap(OpBuilder &b, Location loc, const IterationSpace &space,
               ArrayRef<GenericInput> inputs, Type resultElementType,
               BodyFn body) {
  return buildMap(b, loc, space, inputs, TypeRange(resultElementType), body)
      .front();
}

/// A reduction over the dimensions `reducedDims` of `space`: one accumulator
/// per entry of `inits` (its type and initial value), shaped like the other
/// dimensions and initialized with linalg.fill.
SmallVector<Value> buildReduce(OpBuilder &b, Location loc,
                               const IterationSpace &space,
                               ArrayRef<int64_t> reducedDims,
                               ArrayRef<GenericInput> inputs,
                               ArrayRef<TypedAttr> inits, BodyFn body) {
  SmallVector<int64_t> shape = space.shapeWithout(reducedDims);
  SmallVector<Value> outs;
  for (TypedAttr init : inits) {
    Value empty = b.create<tensor::EmptyOp>(loc, shape, init.getType());
    Value initial = b.create<arith::ConstantOp>(loc, init);
    outs.push_back(b.create<linalg::FillOp>(loc, initial, empty).result());
  }
  return buildGeneric(b, loc, space, reducedDims, inputs, outs,
                      /*readOutputs=*/true, body);
}

Value buildReduce(OpBuilder &b, Location loc, const IterationSpace &space,
                  ArrayRef<int64_t> reducedDims, ArrayRef<GenericInput> inputs,
                  TypedAttr init, BodyFn body) {
  return buildReduce(b, loc, space, reducedDims, inputs, ArrayRef(init), body)
      .front();
}

/// `values` (of one shape, f32 or already `element`) rounded to `element`
/// elementwise by one generic; as they are when they already have that
/// element type.
SmallVector<Value> narrowTensors(OpBuilder &b, Location loc, ValueRange values,
                                 Type element) {
  auto type = cast<RankedTensorType>(values.front().getType());
  if (type.getElementType() == element)
    return values;
  IterationSpace space(b.getContext(), type.getShape());
  SmallVector<GenericInput> inputs;
  for (Value value : values)
    inputs.push_back(space.full(value));
  SmallVector<Type> types(values.size(), element);
  return buildMap(b, loc, space, inputs, types,
                  [](OpBuilder &, Location, ValueRange args, ValueRange) {
                    return SmallVector<Value>(args);
                  });
}

Value narrowTensor(OpBuilder &b, Location loc, Value value, Type element) {
  return narrowTensors(b, loc, value, element).front();
}

Value widenTensor(OpBuilder &b, Location loc, Value value) {
  auto type = cast<RankedTensorType>(value.getType());
  if (type.getElementType().isF32())
    return value;
  IterationSpace space(b.getContext(), type.getShape());
  return buildMap(b, loc, space, {space.full(value)}, b.getF32Type(),
                  [](OpBuilder &, Location, ValueRange args, ValueRange) {
                    return SmallVector<Value>{args[0]};
                  });
}

} // namespace fm::lowering

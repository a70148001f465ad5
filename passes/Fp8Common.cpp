//===- Fp8Common.cpp - What the FP8 passes share --------------------------===//
#include "passes/Fp8Common.h"

#include "ir/FmOps.h"

#include "mlir/IR/BuiltinTypes.h"

using namespace mlir;

llvm::DenseSet<Value> fm::forwardValues(func::FuncOp function) {
  llvm::DenseSet<Value> forward;
  auto ret = cast<func::ReturnOp>(function.getBody().back().getTerminator());
  if (ret.getNumOperands() == 0)
    return forward;
  Value loss = ret.getOperand(0);
  auto type = dyn_cast<RankedTensorType>(loss.getType());
  if (!type || type.getRank() != 0 || !isa<FloatType>(type.getElementType()))
    return forward;
  SmallVector<Value> worklist = {loss};
  while (!worklist.empty()) {
    Value value = worklist.pop_back_val();
    if (!forward.insert(value).second)
      continue;
    if (Operation *def = value.getDefiningOp())
      llvm::append_range(worklist, def->getOperands());
  }
  return forward;
}

Value fm::scaleFromAmax(OpBuilder &builder, Location loc, Value amax,
                        FloatType fp8) {
  auto scalarType = RankedTensorType::get({}, builder.getF32Type());
  Value floor = builder.create<ConstantOp>(
      loc, DenseElementsAttr::get(scalarType, 1e-30f));
  Value floored = builder.create<MaxOp>(loc, amax, floor);
  Value fmax = builder.create<ConstantOp>(
      loc, DenseElementsAttr::get(scalarType, largestFinite(fp8)));
  return builder.create<DivOp>(loc, floored, fmax);
}

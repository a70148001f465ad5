//===- Fp8Linear.cpp - fm-fp8-linear --------------------------------------===//
//
// Rewrites every fm.matmul into a per-tensor-scaled FP8 GEMM (COAT's and
// TransformerEngine's linear layers): each operand is quantized with the
// scale amax / fmax of its own current values ("current scaling"), forward
// tensors to E4M3 and gradients to E5M2, and fm.scaled_matmul multiplies
// them with f32 accumulation into the original result type.
//
//===----------------------------------------------------------------------===//
#include "passes/Passes.h"

#include "ir/FmOps.h"
#include "passes/ForwardValues.h"

#include "mlir/IR/Builders.h"

namespace fm {
#define GEN_PASS_DEF_FP8LINEAR
#include "passes/Passes.h.inc"
} // namespace fm

using namespace mlir;
using namespace fm;

namespace {

/// The amax floor: an all-zero tensor gets the scale 1e-30 / fmax instead
/// of 0, so that it quantizes to zeros rather than NaN.
constexpr float kAmaxFloor = 1e-30f;

struct Fp8LinearPass : fm::impl::Fp8LinearBase<Fp8LinearPass> {
  void runOnOperation() override {
    for (auto function : getOperation().getOps<func::FuncOp>())
      if (!function.isExternal())
        rewriteMatmuls(function);
  }

  static void rewriteMatmuls(func::FuncOp function) {
    // Everything the loss does not depend on belongs to the backward pass:
    // gradients, stored in E5M2 for its range.
    DenseSet<Value> forward = forwardValues(function);
    bool hasLoss = !forward.empty();
    SmallVector<MatmulOp> matmuls;
    function.walk([&](MatmulOp op) { matmuls.push_back(op); });
    for (MatmulOp op : matmuls) {
      OpBuilder b(op);
      auto isGradient = [&](Value value) {
        return hasLoss && !forward.contains(value);
      };
      auto [lhs, lhsScale] =
          quantize(b, op.getLoc(), op.getLhs(), isGradient(op.getLhs()));
      auto [rhs, rhsScale] =
          quantize(b, op.getLoc(), op.getRhs(), isGradient(op.getRhs()));
      Value product = b.create<ScaledMatmulOp>(
          op.getLoc(), op.getType(), lhs, lhsScale, rhs, rhsScale,
          op.getTransposeA(), op.getTransposeB());
      op.replaceAllUsesWith(product);
      op.erase();
    }
  }

  /// `x` quantized per tensor with scale max(amax(x), 1e-30) / fmax, and
  /// that scale: E5M2 for gradients, E4M3 otherwise.
  static std::pair<Value, Value> quantize(OpBuilder &b, Location loc, Value x,
                                          bool gradient) {
    auto type = cast<RankedTensorType>(x.getType());
    Type f32 = b.getF32Type();
    auto scalarType = RankedTensorType::get({}, f32);
    auto scalar = [&](float value) -> Value {
      return b.create<ConstantOp>(loc,
                                  DenseElementsAttr::get(scalarType, value));
    };
    Value amax = b.create<ReduceMaxOp>(loc, b.create<AbsOp>(loc, x),
                                       /*axes=*/nullptr, /*keepdim=*/false);
    if (!type.getElementType().isF32())
      amax = b.create<CastOp>(loc, scalarType, amax);
    Type fp8 =
        gradient ? Type(b.getFloat8E5M2Type()) : Type(b.getFloat8E4M3FNType());
    const float fmax = gradient ? 57344.0f : 448.0f;
    Value scale = b.create<DivOp>(
        loc, b.create<MaxOp>(loc, amax, scalar(kAmaxFloor)), scalar(fmax));
    Value quantized = b.create<QuantizeOp>(
        loc, RankedTensorType::get(type.getShape(), fp8), x, scale,
        /*group=*/nullptr, /*axis=*/-1);
    return {quantized, scale};
  }
};

} // namespace

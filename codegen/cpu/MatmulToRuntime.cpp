//===- MatmulToRuntime.cpp - fm-cpu-matmul-to-runtime ---------------------===//
//
// Matches linalg ops on f32 buffers whose loops are (batch..., m, n, k),
// whose body is `acc + a * b` and whose operands index A by (m, k), B by
// (k, n) and C by (batch..., m, n), each either way round for A and B and
// with any subset of the batch loops (a missing loop broadcasts), C's in
// any order (fm-cpu-fold-transposes writes it permuted). Such an op
// becomes calls of
//
//   fmrt_matmul_f32(batch, m, n, k, a, lda, strideA, transA,
//                   b, ldb, strideB, transB, c, ldc, strideC)
//
// which computes C = op(A) op(B) for `batch` matrices spaced by the given
// element strides. The innermost batch loops that the three buffers' strides
// let collapse into one become that batch; outer ones stay (parallel) loops.
// Where C starts as a vector broadcast along its rows rather than zeros,
// the call is to fmrt_matmul_bias_f32, which takes that vector as a bias
// (an argument before C's).
//
//===----------------------------------------------------------------------===//
#include "codegen/cpu/CpuPasses.h"

#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "llvm/ADT/SmallBitVector.h"

#include <optional>

namespace fm::cpu {
#define GEN_PASS_DEF_CPUMATMULTORUNTIME
#include "codegen/cpu/CpuPasses.h.inc"
} // namespace fm::cpu

using namespace mlir;

namespace {

/// How one matrix operand is stored, as BLAS wants it described.
struct MatrixLayout {
  Value buffer;
  bool transposed = false;
  /// Leading dimension: elements between rows as stored.
  int64_t ld = 0;
  /// Elements between consecutive indices of each batch loop (0 when the
  /// operand is broadcast along it).
  SmallVector<int64_t> batchStrides;
};

/// What C holds before the product adds to it: zeros (a fill) or a bias
/// broadcast to every row (fm-cpu-fold-matmul-bias).
struct Accumulator {
  /// The fill or broadcast that the call makes redundant.
  Operation *op = nullptr;
  /// The contiguous f32 vector broadcast, or null for zeros.
  Value bias;
};

struct MatmulPlan {
  SmallVector<int64_t> batchSizes;
  int64_t m = 0, n = 0, k = 0;
  MatrixLayout a, b, c;
  Accumulator start;
};

/// True for a body computing `acc + x * y` from its arguments (x, y, acc).
bool computesMultiplyAccumulate(Block &body) {
  if (body.getNumArguments() != 3 ||
      !llvm::hasNItems(body.without_terminator(), 2))
    return false;
  auto yield = cast<linalg::YieldOp>(body.getTerminator());
  if (yield.getValues().size() != 1)
    return false;
  auto add = yield.getValues()[0].getDefiningOp<arith::AddFOp>();
  if (!add)
    return false;
  Value acc = body.getArgument(2);
  Value product = add.getLhs() == acc   ? add.getRhs()
                  : add.getRhs() == acc ? add.getLhs()
                                        : Value();
  auto multiply = product ? product.getDefiningOp<arith::MulFOp>() : nullptr;
  if (!multiply)
    return false;
  Value x = body.getArgument(0), y = body.getArgument(1);
  return (multiply.getLhs() == x && multiply.getRhs() == y) ||
         (multiply.getLhs() == y && multiply.getRhs() == x);
}

/// A leading dimension for a matrix stored with unit stride along a
/// `unitSize` dimension and `ldStride` along the other (`ldSize`), or none
/// when that is not a BLAS layout. Strides of size-1 dimensions never matter.
std::optional<int64_t> leadingDimension(int64_t unitStride, int64_t unitSize,
                                        int64_t ldStride, int64_t ldSize) {
  if (unitStride != 1 && unitSize != 1)
    return std::nullopt;
  int64_t minimum = std::max<int64_t>(unitSize, 1);
  int64_t ld = ldSize == 1 ? minimum : ldStride;
  if (ld < minimum)
    return std::nullopt;
  return ld;
}

/// The layout of `buffer` indexed by `map`, whose results are the loops
/// `rowLoop` and `colLoop` once each, batch loops, or the constant 0.
std::optional<MatrixLayout> describeMatrix(Value buffer, AffineMap map,
                                           unsigned rowLoop, unsigned colLoop,
                                           ArrayRef<int64_t> loopSizes,
                                           bool allowTransposed) {
  auto type = cast<MemRefType>(buffer.getType());
  SmallVector<int64_t> strides;
  int64_t offset;
  if (!type.getElementType().isF32() ||
      failed(getStridesAndOffset(type, strides, offset)) ||
      llvm::any_of(strides, ShapedType::isDynamic))
    return std::nullopt;
  MatrixLayout layout;
  layout.buffer = buffer;
  const unsigned batchRank = loopSizes.size() - 3;
  layout.batchStrides.assign(batchRank, 0);
  std::optional<int64_t> rowStride, colStride;
  for (auto [position, expr] : llvm::enumerate(map.getResults())) {
    if (auto constant = dyn_cast<AffineConstantExpr>(expr)) {
      if (constant.getValue() != 0)
        return std::nullopt;
      continue;
    }
    auto dim = dyn_cast<AffineDimExpr>(expr);
    if (!dim)
      return std::nullopt;
    unsigned loop = dim.getPosition();
    int64_t stride = strides[position];
    if (loop < batchRank)
      layout.batchStrides[loop] += stride;
    else if (loop == rowLoop && !rowStride)
      rowStride = stride;
    else if (loop == colLoop && !colStride)
      colStride = stride;
    else
      return std::nullopt;
  }
  if (!rowStride || !colStride)
    return std::nullopt;
  int64_t rows = loopSizes[rowLoop], cols = loopSizes[colLoop];
  if (auto ld = leadingDimension(*colStride, cols, *rowStride, rows)) {
    layout.ld = *ld;
    return layout;
  }
  if (!allowTransposed)
    return std::nullopt;
  if (auto ld = leadingDimension(*rowStride, rows, *colStride, cols)) {
    layout.transposed = true;
    layout.ld = *ld;
    return layout;
  }
  return std::nullopt;
}

/// Whether `init` sets every element of `buffer` to zero, or to the
/// element of a contiguous f32 vector at its column: what the call can
/// start from.
std::optional<Accumulator> describeStart(Operation *init, Value buffer) {
  if (auto fill = dyn_cast<linalg::FillOp>(init)) {
    if (fill.getOutputs()[0] != buffer || !fm::cpu::isZeroFill(fill))
      return std::nullopt;
    return Accumulator{fill, Value()};
  }
  auto broadcast = dyn_cast<linalg::BroadcastOp>(init);
  if (!broadcast || broadcast.getInit() != buffer)
    return std::nullopt;
  auto biasType = cast<MemRefType>(broadcast.getInput().getType());
  const int64_t rank = cast<MemRefType>(buffer.getType()).getRank();
  SmallVector<int64_t> strides;
  int64_t offset;
  if (biasType.getRank() != 1 || !biasType.getElementType().isF32() ||
      failed(getStridesAndOffset(biasType, strides, offset)) ||
      (strides[0] != 1 && biasType.getDimSize(0) != 1) ||
      !llvm::equal(broadcast.getDimensions(), llvm::seq<int64_t>(0, rank - 1)))
    return std::nullopt;
  return Accumulator{broadcast, broadcast.getInput()};
}

/// How `buffer` starts before `op` accumulates onto it: the last op before
/// `op` with a memory effect, if it is a zero fill or a bias broadcast of
/// `buffer`.
std::optional<Accumulator> findStart(Operation *op, Value buffer) {
  for (Operation *previous = op->getPrevNode(); previous;
       previous = previous->getPrevNode()) {
    if (isa<linalg::FillOp, linalg::BroadcastOp>(previous))
      return describeStart(previous, buffer);
    if (!isMemoryEffectFree(previous))
      return std::nullopt;
  }
  return std::nullopt;
}

std::optional<MatmulPlan> planMatmul(linalg::LinalgOp op) {
  if (!op.hasPureBufferSemantics() || op.getNumDpsInputs() != 2 ||
      op.getNumDpsInits() != 1 || op.getNumLoops() < 3 ||
      op.getNumReductionLoops() != 1 || !op.getBlock() ||
      !computesMultiplyAccumulate(*op.getBlock()))
    return std::nullopt;
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  if (iterators.back() != utils::IteratorType::reduction)
    return std::nullopt;
  std::optional<SmallVector<int64_t, 4>> sizes = op.getStaticLoopRanges();
  if (!sizes || llvm::any_of(*sizes, ShapedType::isDynamic))
    return std::nullopt;
  const unsigned loops = op.getNumLoops();
  const unsigned mLoop = loops - 3, nLoop = loops - 2, kLoop = loops - 1;
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  // C is indexed by every loop but k, each once, in any order (a transpose
  // folded into the product writes it permuted).
  AffineMap cMap = maps[2];
  llvm::SmallBitVector indexed(loops);
  for (AffineExpr result : cMap.getResults())
    if (auto dim = dyn_cast<AffineDimExpr>(result))
      indexed.set(dim.getPosition());
  if (cMap.getNumResults() != loops - 1 || indexed.count() != loops - 1 ||
      indexed.test(kLoop))
    return std::nullopt;
  Value a = op.getDpsInputOperand(0)->get();
  Value b = op.getDpsInputOperand(1)->get();
  Value c = op.getDpsInitOperand(0)->get();
  std::optional<MatrixLayout> aLayout =
      describeMatrix(a, maps[0], mLoop, kLoop, *sizes, true);
  std::optional<MatrixLayout> bLayout =
      describeMatrix(b, maps[1], kLoop, nLoop, *sizes, true);
  std::optional<MatrixLayout> cLayout =
      describeMatrix(c, cMap, mLoop, nLoop, *sizes, false);
  std::optional<Accumulator> start = findStart(op, c);
  if (!aLayout || !bLayout || !cLayout || !start)
    return std::nullopt;
  MatmulPlan plan;
  plan.batchSizes.assign(sizes->begin(), sizes->begin() + mLoop);
  plan.m = (*sizes)[mLoop];
  plan.n = (*sizes)[nLoop];
  plan.k = (*sizes)[kLoop];
  plan.a = std::move(*aLayout);
  plan.b = std::move(*bLayout);
  plan.c = std::move(*cLayout);
  plan.start = *start;
  return plan;
}

/// The batch of each call: the trailing batch loops that collapse into one
/// strided batch for all three operands. The loops before stay loops.
struct CallBatch {
  unsigned looped = 0;
  int64_t size = 1;
  /// Elements between the batch's matrices in A, B and C.
  SmallVector<int64_t, 3> strides = {0, 0, 0};
};

CallBatch collapseBatchLoops(const MatmulPlan &plan) {
  const MatrixLayout *layouts[] = {&plan.a, &plan.b, &plan.c};
  CallBatch batch;
  batch.looped = plan.batchSizes.size();
  for (unsigned loop = plan.batchSizes.size(); loop-- > 0; --batch.looped) {
    int64_t size = plan.batchSizes[loop];
    // A batch of one matrix has no stride yet: it takes this loop's.
    if (batch.size == 1) {
      for (auto [stride, layout] : llvm::zip(batch.strides, layouts))
        stride = layout->batchStrides[loop];
      batch.size = size;
      continue;
    }
    if (size != 1 &&
        !llvm::all_of(llvm::zip(batch.strides, layouts), [&](auto pair) {
          auto [stride, layout] = pair;
          return layout->batchStrides[loop] == stride * batch.size;
        }))
      break;
    batch.size *= size;
  }
  return batch;
}

struct CpuMatmulToRuntimePass
    : fm::cpu::impl::CpuMatmulToRuntimeBase<CpuMatmulToRuntimePass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    std::vector<std::pair<linalg::LinalgOp, MatmulPlan>> matmuls;
    module.walk([&](linalg::LinalgOp op) {
      if (std::optional<MatmulPlan> plan = planMatmul(op))
        matmuls.push_back({op, std::move(*plan)});
    });
    if (matmuls.empty())
      return;
    for (auto &[op, plan] : matmuls) {
      OpBuilder builder(op);
      emitCalls(builder, op.getLoc(), plan,
                declareMatmul(module, /*withBias=*/bool(plan.start.bias)));
      op.erase();
      plan.start.op->erase();
    }
  }

private:
  func::FuncOp declareMatmul(ModuleOp module, bool withBias) {
    const StringRef name =
        withBias ? fm::cpu::kMatmulBiasFunction : fm::cpu::kMatmulFunction;
    if (auto existing = module.lookupSymbol<func::FuncOp>(name))
      return existing;
    MLIRContext *context = &getContext();
    Type i64 = IntegerType::get(context, 64);
    Type i1 = IntegerType::get(context, 1);
    Type ptr = LLVM::LLVMPointerType::get(context);
    // batch, m, n, k, then (pointer, ld, batch stride[, transposed]) for A,
    // B and C, the bias pointer before C's.
    SmallVector<Type> arguments = {i64, i64, i64, i64, ptr, i64, i64, i1,
                                   ptr, i64, i64, i1,  ptr, i64, i64};
    if (withBias)
      arguments.insert(arguments.begin() + 12, ptr);
    auto builder = OpBuilder::atBlockBegin(module.getBody());
    auto callee = builder.create<func::FuncOp>(
        module.getLoc(), name, FunctionType::get(context, arguments, {}));
    callee.setPrivate();
    // C's bool arguments: the callee may rely on the caller widening them.
    for (auto [index, type] : llvm::enumerate(arguments))
      if (type == i1)
        callee.setArgAttr(index, LLVM::LLVMDialect::getZExtAttrName(),
                          builder.getUnitAttr());
    return callee;
  }

  void emitCalls(OpBuilder &builder, Location loc, const MatmulPlan &plan,
                 func::FuncOp callee) {
    const CallBatch batch = collapseBatchLoops(plan);
    const MatrixLayout *layouts[] = {&plan.a, &plan.b, &plan.c};
    auto index = [&](OpBuilder &b, int64_t value) -> Value {
      return b.create<arith::ConstantIndexOp>(loc, value);
    };
    auto i64 = [&](OpBuilder &b, int64_t value) -> Value {
      return b.create<arith::ConstantIntOp>(loc, value, 64);
    };
    // Buffer addresses (in elements from the aligned pointer) outside the
    // loops.
    struct Base {
      Value aligned, offset;
    };
    auto baseOf = [&](Value buffer) {
      return Base{
          builder.create<memref::ExtractAlignedPointerAsIndexOp>(loc, buffer),
          builder.create<memref::ExtractStridedMetadataOp>(loc, buffer)
              .getOffset()};
    };
    SmallVector<Base, 3> bases;
    for (const MatrixLayout *layout : layouts)
      bases.push_back(baseOf(layout->buffer));
    // The same bias for every matrix: no batch strides.
    MatrixLayout bias;
    bias.buffer = plan.start.bias;
    bias.batchStrides.assign(plan.batchSizes.size(), 0);
    const std::optional<Base> biasBase =
        bias.buffer ? std::optional(baseOf(bias.buffer)) : std::nullopt;

    SmallVector<Value> lowerBounds, upperBounds, steps;
    for (int64_t size : ArrayRef(plan.batchSizes).take_front(batch.looped)) {
      lowerBounds.push_back(index(builder, 0));
      upperBounds.push_back(index(builder, size));
      steps.push_back(index(builder, 1));
    }
    // The batch loops that stay loops write disjoint parts of C: a parallel
    // loop, which fm-cpu-parallelize shares out when the products are worth
    // it (the calls inside then run on the thread that takes them).
    auto body = [&](OpBuilder &b, Location loc, ValueRange ivs) {
      auto pointer = [&](const MatrixLayout &layout, const Base &base) {
        Value elements = base.offset;
        for (auto [iv, stride] : llvm::zip(ivs, layout.batchStrides))
          elements = b.create<arith::AddIOp>(
              loc, elements,
              b.create<arith::MulIOp>(loc, iv, index(b, stride)));
        Value address = b.create<arith::AddIOp>(
            loc, base.aligned,
            b.create<arith::MulIOp>(loc, elements, index(b, sizeof(float))));
        return b.create<LLVM::IntToPtrOp>(
            loc, LLVM::LLVMPointerType::get(b.getContext()),
            b.create<arith::IndexCastOp>(loc, b.getI64Type(), address));
      };
      SmallVector<Value> arguments = {i64(b, batch.size), i64(b, plan.m),
                                      i64(b, plan.n), i64(b, plan.k)};
      for (auto [layout, base, stride] :
           llvm::zip(layouts, bases, batch.strides)) {
        if (layout == &plan.c && biasBase)
          arguments.push_back(pointer(bias, *biasBase));
        arguments.push_back(pointer(*layout, base));
        arguments.push_back(i64(b, layout->ld));
        arguments.push_back(i64(b, stride));
        if (layout != &plan.c)
          arguments.push_back(
              b.create<arith::ConstantIntOp>(loc, layout->transposed, 1));
      }
      b.create<func::CallOp>(loc, callee, arguments);
    };
    if (lowerBounds.empty())
      body(builder, loc, ValueRange());
    else
      builder.create<scf::ParallelOp>(
          loc, lowerBounds, upperBounds, steps,
          [&](OpBuilder &b, Location loc, ValueRange ivs) {
            body(b, loc, ivs);
          });
  }
};

} // namespace

bool fm::cpu::isMultiplyAccumulate(Operation *op) {
  auto linalgOp = dyn_cast_or_null<linalg::LinalgOp>(op);
  return linalgOp && linalgOp.getNumReductionLoops() > 0 &&
         linalgOp.getBlock() &&
         computesMultiplyAccumulate(*linalgOp.getBlock());
}

std::optional<fm::cpu::GemmCallSizes>
fm::cpu::gemmCallSizes(func::CallOp call) {
  const bool withBias = call.getCallee() == kMatmulBiasFunction;
  if (!withBias && call.getCallee() != kMatmulFunction)
    return std::nullopt;
  // (batch, m, n, k, ...); a size that is not a constant counts as 1.
  auto size = [&](unsigned position) {
    return getConstantIntValue(call.getOperand(position)).value_or(1);
  };
  return GemmCallSizes{size(0), size(1), size(2), size(3), withBias};
}

bool fm::cpu::isZeroFill(Operation *op) {
  auto fill = dyn_cast_or_null<linalg::FillOp>(op);
  auto constant =
      fill ? fill.getInputs()[0].getDefiningOp<arith::ConstantOp>() : nullptr;
  auto value = constant ? dyn_cast<FloatAttr>(constant.getValue()) : nullptr;
  return value && value.getValue().isZero();
}

//===- Parallelize.cpp - fm-cpu-parallelize -------------------------------===//
#include "codegen/cpu/CpuPasses.h"

#include "mlir/Dialect/SCF/Utils/Utils.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Interfaces/ViewLikeInterface.h"
#include "mlir/Transforms/RegionUtils.h"

#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/StringMap.h"

namespace fm::cpu {
#define GEN_PASS_DEF_CPUPARALLELIZE
#include "codegen/cpu/CpuPasses.h.inc"
} // namespace fm::cpu

using namespace mlir;

namespace {

/// Chunks per parallel loop the pool should be able to share out: leading
/// dimensions are collapsed until the first has this many iterations.
constexpr int64_t kMinChunks = 64;

/// The trip counts of `loop`'s dimensions (nullopt for a dynamic one).
SmallVector<std::optional<int64_t>> tripCounts(scf::ParallelOp loop) {
  SmallVector<std::optional<int64_t>> trips;
  for (auto [lower, upper, step] :
       llvm::zip(loop.getLowerBound(), loop.getUpperBound(), loop.getStep()))
    trips.push_back(constantTripCount(lower, upper, step));
  return trips;
}

/// Innermost iterations of the loop nest rooted at `op` (the deepest
/// nesting counts; dynamic trip counts count as 1), a GEMM call counting as
/// its multiply-adds.
int64_t nestWork(Operation *op) {
  int64_t trips = 1;
  if (auto parallel = dyn_cast<scf::ParallelOp>(op)) {
    for (std::optional<int64_t> count : tripCounts(parallel))
      trips *= count.value_or(1);
  } else if (auto loop = dyn_cast<scf::ForOp>(op)) {
    trips = constantTripCount(loop.getLowerBound(), loop.getUpperBound(),
                              loop.getStep())
                .value_or(1);
  }
  int64_t inner = 1;
  for (Region &region : op->getRegions())
    for (Operation &nested : region.getOps()) {
      if (isa<scf::ParallelOp, scf::ForOp>(nested))
        inner = std::max(inner, nestWork(&nested));
      // A GEMM call (a batch loop fm-cpu-matmul-to-runtime left) is worth
      // its multiply-adds.
      if (auto call = dyn_cast<func::CallOp>(nested))
        if (std::optional<fm::cpu::GemmCallSizes> sizes =
                fm::cpu::gemmCallSizes(call))
          inner = std::max(inner, sizes->multiplyAdds());
    }
  return trips * inner;
}

/// The buffer `value` views (through subviews, reshapes and casts): an
/// allocation, a global or a function argument; null for anything else.
Value underlyingBuffer(Value value) {
  while (auto view = value.getDefiningOp<ViewLikeOpInterface>())
    value = view.getViewSource();
  Operation *source = value.getDefiningOp();
  if (source &&
      !isa<memref::AllocOp, memref::AllocaOp, memref::GetGlobalOp>(source))
    return Value();
  return value;
}

/// Whether chunks of `nest`'s first dimension touch disjoint elements of
/// every buffer it writes: each access to such a buffer goes through the
/// same memref value with the first induction variable itself at the same
/// index, and the nest has no other side effects. Then each chunk may run
/// a loop around the nest on its own.
bool chunksAreIndependent(scf::ParallelOp nest) {
  struct Access {
    Value memref;
    ValueRange indices;
  };
  Value first = nest.getInductionVars().front();
  SmallVector<Access> accesses;
  DenseSet<Value> written;
  WalkResult walk = nest.getBody()->walk([&](Operation *op) {
    if (auto store = dyn_cast<memref::StoreOp>(op)) {
      written.insert(underlyingBuffer(store.getMemRef()));
      accesses.push_back({store.getMemRef(), store.getIndices()});
    } else if (auto load = dyn_cast<memref::LoadOp>(op)) {
      accesses.push_back({load.getMemRef(), load.getIndices()});
    } else if (!isMemoryEffectFree(op) &&
               !op->hasTrait<OpTrait::IsTerminator>()) {
      return WalkResult::interrupt();
    }
    return WalkResult::advance();
  });
  if (walk.wasInterrupted() || written.contains(Value()))
    return false;
  // Per written buffer: the memref value and index position all of its
  // accesses use.
  DenseMap<Value, std::pair<Value, unsigned>> uses;
  for (const Access &access : accesses) {
    Value buffer = underlyingBuffer(access.memref);
    if (!buffer)
      return false;
    if (!written.contains(buffer))
      continue;
    auto position = llvm::find(access.indices, first);
    if (position == access.indices.end())
      return false;
    std::pair<Value, unsigned> use = {
        access.memref,
        static_cast<unsigned>(position - access.indices.begin())};
    if (auto [known, inserted] = uses.try_emplace(buffer, use);
        !inserted && known->second != use)
      return false;
  }
  return true;
}

/// The scf.for whose body is `nest` alone, when chunks of the nest can each
/// run the whole loop: how convert-linalg-to-parallel-loops leaves a
/// reduction over rows, `for rows { parallel columns }` (the column sums of
/// bias and layer-norm gradients). The pool then splits the columns, and
/// the rows stay a loop with a vectorizable loop inside.
scf::ForOp loopAroundNest(scf::ParallelOp nest) {
  auto loop = dyn_cast<scf::ForOp>(nest->getParentOp());
  if (!loop || loop.getNumResults() != 0 ||
      &loop.getBody()->front() != nest.getOperation() ||
      nest->getNextNode() != loop.getBody()->getTerminator() ||
      !chunksAreIndependent(nest))
    return {};
  return loop;
}

struct CpuParallelizePass
    : fm::cpu::impl::CpuParallelizeBase<CpuParallelizePass> {
  using CpuParallelizeBase::CpuParallelizeBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    kernels.clear();
    SmallVector<func::FuncOp> functions(module.getOps<func::FuncOp>());
    for (func::FuncOp function : functions) {
      SmallVector<scf::ParallelOp> nests;
      function.walk<WalkOrder::PreOrder>([&](scf::ParallelOp nest) {
        nests.push_back(nest);
        return WalkResult::skip();
      });
      unsigned counter = 0;
      for (scf::ParallelOp nest : nests) {
        if (nest.getNumResults() != 0)
          continue;
        // Chunks of the first dimension go to the pool, with the loop
        // around the nest when each chunk can run it alone; small or
        // irregular nests run on the calling thread.
        scf::ForOp loop = loopAroundNest(nest);
        if (loop && nestWork(loop) >= minWork) {
          if (std::optional<int64_t> trips = chunkCount(nest)) {
            outline(module, function, loop, nest, trips, counter++);
            continue;
          }
        }
        std::optional<int64_t> trips;
        if (nestWork(nest) >= minWork) {
          nest = collapseLeadingLoops(nest);
          trips = chunkCount(nest);
        }
        outline(module, function, nest, nest, trips, counter++);
      }
    }
  }

private:
  /// The trip count of `nest`'s first dimension when the pool can share it
  /// out: a constant of at least 2, from 0 in steps of 1.
  static std::optional<int64_t> chunkCount(scf::ParallelOp nest) {
    std::optional<int64_t> trips = tripCounts(nest).front();
    if (trips && *trips >= 2 &&
        isConstantIntValue(nest.getLowerBound().front(), 0) &&
        isConstantIntValue(nest.getStep().front(), 1))
      return trips;
    return std::nullopt;
  }

  /// Collapses the leading dimensions of `nest` (never its last one) until
  /// the first has kMinChunks iterations; returns the loop now in its place.
  scf::ParallelOp collapseLeadingLoops(scf::ParallelOp nest) {
    SmallVector<std::optional<int64_t>> trips = tripCounts(nest);
    unsigned leading = 1;
    int64_t product = trips.front().value_or(kMinChunks);
    while (product < kMinChunks && leading + 1 < trips.size() &&
           trips[leading]) {
      product *= *trips[leading];
      ++leading;
    }
    if (leading == 1)
      return nest;
    std::vector<std::vector<unsigned>> groups(1);
    for (unsigned dim = 0; dim < trips.size(); ++dim) {
      if (dim < leading)
        groups.front().push_back(dim);
      else
        groups.push_back({dim});
    }
    Operation *next = nest->getNextNode();
    IRRewriter rewriter(&getContext());
    collapseParallelLoops(rewriter, nest, groups);
    auto collapsed = cast<scf::ParallelOp>(next->getPrevNode());
    // The collapsed trip count is computed at run time; it is a constant.
    rewriter.setInsertionPoint(collapsed);
    collapsed.getUpperBoundMutable().slice(0, 1).assign(
        rewriter.create<arith::ConstantIndexOp>(collapsed.getLoc(), product));
    return collapsed;
  }

  /// How a value crosses into a task: memrefs as the descriptor struct of
  /// finalize-memref-to-llvm, indices as i64, other scalars as they are.
  Type contextType(Value value) { return contextType(value.getType()); }
  Type contextType(Type type) {
    MLIRContext *context = &getContext();
    Type i64 = IntegerType::get(context, 64);
    if (auto memref = dyn_cast<MemRefType>(type)) {
      Type ptr = LLVM::LLVMPointerType::get(context);
      SmallVector<Type> fields = {ptr, ptr, i64};
      if (memref.getRank() > 0)
        fields.append(2, LLVM::LLVMArrayType::get(i64, memref.getRank()));
      return LLVM::LLVMStructType::getLiteral(context, fields);
    }
    return type.isIndex() ? i64 : type;
  }

  /// Moves `unit` (`nest`, or the loop around it) into a kernel function
  /// and calls it: through fmrt_parallel_for over [0, parallelTrips) of the
  /// nest's first dimension when given, else directly over the nest's own
  /// first-dimension range.
  void outline(ModuleOp module, func::FuncOp parent, Operation *unit,
               scf::ParallelOp nest, std::optional<int64_t> parallelTrips,
               unsigned index) {
    MLIRContext *context = &getContext();
    Location loc = nest.getLoc();
    Type i64 = IntegerType::get(context, 64);
    Type ptr = LLVM::LLVMPointerType::get(context);

    // What the unit reads from outside, except constants, which the kernel
    // rebuilds itself. The nest's first dimension's bounds become the
    // chunk's.
    llvm::SetVector<Value> outside;
    for (Region &region : unit->getRegions())
      getUsedValuesDefinedAbove(region, outside);
    if (unit != nest)
      outside.insert(unit->operand_begin(), unit->operand_end());
    outside.insert(nest.getLowerBound().begin() + 1,
                   nest.getLowerBound().end());
    outside.insert(nest.getUpperBound().begin() + 1,
                   nest.getUpperBound().end());
    outside.insert(nest.getStep().begin(), nest.getStep().end());
    SmallVector<Value> captured, constants;
    for (Value value : outside)
      (matchPattern(value, m_Constant()) ? constants : captured)
          .push_back(value);

    std::string name = (parent.getName() + "_kernel" + Twine(index)).str();
    SharedKernel &shared =
        findOrAddKernel(createKernel(module, name, unit, captured, constants));
    func::FuncOp kernel = shared.kernel;
    if (!parallelTrips) {
      SmallVector<Value> arguments = {nest.getLowerBound().front(),
                                      nest.getUpperBound().front()};
      llvm::append_range(arguments, captured);
      OpBuilder(unit).create<func::CallOp>(loc, kernel, arguments);
      unit->erase();
      return;
    }

    // The call: pack the context on the caller's stack (allocated once, at
    // its entry) and hand the range to the pool.
    SmallVector<Type> fields;
    for (Value value : captured)
      fields.push_back(contextType(value));
    auto contextStruct = LLVM::LLVMStructType::getLiteral(context, fields);
    auto entryBuilder = OpBuilder::atBlockBegin(&parent.getBody().front());
    Value contextPointer = entryBuilder.create<LLVM::AllocaOp>(
        loc, ptr, contextStruct,
        entryBuilder.create<LLVM::ConstantOp>(
            loc, i64, entryBuilder.getI64IntegerAttr(1)));
    OpBuilder builder(unit);
    for (auto [field, value] : llvm::enumerate(captured)) {
      Value packed = value;
      if (isa<MemRefType>(value.getType()))
        packed =
            builder
                .create<UnrealizedConversionCastOp>(loc, fields[field], value)
                .getResult(0);
      else if (value.getType().isIndex())
        packed = builder.create<arith::IndexCastOp>(loc, i64, value);
      Value slot = builder.create<LLVM::GEPOp>(
          loc, ptr, contextStruct, contextPointer,
          ArrayRef<LLVM::GEPArg>{0, static_cast<int32_t>(field)});
      builder.create<LLVM::StoreOp>(loc, packed, slot);
    }
    if (!shared.task)
      shared.task =
          createTask(module, (kernel.getName() + "_task").str(), kernel);
    func::FuncOp task = shared.task;
    Value taskAddress = builder.create<func::ConstantOp>(
        loc, task.getFunctionType(), SymbolRefAttr::get(task));
    builder.create<func::CallOp>(
        loc, declareParallelFor(module, task.getFunctionType()),
        ValueRange{
            builder.create<arith::ConstantIntOp>(loc, 0, 64),
            builder.create<arith::ConstantIntOp>(loc, *parallelTrips, 64),
            taskAddress, contextPointer});
    unit->erase();
  }

  /// A kernel and, once a nest runs it on the pool, its task.
  struct SharedKernel {
    func::FuncOp kernel, task;
  };

  /// The kernel equal to the new `kernel` (which then goes away), or
  /// `kernel` itself. Nests that differ only in the buffers they touch (the
  /// same layer of a model, its forward and its gradient in different entry
  /// points) share one kernel: a 12-layer model compiles about as fast as a
  /// 1-layer one.
  SharedKernel &findOrAddKernel(func::FuncOp kernel) {
    auto [found, inserted] = kernels.try_emplace(structuralKey(kernel));
    if (inserted)
      found->second.kernel = kernel;
    else
      kernel.erase();
    return found->second;
  }

  /// `kernel` printed without its name or locations: equal keys, equal
  /// kernels.
  static std::string structuralKey(func::FuncOp kernel) {
    StringAttr name = kernel.getSymNameAttr();
    kernel.setSymName("kernel");
    std::string key;
    llvm::raw_string_ostream os(key);
    kernel->print(os, OpPrintingFlags().useLocalScope());
    kernel.setSymNameAttr(name);
    return key;
  }

  /// `func.func private @name(%begin: index, %end: index, captured...)`
  /// running `unit` with iterations [begin, end) of the first dimension of
  /// its outermost nest (`unit` itself, or the nest a loop holds). Buffers
  /// that no other argument can alias get their LLVM pointers marked
  /// noalias (kNoAliasAttr, for fm-cpu-kernel-attributes).
  func::FuncOp createKernel(ModuleOp module, llvm::StringRef name,
                            Operation *unit, ArrayRef<Value> captured,
                            ArrayRef<Value> constants) {
    MLIRContext *context = &getContext();
    Location loc = unit->getLoc();
    SmallVector<Type> arguments(2, IndexType::get(context));
    for (Value value : captured)
      arguments.push_back(value.getType());
    auto kernel = func::FuncOp::create(
        loc, name, FunctionType::get(context, arguments, {}));
    kernel.setPrivate();
    // Renamed if a function of that name exists.
    SymbolTable(module).insert(kernel);
    kernel->setAttr(fm::cpu::kNoAliasAttr,
                    DenseI64ArrayAttr::get(context, noAliasPointers(captured)));
    Block *body = kernel.addEntryBlock();
    auto builder = OpBuilder::atBlockBegin(body);
    IRMapping mapping;
    for (Value constant : constants)
      mapping.map(
          constant,
          builder.clone(*constant.getDefiningOp(), mapping)->getResult(0));
    for (auto [value, argument] :
         llvm::zip(captured, body->getArguments().drop_front(2)))
      mapping.map(value, argument);
    Operation *cloned = builder.clone(*unit, mapping);
    auto chunk = dyn_cast<scf::ParallelOp>(cloned);
    if (!chunk)
      chunk =
          cast<scf::ParallelOp>(cast<scf::ForOp>(cloned).getBody()->front());
    chunk.getLowerBoundMutable().slice(0, 1).assign(body->getArgument(0));
    chunk.getUpperBoundMutable().slice(0, 1).assign(body->getArgument(1));
    builder.create<func::ReturnOp>(loc);
    return kernel;
  }

  /// The positions, among the LLVM arguments of a kernel taking (begin,
  /// end, captured...), of the allocated and aligned pointers of the
  /// buffers in `captured` that no other one may alias: those whose
  /// underlying buffer differs from all the others'. (Entry points never
  /// get a result buffer that is also an input or another result, so
  /// distinct arguments are distinct buffers.) None when a buffer's origin
  /// is unknown.
  static SmallVector<int64_t> noAliasPointers(ArrayRef<Value> captured) {
    SmallVector<Value> buffers;
    for (Value value : captured) {
      if (!isa<MemRefType>(value.getType()))
        continue;
      Value buffer = underlyingBuffer(value);
      if (!buffer)
        return {};
      buffers.push_back(buffer);
    }
    SmallVector<int64_t> positions;
    // begin and end come first, as i64s.
    int64_t position = 2;
    unsigned next = 0;
    for (Value value : captured) {
      auto memref = dyn_cast<MemRefType>(value.getType());
      if (!memref) {
        ++position;
        continue;
      }
      if (llvm::count(buffers, buffers[next++]) == 1) {
        positions.push_back(position);
        positions.push_back(position + 1);
      }
      // allocated, aligned, offset, sizes, strides.
      position += 3 + 2 * memref.getRank();
    }
    return positions;
  }

  /// `func.func private @name(%begin: i64, %end: i64, %context: !llvm.ptr)`
  /// for fmrt_parallel_for: unpacks the context and calls `kernel`.
  func::FuncOp createTask(ModuleOp module, llvm::StringRef name,
                          func::FuncOp kernel) {
    MLIRContext *context = &getContext();
    Location loc = kernel.getLoc();
    Type i64 = IntegerType::get(context, 64);
    Type ptr = LLVM::LLVMPointerType::get(context);
    auto task = func::FuncOp::create(
        loc, name, FunctionType::get(context, {i64, i64, ptr}, {}));
    task.setPrivate();
    SymbolTable(module).insert(task);
    Block *body = task.addEntryBlock();
    auto builder = OpBuilder::atBlockBegin(body);
    SmallVector<Value> arguments;
    for (unsigned bound = 0; bound < 2; ++bound)
      arguments.push_back(builder.create<arith::IndexCastOp>(
          loc, builder.getIndexType(), body->getArgument(bound)));
    ArrayRef<Type> captured = kernel.getArgumentTypes().drop_front(2);
    SmallVector<Type> fields;
    for (Type type : captured)
      fields.push_back(contextType(type));
    auto contextStruct = LLVM::LLVMStructType::getLiteral(context, fields);
    for (auto [field, type] : llvm::enumerate(captured)) {
      Value slot = builder.create<LLVM::GEPOp>(
          loc, ptr, contextStruct, body->getArgument(2),
          ArrayRef<LLVM::GEPArg>{0, static_cast<int32_t>(field)});
      Value loaded = builder.create<LLVM::LoadOp>(loc, fields[field], slot);
      if (isa<MemRefType>(type))
        loaded = builder.create<UnrealizedConversionCastOp>(loc, type, loaded)
                     .getResult(0);
      else if (type.isIndex())
        loaded = builder.create<arith::IndexCastOp>(loc, type, loaded);
      arguments.push_back(loaded);
    }
    builder.create<func::CallOp>(loc, kernel, arguments);
    builder.create<func::ReturnOp>(loc);
    return task;
  }

  /// The kernels so far, by structuralKey.
  llvm::StringMap<SharedKernel> kernels;

  func::FuncOp declareParallelFor(ModuleOp module, FunctionType taskType) {
    if (auto existing =
            module.lookupSymbol<func::FuncOp>(fm::cpu::kParallelForFunction))
      return existing;
    MLIRContext *context = &getContext();
    Type i64 = IntegerType::get(context, 64);
    auto builder = OpBuilder::atBlockBegin(module.getBody());
    auto declaration = builder.create<func::FuncOp>(
        module.getLoc(), fm::cpu::kParallelForFunction,
        FunctionType::get(
            context, {i64, i64, taskType, LLVM::LLVMPointerType::get(context)},
            {}));
    declaration.setPrivate();
    return declaration;
  }
};

} // namespace

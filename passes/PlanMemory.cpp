//===- PlanMemory.cpp - fm-plan-memory ------------------------------------===//
//
// A static buffer plan for each public function. The function's ops, with
// the bodies of the functions it calls spliced in, form one timeline of
// steps; every tensor an op produces is a buffer live from its step to its
// last use. Buffers then get offsets in one arena, largest first, each in
// the smallest gap left by the buffers whose lifetimes overlap its own. The
// summary goes on the function as `fm.memory_plan`.
//
//===----------------------------------------------------------------------===//
#include "passes/Passes.h"

#include "ir/FmOps.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/SymbolTable.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/MathExtras.h"

#include <memory>
#include <optional>
#include <tuple>

namespace fm {
#define GEN_PASS_DEF_PLANMEMORY
#include "passes/Passes.h.inc"
} // namespace fm

using namespace mlir;
using namespace fm;

namespace {

/// How deeply calls may nest; deeper means recursion, which has no static
/// plan.
constexpr unsigned kMaxCallDepth = 64;

/// The bytes a tensor of `type` takes; i1 elements take a byte each.
int64_t bytesOf(Type type) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  if (!tensor || !tensor.hasStaticShape())
    return 0;
  return tensor.getNumElements() *
         llvm::divideCeil(tensor.getElementTypeBitWidth(), 8);
}

/// Where the bytes of a value are.
struct Home {
  enum Kind { ReadOnly, Buffer, Argument } kind = ReadOnly;
  /// The buffer or the argument (of the planned function).
  unsigned index = 0;
};

struct Buffer {
  /// A buffer written at `step` and read no later, so far.
  Buffer(Value value, unsigned step)
      : value(value), bytes(bytesOf(value.getType())), start(step), end(step) {}

  /// The value whose op writes the buffer, in the planned function or in a
  /// function it calls.
  Value value;
  int64_t bytes;
  /// The steps of the defining op and of the last use.
  unsigned start, end;
  enum Category { Intermediate, Gradient, Result } category = Intermediate;
  /// The argument whose buffer it takes, if it is computed in place.
  std::optional<unsigned> inPlaceOf;
  int64_t offset = 0;
};

/// Whether `name` is the fm.name fm-autodiff gives a gradient result.
bool isGradientName(StringAttr name) {
  return name && name.getValue().starts_with("grad.");
}

class Planner {
public:
  explicit Planner(func::FuncOp function) : function(function) {}

  /// Builds the timeline and the buffers, and decides the in-place updates.
  LogicalResult build() {
    argumentLastUse.assign(function.getNumArguments(), 0);
    SmallVector<Home> arguments, results;
    for (unsigned index = 0; index < function.getNumArguments(); ++index)
      arguments.push_back({Home::Argument, index});
    if (failed(walk(function, arguments, results, /*depth=*/0)))
      return failure();
    // The function's results stay until it returns, after the last step.
    end = ++step;
    for (Home home : results)
      use(home);
    for (Home home : results)
      if (home.kind == Home::Buffer &&
          buffers[home.index].category != Buffer::Gradient)
        buffers[home.index].category = Buffer::Result;
    decideInPlace(results);
    return success();
  }

  /// Assigns arena offsets, aligned to `alignment` (a power of two), to the
  /// buffers not computed in place.
  void place(uint64_t alignment) {
    SmallVector<unsigned> order;
    for (auto [id, buffer] : llvm::enumerate(buffers))
      if (!buffer.inPlaceOf)
        order.push_back(id);
    auto sizeOf = [&](unsigned id) {
      return static_cast<int64_t>(llvm::alignTo(buffers[id].bytes, alignment));
    };
    llvm::sort(order, [&](unsigned a, unsigned b) {
      if (sizeOf(a) != sizeOf(b))
        return sizeOf(a) > sizeOf(b);
      return std::tie(buffers[a].start, a) < std::tie(buffers[b].start, b);
    });
    SmallVector<unsigned> placed;
    for (unsigned id : order) {
      Buffer &buffer = buffers[id];
      SmallVector<unsigned> overlapping;
      for (unsigned other : placed)
        if (buffers[other].start <= buffer.end &&
            buffer.start <= buffers[other].end)
          overlapping.push_back(other);
      llvm::sort(overlapping, [&](unsigned a, unsigned b) {
        return buffers[a].offset < buffers[b].offset;
      });
      // Best fit: the smallest hole below `top` that is big enough;
      // otherwise on top of everything that overlaps.
      const int64_t size = sizeOf(id);
      int64_t top = 0;
      std::optional<int64_t> best, bestHole;
      for (unsigned other : overlapping) {
        const int64_t hole = buffers[other].offset - top;
        if (hole >= size && (!bestHole || hole < *bestHole)) {
          best = top;
          bestHole = hole;
        }
        top = std::max(top, buffers[other].offset + sizeOf(other));
      }
      buffer.offset = best.value_or(top);
      arena = std::max(arena, buffer.offset + size);
      placed.push_back(id);
    }
  }

  /// Planned bytes by category: the `fm.memory_plan` dictionary's entries.
  struct Totals {
    int64_t weights, state, inputs, gradients, activations, saved, peak, arena;
  };

  Totals totals() {
    int64_t weights = 0, state = 0, inputs = 0;
    for (auto [index, argument] : llvm::enumerate(function.getArguments())) {
      const int64_t bytes = bytesOf(argument.getType());
      if (function.getArgAttr(index, FmDialect::kParamAttr))
        weights += bytes;
      else if (function.getArgAttr(index, FmDialect::kStateAttr))
        state += bytes;
      else
        inputs += bytes;
    }
    int64_t gradients = 0;
    for (const Buffer &buffer : buffers)
      if (buffer.category == Buffer::Gradient)
        gradients += buffer.bytes;
    // Bytes live at each step, from +bytes at the start and -bytes after
    // the end of each buffer; in-place buffers live in arguments.
    std::vector<int64_t> all(end + 2, 0), intermediate(end + 2, 0);
    for (const Buffer &buffer : buffers) {
      if (buffer.inPlaceOf)
        continue;
      all[buffer.start] += buffer.bytes;
      all[buffer.end + 1] -= buffer.bytes;
      if (buffer.category == Buffer::Intermediate) {
        intermediate[buffer.start] += buffer.bytes;
        intermediate[buffer.end + 1] -= buffer.bytes;
      }
    }
    // Intermediates written in the forward pass and read in the backward.
    int64_t saved = 0;
    if (forwardEnd)
      for (const Buffer &buffer : buffers)
        if (buffer.category == Buffer::Intermediate && !buffer.inPlaceOf &&
            buffer.start <= *forwardEnd && buffer.end > *forwardEnd)
          saved += buffer.bytes;
    int64_t live = 0, liveIntermediate = 0, peakLive = 0, activations = 0;
    for (unsigned t = 0; t <= end; ++t) {
      live += all[t];
      liveIntermediate += intermediate[t];
      peakLive = std::max(peakLive, live);
      activations = std::max(activations, liveIntermediate);
    }
    return Totals{weights,
                  state,
                  inputs,
                  gradients,
                  activations,
                  saved,
                  weights + state + inputs + peakLive,
                  arena};
  }

  /// The `fm.memory_plan` dictionary.
  DictionaryAttr summary() {
    const Totals planned = totals();
    Builder builder(function.getContext());
    auto entry = [&](StringRef name, int64_t value) {
      return builder.getNamedAttr(name, builder.getI64IntegerAttr(value));
    };
    return builder.getDictionaryAttr(
        {entry("weights", planned.weights),
         entry("optimizer_state", planned.state),
         entry("inputs", planned.inputs), entry("gradients", planned.gradients),
         entry("activations", planned.activations),
         entry("saved_activations", planned.saved), entry("workspace", 0),
         entry("peak", planned.peak), entry("arena", planned.arena)});
  }

  /// One line per buffer, in timeline order: value, bytes, live steps and
  /// where it is.
  std::string table() {
    std::string text;
    llvm::raw_string_ostream os(text);
    os << "memory plan of @" << function.getSymName() << " (" << end
       << " steps, arena of " << arena << " bytes):";
    for (const Buffer &buffer : buffers) {
      std::string placement =
          buffer.inPlaceOf ? "in place of " + argumentName(*buffer.inPlaceOf)
                           : "offset " + std::to_string(buffer.offset);
      os << llvm::formatv("\n  {0,-24} {1,12} bytes  [{2}, {3}]  {4}",
                          nameOf(buffer.value), buffer.bytes, buffer.start,
                          buffer.end, placement);
    }
    return text;
  }

private:
  /// Adds the steps of `callee`'s ops to the timeline, its arguments living
  /// at `arguments`; `results` receives where its results live.
  LogicalResult walk(func::FuncOp callee, ArrayRef<Home> arguments,
                     SmallVectorImpl<Home> &results, unsigned depth) {
    DenseMap<Value, Home> homes;
    for (auto [argument, home] :
         llvm::zip_equal(callee.getArguments(), arguments))
      homes[argument] = home;
    Block &body = callee.front();
    for (Operation &op : body.without_terminator()) {
      if (auto call = dyn_cast<func::CallOp>(op)) {
        auto target = SymbolTable::lookupNearestSymbolFrom<func::FuncOp>(
            call, call.getCalleeAttr());
        // A callee without a body of one block is an op like any other.
        if (target && !target.isExternal() && target.getBody().hasOneBlock()) {
          if (depth + 1 >= kMaxCallDepth)
            return call.emitError()
                   << "fm-plan-memory: calls nest deeper than " << kMaxCallDepth
                   << " levels; is the function recursive?";
          SmallVector<Home> in, out;
          for (Value operand : call.getOperands())
            in.push_back(homes.lookup(operand));
          if (failed(walk(target, in, out, depth + 1)))
            return failure();
          for (auto [result, home] : llvm::zip_equal(call.getResults(), out))
            homes[result] = home;
          continue;
        }
      }
      if (auto reshape = dyn_cast<ReshapeOp>(op)) {
        homes[reshape.getResult()] = homes.lookup(reshape.getInput());
        continue;
      }
      if (auto constant = dyn_cast<ConstantOp>(op)) {
        homes[constant.getResult()] = {Home::ReadOnly};
        continue;
      }
      ++step;
      for (Value operand : op.getOperands())
        use(homes.lookup(operand));
      for (Value result : op.getResults()) {
        homes[result] = {Home::Buffer, static_cast<unsigned>(buffers.size())};
        buffers.emplace_back(result, step);
      }
    }
    // The step that computes a gradient function's loss ends its forward
    // pass: what is live then is kept for the backward pass.
    bool differentiates = false;
    for (unsigned index = 0; index < callee.getNumResults(); ++index)
      differentiates |= isGradientName(
          callee.getResultAttrOfType<StringAttr>(index, FmDialect::kNameAttr));
    if (differentiates && !forwardEnd && body.getTerminator()->getNumOperands())
      if (Home loss = homes.lookup(body.getTerminator()->getOperand(0));
          loss.kind == Home::Buffer)
        forwardEnd = buffers[loss.index].start;
    for (auto [index, value] :
         llvm::enumerate(body.getTerminator()->getOperands())) {
      Home home = homes.lookup(value);
      if (home.kind == Home::Buffer &&
          isGradientName(callee.getResultAttrOfType<StringAttr>(
              index, FmDialect::kNameAttr)))
        buffers[home.index].category = Buffer::Gradient;
      results.push_back(home);
    }
    return success();
  }

  /// Records a read of `home` at the current step.
  void use(Home home) {
    if (home.kind == Home::Buffer)
      buffers[home.index].end = std::max(buffers[home.index].end, step);
    else if (home.kind == Home::Argument)
      argumentLastUse[home.index] = step;
  }

  /// Puts each result with `fm.feeds = i` in argument i's buffer when that
  /// argument is no longer read once the result is written: its last read
  /// comes before the defining op, or is that op and the op is elementwise
  /// over the result's shape, so that it reads every element before writing
  /// it. Each argument takes one buffer.
  void decideInPlace(ArrayRef<Home> results) {
    DenseSet<unsigned> taken;
    for (auto [index, home] : llvm::enumerate(results)) {
      auto feeds = function.getResultAttrOfType<IntegerAttr>(
          index, FmDialect::kFeedsAttr);
      if (!feeds || home.kind != Home::Buffer)
        continue;
      Buffer &buffer = buffers[home.index];
      const unsigned argument = feeds.getInt();
      const unsigned lastUse = argumentLastUse[argument];
      if (buffer.inPlaceOf || taken.contains(argument) ||
          lastUse > buffer.start ||
          (lastUse == buffer.start && !updatesElementwise(buffer.value)))
        continue;
      buffer.inPlaceOf = argument;
      taken.insert(argument);
    }
  }

  /// Whether the op defining `value` is elementwise over `value`'s shape:
  /// an elementwise fm op, or an elementwise fusion all of whose results
  /// have that shape (a smaller result could be written before a larger
  /// one has read the same argument element for the last time).
  static bool updatesElementwise(Value value) {
    Operation *op = value.getDefiningOp();
    if (auto fusion = dyn_cast<FusionOp>(op))
      return fusion.getKind() == FusionOp::kElementwise &&
             llvm::all_of(fusion.getResultTypes(), [&](Type type) {
               return cast<ShapedType>(type).getShape() ==
                      cast<ShapedType>(value.getType()).getShape();
             });
    return isElementwise(op);
  }

  std::string argumentName(unsigned index) {
    std::string name = "%arg" + std::to_string(index);
    if (auto attr =
            function.getArgAttrOfType<StringAttr>(index, FmDialect::kNameAttr))
      name += " ('" + attr.str() + "')";
    return name;
  }

  /// `value` as printed in its function, `@callee:%3` in a callee.
  std::string nameOf(Value value) {
    auto owner = value.getParentRegion()->getParentOfType<func::FuncOp>();
    std::unique_ptr<AsmState> &state = asmStates[owner];
    if (!state)
      state = std::make_unique<AsmState>(owner);
    std::string name;
    llvm::raw_string_ostream os(name);
    if (owner != function)
      os << "@" << owner.getSymName() << ":";
    value.printAsOperand(os, *state);
    return name;
  }

  func::FuncOp function;
  std::vector<Buffer> buffers;
  /// The last step that reads each argument of the function (0: none).
  SmallVector<unsigned> argumentLastUse;
  /// The current step; steps count from 1, 0 being the function's entry.
  unsigned step = 0;
  /// The step at which the function returns.
  unsigned end = 0;
  /// The step computing the loss of the (first) gradient function walked.
  std::optional<unsigned> forwardEnd;
  int64_t arena = 0;
  DenseMap<Operation *, std::unique_ptr<AsmState>> asmStates;
};

struct PlanMemoryPass : fm::impl::PlanMemoryBase<PlanMemoryPass> {
  using PlanMemoryBase::PlanMemoryBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (!llvm::isPowerOf2_32(alignment)) {
      module.emitError() << "fm-plan-memory: alignment must be a power of "
                            "two, got "
                         << alignment.getValue();
      return signalPassFailure();
    }
    for (auto function : module.getOps<func::FuncOp>()) {
      // fm has no control flow: a body of several blocks is not fm's.
      if (!function.isPublic() || function.isExternal() ||
          !function.getBody().hasOneBlock())
        continue;
      Planner planner(function);
      if (failed(planner.build()))
        return signalPassFailure();
      planner.place(alignment);
      function->setAttr(fm::FmDialect::kMemoryPlanAttr, planner.summary());
      if (printPlan)
        function.emitRemark(planner.table());
    }
  }
};

} // namespace

std::optional<int64_t> fm::plannedPeakBytes(func::FuncOp function) {
  if (function.isExternal() || !function.getBody().hasOneBlock())
    return std::nullopt;
  ScopedDiagnosticHandler quiet(function.getContext(),
                                [](Diagnostic &) { return success(); });
  Planner planner(function);
  if (failed(planner.build()))
    return std::nullopt;
  return planner.totals().peak;
}

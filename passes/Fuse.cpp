//===- Fuse.cpp - fm-fuse -------------------------------------------------===//
//
// Groups the ops of each function body into fm.fusion kernels. Groups grow
// greedily from roots: matmuls first (so that epilogues go to the GEMM, which
// would otherwise write its whole result to memory for them), then
// reductions and normalizations, then the elementwise ops left over.
//
// Every group is a tree whose inner values have all their uses inside it: a
// producer joins only when the group is its sole user, a consumer only when
// it is the sole user of a group result. Nothing is therefore computed
// twice, and a value with several users ends its group as a fusion result.
// Joining is also refused when it would close a cycle through ops outside
// the group (a multi-result root such as fm.layer_norm_grad can feed an
// outside op that comes back to a consumer of another of its results); with
// no such cycle the fused body can still be ordered topologically.
//
//===----------------------------------------------------------------------===//
#include "passes/Passes.h"

#include "ir/FmOps.h"

#include "mlir/Analysis/TopologicalSortUtils.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/PatternMatch.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/SetVector.h"

namespace fm {
#define GEN_PASS_DEF_FUSE
#include "passes/Passes.h.inc"
} // namespace fm

using namespace mlir;
using namespace fm;

bool fm::isElementwise(Operation *op) {
  return isa<AddOp, SubOp, MulOp, DivOp, MaxOp, MinOp, PowOp, EqOp, NeOp, LtOp,
             LeOp, GtOp, GeOp, SelectOp, NegOp, AbsOp, ExpOp, LogOp, SqrtOp,
             RsqrtOp, TanhOp, SigmoidOp, ReluOp, SiluOp, GeluOp, GeluGradOp,
             CastOp, BroadcastToOp, IotaOp>(op);
}

void fm::inlineFusions(Operation *root) {
  SmallVector<FusionOp> fusions;
  root->walk([&](FusionOp fusion) { fusions.push_back(fusion); });
  IRRewriter rewriter(root->getContext());
  for (FusionOp fusion : fusions) {
    YieldOp yield = fusion.getYield();
    // A body may yield its own argument: that result is the input itself
    // (the block and its arguments are gone once inlined).
    SmallVector<Value> results;
    for (Value value : yield.getValues()) {
      auto argument = dyn_cast<BlockArgument>(value);
      results.push_back(argument &&
                                argument.getOwner() == &fusion.getBodyBlock()
                            ? fusion.getInputs()[argument.getArgNumber()]
                            : value);
    }
    rewriter.inlineBlockBefore(&fusion.getBodyBlock(), fusion,
                               fusion.getInputs());
    rewriter.eraseOp(yield);
    rewriter.replaceOp(fusion, results);
  }
}

namespace {

/// What a group can be built around.
enum class Role { Gemm, Reduction, Elementwise, None };

Role roleOf(Operation *op) {
  if (isa<MatmulOp>(op))
    return Role::Gemm;
  if (isa<ReduceSumOp, ReduceMeanOp, ReduceMaxOp, SoftmaxOp, LogSoftmaxOp,
          LayerNormOp, RmsNormOp, SoftmaxGradOp, LogSoftmaxGradOp,
          LayerNormGradOp, RmsNormGradOp>(op))
    return Role::Reduction;
  if (isElementwise(op))
    return Role::Elementwise;
  return Role::None;
}

/// The one op that uses `value` (possibly as several operands), or null.
Operation *soleUser(Value value) {
  if (value.use_empty())
    return nullptr;
  Operation *user = *value.user_begin();
  return llvm::all_of(value.getUsers(),
                      [&](Operation *other) { return other == user; })
             ? user
             : nullptr;
}

ArrayRef<int64_t> shapeOf(Value value) {
  return cast<RankedTensorType>(value.getType()).getShape();
}

struct Group {
  StringRef kind;
  /// In the order they joined; the root first.
  SmallVector<Operation *> members;
  /// The body positions of the earliest and the latest member.
  unsigned first, last;
};

/// Forms the groups of one function body; the body is left unchanged.
class Grouper {
public:
  Grouper(Block &body, unsigned maxOps) : body(body), maxOps(maxOps) {
    for (auto [index, op] : llvm::enumerate(body))
      position[&op] = index;
  }

  /// The groups of two or more ops, disjoint, each in joining order.
  SmallVector<Group> run() {
    for (Operation &op : body)
      if (roleOf(&op) == Role::Gemm)
        grow(&op);
    for (Operation &op : body)
      if (roleOf(&op) == Role::Reduction)
        grow(&op);
    // Backwards, so that each tree starts from its last op (the one whose
    // result leaves it) and collects its producers.
    for (Operation &op : llvm::reverse(body))
      if (roleOf(&op) == Role::Elementwise && !groupOf.count(&op))
        grow(&op);
    SmallVector<Group> fused;
    for (Group &group : groups)
      if (group.members.size() > 1)
        fused.push_back(std::move(group));
    return fused;
  }

private:
  /// Starts a group at `root` and grows it: a matmul with its epilogue
  /// (consumers), a reduction with its producers and consumers, an
  /// elementwise op with its producers.
  void grow(Operation *root) {
    const Role role = roleOf(root);
    const unsigned id = groups.size();
    groups.push_back({kindOf(role), {}, position[root], position[root]});
    add(id, root);
    if (role != Role::Gemm)
      addProducers(id);
    if (role != Role::Elementwise)
      addConsumers(id);
  }

  /// The kind of a group grown from a root of `role` (not Role::None).
  static StringRef kindOf(Role role) {
    if (role == Role::Gemm)
      return FusionOp::kGemm;
    return role == Role::Reduction ? FusionOp::kReduction
                                   : FusionOp::kElementwise;
  }

  /// Adds the elementwise ops whose only user is a member, transitively.
  void addProducers(unsigned id) {
    // The member list grows as the loop runs.
    for (size_t i = 0; i < groups[id].members.size(); ++i) {
      Operation *member = groups[id].members[i];
      for (Value operand : member->getOperands()) {
        Operation *producer = operand.getDefiningOp();
        if (producer && producer->getBlock() == &body &&
            roleOf(producer) == Role::Elementwise &&
            soleUser(operand) == member)
          tryAdd(id, producer);
      }
    }
  }

  /// Adds the elementwise ops that are the only user of a member's result
  /// and keep its shape, transitively: an epilogue does not grow the tensor
  /// the root produced, its other operands broadcast into it.
  void addConsumers(unsigned id) {
    for (size_t i = 0; i < groups[id].members.size(); ++i) {
      for (Value result : groups[id].members[i]->getResults()) {
        Operation *consumer = soleUser(result);
        if (consumer && consumer->getBlock() == &body &&
            roleOf(consumer) == Role::Elementwise &&
            shapeOf(consumer->getResult(0)) == shapeOf(result))
          tryAdd(id, consumer);
      }
    }
  }

  void add(unsigned id, Operation *op) {
    Group &group = groups[id];
    group.members.push_back(op);
    group.first = std::min(group.first, position[op]);
    group.last = std::max(group.last, position[op]);
    groupOf[op] = id;
  }

  void tryAdd(unsigned id, Operation *op) {
    if (!groupOf.count(op) && groups[id].members.size() < maxOps &&
        !closesCycle(id, op))
      add(id, op);
  }

  bool inGroup(unsigned id, Operation *op) const {
    auto it = groupOf.find(op);
    return it != groupOf.end() && it->second == id;
  }

  /// Whether adding `op` to group `id` would make a path from the group
  /// through outside ops back into it: from a member to an operand of `op`,
  /// or from a result of `op` to a member. Ops are in topological order, so
  /// a walk back stops at ops before the group's first member, which cannot
  /// depend on it, and a walk forward at ops after its last.
  bool closesCycle(unsigned id, Operation *op) {
    const Group &group = groups[id];
    DenseSet<Operation *> seen;
    SmallVector<Operation *> worklist;
    auto outside = [&](Operation *other) {
      other = body.findAncestorOpInBlock(*other);
      return other && other != op && !inGroup(id, other) ? other : nullptr;
    };
    // Backwards from op's operands defined outside the group.
    for (Value operand : op->getOperands())
      if (Operation *def = operand.getDefiningOp())
        if (Operation *start = outside(def))
          worklist.push_back(start);
    while (!worklist.empty()) {
      Operation *current = body.findAncestorOpInBlock(*worklist.pop_back_val());
      if (!current || position[current] < group.first ||
          !seen.insert(current).second)
        continue;
      if (inGroup(id, current))
        return true;
      for (Value operand : current->getOperands())
        if (Operation *def = operand.getDefiningOp())
          worklist.push_back(def);
    }
    // Forwards from the users of op's results outside the group.
    seen.clear();
    for (Operation *user : op->getUsers())
      if (Operation *start = outside(user))
        worklist.push_back(start);
    while (!worklist.empty()) {
      Operation *current = body.findAncestorOpInBlock(*worklist.pop_back_val());
      if (!current || position[current] > group.last ||
          !seen.insert(current).second)
        continue;
      if (inGroup(id, current))
        return true;
      llvm::append_range(worklist, current->getUsers());
    }
    return false;
  }

  Block &body;
  const unsigned maxOps;
  DenseMap<Operation *, unsigned> position;
  SmallVector<Group> groups;
  /// The group each op joined.
  DenseMap<Operation *, unsigned> groupOf;
};

/// Replaces the members of `group` by one fm.fusion at the last of them.
/// The constants they use are copied into the body rather than passed in
/// (a kernel can fold a splat into its code); `copiedConstants` collects
/// them so that those left unused can be erased.
void materialize(Group &group, SetVector<Operation *> &copiedConstants) {
  SmallVector<Operation *> members = group.members;
  llvm::sort(members,
             [](Operation *a, Operation *b) { return a->isBeforeInBlock(b); });
  DenseSet<Operation *> memberSet(members.begin(), members.end());
  SetVector<Value> inputs;
  SetVector<Operation *> constants;
  SmallVector<Value> outputs;
  SmallVector<Location> locations;
  for (Operation *member : members) {
    locations.push_back(member->getLoc());
    for (Value operand : member->getOperands()) {
      Operation *def = operand.getDefiningOp();
      if (isa_and_nonnull<ConstantOp>(def))
        constants.insert(def);
      else if (!memberSet.contains(def))
        inputs.insert(operand);
    }
    for (Value result : member->getResults())
      if (llvm::any_of(result.getUsers(), [&](Operation *user) {
            return !memberSet.contains(user);
          }))
        outputs.push_back(result);
  }

  OpBuilder builder(members.back());
  Location loc = builder.getFusedLoc(locations);
  auto fusion = builder.create<FusionOp>(loc, ValueRange(outputs).getTypes(),
                                         inputs.getArrayRef(),
                                         builder.getStringAttr(group.kind));
  SmallVector<Location> argLocs;
  for (Value input : inputs)
    argLocs.push_back(input.getLoc());
  Block *body =
      builder.createBlock(&fusion.getBody(), {},
                          ValueRange(inputs.getArrayRef()).getTypes(), argLocs);
  IRMapping mapping;
  mapping.map(inputs.getArrayRef(), body->getArguments());
  for (Operation *constant : constants)
    builder.clone(*constant, mapping);
  for (Operation *member : members)
    builder.clone(*member, mapping);
  SmallVector<Value> yielded;
  for (Value output : outputs)
    yielded.push_back(mapping.lookup(output));
  builder.create<YieldOp>(loc, yielded);

  for (auto [output, result] : llvm::zip_equal(outputs, fusion.getResults()))
    output.replaceUsesWithIf(result, [&](OpOperand &use) {
      return !memberSet.contains(use.getOwner());
    });
  // Users before producers: each member is unused when erased.
  for (Operation *member : llvm::reverse(members))
    member->erase();
  copiedConstants.insert(constants.begin(), constants.end());
}

struct FusePass : fm::impl::FuseBase<FusePass> {
  using FuseBase::FuseBase;

  void runOnOperation() override {
    for (auto function : getOperation().getOps<func::FuncOp>()) {
      // fm has no control flow: a body of several blocks is not fm's.
      if (function.isExternal() || !function.getBody().hasOneBlock())
        continue;
      Block &body = function.front();
      SmallVector<Group> groups = Grouper(body, maxOps).run();
      if (groups.empty())
        continue;
      SetVector<Operation *> copiedConstants;
      for (Group &group : groups)
        materialize(group, copiedConstants);
      for (Operation *constant : copiedConstants)
        if (constant->use_empty())
          constant->erase();
      // A fusion sits at its last member; users of its results that came
      // before that member move after it. Without cycles this always works.
      if (!sortTopologically(&body)) {
        function.emitError("fm-fuse: internal error: the fused body has a "
                           "cycle");
        return signalPassFailure();
      }
    }
  }
};

} // namespace

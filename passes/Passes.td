//===- Passes.td - fmc passes ------------------------------*- tablegen -*-===//
#ifndef FM_PASSES_TD
#define FM_PASSES_TD

include "mlir/Pass/PassBase.td"

def Autodiff : Pass<"fm-autodiff", "mlir::ModuleOp"> {
  let summary = "Derives the gradient function of a scalar loss";
  let description = [{
    For every function that returns one rank-0 f32 loss and has `fm.param`
    arguments (or only the one named by `function`), adds
    `@<name>_grad` with the same arguments, returning the loss followed by the
    gradient of each `fm.param` argument in argument order (named
    `grad.<fm.name>`). Arguments marked `fm.data` and integer arguments get no
    gradient. The gradient is built by reverse-mode differentiation of the
    whole function: adjoints accumulate where a value has several uses and are
    reduced over broadcast axes. An op without a gradient rule is an error
    naming the op.
  }];
  let options = [
    Option<"functionName", "function", "std::string", /*default=*/"\"\"",
           "Differentiate only this function (default: every function with "
           "a scalar f32 result and fm.param arguments)">,
  ];
  let dependentDialects = ["::fm::FmDialect", "::mlir::func::FuncDialect"];
}

def Optimizer : Pass<"fm-optimizer", "mlir::ModuleOp"> {
  let summary = "Builds @train_step: gradient, clipping and optimizer update";
  let description = [{
    From the gradient function `@<name>_grad` made by `fm-autodiff` (the only
    one in the module, or the one of `function`), builds

    ```
    @train_step(params..., optimizer state..., step, batch...)
        -> (loss, new params..., new optimizer state..., new step)
    ```

    Optimizer state arguments carry `fm.state` and stable names
    (`adamw.m.<param>`, `adamw.v.<param>`, `sgd.momentum.<param>`); `step`
    (a rank-0 i64 counting the updates done so far, starting at 0) carries
    `fm.state` too. Every result after the loss carries `fm.feeds = i`, the
    argument it replaces on the next step, so a runtime can keep the state.
    All state starts at zero.

    The order is stable: params in the loss function's argument order; the
    state grouped by kind, each group in param order (adamw: every
    `adamw.m.<param>`, then every `adamw.v.<param>`; sgd with momentum: every
    `sgd.momentum.<param>`; plain sgd: none); `step`; then the batch, which
    is every other argument of the loss function, in order, with its
    attributes. Result `i + 1` is the new value of argument `i`, so
    `fm.feeds = i` there. Params must be f32, bf16 or f16 and carry
    `fm.name`; state has its param's type. Clipping and the update compute
    in f32: bf16/f16 gradients, params and state are widened first and the
    new params and state rounded back once. Options of the other kind
    (betas and eps for sgd, momentum for adamw) are ignored.

    - `adamw`: PyTorch's AdamW: decoupled weight decay `p -= lr*wd*p`, moments
      `m = b1 m + (1-b1) g`, `v = b2 v + (1-b2) g^2`, bias correction with
      `t = step + 1`, `p -= lr * m_hat / (sqrt(v_hat) + eps)`.
    - `sgd`: PyTorch's SGD: `g += wd*p`, with `momentum > 0`
      `buf = momentum*buf + g` and `p -= lr*buf`, otherwise `p -= lr*g`.
    - `clip-norm > 0` first scales all gradients by
      `min(1, clip / (global_norm + 1e-6))`, as `clip_grad_norm_`.
  }];
  let options = [
    Option<"functionName", "function", "std::string", /*default=*/"\"\"",
           "The loss function whose @<name>_grad to use">,
    Option<"kind", "kind", "std::string", /*default=*/"\"adamw\"",
           "adamw or sgd">,
    Option<"lr", "lr", "double", /*default=*/"1e-3", "Learning rate">,
    Option<"beta1", "beta1", "double", /*default=*/"0.9",
           "AdamW first-moment decay">,
    Option<"beta2", "beta2", "double", /*default=*/"0.999",
           "AdamW second-moment decay">,
    Option<"eps", "eps", "double", /*default=*/"1e-8", "AdamW epsilon">,
    Option<"weightDecay", "weight-decay", "double", /*default=*/"0.01",
           "Weight decay (decoupled for adamw, L2 for sgd)">,
    Option<"momentum", "momentum", "double", /*default=*/"0.0",
           "SGD momentum">,
    Option<"clipNorm", "clip-norm", "double", /*default=*/"0.0",
           "Clip gradients to this global L2 norm (0: no clipping)">,
  ];
  let dependentDialects = ["::fm::FmDialect", "::mlir::func::FuncDialect"];
}

def Fuse : Pass<"fm-fuse", "mlir::ModuleOp"> {
  let summary = "Groups graph-level ops into fm.fusion kernels";
  let description = [{
    In the body of every function, groups fm ops into `fm.fusion` regions,
    each of which code generation turns into one kernel, so that the
    intermediate values inside a group never go to memory. Groups are grown
    greedily, in this order:

    1. `kind = "gemm"`: each `fm.matmul` with its epilogue.
    2. `kind = "reduction"`: each reduction or normalization (`reduce_*`,
       `softmax`, `log_softmax`, `layer_norm`, `rms_norm` and their
       gradients) with the elementwise producers of its operands.
    3. `kind = "elementwise"`: what is left of the elementwise ops
       (arithmetic, comparisons, `select`, unary functions, `gelu_grad`,
       `cast`, `broadcast_to`, `iota`), in maximal trees.

    An elementwise producer joins a group when the group is its only user;
    an elementwise consumer joins a matmul or reduction group (as bias,
    activation, scaling, residual add, cast ...) when it is the only user of
    a group's result and keeps that result's shape, its other operands
    broadcasting into it. So every value inside a group has all its uses in
    it, nothing is computed twice (only `fm.constant`s are copied into the
    fusions that use them), a value used in several places stays a fusion
    result, and a group holds at most one matmul or reduction. An op also
    stays out of a group when it would close a cycle, a path that leaves the
    group and comes back. A group of one op stays unfused. The other ops
    (shape ops, embeddings, losses, calls) are never fused.

    The fused program computes the same values, bit for bit, in the
    reference interpreter.
  }];
  let options = [
    Option<"maxOps", "max-ops", "unsigned", /*default=*/"64",
           "The most graph-level ops one fusion may hold">,
  ];
  let dependentDialects = ["::fm::FmDialect"];
}

def Fp8Activations : Pass<"fm-fp8-activations", "mlir::ModuleOp"> {
  let summary = "Stores the activations non-linear ops save for backward "
                "in FP8 with 1 x G group scales";
  let description = [{
    COAT's FP8 precision flow. In every function with a loss (its first
    result, a rank-0 float: fm-autodiff's gradient function), each forward
    tensor that a non-linear op keeps for its backward (the inputs of
    `fm.layer_norm`, `fm.rms_norm`, `fm.gelu`, `fm.silu` and `fm.mul`, the
    output of `fm.softmax`) and that backward ops read is

    ```
    amax  = reduce_max(abs(x viewed as [..., N / G, G]), axes [-1])
    scale = max(amax, 1e-30) / 448                 // [..., N / G]
    q     = fm.quantize x, scale group G           // E4M3, where x is made
    x'    = fm.dequantize q, scale group G         // before its first
                                                   // backward use
    ```

    and the backward ops read `x'`: between the passes only the codes (1
    byte an element) and the scales (4 bytes per G elements) stay alive,
    instead of x. The forward pass itself keeps computing with x. Per-tensor
    FP8 copies that backward GEMMs read (fm-fp8-linear's) are made again in
    the backward pass instead of being kept: from the dequantized tensor,
    with the forward scale, for a compressed tensor (the softmax output);
    from the argument itself for weights, which live through the step
    anyway. Tensors
    whose last axis is not a multiple of G, and FP8 tensors, are left
    alone. The group amaxes are the first stage of COAT's two-stage amax: a
    per-tensor amax of the same f32 tensor (fm-fp8-linear's, for a GEMM
    that reads it) becomes their maximum, the same value from 16x fewer
    elements.
  }];
  let options = [
    Option<"group", "group", "int64_t", /*default=*/"16",
           "Elements per group along the last axis">,
  ];
  let dependentDialects = ["::fm::FmDialect"];
}

def Fp8Linear : Pass<"fm-fp8-linear", "mlir::ModuleOp"> {
  let summary = "Turns every matmul into a per-tensor-scaled FP8 GEMM";
  let description = [{
    Every `fm.matmul` of every function, forward and backward, becomes
    `fm.scaled_matmul` of its operands quantized per tensor with current
    scaling (COAT's linear layers; TransformerEngine's "current" recipe):
    for each operand `x`,

    ```
    scale = max(reduce_max(abs(x)), 1e-30) / fmax
    q     = fm.quantize x, scale          // E4M3, or E5M2 for gradients
    ```

    and the product accumulates in f32 into the matmul's result type.
    Operands that the function's loss (its first result, when that is a
    rank-0 float, as in fm-autodiff's gradient and fm-optimizer's step)
    depends on are forward tensors and become E4M3 (fmax 448); the others
    are gradients of the backward pass and become E5M2 (fmax 57344), for
    their range. In a function without such a loss every operand is a
    forward tensor. The amax floor keeps an all-zero operand at zeros
    instead of NaN. A tensor read by several GEMMs (an activation by the
    forward GEMM and by the weight gradient's) gets one scale, so that
    `cse` can share its FP8 copy.

    `recipe=delayed` scales as TransformerEngine's delayed recipe instead:
    each quantized tensor gets an amax history, `tensor<history x f32>`, as
    a new state argument `fp8.amax_history.<n>` (with the result that feeds
    it), threaded through every caller up to `@train_step`, where the
    trainer keeps it like optimizer state; functions that `@train_step`
    does not run (the forward loss function itself) keep current scaling,
    having no step to carry a history across. The scale is
    `max(history) * 2^margin / fmax` (floored as above); while the history
    is all zero (the first step) the tensor's own amax stands in. Each step
    the history rolls: its oldest entry drops out and the tensor's current
    amax is appended.
  }];
  let options = [
    Option<"recipe", "recipe", "std::string", /*default=*/"\"current\"",
           "Scaling recipe: current (the tensor's own amax) or delayed (an "
           "amax history)">,
    Option<"history", "history", "int64_t", /*default=*/"16",
           "Steps of amax history (recipe=delayed)">,
    Option<"margin", "margin", "int64_t", /*default=*/"0",
           "Scale the history's amax by 2^margin (recipe=delayed)">,
  ];
  let dependentDialects = ["::fm::FmDialect"];
}

def Fp8Optimizer : Pass<"fm-fp8-optimizer", "mlir::ModuleOp"> {
  let summary = "Stores AdamW's moments in FP8 with dynamic range expansion";
  let description = [{
    Rewrites `@train_step` (from `fm-optimizer` with AdamW) so that each
    moment `adamw.m.<p>` / `adamw.v.<p>` is stored as FP8 codes grouped
    1 x `group` (the moment flattened to `[n / group, group]`) with
    per-group metadata, COAT's optimizer-state compression:

    - the step dequantizes every stored moment just before the update
      first reads it (`fm.dequantize_expanded`, reshaped back to the
      parameter's shape), so no f32 moment lives through the forward and
      backward passes,
      runs the AdamW update in f32 as before, and requantizes the new
      moments where it ends (`fm.quantize_expanded`): one dequantize →
      update → requantize per moment, which `fm-fuse` can group;
    - the state arguments `<name>` (codes), `<name>.scale`,
      `<name>.exponent` and `<name>.centre` (`[n / group, 1]` f32) replace
      `<name>`, and the results feeding them replace its result;
    - the first moment is E4M3; the second E4M3 or E5M2
      (`second-moment`);
    - `expand=false` (the ablation) stores codes and a plain per-group scale
      `max(amax, 1e-30) / fmax` instead, through `fm.quantize` /
      `fm.dequantize`.

    Degenerate groups follow `fm.quantize_expanded`'s rule; zero-initialized
    state (codes and metadata all 0) dequantizes to zero moments. A moment
    whose size is not a multiple of `group` stays f32.
  }];
  let options = [
    Option<"group", "group", "int64_t", /*default=*/"128",
           "Elements per group of a moment">,
    Option<"secondMoment", "second-moment", "std::string",
           /*default=*/"\"e4m3\"",
           "FP8 format of the second moment: e4m3 or e5m2">,
    Option<"expand", "expand", "bool", /*default=*/"true",
           "Use dynamic range expansion (false: plain per-group scaling)">,
  ];
  let dependentDialects = ["::fm::FmDialect"];
}

def PlanMemory : Pass<"fm-plan-memory", "mlir::ModuleOp"> {
  let summary = "Plans the buffers of every public function in one arena";
  let description = [{
    For every public function with a body, lays out the tensors its ops
    produce in one arena, reusing the bytes of buffers that are no longer
    live, and attaches the summary as `fm.memory_plan`, a dictionary of byte
    counts:

    - `weights`, `optimizer_state`, `inputs`: the arguments marked
      `fm.param`, marked `fm.state`, and the others. The caller owns them.
    - `gradients`: the buffers of results that fm-autodiff names
      `grad.<param>`, of the function itself or of a function it calls.
    - `activations`: the most bytes of intermediate buffers (neither
      gradients nor results) live at one time.
    - `saved_activations`: in a gradient function (one returning
      `grad.<param>` results), or a function calling one, the intermediate
      buffers live when the loss is computed, the end of the forward pass:
      what the forward pass keeps for the backward pass. 0 elsewhere.
    - `workspace`: kernel scratch space besides the buffers; no op needs any
      yet, so 0.
    - `peak`: the arguments plus the most bytes of buffers live at one time:
      what running the function needs at its high-water mark.
    - `arena`: the size of the planned arena (at least `peak` minus the
      arguments; more when reuse leaves holes).

    Ops run in their order in the body; a buffer lives from the op that
    defines it to its last use, a result of the function to the end. Each
    top-level op result is one buffer, `fm.fusion` results included; values
    inside a fusion stay in the kernel and take no buffer. `fm.reshape` is a
    view of its input's buffer, `fm.constant`s live in the program's
    read-only data, and a `func.call` is planned as if its callee's body
    were inlined. Buffers are placed largest first, each in the smallest
    gap that fits among the buffers whose lifetimes overlap its own, at
    offsets aligned to `alignment` bytes.

    A result with `fm.feeds = i` is computed in place, in argument `i`'s
    buffer, when that argument is not read after the result's op, or only
    by that op and the op reads each element before writing it: an
    elementwise fm op, or an elementwise fusion whose results all have the
    result's shape. The optimizer's updates of parameters and state are of
    this kind. Such results take no arena space.

    With `print`, a remark at each function lists its buffers: the value,
    its bytes, its live range as op steps, and its arena offset or the
    argument it updates in place.
  }];
  let options = [
    Option<"alignment", "alignment", "unsigned", /*default=*/"64",
           "Byte alignment of every buffer's offset in the arena">,
    Option<"printPlan", "print", "bool", /*default=*/"false",
           "Emit a remark with the buffer table of each function">,
  ];
  let dependentDialects = ["::fm::FmDialect"];
}

#endif // FM_PASSES_TD

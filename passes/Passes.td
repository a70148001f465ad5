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
    `fm.feeds = i` there. Params must be f32 and carry `fm.name`. Options of
    the other kind (betas and eps for sgd, momentum for adamw) are ignored.

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

#endif // FM_PASSES_TD

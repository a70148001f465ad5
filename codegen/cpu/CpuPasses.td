//===- CpuPasses.td - fmc CPU backend passes ---------------*- tablegen -*-===//
#ifndef FM_CODEGEN_CPU_CPUPASSES_TD
#define FM_CODEGEN_CPU_CPUPASSES_TD

include "mlir/Pass/PassBase.td"

def CpuPrepareFunctions : Pass<"fm-cpu-prepare-functions", "mlir::ModuleOp"> {
  let summary = "Chooses the entry points and sets them up for the C ABI";
  let description = [{
    Public functions are entry points (with `entries`, only the listed ones:
    the other public functions become private, so that inlining and
    `symbol-dce` can remove them). Their arguments are marked
    `bufferization.writable = false`, because callers own the input buffers,
    and they get `llvm.emit_c_interface`, which `fm-cpu-entry-points` calls.
    fm's argument and result attributes (`fm.name`, `fm.param`, ...) are
    dropped: they describe tensors, which bufferization turns into memrefs.
    Nested modules are erased: no entry point can call into one.
  }];
  let options = [
    ListOption<"entries", "entries", "std::string",
               "Functions to keep public (default: every public function)">,
  ];
}

def CpuFuseElementwise : Pass<"fm-cpu-fuse-elementwise"> {
  let summary = "Fuses elementwise linalg.generic producers into their "
                "consumers, leaving matrix products alone";
  let description = [{
    Upstream's producer-consumer fusion of `linalg.generic` ops on tensors,
    run after `fm-lower-to-linalg` (which lowers the ops of an `fm.fusion`
    group, or of the whole program, one by one): a chain like
    bias add → GELU → cast, or exp → sum, becomes one loop nest that reads
    its inputs once and writes one result, instead of one pass over memory
    per op. A producer is fused only into its single user, so no real work
    is ever duplicated, and never into or out of a contraction: matrix
    products must stay recognizable for `fm-cpu-matmul-to-runtime`. The
    exception are values computed from their indices alone with integer
    arithmetic and comparisons (iota, a causal mask), which are fused into
    every user: recomputing them is cheaper than reading them back, and
    booleans in memory (a byte each) kept LLVM from vectorizing their
    readers well (the masked select of causal attention ran at two cycles
    an element). A producer whose value is also returned, and read by
    nothing else, fuses into its one computing user too, and the fused nest
    writes that value as a second result: it is stored either way, and the
    user no longer reads it back. AdamW's two moment updates fuse so into
    the parameter update, one pass over p, g, m and v per parameter.
    Fusion composes the ops' scalar bodies unchanged, so results stay bit
    for bit those of the separate loops.
  }];
  let dependentDialects = [
    "::mlir::linalg::LinalgDialect", "::mlir::tensor::TensorDialect",
  ];
}

def CpuFoldMatmulBias : Pass<"fm-cpu-fold-matmul-bias"> {
  let summary = "Starts a matrix product's sums from the bias added to it";
  let description = [{
    On tensors, before `fm-cpu-fuse-elementwise`: where a `linalg.generic`
    adds a vector along the last dimension (a bias) to the result of an f32
    contraction that accumulates onto zeros and has no other user, the
    contraction accumulates onto the bias broadcast instead
    (`linalg.broadcast`), and the add goes away. `fm-cpu-matmul-to-runtime`
    then hands the bias to `fmrt_matmul_bias_f32`, which starts each sum
    from it: the product never makes a second pass over memory for its
    bias (a GPT's QKV and MLP-up projections wrote, read back and wrote
    again 3 and 4 MB a layer). Each element becomes `bias + sum` rather
    than `sum + bias`, which rounds differently, as the GEMM's own
    summation order already does.
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect"];
}

def CpuFoldTransposes : Pass<"fm-cpu-fold-transposes"> {
  let summary = "Folds transposes into the matrix products that read or "
                "write them";
  let description = [{
    On tensors, before `fm-cpu-fuse-elementwise`: a `linalg.transpose` that
    keeps its last dimension last and feeds a `linalg.generic` contraction
    becomes part of that contraction's indexing map, and one that takes a
    contraction's only result (onto a zero fill) makes the contraction
    write the transposed layout itself. `fm-cpu-matmul-to-runtime` then
    hands the strided operands to the GEMM, which packs them anyway,
    instead of a copy making a pass over memory first: multi-head
    attention moves its heads between `[batch, seq, heads, dim]` and
    `[batch, heads, seq, dim]` four times a layer forward and four times
    backward. With the last dimension kept, the matrices keep a unit-stride
    dimension the call can describe. Values are unchanged: only where they
    are read from or written to moves.
  }];
  let dependentDialects = [
    "::mlir::linalg::LinalgDialect", "::mlir::tensor::TensorDialect",
  ];
}

def CpuDistinctResultBuffers
    : Pass<"fm-cpu-distinct-result-buffers", "mlir::func::FuncOp"> {
  let summary = "Gives every returned memref a buffer of its own";
  let description = [{
    Runs after bufferization, before `buffer-results-to-out-params
    {hoist-static-allocs}`: a returned value that is not a `memref.alloc` of
    the function (an argument, a global constant, a view) or that is
    returned twice is copied into a fresh allocation. Hoisting then replaces
    each allocation by its out-parameter, and the copy writes the caller's
    buffer. (MLIR 19's hoisting crashes on a returned argument.)
  }];
  let dependentDialects = ["::mlir::memref::MemRefDialect"];
}

def CpuMatmulToRuntime : Pass<"fm-cpu-matmul-to-runtime", "mlir::ModuleOp"> {
  let summary = "Calls libfmrt's GEMM for matmuls on f32 buffers";
  let description = [{
    Rewrites `linalg.matmul`, `linalg.batch_matmul` and `linalg.generic`s
    that compute a (batched, broadcast, transposed) f32 matrix product,
    `C[b, m, n] = sum_k A[b, m, k] * B[b, k, n]` with `C` zero-filled just
    before, into a call to `fmrt_matmul_f32`. The zero fill is dropped,
    since the call overwrites `C`. Where `C` was instead filled with a
    vector broadcast along its last dimension (`fm-cpu-fold-matmul-bias`),
    the call is to `fmrt_matmul_bias_f32` with that vector as the bias, and
    the broadcast is dropped.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect", "::mlir::func::FuncDialect",
    "::mlir::LLVM::LLVMDialect", "::mlir::memref::MemRefDialect",
    "::mlir::scf::SCFDialect",
  ];
}

def CpuExpandStridedCopies
    : Pass<"fm-cpu-expand-strided-copies", "mlir::func::FuncOp"> {
  let summary = "Turns copies between strided views into linalg.copy";
  let description = [{
    `finalize-memref-to-llvm` lowers a `memref.copy` between contiguous
    buffers to `memcpy`, but any other copy to a call into MLIR's C runner
    utilities, which compiled fmc code does not link. Such copies become
    `linalg.copy`, which lowers to loops.
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect"];
}

def CpuReassociateReductions
    : Pass<"fm-cpu-reassociate-reductions", "mlir::func::FuncOp"> {
  let summary = "Lets LLVM reorder, and so vectorize, the accumulations of "
                "linalg reductions";
  let description = [{
    In the body of a `linalg.generic` reduction:
      - the float op that folds each element into an accumulator
        (`arith.addf`, `mulf`, `maximumf`, `minimumf`, `maxnumf`,
        `minnumf`) gets `reassoc`;
      - the interpreter's maximum as `fm-lower-to-linalg` builds it,
        `acc > x || isnan(acc) ? acc : x`, becomes `arith.maximumf acc, x`.
    Without them LLVM must accumulate in the loop's order, one element after
    another, and cannot vectorize the loop: the row sums and maxima of
    softmax and cross-entropy took as long as the rest of their kernels
    together. The numerics contract asks for f32 accumulation, not an
    order. Sums and products then differ from the interpreter's (which
    accumulates in order) by rounding, a few units in the last place for
    rows of hundreds; maxima only in which zero a row of +0 and -0 gives
    (+0; the interpreter gives the later one). NaN still propagates.

    A reassociable f32 sum of a whole buffer of two or more dimensions,
    with at least 32768 terms (gradient clipping's sum of each parameter's
    squared gradient), is split in two: a generic sums each index of the
    first dimension into a temporary that starts at -0.0, a parallel loop
    that fm-cpu-parallelize shares out, and a second one adds those sums to
    the total. Otherwise the whole sum ran as one loop nest on the calling
    thread.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::linalg::LinalgDialect",
                           "::mlir::memref::MemRefDialect"];
}

def CpuParallelize : Pass<"fm-cpu-parallelize", "mlir::ModuleOp"> {
  let summary = "Splits parallel loop nests across libfmrt's thread pool";
  let description = [{
    Runs on the `scf.parallel` nests of `convert-linalg-to-parallel-loops`.
    Each outermost one becomes a kernel,
      `func.func private @<F>_kernel<N>(%begin, %end, captured...)`, the
      nest over iterations [begin, end) of its first dimension, taking the
      values it uses from outside as arguments (constants are rebuilt
      inside). Nests that print the same apart from their buffers share
      one kernel, across functions too.
    A nest with enough work (`min-work` innermost iterations, a call of
    libfmrt's GEMM counting as its multiply-adds) runs on the pool:
      - `func.func private @<F>_kernel<N>_task(i64, i64, !llvm.ptr)`
        unpacks the captured values from a context struct and calls the
        kernel;
      - in place of the nest, the context packed on the stack and
        `fmrt_parallel_for(0, trips, @<F>_kernel<N>_task, context)`.
    Others are replaced by a direct call of the kernel over their whole
    first dimension.
    A loop that holds nothing but a nest, as convert-linalg-to-parallel-loops
    leaves a reduction over rows (`scf.for` over rows around the nest over
    columns: the column sums of bias and layer-norm gradients), goes into
    the kernel with it when chunks of the nest's first dimension touch
    disjoint elements of what it writes: every access to a written buffer
    has the first induction variable itself at one index. Each chunk of
    columns then runs all the rows; otherwise the loop stays on the calling
    thread and calls the nest's kernel once a row.
    Memref descriptors cross through `builtin.unrealized_conversion_cast`
    to their LLVM struct, which `reconcile-unrealized-casts` removes after
    the conversion to LLVM; indices cross as i64. Leading dimensions are
    collapsed when the first alone is too short to feed the pool; the
    innermost one never is, so that it stays a vectorizable loop. Kernels
    record which of their buffers no other may alias
    (`fm-cpu-kernel-attributes` tells LLVM and keeps them out of line);
    being separate, shared functions they keep -O3 fast on large steps.
  }];
  let options = [
    Option<"minWork", "min-work", "int64_t",
           /*default=*/"::fm::cpu::kMinParallelWork",
           "Innermost iterations below which a nest stays sequential">,
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect", "::mlir::func::FuncDialect",
    "::mlir::LLVM::LLVMDialect", "::mlir::scf::SCFDialect",
  ];
}

def CpuFastMath : Pass<"fm-cpu-fast-math", "mlir::func::FuncOp"> {
  let summary = "Replaces libm's f32 exp and tanh by vectorizable "
                "approximations";
  let description = [{
    For the loops of the CPU backend, where a libm call per element keeps
    LLVM from vectorizing and costs more than the rest of the loop:
      - `math.exp` becomes 2^k p(r) with a Cody-Waite reduction and a
        degree-7 polynomial evaluated with FMAs, exact at the specials
        (NaN, +inf above ln FLT_MAX, +0 below -104, subnormal results);
      - `math.tanh` becomes upstream MLIR's rational approximation (the
        one of Eigen).
    In a GPT training step these calls (softmax, cross-entropy, the tanh
    GELU and its gradient) took a fifth of the time. Both stay within a
    few units in the last place of the true value
    (tests/unit/codegen/FastMathTest.cpp measures them: exp within 1 ulp,
    tanh within 5 ulp, 2.7e-7 absolute near |x| = 6 where it saturates);
    libm's are within 1, and the interpreter uses libm's.

    With `approximate=false` the calls stay libm's, as the interpreter's,
    and only exp changes, exactly: below -104, where its result is +0, the
    call sees 0 instead and the result is replaced by +0, keeping libm's
    expf off its slow underflow path (it sets errno through several calls;
    the masked scores of causal attention took it for half the elements).
  }];
  let options = [
    Option<"approximate", "approximate", "bool", /*default=*/"true",
           "Replace f32 exp and tanh by the approximations">,
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect", "::mlir::math::MathDialect",
  ];
}

def CpuKernelAttributes
    : Pass<"fm-cpu-kernel-attributes", "mlir::ModuleOp"> {
  let summary = "Gives fm-cpu-parallelize's kernels their LLVM attributes";
  let description = [{
    Runs on the LLVM dialect, on the functions carrying the
    `fm_cpu.noalias_args` attribute, which fm-cpu-parallelize puts on its
    kernels:
      - the arguments it lists (positions among the LLVM arguments, where
        each memref is expanded into its descriptor's fields) get
        `llvm.noalias`; func-to-llvm drops argument attributes of memrefs,
        since one memref becomes several arguments;
      - the function becomes `no_inline`: a kernel called once would
        otherwise be inlined back into its caller, and -O3 on one function
        holding every loop of a training step takes minutes;
    and the attribute goes away.
  }];
}

def CpuRuntimeAllocator
    : Pass<"fm-cpu-runtime-allocator", "mlir::ModuleOp"> {
  let summary = "Allocates buffers with libfmrt's fmrt_alloc and fmrt_free";
  let description = [{
    Runs on the LLVM dialect, after `finalize-memref-to-llvm`: calls of
    `malloc` and `free` become calls of `fmrt_alloc` and `fmrt_free`
    (runtime/include/fmrt/fmrt.h), which keep freed blocks for the next
    allocation of the same size. A training step allocates the same
    temporaries on every call; from libc, each large one is a fresh
    mapping whose pages fault in again every step.
  }];
}

def CpuEntryPoints : Pass<"fm-cpu-entry-points", "mlir::ModuleOp"> {
  let summary = "Adds fmc_entry_<F>(void **args) for C-interface functions";
  let description = [{
    Runs on the LLVM dialect. For each function `F` converted with
    `llvm.emit_c_interface`, adds `fmc_entry_F(ptr args)`, which loads the
    memref descriptor pointers `args[0..n)` and calls `_mlir_ciface_F` with
    them: fmc's entry ABI (runtime/include/fmrt/EntryAbi.h).
  }];
  let dependentDialects = ["::mlir::LLVM::LLVMDialect"];
}

#endif // FM_CODEGEN_CPU_CPUPASSES_TD

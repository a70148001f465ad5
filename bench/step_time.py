#!/usr/bin/env python3
"""Training-step time of the generated GPT on fmc's interpreter, fmc's
compiled CPU backend and PyTorch eager, and fmc's compile time.

Prints two Markdown tables:
  1. the median time of one training step (AdamW, clipping) of
     `fmc new gpt --layers 2 --dim 256 --seq 128 --batch 8` for each
     backend (for fmc's, the best of --rounds runs, taking turns), with the speed-ups of the compiled backend (also run with its
     GEMMs on OpenBLAS, FMRT_GEMM=openblas, for comparison); PyTorch runs the
     same model (bench/pytorch_gpt.py) at 1 and 2 threads, and the column is
     left out when torch cannot be imported;
  2. the wall time of `fmc compile --pipeline fm-train` for that GPT and for
     a 12-layer, dim-768 one.

With --contend PERCENT, another process keeps the last CPU busy PERCENT% of
each 4 ms while fmc and PyTorch run, as another tenant of a shared machine
would: the single-threaded interpreter moves to a free CPU, the compiled
step's threads have to share.

Usage: bench/step_time.py [--build DIR] [--steps N] [--interp-steps N]
                          [--rounds N] [--contend PERCENT]
Environment variables (FMRT_NUM_THREADS, OPENBLAS_CORETYPE, ...) pass through
to every run.
"""
import argparse
import contextlib
import multiprocessing
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

from benchlib import CORPUS, DEFAULT_BUILD, HERE, find_fmc, run

MODEL = ["--layers", "2", "--dim", "256", "--heads", "4", "--seq", "128",
         "--batch", "8"]
BIG_MODEL = ["--layers", "12", "--dim", "768", "--heads", "12", "--seq",
             "128", "--batch", "8"]


def generate(fmc, options, path):
    run([fmc, "new", "gpt", *options, "-o", path])


def fmc_step_ms(fmc, model, backend, steps, workdir, gemm=None):
    """Median ms per step; `gemm` sets FMRT_GEMM (libfmrt's GEMM kernel)."""
    env = dict(os.environ, FMRT_GEMM=gemm) if gemm else None
    output = run([fmc, "train", model, "--data", CORPUS, "--steps",
                  str(steps), "--backend", backend, "--log-every", "0",
                  "--loss-csv", os.path.join(workdir, "loss.csv")], env=env)
    match = re.search(r"median step ([0-9.]+) ms", output)
    if not match:
        sys.exit(f"step_time.py: no step time in fmc train's output:\n{output}")
    return float(match.group(1))


def pytorch_step_ms(steps):
    """{threads: ms} from bench/pytorch_gpt.py, or None without torch. Tries
    `python3` first, then Debian's /usr/bin/python3 (python3-torch), in case
    another python3 comes first on PATH."""
    options = ["--layers", "2", "--dim", "256", "--heads", "4", "--seq", "128",
               "--batch", "8", "--steps", str(steps)]
    for python in dict.fromkeys([shutil.which("python3"), "/usr/bin/python3"]):
        if not python or not os.path.exists(python):
            continue
        result = subprocess.run(
            [python, os.path.join(HERE, "pytorch_gpt.py"), *options],
            capture_output=True, text=True)
        if result.returncode == 3:
            continue  # No torch in this python.
        if result.returncode != 0:
            sys.exit(f"step_time.py: pytorch_gpt.py failed:\n{result.stderr}")
        return {int(t): float(ms) for t, ms in re.findall(
            r"threads=(\d+) ms_per_step=([0-9.]+)", result.stdout)}
    return None


def keep_busy(cpu, percent, period=0.004):
    """Spins `percent`% of every `period` seconds on `cpu`, forever."""
    os.sched_setaffinity(0, {cpu})
    busy = period * percent / 100
    while True:
        start = time.perf_counter()
        while time.perf_counter() - start < busy:
            pass
        time.sleep(period - busy)


@contextlib.contextmanager
def contention(percent):
    """Runs keep_busy on the last CPU for the duration (none for 0)."""
    if not percent:
        yield
        return
    cpu = max(os.sched_getaffinity(0))
    print(f"Another process keeps CPU {cpu} busy {percent:g}% of the time.",
          flush=True)
    hog = multiprocessing.Process(target=keep_busy, args=(cpu, percent),
                                  daemon=True)
    hog.start()
    try:
        yield
    finally:
        hog.terminate()
        hog.join()


def compile_seconds(fmc, model, workdir):
    start = time.perf_counter()
    run([fmc, "compile", model, "--pipeline", "fm-train", "-o",
         os.path.join(workdir, "model.so")])
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0] + " " + __doc__.splitlines()[1])
    parser.add_argument("--build", default=DEFAULT_BUILD,
                        help="fmc's build directory (default: build)")
    parser.add_argument("--steps", type=int, default=30,
                        help="timed steps of the compiled backend and PyTorch")
    parser.add_argument("--interp-steps", type=int, default=5,
                        help="timed steps of the interpreter")
    parser.add_argument("--rounds", type=int, default=3,
                        help="rounds of fmc's runs, one backend after the "
                             "other; each backend's best median counts "
                             "(default 3)")
    parser.add_argument("--contend", type=float, default=0, metavar="PERCENT",
                        help="keep the last CPU busy PERCENT%% of the time "
                             "while fmc and PyTorch run (default 0: not)")
    args = parser.parse_args()
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")
    if not 0 <= args.contend < 100:
        parser.error("--contend must be a percentage from 0 to below 100")
    fmc = find_fmc(args.build)

    with tempfile.TemporaryDirectory() as workdir:
        model = os.path.join(workdir, "gpt.mlir")
        big_model = os.path.join(workdir, "gpt12.mlir")
        generate(fmc, MODEL, model)
        generate(fmc, BIG_MODEL, big_model)

        print("GPT: 2 layers, dim 256, 4 heads, seq 128, batch 8, vocab 256; "
              "AdamW + clipping; median of the timed steps, best of "
              f"{args.rounds} rounds for fmc",
              flush=True)
        # Round after round, so that a slow spell of a shared machine does
        # not fall on one backend alone. The compiled step also runs with
        # its GEMMs on OpenBLAS: the baseline for libfmrt's own kernel (on
        # CPUs without AVX-512 both are OpenBLAS).
        interp = compiled = on_openblas = float("inf")
        with contention(args.contend):
            for _ in range(args.rounds):
                interp = min(interp, fmc_step_ms(fmc, model, "interp",
                                                 args.interp_steps, workdir))
                compiled = min(compiled, fmc_step_ms(fmc, model, "cpu",
                                                     args.steps, workdir))
                on_openblas = min(on_openblas,
                                  fmc_step_ms(fmc, model, "cpu", args.steps,
                                              workdir, gemm="openblas"))
            torch = pytorch_step_ms(args.steps)
        threads = os.environ.get("FMRT_NUM_THREADS", str(os.cpu_count()))
        compiled_name = f"fmc compiled CPU ({threads} threads)"
        rows = [("fmc interpreter", interp), (compiled_name, compiled),
                ("fmc compiled CPU, GEMMs on OpenBLAS (FMRT_GEMM=openblas)",
                 on_openblas)]
        if torch:
            for count, ms in sorted(torch.items()):
                rows.append((f"PyTorch eager, {count} thread"
                             f"{'s' if count > 1 else ''}", ms))
        print("\n| backend | ms / step | compiled is faster by |")
        print("|---|---:|---:|")
        for name, ms in rows:
            ratio = "" if name == compiled_name else f"{ms / compiled:.1f}x"
            print(f"| {name} | {ms:.1f} | {ratio} |")
        if "OPENBLAS_CORETYPE" in os.environ:
            print(f"(OPENBLAS_CORETYPE={os.environ['OPENBLAS_CORETYPE']} "
                  "chooses OpenBLAS's kernels for fmc and PyTorch alike)")
        if torch is None:
            print("(PyTorch column left out: no python3 with torch; "
                  "apt-get install python3-torch)")
        else:
            best = min(torch.values())
            verdict = "meets" if compiled <= best else "misses"
            print(f"\nTargets: compiled >= 20x the interpreter: "
                  f"{interp / compiled:.1f}x; compiled <= PyTorch's faster "
                  f"setting ({best:.1f} ms): {verdict}")

        print("\n| fmc compile --pipeline fm-train | seconds |")
        print("|---|---:|")
        for name, path in [("GPT 2 layers, dim 256", model),
                           ("GPT 12 layers, dim 768 (target < 20 s)",
                            big_model)]:
            print(f"| {name} | {compile_seconds(fmc, path, workdir):.1f} |",
                  flush=True)


if __name__ == "__main__":
    main()

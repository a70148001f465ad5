#!/usr/bin/env python3
"""Ablation of the fuzzer's mutation modes (issue 6; targets, not a test).

Runs `fmc fuzz` in each mode -- joint (program and pipeline, Tzer's
schedule), ir (program only), pass (pipeline only) and bytes (libFuzzer's
byte mutation of the .fmz text) -- for the same time, from the same seed
corpus and seed, one fuzzing process each, and prints edge coverage over
time, executions per second, the share of valid programs (cases whose
program parses, verifies and runs in the interpreter) and of accepted ones
(besides, every pass of the pipeline took the program and every oracle
passed).

Targets (10 minutes, one core): joint >= 1.5x the edges of bytes; joint
above ir and pass; >= 200 execs/s on small programs.

Needs the fuzz build: make fuzz-build (or cmake -DFMC_ENABLE_FUZZ=ON).
"""
import argparse
import csv
import os
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor

MODES = ["joint", "ir", "pass", "bytes"]


def run_mode(fmc, mode, seconds, seed, corpus, out_root):
    out = os.path.join(out_root, mode)
    command = [fmc, "fuzz", "--mode", mode, "--time", f"{seconds}s", "--jobs", "1",
               "--seed", str(seed), "--corpus", corpus, "--out", out, "--no-reduce"]
    # Bug reports quote the cases, which in bytes mode are any bytes.
    result = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, errors="replace")
    if not os.path.exists(os.path.join(out, "coverage.csv")):
        sys.exit(f"fmc fuzz --mode {mode} failed:\n{result.stderr}")
    return read_mode(out)


def read_mode(out):
    with open(os.path.join(out, "coverage.csv")) as rows:
        curve = [(float(r["seconds"]), int(r["edges"]), int(r["execs"]), int(r["bugs"]))
                 for r in csv.DictReader(rows)]
    counts = {"runs": 0, "valid": 0, "accepted": 0}
    stats = os.path.join(out, "stats.txt")
    if os.path.exists(stats):
        for line in open(stats):
            fields = dict(field.split("=") for field in line.split())
            for key in counts:
                counts[key] += int(fields.get(key, 0))
    return {"curve": curve, **counts}


def edges_at(curve, seconds):
    """Edges covered by `seconds` (the last status line at or before it)."""
    edges = 0
    for at, covered, _, _ in curve:
        if at <= seconds:
            edges = covered
    return edges


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build", default="build-fuzz", help="the fuzz build directory")
    parser.add_argument("--time", type=int, default=600, help="seconds per mode")
    parser.add_argument("--parallel", type=int, default=1,
                        help="modes run at once (each is one process; default 1)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--modes", default=",".join(MODES))
    parser.add_argument("--out", help="keep the campaigns here (default: a temporary dir)")
    parser.add_argument("--report", metavar="DIR",
                        help="only print the table of the campaigns an earlier run kept in DIR")
    args = parser.parse_args()
    modes = args.modes.split(",")
    if args.report:
        print_table({mode: read_mode(os.path.join(args.report, mode)) for mode in modes},
                    modes, args.time)
        return

    fmc = os.path.join(args.build, "tools", "fmc", "fmc")
    if not os.path.exists(os.path.join(args.build, "tools", "fmc-fuzz", "fmc-fuzz")):
        sys.exit(f"no fmc-fuzz in {args.build}: run 'make fuzz-build' first")
    corpus = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fuzz", "corpus")
    out_root = args.out or tempfile.mkdtemp(prefix="fuzz-ablation-")
    print(f"fuzz ablation: {len(modes)} modes x {args.time} s, seed {args.seed}, "
          f"{args.parallel} at once; campaigns in {out_root}", flush=True)
    with ThreadPoolExecutor(max_workers=args.parallel) as pool:
        results = dict(zip(modes, pool.map(
            lambda mode: run_mode(fmc, mode, args.time, args.seed, corpus, out_root), modes)))
    print_table(results, modes, args.time)


def print_table(results, modes, seconds_per_mode):
    marks = sorted({max(1, seconds_per_mode * f // 10) for f in (1, 2, 5, 10)})
    header = ["mode"] + [f"edges@{m}s" for m in marks] + [
        "execs", "execs/s", "valid", "accepted", "bugs"]
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for mode in modes:
        result = results[mode]
        curve = result["curve"]
        execs = curve[-1][2] if curve else 0
        seconds = curve[-1][0] if curve else 1
        def share(key):
            return f"{100 * result[key] / result['runs']:.1f}%" if result["runs"] else "-"
        bugs = curve[-1][3] if curve else 0
        row = [mode] + [str(edges_at(curve, m)) for m in marks] + [
            str(execs), f"{execs / seconds:.0f}", share("valid"), share("accepted"), str(bugs)]
        print("| " + " | ".join(row) + " |")
    if "joint" in results and "bytes" in results:
        final = {mode: edges_at(results[mode]["curve"], seconds_per_mode + 60)
                 for mode in modes}
        if final["bytes"]:
            print(f"\njoint / bytes edges: {final['joint'] / final['bytes']:.2f}x (target >= 1.5x)")
        others = [m for m in ("ir", "pass") if m in final]
        if others:
            print("joint above " + ", ".join(others) + ": " +
                  ("yes" if all(final["joint"] > final[m] for m in others) else "no"))


if __name__ == "__main__":
    main()

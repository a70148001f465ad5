#!/usr/bin/env python3
"""COAT's memory and accuracy figures for fmc's FP8 training (fm-coat).

On the generated GPT (2 layers, dim 256, seq 128, batch 8) prints:
  1. the memory plan of @train_step (fmc compile --report) for fm-train on
     the f32 model, fm-train on the same model in bf16 (fmc new --bf16), and
     fm-coat on the f32 model: weights, gradients, optimizer state, saved
     activations, peak, and the ratios to fm-coat;
  2. with --steps N (default 300): the mean of the last 20 losses of N
     training steps on the bundled corpus for both, same seed;
  3. the update error of FP8 AdamW moments on the f32 run's real moments:
     mean squared error of m/(sqrt(v)+eps) after an E4M3 round trip in 1x128
     groups, with and without dynamic range expansion.

Usage: bench/coat.py [--build DIR] [--steps N]
"""
import argparse
import json
import os
import re
import struct
import sys
import tempfile

from benchlib import CORPUS, DEFAULT_BUILD, find_fmc, run

MODEL = ["--layers", "2", "--dim", "256", "--heads", "4", "--seq", "128",
         "--batch", "8"]
FIELDS = [("weights", "weights"), ("gradients", "gradients"),
          ("optimizer_state", "optimizer state"),
          ("saved_activations", "saved activations"), ("peak", "peak")]


def memory_plan(fmc, model, pipeline, workdir):
    report = run([fmc, "compile", model, "--pipeline", pipeline, "--entry",
                  "train_step", "-o", os.path.join(workdir, "step.so"),
                  "--report"])
    plans = re.findall(r"memory plan \(fm-plan-memory\): (.*)", report)
    return {key: int(value) for key, value in
            re.findall(r"(\w+)=(\d+)", plans[-1])}


def mean_last_losses(fmc, model, pipeline, steps, workdir, checkpoint=None):
    csv_path = os.path.join(workdir, pipeline + ".csv")
    command = [fmc, "train", model, "--data", CORPUS, "--steps", str(steps),
               "--pipeline", pipeline, "--log-every", "0", "--loss-csv",
               csv_path]
    if checkpoint:
        command += ["--checkpoint", checkpoint]
    run(command)
    with open(csv_path) as f:
        losses = [float(line.split(",")[1]) for line in f.readlines()[1:]]
    tail = losses[-20:]
    return sum(tail) / len(tail)


def read_safetensors(path):
    with open(path, "rb") as f:
        size = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(size))
        data = f.read()
    return header, data


def write_npy(path, dtype_descr, shape, raw):
    header = ("{'descr': '%s', 'fortran_order': False, 'shape': (%s), }"
              % (dtype_descr, "".join(f"{n}, " for n in shape)))
    header += " " * (63 - (len(header) + 10) % 64) + "\n"
    with open(path, "wb") as f:
        f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)))
        f.write(header.encode() + raw)


def update_error_program(groups):
    """fm program: the mean squared error of m/(sqrt(v)+eps) when m and v go
    through E4M3 1x128 groups with range expansion, and with plain group
    scales."""
    t = f"tensor<{groups}x128xf32>"
    q = f"tensor<{groups}x128xf8E4M3FN>"
    s = f"tensor<{groups}x1xf32>"
    lines = [f"func.func @update_error(%m: {t}, %v: {t}) -> (tensor<f32>, tensor<f32>) {{",
             "  %eps = fm.constant dense<1.0e-8> : tensor<f32>",
             "  %floor = fm.constant dense<1.0e-30> : tensor<f32>",
             "  %fmax = fm.constant dense<448.0> : tensor<f32>"]

    def update(name, m, v):
        return [f"  %{name}_root = fm.sqrt {v} : {t}",
                f"  %{name}_den = fm.add %{name}_root, %eps : {t}, tensor<f32>",
                f"  %{name} = fm.div {m}, %{name}_den : {t}"]

    def expanded(name, x):
        return [f"  %{name}_q, %{name}_s, %{name}_k, %{name}_c = fm.quantize_expanded {x} group 128 : {t} -> {q}, {s}",
                f"  %{name} = fm.dequantize_expanded %{name}_q, %{name}_s, %{name}_k, %{name}_c group 128 : {q}, {s} -> {t}"]

    def plain(name, x):
        return [f"  %{name}_abs = fm.abs {x} : {t}",
                f"  %{name}_amax = fm.reduce_max %{name}_abs axes [1] keepdim : {t}",
                f"  %{name}_floored = fm.max %{name}_amax, %floor : {s}, tensor<f32>",
                f"  %{name}_scale = fm.div %{name}_floored, %fmax : {s}, tensor<f32>",
                f"  %{name}_q = fm.quantize {x}, %{name}_scale group 128 : {t}, {s} -> {q}",
                f"  %{name} = fm.dequantize %{name}_q, %{name}_scale group 128 : {q}, {s} -> {t}"]

    def mse(name, approx):
        return [f"  %{name}_d = fm.sub {approx}, %exact : {t}",
                f"  %{name}_sq = fm.mul %{name}_d, %{name}_d : {t}",
                f"  %{name} = fm.reduce_mean %{name}_sq : {t}"]

    lines += update("exact", "%m", "%v")
    lines += expanded("me", "%m") + expanded("ve", "%v")
    lines += update("ue", "%me", "%ve") + mse("err_e", "%ue")
    lines += plain("mp", "%m") + plain("vp", "%v")
    lines += update("up", "%mp", "%vp") + mse("err_p", "%up")
    lines += ["  return %err_e, %err_p : tensor<f32>, tensor<f32>", "}"]
    return "\n".join(lines) + "\n"


def moments_as_npy(checkpoint, workdir):
    """All of the checkpoint's adamw.m.* and adamw.v.* f32 moments,
    concatenated (in name order) and cut to whole 128-element groups."""
    header, data = read_safetensors(checkpoint)
    moments = {}
    for kind in ("m", "v"):
        names = sorted(k for k in header
                       if k.startswith(f"adamw.{kind}.") and
                       header[k]["dtype"] == "F32")
        raw = b"".join(data[header[k]["data_offsets"][0]:
                            header[k]["data_offsets"][1]] for k in names)
        moments[kind] = raw
    count = min(len(r) for r in moments.values()) // 4 // 128 * 128
    paths = {}
    for kind, raw in moments.items():
        paths[kind] = os.path.join(workdir, f"{kind}.npy")
        write_npy(paths[kind], "<f4", (count // 128, 128), raw[:count * 4])
    return count // 128, paths


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", default=DEFAULT_BUILD)
    parser.add_argument("--steps", type=int, default=300)
    args = parser.parse_args()
    fmc = find_fmc(args.build)
    with tempfile.TemporaryDirectory() as workdir:
        model = os.path.join(workdir, "gpt.mlir")
        run([fmc, "new", "gpt", *MODEL, "-o", model])
        bf16_model = os.path.join(workdir, "gpt_bf16.mlir")
        run([fmc, "new", "gpt", *MODEL, "--bf16", "-o", bf16_model])
        print("GPT: 2 layers, dim 256, 4 heads, seq 128, batch 8, vocab 256; "
              "AdamW", flush=True)
        f32 = memory_plan(fmc, model, "fm-train", workdir)
        bf16 = memory_plan(fmc, bf16_model, "fm-train", workdir)
        coat = memory_plan(fmc, model, "fm-coat", workdir)
        print("\n| @train_step memory (bytes) | f32 | bf16 | fm-coat | "
              "f32 / fm-coat | bf16 / fm-coat |\n|---|---:|---:|---:|---:|---:|")
        for key, label in FIELDS:
            def ratio(base):
                return f"{base[key] / coat[key]:.2f}x" if coat[key] else ""
            print(f"| {label} | {f32[key]:,} | {bf16[key]:,} | "
                  f"{coat[key]:,} | {ratio(f32)} | {ratio(bf16)} |")

        if args.steps > 0:
            checkpoint = os.path.join(workdir, "f32")
            base = mean_last_losses(fmc, model, "fm-train", args.steps,
                                    workdir, checkpoint)
            fp8 = mean_last_losses(fmc, model, "fm-coat", args.steps,
                                   workdir)
            print(f"\n| {args.steps} steps, mean of the last 20 losses | "
                  f"value |\n|---|---:|\n| f32 | {base:.4f} |\n"
                  f"| fm-coat | {fp8:.4f} |\n| difference | "
                  f"{100 * (fp8 - base) / base:+.2f}% |", flush=True)

            groups, npy = moments_as_npy(
                os.path.join(checkpoint, "checkpoint.safetensors"), workdir)
            program = os.path.join(workdir, "update_error.mlir")
            with open(program, "w") as f:
                f.write(update_error_program(groups))
            outputs = os.path.join(workdir, "errors")
            text = run([fmc, "run", program, "--input", f"0={npy['m']}",
                        "--input", f"1={npy['v']}", "--output-dir", outputs])
            values = [float(v) for v in
                      re.findall(r"result\d: f32 = ([-0-9.e+naif]+)", text)]
            print(f"\nUpdate m/(sqrt(v)+eps) after an E4M3 round trip of the "
                  f"f32 run's final moments ({groups * 128:,} elements, "
                  f"1x128 groups), mean squared error:\n\n| moments | MSE |\n"
                  f"|---|---:|\n| with range expansion | {values[0]:.4g} |\n"
                  f"| plain group scales | {values[1]:.4g} |")


if __name__ == "__main__":
    main()

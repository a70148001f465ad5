#!/usr/bin/env python3
"""Checks a loss.csv written by `fmc train`.

  check_loss.py loss.csv --fell-by 2      mean of the first 5 losses is at
                                          least 2x the mean of the last 5
  check_loss.py loss.csv --below 3.0      mean of the last 20 losses < 3.0
  check_loss.py loss.csv --rows 50        the file has 50 data rows
  check_loss.py a.csv --near b.csv --within 0.03
                                          the means of the last 20 losses
                                          differ by at most 3% of b's
"""
import argparse
import csv
import sys


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("csv")
    parser.add_argument("--fell-by", type=float)
    parser.add_argument("--below", type=float)
    parser.add_argument("--rows", type=int)
    parser.add_argument("--near")
    parser.add_argument("--within", type=float, default=0.03)
    args = parser.parse_args()
    with open(args.csv) as f:
        losses = [float(row["loss"]) for row in csv.DictReader(f)]
    failures = []
    if args.rows is not None and len(losses) != args.rows:
        failures.append(f"expected {args.rows} rows, found {len(losses)}")
    if args.fell_by is not None:
        first = sum(losses[:5]) / 5
        last = sum(losses[-5:]) / 5
        print(f"first {first:.4f} last {last:.4f} ratio {first / last:.2f}")
        if first < args.fell_by * last:
            failures.append(f"loss fell only {first / last:.2f}x")
    if args.below is not None:
        tail = losses[-20:]
        mean = sum(tail) / len(tail)
        print(f"mean of the last {len(tail)} losses {mean:.4f}")
        if mean >= args.below:
            failures.append(f"final loss {mean:.4f} is not below {args.below}")
    if args.near is not None:
        with open(args.near) as f:
            reference = [float(row["loss"]) for row in csv.DictReader(f)]
        mine = sum(losses[-20:]) / len(losses[-20:])
        theirs = sum(reference[-20:]) / len(reference[-20:])
        difference = abs(mine - theirs) / theirs
        print(f"mean of the last 20 losses {mine:.4f} vs {theirs:.4f} "
              f"({100 * difference:.2f}%)")
        if difference > args.within:
            failures.append(f"{100 * difference:.2f}% from the reference, "
                            f"more than {100 * args.within:.2f}%")
    for failure in failures:
        print("FAIL:", failure, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

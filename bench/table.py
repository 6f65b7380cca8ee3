#!/usr/bin/env python3
"""The table of `make bench`: for each measurement, flowreport's and PyTorch's median
seconds over the repeats, their ratio, and the ratio's range over the repeats."""
import re
import statistics
import sys

out, repeats = sys.argv[1], int(sys.argv[2])

# flowreport bench's lines for the recipes, by the reference's names.
PATTERNS = {
    ("nf", "epoch"): r"^nf \(exercise's recipe\).*training epoch.*?([0-9.]+) s$",
    ("nf", "sample"): r"^nf \(exercise's recipe\).*1000 samples.*?([0-9.]+) s$",
    ("fm", "epoch"): r"^fm: 5 layers of 64, training epoch.*?([0-9.]+) s$",
    ("fm", "sample"): r"^fm: 5 layers of 64, 1000 samples, dt 1/1000, euler.*?([0-9.]+) s$",
    ("cfm", "epoch"): r"^cfm: 5 layers of 64, training epoch.*?([0-9.]+) s$",
    ("cfm", "sample"): r"^cfm: 5 layers of 64, 1000 samples, dt 1/1000, euler.*?([0-9.]+) s$",
}
WHAT = {"epoch": "training epoch (250,000 points, batch 128)", "sample": "1000 samples"}


def ours(r):
    text = open(f"{out}/flowreport-{r}.txt").read().splitlines()
    found = {}
    for key, pat in PATTERNS.items():
        for line in text:
            m = re.match(pat, line)
            if m:
                found[key] = float(m.group(1))
    return found


def theirs(r):
    found = {}
    for line in open(f"{out}/torch-{r}.txt"):
        model, what, secs = line.split()
        found[(model, what)] = float(secs)
    return found


runs = [(ours(r), theirs(r)) for r in range(1, repeats + 1)]
print(f"| model | measurement | flowreport (s) | PyTorch (s) | ratio | ratio over {repeats} runs |")
print("| --- | --- | --- | --- | --- | --- |")
for key in PATTERNS:
    a = [o[key] for o, t in runs if key in o and key in t]
    b = [t[key] for o, t in runs if key in o and key in t]
    if not a:
        print(f"| {key[0]} | {WHAT[key[1]]} | missing | | | |")
        continue
    ratios = [y / x for x, y in zip(a, b)]
    what = WHAT[key[1]] + (", Euler dt 1/1000" if key[1] == "sample" and key[0] != "nf" else "")
    print(f"| {key[0]} | {what} | {statistics.median(a):.3f} | {statistics.median(b):.3f} | "
          f"{statistics.median(ratios):.1f} | {min(ratios):.1f}-{max(ratios):.1f} |")

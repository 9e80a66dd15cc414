#!/usr/bin/python3
"""Reference fixtures for tests/unit/report, from implementations independent
of cortexbench's C code:
  round_half_up.txt  x and x rounded to hundredths, half up, on the decimal
                     value shown with 10 decimals (Python's decimal module)
  viridis.txt        t and matplotlib's viridis RGB (0..255) at t
  tree_scores.csv    per-layer scores of a small suite (model, layer,
                     benchmark, region, score)
  tree_expected.csv  Brain-Score-style aggregation of tree_scores.csv written
                     here in plain Python: best layer, clip, region/neural
                     means with missing = 0, rounding, competition ranking
Run: /usr/bin/python3 tests/unit/report/make_fixtures.py (from the repo root)."""
import csv
import math
import os
import random
from decimal import Decimal, ROUND_HALF_EVEN, ROUND_HALF_UP

import matplotlib

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures")


def hundredths(x):
    if math.isnan(x):
        return -1
    shown = Decimal(x).quantize(Decimal("1e-10"), rounding=ROUND_HALF_EVEN)  # what %.10f prints
    return int(shown.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) * 100)


def rounding():
    xs = [k / 2000 for k in range(2001)]
    xs += [0.445, 0.4455, 0.285, 0.125, 0.135, 0.005, 0.015, 0.994999999, 0.99499999999999999, 0.004999999999,
           0.00499999999999999, 1 / 3, 2 / 3, 0.675, 0.42649003923092493, 0.052498, 0.0525, 0.05249999996]
    rng = random.Random(7)
    xs += [rng.random() for _ in range(300)]
    with open(os.path.join(HERE, "round_half_up.txt"), "w") as f:
        for x in xs:
            f.write("%r %d\n" % (x, hundredths(x)))


def viridis():
    cmap = matplotlib.colormaps["viridis"]
    with open(os.path.join(HERE, "viridis.txt"), "w") as f:
        for k in range(101):
            t = k / 100
            r, g, b, _ = cmap(t)
            f.write("%r %d %d %d\n" % (t, round(r * 255), round(g * 255), round(b * 255)))


def tree():
    rng = random.Random(11)
    models = ["alexnet", "cornet-s", "pixels", "resnet50", "tie-a", "tie-b", "void", "vgg16"]
    benches = [("v1-a.V1-pls", "V1"), ("v1-b.V1-pls", "V1"), ("v4.V4-pls", "V4"), ("it-a.IT-pls", "IT"),
               ("it-b.IT-rdm", "IT"), ("aud.auditory-pls", "auditory")]
    layers = ["l1", "l2", "l3"]
    rows = []
    for m in models:
        for b, region in benches:
            if m == "void":
                continue  # every benchmark missing
            if m == "pixels" and region == "IT":
                continue  # a whole region missing
            if m == "cornet-s" and b == "v1-b.V1-pls":
                continue  # one benchmark missing
            for l in layers:
                s = rng.uniform(-0.2, 1.2)
                if m == "vgg16" and l == "l2":
                    s = float("nan")
                rows.append((m, l, b, region, s))
    # two models with equal scores everywhere: a tie broken by name
    rows = [r for r in rows if r[0] != "tie-b"] + [("tie-b",) + r[1:] for r in rows if r[0] == "tie-a"]
    with open(os.path.join(HERE, "tree_scores.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["model", "layer", "benchmark", "region", "score"])
        for r in rows:
            w.writerow([r[0], r[1], r[2], r[3], repr(r[4]) if not math.isnan(r[4]) else "nan"])
    regions = []
    for _, reg in benches:
        if reg not in regions:
            regions.append(reg)
    out = []
    for m in models:
        leaf = {}
        for b, reg in benches:
            vals = [r[4] for r in rows if r[0] == m and r[2] == b and not math.isnan(r[4])]
            leaf[b] = min(1.0, max(0.0, max(vals))) if vals else None
        reg_score = {}
        for reg in regions:
            kids = [leaf[b] for b, r in benches if r == reg]
            reg_score[reg] = None if all(k is None for k in kids) else sum(k or 0.0 for k in kids) / len(kids)
        kids = [reg_score[r] for r in regions]
        neural = None if all(k is None for k in kids) else sum(k or 0.0 for k in kids) / len(kids)
        out.append([m, neural, hundredths(neural if neural is not None else float("nan")), reg_score])
    out.sort(key=lambda r: (-r[2], r[0]))
    rank = []
    for i, r in enumerate(out):
        rank.append(rank[i - 1] if i and out[i - 1][2] == r[2] else i + 1)
    with open(os.path.join(HERE, "tree_expected.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["rank", "model", "rank_value", "overall"] + regions)
        for rk, r in zip(rank, out):
            fmt = lambda v: "nan" if v is None else repr(v)
            w.writerow([rk, r[0], r[2], fmt(r[1])] + [fmt(r[3][g]) for g in regions])


if __name__ == "__main__":
    os.makedirs(HERE, exist_ok=True)
    rounding()
    viridis()
    tree()

#!/usr/bin/env python3
"""Checks the field's findings on the numbers a suite computed (tests/science/findings.sh).

usage: check_findings.py RESULTS_DIR CORTEXBENCH

RESULTS_DIR is a suite's output (leaderboard.json, scores/<benchmark>/<model>/<layer>.json) of
tests/science/findings.ini or benchmarks/public.ini. Every difference is a paired bootstrap over
stimuli: `cortexbench compare A.json B.json` on the two models' committed layers (the benchmark's
1000 seeded resamples are shared by every model). Standard library only.

Each finding is either asserted (the test fails when the data do not show it) or reported (printed,
never failing: the data did not show it when the test was written, see the comment at its entry).
"""
import json
import os
import subprocess
import sys

TRAINED, TWIN, PIXELS = "squeezenet1_1", "squeezenet1_1-untrained", "pixels"
BENCHES = ["kriegeskorte2008.IT-human-rsa", "kriegeskorte2008.IT-monkey-rsa", "cowley2023_v4.V4-pls"]
# Depth profile on human-IT RSA: the Fire modules and pools features.3 ... features.12, in depth order.
DEPTH = ["/features/features.%d/%s_output_0" % (i, "MaxPool" if i in (5, 8) else "Concat") for i in range(3, 13)]

# (finding, "assert" | "report")
TRAINED_BEATS_TWIN = {b: "assert" for b in BENCHES}
PIXELS_BELOW_TRAINED = {b: "assert" for b in BENCHES}
DEPTH_MODE = "assert"
DEPTH_MIN_RHO = 0.7


def score_path(root, bench, model, layer):
    return os.path.join(root, "scores", bench, model, layer.replace("/", "%2F") + ".json")


def committed_layer(lb, model, bench):
    for row in lb["models"]:
        if row["model"] != model:
            continue
        for region in row["regions"].values():
            cell = region["benchmarks"].get(bench)
            if cell:
                return cell["layer"]
    return None


def compare(cb, a, b):
    out = subprocess.run([cb, "-q", "compare", a, b], capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit("compare failed: " + out.stderr.strip())
    line = out.stdout.strip()
    diff = float(line.split("difference ")[1].split()[0])
    lo, hi = (float(x) for x in line.split("[")[1].split("]")[0].split(","))
    return diff, lo, hi, line


def ranks(v):
    order = sorted(range(len(v)), key=lambda i: v[i])
    r = [0.0] * len(v)
    i = 0
    while i < len(v):
        j = i
        while j + 1 < len(v) and v[order[j + 1]] == v[order[i]]:
            j += 1
        for k in range(i, j + 1):
            r[order[k]] = (i + j) / 2.0 + 1
        i = j + 1
    return r


def spearman(x, y):
    rx, ry = ranks(x), ranks(y)
    mx, my = sum(rx) / len(rx), sum(ry) / len(ry)
    sxy = sum((a - mx) * (b - my) for a, b in zip(rx, ry))
    sxx = sum((a - mx) ** 2 for a in rx)
    syy = sum((b - my) ** 2 for b in ry)
    return sxy / (sxx * syy) ** 0.5


def main():
    root, cb = sys.argv[1], sys.argv[2]
    lb = json.load(open(os.path.join(root, "leaderboard.json")))
    failed = 0

    def verdict(mode, ok, text):
        nonlocal failed
        tag = "ok  " if ok else ("FAIL" if mode == "assert" else "NOTE")
        if mode == "report":
            tag += " (reported)"
        if not ok and mode == "assert":
            failed += 1
        print(tag, text)

    for pairs, other, what in ((TRAINED_BEATS_TWIN, TWIN, "trained > untrained twin"),
                               (PIXELS_BELOW_TRAINED, PIXELS, "trained > pixels")):
        for bench, mode in pairs.items():
            la, lo_ = committed_layer(lb, TRAINED, bench), committed_layer(lb, other, bench)
            d, lo, hi, line = compare(cb, score_path(root, bench, TRAINED, la), score_path(root, bench, other, lo_))
            verdict(mode, lo > 0, "%s on %s: %s" % (what, bench, line))

    for model, mode in ((TRAINED, DEPTH_MODE), (TWIN, "report")):
        s = [json.load(open(score_path(root, BENCHES[0], model, l)))["score"] for l in DEPTH]
        rho = spearman(list(range(len(DEPTH))), s)
        verdict(mode, rho >= DEPTH_MIN_RHO,
                "depth profile of %s on %s: Spearman(layer index, score) = %.3f over features.3-12 (need >= %.1f); "
                "scores %s" % (model, BENCHES[0], rho, DEPTH_MIN_RHO, ", ".join("%.3f" % v for v in s)))
    print("%d asserted finding(s) failed" % failed)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

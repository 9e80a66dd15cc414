#!/usr/bin/python3
"""Reference values for the `ceiling = voxel` scoring (src/bench/cb_voxel.c), written independently with
numpy + scikit-learn. Run with /usr/bin/python3 from the repository root:

    /usr/bin/python3 tests/reference/gen_voxel_ceiling.py

Writes tests/reference/fixtures/voxel_ceiling.txt: the inputs (features X, repeated responses, explicit
train/test splits) and the expected per-split noise-corrected r^2, the score and the raw r.

Procedure (Kell et al. 2018 / Tuckute et al. 2023, with the benchmark's choices): Ridge(alpha=1) fitted on the
repetition-averaged training responses -> Pearson r per voxel on the test stimuli; Ridge fitted on each single
repetition -> prediction "repetitions"; reliability = Spearman-Brown (to n_rep) of the median over repetition
pairs of the across-stimulus Pearson r; floors 0.182 (data) and 0.183 (predictions), NaN -> floor; r < 0 -> 0;
r2c = min(1, r^2 / (rel_data rel_pred)); split score = nanmedian over voxels; score = median over splits;
raw = median over splits of the nanmedian of r.
"""
import itertools
import os

import numpy as np
from sklearn.linear_model import Ridge

FLOOR_DATA, FLOOR_PRED, ALPHA = 0.182, 0.183, 1.0


def pearson(a, b):
    a = a - a.mean()
    b = b - b.mean()
    d = np.sqrt((a * a).sum() * (b * b).sum())
    return np.nan if d == 0 else float((a * b).sum() / d)


def reliability(y):  # y: (m, n_rep, q)
    n_rep = y.shape[1]
    out = np.empty(y.shape[2])
    for v in range(y.shape[2]):
        rs = [pearson(y[:, a, v], y[:, b, v]) for a, b in itertools.combinations(range(n_rep), 2)]
        med = np.nanmedian(rs) if not np.all(np.isnan(rs)) else np.nan
        out[v] = n_rep * med / (1 + (n_rep - 1) * med)
    return out


def corrected(r, rd, rp):
    rd = np.where(np.isnan(rd), FLOOR_DATA, np.maximum(rd, FLOOR_DATA))
    rp = np.where(np.isnan(rp), FLOOR_PRED, np.maximum(rp, FLOOR_PRED))
    r = np.maximum(r, 0.0)
    return np.minimum(1.0, r * r / (rd * rp))


def main():
    rng = np.random.default_rng(20231)
    n, p, q, n_rep, n_splits, n_test = 40, 6, 5, 3, 4, 10
    X = rng.standard_normal((n, p)).astype(np.float32).astype(np.float64)  # float32 values, as the C side reads
    W = rng.standard_normal((p, q))
    signal = X @ W + 2.0 * rng.standard_normal((n, q))  # part of the signal no linear model of X explains
    noise_sd = np.array([0.5, 1.0, 2.0, 4.0, 8.0])  # from reliable to nearly pure noise
    reps = signal[:, None, :] + rng.standard_normal((n, n_rep, q)) * noise_sd
    mean = reps.mean(axis=1)
    perm = rng.permutation(n)
    splits = []
    for k in range(n_splits):
        test = np.sort(perm[k * n_test:(k + 1) * n_test])
        train = np.sort(np.setdiff1d(np.arange(n), test))
        splits.append((train, test))
    per_split, raw_split = [], []
    for train, test in splits:
        pm = Ridge(alpha=ALPHA).fit(X[train], mean[train]).predict(X[test])
        r = np.array([pearson(pm[:, v], mean[test, v]) for v in range(q)])
        pr = np.stack([Ridge(alpha=ALPHA).fit(X[train], reps[train, t]).predict(X[test]) for t in range(n_rep)],
                      axis=1)
        c = corrected(r, reliability(reps[test]), reliability(pr))
        per_split.append(np.nanmedian(c))
        raw_split.append(np.nanmedian(r))
    path = os.path.join("tests", "reference", "fixtures", "voxel_ceiling.txt")
    with open(path, "w") as f:
        f.write("# made by tests/reference/gen_voxel_ceiling.py (numpy + sklearn Ridge(alpha=1))\n")
        f.write(f"dims {n} {p} {q} {n_rep} {n_splits} {n_test} {n - n_test}\n")
        f.write("X\n" + "\n".join(" ".join(f"{v:.9g}" for v in row) for row in X) + "\n")
        f.write("reps\n" + "\n".join(" ".join(f"{v:.17g}" for v in reps[i].ravel()) for i in range(n)) + "\n")
        for train, test in splits:
            f.write("train " + " ".join(map(str, train)) + "\n")
            f.write("test " + " ".join(map(str, test)) + "\n")
        f.write("per_split " + " ".join(f"{v:.17g}" for v in per_split) + "\n")
        f.write(f"score {np.median(per_split):.17g}\n")
        f.write(f"raw {np.median(raw_split):.17g}\n")


if __name__ == "__main__":
    main()

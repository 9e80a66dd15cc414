#!/usr/bin/python3
"""`cortexbench rsa --activations F.h5 --layer L` against an independent computation (numpy/scipy) on a generated
dataset: the movie set of make_movie_dataset.py (seed 3) and an assembly of 3 subjects x 2 sessions x 6 neuroids
(+ 4 neuroids of another region) whose responses mix the set's latent features with noise.

Checked (printed values have 9 decimals: tolerance 2e-9):
  - the model RDM (--out) = 1 - Pearson correlation of the layer's rows, over the assembly's stimuli in its order;
  - the score = Spearman of the upper triangles of the model RDM and the mean over subjects of each subject's RDM
    (the mean of its sessions' RDMs; a session's RDM = 1 - Pearson of its neuroids' stimulus means, --region only);
  - the noise ceiling of Nili et al. (2014) for Spearman over the 3 subjects: upper = mean over subjects of rho
    (subject, mean of all subjects' ranked RDMs), lower = the same with the others' mean;
  - where the score falls (below / within / above the band);
  - with --subject none-such: a one-line error naming the file and the coordinate, exit 1.
usage: rsa_activations.py CORTEXBENCH"""
import os
import re
import subprocess
import sys
import tempfile

import h5py
import numpy as np
import scipy.stats
import xarray as xr

HERE = os.path.dirname(os.path.abspath(__file__))


def upper(D):
    return D[np.triu_indices(D.shape[0], 1)]


def rdm(X):
    return 1.0 - np.corrcoef(X)


def make_assembly(d):
    with h5py.File(os.path.join(d, "truth.h5"), "r") as h:
        ids = [s.decode() for s in h["stimulus_id"][()]]
        feats = h["layers/latent"][()].astype(float)
    rng = np.random.RandomState(11)
    n = len(ids)
    cols, subj, sess, region = [], [], [], []
    for s in range(3):
        for e in range(2):
            W = rng.normal(size=(feats.shape[1], 6))
            cols.append(feats @ W + rng.normal(scale=2.0 + s, size=(n, 6)))
            subj += ["monkey%d" % s] * 6
            sess += ["day%d" % e] * 6
            region += ["IT"] * 6
    cols.append(rng.normal(size=(n, 4)))
    subj += ["monkey0"] * 4
    sess += ["day0"] * 4
    region += ["V4"] * 4
    resp = np.concatenate(cols, axis=1)  # (n, q) stimulus means (one repetition)
    q = resp.shape[1]
    da = xr.DataArray(resp[:, :, None], dims=("presentation", "neuroid", "time_bin"),
                      coords={"stimulus_id": ("presentation", ids), "repetition": ("presentation", [0] * n),
                              "neuroid_id": ("neuroid", ["n%02d" % i for i in range(q)]),
                              "subject": ("neuroid", subj), "session": ("neuroid", sess),
                              "region": ("neuroid", region),
                              "time_bin_start": ("time_bin", [70]), "time_bin_end": ("time_bin", [170])},
                      name="test.subjects", attrs={"identifier": "test.subjects"})
    path = os.path.join(d, "subjects.nc")
    da.to_netcdf(path)
    return path, ids, feats, resp, np.array(subj), np.array(sess), np.array(region)


def expected(feats, resp, subj, sess, region):
    keep = region == "IT"
    M = rdm(feats.astype(np.float32).astype(float))
    subjects = []
    for s in dict.fromkeys(subj[keep]):
        sessions = [rdm(resp[:, keep & (subj == s) & (sess == e)]) for e in dict.fromkeys(sess[keep & (subj == s)])]
        subjects.append(np.mean(sessions, axis=0))
    mean = np.mean(subjects, axis=0)
    score = scipy.stats.spearmanr(upper(M), upper(mean)).correlation
    ranks = [scipy.stats.rankdata(upper(S)) for S in subjects]
    up = np.mean([scipy.stats.spearmanr(r, np.mean(ranks, axis=0)).correlation for r in ranks])
    lo = np.mean([scipy.stats.spearmanr(r, np.mean([x for j, x in enumerate(ranks) if j != i], axis=0)).correlation
                  for i, r in enumerate(ranks)])
    return M, score, lo, up


def main():
    binary = sys.argv[1]
    fails = []

    def check(name, ok, detail=""):
        print(("ok   " if ok else "FAIL ") + name + ("" if ok else ": " + detail))
        if not ok:
            fails.append(name)

    with tempfile.TemporaryDirectory(prefix="cb-rsa-acts.") as tmp:
        d = os.path.join(tmp, "movies")
        subprocess.run(["/usr/bin/python3", os.path.join(HERE, "make_movie_dataset.py"), d, "--seed", "3"],
                       check=True, capture_output=True)
        asm, ids, feats, resp, subj, sess, region = make_assembly(d)
        out = os.path.join(tmp, "model_rdm.h5")
        run = subprocess.run([binary, "-q", "rsa", "--activations", os.path.join(d, "truth.h5"), "--layer", "latent",
                              "--assembly", asm, "--region", "IT", "--out", out], capture_output=True, text=True)
        check("rsa exits 0", run.returncode == 0, run.stderr.strip())
        text = run.stdout
        print(text, end="")
        M, score, lo, up = expected(feats, resp, subj, sess, region)
        got = re.search(r"vs .*: spearman (\S+) over (\d+) stimuli", text)
        check("score = Spearman(model RDM, mean subject RDM)", got and abs(float(got.group(1)) - score) < 2e-9,
              f"{got and got.group(1)} vs {score}")
        band = re.search(r"3 subjects \(6 RDMs\), noise ceiling \(spearman\) lower (\S+) upper (\S+)", text)
        check("Nili ceiling over 3 subjects", band and abs(float(band.group(1)) - lo) < 2e-9 and
              abs(float(band.group(2)) - up) < 2e-9, f"{band and band.groups()} vs {lo} {up}")
        where = "below" if score < lo else "above" if score > up else "within"
        check(f"score {where} the band", f"{where} the noise ceiling band" in text)
        with h5py.File(out, "r") as h:
            R = h["rdm"][()]
            rid = [s.decode() for s in h["stimulus_id"][()]]
        check("--out RDM = 1 - Pearson of the layer's rows", rid == ids and np.max(np.abs(R - M)) < 1e-12,
              f"max diff {np.max(np.abs(R - M)) if rid == ids else 'ids differ'}")
        bad = subprocess.run([binary, "-q", "rsa", "--activations", os.path.join(d, "truth.h5"), "--layer", "latent",
                              "--assembly", asm, "--subject", "animal"], capture_output=True, text=True)
        lines = bad.stderr.strip().splitlines()
        check("--subject animal: one line naming the file and the coordinate, exit 1",
              bad.returncode == 1 and len(lines) == 1 and asm in lines[0] and "'animal'" in lines[0], bad.stderr)
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())

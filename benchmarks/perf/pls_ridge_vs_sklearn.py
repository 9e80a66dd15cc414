#!/usr/bin/python3
"""Speed benchmark: cortexbench's kernel-form PLS-25 and RidgeCV (99 alphas) against scikit-learn on the same
data and the same splits. Not a test: it prints ratios measured in this run.

    OPENBLAS_CORETYPE=SkylakeX /usr/bin/python3 benchmarks/perf/pls_ridge_vs_sklearn.py [--quick|--smoke] [--bin PATH]

Data (fixed seed): X 2880 x 4096 float32 and Y 2880 x 256 sharing 40 latent factors, 8 stratification classes.
Written to /tmp/cb_bench_regress.bin, read by bench_regress (CMake target), which runs 10 stratified shuffle
splits (90 % train, seed 1) and writes the splits it used; scikit-learn then fits the same splits.
--quick: scikit-learn runs only the first 2 splits and its 10-split time is extrapolated (said in the output).
--smoke: a small case (X 360 x 512, Y 360 x 16, 2 splits) that CI runs: every path of the script, and the split
medians of both implementations must agree (exit 1 otherwise); its ratios mean nothing.
Cases: PLS-25, RidgeCV with one shared alpha, RidgeCV with an alpha per target (alpha_per_target=True).
"""
import argparse
import os
import struct
import subprocess
import sys
import time

import numpy as np
import scipy.stats
import sklearn
from sklearn.cross_decomposition import PLSRegression
from sklearn.linear_model import RidgeCV

DATA = "/tmp/cb_bench_regress.bin"
N, P, Q, LATENT, N_SPLITS = 2880, 4096, 256, 40, 10


def set_size(n, p, q, splits):
    global N, P, Q, N_SPLITS
    N, P, Q, N_SPLITS = n, p, q, splits


def alphas():
    return [0.01, 0.1, 0.5, 1.0, *np.linspace(1e1, 1e2, 4, endpoint=False),
            *np.linspace(1e2, 1e3, 18, endpoint=False), *np.linspace(1e3, 1e4, 18, endpoint=False),
            *np.linspace(1e4, 1e5, 18, endpoint=False), *np.linspace(1e5, 1e6, 18, endpoint=False),
            *np.linspace(1e6, 1e7, 19)]


def make_data():
    rng = np.random.RandomState(2024)
    Z = rng.randn(N, LATENT)
    X = (Z @ rng.randn(LATENT, P) * 0.5 + rng.randn(N, P)).astype(np.float32)
    X = np.maximum(X, 0)  # ReLU-like activations: non-negative, non-zero means
    Y = Z @ rng.randn(LATENT, Q) * 0.3 + rng.randn(N, Q) * 1.5
    labels = np.repeat(np.arange(8), N // 8).astype(np.int32)
    with open(DATA, "wb") as f:
        f.write(struct.pack("iii", N, P, Q))
        f.write(X.tobytes())
        f.write(Y.astype(np.float64).tobytes())
        f.write(labels.tobytes())
    return X, Y


def run_c(binary, kind, splits_file):
    out = subprocess.run([binary, DATA, kind, str(N_SPLITS), splits_file], check=True, capture_output=True,
                         text=True).stdout
    res = {}
    for line in out.splitlines():
        key, *vals = line.split()
        res[key] = vals if len(vals) > 1 else vals[0]
    return res


def split_score(pred, Yte):
    r = [scipy.stats.pearsonr(pred[:, j], Yte[:, j])[0] for j in range(Yte.shape[1])]
    return np.nanmedian(r)


def run_sklearn(X, Y, tests, make_model, n_run):
    t = time.time()
    meds = []
    for te in tests[:n_run]:
        mask = np.ones(len(X), bool)
        mask[te] = False
        model = make_model().fit(X[mask], Y[mask])
        meds.append(split_score(model.predict(X[te]), Y[te]))
    return time.time() - t, np.array(meds)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="scikit-learn on 2 splits only, time extrapolated")
    ap.add_argument("--smoke", action="store_true", help="a small case, every path, agreement checked (CI)")
    ap.add_argument("--bin", default=None, help="path of bench_regress (default: build*/bin/bench_regress)")
    args = ap.parse_args()
    if args.smoke:
        set_size(360, 512, 16, 2)
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    binary = args.bin or next((os.path.join(root, d, "bin", "bench_regress") for d in ("build", "build-perf3", "build-regress")
                               if os.path.exists(os.path.join(root, d, "bin", "bench_regress"))), None)
    if binary is None:
        sys.exit("bench_regress not found: build the CMake target bench_regress or pass --bin")
    print("scikit-learn %s, numpy %s, OPENBLAS_CORETYPE=%s, OPENBLAS_NUM_THREADS=%s" %
          (sklearn.__version__, np.__version__, os.environ.get("OPENBLAS_CORETYPE", "-"),
           os.environ.get("OPENBLAS_NUM_THREADS", "-")))
    kernel = os.environ.get("OPENBLAS_CORETYPE") or "autodetected by OpenBLAS (Debian's build may fall back to a generic one)"
    print("BLAS kernel, both sides (bench_regress is a child of this process, same environment): OpenBLAS, core type "
          "%s; bench_regress binary %s" % (kernel, binary))
    try:
        load = os.getloadavg()
        print("load average before the runs: %.2f %.2f %.2f (2 cores; other jobs slow every figure)" % load)
    except OSError:
        pass
    X, Y = make_data()
    print("data: X %dx%d float32 (%.1f MB), Y %dx%d, %d latent factors, %d splits" %
          (N, P, X.nbytes / 2**20, N, Q, LATENT, N_SPLITS))
    del X, Y  # the C runs come first, with this process small
    n_run = 2 if args.quick else N_SPLITS
    cases = [("pls", lambda: PLSRegression(n_components=25, scale=False)),
             ("ridgecv", lambda: RidgeCV(alphas=alphas())),
             ("ridgecv_per_target", lambda: RidgeCV(alphas=alphas(), alpha_per_target=True))]
    worst = {}
    c_results = {kind: run_c(binary, kind, "/tmp/cb_bench_splits_%s.txt" % kind) for kind, _ in cases}
    with open(DATA, "rb") as f:
        f.read(12)
        X = np.frombuffer(f.read(N * P * 4), dtype=np.float32).reshape(N, P)
        Y = np.frombuffer(f.read(N * Q * 8), dtype=np.float64).reshape(N, Q)
    for kind, make_model in cases:
        sfile = "/tmp/cb_bench_splits_%s.txt" % kind
        c = c_results[kind]
        tests = [np.array([int(v) for v in line.split()]) for line in open(sfile)]
        t_sk, meds = run_sklearn(X, Y, tests, make_model, n_run)
        t_sk_full = t_sk * N_SPLITS / n_run
        c_meds = np.array([float(v) for v in c["per_split"]])[:n_run]
        t_c = float(c["time_total_s"])
        print("\n== %s ==" % kind)
        print("cortexbench: %.3f s total (kernel K = X X' %.3f s, CV %.3f s)" %
              (t_c, float(c["time_kernel_s"]), float(c["time_cv_s"])))
        print("scikit-learn: %.2f s for %d splits%s" %
              (t_sk_full, N_SPLITS, "" if n_run == N_SPLITS else
               " (EXTRAPOLATED from %d splits measured in %.2f s)" % (n_run, t_sk)))
        print("speed-up: %.1fx" % (t_sk_full / t_c))
        print("median score per split, max |cortexbench - sklearn| over %d splits: %.2e" %
              (n_run, np.max(np.abs(c_meds - meds))))
        print("mean of split medians: cortexbench %.6f, sklearn %.6f (splits compared)" % (c_meds.mean(), meds.mean()))
        what = ("flops of the exact all-alpha loop, an equivalent rate: the alpha screen does fewer"
                if kind.startswith("ridgecv") else "useful flops")
        print("GFLOP/s: %.1f achieved (%s / total time); same-BLAS peak dgemm %.1f, sgemm %.1f (2048^3); "
              "K = X X' alone %.1f" % (float(c["gflops_achieved"]), what, float(c["dgemm_peak_gflops"]),
                                       float(c["sgemm_peak_gflops"]), float(c["kernel_gflops"])))
        worst[kind] = float(np.max(np.abs(c_meds - meds)))
        print("peak RSS (VmHWM): %.1f MB = %.2f x size of X (%.1f MB)" %
              (float(c["peak_rss_mb"]), float(c["peak_rss_mb"]) / float(c["x_mb"]), float(c["x_mb"])))

    if args.smoke:  # PLS: sklearn's NIPALS stops at tol 1e-6; ridge: exact on both sides
        limits = {"pls": 1e-3, "ridgecv": 1e-6, "ridgecv_per_target": 1e-6}
        bad = [k for k in worst if not worst[k] <= limits[k]]
        print("\nsmoke: largest split-median difference %s; limits %s: %s" %
              (worst, limits, "FAIL " + ", ".join(bad) if bad else "ok"))
        sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()

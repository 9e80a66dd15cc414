#!/usr/bin/python3
"""score_fixed_cost.py [--bin CORTEXBENCH] [--work DIR] [--runs N] [--stimuli N --model M --layer L] - the fixed cost of one `cortexbench score`
(#18 item 7; not a test: timings on a shared machine).

Fixed cost, as the issue measures it: wall time of a whole `score` process with 1 split minus the time of one split,
a split's time being (wall with 10 splits - wall with 1 split) / 9 (medians of N runs, the two interleaved). Case: the
held-out-sized data of make_report_case.py (440 stimuli, 360 V1 neuroids, 4 repetitions), tinycnn's features.5
(440 x 2048, written by `cortexbench activations`, compressed; --model, --layer choose another), PLS with 25 components. Two assemblies of the same
numbers: one written by cortexbench (`cortexbench import assembly`: read in-process while its record says it is
unchanged) and the xarray-written original (a file from elsewhere: read through the isolated reader). Also printed:
`cortexbench version` and `--help` (a process's start and exit), the `-v` breakdown of one score, and, as the
reference measured in the same run, scikit-learn's PLSRegression fitting and scoring one split of the same arrays in a
fresh /usr/bin/python3 process (its fixed cost: interpreter, imports, file reads). DIR (default /tmp/cb-fixed-cost)
keeps the data for the next call. --stimuli 1200 --model pixels --layer pixels: the issue's 1200 x 3000 case (3072
features)."""
import argparse, os, statistics, subprocess, sys, time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

SKLEARN = r"""
import sys, numpy as np, h5py, xarray as xr
from sklearn.cross_decomposition import PLSRegression
act, asm, splits, layer = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
with h5py.File(act, "r") as f:
    X = f[layer][...]
n = X.shape[0]; X = X.reshape(n, -1).astype(np.float64)
a = xr.open_dataarray(asm)
Y = a.values[:, :, 0].reshape(4, n, -1).mean(0)
rng = np.random.default_rng(1)
for s in range(splits):
    p = rng.permutation(n); tr, te = p[:n * 9 // 10], p[n * 9 // 10:]
    pred = PLSRegression(n_components=25, scale=False).fit(X[tr], Y[tr]).predict(X[te])
    r = [np.corrcoef(pred[:, j], Y[te, j])[0, 1] for j in range(Y.shape[1])]
print(np.median(r))
"""


def wall(cmd, env=None):
    t = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    return time.perf_counter() - t


def medians(cmds, runs):
    """Median wall time of each command, run in turn (A B A B ...) after one warm-up each."""
    for c in cmds: wall(c)
    t = [[] for _ in cmds]
    for _ in range(runs):
        for i, c in enumerate(cmds): t[i].append(wall(c))
    return [statistics.median(x) for x in t]


def prepare(cb, work, n, model):
    data = os.path.join(work, "data")
    if not os.path.exists(os.path.join(data, "assembly.nc")):
        subprocess.run(["/usr/bin/python3", os.path.join(ROOT, "benchmarks/perf/make_report_case.py"), data, str(n)],
                       check=True)
    act = os.path.join(work, "act-%s.h5" % model)
    if not os.path.exists(act + ".sha256"):
        subprocess.run([cb, "-q", "activations", "--model", model, "--stimuli", os.path.join(data, "stimuli.csv"),
                        "--out", act], check=True)
    mine = os.path.join(work, "assembly_cb.nc")
    if not os.path.exists(mine + ".sha256"):
        import numpy as np, xarray as xr
        a = xr.open_dataarray(os.path.join(data, "assembly.nc"))
        ids = list(a.stimulus_id.values[:n])
        np.save(os.path.join(work, "resp.npy"), a.values[:, :, 0].reshape(4, n, -1))
        with open(os.path.join(work, "ids.txt"), "w") as fh: fh.write("\n".join(ids) + "\n")
        subprocess.run([cb, "-q", "import", "assembly", os.path.join(work, "resp.npy"), "--out", mine, "--dims",
                        "repetition,stimulus,neuroid", "--stimulus-ids", os.path.join(work, "ids.txt"), "--region", "V1",
                        "--identifier", "case.V1", "--stimulus-set", "case"], check=True, stdout=subprocess.DEVNULL)
    return act, mine, os.path.join(data, "assembly.nc")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=os.path.join(ROOT, "build/bin/cortexbench"))
    ap.add_argument("--work", default=None)
    ap.add_argument("--runs", type=int, default=11)
    ap.add_argument("--stimuli", type=int, default=440)
    ap.add_argument("--model", default="tinycnn")
    ap.add_argument("--layer", default="features.5")
    a = ap.parse_args()
    if a.work is None: a.work = "/tmp/cb-fixed-cost" + ("" if a.stimuli == 440 else "-%d" % a.stimuli)
    os.makedirs(a.work, exist_ok=True)
    act, mine, theirs = prepare(a.bin, a.work, a.stimuli, a.model)
    out = os.path.join(a.work, "s.json")
    score = lambda asm, k: [a.bin, "-q", "score", "--activations", act, "--layer", a.layer, "--assembly", asm,
                            "--out", out, "--splits", str(k)]
    v, h = medians([[a.bin, "version"], [a.bin, "--help"]], a.runs)
    print("kernel: OPENBLAS_CORETYPE=%s; %d runs each, medians" % (os.environ.get("OPENBLAS_CORETYPE", "(auto)"), a.runs))
    print("cortexbench version %.3f s, --help %.3f s" % (v, h))
    print("%-34s %9s %9s %9s %9s" % ("assembly", "1 split", "10 splits", "per split", "fixed"))
    for label, asm in (("written by cortexbench (in-process)", mine), ("xarray's file (isolated reader)", theirs)):
        t1, t10 = medians([score(asm, 1), score(asm, 10)], a.runs)
        per = (t10 - t1) / 9
        print("%-34s %8.3fs %8.3fs %8.4fs %8.3fs" % (label, t1, t10, per, t1 - per))
    r = subprocess.run([a.bin, "-v", "score"] + score(mine, 1)[3:], capture_output=True, text=True)
    print("".join(l for l in (r.stdout + r.stderr).splitlines(True) if "debug: score:" in l).strip())
    sk = ["/usr/bin/python3", "-c", SKLEARN, act, theirs]
    s1, s10 = medians([sk + ["1", a.layer], sk + ["10", a.layer]], max(3, a.runs // 3))
    per = (s10 - s1) / 9
    print("scikit-learn PLSRegression, one fresh process: 1 split %.3f s, per split %.4f s, fixed %.3f s" % (s1, per, s1 - per))


if __name__ == "__main__":
    main()

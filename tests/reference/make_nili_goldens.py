#!/usr/bin/python3
"""Reference numbers from rsatoolbox's own code for the classic Nili et al. 2014 comparison
(Kriegeskorte et al. 2008 92-image data: 8 model RDMs and monkey IT against human IT, with the
inter-subject noise ceiling). Writes tests/reference/fixtures/nili_kriegeskorte.txt, which
tests/cli/rsa_nili.sh checks `cortexbench import rdm` + `cortexbench rsa` against (1e-6).

Reproduce (from the repository root, Debian's Python with python3-numpy and python3-scipy):

    git clone https://github.com/rsagroup/rsatoolbox /tmp/rsatoolbox
    git -C /tmp/rsatoolbox checkout f1f83cadb7243492a1aae7460466e0f0140b20ac
    RSATOOLBOX_SRC=/tmp/rsatoolbox/src /usr/bin/python3 tests/reference/make_nili_goldens.py

The committed fixture was made exactly so, except that the tree was a `git archive f1f83cad... src`
export of the rsatoolbox repository (hence RSATOOLBOX_COMMIT=f1f83cadb7243492a1aae7460466e0f0140b20ac was set),
with Debian 12's python3-numpy 1.24.2 and python3-scipy 1.10.1.

RSATOOLBOX_SRC is the folder that holds the `rsatoolbox` package (the repository's `src/`); it may
also be given as the first argument. The commit recorded in the fixture's header is taken from
`git -C RSATOOLBOX_SRC rev-parse HEAD`, or from RSATOOLBOX_COMMIT when the tree is not a git
checkout (e.g. a `git archive` export). rsatoolbox is NOT installed: its source tree is put on
sys.path and only the submodules needed are imported. Shims, none of which touches a code path
used here (the script prints which ones it installed):
  * the top-level `rsatoolbox/__init__.py` is bypassed (it calls importlib.metadata.version, which
    needs an installed distribution, and imports vis/simulation); an empty package object with the
    source folder as its __path__ stands in, so `rsatoolbox.rdm`, `rsatoolbox.inference`,
    `rsatoolbox.model` and `rsatoolbox.util` load from the source unchanged;
  * `rsatoolbox.cengine.similarity` is a Cython extension that is not built; it is replaced by
    functions that raise (only rdm/calc_unbalanced.py uses it);
  * `tqdm` and `networkx` (not in Debian's python3 base set here) are stubbed when missing: tqdm is
    only used for progress bars in bootstrap loops / unbalanced RDMs, networkx only by the
    geodesic/geotopological RDM transforms.

Data: ../shared/data/kriegeskorte2008 (rsatoolbox's demos/92imageData; SHA-256 checked against
SOURCE.md there), read with scipy.io.loadmat. Conventions (the project's, see docs/formats.md):
  * subject RDM = float64 mean of its 2 session RDMs (92_brainRDMs.mat RDMs(1,s,k), float32);
    subjects BE, KO, SN, TI are the units of the inter-subject ceiling;
  * subject-mean RDM = plain float64 mean of the 4 subject RDMs (= mean of the 8 sessions);
  * models (92_modelRDMs.mat Models(i).RDM) and monkey IT (RDMs_mIT_hIT_fig1(1).RDM, condensed)
    are compared with the subject-mean RDM by rsatoolbox.rdm.compare(model, mean, method) with
    method 'tau-a' (rdm/compare.py compare_kendall_tau_a -> _tau_a) and 'spearman'
    (compare_spearman: Pearson r of scipy rankdata average ranks, tie-corrected);
  * noise ceiling = rsatoolbox.inference.boot_noise_ceiling(subjects, method, rdm_descriptor='index')
    over the 4 subject RDMs (inference/noise_ceiling.py): lower = mean over subjects s of
    compare(pool_rdm(others), s), upper = mean over s of compare(pool_rdm(all 4), s), where
    pool_rdm (util/inference_util.py) ranks every RDM vector (scipy rankdata 'average') and averages
    the ranks for 'spearman', 'rho-a', 'tau-a', 'tau-b' (it warns "Noise ceiling for tau based on
    averaged ranks!"), z-scores then averages (minus the minimum) for 'corr', divides by the RMS then
    averages for 'cosine'.

Keys (all values %.17g):
  model_<name>_{tau_a,spearman}    compare(model i, plain subject mean)  [main; what `cortexbench rsa` does]
  mit_{tau_a,spearman}             same for monkey IT from the supplemental data
  ceiling_{tau_a,spearman}_{lower,upper}  boot_noise_ceiling over the 4 subjects  [main]
  record_*                         for the record only (not checked by the C tests):
    record_rankpool_model_<name>_{tau_a,spearman}: compare(model, pool_rdm(4 subjects, method)) i.e. the
        rank-averaged subject mean rsatoolbox uses inside the ceiling;
    record_plainpool_ceiling_*: the same leave-one-out ceiling but pooling by a plain mean (NOT rsatoolbox);
    record_evalfixed_<name>_{tau_a,spearman}_mean: mean over the 4 subjects of
        rsatoolbox.inference.eval_fixed(ModelFixed(name, rdm), subjects, method).evaluations;
    record_model_<name>_rho_a: compare(model, plain mean, 'rho-a') (Spearman without tie correction);
    record_sessions8_ceiling_*: boot_noise_ceiling over the 8 session RDMs with rdm_descriptor='subject'
        (rsatoolbox's own way to treat sessions: leave one subject's 2 sessions out, pool the 8 or 6
        session RDMs, average the comparison over the left-out sessions) - not the project's convention.
"""
import hashlib
import importlib
import os
import subprocess
import sys
import types
import warnings

import numpy as np
import scipy
import scipy.io

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "fixtures", "nili_kriegeskorte.txt")
DATA = os.path.join(HERE, "..", "..", "..", "shared", "data", "kriegeskorte2008")
SHA256 = {
    "Kriegeskorte_Neuron2008_supplementalData.mat": "06f21214399a5d43dc264eed19a7f4b8daf11c8622a59eec3e106064ce5e3504",
    "92_brainRDMs.mat": "1743f90a15e895798a94318649e80e1123a7e5943a1703fa1dd7c31ea5780b7c",
    "92_modelRDMs.mat": "e1d2b58bb2f9508bc13da4c81b94d1ab07823b25ed30b9563bd9d6d730c2a00a",
}
SUBJECTS = ["BE", "KO", "SN", "TI"]


def load_rsatoolbox(src):
    """Imports rsatoolbox's submodules from the source tree `src` (see the module docstring)."""
    pkg_dir = os.path.join(src, "rsatoolbox")
    if not os.path.isfile(os.path.join(pkg_dir, "rdm", "compare.py")):
        sys.exit("make_nili_goldens.py: %s holds no rsatoolbox/rdm/compare.py (set RSATOOLBOX_SRC)" % src)
    shims = []

    def stub(name, **attrs):
        m = types.ModuleType(name)
        m.__dict__.update(attrs)
        sys.modules[name] = m
        return m

    pkg = stub("rsatoolbox", __path__=[pkg_dir], __version__="source tree " + src)
    shims.append("rsatoolbox/__init__.py bypassed")

    def unavailable(*args, **kwargs):
        raise RuntimeError("rsatoolbox.cengine (Cython) is not built in this shim")

    stub("rsatoolbox.cengine", __path__=[])
    stub("rsatoolbox.cengine.similarity", calc_one=unavailable, calc=unavailable, similarity=unavailable)
    shims.append("rsatoolbox.cengine.similarity stubbed")
    for name in ("tqdm", "networkx"):
        try:
            importlib.import_module(name)
        except ImportError:
            stub(name, tqdm=lambda it=None, *a, **k: it)
            shims.append("%s stubbed" % name)
    rdm = importlib.import_module("rsatoolbox.rdm")
    inference = importlib.import_module("rsatoolbox.inference")
    model = importlib.import_module("rsatoolbox.model")
    inference_util = importlib.import_module("rsatoolbox.util.inference_util")
    pkg.rdm, pkg.inference, pkg.model = rdm, inference, model
    return rdm, inference, model, inference_util, shims


def rsatoolbox_commit(src):
    c = os.environ.get("RSATOOLBOX_COMMIT")
    if c:
        return c
    try:
        return subprocess.run(["git", "-C", src, "rev-parse", "HEAD"], check=True, capture_output=True,
                              text=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown (set RSATOOLBOX_COMMIT)"


def check_data():
    for f, want in SHA256.items():
        with open(os.path.join(DATA, f), "rb") as fh:
            got = hashlib.sha256(fh.read()).hexdigest()
        if got != want:
            sys.exit("make_nili_goldens.py: %s has SHA-256 %s, SOURCE.md says %s" % (f, got, want))


def main():
    src = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("RSATOOLBOX_SRC")
    if not src:
        sys.exit("usage: RSATOOLBOX_SRC=/path/to/rsatoolbox/src make_nili_goldens.py (see the docstring)")
    src = os.path.abspath(src)
    if not os.path.isdir(DATA):
        sys.exit("make_nili_goldens.py: %s absent" % DATA)
    check_data()
    rdm, inference, model, inference_util, shims = load_rsatoolbox(src)
    commit = rsatoolbox_commit(src)
    RDMs, compare, pool_rdm = rdm.RDMs, rdm.compare, inference_util.pool_rdm

    # --- data -------------------------------------------------------------------------------------------
    brain = scipy.io.loadmat(os.path.join(DATA, "92_brainRDMs.mat"))["RDMs"]  # (1, 4, 2) struct
    sessions = np.empty((4, 2, 92, 92))
    for s in range(4):
        for k in range(2):
            name = str(brain[0, s, k]["name"][0])
            assert name == "hIT | %s | Session: %d" % (SUBJECTS[s], k + 1), name
            sessions[s, k] = brain[0, s, k]["RDM"].astype(np.float64)
    subj = (sessions[:, 0] + sessions[:, 1]) / 2.0  # (4, 92, 92): float64 mean of the 2 sessions
    mean = (subj[0] + subj[1] + subj[2] + subj[3]) / 4.0  # plain subject mean
    models = scipy.io.loadmat(os.path.join(DATA, "92_modelRDMs.mat"))["Models"]
    model_names = [str(models[0, i]["name"][0]) for i in range(models.shape[1])]
    model_rdms = [models[0, i]["RDM"].astype(np.float64) for i in range(models.shape[1])]
    sup = scipy.io.loadmat(os.path.join(DATA, "Kriegeskorte_Neuron2008_supplementalData.mat"))["RDMs_mIT_hIT_fig1"]
    assert str(sup[0, 0]["name"][0]) == "mIT_674neurons"
    mit = np.asarray(sup[0, 0]["RDM"], np.float64).ravel()  # condensed, squareform order

    subjects = RDMs(subj, dissimilarity_measure="1-pearson (assumed)",
                    rdm_descriptors={"subject": SUBJECTS, "index": list(range(4))})
    mean_rdm = RDMs(mean[None])
    values = []  # (key, value)

    def put(key, v):
        v = float(np.asarray(v).ravel()[0]) if np.size(v) == 1 else None
        assert v is not None and np.isfinite(v), key
        values.append((key, v))

    methods = [("tau_a", "tau-a"), ("spearman", "spearman")]
    # --- models and monkey IT vs the plain subject mean --------------------------------------------------
    for name, r in zip(model_names, model_rdms):
        for key, meth in methods:
            put("model_%s_%s" % (name, key), compare(RDMs(r[None]), mean_rdm, meth))
    for key, meth in methods:
        put("mit_%s" % key, compare(RDMs(mit[None]), mean_rdm, meth))
    # --- the noise ceiling (rsatoolbox's boot_noise_ceiling, rank pooling) -------------------------------
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "Noise ceiling for tau based on averaged ranks!"
        for key, meth in methods:
            lo, up = inference.boot_noise_ceiling(subjects, method=meth, rdm_descriptor="index")
            put("ceiling_%s_lower" % key, lo)
            put("ceiling_%s_upper" % key, up)
        # --- for the record ------------------------------------------------------------------------------
        for key, meth in methods:
            pooled = pool_rdm(subjects, method=meth)
            for name, r in zip(model_names, model_rdms):
                put("record_rankpool_model_%s_%s" % (name, key), compare(RDMs(r[None]), pooled, meth))
        for key, meth in methods:  # plain-mean pooling: NOT what rsatoolbox does
            lo = up = 0.0
            for s in range(4):
                others = [t for t in range(4) if t != s]
                lo += compare(RDMs(subj[others].mean(axis=0)[None]), RDMs(subj[s][None]), meth)[0, 0] / 4
                up += compare(mean_rdm, RDMs(subj[s][None]), meth)[0, 0] / 4
            put("record_plainpool_ceiling_%s_lower" % key, lo)
            put("record_plainpool_ceiling_%s_upper" % key, up)
        for key, meth in methods:
            fixed = [model.ModelFixed(name, RDMs(r[None])) for name, r in zip(model_names, model_rdms)]
            res = inference.eval_fixed(fixed, subjects, method=meth)
            ev = np.asarray(res.evaluations)  # (1, n_models, 4)
            for i, name in enumerate(model_names):
                put("record_evalfixed_%s_%s_mean" % (name, key), ev[0, i].mean())
            nc = np.asarray(res.noise_ceiling).ravel()
            lo, up = [v for k, v in values if k == "ceiling_%s_lower" % key][0], \
                [v for k, v in values if k == "ceiling_%s_upper" % key][0]
            assert abs(nc[0] - lo) < 1e-15 and abs(nc[1] - up) < 1e-15, (nc, lo, up)
        for name, r in zip(model_names, model_rdms):
            put("record_model_%s_rho_a" % name, compare(RDMs(r[None]), mean_rdm, "rho-a"))
        sess8 = RDMs(np.concatenate([sessions[:, 0], sessions[:, 1]]),
                     rdm_descriptors={"subject": SUBJECTS * 2, "index": list(range(8))})
        for key, meth in methods:
            lo, up = inference.boot_noise_ceiling(sess8, method=meth, rdm_descriptor="subject")
            put("record_sessions8_ceiling_%s_lower" % key, lo)
            put("record_sessions8_ceiling_%s_upper" % key, up)

    # sanity: the supplemental human-IT RDM is the subject mean; monkeyIT model == supplemental mIT
    hit = np.asarray(sup[0, 1]["RDM"], np.float64).ravel()
    assert np.max(np.abs(RDMs(mean[None]).get_vectors()[0] - hit)) < 1e-6
    assert dict(values)["model_monkeyIT_tau_a"] == dict(values)["mit_tau_a"]

    with open(OUT, "w") as f:
        f.write("# made by tests/reference/make_nili_goldens.py (numpy %s, scipy %s)\n" % (np.__version__, scipy.__version__))
        f.write("# rsatoolbox commit %s, imported from its source tree (shims: %s)\n" % (commit, "; ".join(shims)))
        f.write("# data: ../shared/data/kriegeskorte2008 (92_brainRDMs.mat, 92_modelRDMs.mat, supplementalData), not committed\n")
        f.write("# subject RDM = float64 mean of its 2 sessions (BE KO SN TI); subject mean = plain mean of the 4\n")
        f.write("# model_*, mit_*: rsatoolbox.rdm.compare(model, subject mean, 'tau-a' | 'spearman')\n")
        f.write("#   (rdm/compare.py: compare_kendall_tau_a -> _tau_a; compare_spearman)\n")
        f.write("# ceiling_*: rsatoolbox.inference.boot_noise_ceiling(4 subject RDMs, method, rdm_descriptor='index')\n")
        f.write("#   (inference/noise_ceiling.py; pooling util/inference_util.py pool_rdm = mean of average ranks)\n")
        f.write("# record_*: for the record, not checked (see the script's docstring)\n")
        for k, v in values:
            f.write("%s %.17g\n" % (k, v))
    print("wrote %s (%d values; rsatoolbox %s; %s)" % (OUT, len(values), commit, "; ".join(shims)))


if __name__ == "__main__":
    main()

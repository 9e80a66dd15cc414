#!/usr/bin/python3
"""The Python package (python/cortexbench) against the cortexbench command: score files equal byte for byte for
PLS, ridge, ridgecv, RDM and CKA (and from a numpy array in another row order), the RDM of the package equal to the
one the rdm metric compares, activations equal to h5py's reading, score files and leaderboards loaded, errors as
exceptions with the library's one-line message, no MPI started, the README's example run.

Environment: CORTEXBENCH_BIN (the executable), CORTEXBENCH_LIB (libcortexbench.so), PYTHONPATH with python/.
Exit 77 (ctest SKIP_RETURN_CODE) when numpy, xarray or pandas is missing."""
import ctypes
import ctypes.util
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

try:
    import numpy as np
    import pandas  # noqa: F401  (load_leaderboard)
    import xarray  # noqa: F401
except ImportError as e:
    print(f"SKIP: {e} (install python3-numpy, python3-xarray and python3-pandas: scripts/deps.sh)")
    sys.exit(77)

import cortexbench as cb

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
BIN = os.environ.get("CORTEXBENCH_BIN", os.path.join(ROOT, "build", "bin", "cortexbench"))
LAYER = "features.5"
# (metric options as `cortexbench score` flags, the same as keyword arguments of cortexbench.score)
CASES = [
    {"metric": "pls", "components": "10", "splits": "4", "stratify": "orientation", "region": "V1"},
    {"metric": "ridge", "alpha": "1.0", "splits": "3", "seed": "5"},
    {"metric": "ridgecv", "alphas": "0.1,1,10", "alpha_per_target": None, "splits": "3"},
    {"metric": "rdm", "distance": "euclidean", "compare": "kendall", "bootstrap": "20"},
    {"metric": "cka", "cka": "biased", "splits": "3"},
]


def run_cli(*args):
    r = subprocess.run([BIN, *args], capture_output=True, text=True)
    if r.returncode != 0:
        raise AssertionError(f"cortexbench {' '.join(args)} failed ({r.returncode}): {r.stderr.strip()}")
    return r.stdout


class Package(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="cb-python.")
        cls.data = os.path.join(cls.tmp, "gratings")
        run_cli("generate", "gratings-v1", "--out", cls.data)
        cls.assembly = os.path.join(cls.data, "assembly.nc")
        cls.acts = os.path.join(cls.tmp, "tinycnn.h5")
        run_cli("activations", "--model", "tinycnn", "--layers", "features.2,features.5", "--stimuli",
                os.path.join(cls.data, "stimuli.csv"), "--out", cls.acts)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp)

    def cli_score(self, case, name):
        out = os.path.join(self.tmp, f"{name}.json")
        flags = []
        for k, v in case.items():
            flags += [f"--{k.replace('_', '-')}"] + ([] if v is None else [v])
        run_cli("score", "--activations", self.acts, "--layer", LAYER, "--assembly", self.assembly, "--out", out,
                *flags)
        with open(out, encoding="utf-8") as f:
            return f.read()

    @staticmethod
    def kwargs(case):
        return {k: (True if v is None else v) for k, v in case.items()}

    def test_score_equals_cli_byte_for_byte(self):
        X = cb.load_layer(self.acts, LAYER)
        for i, case in enumerate(CASES):
            with self.subTest(metric=case["metric"]):
                want = self.cli_score(case, f"case{i}")
                got = cb.score_json(X, self.assembly, **self.kwargs(case))
                self.assertEqual(got, want)
                self.assertEqual(cb.score(X, self.assembly, **self.kwargs(case)), json.loads(want))

    def test_numpy_rows_in_another_order(self):
        X = cb.load_layer(self.acts, LAYER)
        order = np.random.default_rng(3).permutation(X.shape[0])
        values, ids = X.values[order], X.stimulus_id.values[order]
        case = CASES[1]
        want = json.loads(self.cli_score(case, "perm"))
        got = cb.score(values.astype(np.float64), self.assembly, stimulus_id=ids, model="tinycnn", layer=LAYER,
                       **self.kwargs(case))
        self.assertEqual(got, want)  # float64 input is scored as float32: the values the file holds

    def test_rdm_equals_the_rdm_metric(self):
        """score --metric rdm --split all --ceiling none compares the two RDMs once: its per_split[0] must be
        compare_rdms(rdm(model), rdm(brain)) of the package to the last bit."""
        for distance, compare in (("1-pearson", "spearman"), ("euclidean", "pearson"), ("cosine", "kendall")):
            with self.subTest(distance=distance, compare=compare):
                case = {"metric": "rdm", "split": "all", "ceiling": "none", "distance": distance,
                        "compare": compare}
                want = json.loads(self.cli_score(case, "rdm-all"))
                Y = cb.load_assembly(self.assembly)
                X = cb.load_layer(self.acts, LAYER).sel(stimulus_id=Y.stimulus_id)
                got = cb.compare_rdms(cb.rdm(X, distance), cb.rdm(Y, distance), compare)
                self.assertEqual(want["n_splits"], 1)
                self.assertEqual(got, want["per_split"][0])
                D = cb.rdm(X.values, distance)
                self.assertTrue(np.array_equal(D, D.T) and not np.diag(D).any(), "RDM symmetric, zero diagonal")

    def test_activations_equal_h5py(self):
        ds = cb.load_activations(self.acts)
        info = cb.activations_info(self.acts)
        self.assertEqual(list(ds.data_vars), ["features.2", "features.5"])
        self.assertEqual(info["model"], "tinycnn")
        self.assertEqual(ds.attrs["model"], "tinycnn")
        try:
            import h5py
        except ImportError:
            self.skipTest("h5py absent: shapes only")
        with h5py.File(self.acts, "r") as f:
            ids = [s.decode() if isinstance(s, bytes) else s for s in f["stimulus_id"][()]]
            self.assertEqual(list(ds.stimulus_id.values), ids)
            def text(v):
                return v.decode() if isinstance(v, bytes) else str(v)
            # format 2 (docs/formats.md): one root variable per layer, its exact name in attribute 'layer'
            by_layer = {text(v.attrs["layer"]): v for v in f.values()
                        if isinstance(v, h5py.Dataset) and "layer" in v.attrs}
            for name in ds.data_vars:
                ref = by_layer[name][()].reshape(len(ids), -1)
                self.assertEqual(info["layers"][name], ref.shape[1])
                self.assertTrue(np.array_equal(ds[name].values, ref), name)

    def test_assembly_means(self):
        Y = cb.load_assembly(self.assembly, region="V1", time_bin=(70, 170))
        self.assertEqual(Y.dims, ("stimulus_id", "neuroid_id"))
        self.assertEqual(Y.shape[0], 128)  # gratings-v1: 128 gratings
        self.assertTrue(np.isfinite(Y.values).all())

    def test_scores_and_leaderboards(self):
        lb_dir = os.path.join(ROOT, "results", "default")
        csv = cb.load_leaderboard(os.path.join(lb_dir, "leaderboard.csv"))
        long = cb.load_leaderboard(lb_dir)
        self.assertEqual(list(csv.columns[:3]), ["rank", "model", "average"])
        row = long[(long.model == csv.model[0]) & (long.benchmark == "synthetic-v1.V1-pls")].iloc[0]
        self.assertAlmostEqual(row["clipped"], csv["synthetic-v1.V1-pls"][0], delta=5e-5)  # csv: 4 decimals
        self.assertEqual(row["layer"], csv["synthetic-v1.V1-pls.layer"][0])
        path = os.path.join(self.tmp, "record.json")
        run_cli("score", "--activations", self.acts, "--layer", LAYER, "--assembly", self.assembly, "--out", path,
                "--region", "V1", "--splits", "3")
        rec = cb.load_score(path)
        pn = rec["per_neuroid"]
        self.assertEqual(pn.dims, ("split", "neuroid"))
        self.assertEqual(pn.shape[0], 3)
        self.assertTrue(np.array_equal(pn.median("neuroid", skipna=True).values, np.array(rec["per_split"])),
                        "per_split = median over neuroids of per_neuroid")
        scores = cb.load_scores(os.path.join(lb_dir, "scores"))
        n_files = sum(len([f for f in fs if f.endswith(".json")]) for _, _, fs in os.walk(os.path.join(lb_dir, "scores")))
        self.assertEqual(len(scores), n_files)
        self.assertTrue({"model", "layer", "benchmark", "raw", "ceiling", "score", "per_split"} <= set(scores.columns))

    def test_errors_are_exceptions_with_the_message(self):
        missing = os.path.join(self.tmp, "missing.h5")
        with self.assertRaises(cb.CortexbenchError) as e:
            cb.load_layer(missing, LAYER)
        self.assertIn(missing, str(e.exception))
        self.assertNotIn("\n", str(e.exception))
        with self.assertRaisesRegex(cb.CortexbenchError, r"no layer 'nope'"):
            cb.load_layer(self.acts, "nope")
        with self.assertRaisesRegex(cb.CortexbenchError, r"option metric: .*'svm'"):
            cb.score(np.zeros((2, 2)), self.assembly, stimulus_id=["a", "b"], metric="svm")
        with self.assertRaisesRegex(cb.CortexbenchError, r"has no activations for stimulus"):
            cb.score(np.ones((2, 2)), self.assembly, stimulus_id=["a", "b"])
        bad = os.path.join(self.tmp, "bad.nc")
        with open(bad, "w") as f:
            f.write("not a netCDF file\n")
        with self.assertRaises(cb.CortexbenchError) as e:
            cb.score(cb.load_layer(self.acts, LAYER), bad)
        self.assertIn(bad, str(e.exception))
        self.assertEqual(e.exception.status, 3)  # CB_ERR_FORMAT, as `cortexbench score` reports it

    def test_no_mpi_started(self):
        cb.score(cb.load_layer(self.acts, LAYER), self.assembly, metric="cka", splits=2)
        name = ctypes.util.find_library("mpi")
        if not name:
            self.skipTest("libmpi not found")
        mpi = ctypes.CDLL(name)
        flag = ctypes.c_int(-1)
        self.assertEqual(mpi.MPI_Initialized(ctypes.byref(flag)), 0)
        self.assertEqual(flag.value, 0)

    def test_readme_example_runs(self):
        """The ```python block after <!-- python-example --> in README.md, run where its files exist."""
        with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as f:
            m = re.search(r"<!-- python-example -->\s*```python\n(.*?)```", f.read(), re.S)
        self.assertIsNotNone(m, "README.md has no python example")
        code = m.group(1)
        self.assertLessEqual(len(code.strip().splitlines()), 10)
        work = os.path.join(self.tmp, "example")
        os.makedirs(os.path.join(work, "results"), exist_ok=True)
        os.symlink(self.acts, os.path.join(work, "tinycnn.h5"))
        os.symlink(self.assembly, os.path.join(work, "assembly.nc"))
        os.symlink(os.path.join(ROOT, "results", "default"), os.path.join(work, "results", "default"))
        r = subprocess.run([sys.executable, "-c", code], cwd=work, capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("score", r.stdout)


if __name__ == "__main__":
    unittest.main(verbosity=2)

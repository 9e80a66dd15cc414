#!/usr/bin/python3
"""Checks that a score file is a self-contained record (docs/formats.md "Scores") against independent sources:
hashlib for the SHA-256s, h5py for the assembly's identifiers and neuroid ids, numpy for the split medians of the
per-neuroid values, and the expected parameters given on the command line.

    check_score_record.py SCORE.json ASSEMBLY.nc STIMULI.csv REGION GIT_COMMIT VERSION [KEY=JSON ...]

KEY=JSON: parameters[KEY] must equal the JSON value (e.g. n_splits=3 stratify=null). GIT_COMMIT: the build's, as
`cortexbench version` prints it ("-": not checked). Prints one line per check; exit 1 when one fails."""
import hashlib
import json
import sys

import h5py
import numpy as np


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def text(v):
    return v.decode() if isinstance(v, bytes) else str(v)


def main():
    score_path, asm, stimuli, region, commit, version, *expect = sys.argv[1:]
    s = json.load(open(score_path))
    fails = []

    def check(name, ok, detail=""):
        print(("ok   " if ok else "FAIL ") + name + (f": {detail}" if detail and not ok else ""))
        if not ok:
            fails.append(name)

    check("assembly_sha256", s.get("assembly_sha256") == sha256(asm), s.get("assembly_sha256"))
    check("stimulus_set_sha256", s.get("stimulus_set_sha256") == sha256(stimuli), s.get("stimulus_set_sha256"))
    with h5py.File(asm, "r") as f:
        # BrainIO keeps the identifiers as global attributes, or (xarray DataArray.to_netcdf) on the data variable
        data = max((v for v in f.values() if isinstance(v, h5py.Dataset)), key=lambda v: v.ndim)
        ident, set_ident = ("".join(text(a.get(k, "")) for a in (f.attrs, data.attrs))
                            for k in ("identifier", "stimulus_set_identifier"))
        regions = [r.decode() if isinstance(r, bytes) else r for r in f["region"][()]]
        ids = [n.decode() if isinstance(n, bytes) else n for n in f["neuroid_id"][()]]
    check("assembly_identifier", s.get("assembly_identifier") == ident, s.get("assembly_identifier"))
    check("stimulus_set_identifier", s.get("stimulus_set_identifier") == set_ident, s.get("stimulus_set_identifier"))
    want_ids = [i for i, r in zip(ids, regions) if r == region]
    check("neuroid_id = the region's neuroids in assembly order", s.get("neuroid_id") == want_ids)
    per = np.array([[np.nan if v is None else v for v in row] for row in s.get("per_neuroid", [])], dtype=float)
    check("per_neuroid is n_splits x n_neuroids", per.shape == (s["n_splits"], len(want_ids)), str(per.shape))
    if per.shape == (s["n_splits"], len(want_ids)):
        med = np.nanmedian(per, axis=1)
        diff = np.max(np.abs(med - np.array(s["per_split"], dtype=float)))
        check("per_split = median over neuroids of per_neuroid (within 1e-15)", diff <= 1e-15, f"max diff {diff}")
    check("ceiling_method", s.get("ceiling_method") in ("internal", "metric-split-half", "voxel", "nili", "none"))
    params = s.get("parameters", {})
    for kv in expect:
        key, val = kv.split("=", 1)
        check(f"parameters.{key} = {val}", params.get(key, "<absent>") == json.loads(val), repr(params.get(key)))
    check("parameters.seed = seed", params.get("seed") == s.get("seed"))
    check("cortexbench_version", s.get("cortexbench_version") == version, s.get("cortexbench_version"))
    if commit != "-":
        got = s.get("git_commit", "")
        check("git_commit = the build's (cortexbench version)", got == commit, got)
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())

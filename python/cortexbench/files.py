"""Loading cortexbench's files: activations (through the C reader), assemblies (the stimulus-level view scoring
uses), score files and leaderboards."""
import ctypes
import json
import math
import os

import numpy as np

from ._lib import CortexbenchError, check, dec, enc, lib


class _Acts:
    """An open activations file (cb_api_acts)."""

    def __init__(self, path):
        self.path = str(path)
        self.h = ctypes.c_void_p()
        check(lib().cb_api_acts_open(enc(self.path), ctypes.byref(self.h)))

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        lib().cb_api_acts_close(self.h)
        self.h = ctypes.c_void_p()

    def stimulus_ids(self):
        L = lib()
        return [dec(L.cb_api_acts_stimulus_id(self.h, i)) for i in range(L.cb_api_acts_n(self.h))]

    def layers(self):
        L = lib()
        return {dec(L.cb_api_acts_layer(self.h, i)): L.cb_api_acts_features(self.h, i)
                for i in range(L.cb_api_acts_n_layers(self.h))}

    def model(self):
        return dec(lib().cb_api_acts_model(self.h))

    def read(self, layer):
        L = lib()
        width = self.layers().get(layer, 0)
        X = np.empty((L.cb_api_acts_n(self.h), width), dtype=np.float32)
        check(L.cb_api_acts_read(self.h, enc(layer), X.ctypes.data, X.size))
        return X


def activations_info(path):
    """{"model", "n_stimuli", "layers": {name: features}} of an activations file, without reading the data."""
    with _Acts(path) as a:
        return {"model": a.model(), "n_stimuli": len(a.stimulus_ids()), "layers": a.layers()}


def _layer_array(a, layer, ids):
    import xarray as xr
    X = a.read(layer)
    return xr.DataArray(X, dims=("stimulus_id", "feature"),
                        coords={"stimulus_id": ids, "feature": np.arange(X.shape[1])},
                        attrs={"model": a.model(), "layer": layer, "source": a.path}, name=layer)


def load_layer(path, layer):
    """One layer of an activations file as an xarray.DataArray (stimulus_id, feature) float32, attrs model,
    layer and source (the file): score() takes them as its defaults, as `cortexbench score` does."""
    with _Acts(path) as a:
        return _layer_array(a, layer, a.stimulus_ids())


def load_activations(path, layers=None):
    """Layers (default: all, in file order) of an activations file as an xarray.Dataset: one float32 variable per
    layer, dims (stimulus_id, "<layer>/feature"), attrs model and source."""
    import xarray as xr
    with _Acts(path) as a:
        ids = a.stimulus_ids()
        names = list(a.layers()) if layers is None else list(layers)
        arrays = {}
        for name in names:
            da = _layer_array(a, name, ids)
            arrays[name] = da.rename({"feature": f"{name}/feature"}).drop_vars(f"{name}/feature")
        return xr.Dataset(arrays, coords={"stimulus_id": ids}, attrs={"model": a.model(), "source": a.path})


def load_assembly(path, region=None, time_bin=None):
    """The stimulus-level responses scoring uses: neuroids of `region` (default all), averaged over the time bins
    in time_bin = (start, end) ms (default all) and over repetitions, as an xarray.DataArray (stimulus_id,
    neuroid_id) float64."""
    import xarray as xr
    t0, t1 = (math.nan, math.nan) if time_bin is None else (float(time_bin[0]), float(time_bin[1]))
    L = lib()
    h = ctypes.c_void_p()
    check(L.cb_api_neural_open(enc(str(path)), enc(region), t0, t1, ctypes.byref(h)))
    try:
        n, q = L.cb_api_neural_n_stim(h), L.cb_api_neural_n_neuroid(h)
        mean = np.ctypeslib.as_array(L.cb_api_neural_mean(h), shape=(n, q)).copy()
        ids = [dec(L.cb_api_neural_stimulus_id(h, i)) for i in range(n)]
        neuroids = [dec(L.cb_api_neural_neuroid_id(h, j)) for j in range(q)]
    finally:
        L.cb_api_neural_close(h)
    return xr.DataArray(mean, dims=("stimulus_id", "neuroid_id"), coords={"stimulus_id": ids, "neuroid_id": neuroids},
                        attrs={"source": str(path), "region": region or ""})


_NUMBERS = ("raw", "ceiling", "score", "error", "ci_low", "ci_high", "ci_level", "ceiling_lower")


def load_score(path):
    """A score file (docs/formats.md "Scores") as a dict; null numbers read as NaN (as the C reader does);
    the record's per_neuroid values (regressions) as an xarray.DataArray (split, neuroid) with a neuroid_id
    coordinate, whose median over neuroids is per_split."""
    try:
        with open(path, encoding="utf-8") as f:
            s = json.load(f)
    except (OSError, ValueError) as e:
        raise CortexbenchError(f"{path}: cannot read the score file: {e}", 2) from None
    if not isinstance(s, dict) or "score" not in s:
        raise CortexbenchError(f"{path}: not a score file (no key 'score')", 3)
    for k in _NUMBERS:
        if k in s and s[k] is None:
            s[k] = math.nan
    s["per_split"] = [math.nan if v is None else v for v in s.get("per_split", [])]
    if "per_neuroid" in s:  # the record's per-neuroid test r: an xarray.DataArray (split, neuroid)
        import numpy as np
        import xarray as xr
        values = np.array([[np.nan if v is None else v for v in row] for row in s["per_neuroid"]], dtype=float)
        s["per_neuroid"] = xr.DataArray(values.reshape(len(s["per_neuroid"]), len(s.get("neuroid_id", []))),
                                        dims=("split", "neuroid"),
                                        coords={"neuroid_id": ("neuroid", s.get("neuroid_id", []))},
                                        name="r", attrs={"model": s.get("model"), "layer": s.get("layer"),
                                                         "benchmark": s.get("benchmark")})
    return s


def load_scores(paths):
    """Score files (a directory: every *.json below it; or a list of files) as a pandas.DataFrame, one row per
    file (column per_split holds the lists, column path the file). As xarray:
    df.set_index(["benchmark", "model", "layer"])["score"].to_xarray()."""
    import pandas as pd
    if isinstance(paths, (str, os.PathLike)) and os.path.isdir(paths):
        found = []
        for root, _, files in os.walk(paths):
            found += [os.path.join(root, f) for f in files if f.endswith(".json")]
        paths = sorted(found)
    rows = []
    for p in paths:
        s = load_score(p)
        s["path"] = str(p)
        rows.append(s)
    return pd.DataFrame(rows)


def _leaderboard_json(path):
    import pandas as pd
    with open(path, encoding="utf-8") as f:
        lb = json.load(f)
    if lb.get("format") != "cortexbench-leaderboard":
        raise CortexbenchError(f"{path}: not a cortexbench leaderboard (format '{lb.get('format')}')", 3)
    rows = []
    for m in lb["models"]:
        for region, r in m["regions"].items():
            for bench, c in r["benchmarks"].items():
                row = {"model": m["model"], "rank": m["rank"], "overall": m["overall"], "region": region,
                       "region_score": r["score"], "benchmark": bench}
                row.update({k: v for k, v in c.items() if k != "layers"})
                rows.append(row)
    return pd.DataFrame(rows)


def load_leaderboard(path):
    """A leaderboard as a pandas.DataFrame: leaderboard.csv as written (one row per model), leaderboard.json in
    long form (one row per model and benchmark: model, rank, overall, region, region_score, benchmark, layer,
    raw, ceiling, score, clipped, error, ...). A directory: its leaderboard.json."""
    import pandas as pd
    path = str(path)
    if os.path.isdir(path):
        path = os.path.join(path, "leaderboard.json")
    try:
        if path.endswith(".csv"):
            return pd.read_csv(path)
        return _leaderboard_json(path)
    except (OSError, ValueError, KeyError) as e:
        raise CortexbenchError(f"{path}: cannot read the leaderboard: {e}", 2) from None

"""Scoring arrays and building RDMs through libcortexbench (the code of `cortexbench score`)."""
import ctypes
import json

import numpy as np

from ._lib import CortexbenchError, check, dec, enc, lib


def _matrix(X, stimulus_id):
    """(values (n, p) C-contiguous, stimulus ids (n), attrs) of a numpy array or an xarray.DataArray whose first
    dimension is the stimuli (coordinate stimulus_id); the other dimensions are flattened in C order."""
    attrs = {}
    if hasattr(X, "dims") and hasattr(X, "coords"):  # xarray.DataArray
        if stimulus_id is None:
            if "stimulus_id" not in X.coords:
                raise CortexbenchError("the DataArray has no stimulus_id coordinate: pass stimulus_id=", 1)
            stim_dim = X.coords["stimulus_id"].dims[0]
            X = X.transpose(stim_dim, ...)
            stimulus_id = X.coords["stimulus_id"].values
        attrs = dict(X.attrs)
        X = X.values
    X = np.asarray(X)
    if X.ndim < 1 or X.shape[0] < 1:
        raise CortexbenchError(f"expected an array of shape (stimuli, features...), got shape {X.shape}", 1)
    X = X.reshape(X.shape[0], -1)
    if stimulus_id is None:
        raise CortexbenchError("stimulus_id= is required for a numpy array (one id per row)", 1)
    ids = [str(s) for s in np.asarray(stimulus_id).ravel()]
    if len(ids) != X.shape[0]:
        raise CortexbenchError(f"{len(ids)} stimulus ids for {X.shape[0]} rows", 1)
    return X, ids, attrs


def _option_text(name, value):
    """The command-line text of an option value: True/False -> 1/0, time_bin (start, end) -> "start:end", other
    sequences comma-separated, floats with repr (they read back exactly)."""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, (list, tuple, np.ndarray)):
        return (":" if name == "time-bin" else ",").join(_option_text(name, v) for v in value)
    if isinstance(value, (float, np.floating)):
        return repr(float(value))
    return str(value)


def score_json(X, assembly, stimulus_id=None, layer=None, model=None, source=None, **options):
    """The score file text `cortexbench score` would write (docs/formats.md "Scores").

    X: (stimuli, features...) numpy array with stimulus_id= (one id per row), or an xarray.DataArray with a
    stimulus_id coordinate (load_layer's: its model, layer and file name are then the defaults). Values are
    scored as float32, as activations files hold them. Stimuli are matched to the assembly's by id.
    options: those of `cortexbench score` with '_' for '-', e.g. metric="ridge", alpha=1.0, splits=10, seed=1,
    stratify="category", time_bin="70:170", alphas=[0.1, 1.0], alpha_per_target=True. Unset = the CLI's default.
    """
    values, ids, attrs = _matrix(X, stimulus_id)
    Xf = np.ascontiguousarray(values, dtype=np.float32)
    layer = layer if layer is not None else attrs.get("layer", "array")
    model = model if model is not None else attrs.get("model", "")
    source = source if source is not None else attrs.get("source", "array")
    opts = []
    for key, value in options.items():
        if value is not None:
            name = key.replace("_", "-")
            opts.append(enc(f"{name}={_option_text(name, value)}"))
    c_opts = (ctypes.c_char_p * (len(opts) + 1))(*opts, None)
    c_ids = (ctypes.c_char_p * len(ids))(*[enc(s) for s in ids])
    out = ctypes.c_void_p()
    L = lib()
    check(L.cb_api_score(Xf.ctypes.data, Xf.shape[0], Xf.shape[1], c_ids, enc(source), enc(model), enc(layer),
                         enc(str(assembly)), c_opts, ctypes.byref(out)))
    try:
        return dec(ctypes.string_at(out.value))
    finally:
        L.cb_api_free(out)


def score(X, assembly, stimulus_id=None, layer=None, model=None, source=None, **options):
    """Scores X against an assembly with any metric (score_json's arguments); returns the score as a dict
    (raw, ceiling, score, error, n_splits, per_split, seed, ...; JSON null = None)."""
    return json.loads(score_json(X, assembly, stimulus_id, layer, model, source, **options))


def rdm(X, distance="1-pearson", stimulus_id=None):
    """The RDM (n, n) of the rows of X (stimuli, features...), as the rdm metric computes it: float32 input as
    model activations, float64 as responses; distance 1-pearson, euclidean or cosine; a constant (or, for cosine,
    zero) row is at distance 1 from every other. A DataArray with stimulus_id (or stimulus_id=) gives a
    DataArray with dims (stimulus_id, stimulus_id_2), else a numpy array."""
    labelled = stimulus_id is not None or (hasattr(X, "coords") and "stimulus_id" in X.coords)
    if labelled:
        values, ids, _ = _matrix(X, stimulus_id)
    else:
        values, ids = np.asarray(X), None
        values = values.reshape(values.shape[0], -1) if values.ndim >= 1 else values
    if values.ndim != 2:
        raise CortexbenchError(f"rdm: expected (stimuli, features), got shape {values.shape}", 1)
    single = values.dtype == np.float32
    V = np.ascontiguousarray(values, dtype=np.float32 if single else np.float64)
    n, p = V.shape
    D = np.empty((n, n), dtype=np.float64)
    undefined = ctypes.c_int(0)
    check(lib().cb_api_rdm(None if single else V.ctypes.data, V.ctypes.data if single else None, n, p,
                           enc(distance), D.ctypes.data, ctypes.byref(undefined)))
    if not labelled:
        return D
    import xarray as xr
    return xr.DataArray(D, dims=("stimulus_id", "stimulus_id_2"),
                        coords={"stimulus_id": ids, "stimulus_id_2": ids},
                        attrs={"distance": distance, "n_undefined": undefined.value})


def compare_rdms(A, B, compare="spearman"):
    """Similarity of two RDMs (n, n) on their upper triangles: spearman, kendall (tau-a), pearson or cosine
    (the rdm metric's comparison)."""
    A = np.ascontiguousarray(np.asarray(A), dtype=np.float64)
    B = np.ascontiguousarray(np.asarray(B), dtype=np.float64)
    if A.ndim != 2 or A.shape[0] != A.shape[1] or A.shape != B.shape:
        raise CortexbenchError(f"compare_rdms: expected two (n, n) RDMs of one shape, got {A.shape} and {B.shape}", 1)
    out = ctypes.c_double()
    check(lib().cb_api_rdm_compare(A.ctypes.data, B.ctypes.data, A.shape[0], enc(compare), ctypes.byref(out)))
    return out.value

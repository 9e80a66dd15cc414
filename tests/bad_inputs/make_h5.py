#!/usr/bin/python3
"""Malformed assemblies and activations, made from valid files written by
cortexbench itself (h5py edits a copy; nothing here comes from ../shared).

usage: make_h5.py KIND SRC DST
  assembly kinds:    no_stimulus_id, renamed_ids, constant_neuroids,
                     three_stimuli, one_repetition, string_data
  activations kinds: nan, inf, constant, renamed_ids
"""
import shutil
import sys

import h5py
import numpy as np


def strings(values):
    return np.array(values, dtype=h5py.string_dtype("utf-8"))


def replace(f, name, values):
    """Rewrites a 1-D string dataset in place (same length)."""
    f[name][...] = strings(values)


def layer(f, name):
    """An activations file's layer: /layers/<name> (version 1) or the variable whose `layer` is name."""
    if "layers" in f:
        return f["layers/" + name]
    return next(v for v in f.values() if v.attrs.get("layer") == name)


def main():
    kind, src, dst = sys.argv[1:4]
    shutil.copyfile(src, dst)
    with h5py.File(dst, "r+") as f:
        if kind == "no_stimulus_id":  # a required coordinate is missing
            del f["stimulus_id"]
        elif kind == "renamed_ids":  # no stimulus in common with the other file
            ids = [s.decode() for s in f["stimulus_id"][...]]
            replace(f, "stimulus_id", ["other_" + s for s in ids])
        elif kind == "constant_neuroids":  # every neuroid has zero variance
            d = f["data"]
            d[...] = np.full(d.shape, 3.0)
        elif kind == "nan":  # one NaN activation (row 5, feature 7 in C order)
            d = layer(f, "pixels")
            a = d[...]
            a.reshape(a.shape[0], -1)[5, 7] = np.nan
            d[...] = a
        elif kind == "inf":  # one infinite activation
            d = layer(f, "pixels")
            a = d[...]
            a.reshape(a.shape[0], -1)[0, 0] = np.inf
            d[...] = a
        elif kind == "constant":  # every feature has zero variance
            d = layer(f, "pixels")
            d[...] = np.zeros(d.shape, dtype=d.dtype)
        elif kind == "short_layer":  # a layer variable with fewer rows than stimulus_id
            d = layer(f, "pixels")
            a, name = d[...], d.name
            del f[name]
            s = f.create_dataset(name.lstrip("/"), data=a[:-1])
            s.attrs["layer"] = "pixels"
        else:
            sys.exit("make_h5.py: unknown kind " + kind)


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""What cortexbench writes opens in xarray and selects by stimulus id, with
the values the C readers see (dumped by tests/io/act_dump.c).

usage: xarray_check.py activations FILE.h5 DUMPDIR
       xarray_check.py assembly FILE.nc DUMPDIR
Opens FILE with xarray's h5netcdf engine and, when python3-netcdf4 is
installed, its netcdf4 engine. Exit 0: equal; 1: a difference (one line per
check); 77: xarray or h5netcdf missing (ctest SKIP_RETURN_CODE).
"""
import os
import sys

try:
    import numpy as np
    import xarray as xr
    import h5netcdf  # noqa: F401  (the engine xarray uses below)
except ImportError as e:
    print("skipped: %s (install python3-xarray python3-h5netcdf)" % e)
    sys.exit(77)


def engines():
    out = ["h5netcdf"]
    try:
        import netCDF4  # noqa: F401
        out.append("netcdf4")
    except ImportError:
        print("note: python3-netcdf4 not installed, netcdf4 engine not checked")
    return out


def lines(path):
    with open(path, encoding="utf-8") as f:
        return f.read().split("\n")[:-1]


def check_activations(path, dump, engine):
    ids = lines(os.path.join(dump, "ids.txt"))
    layers = [l.split("\t", 2) for l in lines(os.path.join(dump, "layers.txt"))]
    ds = xr.open_dataset(path, engine=engine)
    got = [v for v in ds.data_vars if "layer" in ds[v].attrs]
    assert [ds[v].attrs["layer"] for v in got] == [l[2] for l in layers], \
        "layers (in order) differ: %s" % [ds[v].attrs["layer"] for v in got]
    assert list(ds["stimulus_id"].values) == ids, "stimulus_id differs"
    picks = [ids[0], ids[len(ids) // 2], ids[-1]]
    for (index, features, name), var in zip(layers, got):
        c = np.fromfile(os.path.join(dump, index + ".f32"), dtype=np.float32).reshape(len(ids), int(features))
        da = ds[var]
        assert da.dims[0] == "stimulus_id" and da.dtype == np.float32, (name, da.dims, da.dtype)
        for sid in picks:  # one stimulus: its (channel, height, width) map, flattened in C order
            row = da.sel(stimulus_id=sid).values
            assert np.array_equal(row.reshape(-1), c[ids.index(sid)]), "%s: %s differs" % (name, sid)
        rev = da.sel(stimulus_id=ids[::-1]).values.reshape(len(ids), -1)  # every stimulus, reversed
        assert np.array_equal(rev, c[::-1]), "%s: values differ" % name
    ds.close()
    return "%d layers x %d stimuli" % (len(layers), len(ids))


def check_assembly(path, dump, engine):
    ids = lines(os.path.join(dump, "ids.txt"))
    ds = xr.open_dataset(path, engine=engine)
    a = ds["data"]
    c = np.fromfile(os.path.join(dump, "data.f64"), dtype=np.float64).reshape(a.shape)
    assert list(a["stimulus_id"].values) == ids, "stimulus_id differs"
    # BrainIO: stimulus_id is a coordinate along presentation (repetitions share it); index it to select.
    s = a.set_xindex("stimulus_id")
    for sid in [ids[0], ids[-1]]:
        want = c[np.array(ids) == sid]
        got = s.sel(stimulus_id=sid).values.reshape(want.shape)
        assert np.array_equal(got, want, equal_nan=True), "%s differs" % sid
    ds.close()
    return "%d presentations" % len(ids)


def main():
    kind, path, dump = sys.argv[1:4]
    check = check_activations if kind == "activations" else check_assembly
    bad = 0
    for engine in engines():
        try:
            print("ok   %s (%s): %s" % (os.path.basename(path), engine, check(path, dump, engine)))
        except Exception as e:  # one line per failed check
            print("FAIL %s (%s): %s: %s" % (os.path.basename(path), engine, type(e).__name__, e))
            bad += 1
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()

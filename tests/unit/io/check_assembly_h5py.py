#!/usr/bin/python3
"""Independent check (h5py) of an assembly written by tests/unit/io/test_assembly.c.

The C test writes a 5 x 3 x 2 assembly whose data are data[i] = 0.25 * i (flat
C-order index i) except data[7] = NaN, with the coordinates listed below.
Exit status 0 when h5py sees exactly that netCDF-4 layout, 1 otherwise.
Usage: check_assembly_h5py.py FILE
"""
import math
import sys

import h5py
import numpy as np


def fail(msg):
    print("check_assembly_h5py: " + msg)
    sys.exit(1)


def text(v):
    return v.decode("utf-8") if isinstance(v, bytes) else str(v)


def main(path):
    with h5py.File(path, "r") as f:
        d = f["data"]
        if d.shape != (5, 3, 2) or d.dtype != np.float64:
            fail("data shape/dtype %r %r" % (d.shape, d.dtype))
        x = d[...].ravel()
        for i, v in enumerate(x):
            if i == 7:
                if not math.isnan(v):
                    fail("data[7] should be NaN")
            elif v != 0.25 * i:
                fail("data[%d] = %r" % (i, v))
        if d.compression != "gzip" or not d.shuffle:
            fail("data should be shuffle+deflate")
        for k, name in enumerate(["/presentation", "/neuroid", "/time_bin"]):
            scales = [s.name for s in d.dims[k].values()]
            if scales != [name]:
                fail("data axis %d attached to %r" % (k, scales))
            if not h5py.h5ds.is_scale(f[name].id):
                fail(name + " is not a dimension scale")
            nm = text(f[name].attrs["NAME"])
            if not nm.startswith("This is a netCDF dimension but not a netCDF variable."):
                fail(name + " NAME attribute: " + nm)
        sid = [text(v) for v in f["stimulus_id"][...]]
        if sid != ["s0", "s1", "s0", "s2", "s1"]:
            fail("stimulus_id %r" % sid)
        if h5py.check_string_dtype(f["stimulus_id"].dtype).encoding != "utf-8":
            fail("stimulus_id is not UTF-8")
        if h5py.check_string_dtype(f["stimulus_id"].dtype).length is not None:
            fail("stimulus_id is not variable-length")
        if [s.name for s in f["stimulus_id"].dims[0].values()] != ["/presentation"]:
            fail("stimulus_id not attached to /presentation")
        reg = [text(v) for v in f["region"][...]]
        if reg != ["V4", "IT", "V4"]:
            fail("region %r" % reg)
        if [s.name for s in f["region"].dims[0].values()] != ["/neuroid"]:
            fail("region not attached to /neuroid")
        rep = f["repetition"]
        if rep.dtype != np.int64 or list(rep[...]) != [1, 0, 0, 0, 1]:
            fail("repetition %r %r" % (rep.dtype, rep[...]))
        con = f["contrast"]
        if con.dtype != np.float64 or list(con[...]) != [0.5, 0.25, 0.5, 1.5, 0.25]:
            fail("contrast %r" % con[...])
        if list(f["time_bin_end"][...]) != [50, 100]:
            fail("time_bin_end %r" % f["time_bin_end"][...])
        if text(f.attrs["identifier"]) != "test.assy" or text(f.attrs["stimulus_set_identifier"]) != "test.stim":
            fail("global attributes")
        coords = set(text(d.attrs["coordinates"]).split())
        if coords != {"stimulus_id", "repetition", "contrast", "neuroid_id", "region", "time_bin_start",
                      "time_bin_end"}:
            fail("coordinates attribute %r" % coords)
    print("check_assembly_h5py: ok")


if __name__ == "__main__":
    main(sys.argv[1])

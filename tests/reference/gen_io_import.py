#!/usr/bin/python3
"""Reference fixtures for tests/unit/io/test_import.c, made with numpy, SciPy
and h5py (independent of cortexbench's C code). Run from the repository root:

    /usr/bin/python3 tests/reference/gen_io_import.py

Writes tests/reference/io/:
  npy_f4_c.npy      float32 (2, 3, 4) C order, with NaN
  npy_i8_f.npy      int64 (3, 5) Fortran order
  npy_f8_be.npy     big-endian float64 (4,)
  mat_v5.mat        savemat(..., do_compression=True): A double 3x4x2, S single
                    2x2, I int16 1x5, st struct 1x3 (fields RDM 3x3 double,
                    name char), c cell, ch char, z complex
  mat_v5_raw.mat    the same A, uncompressed
  mat_v73.mat       MATLAB 7.3 layout made with h5py: 512-byte user block with
                    the MATLAB header text, dataset A (its transpose, as MATLAB
                    stores it) with MATLAB_class "double", and c with
                    MATLAB_class "cell" (object references)
  import_expected.txt  "<name> <ndim> <shape...> <values in C order>" per line
                    ("nan" for NaN): what each variable must read as
"""
import os

import h5py
import numpy as np
import scipy.io

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "io")


def line(name, a):
    a = np.asarray(a, dtype=np.float64)
    vals = " ".join("nan" if np.isnan(v) else repr(float(v)) for v in a.ravel(order="C"))
    return f"{name} {a.ndim} {' '.join(str(s) for s in a.shape)} {vals}\n"


def main():
    os.makedirs(OUT, exist_ok=True)
    rows = []
    f4 = (np.arange(24, dtype=np.float32).reshape(2, 3, 4) / 4).astype(np.float32)
    f4[1, 2, 3] = np.nan
    np.save(os.path.join(OUT, "npy_f4_c.npy"), f4)
    rows.append(line("npy_f4_c", f4))
    i8 = np.asfortranarray((np.arange(15, dtype=np.int64) * 7 - 40).reshape(3, 5))
    np.save(os.path.join(OUT, "npy_i8_f.npy"), i8)
    rows.append(line("npy_i8_f", i8))
    be = np.array([1.5, -2.25, 1e300, 0.0], dtype=">f8")
    np.save(os.path.join(OUT, "npy_f8_be.npy"), be)
    rows.append(line("npy_f8_be", be))

    A = np.arange(24, dtype=np.float64).reshape(3, 4, 2) * 1.5 - 3
    S = np.array([[1.25, 2.5], [3.75, -5.0]], dtype=np.float32)
    I = np.array([[-3, 0, 7, 300, -32768]], dtype=np.int16)
    st = np.zeros((1, 3), dtype=[("RDM", object), ("name", object)])
    rdms = []
    for k in range(3):
        m = np.abs(np.subtract.outer(np.arange(3.0), np.arange(3.0))) * (k + 1)
        st[0, k]["RDM"] = m
        st[0, k]["name"] = f"subj{k + 1}"
        rdms.append(m)
    c = np.empty((1, 2), dtype=object)
    c[0, 0] = np.ones(2)
    c[0, 1] = "x"
    mdict = {"A": A, "S": S, "I": I, "st": st, "c": c, "ch": "hello", "z": np.array([1 + 2j, 3 - 1j])}
    scipy.io.savemat(os.path.join(OUT, "mat_v5.mat"), mdict, do_compression=True)
    scipy.io.savemat(os.path.join(OUT, "mat_v5_raw.mat"), {"A": A}, do_compression=False)
    rows.append(line("A", A))
    rows.append(line("S", S))
    rows.append(line("I", I))
    rows.append(line("st.RDM", np.stack(rdms)))

    p = os.path.join(OUT, "mat_v73.mat")
    with h5py.File(p, "w", userblock_size=512) as f:
        d = f.create_dataset("A", data=A.T)  # MATLAB column-major = HDF5 reversed dims
        d.attrs["MATLAB_class"] = np.bytes_("double")
        refs = f.create_group("#refs#")
        r0 = refs.create_dataset("a", data=np.ones((1, 2)))
        cd = f.create_dataset("c", (1, 1), dtype=h5py.ref_dtype)
        cd[0, 0] = r0.ref
        cd.attrs["MATLAB_class"] = np.bytes_("cell")
    head = b"MATLAB 7.3 MAT-file, Platform: GLNXA64, Created on: Thu Jan  1 00:00:00 2024 HDF5 schema 1.00 ."
    head = head.ljust(116, b" ") + b"\0" * 8 + b"\x00\x02" + b"IM"
    with open(p, "r+b") as f:
        f.write(head)
    with h5py.File(p, "r") as f:  # still a valid HDF5 file
        assert np.array_equal(f["A"][()].T, A)
    rows.append(line("v73.A", A))

    with open(os.path.join(OUT, "import_expected.txt"), "w") as f:
        f.writelines(rows)


if __name__ == "__main__":
    main()

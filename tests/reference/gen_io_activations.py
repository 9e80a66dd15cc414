#!/usr/bin/python3
"""Reference fixture for tests/unit/io/test_activations.c, made with h5py
(independent of cortexbench's C code): an activations file whose layers are
chunked and compressed the way another tool might write them. Run from the
repository root:

    /usr/bin/python3 tests/reference/gen_io_activations.py

Writes tests/reference/io/acts_gzip_h5py.h5:
  /stimulus_id          vlen UTF-8 strings "s0".."s6" (7)
  /layers/conv          float32 (7, 10), chunks (3, 10), shuffle + gzip 4
  /layers/fc%2Fout      float32 (7, 3), chunks (2, 2), gzip 9 (layer "fc/out")
  root attributes model = "h5py-toy", cortexbench_version = "external"
Values: layer l (0 = conv, 1 = fc/out), row i, column j of F columns:
  (i * F + j) * 0.125 - 3 + 100 * l   (exact in float32)
"""
import os

import h5py
import numpy as np

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "io", "acts_gzip_h5py.h5")


def values(l, n, f):
    i, j = np.meshgrid(np.arange(n), np.arange(f), indexing="ij")
    return ((i * f + j) * 0.125 - 3 + 100 * l).astype(np.float32)


def main():
    n = 7
    with h5py.File(OUT, "w", track_order=True) as h:
        h.attrs["model"] = "h5py-toy"
        h.attrs["cortexbench_version"] = "external"
        h.create_dataset("stimulus_id", data=[f"s{i}" for i in range(n)], dtype=h5py.string_dtype("utf-8"))
        g = h.create_group("layers", track_order=True)
        g.create_dataset("conv", data=values(0, n, 10), chunks=(3, 10), shuffle=True, compression="gzip",
                         compression_opts=4)
        g.create_dataset("fc%2Fout", data=values(1, n, 3), chunks=(2, 2), compression="gzip", compression_opts=9)
    print("wrote", OUT)


if __name__ == "__main__":
    main()

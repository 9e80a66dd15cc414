#!/usr/bin/env python3
"""Writes OUT/asm.npy (+ ids.txt) and OUT/acts.h5 for tests/cli/constant_layers.sh: 60 stimuli x 4 repetitions
x 8 neuroids (one of them constant) and layers that are constant, nearly constant (one column varies by 1e-7 of
its value), a single differing entry, tiny (1e-30 scale) and ordinary random features. Seeded."""
import sys

import h5py
import numpy as np

out = sys.argv[1]
rng = np.random.default_rng(0)
n, q, reps = 60, 8, 4
sig = rng.normal(size=(n, q))
data = np.stack([sig + rng.normal(size=(n, q)) for _ in range(reps)])  # (rep, stim, neuroid)
data[:, :, 7] = 3.0  # a constant neuroid
np.save(f"{out}/asm.npy", data.transpose(2, 1, 0))  # (neuroid, stimulus, repetition)
with open(f"{out}/ids.txt", "w") as f:
    f.write("\n".join(f"s{i:02d}" for i in range(n)) + "\n")
with h5py.File(f"{out}/acts.h5", "w") as f:
    f.create_dataset("stimulus_id", data=np.array([f"s{i:02d}" for i in range(n)], dtype=h5py.string_dtype()))
    f.attrs["model"] = "m"
    g = f.create_group("layers")
    g["good"] = rng.normal(size=(n, 20)).astype(np.float32)
    g["const"] = np.ones((n, 20), np.float32)
    near = np.ones((n, 20), np.float32)
    near[:, 0] += (rng.normal(size=n) * 1e-7).astype(np.float32)
    g["near"] = near
    g["tiny"] = (rng.normal(size=(n, 20)) * 1e-30).astype(np.float32)
    one = np.ones((n, 20), np.float32)
    one[3, 5] = 2
    g["onediff"] = one

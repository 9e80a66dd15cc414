#!/usr/bin/python3
"""Writes a small "movie" dataset whose near-duplicate frames leak across ungrouped cross-validation folds, for
tests/cli/grouped_cv.sh (grouped cross-validation, `group = movie_id`).

usage: make_movie_dataset.py OUT [--seed S] [--movies M] [--frames F]

OUT/stimuli.csv + OUT/images/*.png  BrainIO stimulus set: M movies x F frames (32x32 RGB), columns
                                    stimulus_id, filename, movie_id, category
OUT/assembly.nc                     BrainIO assembly (presentation x neuroid x time_bin), 4 repetitions,
                                    64 neuroids of region "V1"; presentation coordinates stimulus_id,
                                    repetition, movie_id, category
OUT/truth.h5                        an activations file (docs/formats.md) of model "truth", layer "latent":
                                    the movie's latent content seen through a fixed random map (32 features)

The frames of a movie are near-identical: the movie's own random texture (its "identity", independent of its
content) plus a little pixel noise per frame. Each movie also has a latent content z_m (4 numbers, drawn
independently of its texture). Every neuroid responds to the content only: rate = W z_m, the same for all
frames of the movie ("a movie-specific pattern"), plus Gaussian noise per presentation. So
- pixels identify the movie but carry nothing about its content: a regression from pixels predicts a test frame
  well when frames of the same movie were in training (memorising the movie), and not at all for a new movie;
- the "truth" features (z_m through a fixed map, plus small noise per frame) predict new movies as well as seen
  ones.
Categories: movie m is of class m mod 4 (for stratified splits; they do not affect the responses).
Stdout: one summary line.
"""
import argparse
import os

import h5py
import numpy as np
import xarray as xr
from PIL import Image

SIZE = 32


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=3)
    ap.add_argument("--movies", type=int, default=20)
    ap.add_argument("--frames", type=int, default=12)
    a = ap.parse_args()
    rng = np.random.default_rng(a.seed)
    M, F, reps, units, d = a.movies, a.frames, 4, 64, 4
    os.makedirs(os.path.join(a.out, "images"), exist_ok=True)

    # Frames: movie texture (uniform noise, the movie's identity) + small per-frame pixel noise.
    texture = rng.uniform(0.0, 1.0, size=(M, SIZE, SIZE, 3))
    ids, names, movie, cat = [], [], [], []
    for m in range(M):
        for f in range(F):
            img = np.clip(texture[m] + rng.normal(scale=0.03, size=texture[m].shape), 0, 1)
            sid = "m%02d_f%02d" % (m, f)
            name = "images/%s.png" % sid
            Image.fromarray(np.round(img * 255).astype(np.uint8), "RGB").save(os.path.join(a.out, name))
            ids.append(sid)
            names.append(name)
            movie.append("movie%02d" % m)
            cat.append("c%d" % (m % 4))
    n = len(ids)
    with open(os.path.join(a.out, "stimuli.csv"), "w") as fh:
        fh.write("stimulus_id,filename,movie_id,category\n")
        for row in zip(ids, names, movie, cat):
            fh.write(",".join(row) + "\n")

    # Responses: the movie's latent content through a random map, noisy repetitions.
    z = rng.normal(size=(M, d))                                      # (M, d) content, independent of texture
    W = rng.normal(size=(d, units))
    rate = np.repeat(z @ W, F, axis=0)                               # (n, units): identical within a movie
    noise = rng.normal(scale=0.5 * rate.std(), size=(reps, n, units))
    resp = rate[None] + noise                                        # (reps, n, units)
    pres = lambda v: [x for _ in range(reps) for x in v]             # repetition-major presentations
    da = xr.DataArray(
        resp.reshape(reps * n, units)[:, :, None],
        dims=("presentation", "neuroid", "time_bin"),
        coords={
            "stimulus_id": ("presentation", pres(ids)),
            "repetition": ("presentation", np.repeat(np.arange(reps), n)),
            "movie_id": ("presentation", pres(movie)),
            "category": ("presentation", pres(cat)),
            "neuroid_id": ("neuroid", ["v1_%02d" % i for i in range(units)]),
            "region": ("neuroid", ["V1"] * units),
            "time_bin_start": ("time_bin", [50]),
            "time_bin_end": ("time_bin", [150]),
        },
        name="test.movies.V1",
        attrs={"identifier": "test.movies.V1", "stimulus_set_identifier": "test.movies"},
    )
    da.to_netcdf(os.path.join(a.out, "assembly.nc"))

    # The true features: z_m through a fixed random map, with small noise per frame.
    E = rng.normal(size=(d, 32))
    feats = np.repeat(z @ E, F, axis=0) + rng.normal(scale=0.05, size=(n, 32))
    with h5py.File(os.path.join(a.out, "truth.h5"), "w", track_order=True) as h:
        h.attrs["model"] = "truth"
        h.attrs["cortexbench_version"] = "external"
        h.create_dataset("stimulus_id", data=ids, dtype=h5py.string_dtype("utf-8"))
        g = h.create_group("layers", track_order=True)
        g.create_dataset("latent", data=feats.astype(np.float32))
    print("wrote %d movies x %d frames (%d stimuli), %d V1 units x %d repetitions to %s" % (M, F, n, units, reps, a.out))


if __name__ == "__main__":
    main()

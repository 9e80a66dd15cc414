#!/usr/bin/python3
"""Writes a small BrainIO-style dataset that no built-in code knows, for
tests/cli/generic_onnx_suite.sh: what a user brings from outside.

usage: make_generic_dataset.py OUT [--seed S] [--images N]

OUT/zip/shapes.csv + OUT/zip/shapes.zip   stimulus set as BrainIO ships it: the
                                          CSV and a zip of the same base name
                                          holding the PNGs at its root
OUT/dir/shapes.csv + OUT/dir/images/*.png the same stimuli as a plain directory
OUT/v4.nc                                 BrainIO assembly (presentation x neuroid x
                                          time_bin, 3 repetitions, region "V4"),
                                          written as brainio.assemblies does:
                                          a named DataArray with its MultiIndex coords
                                          reset into plain coordinates
OUT/v4_shuffled.nc                        the same with stimulus ids permuted (a control)
OUT/it.npy                                a second population as a bare array
                                          (neuroid, stimulus, repetition), stimuli in
                                          CSV order, for `cortexbench import assembly`

Images (64x64 RGB, seeded): 4 categories (grating, disk, bar, blob) x N/4.
Responses depend on the images: V4 units = softplus of a fixed random linear
map of 8x8 grey-level and colour features, plus Gaussian noise per repetition;
IT units add a category signal. Stdout: one summary line.
"""
import argparse
import os
import zipfile

import numpy as np
import xarray as xr
from PIL import Image

SIZE = 64
CATEGORIES = ("grating", "disk", "bar", "blob")


def draw(rng, cat):
    yy, xx = np.mgrid[0:SIZE, 0:SIZE].astype(np.float64) / SIZE - 0.5
    bg = rng.uniform(0.3, 0.6)
    col = rng.uniform(0.0, 1.0, 3)
    if cat == "grating":
        th, sf, ph = rng.uniform(0, np.pi), rng.uniform(2, 8), rng.uniform(0, 2 * np.pi)
        m = 0.5 + 0.5 * np.sin(2 * np.pi * sf * (xx * np.cos(th) + yy * np.sin(th)) + ph)
    elif cat == "disk":
        cx, cy, r = rng.uniform(-0.25, 0.25), rng.uniform(-0.25, 0.25), rng.uniform(0.08, 0.25)
        m = (((xx - cx) ** 2 + (yy - cy) ** 2) < r * r).astype(np.float64)
    elif cat == "bar":
        th, w, l = rng.uniform(0, np.pi), rng.uniform(0.04, 0.1), rng.uniform(0.2, 0.45)
        u, v = xx * np.cos(th) + yy * np.sin(th), -xx * np.sin(th) + yy * np.cos(th)
        m = ((np.abs(u) < l) & (np.abs(v) < w)).astype(np.float64)
    else:  # blob: low-pass noise
        f = np.fft.fft2(rng.normal(size=(SIZE, SIZE)))
        k = np.hypot(*np.meshgrid(np.fft.fftfreq(SIZE), np.fft.fftfreq(SIZE)))
        m = np.real(np.fft.ifft2(f * np.exp(-(k / 0.05) ** 2)))
        m = (m - m.min()) / (np.ptp(m) + 1e-12)
    img = bg * (1 - m[..., None]) + m[..., None] * col[None, None, :]
    return np.clip(np.round(img * 255), 0, 255).astype(np.uint8)


def features(img):
    g = img.astype(np.float64).mean(axis=2) / 255.0
    g8 = g.reshape(8, SIZE // 8, 8, SIZE // 8).mean(axis=(1, 3)).ravel()
    colour = img.reshape(-1, 3).mean(axis=0) / 255.0
    contrast = [g.std()]
    f = np.concatenate([g8 - g8.mean(), colour - colour.mean(), contrast])
    return f / (np.linalg.norm(f) + 1e-12)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--images", type=int, default=60)
    a = ap.parse_args()
    rng = np.random.default_rng(a.seed)
    n = a.images - a.images % len(CATEGORIES)
    cats = [CATEGORIES[i % len(CATEGORIES)] for i in range(n)]
    imgs = [draw(rng, c) for c in cats]
    ids = ["shape%03d" % i for i in range(n)]
    names = ["%s_%s.png" % (sid, c) for sid, c in zip(ids, cats)]

    # Stimulus set, two layouts: CSV + zip (BrainIO), CSV + directory.
    zdir, ddir = os.path.join(a.out, "zip"), os.path.join(a.out, "dir")
    os.makedirs(os.path.join(ddir, "images"), exist_ok=True)
    os.makedirs(zdir, exist_ok=True)
    with zipfile.ZipFile(os.path.join(zdir, "shapes.zip"), "w", zipfile.ZIP_DEFLATED) as z:
        for img, name in zip(imgs, names):
            path = os.path.join(ddir, "images", name)
            Image.fromarray(img, "RGB").save(path)
            z.write(path, arcname=name)
    for d, prefix in ((zdir, ""), (ddir, "images/")):
        with open(os.path.join(d, "shapes.csv"), "w") as f:
            f.write("stimulus_id,filename,category\n")
            for sid, name, c in zip(ids, names, cats):
                f.write("%s,%s%s,%s\n" % (sid, prefix, name, c))

    # Responses: a fixed random map of image features, noisy repetitions.
    F = np.stack([features(im) for im in imgs])                     # (n, d)
    reps = 3

    def population(units, cat_gain):
        W = rng.normal(size=(units, F.shape[1])) * 6.0
        drive = F @ W.T                                              # (n, units)
        onehot = np.eye(len(CATEGORIES))[[CATEGORIES.index(c) for c in cats]]
        drive += cat_gain * onehot @ rng.normal(size=(len(CATEGORIES), units))
        rate = np.log1p(np.exp(drive))                               # softplus
        noise = rng.normal(scale=0.35 * rate.std(), size=(reps, n, units))
        return rate[None] + noise                                    # (rep, n, units)

    v4 = population(40, 0.0)
    it = population(30, 1.0)

    # V4: BrainIO netCDF (presentation = repetition-major, as recordings are).
    pres_ids = [sid for _ in range(reps) for sid in ids]
    da = xr.DataArray(
        v4.reshape(reps * n, -1)[:, :, None],
        dims=("presentation", "neuroid", "time_bin"),
        coords={
            "stimulus_id": ("presentation", pres_ids),
            "repetition": ("presentation", np.repeat(np.arange(reps), n)),
            "category": ("presentation", [c for _ in range(reps) for c in cats]),
            "neuroid_id": ("neuroid", ["v4_%02d" % i for i in range(v4.shape[2])]),
            "region": ("neuroid", ["V4"] * v4.shape[2]),
            "time_bin_start": ("time_bin", [70]),
            "time_bin_end": ("time_bin", [170]),
        },
        name="test.generic-shapes.V4",
        attrs={"identifier": "test.generic-shapes.V4", "stimulus_set_identifier": "test.generic-shapes"},
    )
    da.to_netcdf(os.path.join(a.out, "v4.nc"), engine="h5netcdf")
    # Control: the same responses with the stimuli permuted (category kept, so
    # stratified splits still work); no model should predict these.
    perm = dict(zip(ids, [ids[i] for i in rng.permutation(n)]))
    shuffled = da.assign_coords(stimulus_id=("presentation", [perm[s] for s in pres_ids]),
                                category=("presentation", [cats[ids.index(perm[s])] for s in pres_ids]))
    shuffled.to_netcdf(os.path.join(a.out, "v4_shuffled.nc"), engine="h5netcdf")

    # IT: a bare (neuroid, stimulus, repetition) array.
    np.save(os.path.join(a.out, "it.npy"), np.ascontiguousarray(it.transpose(2, 1, 0)))
    print("wrote %d images (%s), V4 %d units and IT %d units x %d repetitions to %s"
          % (n, ", ".join(CATEGORIES), v4.shape[2], it.shape[2], reps, a.out))


if __name__ == "__main__":
    main()

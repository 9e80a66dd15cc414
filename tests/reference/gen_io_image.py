#!/usr/bin/python3
"""Reference fixtures for tests/unit/input/test_image.c, made with Pillow + numpy
(independent of cortexbench's C code). Run from the repository root:

    /usr/bin/python3 tests/reference/gen_io_image.py

Writes tests/reference/io/:
  ref_palette.png, ref_palette_trns.png, ref_rgba.png, ref_la.png,
  ref_gray16.png, ref_gray1.png       PNGs encoded by Pillow
  ref_<name>.rgb                      expected 8-bit RGB bytes (h*w*3)
  resize.txt                          Pillow BILINEAR resizes of float images
  preprocess.txt                      placement/crop + resize + normalise
Text formats are documented where they are written.
"""
import math
import os

import numpy as np
from PIL import Image

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "io")
rng = np.random.default_rng(20240611)


def save(name, img, expected_rgb):
    img.save(os.path.join(OUT, name + ".png"))
    exp = np.ascontiguousarray(expected_rgb, dtype=np.uint8)
    assert exp.ndim == 3 and exp.shape[2] == 3
    exp.tofile(os.path.join(OUT, name + ".rgb"))


def pngs():
    h, w = 5, 7
    # Palette (8-bit indices into a 16-colour palette).
    pal = rng.integers(0, 256, size=(16, 3), dtype=np.uint8)
    idx = rng.integers(0, 16, size=(h, w), dtype=np.uint8)
    p = Image.fromarray(idx, mode="P")
    p.putpalette(pal.flatten().tolist())
    save("ref_palette", p, pal[idx])
    # Palette with a transparent entry: alpha is dropped, colours kept.
    pt = Image.fromarray(idx, mode="P")
    pt.putpalette(pal.flatten().tolist())
    pt.info["transparency"] = 3
    pt.save(os.path.join(OUT, "ref_palette_trns.png"), transparency=3)
    pal[idx].astype(np.uint8).tofile(os.path.join(OUT, "ref_palette_trns.rgb"))
    # RGBA: alpha dropped (PIL convert("RGB") semantics).
    rgba = rng.integers(0, 256, size=(h, w, 4), dtype=np.uint8)
    save("ref_rgba", Image.fromarray(rgba, mode="RGBA"), rgba[:, :, :3])
    # Gray + alpha.
    la = rng.integers(0, 256, size=(h, w, 2), dtype=np.uint8)
    save("ref_la", Image.fromarray(la, mode="LA"), np.repeat(la[:, :, :1], 3, axis=2))
    # 16-bit gray: the high byte is kept.
    g16 = rng.integers(0, 65536, size=(h, w), dtype=np.uint16)
    save("ref_gray16", Image.fromarray(g16, mode="I;16"), np.repeat((g16 >> 8)[:, :, None], 3, axis=2))
    # 1-bit gray: 0 -> 0, 1 -> 255.
    bits = rng.integers(0, 2, size=(h, w)).astype(bool)
    g = np.where(bits, 255, 0).astype(np.uint8)
    # (Image.fromarray(bool, mode="1") mis-packs bits in Pillow 9: go through "L".)
    im1 = Image.fromarray(g, mode="L").convert("1", dither=Image.Dither.NONE)
    assert np.array_equal(np.asarray(im1.convert("L")), g)
    save("ref_gray1", im1, np.repeat(g[:, :, None], 3, axis=2))


def pil_resize(a, oh, ow):
    """Pillow's antialiased bilinear resize of a float32 2-D array."""
    im = Image.fromarray(np.asarray(a, dtype=np.float32), mode="F")
    return np.asarray(im.resize((ow, oh), Image.BILINEAR), dtype=np.float64)


def resizes():
    # Format: a line "h w oh ow", then h*w input values, then oh*ow outputs.
    cases = [(8, 8, 4, 4), (10, 7, 3, 5), (5, 6, 11, 13), (9, 12, 9, 5), (32, 32, 7, 7), (3, 4, 3, 4), (1, 6, 2, 3)]
    with open(os.path.join(OUT, "resize.txt"), "w") as f:
        for h, w, oh, ow in cases:
            a = rng.uniform(0, 255, size=(h, w)).astype(np.float32)
            r = pil_resize(a, oh, ow)
            f.write(f"{h} {w} {oh} {ow}\n")
            f.write(" ".join(f"{v:.9g}" for v in a.flatten()) + "\n")
            f.write(" ".join(f"{v:.9g}" for v in r.flatten()) + "\n")


def round_half_up(x):
    return int(math.floor(x + 0.5))


def preprocess(img, stim_deg, model_deg, oh, ow, mean, std):
    h, w, _ = img.shape
    ratio = model_deg / stim_deg
    nh, nw = max(1, round_half_up(h * ratio)), max(1, round_half_up(w * ratio))
    field = np.full((nh, nw, 3), 128.0)
    if nh >= h:  # place the stimulus centred on grey
        y0, x0 = (nh - h) // 2, (nw - w) // 2
        field[y0:y0 + h, x0:x0 + w] = img
    else:  # crop the centre
        y0, x0 = (h - nh) // 2, (w - nw) // 2
        field[:] = img[y0:y0 + nh, x0:x0 + nw]
    out = np.empty((3, oh, ow))
    for c in range(3):
        out[c] = (pil_resize(field[:, :, c], oh, ow) / 255.0 - mean[c]) / std[c]
    return out


def preprocesses():
    # Format: "h w stim_deg model_deg oh ow", a line of 3 means, a line of
    # 3 stds, h*w*3 input bytes (HWC), then 3*oh*ow outputs (CHW).
    mean, std = [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]
    cases = [(11, 9, 4.0, 8.0, 7, 6), (11, 9, 8.0, 4.0, 5, 5), (12, 10, 10.0, 10.0, 24, 20), (20, 16, 8.0, 5.0, 6, 6)]
    with open(os.path.join(OUT, "preprocess.txt"), "w") as f:
        for h, w, sd, md, oh, ow in cases:
            img = rng.integers(0, 256, size=(h, w, 3), dtype=np.uint8)
            out = preprocess(img.astype(np.float64), sd, md, oh, ow, mean, std)
            f.write(f"{h} {w} {sd} {md} {oh} {ow}\n")
            f.write(" ".join(repr(v) for v in mean) + "\n")
            f.write(" ".join(repr(v) for v in std) + "\n")
            f.write(" ".join(str(v) for v in img.flatten()) + "\n")
            f.write(" ".join(f"{v:.9g}" for v in out.flatten()) + "\n")


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    pngs()
    resizes()
    preprocesses()

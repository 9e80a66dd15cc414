#!/usr/bin/python3
"""Reference fixtures for tests/unit/input/test_jpeg.c and test_sound.c, made with
Pillow, numpy and SciPy (independent of cortexbench's C code). Run from the
repository root:

    /usr/bin/python3 tests/reference/gen_io_media.py

Writes tests/reference/io/:
  cowley0001.rgb          Pillow's RGB decoding of the first JPEG of
                          ../shared/data/cowley2023_v4/stimulus_cowley2023_210325.zip
                          (112*112*3 bytes, row-major (h, w, 3)); only when
                          that zip is present
  jpeg_gray.jpg/.rgb      an 8-bit grayscale JPEG (Pillow, quality 90) and its
                          Pillow decoding converted to RGB
  jpeg_prog.jpg/.rgb      a progressive 4:2:0 colour JPEG and its decoding
  jpeg_cmyk.jpg           a CMYK JPEG (must be rejected)
  tone_44100.wav          0.1 s stereo 16-bit PCM WAV at 44.1 kHz: left
                          0.5 sin(2 pi 440 t), right 0.3 sin(2 pi 1000 t)
  tone_20000.txt          scipy.signal.resample_poly(mono, 200, 441) of that
                          file's mono mixdown (mean of the two channels of the
                          int16 samples / 32768), one value per line
"""
import io
import os
import zipfile

import numpy as np
from PIL import Image
from scipy.io import wavfile
from scipy.signal import resample_poly

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "io")
COWLEY_ZIP = "../shared/data/cowley2023_v4/stimulus_cowley2023_210325.zip"
rng = np.random.default_rng(20240612)


def rgb_bytes(img):
    return np.asarray(img.convert("RGB"), dtype=np.uint8).tobytes()


def jpegs():
    if os.path.exists(COWLEY_ZIP):
        with zipfile.ZipFile(COWLEY_ZIP) as z:
            data = z.read("cowley210325image0001.jpg")
        with open(os.path.join(OUT, "cowley0001.rgb"), "wb") as f:
            f.write(rgb_bytes(Image.open(io.BytesIO(data))))
    h, w = 24, 31
    yy, xx = np.mgrid[0:h, 0:w]
    gray = (128 + 100 * np.sin(xx / 3.0) * np.cos(yy / 5.0)).astype(np.uint8)
    p = os.path.join(OUT, "jpeg_gray.jpg")
    Image.fromarray(gray, "L").save(p, quality=90)
    with open(os.path.join(OUT, "jpeg_gray.rgb"), "wb") as f:
        f.write(rgb_bytes(Image.open(p)))
    col = np.stack([gray, (255 - gray), ((xx * 8) % 256).astype(np.uint8)], axis=2)
    col = np.clip(col.astype(int) + rng.integers(-20, 20, col.shape), 0, 255).astype(np.uint8)
    p = os.path.join(OUT, "jpeg_prog.jpg")
    Image.fromarray(col, "RGB").save(p, quality=85, progressive=True, subsampling=2)
    with open(os.path.join(OUT, "jpeg_prog.rgb"), "wb") as f:
        f.write(rgb_bytes(Image.open(p)))
    Image.fromarray(col, "RGB").convert("CMYK").save(os.path.join(OUT, "jpeg_cmyk.jpg"), quality=85)


def sounds():
    rate = 44100
    t = np.arange(int(0.1 * rate)) / rate
    left = 0.5 * np.sin(2 * np.pi * 440 * t)
    right = 0.3 * np.sin(2 * np.pi * 1000 * t)
    pcm = np.round(np.stack([left, right], axis=1) * 32767).astype(np.int16)
    wavfile.write(os.path.join(OUT, "tone_44100.wav"), rate, pcm)
    mono = pcm.astype(np.float64).mean(axis=1) / 32768.0
    ref = resample_poly(mono, 200, 441)
    np.savetxt(os.path.join(OUT, "tone_20000.txt"), ref, fmt="%.9e")


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    jpegs()
    sounds()

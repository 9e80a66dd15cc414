#!/usr/bin/python3
"""Malformed images and sounds for cases.txt, each made from a PNG that
cortexbench generated (argv[1]) or from bytes written here; every set is a
directory OUT/<name>/ holding stimuli.csv and one stimulus file.

usage: make_media.py GENERATED.png OUT"""
import io
import os
import struct
import sys
import zlib

import numpy as np
from PIL import Image

src, out = sys.argv[1], sys.argv[2]


def stimulus_set(name, filename, data):
    d = os.path.join(out, name)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "stimuli.csv"), "w") as f:
        f.write("stimulus_id,filename\ns1,%s\n" % filename)
    if data is not None:
        with open(os.path.join(d, filename), "wb") as f:
            f.write(data)


img = Image.open(src).convert("RGB")

# JPEG cut in the middle of its entropy-coded data, with the EOI marker put
# back: libjpeg warns "premature end of data segment" and fills grey.
b = io.BytesIO()
img.save(b, "JPEG", quality=90)
jpg = b.getvalue()
sos = jpg.index(b"\xff\xda")
cut = sos + (len(jpg) - sos) // 2
stimulus_set("jpeg_truncated", "a.jpg", jpg[:cut] + b"\xff\xd9")

# A small progressive JPEG whose frame header (SOF2) claims 16000 x 16000.
b = io.BytesIO()
img.resize((8, 8)).save(b, "JPEG", quality=50, progressive=True)
jpg = bytearray(b.getvalue())
sof = jpg.index(b"\xff\xc2")
struct.pack_into(">HH", jpg, sof + 5, 16000, 16000)  # length(2) precision(1) then height, width
stimulus_set("jpeg_huge", "a.jpg", bytes(jpg))


def png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


# A PNG whose IHDR (valid CRC) claims 20000 x 20000 RGB, with one tiny IDAT.
ihdr = struct.pack(">IIBBBBB", 20000, 20000, 8, 2, 0, 0, 0)
png = b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr) + png_chunk(b"IDAT", zlib.compress(b"\0" * 61)) + \
    png_chunk(b"IEND", b"")
stimulus_set("png_huge", "a.png", png)

# A valid PNG with a tEXt chunk (ancillary) whose CRC is wrong: libpng's
# default discards it with a warning; cortexbench refuses the file.
b = io.BytesIO()
img.save(b, "PNG")
png = bytearray(b.getvalue())
ihdr_end = 8 + 8 + 13 + 4
text = png_chunk(b"tEXt", b"Comment\0made by make_media.py")
text = text[:-4] + bytes([text[-4] ^ 0xFF]) + text[-3:]
png = bytes(png[:ihdr_end]) + text + bytes(png[ihdr_end:])
stimulus_set("png_crc", "a.png", png)


def wav(frames_promised, samples, rate=20000):
    data = samples.astype("<i2").tobytes()
    n = frames_promised * 2
    fmt = struct.pack("<HHIIHH", 1, 1, rate, rate * 2, 2, 16)
    return b"RIFF" + struct.pack("<I", 36 + n) + b"WAVE" + b"fmt " + struct.pack("<I", 16) + fmt + \
        b"data" + struct.pack("<I", n) + data


tone = (np.sin(np.arange(478) * 0.2) * 8000).astype(np.int16)
stimulus_set("wav_short", "a.wav", wav(40000, tone))  # header: 40 000 frames; file: 478
stimulus_set("wav_empty", "a.wav", wav(0, tone[:0]))  # no samples at all
stimulus_set("wav_fifo", "a.wav", None)  # a.wav made a FIFO by make_inputs.sh
stimulus_set("png_fifo", "a.png", None)  # a.png made a FIFO by make_inputs.sh

#!/usr/bin/python3
"""Checks that every file of a results tree is complete and valid, after the
run writing it was killed: temporary files (.<name>.tmp.<pid>) are ignored;
every other file must be whole.

  *.h5, *.nc   opens with h5py and every dataset reads in full; activation
               files have one row per stimulus_id in every layer
  *.json       parses; score files (under scores/) have every key of
               docs/formats.md
  *.csv        every row has the header's column count, ends with a newline
  *.png        decodes (PIL)
  *.sha256     the configuration fingerprint: 64 hex digits and a newline; a record
               beside a written file (F.sha256, docs/formats.md): that, then its
               stat line "stat DEV INO SIZE MTIME CTIME" and a newline
usage: check_tree.py DIR     (prints each problem; exit 1 when any)
"""
import csv
import json
import os
import re
import sys

import h5py
from PIL import Image

TEMP = re.compile(r"^\..*\.tmp\.[0-9]+$")
SCORE_KEYS = ["model", "layer", "benchmark", "metric", "raw", "ceiling", "score", "error", "n_splits",
              "per_split", "seed"]


def check_h5(path):
    with h5py.File(path, "r") as f:
        shapes = {}

        def visit(name, obj):
            if isinstance(obj, h5py.Dataset):
                obj[...]  # reads every chunk
                shapes[name] = obj.shape
        f.visititems(visit)
        if "stimulus_id" in shapes and "layers" in f:  # activations version 1
            n = shapes["stimulus_id"][0]
            for name, shape in shapes.items():
                if name.startswith("layers/") and shape[0] != n:
                    raise ValueError(f"{name} has {shape[0]} rows, {n} stimuli")
        elif "stimulus_id" in shapes and "activations_format" in f.attrs:  # version 2: variables with `layer`
            n = shapes["stimulus_id"][0]
            for name, obj in f.items():
                if "layer" in obj.attrs and obj.shape[0] != n:
                    raise ValueError(f"{name} has {obj.shape[0]} rows, {n} stimuli")


def check_json(path):
    with open(path) as f:
        d = json.load(f)
    if f"{os.sep}scores{os.sep}" in path:
        missing = [k for k in SCORE_KEYS if k not in d]
        if missing:
            raise ValueError("missing keys " + ", ".join(missing))


def check_csv(path):
    with open(path, newline="") as f:
        text = f.read()
    if text and not text.endswith("\n"):
        raise ValueError("no final newline")
    rows = list(csv.reader(text.splitlines()))
    if not rows:
        raise ValueError("empty")
    bad = [i for i, r in enumerate(rows) if r and len(r) != len(rows[0])]
    if bad:
        raise ValueError(f"row {bad[0] + 1} has a wrong column count")


def check_png(path):
    with Image.open(path) as im:
        im.load()


def check_sha256(path):
    with open(path) as f:
        text = f.read()
    record = r"stat \d+ \d+ \d+ \d+\.\d{9} \d+\.\d{9}\n"
    if not re.fullmatch(r"[0-9a-f]{64}\n(%s)?" % record, text):
        raise ValueError("not 64 hex digits and a newline (and a record's stat line)")


CHECKS = {".h5": check_h5, ".nc": check_h5, ".json": check_json, ".csv": check_csv, ".png": check_png,
          ".sha256": check_sha256}


def main():
    problems = n = 0
    for root, _, files in os.walk(sys.argv[1]):
        for name in files:
            if TEMP.match(name):
                continue
            path = os.path.join(root, name)
            check = CHECKS.get(os.path.splitext(name)[1])
            if check is None:
                continue
            n += 1
            try:
                check(path)
            except Exception as e:  # any failure to read is a torn file
                problems += 1
                print(f"torn: {path}: {e}")
    print(f"{n} files checked, {problems} torn")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()

"""Byte patches that make Debian's libhdf5 1.10.8 crash (SIGSEGV, or glibc's
"free(): invalid pointer") while reading the assembly that
`cortexbench generate gratings-v1 --seed 3` writes (173 661 bytes, byte-identical
on every run). Found by flipping 1-8 random bytes of its first 8 KiB (object
headers, the root group's dense link storage) with Python's random.Random(seed)
for seeds 0-399 and keeping the ones whose isolated read crashed the child;
seeds 275, 359, 385 (SIGSEGV) and 371 (invalid free) are kept here.

usage: make_crash_h5.py NAME ASSEMBLY.nc OUT.nc
"""
import sys

PATCHES = {
    "segv_a": [(6083, 151), (5243, 91)],
    "segv_b": [(6610, 250), (4839, 213)],
    "segv_c": [(8146, 202), (5053, 8)],
    "bad_free": [(6790, 210), (1577, 123), (5194, 25), (3363, 109), (6451, 3)],
}


def main():
    name, src, out = sys.argv[1:4]
    data = bytearray(open(src, "rb").read())
    if len(data) != 173661:
        sys.exit(f"make_crash_h5.py: {src} has {len(data)} bytes, expected 173661 (generator changed?)")
    for off, val in PATCHES[name]:
        data[off] = val
    with open(out, "wb") as f:
        f.write(data)


if __name__ == "__main__":
    main()

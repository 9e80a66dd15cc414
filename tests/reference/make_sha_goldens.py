#!/usr/bin/python3
"""SHA-256 and SHA-1 of deterministic byte patterns, computed with Python's
hashlib, for tests/unit/io/test_fetch.c (src/io/cb_sha.c).

    /usr/bin/python3 tests/reference/make_sha_goldens.py > tests/reference/fixtures/sha_pattern.txt

Pattern of length n: byte i = (i * 31 + (i >> 8)) mod 256. Lengths straddle
the 55/56/64-byte padding boundaries of both algorithms.
Output lines: "n sha256 sha1".
"""
import hashlib

LENGTHS = [0, 1, 3, 55, 56, 57, 63, 64, 65, 111, 119, 120, 127, 128, 129, 1000, 65537, 1000003]


def pattern(n):
    return bytes(((i * 31 + (i >> 8)) & 0xFF) for i in range(n))


for n in LENGTHS:
    data = pattern(n)
    print(n, hashlib.sha256(data).hexdigest(), hashlib.sha1(data).hexdigest())

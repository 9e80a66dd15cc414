#!/usr/bin/python3
"""Reference cochleagram for tests/unit/input/test_coch.c, written from the
formulas of pycochleagram (McDermott lab) with numpy only: ERB half-cosine
filterbank (n=50, sample_factor=4, 50 Hz..10 kHz -> 211 channels), full-rate
Hilbert envelope (analytic signal from the full FFT, like scipy.signal.hilbert),
Fourier-domain low-pass (1 up to 80 Hz, raised cosine to 0 at 100 Hz) and
downsampling to 200 Hz, clip at 0, power 0.3.
Unlike the C code it computes every envelope at the full 20 kHz rate.
Writes tests/reference/fixtures/audio_coch.txt:
  line 1: channels frames
  line 2: the 211 centre frequencies (Hz)
  then one line per stored channel: index followed by its 400 frames."""
import os
import numpy as np

SR, N_SEC = 20000, 2.0


def test_sound():
    n = int(SR * N_SEC)
    t = np.arange(n) / SR
    x = (np.sin(2 * np.pi * 440.0 * t)
         + 0.5 * np.sin(2 * np.pi * 1500.0 * t) * (1.0 + 0.8 * np.sin(2 * np.pi * 4.0 * t))
         + 0.3 * np.sin(2 * np.pi * (200.0 * t + 1000.0 * t * t))
         + 0.2 * np.sin(2 * np.pi * 7000.0 * t) * (t > 1.0))
    return x.astype(np.float32)


def erb(f):
    return 9.265 * np.log(1 + f / (24.7 * 9.265))


def ierb(e):
    return 24.7 * 9.265 * (np.exp(e / 9.265) - 1)


def filterbank(n, sr, nfilt=50, sf=4, lo=50.0, hi=10000.0):
    nf = n // 2
    maxf = sr / 2 if n % 2 == 0 else sr * (n - 1) / 2 / n
    freqs = np.arange(nf + 1) * maxf / nf
    nbp = sf * (nfilt + 1) - 1
    grid = np.linspace(erb(lo), erb(hi), nbp + 2)
    d = grid[1] - grid[0]
    centre = grid[1:-1]
    fe = erb(freqs)
    F = np.zeros((nbp + 2 * sf, nf + 1))
    for i in range(nbp):
        l, h = centre[i] - sf * d, centre[i] + sf * d
        m = (fe > l) & (fe < h)
        F[sf + i, m] = np.cos((fe[m] - centre[i]) / (h - l) * np.pi)
    for i in range(sf):
        m = freqs < ierb(centre[i])
        F[i, m] = np.sqrt(1 - F[sf + i, m] ** 2)
        m = freqs > ierb(centre[-1 - i])
        F[-1 - i, m] = np.sqrt(1 - F[-1 - sf - i, m] ** 2)
    F /= np.sqrt(sf)
    cf = ierb(np.concatenate((centre[:sf] - sf * d, centre, centre[-sf:] + sf * d)))
    cf[cf < 0] = 1
    return F, cf


def cochleagram(x, sr=SR, env_sr=200, power=0.3):
    x = x.astype(np.float64)
    x = x / np.sqrt(np.mean(x ** 2))
    n = len(x)
    F, cf = filterbank(n, sr)
    X = np.fft.rfft(x)
    frames = n * env_sr // sr
    half = frames // 2
    k = np.arange(half + 1) / half
    taper = np.where(k <= 0.8, 1.0, 0.5 * (1 + np.cos(np.pi * (k - 0.8) / 0.2)))
    out = np.zeros((F.shape[0], frames))
    h = np.zeros(n // 2 + 1)
    h[0] = 1
    h[1:] = 2
    if n % 2 == 0:
        h[-1] = 1
    for c in range(F.shape[0]):
        full = np.zeros(n, complex)
        full[:n // 2 + 1] = X * F[c] * h
        env = np.abs(np.fft.ifft(full))
        E = np.fft.rfft(env)[:half + 1] * taper
        low = np.fft.irfft(E, frames) * frames / n
        out[c] = np.maximum(low, 0) ** power
    return out, cf


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    out, cf = cochleagram(test_sound())
    path = os.path.join(here, "fixtures", "audio_coch.txt")
    with open(path, "w") as f:
        f.write("%d %d\n" % out.shape)
        f.write(" ".join("%.9g" % v for v in cf) + "\n")
        for c in range(0, out.shape[0], 10):
            f.write("%d " % c + " ".join("%.7g" % v for v in out[c]) + "\n")
    print("wrote", path)


if __name__ == "__main__":
    main()

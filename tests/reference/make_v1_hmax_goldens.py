#!/usr/bin/python3
"""Reference values for the "v1like" and "hmax" zoo models (src/nn/cb_zoo_v1.c,
src/nn/cb_zoo_hmax.c), computed independently with numpy / PyTorch from the
published descriptions, never from our C output:

* v1_* : VOneNet's parameter distributions (dicarlolab/vonenet params.py,
  defaults sf_corr 0.75, sf_max 6): quantiles of 10^6 samples drawn with numpy
  the way VOneNet draws them, and VOneNet's gabor_kernel for a few parameter sets.
* hmax_gabor : Serre et al. 2007's S1 filters (as described in cb_zoo_hmax.c).
* hmax_s1 / hmax_c1_band<b> : S1 and C1 of a fixed 64x64 input with
  torch.nn.functional.conv2d / max_pool2d: numel, sum, sum |x| and 64 sampled
  values (index i * numel // 64), like make_zoo_goldens.py.

Usage: /usr/bin/python3 tests/reference/make_v1_hmax_goldens.py
Writes tests/reference/fixtures/v1_hmax.txt.
"""
import math
import os

import numpy as np
import scipy.stats as stats
import torch
import torch.nn.functional as F

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures", "v1_hmax.txt")


def vonenet_samples(n, rng):
    ori_bins = np.array([-22.5, 22.5, 67.5, 112.5, 157.5])
    ori_dist = np.array([66, 49, 77, 54], float)
    ori_dist /= ori_dist.sum()
    nx_bins = np.logspace(-1, 0.2, 6, base=10)
    ny_bins = np.logspace(-1, 0.2, 6, base=10)
    joint = np.array([[2., 0., 1., 0., 0.], [8., 9., 4., 1., 0.], [1., 2., 19., 17., 3.],
                      [0., 0., 1., 7., 4.], [0., 0., 0., 0., 0.]])
    joint /= joint.sum()
    nx_dist = joint.sum(axis=1)
    nx_dist /= nx_dist.sum()
    ny_cond = joint / np.maximum(joint.sum(axis=1, keepdims=True), 1e-300)
    sf_bins = np.array([0.5, 0.7, 1.0, 1.4, 2.0, 2.8, 4.0, 5.6, 8, 11.2])
    sf_dist = np.array([4, 4, 8, 25, 32, 26, 28, 12, 8], float)
    hi = np.where(sf_bins <= 6)[0][-1]
    sf_bins, sf_dist = sf_bins[:hi + 1], sf_dist[:hi]
    sf_dist /= sf_dist.sum()
    ori = np.interp(rng.random(n), np.hstack(([0], ori_dist.cumsum())), ori_bins)
    ori[ori < 0] += 180
    cov = np.array([[1, 0.75], [0.75, 1]])
    z = rng.multivariate_normal([0, 0], cov, n)
    u = stats.norm.cdf(z)
    nx = 10 ** np.interp(u[:, 0], np.hstack(([0], nx_dist.cumsum())), np.log10(nx_bins))
    uy = rng.random(n)
    ny = np.empty(n)
    for i in range(n):
        b = min(np.argwhere(nx_bins < nx[i])[-1][0], 3)
        ny[i] = np.interp(uy[i], np.hstack(([0], ny_cond[b].cumsum())), np.log10(ny_bins))
    ny = 10 ** ny
    sf = 2 ** np.interp(u[:, 1], np.hstack(([0], sf_dist.cumsum())), np.log2(sf_bins))
    return sf, ori, nx, ny


def vonenet_gabor(f, sx, sy, theta, phase, ks):
    w = ks // 2
    g = np.arange(-w, w + 1, dtype=float)
    x, y = np.meshgrid(g, g, indexing="ij")
    rx = x * np.cos(theta) + y * np.sin(theta)
    ry = -x * np.sin(theta) + y * np.cos(theta)
    k = np.exp(-0.5 * (rx ** 2 / sx ** 2 + ry ** 2 / sy ** 2)) / (2 * np.pi * sx * sy)
    return k * np.cos(2 * np.pi * f * rx + phase)


S1_SIZE = list(range(7, 39, 2))
S1_SIGMA = [2.8, 3.6, 4.5, 5.4, 6.3, 7.3, 8.2, 9.2, 10.2, 11.3, 12.3, 13.4, 14.6, 15.8, 17.0, 18.2]
S1_LAMBDA = [3.5, 4.6, 5.6, 6.8, 7.9, 9.1, 10.3, 11.5, 12.7, 14.1, 15.4, 16.8, 18.2, 19.7, 21.2, 22.8]
C1_GRID = [8, 10, 12, 14, 16, 18, 20, 22]


def serre_gabor(size, sigma, lam, theta, gamma=0.3):
    c = size // 2
    y, x = np.mgrid[0:size, 0:size].astype(float) - c  # y row, x column offset
    X = x * np.cos(theta) - y * np.sin(theta)
    Y = x * np.sin(theta) + y * np.cos(theta)
    g = np.exp(-(X ** 2 + gamma ** 2 * Y ** 2) / (2 * sigma ** 2)) * np.cos(2 * np.pi * X / lam)
    disc = x ** 2 + y ** 2 <= (size / 2) ** 2
    g = np.where(disc, g, 0.0)
    g[disc] -= g[disc].mean()
    return g / np.sqrt((g ** 2).sum())


def the_input(h, w):
    c, i, j = np.meshgrid(np.arange(3), np.arange(h), np.arange(w), indexing="ij")
    return np.sin(0.05 * (c + 1) * i + 0.03 * j) + 0.5 * np.cos(0.07 * (i - j) + c)


def summary(name, a):
    a = np.asarray(a, dtype=np.float64).ravel()
    idx = [i * a.size // 64 for i in range(64)]
    vals = " ".join("%.9g" % a[i] for i in idx)
    return "%s %d %.12g %.12g %s" % (name, a.size, a.sum(), np.abs(a).sum(), vals)


def main():
    lines = []
    rng = np.random.default_rng(20240601)
    sf, ori, nx, ny = vonenet_samples(200000, rng)
    qs = [0.1, 0.25, 0.5, 0.75, 0.9]
    lines.append("v1_sf_quantiles " + " ".join("%.6g" % v for v in np.quantile(sf, qs)))
    lines.append("v1_nx_quantiles " + " ".join("%.6g" % v for v in np.quantile(nx, qs)))
    lines.append("v1_ny_quantiles " + " ".join("%.6g" % v for v in np.quantile(ny, qs)))
    frac = np.histogram(ori, bins=[0, 45, 90, 135, 180])[0] / ori.size
    lines.append("v1_ori_fractions " + " ".join("%.6g" % v for v in frac))
    lines.append("v1_spearman_nx_sf %.6g" % stats.spearmanr(nx, sf)[0])
    lines.append("v1_ranges %.6g %.6g %.6g %.6g %.6g %.6g" % (sf.min(), sf.max(), nx.min(), nx.max(), ny.min(), ny.max()))
    for f, sx, sy, th, ph, ks in [(0.1, 3.0, 2.0, 0.3, 0.0, 25), (0.25, 1.5, 4.0, 2.0, 1.1, 11),
                                  (0.05, 6.0, 6.0, math.pi / 2, math.pi / 2, 25)]:
        k = vonenet_gabor(f, sx, sy, th, ph, ks)
        lines.append("v1_gabor %.9g %.9g %.9g %.9g %.9g %d " % (f, sx, sy, th, ph, ks) +
                     " ".join("%.9g" % v for v in k.ravel()))
    for s, o in [(0, 0), (3, 1), (9, 2), (15, 3)]:
        g = serre_gabor(S1_SIZE[s], S1_SIGMA[s], S1_LAMBDA[s], o * np.pi / 4)
        lines.append("hmax_gabor %d %d " % (s, o) + " ".join("%.9g" % v for v in g.ravel()))
    # S1 and C1 of the fixed 64x64 input
    x = the_input(64, 64)
    gray = 0.299 * x[0] + 0.587 * x[1] + 0.114 * x[2]
    gt = torch.tensor(gray, dtype=torch.float64)[None, None]
    s1 = []
    for s in range(16):
        size = S1_SIZE[s]
        w = np.stack([serre_gabor(size, S1_SIGMA[s], S1_LAMBDA[s], o * np.pi / 4) for o in range(4)])
        r = F.conv2d(gt, torch.tensor(w)[:, None], padding=size // 2).abs()
        e = F.conv2d(gt ** 2, torch.ones(1, 1, size, size, dtype=torch.float64), padding=size // 2)
        s1.append(r / torch.sqrt(e + 1e-6))
    s1 = torch.cat(s1, 1)
    lines.append(summary("hmax_s1", s1.numpy()))
    for b in range(8):
        n = C1_GRID[b]
        p = F.max_pool2d(s1[:, 8 * b:8 * b + 8], n, n // 2)
        c1 = torch.maximum(p[:, :4], p[:, 4:])
        lines.append(summary("hmax_c1_band%d" % b, c1.numpy()))
    with open(OUT, "w") as f:
        f.write("# made by tests/reference/make_v1_hmax_goldens.py (numpy, scipy, torch)\n")
        f.write("\n".join(lines) + "\n")
    print("wrote", OUT)


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""Reference values for the split-half ceilings of the similarity metrics
(tests/unit/metrics/test_ceiling_sim.c).

Regenerate from the repository root with Debian's Python (python3-numpy, python3-scipy):
    /usr/bin/python3 tests/reference/make_ceiling_goldens.py
With 2 repetitions every random split of the repetitions gives the halves {rep 0} and {rep 1}
(in either order; both metrics are symmetric), so the split-half ceiling is exactly
    SB(s) = 2 s / (1 + s),  s = similarity(responses of rep 0, responses of rep 1)
with s = Spearman rho between the upper triangles of the correlation-distance RDMs
(scipy.spatial.distance.pdist 'correlation', scipy.stats.spearmanr), or s = biased linear CKA
(Kornblith et al. 2019: ||Yc^T Xc||_F^2 / (||Xc^T Xc||_F ||Yc^T Yc||_F) with column-centred X, Y).

File tests/reference/fixtures/ceiling_sim.txt: "n_stim n_rep q", then n_stim*n_rep lines of q values
(stimulus-major, then repetition), then "rdm_spearman VALUE" and "cka_biased VALUE".
"""
import os

import numpy as np
import scipy.spatial.distance as ssd
import scipy.stats

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "fixtures", "ceiling_sim.txt")


def cka_biased(X, Y):
    Xc = X - X.mean(0)
    Yc = Y - Y.mean(0)
    return np.linalg.norm(Yc.T @ Xc) ** 2 / (np.linalg.norm(Xc.T @ Xc) * np.linalg.norm(Yc.T @ Yc))


def main():
    rng = np.random.default_rng(20261127)
    n_stim, n_rep, q = 16, 2, 6
    signal = rng.normal(size=(n_stim, q))
    R = signal[:, None, :] + 0.7 * rng.normal(size=(n_stim, n_rep, q))
    R = np.vectorize(lambda v: float("%.6f" % v))(R)
    A, B = R[:, 0, :], R[:, 1, :]
    rho = scipy.stats.spearmanr(ssd.pdist(A, "correlation"), ssd.pdist(B, "correlation")).correlation
    cka = cka_biased(A, B)
    with open(OUT, "w") as f:
        f.write("# made by tests/reference/make_ceiling_goldens.py\n")
        f.write("%d %d %d\n" % (n_stim, n_rep, q))
        for s in range(n_stim):
            for r in range(n_rep):
                f.write(" ".join("%.6f" % v for v in R[s, r]) + "\n")
        f.write("rdm_spearman %.17g\n" % (2 * rho / (1 + rho)))
        f.write("cka_biased %.17g\n" % (2 * cka / (1 + cka)))


if __name__ == "__main__":
    main()

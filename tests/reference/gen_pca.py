#!/usr/bin/python3
"""Reference values for the PCA kernel (src/metrics/cb_pca.c, tests/unit/metrics/test_pca.c).

Regenerate from the repository root with Debian's Python (python3-sklearn):
    /usr/bin/python3 tests/reference/gen_pca.py
Writes tests/reference/fixtures/pca.txt. Inputs come from fixed numpy seeds and are written with 6 decimals;
sklearn.decomposition.PCA(n_components=k, svd_solver='full') (centred, no whitening) is fitted on the values as
written, so the C test and this script see the same numbers.

Format (whitespace separated, '#' lines are comments): a count of cases, then per case
  "case n p m k" ; X (n rows of p) fit data ; Y (m rows of p) new data ;
  "mean" p values ; "singular" k values ; "components" k rows of p ; "proj" m rows of k = pca.transform(Y).
Cases cover p < n (covariance route), p > n (Gram route) and k capped by n or p.
"""
import numpy as np
from sklearn.decomposition import PCA


def case(rng, n, p, m, k_req, scale):
    # correlated features with a decaying spectrum, so components are well separated
    basis = rng.standard_normal((p, p)) * (0.8 ** np.arange(p))[None, :]
    X = np.round(rng.standard_normal((n, p)) @ basis.T * scale + 0.5, 6)
    Y = np.round(rng.standard_normal((m, p)) @ basis.T * scale + 0.5, 6)
    k = min(k_req, n, p)
    pca = PCA(n_components=k, svd_solver="full").fit(X)
    return n, p, m, k, X, Y, pca


def rows(f, A):
    for r in np.atleast_2d(A):
        f.write(" ".join("%.10g" % v for v in r) + "\n")


def main():
    rng = np.random.default_rng(20261205)
    cases = [case(rng, 40, 10, 7, 4, 1.0),    # p < n: covariance route
             case(rng, 12, 50, 5, 6, 2.0),    # p > n: Gram route
             case(rng, 30, 8, 4, 100, 0.5),   # k capped by p (all components)
             case(rng, 9, 25, 3, 5, 3.0)]     # Gram route, small n
    with open("tests/reference/fixtures/pca.txt", "w") as f:
        f.write("# sklearn.decomposition.PCA(svd_solver='full') references; made by tests/reference/gen_pca.py\n")
        f.write("%d\n" % len(cases))
        for n, p, m, k, X, Y, pca in cases:
            f.write("case %d %d %d %d\n" % (n, p, m, k))
            rows(f, X)
            rows(f, Y)
            f.write("mean\n")
            rows(f, pca.mean_)
            f.write("singular\n")
            rows(f, pca.singular_values_)
            f.write("components\n")
            rows(f, pca.components_)
            f.write("proj\n")
            rows(f, pca.transform(Y))


if __name__ == "__main__":
    main()

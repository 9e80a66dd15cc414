#!/usr/bin/python3
"""Golden reference values for the src/metrics unit tests, computed with scikit-learn / SciPy / numpy.

Regenerate (from the repository root, with the Debian Python that sees python3-sklearn):
    /usr/bin/python3 tests/reference/make_goldens.py
Writes tests/reference/fixtures/*.txt. Inputs are generated from fixed numpy seeds and written with
6 decimals; every reference value is computed from the inputs exactly as written (parsed back), so the
C tests and this script see the same numbers. Written with scikit-learn 1.2 (coef_ has shape (p, q)).

File formats (whitespace separated, '#' lines are comments):
  pls_*.txt   : "n p q k m k_used", then X (n rows of p), Y (n rows of q), Xtest (m rows of p),
                sklearn predictions for Xtest (m rows of q), coef_ (p rows of q).
  corr.txt    : blocks "pearson n r" + a line of n values + a line of n values (scipy.stats.pearsonr),
                or "median n med" + a line of n values, 'nan' allowed (numpy.nanmedian).
"""
import os
import warnings

import numpy as np
import scipy.stats
import sklearn
from sklearn.cross_decomposition import PLSRegression

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "fixtures")


def rounded(a):
    """Values as they will be read back from the 6-decimal text."""
    return np.array([[float("%.6f" % v) for v in row] for row in np.atleast_2d(a)])


def fmt_rows(a, f):
    return "".join(" ".join(f % v for v in row) + "\n" for row in a)


def pls_case(name, n, p, q, k, m, seed):
    rng = np.random.RandomState(seed)
    n_lat = 4
    Z = rng.randn(n + m, n_lat)
    X = Z @ rng.randn(n_lat, p) + 0.5 * rng.randn(n + m, p) + rng.randn(p)  # non-zero means
    Y = Z @ rng.randn(n_lat, q) + 0.3 * rng.randn(n + m, q) + 2.0
    X, Y = rounded(X), rounded(Y)
    Xtr, Ytr, Xte = X[:n], Y[:n], X[n:]
    model = PLSRegression(n_components=k, scale=False, max_iter=500, tol=1e-06)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(Xtr, Ytr)
        coef = np.asarray(model.coef_)
    assert coef.shape == (p, q), coef.shape
    pred = model.predict(Xte).reshape(m, q)
    k_used = int(np.sum(np.any(model.x_weights_ != 0, axis=0)))
    path = os.path.join(OUT, name)
    with open(path, "w") as f:
        f.write("# PLSRegression(n_components=%d, scale=False) scikit-learn %s, numpy seed %d\n"
                % (k, sklearn.__version__, seed))
        f.write("%d %d %d %d %d %d\n" % (n, p, q, k, m, k_used))
        f.write(fmt_rows(Xtr, "%.6f"))
        f.write(fmt_rows(Ytr, "%.6f"))
        f.write(fmt_rows(Xte, "%.6f"))
        f.write(fmt_rows(pred, "%.17g"))
        f.write(fmt_rows(coef, "%.17g"))


def corr_cases():
    rng = np.random.RandomState(7)
    lines = ["# scipy %s pearsonr, numpy %s nanmedian\n" % (scipy.__version__, np.__version__)]
    for n in (2, 3, 10, 57):
        a = rounded(rng.randn(n))[0]
        b = rounded(0.3 * a + rng.randn(n) + 5.0)[0]
        r = scipy.stats.pearsonr(a, b)[0]
        lines.append("pearson %d %.17g\n" % (n, r))
        lines.append(fmt_rows([a], "%.6f") + fmt_rows([b], "%.6f"))
    for n, nan_frac in ((1, 0.0), (4, 0.0), (7, 0.0), (9, 0.3), (300, 0.2), (1000, 0.5)):
        v = rounded(rng.randn(n))[0]
        v[rng.rand(n) < nan_frac] = np.nan
        lines.append("median %d %.17g\n" % (n, np.nanmedian(v)))
        lines.append(" ".join("nan" if np.isnan(x) else "%.6f" % x for x in v) + "\n")
    with open(os.path.join(OUT, "corr.txt"), "w") as f:
        f.writelines(lines)


def main():
    os.makedirs(OUT, exist_ok=True)
    pls_case("pls_n40_p60_q5.txt", n=40, p=60, q=5, k=5, m=12, seed=1)    # n < p
    pls_case("pls_n80_p10_q4.txt", n=80, p=10, q=4, k=5, m=12, seed=2)    # n > p
    pls_case("pls_n30_p8_q1.txt", n=30, p=8, q=1, k=3, m=10, seed=3)      # single target
    pls_case("pls_n50_p70_q6_k25.txt", n=50, p=70, q=6, k=25, m=10, seed=4)  # Brain-Score's 25 components
    corr_cases()


if __name__ == "__main__":
    main()

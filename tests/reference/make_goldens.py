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
  pls_*.txt (kernel_ prefix): same, sklearn run to convergence (max_iter 20000, tol 1e-20) for the kernel form,
                which takes exact dominant eigenvectors.
  ridge_fixed.txt: "n p q m n_alphas", X, Y, Xtest, then per alpha: "alpha a" and Ridge(alpha) predictions.
  ridgecv_*.txt: "n p q m n_alphas per_target", alphas, X, Y, Xtest, RidgeCV predictions (m rows of q),
                coef_ transposed (p rows of q), alpha_ (q values; shared alpha repeated).
  ols_*.txt   : "n p q m", X, Y, Xtest, LinearRegression predictions (m, q), coef_ transposed (p, q).
  n2n.txt     : "n p q m", X, Y, Xtest, best feature per target (numpy argmax of Pearson r; ties -> lowest).
  alphas.txt  : Brain-Score's 99-value RidgeCV grid as numpy builds it.
  kfold.txt   : "n k", then for each fold the line "size" + sklearn KFold(k) test indices.
  cv_*.txt    : "n p q k kind ncomp", X, Y, then the sklearn pipeline result: "raw error", then k lines
                "median n_nan"; splits are sklearn KFold(k) (unshuffled).
  corr.txt    : blocks "pearson n r" + a line of n values + a line of n values (scipy.stats.pearsonr),
                or "median n med" + a line of n values, 'nan' allowed (numpy.nanmedian).
"""
import os
import warnings

import numpy as np
import scipy.stats
import sklearn
from sklearn.cross_decomposition import PLSRegression
from sklearn.linear_model import LinearRegression, Ridge, RidgeCV
from sklearn.model_selection import KFold

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "fixtures")


def rounded(a):
    """Values as they will be read back from the 6-decimal text."""
    return np.array([[float("%.6f" % v) for v in row] for row in np.atleast_2d(a)])


def fmt_rows(a, f):
    return "".join(" ".join(f % v for v in row) + "\n" for row in a)


def pls_case(name, n, p, q, k, m, seed, converged=False):
    rng = np.random.RandomState(seed)
    n_lat = 4
    Z = rng.randn(n + m, n_lat)
    X = Z @ rng.randn(n_lat, p) + 0.5 * rng.randn(n + m, p) + rng.randn(p)  # non-zero means
    Y = Z @ rng.randn(n_lat, q) + 0.3 * rng.randn(n + m, q) + 2.0
    X, Y = rounded(X), rounded(Y)
    Xtr, Ytr, Xte = X[:n], Y[:n], X[n:]
    model = PLSRegression(n_components=k, scale=False, max_iter=20000 if converged else 500,
                          tol=1e-20 if converged else 1e-06)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(Xtr, Ytr)
        coef = np.asarray(model.coef_)
    assert coef.shape == (p, q), coef.shape
    pred = model.predict(Xte).reshape(m, q)
    k_used = int(np.sum(np.any(model.x_weights_ != 0, axis=0)))
    path = os.path.join(OUT, name)
    with open(path, "w") as f:
        f.write("# PLSRegression(n_components=%d, scale=False%s) scikit-learn %s, numpy seed %d\n"
                % (k, ", max_iter=20000, tol=1e-20" if converged else "", sklearn.__version__, seed))
        f.write("%d %d %d %d %d %d\n" % (n, p, q, k, m, k_used))
        f.write(fmt_rows(Xtr, "%.6f"))
        f.write(fmt_rows(Ytr, "%.6f"))
        f.write(fmt_rows(Xte, "%.6f"))
        f.write(fmt_rows(pred, "%.17g"))
        f.write(fmt_rows(coef, "%.17g"))


def brainscore_alphas():
    return np.array([0.01, 0.1, 0.5, 1.0, *np.linspace(1e1, 1e2, 4, endpoint=False),
                     *np.linspace(1e2, 1e3, 18, endpoint=False), *np.linspace(1e3, 1e4, 18, endpoint=False),
                     *np.linspace(1e4, 1e5, 18, endpoint=False), *np.linspace(1e5, 1e6, 18, endpoint=False),
                     *np.linspace(1e6, 1e7, 19)])


def regression_data(n, p, q, m, seed, noise=None):
    """Latent-structure data; noise (q) varies per target so RidgeCV picks different alphas."""
    rng = np.random.RandomState(seed)
    Z = rng.randn(n + m, 5)
    X = Z @ rng.randn(5, p) + 0.7 * rng.randn(n + m, p) + rng.randn(p)
    if noise is None:
        noise = np.geomspace(0.1, 30.0, q)
    Y = X @ (rng.randn(p, q) * 0.3) + rng.randn(n + m, q) * noise + 1.5
    X, Y = rounded(X), rounded(Y)
    return X[:n], Y[:n], X[n:]


def head(f, what, sizes, X, Y, Xte):
    f.write("# %s, scikit-learn %s\n" % (what, sklearn.__version__))
    f.write(" ".join(str(s) for s in sizes) + "\n")
    f.write(fmt_rows(X, "%.6f"))
    f.write(fmt_rows(Y, "%.6f"))
    if Xte is not None:
        f.write(fmt_rows(Xte, "%.6f"))


def ridge_cases():
    alphas = brainscore_alphas()
    X, Y, Xte = regression_data(30, 45, 3, 8, seed=11)
    with open(os.path.join(OUT, "ridge_fixed.txt"), "w") as f:
        head(f, "Ridge(alpha) for every Brain-Score alpha", (30, 45, 3, 8, len(alphas)), X, Y, Xte)
        for a in alphas:
            f.write("alpha %.17g\n" % a)
            f.write(fmt_rows(Ridge(alpha=a).fit(X, Y).predict(Xte), "%.17g"))
    cases = [("ridgecv_n40_p70_shared.txt", 40, 70, 6, None, False, 12),
             ("ridgecv_n40_p70_per_target.txt", 40, 70, 6, None, True, 12),
             ("ridgecv_n60_p20_per_target.txt", 60, 20, 5, None, True, 13),  # n > p: sklearn 'svd' mode
             ("ridgecv_user_alphas.txt", 35, 50, 4, [0.3, 3.0, 30.0, 300.0, 3000.0], True, 14)]
    for name, n, p, q, al, per, seed in cases:
        al = alphas if al is None else np.array(al)
        X, Y, Xte = regression_data(n, p, q, 9, seed)
        model = RidgeCV(alphas=al, alpha_per_target=per).fit(X, Y)
        with open(os.path.join(OUT, name), "w") as f:
            head(f, "RidgeCV(alpha_per_target=%s)" % per, (n, p, q, 9, len(al), int(per)), X, Y, None)
            f.write(" ".join("%.17g" % a for a in al) + "\n")
            f.write(fmt_rows(Xte, "%.6f"))
            f.write(fmt_rows(model.predict(Xte), "%.17g"))
            f.write(fmt_rows(model.coef_.T, "%.17g"))
            f.write(" ".join("%.17g" % a for a in np.broadcast_to(model.alpha_, (q,))) + "\n")


def ols_cases():
    for name, n, p, q, seed in (("ols_n50_p8.txt", 50, 8, 3, 21), ("ols_n20_p35.txt", 20, 35, 3, 22)):
        X, Y, Xte = regression_data(n, p, q, 7, seed)
        model = LinearRegression().fit(X, Y)
        with open(os.path.join(OUT, name), "w") as f:
            head(f, "LinearRegression()", (n, p, q, 7), X, Y, Xte)
            f.write(fmt_rows(model.predict(Xte), "%.17g"))
            f.write(fmt_rows(model.coef_.T, "%.17g"))


def n2n_case():
    n, p, q = 40, 12, 5
    X, Y, Xte = regression_data(n, p, q, 6, 31, noise=np.full(q, 2.0))
    X[:, 7] = X[:, 3]      # duplicate feature: tie, the lower index (3) wins
    Xte[:, 7] = Xte[:, 3]
    Y[:, 2] = X[:, 7] * 2.0 + 1.0  # best is the tied pair
    X[:, 5] = 4.25         # constant feature: never chosen
    r = np.array([[scipy.stats.pearsonr(X[:, j], Y[:, t])[0] if np.ptp(X[:, j]) > 0 else -np.inf
                   for t in range(q)] for j in range(p)])
    best = np.argmax(r, axis=0)
    with open(os.path.join(OUT, "n2n.txt"), "w") as f:
        head(f, "neuron-to-neuron reference (scipy pearsonr, numpy argmax)", (n, p, q, 6), X, Y, Xte)
        f.write(" ".join(str(b) for b in best) + "\n")


def splits_and_alphas():
    with open(os.path.join(OUT, "alphas.txt"), "w") as f:
        f.write("# Brain-Score RidgeCV alphas, numpy %s\n" % np.__version__)
        f.write("\n".join("%.17g" % a for a in brainscore_alphas()) + "\n")
    with open(os.path.join(OUT, "kfold.txt"), "w") as f:
        f.write("# sklearn KFold(k) test folds\n")
        for n, k in ((23, 5), (10, 10), (100, 7)):
            f.write("%d %d\n" % (n, k))
            for _, te in KFold(k).split(np.zeros(n)):
                f.write("%d " % len(te) + " ".join(str(i) for i in te) + "\n")


def cv_case(name, n, p, q, k, kind, seed):
    """Full CV pipeline in sklearn: KFold(k), fit on train, Pearson per neuroid on test, nanmedian, mean,
    std(ddof 0)/sqrt(k). Neuroid q-1 is constant (NaN r, skipped and counted); neuroid q-2 has a NaN response:
    it is left out of every fit and its r is NaN (counted)."""
    X, Y, _ = regression_data(n, p, q, 0, seed, noise=np.geomspace(0.5, 3.0, q))
    Y[:, q - 1] = 2.0
    Y[3, q - 2] = np.nan
    ok = np.all(np.isfinite(Y), axis=0)
    meds, nans = [], []
    for tr, te in KFold(k).split(X):
        if kind == "pls":
            model = PLSRegression(n_components=5, scale=False, max_iter=20000, tol=1e-20)
        elif kind == "ridgecv":
            model = RidgeCV(alphas=brainscore_alphas())
        elif kind == "ridge":
            model = Ridge(alpha=10.0)
        else:
            model = LinearRegression()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            pred = np.full((len(te), q), np.nan)
            pred[:, ok] = np.asarray(model.fit(X[tr], Y[tr][:, ok]).predict(X[te])).reshape(len(te), ok.sum())
            r = np.array([scipy.stats.pearsonr(pred[:, j], Y[te, j])[0]
                          if ok[j] and np.ptp(pred[:, j]) > 0 and np.ptp(Y[te, j]) > 0 else np.nan
                          for j in range(q)])
        meds.append(np.nanmedian(r))
        nans.append(int(np.sum(np.isnan(r))))
    meds = np.array(meds)
    with open(os.path.join(OUT, name), "w") as f:
        head(f, "cross-validated %s, KFold(%d)" % (kind, k), (n, p, q, k, kind, 5), X, Y, None)
        f.write("%.17g %.17g\n" % (meds.mean(), meds.std() / np.sqrt(k)))
        for md, nn in zip(meds, nans):
            f.write("%.17g %d\n" % (md, nn))


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
    pls_case("kernel_pls_n40_p60_q5.txt", n=40, p=60, q=5, k=5, m=12, seed=1, converged=True)
    pls_case("kernel_pls_n80_p10_q4.txt", n=80, p=10, q=4, k=5, m=12, seed=2, converged=True)
    pls_case("kernel_pls_n30_p8_q1.txt", n=30, p=8, q=1, k=3, m=10, seed=3, converged=True)
    pls_case("kernel_pls_n50_p70_q6_k25.txt", n=50, p=70, q=6, k=25, m=10, seed=4, converged=True)
    ridge_cases()
    ols_cases()
    n2n_case()
    splits_and_alphas()
    cv_case("cv_pls_n60_p80.txt", 60, 80, 7, 5, "pls", 41)
    cv_case("cv_ridgecv_n60_p80.txt", 60, 80, 7, 5, "ridgecv", 42)
    cv_case("cv_ridge_n60_p80.txt", 60, 80, 7, 5, "ridge", 43)
    cv_case("cv_linear_n60_p10.txt", 60, 10, 7, 5, "linear", 44)
    corr_cases()


if __name__ == "__main__":
    main()

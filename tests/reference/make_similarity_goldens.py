#!/usr/bin/python3
"""Golden reference values for the similarity metrics (tests/unit/metrics/test_similarity.c).

Regenerate from the repository root with Debian's Python (python3-numpy, python3-scipy):
    /usr/bin/python3 tests/reference/make_similarity_goldens.py
Writes tests/reference/fixtures/sim_*.txt. Inputs come from fixed numpy seeds and are written with 6 decimals
(or as integers, to make ties); every reference is computed from the values as written, so the C test and this
script see the same numbers. All references are written here independently of the C code:

  * Spearman: scipy.stats.spearmanr (average ranks for ties).
  * Kendall tau-a: SciPy 1.10 only has tau-b / tau-c, so tau-a is computed with the O(n^2) sign formula
        tau_a = sum_{i<j} sign(a_i - a_j) sign(b_i - b_j) / (n (n - 1) / 2)
    (ties give sign 0, i.e. count as neither concordant nor discordant). Where there are no ties the script
    asserts that it equals scipy.stats.kendalltau (tau-b).
  * RDMs: scipy.spatial.distance.pdist ('correlation', 'euclidean', 'cosine'), upper triangle in squareform order.
  * CKA: biased = ||Yc^T Xc||_F^2 / (||Xc^T Xc||_F ||Yc^T Yc||_F) in feature space (Kornblith et al. 2019, eq. for
    linear CKA with column-centred X, Y); unbiased = HSIC_u of Song et al. 2012, by the brute-force U-statistic
    over all ordered 4-tuples of distinct indices for n = 8 and by the closed form for larger n (the script checks
    that the two agree at n = 8).
  * RSA ceiling (Nili et al. 2014 as rsatoolbox does it): each subject vector is ranked (Spearman, tau-a),
    z-scored (Pearson, population std) or divided by its RMS (cosine) before averaging; upper bound = mean over
    subjects of cmp(subject, mean of all), lower bound = mean of cmp(subject, mean of the others).
  * Voxel noise correction (Tuckute et al. 2023 code, aud_dnn/utils.py ridgeCV_correctedR2, re-implemented):
    reliability = Spearman-Brown(n_rep) of the median over repetition pairs of np.corrcoef, floors 0.182 (data)
    and 0.183 (predictions) via np.nanmax, r < 0 set to 0, r2c = r^2 / (rel_d rel_p), clipped at 1 here.
  * Kriegeskorte et al. 2008 92-image RDMs (../shared/data/kriegeskorte2008, read with scipy.io.loadmat; the data
    are NOT committed, only the reference numbers): Spearman and tau-a between the monkey-IT and human-IT RDMs of
    RDMs_mIT_hIT_fig1, and the ceiling of the 4 human-IT subjects of 92_brainRDMs.mat (each subject = mean of its
    2 sessions, computed in float64 from the float32 RDMs) for Spearman, tau-a and Pearson. Skipped if absent.

File formats (whitespace separated, '#' lines are comments, 'nan' allowed):
  sim_rank.txt  : blocks "rank n rho tau_a", a line of a, a line of b.
  sim_rdm.txt   : "n p", X (n rows of p), Y (n rows of p); then for d in correlation euclidean cosine:
                  "dist NAME", upper triangle of pdist(X) (one line); then "cmp spearman tau_a pearson cosine"
                  between the correlation-distance RDMs of X and Y, on one line.
  sim_cka.txt   : blocks "cka n px py biased unbiased", X (n rows of px), Y (n rows of py).
  sim_rsa.txt   : blocks "rsa S m", S lines of m values, then "spearman up lo", "tau_a up lo", "pearson up lo",
                  "cosine up lo".
  sim_noise.txt : "n_stim n_rep q", Y as n_stim*n_rep lines of q (stimulus-major, then repetition), P same shape
                  (predictions of models fitted on single repetitions), M (n_stim lines of q: prediction of the
                  model fitted on the mean), then 4 lines of q: rel_data, rel_pred, r(M, mean Y), r2c.
  sim_kriegeskorte.txt : "key value" lines.
"""
import itertools
import os

import numpy as np
import scipy
import scipy.io
import scipy.spatial.distance as ssd
import scipy.stats

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "fixtures")
DATA = os.path.join(HERE, "..", "..", "..", "shared", "data", "kriegeskorte2008")
HEAD = "# made by tests/reference/make_similarity_goldens.py (numpy %s, scipy %s)\n" % (np.__version__, scipy.__version__)


def r6(a):
    return np.vectorize(lambda v: float("%.6f" % v))(np.asarray(a, dtype=float))


def line(v, f="%.6f"):
    return " ".join("nan" if np.isnan(x) else f % x for x in np.ravel(v)) + "\n"


def g(x):
    return "nan" if np.isnan(x) else "%.17g" % x


def tau_a(a, b):
    a, b = np.asarray(a, float), np.asarray(b, float)
    n = len(a)
    s = 0.0
    for start in range(0, n, 2000):  # chunks of rows of the sign matrix keep memory small
        sa = np.sign(a[start:start + 2000, None] - a[None, :])
        sb = np.sign(b[start:start + 2000, None] - b[None, :])
        s += np.sum(sa * sb)
    return s / 2.0 / (n * (n - 1) / 2.0)  # the full matrix counts each pair twice


def spearman(a, b):
    if np.all(a == a[0]) or np.all(b == b[0]):
        return np.nan
    return scipy.stats.spearmanr(a, b)[0]


def rank_cases():
    rng = np.random.RandomState(11)
    out = [HEAD]
    cases = []
    for n in (2, 3, 10, 57, 500):  # heavy ties: integers from a small range
        a = rng.randint(0, 5, n).astype(float)
        b = (a + rng.randint(-2, 3, n)).astype(float)
        cases.append((a, b))
    for n in (4, 30, 1000):  # continuous, no ties
        a = r6(rng.randn(n))
        b = r6(0.5 * a + rng.randn(n))
        cases.append((a, b))
        assert abs(tau_a(a, b) - scipy.stats.kendalltau(a, b)[0]) < 1e-12
    a = r6(rng.randn(200)); b = np.round(a * 2) / 2  # ties in b only
    cases.append((a, b))
    cases.append((np.array([1.0, 1.0, 1.0, 1.0]), np.array([1.0, 2.0, 3.0, 4.0])))  # constant: rho NaN, tau_a 0
    cases.append((np.array([3.0, 1.0, 2.0]), np.array([-3.0, -1.0, -2.0])))  # perfect reversal
    for a, b in cases:
        out.append("rank %d %s %s\n" % (len(a), g(spearman(a, b)), g(tau_a(a, b))))
        out.append(line(a))
        out.append(line(b))
    with open(os.path.join(OUT, "sim_rank.txt"), "w") as f:
        f.writelines(out)


def rdm_cases():
    rng = np.random.RandomState(12)
    n, p = 13, 37
    Z = rng.randn(n, 3)
    X = r6(Z @ rng.randn(3, p) + rng.randn(n, p) + 2.0)
    Y = r6(Z @ rng.randn(3, p) + 1.5 * rng.randn(n, p) - 1.0)
    out = [HEAD, "%d %d\n" % (n, p)]
    out += [line(r) for r in X] + [line(r) for r in Y]
    for d in ("correlation", "euclidean", "cosine"):
        out.append("dist %s\n" % d)
        out.append(line(ssd.pdist(X, d), "%.17g"))
    a, b = ssd.pdist(X, "correlation"), ssd.pdist(Y, "correlation")
    cos = a @ b / np.sqrt((a @ a) * (b @ b))
    out.append("cmp %s %s %s %s\n" % (g(scipy.stats.spearmanr(a, b)[0]), g(tau_a(a, b)),
                                      g(scipy.stats.pearsonr(a, b)[0]), g(cos)))
    with open(os.path.join(OUT, "sim_rdm.txt"), "w") as f:
        f.writelines(out)


def cka_biased(X, Y):
    Xc, Yc = X - X.mean(0), Y - Y.mean(0)
    return np.linalg.norm(Yc.T @ Xc) ** 2 / (np.linalg.norm(Xc.T @ Xc) * np.linalg.norm(Yc.T @ Yc))


def hsic_u_closed(K, L):
    n = K.shape[0]
    Kt, Lt = K - np.diag(np.diag(K)), L - np.diag(np.diag(L))
    one = np.ones(n)
    return (np.trace(Kt @ Lt) + (one @ Kt @ one) * (one @ Lt @ one) / ((n - 1) * (n - 2))
            - 2.0 / (n - 2) * (one @ Kt @ Lt @ one)) / (n * (n - 3))


def hsic_u_brute(K, L):
    """Song et al. 2012: (n-4)!/n! sum over distinct (i,j,q,r) of h, h = 1/24 sum over the orderings (s,t,u,v)
    of K_st L_st + K_st L_uv - 2 K_st L_su."""
    n = K.shape[0]
    tot = 0.0
    for tup in itertools.permutations(range(n), 4):
        h = 0.0
        for s, t, u, v in itertools.permutations(tup):
            h += K[s, t] * L[s, t] + K[s, t] * L[u, v] - 2.0 * K[s, t] * L[s, u]
        tot += h / 24.0
    return tot / (n * (n - 1) * (n - 2) * (n - 3))


def cka_unbiased(X, Y, brute=False):
    K, L = X @ X.T, Y @ Y.T
    f = hsic_u_brute if brute else hsic_u_closed
    return f(K, L) / np.sqrt(f(K, K) * f(L, L))


def cka_cases():
    rng = np.random.RandomState(13)
    out = [HEAD]
    for n, px, py, brute in ((8, 5, 3, True), (30, 20, 7, False), (100, 50, 120, False)):
        Z = rng.randn(n, 2)
        X = r6(Z @ rng.randn(2, px) + 0.7 * rng.randn(n, px) + 0.5)
        Y = r6(Z @ rng.randn(2, py) + rng.randn(n, py) - 1.0)
        ub = cka_unbiased(X, Y, brute)
        if brute:
            assert abs(ub - cka_unbiased(X, Y, False)) < 1e-10, "closed form and U-statistic disagree"
        out.append("cka %d %d %d %s %s\n" % (n, px, py, g(cka_biased(X, Y)), g(ub)))
        out += [line(r) for r in X] + [line(r) for r in Y]
    with open(os.path.join(OUT, "sim_cka.txt"), "w") as f:
        f.writelines(out)


def pool(V, kind):
    if kind in ("spearman", "tau_a"):
        W = np.array([scipy.stats.rankdata(v) for v in V])
    elif kind == "pearson":
        W = (V - V.mean(1, keepdims=True)) / V.std(1, keepdims=True)
    else:
        W = V / np.sqrt(np.mean(V ** 2, 1, keepdims=True))
    return W


def compare(a, b, kind):
    if kind == "spearman":
        return scipy.stats.spearmanr(a, b)[0]
    if kind == "tau_a":
        return tau_a(a, b)
    if kind == "pearson":
        return scipy.stats.pearsonr(a, b)[0]
    return a @ b / np.sqrt((a @ a) * (b @ b))


def ceiling(V, kind):
    W = pool(V, kind)
    S = V.shape[0]
    up = np.mean([compare(V[s], W.mean(0), kind) for s in range(S)])
    lo = np.mean([compare(V[s], np.delete(W, s, 0).mean(0), kind) for s in range(S)])
    return up, lo


def rsa_cases():
    rng = np.random.RandomState(14)
    out = [HEAD]
    for S, m, ties in ((2, 15, False), (5, 45, False), (4, 66, True)):
        true = rng.rand(m) * 2
        V = true[None, :] + 0.6 * rng.randn(S, m) + 3.0
        V = np.round(V * 2) / 2 if ties else r6(V)
        out.append("rsa %d %d\n" % (S, m))
        out += [line(v) for v in V]
        for kind in ("spearman", "tau_a", "pearson", "cosine"):
            up, lo = ceiling(V, kind)
            out.append("%s %s %s\n" % (kind, g(up), g(lo)))
    with open(os.path.join(OUT, "sim_rsa.txt"), "w") as f:
        f.writelines(out)


def reliability(Y):
    """Y (n_stim, n_rep) -> Spearman-Brown corrected median pairwise correlation."""
    n_rep = Y.shape[1]
    rs = [np.corrcoef(Y[:, a], Y[:, b])[1, 0] for a, b in itertools.combinations(range(n_rep), 2)]
    med = np.nanmedian(rs)
    return n_rep * med / (1 + (n_rep - 1) * med)


def noise_cases():
    rng = np.random.RandomState(15)
    n, R, q = 40, 3, 6
    sig = rng.randn(n, q)
    noise_sd = np.array([0.3, 1.0, 2.0, 5.0, 0.5, 1.0])
    Y = r6(sig[:, None, :] + noise_sd[None, None, :] * rng.randn(n, R, q))
    fit = 0.7 * sig + 0.5 * rng.randn(n, q)  # what the model captures
    P = r6(fit[:, None, :] + 0.4 * rng.randn(n, R, q))
    M = r6(fit + 0.2 * rng.randn(n, q))
    M[:, 5] = -M[:, 5]  # one voxel with r < 0
    rd = np.array([reliability(Y[:, :, v]) for v in range(q)])
    rp = np.array([reliability(P[:, :, v]) for v in range(q)])
    r = np.array([np.corrcoef(M[:, v], Y[:, :, v].mean(1))[1, 0] for v in range(q)])
    rv = np.array([np.nanmax([x, 0.182]) for x in rd])
    rvh = np.array([np.nanmax([x, 0.183]) for x in rp])
    r2c = np.minimum(np.maximum(r, 0) ** 2 / (rv * rvh), 1.0)
    out = [HEAD, "%d %d %d\n" % (n, R, q)]
    out += [line(Y[i, k]) for i in range(n) for k in range(R)]
    out += [line(P[i, k]) for i in range(n) for k in range(R)]
    out += [line(M[i]) for i in range(n)]
    for v in (rd, rp, r, r2c):
        out.append(line(v, "%.17g"))
    with open(os.path.join(OUT, "sim_noise.txt"), "w") as f:
        f.writelines(out)


def kriegeskorte():
    path = os.path.join(DATA, "Kriegeskorte_Neuron2008_supplementalData.mat")
    if not os.path.exists(path):
        print("skip sim_kriegeskorte.txt: %s not found" % DATA)
        return
    fig1 = scipy.io.loadmat(path)["RDMs_mIT_hIT_fig1"]
    assert fig1[0, 0]["name"][0] == "mIT_674neurons" and fig1[0, 1]["name"][0] == "hITvisStim_316vx"
    mit = fig1[0, 0]["RDM"].ravel().astype(np.float64)
    hit = fig1[0, 1]["RDM"].ravel().astype(np.float64)
    brain = scipy.io.loadmat(os.path.join(DATA, "92_brainRDMs.mat"))["RDMs"]  # (1, 4 subjects, 2 sessions)
    subj = []
    for s in range(4):
        a = brain[0, s, 0]["RDM"].astype(np.float64)
        b = brain[0, s, 1]["RDM"].astype(np.float64)
        subj.append(ssd.squareform((a + b) / 2.0, checks=False))
    V = np.array(subj)
    out = [HEAD, "# Kriegeskorte et al. 2008, rsatoolbox demo data (not committed; see ../shared/data)\n",
           "mit_hit_spearman %s\n" % g(scipy.stats.spearmanr(mit, hit)[0]),
           "mit_hit_tau_a %s\n" % g(tau_a(mit, hit)),
           "mit_hit_pearson %s\n" % g(scipy.stats.pearsonr(mit, hit)[0])]
    for kind in ("spearman", "tau_a", "pearson"):
        up, lo = ceiling(V, kind)
        out.append("hit4_ceiling_%s_upper %s\nhit4_ceiling_%s_lower %s\n" % (kind, g(up), kind, g(lo)))
    with open(os.path.join(OUT, "sim_kriegeskorte.txt"), "w") as f:
        f.writelines(out)


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    rank_cases()
    rdm_cases()
    cka_cases()
    rsa_cases()
    noise_cases()
    kriegeskorte()

/* Unit tests for the regression engine: kernel (n x n) form of PLS and ridge / RidgeCV, least squares,
 * neuron-to-neuron, K-fold splits and the CV driver, against scikit-learn fixtures made by
 * tests/reference/make_goldens.py, plus properties (kernel = direct X X', arrangement independent of history,
 * kernel PLS = converged primal PLS, ridge with alpha -> 0 = least squares, split order independence). */
#include <cblas.h>
#include <check.h>
#include <lapacke.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_corr.h"
#include "cb_fs.h"
#include "cb_kernel.h"
#include "cb_pls.h"
#include "cb_predictivity.h"
#include "cb_regress.h"
#include "cb_ridge.h"
#include "cb_ridge_screen.h"
#include "cb_rng.h"
#include "cb_splits.h"

#define FIXDIR "tests/reference/fixtures/"

/* ---- fixture reader: whitespace-separated numbers and words, '#' lines skipped ---- */
#include "cb_test_fixture.h"
#include "cb_test_main.h"

static int next_int(reader *r) { return (int)next_double(r); }

static double *read_matrix(reader *r, int rows, int cols) {
  double *a = malloc(sizeof *a * ((size_t)rows * cols + 1));
  ck_assert_ptr_nonnull(a);
  for (size_t i = 0; i < (size_t)rows * cols; ++i) a[i] = next_double(r);
  return a;
}

/* |a - b| <= rtol * max(|b|, floor) elementwise, floor = 1e-3 * max|b| (guards near-zero entries) */
static void assert_close(const double *a, const double *b, size_t n, double rtol, const char *what) {
  double bmax = 0.0;
  for (size_t i = 0; i < n; ++i) bmax = fmax(bmax, fabs(b[i]));
  for (size_t i = 0; i < n; ++i) {
    double tol = rtol * fmax(fabs(b[i]), 1e-3 * bmax);
    ck_assert_msg(fabs(a[i] - b[i]) <= tol, "%s[%zu]: got %.12g expected %.12g", what, i, a[i], b[i]);
  }
}

/* K (n+m, n+m) = Z Z' with Z = [Xtr; Xte] (naive, double): the kernel layout of the kernel regressions. */
static double *stacked_kernel(const double *Xtr, int n, const double *Xte, int m, int p) {
  int N = n + m;
  double *Z = malloc(sizeof *Z * (size_t)N * p), *K = malloc(sizeof *K * (size_t)N * N);
  memcpy(Z, Xtr, sizeof *Z * (size_t)n * p);
  if (m) memcpy(Z + (size_t)n * p, Xte, sizeof *Z * (size_t)m * p);
  for (int i = 0; i < N; ++i)
    for (int j = 0; j < N; ++j) {
      double s = 0.0;
      for (int k = 0; k < p; ++k) s += Z[(size_t)i * p + k] * Z[(size_t)j * p + k];
      K[(size_t)i * N + j] = s;
    }
  free(Z);
  return K;
}

/* coef (p, q) = (Xtr - xbar)' beta */
static double *primal_coef(const double *Xtr, int n, int p, const double *beta, int q) {
  double *xm = calloc((size_t)p, sizeof *xm), *coef = calloc((size_t)p * q, sizeof *coef);
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < p; ++j) xm[j] += Xtr[(size_t)i * p + j] / n;
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < p; ++j)
      for (int t = 0; t < q; ++t) coef[(size_t)j * q + t] += (Xtr[(size_t)i * p + j] - xm[j]) * beta[(size_t)i * q + t];
  free(xm);
  return coef;
}

/* ---------------------------------------------------------------- kernel object */

START_TEST(test_kernel_matches_direct_and_arranges) {
  const int n = 37, p = 600; /* 3 feature blocks, the last partial */
  float *X = malloc(sizeof *X * n * p);
  cb_rng rng;
  cb_rng_seed(&rng, 5);
  for (int i = 0; i < n * p; ++i) X[i] = (float)(cb_rng_normal(&rng) + 10.0 + (i % p) * 0.01); /* large means */
  double *Xc = malloc(sizeof *Xc * n * p), xm[600] = {0};
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < p; ++j) xm[j] += (double)X[i * p + j] / n;
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < p; ++j) Xc[i * p + j] = (double)X[i * p + j] - xm[j];
  double *Kref = stacked_kernel(Xc, n, NULL, 0, p);
  cb_kernel *k = NULL;
  ck_assert_int_eq(cb_kernel_create(X, n, p, &k), CB_OK);
  ck_assert_int_eq(cb_kernel_n(k), n);
  assert_close(cb_kernel_data(k), Kref, (size_t)n * n, 1e-10, "K");

  /* arrangement: entry (i, j) = K(order[i], order[j]); independent of earlier arrangements */
  int first[20];
  for (int i = 0; i < 20; ++i) first[i] = (i * 11 + 3) % n;
  double *K0 = malloc(sizeof *K0 * n * n);
  memcpy(K0, cb_kernel_data(k), sizeof *K0 * n * n);
  int other[5] = {36, 0, 1, 2, 30};
  ck_assert_int_eq(cb_kernel_arrange(k, other, 5), CB_OK);
  ck_assert_int_eq(cb_kernel_arrange(k, first, 20), CB_OK);
  const int *ord = cb_kernel_order(k);
  for (int i = 0; i < 20; ++i) ck_assert_int_eq(ord[i], first[i]);
  for (int i = 21; i < n; ++i) ck_assert_int_lt(ord[i - 1], ord[i]); /* rest ascending */
  const double *K = cb_kernel_data(k);
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n; ++j) ck_assert(K[i * n + j] == K0[ord[i] * n + ord[j]]);
  ck_assert_int_eq(cb_kernel_arrange(k, NULL, 0), CB_OK); /* back to the identity */
  ck_assert_int_eq(memcmp(cb_kernel_data(k), K0, sizeof *K0 * n * n), 0);
  other[1] = 36; /* repeated index */
  ck_assert_int_eq(cb_kernel_arrange(k, other, 5), CB_ERR_ARG);
  cb_kernel_destroy(&k);
  ck_assert_ptr_null(k);
  cb_kernel_destroy(NULL);
  X[5] = NAN;
  ck_assert_int_eq(cb_kernel_create(X, n, p, &k), CB_ERR_NUMERIC);
  ck_assert_ptr_nonnull(strstr(cb_error_message(), "stimulus 0, feature 5"));
  free(K0);
  free(Kref);
  free(Xc);
  free(X);
}
END_TEST

/* ---------------------------------------------------------------- kernel PLS */

static void check_kernel_pls_fixture(const char *path) {
  reader r;
  reader_open(&r, path);
  int n = next_int(&r), p = next_int(&r), q = next_int(&r), k = next_int(&r), m = next_int(&r);
  int k_used = next_int(&r);
  double *X = read_matrix(&r, n, p), *Y = read_matrix(&r, n, q), *Xt = read_matrix(&r, m, p);
  double *ref = read_matrix(&r, m, q), *refcoef = read_matrix(&r, p, q);
  double *K = stacked_kernel(X, n, Xt, m, p);
  double *Yhat = malloc(sizeof *Yhat * m * q), *beta = malloc(sizeof *beta * n * q);
  int used = -1;
  ck_assert_int_eq(cb_pls_kernel_fit_predict(K, n + m, n, m, Y, q, k, Yhat, beta, &used), CB_OK);
  ck_assert_int_eq(used, k_used);
  assert_close(Yhat, ref, (size_t)m * q, 1e-5, path);
  double *coef = primal_coef(X, n, p, beta, q);
  assert_close(coef, refcoef, (size_t)p * q, 1e-5, "kernel PLS coef");
  free(coef);
  free(beta);
  free(Yhat);
  free(K);
  free(X);
  free(Y);
  free(Xt);
  free(ref);
  free(refcoef);
  free(r.text);
}

START_TEST(test_kernel_pls_sklearn_n_lt_p) { check_kernel_pls_fixture(FIXDIR "kernel_pls_n40_p60_q5.txt"); }
END_TEST
START_TEST(test_kernel_pls_sklearn_n_gt_p) { check_kernel_pls_fixture(FIXDIR "kernel_pls_n80_p10_q4.txt"); }
END_TEST
START_TEST(test_kernel_pls_sklearn_single_target) { check_kernel_pls_fixture(FIXDIR "kernel_pls_n30_p8_q1.txt"); }
END_TEST
START_TEST(test_kernel_pls_sklearn_25_components) {
  check_kernel_pls_fixture(FIXDIR "kernel_pls_n50_p70_q6_k25.txt");
}
END_TEST

/* Kernel PLS = primal NIPALS run to convergence, on data with a constant shift of all rows (K shift-invariant) */
START_TEST(test_kernel_pls_equals_converged_primal) {
  const int n = 45, m = 7, p = 90, q = 8, k = 6;
  double *X = malloc(sizeof *X * (n + m) * p), *Y = malloc(sizeof *Y * n * q);
  cb_rng rng;
  cb_rng_seed(&rng, 17);
  double lat[52 * 3];
  for (int i = 0; i < (n + m) * 3; ++i) lat[i] = cb_rng_normal(&rng);
  for (int i = 0; i < n + m; ++i)
    for (int j = 0; j < p; ++j) X[i * p + j] = lat[i * 3 + j % 3] * (1 + j % 5) + 0.3 * cb_rng_normal(&rng) + 100.0;
  for (int i = 0; i < n; ++i)
    for (int t = 0; t < q; ++t) Y[i * q + t] = lat[i * 3 + t % 3] * (t + 1) + 0.5 * cb_rng_normal(&rng);
  double *K = stacked_kernel(X, n, X + n * p, m, p);
  double *Yk = malloc(sizeof *Yk * m * q), *Yp = malloc(sizeof *Yp * m * q);
  ck_assert_int_eq(cb_pls_kernel_fit_predict(K, n + m, n, m, Y, q, k, Yk, NULL, NULL), CB_OK);
  cb_pls *model = NULL;
  ck_assert_int_eq(cb_pls_fit(X, Y, n, p, q, k, 100000, 1e-28, &model), CB_OK);
  ck_assert_int_eq(cb_pls_predict(model, X + n * p, m, Yp), CB_OK);
  assert_close(Yk, Yp, (size_t)m * q, 1e-7, "kernel vs primal");
  cb_pls_destroy(&model);
  /* constant Y: no component, prediction = mean */
  for (int i = 0; i < n * q; ++i) Y[i] = 4.0;
  int used = -1;
  ck_assert_int_eq(cb_pls_kernel_fit_predict(K, n + m, n, m, Y, q, k, Yk, NULL, &used), CB_OK);
  ck_assert_int_eq(used, 0);
  for (int i = 0; i < m * q; ++i) ck_assert_double_eq_tol(Yk[i], 4.0, 1e-12);
  Y[3] = NAN;
  ck_assert_int_eq(cb_pls_kernel_fit_predict(K, n + m, n, m, Y, q, k, Yk, NULL, NULL), CB_ERR_NUMERIC);
  ck_assert_int_eq(cb_pls_kernel_fit_predict(K, n + m, n, m, Y, q, 0, Yk, NULL, NULL), CB_ERR_ARG);
  free(K);
  free(Yk);
  free(Yp);
  free(X);
  free(Y);
}
END_TEST

/* Batched kernel PLS over several splits of one full kernel = the single-split kernel PLS of each split (stacked
 * kernel, own centring), with overlapping splits, unsorted indices and large row offsets; a split's result is bitwise
 * the same whether it runs alone or with others (in any order); bad splits are rejected by index. */
START_TEST(test_kernel_pls_multi_equals_single) {
  const int N = 64, p = 90, q = 7, S = 4, k = 6;
  double *X = malloc(sizeof *X * N * p), *Y = malloc(sizeof *Y * N * q);
  cb_rng rng;
  cb_rng_seed(&rng, 41);
  for (int i = 0; i < N * p; ++i) X[i] = cb_rng_normal(&rng) + 50.0;
  for (int i = 0; i < N; ++i)
    for (int t = 0; t < q; ++t) Y[i * q + t] = X[i * p + t] - X[i * p + t + 7] + 0.7 * cb_rng_normal(&rng) + 20.0;
  for (int i = 0; i < N; ++i) Y[i * q + 5] = 3.0; /* a constant neuroid */
  double *K = stacked_kernel(X, N, NULL, 0, p);
  int ntr[4] = {50, 40, 57, 25}, nte[4] = {14, 9, 7, 20}; /* split 3: complement > training set */
  int *tr[4], *te[4];
  double *Yh[4], *Yh1[4], *du[4];
  cb_kernel_split sp[4];
  for (int s = 0; s < S; ++s) {
    size_t pz[64];
    int perm[64];
    for (int i = 0; i < N; ++i) pz[i] = (size_t)i;
    cb_rng_shuffle(&rng, pz, N);
    for (int i = 0; i < N; ++i) perm[i] = (int)pz[i];
    tr[s] = malloc(sizeof(int) * ntr[s]);
    te[s] = malloc(sizeof(int) * nte[s]);
    memcpy(tr[s], perm, sizeof(int) * ntr[s]);
    memcpy(te[s], perm + ntr[s], sizeof(int) * nte[s]); /* test rows: some of the rest, not all */
    Yh[s] = malloc(sizeof(double) * nte[s] * q);
    Yh1[s] = malloc(sizeof(double) * nte[s] * q);
    du[s] = malloc(sizeof(double) * ntr[s] * q);
    sp[s] = (cb_kernel_split){tr[s], ntr[s], te[s], nte[s], Yh[s], du[s], -1};
  }
  ck_assert_int_eq(cb_pls_kernel_multi(K, N, N, N, Y, q, k, sp, S), CB_OK);
  for (int s = 0; s < S; ++s) {
    /* reference: stacked kernel of this split's rows, training first */
    double *Xtr = malloc(sizeof *Xtr * ntr[s] * p), *Xte = malloc(sizeof *Xte * nte[s] * p);
    double *Ytr = malloc(sizeof *Ytr * ntr[s] * q), *ref = malloc(sizeof *ref * nte[s] * q);
    double *dref = malloc(sizeof *dref * ntr[s] * q);
    for (int i = 0; i < ntr[s]; ++i) {
      memcpy(Xtr + i * p, X + tr[s][i] * p, sizeof *Xtr * p);
      memcpy(Ytr + i * q, Y + tr[s][i] * q, sizeof *Ytr * q);
    }
    for (int i = 0; i < nte[s]; ++i) memcpy(Xte + i * p, X + te[s][i] * p, sizeof *Xte * p);
    double *Ks = stacked_kernel(Xtr, ntr[s], Xte, nte[s], p);
    int used = -1;
    ck_assert_int_eq(cb_pls_kernel_fit_predict(Ks, ntr[s] + nte[s], ntr[s], nte[s], Ytr, q, k, ref, dref, &used),
                     CB_OK);
    ck_assert_int_eq(sp[s].n_used, used);
    assert_close(Yh[s], ref, (size_t)nte[s] * q, 1e-8, "multi vs single Yhat");
    assert_close(du[s], dref, (size_t)ntr[s] * q, 1e-7, "multi vs single dual");
    /* alone, with the others: the same up to the BLAS's shape-dependent rounding (bitwise with OpenBLAS's SkylakeX
     * kernels; its Haswell dgemm rounds a row differently when the number of rows changes) */
    cb_kernel_split one = {tr[s], ntr[s], te[s], nte[s], Yh1[s], NULL, -1};
    ck_assert_int_eq(cb_pls_kernel_multi(K, N, N, N, Y, q, k, &one, 1), CB_OK);
    assert_close(Yh1[s], Yh[s], (size_t)nte[s] * q, 1e-10, "split alone vs batched");
    free(Ks);
    free(dref);
    free(ref);
    free(Ytr);
    free(Xte);
    free(Xtr);
  }
  cb_kernel_split rev[4];
  for (int s = 0; s < S; ++s) rev[s] = (cb_kernel_split){tr[S - 1 - s], ntr[S - 1 - s], te[S - 1 - s], nte[S - 1 - s],
                                                        Yh1[S - 1 - s], NULL, -1};
  ck_assert_int_eq(cb_pls_kernel_multi(K, N, N, N, Y, q, k, rev, S), CB_OK);
  for (int s = 0; s < S; ++s) ck_assert_int_eq(memcmp(Yh1[s], Yh[s], sizeof(double) * nte[s] * q), 0);
  /* errors name the split */
  tr[2][3] = tr[2][4];
  ck_assert_int_eq(cb_pls_kernel_multi(K, N, N, N, Y, q, k, sp, S), CB_ERR_ARG);
  ck_assert_ptr_nonnull(strstr(cb_error_message(), "split 2"));
  tr[2][3] = N;
  ck_assert_int_eq(cb_pls_kernel_multi(K, N, N, N, Y, q, k, sp, S), CB_ERR_ARG);
  ck_assert_int_eq(cb_pls_kernel_multi(K, N, N, N, Y, q, 0, sp, S), CB_ERR_ARG);
  Y[3] = INFINITY;
  ck_assert_int_eq(cb_pls_kernel_multi(K, N, N, N, Y, q, k, sp, 1), CB_ERR_NUMERIC);
  for (int s = 0; s < S; ++s) {
    free(tr[s]);
    free(te[s]);
    free(Yh[s]);
    free(Yh1[s]);
    free(du[s]);
  }
  free(K);
  free(X);
  free(Y);
}
END_TEST

/* ---------------------------------------------------------------- ridge */

START_TEST(test_brainscore_alphas) {
  double a[CB_BRAINSCORE_N_ALPHAS];
  cb_brainscore_alphas(a);
  reader r;
  reader_open(&r, FIXDIR "alphas.txt");
  for (int i = 0; i < CB_BRAINSCORE_N_ALPHAS; ++i) {
    double ref = next_double(&r);
    ck_assert_msg(fabs(a[i] - ref) <= 1e-15 * ref, "alpha %d: %.17g vs numpy %.17g", i, a[i], ref);
  }
  ck_assert_ptr_null(next_token(&r)); /* exactly 99 */
  for (int i = 1; i < CB_BRAINSCORE_N_ALPHAS; ++i) ck_assert(a[i] > a[i - 1]);
  free(r.text);
}
END_TEST

START_TEST(test_ridge_every_alpha_sklearn) {
  reader r;
  reader_open(&r, FIXDIR "ridge_fixed.txt");
  int n = next_int(&r), p = next_int(&r), q = next_int(&r), m = next_int(&r), na = next_int(&r);
  ck_assert_int_eq(na, CB_BRAINSCORE_N_ALPHAS);
  double *X = read_matrix(&r, n, p), *Y = read_matrix(&r, n, q), *Xt = read_matrix(&r, m, p);
  double *K = stacked_kernel(X, n, Xt, m, p), *Yhat = malloc(sizeof *Yhat * m * q);
  double grid[CB_BRAINSCORE_N_ALPHAS];
  cb_brainscore_alphas(grid);
  for (int a = 0; a < na; ++a) {
    char *w = next_token(&r);
    ck_assert_str_eq(w, "alpha");
    double alpha = next_double(&r);
    ck_assert_double_eq_tol(alpha, grid[a], 1e-15 * grid[a]);
    double *ref = read_matrix(&r, m, q);
    ck_assert_int_eq(cb_ridge_kernel_fit_predict(K, n + m, n, m, Y, q, &alpha, 1, 0, Yhat, NULL, NULL), CB_OK);
    char what[64];
    snprintf(what, sizeof what, "ridge alpha %g", alpha);
    assert_close(Yhat, ref, (size_t)m * q, 1e-5, what);
    free(ref);
  }
  free(Yhat);
  free(K);
  free(X);
  free(Y);
  free(Xt);
  free(r.text);
}
END_TEST

static void check_ridgecv_fixture(const char *path) {
  reader r;
  reader_open(&r, path);
  int n = next_int(&r), p = next_int(&r), q = next_int(&r), m = next_int(&r), na = next_int(&r);
  int per = next_int(&r);
  double *X = read_matrix(&r, n, p), *Y = read_matrix(&r, n, q), *al = read_matrix(&r, 1, na);
  double *Xt = read_matrix(&r, m, p), *ref = read_matrix(&r, m, q), *refcoef = read_matrix(&r, p, q);
  double *refalpha = read_matrix(&r, 1, q);
  double *K = stacked_kernel(X, n, Xt, m, p), *Yhat = malloc(sizeof *Yhat * m * q);
  double *beta = malloc(sizeof *beta * n * q), *alpha = malloc(sizeof *alpha * q);
  ck_assert_int_eq(cb_ridge_kernel_fit_predict(K, n + m, n, m, Y, q, al, na, per, Yhat, alpha, beta), CB_OK);
  for (int t = 0; t < q; ++t)
    ck_assert_msg(alpha[t] == refalpha[t], "%s: target %d alpha %g, sklearn %g", path, t, alpha[t], refalpha[t]);
  assert_close(Yhat, ref, (size_t)m * q, 1e-5, path);
  double *coef = primal_coef(X, n, p, beta, q);
  assert_close(coef, refcoef, (size_t)p * q, 1e-5, "ridgecv coef");
  free(coef);
  free(alpha);
  free(beta);
  free(Yhat);
  free(K);
  free(refalpha);
  free(refcoef);
  free(ref);
  free(Xt);
  free(al);
  free(Y);
  free(X);
  free(r.text);
}

START_TEST(test_ridgecv_shared_sklearn) { check_ridgecv_fixture(FIXDIR "ridgecv_n40_p70_shared.txt"); }
END_TEST
START_TEST(test_ridgecv_per_target_sklearn) { check_ridgecv_fixture(FIXDIR "ridgecv_n40_p70_per_target.txt"); }
END_TEST
START_TEST(test_ridgecv_n_gt_p_sklearn) { check_ridgecv_fixture(FIXDIR "ridgecv_n60_p20_per_target.txt"); }
END_TEST
START_TEST(test_ridgecv_user_alphas_sklearn) { check_ridgecv_fixture(FIXDIR "ridgecv_user_alphas.txt"); }
END_TEST

/* The low-rank screen of the alpha grid (cb_ridge_screen.h) must choose exactly the alphas of the full exact loop:
 * same alphas, bitwise the same fit when alpha is shared (the chosen alpha's coefficients come from the same exact
 * code), 1e-12 per target (computed on column subsets). Grids: Brain-Score's 99, a wide logspace, and one with
 * repeated values (exact ties: the earlier alpha must win in both paths). */
static void screen_vs_exact(int n, int m, int p, int q, const double *al, int na, int per, unsigned seed) {
  double *X = malloc(sizeof *X * (size_t)(n + m) * p), *Y = malloc(sizeof *Y * (size_t)n * q);
  double *Z = malloc(sizeof *Z * (size_t)(n + m) * 5);
  cb_rng rng;
  cb_rng_seed(&rng, seed);
  for (int i = 0; i < (n + m) * 5; ++i) Z[i] = cb_rng_normal(&rng);
  for (int i = 0; i < n + m; ++i) /* 5 latent factors + noise, non-negative like ReLU features */
    for (int j = 0; j < p; ++j) {
      double v = 0.3 * cb_rng_normal(&rng);
      for (int f = 0; f < 5; ++f) v += Z[i * 5 + f] * sin(1.0 + f * 0.7 + j * 0.13 * (f + 1));
      X[(size_t)i * p + j] = v > 0 ? v : 0.0;
    }
  for (int i = 0; i < n; ++i)
    for (int t = 0; t < q; ++t)
      Y[(size_t)i * q + t] = Z[i * 5 + t % 5] * (1.0 + 0.1 * t) + (0.2 + 0.3 * (t % 4)) * cb_rng_normal(&rng);
  double *K = stacked_kernel(X, n, X + (size_t)n * p, m, p);
  double *Y1 = malloc(sizeof *Y1 * (size_t)m * q), *Y0 = malloc(sizeof *Y0 * (size_t)m * q);
  double *d1 = malloc(sizeof *d1 * (size_t)n * q), *d0 = malloc(sizeof *d0 * (size_t)n * q);
  double *a1 = malloc(sizeof *a1 * (size_t)q), *a0 = malloc(sizeof *a0 * (size_t)q);
  int used = -1;
  ck_assert_int_eq(cb_ridge__fit_predict(NULL, K, n + m, n, m, Y, q, al, na, per, 1, Y1, a1, d1, &used), CB_OK);
  ck_assert_msg(used == 1, "the screen was not used (seed %u)", seed);
  ck_assert_int_eq(cb_ridge__fit_predict(NULL, K, n + m, n, m, Y, q, al, na, per, 0, Y0, a0, d0, &used), CB_OK);
  ck_assert_int_eq(used, 0);
  int distinct = 0;
  for (int t = 0; t < q; ++t) {
    ck_assert_msg(a1[t] == a0[t], "target %d: screened alpha %g, exact %g", t, a1[t], a0[t]);
    distinct += t > 0 && a0[t] != a0[t - 1];
  }
  if (per) ck_assert_msg(distinct > 0, "per-target grid should pick different alphas for different targets");
  if (!per) {
    ck_assert_int_eq(memcmp(Y1, Y0, sizeof *Y1 * (size_t)m * q), 0);
    ck_assert_int_eq(memcmp(d1, d0, sizeof *d1 * (size_t)n * q), 0);
  } else {
    assert_close(Y1, Y0, (size_t)m * q, 1e-12, "screened vs exact Yhat");
    assert_close(d1, d0, (size_t)n * q, 1e-12, "screened vs exact dual");
  }
  free(a0);
  free(a1);
  free(d0);
  free(d1);
  free(Y0);
  free(Y1);
  free(K);
  free(Z);
  free(Y);
  free(X);
}

START_TEST(test_ridgecv_screen_equals_exact) {
  double bs[CB_BRAINSCORE_N_ALPHAS], lg[100], dup[12] = {0.5, 1, 1, 10, 30, 30, 100, 300, 300, 1000, 1e4, 1e4};
  cb_brainscore_alphas(bs);
  for (int i = 0; i < 100; ++i) lg[i] = pow(10.0, -6.0 + 12.0 * i / 99.0);
  screen_vs_exact(150, 20, 400, 24, bs, CB_BRAINSCORE_N_ALPHAS, 0, 1);
  screen_vs_exact(150, 20, 400, 24, bs, CB_BRAINSCORE_N_ALPHAS, 1, 2);
  screen_vs_exact(90, 10, 60, 7, lg, 100, 1, 3);
  screen_vs_exact(90, 10, 60, 7, lg, 100, 0, 4);
  screen_vs_exact(80, 10, 200, 9, dup, 12, 0, 5);
  screen_vs_exact(80, 10, 200, 9, dup, 12, 1, 6);
}
END_TEST

/* The screen's approximate leave-one-out errors agree with the exact ones far inside the candidate window. */
START_TEST(test_ridge_screen_rank_and_accuracy) {
  const int n = 120, q = 5, A = CB_BRAINSCORE_N_ALPHAS;
  double al[CB_BRAINSCORE_N_ALPHAS];
  cb_brainscore_alphas(al);
  double *E = malloc(sizeof *E * n * n), *lam = malloc(sizeof *lam * n), *W = malloc(sizeof *W * A * n);
  double *QtY = malloc(sizeof *QtY * n * q), *D = calloc((size_t)A * n, sizeof *D), *ea = malloc(sizeof *ea * A * q);
  cb_rng rng;
  cb_rng_seed(&rng, 9);
  /* an orthogonal E from the eigenvectors of a random symmetric matrix; spectrum spread over 1e-3 .. 1e6 */
  for (int i = 0; i < n; ++i)
    for (int j = 0; j <= i; ++j) E[i * n + j] = E[j * n + i] = cb_rng_normal(&rng);
  double *ev = malloc(sizeof *ev * n);
  ck_assert_int_eq(LAPACKE_dsyev(LAPACK_ROW_MAJOR, 'V', 'U', n, E, n, ev), 0);
  for (int k = 0; k < n; ++k) lam[k] = pow(10.0, -3.0 + 9.0 * k / (n - 1));
  for (int a = 0; a < A; ++a)
    for (int k = 0; k < n; ++k) W[a * n + k] = 1.0 / (lam[k] + al[a]);
  for (int i = 0; i < n * q; ++i) QtY[i] = cb_rng_normal(&rng) * sqrt(lam[i / q]);
  for (int a = 0; a < A; ++a)
    for (int i = 0; i < n; ++i)
      for (int k = 0; k < n; ++k) D[a * n + i] += E[i * n + k] * E[i * n + k] * W[a * n + k]; /* Q = E here */
  int R = -1;
  /* the screen takes E with eigenvectors as rows (Q' = E'); pass E' so that Q = E */
  double *Et = malloc(sizeof *Et * n * n);
  for (int i = 0; i < n; ++i)
    for (int k = 0; k < n; ++k) Et[k * n + i] = E[i * n + k];
  double *ex = malloc(sizeof *ex * A * q); /* (A, q) exact errors */
  for (int a = 0; a < A; ++a) {
    for (int j = 0; j < q; ++j) {
      double e = 0.0;
      for (int i = 0; i < n; ++i) {
        double c = 0.0;
        for (int k = 0; k < n; ++k) c += E[i * n + k] * W[a * n + k] * QtY[k * q + j];
        e += (c / D[a * n + i]) * (c / D[a * n + i]);
      }
      ex[a * q + j] = e;
    }
  }
  /* single precision: a smaller rank, coarser (this spectrum over 1e-3 .. 1e6 is far worse conditioned than a
   * kernel's; the caller's exact check then falls back to the double screen) */
  int Rs = -1;
  ck_assert_int_eq(cb_ridge__screen(Et, W, QtY, D, n, q, A, 1, ea, &Rs), CB_OK);
  double worst_s = 0.0;
  for (int i = 0; i < A * q; ++i) worst_s = fmax(worst_s, fabs(ea[i] - ex[i]) / ex[i]);
  ck_assert_msg(Rs > 0 && worst_s < 1e-3, "single-precision screen: rank %d, relative error %g", Rs, worst_s);
  ck_assert_int_eq(cb_ridge__screen(Et, W, QtY, D, n, q, A, 0, ea, &R), CB_OK);
  ck_assert_msg(R > Rs && R < A / 2, "numerical rank %d of the 99-alpha weights (single: %d)", R, Rs);
  double worst = 0.0;
  for (int i = 0; i < A * q; ++i) worst = fmax(worst, fabs(ea[i] - ex[i]) / ex[i]);
  free(ex);
  ck_assert_msg(worst < 1e-7, "screen relative error %g (rank %d): must stay well inside the 1e-6 window", worst, R);
  free(Et);
  free(ev);
  free(ea);
  free(D);
  free(QtY);
  free(W);
  free(lam);
  free(E);
}
END_TEST

/* alpha -> 0 with n > p: ridge = least squares; bad alphas rejected */
START_TEST(test_ridge_small_alpha_is_least_squares) {
  const int n = 50, m = 6, p = 7, q = 3;
  double X[56 * 7], Y[50 * 3], Yr[6 * 3], Yo[6 * 3];
  cb_rng rng;
  cb_rng_seed(&rng, 23);
  for (int i = 0; i < (n + m) * p; ++i) X[i] = cb_rng_normal(&rng) + (i % p);
  for (int i = 0; i < n * q; ++i) Y[i] = X[(i / q) * p + i % q] * 2.0 + cb_rng_normal(&rng);
  double *K = stacked_kernel(X, n, X + n * p, m, p);
  double alpha = 1e-5; /* kernel form of an n > p problem: null-space leakage ~ eps lam_max / alpha */
  ck_assert_int_eq(cb_ridge_kernel_fit_predict(K, n + m, n, m, Y, q, &alpha, 1, 0, Yr, NULL, NULL), CB_OK);
  ck_assert_int_eq(cb_ols_fit_predict(X, n, p, Y, q, X + n * p, m, Yo, NULL), CB_OK);
  assert_close(Yr, Yo, (size_t)m * q, 1e-4, "ridge(1e-5) vs lstsq");
  alpha = 0.0;
  ck_assert_int_eq(cb_ridge_kernel_fit_predict(K, n + m, n, m, Y, q, &alpha, 1, 0, Yr, NULL, NULL), CB_ERR_ARG);
  ck_assert_ptr_nonnull(strstr(cb_error_message(), "positive"));
  free(K);
}
END_TEST

/* ---------------------------------------------------------------- least squares, neuron-to-neuron */

static void check_ols_fixture(const char *path) {
  reader r;
  reader_open(&r, path);
  int n = next_int(&r), p = next_int(&r), q = next_int(&r), m = next_int(&r);
  double *X = read_matrix(&r, n, p), *Y = read_matrix(&r, n, q), *Xt = read_matrix(&r, m, p);
  double *ref = read_matrix(&r, m, q), *refcoef = read_matrix(&r, p, q);
  double *Yhat = malloc(sizeof *Yhat * m * q), *coef = malloc(sizeof *coef * p * q);
  ck_assert_int_eq(cb_ols_fit_predict(X, n, p, Y, q, Xt, m, Yhat, coef), CB_OK);
  assert_close(Yhat, ref, (size_t)m * q, 1e-5, path);
  assert_close(coef, refcoef, (size_t)p * q, 1e-5, "ols coef");
  free(coef);
  free(Yhat);
  free(refcoef);
  free(ref);
  free(Xt);
  free(Y);
  free(X);
  free(r.text);
}

START_TEST(test_ols_sklearn) {
  check_ols_fixture(FIXDIR "ols_n50_p8.txt");
  check_ols_fixture(FIXDIR "ols_n20_p35.txt"); /* underdetermined: minimum-norm solution */
}
END_TEST

/* A direction whose singular value is rounding noise (between eps and max(n, p) eps of the largest) is dropped:
 * column 1 = column 0 + 1e-15 x noise makes s_min / s_max ~ 1e-15. With the cutoff eps s_max (scipy's lstsq) that
 * direction is kept and the coefficients grow to ~1e15; with max(n, p) eps s_max the fit is the minimum-norm one
 * on the remaining columns (coefficients of order 1, equal for the two near-duplicates). */
START_TEST(test_ols_drops_rounding_noise_directions) {
  enum { n = 50, p = 6, q = 1 };
  double X[n * p], Y[n * q], coef[p * q], Yhat[n * q];
  cb_rng rng;
  cb_rng_seed(&rng, 17);
  for (int i = 0; i < n; ++i) {
    for (int j = 0; j < p; ++j) X[i * p + j] = cb_rng_normal(&rng);
    X[i * p + 1] = X[i * p] + 1e-15 * cb_rng_normal(&rng);
    Y[i] = X[i * p] + 0.5 * X[i * p + 2] + 0.1 * cb_rng_normal(&rng);
  }
  ck_assert_int_eq(cb_ols_fit_predict(X, n, p, Y, q, X, n, Yhat, coef), CB_OK);
  for (int j = 0; j < p; ++j) ck_assert_msg(fabs(coef[j]) < 10.0, "coef[%d] = %g", j, coef[j]);
  ck_assert_double_eq_tol(coef[0], coef[1], 1e-6); /* the minimum-norm split of the shared direction */
  ck_assert_double_eq_tol(coef[0] + coef[1], 1.0, 0.1);
}
END_TEST

START_TEST(test_n2n_reference) {
  reader r;
  reader_open(&r, FIXDIR "n2n.txt");
  int n = next_int(&r), p = next_int(&r), q = next_int(&r), m = next_int(&r);
  double *X = read_matrix(&r, n, p), *Y = read_matrix(&r, n, q), *Xt = read_matrix(&r, m, p);
  double *Yhat = malloc(sizeof *Yhat * m * q);
  int best[5];
  ck_assert_int_eq(cb_n2n_fit_predict(X, n, p, Y, q, Xt, m, Yhat, best), CB_OK);
  for (int t = 0; t < q; ++t) {
    ck_assert_int_eq(best[t], next_int(&r));
    ck_assert_int_ne(best[t], 5); /* the constant feature */
    for (int i = 0; i < m; ++i) ck_assert(Yhat[i * q + t] == Xt[i * p + best[t]]);
  }
  ck_assert_int_eq(best[2], 3); /* tie between features 3 and 7 */
  /* a constant target: no feature, NaN prediction */
  for (int i = 0; i < n; ++i) Y[i * q + 1] = 7.5;
  ck_assert_int_eq(cb_n2n_fit_predict(X, n, p, Y, q, Xt, m, Yhat, best), CB_OK);
  ck_assert_int_eq(best[1], -1);
  ck_assert(isnan(Yhat[1]));
  free(Yhat);
  free(Xt);
  free(Y);
  free(X);
  free(r.text);
}
END_TEST

/* ---------------------------------------------------------------- splits */

START_TEST(test_kfold_sklearn) {
  reader r;
  reader_open(&r, FIXDIR "kfold.txt");
  for (int c = 0; c < 3; ++c) {
    int n = next_int(&r), k = next_int(&r);
    cb_splits *s = NULL;
    ck_assert_int_eq(cb_splits_kfold(n, k, 0, 0, &s), CB_OK);
    ck_assert_int_eq(s->n_splits, k);
    for (int f = 0; f < k; ++f) {
      int size = next_int(&r);
      ck_assert_int_eq(s->test_size[f], size);
      ck_assert_int_eq(s->train_size[f], n - size);
      for (int i = 0; i < size; ++i) ck_assert_int_eq(s->test[f * s->n_test + i], next_int(&r));
    }
    cb_splits_destroy(&s);
    /* shuffled: every stimulus in exactly one test fold, train = complement, same fold sizes */
    ck_assert_int_eq(cb_splits_kfold(n, k, 1, 9, &s), CB_OK);
    int *cnt = calloc((size_t)n, sizeof *cnt);
    for (int f = 0; f < k; ++f) {
      ck_assert_int_eq(s->test_size[f], n / k + (f < n % k));
      for (int i = 0; i < s->test_size[f]; ++i) cnt[s->test[f * s->n_test + i]]++;
      for (int i = 1; i < s->train_size[f]; ++i)
        ck_assert_int_lt(s->train[f * s->n_train + i - 1], s->train[f * s->n_train + i]);
      ck_assert_int_eq(s->train_size[f] + s->test_size[f], n);
    }
    for (int i = 0; i < n; ++i) ck_assert_int_eq(cnt[i], 1);
    free(cnt);
    cb_splits_destroy(&s);
  }
  free(r.text);
  cb_splits *s = NULL;
  ck_assert_int_eq(cb_splits_kfold(4, 5, 0, 0, &s), CB_ERR_NUMERIC);
  ck_assert_ptr_nonnull(strstr(cb_error_message(), "fewer than the 5 splits"));
  ck_assert_int_eq(cb_splits_kfold(10, 1, 0, 0, &s), CB_ERR_ARG);
  ck_assert_int_eq(cb_splits_shuffle(3, 5, 0.9, 1, &s), CB_ERR_NUMERIC);
  ck_assert_ptr_null(s);
  ck_assert_int_eq(cb_splits_shuffle(50, 5, 0.9, 1, &s), CB_OK);
  ck_assert_int_eq(s->n_test, 5);
  ck_assert_int_eq(s->test_size[4], 5);
  cb_splits_destroy(&s);
}
END_TEST

/* ---------------------------------------------------------------- CV driver */

static void check_cv_fixture(const char *path, cb_regress_kind kind) {
  reader r;
  reader_open(&r, path);
  int n = next_int(&r), p = next_int(&r), q = next_int(&r), k = next_int(&r);
  next_token(&r); /* kind name */
  int ncomp = next_int(&r);
  double *X = read_matrix(&r, n, p), *Y = read_matrix(&r, n, q);
  double raw = next_double(&r), err = next_double(&r);
  float *Xf = malloc(sizeof *Xf * n * p);
  for (int i = 0; i < n * p; ++i) Xf[i] = (float)X[i]; /* 6-decimal values: float keeps ~7 digits */
  cb_splits *s = NULL;
  ck_assert_int_eq(cb_splits_kfold(n, k, 0, 0, &s), CB_OK);
  cb_regress_opts o;
  cb_regress_opts_default(kind, &o);
  o.n_components = ncomp;
  o.alpha = 10.0;
  cb_cv_result res;
  ck_assert_int_eq(cb_cv_regress(Xf, n, p, Y, q, s, &o, NULL, &res), CB_OK);
  ck_assert_int_eq(res.n_splits, k);
  ck_assert_int_eq(res.kernel_form, kind == CB_REG_LINEAR ? 0 : 1);
  for (int f = 0; f < k; ++f) {
    double med = next_double(&r);
    int nn = next_int(&r);
    ck_assert_msg(fabs(res.per_split[f] - med) <= 1e-6, "%s split %d: %.10f vs sklearn %.10f", path, f,
                  res.per_split[f], med);
    ck_assert_int_eq(res.n_nan_split[f], nn);
  }
  ck_assert_double_eq_tol(res.raw, raw, 1e-6);
  ck_assert_double_eq_tol(res.error, err, 1e-6);
  ck_assert_int_eq(res.n_nan_neuroids, 2); /* the constant one and the one with a NaN response */
  cb_splits_destroy(&s);
  free(Xf);
  free(X);
  free(Y);
  free(r.text);
}

START_TEST(test_cv_pls_sklearn) { check_cv_fixture(FIXDIR "cv_pls_n60_p80.txt", CB_REG_PLS); }
END_TEST
START_TEST(test_cv_ridgecv_sklearn) { check_cv_fixture(FIXDIR "cv_ridgecv_n60_p80.txt", CB_REG_RIDGECV); }
END_TEST
START_TEST(test_cv_ridge_sklearn) { check_cv_fixture(FIXDIR "cv_ridge_n60_p80.txt", CB_REG_RIDGE); }
END_TEST
START_TEST(test_cv_linear_sklearn) { check_cv_fixture(FIXDIR "cv_linear_n60_p10.txt", CB_REG_LINEAR); }
END_TEST

/* Results do not depend on the order splits are processed nor on a shared kernel's history; bad input fails
 * with a clear message. */
START_TEST(test_cv_split_order_and_errors) {
  const int n = 70, p = 120, q = 9;
  float *X = malloc(sizeof *X * n * p);
  double *Y = malloc(sizeof *Y * n * q);
  cb_rng rng;
  cb_rng_seed(&rng, 3);
  for (int i = 0; i < n * p; ++i) X[i] = (float)cb_rng_normal(&rng);
  for (int i = 0; i < n; ++i)
    for (int t = 0; t < q; ++t) Y[i * q + t] = X[i * p + t] + X[i * p + t + 9] + 0.5 * cb_rng_normal(&rng);
  Y[4 * q + 2] = NAN; /* a NaN response makes that neuroid's r NaN in the split that tests stimulus 4 */
  cb_splits *s = NULL, rev;
  ck_assert_int_eq(cb_splits_stratified_shuffle(n, NULL, 6, 0.8, 1, &s), CB_OK);
  rev = *s;
  rev.train = malloc(sizeof *rev.train * s->n_splits * s->n_train);
  rev.test = malloc(sizeof *rev.test * s->n_splits * s->n_test);
  for (int k = 0; k < s->n_splits; ++k) {
    memcpy(rev.train + k * s->n_train, s->train + (s->n_splits - 1 - k) * s->n_train, sizeof *rev.train * s->n_train);
    memcpy(rev.test + k * s->n_test, s->test + (s->n_splits - 1 - k) * s->n_test, sizeof *rev.test * s->n_test);
  }
  cb_kernel *ker = NULL;
  ck_assert_int_eq(cb_kernel_create(X, n, p, &ker), CB_OK);
  const cb_regress_kind kinds[3] = {CB_REG_PLS, CB_REG_RIDGECV, CB_REG_NEURON2NEURON};
  for (int c = 0; c < 3; ++c) {
    cb_regress_opts o;
    cb_regress_opts_default(kinds[c], &o);
    o.n_components = 5;
    o.alpha_per_target = 1;
    cb_cv_result a, b;
    ck_assert_int_eq(cb_cv_regress(X, n, p, Y, q, s, &o, kinds[c] == CB_REG_NEURON2NEURON ? NULL : ker, &a), CB_OK);
    ck_assert_int_eq(cb_cv_regress(X, n, p, Y, q, &rev, &o, NULL, &b), CB_OK);
    for (int k = 0; k < s->n_splits; ++k) {
      ck_assert(a.per_split[k] == b.per_split[s->n_splits - 1 - k]); /* bitwise */
      ck_assert_int_eq(a.n_nan_split[k], b.n_nan_split[s->n_splits - 1 - k]);
    }
    ck_assert_int_eq(a.n_nan_neuroids, 1);
    ck_assert_msg(a.raw > 0.3, "%s: raw %g", cb_regress_kind_name(kinds[c]), a.raw);
  }
  free(rev.train);
  free(rev.test);
  cb_regress_opts o;
  cb_regress_opts_default(CB_REG_RIDGE, &o);
  cb_cv_result res;
  o.form = CB_FORM_PRIMAL;
  ck_assert_int_eq(cb_cv_regress(X, n, p, Y, q, s, &o, NULL, &res), CB_ERR_UNSUPPORTED);
  cb_splits_destroy(&s);
  /* 10 folds of 10 stimuli: one test stimulus per fold, no correlation possible */
  ck_assert_int_eq(cb_splits_kfold(10, 10, 0, 0, &s), CB_OK);
  cb_regress_opts_default(CB_REG_PLS, &o);
  ck_assert_int_eq(cb_cv_regress(X, 10, p, Y, q, s, &o, NULL, &res), CB_ERR_NUMERIC);
  ck_assert_ptr_nonnull(strstr(cb_error_message(), "1 test stimuli"));
  ck_assert_int_eq(cb_cv_regress(X, n, p, Y, q, s, &o, NULL, &res), CB_ERR_ARG); /* splits for 10 stimuli */
  ck_assert_int_eq(cb_cv_regress(NULL, 10, p, Y, q, s, &o, ker, &res), CB_ERR_ARG); /* kernel of 70 */
  ck_assert_int_eq(cb_regress_kind_parse("ridgecv", &o.kind), CB_OK);
  ck_assert_int_eq(o.kind, CB_REG_RIDGECV);
  ck_assert_int_eq(cb_regress_kind_parse("lasso", &o.kind), CB_ERR_ARG);
  cb_splits_destroy(&s);
  cb_kernel_destroy(&ker);
  free(X);
  free(Y);
}
END_TEST

static Suite *regression_suite(void) {
  Suite *s = suite_create("regression");
  TCase *tc = tcase_create("regression");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, test_kernel_matches_direct_and_arranges);
  tcase_add_test(tc, test_kernel_pls_sklearn_n_lt_p);
  tcase_add_test(tc, test_kernel_pls_sklearn_n_gt_p);
  tcase_add_test(tc, test_kernel_pls_sklearn_single_target);
  tcase_add_test(tc, test_kernel_pls_sklearn_25_components);
  tcase_add_test(tc, test_kernel_pls_equals_converged_primal);
  tcase_add_test(tc, test_kernel_pls_multi_equals_single);
  tcase_add_test(tc, test_brainscore_alphas);
  tcase_add_test(tc, test_ridge_every_alpha_sklearn);
  tcase_add_test(tc, test_ridgecv_shared_sklearn);
  tcase_add_test(tc, test_ridgecv_per_target_sklearn);
  tcase_add_test(tc, test_ridgecv_n_gt_p_sklearn);
  tcase_add_test(tc, test_ridgecv_user_alphas_sklearn);
  tcase_add_test(tc, test_ridge_small_alpha_is_least_squares);
  tcase_add_test(tc, test_ridgecv_screen_equals_exact);
  tcase_add_test(tc, test_ridge_screen_rank_and_accuracy);
  tcase_add_test(tc, test_ols_sklearn);
  tcase_add_test(tc, test_ols_drops_rounding_noise_directions);
  tcase_add_test(tc, test_n2n_reference);
  tcase_add_test(tc, test_kfold_sklearn);
  tcase_add_test(tc, test_cv_pls_sklearn);
  tcase_add_test(tc, test_cv_ridgecv_sklearn);
  tcase_add_test(tc, test_cv_ridge_sklearn);
  tcase_add_test(tc, test_cv_linear_sklearn);
  tcase_add_test(tc, test_cv_split_order_and_errors);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) {
  return cb_test_run(regression_suite());
}

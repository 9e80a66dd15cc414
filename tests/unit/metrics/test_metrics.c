/* Unit tests for src/metrics: splits, correlations, PLS (against scikit-learn fixtures made by
 * tests/reference/make_goldens.py), split-half ceiling (against analytic reliability), CV predictivity. */
#include <cblas.h>
#include <check.h>
#include <lapacke.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_ceiling.h"
#include "cb_corr.h"
#include "cb_fs.h"
#include "cb_pls.h"
#include "cb_predictivity.h"
#include "cb_rng.h"
#include "cb_splits.h"

#define FIXDIR "tests/reference/fixtures/"

/* ---- fixture reader: whitespace-separated numbers and words, '#' lines skipped ---- */
#include "cb_test_fixture.h"
#include "cb_test_main.h"

static double *read_matrix(reader *r, int rows, int cols) {
  double *a = malloc(sizeof *a * (size_t)rows * cols);
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

/* ---------------------------------------------------------------- splits */

static void check_partition(const cb_splits *s, const int *labels) {
  int *seen = calloc((size_t)s->n, sizeof *seen);
  ck_assert_int_eq(s->n_train + s->n_test, s->n);
  for (int k = 0; k < s->n_splits; ++k) {
    const int *tr = s->train + (size_t)k * s->n_train, *te = s->test + (size_t)k * s->n_test;
    memset(seen, 0, sizeof *seen * (size_t)s->n);
    for (int i = 0; i < s->n_train; ++i) {
      ck_assert(tr[i] >= 0 && tr[i] < s->n);
      if (i) ck_assert_int_lt(tr[i - 1], tr[i]);
      seen[tr[i]]++;
    }
    for (int i = 0; i < s->n_test; ++i) {
      ck_assert(te[i] >= 0 && te[i] < s->n);
      if (i) ck_assert_int_lt(te[i - 1], te[i]);
      seen[te[i]]++;
    }
    for (int i = 0; i < s->n; ++i) ck_assert_int_eq(seen[i], 1); /* disjoint, union = all */
    if (labels) {
      /* per-class share of train within +-1 of n_train * class_count / n */
      int maxl = 0;
      for (int i = 0; i < s->n; ++i) maxl = labels[i] > maxl ? labels[i] : maxl;
      for (int c = 0; c <= maxl; ++c) {
        int cnt = 0, ctr = 0, cte = 0;
        for (int i = 0; i < s->n; ++i) cnt += labels[i] == c;
        if (!cnt) continue;
        for (int i = 0; i < s->n_train; ++i) ctr += labels[tr[i]] == c;
        for (int i = 0; i < s->n_test; ++i) cte += labels[te[i]] == c;
        ck_assert_double_le(fabs(ctr - (double)s->n_train * cnt / s->n), 1.0);
        ck_assert_double_le(fabs(cte - (double)s->n_test * cnt / s->n), 1.0);
      }
    }
  }
  free(seen);
}

START_TEST(test_splits_partition_stratified) {
  const int ns[] = {10, 37, 100, 641};
  const double fr[] = {0.8, 0.85, 0.5, 0.75};
  for (int a = 0; a < 4; ++a) {
    int n = ns[a];
    int *labels = malloc(sizeof *labels * (size_t)n);
    for (int i = 0; i < n; ++i) labels[i] = (i * 7 + i / 3) % (n < 20 ? 2 : 5); /* uneven classes */
    cb_splits *s = NULL;
    ck_assert_int_eq(cb_splits_stratified_shuffle(n, labels, n < 20 ? 3 : 10, fr[a], 42, &s), CB_OK);
    ck_assert_int_eq(s->n_test, (int)ceil((1.0 - fr[a]) * n - 1e-9));
    check_partition(s, labels);
    cb_splits_destroy(&s);
    ck_assert_ptr_null(s);
    /* plain shuffle */
    ck_assert_int_eq(cb_splits_stratified_shuffle(n, NULL, 4, fr[a], 1, &s), CB_OK);
    check_partition(s, NULL);
    cb_splits_destroy(&s);
    free(labels);
  }
  cb_splits_destroy(NULL);
}
END_TEST

START_TEST(test_splits_sklearn_sizes_and_sparse_labels) {
  /* StratifiedShuffleSplit(test_size=0.1) on 100 stimuli of 4 classes -> 90 train, 10 test */
  int labels[100];
  for (int i = 0; i < 100; ++i) labels[i] = (i % 4) * 1000 + 3; /* sparse ids */
  cb_splits *s = NULL;
  ck_assert_int_eq(cb_splits_stratified_shuffle(100, labels, 10, 0.9, 5, &s), CB_OK);
  ck_assert_int_eq(s->n_train, 90);
  ck_assert_int_eq(s->n_test, 10);
  for (int k = 0; k < s->n_splits; ++k) {
    int per[4] = {0};
    for (int i = 0; i < s->n_test; ++i) per[labels[s->test[k * 10 + i]] / 1000]++;
    for (int c = 0; c < 4; ++c) ck_assert(per[c] == 2 || per[c] == 3);
  }
  cb_splits_destroy(&s);
}
END_TEST

START_TEST(test_splits_deterministic_and_seeded) {
  cb_splits *a = NULL, *b = NULL, *c = NULL;
  ck_assert_int_eq(cb_splits_stratified_shuffle(200, NULL, 5, 0.9, 77, &a), CB_OK);
  ck_assert_int_eq(cb_splits_stratified_shuffle(200, NULL, 5, 0.9, 77, &b), CB_OK);
  ck_assert_int_eq(cb_splits_stratified_shuffle(200, NULL, 5, 0.9, 78, &c), CB_OK);
  ck_assert_int_eq(memcmp(a->train, b->train, sizeof *a->train * 5 * a->n_train), 0);
  ck_assert_int_eq(memcmp(a->test, b->test, sizeof *a->test * 5 * a->n_test), 0);
  ck_assert_int_ne(memcmp(a->test, c->test, sizeof *a->test * 5 * a->n_test), 0);
  /* splits differ from each other */
  ck_assert_int_ne(memcmp(a->test, a->test + a->n_test, sizeof *a->test * a->n_test), 0);
  cb_splits_destroy(&a);
  cb_splits_destroy(&b);
  cb_splits_destroy(&c);
}
END_TEST

START_TEST(test_splits_errors) {
  cb_splits *s = NULL;
  int labels[6] = {0, 1, 2, 0, 1, 2};
  ck_assert_int_eq(cb_splits_stratified_shuffle(1, NULL, 1, 0.5, 1, &s), CB_ERR_NUMERIC);
  ck_assert_int_eq(cb_splits_stratified_shuffle(5, NULL, 10, 0.5, 1, &s), CB_ERR_NUMERIC);
  ck_assert_ptr_nonnull(strstr(cb_error_message(), "fewer than the 10 splits"));
  /* 6 stimuli, 3 classes, 10% test -> 1 test stimulus < 3 classes */
  ck_assert_int_eq(cb_splits_stratified_shuffle(6, labels, 2, 0.9, 1, &s), CB_ERR_NUMERIC);
  ck_assert_ptr_nonnull(strstr(cb_error_message(), "classes"));
  ck_assert_int_eq(cb_splits_stratified_shuffle(6, labels, 2, 1.5, 1, &s), CB_ERR_ARG);
  labels[2] = -1;
  ck_assert_int_eq(cb_splits_stratified_shuffle(6, labels, 2, 0.5, 1, &s), CB_ERR_ARG);
  ck_assert_ptr_null(s);
}
END_TEST

/* ---------------------------------------------------------------- correlation, median */

START_TEST(test_pearson_edge_cases) {
  double a[5] = {1, 2, 3, 4, 5}, b[5] = {-2, -4, -6, -8, -10}, c[5] = {0.1, 0.1, 0.1, 0.1, 0.1};
  ck_assert_double_eq_tol(cb_pearson(a, a, 5), 1.0, 1e-15);
  ck_assert_double_eq_tol(cb_pearson(a, b, 5), -1.0, 1e-15);
  ck_assert(isnan(cb_pearson(a, c, 5)));  /* constant */
  ck_assert(isnan(cb_pearson(c, a, 5)));
  ck_assert(isnan(cb_pearson(a, b, 1)));  /* too short */
  double d[5] = {1, 2, NAN, 4, 5};
  ck_assert(isnan(cb_pearson(a, d, 5)));
  /* pairwise deletion: dropping the NaN pair of (a, 2a) leaves r = 1 */
  double e[5] = {2, 4, 999, 8, 10};
  ck_assert_double_eq_tol(cb_pearson_pairwise(d, 1, e, 1, 5), 1.0, 1e-15);
  /* strided == contiguous: columns of a (5, 2) matrix */
  double m[10];
  for (int i = 0; i < 5; ++i) {
    m[2 * i] = a[i];
    m[2 * i + 1] = sin(i * 1.3);
  }
  double col[5];
  for (int i = 0; i < 5; ++i) col[i] = sin(i * 1.3);
  ck_assert_double_eq_tol(cb_pearson_strided(m, 2, m + 1, 2, 5), cb_pearson(a, col, 5), 1e-15);
  /* spearman-brown analytic values */
  ck_assert_double_eq_tol(cb_spearman_brown(0.5, 2.0), 2.0 / 3.0, 1e-15);
  ck_assert_double_eq_tol(cb_spearman_brown(0.25, 3.0), 0.5, 1e-15);
  ck_assert_double_eq_tol(cb_spearman_brown(0.7, 1.0), 0.7, 1e-15);
}
END_TEST

START_TEST(test_median_edge_cases) {
  double v[6] = {5, NAN, 1, 4, NAN, 2};
  double copy[6];
  memcpy(copy, v, sizeof v);
  int nn = -1;
  ck_assert_double_eq(cb_median_skipnan(v, 6, &nn), 3.0); /* {1,2,4,5}: mean of middle two */
  ck_assert_int_eq(nn, 2);
  for (int i = 0; i < 6; ++i) ck_assert(memcmp(&v[i], &copy[i], sizeof v[i]) == 0); /* unchanged */
  ck_assert_double_eq(cb_median_skipnan(v, 3, NULL), 3.0); /* {5,1} */
  double w[3] = {NAN, NAN, NAN};
  ck_assert(isnan(cb_median_skipnan(w, 3, &nn)));
  ck_assert_int_eq(nn, 3);
  ck_assert(isnan(cb_median_skipnan(w, 0, NULL)));
  double odd[5] = {9, -1, 3, 7, 0};
  ck_assert_double_eq(cb_median_skipnan(odd, 5, NULL), 3.0);
}
END_TEST

START_TEST(test_corr_against_scipy) {
  reader r;
  reader_open(&r, FIXDIR "corr.txt");
  int n_p = 0, n_m = 0;
  char *t;
  while ((t = next_token(&r)) != NULL) {
    int n = (int)next_double(&r);
    double ref = next_double(&r);
    if (strcmp(t, "pearson") == 0) {
      double *a = read_matrix(&r, 1, n), *b = read_matrix(&r, 1, n);
      ck_assert_double_eq_tol(cb_pearson(a, b, n), ref, 1e-12);
      free(a);
      free(b);
      ++n_p;
    } else {
      ck_assert_str_eq(t, "median");
      double *v = read_matrix(&r, 1, n);
      ck_assert_double_eq_tol(cb_median_skipnan(v, n, NULL), ref, 1e-15);
      free(v);
      ++n_m;
    }
  }
  ck_assert_int_ge(n_p, 3);
  ck_assert_int_ge(n_m, 5);
  free(r.text);
}
END_TEST

/* ---------------------------------------------------------------- PLS */

static void check_pls_fixture(const char *path) {
  reader r;
  reader_open(&r, path);
  int n = (int)next_double(&r), p = (int)next_double(&r), q = (int)next_double(&r);
  int k = (int)next_double(&r), m = (int)next_double(&r), k_used = (int)next_double(&r);
  double *X = read_matrix(&r, n, p), *Y = read_matrix(&r, n, q), *Xt = read_matrix(&r, m, p);
  double *ref = read_matrix(&r, m, q), *refcoef = read_matrix(&r, p, q);
  double *X0 = malloc(sizeof *X0 * (size_t)n * p), *Yhat = malloc(sizeof *Yhat * (size_t)m * q);
  memcpy(X0, X, sizeof *X0 * (size_t)n * p);

  cb_pls *model = NULL;
  ck_assert_int_eq(cb_pls_fit(X, Y, n, p, q, k, 500, 1e-6, &model), CB_OK);
  ck_assert_int_eq(memcmp(X, X0, sizeof *X0 * (size_t)n * p), 0); /* input untouched */
  ck_assert_int_eq(cb_pls_n_components(model), k_used);
  ck_assert_int_eq(cb_pls_predict(model, Xt, m, Yhat), CB_OK);
  assert_close(Yhat, ref, (size_t)m * q, 1e-5, path);
  int pp = 0, qq = 0;
  const double *coef = cb_pls_coef(model, &pp, &qq);
  ck_assert_int_eq(pp, p);
  ck_assert_int_eq(qq, q);
  assert_close(coef, refcoef, (size_t)p * q, 1e-5, "coef");
  cb_pls_destroy(&model);
  ck_assert_ptr_null(model);
  free(X);
  free(Y);
  free(Xt);
  free(ref);
  free(refcoef);
  free(X0);
  free(Yhat);
  free(r.text);
}

START_TEST(test_pls_sklearn_n_lt_p) { check_pls_fixture(FIXDIR "pls_n40_p60_q5.txt"); }
END_TEST
START_TEST(test_pls_sklearn_n_gt_p) { check_pls_fixture(FIXDIR "pls_n80_p10_q4.txt"); }
END_TEST
START_TEST(test_pls_sklearn_single_target) { check_pls_fixture(FIXDIR "pls_n30_p8_q1.txt"); }
END_TEST
START_TEST(test_pls_sklearn_25_components) { check_pls_fixture(FIXDIR "pls_n50_p70_q6_k25.txt"); }
END_TEST

/* With as many components as features (n > p), PLS spans X's column space: coef = least squares. */
START_TEST(test_pls_full_rank_equals_least_squares) {
  const int n = 60, p = 6, q = 3;
  double X[60 * 6], Y[60 * 3], Xc[60 * 6], Yc[60 * 3], xm[6] = {0}, ym[3] = {0};
  cb_rng rng;
  cb_rng_seed(&rng, 11);
  for (int i = 0; i < n * p; ++i) X[i] = cb_rng_normal(&rng) + (i % p);
  for (int i = 0; i < n * q; ++i) Y[i] = cb_rng_normal(&rng) + X[(i / q) * p + i % q] - 1.0;
  for (int i = 0; i < n; ++i) {
    for (int j = 0; j < p; ++j) xm[j] += X[i * p + j] / n;
    for (int j = 0; j < q; ++j) ym[j] += Y[i * q + j] / n;
  }
  for (int i = 0; i < n; ++i) {
    for (int j = 0; j < p; ++j) Xc[i * p + j] = X[i * p + j] - xm[j];
    for (int j = 0; j < q; ++j) Yc[i * q + j] = Y[i * q + j] - ym[j];
  }
  ck_assert_int_eq(LAPACKE_dgels(LAPACK_ROW_MAJOR, 'N', n, p, q, Xc, p, Yc, q), 0); /* Yc[:p] = beta */
  cb_pls *m = NULL;
  ck_assert_int_eq(cb_pls_fit(X, Y, n, p, q, p, 500, 1e-12, &m), CB_OK);
  const double *coef = cb_pls_coef(m, NULL, NULL);
  assert_close(coef, Yc, (size_t)p * q, 1e-8, "pls vs lstsq");
  cb_pls_destroy(&m);
}
END_TEST

START_TEST(test_pls_errors) {
  double X[4 * 3] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 1, 0, 1}, Y[4] = {1, 2, 3, 4};
  cb_pls *m = NULL;
  ck_assert_int_eq(cb_pls_fit(X, Y, 4, 3, 1, 4, 500, 1e-6, &m), CB_ERR_ARG); /* > p components */
  ck_assert_ptr_nonnull(strstr(cb_error_message(), "n_components"));
  ck_assert_int_eq(cb_pls_fit(X, Y, 1, 3, 1, 1, 500, 1e-6, &m), CB_ERR_NUMERIC);
  X[5] = NAN;
  ck_assert_int_eq(cb_pls_fit(X, Y, 4, 3, 1, 2, 500, 1e-6, &m), CB_ERR_NUMERIC);
  ck_assert_ptr_nonnull(strstr(cb_error_message(), "X has a non-finite value at row 1, column 2"));
  ck_assert_ptr_null(m);
  /* constant Y: no component can be fitted; prediction is the mean */
  X[5] = 6;
  double Yc[4] = {2, 2, 2, 2}, out[4];
  ck_assert_int_eq(cb_pls_fit(X, Yc, 4, 3, 1, 2, 500, 1e-6, &m), CB_OK);
  ck_assert_int_eq(cb_pls_n_components(m), 0);
  ck_assert_int_eq(cb_pls_predict(m, X, 4, out), CB_OK);
  for (int i = 0; i < 4; ++i) ck_assert_double_eq(out[i], 2.0);
  cb_pls_destroy(&m);
  cb_pls_destroy(&m);
}
END_TEST

/* ---------------------------------------------------------------- ceiling */

/* R (n_stim, n_rep, q) = s + sigma * noise, s ~ N(0, 1) per (stim, neuroid). */
static double *make_reps(int n_stim, int n_rep, int q, double sigma, uint64_t seed) {
  double *R = malloc(sizeof *R * (size_t)n_stim * n_rep * q);
  cb_rng rng;
  cb_rng_seed(&rng, seed);
  for (int s = 0; s < n_stim; ++s)
    for (int j = 0; j < q; ++j) {
      double sig = cb_rng_normal(&rng);
      for (int r = 0; r < n_rep; ++r) R[((size_t)s * n_rep + r) * q + j] = sig + sigma * cb_rng_normal(&rng);
    }
  return R;
}

START_TEST(test_ceiling_known_reliability) {
  const int n_stim = 1500, q = 25;
  const int reps[] = {2, 4, 6};
  const double sigmas[] = {0.5, 1.0, 2.0};
  for (int a = 0; a < 3; ++a)
    for (int b = 0; b < 3; ++b) {
      int n_rep = reps[a];
      double s2 = sigmas[b] * sigmas[b];
      double r_half = 1.0 / (1.0 + s2 / (n_rep / 2)); /* corr of two independent half-means */
      double expect = 2.0 * r_half / (1.0 + r_half);
      double *R = make_reps(n_stim, n_rep, q, sigmas[b], 100 + a * 3 + b);
      double c = NAN, e = NAN, c2 = NAN, e2 = NAN;
      ck_assert_int_eq(cb_ceiling_split_half(R, n_stim, n_rep, q, 10, 3, &c, &e), CB_OK);
      ck_assert_msg(fabs(c - expect) < 0.03, "n_rep %d sigma %g: ceiling %g expected %g", n_rep, sigmas[b], c,
                    expect);
      ck_assert(e >= 0.0 && e < 0.03);
      ck_assert_int_eq(cb_ceiling_split_half(R, n_stim, n_rep, q, 10, 3, &c2, &e2), CB_OK);
      ck_assert_double_eq(c, c2); /* deterministic */
      ck_assert_double_eq(e, e2);
      free(R);
    }
}
END_TEST

START_TEST(test_ceiling_missing_reps_and_errors) {
  const int n_stim = 800, n_rep = 6, q = 10;
  double *R = make_reps(n_stim, n_rep, q, 1.0, 9);
  double full = NAN, e = NAN, miss = NAN;
  ck_assert_int_eq(cb_ceiling_split_half(R, n_stim, n_rep, q, 8, 1, &full, &e), CB_OK);
  /* stimuli with unequal repetition counts: last 2 reps missing for every other stimulus; one neuroid
   * entirely missing for stimulus 0 */
  for (int s = 0; s < n_stim; s += 2)
    for (int r = 4; r < n_rep; ++r)
      for (int j = 0; j < q; ++j) R[((size_t)s * n_rep + r) * q + j] = NAN;
  for (int r = 0; r < n_rep; ++r) R[(size_t)r * q + 3] = NAN;
  ck_assert_int_eq(cb_ceiling_split_half(R, n_stim, n_rep, q, 8, 1, &miss, &e), CB_OK);
  ck_assert(isfinite(miss));
  ck_assert(miss < full + 0.03);   /* fewer repetitions cannot be more reliable */
  ck_assert(miss > 0.5 * full);
  /* a single repetition is an error; outputs untouched */
  double c = 42.0;
  ck_assert_int_eq(cb_ceiling_split_half(R, n_stim, 1, q, 8, 1, &c, &e), CB_ERR_NUMERIC);
  ck_assert_ptr_nonnull(strstr(cb_error_message(), "needs at least 2 repetitions"));
  ck_assert_double_eq(c, 42.0);
  free(R);
}
END_TEST

/* ---------------------------------------------------------------- normalisation, CV */

START_TEST(test_normalise) {
  const char *names[] = {"r2/c", "(r/c)^2", "r/c"};
  for (int i = 0; i < 3; ++i) {
    cb_normalise m;
    ck_assert_int_eq(cb_normalise_parse(names[i], &m), CB_OK);
    ck_assert_int_eq((int)m, i);
    ck_assert_str_eq(cb_normalise_name(m), names[i]);
  }
  cb_normalise m = CB_NORM_R_OVER_C;
  ck_assert_int_eq(cb_normalise_parse("r^2", &m), CB_ERR_ARG);
  ck_assert_int_eq((int)m, CB_NORM_R_OVER_C);
  ck_assert_double_eq_tol(cb_ceil_score(0.5, 0.8, CB_NORM_R2_OVER_C), 0.3125, 1e-15);
  ck_assert_double_eq_tol(cb_ceil_score(0.5, 0.8, CB_NORM_R_OVER_C_SQUARED), 0.390625, 1e-15);
  ck_assert_double_eq_tol(cb_ceil_score(0.5, 0.8, CB_NORM_R_OVER_C), 0.625, 1e-15);
  ck_assert_double_eq_tol(cb_ceil_score(0.9, 0.6, CB_NORM_R_OVER_C), 1.5, 1e-15); /* no clipping */
  ck_assert_double_eq_tol(cb_ceil_score(-0.5, 0.8, CB_NORM_R_OVER_C), -0.625, 1e-15);
  /* A negative raw value never gives a positive ceiled score (the squares keep the sign; negative ceilings too). */
  ck_assert_double_eq_tol(cb_ceil_score(-0.5, 0.8, CB_NORM_R2_OVER_C), -0.3125, 1e-15);
  ck_assert_double_eq_tol(cb_ceil_score(-0.5, 0.8, CB_NORM_R_OVER_C_SQUARED), -0.390625, 1e-15);
  for (int m = 0; m < 3; ++m) {
    ck_assert(cb_ceil_score(-0.2, -0.4, (cb_normalise)m) < 0);
    ck_assert(cb_ceil_score(0.2, -0.4, (cb_normalise)m) > 0);
    ck_assert(cb_ceil_score(0.0, 0.4, (cb_normalise)m) == 0);
    ck_assert(isnan(cb_ceil_score(NAN, 0.4, (cb_normalise)m)));
  }
}
END_TEST

START_TEST(test_pls_cv) {
  const int n = 120, p = 30, q = 7, k = 5;
  float *X = malloc(sizeof *X * n * p);
  double *Xd = malloc(sizeof *Xd * n * p), *Y = malloc(sizeof *Y * n * q);
  cb_rng rng;
  cb_rng_seed(&rng, 21);
  for (int i = 0; i < n * p; ++i) {
    X[i] = (float)cb_rng_normal(&rng);
    Xd[i] = X[i];
  }
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < q; ++j)
      Y[i * q + j] = (j == q - 1) ? 3.0 /* constant neuroid -> NaN r */
                                  : X[i * p + j] + 0.5 * X[i * p + j + 1] + 0.2 * cb_rng_normal(&rng);
  cb_splits *s = NULL;
  ck_assert_int_eq(cb_splits_stratified_shuffle(n, NULL, 4, 0.8, 8, &s), CB_OK);
  cb_cv_result res;
  ck_assert_int_eq(cb_pls_cv(X, n, p, Y, q, s, k, &res), CB_OK);
  ck_assert_int_eq(res.n_splits, 4);
  ck_assert_int_eq(res.n_nan_neuroids, 1);
  ck_assert(res.raw > 0.8 && res.raw <= 1.0);
  double mean = 0, var = 0;
  for (int i = 0; i < 4; ++i) mean += res.per_split[i] / 4;
  for (int i = 0; i < 4; ++i) var += (res.per_split[i] - mean) * (res.per_split[i] - mean) / 4;
  ck_assert_double_eq_tol(res.raw, mean, 1e-14);
  ck_assert_double_eq_tol(res.error, sqrt(var) / 2.0, 1e-14);

  /* split 1 recomputed by hand with cb_pls_fit / predict / pearson / median */
  int ntr = s->n_train, nte = s->n_test;
  double *Xtr = malloc(sizeof *Xtr * ntr * p), *Ytr = malloc(sizeof *Ytr * ntr * q);
  double *Xte = malloc(sizeof *Xte * nte * p), *Yte = malloc(sizeof *Yte * nte * q);
  double *Yh = malloc(sizeof *Yh * nte * q), r[7];
  for (int i = 0; i < ntr; ++i) {
    memcpy(Xtr + i * p, Xd + s->train[ntr + i] * p, sizeof *Xtr * p);
    memcpy(Ytr + i * q, Y + s->train[ntr + i] * q, sizeof *Ytr * q);
  }
  for (int i = 0; i < nte; ++i) {
    memcpy(Xte + i * p, Xd + s->test[nte + i] * p, sizeof *Xte * p);
    memcpy(Yte + i * q, Y + s->test[nte + i] * q, sizeof *Yte * q);
  }
  cb_pls *m = NULL;
  ck_assert_int_eq(cb_pls_fit(Xtr, Ytr, ntr, p, q, k, 500, 1e-6, &m), CB_OK);
  ck_assert_int_eq(cb_pls_predict(m, Xte, nte, Yh), CB_OK);
  for (int j = 0; j < q; ++j) r[j] = cb_pearson_strided(Yh + j, q, Yte + j, q, nte);
  ck_assert(isnan(r[q - 1]));
  ck_assert_double_eq_tol(res.per_split[1], cb_median_skipnan(r, q, NULL), 1e-12);
  cb_pls_destroy(&m);

  /* splits made for another stimulus count */
  cb_splits *s2 = NULL;
  ck_assert_int_eq(cb_splits_stratified_shuffle(n - 1, NULL, 4, 0.8, 8, &s2), CB_OK);
  ck_assert_int_eq(cb_pls_cv(X, n, p, Y, q, s2, k, &res), CB_ERR_ARG);
  ck_assert_ptr_nonnull(strstr(cb_error_message(), "119 stimuli"));
  cb_splits_destroy(&s2);
  cb_splits_destroy(&s);
  free(Xtr);
  free(Ytr);
  free(Xte);
  free(Yte);
  free(Yh);
  free(X);
  free(Xd);
  free(Y);
}
END_TEST

static Suite *metrics_suite(void) {
  Suite *s = suite_create("metrics");
  TCase *tc = tcase_create("metrics");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, test_splits_partition_stratified);
  tcase_add_test(tc, test_splits_sklearn_sizes_and_sparse_labels);
  tcase_add_test(tc, test_splits_deterministic_and_seeded);
  tcase_add_test(tc, test_splits_errors);
  tcase_add_test(tc, test_pearson_edge_cases);
  tcase_add_test(tc, test_median_edge_cases);
  tcase_add_test(tc, test_corr_against_scipy);
  tcase_add_test(tc, test_pls_sklearn_n_lt_p);
  tcase_add_test(tc, test_pls_sklearn_n_gt_p);
  tcase_add_test(tc, test_pls_sklearn_single_target);
  tcase_add_test(tc, test_pls_sklearn_25_components);
  tcase_add_test(tc, test_pls_full_rank_equals_least_squares);
  tcase_add_test(tc, test_pls_errors);
  tcase_add_test(tc, test_ceiling_known_reliability);
  tcase_add_test(tc, test_ceiling_missing_reps_and_errors);
  tcase_add_test(tc, test_normalise);
  tcase_add_test(tc, test_pls_cv);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) {
  return cb_test_run(metrics_suite());
}

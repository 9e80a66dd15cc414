/* Unit tests for the similarity metrics: rank correlations, RDMs, CKA, RSA ceiling, voxel noise correction,
 * bootstrap. Goldens come from tests/reference/make_similarity_goldens.py (SciPy / numpy, written independently);
 * the rest are analytic facts and property tests. Kriegeskorte et al. 2008 real-data checks read the .mat files in
 * ../shared/data/kriegeskorte2008 with libmatio (skipped when the data or libmatio are absent). */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cb_bootstrap.h"
#include "cb_cka.h"
#include "cb_corr.h"
#include "cb_fs.h"
#include "cb_noise.h"
#include "cb_rank.h"
#include "cb_rdm.h"
#include "cb_rng.h"
#include "cb_rsa.h"

#ifdef CB_HAVE_MATIO
#include <matio.h>
#endif

#define FIXDIR "tests/reference/fixtures/"
#define KRIEG_DIR "../shared/data/kriegeskorte2008/"

/* ---- fixture reader: whitespace-separated tokens, '#' lines skipped, 'nan' allowed ---- */
#include "cb_test_fixture.h"
#include "cb_test_main.h"

static double *read_vec(reader *r, size_t n) {
  double *a = malloc(sizeof *a * (n ? n : 1));
  ck_assert_ptr_nonnull(a);
  for (size_t i = 0; i < n; ++i) a[i] = next_double(r);
  return a;
}

/* |got - want| <= tol, NaN matches NaN */
static void assert_near(double got, double want, double tol, const char *what) {
  if (isnan(want)) {
    ck_assert_msg(isnan(got), "%s: got %.15g expected NaN", what, got);
    return;
  }
  ck_assert_msg(fabs(got - want) <= tol, "%s: got %.15g expected %.15g (tol %g)", what, got, want, tol);
}

/* ---------------------------------------------------------------- rank correlations */

START_TEST(test_rank_goldens) {
  reader r;
  reader_open(&r, FIXDIR "sim_rank.txt");
  int cases = 0;
  char *t;
  while ((t = next_token(&r)) != NULL) {
    ck_assert_str_eq(t, "rank");
    size_t n = (size_t)next_double(&r);
    double rho = next_double(&r), tau = next_double(&r);
    double *a = read_vec(&r, n), *b = read_vec(&r, n), got;
    char what[64];
    snprintf(what, sizeof what, "spearman n=%zu", n);
    ck_assert_int_eq(cb_spearman(a, b, n, &got), CB_OK);
    assert_near(got, rho, 1e-12, what);
    snprintf(what, sizeof what, "tau_a n=%zu", n);
    ck_assert_int_eq(cb_kendall_tau_a(a, b, n, &got), CB_OK);
    assert_near(got, tau, 1e-12, what);
    free(a);
    free(b);
    ++cases;
  }
  ck_assert_int_ge(cases, 10);
  free(r.text);
}
END_TEST

/* naive O(n^2) tau-a: sum sign(da) sign(db) / (n (n-1) / 2) */
static double tau_a_naive(const double *a, const double *b, size_t n) {
  double s = 0.0;
  for (size_t i = 0; i < n; ++i)
    for (size_t j = i + 1; j < n; ++j) {
      double da = (a[i] > a[j]) - (a[i] < a[j]), db = (b[i] > b[j]) - (b[i] < b[j]);
      s += da * db;
    }
  return s / ((double)n * (n - 1) / 2.0);
}

START_TEST(test_rank_properties) {
  cb_rng rng;
  cb_rng_seed(&rng, 5);
  const size_t ns[] = {2, 3, 7, 64, 301, 1200};
  for (int c = 0; c < 6; ++c) {
    for (int levels = 2; levels <= 1000; levels *= 10) { /* few levels = many ties */
      size_t n = ns[c];
      double *a = malloc(sizeof *a * n), *b = malloc(sizeof *b * n), *ea = malloc(sizeof *ea * n);
      for (size_t i = 0; i < n; ++i) {
        a[i] = (double)cb_rng_below(&rng, (uint64_t)levels);
        b[i] = (c % 2 ? a[i] : 0.0) + (double)cb_rng_below(&rng, (uint64_t)levels);
        ea[i] = exp(0.01 * a[i]) - 3.0; /* strictly increasing transform */
      }
      double t1, t2, s1, s2;
      ck_assert_int_eq(cb_kendall_tau_a(a, b, n, &t1), CB_OK);
      assert_near(t1, tau_a_naive(a, b, n), 1e-12, "tau_a merge-sort vs naive");
      ck_assert_int_eq(cb_kendall_tau_a(ea, b, n, &t2), CB_OK);
      assert_near(t2, t1, 1e-15, "tau_a monotone invariance");
      ck_assert_int_eq(cb_kendall_tau_a(b, a, n, &t2), CB_OK);
      assert_near(t2, t1, 1e-15, "tau_a symmetry");
      ck_assert_int_eq(cb_spearman(a, b, n, &s1), CB_OK);
      ck_assert_int_eq(cb_spearman(ea, b, n, &s2), CB_OK);
      assert_near(s2, s1, 1e-12, "spearman monotone invariance");
      free(a);
      free(b);
      free(ea);
    }
  }
  /* errors */
  double x[3] = {1, NAN, 2}, y[3] = {1, 2, 3}, out = 42.0;
  ck_assert_int_eq(cb_spearman(x, y, 3, &out), CB_ERR_NUMERIC);
  ck_assert_int_eq(cb_kendall_tau_a(y, x, 3, &out), CB_ERR_NUMERIC);
  ck_assert_int_eq(cb_kendall_tau_a(y, y, 1, &out), CB_ERR_ARG);
  ck_assert_double_eq(out, 42.0);
  double rk[5], v[5] = {10, 20, 10, 30, 10};
  ck_assert_int_eq(cb_rank_average(v, 5, rk), CB_OK);
  ck_assert_double_eq(rk[0], 2.0);
  ck_assert_double_eq(rk[1], 4.0);
  ck_assert_double_eq(rk[3], 5.0);
}
END_TEST

/* ---------------------------------------------------------------- RDMs */

START_TEST(test_rdm_goldens) {
  reader r;
  reader_open(&r, FIXDIR "sim_rdm.txt");
  int n = (int)next_double(&r), p = (int)next_double(&r);
  size_t m = cb_rdm_n_upper(n);
  double *X = read_vec(&r, (size_t)n * p), *Y = read_vec(&r, (size_t)n * p);
  double *D = malloc(sizeof *D * n * n), *E = malloc(sizeof *E * n * n), *v = malloc(sizeof *v * m);
  float *Xf = malloc(sizeof *Xf * n * p);
  for (int i = 0; i < n * p; ++i) Xf[i] = (float)X[i];
  const char *names[] = {"correlation", "euclidean", "cosine"};
  for (int d = 0; d < 3; ++d) {
    expect_word(&r, "dist");
    expect_word(&r, names[d]);
    ck_assert_str_eq(cb_rdm_distance_name((cb_rdm_distance)d), names[d]);
    double *want = read_vec(&r, m);
    ck_assert_int_eq(cb_rdm_compute(X, n, p, (cb_rdm_distance)d, D), CB_OK);
    for (int i = 0; i < n; ++i) {
      ck_assert_double_eq(D[i * n + i], 0.0);
      for (int j = 0; j < n; ++j) ck_assert_double_eq(D[i * n + j], D[j * n + i]);
    }
    cb_rdm_upper(D, n, v);
    for (size_t k = 0; k < m; ++k) assert_near(v[k], want[k], 1e-10 * fmax(1.0, fabs(want[k])), names[d]);
    /* float input: same to float precision */
    ck_assert_int_eq(cb_rdm_compute_f(Xf, n, p, (cb_rdm_distance)d, E), CB_OK);
    for (int k = 0; k < n * n; ++k) assert_near(E[k], D[k], 1e-5 * fmax(1.0, fabs(D[k])), "float rdm");
    free(want);
  }
  /* comparisons between the correlation-distance RDMs of X and Y */
  expect_word(&r, "cmp");
  ck_assert_int_eq(cb_rdm_compute(X, n, p, CB_RDM_CORRELATION, D), CB_OK);
  ck_assert_int_eq(cb_rdm_compute(Y, n, p, CB_RDM_CORRELATION, E), CB_OK);
  const char *cmp[] = {"spearman", "kendall_tau_a", "pearson", "cosine"};
  for (int k = 0; k < 4; ++k) {
    double want = next_double(&r), got;
    ck_assert_int_eq(cb_rdm_compare(D, E, n, (cb_rdm_compare_kind)k, &got), CB_OK);
    ck_assert_str_eq(cb_rdm_compare_name((cb_rdm_compare_kind)k), cmp[k]);
    assert_near(got, want, 1e-9, cmp[k]);
    ck_assert_int_eq(cb_rdm_compare(D, D, n, (cb_rdm_compare_kind)k, &got), CB_OK);
    assert_near(got, 1.0, 1e-12, "self comparison");
  }
  free(X);
  free(Y);
  free(Xf);
  free(D);
  free(E);
  free(v);
  free(r.text);
}
END_TEST

START_TEST(test_rdm_errors_and_properties) {
  /* loop over shapes: symmetric, zero diagonal, non-negative, Euclidean = direct formula */
  cb_rng rng;
  cb_rng_seed(&rng, 9);
  const int ns[] = {2, 5, 40}, ps[] = {1, 3, 300, 700};
  for (int a = 0; a < 3; ++a)
    for (int b = 0; b < 4; ++b) {
      int n = ns[a], p = ps[b];
      double *X = malloc(sizeof *X * n * p), *D = malloc(sizeof *D * n * n);
      for (int i = 0; i < n * p; ++i) X[i] = cb_rng_normal(&rng) + 3.0;
      ck_assert_int_eq(cb_rdm_compute(X, n, p, CB_RDM_EUCLIDEAN, D), CB_OK);
      for (int i = 0; i < n; ++i)
        for (int j = 0; j < n; ++j) {
          double s = 0.0;
          for (int k = 0; k < p; ++k) s += (X[i * p + k] - X[j * p + k]) * (X[i * p + k] - X[j * p + k]);
          assert_near(D[i * n + j], sqrt(s), 1e-9 * fmax(1.0, sqrt(s)), "euclidean direct");
          ck_assert_double_eq(D[i * n + j], D[j * n + i]);
        }
      if (p >= 2) {
        ck_assert_int_eq(cb_rdm_compute(X, n, p, CB_RDM_CORRELATION, D), CB_OK);
        for (int i = 0; i < n * n; ++i) ck_assert(D[i] >= 0.0 && D[i] <= 2.0);
      }
      free(X);
      free(D);
    }
  /* a constant row: correlation distance undefined -> reported, NaN in its row and column only */
  double X[4 * 3] = {1, 2, 3, 0.1, 0.1, 0.1, 3, 1, 2, 2, 2, 5}, D[16], out;
  ck_assert_int_eq(cb_rdm_compute(X, 4, 3, CB_RDM_CORRELATION, D), CB_ERR_NUMERIC);
  ck_assert_ptr_nonnull(strstr(cb_error_message(), "constant"));
  ck_assert(isnan(D[0 * 4 + 1]) && isnan(D[1 * 4 + 3]) && D[1 * 4 + 1] == 0.0 && !isnan(D[0 * 4 + 2]));
  ck_assert_int_eq(cb_rdm_compare(D, D, 4, CB_RDM_CMP_SPEARMAN, &out), CB_ERR_NUMERIC);
  ck_assert_int_eq(cb_rdm_compute(X, 4, 3, CB_RDM_EUCLIDEAN, D), CB_OK); /* Euclidean is fine */
  double Z[2 * 2] = {0, 0, 1, 2};
  ck_assert_int_eq(cb_rdm_compute(Z, 2, 2, CB_RDM_COSINE, D), CB_ERR_NUMERIC);
  ck_assert_int_eq(cb_rdm_compute(Z, 1, 2, CB_RDM_COSINE, D), CB_ERR_ARG);
  ck_assert_int_eq(cb_rdm_compute(Z, 2, 2, (cb_rdm_distance)7, D), CB_ERR_ARG);
  ck_assert_int_eq(cb_rdm_compare(D, D, 4, (cb_rdm_compare_kind)9, &out), CB_ERR_ARG);
}
END_TEST

/* ---------------------------------------------------------------- CKA */

START_TEST(test_cka_goldens) {
  reader r;
  reader_open(&r, FIXDIR "sim_cka.txt");
  int cases = 0;
  char *t;
  while ((t = next_token(&r)) != NULL) {
    ck_assert_str_eq(t, "cka");
    int n = (int)next_double(&r), px = (int)next_double(&r), py = (int)next_double(&r);
    double wb = next_double(&r), wu = next_double(&r);
    double *X = read_vec(&r, (size_t)n * px), *Y = read_vec(&r, (size_t)n * py), got;
    ck_assert_int_eq(cb_cka_linear(X, px, Y, py, n, CB_CKA_BIASED, &got), CB_OK);
    assert_near(got, wb, 1e-9, "cka biased");
    ck_assert_int_eq(cb_cka_linear(X, px, Y, py, n, CB_CKA_UNBIASED, &got), CB_OK);
    assert_near(got, wu, 1e-9, "cka unbiased");
    /* precomputed Gram entry point, float Gram, CKA(X, X) = 1, invariance to isotropic scaling */
    double *K = malloc(sizeof *K * n * n), *L = malloc(sizeof *L * n * n);
    float *Yf = malloc(sizeof *Yf * n * py);
    for (int i = 0; i < n * py; ++i) Yf[i] = (float)Y[i];
    ck_assert_int_eq(cb_cka_gram(X, n, px, K), CB_OK);
    ck_assert_int_eq(cb_cka_gram_f(Yf, n, py, L), CB_OK);
    ck_assert_int_eq(cb_cka_from_gram(K, L, n, CB_CKA_UNBIASED, &got), CB_OK);
    assert_near(got, wu, 1e-5, "cka unbiased (float Gram)");
    for (int e = 0; e < 2; ++e) {
      ck_assert_int_eq(cb_cka_from_gram(K, K, n, (cb_cka_estimator)e, &got), CB_OK);
      assert_near(got, 1.0, 1e-12, "cka self");
    }
    for (int i = 0; i < n * n; ++i) K[i] *= 7.5;
    ck_assert_int_eq(cb_cka_gram(Y, n, py, L), CB_OK);
    ck_assert_int_eq(cb_cka_from_gram(K, L, n, CB_CKA_BIASED, &got), CB_OK);
    assert_near(got, wb, 1e-9, "cka scale invariance");
    free(K);
    free(L);
    free(Yf);
    free(X);
    free(Y);
    ++cases;
  }
  ck_assert_int_eq(cases, 3);
  free(r.text);
  /* errors: too few stimuli, constant representation */
  double X[6] = {1, 2, 3, 4, 5, 6}, C[6] = {1, 1, 1, 1, 1, 1}, out = 5.0;
  ck_assert_int_eq(cb_cka_linear(X, 2, X, 2, 3, CB_CKA_UNBIASED, &out), CB_ERR_ARG);
  ck_assert_int_eq(cb_cka_linear(X, 1, C, 1, 6, CB_CKA_BIASED, &out), CB_ERR_NUMERIC);
  ck_assert_double_eq(out, 5.0);
}
END_TEST

/* ---------------------------------------------------------------- RSA ceiling */

START_TEST(test_rsa_goldens) {
  reader r;
  reader_open(&r, FIXDIR "sim_rsa.txt");
  const char *kinds[] = {"spearman", "tau_a", "pearson", "cosine"};
  int cases = 0;
  char *t;
  while ((t = next_token(&r)) != NULL) {
    ck_assert_str_eq(t, "rsa");
    int S = (int)next_double(&r);
    size_t m = (size_t)next_double(&r);
    double *V = read_vec(&r, (size_t)S * m);
    for (int k = 0; k < 4; ++k) {
      expect_word(&r, kinds[k]);
      double wu = next_double(&r), wl = next_double(&r), up, lo;
      ck_assert_int_eq(cb_rsa_ceiling(V, S, m, (cb_rdm_compare_kind)k, &up, &lo), CB_OK);
      assert_near(up, wu, 1e-9, kinds[k]);
      assert_near(lo, wl, 1e-9, kinds[k]);
      ck_assert_double_ge(up, lo);
    }
    free(V);
    ++cases;
  }
  ck_assert_int_eq(cases, 3);
  free(r.text);
}
END_TEST

START_TEST(test_rsa_known_reliability) {
  /* identical subjects -> both bounds 1; S subjects = truth + iid noise: lower bound ~ the analytic
   * corr(subject, mean of others) = 1 / sqrt((1 + s2) (1 + s2 / (S - 1))) for unit-variance truth (Pearson) */
  int S = 6, n = 60;
  size_t m = cb_rdm_n_upper(n);
  double s2 = 1.0, up, lo;
  double *V = malloc(sizeof *V * S * m), *truth = malloc(sizeof *truth * m);
  cb_rng rng;
  cb_rng_seed(&rng, 77);
  for (size_t i = 0; i < m; ++i) truth[i] = cb_rng_normal(&rng);
  for (int s = 0; s < S; ++s)
    for (size_t i = 0; i < m; ++i) V[s * m + i] = truth[i];
  ck_assert_int_eq(cb_rsa_ceiling(V, S, m, CB_RDM_CMP_SPEARMAN, &up, &lo), CB_OK);
  assert_near(up, 1.0, 1e-12, "identical upper");
  assert_near(lo, 1.0, 1e-12, "identical lower");
  for (int s = 0; s < S; ++s)
    for (size_t i = 0; i < m; ++i) V[s * m + i] = truth[i] + sqrt(s2) * cb_rng_normal(&rng);
  ck_assert_int_eq(cb_rsa_ceiling(V, S, m, CB_RDM_CMP_PEARSON, &up, &lo), CB_OK);
  double want_lo = 1.0 / sqrt((1.0 + s2) * (1.0 + s2 / (S - 1)));
  assert_near(lo, want_lo, 0.02, "lower bound vs analytic");
  ck_assert_double_gt(up, lo);
  ck_assert_int_eq(cb_rsa_ceiling(V, 1, m, CB_RDM_CMP_PEARSON, &up, &lo), CB_ERR_ARG);
  V[3] = NAN;
  ck_assert_int_eq(cb_rsa_ceiling(V, S, m, CB_RDM_CMP_PEARSON, &up, &lo), CB_ERR_NUMERIC);
  free(V);
  free(truth);
}
END_TEST

START_TEST(test_rsa_group_subjects) {
  /* 5 RDMs of 2 x 2 (only the values matter here): names B, A, B, C, A -> subjects B = (R0 + R2) / 2,
   * A = (R1 + R4) / 2, C = R3, in order of first appearance */
  const double R[5][4] = {{0, 1, 1, 0}, {0, 10, 10, 0}, {0, 3, 3, 0}, {0, 7, 7, 0}, {0, 20, 20, 0}};
  const double want[3][4] = {{0, 2, 2, 0}, {0, 15, 15, 0}, {0, 7, 7, 0}};
  char b[] = "B", a[] = "A", a2[] = "A", c[] = "C", b2[] = "B";
  char *names[5] = {b, a, b2, c, a2}; /* equal names in distinct buffers: compared by content */
  double *out = NULL;
  int G = -1;
  ck_assert_int_eq(cb_rsa_group_subjects(&R[0][0], names, 5, 2, &out, &G), CB_OK);
  ck_assert_int_eq(G, 3);
  for (int g = 0; g < 3; ++g)
    for (int i = 0; i < 4; ++i) assert_near(out[g * 4 + i], want[g][i], 0.0, "grouped RDM");
  free(out);
  /* no names: every RDM is its own subject (a copy) */
  out = NULL;
  ck_assert_int_eq(cb_rsa_group_subjects(&R[0][0], NULL, 5, 2, &out, &G), CB_OK);
  ck_assert_int_eq(G, 5);
  ck_assert_int_eq(memcmp(out, R, sizeof R), 0);
  free(out);
  /* one subject, two sessions */
  out = NULL;
  ck_assert_int_eq(cb_rsa_group_subjects(&R[0][0], (char *[]){a, a2}, 2, 2, &out, &G), CB_OK);
  ck_assert_int_eq(G, 1);
  assert_near(out[1], 5.5, 0.0, "two sessions");
  free(out);
  /* errors leave the outputs alone */
  out = NULL;
  G = -1;
  ck_assert_int_eq(cb_rsa_group_subjects(&R[0][0], (char *[]){a, NULL}, 2, 2, &out, &G), CB_ERR_ARG);
  ck_assert_int_eq(cb_rsa_group_subjects(&R[0][0], names, 0, 2, &out, &G), CB_ERR_ARG);
  ck_assert_int_eq(cb_rsa_group_subjects(NULL, names, 5, 2, &out, &G), CB_ERR_ARG);
  ck_assert_ptr_null(out);
  ck_assert_int_eq(G, -1);
  /* the ceiling over grouped sessions = the ceiling over the hand-averaged subjects */
  int n = 6, S = 6;
  size_t nn = (size_t)n * n;
  double *sess = calloc((size_t)S * nn, sizeof *sess), *subj = calloc(3 * nn, sizeof *subj);
  cb_rng rng;
  cb_rng_seed(&rng, 5);
  for (int s = 0; s < S; ++s)
    for (int i = 0; i < n; ++i)
      for (int j = i + 1; j < n; ++j)
        sess[s * nn + i * n + j] = sess[s * nn + j * n + i] = 1.0 + cb_rng_normal(&rng);
  char s1[] = "s1", s2[] = "s2", s3[] = "s3";
  char *sn[6] = {s1, s2, s3, s1, s2, s3};
  for (int g = 0; g < 3; ++g)
    for (size_t i = 0; i < nn; ++i) subj[g * nn + i] = (sess[g * nn + i] + sess[(g + 3) * nn + i]) / 2;
  ck_assert_int_eq(cb_rsa_group_subjects(sess, sn, S, n, &out, &G), CB_OK);
  ck_assert_int_eq(G, 3);
  double up1, lo1, up2, lo2;
  ck_assert_int_eq(cb_rsa_ceiling_rdms(out, G, n, CB_RDM_CMP_KENDALL_TAU_A, &up1, &lo1), CB_OK);
  ck_assert_int_eq(cb_rsa_ceiling_rdms(subj, 3, n, CB_RDM_CMP_KENDALL_TAU_A, &up2, &lo2), CB_OK);
  assert_near(up1, up2, 0.0, "grouped ceiling upper");
  assert_near(lo1, lo2, 0.0, "grouped ceiling lower");
  free(out);
  free(sess);
  free(subj);
}
END_TEST

/* ---------------------------------------------------------------- voxel noise correction */

START_TEST(test_noise_goldens) {
  reader r;
  reader_open(&r, FIXDIR "sim_noise.txt");
  int n = (int)next_double(&r), R = (int)next_double(&r), q = (int)next_double(&r);
  double *Y = read_vec(&r, (size_t)n * R * q), *P = read_vec(&r, (size_t)n * R * q), *M = read_vec(&r, (size_t)n * q);
  double *wd = read_vec(&r, q), *wp = read_vec(&r, q), *wr = read_vec(&r, q), *wc = read_vec(&r, q);
  double *rd = malloc(sizeof *rd * q), *rp = malloc(sizeof *rp * q), *rr = malloc(sizeof *rr * q);
  double *c = malloc(sizeof *c * q), *ym = calloc((size_t)n, sizeof *ym);
  ck_assert_int_eq(cb_noise_reliability(Y, n, R, q, rd), CB_OK);
  ck_assert_int_eq(cb_noise_reliability(P, n, R, q, rp), CB_OK);
  for (int v = 0; v < q; ++v) {
    for (int i = 0; i < n; ++i) {
      ym[i] = 0.0;
      for (int k = 0; k < R; ++k) ym[i] += Y[((size_t)i * R + k) * q + v] / R;
    }
    rr[v] = cb_pearson_strided(M + v, q, ym, 1, n);
    assert_near(rd[v], wd[v], 1e-9, "data reliability");
    assert_near(rp[v], wp[v], 1e-9, "prediction reliability");
    assert_near(rr[v], wr[v], 1e-9, "r");
  }
  ck_assert_int_eq(cb_noise_correct(rr, rd, rp, q, NULL, c), CB_OK);
  for (int v = 0; v < q; ++v) assert_near(c[v], wc[v], 1e-9, "corrected r2");
  free(Y), free(P), free(M), free(wd), free(wp), free(wr), free(wc), free(rd), free(rp), free(rr), free(c), free(ym);
  free(r.text);
}
END_TEST

START_TEST(test_noise_known_reliability) {
  /* voxel v: y_k = s + e_k, var s = 1, var e = sd^2 -> single-repetition reliability rho = 1 / (1 + sd^2), reliability
   * of the mean of R repetitions = R rho / (1 + (R - 1) rho). Predictions p_k = g + u_k with corr(g, s) = c: the
   * noise-corrected r^2 of mean(p) vs mean(y) estimates c^2. */
  int n = 6000, R = 3, q = 4;
  const double sd[4] = {0.5, 1.0, 2.0, 0.8}, c_true = 0.6, sd_p = 0.7;
  double *Y = malloc(sizeof *Y * n * R * q), *P = malloc(sizeof *P * n * R * q), *ym = malloc(sizeof *ym * n),
         *pm = malloc(sizeof *pm * n);
  double rd[4], rp[4], r[4], c[4];
  cb_rng rng;
  cb_rng_seed(&rng, 123);
  for (int i = 0; i < n; ++i)
    for (int v = 0; v < q; ++v) {
      double s = cb_rng_normal(&rng), gg = c_true * s + sqrt(1 - c_true * c_true) * cb_rng_normal(&rng);
      for (int k = 0; k < R; ++k) {
        Y[((size_t)i * R + k) * q + v] = s + sd[v] * cb_rng_normal(&rng);
        P[((size_t)i * R + k) * q + v] = gg + sd_p * cb_rng_normal(&rng);
      }
    }
  ck_assert_int_eq(cb_noise_reliability(Y, n, R, q, rd), CB_OK);
  ck_assert_int_eq(cb_noise_reliability(P, n, R, q, rp), CB_OK);
  for (int v = 0; v < q; ++v) {
    double rho = 1.0 / (1.0 + sd[v] * sd[v]), rho_p = 1.0 / (1.0 + sd_p * sd_p);
    assert_near(rd[v], cb_spearman_brown(rho, R), 0.02, "data reliability vs analytic");
    assert_near(rp[v], cb_spearman_brown(rho_p, R), 0.02, "prediction reliability vs analytic");
    for (int i = 0; i < n; ++i) {
      ym[i] = pm[i] = 0.0;
      for (int k = 0; k < R; ++k) {
        ym[i] += Y[((size_t)i * R + k) * q + v] / R;
        pm[i] += P[((size_t)i * R + k) * q + v] / R;
      }
    }
    r[v] = cb_pearson(pm, ym, n);
  }
  ck_assert_int_eq(cb_noise_correct(r, rd, rp, q, NULL, c), CB_OK);
  for (int v = 0; v < q; ++v) assert_near(c[v], c_true * c_true, 0.04, "corrected r2 vs c^2");
  /* floors, clipping, negative r, NaN reliability */
  cb_noise_params p;
  cb_noise_params_default(&p);
  ck_assert_double_eq(p.floor_data, 0.182);
  ck_assert_double_eq(p.floor_pred, 0.183);
  double r2[4] = {0.1, 0.9, -0.3, NAN}, d2[4] = {0.01, 0.5, 0.5, 0.5}, p2[4] = {NAN, 0.5, 0.5, 0.5}, o[4];
  ck_assert_int_eq(cb_noise_correct(r2, d2, p2, 4, &p, o), CB_OK);
  assert_near(o[0], 0.01 / (0.182 * 0.183), 1e-15, "floors");
  assert_near(o[1], 1.0, 0, "clip at 1");
  assert_near(o[2], 0.0, 0, "negative r -> 0");
  ck_assert(isnan(o[3]));
  p.clip_max = INFINITY;
  p.zero_negative_r = 0;
  ck_assert_int_eq(cb_noise_correct(r2, d2, p2, 4, &p, o), CB_OK);
  assert_near(o[1], 0.81 / 0.25, 1e-15, "no clipping");
  assert_near(o[2], 0.09 / 0.25, 1e-15, "negative r kept");
  p.floor_data = 0.0;
  ck_assert_int_eq(cb_noise_correct(r2, d2, p2, 4, &p, o), CB_ERR_ARG);
  ck_assert_int_eq(cb_noise_reliability(Y, n, 1, q, rd), CB_ERR_NUMERIC);
  free(Y), free(P), free(ym), free(pm);
}
END_TEST

/* ---------------------------------------------------------------- bootstrap */

typedef struct mean_ctx {
  const double *x; /* (n) */
} mean_ctx;

static cb_status mean_score(const int *idx, int n, void *ctx, double *score) {
  const mean_ctx *c = ctx;
  double s = 0.0;
  for (int i = 0; i < n; ++i) s += c->x[idx[i]];
  *score = s / n;
  return CB_OK;
}

static cb_status failing_score(const int *idx, int n, void *ctx, double *score) {
  (void)idx, (void)n, (void)ctx, (void)score;
  return CB_ERROR(CB_ERR_NUMERIC, "boom");
}

START_TEST(test_bootstrap) {
  /* percentile interval of the mean vs the analytic normal interval mean +- 1.96 s / sqrt(n) */
  int n = 400, n_boot = 4000;
  double *x = malloc(sizeof *x * n), lo, hi, lo2, hi2;
  cb_rng rng;
  cb_rng_seed(&rng, 2024);
  double m = 0.0, ss = 0.0;
  for (int i = 0; i < n; ++i) m += (x[i] = 3.0 + 2.0 * cb_rng_normal(&rng));
  m /= n;
  for (int i = 0; i < n; ++i) ss += (x[i] - m) * (x[i] - m);
  double se = sqrt(ss / n) / sqrt(n);
  mean_ctx ctx = {x};
  ck_assert_int_eq(cb_bootstrap_ci(n, n_boot, 7, 0.05, mean_score, &ctx, &lo, &hi), CB_OK);
  assert_near(lo, m - 1.959964 * se, 0.08 * se, "bootstrap lo vs normal");
  assert_near(hi, m + 1.959964 * se, 0.08 * se, "bootstrap hi vs normal");
  ck_assert_int_eq(cb_bootstrap_ci(n, n_boot, 7, 0.05, mean_score, &ctx, &lo2, &hi2), CB_OK);
  ck_assert(lo2 == lo && hi2 == hi); /* seeded: reproducible */
  /* coverage of the true mean over 300 data sets of n = 60: 0.95 +- 4 binomial sd */
  int trials = 300, covered = 0, nn = 60;
  for (int t = 0; t < trials; ++t) {
    for (int i = 0; i < nn; ++i) x[i] = 3.0 + 2.0 * cb_rng_normal(&rng);
    ck_assert_int_eq(cb_bootstrap_ci(nn, 1000, 100 + t, 0.05, mean_score, &ctx, &lo, &hi), CB_OK);
    covered += lo <= 3.0 && 3.0 <= hi;
  }
  double cov = (double)covered / trials;
  ck_assert_msg(fabs(cov - 0.95) <= 4 * sqrt(0.95 * 0.05 / trials) + 0.01, "coverage %.3f", cov);
  /* quantile convention = numpy's linear interpolation */
  double v[5] = {4, NAN, 1, 3, 2};
  assert_near(cb_quantile_skipnan(v, 5, 0.5), 2.5, 1e-15, "median");
  assert_near(cb_quantile_skipnan(v, 5, 0.1), 1.3, 1e-15, "q0.1");
  /* errors */
  ck_assert_int_eq(cb_bootstrap_ci(n, 10, 1, 0.05, failing_score, NULL, &lo, &hi), CB_ERR_NUMERIC);
  ck_assert_ptr_nonnull(strstr(cb_error_message(), "replicate 0"));
  ck_assert_int_eq(cb_bootstrap_ci(n, 10, 1, 1.5, mean_score, &ctx, &lo, &hi), CB_ERR_ARG);
  ck_assert_int_eq(cb_bootstrap_ci(1, 10, 1, 0.05, mean_score, &ctx, &lo, &hi), CB_ERR_ARG);
  free(x);
}
END_TEST

/* ---------------------------------------------------------------- Kriegeskorte et al. 2008 real data */

static int have_kriegeskorte(void) {
  struct stat sb;
  return stat(KRIEG_DIR "92_brainRDMs.mat", &sb) == 0 && stat(FIXDIR "sim_kriegeskorte.txt", &sb) == 0;
}

static double krieg_ref(const char *key) {
  reader r;
  reader_open(&r, FIXDIR "sim_kriegeskorte.txt");
  char *t;
  double v = NAN;
  while ((t = next_token(&r)) != NULL) {
    double x = next_double(&r);
    if (strcmp(t, key) == 0) v = x;
  }
  free(r.text);
  ck_assert_msg(!isnan(v), "key %s missing from sim_kriegeskorte.txt", key);
  return v;
}

#ifdef CB_HAVE_MATIO
/* Copies the numeric field `field` of struct element `index` of variable `name` as double; returns its size. */
static size_t mat_field(const char *path, const char *name, const char *field, size_t index, double **out) {
  mat_t *mat = Mat_Open(path, MAT_ACC_RDONLY);
  ck_assert_msg(mat != NULL, "cannot open %s", path);
  matvar_t *var = Mat_VarRead(mat, name);
  ck_assert_msg(var != NULL && var->class_type == MAT_C_STRUCT, "%s: no struct %s", path, name);
  matvar_t *f = Mat_VarGetStructFieldByName(var, field, index);
  ck_assert_ptr_nonnull(f);
  size_t len = 1;
  for (int d = 0; d < f->rank; ++d) len *= f->dims[d];
  double *v = malloc(sizeof *v * len);
  if (f->class_type == MAT_C_DOUBLE)
    memcpy(v, f->data, sizeof *v * len);
  else if (f->class_type == MAT_C_SINGLE)
    for (size_t i = 0; i < len; ++i) v[i] = ((const float *)f->data)[i];
  else
    ck_abort_msg("%s.%s: unexpected class %d", name, field, (int)f->class_type);
  Mat_VarFree(var);
  Mat_Close(mat);
  *out = v;
  return len;
}
#endif

START_TEST(test_kriegeskorte) {
  if (!have_kriegeskorte()) {
    fprintf(stderr, "test_kriegeskorte: skipped (%s or the fixture is absent)\n", KRIEG_DIR);
    return;
  }
#ifndef CB_HAVE_MATIO
  fprintf(stderr, "test_kriegeskorte: skipped (built without libmatio)\n");
#else
  double *mit = NULL, *hit = NULL, got;
  size_t m = mat_field(KRIEG_DIR "Kriegeskorte_Neuron2008_supplementalData.mat", "RDMs_mIT_hIT_fig1", "RDM", 0, &mit);
  ck_assert_uint_eq(m, 4186);
  ck_assert_uint_eq(mat_field(KRIEG_DIR "Kriegeskorte_Neuron2008_supplementalData.mat", "RDMs_mIT_hIT_fig1", "RDM", 1, &hit), 4186);
  double sum = 0.0;
  for (size_t i = 0; i < m; ++i) sum += mit[i];
  assert_near(sum, 4167.792212231709, 1e-8, "mIT sum (SOURCE.md)");
  ck_assert_int_eq(cb_rdm_compare_vec(mit, hit, m, CB_RDM_CMP_SPEARMAN, &got), CB_OK);
  assert_near(got, krieg_ref("mit_hit_spearman"), 1e-9, "mIT-hIT Spearman");
  ck_assert_int_eq(cb_rdm_compare_vec(mit, hit, m, CB_RDM_CMP_KENDALL_TAU_A, &got), CB_OK);
  assert_near(got, krieg_ref("mit_hit_tau_a"), 1e-9, "mIT-hIT tau-a");
  ck_assert_int_eq(cb_rdm_compare_vec(mit, hit, m, CB_RDM_CMP_PEARSON, &got), CB_OK);
  assert_near(got, krieg_ref("mit_hit_pearson"), 1e-9, "mIT-hIT Pearson");
  /* 4 human-IT subjects x 2 sessions; struct (1, 4, 2) stored column-major: element s + 4 k; subject = session mean */
  int n = 92, S = 4;
  double *R = calloc((size_t)S * n * n, sizeof *R);
  for (int s = 0; s < S; ++s)
    for (int k = 0; k < 2; ++k) {
      double *D = NULL;
      ck_assert_uint_eq(mat_field(KRIEG_DIR "92_brainRDMs.mat", "RDMs", "RDM", (size_t)(s + 4 * k), &D), (size_t)n * n);
      for (int i = 0; i < n; ++i)
        for (int j = 0; j < n; ++j) R[((size_t)s * n + i) * n + j] += 0.5 * D[(size_t)j * n + i]; /* column-major */
      free(D);
    }
  const char *kinds[] = {"spearman", "tau_a", "pearson"};
  for (int k = 0; k < 3; ++k) {
    double up, lo;
    char key[64];
    ck_assert_int_eq(cb_rsa_ceiling_rdms(R, S, n, (cb_rdm_compare_kind)k, &up, &lo), CB_OK);
    snprintf(key, sizeof key, "hit4_ceiling_%s_upper", kinds[k]);
    assert_near(up, krieg_ref(key), 1e-9, key);
    snprintf(key, sizeof key, "hit4_ceiling_%s_lower", kinds[k]);
    assert_near(lo, krieg_ref(key), 1e-9, key);
  }
  free(R);
  free(mit);
  free(hit);
#endif
}
END_TEST

static Suite *similarity_suite(void) {
  Suite *s = suite_create("similarity");
  TCase *tc = tcase_create("core");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, test_rank_goldens);
  tcase_add_test(tc, test_rank_properties);
  tcase_add_test(tc, test_rdm_goldens);
  tcase_add_test(tc, test_rdm_errors_and_properties);
  tcase_add_test(tc, test_cka_goldens);
  tcase_add_test(tc, test_rsa_goldens);
  tcase_add_test(tc, test_rsa_known_reliability);
  tcase_add_test(tc, test_rsa_group_subjects);
  tcase_add_test(tc, test_noise_goldens);
  tcase_add_test(tc, test_noise_known_reliability);
  tcase_add_test(tc, test_bootstrap);
  tcase_add_test(tc, test_kriegeskorte);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) {
  return cb_test_run(similarity_suite());
}

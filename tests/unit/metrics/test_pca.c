/* test_pca.c - the PCA kernel against sklearn.decomposition.PCA
 * (tests/reference/gen_pca.py -> fixtures/pca.txt), up to the sign of each
 * component, plus properties and argument errors. */
#include <check.h>
#include <math.h>
#include <stdlib.h>

#include "cb_pca.h"
#include "cb_test_fixture.h"
#include "cb_test_main.h"

static void read_rows(reader *r, double *A, int64_t n) {
  for (int64_t i = 0; i < n; ++i) A[i] = next_double(r);
}

/* max |a - s b| <= tol * max |b| over a vector, with the sign s fixed by a·b. */
static double sign_of(const double *a, const double *b, int64_t n, int64_t stride) {
  double dot = 0;
  for (int64_t i = 0; i < n; ++i) dot += a[i * stride] * b[i * stride];
  return dot < 0 ? -1.0 : 1.0;
}

START_TEST(test_against_sklearn) {
  reader r;
  reader_open(&r, "tests/reference/fixtures/pca.txt");
  const int n_cases = (int)next_double(&r);
  ck_assert_int_ge(n_cases, 4);
  for (int c = 0; c < n_cases; ++c) {
    expect_word(&r, "case");
    const int64_t n = (int64_t)next_double(&r), p = (int64_t)next_double(&r), m = (int64_t)next_double(&r);
    const int k = (int)next_double(&r);
    double *Xd = malloc(sizeof *Xd * n * p), *Yd = malloc(sizeof *Yd * m * p);
    double *mean = malloc(sizeof *mean * p), *sing = malloc(sizeof *sing * k);
    double *comp = malloc(sizeof *comp * k * p), *proj = malloc(sizeof *proj * m * k);
    float *X = malloc(sizeof *X * n * p), *Y = malloc(sizeof *Y * m * p), *P = malloc(sizeof *P * m * k);
    read_rows(&r, Xd, n * p);
    read_rows(&r, Yd, m * p);
    expect_word(&r, "mean");
    read_rows(&r, mean, p);
    expect_word(&r, "singular");
    read_rows(&r, sing, k);
    expect_word(&r, "components");
    read_rows(&r, comp, (int64_t)k * p);
    expect_word(&r, "proj");
    read_rows(&r, proj, m * k);
    for (int64_t i = 0; i < n * p; ++i) X[i] = (float)Xd[i];
    for (int64_t i = 0; i < m * p; ++i) Y[i] = (float)Yd[i];
    /* ask for more components than exist in the capped case: k = min(.) */
    cb_pca *pca = NULL;
    ck_assert_int_eq(cb_pca_fit(X, n, p, k == p ? k + 50 : k, &pca), CB_OK);
    ck_assert_int_eq(pca->k, k);
    ck_assert_int_eq(pca->p, p);
    for (int64_t j = 0; j < p; ++j) ck_assert_double_eq_tol(pca->mean[j], mean[j], 1e-5 * (1 + fabs(mean[j])));
    for (int i = 0; i < k; ++i) ck_assert_double_eq_tol(pca->singular[i], sing[i], 1e-5 * sing[0]);
    ck_assert_int_eq(cb_pca_transform(pca, Y, m, P), CB_OK);
    for (int i = 0; i < k; ++i) {
      const double s = sign_of(pca->components + (size_t)i * p, comp + (size_t)i * p, p, 1);
      double amax = 0, err = 0;
      for (int64_t j = 0; j < p; ++j) {
        amax = fmax(amax, fabs(comp[i * p + j]));
        err = fmax(err, fabs(pca->components[i * p + j] - s * comp[i * p + j]));
      }
      ck_assert_msg(err <= 1e-5 * amax, "case %d component %d: max error %g", c, i, err);
      /* projections: 1e-5 relative to the component's largest |projection| */
      double pmax = 0, perr = 0;
      for (int64_t t = 0; t < m; ++t) {
        pmax = fmax(pmax, fabs(proj[t * k + i]));
        perr = fmax(perr, fabs((double)P[t * k + i] - s * proj[t * k + i]));
      }
      ck_assert_msg(perr <= 1e-5 * pmax, "case %d component %d: projection error %g of %g", c, i, perr, pmax);
    }
    cb_pca_destroy(&pca);
    ck_assert_ptr_null(pca);
    free(Xd), free(Yd), free(mean), free(sing), free(comp), free(proj), free(X), free(Y), free(P);
  }
  free(r.text);
}
END_TEST

/* The fit data's projections are centred, uncorrelated, with variances s_i²
 * in decreasing order; the components are orthonormal; the largest |score|
 * of each component is positive (the documented sign convention). */
START_TEST(test_properties) {
  const int64_t shapes[][2] = {{50, 6}, {6, 50}, {20, 20}, {3, 100}};
  for (size_t sh = 0; sh < sizeof shapes / sizeof *shapes; ++sh) {
    const int64_t n = shapes[sh][0], p = shapes[sh][1];
    float *X = malloc(sizeof *X * n * p);
    unsigned s = 12345u + (unsigned)sh;
    for (int64_t i = 0; i < n * p; ++i) {
      s = s * 1103515245u + 12345u;
      X[i] = (float)((s >> 8) % 10000) / 1000.0f + (float)(i % p) * 0.1f;
    }
    cb_pca *pca = NULL;
    ck_assert_int_eq(cb_pca_fit(X, n, p, 1000, &pca), CB_OK);
    const int k = pca->k;
    ck_assert_int_eq(k, n < p ? n : p);
    float *U = malloc(sizeof *U * n * k);
    ck_assert_int_eq(cb_pca_transform(pca, X, n, U), CB_OK);
    for (int a = 0; a < k; ++a) {
      if (pca->singular[a] == 0) continue; /* degenerate (rank n - 1) */
      if (a > 0) ck_assert(pca->singular[a] <= pca->singular[a - 1] * (1 + 1e-12));
      double mu = 0, var = 0, big = 0;
      for (int64_t i = 0; i < n; ++i) {
        mu += U[i * k + a];
        var += (double)U[i * k + a] * U[i * k + a];
        if (fabs(U[i * k + a]) > fabs(big)) big = U[i * k + a];
      }
      ck_assert_double_eq_tol(mu / n, 0.0, 1e-4 * pca->singular[0]);
      ck_assert_double_eq_tol(sqrt(var), pca->singular[a], 1e-4 * pca->singular[0]);
      ck_assert(big > 0);
      for (int b = 0; b < k; ++b) {
        if (pca->singular[b] == 0) continue;
        double dot = 0;
        for (int64_t j = 0; j < p; ++j) dot += pca->components[a * p + j] * pca->components[b * p + j];
        const double want = a == b ? 1.0 : 0.0;
        ck_assert_double_eq_tol(dot, want, 1e-6);
      }
    }
    free(U);
    free(X);
    cb_pca_destroy(&pca);
  }
  cb_pca_destroy(NULL);
}
END_TEST

START_TEST(test_errors) {
  float X[4] = {1, 2, 3, 4};
  cb_pca *pca = NULL;
  ck_assert_int_eq(cb_pca_fit(X, 2, 2, 0, &pca), CB_ERR_ARG);
  ck_assert_int_eq(cb_pca_fit(NULL, 2, 2, 1, &pca), CB_ERR_ARG);
  ck_assert_int_eq(cb_pca_fit(X, 0, 2, 1, &pca), CB_ERR_ARG);
  ck_assert_ptr_null(pca);
  cb_error_clear();
}
END_TEST

int main(void) {
  Suite *s = suite_create("pca");
  TCase *tc = tcase_create("pca");
  tcase_add_test(tc, test_against_sklearn);
  tcase_add_test(tc, test_properties);
  tcase_add_test(tc, test_errors);
  suite_add_tcase(s, tc);
  return cb_test_run(s);
}

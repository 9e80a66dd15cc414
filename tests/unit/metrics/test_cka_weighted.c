/* test_cka_weighted.c - the weighted CKA of bootstrap resamples (cb_cka_weighted.h) against its definitions:
 * 0/1 weights = CKA of the chosen stimuli (cb_cka_from_gram); the unbiased estimator with repeats = the sums
 * over tuples of distinct stimuli written out (O(n^4) loops); the biased one with repeats = the biased CKA of the
 * expanded resample. */
#include <check.h>
#include <math.h>
#include <stdlib.h>

#include "cb_cka.h"
#include "cb_cka_weighted.h"
#include "cb_rng.h"
#include "cb_test_main.h"

enum { N = 9, PX = 4, PY = 3 };

static void grams(cb_rng *g, double *K, double *L) {
  double X[N * PX], Y[N * PY];
  for (int i = 0; i < N * PX; ++i) X[i] = cb_rng_uniform(g) - 0.3;
  for (int i = 0; i < N * PY; ++i) Y[i] = cb_rng_uniform(g) + 0.2 * X[i % (N * PX)];
  ck_assert_int_eq(cb_cka_gram(X, N, PX, K), CB_OK);
  ck_assert_int_eq(cb_cka_gram(Y, N, PY, L), CB_OK);
}

/* Song et al.'s three moments, each averaged over ordered tuples of distinct stimuli weighted by their counts. */
static double hsic_tuples(const double *A, const double *B, const double *w) {
  double s1 = 0, n1 = 0, s2 = 0, n2 = 0, s3 = 0, n3 = 0;
  for (int i = 0; i < N; ++i)
    for (int j = 0; j < N; ++j) {
      if (j == i) continue;
      s1 += w[i] * w[j] * A[i * N + j] * B[i * N + j];
      n1 += w[i] * w[j];
      for (int q = 0; q < N; ++q) {
        if (q == i || q == j) continue;
        s2 += w[i] * w[j] * w[q] * A[i * N + j] * B[i * N + q];
        n2 += w[i] * w[j] * w[q];
        for (int r = 0; r < N; ++r) {
          if (r == i || r == j || r == q) continue;
          s3 += w[i] * w[j] * w[q] * w[r] * A[i * N + j] * B[q * N + r];
          n3 += w[i] * w[j] * w[q] * w[r];
        }
      }
    }
  return s1 / n1 + s3 / n3 - 2 * s2 / n2;
}

START_TEST(test_subsets_equal_plain_cka) {
  cb_rng g;
  cb_rng_seed_stream(&g, 11, 0);
  double K[N * N], L[N * N], w[N], Ks[N * N], Ls[N * N];
  grams(&g, K, L);
  for (int e = 0; e < 2; ++e) {
    cb_cka_w *c = NULL;
    ck_assert_int_eq(cb_cka_w_create(K, L, N, (cb_cka_estimator)e, &c), CB_OK);
    for (int trial = 0; trial < 10; ++trial) {
      int idx[N], m = 0;
      for (int i = 0; i < N; ++i) {
        w[i] = (trial + i) % 3 != 0 || trial == 0; /* trial 0: every stimulus */
        if (w[i] > 0) idx[m++] = i;
      }
      for (int a = 0; a < m; ++a)
        for (int b = 0; b < m; ++b) {
          Ks[a * m + b] = K[idx[a] * N + idx[b]];
          Ls[a * m + b] = L[idx[a] * N + idx[b]];
        }
      double want, got;
      int undefined = 1;
      ck_assert_int_eq(cb_cka_from_gram(Ks, Ls, m, (cb_cka_estimator)e, &want), CB_OK);
      ck_assert_int_eq(cb_cka_w_eval(c, w, &got, &undefined), CB_OK);
      ck_assert_int_eq(undefined, 0);
      ck_assert_double_eq_tol(got, want, 1e-12);
    }
    cb_cka_w_destroy(&c);
    ck_assert_ptr_null(c);
  }
}
END_TEST

START_TEST(test_repeats) {
  cb_rng g;
  cb_rng_seed_stream(&g, 12, 0);
  double K[N * N], L[N * N], w[N];
  grams(&g, K, L);
  cb_cka_w *cu = NULL, *cb = NULL;
  ck_assert_int_eq(cb_cka_w_create(K, L, N, CB_CKA_UNBIASED, &cu), CB_OK);
  ck_assert_int_eq(cb_cka_w_create(K, L, N, CB_CKA_BIASED, &cb), CB_OK);
  int compared = 0;
  for (int trial = 0; trial < 12; ++trial) {
    int total = 0;
    for (int i = 0; i < N; ++i) total += (int)(w[i] = (double)cb_rng_below(&g, 4));
    int distinct = 0;
    for (int i = 0; i < N; ++i) distinct += w[i] > 0;
    if (distinct < 4) continue;
    /* unbiased: the tuple sums written out */
    double kk = hsic_tuples(K, K, w), ll = hsic_tuples(L, L, w), want = hsic_tuples(K, L, w) / sqrt(kk * ll), got;
    int undefined = 1;
    ck_assert_int_eq(cb_cka_w_eval(cu, w, &got, &undefined), CB_OK);
    if (kk * ll > 0) { /* HSIC_u of a representation with itself can be negative at small n: then undefined */
      ck_assert_int_eq(undefined, 0);
      ck_assert_double_eq_tol(got, want, 1e-11);
      ++compared;
    } else {
      ck_assert_int_eq(undefined, 1);
    }
    /* biased: the expanded resample */
    int *rows = malloc(sizeof *rows * (size_t)total), m = 0;
    for (int i = 0; i < N; ++i)
      for (int k = 0; k < (int)w[i]; ++k) rows[m++] = i;
    double *Ke = malloc(sizeof *Ke * (size_t)m * m), *Le = malloc(sizeof *Le * (size_t)m * m);
    for (int a = 0; a < m; ++a)
      for (int b = 0; b < m; ++b) {
        Ke[a * m + b] = K[rows[a] * N + rows[b]];
        Le[a * m + b] = L[rows[a] * N + rows[b]];
      }
    ck_assert_int_eq(cb_cka_from_gram(Ke, Le, m, CB_CKA_BIASED, &want), CB_OK);
    ck_assert_int_eq(cb_cka_w_eval(cb, w, &got, &undefined), CB_OK);
    ck_assert_double_eq_tol(got, want, 1e-12);
    free(rows), free(Ke), free(Le);
  }
  ck_assert_int_ge(compared, 5);
  cb_cka_w_destroy(&cu);
  cb_cka_w_destroy(&cb);
}
END_TEST

START_TEST(test_edges) {
  cb_rng g;
  cb_rng_seed_stream(&g, 13, 0);
  double K[N * N], L[N * N], w[N] = {0}, v;
  int undefined = 0;
  grams(&g, K, L);
  cb_cka_w *c = NULL;
  ck_assert_int_eq(cb_cka_w_create(K, L, N, CB_CKA_UNBIASED, &c), CB_OK);
  w[0] = 5, w[1] = 1, w[2] = 2; /* 3 distinct stimuli: no 4-tuple, no value */
  ck_assert_int_eq(cb_cka_w_eval(c, w, &v, &undefined), CB_OK);
  ck_assert(isnan(v));
  w[3] = -1;
  ck_assert_int_eq(cb_cka_w_eval(c, w, &v, &undefined), CB_ERR_ARG);
  cb_cka_w_destroy(&c);
  double C[N * N]; /* a constant representation: undefined, 0 */
  for (int i = 0; i < N * N; ++i) C[i] = 2.0;
  ck_assert_int_eq(cb_cka_w_create(C, L, N, CB_CKA_UNBIASED, &c), CB_OK);
  for (int i = 0; i < N; ++i) w[i] = 1 + i % 2;
  ck_assert_int_eq(cb_cka_w_eval(c, w, &v, &undefined), CB_OK);
  ck_assert_int_eq(undefined, 1);
  ck_assert_double_eq(v, 0.0);
  cb_cka_w_destroy(&c);
  K[5] = NAN;
  ck_assert_int_eq(cb_cka_w_create(K, L, N, CB_CKA_UNBIASED, &c), CB_ERR_NUMERIC);
  ck_assert_ptr_null(c);
  cb_cka_w_destroy(NULL);
}
END_TEST

int main(void) {
  Suite *s = suite_create("cka_weighted");
  TCase *tc = tcase_create("cka_weighted");
  tcase_add_test(tc, test_subsets_equal_plain_cka);
  tcase_add_test(tc, test_repeats);
  tcase_add_test(tc, test_edges);
  suite_add_tcase(s, tc);
  return cb_test_run(s);
}

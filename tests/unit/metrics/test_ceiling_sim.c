/* Split-half ceilings of the RDM and CKA metrics (src/metrics/cb_ceiling_sim.c)
 * against tests/reference/make_ceiling_goldens.py (scipy), plus properties:
 * noise-free data give 1, more noise gives a lower ceiling, determinism. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_ceiling_sim.h"
#include "cb_rng.h"
#include "cb_test_main.h"

START_TEST(test_against_scipy) {
  FILE *f = fopen("tests/reference/fixtures/ceiling_sim.txt", "r");
  ck_assert_ptr_nonnull(f);
  char line[4096];
  ck_assert_ptr_nonnull(fgets(line, sizeof line, f)); /* comment */
  int n, r, q;
  ck_assert_int_eq(fscanf(f, "%d %d %d", &n, &r, &q), 3);
  double *R = malloc(sizeof *R * (size_t)n * r * q); /* (n, r, q) */
  for (int i = 0; i < n * r * q; ++i) ck_assert_int_eq(fscanf(f, "%lf", &R[i]), 1);
  double ref_rdm, ref_cka;
  ck_assert_int_eq(fscanf(f, " rdm_spearman %lf cka_biased %lf", &ref_rdm, &ref_cka), 2);
  fclose(f);
  double c, e;
  ck_assert_int_eq(cb_ceiling_split_half_rdm(R, n, r, q, 5, 1, CB_RDM_CORRELATION, CB_RDM_CMP_SPEARMAN, &c, &e), CB_OK);
  ck_assert_double_eq_tol(c, ref_rdm, 1e-9);
  ck_assert_double_eq_tol(e, 0.0, 1e-12); /* two repetitions: every split is the same */
  ck_assert_int_eq(cb_ceiling_split_half_cka(R, n, r, q, 5, 1, CB_CKA_BIASED, &c, &e), CB_OK);
  ck_assert_double_eq_tol(c, ref_cka, 1e-9);
  free(R);
}
END_TEST

/* R = signal + sigma * noise, (n, reps, q). */
static double *make(int n, int reps, int q, double sigma, uint64_t seed) {
  double *R = malloc(sizeof *R * (size_t)n * reps * q);
  cb_rng g;
  cb_rng_seed(&g, seed);
  double *s = malloc(sizeof *s * (size_t)n * q);
  for (int i = 0; i < n * q; ++i) s[i] = cb_rng_normal(&g);
  for (int i = 0; i < n; ++i)
    for (int k = 0; k < reps; ++k)
      for (int j = 0; j < q; ++j) R[((size_t)i * reps + k) * q + j] = s[i * q + j] + sigma * cb_rng_normal(&g);
  free(s);
  return R;
}

START_TEST(test_properties) {
  const int n = 40, reps = 6, q = 20;
  double prev_rdm = 2, prev_cka = 2;
  double sigmas[] = {0.0, 0.5, 1.5, 4.0};
  for (int k = 0; k < 4; ++k) {
    double *R = make(n, reps, q, sigmas[k], 7);
    double c1, e1, c2, e2, c3, e3;
    ck_assert_int_eq(cb_ceiling_split_half_rdm(R, n, reps, q, 10, 1, CB_RDM_CORRELATION, CB_RDM_CMP_SPEARMAN, &c1, &e1), CB_OK);
    ck_assert_int_eq(cb_ceiling_split_half_cka(R, n, reps, q, 10, 1, CB_CKA_BIASED, &c2, &e2), CB_OK);
    ck_assert_int_eq(cb_ceiling_split_half_rdm(R, n, reps, q, 10, 1, CB_RDM_CORRELATION, CB_RDM_CMP_SPEARMAN, &c3, &e3), CB_OK);
    ck_assert(c1 == c3 && e1 == e3); /* deterministic for a seed */
    if (sigmas[k] == 0.0) {
      ck_assert_double_eq_tol(c1, 1.0, 1e-12);
      ck_assert_double_eq_tol(c2, 1.0, 1e-12);
    }
    ck_assert(c1 < prev_rdm + 1e-12 && c2 < prev_cka + 1e-12);
    prev_rdm = c1;
    prev_cka = c2;
    free(R);
  }
  ck_assert(prev_rdm < 0.9 && prev_cka < 0.9);
}
END_TEST

START_TEST(test_errors_and_missing) {
  double *R = make(10, 1, 3, 1.0, 3);
  double c, e;
  ck_assert_int_eq(cb_ceiling_split_half_rdm(R, 10, 1, 3, 5, 1, CB_RDM_CORRELATION, CB_RDM_CMP_SPEARMAN, &c, &e), CB_ERR_NUMERIC);
  free(R);
  /* NaN-padded repetitions: stimuli missing from a half are left out of that split. */
  R = make(12, 4, 5, 0.3, 9);
  for (int j = 0; j < 5; ++j) {
    R[((size_t)0 * 4 + 2) * 5 + j] = NAN;
    R[((size_t)0 * 4 + 3) * 5 + j] = NAN;
  }
  ck_assert_int_eq(cb_ceiling_split_half_cka(R, 12, 4, 5, 8, 2, CB_CKA_BIASED, &c, &e), CB_OK);
  ck_assert(isfinite(c) && c > 0.5 && c <= 1.0);
  free(R);
}
END_TEST

int main(void) {
  Suite *s = suite_create("ceiling_sim");
  TCase *tc = tcase_create("ceiling_sim");
  tcase_add_test(tc, test_against_scipy);
  tcase_add_test(tc, test_properties);
  tcase_add_test(tc, test_errors_and_missing);
  suite_add_tcase(s, tc);
  return cb_test_run(s);
}

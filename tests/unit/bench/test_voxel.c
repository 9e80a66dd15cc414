/* test_voxel.c - `ceiling = voxel` scoring (cb_voxel_score): synthetic voxels of known reliability, and the
 * numpy/sklearn reference of tests/reference/gen_voxel_ceiling.py. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_corr.h"
#include "cb_rng.h"
#include "cb_voxel.h"
#include "../metrics/cb_test_fixture.h"
#include "cb_test_main.h"

/* Synthetic voxels: y[i, t, v] = a s1[i, v] + b s2[i, v] + e[i, t, v], s1, s2, e independent standard normal,
 * a^2 + b^2 = 1 (signal variance 1), noise variance 1, n_rep repetitions. The model's only feature per voxel is
 * s1 (one voxel per call, p = 1), so each per-repetition fit predicts a multiple of s1 (prediction
 * reliability 1) and r^2(prediction, mean) = a^2 / (1 + 1 / n_rep) while the Spearman-Brown data reliability is
 * 1 / (1 + 1 / n_rep): the corrected r^2 is a^2 (1 for a perfect model, 0.5 for half the signal variance). */
static double synthetic_score(double a2, uint64_t seed) {
  const int n = 2000, n_rep = 4, q = 1, voxels = 15;
  float *X = malloc(sizeof *X * (size_t)n);                          /* (n, 1) */
  double *reps = malloc(sizeof *reps * (size_t)n * n_rep);           /* (n, n_rep, 1) */
  double *mean = malloc(sizeof *mean * (size_t)n);                   /* (n, 1) */
  double med[15];
  cb_splits *sp = NULL;
  ck_assert(cb_splits_shuffle(n, 2, 0.5, seed, &sp) == CB_OK);
  cb_regress_opts o;
  cb_regress_opts_default(CB_REG_LINEAR, &o);
  cb_noise_params np;
  cb_noise_params_default(&np);
  np.clip_max = INFINITY; /* unclipped, so that a value near 1 is measured, not imposed */
  cb_rng rng;
  cb_rng_seed(&rng, seed);
  for (int v = 0; v < voxels; ++v) {
    for (int i = 0; i < n; ++i) {
      double s1 = cb_rng_normal(&rng), s2 = cb_rng_normal(&rng), m = 0;
      X[i] = (float)s1;
      for (int t = 0; t < n_rep; ++t) {
        reps[i * n_rep + t] = sqrt(a2) * s1 + sqrt(1 - a2) * s2 + cb_rng_normal(&rng);
        m += reps[i * n_rep + t];
      }
      mean[i] = m / n_rep;
    }
    cb_voxel_result res;
    ck_assert(cb_voxel_score(X, n, 1, reps, mean, n_rep, q, sp, &o, &np, &res) == CB_OK);
    ck_assert_int_eq(res.n_splits, 2);
    med[v] = res.score;
  }
  cb_splits_destroy(&sp);
  free(X);
  free(reps);
  free(mean);
  return cb_median_skipnan(med, voxels, NULL);
}

/* Sampling error of r^2 over 1000 test stimuli at these reliabilities is ~0.03 per voxel; the median over 15
 * voxels and 2 splits is well within 0.05. */
START_TEST(test_known_reliability) {
  double perfect = synthetic_score(1.0, 11), half = synthetic_score(0.5, 12);
  printf("voxel synthetic: perfect model %.4f (expect 1), half the signal %.4f (expect 0.5)\n", perfect, half);
  ck_assert_double_eq_tol(perfect, 1.0, 0.05);
  ck_assert_double_eq_tol(half, 0.5, 0.05);
}
END_TEST

START_TEST(test_against_numpy) {
  reader r;
  reader_open(&r, "tests/reference/fixtures/voxel_ceiling.txt");
  expect_word(&r, "dims");
  int n = (int)next_double(&r), p = (int)next_double(&r), q = (int)next_double(&r), n_rep = (int)next_double(&r);
  int ns = (int)next_double(&r), nt = (int)next_double(&r), ntr = (int)next_double(&r);
  float *X = malloc(sizeof *X * (size_t)n * p);                   /* (n, p) */
  double *reps = malloc(sizeof *reps * (size_t)n * n_rep * q);    /* (n, n_rep, q) */
  double *mean = calloc((size_t)n * q, sizeof *mean);             /* (n, q) */
  expect_word(&r, "X");
  for (int i = 0; i < n * p; ++i) X[i] = (float)next_double(&r);
  expect_word(&r, "reps");
  for (int i = 0; i < n * n_rep * q; ++i) reps[i] = next_double(&r);
  for (int i = 0; i < n; ++i)
    for (int t = 0; t < n_rep; ++t)
      for (int v = 0; v < q; ++v) mean[i * q + v] += reps[(i * n_rep + t) * q + v] / n_rep;
  cb_splits sp = {.n_splits = ns, .n = n, .n_train = ntr, .n_test = nt};
  sp.train = malloc(sizeof(int) * (size_t)ns * ntr);
  sp.test = malloc(sizeof(int) * (size_t)ns * nt);
  sp.train_size = malloc(sizeof(int) * (size_t)ns);
  sp.test_size = malloc(sizeof(int) * (size_t)ns);
  for (int k = 0; k < ns; ++k) {
    expect_word(&r, "train");
    for (int i = 0; i < ntr; ++i) sp.train[k * ntr + i] = (int)next_double(&r);
    expect_word(&r, "test");
    for (int i = 0; i < nt; ++i) sp.test[k * nt + i] = (int)next_double(&r);
    sp.train_size[k] = ntr;
    sp.test_size[k] = nt;
  }
  cb_regress_opts o;
  cb_regress_opts_default(CB_REG_RIDGE, &o);
  o.alpha = 1.0;
  cb_voxel_result res;
  ck_assert(cb_voxel_score(X, n, p, reps, mean, n_rep, q, &sp, &o, NULL, &res) == CB_OK);
  expect_word(&r, "per_split");
  for (int k = 0; k < ns; ++k) ck_assert_double_eq_tol(res.per_split[k], next_double(&r), 1e-6);
  expect_word(&r, "score");
  ck_assert_double_eq_tol(res.score, next_double(&r), 1e-6);
  expect_word(&r, "raw");
  ck_assert_double_eq_tol(res.raw, next_double(&r), 1e-6);
  /* one repetition: a clear error, not a score */
  ck_assert(cb_voxel_score(X, n, p, reps, mean, 1, q, &sp, &o, NULL, &res) != CB_OK);
  free(sp.train);
  free(sp.test);
  free(sp.train_size);
  free(sp.test_size);
  free(X);
  free(reps);
  free(mean);
  free(r.text);
}
END_TEST

int main(void) {
  Suite *s = suite_create("voxel");
  TCase *tc = tcase_create("voxel");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, test_against_numpy);
  tcase_add_test(tc, test_known_reliability);
  suite_add_tcase(s, tc);
  return cb_test_run(s);
}

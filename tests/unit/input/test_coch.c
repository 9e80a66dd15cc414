/* test_coch.c - cochleagram: shape, flat summed power response, pure tones
 * peak at their channel, agreement with the numpy reference
 * (tests/reference/make_audio_goldens.py), silence and determinism. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_coch.h"
#include "cb_test_main.h"

#define SR 20000
#define N 40000

START_TEST(test_shape_and_count) {
  cb_coch_opts o;
  cb_coch_defaults(&o);
  ck_assert_int_eq(cb_coch_n_channels(&o), 211);
  float *x = calloc(N, sizeof *x), *out = NULL;
  for (int t = 0; t < N; ++t) x[t] = (float)sin(2 * M_PI * 1000.0 * t / SR);
  int ch = 0, fr = 0;
  ck_assert_int_eq(cb_cochleagram(x, N, SR, NULL, &out, &ch, &fr), CB_OK);
  ck_assert_int_eq(ch, 211);
  ck_assert_int_eq(fr, 400);
  for (int i = 0; i < ch * fr; ++i) ck_assert(isfinite(out[i]) && out[i] >= 0.0f);
  free(out);
  free(x);
}
END_TEST

START_TEST(test_flat_passband) {
  cb_coch_opts o;
  cb_coch_defaults(&o);
  for (int len = N; len <= N + 1; ++len) { /* even and odd lengths */
    double *f = NULL, *cf = NULL;
    int ch = 0;
    ck_assert_int_eq(cb_coch_filters(len, SR, &o, &f, &cf, &ch), CB_OK);
    const int nb = len / 2 + 1;
    double worst = 0.0;
    for (int k = 0; k < nb; ++k) {
      double s = 0.0;
      for (int c = 0; c < ch; ++c) s += f[(size_t)c * nb + k] * f[(size_t)c * nb + k];
      if (fabs(s - 1.0) > worst) worst = fabs(s - 1.0);
    }
    ck_assert_msg(worst < 1e-9, "sum of squared responses deviates from 1 by %g", worst);
    for (int c = 1; c < ch; ++c) ck_assert(cf[c] >= cf[c - 1]);
    ck_assert(fabs(cf[4] - 50.0) < 1e-6 || cf[4] > 50.0);
    free(f);
    free(cf);
  }
}
END_TEST

/* a tone at (or near) channel c's centre frequency peaks in channel c */
START_TEST(test_pure_tone_peak) {
  cb_coch *c = NULL;
  ck_assert_int_eq(cb_coch_create(N, SR, NULL, &c), CB_OK);
  const int ch = cb_coch_channels(c), fr = cb_coch_frames(c);
  const double *cf = cb_coch_cf(c);
  float *x = malloc(sizeof *x * N), *out = malloc(sizeof *out * (size_t)ch * fr);
  const int targets[] = {10, 40, 77, 120, 160, 200};
  const double detune[] = {1.0, 1.003};
  for (size_t ti = 0; ti < sizeof targets / sizeof *targets; ++ti)
    for (int di = 0; di < 2; ++di) {
      double f0 = cf[targets[ti]] * detune[di];
      for (int t = 0; t < N; ++t) x[t] = (float)(0.1 * sin(2 * M_PI * f0 * t / SR));
      ck_assert_int_eq(cb_coch_run(c, x, out), CB_OK);
      int best = -1, nearest = 0;
      double bv = -1;
      for (int k = 0; k < ch; ++k) {
        double m = 0;
        for (int f = 0; f < fr; ++f) m += out[(size_t)k * fr + f];
        if (m > bv) bv = m, best = k;
        if (fabs(cf[k] - f0) < fabs(cf[nearest] - f0)) nearest = k;
      }
      ck_assert_msg(best == nearest, "tone %.1f Hz peaks in channel %d (cf %.1f), nearest is %d (cf %.1f)", f0, best,
                    cf[best], nearest, cf[nearest]);
    }
  free(x);
  free(out);
  cb_coch_destroy(&c);
  cb_coch_destroy(&c); /* NULL-safe */
}
END_TEST

START_TEST(test_reference) {
  FILE *fp = fopen("tests/reference/fixtures/audio_coch.txt", "r");
  ck_assert_msg(fp != NULL, "fixture missing");
  int ch = 0, fr = 0;
  ck_assert_int_eq(fscanf(fp, "%d %d", &ch, &fr), 2);
  float *x = malloc(sizeof *x * N), *out = NULL;
  for (int t = 0; t < N; ++t) {
    double s = t / (double)SR;
    x[t] = (float)(sin(2 * M_PI * 440.0 * s) + 0.5 * sin(2 * M_PI * 1500.0 * s) * (1.0 + 0.8 * sin(2 * M_PI * 4.0 * s)) +
                   0.3 * sin(2 * M_PI * (200.0 * s + 1000.0 * s * s)) + 0.2 * sin(2 * M_PI * 7000.0 * s) * (s > 1.0));
  }
  int c2 = 0, f2 = 0;
  ck_assert_int_eq(cb_cochleagram(x, N, SR, NULL, &out, &c2, &f2), CB_OK);
  ck_assert_int_eq(c2, ch);
  ck_assert_int_eq(f2, fr);
  cb_coch *plan = NULL;
  ck_assert_int_eq(cb_coch_create(N, SR, NULL, &plan), CB_OK);
  for (int k = 0; k < ch; ++k) {
    double v;
    ck_assert_int_eq(fscanf(fp, "%lf", &v), 1);
    ck_assert_msg(fabs(v - cb_coch_cf(plan)[k]) <= 1e-7 * v, "cf %d: %g vs %g", k, cb_coch_cf(plan)[k], v);
  }
  /* tolerance: 1e-3 of the largest value (the C code computes envelopes on
   * a coarser grid; float32 output) */
  double maxv = 0, maxd = 0;
  int row;
  while (fscanf(fp, "%d", &row) == 1) {
    for (int f = 0; f < fr; ++f) {
      double v;
      ck_assert_int_eq(fscanf(fp, "%lf", &v), 1);
      double d = fabs(v - out[(size_t)row * fr + f]);
      if (d > maxd) maxd = d;
      if (v > maxv) maxv = v;
    }
  }
  fclose(fp);
  ck_assert_msg(maxd < 1e-3 * maxv, "max difference %g (max value %g)", maxd, maxv);
  cb_coch_destroy(&plan);
  free(out);
  free(x);
}
END_TEST

START_TEST(test_silence_and_determinism) {
  float *x = calloc(N, sizeof *x), *a = NULL, *b = NULL;
  int ch, fr;
  ck_assert_int_eq(cb_cochleagram(x, N, SR, NULL, &a, &ch, &fr), CB_OK);
  for (int i = 0; i < ch * fr; ++i) ck_assert(a[i] == 0.0f);
  free(a);
  unsigned s = 1;
  for (int t = 0; t < N; ++t) {
    s = s * 1103515245u + 12345u;
    x[t] = (float)((s >> 8) & 0xffff) / 65536.0f - 0.5f;
  }
  ck_assert_int_eq(cb_cochleagram(x, N, SR, NULL, &a, &ch, &fr), CB_OK);
  ck_assert_int_eq(cb_cochleagram(x, N, SR, NULL, &b, &ch, &fr), CB_OK);
  ck_assert(memcmp(a, b, sizeof *a * (size_t)ch * fr) == 0);
  free(a);
  free(b);
  cb_coch_opts o;
  cb_coch_defaults(&o);
  o.high_hz = 12000;
  ck_assert_int_eq(cb_cochleagram(x, N, SR, &o, &a, &ch, &fr), CB_ERR_ARG);
  ck_assert_int_eq(cb_cochleagram(x, 40001, SR, NULL, &a, &ch, &fr), CB_ERR_ARG);
  free(x);
}
END_TEST

int main(void) {
  Suite *s = suite_create("coch");
  TCase *tc = tcase_create("coch");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, test_shape_and_count);
  tcase_add_test(tc, test_flat_passband);
  tcase_add_test(tc, test_pure_tone_peak);
  tcase_add_test(tc, test_reference);
  tcase_add_test(tc, test_silence_and_determinism);
  suite_add_tcase(s, tc);
  return cb_test_run(s);
}

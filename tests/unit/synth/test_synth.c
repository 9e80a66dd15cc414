/* Unit tests for src/synth: determinism, sizes, ids, rates, Poisson counts,
 * orientation tuning, image range, bad parameters. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_status.h"
#include "cb_synth.h"
#include "cb_test_main.h"

static cb_synth_v1 *gen(uint64_t seed) {
  cb_synth_v1_params p;
  cb_synth_v1_defaults(&p);
  cb_synth_v1 *d = NULL;
  ck_assert_int_eq(cb_synth_v1_generate(&p, seed, &d), CB_OK);
  ck_assert_ptr_nonnull(d);
  return d;
}

static int same_bytes(const cb_synth_v1 *a, const cb_synth_v1 *b) {
  size_t ns = (size_t)a->n_stim, nn = (size_t)a->n_neurons;
  if (memcmp(a->images, b->images, ns * a->size * a->size) != 0) return 0;
  if (memcmp(a->rates, b->rates, ns * nn * sizeof(double)) != 0) return 0;
  if (memcmp(a->counts, b->counts, ns * a->n_reps * nn * sizeof(double)) != 0) return 0;
  if (memcmp(a->pref_orientation, b->pref_orientation, nn * sizeof(double)) != 0) return 0;
  for (size_t i = 0; i < ns; ++i)
    if (strcmp(a->stimulus_id[i], b->stimulus_id[i]) != 0) return 0;
  return 1;
}

START_TEST(test_determinism) {
  cb_synth_v1 *a = gen(42), *b = gen(42), *c = gen(43);
  ck_assert(same_bytes(a, b));
  /* Stimuli do not depend on the seed; neurons and counts do. */
  ck_assert(memcmp(a->images, c->images, (size_t)a->n_stim * a->size * a->size) == 0);
  ck_assert(memcmp(a->rates, c->rates, (size_t)a->n_stim * a->n_neurons * sizeof(double)) != 0);
  ck_assert(memcmp(a->counts, c->counts, (size_t)a->n_stim * a->n_reps * a->n_neurons * sizeof(double)) != 0);
  cb_synth_v1_destroy(&a);
  cb_synth_v1_destroy(&b);
  cb_synth_v1_destroy(&c);
  ck_assert_ptr_null(a);
  cb_synth_v1_destroy(&a); /* NULL-safe */
}
END_TEST

START_TEST(test_sizes_and_ids) {
  cb_synth_v1 *d = gen(1);
  ck_assert_int_eq(d->n_stim, 128);
  ck_assert_int_eq(d->size, 64);
  ck_assert_int_eq(d->n_neurons, 96);
  ck_assert_int_eq(d->n_reps, 6);
  ck_assert_double_eq(d->visual_degrees, 4.0);
  for (int i = 0; i < d->n_stim; ++i) {
    ck_assert_ptr_nonnull(d->stimulus_id[i]);
    ck_assert(strncmp(d->stimulus_id[i], "grating_", 8) == 0);
    for (int j = 0; j < i; ++j) ck_assert_str_ne(d->stimulus_id[i], d->stimulus_id[j]);
    ck_assert(d->orientation[i] >= 0.0 && d->orientation[i] < 180.0);
    ck_assert(d->phase[i] >= 0.0 && d->phase[i] < 360.0);
    /* below Nyquist (16 px/deg -> 8 cpd) */
    ck_assert(d->spatial_frequency[i] > 0.0 && d->spatial_frequency[i] < 8.0);
  }
  /* k = (i_orient*4 + i_sf)*4 + i_phase; SFs 0.5, 1, 2, 4 cpd. */
  ck_assert_str_eq(d->stimulus_id[0], "grating_ori000.0_sf0.50_ph000.0");
  int k = (1 * 4 + 2) * 4 + 1;
  ck_assert_str_eq(d->stimulus_id[k], "grating_ori022.5_sf2.00_ph090.0");
  ck_assert_double_eq_tol(d->orientation[k], 22.5, 1e-12);
  ck_assert_double_eq_tol(d->spatial_frequency[k], 2.0, 1e-12);
  ck_assert_double_eq_tol(d->phase[k], 90.0, 1e-12);
  int n_complex = 0;
  for (int n = 0; n < d->n_neurons; ++n) {
    n_complex += d->is_complex[n];
    ck_assert(d->pref_orientation[n] >= 0 && d->pref_orientation[n] < 180);
    ck_assert(d->pref_sf[n] >= 0.5 && d->pref_sf[n] <= 4.0);
  }
  ck_assert(n_complex > 20 && n_complex < 76);
  cb_synth_v1_destroy(&d);
}
END_TEST

START_TEST(test_rates_and_poisson_counts) {
  cb_synth_v1 *d = gen(7);
  size_t ns = (size_t)d->n_stim, nn = (size_t)d->n_neurons, R = (size_t)d->n_reps;
  double sum_rate = 0, z_num = 0, z_den = 0, chi = 0;
  for (size_t s = 0; s < ns; ++s)
    for (size_t n = 0; n < nn; ++n) {
      double rate = d->rates[s * nn + n];
      ck_assert(isfinite(rate) && rate > 0.0 && rate < 100.0);
      sum_rate += rate;
      double m = 0;
      for (size_t r = 0; r < R; ++r) {
        double c = d->counts[(s * R + r) * nn + n];
        ck_assert(c >= 0 && c == floor(c));
        m += c;
      }
      m /= (double)R;
      z_num += m - rate;
      z_den += rate / (double)R;
      chi += (m - rate) * (m - rate) / (rate / (double)R);
    }
  double mean_rate = sum_rate / (double)(ns * nn);
  ck_assert(mean_rate > 1.5 && mean_rate < 20.0);
  /* Sum of (mean count - rate): zero mean, variance sum(rate/R). */
  ck_assert_double_lt(fabs(z_num / sqrt(z_den)), 5.0);
  /* Mean squared standardised deviation is 1 for Poisson (within ~5 sd). */
  ck_assert_double_eq_tol(chi / (double)(ns * nn), 1.0, 0.1);
  /* Every neuron is driven by some stimulus: peak rate well above its minimum. */
  for (size_t n = 0; n < nn; ++n) {
    double lo = 1e300, hi = 0;
    for (size_t s = 0; s < ns; ++s) {
      lo = fmin(lo, d->rates[s * nn + n]);
      hi = fmax(hi, d->rates[s * nn + n]);
    }
    ck_assert(hi > lo + 4.0);
  }
  cb_synth_v1_destroy(&d);
}
END_TEST

static double circ_dist_180(double a, double b) {
  double d = fmod(fabs(a - b), 180.0);
  return d > 90.0 ? 180.0 - d : d;
}

START_TEST(test_orientation_tuning_and_phase_invariance) {
  cb_synth_v1 *d = gen(3);
  int no = 8, nsf = 4, nph = 4, nn = d->n_neurons;
  int n_simple = 0, near = 0;
  double mod_simple = 0, mod_complex = 0;
  int n_complex = 0;
  for (int n = 0; n < nn; ++n) {
    /* tuning[o] = max over SF and phase */
    double best = -1;
    int arg = -1;
    for (int o = 0; o < no; ++o) {
      double t = 0;
      for (int s = 0; s < nsf * nph; ++s) t = fmax(t, d->rates[(size_t)(o * nsf * nph + s) * nn + n]);
      if (t > best) best = t, arg = o;
    }
    /* phase modulation at the best (orientation, SF): (max - min) / max over phases */
    double bmax = -1;
    int bs = 0;
    for (int s = 0; s < nsf * nph; ++s) {
      double v = d->rates[(size_t)(arg * nsf * nph + s) * nn + n];
      if (v > bmax) bmax = v, bs = s / nph;
    }
    double pmin = 1e300, pmax = 0;
    for (int ph = 0; ph < nph; ++ph) {
      double v = d->rates[(size_t)(arg * nsf * nph + bs * nph + ph) * nn + n];
      pmin = fmin(pmin, v);
      pmax = fmax(pmax, v);
    }
    if (d->is_complex[n]) {
      mod_complex += (pmax - pmin) / pmax;
      ++n_complex;
      continue;
    }
    mod_simple += (pmax - pmin) / pmax;
    ++n_simple;
    double dist = circ_dist_180(180.0 * arg / no, d->pref_orientation[n]);
    /* The grid step is 22.5 deg: the nearest grid orientation is within 11.25. */
    ck_assert_msg(dist <= 22.5 + 1e-9, "simple cell %d: pref %.1f, peak at %.1f", n, d->pref_orientation[n],
                  180.0 * arg / no);
    near += dist <= 11.25 + 1e-9;
  }
  ck_assert_int_gt(n_simple, 10);
  ck_assert_int_ge(near, (int)(0.8 * n_simple));
  /* Simple cells are phase-sensitive, complex cells much less. */
  ck_assert_double_gt(mod_simple / n_simple, 0.8);
  ck_assert_double_lt(mod_complex / n_complex, 0.5 * mod_simple / n_simple);
  cb_synth_v1_destroy(&d);
}
END_TEST

START_TEST(test_image_range) {
  cb_synth_v1 *d = gen(1);
  size_t npix = (size_t)d->size * d->size;
  int glo = 255, ghi = 0;
  for (int s = 0; s < d->n_stim; ++s) {
    const uint8_t *im = d->images + (size_t)s * npix;
    int lo = 255, hi = 0;
    double mean = 0;
    for (size_t i = 0; i < npix; ++i) {
      lo = im[i] < lo ? im[i] : lo;
      hi = im[i] > hi ? im[i] : hi;
      mean += im[i];
    }
    mean /= (double)npix;
    /* contrast 0.8 around 128: 128 -/+ 0.8*127 = 26..230. Pixel centres
     * need not hit the crests (4 cpd = 4 px/cycle, sampled at +-45 deg of
     * phase gives 128 -/+ 72), so per image only ask for half the range. */
    ck_assert_msg(lo <= 80 && hi >= 176, "%s spans only %d..%d", d->stimulus_id[s], lo, hi);
    ck_assert_int_ge(lo, 26);
    ck_assert_int_le(hi, 230);
    glo = lo < glo ? lo : glo;
    ghi = hi > ghi ? hi : ghi;
    ck_assert_double_eq_tol(mean, 128.0, 12.0);
    /* corners are outside the aperture: mean grey */
    ck_assert_int_eq(im[0], 128);
    ck_assert_int_eq(im[npix - 1], 128);
  }
  ck_assert_int_eq(glo, 26);
  ck_assert_int_eq(ghi, 230);
  /* Analytic check of one pixel: stimulus 0 (ori 0, sf 0.5, phase 0) at the
   * pixel nearest the centre (row 31, col 32): y = 0.5/16 deg, aperture 1,
   * value 128 + 101.6*cos(2*pi*0.5*y). */
  double y = 0.5 / 16.0, expect = floor(128.0 + 127.0 * 0.8 * cos(2 * M_PI * 0.5 * y) + 0.5);
  ck_assert_int_eq(d->images[31 * 64 + 32], (int)expect);
  cb_synth_v1_destroy(&d);
}
END_TEST

START_TEST(test_bad_params) {
  cb_synth_v1_params p;
  cb_synth_v1_defaults(&p);
  cb_synth_v1 *d = NULL;
  p.size = 0;
  ck_assert_int_eq(cb_synth_v1_generate(&p, 1, &d), CB_ERR_ARG);
  ck_assert_ptr_nonnull(strstr(cb_error_message(), "image size"));
  ck_assert_ptr_null(d);
  cb_synth_v1_defaults(&p);
  p.visual_degrees = NAN;
  ck_assert_int_eq(cb_synth_v1_generate(&p, 1, &d), CB_ERR_ARG);
  cb_synth_v1_defaults(&p);
  p.n_reps = 0;
  ck_assert_int_eq(cb_synth_v1_generate(&p, 1, &d), CB_ERR_ARG);
  ck_assert_int_eq(cb_synth_v1_generate(NULL, 1, &d), CB_ERR_ARG);
  ck_assert_ptr_null(d);
  /* A small non-default grid works and has the right count. */
  cb_synth_v1_defaults(&p);
  p.size = 32;
  p.n_orient = 3;
  p.n_sf = 1;
  p.n_phase = 2;
  p.n_neurons = 5;
  p.n_reps = 2;
  ck_assert_int_eq(cb_synth_v1_generate(&p, 1, &d), CB_OK);
  ck_assert_int_eq(d->n_stim, 6);
  cb_synth_v1_destroy(&d);
}
END_TEST

int main(void) {
  Suite *s = suite_create("synth");
  TCase *tc = tcase_create("synth");
  tcase_set_timeout(tc, 120);
  tcase_add_test(tc, test_determinism);
  tcase_add_test(tc, test_sizes_and_ids);
  tcase_add_test(tc, test_rates_and_poisson_counts);
  tcase_add_test(tc, test_orientation_tuning_and_phase_invariance);
  tcase_add_test(tc, test_image_range);
  tcase_add_test(tc, test_bad_params);
  suite_add_tcase(s, tc);
  return cb_test_run(s);
}

/* cb_synth_v1.c - synthetic V1: gratings and a Gabor-energy population. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_rng.h"
#include "cb_synth.h"

#define PI 3.14159265358979323846
#define CONTRAST 0.8
#define SF_RANGE 8.0        /* sf_max / sf_min */
#define NORM_CONST 0.01     /* semi-saturation constant of the divisive normalisation */
#define POOL_N_ORIENT 8
#define POOL_N_SF 4
#define STREAM_NEURON (1ull << 56)
#define STREAM_COUNT (2ull << 56)

void cb_synth_v1_defaults(cb_synth_v1_params *p) {
  p->size = 64;
  p->n_orient = 8;
  p->n_sf = 4;
  p->n_phase = 4;
  p->n_neurons = 96;
  p->n_reps = 6;
  p->visual_degrees = 4.0;
}

void cb_synth_v1_destroy(cb_synth_v1 **dp) {
  if (dp == NULL || *dp == NULL) return;
  cb_synth_v1 *d = *dp;
  if (d->stimulus_id != NULL)
    for (int i = 0; i < d->n_stim; ++i) free(d->stimulus_id[i]);
  free(d->stimulus_id);
  free(d->images);
  free(d->orientation);
  free(d->spatial_frequency);
  free(d->phase);
  free(d->rates);
  free(d->counts);
  free(d->pref_orientation);
  free(d->pref_sf);
  free(d->pref_phase);
  free(d->rf_x);
  free(d->rf_y);
  free(d->rf_sigma);
  free(d->is_complex);
  free(d);
  *dp = NULL;
}

static cb_status check_params(const cb_synth_v1_params *p) {
  if (p == NULL) return CB_ERROR(CB_ERR_ARG, "synth v1: NULL parameters");
  if (p->size < 8 || p->size > 4096) return CB_ERROR(CB_ERR_ARG, "synth v1: image size %d not in [8, 4096]", p->size);
  if (p->n_orient < 1 || p->n_orient > 180 || p->n_sf < 1 || p->n_sf > 16 || p->n_phase < 1 || p->n_phase > 360)
    return CB_ERROR(CB_ERR_ARG, "synth v1: grid %d orientations x %d SFs x %d phases outside [1,180]x[1,16]x[1,360]",
                    p->n_orient, p->n_sf, p->n_phase);
  if (p->n_neurons < 1 || p->n_neurons > 1000000 || p->n_reps < 1 || p->n_reps > 10000)
    return CB_ERROR(CB_ERR_ARG, "synth v1: %d neurons / %d reps out of range", p->n_neurons, p->n_reps);
  if (!(p->visual_degrees > 0.0) || !isfinite(p->visual_degrees))
    return CB_ERROR(CB_ERR_ARG, "synth v1: visual_degrees %g is not a positive number", p->visual_degrees);
  if ((double)p->n_orient * p->n_sf * p->n_phase * p->n_reps * p->n_neurons > 2e9)
    return CB_ERROR(CB_ERR_ARG, "synth v1: data set too large (stimuli x reps x neurons > 2e9)");
  return CB_OK;
}

/* Pixel centre (row, col) in degrees from the image centre, x right, y up. */
static double pix_x(int col, int size, double ppd) { return (col + 0.5 - 0.5 * size) / ppd; }
static double pix_y(int row, int size, double ppd) { return (0.5 * size - row - 0.5) / ppd; }

/* Soft circular aperture: 1 inside 0.75 R, raised-cosine to 0 at R = half the field. */
static double aperture(double r, double radius) {
  double r0 = 0.75 * radius;
  if (r <= r0) return 1.0;
  if (r >= radius) return 0.0;
  return 0.5 * (1.0 + cos(PI * (r - r0) / (radius - r0)));
}

static double sf_of(int k, int n_sf, double sf_max) {
  double sf_min = sf_max / SF_RANGE;
  if (n_sf == 1) return sf_min * sqrt(SF_RANGE);
  return sf_min * pow(SF_RANGE, (double)k / (n_sf - 1));
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static cb_status make_stimuli(const cb_synth_v1_params *p, cb_synth_v1 *d) {
  cb_status st = CB_OK;
  double ppd = p->size / p->visual_degrees, sf_max = ppd / 4.0, radius = 0.5 * p->visual_degrees;
  size_t npix = (size_t)p->size * (size_t)p->size;
  char **sorted = NULL;
  for (int io = 0; io < p->n_orient; ++io)
    for (int is = 0; is < p->n_sf; ++is)
      for (int ip = 0; ip < p->n_phase; ++ip) {
        int k = (io * p->n_sf + is) * p->n_phase + ip;
        double ori = 180.0 * io / p->n_orient, sf = sf_of(is, p->n_sf, sf_max), ph = 360.0 * ip / p->n_phase;
        d->orientation[k] = ori;
        d->spatial_frequency[k] = sf;
        d->phase[k] = ph;
        char id[96];
        snprintf(id, sizeof id, "grating_ori%05.1f_sf%.2f_ph%05.1f", ori, sf, ph);
        d->stimulus_id[k] = malloc(strlen(id) + 1);
        CB_ALLOC_GOTO(d->stimulus_id[k], st, done);
        strcpy(d->stimulus_id[k], id);
        double th = ori * PI / 180.0, s = sin(th), c = cos(th), phr = ph * PI / 180.0;
        uint8_t *img = d->images + (size_t)k * npix;
        for (int row = 0; row < p->size; ++row)
          for (int col = 0; col < p->size; ++col) {
            double x = pix_x(col, p->size, ppd), y = pix_y(row, p->size, ppd);
            double u = -x * s + y * c;
            double v = 128.0 + 127.0 * CONTRAST * aperture(hypot(x, y), radius) * cos(2.0 * PI * sf * u + phr);
            v = floor(v + 0.5);
            img[(size_t)row * p->size + col] = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
          }
      }
  /* Ids must be unique: sort a copy and compare neighbours. */
  sorted = malloc((size_t)d->n_stim * sizeof *sorted);
  CB_ALLOC_GOTO(sorted, st, done);
  memcpy(sorted, d->stimulus_id, (size_t)d->n_stim * sizeof *sorted);
  qsort(sorted, (size_t)d->n_stim, sizeof *sorted, cmp_str);
  for (int i = 1; i < d->n_stim; ++i)
    if (strcmp(sorted[i - 1], sorted[i]) == 0) {
      st = CB_ERROR(CB_ERR_ARG, "synth v1: stimulus id '%s' repeats (grid too fine for the id format)", sorted[i]);
      goto done;
    }
done:
  free(sorted);
  return st;
}

static void make_neurons(const cb_synth_v1_params *p, uint64_t seed, cb_synth_v1 *d, double *peak,
                         double *baseline) {
  double ppd = p->size / p->visual_degrees, sf_max = ppd / 4.0, sf_min = sf_max / SF_RANGE;
  for (int n = 0; n < p->n_neurons; ++n) {
    cb_rng r;
    cb_rng_seed_stream(&r, seed, STREAM_NEURON | (uint64_t)n);
    d->pref_orientation[n] = 180.0 * cb_rng_uniform(&r);
    d->pref_sf[n] = sf_min * exp(log(SF_RANGE) * cb_rng_uniform(&r));
    d->pref_phase[n] = 360.0 * cb_rng_uniform(&r);
    double rad = 0.15 * p->visual_degrees * sqrt(cb_rng_uniform(&r)), ang = 2.0 * PI * cb_rng_uniform(&r);
    d->rf_x[n] = rad * cos(ang);
    d->rf_y[n] = rad * sin(ang);
    d->rf_sigma[n] = (0.35 + 0.25 * cb_rng_uniform(&r)) / d->pref_sf[n];
    d->is_complex[n] = cb_rng_uniform(&r) < 0.5;
    peak[n] = 10.0 * exp(log(4.0) * cb_rng_uniform(&r));
    baseline[n] = 0.2 + 0.8 * cb_rng_uniform(&r);
  }
}

/* Quadrature Gabor pair at (x0, y0), normalised by the envelope sum:
 * ge/go (size*size) = env * cos/sin(2 pi f u + phase) / sum(env). */
static void make_gabor(int size, double ppd, double x0, double y0, double ori_deg, double f, double sigma,
                       double phase_deg, double *ge, double *go) {
  double th = ori_deg * PI / 180.0, s = sin(th), c = cos(th), ph = phase_deg * PI / 180.0, sum = 0.0;
  size_t i = 0;
  for (int row = 0; row < size; ++row)
    for (int col = 0; col < size; ++col, ++i) {
      double x = pix_x(col, size, ppd) - x0, y = pix_y(row, size, ppd) - y0;
      double env = exp(-(x * x + y * y) / (2.0 * sigma * sigma)), arg = 2.0 * PI * f * (-x * s + y * c) + ph;
      ge[i] = env * cos(arg);
      go[i] = env * sin(arg);
      sum += env;
    }
  size_t n = (size_t)size * size;
  for (i = 0; i < n; ++i) {
    ge[i] /= sum;
    go[i] /= sum;
  }
}

static double dot(const double *a, const double *b, size_t n) {
  double s = 0.0;
  for (size_t i = 0; i < n; ++i) s += a[i] * b[i];
  return s;
}

static cb_status compute_rates(const cb_synth_v1_params *p, cb_synth_v1 *d, const double *peak,
                               const double *baseline) {
  cb_status st = CB_OK;
  size_t npix = (size_t)p->size * p->size;
  double ppd = p->size / p->visual_degrees, sf_max = ppd / 4.0;
  double *img = malloc((size_t)d->n_stim * npix * sizeof *img);
  double *ge = malloc(npix * sizeof *ge), *go = malloc(npix * sizeof *go);
  double *pool = calloc((size_t)d->n_stim, sizeof *pool);
  CB_ALLOC_GOTO(img, st, done);
  CB_ALLOC_GOTO(ge, st, done);
  CB_ALLOC_GOTO(go, st, done);
  CB_ALLOC_GOTO(pool, st, done);
  /* Contrast images in [-1, 1], as the neurons see them. */
  for (size_t i = 0; i < (size_t)d->n_stim * npix; ++i) img[i] = (d->images[i] - 128.0) / 127.0;
  /* Normalisation pool: mean energy of centred filters over orientations x SFs. */
  for (int po = 0; po < POOL_N_ORIENT; ++po)
    for (int ps = 0; ps < POOL_N_SF; ++ps) {
      double f = sf_of(ps, POOL_N_SF, sf_max);
      make_gabor(p->size, ppd, 0.0, 0.0, 180.0 * po / POOL_N_ORIENT, f, 0.5 / f, 0.0, ge, go);
      for (int s = 0; s < d->n_stim; ++s) {
        double le = dot(ge, img + (size_t)s * npix, npix), lo = dot(go, img + (size_t)s * npix, npix);
        pool[s] += (le * le + lo * lo) / (POOL_N_ORIENT * POOL_N_SF);
      }
    }
  for (int n = 0; n < d->n_neurons; ++n) {
    make_gabor(p->size, ppd, d->rf_x[n], d->rf_y[n], d->pref_orientation[n], d->pref_sf[n], d->rf_sigma[n],
               d->pref_phase[n], ge, go);
    double rmax = 0.0;
    for (int s = 0; s < d->n_stim; ++s) {
      double le = dot(ge, img + (size_t)s * npix, npix), drive;
      if (d->is_complex[n]) {
        double lo = dot(go, img + (size_t)s * npix, npix);
        drive = sqrt(le * le + lo * lo);
      } else {
        drive = le > 0.0 ? le : 0.0;
      }
      double resp = drive / sqrt(NORM_CONST + pool[s]);
      d->rates[(size_t)s * d->n_neurons + n] = resp;
      if (resp > rmax) rmax = resp;
    }
    for (int s = 0; s < d->n_stim; ++s) {
      double *r = &d->rates[(size_t)s * d->n_neurons + n];
      *r = baseline[n] + (rmax > 0.0 ? peak[n] * *r / rmax : 0.0);
    }
  }
done:
  free(img);
  free(ge);
  free(go);
  free(pool);
  return st;
}

static void sample_counts(uint64_t seed, cb_synth_v1 *d) {
  for (int s = 0; s < d->n_stim; ++s)
    for (int r = 0; r < d->n_reps; ++r)
      for (int n = 0; n < d->n_neurons; ++n) {
        size_t idx = ((size_t)s * d->n_reps + r) * d->n_neurons + n;
        cb_rng g;
        cb_rng_seed_stream(&g, seed, STREAM_COUNT | (uint64_t)idx);
        d->counts[idx] = (double)cb_rng_poisson(&g, d->rates[(size_t)s * d->n_neurons + n]);
      }
}

cb_status cb_synth_v1_generate(const cb_synth_v1_params *p, uint64_t seed, cb_synth_v1 **out) {
  if (out == NULL) return CB_ERROR(CB_ERR_ARG, "synth v1: NULL output");
  CB_CHECK(check_params(p));
  cb_status st = CB_OK;
  double *peak = NULL, *baseline = NULL;
  cb_synth_v1 *d = calloc(1, sizeof *d);
  CB_ALLOC_GOTO(d, st, fail);
  d->n_stim = p->n_orient * p->n_sf * p->n_phase;
  d->size = p->size;
  d->n_neurons = p->n_neurons;
  d->n_reps = p->n_reps;
  d->visual_degrees = p->visual_degrees;
  size_t ns = (size_t)d->n_stim, nn = (size_t)d->n_neurons;
  CB_ALLOC_GOTO(d->images = malloc(ns * (size_t)p->size * (size_t)p->size), st, fail);
  CB_ALLOC_GOTO(d->stimulus_id = calloc(ns, sizeof *d->stimulus_id), st, fail);
  CB_ALLOC_GOTO(d->orientation = calloc(ns, sizeof(double)), st, fail);
  CB_ALLOC_GOTO(d->spatial_frequency = calloc(ns, sizeof(double)), st, fail);
  CB_ALLOC_GOTO(d->phase = calloc(ns, sizeof(double)), st, fail);
  CB_ALLOC_GOTO(d->rates = calloc(ns * nn, sizeof(double)), st, fail);
  CB_ALLOC_GOTO(d->counts = calloc(ns * (size_t)d->n_reps * nn, sizeof(double)), st, fail);
  CB_ALLOC_GOTO(d->pref_orientation = calloc(nn, sizeof(double)), st, fail);
  CB_ALLOC_GOTO(d->pref_sf = calloc(nn, sizeof(double)), st, fail);
  CB_ALLOC_GOTO(d->pref_phase = calloc(nn, sizeof(double)), st, fail);
  CB_ALLOC_GOTO(d->rf_x = calloc(nn, sizeof(double)), st, fail);
  CB_ALLOC_GOTO(d->rf_y = calloc(nn, sizeof(double)), st, fail);
  CB_ALLOC_GOTO(d->rf_sigma = calloc(nn, sizeof(double)), st, fail);
  CB_ALLOC_GOTO(d->is_complex = calloc(nn, sizeof(int)), st, fail);
  CB_ALLOC_GOTO(peak = calloc(nn, sizeof *peak), st, fail);
  CB_ALLOC_GOTO(baseline = calloc(nn, sizeof *baseline), st, fail);
  CB_CHECK_GOTO(make_stimuli(p, d), st, fail);
  make_neurons(p, seed, d, peak, baseline);
  CB_CHECK_GOTO(compute_rates(p, d, peak, baseline), st, fail);
  sample_counts(seed, d);
  free(peak);
  free(baseline);
  *out = d;
  return CB_OK;
fail:
  free(peak);
  free(baseline);
  cb_synth_v1_destroy(&d);
  return st;
}

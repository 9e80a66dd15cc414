/* cb_synth_v1set.c - "synthetic-v1": gratings, plaids, oriented 1/f textures
 * and a Gabor-energy population (see cb_synth_v1set.h). */
#include "cb_synth_v1set.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_rng.h"
#include "cb_synth_util.h"

#define N_ORIENT 8
#define N_SF 4
#define N_PHASE 4
#define SF_RANGE 8.0
#define POOL_N_ORIENT 8
#define POOL_N_SF 4
#define TEX_SAMPLES 8
#define TEX_RMS 0.25
#define RF_SCATTER 0.2 /* deg: RF centres within this radius of the image centre */
#define STREAM_TEXTURE (3ull << 56)
#define STREAM_NEURON (4ull << 56)

static const double tex_kappa[2] = {1.5, 6.0};
enum { M_TYPE, M_ORI, M_SF, M_PHASE };

static double sf_of(int k) {
  double sf_max = CB_SYNTH_V1SET_SIZE / CB_SYNTH_V1SET_DEGREES / 4.0, sf_min = sf_max / SF_RANGE;
  return sf_min * pow(SF_RANGE, (double)k / (N_SF - 1));
}

/* Contrast image of a grating: c * aperture * cos(2 pi sf u + phase), u along (-sin, cos). */
static void add_grating(double *img, double ori_deg, double sf, double ph_deg, double contrast) {
  const int n = CB_SYNTH_V1SET_SIZE;
  const double ppd = n / CB_SYNTH_V1SET_DEGREES, th = ori_deg * CB__PI / 180.0, ph = ph_deg * CB__PI / 180.0;
  const double s = sin(th), c = cos(th);
  for (int row = 0; row < n; ++row)
    for (int col = 0; col < n; ++col) {
      double x = cb__pix_x(col, n, ppd), y = cb__pix_y(row, n, ppd);
      img[(size_t)row * n + col] += contrast * cos(2.0 * CB__PI * sf * (-x * s + y * c) + ph);
    }
}

static void to_pixels(const double *img, uint8_t *px) {
  const int n = CB_SYNTH_V1SET_SIZE;
  const double ppd = n / CB_SYNTH_V1SET_DEGREES, radius = 0.5 * CB_SYNTH_V1SET_DEGREES;
  for (int row = 0; row < n; ++row)
    for (int col = 0; col < n; ++col) {
      double a = cb__synth_aperture(hypot(cb__pix_x(col, n, ppd), cb__pix_y(row, n, ppd)), radius);
      px[(size_t)row * n + col] = cb__synth_quant(128.0 + 127.0 * a * img[(size_t)row * n + col]);
    }
}

static cb_status set_row(cb_synth_set *s, int k, const char *id, const char *type, double ori, double sf,
                         double ph) {
  CB_CHECK(cb_synth_set_id(s, k, id));
  CB_CHECK(cb_synth_set_meta_str(s, k, M_TYPE, type));
  cb_synth_set_meta_num(s, k, M_ORI, ori);
  cb_synth_set_meta_num(s, k, M_SF, sf);
  cb_synth_set_meta_num(s, k, M_PHASE, ph);
  return CB_OK;
}

cb_status cb_synth_v1set_stimuli(uint64_t seed, cb_synth_set **out) {
  if (out == NULL) return CB_ERROR(CB_ERR_ARG, "synthetic-v1: NULL output");
  const int n = CB_SYNTH_V1SET_SIZE;
  const size_t np = (size_t)n * n;
  const int n_grating = N_ORIENT * N_SF * N_PHASE, n_plaid = N_ORIENT * 2 * N_SF,
            n_tex = N_ORIENT * 2 * TEX_SAMPLES;
  const char *names[] = {"texture_type", "orientation", "spatial_frequency", "phase"};
  const int is_str[] = {1, 0, 0, 0};
  cb_status st = CB_OK;
  cb_synth_set *s = NULL;
  double *img = malloc(np * sizeof *img);
  char id[96];
  CB_ALLOC_GOTO(img, st, fail);
  CB_CHECK_GOTO(cb_synth_set_create("synthetic-v1", n_grating + n_plaid + n_tex, n, n, 1, CB_SYNTH_V1SET_DEGREES, 4,
                                    names, is_str, &s),
                st, fail);
  int k = 0;
  for (int io = 0; io < N_ORIENT; ++io)
    for (int is = 0; is < N_SF; ++is)
      for (int ip = 0; ip < N_PHASE; ++ip, ++k) {
        double ori = 180.0 * io / N_ORIENT, sf = sf_of(is), ph = 360.0 * ip / N_PHASE;
        memset(img, 0, np * sizeof *img);
        add_grating(img, ori, sf, ph, 0.8);
        to_pixels(img, s->images + (size_t)k * np);
        snprintf(id, sizeof id, "grating_ori%05.1f_sf%.2f_ph%05.1f", ori, sf, ph);
        CB_CHECK_GOTO(set_row(s, k, id, "grating", ori, sf, ph), st, fail);
      }
  for (int io = 0; io < N_ORIENT; ++io)
    for (int id2 = 0; id2 < 2; ++id2)
      for (int is = 0; is < N_SF; ++is, ++k) {
        double ori = 180.0 * io / N_ORIENT, d = id2 ? 90.0 : 45.0, sf = sf_of(is);
        memset(img, 0, np * sizeof *img);
        add_grating(img, ori, sf, 0.0, 0.4);
        add_grating(img, fmod(ori + d, 180.0), sf, 0.0, 0.4);
        to_pixels(img, s->images + (size_t)k * np);
        snprintf(id, sizeof id, "plaid_ori%05.1f_d%02.0f_sf%.2f", ori, d, sf);
        CB_CHECK_GOTO(set_row(s, k, id, "plaid", ori, sf, 0.0), st, fail);
      }
  for (int io = 0; io < N_ORIENT; ++io)
    for (int ik = 0; ik < 2; ++ik)
      for (int r = 0; r < TEX_SAMPLES; ++r, ++k) {
        double ori = 180.0 * io / N_ORIENT;
        cb_rng g;
        cb_rng_seed_stream(&g, seed, STREAM_TEXTURE | (uint64_t)k);
        CB_CHECK_GOTO(cb__synth_noise(&g, n, n / 2, 1.0, ori, tex_kappa[ik], img), st, fail);
        for (size_t i = 0; i < np; ++i) img[i] *= TEX_RMS;
        to_pixels(img, s->images + (size_t)k * np);
        snprintf(id, sizeof id, "texture_ori%05.1f_k%.1f_s%d", ori, tex_kappa[ik], r);
        CB_CHECK_GOTO(set_row(s, k, id, "texture", ori, NAN, NAN), st, fail);
      }
  CB_CHECK_GOTO(cb_synth_set_check_ids(s), st, fail);
  free(img);
  *out = s;
  return CB_OK;
fail:
  free(img);
  cb_synth_set_destroy(&s);
  return st;
}

void cb_synth_v1_pop_destroy(cb_synth_v1_pop **pp) {
  if (pp == NULL || *pp == NULL) return;
  cb_synth_v1_pop *p = *pp;
  free(p->w_even);
  free(p->w_odd);
  free(p->pool_even);
  free(p->pool_odd);
  free(p->simple_mask);
  free(p->complex_mask);
  free(p->gain);
  free(p->baseline);
  free(p->pref_orientation);
  free(p->pref_sf);
  free(p);
  *pp = NULL;
}

/* Quadrature Gabor pair at (x0, y0) divided by the envelope sum. */
static void make_gabor(double x0, double y0, double ori_deg, double f, double sigma, double phase_deg, double *ge,
                       double *go) {
  const int n = CB_SYNTH_V1SET_SIZE;
  const double ppd = n / CB_SYNTH_V1SET_DEGREES, th = ori_deg * CB__PI / 180.0, ph = phase_deg * CB__PI / 180.0;
  const double s = sin(th), c = cos(th);
  double sum = 0.0;
  size_t i = 0;
  for (int row = 0; row < n; ++row)
    for (int col = 0; col < n; ++col, ++i) {
      double x = cb__pix_x(col, n, ppd) - x0, y = cb__pix_y(row, n, ppd) - y0;
      double env = exp(-(x * x + y * y) / (2.0 * sigma * sigma)), arg = 2.0 * CB__PI * f * (-x * s + y * c) + ph;
      ge[i] = env * cos(arg);
      go[i] = env * sin(arg);
      sum += env;
    }
  for (i = 0; i < (size_t)n * n; ++i) {
    ge[i] /= sum;
    go[i] /= sum;
  }
}

static double dotf(const float *a, const double *b, size_t n) {
  double s = 0.0;
  for (size_t i = 0; i < n; ++i) s += (double)a[i] * b[i];
  return s;
}

/* Mean energy of the normalisation pool for contrast image x. */
static double pool_energy(const cb_synth_v1_pop *p, const double *x) {
  const size_t np = (size_t)p->size * p->size;
  double pool = 0.0;
  for (int k = 0; k < p->n_pool; ++k) {
    double e = dotf(p->pool_even + k * np, x, np), o = dotf(p->pool_odd + k * np, x, np);
    pool += e * e + o * o;
  }
  return pool / p->n_pool;
}

/* Normalised drive (no gain, no baseline) of neuron j to contrast image x. */
static double norm_drive(const cb_synth_v1_pop *p, int j, const double *x, double pool) {
  const size_t np = (size_t)p->size * p->size;
  double e = dotf(p->w_even + j * np, x, np), o = dotf(p->w_odd + j * np, x, np);
  double drive = p->simple_mask[j] * (e > 0.0 ? e : 0.0) + p->complex_mask[j] * sqrt(e * e + o * o);
  return drive / sqrt(p->norm_const + pool);
}

/* The population's arrays, for p->n_neurons neurons and p->n_pool pool filters of np pixels each. */
static cb_status pop_alloc(cb_synth_v1_pop *p, size_t np) {
  const int nn = p->n_neurons, npool = p->n_pool;
  p->w_even = malloc(nn * np * sizeof(float));
  p->w_odd = malloc(nn * np * sizeof(float));
  p->pool_even = malloc(npool * np * sizeof(float));
  p->pool_odd = malloc(npool * np * sizeof(float));
  p->simple_mask = calloc(nn, sizeof(float));
  p->complex_mask = calloc(nn, sizeof(float));
  p->gain = calloc(nn, sizeof(float));
  p->baseline = calloc(nn, sizeof(float));
  p->pref_orientation = calloc(nn, sizeof(double));
  p->pref_sf = calloc(nn, sizeof(double));
  if (!p->w_even || !p->w_odd || !p->pool_even || !p->pool_odd || !p->simple_mask || !p->complex_mask || !p->gain ||
      !p->baseline || !p->pref_orientation || !p->pref_sf)
    return CB_ERROR(CB_ERR_NOMEM, "out of memory");
  return CB_OK;
}

/* The normalisation pool: centred Gabor pairs over POOL_N_ORIENT orientations x POOL_N_SF frequencies.
 * ge, go: (np) scratch. */
static void fill_pool(cb_synth_v1_pop *p, size_t np, double *ge, double *go) {
  for (int po = 0; po < POOL_N_ORIENT; ++po)
    for (int ps = 0; ps < POOL_N_SF; ++ps) {
      int k = po * POOL_N_SF + ps;
      double f = sf_of(ps);
      make_gabor(0.0, 0.0, 180.0 * po / POOL_N_ORIENT, f, 0.5 / f, 0.0, ge, go);
      for (size_t i = 0; i < np; ++i) {
        p->pool_even[k * np + i] = (float)ge[i];
        p->pool_odd[k * np + i] = (float)go[i];
      }
    }
}

/* Gain of neuron j: peak over its drive by its own preferred grating (contrast 0.8, aperture), whose phase
 * matches the carrier at the RF centre (rad, ang): u0 = -x0 sin + y0 cos. probe: (n, n) scratch. */
static void calibrate(cb_synth_v1_pop *p, int j, double ori, double sf, double ph, double rad, double ang, double peak,
                      double *probe) {
  const int n = p->size;
  const size_t np = (size_t)n * n;
  double th = ori * CB__PI / 180.0, u0 = -rad * cos(ang) * sin(th) + rad * sin(ang) * cos(th);
  memset(probe, 0, np * sizeof *probe);
  add_grating(probe, ori, sf, ph - 360.0 * sf * u0, 0.8);
  const double ppd = n / CB_SYNTH_V1SET_DEGREES;
  for (int row = 0; row < n; ++row)
    for (int col = 0; col < n; ++col)
      probe[(size_t)row * n + col] *=
          cb__synth_aperture(hypot(cb__pix_x(col, n, ppd), cb__pix_y(row, n, ppd)), 0.5 * CB_SYNTH_V1SET_DEGREES);
  double ref = norm_drive(p, j, probe, pool_energy(p, probe));
  p->gain[j] = (float)(ref > 0.0 ? peak / ref : 0.0);
}

/* Neuron j from its own stream of seed: orientation, frequency (>= sf_min), phase, RF centre and size, simple or
 * complex, peak rate (*peak), baseline; then its Gabor pair and its gain. ge, go, probe: (np) scratch. */
static void draw_neuron(cb_synth_v1_pop *p, int j, uint64_t seed, double sf_min, double *ge, double *go,
                        double *probe, double *peak) {
  const size_t np = (size_t)p->size * p->size;
  cb_rng r;
  cb_rng_seed_stream(&r, seed, STREAM_NEURON | (uint64_t)j);
  double ori = 180.0 * cb_rng_uniform(&r), sf = sf_min * exp(log(SF_RANGE) * cb_rng_uniform(&r));
  double ph = 360.0 * cb_rng_uniform(&r);
  double rad = RF_SCATTER * sqrt(cb_rng_uniform(&r)), ang = 2.0 * CB__PI * cb_rng_uniform(&r);
  double sigma = (0.35 + 0.25 * cb_rng_uniform(&r)) / sf;
  int cplx = cb_rng_uniform(&r) < 0.5;
  *peak = 10.0 * exp(log(4.0) * cb_rng_uniform(&r));
  p->baseline[j] = (float)(0.2 + 0.8 * cb_rng_uniform(&r));
  p->pref_orientation[j] = ori;
  p->pref_sf[j] = sf;
  p->simple_mask[j] = cplx ? 0.0f : 1.0f;
  p->complex_mask[j] = cplx ? 1.0f : 0.0f;
  make_gabor(rad * cos(ang), rad * sin(ang), ori, sf, sigma, ph, ge, go);
  for (size_t i = 0; i < np; ++i) {
    p->w_even[j * np + i] = (float)ge[i];
    p->w_odd[j * np + i] = (float)go[i];
  }
  calibrate(p, j, ori, sf, ph, rad, ang, *peak, probe);
}

cb_status cb_synth_v1set_population(uint64_t seed, cb_synth_v1_pop **out) {
  if (out == NULL) return CB_ERROR(CB_ERR_ARG, "synthetic-v1: NULL output");
  const int n = CB_SYNTH_V1SET_SIZE, nn = CB_SYNTH_V1SET_NEURONS, npool = CB_SYNTH_V1SET_POOL;
  const size_t np = (size_t)n * n;
  const double sf_max = n / CB_SYNTH_V1SET_DEGREES / 4.0, sf_min = sf_max / SF_RANGE;
  cb_status st = CB_OK;
  double *ge = malloc(np * sizeof *ge), *go = malloc(np * sizeof *go), *probe = malloc(np * sizeof *probe);
  double *peak = malloc(nn * sizeof *peak); /* (nn) */
  cb_synth_v1_pop *p = calloc(1, sizeof *p);
  CB_ALLOC_GOTO(ge, st, fail);
  CB_ALLOC_GOTO(go, st, fail);
  CB_ALLOC_GOTO(probe, st, fail);
  CB_ALLOC_GOTO(peak, st, fail);
  CB_ALLOC_GOTO(p, st, fail);
  p->n_neurons = nn;
  p->size = n;
  p->n_pool = npool;
  p->visual_degrees = CB_SYNTH_V1SET_DEGREES;
  p->norm_const = 0.01;
  CB_CHECK_GOTO(pop_alloc(p, np), st, fail);
  fill_pool(p, np, ge, go);
  for (int j = 0; j < nn; ++j) draw_neuron(p, j, seed, sf_min, ge, go, probe, &peak[j]);
  free(ge);
  free(go);
  free(probe);
  free(peak);
  *out = p;
  return CB_OK;
fail:
  free(ge);
  free(go);
  free(probe);
  free(peak);
  cb_synth_v1_pop_destroy(&p);
  return st;
}

cb_status cb_synth_v1set_rates(const cb_synth_v1_pop *p, const cb_synth_set *s, double *rates) {
  if (p == NULL || s == NULL || rates == NULL || s->height != p->size || s->width != p->size || s->channels != 1)
    return CB_ERROR(CB_ERR_ARG, "synthetic-v1: rates need %dx%d gray images", p ? p->size : 0, p ? p->size : 0);
  const size_t np = (size_t)p->size * p->size;
  double *x = malloc(np * sizeof *x);
  if (x == NULL) return CB_ERROR(CB_ERR_NOMEM, "out of memory");
  for (int i = 0; i < s->n_stim; ++i) {
    for (size_t k = 0; k < np; ++k) x[k] = (s->images[(size_t)i * np + k] - 128.0) / 127.0;
    double pool = pool_energy(p, x);
    for (int j = 0; j < p->n_neurons; ++j)
      rates[(size_t)i * p->n_neurons + j] = p->baseline[j] + p->gain[j] * norm_drive(p, j, x, pool);
  }
  free(x);
  return CB_OK;
}

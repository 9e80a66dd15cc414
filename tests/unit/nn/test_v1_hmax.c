/* Unit tests of the "v1like" (VOneNet-style) and "hmax" zoo models:
 * parameter distributions and filters against numpy
 * (tests/reference/make_v1_hmax_goldens.py -> fixtures/v1_hmax.txt), S1/C1
 * against PyTorch, the V1 graph against a naive loop, determinism per seed,
 * orientation tuning and phase invariance on gratings, C1 shift tolerance,
 * S2/C2 ranges and prototype resampling, layer names and shapes. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_nn.h"
#include "cb_zoo.h"
#include "cb_zoo_bio.h"
#include "cb_test_main.h"

#define FIX "tests/reference/fixtures/v1_hmax.txt"
#define PI 3.14159265358979323846

/* Values of the fixture line starting with `key ` (NULL-terminated key
 * match); returns the count read into v (max n). */
static int fixture(const char *key, double *v, int n) {
  FILE *f = fopen(FIX, "r");
  ck_assert_msg(f != NULL, FIX " missing");
  static char line[65536];
  int k = -1;
  const size_t kl = strlen(key);
  while (fgets(line, sizeof line, f))
    if (strncmp(line, key, kl) == 0 && line[kl] == ' ') {
      char *p = line + kl, *e;
      k = 0;
      while (k < n) {
        double d = strtod(p, &e);
        if (e == p) break;
        v[k++] = d;
        p = e;
      }
      break;
    }
  fclose(f);
  ck_assert_msg(k >= 0, "fixture line '%s' missing", key);
  return k;
}

static cb_model *make(const char *name, uint64_t seed, int size) {
  cb_zoo_opts o = {.seed = seed, .in_h = size, .in_w = size};
  cb_model *m = NULL;
  ck_assert_msg(cb_zoo_create(name, &o, &m) == CB_OK, "%s", cb_error_message());
  return m;
}

static float *run_layer(cb_model *m, const char *layer, const float *x, size_t *count) {
  int l = cb_model_find_layer(m, layer), c, h, w;
  ck_assert_msg(l >= 0, "no layer %s", layer);
  cb_model_layer_shape(m, l, &c, &h, &w);
  size_t n = (size_t)c * h * w;
  float *out = malloc(n * sizeof *out);
  float *outs[1] = {out};
  ck_assert_msg(cb_model_forward(m, x, 1, &l, 1, outs) == CB_OK, "%s", cb_error_message());
  if (count) *count = n;
  return out;
}

static void check_shape(cb_model *m, const char *layer, int ec, int eh, int ew) {
  int l = cb_model_find_layer(m, layer), c, h, w;
  ck_assert_msg(l >= 0, "no layer %s", layer);
  cb_model_layer_shape(m, l, &c, &h, &w);
  ck_assert_msg(c == ec && h == eh && w == ew, "%s: %dx%dx%d, expected %dx%dx%d", layer, c, h, w, ec, eh, ew);
}

/* Gray grating (3, n, n) in preprocessed units: amp cos(2 pi f (i cos t + j sin t) + ph). */
static void grating(float *x, int n, double f, double t, double ph, double amp) {
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n; ++j) {
      float v = (float)(amp * cos(2.0 * PI * f * (i * cos(t) + j * sin(t)) + ph));
      for (int c = 0; c < 3; ++c) x[((size_t)c * n + i) * n + j] = v;
    }
}

/* The fixed input of the goldens (and of test_zoo). */
static float *the_input(int h, int w) {
  float *x = malloc(sizeof *x * 3 * (size_t)h * (size_t)w); /* (3, h, w) */
  for (int c = 0; c < 3; ++c)
    for (int i = 0; i < h; ++i)
      for (int j = 0; j < w; ++j)
        x[((size_t)c * h + i) * w + j] = (float)(sin(0.05 * (c + 1) * i + 0.03 * j) + 0.5 * cos(0.07 * (i - j) + c));
  return x;
}

/* Gray texture in [0, 1], (3, n, n). */
static void texture(float *x, int n, int k) {
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n; ++j) {
      double v = 0.5 + 0.2 * sin(0.31 * i + 0.17 * j + k) + 0.15 * cos(0.11 * i - 0.23 * j * (1 + k)) +
                 0.1 * sin(0.05 * i * j / (n + 1.0) + 0.4 * k);
      for (int c = 0; c < 3; ++c) x[((size_t)c * n + i) * n + j] = (float)v;
    }
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static double quantile(double *v, int n, double q) {
  qsort(v, (size_t)n, sizeof *v, cmp_double);
  double pos = q * (n - 1);
  int i = (int)pos;
  return i + 1 < n ? v[i] + (pos - i) * (v[i + 1] - v[i]) : v[n - 1];
}

START_TEST(v1_distributions) {
  enum { N = 40000 };
  cb__v1_unit *u = malloc(N * sizeof *u);
  double *v = malloc(N * sizeof *v), ref[8];
  ck_assert(cb__zoo_v1_sample(11, N, u) == CB_OK);
  const double qs[5] = {0.1, 0.25, 0.5, 0.75, 0.9};
  const char *keys[3] = {"v1_sf_quantiles", "v1_nx_quantiles", "v1_ny_quantiles"};
  for (int p = 0; p < 3; ++p) {
    ck_assert_int_eq(fixture(keys[p], ref, 5), 5);
    for (int i = 0; i < N; ++i) v[i] = p == 0 ? u[i].sf : p == 1 ? u[i].nx : u[i].ny;
    for (int q = 0; q < 5; ++q) {
      double got = quantile(v, N, qs[q]);
      ck_assert_msg(fabs(log(got / ref[q])) < 0.04, "%s q%.2f: %g vs numpy %g", keys[p], qs[q], got, ref[q]);
    }
  }
  ck_assert_int_eq(fixture("v1_ori_fractions", ref, 4), 4);
  int cnt[4] = {0};
  double mn[3] = {1e9, 1e9, 1e9}, mx[3] = {0, 0, 0};
  int ch[3] = {0};
  for (int i = 0; i < N; ++i) {
    ck_assert(u[i].ori >= 0.0 && u[i].ori < 180.0);
    ck_assert(u[i].phase >= 0.0 && u[i].phase < 360.0);
    ck_assert(u[i].channel >= 0 && u[i].channel < 3);
    ch[u[i].channel]++;
    cnt[(int)(u[i].ori / 45.0)]++;
    const double a[3] = {u[i].sf, u[i].nx, u[i].ny};
    for (int k = 0; k < 3; ++k) {
      if (a[k] < mn[k]) mn[k] = a[k];
      if (a[k] > mx[k]) mx[k] = a[k];
    }
  }
  for (int k = 0; k < 4; ++k) ck_assert_msg(fabs((double)cnt[k] / N - ref[k]) < 0.01, "ori bin %d: %g vs %g", k, (double)cnt[k] / N, ref[k]);
  for (int k = 0; k < 3; ++k) ck_assert(fabs(ch[k] / (double)N - 1.0 / 3.0) < 0.015);
  ck_assert_int_eq(fixture("v1_ranges", ref, 6), 6);
  for (int k = 0; k < 3; ++k) {
    ck_assert_msg(mn[k] >= ref[2 * k] * 0.999 && mx[k] <= ref[2 * k + 1] * 1.001, "range %d: [%g, %g] vs [%g, %g]",
                  k, mn[k], mx[k], ref[2 * k], ref[2 * k + 1]);
    ck_assert(mn[k] < ref[2 * k] * 1.1 && mx[k] > ref[2 * k + 1] * 0.9);
  }
  /* sf-nx correlation: Spearman through ranks of both */
  double *rx = malloc(N * sizeof *rx), *ry = malloc(N * sizeof *ry);
  for (int pass = 0; pass < 2; ++pass) {
    double *r = pass ? ry : rx;
    for (int i = 0; i < N; ++i) v[i] = pass ? u[i].sf : u[i].nx;
    /* rank by sorting (value, index) pairs */
    double *pairs = malloc(2 * N * sizeof *pairs);
    for (int i = 0; i < N; ++i) pairs[2 * i] = v[i], pairs[2 * i + 1] = i;
    qsort(pairs, N, 2 * sizeof *pairs, cmp_double);
    for (int i = 0; i < N; ++i) r[(int)pairs[2 * i + 1]] = i;
    free(pairs);
  }
  double sxy = 0, sxx = 0, m = (N - 1) / 2.0;
  for (int i = 0; i < N; ++i) sxy += (rx[i] - m) * (ry[i] - m), sxx += (rx[i] - m) * (rx[i] - m);
  ck_assert_int_eq(fixture("v1_spearman_nx_sf", ref, 1), 1);
  ck_assert_msg(fabs(sxy / sxx - ref[0]) < 0.02, "spearman %g vs %g", sxy / sxx, ref[0]);
  free(rx);
  free(ry);
  free(u);
  free(v);
}
END_TEST

START_TEST(filters_match_numpy) {
  double v[1 + 6 + 625];
  FILE *f = fopen(FIX, "r");
  ck_assert(f != NULL);
  static char line[65536];
  int n_v1 = 0;
  while (fgets(line, sizeof line, f)) {
    if (strncmp(line, "v1_gabor ", 9) != 0) continue;
    char *p = line + 9, *e;
    int k = 0;
    while (k < (int)(sizeof v / sizeof v[0])) {
      double d = strtod(p, &e);
      if (e == p) break;
      v[k++] = d;
      p = e;
    }
    int ks = (int)v[5];
    ck_assert_int_eq(k, 6 + ks * ks);
    float g[625];
    cb__zoo_v1_gabor(v[0], v[1], v[2], v[3], v[4], ks, g);
    double peak = 0;
    for (int t = 0; t < ks * ks; ++t) peak = fmax(peak, fabs(v[6 + t]));
    for (int t = 0; t < ks * ks; ++t) ck_assert_msg(fabs(g[t] - v[6 + t]) <= 1e-5 * peak, "v1 gabor %d: %g vs %g", t, g[t], v[6 + t]);
    ++n_v1;
  }
  fclose(f);
  ck_assert_int_eq(n_v1, 3);
  static const int size[16] = {7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31, 33, 35, 37};
  static const double sig[16] = {2.8, 3.6, 4.5, 5.4, 6.3, 7.3, 8.2, 9.2, 10.2, 11.3, 12.3, 13.4, 14.6, 15.8, 17.0, 18.2};
  static const double lam[16] = {3.5, 4.6, 5.6, 6.8, 7.9, 9.1, 10.3, 11.5, 12.7, 14.1, 15.4, 16.8, 18.2, 19.7, 21.2, 22.8};
  const int so[4][2] = {{0, 0}, {3, 1}, {9, 2}, {15, 3}};
  for (int t = 0; t < 4; ++t) {
    static double hv[2 + 37 * 37];
    float g[37 * 37];
    int s = so[t][0], o = so[t][1];
    FILE *ff = fopen(FIX, "r");
    char pre[32];
    snprintf(pre, sizeof pre, "hmax_gabor %d %d ", s, o);
    int found = 0;
    while (fgets(line, sizeof line, ff))
      if (strncmp(line, pre, strlen(pre)) == 0) {
        char *p = line + strlen(pre), *e;
        for (int i = 0; i < size[s] * size[s]; ++i) {
          hv[i] = strtod(p, &e);
          ck_assert(e != p);
          p = e;
        }
        found = 1;
      }
    fclose(ff);
    ck_assert_msg(found, "%s missing", pre);
    cb__zoo_hmax_gabor(size[s], sig[s], lam[s], o * PI / 4, g);
    for (int i = 0; i < size[s] * size[s]; ++i) ck_assert_msg(fabs(g[i] - hv[i]) < 1e-6, "hmax gabor %d %d [%d]: %g vs %g", s, o, i, g[i], hv[i]);
  }
}
END_TEST

static void check_summary(const char *key, const float *a, size_t n) {
  double ref[3 + 64];
  ck_assert_int_eq(fixture(key, ref, 67), 67);
  ck_assert_msg((size_t)ref[0] == n, "%s: %zu values, torch %g", key, n, ref[0]);
  double s = 0, sa = 0;
  for (size_t i = 0; i < n; ++i) s += a[i], sa += fabs(a[i]);
  ck_assert_msg(fabs(s - ref[1]) <= 1e-4 * ref[2], "%s: sum %g vs %g", key, s, ref[1]);
  for (int i = 0; i < 64; ++i) {
    size_t k = (size_t)i * n / 64;
    ck_assert_msg(fabs(a[k] - ref[3 + i]) <= 1e-4 * (1.0 + fabs(ref[3 + i])), "%s[%zu]: %g vs torch %g", key, k, a[k], ref[3 + i]);
  }
}

START_TEST(hmax_s1_c1_match_torch) {
  cb_model *m = make("hmax", 1, 64);
  float *x = the_input(64, 64);
  size_t n;
  float *s1 = run_layer(m, "s1", x, &n);
  check_summary("hmax_s1", s1, n);
  for (int b = 0; b < CB_HMAX_BANDS; ++b) {
    char name[32], key[32];
    snprintf(name, sizeof name, "c1.band%d", b);
    snprintf(key, sizeof key, "hmax_c1_band%d", b);
    float *c1 = run_layer(m, name, x, &n);
    check_summary(key, c1, n);
    free(c1);
  }
  free(s1);
  free(x);
  cb_model_destroy(&m);
}
END_TEST

START_TEST(v1_layers) {
  cb_model *m = make("v1like", 1, 0);
  const cb_model_info *in = cb_model_get_info(m);
  ck_assert_int_eq(in->in_c, 3);
  ck_assert_int_eq(in->in_h, 224);
  ck_assert(in->visual_degrees == 8.0 && in->mean[0] == 0.5f && in->std[2] == 0.5f);
  check_shape(m, "v1.simple", 256, 56, 56);
  check_shape(m, "v1.complex", 256, 56, 56);
  check_shape(m, "v1.output", 512, 56, 56);
  cb_model_destroy(&m);
  m = make("v1like", 1, 96);
  check_shape(m, "v1.output", 512, 48, 48);
  cb_model_destroy(&m);
}
END_TEST

/* v1.simple / v1.complex against a naive loop over the sampled units. */
START_TEST(v1_naive_reference) {
  enum { S = 64, NU = CB_V1_SIMPLE + CB_V1_COMPLEX };
  const uint64_t seed = 5;
  cb_model *m = make("v1like", seed, S);
  float *x = the_input(S, S);
  size_t n;
  float *out = run_layer(m, "v1.output", x, &n);
  cb__v1_unit *u = malloc(NU * sizeof *u);
  ck_assert(cb__zoo_v1_sample(seed, NU, u) == CB_OK);
  const int ks = 2 * (int)lround(12.0 * S / 224.0) + 1, stride = (int)fmax(1, lround(4.0 * S / 224.0)), oh = (S + 2 * (ks / 2) - ks) / stride + 1;
  ck_assert_uint_eq(n, (size_t)NU * oh * oh);
  /* channel order: simple units by colour, then complex units by colour */
  int order[NU], k = 0;
  for (int pop = 0; pop < 2; ++pop)
    for (int c = 0; c < 3; ++c)
      for (int i = pop * CB_V1_SIMPLE; i < (pop + 1) * CB_V1_SIMPLE; ++i)
        if (u[i].channel == c) order[k++] = i;
  ck_assert_int_eq(k, NU);
  float g0[25 * 25], g1[25 * 25];
  const double ppd = S / 8.0;
  for (int ch = 0; ch < NU; ch += 37) {
    const cb__v1_unit *p = &u[order[ch]];
    double f = p->sf / ppd;
    cb__zoo_v1_gabor(f, p->nx / f, p->ny / f, p->ori * PI / 180, p->phase * PI / 180, ks, g0);
    cb__zoo_v1_gabor(f, p->nx / f, p->ny / f, p->ori * PI / 180, p->phase * PI / 180 + PI / 2, ks, g1);
    for (int oy = 0; oy < oh; oy += 7)
      for (int ox = 0; ox < oh; ox += 5) {
        double a = 0, b = 0;
        for (int i = 0; i < ks; ++i)
          for (int j = 0; j < ks; ++j) {
            int y = oy * stride - ks / 2 + i, xx = ox * stride - ks / 2 + j;
            if (y < 0 || y >= S || xx < 0 || xx >= S) continue;
            double v = x[((size_t)p->channel * S + y) * S + xx];
            a += g0[i * ks + j] * v;
            b += g1[i * ks + j] * v;
          }
        double ref = ch < CB_V1_SIMPLE ? 25.0 * fmax(a, 0.0) : 25.0 * sqrt(a * a + b * b) / sqrt(2.0);
        double got = out[((size_t)ch * oh + oy) * oh + ox];
        ck_assert_msg(fabs(got - ref) <= 1e-4 * (1.0 + fabs(ref)), "channel %d (%d, %d): %g vs naive %g", ch, oy, ox, got, ref);
      }
  }
  free(u);
  free(out);
  free(x);
  cb_model_destroy(&m);
}
END_TEST

START_TEST(v1_determinism) {
  enum { S = 64 };
  cb_model *a = make("v1like", 3, S), *b = make("v1like", 3, S), *c = make("v1like", 4, S);
  ck_assert(cb_model_weights_hash(a) == cb_model_weights_hash(b));
  ck_assert(cb_model_weights_hash(a) != cb_model_weights_hash(c));
  float *x = the_input(S, S);
  size_t n;
  float *ya = run_layer(a, "v1.output", x, &n), *yb = run_layer(b, "v1.output", x, NULL), *yc = run_layer(c, "v1.output", x, NULL);
  ck_assert(memcmp(ya, yb, n * sizeof *ya) == 0);
  size_t diff = 0;
  for (size_t i = 0; i < n; ++i) diff += ya[i] != yc[i];
  ck_assert_msg(diff > n / 2, "only %zu of %zu values differ between seeds", diff, n);
  free(ya);
  free(yb);
  free(yc);
  free(x);
  cb_model_destroy(&a);
  cb_model_destroy(&b);
  cb_model_destroy(&c);
}
END_TEST

/* Gratings at 8 orientations x 4 spatial frequencies: each unit's
 * preferred-orientation grating (nearest grid point) drives it more than the
 * orthogonal one (simple cells), and across positions (= grating phases)
 * complex cells vary far less than simple cells. */
START_TEST(v1_gratings) {
  enum { S = 96, NO = 8, NF = 4, NU = CB_V1_SIMPLE + CB_V1_COMPLEX };
  const uint64_t seed = 2;
  const double sfs[NF] = {0.8, 1.6, 2.8, 4.5}; /* cycles / degree */
  cb_model *m = make("v1like", seed, S);
  int l = cb_model_find_layer(m, "v1.output"), c, h, w;
  cb_model_layer_shape(m, l, &c, &h, &w);
  const size_t per = (size_t)h * w;
  float *x = malloc(3 * S * S * sizeof *x), *resp = malloc((size_t)NO * NF * NU * per * sizeof *resp);
  for (int o = 0; o < NO; ++o)
    for (int f = 0; f < NF; ++f) {
      grating(x, S, sfs[f] / (S / 8.0), o * PI / NO, 0.3, 1.0);
      float *outs[1] = {resp + (size_t)(o * NF + f) * NU * per};
      ck_assert(cb_model_forward(m, x, 1, &l, 1, outs) == CB_OK);
    }
  cb__v1_unit *u = malloc(NU * sizeof *u);
  ck_assert(cb__zoo_v1_sample(seed, NU, u) == CB_OK);
  int order[NU], k = 0;
  for (int pop = 0; pop < 2; ++pop)
    for (int cc = 0; cc < 3; ++cc)
      for (int i = pop * CB_V1_SIMPLE; i < (pop + 1) * CB_V1_SIMPLE; ++i)
        if (u[i].channel == cc) order[k++] = i;
  int tuned = 0;
  double cv[NU];
  for (int ch = 0; ch < NU; ++ch) {
    const cb__v1_unit *p = &u[order[ch]];
    int o = (int)lround(p->ori / (180.0 / NO)) % NO, best_f = 0;
    for (int f = 1; f < NF; ++f)
      if (fabs(log(sfs[f] / p->sf)) < fabs(log(sfs[best_f] / p->sf))) best_f = f;
    const float *pref = resp + ((size_t)(o * NF + best_f) * NU + ch) * per;
    const float *orth = resp + ((size_t)(((o + NO / 2) % NO) * NF + best_f) * NU + ch) * per;
    double sp = 0, so = 0, s2 = 0;
    int cnt = 0;
    for (int i = h / 4; i < 3 * h / 4; ++i)
      for (int j = w / 4; j < 3 * w / 4; ++j) {
        double v = pref[i * w + j];
        sp += v, so += orth[i * w + j], s2 += v * v, ++cnt;
      }
    if (ch < CB_V1_SIMPLE && sp > so) ++tuned;
    double mean = sp / cnt, var = s2 / cnt - mean * mean;
    cv[ch] = mean > 0 ? sqrt(fmax(var, 0.0)) / mean : 10.0;
  }
  ck_assert_msg(tuned > 0.9 * CB_V1_SIMPLE, "%d of %d simple cells prefer their orientation", tuned, CB_V1_SIMPLE);
  double cs[CB_V1_SIMPLE], cc[CB_V1_COMPLEX];
  memcpy(cs, cv, sizeof cs);
  memcpy(cc, cv + CB_V1_SIMPLE, sizeof cc);
  double med_s = quantile(cs, CB_V1_SIMPLE, 0.5), med_c = quantile(cc, CB_V1_COMPLEX, 0.5);
  ck_assert_msg(med_c < 0.25 && med_s > 0.6 && med_c < med_s / 3, "phase CV: complex %g, simple %g", med_c, med_s);
  free(u);
  free(x);
  free(resp);
  cb_model_destroy(&m);
}
END_TEST

START_TEST(hmax_layers) {
  cb_model *m = make("hmax", 1, 96);
  const cb_model_info *in = cb_model_get_info(m);
  ck_assert_int_eq(in->in_c, 3);
  ck_assert(in->mean[0] == 0.0f && in->std[0] == 1.0f && in->visual_degrees == 8.0);
  check_shape(m, "s1", 64, 96, 96);
  const int grid[8] = {8, 10, 12, 14, 16, 18, 20, 22};
  int total = 0, s2 = 0;
  for (int b = 0; b < 8; ++b) {
    char name[32];
    int hb = (96 - grid[b]) / (grid[b] / 2) + 1;
    snprintf(name, sizeof name, "c1.band%d", b);
    check_shape(m, name, 4, hb, hb);
    snprintf(name, sizeof name, "s2.band%d.n12", b);
    check_shape(m, name, CB_HMAX_PROTOS_PER_SIZE, hb, hb);
    total += 4 * hb * hb;
    s2 += CB_HMAX_PATCH_SIZES * CB_HMAX_PROTOS_PER_SIZE * hb * hb;
  }
  check_shape(m, "c1", total, 1, 1);
  check_shape(m, "s2", s2, 1, 1);
  check_shape(m, "c2", CB_HMAX_PATCH_SIZES * CB_HMAX_PROTOS_PER_SIZE, 1, 1);
  cb_model_destroy(&m);
  ck_assert(cb_zoo_hmax_set_prototypes(NULL, NULL, 1, 1) == CB_ERR_ARG);
  m = make("v1like", 1, 64);
  float x[3 * 64 * 64] = {0};
  ck_assert(cb_zoo_hmax_set_prototypes(m, x, 1, 1) == CB_ERR_ARG);
  cb_model_destroy(&m);
}
END_TEST

static double rel_change(const float *a, const float *b, size_t n) {
  double d = 0, s = 0;
  for (size_t i = 0; i < n; ++i) d += (a[i] - b[i]) * (a[i] - b[i]), s += a[i] * a[i];
  return sqrt(d / s);
}

START_TEST(hmax_c1_shift_invariance) {
  enum { S = 96 };
  cb_model *m = make("hmax", 1, S);
  float *x = malloc(3 * S * S * sizeof *x), *xs = malloc(3 * S * S * sizeof *xs);
  texture(x, S, 1);
  for (int c = 0; c < 3; ++c) /* shifted right by one pixel */
    for (int i = 0; i < S; ++i)
      for (int j = 0; j < S; ++j) xs[((size_t)c * S + i) * S + j] = x[((size_t)c * S + i) * S + (j > 0 ? j - 1 : 0)];
  size_t n1, nc;
  float *s1a = run_layer(m, "s1", x, &n1), *s1b = run_layer(m, "s1", xs, NULL);
  float *c1a = run_layer(m, "c1", x, &nc), *c1b = run_layer(m, "c1", xs, NULL);
  double ds = rel_change(s1a, s1b, n1), dc = rel_change(c1a, c1b, nc);
  ck_assert_msg(dc < 0.5 * ds, "1-pixel shift: C1 changes %g, S1 %g", dc, ds);
  for (size_t i = 0; i < n1; ++i) ck_assert(s1a[i] >= 0.0f && s1a[i] <= 1.0f + 1e-5f);
  free(s1a);
  free(s1b);
  free(c1a);
  free(c1b);
  free(x);
  free(xs);
  cb_model_destroy(&m);
}
END_TEST

START_TEST(hmax_s2_c2) {
  enum { S = 96, NIMG = 3 };
  cb_model *m = make("hmax", 1, S), *m2 = make("hmax", 1, S), *m3 = make("hmax", 2, S);
  ck_assert(cb_model_weights_hash(m) == cb_model_weights_hash(m2));
  ck_assert(cb_model_weights_hash(m) != cb_model_weights_hash(m3));
  float *imgs = malloc((size_t)NIMG * 3 * S * S * sizeof *imgs);
  for (int k = 0; k < NIMG; ++k) texture(imgs + (size_t)k * 3 * S * S, S, k + 2);
  size_t n2, nc;
  float *s2 = run_layer(m, "s2", imgs, &n2), *c2 = run_layer(m, "c2", imgs, &nc);
  for (size_t i = 0; i < n2; ++i) ck_assert_msg(s2[i] > 0.0f && s2[i] <= 1.0f, "s2[%zu] = %g", i, s2[i]);
  for (size_t i = 0; i < nc; ++i) ck_assert_msg(c2[i] > 0.0f && c2[i] <= 1.0f, "c2[%zu] = %g", i, c2[i]);
  /* resampled from one image: every prototype matches that image somewhere: C2 = 1 */
  ck_assert(cb_zoo_hmax_set_prototypes(m, imgs, 1, 9) == CB_OK);
  float *c2one = run_layer(m, "c2", imgs, NULL);
  for (size_t i = 0; i < nc; ++i) ck_assert_msg(fabsf(c2one[i] - 1.0f) < 1e-3f, "c2[%zu] = %g after sampling from the image", i, c2one[i]);
  /* from the stimulus set: deterministic per seed, changes C2 */
  ck_assert(cb_zoo_hmax_set_prototypes(m, imgs, NIMG, 9) == CB_OK);
  ck_assert(cb_zoo_hmax_set_prototypes(m2, imgs, NIMG, 9) == CB_OK);
  ck_assert(cb_model_weights_hash(m) == cb_model_weights_hash(m2));
  float *c2a = run_layer(m, "c2", imgs, NULL), *c2b = run_layer(m2, "c2", imgs, NULL);
  ck_assert(memcmp(c2a, c2b, nc * sizeof *c2a) == 0);
  size_t diff = 0;
  for (size_t i = 0; i < nc; ++i) diff += c2a[i] != c2[i];
  ck_assert_msg(diff > nc / 2, "set_prototypes changed only %zu of %zu C2 values", diff, nc);
  ck_assert(cb_zoo_hmax_set_prototypes(m2, imgs, NIMG, 10) == CB_OK);
  ck_assert(cb_model_weights_hash(m) != cb_model_weights_hash(m2));
  ck_assert_int_eq(cb_model_find_layer(m, "c2"), cb_model_find_layer(m3, "c2"));
  free(s2);
  free(c2);
  free(c2one);
  free(c2a);
  free(c2b);
  free(imgs);
  cb_model_destroy(&m);
  cb_model_destroy(&m2);
  cb_model_destroy(&m3);
}
END_TEST

int main(void) {
  Suite *s = suite_create("v1_hmax");
  TCase *t = tcase_create("core");
  tcase_set_timeout(t, 300);
  tcase_add_test(t, v1_distributions);
  tcase_add_test(t, filters_match_numpy);
  tcase_add_test(t, v1_layers);
  tcase_add_test(t, v1_naive_reference);
  tcase_add_test(t, v1_determinism);
  tcase_add_test(t, v1_gratings);
  tcase_add_test(t, hmax_layers);
  tcase_add_test(t, hmax_s1_c1_match_torch);
  tcase_add_test(t, hmax_c1_shift_invariance);
  tcase_add_test(t, hmax_s2_c2);
  suite_add_tcase(s, t);
  return cb_test_run(s);
}

/* cb_stm.c - the Chi-Ru-Shamma STM filterbank as constant matrices in a
 * graph (see cb_stm.h), and the seeded voxel weights of synthetic-aud. */
#include "cb_stm.h"

#include <complex.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_rng.h"

void cb_stm_defaults(cb_stm_opts *o, int channels) {
  memset(o, 0, sizeof *o);
  static const double r[] = {0.5, 1, 2, 4, 8, 16, 32}, s[] = {0.25, 0.5, 1, 2, 4, 8};
  o->n_rates = 7;
  memcpy(o->rates, r, sizeof r);
  o->n_scales = 6;
  memcpy(o->scales, s, sizeof s);
  o->n_bands = 8;
  o->channels_per_octave = channels / log2(10000.0 / 50.0);
  o->frame_rate = 200.0;
  o->max_bin = 160;
}

int cb_stm_n_features(const cb_stm_opts *o) { return o->n_scales * 2 * o->n_bands * o->n_rates; }

void cb_stm_feature_name(const cb_stm_opts *o, int j, char *buf, int size) {
  int r = j % o->n_rates, b = (j / o->n_rates) % o->n_bands, d = (j / (o->n_rates * o->n_bands)) % 2,
      s = j / (o->n_rates * o->n_bands * 2);
  snprintf(buf, (size_t)size, "s%g_%s_b%d_r%g", o->scales[s], d ? "up" : "down", b, o->rates[r]);
}

static cb_status shape_const(cb_graph *g, const char *prefix, const char *what, int n, const int64_t *v, int *id) {
  char name[200];
  snprintf(name, sizeof name, "%s.%s", prefix, what);
  return cb_graph_const(g, name, CB_DT_INT64, 1, (const int64_t[]){n}, v, id);
}

static cb_status node(cb_graph *g, const char *prefix, const char *what, const char *op, int n_attr,
                      const cb_attr *a, int n_in, const int *in, int *y) {
  char name[200];
  snprintf(name, sizeof name, "%s%s%s", prefix, what[0] ? "." : "", what);
  const char *outs[1] = {name};
  return cb_graph_node(g, name, op, n_attr, a, n_in, in, 1, outs, y);
}

/* (S*2*2C, 2C): for scale s, direction d, the real form [[A, -B], [B, A]]
 * of the complex channel convolution G = A + iB (B negated for d = 1). */
static float *spectral_matrix(const cb_stm_opts *o, int C) {
  int P = 1;
  while (P < 2 * C) P *= 2;
  const int S = o->n_scales, C2 = 2 * C;
  float *M = calloc((size_t)S * 2 * C2 * C2, sizeof *M);
  double complex *gk = malloc(sizeof *gk * (size_t)(2 * C - 1));
  if (M == NULL || gk == NULL) {
    free(M);
    free(gk);
    return NULL;
  }
  for (int s = 0; s < S; ++s) {
    /* g(d) = (1/P) sum_{0<k<P/2} H_s(k cpo / P) e^{2 pi i k d / P}, d = -(C-1)..C-1 */
    for (int d = -(C - 1); d <= C - 1; ++d) {
      double complex acc = 0;
      for (int k = 1; k < P / 2; ++k) {
        double om = (double)k * o->channels_per_octave / P / o->scales[s];
        double h = om * om * exp(1.0 - om * om);
        acc += h * cexp(2.0 * M_PI * I * (double)k * d / P);
      }
      gk[d + C - 1] = acc / P;
    }
    for (int dir = 0; dir < 2; ++dir) {
      float *blk = M + (size_t)(s * 2 + dir) * C2 * C2;
      const double sign = dir ? -1.0 : 1.0;
      for (int c = 0; c < C; ++c)
        for (int c2 = 0; c2 < C; ++c2) {
          double complex g = gk[c - c2 + C - 1];
          double a = creal(g), b = sign * cimag(g);
          blk[(size_t)c * C2 + c2] = (float)a;
          blk[(size_t)c * C2 + C + c2] = (float)-b;
          blk[(size_t)(C + c) * C2 + c2] = (float)b;
          blk[(size_t)(C + c) * C2 + C + c2] = (float)a;
        }
    }
  }
  free(gk);
  return M;
}

/* (W, R): |H_r(omega_w)|^2 / T^2 for w = 1..W. */
static float *rate_matrix(const cb_stm_opts *o, int T, int W) {
  float *R = malloc(sizeof *R * (size_t)W * o->n_rates);
  double *mag = malloc(sizeof *mag * (size_t)(T / 2 + 1));
  if (R == NULL || mag == NULL) {
    free(R);
    free(mag);
    return NULL;
  }
  for (int r = 0; r < o->n_rates; ++r) {
    double peak = 0;
    for (int w = 0; w <= T / 2; ++w) {
      double complex acc = 0;
      for (int t = 0; t < T; ++t) {
        double x = o->rates[r] * t / o->frame_rate;
        acc += x * x * exp(-3.5 * x) * sin(2 * M_PI * x) * cexp(-2.0 * M_PI * I * (double)w * t / T);
      }
      mag[w] = cabs(acc);
      if (w > 0 && mag[w] > peak) peak = mag[w];
    }
    for (int w = 1; w <= W; ++w) {
      double h = peak > 0 ? mag[w] / peak : 0.0;
      R[(size_t)(w - 1) * o->n_rates + r] = (float)(h * h / ((double)T * T));
    }
  }
  free(mag);
  return R;
}

cb_status cb_stm_add(cb_graph *g, const char *prefix, int x, const cb_stm_opts *o, int *power, int *amp) {
  int64_t s[CB_GRAPH_MAX_DIMS];
  if (cb_graph_value_shape(g, x, s) != 4 || s[0] != 1 || s[1] != 1)
    return CB_ERROR(CB_ERR_ARG, "stm '%s': input must be (1, 1, channels, frames)", prefix);
  const int C = (int)s[2], T = (int)s[3], S = o->n_scales, R = o->n_rates, B = o->n_bands;
  int W = o->max_bin < T / 2 ? o->max_bin : T / 2;
  if (C < B || W < 1 || S < 1 || R < 1 || S > CB_STM_MAX || R > CB_STM_MAX)
    return CB_ERROR(CB_ERR_ARG, "stm '%s': %d channels x %d frames too small for the filterbank", prefix, C, T);
  cb_status st = CB_OK;
  float *D = malloc(sizeof *D * (size_t)T * 2 * W), *M = spectral_matrix(o, C), *Rm = rate_matrix(o, T, W);
  float *Bm = calloc((size_t)B * 2 * C, sizeof *Bm);
  CB_ALLOC_GOTO(D, st, done);
  CB_ALLOC_GOTO(M, st, done);
  CB_ALLOC_GOTO(Rm, st, done);
  CB_ALLOC_GOTO(Bm, st, done);
  for (int t = 0; t < T; ++t)
    for (int w = 0; w < W; ++w) {
      double ph = 2.0 * M_PI * (double)((int64_t)(w + 1) * t % T) / T;
      D[(size_t)t * 2 * W + w] = (float)cos(ph);
      D[(size_t)t * 2 * W + W + w] = (float)-sin(ph);
    }
  for (int b = 0; b < B; ++b) {
    int c0 = b * C / B, c1 = (b + 1) * C / B;
    for (int c = c0; c < c1; ++c) Bm[(size_t)b * 2 * C + c] = Bm[(size_t)b * 2 * C + C + c] = 1.0f / (float)(c1 - c0);
  }
  char nm[200];
  int id_d, id_m, id_r, id_b, sh1, sh2, sh3, sh4, v;
#define CONST(what, nd, shp, data, id)                                                     \
  do {                                                                                     \
    snprintf(nm, sizeof nm, "%s.%s", prefix, what);                                        \
    CB_CHECK_GOTO(cb_graph_const(g, nm, CB_DT_FLOAT, nd, shp, data, id), st, done);        \
  } while (0)
  CONST("temporal_dft", 2, ((const int64_t[]){T, 2 * W}), D, &id_d);
  CONST("spectral_filters", 2, ((const int64_t[]){(int64_t)S * 2 * 2 * C, 2 * C}), M, &id_m);
  CONST("rate_gains", 2, ((const int64_t[]){W, R}), Rm, &id_r);
  CONST("bands", 3, ((const int64_t[]){1, B, 2 * C}), Bm, &id_b);
#undef CONST
  CB_CHECK_GOTO(shape_const(g, prefix, "shape_ct", 2, (const int64_t[]){C, T}, &sh1), st, done);
  CB_CHECK_GOTO(shape_const(g, prefix, "shape_c2w", 3, (const int64_t[]){C, 2, W}, &sh2), st, done);
  CB_CHECK_GOTO(shape_const(g, prefix, "shape_zw", 2, (const int64_t[]){2 * C, W}, &sh3), st, done);
  CB_CHECK_GOTO(shape_const(g, prefix, "shape_sdr", 3, (const int64_t[]){(int64_t)S * 2, 2 * C, R}, &sh4), st, done);
  int sh5;
  CB_CHECK_GOTO(shape_const(g, prefix, "shape_out", 2, (const int64_t[]){1, (int64_t)S * 2 * B * R}, &sh5), st, done);
  cb_attr perm = cb_attr_ints("perm", 3, (const int64_t[]){1, 0, 2});
  CB_CHECK_GOTO(node(g, prefix, "frames", "Reshape", 0, NULL, 2, (const int[]){x, sh1}, &v), st, done);
  CB_CHECK_GOTO(node(g, prefix, "tdft", "MatMul", 0, NULL, 2, (const int[]){v, id_d}, &v), st, done);
  CB_CHECK_GOTO(node(g, prefix, "tdft_split", "Reshape", 0, NULL, 2, (const int[]){v, sh2}, &v), st, done);
  CB_CHECK_GOTO(node(g, prefix, "tdft_t", "Transpose", 1, &perm, 1, (const int[]){v}, &v), st, done);
  CB_CHECK_GOTO(node(g, prefix, "z", "Reshape", 0, NULL, 2, (const int[]){v, sh3}, &v), st, done);
  CB_CHECK_GOTO(node(g, prefix, "y", "MatMul", 0, NULL, 2, (const int[]){id_m, v}, &v), st, done);
  CB_CHECK_GOTO(node(g, prefix, "y2", "Mul", 0, NULL, 2, (const int[]){v, v}, &v), st, done);
  CB_CHECK_GOTO(node(g, prefix, "rates", "MatMul", 0, NULL, 2, (const int[]){v, id_r}, &v), st, done);
  CB_CHECK_GOTO(node(g, prefix, "rates_sdr", "Reshape", 0, NULL, 2, (const int[]){v, sh4}, &v), st, done);
  CB_CHECK_GOTO(node(g, prefix, "banded", "MatMul", 0, NULL, 2, (const int[]){id_b, v}, &v), st, done);
  CB_CHECK_GOTO(node(g, prefix, "power", "Reshape", 0, NULL, 2, (const int[]){v, sh5}, power), st, done);
  CB_CHECK_GOTO(node(g, prefix, "", "Sqrt", 0, NULL, 1, (const int[]){*power}, amp), st, done);
done:
  free(D);
  free(M);
  free(Rm);
  free(Bm);
  return st;
}

cb_status cb_stm_voxel_weights(uint64_t seed, const cb_stm_opts *o, int n_vox, float *W, float *b) {
  if (n_vox < 1 || W == NULL || b == NULL) return CB_ERROR(CB_ERR_ARG, "stm voxel weights: bad arguments");
  const int F = cb_stm_n_features(o), R = o->n_rates, B = o->n_bands, S = o->n_scales;
  cb_rng rng;
  cb_rng_seed_stream(&rng, seed, 0x5A0D);
  for (int v = 0; v < n_vox; ++v) {
    double pb = cb_rng_uniform(&rng) * (B - 1), pr = cb_rng_uniform(&rng) * (R - 1),
           ps = cb_rng_uniform(&rng) * (S - 1), q = cb_rng_uniform(&rng), gain = 0.5 + cb_rng_uniform(&rng);
    for (int j = 0; j < F; ++j) {
      int r = j % R, bb = (j / R) % B, d = (j / (R * B)) % 2, s = j / (R * B * 2);
      double e = exp(-0.5 * ((bb - pb) * (bb - pb) + (r - pr) * (r - pr) + (s - ps) * (s - ps)));
      double w = gain * (e * (d ? q : 1.0 - q) + 0.1 * cb_rng_uniform(&rng));
      W[(size_t)v * F + j] = (float)w;
    }
    b[v] = (float)cb_rng_uniform(&rng);
  }
  return CB_OK;
}

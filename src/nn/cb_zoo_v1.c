/* cb_zoo_v1.c - "v1like": the VOneBlock of VOneNet (Dapello et al. 2020,
 * github.com/dicarlolab/vonenet, defaults of vonenet.VOneNet) without its
 * stochastic layer: a fixed Gabor filter bank of 256 simple and 256 complex
 * cells on the RGB image, stride 4, kernel 25, 224 px = 8 degrees.
 *
 * Parameters per unit (VOneNet's generate_gabor_param, neuronal distributions,
 * sf_corr 0.75, sf_max 6, sf_min 0), each sampled as VOneNet does, by
 * linear interpolation of a histogram's cumulative distribution:
 *  - phase uniform in [0, 360) degrees;
 *  - orientation: De Valois, Yund & Hepler 1982, bins -22.5, 22.5, 67.5,
 *    112.5, 157.5 degrees with counts 66, 49, 77, 54 (negative angles + 180);
 *  - nx, ny (Ringach 2002): nx from the marginal of the joint 5x5 histogram
 *    on bins logspace(-1, 0.2, 6) (log10 interpolation), ny from the row of
 *    nx's bin;
 *  - spatial frequency: De Valois, Albrecht & Thorell 1982 (foveal), bins
 *    0.5 0.7 1.0 1.4 2.0 2.8 4.0 5.6 cycles/degree with counts 4 4 8 25 32
 *    26 28 (log2 interpolation), correlated with nx through a Gaussian copula
 *    of correlation 0.75 (VOneNet's sf_corr);
 *  - the colour channel each unit reads: uniform in {R, G, B}.
 * Conversion: ppd = width / 8 pixels per degree, f = sf / ppd cycles/pixel,
 * sigma_x = nx / f, sigma_y = ny / f. Simple cell = k_exc relu(q0), complex
 * cell = k_exc sqrt(q0^2 + q1^2) / sqrt(2) (q1 = the same Gabor, phase + 90),
 * k_exc = 25, noise off (VOneNet's final ReLU is then the identity).
 *
 * Differences from VOneNet, on purpose: both filters of a complex cell read
 * the same colour channel (VOneNet draws the channel of q0 and q1 separately,
 * which breaks phase invariance); units are grouped by colour channel within
 * the simple and within the complex population (channel i of a group keeps
 * the sampling order), so that each colour plane is convolved once with only
 * its own filters (a third of the cost of a 3-channel convolution with zeros);
 * at a width other than 224 the kernel (25) and the stride (4) scale with it
 * (2 round(12 w/224) + 1 and max(1, round(4 w/224))). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_rng.h"
#include "cb_zoo_bio.h"
#include "cb_zoo_impl.h"

#define V1_DEGREES 8.0
#define V1_K_EXC 25.0
#define V1_SF_CORR 0.75
#define PI 3.14159265358979323846

static uint64_t fnv1a(const char *s) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (; *s; ++s) {
    h ^= (unsigned char)*s;
    h *= 0x100000001b3ull;
  }
  return h;
}

/* Inverse of the piecewise-linear CDF of a histogram: u in [0, 1] -> a
 * value in [edge[0], edge[nb]] (numpy.interp of u on [0, cumsum(p)]). */
static double hist_inverse(double u, int nb, const double *counts, const double *edge) {
  double total = 0.0, cum = 0.0;
  for (int k = 0; k < nb; ++k) total += counts[k];
  if (u <= 0.0) u = 0.0;
  if (u >= 1.0) u = 1.0;
  int last = 0;
  for (int k = 0; k < nb; ++k)
    if (counts[k] > 0) last = k;
  for (int k = 0; k < nb; ++k) {
    double p = counts[k] / total;
    if (p > 0 && (u <= cum + p || k == last)) {
      double t = (u - cum) / p;
      if (t > 1.0) t = 1.0;
      return edge[k] + t * (edge[k + 1] - edge[k]);
    }
    cum += p;
  }
  return edge[nb];
}

static double norm_cdf(double z) { return 0.5 * erfc(-z / sqrt(2.0)); }

cb_status cb__zoo_v1_sample(uint64_t seed, int n, cb__v1_unit *u) {
  static const double ori_edge[5] = {-22.5, 22.5, 67.5, 112.5, 157.5}, ori_count[4] = {66, 49, 77, 54};
  static const double sf_count[7] = {4, 4, 8, 25, 32, 26, 28};
  static const double sf_hz[8] = {0.5, 0.7, 1.0, 1.4, 2.0, 2.8, 4.0, 5.6};
  static const double joint[5][5] = {{2, 0, 1, 0, 0}, {8, 9, 4, 1, 0}, {1, 2, 19, 17, 3}, {0, 0, 1, 7, 4}, {0, 0, 0, 0, 0}};
  if (n <= 0 || u == NULL) return CB_ERROR(CB_ERR_ARG, "v1like: %d units requested", n);
  double n_edge[6], sf_edge[8], nx_count[5];
  for (int k = 0; k < 6; ++k) n_edge[k] = -1.0 + 0.24 * k; /* log10 of logspace(-1, 0.2, 6) */
  for (int k = 0; k < 8; ++k) sf_edge[k] = log2(sf_hz[k]);
  for (int r = 0; r < 5; ++r) {
    nx_count[r] = 0.0;
    for (int c = 0; c < 5; ++c) nx_count[r] += joint[r][c];
  }
  cb_rng rp, ro, rc, ry, rch;
  cb_rng_seed_stream(&rp, seed, fnv1a("v1.phase"));
  cb_rng_seed_stream(&ro, seed, fnv1a("v1.ori"));
  cb_rng_seed_stream(&rc, seed, fnv1a("v1.nx_sf"));
  cb_rng_seed_stream(&ry, seed, fnv1a("v1.ny"));
  cb_rng_seed_stream(&rch, seed, fnv1a("v1.channel"));
  const double rho = V1_SF_CORR, rho_c = sqrt(1.0 - V1_SF_CORR * V1_SF_CORR);
  for (int i = 0; i < n; ++i) {
    u[i].phase = 360.0 * cb_rng_uniform(&rp);
    double ori = hist_inverse(cb_rng_uniform(&ro), 4, ori_count, ori_edge);
    u[i].ori = ori < 0.0 ? ori + 180.0 : ori;
    double z1 = cb_rng_normal(&rc), z2 = cb_rng_normal(&rc);
    double lnx = hist_inverse(norm_cdf(z1), 5, nx_count, n_edge);
    u[i].nx = pow(10.0, lnx);
    u[i].sf = exp2(hist_inverse(norm_cdf(rho * z1 + rho_c * z2), 7, sf_count, sf_edge));
    int bin = 0; /* last nx bin whose lower edge is below nx (VOneNet's argwhere(nx_bins < nx)[-1]) */
    for (int k = 0; k < 5; ++k)
      if (n_edge[k] < lnx) bin = k;
    if (bin > 3) bin = 3; /* row 4 is empty: only reached at u = 1 exactly */
    u[i].ny = pow(10.0, hist_inverse(cb_rng_uniform(&ry), 5, joint[bin], n_edge));
    u[i].channel = (int)cb_rng_below(&rch, 3);
  }
  return CB_OK;
}

void cb__zoo_v1_gabor(double f, double sx, double sy, double theta, double phase, int ks, float *g) {
  const int c = ks / 2;
  const double ct = cos(theta), st = sin(theta), norm = 1.0 / (2.0 * PI * sx * sy);
  for (int i = 0; i < ks; ++i)
    for (int j = 0; j < ks; ++j) {
      double x = i - c, y = j - c;
      double r = x * ct + y * st, s = -x * st + y * ct;
      double env = exp(-0.5 * (r * r / (sx * sx) + s * s / (sy * sy)));
      g[i * ks + j] = (float)(norm * env * cos(2.0 * PI * f * r + phase));
    }
}

/* Filters of the units idx[0..n-1]: (n, 1, ks, ks), phase + dphase, times scale. */
static void fill_bank(const cb__v1_unit *u, const int *idx, int n, double ppd, int ks, double dphase, double scale,
                      float *w) {
  const size_t kk = (size_t)ks * ks;
  for (int k = 0; k < n; ++k) {
    const cb__v1_unit *p = &u[idx[k]];
    double f = p->sf / ppd;
    cb__zoo_v1_gabor(f, p->nx / f, p->ny / f, p->ori * PI / 180.0, p->phase * PI / 180.0 + dphase, ks, w + k * kk);
    for (size_t t = 0; t < kk; ++t) w[k * kk + t] = (float)(w[k * kk + t] * scale);
  }
}

/* Conv of a one-channel plane x with n filters w (n, 1, ks, ks), no bias. */
static cb_status gabor_conv(cb_graph *g, const char *name, int x, int n, int ks, int stride, const float *w, int *y) {
  return cb_graph_add_conv(g, name, x, n, ks, stride, ks / 2, 1, w, NULL, y);
}

cb_status cb__zoo_build_v1like(const cb_zoo_opts *o, cb_graph *g, cb_model_info *info) {
  enum { NS = CB_V1_SIMPLE, NC = CB_V1_COMPLEX, NU = NS + NC };
  cb_status st = CB_OK;
  int x, w_in;
  memset(info, 0, sizeof *info);
  info->name = "v1like";
  for (int c = 0; c < 3; ++c) info->mean[c] = info->std[c] = 0.5f; /* VOneNet's normalisation */
  info->visual_degrees = V1_DEGREES;
  info->modality = CB_MODALITY_VISUAL;
  CB_CHECK(cb__zoo_input(g, o, 224, 224, &x));
  int64_t shape[CB_GRAPH_MAX_DIMS];
  cb_graph_value_shape(g, x, shape);
  w_in = (int)shape[3];
  if (shape[2] < 32 || shape[3] < 32)
    return CB_ERROR(CB_ERR_ARG, "v1like: input %lldx%lld is smaller than 32x32", (long long)shape[2], (long long)shape[3]);
  const double scale = w_in / 224.0, ppd = w_in / V1_DEGREES;
  const int ks = 2 * (int)lround(12.0 * scale) + 1;
  const int stride = lround(4.0 * scale) > 1 ? (int)lround(4.0 * scale) : 1;
  cb__v1_unit *u = malloc(NU * sizeof *u);
  int *idx = malloc(NU * sizeof *idx);
  float *w = malloc((size_t)NU * ks * ks * sizeof *w); /* (NU, 1, ks, ks) one bank at a time */
  CB_ALLOC_GOTO(u, st, done);
  CB_ALLOC_GOTO(idx, st, done);
  CB_ALLOC_GOTO(w, st, done);
  CB_CHECK_GOTO(cb__zoo_v1_sample(o->seed, NU, u), st, done);
  int simple[3], q0[3], q1[3], n_s = 0, n_c = 0;
  for (int c = 0; c < 3; ++c) {
    char name[64];
    int plane, n = 0, y;
    float sel[3] = {0.0f, 0.0f, 0.0f};
    sel[c] = 1.0f;
    snprintf(name, sizeof name, "v1.channel%d", c);
    CB_CHECK_GOTO(cb_graph_add_conv(g, name, x, 1, 1, 1, 0, 1, sel, NULL, &plane), st, done);
    for (int i = 0; i < NS; ++i)
      if (u[i].channel == c) idx[n++] = i;
    if (n > 0) {
      fill_bank(u, idx, n, ppd, ks, 0.0, V1_K_EXC, w);
      snprintf(name, sizeof name, "v1.simple_conv.%d", c);
      CB_CHECK_GOTO(gabor_conv(g, name, plane, n, ks, stride, w, &y), st, done);
      simple[n_s++] = y;
    }
    n = 0;
    for (int i = NS; i < NU; ++i)
      if (u[i].channel == c) idx[n++] = i;
    if (n > 0) {
      fill_bank(u, idx, n, ppd, ks, 0.0, V1_K_EXC / sqrt(2.0), w);
      snprintf(name, sizeof name, "v1.q0.%d", c);
      CB_CHECK_GOTO(gabor_conv(g, name, plane, n, ks, stride, w, &y), st, done);
      q0[n_c] = y;
      fill_bank(u, idx, n, ppd, ks, PI / 2.0, V1_K_EXC / sqrt(2.0), w);
      snprintf(name, sizeof name, "v1.q1.%d", c);
      CB_CHECK_GOTO(gabor_conv(g, name, plane, n, ks, stride, w, &y), st, done);
      q1[n_c++] = y;
    }
  }
  int s, a, b, e, cx, out[2];
  CB_CHECK_GOTO(cb_graph_add_concat(g, "v1.simple_conv", n_s, simple, 1, &s), st, done);
  CB_CHECK_GOTO(cb_graph_add_relu(g, "v1.simple", s, &out[0]), st, done);
  CB_CHECK_GOTO(cb_graph_add_concat(g, "v1.q0", n_c, q0, 1, &a), st, done);
  CB_CHECK_GOTO(cb_graph_add_concat(g, "v1.q1", n_c, q1, 1, &b), st, done);
  CB_CHECK_GOTO(cb_graph_add_binary(g, "v1.q0_sq", "Mul", a, a, &a), st, done);
  CB_CHECK_GOTO(cb_graph_add_binary(g, "v1.q1_sq", "Mul", b, b, &b), st, done);
  CB_CHECK_GOTO(cb_graph_add_binary(g, "v1.energy", "Add", a, b, &e), st, done);
  CB_CHECK_GOTO(cb_graph_add_unary(g, "v1.complex", "Sqrt", e, &out[1]), st, done);
  CB_CHECK_GOTO(cb_graph_add_concat(g, "v1.output", 2, out, 1, &cx), st, done);
done:
  free(u);
  free(idx);
  free(w);
  return st;
}

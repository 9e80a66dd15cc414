/* cb_zoo_hmax.c - "hmax": the standard model of Riesenhuber & Poggio 1999
 * with the parameters of Serre, Wolf, Bileschi, Riesenhuber & Poggio 2007
 * (PAMI, table 1) and Serre, Oliva & Poggio 2007 (PNAS), built from engine
 * operators on the luminance (0.299 R + 0.587 G + 0.114 B) of [0, 1] pixels.
 *
 * S1  16 Gabor sizes 7, 9, ..., 37 px in 8 bands of two, 4 orientations
 *     (0, 45, 90, 135 degrees), gamma 0.3, sigma 2.8 3.6 4.5 5.4 6.3 7.3 8.2
 *     9.2 10.2 11.3 12.3 13.4 14.6 15.8 17.0 18.2, lambda 3.5 4.6 5.6 6.8 7.9
 *     9.1 10.3 11.5 12.7 14.1 15.4 16.8 18.2 19.7 21.2 22.8 (sizes in pixels
 *     whatever the input size). G = exp(-(X^2 + gamma^2 Y^2) / (2 sigma^2))
 *     cos(2 pi X / lambda), X = x cos(t) - y sin(t), Y = x sin(t) + y cos(t)
 *     (x column, y row offset), zero outside the disc of diameter size, zero
 *     mean and unit norm on the disc. S1 = |I * G| / sqrt(sum of I^2 over the
 *     size x size window + 1e-6), in [0, 1] (Cauchy-Schwarz); "same" padding;
 *     the window sums are two separable convolutions (rows, then columns).
 *     Layer "s1" (1, 64, H, W): channel 4 s + o for size index s, orientation o.
 * C1  per band, max over a grid of N x N positions, N = 8, 10, ..., 22, step
 *     N / 2 (overlap N / 2), no padding, then over the band's two sizes:
 *     "c1.band<b>" (1, 4, h_b, w_b); "c1" = their concatenation, flattened.
 * S2  prototypes P of n x n x 4 C1 values, n = 4, 8, 12, 16, K = 64 of each
 *     size; S2 = exp(-beta ||X - P||^2) for every C1 patch X of every band
 *     ("same" padding: pads n/2 - 1 before, n/2 after), beta = 1 / (2 (n/4)^2)
 *     (sigma 1 with the patch-size normalisation alpha = (n/4)^2 of the CBCL
 *     code). ||X - P||^2 = ||X||^2 - 2 X.P + ||P||^2: a box convolution of X^2
 *     and a convolution with the prototypes; clamped at distance 0, so S2 is
 *     in (0, 1]. "s2.band<b>.n<n>" (1, K, h_b, w_b); "s2" all of them
 *     flattened, size-major then band.
 * C2  max of each S2 map over positions and bands: "c2.n<n>" (1, K, 1, 1),
 *     "c2" (1, 4 K), prototype order (size, k).
 * Prototypes: prototype k of size n is a C1 patch centred on a position drawn
 * uniformly (image, band, row, column; zero outside the map, as the padded S2
 * sees it) from stream (seed, "hmax.prototypes"). Default (the builder): from
 * CB_HMAX_TEXTURES synthetic textures of CB_HMAX_TEXTURE_SIZE pixels (whatever
 * the input size: C1 patches do not depend on it) drawn from the model seed (stream
 * "hmax.textures": each pixel 0.5 + sum of 6 gratings of amplitude 0.08,
 * orientation uniform, frequency log-uniform in [1/40, 1/4] cycles/pixel,
 * phase uniform, clipped to [0, 1]); cb_zoo_hmax_set_prototypes resamples
 * them from a stimulus set. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_nn_model.h"
#include "cb_rng.h"
#include "cb_zoo_bio.h"
#include "cb_zoo_impl.h"

#define PI 3.14159265358979323846
#define NB CB_HMAX_BANDS
#define NO CB_HMAX_ORIENTATIONS
#define NP CB_HMAX_PATCH_SIZES
#define NK CB_HMAX_PROTOS_PER_SIZE

static const int s1_size[2 * NB] = {7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31, 33, 35, 37};
static const double s1_sigma[2 * NB] = {2.8, 3.6, 4.5, 5.4, 6.3, 7.3, 8.2, 9.2, 10.2, 11.3, 12.3, 13.4, 14.6, 15.8, 17.0, 18.2};
static const double s1_lambda[2 * NB] = {3.5,  4.6,  5.6,  6.8,  7.9,  9.1,  10.3, 11.5,
                                         12.7, 14.1, 15.4, 16.8, 18.2, 19.7, 21.2, 22.8};
static const int c1_grid[NB] = {8, 10, 12, 14, 16, 18, 20, 22};

/* The C1 maps of the graph: band value ids and sizes. */
typedef struct c1_maps {
  int id[NB];
  int h[NB], w[NB];
  size_t off[NB + 1]; /* (NB + 1) floats before band b in one image's C1 */
} c1_maps;

static uint64_t fnv1a(const char *s) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (; *s; ++s) {
    h ^= (unsigned char)*s;
    h *= 0x100000001b3ull;
  }
  return h;
}

void cb__zoo_hmax_gabor(int size, double sigma, double lambda, double theta, float *g) {
  const int c = size / 2;
  const double gamma = 0.3, r2max = (size / 2.0) * (size / 2.0);
  double sum = 0.0, sq = 0.0;
  int inside = 0;
  for (int i = 0; i < size; ++i)
    for (int j = 0; j < size; ++j) {
      double x = j - c, y = i - c;
      double X = x * cos(theta) - y * sin(theta), Y = x * sin(theta) + y * cos(theta);
      double v = 0.0;
      if (x * x + y * y <= r2max) {
        v = exp(-(X * X + gamma * gamma * Y * Y) / (2.0 * sigma * sigma)) * cos(2.0 * PI * X / lambda);
        sum += v;
        ++inside;
      }
      g[i * size + j] = (float)v;
    }
  const double mean = sum / inside;
  for (int i = 0; i < size; ++i)
    for (int j = 0; j < size; ++j) {
      double x = j - c, y = i - c;
      if (x * x + y * y <= r2max) {
        g[i * size + j] = (float)(g[i * size + j] - mean);
        sq += (double)g[i * size + j] * g[i * size + j];
      }
    }
  const double inv = sq > 0.0 ? 1.0 / sqrt(sq) : 0.0;
  for (int t = 0; t < size * size; ++t) g[t] = (float)(g[t] * inv);
}

/* A Conv node on constants w (and b, or -1), strides 1, pads (top, left, bottom, right). */
static cb_status conv_node(cb_graph *g, const char *name, int x, int w, int b, const int64_t *pads, int *y) {
  const cb_attr a[1] = {cb_attr_ints("pads", 4, pads)};
  const int in[3] = {x, w, b};
  return cb_graph_node(g, name, "Conv", 1, a, b >= 0 ? 3 : 2, in, 1, &name, y);
}

static cb_status reshape(cb_graph *g, const char *name, int x, const int64_t *shape4, int *y) {
  char cname[96];
  int s;
  snprintf(cname, sizeof cname, "%s.shape", name);
  CB_CHECK(cb_graph_const(g, cname, CB_DT_INT64, 1, (const int64_t[]){4}, shape4, &s));
  const int in[2] = {x, s};
  return cb_graph_node(g, name, "Reshape", 0, NULL, 2, in, 1, &name, y);
}

/* S1 of band b on the luminance `gray` and its square `sq`: (1, 8, H, W). */
static cb_status add_s1_band(cb_graph *g, int b, int gray, int sq, int *y) {
  const int k = s1_size[2 * b + 1], kk = k * k;
  cb_status st = CB_OK;
  char name[64];
  int gab, en, ex;
  float *w = calloc((size_t)2 * NO * kk, sizeof *w); /* (8, 1, k, k) */
  float *f = malloc((size_t)kk * sizeof *f);          /* (k, k) */
  float rows[2 * 37], cols[2 * 2 * 37];                /* (2, 1, 1, k), (2, 2, k, 1): separable box sums */
  const float eps[2] = {1e-6f, 1e-6f};
  float sel[2 * NO * 2] = {0};                         /* (8, 2, 1, 1) */
  CB_ALLOC_GOTO(w, st, done);
  CB_ALLOC_GOTO(f, st, done);
  memset(rows, 0, sizeof rows);
  memset(cols, 0, sizeof cols);
  for (int j = 0; j < 2; ++j) {
    const int s = s1_size[2 * b + j], off = (k - s) / 2;
    for (int o = 0; o < NO; ++o) {
      cb__zoo_hmax_gabor(s, s1_sigma[2 * b + j], s1_lambda[2 * b + j], o * PI / NO, f);
      for (int r = 0; r < s; ++r)
        for (int c = 0; c < s; ++c) w[(size_t)(j * NO + o) * kk + (r + off) * k + c + off] = f[r * s + c];
      sel[(j * NO + o) * 2 + j] = 1.0f;
    }
    for (int t = 0; t < s; ++t) rows[j * k + t + off] = cols[(j * 2 + j) * k + t + off] = 1.0f;
  }
  snprintf(name, sizeof name, "s1.band%d.gabor", b);
  CB_CHECK_GOTO(cb_graph_add_conv(g, name, gray, 2 * NO, k, 1, k / 2, 1, w, NULL, &gab), st, done);
  snprintf(name, sizeof name, "s1.band%d.abs", b);
  CB_CHECK_GOTO(cb_graph_add_unary(g, name, "Abs", gab, &gab), st, done);
  int wr, wc, bc;
  snprintf(name, sizeof name, "s1.band%d.rows.weight", b);
  CB_CHECK_GOTO(cb_graph_const(g, name, CB_DT_FLOAT, 4, (const int64_t[]){2, 1, 1, k}, rows, &wr), st, done);
  snprintf(name, sizeof name, "s1.band%d.energy.weight", b);
  CB_CHECK_GOTO(cb_graph_const(g, name, CB_DT_FLOAT, 4, (const int64_t[]){2, 2, k, 1}, cols, &wc), st, done);
  snprintf(name, sizeof name, "s1.band%d.energy.bias", b);
  CB_CHECK_GOTO(cb_graph_const(g, name, CB_DT_FLOAT, 1, (const int64_t[]){2}, eps, &bc), st, done);
  snprintf(name, sizeof name, "s1.band%d.rows", b); /* sums of I^2 along rows, then along columns */
  CB_CHECK_GOTO(conv_node(g, name, sq, wr, -1, (const int64_t[]){0, k / 2, 0, k / 2}, &en), st, done);
  snprintf(name, sizeof name, "s1.band%d.energy", b);
  CB_CHECK_GOTO(conv_node(g, name, en, wc, bc, (const int64_t[]){k / 2, 0, k / 2, 0}, &en), st, done);
  snprintf(name, sizeof name, "s1.band%d.norm", b);
  CB_CHECK_GOTO(cb_graph_add_unary(g, name, "Sqrt", en, &en), st, done);
  snprintf(name, sizeof name, "s1.band%d.expand", b);
  CB_CHECK_GOTO(cb_graph_add_conv(g, name, en, 2 * NO, 1, 1, 0, 1, sel, NULL, &ex), st, done);
  snprintf(name, sizeof name, "s1.band%d", b);
  CB_CHECK_GOTO(cb_graph_add_binary(g, name, "Div", gab, ex, y), st, done);
done:
  free(w);
  free(f);
  return st;
}

/* Input, gray, S1 and C1: fills m with the C1 band ids and sizes. */
static cb_status build_c1(cb_graph *g, const cb_zoo_opts *o, c1_maps *m) {
  const float lum[3] = {0.299f, 0.587f, 0.114f};
  int x, gray, sq, s1[NB], flat[NB], y;
  int64_t shape[CB_GRAPH_MAX_DIMS];
  char name[64];
  CB_CHECK(cb__zoo_input(g, o, 224, 224, &x));
  cb_graph_value_shape(g, x, shape);
  if (shape[2] < 32 || shape[3] < 32)
    return CB_ERROR(CB_ERR_ARG, "hmax: input %lldx%lld is smaller than 32x32", (long long)shape[2], (long long)shape[3]);
  CB_CHECK(cb_graph_add_conv(g, "gray", x, 1, 1, 1, 0, 1, lum, NULL, &gray));
  CB_CHECK(cb_graph_add_binary(g, "s1.sq", "Mul", gray, gray, &sq));
  for (int b = 0; b < NB; ++b) CB_CHECK(add_s1_band(g, b, gray, sq, &s1[b]));
  CB_CHECK(cb_graph_add_concat(g, "s1", NB, s1, 1, &y));
  m->off[0] = 0;
  for (int b = 0; b < NB; ++b) {
    const int n = c1_grid[b];
    snprintf(name, sizeof name, "c1.band%d.pool", b);
    CB_CHECK(cb_graph_add_maxpool(g, name, s1[b], n, n / 2, 0, 0, &y));
    cb_graph_value_shape(g, y, shape);
    const int64_t h = shape[2], w = shape[3];
    snprintf(name, sizeof name, "c1.band%d.scales", b);
    CB_CHECK(reshape(g, name, y, (const int64_t[]){1, 1, 2, NO * h * w}, &y));
    snprintf(name, sizeof name, "c1.band%d.max", b);
    const char *nm = name;
    const cb_attr a[1] = {cb_attr_ints("kernel_shape", 2, (const int64_t[]){2, 1})};
    CB_CHECK(cb_graph_node(g, name, "MaxPool", 1, a, 1, &y, 1, &nm, &y));
    snprintf(name, sizeof name, "c1.band%d", b);
    CB_CHECK(reshape(g, name, y, (const int64_t[]){1, NO, h, w}, &y));
    m->id[b] = y;
    m->h[b] = (int)h;
    m->w[b] = (int)w;
    m->off[b + 1] = m->off[b] + (size_t)NO * h * w;
    snprintf(name, sizeof name, "c1.band%d.flat", b);
    CB_CHECK(cb_graph_add_flatten(g, name, y, &flat[b]));
  }
  return cb_graph_add_concat(g, "c1", NB, flat, 1, &y);
}

/* S2 and C2 on the C1 maps, prototypes protos[p] (NK, NO, n, n), n = 4 (p + 1). */
static cb_status build_s2_c2(cb_graph *g, const c1_maps *m, float *const *protos) {
  cb_status st = CB_OK;
  char name[64];
  int sq[NB], zero, c2n[NP], s2flat[NP * NB], c2b[NB], y;
  const float fzero = 0.0f;
  float *bias = malloc(NK * sizeof *bias), *ones = malloc((size_t)NO * 16 * 16 * sizeof *ones);
  float *wt = malloc((size_t)NK * NO * 16 * 16 * sizeof *wt); /* (NK, NO, n, n) */
  CB_ALLOC_GOTO(bias, st, done);
  CB_ALLOC_GOTO(ones, st, done);
  CB_ALLOC_GOTO(wt, st, done);
  CB_CHECK_GOTO(cb_graph_const(g, "s2.zero", CB_DT_FLOAT, 1, (const int64_t[]){1}, &fzero, &zero), st, done);
  for (int b = 0; b < NB; ++b) {
    snprintf(name, sizeof name, "s2.band%d.sq", b);
    CB_CHECK_GOTO(cb_graph_add_binary(g, name, "Mul", m->id[b], m->id[b], &sq[b]), st, done);
  }
  for (int p = 0; p < NP; ++p) {
    const int n = 4 * (p + 1), pp = NO * n * n;
    const double beta = 1.0 / (2.0 * (n / 4.0) * (n / 4.0));
    const int64_t pads[4] = {n / 2 - 1, n / 2 - 1, n / 2, n / 2};
    int wid, bid, oid;
    for (int k = 0; k < NK; ++k) {
      double s = 0.0;
      for (int t = 0; t < pp; ++t) {
        const float v = protos[p][(size_t)k * pp + t];
        s += (double)v * v;
        wt[(size_t)k * pp + t] = (float)(2.0 * beta * v);
      }
      bias[k] = (float)(-beta * s);
    }
    for (int t = 0; t < pp; ++t) ones[t] = (float)-beta;
    snprintf(name, sizeof name, "s2.n%d.weight", n);
    CB_CHECK_GOTO(cb_graph_const(g, name, CB_DT_FLOAT, 4, (const int64_t[]){NK, NO, n, n}, wt, &wid), st, done);
    snprintf(name, sizeof name, "s2.n%d.bias", n);
    CB_CHECK_GOTO(cb_graph_const(g, name, CB_DT_FLOAT, 1, (const int64_t[]){NK}, bias, &bid), st, done);
    snprintf(name, sizeof name, "s2.n%d.box", n);
    CB_CHECK_GOTO(cb_graph_const(g, name, CB_DT_FLOAT, 4, (const int64_t[]){1, NO, n, n}, ones, &oid), st, done);
    for (int b = 0; b < NB; ++b) {
      int dot, nrm, lg;
      snprintf(name, sizeof name, "s2.band%d.n%d.norm", b, n);
      CB_CHECK_GOTO(conv_node(g, name, sq[b], oid, -1, pads, &nrm), st, done);
      snprintf(name, sizeof name, "s2.band%d.n%d.dot", b, n);
      CB_CHECK_GOTO(conv_node(g, name, m->id[b], wid, bid, pads, &dot), st, done);
      snprintf(name, sizeof name, "s2.band%d.n%d.logit", b, n); /* -beta ||X - P||^2 */
      CB_CHECK_GOTO(cb_graph_add_binary(g, name, "Add", dot, nrm, &lg), st, done);
      snprintf(name, sizeof name, "s2.band%d.n%d.clamp", b, n);
      CB_CHECK_GOTO(cb_graph_add_binary(g, name, "Min", lg, zero, &lg), st, done);
      snprintf(name, sizeof name, "s2.band%d.n%d", b, n);
      CB_CHECK_GOTO(cb_graph_add_unary(g, name, "Exp", lg, &y), st, done);
      snprintf(name, sizeof name, "s2.band%d.n%d.flat", b, n);
      CB_CHECK_GOTO(cb_graph_add_flatten(g, name, y, &s2flat[p * NB + b]), st, done);
      snprintf(name, sizeof name, "c2.band%d.n%d", b, n);
      const char *nm = name;
      CB_CHECK_GOTO(cb_graph_node(g, name, "GlobalMaxPool", 0, NULL, 1, &y, 1, &nm, &c2b[b]), st, done);
    }
    snprintf(name, sizeof name, "c2.n%d", n);
    const char *nm = name;
    CB_CHECK_GOTO(cb_graph_node(g, name, "Max", 0, NULL, NB, c2b, 1, &nm, &c2n[p]), st, done);
  }
  CB_CHECK_GOTO(cb_graph_add_concat(g, "s2", NP * NB, s2flat, 1, &y), st, done);
  CB_CHECK_GOTO(cb_graph_add_concat(g, "c2.maps", NP, c2n, 1, &y), st, done);
  CB_CHECK_GOTO(cb_graph_add_flatten(g, "c2", y, &y), st, done);
done:
  free(bias);
  free(ones);
  free(wt);
  return st;
}

/* protos[p] (NK, NO, n, n) sampled from the C1 maps of images (n_img, 3, H, W). */
static cb_status sample_prototypes(const cb_zoo_opts *o, const float *images, int n_img, uint64_t seed,
                                   float *const *protos) {
  cb_status st = CB_OK;
  cb_graph *g = NULL;
  c1_maps m;
  float *c1 = NULL; /* (n_img, off[NB]) */
  CB_CHECK(cb_graph_create(&g));
  CB_CHECK_GOTO(build_c1(g, o, &m), st, done);
  CB_CHECK_GOTO(cb_graph_finish(g), st, done);
  int64_t shape[CB_GRAPH_MAX_DIMS];
  cb_graph_value_shape(g, cb_graph_input_id(g, 0), shape);
  const size_t in_size = (size_t)(shape[1] * shape[2] * shape[3]), per = m.off[NB];
  c1 = malloc((size_t)n_img * per * sizeof *c1);
  CB_ALLOC_GOTO(c1, st, done);
  for (int i = 0; i < n_img; ++i) {
    const float *in[1] = {images + (size_t)i * in_size};
    float *out[NB];
    for (int b = 0; b < NB; ++b) out[b] = c1 + (size_t)i * per + m.off[b];
    CB_CHECK_GOTO(cb_graph_run(g, in, NB, m.id, out), st, done);
  }
  cb_rng r;
  cb_rng_seed_stream(&r, seed, fnv1a("hmax.prototypes"));
  for (int p = 0; p < NP; ++p) {
    const int n = 4 * (p + 1), before = n / 2 - 1;
    for (int k = 0; k < NK; ++k) {
      const int img = (int)cb_rng_below(&r, (uint64_t)n_img), b = (int)cb_rng_below(&r, NB);
      const int cy = (int)cb_rng_below(&r, (uint64_t)m.h[b]), cx = (int)cb_rng_below(&r, (uint64_t)m.w[b]);
      const float *map = c1 + (size_t)img * per + m.off[b]; /* (NO, h, w) */
      float *dst = protos[p] + (size_t)k * NO * n * n;
      for (int ch = 0; ch < NO; ++ch)
        for (int i = 0; i < n; ++i)
          for (int j = 0; j < n; ++j) {
            const int y = cy - before + i, x = cx - before + j;
            const int ok = y >= 0 && y < m.h[b] && x >= 0 && x < m.w[b];
            dst[((size_t)ch * n + i) * n + j] = ok ? map[((size_t)ch * m.h[b] + y) * m.w[b] + x] : 0.0f;
          }
    }
  }
done:
  free(c1);
  cb_graph_destroy(&g);
  return st;
}

/* CB_HMAX_TEXTURES gray textures (3, h, w) from the seed (see the header comment). */
static void render_textures(uint64_t seed, int h, int w, float *x) {
  cb_rng r;
  cb_rng_seed_stream(&r, seed, fnv1a("hmax.textures"));
  const size_t np = (size_t)h * w;
  for (int t = 0; t < CB_HMAX_TEXTURES; ++t) {
    float *img = x + (size_t)t * 3 * np;
    double th[6], f[6], ph[6];
    for (int k = 0; k < 6; ++k) {
      th[k] = PI * cb_rng_uniform(&r);
      f[k] = exp(log(1.0 / 40.0) + (log(1.0 / 4.0) - log(1.0 / 40.0)) * cb_rng_uniform(&r));
      ph[k] = 2.0 * PI * cb_rng_uniform(&r);
    }
    for (int i = 0; i < h; ++i)
      for (int j = 0; j < w; ++j) {
        double v = 0.5;
        for (int k = 0; k < 6; ++k) v += 0.08 * cos(2.0 * PI * f[k] * (j * cos(th[k]) + i * sin(th[k])) + ph[k]);
        v = v < 0.0 ? 0.0 : v > 1.0 ? 1.0 : v;
        img[(size_t)i * w + j] = img[np + (size_t)i * w + j] = img[2 * np + (size_t)i * w + j] = (float)v;
      }
  }
}

/* The whole graph in g (input size of o) with prototypes sampled under seed
 * from images (n_img, 3, h, w), h and w those of io. */
static cb_status build_hmax(const cb_zoo_opts *o, const cb_zoo_opts *io, const float *images, int n_img, uint64_t seed,
                            cb_graph *g) {
  cb_status st = CB_OK;
  float *protos[NP] = {NULL};
  c1_maps m;
  for (int p = 0; p < NP; ++p) {
    const int n = 4 * (p + 1);
    protos[p] = malloc((size_t)NK * NO * n * n * sizeof *protos[p]);
    CB_ALLOC_GOTO(protos[p], st, done);
  }
  CB_CHECK_GOTO(sample_prototypes(io, images, n_img, seed, protos), st, done);
  CB_CHECK_GOTO(build_c1(g, o, &m), st, done);
  CB_CHECK_GOTO(build_s2_c2(g, &m, protos), st, done);
done:
  for (int p = 0; p < NP; ++p) free(protos[p]);
  return st;
}

static void hmax_info(cb_model_info *info) {
  memset(info, 0, sizeof *info);
  info->name = "hmax";
  for (int c = 0; c < 3; ++c) info->std[c] = 1.0f; /* [0, 1] pixels */
  info->visual_degrees = 8.0;
  info->modality = CB_MODALITY_VISUAL;
}

cb_status cb__zoo_build_hmax(const cb_zoo_opts *o, cb_graph *g, cb_model_info *info) {
  const int h = o->in_h > 0 ? o->in_h : 224, w = o->in_w > 0 ? o->in_w : 224;
  if (h < 32 || w < 32) return CB_ERROR(CB_ERR_ARG, "hmax: input %dx%d is smaller than 32x32", h, w);
  hmax_info(info);
  const int t = CB_HMAX_TEXTURE_SIZE;
  const cb_zoo_opts to = {.seed = o->seed, .in_h = t, .in_w = t};
  float *tex = malloc((size_t)CB_HMAX_TEXTURES * 3 * t * t * sizeof *tex); /* (T, 3, t, t) */
  if (tex == NULL) return CB_ERROR(CB_ERR_NOMEM, "hmax: out of memory");
  render_textures(o->seed, t, t, tex);
  cb_status st = build_hmax(o, &to, tex, CB_HMAX_TEXTURES, o->seed, g);
  free(tex);
  return st;
}

cb_status cb_zoo_hmax_set_prototypes(cb_model *m, const float *images, int n, uint64_t seed) {
  if (m == NULL || images == NULL) return CB_ERROR(CB_ERR_ARG, "hmax set_prototypes: NULL argument");
  if (strcmp(m->name, "hmax") != 0 || cb_model_find_layer(m, "c2") < 0)
    return CB_ERROR(CB_ERR_ARG, "hmax set_prototypes: model '%s' is not an hmax model", m->name);
  if (n <= 0) return CB_ERROR(CB_ERR_ARG, "hmax set_prototypes: %d images", n);
  const cb_zoo_opts o = {.seed = seed, .in_h = m->info.in_h, .in_w = m->info.in_w};
  cb_model_info info = m->info;
  cb_graph *g = NULL;
  cb_model *nm = NULL;
  CB_CHECK(cb_graph_create(&g));
  cb_status st = build_hmax(&o, &o, images, n, seed, g);
  if (st != CB_OK) {
    cb_graph_destroy(&g);
    return st;
  }
  CB_CHECK(cb__model_from_graph(&info, g, &nm)); /* takes g */
  if (nm->n_layers != m->n_layers) {
    cb_model_destroy(&nm);
    return CB_ERROR(CB_ERR_INTERNAL, "hmax set_prototypes: rebuilt model has %d layers, not %d", nm->n_layers, m->n_layers);
  }
  cb_model tmp = *m; /* swap: m takes the new graph, nm the old one */
  *m = *nm;
  *nm = tmp;
  m->info.name = m->name;
  nm->info.name = nm->name;
  cb_model_destroy(&nm);
  return CB_OK;
}

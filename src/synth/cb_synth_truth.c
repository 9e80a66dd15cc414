/* cb_synth_truth.c - the synthetic generators' response models as graphs,
 * registered in the model zoo (see cb_synth_truth.h, cb_synth_v1set.h,
 * cb_synth_it.h). */
#include "cb_synth_truth.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_graph.h"
#include "cb_zoo.h"
#include "cb_synth_it.h"
#include "cb_synth_v1set.h"

/* Contrast input: (v/255 - 128/255) / (127/255) = (v - 128) / 127. */
#define CONTRAST_MEAN (128.0f / 255.0f)
#define CONTRAST_STD (127.0f / 255.0f)

static cb_status row_const(cb_graph *g, const char *name, int n, const float *v, int *id) {
  return cb_graph_const(g, name, CB_DT_FLOAT, 2, (const int64_t[]){1, n}, v, id);
}

static cb_status binary(cb_graph *g, const char *name, const char *op, int a, int b, int *y) {
  return cb_graph_add_binary(g, name, op, a, b, y);
}

/* "gray" (1, 1, H, W) = mean of the three (equal) channels of a gray image:
 * RGB input so that the image pipeline (not the audio one) feeds the model. */
static cb_status add_gray(cb_graph *g, int x, int *y) {
  const float w[3] = {1.0f / 3.0f, 1.0f / 3.0f, 1.0f / 3.0f};
  return cb_graph_add_conv(g, "gray", x, 1, 1, 1, 0, 1, w, NULL, y);
}

/* rates = baseline + gain * (simple relu(e) + complex sqrt(e^2 + o^2)) / sqrt(c + mean pool energy). */
static cb_status build_v1_graph(const cb_synth_v1_pop *p, cb_graph *g) {
  const int nn = p->n_neurons;
  cb_status st = CB_OK;
  float *wmean = malloc((size_t)p->n_pool * sizeof *wmean);
  if (wmean == NULL) return CB_ERROR(CB_ERR_NOMEM, "out of memory");
  for (int k = 0; k < p->n_pool; ++k) wmean[k] = 1.0f / (float)p->n_pool;
  const float cst = (float)p->norm_const;
  int x, e, o, pe, po, t1, t2, pool, den, simple, cplx, drive, msk, v;
  CB_CHECK_GOTO(cb_graph_input(g, "input", 4, (const int64_t[]){1, 3, p->size, p->size}, &x), st, done);
  CB_CHECK_GOTO(add_gray(g, x, &x), st, done);
  CB_CHECK_GOTO(cb_graph_add_flatten(g, "flatten", x, &x), st, done);
  CB_CHECK_GOTO(cb_graph_add_linear(g, "even", x, nn, p->w_even, NULL, &e), st, done);
  CB_CHECK_GOTO(cb_graph_add_linear(g, "odd", x, nn, p->w_odd, NULL, &o), st, done);
  CB_CHECK_GOTO(cb_graph_add_linear(g, "pool.even", x, p->n_pool, p->pool_even, NULL, &pe), st, done);
  CB_CHECK_GOTO(cb_graph_add_linear(g, "pool.odd", x, p->n_pool, p->pool_odd, NULL, &po), st, done);
  CB_CHECK_GOTO(binary(g, "pool.even_sq", "Mul", pe, pe, &t1), st, done);
  CB_CHECK_GOTO(binary(g, "pool.odd_sq", "Mul", po, po, &t2), st, done);
  CB_CHECK_GOTO(binary(g, "pool.energy", "Add", t1, t2, &pool), st, done);
  /* (1, 1) = norm_const + mean energy */
  CB_CHECK_GOTO(cb_graph_add_linear(g, "pool.mean", pool, 1, wmean, &cst, &pool), st, done);
  CB_CHECK_GOTO(cb_graph_add_unary(g, "pool.sqrt", "Sqrt", pool, &den), st, done);
  CB_CHECK_GOTO(cb_graph_add_relu(g, "simple", e, &simple), st, done);
  CB_CHECK_GOTO(binary(g, "even_sq", "Mul", e, e, &t1), st, done);
  CB_CHECK_GOTO(binary(g, "odd_sq", "Mul", o, o, &t2), st, done);
  CB_CHECK_GOTO(binary(g, "energy", "Add", t1, t2, &cplx), st, done);
  CB_CHECK_GOTO(cb_graph_add_unary(g, "complex", "Sqrt", cplx, &cplx), st, done);
  CB_CHECK_GOTO(row_const(g, "simple.mask", nn, p->simple_mask, &msk), st, done);
  CB_CHECK_GOTO(binary(g, "simple.drive", "Mul", simple, msk, &simple), st, done);
  CB_CHECK_GOTO(row_const(g, "complex.mask", nn, p->complex_mask, &msk), st, done);
  CB_CHECK_GOTO(binary(g, "complex.drive", "Mul", cplx, msk, &cplx), st, done);
  CB_CHECK_GOTO(binary(g, "drive", "Add", simple, cplx, &drive), st, done);
  CB_CHECK_GOTO(binary(g, "normalised", "Div", drive, den, &v), st, done);
  CB_CHECK_GOTO(row_const(g, "gain", nn, p->gain, &msk), st, done);
  CB_CHECK_GOTO(binary(g, "scaled", "Mul", v, msk, &v), st, done);
  CB_CHECK_GOTO(row_const(g, "baseline", nn, p->baseline, &msk), st, done);
  CB_CHECK_GOTO(binary(g, "rates", "Add", v, msk, &v), st, done);
done:
  free(wmean);
  return st;
}

/* A generator's model has one input size: the images it wrote. */
static cb_status fixed_size(const cb_zoo_opts *o, const char *name) {
  if (o->in_h > 0 || o->in_w > 0) return CB_ERROR(CB_ERR_UNSUPPORTED, "model '%s': its input size cannot be changed", name);
  return CB_OK;
}

static cb_status v1_truth(const cb_zoo_opts *o, cb_graph *g, cb_model_info *info) {
  *info = (cb_model_info){.name = "synthetic-v1-truth",
                          .mean = {CONTRAST_MEAN, CONTRAST_MEAN, CONTRAST_MEAN},
                          .std = {CONTRAST_STD, CONTRAST_STD, CONTRAST_STD},
                          .visual_degrees = CB_SYNTH_V1SET_DEGREES,
                          .modality = CB_MODALITY_VISUAL};
  cb_synth_v1_pop *p = NULL;
  cb_status st;
  CB_CHECK(fixed_size(o, info->name));
  CB_CHECK(cb_synth_v1set_population(o->seed, &p));
  CB_CHECK_GOTO(build_v1_graph(p, g), st, fail);
  cb_synth_v1_pop_destroy(&p);
  return CB_OK;
fail:
  cb_synth_v1_pop_destroy(&p);
  return st;
}

/* The hidden CNN up to "features" (1, 64). */
static cb_status build_it_cnn(const cb_synth_it_net *n, cb_graph *g, int *x) {
  CB_CHECK(cb_graph_input(g, "input", 4, (const int64_t[]){1, 3, CB_SYNTH_IT_SIZE, CB_SYNTH_IT_SIZE}, x));
  CB_CHECK(add_gray(g, *x, x));
  CB_CHECK(cb_graph_add_conv(g, "features.0", *x, 16, 7, 2, 3, 1, n->conv1, NULL, x));
  CB_CHECK(cb_graph_add_relu(g, "features.1", *x, x));
  CB_CHECK(cb_graph_add_maxpool(g, "features.2", *x, 2, 2, 0, 0, x));
  CB_CHECK(cb_graph_add_conv(g, "features.3", *x, 32, 3, 1, 1, 1, n->conv2, NULL, x));
  CB_CHECK(cb_graph_add_relu(g, "features.4", *x, x));
  CB_CHECK(cb_graph_add_maxpool(g, "features.5", *x, 2, 2, 0, 0, x));
  CB_CHECK(cb_graph_add_conv(g, "features.6", *x, CB_SYNTH_IT_FEATURES, 3, 1, 1, 1, n->conv3, NULL, x));
  CB_CHECK(cb_graph_add_relu(g, "features.7", *x, x));
  CB_CHECK(cb_graph_add_global_avgpool(g, "features.8", *x, x));
  return cb_graph_add_flatten(g, "features", *x, x);
}

/* Calibration on the probes (cb_synth_it.h): z-scoring (zw, zb: diagonal weights
 * and bias, (64, 64) and (64)) and the category layer (lw (8, 64) = beta P,
 * lb (8) = -beta |P|^2 / 2). */
static cb_status calibrate_it(uint64_t seed, const cb_synth_it_net *n, float *zw, float *zb, float *lw, float *lb) {
  enum { NF = CB_SYNTH_IT_FEATURES, NC = CB_SYNTH_IT_CATEGORIES, NO = CB_SYNTH_IT_PROBES };
  const int size = CB_SYNTH_IT_SIZE;
  const size_t np = (size_t)size * size;
  cb_status st = CB_OK;
  cb_graph *g = NULL;
  uint8_t *px = malloc(np);
  float *x = malloc(3 * np * sizeof *x); /* (3, size, size) */
  double *f = malloc((size_t)NO * NF * sizeof *f); /* (NO, NF) features, then z */
  double mu[NF], sd[NF], P[NC][NF], lg[NC];
  float feat[NF];
  int id;
  CB_ALLOC_GOTO(px, st, done);
  CB_ALLOC_GOTO(x, st, done);
  CB_ALLOC_GOTO(f, st, done);
  CB_CHECK_GOTO(cb_graph_create(&g), st, done);
  CB_CHECK_GOTO(build_it_cnn(n, g, &id), st, done);
  CB_CHECK_GOTO(cb_graph_finish(g), st, done);
  for (int o = 0; o < NO; ++o) {
    CB_CHECK_GOTO(cb_synth_it_render_probe(seed, o, px), st, done);
    for (size_t i = 0; i < np; ++i) x[i] = x[np + i] = x[2 * np + i] = (float)((px[i] - 128.0) / 127.0);
    const float *in[1] = {x};
    float *outp[1] = {feat};
    CB_CHECK_GOTO(cb_graph_run(g, in, 1, &id, outp), st, done);
    for (int k = 0; k < NF; ++k) f[(size_t)o * NF + k] = feat[k];
  }
  for (int k = 0; k < NF; ++k) {
    double m = 0.0, v = 0.0;
    for (int o = 0; o < NO; ++o) m += f[(size_t)o * NF + k];
    m /= NO;
    for (int o = 0; o < NO; ++o) v += (f[(size_t)o * NF + k] - m) * (f[(size_t)o * NF + k] - m);
    v = sqrt(v / (NO - 1));
    mu[k] = m;
    sd[k] = v > 1e-6 ? v : 1.0;
    for (int o = 0; o < NO; ++o) f[(size_t)o * NF + k] = (f[(size_t)o * NF + k] - m) / sd[k];
  }
  memset(zw, 0, (size_t)NF * NF * sizeof *zw);
  for (int k = 0; k < NF; ++k) {
    zw[(size_t)k * NF + k] = (float)(1.0 / sd[k]);
    zb[k] = (float)(-mu[k] / sd[k]);
  }
  memset(P, 0, sizeof P);
  for (int o = 0; o < NO; ++o)
    for (int k = 0; k < NF; ++k) P[o / (NO / NC)][k] += f[(size_t)o * NF + k] / (NO / NC);
  /* beta: 2 / sd of the per-probe centred logits z P^T - |P|^2 / 2. */
  double pp[NC], ss = 0.0;
  for (int c = 0; c < NC; ++c) {
    pp[c] = 0.0;
    for (int k = 0; k < NF; ++k) pp[c] += P[c][k] * P[c][k];
  }
  for (int o = 0; o < NO; ++o) {
    double mean = 0.0;
    for (int c = 0; c < NC; ++c) {
      lg[c] = -0.5 * pp[c];
      for (int k = 0; k < NF; ++k) lg[c] += f[(size_t)o * NF + k] * P[c][k];
      mean += lg[c] / NC;
    }
    for (int c = 0; c < NC; ++c) ss += (lg[c] - mean) * (lg[c] - mean);
  }
  double beta = ss > 0.0 ? 2.0 / sqrt(ss / (NO * NC)) : 1.0;
  for (int c = 0; c < NC; ++c) {
    for (int k = 0; k < NF; ++k) lw[(size_t)c * NF + k] = (float)(beta * P[c][k]);
    lb[c] = (float)(-0.5 * beta * pp[c]);
  }
done:
  cb_graph_destroy(&g);
  free(px);
  free(x);
  free(f);
  return st;
}

static cb_status it_truth(const cb_zoo_opts *o, cb_graph *g, cb_model_info *info) {
  enum { NF = CB_SYNTH_IT_FEATURES, NC = CB_SYNTH_IT_CATEGORIES };
  *info = (cb_model_info){.name = "synthetic-it-truth",
                          .mean = {CONTRAST_MEAN, CONTRAST_MEAN, CONTRAST_MEAN},
                          .std = {CONTRAST_STD, CONTRAST_STD, CONTRAST_STD},
                          .visual_degrees = CB_SYNTH_IT_DEGREES,
                          .modality = CB_MODALITY_VISUAL};
  cb_synth_it_net *n = NULL;
  cb_status st = CB_OK;
  float *zw = malloc((size_t)NF * NF * sizeof *zw), zb[NF], lw[NC * NF], lb[NC];
  int x, z, s, h, u, v, gain;
  CB_ALLOC_GOTO(zw, st, fail);
  CB_CHECK_GOTO(fixed_size(o, info->name), st, fail);
  CB_CHECK_GOTO(cb_synth_it_network(o->seed, &n), st, fail);
  CB_CHECK_GOTO(calibrate_it(o->seed, n, zw, zb, lw, lb), st, fail);
  CB_CHECK_GOTO(build_it_cnn(n, g, &x), st, fail);
  CB_CHECK_GOTO(cb_graph_add_linear(g, "readout.z", x, NF, zw, zb, &z), st, fail);
  CB_CHECK_GOTO(cb_graph_add_linear(g, "readout.logits", z, NC, lw, lb, &s), st, fail);
  const cb_attr axis = cb_attr_int("axis", 1);
  const char *cat_name = "readout.category";
  CB_CHECK_GOTO(cb_graph_node(g, cat_name, "Softmax", 1, &axis, 1, &s, 1, &cat_name, &s), st, fail);
  CB_CHECK_GOTO(cb_graph_add_linear(g, "readout.hidden_in", z, n->n_hidden, n->w1, n->b1, &h), st, fail);
  CB_CHECK_GOTO(cb_graph_add_relu(g, "readout.hidden", h, &h), st, fail);
  CB_CHECK_GOTO(cb_graph_add_linear(g, "readout.mix", h, n->n_sites, n->a, n->bias, &u), st, fail);
  CB_CHECK_GOTO(cb_graph_add_linear(g, "readout.category_mix", s, n->n_sites, n->bcat, NULL, &v), st, fail);
  CB_CHECK_GOTO(binary(g, "readout.drive", "Add", u, v, &u), st, fail);
  CB_CHECK_GOTO(cb_graph_add_unary(g, "readout.softplus", "Softplus", u, &u), st, fail);
  CB_CHECK_GOTO(row_const(g, "readout.gain", n->n_sites, n->gain, &gain), st, fail);
  CB_CHECK_GOTO(binary(g, "rates", "Mul", u, gain, &u), st, fail);
  free(zw);
  cb_synth_it_net_destroy(&n);
  return CB_OK;
fail:
  free(zw);
  cb_synth_it_net_destroy(&n);
  return st;
}

cb_status cb_synth_register_truth_models(void) {
  CB_CHECK(cb_zoo_register("synthetic-v1-truth", v1_truth,
                           "the synthetic-v1 generator's Gabor-energy neurons (layer rates); seed = the dataset's seed", 1));
  return cb_zoo_register("synthetic-it-truth", it_truth,
                         "the synthetic-it generator's hidden network and sites (layer rates); seed = the dataset's seed",
                         1);
}

/* cb_zoo_layers.c - layer helpers of the zoo builders: PyTorch modules
 * (conv/linear with their initialisation, BatchNorm2d at its initial state,
 * Dropout, AdaptiveAvgPool2d) over the graph API. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_zoo_impl.h"

cb_status cb__zoo_input(cb_graph *g, const cb_zoo_opts *o, int def_h, int def_w, int *x) {
  int h = o && o->in_h > 0 ? o->in_h : def_h, w = o && o->in_w > 0 ? o->in_w : def_w;
  return cb_graph_input(g, "input", 4, (const int64_t[]){1, 3, h, w}, x);
}

void cb__zoo_imagenet_info(cb_model_info *info, const char *name) {
  memset(info, 0, sizeof *info);
  info->name = name;
  const float mean[3] = {0.485f, 0.456f, 0.406f}, std[3] = {0.229f, 0.224f, 0.225f};
  memcpy(info->mean, mean, sizeof mean);
  memcpy(info->std, std, sizeof std);
  info->visual_degrees = 8.0;
  info->modality = CB_MODALITY_VISUAL;
}

cb_status cb__zoo_conv(cb_graph *g, const char *name, int x, int out_c, int k, int stride, int pad,
                       cb__zoo_init init, uint64_t seed, int *y) {
  CB_CHECK(cb_graph_add_conv(g, name, x, out_c, k, stride, pad, 1, NULL, NULL, y));
  return cb__zoo_init_module(g, name, init, seed);
}

cb_status cb__zoo_linear(cb_graph *g, const char *name, int x, int out_f, cb__zoo_init init, uint64_t seed,
                         int *y) {
  CB_CHECK(cb_graph_add_linear(g, name, x, out_f, NULL, NULL, y));
  return cb__zoo_init_module(g, name, init, seed);
}

cb_status cb__zoo_bn(cb_graph *g, const char *name, int x, int *y) {
  return cb_graph_add_batchnorm(g, name, x, 1e-5f, NULL, NULL, NULL, NULL, y);
}

cb_status cb__zoo_identity(cb_graph *g, const char *name, int x, int *y) {
  return cb_graph_add_unary(g, name, "Identity", x, y);
}

static cb_status shape_const(cb_graph *g, const char *name, int n, const int64_t *v, int *id) {
  return cb_graph_const(g, name, CB_DT_INT64, 1, (const int64_t[]){n}, v, id);
}

cb_status cb__zoo_adaptive_avgpool(cb_graph *g, const char *name, int x, int oh, int ow, int *y) {
  int64_t s[CB_GRAPH_MAX_DIMS];
  if (cb_graph_value_shape(g, x, s) != 4) return CB_ERROR(CB_ERR_ARG, "adaptive avgpool '%s': input is not 4-D", name);
  int64_t c = s[1], h = s[2], w = s[3];
  if (h == oh && w == ow) return cb__zoo_identity(g, name, x, y);
  if (h % oh == 0 && w % ow == 0 && h / oh == w / ow)
    return cb_graph_add_avgpool(g, name, x, (int)(h / oh), (int)(h / oh), 0, 0, y);
  /* y[c, i, j] = sum_{p, q} x[c, p, q] M[p*W + q, i*ow + j], M the window averages */
  char n1[256], n2[256];
  snprintf(n1, sizeof n1, "%s.cols", name);
  snprintf(n2, sizeof n2, "%s.mix", name);
  float *m = calloc((size_t)(h * w * oh * ow), sizeof *m); /* (h*w, oh*ow) */
  if (m == NULL) return CB_ERROR(CB_ERR_NOMEM, "adaptive avgpool '%s': out of memory", name);
  for (int i = 0; i < oh; ++i) {
    int64_t h0 = (int64_t)i * h / oh, h1 = ((int64_t)(i + 1) * h + oh - 1) / oh;
    for (int j = 0; j < ow; ++j) {
      int64_t w0 = (int64_t)j * w / ow, w1 = ((int64_t)(j + 1) * w + ow - 1) / ow;
      float inv = 1.0f / (float)((h1 - h0) * (w1 - w0));
      for (int64_t p = h0; p < h1; ++p)
        for (int64_t q = w0; q < w1; ++q) m[(p * w + q) * oh * ow + i * ow + j] = inv;
    }
  }
  cb_status st;
  int cs, os, mid, v;
  char cname[280];
  snprintf(cname, sizeof cname, "%s.matrix", name);
  st = cb_graph_const(g, cname, CB_DT_FLOAT, 2, (const int64_t[]){h * w, (int64_t)oh * ow}, m, &mid);
  free(m);
  CB_CHECK(st);
  CB_CHECK(cb_graph_mark_fixed(g, mid)); /* pooling, not a Linear weight: cb_model_reinit leaves it */
  snprintf(cname, sizeof cname, "%s.cols_shape", name);
  CB_CHECK(shape_const(g, cname, 3, (const int64_t[]){1, c, h * w}, &cs));
  snprintf(cname, sizeof cname, "%s.shape", name);
  CB_CHECK(shape_const(g, cname, 4, (const int64_t[]){1, c, oh, ow}, &os));
  const char *o1[1] = {n1}, *o2[1] = {n2}, *o3[1] = {name};
  CB_CHECK(cb_graph_node(g, n1, "Reshape", 0, NULL, 2, (const int[]){x, cs}, 1, o1, &v));
  CB_CHECK(cb_graph_node(g, n2, "MatMul", 0, NULL, 2, (const int[]){v, mid}, 1, o2, &v));
  return cb_graph_node(g, name, "Reshape", 0, NULL, 2, (const int[]){v, os}, 1, o3, y);
}

cb_status cb__zoo_conv_shared(cb_graph *g, const char *name, int x, int w, int stride, int pad, int *y) {
  int64_t s[CB_GRAPH_MAX_DIMS];
  if (cb_graph_value_shape(g, w, s) != 4) return CB_ERROR(CB_ERR_ARG, "conv '%s': weight is not 4-D", name);
  int64_t ks[2] = {s[2], s[3]}, ss[2] = {stride, stride}, ps[4] = {pad, pad, pad, pad};
  cb_attr a[3] = {cb_attr_ints("kernel_shape", 2, ks), cb_attr_ints("strides", 2, ss), cb_attr_ints("pads", 4, ps)};
  const char *outs[1] = {name};
  return cb_graph_node(g, name, "Conv", 3, a, 2, (const int[]){x, w}, 1, outs, y);
}

cb_status cb__zoo_bn_named(cb_graph *g, const char *name, const char *prefix, int x, int *y) {
  int64_t s[CB_GRAPH_MAX_DIMS];
  if (cb_graph_value_shape(g, x, s) < 2) return CB_ERROR(CB_ERR_ARG, "batchnorm '%s': input has no channels", name);
  static const char *const suffix[4] = {"weight", "bias", "running_mean", "running_var"};
  int in[5] = {x, -1, -1, -1, -1};
  float *ones = malloc((size_t)s[1] * sizeof *ones); /* (c) */
  if (ones == NULL) return CB_ERROR(CB_ERR_NOMEM, "batchnorm '%s': out of memory", name);
  for (int64_t i = 0; i < s[1]; ++i) ones[i] = 1.0f;
  cb_status st = CB_OK;
  for (int k = 0; k < 4 && st == CB_OK; ++k) {
    char pn[256];
    snprintf(pn, sizeof pn, "%s.%s", prefix, suffix[k]);
    int found = cb_graph_find(g, pn);
    if (found >= 0) in[k + 1] = found; /* shared across time steps */
    else st = cb_graph_const(g, pn, CB_DT_FLOAT, 1, (const int64_t[]){s[1]}, (k == 0 || k == 3) ? ones : NULL, &in[k + 1]);
  }
  free(ones);
  CB_CHECK(st);
  cb_attr a[1] = {cb_attr_float("epsilon", 1e-5f)};
  const char *outs[1] = {name};
  return cb_graph_node(g, name, "BatchNormalization", 1, a, 5, in, 1, outs, y);
}

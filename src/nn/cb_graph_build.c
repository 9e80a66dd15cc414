/* cb_graph_build.c - convenience builders over cb_graph_node with PyTorch
 * module-path names: "<name>" is the output, "<name>.weight" and
 * "<name>.bias" the parameters. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_graph_impl.h"

static cb_status param(cb_graph *g, const char *name, const char *suffix, int ndim, const int64_t *shape,
                       const float *data, float fill, int *id) {
  char full[256];
  if (snprintf(full, sizeof full, "%s.%s", name, suffix) >= (int)sizeof full)
    return CB_ERROR(CB_ERR_ARG, "graph: name '%s' too long", name);
  CB_CHECK(cb_graph_const(g, full, CB_DT_FLOAT, ndim, shape, data, id));
  if (data == NULL && fill != 0.0f) {
    cb__value *v = &g->values[*id];
    float *d = v->cdata;
    for (int64_t i = 0; i < cb__numel(v); ++i) d[i] = fill;
  }
  return CB_OK;
}

static int channels(const cb_graph *g, int x) {
  return x >= 0 && x < g->n_values && g->values[x].ndim >= 2 ? (int)g->values[x].shape[1] : 0;
}

static cb_status one(cb_graph *g, const char *name, const char *op, int n_attr, const cb_attr *attr, int n_in,
                     const int *in, int *y) {
  const char *outs[1] = {name};
  return cb_graph_node(g, name, op, n_attr, attr, n_in, in, 1, outs, y);
}

cb_status cb_graph_add_conv(cb_graph *g, const char *name, int x, int out_c, int k, int stride, int pad, int groups,
                            const float *w, const float *b, int *y) {
  if (g == NULL || name == NULL) return CB_ERROR(CB_ERR_ARG, "graph add_conv: NULL argument");
  int in_c = channels(g, x);
  if (in_c <= 0 || out_c <= 0 || groups <= 0 || in_c % groups || out_c % groups)
    return CB_ERROR(CB_ERR_ARG, "conv '%s': %d input / %d output channels and %d groups do not fit", name, in_c, out_c,
                    groups);
  int64_t ws[4] = {out_c, in_c / groups, k, k}, bs[1] = {out_c};
  int in[3] = {x, -1, -1};
  CB_CHECK(param(g, name, "weight", 4, ws, w, 0.0f, &in[1]));
  CB_CHECK(param(g, name, "bias", 1, bs, b, 0.0f, &in[2]));
  int64_t ks[2] = {k, k}, ss[2] = {stride, stride}, ps[4] = {pad, pad, pad, pad};
  cb_attr a[4] = {cb_attr_ints("kernel_shape", 2, ks), cb_attr_ints("strides", 2, ss), cb_attr_ints("pads", 4, ps),
                  cb_attr_int("group", groups)};
  return one(g, name, "Conv", 4, a, 3, in, y);
}

cb_status cb_graph_add_relu(cb_graph *g, const char *name, int x, int *y) { return one(g, name, "Relu", 0, NULL, 1, &x, y); }

cb_status cb_graph_add_unary(cb_graph *g, const char *name, const char *op, int x, int *y) {
  return one(g, name, op, 0, NULL, 1, &x, y);
}

static cb_status pool(cb_graph *g, const char *name, const char *op, int x, int k, int stride, int pad, int ceil_mode,
                      int *y) {
  int64_t ks[2] = {k, k}, ss[2] = {stride, stride}, ps[4] = {pad, pad, pad, pad};
  cb_attr a[5] = {cb_attr_ints("kernel_shape", 2, ks), cb_attr_ints("strides", 2, ss), cb_attr_ints("pads", 4, ps),
                  cb_attr_int("ceil_mode", ceil_mode), cb_attr_int("count_include_pad", 1)};
  return one(g, name, op, strcmp(op, "AveragePool") == 0 ? 5 : 4, a, 1, &x, y);
}

cb_status cb_graph_add_maxpool(cb_graph *g, const char *name, int x, int k, int stride, int pad, int ceil_mode, int *y) {
  return pool(g, name, "MaxPool", x, k, stride, pad, ceil_mode, y);
}

cb_status cb_graph_add_avgpool(cb_graph *g, const char *name, int x, int k, int stride, int pad, int ceil_mode, int *y) {
  return pool(g, name, "AveragePool", x, k, stride, pad, ceil_mode, y);
}

cb_status cb_graph_add_global_avgpool(cb_graph *g, const char *name, int x, int *y) {
  return one(g, name, "GlobalAveragePool", 0, NULL, 1, &x, y);
}

cb_status cb_graph_add_linear(cb_graph *g, const char *name, int x, int out_f, const float *w, const float *b, int *y) {
  if (g == NULL || name == NULL) return CB_ERROR(CB_ERR_ARG, "graph add_linear: NULL argument");
  if (x < 0 || x >= g->n_values || g->values[x].ndim != 2 || out_f <= 0)
    return CB_ERROR(CB_ERR_ARG, "linear '%s': input must be (N, features) and out_f positive", name);
  int64_t ws[2] = {out_f, g->values[x].shape[1]}, bs[1] = {out_f};
  int in[3] = {x, -1, -1};
  CB_CHECK(param(g, name, "weight", 2, ws, w, 0.0f, &in[1]));
  CB_CHECK(param(g, name, "bias", 1, bs, b, 0.0f, &in[2]));
  cb_attr a[1] = {cb_attr_int("transB", 1)};
  return one(g, name, "Gemm", 1, a, 3, in, y);
}

cb_status cb_graph_add_flatten(cb_graph *g, const char *name, int x, int *y) {
  cb_attr a[1] = {cb_attr_int("axis", 1)};
  return one(g, name, "Flatten", 1, a, 1, &x, y);
}

cb_status cb_graph_add_batchnorm(cb_graph *g, const char *name, int x, float eps, const float *scale,
                                 const float *shift, const float *mean, const float *var, int *y) {
  if (g == NULL || name == NULL) return CB_ERROR(CB_ERR_ARG, "graph add_batchnorm: NULL argument");
  int c = channels(g, x);
  if (c <= 0) return CB_ERROR(CB_ERR_ARG, "batchnorm '%s': input has no channels", name);
  int64_t s[1] = {c};
  int in[5] = {x, -1, -1, -1, -1};
  CB_CHECK(param(g, name, "weight", 1, s, scale, 1.0f, &in[1]));
  CB_CHECK(param(g, name, "bias", 1, s, shift, 0.0f, &in[2]));
  CB_CHECK(param(g, name, "running_mean", 1, s, mean, 0.0f, &in[3]));
  CB_CHECK(param(g, name, "running_var", 1, s, var, 1.0f, &in[4]));
  cb_attr a[1] = {cb_attr_float("epsilon", eps)};
  return one(g, name, "BatchNormalization", 1, a, 5, in, y);
}

cb_status cb_graph_add_lrn(cb_graph *g, const char *name, int x, int size, float alpha, float beta, float bias, int *y) {
  cb_attr a[4] = {cb_attr_int("size", size), cb_attr_float("alpha", alpha), cb_attr_float("beta", beta),
                  cb_attr_float("bias", bias)};
  return one(g, name, "LRN", 4, a, 1, &x, y);
}

cb_status cb_graph_add_binary(cb_graph *g, const char *name, const char *op, int a, int b, int *y) {
  int in[2] = {a, b};
  return one(g, name, op, 0, NULL, 2, in, y);
}

cb_status cb_graph_add_concat(cb_graph *g, const char *name, int n, const int *xs, int axis, int *y) {
  cb_attr a[1] = {cb_attr_int("axis", axis)};
  return one(g, name, "Concat", 1, a, n, xs, y);
}

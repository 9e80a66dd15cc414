/* cb_op_norm.c - normalisations: BatchNormalization (inference), LRN,
 * Softmax and LogSoftmax (opset < 13: over the flattened trailing dims from
 * axis; opset >= 13: over one axis). */
#include <math.h>
#include <string.h>

#include "cb_graph_impl.h"

void cb_lrn_forward(const float *x, int batch, int c, size_t inner, int size, float alpha, float beta, float bias,
                    float *y) {
  const int lo = (size - 1) / 2, hi = size - 1 - lo; /* floor below, ceil above */
  for (int b = 0; b < batch; ++b)
    for (int ch = 0; ch < c; ++ch) {
      const int c0 = ch - lo < 0 ? 0 : ch - lo, c1 = ch + hi >= c ? c - 1 : ch + hi;
      const float *xc = x + ((size_t)b * (size_t)c + (size_t)ch) * inner;
      float *yc = y + ((size_t)b * (size_t)c + (size_t)ch) * inner;
      for (size_t i = 0; i < inner; ++i) {
        double s = 0;
        for (int cc = c0; cc <= c1; ++cc) {
          double v = x[((size_t)b * (size_t)c + (size_t)cc) * inner + i];
          s += v * v;
        }
        yc[i] = (float)(xc[i] / pow(bias + alpha / size * s, beta));
      }
    }
}

void cb_softmax_forward(const float *x, size_t outer, size_t axis, size_t inner, int log_out, float *y) {
  for (size_t o = 0; o < outer; ++o)
    for (size_t i = 0; i < inner; ++i) {
      const float *xs = x + o * axis * inner + i;
      float *ys = y + o * axis * inner + i;
      float m = -INFINITY;
      for (size_t a = 0; a < axis; ++a) m = xs[a * inner] > m ? xs[a * inner] : m;
      double s = 0;
      for (size_t a = 0; a < axis; ++a) s += exp((double)xs[a * inner] - m);
      for (size_t a = 0; a < axis; ++a) {
        double d = (double)xs[a * inner] - m;
        ys[a * inner] = log_out ? (float)(d - log(s)) : (float)(exp(d) / s);
      }
    }
}

static cb_status bn_prepare(cb_graph *g, cb__node *n) {
  static const char *const known[] = {"epsilon", "momentum", "spatial", "training_mode", NULL};
  char bx[96], bp[96];
  CB_CHECK(cb__attrs_known(n, known));
  CB_CHECK(cb__check_inputs(g, n, 5, 5, 0));
  if (cb__attr_int(n, "spatial", 1) != 1) return CB__NODE_ERROR(CB_ERR_UNSUPPORTED, n, "attribute 'spatial' value 0 unsupported");
  /* training_mode = 1 (a training-mode export): the graph runs inference with the running statistics; training
   * (src/train) uses the batch's whatever the attribute says. Its statistics outputs must be unread (the importer
   * drops them then). */
  if (n->n_out > 1)
    return CB__NODE_ERROR(CB_ERR_UNSUPPORTED, n, "the running-statistics outputs are read by other nodes (unsupported)");
  const cb__value *x = cb__in(g, n, 0);
  if (x->ndim < 2) return CB__NODE_ERROR(CB_ERR_FORMAT, n, "input '%s' %s has no channel dimension", x->name, cb__shape_str(x, bx, sizeof bx));
  for (int k = 1; k < 5; ++k) {
    const cb__value *p = cb__in(g, n, k);
    if (p->ndim != 1 || p->shape[0] != x->shape[1])
      return CB__NODE_ERROR(CB_ERR_FORMAT, n, "input '%s' %s does not match the %lld channels of '%s' %s", p->name,
                            cb__shape_str(p, bp, sizeof bp), (long long)x->shape[1], x->name, cb__shape_str(x, bx, sizeof bx));
  }
  n->p.f[0] = cb__attr_float(n, "epsilon", 1e-5f);
  cb__set_out(g, n, 0, CB_DT_FLOAT, x->ndim, x->shape);
  return CB_OK;
}

static void bn_run(cb_graph *g, const cb__node *n, float *work) {
  (void)work;
  const cb__value *x = cb__in(g, n, 0);
  const float *xd = x->data, *sc = cb__in(g, n, 1)->data, *sh = cb__in(g, n, 2)->data, *mu = cb__in(g, n, 3)->data,
              *var = cb__in(g, n, 4)->data;
  float *y = cb__out(g, n, 0)->data;
  const int64_t batch = x->shape[0], c = x->shape[1];
  const size_t inner = batch * c > 0 ? (size_t)(cb__numel(x) / (batch * c)) : 0;
  for (int64_t b = 0; b < batch; ++b)
    for (int64_t ch = 0; ch < c; ++ch) {
      /* y = (x - mean) * scale / sqrt(var + eps) + shift */
      const float a = sc[ch] / sqrtf(var[ch] + n->p.f[0]), bb = sh[ch] - mu[ch] * a;
      const float *xc = xd + (size_t)(b * c + ch) * inner;
      float *yc = y + (size_t)(b * c + ch) * inner;
      for (size_t i = 0; i < inner; ++i) yc[i] = xc[i] * a + bb;
    }
}

static cb_status lrn_prepare(cb_graph *g, cb__node *n) {
  static const char *const known[] = {"alpha", "beta", "bias", "size", NULL};
  char bx[96];
  CB_CHECK(cb__attrs_known(n, known));
  CB_CHECK(cb__check_inputs(g, n, 1, 1, 0));
  const cb__value *x = cb__in(g, n, 0);
  if (x->ndim < 3) return CB__NODE_ERROR(CB_ERR_FORMAT, n, "input '%s' %s: expected (N, C, ...)", x->name, cb__shape_str(x, bx, sizeof bx));
  int64_t size = cb__attr_int(n, "size", 0);
  if (size <= 0 || size > (1 << 20))
    return CB__NODE_ERROR(CB_ERR_FORMAT, n, "attribute 'size' missing or not in [1, %d]", 1 << 20);
  n->p.mode = (int)size;
  n->p.f[0] = cb__attr_float(n, "alpha", 1e-4f);
  n->p.f[1] = cb__attr_float(n, "beta", 0.75f);
  n->p.f[2] = cb__attr_float(n, "bias", 1.0f);
  cb__set_out(g, n, 0, CB_DT_FLOAT, x->ndim, x->shape);
  return CB_OK;
}

static void lrn_run(cb_graph *g, const cb__node *n, float *work) {
  (void)work;
  const cb__value *x = cb__in(g, n, 0);
  int64_t bc = x->shape[0] * x->shape[1];
  size_t inner = bc > 0 ? (size_t)(cb__numel(x) / bc) : 0;
  cb_lrn_forward(x->data, (int)x->shape[0], (int)x->shape[1], inner, n->p.mode, n->p.f[0], n->p.f[1], n->p.f[2],
                 cb__out(g, n, 0)->data);
}

static cb_status softmax_prepare(cb_graph *g, cb__node *n) {
  static const char *const known[] = {"axis", NULL};
  CB_CHECK(cb__attrs_known(n, known));
  CB_CHECK(cb__check_inputs(g, n, 1, 1, 0));
  const cb__value *x = cb__in(g, n, 0);
  CB_CHECK(cb__axis(n, cb__attr_int(n, "axis", g->opset < 13 ? 1 : -1), x->ndim, &n->p.axis));
  n->p.mode = g->opset < 13; /* coerce to 2-D */
  cb__set_out(g, n, 0, CB_DT_FLOAT, x->ndim, x->shape);
  return CB_OK;
}

static void softmax_any(cb_graph *g, const cb__node *n, int log_out) {
  const cb__value *x = cb__in(g, n, 0);
  size_t outer = 1, axis = 1, inner = 1;
  for (int d = 0; d < x->ndim; ++d) {
    if (d < n->p.axis) outer *= (size_t)x->shape[d];
    else if (d == n->p.axis || n->p.mode) axis *= (size_t)x->shape[d];
    else inner *= (size_t)x->shape[d];
  }
  cb_softmax_forward(x->data, outer, axis, inner, log_out, cb__out(g, n, 0)->data);
}

static void softmax_run(cb_graph *g, const cb__node *n, float *work) {
  (void)work;
  softmax_any(g, n, 0);
}
static void logsoftmax_run(cb_graph *g, const cb__node *n, float *work) {
  (void)work;
  softmax_any(g, n, 1);
}

const cb__op cb__op_batchnorm = {"BatchNormalization", bn_prepare, bn_run, 0};
const cb__op cb__op_lrn = {"LRN", lrn_prepare, lrn_run, 0};
const cb__op cb__op_softmax = {"Softmax", softmax_prepare, softmax_run, 0};
const cb__op cb__op_logsoftmax = {"LogSoftmax", softmax_prepare, logsoftmax_run, 0};

/* cb_train_op_misc.c - backward adapters of the elementwise, data-movement and normalisation nodes:
 * Relu, Add (numpy broadcasting: the gradient summed over an operand's broadcast dims), Concat,
 * Flatten / Reshape / Identity, Dropout (the forward's mask), BatchNormalization (either mode). */
#include <math.h>

#include "cb_train_impl.h"
#include "cb_threads.h"

typedef struct relu_ctx {
  const float *x, *dy;
  float *dx;
} relu_ctx;

enum { RELU_BLOCK = 1 << 14 }; /* elements per unit of the parallel loop */

static void relu_blocks(void *vctx, size_t u0, size_t u1) {
  const relu_ctx *c = vctx;
  cb_relu_backward(c->x + u0, c->dy + u0, u1 - u0, c->dx + u0);
}

/* element ranges shared between threads (at least RELU_BLOCK elements each) */
void cb__bwd_relu(cb_train *t, const cb__node *n) {
  float *dx = cb__tgrad_in(t, n, 0);
  if (dx == NULL) return;
  relu_ctx c = {cb__tval(t, n->in[0]), t->grad[n->out[0]], dx};
  cb_threads_for(t->threads, (size_t)cb__numel(cb__in(t->g, n, 0)), RELU_BLOCK, relu_blocks, &c);
}

void cb__bwd_copy(cb_train *t, const cb__node *n) {
  float *dx = cb__tgrad_in(t, n, 0);
  if (dx == NULL) return;
  const float *dy = t->grad[n->out[0]];
  const size_t m = (size_t)cb__numel(cb__in(t->g, n, 0));
  for (size_t i = 0; i < m; ++i) dx[i] += dy[i];
}

void cb__bwd_dropout(cb_train *t, const cb__node *n) {
  float *dx = cb__tgrad_in(t, n, 0);
  if (dx == NULL) return;
  const float *dy = t->grad[n->out[0]], *scale = t->saved[n - t->g->nodes]; /* (m) */
  const size_t m = (size_t)cb__numel(cb__in(t->g, n, 0));
  for (size_t i = 0; i < m; ++i) dx[i] += dy[i] * scale[i];
}

size_t cb__bwd_add_work(cb_train *t, const cb__node *n) {
  size_t w = 0;
  for (int k = 0; k < 2; ++k) {
    const cb__value *v = cb__in(t->g, n, k);
    if (v && 2 * (size_t)cb__numel(v) > w) w = 2 * (size_t)cb__numel(v); /* doubles */
  }
  return w;
}

/* dv += dy (shape of y) summed over v's broadcast dims; acc: (numel(v)) doubles of scratch. */
static void reduce_to(const cb__value *y, const float *dy, const cb__value *v, double *acc, float *dv) {
  const int64_t total = cb__numel(y), vn = cb__numel(v);
  if (vn == total) {
    for (int64_t i = 0; i < total; ++i) dv[i] += dy[i];
    return;
  }
  int64_t st[CB__MAXD], idx[CB__MAXD] = {0}, s = 1; /* (y->ndim) v's strides, 0 on broadcast dims */
  for (int d = y->ndim - 1; d >= 0; --d) {
    const int vd = d - (y->ndim - v->ndim);
    const int64_t dim = vd >= 0 ? v->shape[vd] : 1;
    st[d] = dim == 1 ? 0 : s;
    s *= dim;
  }
  for (int64_t i = 0; i < vn; ++i) acc[i] = 0.0;
  for (int64_t i = 0; i < total; ++i) {
    int64_t o = 0;
    for (int d = 0; d < y->ndim; ++d) o += idx[d] * st[d];
    acc[o] += dy[i];
    for (int d = y->ndim - 1; d >= 0; --d) {
      if (++idx[d] < y->shape[d]) break;
      idx[d] = 0;
    }
  }
  for (int64_t i = 0; i < vn; ++i) dv[i] += (float)acc[i];
}

void cb__bwd_add(cb_train *t, const cb__node *n) {
  const cb__value *y = cb__out(t->g, n, 0);
  for (int k = 0; k < 2; ++k) {
    float *dv = cb__tgrad_in(t, n, k);
    if (dv) reduce_to(y, t->grad[n->out[0]], cb__in(t->g, n, k), (double *)(void *)t->work, dv);
  }
}

void cb__bwd_concat(cb_train *t, const cb__node *n) {
  const cb__value *y = cb__out(t->g, n, 0);
  int64_t outer = 1, inner = 1;
  for (int d = 0; d < y->ndim; ++d) {
    if (d < n->p.axis) outer *= y->shape[d];
    if (d > n->p.axis) inner *= y->shape[d];
  }
  const size_t yrow = (size_t)(y->shape[n->p.axis] * inner);
  const float *dy = t->grad[n->out[0]];
  size_t at = 0;
  for (int k = 0; k < n->n_in; ++k) {
    const size_t row = (size_t)(cb__in(t->g, n, k)->shape[n->p.axis] * inner);
    float *dx = cb__tgrad_in(t, n, k);
    for (int64_t o = 0; dx && o < outer; ++o)
      for (size_t i = 0; i < row; ++i) dx[(size_t)o * row + i] += dy[(size_t)o * yrow + at + i];
    at += row;
  }
}

size_t cb__bwd_batchnorm_work(cb_train *t, const cb__node *n) { return 2 * (size_t)cb__in(t->g, n, 0)->shape[1]; }

void cb__bwd_batchnorm(cb_train *t, const cb__node *n) {
  const cb__value *x = cb__in(t->g, n, 0);
  const int64_t batch = x->shape[0], c = x->shape[1];
  const size_t inner = batch * c > 0 ? (size_t)(cb__numel(x) / (batch * c)) : 0;
  const float *mean = t->saved[n - t->g->nodes], *invstd = mean + c;
  if (t->opts.bn_frozen) { /* the running statistics the inference forward used */
    const float *rm = cb__tval(t, n->in[3]), *rv = cb__tval(t, n->in[4]);
    for (int64_t ch = 0; ch < c; ++ch) {
      t->work[ch] = rm[ch];
      t->work[c + ch] = 1.0f / sqrtf(rv[ch] + n->p.f[0]);
    }
    mean = t->work;
    invstd = t->work + c;
  }
  cb_batchnorm_backward(cb__tval(t, n->in[0]), t->grad[n->out[0]], (int)batch, (int)c, inner,
                        cb__tval(t, n->in[1]), mean, invstd, !t->opts.bn_frozen, cb__tgrad_in(t, n, 0),
                        cb__tgrad_in(t, n, 1), cb__tgrad_in(t, n, 2), t->threads);
}

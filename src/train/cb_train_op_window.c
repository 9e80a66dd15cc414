/* cb_train_op_window.c - backward adapters of the window operators on a graph node: Conv, MaxPool,
 * AveragePool (1-D windows run as H = 1, as in the forward), GlobalAveragePool. */
#include "cb_train_impl.h"
#include "cb_threads.h"

size_t cb__bwd_conv_work(cb_train *t, const cb__node *n) {
  return cb_conv2d_backward_workspace(&n->p.win.geom, (int)cb__in(t->g, n, 0)->shape[0]);
}

void cb__bwd_conv(cb_train *t, const cb__node *n) {
  const int batch = (int)cb__in(t->g, n, 0)->shape[0];
  const float *x = cb__tval(t, n->in[0]), *w = cb__tval(t, n->in[1]), *dy = t->grad[n->out[0]];
  float *dx = cb__tgrad_in(t, n, 0), *dw = cb__tgrad_in(t, n, 1), *db = cb__tgrad_in(t, n, 2);
  cb_conv2d_backward(&n->p.win.geom, x, w, dy, batch, t->threads, t->work, dx, dw, db);
}

typedef struct maxpool_ctx {
  const cb_conv2d_geom *g;
  const float *x, *dy;
  float *dx;
} maxpool_ctx;

static void maxpool_planes(void *vctx, size_t p0, size_t p1) {
  const maxpool_ctx *c = vctx;
  cb_maxpool2d_backward_planes(c->g, c->x, c->dy, p0, p1, c->dx);
}

/* (image, channel) planes shared between threads */
void cb__bwd_maxpool(cb_train *t, const cb__node *n) {
  float *dx = cb__tgrad_in(t, n, 0);
  if (dx == NULL) return;
  const cb__value *x = cb__in(t->g, n, 0);
  maxpool_ctx c = {&n->p.win.geom, cb__tval(t, n->in[0]), t->grad[n->out[0]], dx};
  cb_threads_for(t->threads, (size_t)(x->shape[0] * x->shape[1]), 1, maxpool_planes, &c);
}

void cb__bwd_avgpool(cb_train *t, const cb__node *n) {
  float *dx = cb__tgrad_in(t, n, 0);
  if (dx == NULL) return;
  cb_avgpool2d_backward(&n->p.win.geom, t->grad[n->out[0]], (int)cb__in(t->g, n, 0)->shape[0], dx);
}

/* dx[p][i] += dy[p] / inner for each (image, channel) plane p */
void cb__bwd_gavgpool(cb_train *t, const cb__node *n) {
  const cb__value *x = cb__in(t->g, n, 0);
  float *dx = cb__tgrad_in(t, n, 0);
  const int64_t planes = x->shape[0] * x->shape[1];
  if (dx == NULL || planes == 0) return;
  const size_t inner = (size_t)(cb__numel(x) / planes);
  const float *dy = t->grad[n->out[0]];
  for (int64_t p = 0; p < planes; ++p) {
    const float d = (float)((double)dy[p] / (double)inner);
    for (size_t i = 0; i < inner; ++i) dx[(size_t)p * inner + i] += d;
  }
}

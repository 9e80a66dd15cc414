/* cb_train_profile.c - per-node timing of the training passes (opts.profile) and the GEMM work each node's
 * backward does, for benchmarks (benchmarks/perf/train_vs_torch.py) and for finding the slow operator. */
#include <string.h>
#include <time.h>

#include "cb_train_impl.h"

double cb__train_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int takes_grad(const cb_train *t, const cb__node *n, int k) {
  return k < n->n_in && n->in[k] >= 0 && t->wants_grad[n->in[k]];
}

/* 2 x multiply-adds of the backward GEMMs of node n (one call). */
static double bwd_flops(const cb_train *t, const cb__node *n) {
  if (n->op == &cb__op_conv) {
    const cb_conv2d_geom *g = &n->p.win.geom;
    int oh, ow;
    cb_conv2d_out(g, &oh, &ow);
    const double one = 2.0 * (double)cb__in(t->g, n, 0)->shape[0] * (double)g->out_c * (double)oh * (double)ow *
                       (double)(g->in_c / g->groups) * (double)g->kh * (double)g->kw;
    return one * (takes_grad(t, n, 0) + takes_grad(t, n, 1));
  }
  const cb__value *a = cb__in(t->g, n, 0), *y = cb__out(t->g, n, 0);
  if (strcmp(n->op->name, "Gemm") == 0) {
    const double k = (double)(n->p.trans_a ? a->shape[0] : a->shape[1]);
    return 2.0 * (double)y->shape[0] * (double)y->shape[1] * k * (takes_grad(t, n, 0) + takes_grad(t, n, 1));
  }
  if (strcmp(n->op->name, "MatMul") == 0) /* every output element: k multiply-adds per operand gradient */
    return 2.0 * (double)cb__numel(y) * (double)a->shape[a->ndim - 1] * (takes_grad(t, n, 0) + takes_grad(t, n, 1));
  return 0.0;
}

cb_status cb_train_node_profile(const cb_train *t, int i, cb_train_node_prof *out) {
  if (t == NULL || out == NULL || t->prof == NULL || i < 0 || i >= t->g->n_nodes || t->g->nodes[i].folded)
    return CB_ERROR(CB_ERR_ARG, "training profile: no node %d (or profiling is off)", i);
  const cb__node *n = &t->g->nodes[i];
  *out = (cb_train_node_prof){.op = n->op->name, .name = n->name, .fwd_s = t->prof[2 * i],
                              .bwd_s = t->prof[2 * i + 1], .bwd_flops = bwd_flops(t, n)};
  return CB_OK;
}

/* cb_train_backward.c - the backward pass: seeds the requested values' gradients, then walks the nodes in
 * reverse order, each adding its inputs' gradients (a value read by several nodes sums them, in reverse
 * node order); the table of which operator has which backward. */
#include <string.h>

#include "cb_train_impl.h"

/* Adapters (cb_train_op_*.c). */
void cb__bwd_conv(cb_train *t, const cb__node *n);
void cb__bwd_maxpool(cb_train *t, const cb__node *n);
void cb__bwd_avgpool(cb_train *t, const cb__node *n);
void cb__bwd_gavgpool(cb_train *t, const cb__node *n);
void cb__bwd_gemm(cb_train *t, const cb__node *n);
void cb__bwd_matmul(cb_train *t, const cb__node *n);
void cb__bwd_relu(cb_train *t, const cb__node *n);
void cb__bwd_add(cb_train *t, const cb__node *n);
void cb__bwd_concat(cb_train *t, const cb__node *n);
void cb__bwd_copy(cb_train *t, const cb__node *n);
void cb__bwd_dropout(cb_train *t, const cb__node *n);
void cb__bwd_batchnorm(cb_train *t, const cb__node *n);
size_t cb__bwd_conv_work(cb_train *t, const cb__node *n);
size_t cb__bwd_add_work(cb_train *t, const cb__node *n);
size_t cb__bwd_batchnorm_work(cb_train *t, const cb__node *n);

typedef struct bwd_row {
  const char *op;
  cb__backward_fn fn;
  unsigned slots;                                /* bit k: input k carries a gradient */
  size_t (*work)(cb_train *t, const cb__node *n); /* floats of scratch, or NULL */
} bwd_row;

static const bwd_row rows[] = {
    {"Conv", cb__bwd_conv, 7u, cb__bwd_conv_work},
    {"MaxPool", cb__bwd_maxpool, 1u, NULL},
    {"AveragePool", cb__bwd_avgpool, 1u, NULL},
    {"GlobalAveragePool", cb__bwd_gavgpool, 1u, NULL},
    {"Gemm", cb__bwd_gemm, 7u, NULL},
    {"MatMul", cb__bwd_matmul, 3u, NULL},
    {"Relu", cb__bwd_relu, 1u, NULL},
    {"Add", cb__bwd_add, 3u, cb__bwd_add_work},
    {"Concat", cb__bwd_concat, ~0u, NULL},
    {"Flatten", cb__bwd_copy, 1u, NULL},
    {"Reshape", cb__bwd_copy, 1u, NULL},
    {"Identity", cb__bwd_copy, 1u, NULL},
    {"Dropout", cb__bwd_dropout, 1u, NULL},
    {"BatchNormalization", cb__bwd_batchnorm, 7u, cb__bwd_batchnorm_work},
};

static const bwd_row *row_of(const cb__node *n) {
  for (size_t i = 0; i < sizeof rows / sizeof rows[0]; ++i)
    if (strcmp(rows[i].op, n->op->name) == 0) return &rows[i];
  return NULL;
}

cb__backward_fn cb__train_backward_of(const cb__node *n) {
  const bwd_row *r = row_of(n);
  return r ? r->fn : NULL;
}

int cb__train_slot_differentiable(const cb__node *n, int k) {
  const bwd_row *r = row_of(n);
  return r != NULL && k >= 0 && (k >= 32 ? r->slots == ~0u : (r->slots >> k) & 1u);
}

size_t cb__train_work(cb_train *t, const cb__node *n) {
  const bwd_row *r = row_of(n);
  return r && r->work ? r->work(t, n) : 0;
}

static cb_status seed(cb_train *t, int n_seed, const int *ids, const float *const *seeds) {
  cb_graph *g = t->g;
  for (int k = 0; k < n_seed; ++k) {
    const int id = ids[k];
    if (id < 0 || id >= g->n_values || g->values[id].kind != CB__V_RUNTIME || !t->wants_grad[id])
      return CB_ERROR(CB_ERR_ARG, "training backward: seed %d (value %d) is not a layer of the graph", k, id);
    if (seeds[k] == NULL) return CB_ERROR(CB_ERR_ARG, "training backward: seed %d is NULL", k);
    CB_CHECK(cb__train_grad_take(t, id));
    const size_t m = (size_t)cb__numel(&g->values[id]);
    float *gr = t->grad[id];
    for (size_t i = 0; i < m; ++i) gr[i] += seeds[k][i];
    t->has_grad[id] = 1;
  }
  return CB_OK;
}

cb_status cb_train_backward(cb_train *t, int n_seed, const int *ids, const float *const *seeds) {
  if (t == NULL || (n_seed > 0 && (ids == NULL || seeds == NULL)))
    return CB_ERROR(CB_ERR_ARG, "training backward: NULL argument");
  if (!t->forwarded) return CB_ERROR(CB_ERR_ARG, "training backward: no forward pass ran");
  cb_graph *g = t->g;
  memset(t->has_grad, 0, (size_t)g->n_values);
  t->nomem = 0;
  cb_status st = seed(t, n_seed, ids, seeds);
  for (int i = g->n_nodes - 1; st == CB_OK && i >= 0; --i) {
    const cb__node *n = &g->nodes[i];
    if (n->folded) continue;
    int any = 0;
    for (int k = 0; k < n->n_out; ++k) any |= t->has_grad[n->out[k]];
    if (!any) continue;
    for (int k = 0; st == CB_OK && k < n->n_out; ++k) /* an output no consumer reached reads as zeros */
      if (t->wants_grad[n->out[k]]) st = cb__train_grad_take(t, n->out[k]);
    if (st != CB_OK) break;
    const double t0 = t->prof ? cb__train_now() : 0.0;
    cb__train_backward_of(n)(t, n);
    if (t->prof) t->prof[2 * i + 1] += cb__train_now() - t0;
    if (t->nomem) st = CB_ERROR(CB_ERR_NOMEM, "training backward: out of memory in node '%s'", n->name);
    for (int k = 0; k < n->n_out; ++k) cb__train_grad_give(t, n->out[k]); /* read for the last time */
  }
  for (int id = 0; id < g->n_values; ++id) cb__train_grad_give(t, id); /* seeds of nodes that never ran */
  return st;
}

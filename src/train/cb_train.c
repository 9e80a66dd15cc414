/* cb_train.c - the training state of a graph: which values are parameters, the buffers of values and
 * gradients, accessors, and one softmax cross-entropy step. */
#include <stdlib.h>
#include <string.h>

#include "cb_sgemm.h"
#include "cb_train_impl.h"

void cb_train_destroy(cb_train **tp) {
  if (tp == NULL || *tp == NULL) return;
  cb_train *t = *tp;
  const int nv = t->g->n_values, nn = t->g->n_nodes;
  for (int i = 0; t->val && i < nv; ++i) free(t->val[i]);
  for (int i = 0; t->grad && i < nv; ++i) free(t->grad[i]);
  if (t->pool) cb__train_grad_pool_free(t);
  for (int i = 0; t->saved && i < nn; ++i) free(t->saved[i]);
  free(t->val);
  free(t->grad);
  free(t->has_grad);
  free(t->wants_grad);
  free(t->grad_cap);
  free(t->pool);
  free(t->pool_cap);
  free(t->is_param);
  free(t->params);
  free(t->saved);
  free(t->work);
  free(t->prof);
  free(t);
  *tp = NULL;
}

/* Marks parameters (float constants at differentiable slots, not fixed); fails on a node without backward. */
static cb_status find_params(cb_train *t) {
  cb_graph *g = t->g;
  for (int i = 0; i < g->n_nodes; ++i) {
    const cb__node *n = &g->nodes[i];
    if (n->folded) continue;
    if (cb__train_backward_of(n) == NULL)
      return CB_ERROR(CB_ERR_UNSUPPORTED, "training: node '%s' (op %s) has no backward", n->name, n->op->name);
    for (int k = 0; k < n->n_in; ++k) {
      const cb__value *v = cb__in(g, n, k);
      if (v && v->kind == CB__V_CONST && v->dtype == CB_DT_FLOAT && !v->fixed && cb__train_slot_differentiable(n, k))
        t->is_param[n->in[k]] = 1;
    }
  }
  for (int id = 0; id < g->n_values; ++id) t->n_params += t->is_param[id];
  t->params = malloc((size_t)(t->n_params > 0 ? t->n_params : 1) * sizeof *t->params);
  if (t->params == NULL) return CB_ERROR(CB_ERR_NOMEM, "training: out of memory");
  for (int id = 0, k = 0; id < g->n_values; ++id)
    if (t->is_param[id]) t->params[k++] = id;
  return CB_OK;
}

/* Value copies, gradient buffers, per-node state and scratch. */
static cb_status alloc_buffers(cb_train *t) {
  cb_graph *g = t->g;
  for (int id = 0; id < g->n_values; ++id) {
    const cb__value *v = &g->values[id];
    const size_t numel = (size_t)cb__numel(v), bytes = (numel > 0 ? numel : 1) * sizeof(float);
    const int keep = v->dtype == CB_DT_FLOAT && (v->kind == CB__V_RUNTIME || v->kind == CB__V_INPUT);
    if (keep && (t->val[id] = calloc(1, bytes)) == NULL) return CB_ERROR(CB_ERR_NOMEM, "training: out of memory");
    t->wants_grad[id] = (keep && (v->kind == CB__V_RUNTIME || t->opts.input_grads)) || t->is_param[id];
    /* runtime values take theirs during backward only (cb_train_gradpool.c) */
    if (t->wants_grad[id] && v->kind != CB__V_RUNTIME && (t->grad[id] = calloc(1, bytes)) == NULL)
      return CB_ERROR(CB_ERR_NOMEM, "training: out of memory");
  }
  for (int i = 0; i < g->n_nodes; ++i) {
    const cb__node *n = &g->nodes[i];
    if (n->folded) continue;
    size_t w = cb__train_work(t, n), s = 0;
    if (w > t->work_floats) t->work_floats = w;
    if (n->op == &cb__op_batchnorm) s = 2 * (size_t)cb__in(g, n, 0)->shape[1];
    else if (strcmp(n->op->name, "Dropout") == 0) s = (size_t)cb__numel(cb__in(g, n, 0));
    if (s > 0 && (t->saved[i] = calloc(s, sizeof(float))) == NULL) return CB_ERROR(CB_ERR_NOMEM, "training: out of memory");
  }
  t->work = calloc(t->work_floats > 0 ? t->work_floats : 1, sizeof *t->work);
  if (t->work == NULL) return CB_ERROR(CB_ERR_NOMEM, "training: out of memory");
  if (t->opts.profile && (t->prof = calloc(2 * (size_t)(g->n_nodes > 0 ? g->n_nodes : 1), sizeof *t->prof)) == NULL)
    return CB_ERROR(CB_ERR_NOMEM, "training: out of memory");
  return CB_OK;
}

cb_status cb_train_create(cb_graph *g, const cb_train_opts *opts, cb_train **out) {
  if (g == NULL || out == NULL) return CB_ERROR(CB_ERR_ARG, "training: NULL argument");
  CB_CHECK(cb_graph_finish(g));
  cb_status st = CB_OK;
  cb_train *t = calloc(1, sizeof *t);
  if (t == NULL) return CB_ERROR(CB_ERR_NOMEM, "training: out of memory");
  t->g = g;
  if (opts) t->opts = *opts;
  t->threads = t->opts.threads > 0 ? t->opts.threads : cb_sgemm_default_threads();
  const size_t nv = (size_t)(g->n_values > 0 ? g->n_values : 1), nn = (size_t)(g->n_nodes > 0 ? g->n_nodes : 1);
  t->val = calloc(nv, sizeof *t->val);
  t->grad = calloc(nv, sizeof *t->grad);
  t->has_grad = calloc(nv, 1);
  t->wants_grad = calloc(nv, 1);
  t->grad_cap = calloc(nv, sizeof *t->grad_cap);
  t->pool = calloc(nv, sizeof *t->pool);
  t->pool_cap = calloc(nv, sizeof *t->pool_cap);
  t->is_param = calloc(nv, 1);
  t->saved = calloc(nn, sizeof *t->saved);
  if (!t->val || !t->grad || !t->has_grad || !t->wants_grad || !t->grad_cap || !t->pool || !t->pool_cap ||
      !t->is_param || !t->saved) {
    st = CB_ERROR(CB_ERR_NOMEM, "training: out of memory");
    goto fail;
  }
  CB_CHECK_GOTO(find_params(t), st, fail);
  CB_CHECK_GOTO(alloc_buffers(t), st, fail);
  *out = t;
  return CB_OK;
fail:
  cb_train_destroy(&t);
  return st;
}

const float *cb_train_value(const cb_train *t, int id) {
  if (t == NULL || id < 0 || id >= t->g->n_values) return NULL;
  if (t->val[id] != NULL) return t->forwarded ? t->val[id] : NULL;
  return t->g->values[id].kind == CB__V_CONST && t->g->values[id].dtype == CB_DT_FLOAT ? t->g->values[id].cdata : NULL;
}

float *cb_train_grad(cb_train *t, int id) {
  if (t == NULL || id < 0 || id >= t->g->n_values) return NULL;
  return t->grad[id];
}

void cb_train_zero_grad(cb_train *t) {
  if (t == NULL) return;
  for (int id = 0; id < t->g->n_values; ++id)
    if (t->grad[id] != NULL && t->g->values[id].kind != CB__V_RUNTIME)
      memset(t->grad[id], 0, (size_t)cb__numel(&t->g->values[id]) * sizeof(float));
}

void cb_train_set_step(cb_train *t, uint64_t step) {
  if (t != NULL) t->step = step;
}

int cb_train_n_params(const cb_train *t) { return t ? t->n_params : 0; }

int cb_train_param_id(const cb_train *t, int i) { return t && i >= 0 && i < t->n_params ? t->params[i] : -1; }

float *cb_train_param_data(cb_train *t, int i, int64_t *numel) {
  if (t == NULL || i < 0 || i >= t->n_params) return NULL;
  cb__value *v = &t->g->values[t->params[i]];
  if (numel) *numel = cb__numel(v);
  return v->cdata;
}

cb_status cb_train_step_xent(cb_train *t, const float *const *inputs, int logits_id, const int *labels,
                             double *loss) {
  if (t == NULL || labels == NULL || loss == NULL) return CB_ERROR(CB_ERR_ARG, "training step: NULL argument");
  if (logits_id < 0 || logits_id >= t->g->n_values || t->g->values[logits_id].ndim != 2 || t->val[logits_id] == NULL)
    return CB_ERROR(CB_ERR_ARG, "training step: value %d is not a (batch, classes) layer", logits_id);
  const cb__value *v = &t->g->values[logits_id];
  const int n = (int)v->shape[0], c = (int)v->shape[1];
  float *dz = malloc((size_t)(n * c > 0 ? n * c : 1) * sizeof *dz);
  if (dz == NULL) return CB_ERROR(CB_ERR_NOMEM, "training step: out of memory");
  cb_status st = cb_train_forward(t, inputs);
  if (st == CB_OK) st = cb_softmax_xent(t->val[logits_id], labels, n, c, loss, dz);
  if (st == CB_OK) st = cb_train_backward(t, 1, &logits_id, (const float *const[]){dz});
  free(dz);
  return st;
}

/* cb_train_forward.c - the training-mode forward pass: every node of the graph runs in order on the
 * training copies of the values (nothing is freed or reused, backward reads them), with the engine's own
 * operator kernels, except BatchNormalization (batch statistics) and Dropout (a seeded mask). The graph's
 * planned arena is left as inference expects it. */
#include <string.h>

#include "cb_train_impl.h"

/* Ratio of a Dropout node: input 1 (opset >= 12, a constant) or attribute 'ratio' (older), default 0.5. */
static float dropout_ratio(cb_train *t, const cb__node *n) {
  const cb__value *r = cb__in(t->g, n, 1);
  if (r != NULL && r->dtype == CB_DT_FLOAT && cb__numel(r) == 1) return *(const float *)r->data;
  return cb__attr_float(n, "ratio", 0.5f);
}

int cb__train_forward_special(cb_train *t, const cb__node *n) {
  cb_graph *g = t->g;
  const int i = (int)(n - g->nodes);
  const cb__value *x = cb__in(g, n, 0);
  const float *xd = cb__tval(t, n->in[0]);
  float *y = cb__tval(t, n->out[0]);
  if (n->op == &cb__op_batchnorm && !t->opts.bn_frozen) {
    const int64_t batch = x->shape[0], c = x->shape[1];
    const size_t inner = batch * c > 0 ? (size_t)(cb__numel(x) / (batch * c)) : 0;
    float *mean = t->saved[i], *invstd = t->saved[i] + c;
    cb_batchnorm_train_forward(xd, (int)batch, (int)c, inner, n->p.f[0], cb__attr_float(n, "momentum", 0.9f),
                               cb__tval(t, n->in[1]), cb__tval(t, n->in[2]), cb__tval(t, n->in[3]),
                               cb__tval(t, n->in[4]), y, mean, invstd, t->threads);
    return 1;
  }
  if (strcmp(n->op->name, "Dropout") == 0) {
    const size_t m = (size_t)cb__numel(x);
    float *scale = t->saved[i]; /* (m) */
    cb_dropout_mask(t->opts.seed, t->step, cb_dropout_salt(n->name), dropout_ratio(t, n), m, scale);
    for (size_t k = 0; k < m; ++k) y[k] = xd[k] * scale[k];
    return 1;
  }
  return 0;
}

/* Points every input and runtime value at its training copy (or back at the planned arena). */
static void point_values(cb_train *t, int to_copies) {
  cb_graph *g = t->g;
  for (int id = 0; id < g->n_values; ++id) {
    cb__value *v = &g->values[id];
    if (v->kind == CB__V_RUNTIME) v->data = to_copies && t->val[id] ? (void *)t->val[id] : (char *)g->arena + v->offset;
    else if (v->kind == CB__V_INPUT && to_copies) v->data = t->val[id];
  }
}

cb_status cb_train_forward(cb_train *t, const float *const *inputs) {
  if (t == NULL) return CB_ERROR(CB_ERR_ARG, "training forward: NULL state");
  cb_graph *g = t->g;
  if (g->n_inputs > 0 && inputs == NULL) return CB_ERROR(CB_ERR_ARG, "training forward: NULL inputs");
  for (int i = 0; i < g->n_inputs; ++i) {
    const int id = g->inputs[i];
    if (inputs[i] == NULL) return CB_ERROR(CB_ERR_ARG, "training forward: input '%s' is NULL", g->values[id].name);
    memcpy(t->val[id], inputs[i], (size_t)cb__numel(&g->values[id]) * sizeof(float));
  }
  point_values(t, 1);
  for (int i = 0; i < g->n_nodes; ++i) {
    const cb__node *n = &g->nodes[i];
    if (n->folded) continue;
    const double t0 = t->prof ? cb__train_now() : 0.0;
    if (!cb__train_forward_special(t, n)) n->op->run(g, n, g->work);
    if (t->prof) t->prof[2 * i] += cb__train_now() - t0;
  }
  point_values(t, 0);
  t->step += 1;
  t->forwarded = 1;
  return CB_OK;
}

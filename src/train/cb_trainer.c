/* cb_trainer.c - one micro-shard's gradient vector, the update from the combined vector, inference. */
#include "cb_trainer.h"

#include <stdlib.h>
#include <string.h>

#include "cb_train_impl.h"
#include "cb_train_ops.h"
#include "cb_trainer_impl.h"

void cb_trainer_destroy(cb_trainer **tp) {
  if (tp == NULL || *tp == NULL) return;
  cb_trainer *t = *tp;
  cb_optim_destroy(&t->opt);
  cb_train_destroy(&t->tr);
  cb_graph_destroy(&t->g);
  free(t->buf);
  free(t->buf_numel);
  free(t->run0);
  free(t->xpad);
  free(t->logits_out);
  free(t);
  *tp = NULL;
}

/* The running mean and variance of every BatchNormalization node (constants updated by the training forward). */
static cb_status find_buffers(cb_trainer *t) {
  cb_graph *g = t->g;
  t->buf = calloc((size_t)(2 * g->n_nodes + 1), sizeof *t->buf);
  t->buf_numel = calloc((size_t)(2 * g->n_nodes + 1), sizeof *t->buf_numel);
  if (t->buf == NULL || t->buf_numel == NULL) return CB_ERROR(CB_ERR_NOMEM, "trainer: out of memory");
  for (int i = 0; i < g->n_nodes; ++i) {
    const cb__node *n = &g->nodes[i];
    if (n->folded || n->op != &cb__op_batchnorm) continue;
    for (int k = 3; k <= 4; ++k) {
      cb__value *v = cb__in(g, n, k);
      if (v == NULL || v->kind != CB__V_CONST || v->dtype != CB_DT_FLOAT) continue;
      t->buf[t->n_buf] = v->cdata, t->buf_numel[t->n_buf] = cb__numel(v);
      t->buf_floats += t->buf_numel[t->n_buf++];
    }
  }
  t->run0 = calloc((size_t)(t->buf_floats > 0 ? t->buf_floats : 1), sizeof *t->run0);
  if (t->run0 == NULL) return CB_ERROR(CB_ERR_NOMEM, "trainer: out of memory");
  for (int b = 0, off = 0; b < t->n_buf; off += (int)t->buf_numel[b++])
    memcpy(t->run0 + off, t->buf[b], (size_t)t->buf_numel[b] * sizeof(float));
  return CB_OK;
}

/* Checks the graph's input and logits and sizes the buffers. */
static cb_status check_graph(cb_trainer *t) {
  cb_graph *g = t->g;
  if (g->n_inputs != 1 || g->values[g->inputs[0]].ndim != 4)
    return CB_ERROR(CB_ERR_UNSUPPORTED, "trainer: the model needs one (N, C, H, W) input (it has %d inputs)", g->n_inputs);
  const cb__value *in = &g->values[g->inputs[0]];
  t->logits = g->n_outputs > 0 ? g->outputs[0] : -1;
  for (int i = g->n_nodes - 1; t->logits < 0 && i >= 0; --i)
    if (!g->nodes[i].folded) t->logits = g->nodes[i].out[0];
  const cb__value *lg = t->logits >= 0 ? &g->values[t->logits] : NULL;
  if (lg == NULL || lg->ndim != 2 || lg->shape[0] != in->shape[0])
    return CB_ERROR(CB_ERR_UNSUPPORTED, "trainer: the model's output '%s' is not (batch, classes) logits",
                    lg ? lg->name : "(none)");
  t->shard = (int)in->shape[0], t->classes = (int)lg->shape[1];
  t->c = (int)in->shape[1], t->h = (int)in->shape[2], t->w = (int)in->shape[3];
  const size_t img = (size_t)t->c * (size_t)t->h * (size_t)t->w;
  t->logits_out = calloc((size_t)t->shard * (size_t)t->classes, sizeof *t->logits_out);
  t->xpad = calloc((size_t)t->shard * img, sizeof *t->xpad);
  if (t->logits_out == NULL || t->xpad == NULL) return CB_ERROR(CB_ERR_NOMEM, "trainer: out of memory");
  return CB_OK;
}

cb_status cb_trainer_create(cb_graph *g, const cb_trainer_opts *o, cb_trainer **out) {
  if (g == NULL || o == NULL || out == NULL) {
    cb_graph_destroy(&g);
    return CB_ERROR(CB_ERR_ARG, "trainer: NULL argument");
  }
  cb_status st = CB_OK;
  cb_trainer *t = calloc(1, sizeof *t);
  if (t == NULL) {
    cb_graph_destroy(&g);
    return CB_ERROR(CB_ERR_NOMEM, "trainer: out of memory");
  }
  t->g = g;
  const cb_train_opts to = {.seed = o->seed, .threads = o->threads};
  CB_CHECK_GOTO(cb_train_create(g, &to, &t->tr), st, fail);
  CB_CHECK_GOTO(check_graph(t), st, fail);
  CB_CHECK_GOTO(find_buffers(t), st, fail);
  CB_CHECK_GOTO(cb_optim_create_train(&o->optim, t->tr, &t->opt), st, fail);
  for (int i = 0; i < cb_train_n_params(t->tr); ++i) {
    int64_t n = 0;
    cb_train_param_data(t->tr, i, &n);
    t->grad_floats += n;
  }
  *out = t;
  return CB_OK;
fail:
  cb_trainer_destroy(&t);
  return st;
}

cb_graph *cb_trainer_graph(cb_trainer *t) { return t ? t->g : NULL; }
int cb_trainer_shard_size(const cb_trainer *t) { return t ? t->shard : 0; }
int cb_trainer_classes(const cb_trainer *t) { return t ? t->classes : 0; }
int64_t cb_trainer_vec_len(const cb_trainer *t) { return t ? t->grad_floats + t->buf_floats : 0; }

int64_t cb_trainer_image_floats(const cb_trainer *t, int *c, int *h, int *w) {
  if (t == NULL) return 0;
  if (c) *c = t->c;
  if (h) *h = t->h;
  if (w) *w = t->w;
  return (int64_t)t->c * t->h * t->w;
}

/* Argmax of each row of z (n, classes), counted against labels when given. */
static int argmax_rows(const float *z, int n, int classes, const int *labels, int *pred) {
  int correct = 0;
  for (int i = 0; i < n; ++i) {
    const float *zi = z + (size_t)i * (size_t)classes;
    int best = 0;
    for (int k = 1; k < classes; ++k) best = zi[k] > zi[best] ? k : best;
    if (pred) pred[i] = best;
    if (labels) correct += best == labels[i];
  }
  return correct;
}

cb_status cb_trainer_shard(cb_trainer *t, const float *x, const int *labels, uint64_t shard_no, float *vec,
                           double *loss, int *correct) {
  if (t == NULL || x == NULL || labels == NULL || vec == NULL || loss == NULL || correct == NULL)
    return CB_ERROR(CB_ERR_ARG, "trainer shard: NULL argument");
  for (int b = 0, off = 0; b < t->n_buf; off += (int)t->buf_numel[b++]) /* the step's running statistics */
    memcpy(t->buf[b], t->run0 + off, (size_t)t->buf_numel[b] * sizeof(float));
  cb_train_zero_grad(t->tr);
  cb_train_set_step(t->tr, shard_no);
  CB_CHECK(cb_train_step_xent(t->tr, (const float *const[]){x}, t->logits, labels, loss));
  *correct = argmax_rows(cb_train_value(t->tr, t->logits), t->shard, t->classes, labels, NULL);
  int64_t off = 0;
  for (int i = 0; i < cb_train_n_params(t->tr); ++i) {
    int64_t n = 0;
    cb_train_param_data(t->tr, i, &n);
    memcpy(vec + off, cb_train_grad(t->tr, cb_train_param_id(t->tr, i)), (size_t)n * sizeof(float));
    off += n;
  }
  for (int b = 0; b < t->n_buf; off += t->buf_numel[b++])
    memcpy(vec + off, t->buf[b], (size_t)t->buf_numel[b] * sizeof(float));
  return CB_OK;
}

cb_status cb_trainer_update(cb_trainer *t, const float *mean_vec, double lr) {
  if (t == NULL || mean_vec == NULL) return CB_ERROR(CB_ERR_ARG, "trainer update: NULL argument");
  int64_t off = 0;
  for (int i = 0; i < cb_train_n_params(t->tr); ++i) {
    int64_t n = 0;
    cb_train_param_data(t->tr, i, &n);
    memcpy(cb_train_grad(t->tr, cb_train_param_id(t->tr, i)), mean_vec + off, (size_t)n * sizeof(float));
    off += n;
  }
  CB_CHECK(cb_optim_step_train(t->opt, t->tr, lr));
  memcpy(t->run0, mean_vec + off, (size_t)t->buf_floats * sizeof(float));
  for (int b = 0, o = 0; b < t->n_buf; o += (int)t->buf_numel[b++])
    memcpy(t->buf[b], t->run0 + o, (size_t)t->buf_numel[b] * sizeof(float));
  return CB_OK;
}

cb_status cb_trainer_predict(cb_trainer *t, const float *x, int n, int *pred) {
  if (t == NULL || x == NULL || pred == NULL || n < 0 || n > t->shard)
    return CB_ERROR(CB_ERR_ARG, "trainer predict: NULL argument or %d images (at most %d)", n, t ? t->shard : 0);
  const size_t img = (size_t)t->c * (size_t)t->h * (size_t)t->w;
  memcpy(t->xpad, x, (size_t)n * img * sizeof(float));
  memset(t->xpad + (size_t)n * img, 0, (size_t)(t->shard - n) * img * sizeof(float));
  CB_CHECK(cb_graph_run(t->g, (const float *const[]){t->xpad}, 1, &t->logits, (float *const[]){t->logits_out}));
  argmax_rows(t->logits_out, n, t->classes, NULL, pred);
  return CB_OK;
}

/* cb_optim.c - SGD (momentum, dampening, Nesterov, weight decay), Adam and AdamW, as torch.optim 1.13
 * (single-tensor, non-foreach paths: the same operations per element, in float). */
#include <math.h>
#include <stdlib.h>

#include "cb_optim.h"

struct cb_optim {
  cb_optim_opts o;
  int n;
  int64_t *numel; /* (n) */
  float **m;      /* (n) SGD momentum buffer / Adam first moment, (numel[i]) each; NULL without momentum */
  float **v;      /* (n) Adam second moment, (numel[i]) each */
  int64_t step;   /* updates done */
};

void cb_optim_destroy(cb_optim **op) {
  if (op == NULL || *op == NULL) return;
  cb_optim *o = *op;
  for (int i = 0; i < o->n; ++i) {
    if (o->m) free(o->m[i]);
    if (o->v) free(o->v[i]);
  }
  free(o->m);
  free(o->v);
  free(o->numel);
  free(o);
  *op = NULL;
}

static cb_status check_opts(cb_optim_opts *o) {
  if (o->kind != CB_OPTIM_SGD && o->kind != CB_OPTIM_ADAM && o->kind != CB_OPTIM_ADAMW)
    return CB_ERROR(CB_ERR_ARG, "optimiser: unknown kind %d", (int)o->kind);
  if (o->kind != CB_OPTIM_SGD) {
    if (o->beta1 == 0.0f) o->beta1 = 0.9f;
    if (o->beta2 == 0.0f) o->beta2 = 0.999f;
    if (o->eps == 0.0f) o->eps = 1e-8f;
    if (!(o->beta1 > 0.0f && o->beta1 < 1.0f && o->beta2 > 0.0f && o->beta2 < 1.0f && o->eps > 0.0f))
      return CB_ERROR(CB_ERR_ARG, "optimiser: Adam betas (%g, %g) must be in (0, 1), eps %g positive", o->beta1,
                      o->beta2, o->eps);
  }
  if (!(o->momentum >= 0.0f) || !(o->weight_decay >= 0.0f))
    return CB_ERROR(CB_ERR_ARG, "optimiser: momentum %g and weight decay %g must be >= 0", o->momentum, o->weight_decay);
  if (o->nesterov && (o->momentum <= 0.0f || o->dampening != 0.0f))
    return CB_ERROR(CB_ERR_ARG, "optimiser: Nesterov momentum needs momentum > 0 and dampening 0");
  return CB_OK;
}

cb_status cb_optim_create(const cb_optim_opts *opts, int n, const int64_t *numel, cb_optim **out) {
  if (opts == NULL || out == NULL || n < 0 || (n > 0 && numel == NULL))
    return CB_ERROR(CB_ERR_ARG, "optimiser: NULL argument or negative tensor count");
  cb_optim *o = calloc(1, sizeof *o);
  if (o == NULL) return CB_ERROR(CB_ERR_NOMEM, "optimiser: out of memory");
  o->o = *opts;
  cb_status st = check_opts(&o->o);
  if (st != CB_OK) {
    free(o);
    return st;
  }
  const int need_m = o->o.kind != CB_OPTIM_SGD || o->o.momentum > 0.0f, need_v = o->o.kind != CB_OPTIM_SGD;
  const size_t cnt = (size_t)(n > 0 ? n : 1);
  o->numel = calloc(cnt, sizeof *o->numel);
  o->m = need_m ? calloc(cnt, sizeof *o->m) : NULL;
  o->v = need_v ? calloc(cnt, sizeof *o->v) : NULL;
  o->n = o->numel ? n : 0;
  int ok = o->numel && (!need_m || o->m) && (!need_v || o->v);
  for (int i = 0; ok && i < n; ++i) {
    o->numel[i] = numel[i];
    const size_t bytes = (size_t)(numel[i] > 0 ? numel[i] : 1) * sizeof(float);
    if (need_m) ok = (o->m[i] = calloc(1, bytes)) != NULL;
    if (ok && need_v) ok = (o->v[i] = calloc(1, bytes)) != NULL;
  }
  if (!ok) {
    cb_optim_destroy(&o);
    return CB_ERROR(CB_ERR_NOMEM, "optimiser: out of memory");
  }
  *out = o;
  return CB_OK;
}

/* p (n) -= lr d, d from g (n) through the momentum buffer b (n) (NULL without momentum) */
static void sgd(const cb_optim_opts *o, int first, float lr, int64_t n, float *p, const float *g, float *b) {
  const float wd = o->weight_decay, mom = o->momentum, damp = 1.0f - o->dampening;
  for (int64_t i = 0; i < n; ++i) {
    float d = wd != 0.0f ? g[i] + wd * p[i] : g[i];
    if (b != NULL) {
      b[i] = first ? d : mom * b[i] + damp * d;
      d = o->nesterov ? d + mom * b[i] : b[i];
    }
    p[i] -= lr * d;
  }
}

/* Adam / AdamW on p (n) from g (n), moments m, v (n); t = this step's number (from 1) */
static void adam(const cb_optim_opts *o, int64_t t, double lr, int64_t n, float *p, const float *g, float *m, float *v) {
  const float b1 = o->beta1, b2 = o->beta2, wd = o->weight_decay;
  const float step_size = (float)(lr / (1.0 - pow(b1, (double)t)));
  const float bc2_sqrt = (float)sqrt(1.0 - pow(b2, (double)t));
  const int decoupled = o->kind == CB_OPTIM_ADAMW;
  for (int64_t i = 0; i < n; ++i) {
    float gi = g[i];
    if (decoupled) p[i] *= 1.0f - (float)lr * wd;
    else if (wd != 0.0f) gi += wd * p[i];
    m[i] = m[i] * b1 + (1.0f - b1) * gi;
    v[i] = v[i] * b2 + (1.0f - b2) * gi * gi;
    const float denom = sqrtf(v[i]) / bc2_sqrt + o->eps;
    p[i] -= step_size * (m[i] / denom);
  }
}

void cb_optim_step(cb_optim *o, double lr, float *const *params, const float *const *grads) {
  if (o == NULL || params == NULL || grads == NULL) return;
  o->step += 1;
  for (int i = 0; i < o->n; ++i) {
    if (params[i] == NULL || grads[i] == NULL) continue;
    if (o->o.kind == CB_OPTIM_SGD) sgd(&o->o, o->step == 1, (float)lr, o->numel[i], params[i], grads[i], o->m ? o->m[i] : NULL);
    else adam(&o->o, o->step, lr, o->numel[i], params[i], grads[i], o->m[i], o->v[i]);
  }
}

cb_status cb_optim_create_train(const cb_optim_opts *opts, cb_train *t, cb_optim **out) {
  if (t == NULL) return CB_ERROR(CB_ERR_ARG, "optimiser: NULL training state");
  const int n = cb_train_n_params(t);
  int64_t *numel = malloc((size_t)(n > 0 ? n : 1) * sizeof *numel);
  if (numel == NULL) return CB_ERROR(CB_ERR_NOMEM, "optimiser: out of memory");
  for (int i = 0; i < n; ++i) cb_train_param_data(t, i, &numel[i]);
  cb_status st = cb_optim_create(opts, n, numel, out);
  free(numel);
  return st;
}

cb_status cb_optim_step_train(cb_optim *o, cb_train *t, double lr) {
  if (o == NULL || t == NULL) return CB_ERROR(CB_ERR_ARG, "optimiser step: NULL argument");
  const int n = cb_train_n_params(t);
  if (n != o->n) return CB_ERROR(CB_ERR_ARG, "optimiser step: %d parameters, the optimiser holds %d", n, o->n);
  float **p = malloc((size_t)(n > 0 ? n : 1) * sizeof *p), **g = malloc((size_t)(n > 0 ? n : 1) * sizeof *g);
  cb_status st = CB_OK;
  if (p == NULL || g == NULL) {
    st = CB_ERROR(CB_ERR_NOMEM, "optimiser step: out of memory");
  } else {
    for (int i = 0; i < n; ++i) {
      int64_t numel = 0;
      p[i] = cb_train_param_data(t, i, &numel);
      g[i] = cb_train_grad(t, cb_train_param_id(t, i));
      if (numel != o->numel[i]) st = CB_ERROR(CB_ERR_ARG, "optimiser step: parameter %d has %lld elements, not %lld", i,
                                              (long long)numel, (long long)o->numel[i]);
    }
    if (st == CB_OK) cb_optim_step(o, lr, p, (const float *const *)g);
  }
  free(p);
  free(g);
  return st;
}

int64_t cb_optim_steps(const cb_optim *o) { return o ? o->step : 0; }

void cb_optim_set_steps(cb_optim *o, int64_t steps) {
  if (o != NULL && steps >= 0) o->step = steps;
}

int cb_optim_n_tensors(const cb_optim *o) { return o ? o->n : 0; }

float *cb_optim_buffer(cb_optim *o, int i, int which) {
  if (o == NULL || i < 0 || i >= o->n) return NULL;
  float **b = which == 0 ? o->m : which == 1 ? o->v : NULL;
  return b ? b[i] : NULL;
}

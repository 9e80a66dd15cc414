/* cb_train_impl.h - internal: the training state and the per-operator backward table shared by
 * cb_train.c (state, parameters), cb_train_forward.c, cb_train_backward.c and the cb_train_op_*.c
 * adapters. It reads the engine's graph internals (src/nn/cb_graph_impl.h): nodes, values, the
 * operators' parsed parameters. Not public. */
#ifndef CB_TRAIN_IMPL_H
#define CB_TRAIN_IMPL_H

#include "cb_graph_impl.h"
#include "cb_train.h"
#include "cb_train_ops.h"

struct cb_train {
  cb_graph *g;         /* not owned */
  cb_train_opts opts;
  int threads;         /* resolved opts.threads */
  float **val;         /* (n_values) training copies of runtime values and inputs ((numel) floats), else NULL */
  float **grad;        /* (n_values) gradient buffers ((numel) floats): parameters and inputs for the state's life,
                        * runtime values only during backward (cb_train_gradpool.c), else NULL */
  char *wants_grad;    /* (n_values) 1 when the value takes a gradient (grad[id] exists or is taken on demand) */
  size_t *grad_cap;    /* (n_values) floats of the pool buffer a runtime value's grad holds */
  float **pool;        /* (n_values) free gradient buffers of runtime values ... */
  size_t *pool_cap;    /* (n_values) ... and their sizes in floats */
  int pool_n;
  int nomem;           /* a gradient buffer could not be taken during this backward */
  char *has_grad;      /* (n_values) 1 when grad[id] received something this backward */
  char *is_param;      /* (n_values) */
  int n_params;
  int *params;         /* (n_params) value ids */
  float **saved;       /* (n_nodes) per-node training state: BN (2c) mean, invstd; Dropout (numel) scale */
  size_t work_floats;
  float *work;         /* (work_floats) backward scratch: col buffers, regrouped dy */
  uint64_t step;       /* forwards run so far (Dropout's step) */
  int forwarded;       /* a forward ran since create */
  double *prof;        /* (2 n_nodes) forward, backward seconds per node when opts.profile, else NULL */
};

/* Backward of one node: reads t->val of its inputs and outputs and t->grad of its outputs, adds to
 * t->grad of those inputs that have a buffer (cb__tgrad). */
typedef void (*cb__backward_fn)(cb_train *t, const cb__node *n);
/* The backward of node n's operator, NULL when it has none. */
cb__backward_fn cb__train_backward_of(const cb__node *n);
/* Whether input slot k of node n carries a gradient (Reshape's shape, BN's running statistics do not). */
int cb__train_slot_differentiable(const cb__node *n, int k);
/* Floats of backward scratch node n needs. */
size_t cb__train_work(cb_train *t, const cb__node *n);

/* Data of value id during training (inputs and runtime values: the copies; constants: their data). */
static inline float *cb__tval(cb_train *t, int id) {
  return t->val[id] != NULL ? t->val[id] : (float *)t->g->values[id].data;
}
/* The gradient buffer of runtime value id, taken from the pool and zeroed when it has none (CB_ERR_NOMEM: sets
 * t->nomem); given back to the pool (no-op for other values and values without one); every pooled buffer freed. */
cb_status cb__train_grad_take(cb_train *t, int id);
void cb__train_grad_give(cb_train *t, int id);
void cb__train_grad_pool_free(cb_train *t);

/* Gradient buffer of input k of n (marked as written this pass), NULL when it takes none (or, t->nomem set, when
 * no memory was left for it). */
static inline float *cb__tgrad_in(cb_train *t, const cb__node *n, int k) {
  if (k >= n->n_in || n->in[k] < 0 || !t->wants_grad[n->in[k]]) return NULL;
  if (t->grad[n->in[k]] == NULL && cb__train_grad_take(t, n->in[k]) != CB_OK) return NULL;
  t->has_grad[n->in[k]] = 1;
  return t->grad[n->in[k]];
}

/* Training-mode forward of the nodes whose inference run does not apply (BatchNormalization, Dropout):
 * 1 when handled here. */
int cb__train_forward_special(cb_train *t, const cb__node *n);

/* Monotonic seconds (the profile's clock). */
double cb__train_now(void);

#endif

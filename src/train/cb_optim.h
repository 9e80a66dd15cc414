/* cb_optim.h - optimisers (SGD with momentum, dampening, Nesterov and weight decay; Adam and AdamW) and
 * learning-rate schedules (step, cosine annealing, linear warm-up), with torch.optim's update rules.
 *
 * An optimiser holds the state of a fixed list of tensors (momentum buffers, moments); a step updates
 * each tensor in place from its gradient with the learning rate it is given (a schedule's value):
 *   cb_optim_create(&(cb_optim_opts){.kind = CB_OPTIM_SGD, .momentum = 0.9f, .weight_decay = 5e-4f},
 *                   n, numel, &o);
 *   for (t = 0; ...; ++t) { ...gradients...; cb_optim_step(o, cb_lr_at(&sched, t), params, grads); }
 * cb_optim_create_train / cb_optim_step_train do the same over a cb_train's parameters.
 * Arithmetic is float per element, in a fixed order; scalars (bias corrections) in double. */
#ifndef CB_OPTIM_H
#define CB_OPTIM_H

#include <stdint.h>

#include "cb_status.h"
#include "cb_train.h"

typedef enum cb_optim_kind { CB_OPTIM_SGD = 0, CB_OPTIM_ADAM, CB_OPTIM_ADAMW } cb_optim_kind;

typedef struct cb_optim_opts {
  cb_optim_kind kind;
  float weight_decay; /* SGD, Adam: g += wd p (L2 in the gradient); AdamW: p -= lr wd p (decoupled) */
  /* SGD: b = g (first step), else b = momentum b + (1 - dampening) g; d = nesterov ? g + momentum b : b;
   * p -= lr d (momentum 0: p -= lr g) */
  float momentum, dampening;
  int nesterov;       /* needs momentum > 0 and dampening 0 */
  /* Adam: m = beta1 m + (1 - beta1) g, v = beta2 v + (1 - beta2) g^2,
   * p -= lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps). Zeros: 0.9, 0.999, 1e-8. */
  float beta1, beta2, eps;
} cb_optim_opts;

typedef struct cb_optim cb_optim;

/* State for n tensors of numel[i] elements (zero moments, step 0). CB_ERR_ARG on invalid options. */
cb_status cb_optim_create(const cb_optim_opts *opts, int n, const int64_t *numel /* (n) */, cb_optim **out);
void cb_optim_destroy(cb_optim **o);
/* One update with learning rate lr: params[i] ((numel[i]) floats) from grads[i]. */
void cb_optim_step(cb_optim *o, double lr, float *const *params /* (n) */, const float *const *grads /* (n) */);
/* The same over the parameters of t (cb_train_n_params, in their order). */
cb_status cb_optim_create_train(const cb_optim_opts *opts, cb_train *t, cb_optim **out);
cb_status cb_optim_step_train(cb_optim *o, cb_train *t, double lr);
/* The state a checkpoint keeps: updates done (Adam's bias corrections and SGD's first step read it), and the
 * buffers of tensor i ((numel[i]) floats): which 0 = SGD momentum or Adam first moment, 1 = Adam second
 * moment; NULL when the optimiser has none. */
int64_t cb_optim_steps(const cb_optim *o);
void cb_optim_set_steps(cb_optim *o, int64_t steps);
float *cb_optim_buffer(cb_optim *o, int i, int which);
int cb_optim_n_tensors(const cb_optim *o);

/* Learning rate at step t >= 0 (t counts optimiser steps from 0):
 *   warm-up (warmup > 0): for t < warmup, lr = base * (f0 + (1 - f0) t / warmup), f0 = warmup_factor
 *     (PyTorch's LinearLR(start_factor = f0, total_iters = warmup)); afterwards the main schedule runs on
 *     s = t - warmup (SequentialLR with milestone warmup);
 *   main, at step s: CONSTANT base; STEP base * gamma^floor(s / step_size) (StepLR);
 *     COSINE eta_min + (base - eta_min) (1 + cos(pi s / t_max)) / 2 (CosineAnnealingLR, t_max > 0; past
 *     t_max the rate rises again, as PyTorch's: run t_max steps). */
typedef enum cb_lr_kind { CB_LR_CONSTANT = 0, CB_LR_STEP, CB_LR_COSINE } cb_lr_kind;

typedef struct cb_lr_schedule {
  cb_lr_kind kind;
  double base;
  int step_size;       /* STEP */
  double gamma;        /* STEP */
  int t_max;           /* COSINE */
  double eta_min;      /* COSINE */
  int warmup;          /* steps of linear warm-up, 0 = none */
  double warmup_factor; /* factor of base at step 0 of the warm-up */
} cb_lr_schedule;

double cb_lr_at(const cb_lr_schedule *s, int t);

#endif

/* cb_trainer_impl.h - internal: the trainer's state, shared by cb_trainer.c and cb_trainer_ckpt.c. */
#ifndef CB_TRAINER_IMPL_H
#define CB_TRAINER_IMPL_H

#include "cb_train.h"
#include "cb_trainer.h"

struct cb_trainer {
  cb_graph *g;          /* owned; batch dimension = shard */
  cb_train *tr;
  cb_optim *opt;
  int logits;           /* value id of the (shard, classes) logits */
  int shard, classes, c, h, w;
  int64_t grad_floats;  /* parameters' elements */
  int n_buf;
  float **buf;          /* (n_buf) BatchNormalization running means and variances (graph constants) */
  int64_t *buf_numel;   /* (n_buf) */
  int64_t buf_floats;
  float *run0;          /* (buf_floats) running statistics at the start of the step */
  float *xpad;          /* (shard, c, h, w) inference input */
  float *logits_out;    /* (shard, classes) */
};

#endif

/* cb_trainer.h - the serial pieces of data-parallel training (PETSc's VecDot_Seq to src/par's driver):
 *
 *   a step's global batch is cut into micro-shards of a fixed size (the graph's batch dimension); each shard's
 *   gradient is computed on its own (cb_trainer_shard: forward in training mode, mean softmax cross-entropy
 *   over the shard, backward) into a flat vector; the caller combines the vectors of all the step's shards in
 *   one fixed order (the mean, src/par/cb_par_train.c) and hands the result to cb_trainer_update (optimiser
 *   step). Whoever computed a shard, the bits are the same: a shard's vector depends on its images, the
 *   weights and the shard's global number (Dropout's masks) only.
 *
 * The vector of a shard: every parameter's gradient (cb_train_n_params order), then every BatchNormalization
 * running mean and variance as the shard's forward leaves them, starting from the step's values (statistics per
 * micro-shard, like PyTorch DDP without SyncBatchNorm; the mean over shards becomes the new running values).
 *
 * Checkpoints: the graph as ONNX (cb_onnx_write_graph, batch dimension "N") and a binary state file beside
 * it (step, optimiser steps and buffers), both written atomically. Data order and Dropout are pure functions
 * of (seed, step), so nothing else is needed to resume bit for bit. */
#ifndef CB_TRAINER_H
#define CB_TRAINER_H

#include <stdint.h>

#include "cb_graph.h"
#include "cb_optim.h"
#include "cb_status.h"

typedef struct cb_trainer cb_trainer;

typedef struct cb_trainer_opts {
  cb_optim_opts optim;
  uint64_t seed; /* Dropout masks */
  int threads;   /* GEMM threads; <= 0: default */
} cb_trainer_opts;

/* g: finished, one float input (shard, c, h, w), its (first) output the logits (shard, classes); owned by the
 * trainer from here on (destroyed with it, also on failure). */
cb_status cb_trainer_create(cb_graph *g, const cb_trainer_opts *o, cb_trainer **out);
void cb_trainer_destroy(cb_trainer **t);
cb_graph *cb_trainer_graph(cb_trainer *t);
int cb_trainer_shard_size(const cb_trainer *t);
int cb_trainer_classes(const cb_trainer *t);
/* Floats of one image (c*h*w) and its (c, h, w). */
int64_t cb_trainer_image_floats(const cb_trainer *t, int *c, int *h, int *w);
/* Floats of a shard's vector. */
int64_t cb_trainer_vec_len(const cb_trainer *t);

/* One shard: x (shard, c, h, w), labels (shard); vec (vec_len) receives the shard's vector, *loss its mean
 * loss, *correct how many argmax predictions were right. shard_no: the shard's global number (Dropout). */
cb_status cb_trainer_shard(cb_trainer *t, const float *x, const int *labels, uint64_t shard_no, float *vec,
                           double *loss, int *correct);
/* Applies the mean vector of a step's shards: the gradients go through the optimiser with rate lr, the running
 * statistics are replaced. */
cb_status cb_trainer_update(cb_trainer *t, const float *mean_vec, double lr);
/* Inference (running statistics, no Dropout) on n <= shard images x (n, c, h, w): argmax classes into pred (n). */
cb_status cb_trainer_predict(cb_trainer *t, const float *x, int n, int *pred);

/* Checkpoint of the state after `step` optimiser steps: onnx_path, then state_path (written last). */
cb_status cb_trainer_save(cb_trainer *t, const char *onnx_path, const char *state_path, int64_t step);
/* Reads a state file written by cb_trainer_save for this graph (its weights come from the ONNX file the
 * graph was loaded from): optimiser buffers and steps; *step receives the step. */
cb_status cb_trainer_load_state(cb_trainer *t, const char *state_path, int64_t *step);

/* Where the images of a step come from: a pure function of (seed, position). Position p = step * batch + j
 * (j-th image of the step's batch) is image perm_e[p mod n] of epoch e = p / n, perm_e a seeded shuffle of
 * [0, n) (stream (seed, e)); batches run across epoch ends. */
typedef struct cb_train_order {
  uint64_t seed;
  int64_t n;
  int64_t epoch; /* of perm, -1 when none yet */
  int64_t *perm; /* (n) */
} cb_train_order;
cb_status cb_train_order_init(cb_train_order *o, uint64_t seed, int64_t n);
void cb_train_order_free(cb_train_order *o);
/* Image index and epoch of position p. */
cb_status cb_train_order_at(cb_train_order *o, int64_t p, int64_t *index, int64_t *epoch);

/* A labelled set of 8-bit images (views, not owned) and how they become inputs: x = (pixel / 255 - mean) / std of
 * the image, randomly cropped when crop_padding = P > 0 (torchvision's RandomCrop(size, padding=P): the (h, w)
 * window at offsets (dy, dx), each uniform in [0, 2P], of the image padded with P pixels of 0 on every side),
 * then mirrored left-right when flip (probability 1/2); offsets and mirror are draws of (seed, epoch, index). */
typedef struct cb_train_images {
  int64_t n;
  int c, h, w;
  const uint8_t *pixels; /* (n, c, h, w) */
  const int *labels;     /* (n) */
  float mean, std;
  int flip, crop_padding;
  uint64_t seed;
} cb_train_images;
/* Image idx into x (c, h, w); epoch < 0: no augmentation (evaluation). */
void cb_train_images_fill(const cb_train_images *d, int64_t idx, int64_t epoch, float *x);

#endif

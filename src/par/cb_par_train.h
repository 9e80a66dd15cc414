/* cb_par_train.h - `cortexbench train`: data-parallel training of a model on labelled images.
 *
 * Each step's global batch (cfg->batch images) is cut into batch / micro_batch micro-shards; rank r computes
 * the contiguous block of shards cb_par_block gives it (cb_trainer_shard), the shard vectors reach every rank
 * (MPI_Allgatherv) and every rank takes their mean in shard order, in double, then applies the same update.
 * The weights after N steps are therefore the same bits for any rank count. Rank 0 writes checkpoints
 * (DIR/checkpoints/step-NNNNNNNN.onnx + .state, then DIR/checkpoints/latest naming them, all atomic), the
 * test-accuracy curve (DIR/curve.csv) and a progress line. A run finds DIR/checkpoints/latest and resumes from
 * it (the configuration must be the one DIR/train.ini recorded). SIGTERM, SIGINT or SIGUSR1: a checkpoint,
 * then CB_ERR_INTERRUPTED.
 *
 * Task data: cfg->data = "fashion-mnist" is read here (IDX files); any other value needs the caller's source
 * (src: `cortexbench train` builds the synthetic-it one in src/cli/train_synth.c, since par does not see synth).
 * A source's training data are a stream: position p = step * batch + j of the run is training image p, a new
 * image every time (no epochs, no order to shuffle). */
#ifndef CB_PAR_TRAIN_H
#define CB_PAR_TRAIN_H

#include <stdint.h>

#include "cb_par.h"
#include "cb_status.h"
#include "cb_train_config.h"

typedef struct cb_par_train_source {
  int classes;    /* of the labels */
  int64_t n_test; /* test images */
  void *ctx;
  /* Image idx of the training stream (set 0) or of the test set (set 1, idx < n_test) as the model's input x
   * (c, h, w), its class into *label: a pure function of (set, idx, c, h, w), so any rank computes any image. */
  cb_status (*image)(void *ctx, int set, int64_t idx, int c, int h, int w, float *x, int *label);
} cb_par_train_source;

/* src: NULL for fashion-mnist. */
cb_status cb_par_train_run(cb_par *p, const cb_train_config *cfg, const char *config_path, const char *outdir,
                           const cb_par_train_source *src);

#endif

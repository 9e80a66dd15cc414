/* cb_par_train.h - `cortexbench train`: data-parallel training of a model on labelled images.
 *
 * Each step's global batch (cfg->batch images) is cut into batch / micro_batch micro-shards; rank r computes
 * the contiguous block of shards cb_par_block gives it (cb_trainer_shard), the shard vectors reach every rank
 * (MPI_Allgatherv) and every rank takes their mean in shard order, in double, then applies the same update.
 * The weights after N steps are therefore the same bits for any rank count. Rank 0 writes checkpoints
 * (DIR/checkpoints/step-NNNNNNNN.onnx + .state, then DIR/checkpoints/latest naming them, all atomic), the
 * test-accuracy curve (DIR/curve.csv) and a progress line. A run finds DIR/checkpoints/latest and resumes from
 * it (the configuration must be the one DIR/train.ini recorded). SIGTERM, SIGINT or SIGUSR1: a checkpoint,
 * then CB_ERR_INTERRUPTED. */
#ifndef CB_PAR_TRAIN_H
#define CB_PAR_TRAIN_H

#include "cb_par.h"
#include "cb_status.h"
#include "cb_train_config.h"

cb_status cb_par_train_run(cb_par *p, const cb_train_config *cfg, const char *config_path, const char *outdir);

#endif

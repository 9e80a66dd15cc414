/* train_synth.h - the synthetic-it image source of `cortexbench train` (train_synth.c). */
#ifndef CB_CLI_TRAIN_SYNTH_H
#define CB_CLI_TRAIN_SYNTH_H

#include "cb_par_train.h"
#include "cb_status.h"
#include "cb_train_config.h"

/* The source of cfg (data = synthetic-it: data_seed, test_seed, mean, std) into *out; destroy it after the run. */
cb_status cb_cli_train_synth_create(const cb_train_config *cfg, cb_par_train_source *out);
/* NULL-safe; leaves src->ctx NULL. */
void cb_cli_train_synth_destroy(cb_par_train_source *src);

#endif

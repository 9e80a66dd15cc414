/* cb_scorer.h - the scoring stage of a suite as serial steps: the list of its
 * tasks (benchmark x model x layer, each with its task key and score file)
 * and one task run (benchmark loaded once, activations opened once, the
 * layer-selection PCA fitted once per layer, the layer scored, the model RDM
 * kept for the report, the score record written atomically). The MPI driver
 * (src/par/cb_suite.c) only decides which tasks are committed and hands the
 * others out; every rank holds its own scorer. */
#ifndef CB_SCORER_H
#define CB_SCORER_H

#include "cb_fs.h"
#include "cb_plan.h"
#include "cb_status.h"
#include "cb_taskkey.h"

typedef struct cb_score_task {
  int b, m, l; /* benchmark, model, layer (indices into the plan) */
  int pca;     /* 1: selection score on PCA-projected activations */
  char key[CB_KEY_HEX];
  char path[CB_PATH_MAX]; /* the score file */
} cb_score_task;

typedef struct cb_scorer cb_scorer;

/* Lists the plan's tasks in order (benchmark, model, layer) with their keys and paths. The plan must outlive the
 * scorer. */
cb_status cb_scorer_create(const cb_plan *pl, cb_scorer **out);
void cb_scorer_destroy(cb_scorer **s); /* NULL-safe */

/* The tasks (n); valid until cb_scorer_destroy. */
const cb_score_task *cb_scorer_tasks(const cb_scorer *s, int *n);

/* Runs task k and writes its score file. A layer that cannot be scored (constant for every stimulus) is recorded as
 * missing (NaN) with a warning, not an error. */
cb_status cb_scorer_run(cb_scorer *s, int k);

#endif

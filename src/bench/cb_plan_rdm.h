/* cb_plan_rdm.h - the RDMs of a suite's RSA benchmarks that its report draws: the brain's and each model's, on
 * the benchmark's stimuli. Serial; the report step (src/report/cb_report_suite.c) calls them on rank 0. */
#ifndef CB_PLAN_RDM_H
#define CB_PLAN_RDM_H

#include "cb_benchmark.h"
#include "cb_plan.h"
#include "cb_status.h"

/* Where the model RDMs' time went (seconds): read from the scoring's cache, or recomputed from activations. */
typedef struct cb_rdm_clock {
  double cached, acts_read, rdm;
  int n_cached, n_computed;
} cb_rdm_clock;

/* The brain's RDM of benchmark b (m, m) and its stimulus ids: 1 - Pearson of the assembly's stimulus means, or the
 * mean of an RDM dataset's subjects. *bench (loaded over all stimuli, no ceiling) owns both. */
cb_status cb_plan_brain_rdm(const cb_plan *pl, int b, cb_bench **bench, const double **D /* (m, m) */);

/* The RDM D (m, m) of model mi on the stimuli of nd (dataset d): an RDM-only model's matrix, or the chosen layer's
 * 1 - Pearson: the one its score task kept (cb_rdmcache, task key `key`), else computed from the activations. */
cb_status cb_plan_model_rdm(const cb_plan *pl, int mi, int d, const char *layer, const cb_neural *nd,
                            double *D /* (m, m) */, const char *key, cb_rdm_clock *clk);

#endif

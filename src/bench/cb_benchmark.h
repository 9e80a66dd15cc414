/* cb_benchmark.h - a benchmark = neural recordings + a metric + a ceiling.
 * Loading prepares the stimulus-level responses, stratification classes
 * and the ceiling once; scoring a model layer is then one call. */
#ifndef CB_BENCHMARK_H
#define CB_BENCHMARK_H

#include <stdint.h>

#include "cb_activations.h"
#include "cb_assembly.h"
#include "cb_predictivity.h"
#include "cb_score.h"
#include "cb_status.h"

typedef struct cb_bench_params {
  const char *id;         /* benchmark identifier written into scores */
  const char *metric;     /* "pls" */
  const char *region;     /* NULL: every neuroid */
  const char *stratify;   /* presentation coordinate or NULL */
  const char *ceiling;    /* "internal" or "none" */
  const char *normalise;  /* "r2/c", "(r/c)^2", "r/c" */
  double t0, t1;          /* ms window; NaN: all bins */
  int splits, components;
  double train_fraction;
  uint64_t seed;
} cb_bench_params;

/* Defaults: Brain-Score's (10 splits, 0.9 train, 25 components, seed 1,
 * internal ceiling, r2/c). */
void cb_bench_params_defaults(cb_bench_params *p);

typedef struct cb_bench {
  cb_bench_params params;
  char *assembly_path;
  cb_neural *neural;      /* stimulus-level responses */
  int *labels;            /* (n_stim) class ids for stratification, or NULL */
  double ceiling;         /* NaN when ceiling = none */
  double ceiling_error;
  cb_normalise norm;
} cb_bench;

/* Reads the assembly, builds the stimulus-level view and the ceiling. */
cb_status cb_bench_load(const char *assembly_path, const cb_bench_params *p, cb_bench **out);
void cb_bench_destroy(cb_bench **b);

/* Scores one layer of an activations file (rows matched by stimulus_id). */
cb_status cb_bench_score_layer(const cb_bench *b, const char *act_path, const cb_activations *acts,
                               const char *layer, cb_score *out);

#endif

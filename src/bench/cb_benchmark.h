/* cb_benchmark.h - a benchmark = neural recordings + a metric + a ceiling.
 * Loading prepares the stimulus-level responses, stratification classes,
 * cross-validation splits and the ceiling once; scoring a model layer is
 * then one call. Sequential (no MPI). */
#ifndef CB_BENCHMARK_H
#define CB_BENCHMARK_H

#include <stdint.h>

#include "cb_activations.h"
#include "cb_assembly.h"
#include "cb_cka.h"
#include "cb_config.h"
#include "cb_metric_table.h"
#include "cb_predictivity.h"
#include "cb_rdm.h"
#include "cb_pca.h"
#include "cb_rdmfile.h"
#include "cb_score.h"
#include "cb_splits.h"
#include "cb_status.h"

/* 1 for the metrics `ceiling = voxel` accepts (pls, ridge, ridgecv, linear). */
int cb_ceiling_voxel_metric(cb_metric_kind k);
/* Parsers for the option strings (errors list the accepted values). */
cb_status cb_rdm_distance_parse(const char *s, cb_rdm_distance *out);     /* 1-pearson, euclidean, cosine */
cb_status cb_rdm_compare_parse(const char *s, cb_rdm_compare_kind *out);  /* spearman, kendall, pearson, cosine */
cb_status cb_cka_estimator_parse(const char *s, cb_cka_estimator *out);   /* biased, unbiased */

typedef struct cb_bench_params {
  const char *id;          /* benchmark identifier written into scores; NULL: the assembly's BrainIO identifier,
                              else its file name without extension */
  const char *metric;      /* see cb_metric_parse */
  const char *region;      /* NULL: every neuroid */
  const char *stratify;    /* presentation coordinate or NULL */
  const char *group;       /* NULL: ungrouped; else a presentation coordinate (stimulus-set column for RDM datasets)
                              whose values are groups never split between train and test (e.g. movie_id): every
                              split is grouped (GroupShuffleSplit / GroupKFold / StratifiedGroupKFold, cb_splits.h) */
  /* Fields marked "unset" take the metric's default (cb_metric_table.h) in cb_bench_params_resolve. */
  const char *split;       /* "stratified" (plain shuffle without a stratify column), "shuffle", "kfold", "all";
                              NULL: unset */
  const char *ceiling;     /* "internal" (per-neuroid split-half internal consistency; the Nili et al. ceiling on an
                              RDM dataset), "metric-split-half" (rdm, cka: split-half consistency of the metric
                              itself), "voxel" (pls/ridge/ridgecv/linear, >= 2 repetitions; cb_voxel.h) or "none";
                              NULL: unset */
  const char *normalise;   /* "r2/c", "(r/c)^2", "r/c"; NULL: unset */
  double t0, t1;           /* ms window; NaN: all bins */
  int splits;              /* shuffle splits, or folds for kfold; 0: unset */
  int components;          /* PLS; 0: unset */
  double train_fraction;   /* NaN: unset */
  uint64_t seed;
  double alpha;            /* ridge; NaN: unset */
  const double *alphas;    /* (n_alphas) ridgecv grid; NULL: Brain-Score's 99 values */
  int n_alphas;
  int alpha_per_target;    /* ridgecv: one alpha per neuroid (1) or shared (0) */
  const char *distance;    /* rdm: "1-pearson", "euclidean", "cosine"; NULL: unset */
  const char *compare;     /* rdm: "spearman", "kendall", "pearson", "cosine"; NULL: unset */
  const char *cka;         /* cka: "biased" or "unbiased"; NULL: unset */
  const char *subjects;    /* rdm on an RDM dataset with several subjects: "average" (default: mean over subjects
                              of the comparison with each subject's RDM, as Nili et al. 2014 and rsatoolbox's
                              eval_fixed) or "mean-rdm" (comparison with the subject-mean RDM) */
  int bootstrap;           /* bootstrap replicates over test stimuli (0: none) */
  double ci_level;         /* e.g. 0.95 */
  const char *stimuli;     /* the stimulus-set CSV the activations were computed from, or NULL: only recorded (its
                              SHA-256 goes into every score as stimulus_set_sha256) */
} cb_bench_params;

/* Metric pls, seed 1, every metric-dependent field unset. */
void cb_bench_params_defaults(cb_bench_params *p);
/* Fills every unset field from the row of p->metric (cb_metric_table.h); an
 * unknown metric is an error. Idempotent. */
cb_status cb_bench_params_resolve(cb_bench_params *p);
/* The parameters of a configuration's [benchmark] section, resolved (the metric was checked when the configuration
 * was read, cb_bench_config_read). Strings point into b. */
void cb_bench_params_from_config(const cb_cfg_benchmark *b, cb_bench_params *p);

/* Reads a suite configuration (cb_config_read) and checks what io cannot know of its metrics
 * (cb_bench_config_check): every reader of a suite configuration goes through it. */
cb_status cb_bench_config_read(const char *path, cb_config **out);
/* Through the metric table: every [benchmark]'s metric is a row, ceiling = voxel only with a metric that allows
 * it, a dataset of RDMs only with an RDM metric. CB_ERR_CONFIG with a one-line message naming the file, the
 * section and the key, as cb_config_read's. */
cb_status cb_bench_config_check(const cb_config *c);

typedef struct cb_bench {
  cb_bench_params params;
  cb_metric_kind metric;
  const cb_metric_row *row; /* the metric's row (cb_metric_table.h): how it is scored */
  char *assembly_path;
  char assembly_sha256[65]; /* of the assembly (or RDM) file, copied into every score */
  char *own_id;           /* params.id when it was derived from the assembly (owned) */
  cb_neural *neural;      /* stimulus-level responses */
  int *labels;            /* (n_stim) class ids for stratification, or NULL */
  int *groups;            /* (n_stim) group ids (params.group), or NULL */
  int n_groups;           /* distinct groups (0 without params.group) */
  cb_splits *splits;      /* the cross-validation splits */
  double ceiling;         /* NaN when ceiling = none */
  double ceiling_error;
  cb_normalise norm;
  cb_rdm_distance distance;
  cb_rdm_compare_kind compare;
  cb_cka_estimator cka;
  /* RDM datasets (cb_bench_load_rdm): the responses are RDMs, neural->n_neuroid = 0 (stimulus ids and labels only). */
  int n_subj;             /* subjects (sessions of one subject averaged); 0: an assembly benchmark */
  char **subject;         /* (n_subj) subject names */
  double *subj_rdm;       /* (n_subj, n_stim, n_stim) in neural->stimulus_id order */
  double *mean_rdm;       /* (n_stim, n_stim) mean of the subjects' RDMs */
  int mean_rdm_mode;      /* 1: subjects = mean-rdm */
  double ceiling_lower;   /* lower bound of the inter-subject noise ceiling (NaN unless RDM dataset, >= 2 subjects) */
  /* The record copied into every score (cb_bench_record.c). */
  char *assembly_identifier;     /* the recordings' BrainIO identifier ("" = none) */
  char *stimulus_set_identifier; /* "" = none */
  char stimulus_set_sha256[65];  /* of params.stimuli ("" = not given) */
  char *parameters;              /* the resolved parameters, JSON object text */
} cb_bench;

/* Reads the assembly, builds the stimulus-level view, splits and ceiling. */
cb_status cb_bench_load(const char *assembly_path, const cb_bench_params *p, cb_bench **out);
void cb_bench_destroy(cb_bench **b);

/* An RDM benchmark on a dataset of neural RDMs (docs/formats.md "RDM files";
 * several subjects, sessions = repeated subject names, averaged within a
 * subject). Every RDM stimulus must be in the stimulus set `stimuli_csv`
 * (labels for `stratify` come from its columns). Metric rdm only; ceiling
 * "internal" = the inter-subject noise ceiling of Nili et al. (2014) on each
 * split's test stimuli (upper bound = ceiling, lower bound = ceiling_lower),
 * which needs >= 2 subjects; "none" otherwise. */
cb_status cb_bench_load_rdm(const char *rdm_path, const char *stimuli_csv, const cb_bench_params *p, cb_bench **out);

/* at[i] = index of want[i] (n_want) among have (n_have); an id missing from
 * `have` is an error naming `path`. Quadratic (RDMs: a few thousand stimuli). */
cb_status cb_bench_match_ids(char *const *want, int n_want, char *const *have, int n_have, const char *path, int *at);

/* Scores an RDM-only model: entry `entry` of the RDM file `m` (read from
 * `path`), matched to the benchmark's stimuli by stimulus_id; layer "rdm". */
cb_status cb_bench_score_rdm(const cb_bench *b, const char *path, const cb_rdmfile *m, int entry, const char *model,
                             cb_score *out);

/* Scores one layer of an activations file (rows matched by stimulus_id). */
cb_status cb_bench_score_layer(const cb_bench *b, const char *act_path, const cb_activations *acts,
                               const char *layer, cb_score *out);
/* The same on a layer held in memory: X (n_rows, p) float32 whose rows are the stimuli stimulus_id (n_rows), matched
 * to the benchmark's stimuli by id; `src` names the activations in messages, model and layer go into the score.
 * The library API (src/api) scores numpy arrays through it: the very code path of `cortexbench score`. */
cb_status cb_bench_score_matrix(const cb_bench *b, const char *src, const char *model, const char *layer,
                                char *const *stimulus_id, int64_t n_rows, const float *X /* (n_rows, p) */, int64_t p,
                                cb_score *out);
/* The same on activations projected by a fitted PCA (NULL: raw); a layer
 * whose width is not pca->p is an error. out->pca_components = pca->k. */
cb_status cb_bench_score_layer_pca(const cb_bench *b, const char *act_path, const cb_activations *acts,
                                   const char *layer, const cb_pca *pca, cb_score *out);
/* The same; *rdm_out (may be NULL) receives the layer's RDM over the benchmark's stimuli (n, n), in their order,
 * with the benchmark's distance (undefined distances 1), when the rdm metric computed it once for all splits (it
 * then costs nothing extra); NULL otherwise. The caller frees it. For the report's RDM figures. */
cb_status cb_bench_score_layer_rdm(const cb_bench *b, const char *act_path, const cb_activations *acts,
                                   const char *layer, const cb_pca *pca, cb_score *out, double **rdm_out);

#endif

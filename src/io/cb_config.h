/* cb_config.h - the suite configuration (INI, read with libinih).
 *
 *   [suite]            name, seed, batch, compression, layer_commitment,
 *                      selection_pca, selection_pca_dataset
 *   [dataset ID]       generator + seed  |  stimuli + assembly (+ stimulus_degrees, modality)
 *                      |  stimuli + rdm (a neural RDM file: RDM benchmarks only);
 *                      stimuli alone for the [suite] selection_pca_dataset
 *   [model NAME]       zoo | onnx (+ input_size, mean, std, visual_degrees) | rdm
 *                      (+ rdm_entry: an RDM-only model), reinit, seed, layers, modality, front_end
 *   [benchmark ID]     dataset, region, metric, time_bin, stratify, group, splits,
 *                      train_fraction, seed, components, ceiling, normalise
 *
 * Unknown sections and keys, wrong types, missing required keys, duplicate
 * sections and dangling references are errors naming file, section and key.
 * Relative paths are resolved against the directory of the config file.
 * The metric names are not known here (io includes core only): `metric` is kept
 * as written (default pls), and cb_bench_config_read (src/bench) checks it and
 * what depends on it through the metric table.
 */
#ifndef CB_CONFIG_H
#define CB_CONFIG_H

#include <stdint.h>

#include "cb_modality.h"
#include "cb_status.h"

typedef struct cb_cfg_dataset {
  char *id;
  char *generator;         /* synthetic generator name, or NULL */
  char *stimuli;           /* stimulus-set CSV (resolved path), or NULL */
  char *assembly;          /* assembly .nc (resolved path), or NULL */
  char *rdm;               /* neural RDM file (resolved path; docs/formats.md "RDM files"), or NULL */
  uint64_t seed;
  double stimulus_degrees; /* NaN: from the generator / unknown */
  cb_modality modality;    /* declared (`modality =`), UNSET: the generator's, or the kind of the stimulus files */
} cb_cfg_dataset;

typedef struct cb_cfg_model {
  char *name;
  char *zoo;               /* zoo builder or zoo-manifest name (defaults to the section name; NULL with onnx/rdm) */
  char *onnx;              /* an ONNX file (resolved path), or NULL */
  char *rdm;               /* RDM-only model: an RDM file (resolved path), or NULL */
  char *rdm_entry;         /* the /subject name of the RDM to use when the file holds several, or NULL */
  char *reinit;            /* re-draw every weight with this scheme ("pytorch"), or NULL (weights as loaded) */
  int has_mean, has_std;   /* 1 when mean / std were given (onnx models) */
  float mean[3], std[3];   /* per-channel normalisation of [0, 1] pixels (onnx) */
  double visual_degrees;   /* field of view (onnx); NaN: 8 */
  double task_accuracy;    /* accuracy on held-out images of the model's training task, for the report; NaN: none */
  cb_modality modality;    /* declared (`modality =`); UNSET: the builder's, visual for ONNX files */
  char *front_end;         /* declared input front end (src/input/cb_front_end.h), or NULL: the modality's default */
  uint64_t seed;
  int n_layers;            /* 0: every layer of the model */
  char **layers;           /* (n_layers) */
  int in_h, in_w;          /* input size for builders (0: the model's default) */
  int n_region_layers;
  char **region_layers;    /* (n_region_layers) "REGION:LAYER" fixed layer per region */
  int n_datasets;          /* 0: every dataset of its modality */
  char **datasets;         /* (n_datasets) ids the model is restricted to (e.g. a generator's truth model) */
} cb_cfg_model;

typedef struct cb_cfg_benchmark {
  char *id;
  char *dataset;           /* id of a [dataset] section */
  char *region;            /* NULL: every neuroid */
  char *metric;            /* as written (default "pls"); a row of the metric table (checked by bench) */
  char *stratify;          /* presentation coordinate, or NULL */
  char *group;             /* presentation coordinate (stimulus-set column for RDM datasets) whose values are groups
                              kept whole on one side of every split (e.g. movie_id), or NULL */
  char *split;             /* stratified, shuffle, kfold */
  char *ceiling;           /* "internal", "metric-split-half", "voxel" or "none" */
  char *normalise;         /* "r2/c", "(r/c)^2", "r/c"; NULL: the metric's default */
  double t0, t1;           /* time window in ms; NaN: all bins */
  int splits, components;
  double train_fraction;   /* NaN: the metric's default */
  uint64_t seed;
  double alpha;            /* ridge */
  int n_alphas;            /* ridgecv grid (0: Brain-Score's 99 values) */
  double *alphas;          /* (n_alphas) */
  int alpha_per_target;
  char *distance, *compare, *cka; /* rdm / cka options (NULL: defaults) */
  char *subjects;          /* rdm on an RDM dataset: "average" (default) or "mean-rdm" (NULL: default) */
  int selection;           /* 1: chooses its region's layer (layer commitment) */
  int bootstrap;           /* replicates, 0: none */
  double ci_level;
} cb_cfg_benchmark;

typedef struct cb_config {
  char *path;
  char *suite;             /* [suite] name */
  uint64_t seed;
  int batch;
  int per_benchmark_layers; /* [suite] layer_commitment = per-benchmark (default per-region) */
  int average_scored;       /* [suite] average = scored-regions: leaderboard means over present children only */
  int compression;          /* [suite] deflate level 0-9 of activations files (0: none) */
  int selection_pca;        /* [suite] PCA components for layer selection (0: off) */
  char *selection_pca_dataset; /* [suite] id of the [dataset] the PCA is fitted on, or NULL */
  int n_datasets, n_models, n_benchmarks;
  cb_cfg_dataset *datasets;     /* (n_datasets) in file order */
  cb_cfg_model *models;         /* (n_models) in file order */
  cb_cfg_benchmark *benchmarks; /* (n_benchmarks) in file order */
} cb_config;

cb_status cb_config_read(const char *path, cb_config **out);
void cb_config_destroy(cb_config **c);
/* Frees what a [model] entry owns (for callers that drop entries). */
void cb_cfg_model_free(cb_cfg_model *m);
const cb_cfg_dataset *cb_config_dataset(const cb_config *c, const char *id);

/* 1 when a name can be a file or folder name of its own: letters, digits, '-', '_', '.', not "." or "..". */
int cb_config_name_ok(const char *name);

/* Fingerprint of a configuration (64 hex digits + NUL): SHA-256 of its
 * normalised contents, i.e. what the parser sees: every section header in
 * file order (inner blanks collapsed), then every key = value as libinih
 * delivers it (trimmed, comments and inline comments dropped, continuation
 * lines in order), paths and ${VAR} as written. Comments, blank lines,
 * spacing and the file's name or location do not change it; any value that
 * decides results does. Left out, because results do not depend on them:
 * [suite] batch (images per forward pass) and compression (storage of the
 * activations files). Inputs' contents are not in it (the task keys of the
 * results cover them). The file must be a valid configuration. */
#define CB_CONFIG_FINGERPRINT_HEX 65
cb_status cb_config_fingerprint(const char *path, char out[CB_CONFIG_FINGERPRINT_HEX]);

/* Parses "START:END" (ms) into t0, t1. */
cb_status cb_parse_time_bin(const char *s, double *t0, double *t1);

#endif

/* cb_score.h - score files, the contract between benchmark runs and reports.
 *
 * One JSON object per (model, layer, benchmark), keys in this order:
 *   model, layer, benchmark, metric (strings), raw, ceiling, score, error
 *   (numbers), n_splits (integer), per_split (array of n_splits numbers),
 *   seed (non-negative integer).
 * Numbers are written with 17 significant digits so doubles round-trip
 * bit-exactly. NaN (and +-Inf) is not valid JSON: non-finite values are
 * written as null, and null reads back as NaN. Seeds above INT64_MAX are
 * written as a decimal string (the reader accepts both forms). Unknown keys
 * are ignored by the reader, so files may carry extra fields.
 * Optional: task_key (after seed, when set: the resume key of the task that
 * produced the score). Written only when n_bootstrap > 0: n_bootstrap,
 * ci_low, ci_high (percentile bootstrap interval of the ceiled score over
 * stimuli), ci_level and bootstrap (the n_bootstrap replicate scores: two
 * models scored on the same benchmark share every resample, so replicate
 * differences give a paired interval). With ceiling_method "nili" (an RDM
 * benchmark on several subjects' RDMs): ceiling_lower, the lower bound of the
 * inter-subject noise ceiling (`ceiling` is the upper bound). Optional
 * assembly_sha256: the SHA-256 of the recordings file (assembly or RDMs).
 * With grouped cross-validation: group (the coordinate whose values were kept
 * whole on one side of every split) and n_groups.
 * The record (cb_score_record.c; each written when set, after the keys above):
 * assembly_identifier, stimulus_set_identifier, stimulus_set_sha256,
 * parameters (object: the resolved metric parameters), neuroid_id and
 * per_neuroid (n_splits arrays of the neuroids' test r), cortexbench_version,
 * git_commit, config_fingerprint. docs/formats.md "Scores" lists them.
 */
#ifndef CB_SCORE_H
#define CB_SCORE_H

#include <stdint.h>

#include "cb_status.h"

typedef struct cb_score {
  char model[128], layer[256], benchmark[128], metric[64];
  double raw, ceiling, score, error;
  int n_splits;
  double *per_split; /* (n_splits) owned */
  uint64_t seed;
  char task_key[65]; /* hash of everything the score depends on ("" = none); written when set */
  int n_bootstrap;   /* 0: no bootstrap interval */
  double ci_low, ci_high, ci_level; /* interval of `score`, e.g. level 0.95 */
  char ceiling_method[16]; /* "" = raw ceiled by `ceiling`; "voxel" = score is the voxel-wise noise-corrected r^2
                              (ceiling NaN, raw = median r); "nili" = `ceiling` is the upper bound of the
                              inter-subject noise ceiling (Nili et al. 2014), ceiling_lower its lower bound;
                              written as key "ceiling_method" when set */
  double ceiling_lower;    /* "nili" only: lower bound of the noise ceiling */
  double *boot;            /* (n_bootstrap) replicate scores (owned), or NULL: not written */
  char assembly_sha256[65]; /* SHA-256 of the assembly (or RDM) file the score was computed on ("" = unknown);
                               written as key "assembly_sha256" when set. Two scores of one benchmark id on
                               different files are a clash the leaderboard refuses. */
  int pca_components; /* > 0: scored on activations projected onto this many principal components
                         (layer selection with [suite] selection_pca); 0: raw activations, not written */
  char group[128];    /* grouped cross-validation: the coordinate whose values are groups kept whole on one side
                         of every split ("" = ungrouped, not written) */
  int n_groups;       /* with group: the number of distinct groups */
  /* The record of what the score was computed on and with (each "" / NULL / 0 = unknown, not written). */
  char assembly_identifier[256];     /* the assembly's (or RDM file's) BrainIO identifier */
  char stimulus_set_identifier[256]; /* the stimulus set's identifier */
  char stimulus_set_sha256[65];      /* SHA-256 of the stimulus-set CSV */
  char *parameters;                  /* (owned) JSON object text: the resolved metric parameters */
  int n_neuroids;                    /* per-neuroid values (regressions): 0 = none */
  char **neuroid_id;                 /* (n_neuroids) owned strings */
  double *per_neuroid;               /* (n_splits, n_neuroids) owned: each neuroid's test Pearson r on each split
                                        (NaN: undefined or left out) */
  char version[32];                  /* cortexbench version that computed the score */
  char git_commit[64];               /* its git commit (cb_git_commit) */
  char config_fingerprint[65];       /* fingerprint of the configuration (run) or of the parameters (score) */
} cb_score;

/* The text cb_score_write_json writes (newline-terminated, malloc'd: the caller frees *out); `path` names the
 * score in messages. */
cb_status cb_score_to_json(const char *path, const cb_score *s, char **out);
/* Writes one score atomically (temp file + rename; parent dirs created). */
cb_status cb_score_write_json(const char *path, const cb_score *s);
/* Reads a score file; errors name the file and the missing or mistyped key.
 * *out is overwritten only on success (free it with cb_score_free). */
cb_status cb_score_read_json(const char *path, cb_score *out);
/* Frees every owned array (per_split, boot, parameters, neuroid_id, per_neuroid) and sets them to NULL, n_splits
 * and n_neuroids to 0. NULL-safe. */
void cb_score_free(cb_score *s);
/* Takes copies of n neuroid ids and of per_neuroid (n_splits, n) into s (replacing any it holds). */
cb_status cb_score_set_neuroids(cb_score *s, char *const *ids, int n, const double *per_neuroid);
/* Sets version and git_commit to the running build's. */
void cb_score_set_provenance(cb_score *s);

#endif

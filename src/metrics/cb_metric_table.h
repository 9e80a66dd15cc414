/* cb_metric_table.h - one row per metric: its name, kind, how it is scored and its defaults.
 *
 * The only place a metric is named: the CLI (`--metric`), the C API, the suite's
 * configuration check (cb_bench_config_check) and the scorer (cb_benchmark.c) all
 * go through these rows. cb_bench_params_resolve fills every parameter a
 * configuration or the command line left unset from its metric's row, and
 * `cortexbench list metrics` prints the rows as the Markdown table of
 * docs/config.md ("Metric defaults"; a test compares the two). Where a metric
 * carries Brain-Score's name the row holds Brain-Score's defaults.
 *
 * Adding a metric: its kernel in src/metrics/ and a row here (with its kind in
 * the enum below). A regression also needs its cb_regress_kind and its case in
 * cb_cv_regress (src/metrics/cb_predictivity.{h,c}); a metric of a new family
 * (neither a regression nor an RDM or CKA comparison) also needs its scoring
 * branch in src/bench/cb_benchmark.c. */
#ifndef CB_METRIC_TABLE_H
#define CB_METRIC_TABLE_H

#include <stddef.h>
#include <stdio.h>

#include "cb_predictivity.h"
#include "cb_status.h"

typedef enum cb_metric_kind {
  CB_METRIC_PLS = 0,        /* PLS regression (Brain-Score's default mapping) */
  CB_METRIC_RIDGE,          /* ridge with a fixed alpha */
  CB_METRIC_RIDGECV,        /* ridge, alpha by efficient leave-one-out */
  CB_METRIC_LINEAR,         /* ordinary least squares (min-norm) */
  CB_METRIC_NEURON2NEURON,  /* best single unit per neuroid */
  CB_METRIC_RDM,            /* RSA: RDM comparison on each split's test stimuli */
  CB_METRIC_CKA             /* linear CKA on each split's test stimuli */
} cb_metric_kind;

/* How the scorer computes a metric (the branch of cb_benchmark.c it takes). */
typedef enum cb_metric_family {
  CB_METRIC_FAMILY_REGRESSION = 0, /* fits a mapping on each split's training stimuli: cb_cv_regress, row->regress */
  CB_METRIC_FAMILY_RDM,            /* compares the model's and the brain's RDMs on each split's test stimuli; the
                                      only family RDM-only datasets and models take part in */
  CB_METRIC_FAMILY_CKA             /* compares Gram matrices (CKA, row->cka) on each split's test stimuli */
} cb_metric_family;

/* The metric's own parameters (bits of cb_metric_row.params): what the score record writes
 * under "parameters" besides the split and ceiling. */
enum {
  CB_METRIC_PARAM_COMPONENTS = 1 << 0, /* components */
  CB_METRIC_PARAM_ALPHA = 1 << 1,      /* alpha */
  CB_METRIC_PARAM_ALPHAS = 1 << 2,     /* alphas, alpha_per_target */
  CB_METRIC_PARAM_RDM = 1 << 3,        /* distance, compare (and subjects on a dataset of RDMs) */
  CB_METRIC_PARAM_CKA = 1 << 4         /* cka */
};

typedef struct cb_metric_row {
  const char *name;         /* config and CLI name */
  cb_metric_kind kind;
  cb_metric_family family;  /* how it is scored */
  cb_regress_kind regress;  /* CB_METRIC_FAMILY_REGRESSION: the mapping cb_cv_regress fits (else unused) */
  int voxel_ceiling;        /* 1: ceiling = voxel (noise-corrected r^2 per neuroid) applies */
  unsigned params;          /* CB_METRIC_PARAM_* bits: its own parameters in the score record */
  const char *split;        /* default split scheme */
  int splits;               /* default number of splits */
  double train_fraction;    /* default training fraction of a shuffle split (rdm, cka: 1 - test_size) */
  const char *ceiling;      /* default ceiling */
  const char *normalise;    /* default ceiled-score formula */
  int components;           /* pls: components (0: not this metric's key) */
  double alpha;             /* ridge: penalty (0: not this metric's key) */
  const char *distance;     /* rdm: RDM dissimilarity (NULL: not this metric's key) */
  const char *compare;      /* rdm: comparison of the upper triangles */
  const char *cka;          /* cka: estimator */
  const char *note;         /* fixed behaviour worth a word in the table ("" when none) */
  const char *counterpart;  /* the reference implementation whose defaults the row holds */
} cb_metric_row;

/* The row of a metric name; NULL for an unknown name. */
const cb_metric_row *cb_metric_row_by_name(const char *name);
const cb_metric_row *cb_metric_row_by_kind(cb_metric_kind k);

/* Parses a metric name; CB_ERR_ARG "unknown metric 'x' (pls, ridge, ...)" naming every row. */
cb_status cb_metric_parse(const char *s, cb_metric_kind *out);
const char *cb_metric_name(cb_metric_kind k);

/* The names of the rows, in table order, joined by sep and by last before the final one
 * (", " and " or " give "pls, ridge or cka"); voxel_only: only rows with voxel_ceiling.
 * Truncated to cap - 1 characters; returns buf. */
char *cb_metric_names(char *buf, size_t cap, const char *sep, const char *last, int voxel_only);

/* Writes the defaults table (Markdown header and one row per metric). */
void cb_metric_table_print(FILE *f);

#endif

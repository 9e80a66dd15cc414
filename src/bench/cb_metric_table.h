/* cb_metric_table.h - one row per metric: its name, kind and defaults.
 *
 * The only place a metric's defaults live: cb_bench_params_resolve fills every
 * parameter a configuration or the command line left unset from its metric's
 * row, and `cortexbench list metrics` prints the rows as the Markdown table of
 * docs/config.md ("Metric defaults"; a test compares the two). Where a metric
 * carries Brain-Score's name the row holds Brain-Score's defaults. */
#ifndef CB_METRIC_TABLE_H
#define CB_METRIC_TABLE_H

#include <stdio.h>

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

typedef struct cb_metric_row {
  const char *name;         /* config and CLI name */
  cb_metric_kind kind;
  int regression;           /* 1: fits a mapping on training stimuli; 0: compares test stimuli only */
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

/* "pls", "ridge", "ridgecv", "linear", "neuron2neuron", "rdm", "cka". */
cb_status cb_metric_parse(const char *s, cb_metric_kind *out);
const char *cb_metric_name(cb_metric_kind k);

/* Writes the defaults table (Markdown header and one row per metric). */
void cb_metric_table_print(FILE *f);

#endif

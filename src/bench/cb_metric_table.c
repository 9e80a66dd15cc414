#include "cb_metric_table.h"

#include <string.h>

/* Brain-Score's facts (brain-score/vision, metrics/regression_correlation, rdm, cka,
 * metric_helpers/transformations.py, internal_consistency): 10 splits stratified
 * on the object, train_size 0.9 for regressions; RDMCrossValidated and
 * CKACrossValidated pass test_size 0.9 (each split compares the 90 % held out);
 * CKA is the unbiased estimator (Song et al.) unless 'cka_biased'; every neural
 * benchmark is ceiled by InternalConsistency (split-half Pearson per neuroid,
 * Spearman-Brown corrected, median over neuroids). */
static const cb_metric_row ROWS[] = {
    {"pls", CB_METRIC_PLS, 1, "stratified", 10, 0.9, "internal", "r2/c", 25, 0, NULL, NULL, NULL, "",
     "Brain-Score pls (PLSRegression, no scaling)"},
    {"ridge", CB_METRIC_RIDGE, 1, "stratified", 10, 0.9, "internal", "r2/c", 0, 1.0, NULL, NULL, NULL, "",
     "Brain-Score ridge (Ridge)"},
    {"ridgecv", CB_METRIC_RIDGECV, 1, "stratified", 10, 0.9, "internal", "r2/c", 0, 0, NULL, NULL, NULL,
     "alphas = Brain-Score's 99 values, alpha_per_target = false", "Brain-Score ridgecv (RidgeCV)"},
    {"linear", CB_METRIC_LINEAR, 1, "stratified", 10, 0.9, "internal", "r2/c", 0, 0, NULL, NULL, NULL,
     "singular values below max(n, p) eps s_max dropped", "Brain-Score linear (LinearRegression)"},
    {"neuron2neuron", CB_METRIC_NEURON2NEURON, 1, "stratified", 10, 0.9, "internal", "r2/c", 0, 0, NULL, NULL, NULL,
     "", "Brain-Score neuron_to_neuron"},
    {"rdm", CB_METRIC_RDM, 0, "stratified", 10, 0.1, "internal", "r/c", 0, 0, "1-pearson", "spearman", NULL, "",
     "Brain-Score rdm_cv (RDMCrossValidated, test_size 0.9)"},
    {"cka", CB_METRIC_CKA, 0, "stratified", 10, 0.1, "internal", "r/c", 0, 0, NULL, NULL, "unbiased", "",
     "Brain-Score cka_cv (CKACrossValidated, test_size 0.9)"},
};
enum { N_ROWS = (int)(sizeof ROWS / sizeof *ROWS) };

const cb_metric_row *cb_metric_row_by_name(const char *name) {
  for (int i = 0; name && i < N_ROWS; ++i)
    if (!strcmp(name, ROWS[i].name)) return &ROWS[i];
  return NULL;
}

const cb_metric_row *cb_metric_row_by_kind(cb_metric_kind k) {
  for (int i = 0; i < N_ROWS; ++i)
    if (ROWS[i].kind == k) return &ROWS[i];
  return NULL;
}

cb_status cb_metric_parse(const char *s, cb_metric_kind *out) {
  const cb_metric_row *r = cb_metric_row_by_name(s);
  if (!r) return CB_ERROR(CB_ERR_ARG, "unknown metric '%s' (pls, ridge, ridgecv, linear, neuron2neuron, rdm, cka)", s);
  *out = r->kind;
  return CB_OK;
}

const char *cb_metric_name(cb_metric_kind k) {
  const cb_metric_row *r = cb_metric_row_by_kind(k);
  return r ? r->name : "?";
}

/* "key = value, ..." of a row's own keys and note, or "-". */
static void own_keys(const cb_metric_row *r, char *buf, size_t cap) {
  size_t n = 0;
  buf[0] = '\0';
#define ADD(...) n += (size_t)snprintf(buf + n, n < cap ? cap - n : 0, __VA_ARGS__)
  if (r->components) ADD("%scomponents = %d", n ? ", " : "", r->components);
  if (r->alpha > 0) ADD("%salpha = %g", n ? ", " : "", r->alpha);
  if (r->distance) ADD("%sdistance = %s", n ? ", " : "", r->distance);
  if (r->compare) ADD("%scompare = %s", n ? ", " : "", r->compare);
  if (r->cka) ADD("%scka = %s", n ? ", " : "", r->cka);
  if (r->note[0]) ADD("%s%s", n ? ", " : "", r->note);
#undef ADD
  if (!buf[0]) snprintf(buf, cap, "-");
}

void cb_metric_table_print(FILE *f) {
  fprintf(f, "| metric | split | splits | train_fraction | ceiling | normalise | its own keys | defaults of |\n"
             "|---|---|---:|---:|---|---|---|---|\n");
  for (int i = 0; i < N_ROWS; ++i) {
    const cb_metric_row *r = &ROWS[i];
    char keys[256];
    own_keys(r, keys, sizeof keys);
    fprintf(f, "| `%s` | `%s` | %d | %g | `%s` | `%s` | %s | %s |\n", r->name, r->split, r->splits, r->train_fraction,
            r->ceiling, r->normalise, keys, r->counterpart);
  }
}

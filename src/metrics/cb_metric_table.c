#include "cb_metric_table.h"

#include <string.h>

/* Brain-Score's facts (brain-score/vision, metrics/regression_correlation, rdm, cka,
 * metric_helpers/transformations.py, internal_consistency): 10 splits stratified
 * on the object, train_size 0.9 for regressions; RDMCrossValidated and
 * CKACrossValidated pass test_size 0.9 (each split compares the 90 % held out);
 * CKA is the unbiased estimator (Song et al.) unless 'cka_biased'; every neural
 * benchmark is ceiled by InternalConsistency (split-half Pearson per neuroid,
 * Spearman-Brown corrected, median over neuroids). */
#define REGRESSION(r) .family = CB_METRIC_FAMILY_REGRESSION, .regress = (r)
static const cb_metric_row ROWS[] = {
    {.name = "pls", .kind = CB_METRIC_PLS, REGRESSION(CB_REG_PLS), .voxel_ceiling = 1,
     .params = CB_METRIC_PARAM_COMPONENTS, .split = "stratified", .splits = 10, .train_fraction = 0.9,
     .ceiling = "internal", .normalise = "r2/c", .components = 25, .note = "",
     .counterpart = "Brain-Score pls (PLSRegression, no scaling)"},
    {.name = "ridge", .kind = CB_METRIC_RIDGE, REGRESSION(CB_REG_RIDGE), .voxel_ceiling = 1,
     .params = CB_METRIC_PARAM_ALPHA, .split = "stratified", .splits = 10, .train_fraction = 0.9,
     .ceiling = "internal", .normalise = "r2/c", .alpha = 1.0, .note = "", .counterpart = "Brain-Score ridge (Ridge)"},
    {.name = "ridgecv", .kind = CB_METRIC_RIDGECV, REGRESSION(CB_REG_RIDGECV), .voxel_ceiling = 1,
     .params = CB_METRIC_PARAM_ALPHAS, .split = "stratified", .splits = 10, .train_fraction = 0.9,
     .ceiling = "internal", .normalise = "r2/c", .note = "alphas = Brain-Score's 99 values, alpha_per_target = false",
     .counterpart = "Brain-Score ridgecv (RidgeCV)"},
    {.name = "linear", .kind = CB_METRIC_LINEAR, REGRESSION(CB_REG_LINEAR), .voxel_ceiling = 1, .params = 0,
     .split = "stratified", .splits = 10, .train_fraction = 0.9, .ceiling = "internal", .normalise = "r2/c",
     .note = "singular values below max(n, p) eps s_max dropped", .counterpart = "Brain-Score linear (LinearRegression)"},
    {.name = "neuron2neuron", .kind = CB_METRIC_NEURON2NEURON, REGRESSION(CB_REG_NEURON2NEURON), .voxel_ceiling = 0,
     .params = 0, .split = "stratified", .splits = 10, .train_fraction = 0.9, .ceiling = "internal",
     .normalise = "r2/c", .note = "", .counterpart = "Brain-Score neuron_to_neuron"},
    {.name = "rdm", .kind = CB_METRIC_RDM, .family = CB_METRIC_FAMILY_RDM, .params = CB_METRIC_PARAM_RDM,
     .split = "stratified", .splits = 10, .train_fraction = 0.1, .ceiling = "internal", .normalise = "r/c",
     .distance = "1-pearson", .compare = "spearman", .note = "",
     .counterpart = "Brain-Score rdm_cv (RDMCrossValidated, test_size 0.9)"},
    {.name = "cka", .kind = CB_METRIC_CKA, .family = CB_METRIC_FAMILY_CKA, .params = CB_METRIC_PARAM_CKA,
     .split = "stratified", .splits = 10, .train_fraction = 0.1, .ceiling = "internal", .normalise = "r/c",
     .cka = "unbiased", .note = "", .counterpart = "Brain-Score cka_cv (CKACrossValidated, test_size 0.9)"},
};
#undef REGRESSION
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
  if (!r) {
    char names[256];
    return CB_ERROR(CB_ERR_ARG, "unknown metric '%s' (%s)", s, cb_metric_names(names, sizeof names, ", ", ", ", 0));
  }
  *out = r->kind;
  return CB_OK;
}

const char *cb_metric_name(cb_metric_kind k) {
  const cb_metric_row *r = cb_metric_row_by_kind(k);
  return r ? r->name : "?";
}

char *cb_metric_names(char *buf, size_t cap, const char *sep, const char *last, int voxel_only) {
  int left = 0; /* rows still to write */
  for (int i = 0; i < N_ROWS; ++i) left += !voxel_only || ROWS[i].voxel_ceiling;
  size_t n = 0;
  buf[0] = '\0';
  for (int i = 0; i < N_ROWS && n < cap; ++i) {
    if (voxel_only && !ROWS[i].voxel_ceiling) continue;
    const char *before = n == 0 ? "" : left == 1 ? last : sep;
    n += (size_t)snprintf(buf + n, cap - n, "%s%s", before, ROWS[i].name);
    --left;
  }
  return buf;
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

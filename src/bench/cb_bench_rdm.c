/* cb_bench_rdm.c - RDM benchmarks on datasets of neural RDMs (no responses,
 * e.g. the human-IT fMRI RDMs of Kriegeskorte et al. 2008): loading, the
 * subjects' RDMs in the benchmark's stimulus order, and the inter-subject
 * noise ceiling of Nili et al. (2014) on each split's test stimuli. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cb_bench_impl.h"
#include "cb_rsa.h"
#include "cb_sha.h"
#include "cb_strbuf.h"
#include "cb_stimuli.h"

cb_status cb_bench_match_ids(char *const *want, int n_want, char *const *have, int n_have, const char *path, int *at) {
  for (int i = 0; i < n_want; ++i) {
    at[i] = -1;
    for (int j = 0; j < n_have && at[i] < 0; ++j) /* quadratic: RDMs hold at most a few thousand stimuli */
      if (!strcmp(want[i], have[j])) at[i] = j;
    if (at[i] < 0) return CB_ERROR(CB_ERR_FORMAT, "%s: has no stimulus '%s'", path, want[i]);
  }
  return CB_OK;
}

cb_status cb__bench_nili_ceiling(cb_bench *b) {
  const cb_splits *s = b->splits;
  const int n = b->neural->n_stim, G = b->n_subj;
  if (G < 2)
    return CB_ERROR(CB_ERR_ARG, "the inter-subject noise ceiling needs RDMs of >= 2 subjects (the file has %d; "
                    "use ceiling = none)", G);
  double *sub = malloc(sizeof *sub * (size_t)G * s->n_test * s->n_test); /* (G, m, m) */
  double *up = malloc(sizeof *up * (size_t)s->n_splits);                  /* (n_splits) */
  double *lo = malloc(sizeof *lo * (size_t)s->n_splits);                  /* (n_splits) */
  cb_status st = CB_OK;
  if (!sub || !up || !lo) st = CB_ERROR(CB_ERR_NOMEM, "out of memory");
  for (int k = 0; st == CB_OK && k < s->n_splits; ++k) {
    const int *idx = s->test + (size_t)k * s->n_test, m = s->test_size[k];
    for (int g = 0; g < G; ++g)
      for (int i = 0; i < m; ++i)
        for (int j = 0; j < m; ++j)
          sub[((size_t)g * m + i) * m + j] = b->subj_rdm[((size_t)g * n + idx[i]) * n + idx[j]];
    st = cb_rsa_ceiling_rdms(sub, G, m, b->compare, &up[k], &lo[k]);
    if (st != CB_OK) cb_error_prefix("split %d", k);
  }
  if (st == CB_OK) {
    double su = 0, sl = 0, var = 0;
    for (int k = 0; k < s->n_splits; ++k) su += up[k], sl += lo[k];
    su /= s->n_splits;
    sl /= s->n_splits;
    for (int k = 0; k < s->n_splits; ++k) var += (up[k] - su) * (up[k] - su);
    b->ceiling = su;
    b->ceiling_lower = sl;
    b->ceiling_error = sqrt(var / s->n_splits) / sqrt((double)s->n_splits);
  }
  free(sub);
  free(up);
  free(lo);
  return st;
}

/* b->subj_rdm / subject / mean_rdm from the file: RDMs of one subject name
 * (sessions) averaged, subjects in order of first appearance. */
static cb_status load_subjects(cb_bench *b, const cb_rdmfile *r) {
  const int n = r->n;
  double *grouped = NULL;
  int G = 1;
  if (r->has_subject) {
    CB_CHECK(cb_rsa_group_subjects(r->rdm, r->subject, r->n_subject, n, &grouped, &G));
  } else {
    grouped = malloc(sizeof *grouped * (size_t)n * n);
    if (!grouped) return CB_ERROR(CB_ERR_NOMEM, "out of memory");
    memcpy(grouped, r->rdm, sizeof *grouped * (size_t)n * n);
  }
  b->subj_rdm = grouped;
  b->n_subj = G;
  b->subject = calloc((size_t)G, sizeof *b->subject);
  b->mean_rdm = calloc((size_t)n * n, sizeof *b->mean_rdm);
  if (!b->subject || !b->mean_rdm) return CB_ERROR(CB_ERR_NOMEM, "out of memory");
  for (int s = 0, g = 0; s < r->n_subject && g < G; ++s) { /* names in order of first appearance */
    const char *name = r->has_subject ? r->subject[s] : (r->identifier[0] ? r->identifier : "rdm");
    int seen = 0;
    for (int k = 0; k < g; ++k) seen |= !strcmp(b->subject[k], name);
    if (!seen && !(b->subject[g++] = cb_strdup(name))) return CB_ERROR(CB_ERR_NOMEM, "out of memory");
  }
  for (int g = 0; g < G; ++g)
    for (size_t i = 0; i < (size_t)n * n; ++i) b->mean_rdm[i] += grouped[(size_t)g * n * n + i] / G;
  return CB_OK;
}

/* The stimulus set's column `col` for the RDM's stimuli (at[i]: row of RDM stimulus i in the set); `what` says
 * what it is for in the message of a missing column. */
static cb_status csv_column(const cb_stimulus_set *set, const int *at, int n, const char *stimuli_csv,
                            const char *col, const char *what, char ***out) {
  int c = -1;
  for (int k = 0; k < set->n_meta; ++k)
    if (!strcmp(set->meta_names[k], col)) c = k;
  if (c < 0) return CB_ERROR(CB_ERR_FORMAT, "%s: no column '%s' to %s", stimuli_csv, col, what);
  char **v = calloc((size_t)(n > 0 ? n : 1), sizeof *v);
  if (!v) return CB_ERROR(CB_ERR_NOMEM, "out of memory");
  for (int i = 0; i < n; ++i)
    if (!(v[i] = cb_strdup(set->meta[(size_t)at[i] * set->n_meta + c]))) {
      for (int j = 0; j < i; ++j) free(v[j]);
      free(v);
      return CB_ERROR(CB_ERR_NOMEM, "out of memory");
    }
  *out = v;
  return CB_OK;
}

/* b->neural: the RDM's stimulus ids, with labels from the stimulus set's `stratify` column and groups from its
 * `group` column. */
static cb_status load_stimuli(cb_bench *b, const cb_rdmfile *r, const char *stimuli_csv) {
  cb_stimulus_set *set = NULL;
  int *at = malloc(sizeof *at * (size_t)r->n);
  cb_neural *nd = calloc(1, sizeof *nd);
  cb_status st = CB_OK;
  CB_ALLOC_GOTO(at, st, done);
  CB_ALLOC_GOTO(nd, st, done);
  b->neural = nd;
  nd->n_stim = r->n;
  nd->stimulus_id = calloc((size_t)r->n, sizeof *nd->stimulus_id);
  CB_ALLOC_GOTO(nd->stimulus_id, st, done);
  for (int i = 0; i < r->n; ++i) CB_ALLOC_GOTO(nd->stimulus_id[i] = cb_strdup(r->stimulus_id[i]), st, done);
  CB_CHECK_GOTO(cb_stimulus_set_read(stimuli_csv, &set), st, done);
  CB_CHECK_GOTO(cb_bench_match_ids(r->stimulus_id, r->n, set->stimulus_id, set->n, stimuli_csv, at), st, done);
  if (b->params.stratify)
    CB_CHECK_GOTO(csv_column(set, at, r->n, stimuli_csv, b->params.stratify, "stratify on", &nd->labels), st, done);
  if (b->params.group) {
    char **values = NULL;
    CB_CHECK_GOTO(csv_column(set, at, r->n, stimuli_csv, b->params.group, "group by", &values), st, done);
    CB_CHECK_GOTO(cb__bench_set_groups(b, values), st, done);
  }
done:
  cb_stimulus_set_destroy(&set);
  free(at);
  return st;
}

static cb_status parse_params(cb_bench *b) {
  CB_CHECK(cb_bench_params_resolve(&b->params));
  const cb_bench_params *p = &b->params;
  CB_CHECK(cb_metric_parse(p->metric, &b->metric));
  b->row = cb_metric_row_by_kind(b->metric);
  if (b->row->family != CB_METRIC_FAMILY_RDM)
    return CB_ERROR(CB_ERR_ARG, "a dataset of RDMs takes metric rdm only (got '%s')", p->metric);
  CB_CHECK(cb_normalise_parse(p->normalise ? p->normalise : "r/c", &b->norm));
  CB_CHECK(cb_rdm_distance_parse(p->distance ? p->distance : "1-pearson", &b->distance));
  CB_CHECK(cb_rdm_compare_parse(p->compare ? p->compare : "spearman", &b->compare));
  const char *subj = p->subjects ? p->subjects : "average";
  if (strcmp(subj, "average") && strcmp(subj, "mean-rdm"))
    return CB_ERROR(CB_ERR_ARG, "unknown subjects mode '%s' (average, mean-rdm)", subj);
  b->mean_rdm_mode = !strcmp(subj, "mean-rdm");
  if (p->bootstrap < 0 || !(p->ci_level > 0 && p->ci_level < 1))
    return CB_ERROR(CB_ERR_ARG, "bootstrap: needs >= 0 replicates and a level in (0, 1)");
  if (!strcmp(p->ceiling, "voxel") || !strcmp(p->ceiling, "metric-split-half"))
    return CB_ERROR(CB_ERR_ARG, "ceiling '%s' needs responses, not RDMs (internal: the inter-subject ceiling)",
                    p->ceiling);
  return CB_OK;
}

cb_status cb_bench_load_rdm(const char *rdm_path, const char *stimuli_csv, const cb_bench_params *p, cb_bench **out) {
  cb_status st = CB_OK;
  cb_rdmfile *r = NULL;
  cb_bench *b = calloc(1, sizeof *b);
  if (!b) return CB_ERROR(CB_ERR_NOMEM, "out of memory");
  b->params = *p;
  b->ceiling = b->ceiling_error = b->ceiling_lower = NAN;
  CB_ALLOC_GOTO(b->assembly_path = cb_strdup(rdm_path), st, fail);
  CB_CHECK_GOTO(parse_params(b), st, fail);
  CB_CHECK_GOTO(cb_rdmfile_read(rdm_path, &r), st, fail);
  CB_CHECK_GOTO(cb_rdmfile_check(r, 1e-6, 0, rdm_path), st, fail);
  CB_CHECK_GOTO(cb_hash_file_sha256(rdm_path, b->assembly_sha256), st, fail);
  if (!b->params.id) CB_CHECK_GOTO(cb__bench_default_id(b, r->identifier), st, fail);
  CB_CHECK_GOTO(load_subjects(b, r), st, fail);
  CB_CHECK_GOTO(load_stimuli(b, r, stimuli_csv), st, fail);
  CB_CHECK_GOTO(cb__bench_record_init(b, r->identifier, "", stimuli_csv), st, fail);
  if (p->stratify) CB_CHECK_GOTO(cb__labels_to_classes(b->neural->labels, b->neural->n_stim, &b->labels), st, fail);
  st = cb__bench_make_splits(b);
  if (st == CB_OK) st = cb__bench_make_ceiling(b);
  if (st != CB_OK) {
    cb_error_prefix("%s", rdm_path);
    goto fail;
  }
  cb_rdmfile_destroy(&r);
  *out = b;
  return CB_OK;
fail:
  cb_rdmfile_destroy(&r);
  cb_bench_destroy(&b);
  return st;
}

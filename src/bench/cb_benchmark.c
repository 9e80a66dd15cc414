#include "cb_benchmark.h"
#include "cb_bench_impl.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_bootstrap.h"
#include "cb_ceiling.h"
#include "cb_ceiling_sim.h"
#include "cb_corr.h"
#include "cb_log.h"
#include "cb_rng.h"
#include "cb_sha.h"
#include "cb_signal.h"
#include "cb_strbuf.h"
#include "cb_voxel.h"

cb_status cb_rdm_distance_parse(const char *s, cb_rdm_distance *out) {
  if (!strcmp(s, "1-pearson") || !strcmp(s, "correlation")) *out = CB_RDM_CORRELATION;
  else if (!strcmp(s, "euclidean")) *out = CB_RDM_EUCLIDEAN;
  else if (!strcmp(s, "cosine")) *out = CB_RDM_COSINE;
  else return CB_ERROR(CB_ERR_ARG, "unknown RDM distance '%s' (1-pearson, euclidean, cosine)", s);
  return CB_OK;
}

cb_status cb_rdm_compare_parse(const char *s, cb_rdm_compare_kind *out) {
  if (!strcmp(s, "spearman")) *out = CB_RDM_CMP_SPEARMAN;
  else if (!strcmp(s, "kendall") || !strcmp(s, "kendall-tau-a")) *out = CB_RDM_CMP_KENDALL_TAU_A;
  else if (!strcmp(s, "pearson")) *out = CB_RDM_CMP_PEARSON;
  else if (!strcmp(s, "cosine")) *out = CB_RDM_CMP_COSINE;
  else return CB_ERROR(CB_ERR_ARG, "unknown RDM comparison '%s' (spearman, kendall, pearson, cosine)", s);
  return CB_OK;
}

cb_status cb_cka_estimator_parse(const char *s, cb_cka_estimator *out) {
  if (!strcmp(s, "biased")) *out = CB_CKA_BIASED;
  else if (!strcmp(s, "unbiased")) *out = CB_CKA_UNBIASED;
  else return CB_ERROR(CB_ERR_ARG, "unknown CKA estimator '%s' (biased, unbiased)", s);
  return CB_OK;
}

void cb_bench_params_defaults(cb_bench_params *p) {
  memset(p, 0, sizeof *p);
  p->id = "benchmark";
  p->metric = "pls";
  p->t0 = p->t1 = NAN;
  p->train_fraction = NAN;
  p->alpha = NAN;
  p->seed = 1;
  p->subjects = "average";
  p->ci_level = 0.95;
}

void cb_bench_params_from_config(const cb_cfg_benchmark *b, cb_bench_params *p) {
  cb_bench_params_defaults(p);
  p->id = b->id;
  p->metric = b->metric;
  p->region = b->region;
  p->stratify = b->stratify;
  p->group = b->group;
  p->ceiling = b->ceiling;
  p->normalise = b->normalise;
  p->t0 = b->t0;
  p->t1 = b->t1;
  p->splits = b->splits;
  p->components = b->components;
  p->train_fraction = b->train_fraction;
  p->seed = b->seed;
  p->split = b->split;
  p->alpha = b->alpha;
  p->alphas = b->alphas;
  p->n_alphas = b->n_alphas;
  p->alpha_per_target = b->alpha_per_target;
  if (b->distance) p->distance = b->distance;
  if (b->compare) p->compare = b->compare;
  if (b->cka) p->cka = b->cka;
  if (b->subjects) p->subjects = b->subjects;
  p->bootstrap = b->bootstrap;
  p->ci_level = b->ci_level;
  (void)cb_bench_params_resolve(p); /* the metric was checked when the configuration was read */
}

cb_status cb_bench_params_resolve(cb_bench_params *p) {
  if (!p->metric) p->metric = "pls";
  const cb_metric_row *r = cb_metric_row_by_name(p->metric);
  if (!r) {
    cb_metric_kind k;
    return cb_metric_parse(p->metric, &k);
  }
  if (!p->split) p->split = r->split;
  if (p->splits <= 0) p->splits = r->splits;
  if (isnan(p->train_fraction)) p->train_fraction = r->train_fraction;
  if (!p->ceiling) p->ceiling = r->ceiling;
  if (!p->normalise) p->normalise = r->normalise;
  if (p->components <= 0) p->components = r->components > 0 ? r->components : cb_metric_row_by_kind(CB_METRIC_PLS)->components;
  if (isnan(p->alpha)) p->alpha = r->alpha > 0 ? r->alpha : cb_metric_row_by_kind(CB_METRIC_RIDGE)->alpha;
  if (!p->distance) p->distance = cb_metric_row_by_kind(CB_METRIC_RDM)->distance;
  if (!p->compare) p->compare = cb_metric_row_by_kind(CB_METRIC_RDM)->compare;
  if (!p->cka) p->cka = cb_metric_row_by_kind(CB_METRIC_CKA)->cka;
  return CB_OK;
}

int cb_ceiling_voxel_metric(cb_metric_kind k) {
  const cb_metric_row *r = cb_metric_row_by_kind(k);
  return r && r->voxel_ceiling;
}

static int cmp_str_ptr(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* Class ids = rank of each label among the sorted distinct labels. */
cb_status cb__labels_to_classes(char **labels, int n, int **out) {
  char **sorted = malloc((size_t)n * sizeof *sorted);
  int *cls = malloc((size_t)n * sizeof *cls);
  if (!sorted || !cls) {
    free(sorted);
    free(cls);
    return CB_ERROR(CB_ERR_NOMEM, "out of memory");
  }
  memcpy(sorted, labels, (size_t)n * sizeof *sorted);
  qsort(sorted, (size_t)n, sizeof *sorted, cmp_str_ptr);
  int n_distinct = 0;
  for (int i = 0; i < n; ++i)
    if (i == 0 || strcmp(sorted[i], sorted[i - 1]) != 0) sorted[n_distinct++] = sorted[i];
  for (int i = 0; i < n; ++i) {
    char **hit = bsearch(&labels[i], sorted, (size_t)n_distinct, sizeof *sorted, cmp_str_ptr);
    cls[i] = (int)(hit - sorted);
  }
  free(sorted);
  *out = cls;
  return CB_OK;
}

cb_status cb__bench_set_groups(cb_bench *b, char **values) {
  if (values == NULL) return CB_OK;
  const int n = b->neural->n_stim;
  cb_status st = strlen(b->params.group) < sizeof ((cb_score *)0)->group
                     ? cb__labels_to_classes(values, n, &b->groups)
                     : CB_ERROR(CB_ERR_ARG, "group: a coordinate name longer than %zu bytes",
                                sizeof ((cb_score *)0)->group - 1);
  for (int i = 0; i < n; ++i) free(values[i]);
  free(values);
  if (st != CB_OK) return st;
  b->n_groups = 0;
  for (int i = 0; i < n; ++i)
    if (b->groups[i] + 1 > b->n_groups) b->n_groups = b->groups[i] + 1;
  return CB_OK;
}

/* Grouped splits: no group on both sides of any split (cb_splits.h). */
static cb_status make_group_splits(cb_bench *b) {
  const cb_bench_params *p = &b->params;
  const int n = b->neural->n_stim;
  if (!strcmp(p->split, "stratified"))
    return cb_splits_group_shuffle(n, b->groups, b->labels, p->splits, p->train_fraction, p->seed, &b->splits);
  if (!strcmp(p->split, "shuffle"))
    return cb_splits_group_shuffle(n, b->groups, NULL, p->splits, p->train_fraction, p->seed, &b->splits);
  if (!strcmp(p->split, "kfold")) return cb_splits_group_kfold(n, b->groups, b->labels, p->splits, 1, p->seed, &b->splits);
  if (!strcmp(p->split, "all"))
    return CB_ERROR(CB_ERR_ARG, "split 'all' has no training stimuli to keep apart from the test stimuli (drop the "
                    "group, or use stratified, shuffle or kfold)");
  return CB_ERROR(CB_ERR_ARG, "unknown split kind '%s' (stratified, shuffle, kfold, all)", p->split);
}

cb_status cb__bench_make_splits(cb_bench *b) {
  const cb_bench_params *p = &b->params;
  const int n = b->neural->n_stim;
  if (b->groups) {
    cb_status st = make_group_splits(b);
    if (st != CB_OK) cb_error_prefix("group '%s'", p->group);
    return st;
  }
  if (!strcmp(p->split, "stratified"))
    return cb_splits_stratified_shuffle(n, b->labels, p->splits, p->train_fraction, p->seed, &b->splits);
  if (!strcmp(p->split, "shuffle")) return cb_splits_shuffle(n, p->splits, p->train_fraction, p->seed, &b->splits);
  if (!strcmp(p->split, "kfold")) return cb_splits_kfold(n, p->splits, 1, p->seed, &b->splits);
  if (!strcmp(p->split, "all")) {
    /* One split testing on every stimulus: similarity metrics need no fit. */
    if (b->row->family == CB_METRIC_FAMILY_REGRESSION)
      return CB_ERROR(CB_ERR_ARG, "split 'all' is for rdm and cka (a regression needs training stimuli)");
    cb_splits *s = calloc(1, sizeof *s);
    if (!s) return CB_ERROR(CB_ERR_NOMEM, "out of memory");
    s->n_splits = 1;
    s->n = n;
    s->n_test = n;
    s->train = calloc(1, sizeof *s->train);
    s->test = malloc(sizeof *s->test * (size_t)n);
    s->train_size = calloc(1, sizeof *s->train_size);
    s->test_size = malloc(sizeof *s->test_size);
    if (!s->train || !s->test || !s->train_size || !s->test_size) {
      cb_splits_destroy(&s);
      return CB_ERROR(CB_ERR_NOMEM, "out of memory");
    }
    for (int i = 0; i < n; ++i) s->test[i] = i;
    s->test_size[0] = n;
    b->splits = s;
    return CB_OK;
  }
  return CB_ERROR(CB_ERR_ARG, "unknown split kind '%s' (stratified, shuffle, kfold, all)", p->split);
}

cb_status cb__bench_make_ceiling(cb_bench *b) {
  const cb_bench_params *p = &b->params;
  const cb_neural *nd = b->neural;
  if (!strcmp(p->ceiling, "none")) return CB_OK;
  if (b->n_subj > 0) return cb__bench_nili_ceiling(b);
  if (!strcmp(p->ceiling, "voxel")) { /* per-neuroid correction while scoring (cb_voxel.h); no single ceiling */
    char names[256];
    if (!b->row->voxel_ceiling)
      return CB_ERROR(CB_ERR_ARG, "ceiling 'voxel' needs metric %s (got '%s')",
                      cb_metric_names(names, sizeof names, ", ", " or ", 1), b->row->name);
    if (nd->n_rep < 2)
      return CB_ERROR(CB_ERR_ARG, "ceiling 'voxel' needs >= 2 repetitions per stimulus (the assembly has %d)",
                      nd->n_rep);
    if (p->bootstrap > 0) return CB_ERROR(CB_ERR_ARG, "ceiling 'voxel' does not support bootstrap intervals");
    for (size_t i = 0; i < (size_t)nd->n_stim * nd->n_rep * nd->n_neuroid; ++i)
      if (!isfinite(nd->reps[i]))
        return CB_ERROR(CB_ERR_ARG, "ceiling 'voxel' needs all %d repetitions of every stimulus (stimulus '%s' "
                        "lacks one)", nd->n_rep, nd->stimulus_id[i / ((size_t)nd->n_rep * nd->n_neuroid)]);
    return CB_OK;
  }
  if (!strcmp(p->ceiling, "internal")) /* Brain-Score's InternalConsistency, whatever the metric */
    return cb_ceiling_split_half(nd->reps, nd->n_stim, nd->n_rep, nd->n_neuroid, p->splits, p->seed, &b->ceiling,
                                 &b->ceiling_error);
  if (strcmp(p->ceiling, "metric-split-half") != 0)
    return CB_ERROR(CB_ERR_ARG, "unknown ceiling '%s' (internal, metric-split-half, voxel or none)", p->ceiling);
  if (b->row->family == CB_METRIC_FAMILY_RDM) /* the older Brain-Score's RDMConsistency / CKAConsistency */
    return cb_ceiling_split_half_rdm(nd->reps, nd->n_stim, nd->n_rep, nd->n_neuroid, p->splits, p->seed,
                                     b->distance, b->compare, &b->ceiling, &b->ceiling_error);
  if (b->row->family == CB_METRIC_FAMILY_CKA)
    return cb_ceiling_split_half_cka(nd->reps, nd->n_stim, nd->n_rep, nd->n_neuroid, p->splits, p->seed, b->cka,
                                     &b->ceiling, &b->ceiling_error);
  return CB_ERROR(CB_ERR_ARG, "ceiling 'metric-split-half' is for rdm and cka (got '%s'; regressions: internal)",
                  cb_metric_name(b->metric));
}

/* 1 when no neuroid's stimulus mean varies (nothing to predict; NaN ignored). */
static int all_neuroids_constant(const cb_neural *nd) {
  for (int j = 0; j < nd->n_neuroid; ++j) {
    double first = NAN;
    for (int i = 0; i < nd->n_stim; ++i) {
      double v = nd->mean[(size_t)i * nd->n_neuroid + j]; /* mean: (n_stim, n_neuroid) */
      if (isnan(v)) continue;
      if (isnan(first)) first = v;
      else if (v != first) return 0;
    }
  }
  return 1;
}

/* Names (up to 5) the neuroids whose stimulus mean never varies: they have nothing to predict, so every split's
 * median leaves them out. */
static void warn_constant_neuroids(const cb_neural *nd, const char *path) {
  char names[256] = "";
  int count = 0;
  size_t len = 0;
  for (int j = 0; j < nd->n_neuroid; ++j) {
    double first = NAN;
    int varies = 0;
    for (int i = 0; i < nd->n_stim && !varies; ++i) {
      double v = nd->mean[(size_t)i * nd->n_neuroid + j]; /* mean: (n_stim, n_neuroid) */
      if (isnan(v)) continue;
      if (isnan(first)) first = v;
      else varies = v != first;
    }
    if (varies) continue;
    if (count++ < 5 && len < sizeof names)
      len += (size_t)snprintf(names + len, sizeof names - len, "%s%s", len ? ", " : "", nd->neuroid_id[j]);
  }
  if (count > 0)
    cb_log(CB_LOG_WARN, "%s: %d of %d neuroids are constant over the %d stimuli (%s%s): nothing to predict, every split's "
           "median leaves them out", path, count, nd->n_neuroid, nd->n_stim, names, count > 5 ? ", ..." : "");
}

/* 1 when every column of X (n, p) is constant (no feature to regress on). */
static int all_features_constant(const float *X, int n, int64_t p) {
  for (int i = 1; i < n; ++i)
    for (int64_t j = 0; j < p; ++j)
      if (X[(size_t)i * (size_t)p + j] != X[j]) return 0;
  return 1;
}

/* The id of a benchmark that names none: the assembly's BrainIO identifier, else its file name without extension
 * (two unnamed benchmarks on files of one name share an id: the leaderboard refuses them by their SHA-256). */
cb_status cb__bench_default_id(cb_bench *b, const char *identifier) {
  const char *base = strrchr(b->assembly_path, '/');
  b->own_id = cb_strdup(identifier && identifier[0] ? identifier : base ? base + 1 : b->assembly_path);
  if (!b->own_id) return CB_ERROR(CB_ERR_NOMEM, "out of memory");
  char *dot = identifier && identifier[0] ? NULL : strrchr(b->own_id, '.');
  if (dot && dot != b->own_id) *dot = '\0';
  b->params.id = b->own_id;
  return CB_OK;
}

cb_status cb_bench_load(const char *assembly_path, const cb_bench_params *p, cb_bench **out) {
  cb_status st = CB_OK;
  cb_assembly *a = NULL;
  cb_bench *b = calloc(1, sizeof *b);
  if (!b) return CB_ERROR(CB_ERR_NOMEM, "out of memory");
  b->params = *p;
  CB_CHECK_GOTO(cb_bench_params_resolve(&b->params), st, fail);
  p = &b->params;
  b->ceiling = b->ceiling_error = b->ceiling_lower = NAN;
  b->assembly_path = cb_strdup(assembly_path);
  CB_ALLOC_GOTO(b->assembly_path, st, fail);
  CB_CHECK_GOTO(cb_metric_parse(p->metric, &b->metric), st, fail);
  b->row = cb_metric_row_by_kind(b->metric);
  CB_CHECK_GOTO(cb_normalise_parse(p->normalise, &b->norm), st, fail);
  CB_CHECK_GOTO(cb_rdm_distance_parse(p->distance, &b->distance), st, fail);
  CB_CHECK_GOTO(cb_rdm_compare_parse(p->compare, &b->compare), st, fail);
  CB_CHECK_GOTO(cb_cka_estimator_parse(p->cka, &b->cka), st, fail);
  if (p->bootstrap < 0 || !(p->ci_level > 0 && p->ci_level < 1)) {
    st = CB_ERROR(CB_ERR_ARG, "bootstrap: needs >= 0 replicates and a level in (0, 1)");
    goto fail;
  }
  CB_CHECK_GOTO(cb_assembly_read(assembly_path, &a), st, fail);
  CB_CHECK_GOTO(cb_hash_file_sha256(assembly_path, b->assembly_sha256), st, fail);
  if (!b->params.id) CB_CHECK_GOTO(cb__bench_default_id(b, a->identifier), st, fail);
  CB_CHECK_GOTO(cb__bench_record_init(b, a->identifier, a->stimulus_set_identifier, p->stimuli), st, fail);
  CB_CHECK_GOTO(cb_neural_from_assembly(a, p->region, p->t0, p->t1, p->stratify, &b->neural), st, fail);
  if (all_neuroids_constant(b->neural)) {
    st = CB_ERROR(CB_ERR_NUMERIC, "%s: every neuroid is constant over the %d stimuli (zero variance)", assembly_path,
                  b->neural->n_stim);
    goto fail;
  }
  warn_constant_neuroids(b->neural, assembly_path);
  if (p->stratify) CB_CHECK_GOTO(cb__labels_to_classes(b->neural->labels, b->neural->n_stim, &b->labels), st, fail);
  if (p->group) {
    char **values = NULL;
    CB_CHECK_GOTO(cb_neural_stimulus_column(a, b->neural, p->group, &values), st, fail);
    CB_CHECK_GOTO(cb__bench_set_groups(b, values), st, fail);
  }
  st = cb__bench_make_splits(b);
  if (st != CB_OK) {
    cb_error_prefix("%s", assembly_path);
    goto fail;
  }
  st = cb__bench_make_ceiling(b);
  if (st != CB_OK) {
    cb_error_prefix("%s: ceiling", assembly_path);
    goto fail;
  }
  cb_assembly_destroy(&a);
  *out = b;
  return CB_OK;
fail:
  cb_assembly_destroy(&a);
  cb_bench_destroy(&b);
  return st;
}

void cb_bench_destroy(cb_bench **bp) {
  if (!bp || !*bp) return;
  cb_bench *b = *bp;
  cb_neural_destroy(&b->neural);
  cb_splits_destroy(&b->splits);
  for (int i = 0; b->subject && i < b->n_subj; ++i) free(b->subject[i]);
  free(b->subject);
  free(b->subj_rdm);
  free(b->mean_rdm);
  free(b->labels);
  free(b->groups);
  free(b->assembly_path);
  free(b->own_id);
  free(b->assembly_identifier);
  free(b->stimulus_set_identifier);
  free(b->parameters);
  free(b);
  *bp = NULL;
}

typedef struct id_row {
  const char *id;
  int64_t row;
} id_row;

static int cmp_id_row(const void *a, const void *b) {
  return strcmp(((const id_row *)a)->id, ((const id_row *)b)->id);
}

/* rows[i] = row of the activations (ids, n_rows) that holds neural stimulus i. */
static cb_status match_rows(const cb_bench *b, const char *act_path, char *const *ids, int64_t n_rows,
                            int64_t *rows) {
  id_row *index = malloc((size_t)(n_rows > 0 ? n_rows : 1) * sizeof *index);
  if (!index) return CB_ERROR(CB_ERR_NOMEM, "out of memory");
  for (int64_t i = 0; i < n_rows; ++i) index[i] = (id_row){ids[i], i};
  qsort(index, (size_t)n_rows, sizeof *index, cmp_id_row);
  for (int64_t i = 1; i < n_rows; ++i)
    if (!strcmp(index[i].id, index[i - 1].id)) {
      cb_status st = CB_ERROR(CB_ERR_FORMAT, "%s: stimulus_id '%s' appears twice", act_path, index[i].id);
      free(index);
      return st;
    }
  for (int i = 0; i < b->neural->n_stim; ++i) {
    id_row key = {b->neural->stimulus_id[i], 0};
    id_row *hit = bsearch(&key, index, (size_t)n_rows, sizeof *index, cmp_id_row);
    if (!hit) {
      cb_status st = CB_ERROR(CB_ERR_FORMAT, "%s: has no activations for stimulus '%s' of assembly %s", act_path,
                              key.id, b->assembly_path);
      free(index);
      return st;
    }
    rows[i] = hit->row;
  }
  free(index);
  return CB_OK;
}

/* ---- similarity metrics: test-only cross-validation ---------------------- */

/* Similarity between the model's and the brain's responses to the stimuli
 * idx[0..m-1]; pairs of identical stimuli (bootstrap duplicates) are left
 * out of RDM comparisons. */
typedef struct sim_ctx {
  const cb_bench *b;
  const float *X;  /* (n, p), or NULL when Dm is given */
  const double *Dm; /* (n, n) the model's RDM in the benchmark's stimulus order (RDM-only models), or NULL */
  int p;
  float *Xs;       /* (m, p) scratch */
  double *Ys;      /* (m, q) scratch */
  double *D1, *D2; /* (m, m) scratch */
  double *v1, *v2; /* (m (m - 1) / 2) scratch */
  int undef_rows;   /* most stimuli whose pattern had an undefined distance in one RDM (taken as 1) */
  int undef_cmp;    /* comparisons that were undefined (a constant RDM, a constant representation): taken as 0 */
} sim_ctx;

/* The scoring convention for an undefined comparison (NaN: a constant RDM): 0, counted. */
static cb_status defined_or_zero(sim_ctx *c, cb_status st, double *out) {
  if (st == CB_OK && isnan(*out)) {
    *out = 0.0;
    c->undef_cmp++;
  }
  return st;
}

static cb_status compare_vec(sim_ctx *c, size_t k, double *out) {
  return defined_or_zero(c, cb_rdm_compare_vec(c->v1, c->v2, k, c->b->compare, out), out);
}

/* An RDM of m patterns (double Y or float X) with undefined distances taken as 1 (cb_rdm_compute_defined). */
static cb_status rdm_defined(sim_ctx *c, const double *Y, const float *X, int m, int p, double *D) {
  int bad = 0;
  CB_CHECK(cb_rdm_compute_defined(Y, X, m, p, c->b->distance, D, &bad));
  if (bad > c->undef_rows) c->undef_rows = bad;
  return CB_OK;
}

/* Upper-triangle entries of the (n, n) matrix R at the stimuli idx (m), pairs
 * of identical stimuli left out; returns the count. */
static size_t gather_pairs(const double *R, int n, const int *idx, int m, double *v) {
  size_t k = 0;
  for (int i = 0; i < m; ++i)
    for (int j = i + 1; j < m; ++j)
      if (idx[i] != idx[j]) v[k++] = R[(size_t)idx[i] * n + idx[j]];
  return k;
}

/* RDM datasets: the model's pairs v1 (k) against the subjects' RDMs at idx:
 * the mean over subjects of the comparisons, or the comparison with the
 * subject-mean RDM (subjects = mean-rdm). */
static cb_status compare_subjects(sim_ctx *c, const int *idx, int m, size_t k, double *out) {
  const cb_bench *b = c->b;
  const int n = b->neural->n_stim;
  if (b->mean_rdm_mode || b->n_subj == 1) {
    gather_pairs(b->n_subj == 1 ? b->subj_rdm : b->mean_rdm, n, idx, m, c->v2);
    return compare_vec(c, k, out);
  }
  double sum = 0;
  for (int g = 0; g < b->n_subj; ++g) {
    double v;
    gather_pairs(b->subj_rdm + (size_t)g * n * n, n, idx, m, c->v2);
    CB_CHECK(compare_vec(c, k, &v));
    sum += v;
  }
  *out = sum / b->n_subj;
  return CB_OK;
}

static cb_status similarity_on(sim_ctx *c, const int *idx, int m, double *out) {
  const cb_bench *b = c->b;
  const int q = b->neural->n_neuroid, p = c->p;
  if (c->Dm) { /* an RDM-only model */
    size_t k = gather_pairs(c->Dm, b->neural->n_stim, idx, m, c->v1);
    if (b->n_subj > 0) return compare_subjects(c, idx, m, k, out);
    for (int i = 0; i < m; ++i) memcpy(c->Ys + (size_t)i * q, b->neural->mean + (size_t)idx[i] * q, sizeof(double) * (size_t)q);
    CB_CHECK(rdm_defined(c, c->Ys, NULL, m, q, c->D2));
    size_t k2 = 0;
    for (int i = 0; i < m; ++i)
      for (int j = i + 1; j < m; ++j)
        if (idx[i] != idx[j]) c->v2[k2++] = c->D2[(size_t)i * m + j];
    return compare_vec(c, k, out);
  }
  for (int i = 0; i < m; ++i) {
    memcpy(c->Xs + (size_t)i * p, c->X + (size_t)idx[i] * p, sizeof(float) * (size_t)p);
    memcpy(c->Ys + (size_t)i * q, b->neural->mean + (size_t)idx[i] * q, sizeof(double) * (size_t)q);
  }
  if (b->n_subj > 0) {
    CB_CHECK(rdm_defined(c, NULL, c->Xs, m, p, c->D1));
    size_t k = 0;
    for (int i = 0; i < m; ++i)
      for (int j = i + 1; j < m; ++j)
        if (idx[i] != idx[j]) c->v1[k++] = c->D1[(size_t)i * m + j];
    return compare_subjects(c, idx, m, k, out);
  }
  if (b->row->family == CB_METRIC_FAMILY_CKA) {
    CB_CHECK(cb_cka_gram_f(c->Xs, m, p, c->D1));
    CB_CHECK(cb_cka_gram(c->Ys, m, q, c->D2));
    int undefined = 0;
    CB_CHECK(cb_cka_from_gram_defined(c->D1, c->D2, m, b->cka, out, &undefined));
    c->undef_cmp += undefined;
    return CB_OK;
  }
  CB_CHECK(rdm_defined(c, NULL, c->Xs, m, p, c->D1));
  CB_CHECK(rdm_defined(c, c->Ys, NULL, m, q, c->D2));
  size_t k = 0;
  for (int i = 0; i < m; ++i)
    for (int j = i + 1; j < m; ++j) {
      if (idx[i] == idx[j]) continue;
      c->v1[k] = c->D1[(size_t)i * m + j];
      c->v2[k] = c->D2[(size_t)i * m + j];
      ++k;
    }
  return compare_vec(c, k, out);
}

static cb_status sim_ctx_init(sim_ctx *c, const cb_bench *b, const float *X, int p, const double *Dm, int m) {
  memset(c, 0, sizeof *c);
  c->b = b;
  c->X = X;
  c->Dm = Dm;
  c->p = p;
  const size_t mm = (size_t)m * m, q = (size_t)(b->neural->n_neuroid > 0 ? b->neural->n_neuroid : 1);
  c->Xs = malloc(sizeof(float) * (size_t)m * (size_t)(p > 0 ? p : 1));
  c->Ys = malloc(sizeof(double) * (size_t)m * q);
  c->D1 = malloc(sizeof(double) * mm);
  c->D2 = malloc(sizeof(double) * mm);
  c->v1 = malloc(sizeof(double) * (mm / 2 + 1));
  c->v2 = malloc(sizeof(double) * (mm / 2 + 1));
  if (!c->Xs || !c->Ys || !c->D1 || !c->D2 || !c->v1 || !c->v2) return CB_ERROR(CB_ERR_NOMEM, "out of memory");
  return CB_OK;
}

static void sim_ctx_free(sim_ctx *c) {
  free(c->Xs);
  free(c->Ys);
  free(c->D1);
  free(c->D2);
  free(c->v1);
  free(c->v2);
}

static void mean_and_sem(const double *v, int n, double *mean, double *sem) {
  double m = 0, var = 0;
  for (int i = 0; i < n; ++i) m += v[i];
  m /= n;
  for (int i = 0; i < n; ++i) var += (v[i] - m) * (v[i] - m);
  *mean = m;
  *sem = sqrt(var / n) / sqrt((double)n);
}

/* 1 when computing the model's RDM over all n stimuli once costs less than
 * computing it on every split's test stimuli (sum of m^2 > n^2, e.g. the
 * cross-validated RDM with 90 % test stimuli). A pair's distance does not
 * depend on the other stimuli, so both give the same values (up to the
 * rounding of the blocked Gram products). */
static int rdm_once(const cb_bench *b, const double *Dm) {
  if (b->row->family != CB_METRIC_FAMILY_RDM || Dm) return 0;
  const cb_splits *s = b->splits;
  double work = 0, n = b->neural->n_stim;
  for (int k = 0; k < s->n_splits; ++k) work += (double)s->test_size[k] * s->test_size[k];
  return work > n * n;
}

/* keep (may be NULL): receives the model's RDM over all stimuli (n, n) when it was computed once (rdm_once). */
static cb_status score_similarity(const cb_bench *b, const float *X, int p, const double *Dm, cb_cv_result *res,
                                  double **keep) {
  const cb_splits *s = b->splits;
  sim_ctx c;
  memset(&c, 0, sizeof c);
  double *full = NULL; /* (n, n) */
  cb_status st = CB_OK;
  if (rdm_once(b, Dm)) {
    const int n = b->neural->n_stim;
    full = malloc(sizeof *full * (size_t)n * n);
    int bad = 0;
    st = full ? cb_rdm_compute_defined(NULL, X, n, p, b->distance, full, &bad)
              : CB_ERROR(CB_ERR_NOMEM, "out of memory");
    Dm = full;
    res->n_undefined_rows = bad;
  }
  if (st == CB_OK) st = sim_ctx_init(&c, b, X, p, Dm, s->n_test);
  for (int k = 0; st == CB_OK && k < s->n_splits; ++k) {
    if (cb_signal_pending()) {
      st = CB_ERROR(CB_ERR_INTERRUPTED, "stopped by signal %d", cb_signal_pending());
      break;
    }
    st = similarity_on(&c, s->test + (size_t)k * s->n_test, s->test_size[k], &res->per_split[k]);
    if (st != CB_OK) cb_error_prefix("split %d", k);
  }
  if (c.undef_rows > res->n_undefined_rows) res->n_undefined_rows = c.undef_rows;
  res->n_undefined_splits = c.undef_cmp;
  sim_ctx_free(&c);
  if (st == CB_OK && keep && full) {
    *keep = full;
    full = NULL;
  }
  free(full);
  if (st != CB_OK) return st;
  res->n_splits = s->n_splits;
  mean_and_sem(res->per_split, s->n_splits, &res->raw, &res->error);
  return CB_OK;
}

/* Bootstrap replicate b: in every split, the test stimuli are resampled
 * with replacement (stream (seed, b)); raw_b = mean over splits. */
typedef struct boot_ctx {
  const cb_bench *b;
  sim_ctx *sim;
  int *draw; /* (n_test) */
} boot_ctx;

static cb_status boot_similarity(boot_ctx *bc, uint64_t rep, double *raw) {
  const cb_splits *s = bc->b->splits;
  cb_rng rng;
  cb_rng_seed_stream(&rng, bc->b->params.seed ^ 0xB0075712A9ull, rep);
  double sum = 0;
  for (int k = 0; k < s->n_splits; ++k) {
    const int *test = s->test + (size_t)k * s->n_test, m = s->test_size[k];
    for (int i = 0; i < m; ++i) bc->draw[i] = test[cb_rng_below(&rng, (uint64_t)m)];
    double v;
    CB_CHECK(similarity_on(bc->sim, bc->draw, m, &v));
    sum += v;
  }
  *raw = sum / s->n_splits;
  return CB_OK;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* Percentile interval of the ceiled score over replicates (NaN dropped). */
static void percentile_ci(double *v, int n, double level, double *lo, double *hi);

/* out: the replicate scores (in replicate order, for paired comparisons)
 * and their percentile interval; vals is reordered. */
static cb_status keep_replicates(double *vals, int nb, double level, cb_score *out) {
  free(out->boot);
  out->boot = malloc(sizeof *out->boot * (size_t)nb);
  if (!out->boot) return CB_ERROR(CB_ERR_NOMEM, "out of memory");
  memcpy(out->boot, vals, sizeof *vals * (size_t)nb);
  percentile_ci(vals, nb, level, &out->ci_low, &out->ci_high);
  out->n_bootstrap = nb;
  out->ci_level = level;
  return CB_OK;
}

static void percentile_ci(double *v, int n, double level, double *lo, double *hi) {
  int k = 0;
  for (int i = 0; i < n; ++i)
    if (!isnan(v[i])) v[k++] = v[i];
  if (k == 0) {
    *lo = *hi = NAN;
    return;
  }
  qsort(v, (size_t)k, sizeof *v, cmp_double);
  *lo = cb_quantile_skipnan(v, k, (1 - level) / 2);
  *hi = cb_quantile_skipnan(v, k, 1 - (1 - level) / 2);
}

static cb_status bootstrap_similarity(const cb_bench *b, const float *X, int p, const double *Dm, cb_score *out) {
  const int nb = b->params.bootstrap;
  sim_ctx c;
  memset(&c, 0, sizeof c);
  boot_ctx bc = {b, &c, NULL};
  double *vals = malloc(sizeof *vals * (size_t)nb); /* (nb) ceiled scores */
  double *full = NULL;                              /* (n, n) the model's RDM over every stimulus */
  bc.draw = malloc(sizeof *bc.draw * (size_t)b->splits->n_test);
  cb_status st = CB_OK;
  if (b->row->family == CB_METRIC_FAMILY_RDM && !Dm) {
    /* A pair's distance does not depend on the other stimuli: compute the
     * model's RDM once instead of once per replicate. */
    const int n = b->neural->n_stim;
    full = malloc(sizeof *full * (size_t)n * n);
    int bad = 0;
    st = full ? cb_rdm_compute_defined(NULL, X, n, p, b->distance, full, &bad)
              : CB_ERROR(CB_ERR_NOMEM, "out of memory");
    Dm = full;
  }
  if (st == CB_OK && (!vals || !bc.draw)) st = CB_ERROR(CB_ERR_NOMEM, "out of memory");
  if (st == CB_OK && getenv("CB_BOOT_EXPANDED") == NULL && cb__bench_boot_weighted(b)) {
    st = cb__bench_boot_rdm(b, Dm, vals); /* CB_BOOT_EXPANDED=1: the expanded multisets (tests compare both) */
    if (st == CB_OK) st = keep_replicates(vals, nb, b->params.ci_level, out);
    goto done;
  }
  if (st == CB_OK && b->row->family == CB_METRIC_FAMILY_CKA && X != NULL) {
    st = cb__bench_boot_cka(b, X, p, vals); /* by stimulus weights: O(n^2) per replicate, copies of a stimulus left out */
    if (st == CB_OK) st = keep_replicates(vals, nb, b->params.ci_level, out);
    goto done;
  }
  if (st == CB_OK) st = sim_ctx_init(&c, b, X, p, Dm, b->splits->n_test);
  for (int r = 0; st == CB_OK && r < nb; ++r) {
    if (cb_signal_pending()) { /* abandon the task: nothing of it is committed */
      st = CB_ERROR(CB_ERR_INTERRUPTED, "stopped by signal %d during a bootstrap", cb_signal_pending());
      break;
    }
    double raw;
    st = boot_similarity(&bc, (uint64_t)r, &raw);
    if (st == CB_OK) vals[r] = isnan(b->ceiling) ? raw : cb_ceil_score(raw, b->ceiling, b->norm);
  }
  if (st == CB_OK) st = keep_replicates(vals, nb, b->params.ci_level, out);
done:
  sim_ctx_free(&c);
  free(vals);
  free(full);
  free(bc.draw);
  return st;
}

/* ---- regressions ----------------------------------------------------------- */

/* Bootstrap of a regression score: in replicate r (stream (seed, r)) the
 * test stimuli of every split are resampled with replacement and the
 * cross-validated predictions `P` (n_splits, n_test, q) are correlated with
 * the responses on the resampled rows; raw_r = mean over splits of the
 * median over neuroids. The fit itself is not repeated, so the interval is
 * the sampling uncertainty of the evaluation stimuli. */
static cb_status bootstrap_regression(const cb_bench *b, const double *P, cb_score *out) {
  const cb_splits *s = b->splits;
  const cb_neural *nd = b->neural;
  const int q = nd->n_neuroid, nb = b->params.bootstrap, mmax = s->n_test;
  cb_status st = CB_OK;
  double *vals = malloc(sizeof *vals * (size_t)nb);                 /* (nb) */
  double *a = malloc(sizeof *a * (size_t)mmax), *y = malloc(sizeof *y * (size_t)mmax); /* (m) */
  double *r = malloc(sizeof *r * (size_t)q);                        /* (q) */
  if (!vals || !a || !y || !r) {
    st = CB_ERROR(CB_ERR_NOMEM, "out of memory");
    goto done;
  }
  int *draw = malloc(sizeof *draw * (size_t)mmax);
  if (!draw) {
    st = CB_ERROR(CB_ERR_NOMEM, "out of memory");
    goto done;
  }
  for (int rep = 0; rep < nb && st == CB_OK; ++rep) {
    if (cb_signal_pending()) {
      st = CB_ERROR(CB_ERR_INTERRUPTED, "stopped by signal %d during a bootstrap", cb_signal_pending());
      break;
    }
    cb_rng rng;
    cb_rng_seed_stream(&rng, b->params.seed ^ 0xB0075712A9ull, (uint64_t)rep);
    double sum = 0;
    for (int k = 0; k < s->n_splits; ++k) {
      const int m = s->test_size[k], *test = s->test + (size_t)k * mmax;
      const double *Pk = P + (size_t)k * mmax * q;
      for (int i = 0; i < m; ++i) draw[i] = (int)cb_rng_below(&rng, (uint64_t)m);
      for (int j = 0; j < q; ++j) {
        for (int i = 0; i < m; ++i) {
          a[i] = Pk[(size_t)draw[i] * q + j];
          y[i] = nd->mean[(size_t)test[draw[i]] * q + j];
        }
        r[j] = cb_pearson(a, y, m);
      }
      sum += cb_median_skipnan(r, q, NULL);
    }
    const double raw = sum / s->n_splits;
    vals[rep] = isnan(b->ceiling) ? raw : cb_ceil_score(raw, b->ceiling, b->norm);
  }
  if (st == CB_OK) st = keep_replicates(vals, nb, b->params.ci_level, out);
  free(draw);
done:
  free(vals);
  free(a);
  free(y);
  free(r);
  return st;
}

static cb_status regress_opts(const cb_bench *b, cb_regress_opts *o) {
  const cb_bench_params *p = &b->params;
  if (b->row->family != CB_METRIC_FAMILY_REGRESSION)
    return CB_ERROR(CB_ERR_INTERNAL, "metric '%s' is not a regression", b->row->name);
  cb_regress_opts_default(b->row->regress, o);
  o->n_components = p->components;
  o->alpha = p->alpha;
  o->alphas = p->alphas;
  o->n_alphas = p->n_alphas;
  o->alpha_per_target = p->alpha_per_target;
  return CB_OK;
}

/* ceiling = voxel: the score is the voxel-wise noise-corrected r^2 (cb_voxel_score); no single ceiling. */
static cb_status score_voxel(const cb_bench *b, const float *X, int p, const cb_regress_opts *o, cb_score *out) {
  const cb_neural *nd = b->neural;
  cb_noise_params np;
  cb_noise_params_default(&np);
  np.clip_max = 1.0;
  cb_voxel_result *v = malloc(sizeof *v);
  if (!v) return CB_ERROR(CB_ERR_NOMEM, "out of memory");
  cb_status st = cb_voxel_score(X, nd->n_stim, p, nd->reps, nd->mean, nd->n_rep, nd->n_neuroid, b->splits, o, &np, v);
  if (st == CB_OK) {
    out->per_split = malloc(sizeof(double) * (size_t)v->n_splits);
    if (!out->per_split) st = CB_ERROR(CB_ERR_NOMEM, "out of memory");
  }
  if (st == CB_OK) {
    memcpy(out->per_split, v->per_split, sizeof(double) * (size_t)v->n_splits);
    out->n_splits = v->n_splits;
    out->raw = v->raw;
    out->ceiling = NAN;
    out->score = v->score;
    out->error = v->error;
    snprintf(out->ceiling_method, sizeof out->ceiling_method, "voxel");
  }
  free(v);
  return st;
}

/* The score record of a cross-validated result. */
static cb_status fill_score(const cb_bench *b, const cb_cv_result *res, const char *model, const char *layer,
                            cb_score *out) {
  snprintf(out->model, sizeof out->model, "%s", model);
  snprintf(out->layer, sizeof out->layer, "%s", layer);
  snprintf(out->benchmark, sizeof out->benchmark, "%s", b->params.id);
  snprintf(out->metric, sizeof out->metric, "%s", cb_metric_name(b->metric));
  snprintf(out->assembly_sha256, sizeof out->assembly_sha256, "%s", b->assembly_sha256);
  out->raw = res->raw;
  out->error = res->error;
  out->ceiling = b->ceiling;
  out->score = isnan(b->ceiling) ? res->raw : cb_ceil_score(res->raw, b->ceiling, b->norm);
  if (b->n_subj > 1 && !isnan(b->ceiling)) {
    snprintf(out->ceiling_method, sizeof out->ceiling_method, "nili");
    out->ceiling_lower = b->ceiling_lower;
  }
  out->n_splits = res->n_splits;
  out->seed = b->params.seed;
  if (b->groups) {
    snprintf(out->group, sizeof out->group, "%s", b->params.group);
    out->n_groups = b->n_groups;
  }
  out->per_split = malloc((size_t)(res->n_splits > 0 ? res->n_splits : 1) * sizeof(double));
  if (!out->per_split) return CB_ERROR(CB_ERR_NOMEM, "out of memory");
  memcpy(out->per_split, res->per_split, (size_t)res->n_splits * sizeof(double));
  return cb__bench_record_fill(b, out);
}

/* The scoring conventions for undefined values (docs/config.md "Constant activations and responses"), each
 * with a warning naming the layer; a score with no defined split is an error, never a NaN in an average. */
static cb_status warn_undefined(const cb_bench *b, const char *act_path, const char *layer, const cb_cv_result *res) {
  const char *id = b->params.id;
  if (res->n_const_pred > 0)
    cb_log(CB_LOG_WARN, "%s: layer '%s' on %s: the prediction of %d of %d neuroids was constant on some split's test "
           "stimuli (a (nearly) constant layer): r = 0 there", act_path, layer, id, res->n_const_pred,
           b->neural->n_neuroid);
  if (res->n_nan_neuroids > 0)
    cb_log(CB_LOG_WARN, "%s: layer '%s' on %s: %d of %d neuroids had a constant response on some split's test "
           "stimuli (r undefined): that split's median skips them", act_path, layer, id, res->n_nan_neuroids,
           b->neural->n_neuroid);
  if (res->n_undefined_rows > 0)
    cb_log(CB_LOG_WARN, "%s: layer '%s' on %s: up to %d stimuli had a constant (or all-zero) pattern: their %s "
           "distance to every other stimulus is taken as 1", act_path, layer, id, res->n_undefined_rows,
           cb_rdm_distance_name(b->distance));
  if (res->n_undefined_splits > 0)
    cb_log(CB_LOG_WARN, "%s: layer '%s' on %s: %d of %d split comparisons were undefined (a constant RDM or "
           "representation): they count as 0", act_path, layer, id, res->n_undefined_splits, res->n_splits);
  if (res->n_skipped_splits > 0 && !isnan(res->raw))
    cb_log(CB_LOG_WARN, "%s: layer '%s' on %s: %d of %d splits had no neuroid varying on their test stimuli: left "
           "out of the mean", act_path, layer, id, res->n_skipped_splits, res->n_splits);
  if (isnan(res->raw))
    return CB_ERROR(CB_ERR_NUMERIC, "%s: no split of %s has a neuroid whose response varies over its test stimuli "
                    "(nothing to predict)", b->assembly_path, id);
  return CB_OK;
}

cb_status cb_bench_score_rdm(const cb_bench *b, const char *path, const cb_rdmfile *m, int entry, const char *model,
                             cb_score *out) {
  const int n = b->neural->n_stim;
  if (b->row->family != CB_METRIC_FAMILY_RDM)
    return CB_ERROR(CB_ERR_ARG, "%s: an RDM-only model takes part in rdm benchmarks only (%s is %s)", path,
                    b->params.id, cb_metric_name(b->metric));
  if (entry < 0 || entry >= m->n_subject) return CB_ERROR(CB_ERR_ARG, "%s: no RDM %d", path, entry);
  cb_status st = CB_OK;
  double *Dm = malloc(sizeof *Dm * (size_t)n * n); /* (n, n) in the benchmark's stimulus order */
  int *at = malloc(sizeof *at * (size_t)n);        /* (n) row of the file for each benchmark stimulus */
  cb_cv_result *res = calloc(1, sizeof *res);
  memset(out, 0, sizeof *out);
  CB_ALLOC_GOTO(Dm, st, done);
  CB_ALLOC_GOTO(at, st, done);
  CB_ALLOC_GOTO(res, st, done);
  CB_CHECK_GOTO(cb_bench_match_ids(b->neural->stimulus_id, n, m->stimulus_id, m->n, path, at), st, done);
  const double *R = m->rdm + (size_t)entry * m->n * m->n;
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n; ++j) Dm[(size_t)i * n + j] = R[(size_t)at[i] * m->n + at[j]];
  st = score_similarity(b, NULL, 0, Dm, res, NULL);
  if (st != CB_OK) {
    cb_error_prefix("%s on %s", path, b->assembly_path);
    goto done;
  }
  CB_CHECK_GOTO(warn_undefined(b, path, "rdm", res), st, done);
  CB_CHECK_GOTO(fill_score(b, res, model, "rdm", out), st, done);
  if (b->params.bootstrap > 0) st = bootstrap_similarity(b, NULL, 0, Dm, out);
done:
  if (st != CB_OK) cb_score_free(out);
  free(Dm);
  free(at);
  free(res);
  return st;
}

cb_status cb_bench_score_layer(const cb_bench *b, const char *act_path, const cb_activations *acts,
                               const char *layer, cb_score *out) {
  return cb_bench_score_layer_pca(b, act_path, acts, layer, NULL, out);
}

/* X (n_stim, p) in the benchmark's stimulus order: a non-finite activation is an error naming the stimulus; an empty
 * or constant layer as documented. */
static cb_status check_rows(const cb_bench *b, const char *act_path, const char *layer, const float *X, int64_t p) {
  const int n = b->neural->n_stim;
  for (int i = 0; i < n; ++i) {
    const float *x = X + (size_t)i * (size_t)p;
    for (int64_t j = 0; j < p; ++j)
      if (!isfinite(x[j]))
        return CB_ERROR(CB_ERR_NUMERIC, "%s: layer '%s' has a non-finite activation for stimulus '%s'", act_path,
                        layer, b->neural->stimulus_id[i]);
  }
  if (p == 0)
    return CB_ERROR(CB_ERR_NUMERIC, "%s: layer '%s' has no features (an empty layer): nothing to score", act_path,
                    layer);
  if (all_features_constant(X, n, p))
    cb_log(CB_LOG_WARN, "%s: layer '%s' is constant over the %d stimuli of %s (every feature has zero variance): "
           "it scores 0", act_path, layer, n, b->params.id);
  return CB_OK;
}

/* ceiling = voxel: the score record of the voxel-wise noise-corrected r^2. */
static cb_status score_gathered_voxel(const cb_bench *b, const char *act_path, const char *model, const char *layer,
                                      const float *X, int64_t p, cb_score *out) {
  const cb_bench_params *bp = &b->params;
  cb_regress_opts o;
  CB_CHECK(regress_opts(b, &o));
  cb_status st = score_voxel(b, X, (int)p, &o, out);
  if (st != CB_OK) {
    cb_error_prefix("%s: layer '%s' on %s", act_path, layer, b->assembly_path);
    return st;
  }
  snprintf(out->model, sizeof out->model, "%s", model);
  snprintf(out->layer, sizeof out->layer, "%s", layer);
  snprintf(out->benchmark, sizeof out->benchmark, "%s", bp->id);
  snprintf(out->assembly_sha256, sizeof out->assembly_sha256, "%s", b->assembly_sha256);
  snprintf(out->metric, sizeof out->metric, "%s", cb_metric_name(b->metric));
  out->seed = bp->seed;
  if (b->groups) {
    snprintf(out->group, sizeof out->group, "%s", bp->group);
    out->n_groups = b->n_groups;
  }
  return CB_OK;
}

/* Scores X (n_stim, p) in the benchmark's stimulus order (owned: freed here), projected by pca when not NULL;
 * rdm_out (or NULL): the model RDM an rdm benchmark computed (see cb_bench_score_layer_rdm). */
static cb_status score_gathered(const cb_bench *b, const char *act_path, const char *model, const char *layer,
                                float *X, int64_t p, const cb_pca *pca, cb_score *out, double **rdm_out) {
  if (rdm_out) *rdm_out = NULL;
  cb_status st = CB_OK;
  const cb_neural *nd = b->neural;
  const int n = nd->n_stim;
  float *Z = NULL;     /* (n, pca->k) */
  double *pred = NULL; /* (n_splits, n_test, q) test predictions, for the bootstrap */
  double *neuroid_r = NULL; /* (n_splits, q) test r of every neuroid, for the score record */
  cb_cv_result *res = calloc(1, sizeof *res);
  CB_ALLOC_GOTO(res, st, done);
  if (pca) { /* X (n, p) -> (n, k) */
    if (pca->p != p) {
      st = CB_ERROR(CB_ERR_INTERNAL, "%s: layer '%s' has %lld features, its PCA %lld", act_path, layer, (long long)p,
                    (long long)pca->p);
      goto done;
    }
    Z = malloc(sizeof *Z * (size_t)n * (size_t)pca->k);
    CB_ALLOC_GOTO(Z, st, done);
    CB_CHECK_GOTO(cb_pca_transform(pca, X, n, Z), st, done);
    free(X);
    X = Z;
    Z = NULL;
    p = pca->k;
  }
  const cb_bench_params *bp = &b->params;
  if (!strcmp(bp->ceiling, "voxel")) {
    st = score_gathered_voxel(b, act_path, model, layer, X, p, out);
    if (st == CB_OK) st = cb__bench_record_fill(b, out);
    goto done;
  }
  const int regression = b->row->family == CB_METRIC_FAMILY_REGRESSION;
  if (regression) {
    cb_regress_opts o;
    CB_CHECK_GOTO(regress_opts(b, &o), st, done);
    if (bp->bootstrap > 0) {
      pred = malloc(sizeof *pred * (size_t)b->splits->n_splits * b->splits->n_test * nd->n_neuroid);
      CB_ALLOC_GOTO(pred, st, done);
      o.predictions = pred;
    }
    neuroid_r = malloc(sizeof *neuroid_r * (size_t)b->splits->n_splits * nd->n_neuroid);
    CB_ALLOC_GOTO(neuroid_r, st, done);
    o.neuroid_r = neuroid_r;
    st = cb_cv_regress(X, n, (int)p, nd->mean, nd->n_neuroid, b->splits, &o, NULL, res);
  } else {
    st = score_similarity(b, X, (int)p, NULL, res, rdm_out);
  }
  if (st != CB_OK) {
    cb_error_prefix("%s: layer '%s' on %s", act_path, layer, b->assembly_path);
    goto done;
  }
  CB_CHECK_GOTO(warn_undefined(b, act_path, layer, res), st, done);
  CB_CHECK_GOTO(fill_score(b, res, model, layer, out), st, done);
  if (neuroid_r) CB_CHECK_GOTO(cb_score_set_neuroids(out, nd->neuroid_id, nd->n_neuroid, neuroid_r), st, done);
  out->pca_components = pca ? pca->k : 0;
  if (bp->bootstrap > 0)
    st = regression ? bootstrap_regression(b, pred, out) : bootstrap_similarity(b, X, (int)p, NULL, out);
done:
  free(neuroid_r);
  if (st != CB_OK && rdm_out) {
    free(*rdm_out);
    *rdm_out = NULL;
  }
  free(pred);
  free(res);
  free(Z);
  free(X);
  return st;
}

cb_status cb_bench_score_layer_pca(const cb_bench *b, const char *act_path, const cb_activations *acts,
                                   const char *layer, const cb_pca *pca, cb_score *out) {
  return cb_bench_score_layer_rdm(b, act_path, acts, layer, pca, out, NULL);
}

cb_status cb_bench_score_layer_rdm(const cb_bench *b, const char *act_path, const cb_activations *acts,
                                   const char *layer, const cb_pca *pca, cb_score *out, double **rdm_out) {
  cb_status st = CB_OK;
  if (rdm_out) *rdm_out = NULL;
  float *X = NULL; /* (n_stim, p) */
  int64_t p = 0;
  memset(out, 0, sizeof *out);
  int64_t *rows = malloc((size_t)b->neural->n_stim * sizeof *rows); /* (n_stim) */
  CB_ALLOC_GOTO(rows, st, done);
  CB_CHECK_GOTO(match_rows(b, act_path, acts->stimulus_id, acts->n, rows), st, done);
  CB_CHECK_GOTO(cb_activations_read_rows(acts, act_path, layer, rows, b->neural->n_stim, &X, &p), st, done);
  st = check_rows(b, act_path, layer, X, p);
  if (st == CB_OK) {
    st = score_gathered(b, act_path, acts->model ? acts->model : "", layer, X, p, pca, out, rdm_out);
    X = NULL; /* freed by score_gathered */
  }
done:
  if (st != CB_OK) cb_score_free(out);
  free(X);
  free(rows);
  return st;
}

cb_status cb_bench_score_matrix(const cb_bench *b, const char *src, const char *model, const char *layer,
                                char *const *stimulus_id, int64_t n_rows, const float *X, int64_t p, cb_score *out) {
  cb_status st = CB_OK;
  float *Xs = NULL; /* (n_stim, p) */
  memset(out, 0, sizeof *out);
  int64_t *rows = malloc((size_t)b->neural->n_stim * sizeof *rows); /* (n_stim) */
  CB_ALLOC_GOTO(rows, st, done);
  CB_CHECK_GOTO(match_rows(b, src, stimulus_id, n_rows, rows), st, done);
  const int n = b->neural->n_stim;
  Xs = malloc((size_t)n * (size_t)(p > 0 ? p : 1) * sizeof *Xs);
  CB_ALLOC_GOTO(Xs, st, done);
  for (int i = 0; i < n; ++i) /* the benchmark's stimulus order */
    memcpy(Xs + (size_t)i * (size_t)p, X + (size_t)rows[i] * (size_t)p, (size_t)p * sizeof *Xs);
  st = check_rows(b, src, layer, Xs, p);
  if (st == CB_OK) {
    st = score_gathered(b, src, model ? model : "", layer, Xs, p, NULL, out, NULL);
    Xs = NULL; /* freed by score_gathered */
  }
done:
  if (st != CB_OK) cb_score_free(out);
  free(Xs);
  free(rows);
  return st;
}

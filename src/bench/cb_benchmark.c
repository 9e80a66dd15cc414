#include "cb_benchmark.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_ceiling.h"
#include "cb_splits.h"
#include "cb_strbuf.h"

void cb_bench_params_defaults(cb_bench_params *p) {
  memset(p, 0, sizeof *p);
  p->id = "benchmark";
  p->metric = "pls";
  p->ceiling = "internal";
  p->normalise = "r2/c";
  p->t0 = p->t1 = NAN;
  p->splits = 10;
  p->components = 25;
  p->train_fraction = 0.9;
  p->seed = 1;
}

static int cmp_str_ptr(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* Class ids = rank of each label among the sorted distinct labels. */
static cb_status labels_to_classes(char **labels, int n, int **out) {
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

cb_status cb_bench_load(const char *assembly_path, const cb_bench_params *p, cb_bench **out) {
  cb_status st = CB_OK;
  cb_assembly *a = NULL;
  cb_bench *b = calloc(1, sizeof *b);
  if (!b) return CB_ERROR(CB_ERR_NOMEM, "out of memory");
  b->params = *p;
  b->ceiling = b->ceiling_error = NAN;
  b->assembly_path = cb_strdup(assembly_path);
  CB_ALLOC_GOTO(b->assembly_path, st, fail);
  if (strcmp(p->metric, "pls") != 0) {
    st = CB_ERROR(CB_ERR_UNSUPPORTED, "metric '%s' is not available yet (available: pls)", p->metric);
    goto fail;
  }
  CB_CHECK_GOTO(cb_normalise_parse(p->normalise, &b->norm), st, fail);
  CB_CHECK_GOTO(cb_assembly_read(assembly_path, &a), st, fail);
  CB_CHECK_GOTO(cb_neural_from_assembly(a, p->region, p->t0, p->t1, p->stratify, &b->neural), st, fail);
  if (p->stratify) CB_CHECK_GOTO(labels_to_classes(b->neural->labels, b->neural->n_stim, &b->labels), st, fail);
  if (!strcmp(p->ceiling, "internal")) {
    st = cb_ceiling_split_half(b->neural->reps, b->neural->n_stim, b->neural->n_rep, b->neural->n_neuroid,
                               p->splits, p->seed, &b->ceiling, &b->ceiling_error);
    if (st != CB_OK) {
      cb_error_prefix("%s: ceiling", assembly_path);
      goto fail;
    }
  } else if (strcmp(p->ceiling, "none") != 0) {
    st = CB_ERROR(CB_ERR_ARG, "unknown ceiling '%s' (internal or none)", p->ceiling);
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
  free(b->labels);
  free(b->assembly_path);
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

/* rows[i] = row of the activations that holds neural stimulus i. */
static cb_status match_rows(const cb_bench *b, const char *act_path, const cb_activations *acts, int64_t *rows) {
  id_row *index = malloc((size_t)(acts->n > 0 ? acts->n : 1) * sizeof *index);
  if (!index) return CB_ERROR(CB_ERR_NOMEM, "out of memory");
  for (int64_t i = 0; i < acts->n; ++i) index[i] = (id_row){acts->stimulus_id[i], i};
  qsort(index, (size_t)acts->n, sizeof *index, cmp_id_row);
  for (int64_t i = 1; i < acts->n; ++i)
    if (!strcmp(index[i].id, index[i - 1].id)) {
      cb_status st = CB_ERROR(CB_ERR_FORMAT, "%s: stimulus_id '%s' appears twice", act_path, index[i].id);
      free(index);
      return st;
    }
  for (int i = 0; i < b->neural->n_stim; ++i) {
    id_row key = {b->neural->stimulus_id[i], 0};
    id_row *hit = bsearch(&key, index, (size_t)acts->n, sizeof *index, cmp_id_row);
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

cb_status cb_bench_score_layer(const cb_bench *b, const char *act_path, const cb_activations *acts,
                               const char *layer, cb_score *out) {
  cb_status st = CB_OK;
  const cb_neural *nd = b->neural;
  const int n = nd->n_stim;
  float *all = NULL, *X = NULL; /* (acts->n, p), (n, p) */
  int64_t *rows = NULL, p = 0;
  cb_splits *splits = NULL;
  cb_cv_result *res = calloc(1, sizeof *res);
  CB_ALLOC_GOTO(res, st, done);
  memset(out, 0, sizeof *out);
  rows = malloc((size_t)n * sizeof *rows);
  CB_ALLOC_GOTO(rows, st, done);
  CB_CHECK_GOTO(match_rows(b, act_path, acts, rows), st, done);
  CB_CHECK_GOTO(cb_activations_read_layer(acts, act_path, layer, &all, &p), st, done);
  X = malloc((size_t)n * (size_t)p * sizeof *X);
  CB_ALLOC_GOTO(X, st, done);
  for (int i = 0; i < n; ++i) {
    const float *src = all + (size_t)rows[i] * (size_t)p;
    for (int64_t j = 0; j < p; ++j)
      if (!isfinite(src[j])) {
        st = CB_ERROR(CB_ERR_NUMERIC, "%s: layer '%s' has a non-finite activation for stimulus '%s'", act_path,
                      layer, nd->stimulus_id[i]);
        goto done;
      }
    memcpy(X + (size_t)i * (size_t)p, src, (size_t)p * sizeof *X);
  }
  free(all);
  all = NULL;
  const cb_bench_params *bp = &b->params;
  st = cb_splits_stratified_shuffle(n, b->labels, bp->splits, bp->train_fraction, bp->seed, &splits);
  if (st != CB_OK) {
    cb_error_prefix("%s", b->assembly_path);
    goto done;
  }
  CB_CHECK_GOTO(cb_pls_cv(X, n, (int)p, nd->mean, nd->n_neuroid, splits, bp->components, res), st, done);
  snprintf(out->model, sizeof out->model, "%s", acts->model ? acts->model : "");
  snprintf(out->layer, sizeof out->layer, "%s", layer);
  snprintf(out->benchmark, sizeof out->benchmark, "%s", bp->id);
  snprintf(out->metric, sizeof out->metric, "%s", bp->metric);
  out->raw = res->raw;
  out->error = res->error;
  out->ceiling = b->ceiling;
  out->score = isnan(b->ceiling) ? res->raw : cb_ceil_score(res->raw, b->ceiling, b->norm);
  out->n_splits = res->n_splits;
  out->seed = bp->seed;
  out->per_split = malloc((size_t)res->n_splits * sizeof(double));
  CB_ALLOC_GOTO(out->per_split, st, done);
  memcpy(out->per_split, res->per_split, (size_t)res->n_splits * sizeof(double));
done:
  free(res);
  free(all);
  free(X);
  free(rows);
  cb_splits_destroy(&splits);
  return st;
}

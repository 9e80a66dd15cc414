#include "cb_leaderboard.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_fs.h"

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* Distinct names in first-seen order (or sorted when `sort`). */
static cb_status collect_names(const cb_score *s, int n, int which, char ***out, int *n_out) {
  char **names = calloc((size_t)(n > 0 ? n : 1), sizeof *names);
  if (!names) return CB_ERROR(CB_ERR_NOMEM, "out of memory");
  int k = 0;
  for (int i = 0; i < n; ++i) {
    const char *v = which == 0 ? s[i].model : s[i].benchmark;
    int seen = 0;
    for (int j = 0; j < k && !seen; ++j) seen = !strcmp(names[j], v);
    if (!seen) {
      names[k] = cb_strdup(v);
      if (!names[k]) {
        for (int j = 0; j < k; ++j) free(names[j]);
        free(names);
        return CB_ERROR(CB_ERR_NOMEM, "out of memory");
      }
      ++k;
    }
  }
  qsort(names, (size_t)k, sizeof *names, cmp_str);
  *out = names;
  *n_out = k;
  return CB_OK;
}

static double clip01(double x) { return x < 0 ? 0 : (x > 1 ? 1 : x); }
static double round2_half_up(double x) { return floor(x * 100.0 + 0.5 + 1e-9) / 100.0; }

static int cmp_rows(const void *a, const void *b) {
  const cb_lb_row *x = a, *y = b;
  double rx = round2_half_up(x->average), ry = round2_half_up(y->average);
  if (rx != ry) return rx > ry ? -1 : 1;
  return strcmp(x->model, y->model);
}

cb_status cb_leaderboard_build(const cb_score *scores, int n_scores, const char *const *models, int n_models,
                               const char *const *benchmarks, int n_bench, cb_leaderboard **out) {
  cb_status st = CB_OK;
  char **mnames = NULL, **bnames = NULL;
  int nm = 0, nb = 0;
  cb_leaderboard *lb = calloc(1, sizeof *lb);
  CB_ALLOC_GOTO(lb, st, fail);
  if (models) {
    mnames = calloc((size_t)n_models + 1, sizeof *mnames);
    CB_ALLOC_GOTO(mnames, st, fail);
    for (nm = 0; nm < n_models; ++nm) CB_ALLOC_GOTO(mnames[nm] = cb_strdup(models[nm]), st, fail);
  } else {
    CB_CHECK_GOTO(collect_names(scores, n_scores, 0, &mnames, &nm), st, fail);
  }
  if (benchmarks) {
    bnames = calloc((size_t)n_bench + 1, sizeof *bnames);
    CB_ALLOC_GOTO(bnames, st, fail);
    for (nb = 0; nb < n_bench; ++nb) CB_ALLOC_GOTO(bnames[nb] = cb_strdup(benchmarks[nb]), st, fail);
  } else {
    CB_CHECK_GOTO(collect_names(scores, n_scores, 1, &bnames, &nb), st, fail);
  }
  lb->n_models = nm;
  lb->n_bench = nb;
  lb->bench = bnames;
  bnames = NULL;
  lb->rows = calloc((size_t)(nm > 0 ? nm : 1), sizeof *lb->rows);
  CB_ALLOC_GOTO(lb->rows, st, fail);
  for (int m = 0; m < nm; ++m) {
    cb_lb_row *r = &lb->rows[m];
    r->model = mnames[m];
    mnames[m] = NULL;
    r->score = malloc((size_t)(nb > 0 ? nb : 1) * sizeof *r->score);
    r->layer = calloc((size_t)(nb > 0 ? nb : 1), sizeof *r->layer);
    CB_ALLOC_GOTO(r->score, st, fail);
    CB_ALLOC_GOTO(r->layer, st, fail);
    double sum = 0;
    for (int b = 0; b < nb; ++b) {
      int best = -1;
      for (int i = 0; i < n_scores; ++i) {
        if (strcmp(scores[i].model, r->model) || strcmp(scores[i].benchmark, lb->bench[b])) continue;
        if (isnan(scores[i].score)) continue;
        if (best < 0 || scores[i].score > scores[best].score) best = i;
      }
      r->score[b] = best >= 0 ? scores[best].score : NAN;
      if (best >= 0) CB_ALLOC_GOTO(r->layer[b] = cb_strdup(scores[best].layer), st, fail);
      sum += best >= 0 ? clip01(scores[best].score) : 0.0;
    }
    r->average = nb > 0 ? sum / nb : NAN;
  }
  free(mnames);
  mnames = NULL;
  qsort(lb->rows, (size_t)nm, sizeof *lb->rows, cmp_rows);
  for (int m = 0; m < nm; ++m) {
    if (m > 0 && round2_half_up(lb->rows[m].average) == round2_half_up(lb->rows[m - 1].average))
      lb->rows[m].rank = lb->rows[m - 1].rank;
    else
      lb->rows[m].rank = m + 1;
  }
  *out = lb;
  return CB_OK;
fail:
  if (mnames)
    for (int i = 0; i < nm; ++i) free(mnames[i]);
  free(mnames);
  if (bnames)
    for (int i = 0; i < nb; ++i) free(bnames[i]);
  free(bnames);
  cb_leaderboard_destroy(&lb);
  return st;
}

void cb_leaderboard_destroy(cb_leaderboard **lbp) {
  if (!lbp || !*lbp) return;
  cb_leaderboard *lb = *lbp;
  if (lb->rows)
    for (int m = 0; m < lb->n_models; ++m) {
      free(lb->rows[m].model);
      free(lb->rows[m].score);
      if (lb->rows[m].layer)
        for (int b = 0; b < lb->n_bench; ++b) free(lb->rows[m].layer[b]);
      free(lb->rows[m].layer);
    }
  if (lb->bench)
    for (int b = 0; b < lb->n_bench; ++b) free(lb->bench[b]);
  free(lb->bench);
  free(lb->rows);
  free(lb);
  *lbp = NULL;
}

/* CSV field quoting (RFC 4180). */
static cb_status csv_field(cb_strbuf *o, const char *v) {
  if (!strpbrk(v, ",\"\n")) return cb_strbuf_append(o, v);
  CB_CHECK(cb_strbuf_append(o, "\""));
  for (const char *p = v; *p; ++p) CB_CHECK(cb_strbuf_printf(o, *p == '"' ? "\"\"" : "%c", *p));
  return cb_strbuf_append(o, "\"");
}

cb_status cb_leaderboard_csv(const cb_leaderboard *lb, cb_strbuf *o) {
  CB_CHECK(cb_strbuf_append(o, "rank,model,average"));
  for (int b = 0; b < lb->n_bench; ++b) {
    CB_CHECK(cb_strbuf_append(o, ","));
    CB_CHECK(csv_field(o, lb->bench[b]));
  }
  for (int b = 0; b < lb->n_bench; ++b) {
    CB_CHECK(cb_strbuf_append(o, ","));
    char name[300];
    snprintf(name, sizeof name, "%s.layer", lb->bench[b]);
    CB_CHECK(csv_field(o, name));
  }
  CB_CHECK(cb_strbuf_append(o, "\n"));
  for (int m = 0; m < lb->n_models; ++m) {
    const cb_lb_row *r = &lb->rows[m];
    CB_CHECK(cb_strbuf_printf(o, "%d,", r->rank));
    CB_CHECK(csv_field(o, r->model));
    CB_CHECK(cb_strbuf_printf(o, ",%.4f", r->average));
    for (int b = 0; b < lb->n_bench; ++b)
      CB_CHECK(isnan(r->score[b]) ? cb_strbuf_append(o, ",") : cb_strbuf_printf(o, ",%.4f", r->score[b]));
    for (int b = 0; b < lb->n_bench; ++b) {
      CB_CHECK(cb_strbuf_append(o, ","));
      if (r->layer[b]) CB_CHECK(csv_field(o, r->layer[b]));
    }
    CB_CHECK(cb_strbuf_append(o, "\n"));
  }
  return CB_OK;
}

cb_status cb_leaderboard_markdown(const cb_leaderboard *lb, cb_strbuf *o) {
  CB_CHECK(cb_strbuf_append(o, "| rank | model | average |"));
  for (int b = 0; b < lb->n_bench; ++b) CB_CHECK(cb_strbuf_printf(o, " %s (layer) |", lb->bench[b]));
  CB_CHECK(cb_strbuf_append(o, "\n|---:|---|---:|"));
  for (int b = 0; b < lb->n_bench; ++b) CB_CHECK(cb_strbuf_append(o, "---:|"));
  CB_CHECK(cb_strbuf_append(o, "\n"));
  for (int m = 0; m < lb->n_models; ++m) {
    const cb_lb_row *r = &lb->rows[m];
    CB_CHECK(cb_strbuf_printf(o, "| %d | %s | %.2f |", r->rank, r->model, round2_half_up(r->average)));
    for (int b = 0; b < lb->n_bench; ++b) {
      if (isnan(r->score[b]))
        CB_CHECK(cb_strbuf_append(o, " - |"));
      else
        CB_CHECK(cb_strbuf_printf(o, " %.3f (%s) |", r->score[b], r->layer[b]));
    }
    CB_CHECK(cb_strbuf_append(o, "\n"));
  }
  return CB_OK;
}

cb_status cb_leaderboard_write(const cb_leaderboard *lb, const char *dir) {
  cb_status st = CB_OK;
  cb_strbuf csv = {0}, md = {0};
  char path[CB_PATH_MAX];
  CB_CHECK_GOTO(cb_leaderboard_csv(lb, &csv), st, done);
  CB_CHECK_GOTO(cb_leaderboard_markdown(lb, &md), st, done);
  CB_CHECK_GOTO(cb_path_join(path, sizeof path, dir, "leaderboard.csv"), st, done);
  CB_CHECK_GOTO(cb_file_write_atomic(path, csv.data, csv.len), st, done);
  CB_CHECK_GOTO(cb_path_join(path, sizeof path, dir, "leaderboard.md"), st, done);
  CB_CHECK_GOTO(cb_file_write_atomic(path, md.data, md.len), st, done);
done:
  cb_strbuf_free(&csv);
  cb_strbuf_free(&md);
  return st;
}

#include "cb_leaderboard.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_fs.h"
#include "cb_log.h"

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static void free_strs(char **v, int n) {
  if (!v) return;
  for (int i = 0; i < n; ++i) free(v[i]);
  free(v);
}

/* Distinct model (which = 0) or benchmark names of the scores, sorted. */
static cb_status collect_names(const cb_score *s, int n, int which, char ***out, int *n_out) {
  char **names = calloc((size_t)(n > 0 ? n : 1), sizeof *names);
  if (!names) return CB_ERROR(CB_ERR_NOMEM, "out of memory");
  int k = 0;
  for (int i = 0; i < n; ++i) {
    const char *v = which == 0 ? s[i].model : s[i].benchmark;
    int seen = 0;
    for (int j = 0; j < k && !seen; ++j) seen = !strcmp(names[j], v);
    if (seen) continue;
    if (!(names[k] = cb_strdup(v))) {
      free_strs(names, k);
      return CB_ERROR(CB_ERR_NOMEM, "out of memory");
    }
    ++k;
  }
  qsort(names, (size_t)k, sizeof *names, cmp_str);
  *out = names;
  *n_out = k;
  return CB_OK;
}

static cb_status copy_names(const char *const *v, int n, char ***out) {
  char **c = calloc((size_t)n + 1, sizeof *c);
  if (!c) return CB_ERROR(CB_ERR_NOMEM, "out of memory");
  for (int i = 0; i < n; ++i)
    if (!(c[i] = cb_strdup(v[i]))) {
      free_strs(c, i);
      return CB_ERROR(CB_ERR_NOMEM, "out of memory");
    }
  *out = c;
  return CB_OK;
}

static double clip01(double x) { return x < 0 ? 0 : (x > 1 ? 1 : x); }

int cb_leaderboard_hundredths(double x) {
  if (isnan(x)) return -1;
  if (x < 0) return -cb_leaderboard_hundredths(-x);
  if (x > 1e9) x = 1e9;
  char buf[64];
  snprintf(buf, sizeof buf, "%.10f", x); /* e.g. "0.4455000000" */
  const char *dot = strchr(buf, '.');
  if (!dot) return -1;
  long ip = strtol(buf, NULL, 10);
  int d1 = dot[1] - '0', d2 = dot[2] - '0', d3 = dot[3] - '0';
  return (int)(ip * 100 + d1 * 10 + d2 + (d3 >= 5));
}

void cb_leaderboard_infer_region(const char *benchmark, char *out, size_t n) {
  const char *dot = strchr(benchmark, '.');
  if (!dot || !dot[1] || dot[1] == '-') {
    snprintf(out, n, "%s", benchmark);
    return;
  }
  const char *start = dot + 1, *end = strchr(start, '-');
  size_t len = end ? (size_t)(end - start) : strlen(start);
  snprintf(out, n, "%.*s", (int)len, start);
}

static int cmp_rows(const void *a, const void *b) {
  const cb_lb_row *x = a, *y = b;
  if (x->rank_value != y->rank_value) return x->rank_value > y->rank_value ? -1 : 1;
  return strcmp(x->model, y->model);
}

/* Region names per benchmark, distinct regions in first-appearance order. */
static cb_status assign_regions(cb_leaderboard *lb, const cb_lb_options *opt) {
  lb->bench_region = calloc((size_t)lb->n_bench + 1, sizeof *lb->bench_region);
  lb->region = calloc((size_t)lb->n_bench + 1, sizeof *lb->region);
  if (!lb->bench_region || !lb->region) return CB_ERROR(CB_ERR_NOMEM, "out of memory");
  for (int b = 0; b < lb->n_bench; ++b) {
    char name[256] = "";
    for (int i = 0; opt && opt->regions && i < opt->n_regions && !name[0]; ++i) /* first match wins */
      if (opt->regions[i].benchmark && !strcmp(opt->regions[i].benchmark, lb->bench[b]) && opt->regions[i].region &&
          opt->regions[i].region[0])
        snprintf(name, sizeof name, "%s", opt->regions[i].region);
    if (!name[0]) cb_leaderboard_infer_region(lb->bench[b], name, sizeof name);
    int k = 0;
    while (k < lb->n_regions && strcmp(lb->region[k], name)) ++k;
    if (k == lb->n_regions) {
      if (!(lb->region[k] = cb_strdup(name))) return CB_ERROR(CB_ERR_NOMEM, "out of memory");
      lb->n_regions++;
    }
    lb->bench_region[b] = k;
  }
  return CB_OK;
}

/* Every layer of (model, benchmark) and the best one. */
static cb_status fill_cell(const cb_score *scores, int n_scores, const char *model, const char *bench,
                           cb_lb_cell *cell) {
  int n = 0;
  for (int i = 0; i < n_scores; ++i) n += !strcmp(scores[i].model, model) && !strcmp(scores[i].benchmark, bench);
  cell->best = -1;
  cell->layers = calloc((size_t)(n > 0 ? n : 1), sizeof *cell->layers);
  if (!cell->layers) return CB_ERROR(CB_ERR_NOMEM, "out of memory");
  for (int i = 0; i < n_scores; ++i) {
    const cb_score *s = &scores[i];
    if (strcmp(s->model, model) || strcmp(s->benchmark, bench)) continue;
    cb_lb_layer *l = &cell->layers[cell->n_layers];
    if (!(l->layer = cb_strdup(s->layer))) return CB_ERROR(CB_ERR_NOMEM, "out of memory");
    l->raw = s->raw;
    l->ceiling = s->ceiling;
    l->score = s->score;
    l->error = s->error;
    l->ci_low = s->n_bootstrap > 0 ? s->ci_low : NAN;
    l->pca_components = s->pca_components;
    l->ci_high = s->n_bootstrap > 0 ? s->ci_high : NAN;
    l->voxel = !strcmp(s->ceiling_method, "voxel");
    l->ceiling_lower = !strcmp(s->ceiling_method, "nili") ? s->ceiling_lower : NAN;
    if (!isnan(s->score) && (cell->best < 0 || s->score > cell->layers[cell->best].score)) cell->best = cell->n_layers;
    cell->n_layers++;
  }
  return CB_OK;
}

/* Mean of children, missing (NaN) child = 0 (skip: left out), all missing -> NaN. */
static double mean_missing0(const double *v, const int *member, int n, int which, int skip) {
  double sum = 0;
  int count = 0, present = 0;
  for (int i = 0; i < n; ++i) {
    if (member && member[i] != which) continue;
    ++count;
    if (!isnan(v[i])) {
      sum += v[i];
      ++present;
    }
  }
  return present ? sum / (skip ? present : count) : NAN;
}

static int layer_index(const cb_lb_cell *c, const char *layer) {
  for (int i = 0; i < c->n_layers; ++i)
    if (!strcmp(c->layers[i].layer, layer) && !isnan(c->layers[i].score)) return i;
  return -1;
}

/* Layer commitment: per region, the layer chosen on its selection
 * benchmark (or given by a fixed map) is the one every benchmark of the
 * region uses; a benchmark without a score for that layer is missing. */
static void commit_layers(const cb_lb_options *opt, cb_leaderboard *lb, cb_lb_row *r) {
  for (int k = 0; k < lb->n_regions; ++k) {
    const char *layer = NULL;
    for (int i = 0; opt && i < opt->n_fixed; ++i)
      if (!strcmp(opt->fixed[i].model, r->model) && !strcmp(opt->fixed[i].region, lb->region[k]))
        layer = opt->fixed[i].layer;
    if (!layer) {
      int sel = -1;
      for (int b = 0; b < lb->n_bench && sel < 0; ++b) {
        if (lb->bench_region[b] != k) continue;
        for (int i = 0; opt && i < opt->n_selection; ++i)
          if (!strcmp(opt->selection[i], lb->bench[b])) sel = b;
      }
      for (int b = 0; b < lb->n_bench && sel < 0; ++b)
        if (lb->bench_region[b] == k) sel = b;
      if (sel >= 0 && r->cell[sel].best >= 0) layer = r->cell[sel].layers[r->cell[sel].best].layer;
    }
    for (int b = 0; b < lb->n_bench; ++b)
      if (lb->bench_region[b] == k) r->cell[b].best = layer ? layer_index(&r->cell[b], layer) : -1;
  }
}

static cb_status build_row(const cb_score *scores, int n_scores, const cb_lb_options *opt, cb_leaderboard *lb,
                           cb_lb_row *r) {
  int nb = lb->n_bench, nr = lb->n_regions;
  r->score = malloc((size_t)(nb > 0 ? nb : 1) * sizeof *r->score);
  r->layer = calloc((size_t)(nb > 0 ? nb : 1), sizeof *r->layer);
  r->cell = calloc((size_t)(nb > 0 ? nb : 1), sizeof *r->cell);
  r->region = malloc((size_t)(nr > 0 ? nr : 1) * sizeof *r->region);
  double *leaf = malloc((size_t)(nb > 0 ? nb : 1) * sizeof *leaf); /* (nb) clipped, NaN missing */
  if (!r->score || !r->layer || !r->cell || !r->region || !leaf) {
    free(leaf);
    return CB_ERROR(CB_ERR_NOMEM, "out of memory");
  }
  cb_status st = CB_OK;
  for (int b = 0; b < nb && st == CB_OK; ++b) st = fill_cell(scores, n_scores, r->model, lb->bench[b], &r->cell[b]);
  if (st == CB_OK && (!opt || opt->layer_mode == CB_LB_PER_REGION)) commit_layers(opt, lb, r);
  for (int b = 0; b < nb && st == CB_OK; ++b) {
    cb_lb_cell *c = &r->cell[b];
    r->score[b] = c->best >= 0 ? c->layers[c->best].score : NAN;
    leaf[b] = c->best >= 0 ? clip01(r->score[b]) : NAN;
    if (c->best >= 0 && !(r->layer[b] = cb_strdup(c->layers[c->best].layer)))
      st = CB_ERROR(CB_ERR_NOMEM, "out of memory");
  }
  if (st == CB_OK) {
    for (int k = 0; k < nr; ++k) r->region[k] = mean_missing0(leaf, lb->bench_region, nb, k, lb->skip_missing);
    r->neural = mean_missing0(r->region, NULL, nr, 0, lb->skip_missing);
    r->average = r->neural; /* overall: only neural benchmarks for now */
    r->rank_value = cb_leaderboard_hundredths(r->average);
  }
  free(leaf);
  return st;
}

/* One warning per model with missing benchmarks, naming them and what the average does with them. */
static void warn_missing_row(const cb_leaderboard *lb, const cb_lb_row *r) {
  cb_strbuf names = {0};
  int n = 0;
  for (int b = 0; b < lb->n_bench; ++b)
    if (isnan(r->score[b])) cb_strbuf_printf(&names, "%s%s", n++ ? ", " : "", lb->bench[b]);
  if (n > 0 && names.data)
    cb_log(CB_LOG_WARN, "leaderboard: model %s has no score on %d of %d benchmark%s (%s): %s", r->model, n, lb->n_bench,
           lb->n_bench == 1 ? "" : "s", names.data,
           lb->skip_missing ? "left out of its averages" : "counted as 0 in its averages");
  cb_strbuf_free(&names);
}

void cb_leaderboard_warn_missing(const cb_leaderboard *lb) {
  for (int m = 0; lb && m < lb->n_models; ++m) warn_missing_row(lb, &lb->rows[m]);
}

cb_status cb_leaderboard_build_opts(const cb_score *scores, int n_scores, const cb_lb_options *opt,
                                    cb_leaderboard **out) {
  cb_status st = CB_OK;
  char **mnames = NULL;
  int nm = 0;
  cb_leaderboard *lb = calloc(1, sizeof *lb);
  CB_ALLOC_GOTO(lb, st, fail);
  lb->skip_missing = opt ? opt->skip_missing : 0;
  if (opt && opt->models) {
    CB_CHECK_GOTO(copy_names(opt->models, opt->n_models, &mnames), st, fail);
    nm = opt->n_models;
  } else {
    CB_CHECK_GOTO(collect_names(scores, n_scores, 0, &mnames, &nm), st, fail);
  }
  if (opt && opt->benchmarks) {
    CB_CHECK_GOTO(copy_names(opt->benchmarks, opt->n_bench, &lb->bench), st, fail);
    lb->n_bench = opt->n_bench;
  } else {
    CB_CHECK_GOTO(collect_names(scores, n_scores, 1, &lb->bench, &lb->n_bench), st, fail);
  }
  CB_CHECK_GOTO(assign_regions(lb, opt), st, fail);
  lb->rows = calloc((size_t)(nm > 0 ? nm : 1), sizeof *lb->rows);
  CB_ALLOC_GOTO(lb->rows, st, fail);
  lb->n_models = nm;
  for (int m = 0; m < nm; ++m) {
    lb->rows[m].model = mnames[m];
    mnames[m] = NULL;
    CB_CHECK_GOTO(build_row(scores, n_scores, opt, lb, &lb->rows[m]), st, fail);
  }
  qsort(lb->rows, (size_t)nm, sizeof *lb->rows, cmp_rows);
  for (int m = 0; m < nm; ++m)
    lb->rows[m].rank = m > 0 && lb->rows[m].rank_value == lb->rows[m - 1].rank_value ? lb->rows[m - 1].rank : m + 1;
  free(mnames);
  *out = lb;
  return CB_OK;
fail:
  free_strs(mnames, nm);
  cb_leaderboard_destroy(&lb);
  return st;
}

cb_status cb_leaderboard_build(const cb_score *scores, int n_scores, const char *const *models, int n_models,
                               const char *const *benchmarks, int n_bench, cb_leaderboard **out) {
  cb_lb_options opt = {.models = models, .n_models = n_models, .benchmarks = benchmarks, .n_bench = n_bench,
                       .layer_mode = CB_LB_PER_BENCHMARK};
  return cb_leaderboard_build_opts(scores, n_scores, &opt, out);
}

void cb_leaderboard_destroy(cb_leaderboard **lbp) {
  if (!lbp || !*lbp) return;
  cb_leaderboard *lb = *lbp;
  for (int m = 0; lb->rows && m < lb->n_models; ++m) {
    cb_lb_row *r = &lb->rows[m];
    free(r->model);
    free(r->score);
    free(r->region);
    if (r->layer)
      for (int b = 0; b < lb->n_bench; ++b) free(r->layer[b]);
    free(r->layer);
    if (r->cell)
      for (int b = 0; b < lb->n_bench; ++b) {
        for (int l = 0; l < r->cell[b].n_layers; ++l) free(r->cell[b].layers[l].layer);
        free(r->cell[b].layers);
      }
    free(r->cell);
  }
  free(lb->rows);
  free_strs(lb->bench, lb->n_bench);
  free_strs(lb->region, lb->n_regions);
  free(lb->bench_region);
  free(lb);
  *lbp = NULL;
}

/* CSV field quoting (RFC 4180). */
static cb_status csv_field(cb_strbuf *o, const char *v) {
  if (!strpbrk(v, ",\"\n\r")) return cb_strbuf_append(o, v);
  CB_CHECK(cb_strbuf_append(o, "\""));
  for (const char *p = v; *p; ++p) CB_CHECK(cb_strbuf_printf(o, *p == '"' ? "\"\"" : "%c", *p));
  return cb_strbuf_append(o, "\"");
}

static cb_status csv_num(cb_strbuf *o, double x) {
  return isnan(x) ? cb_strbuf_append(o, ",") : cb_strbuf_printf(o, ",%.4f", x);
}

cb_status cb_leaderboard_csv(const cb_leaderboard *lb, cb_strbuf *o) {
  CB_CHECK(cb_strbuf_append(o, "rank,model,average"));
  for (int b = 0; b < lb->n_bench; ++b) {
    CB_CHECK(cb_strbuf_append(o, ","));
    CB_CHECK(csv_field(o, lb->bench[b]));
  }
  for (int b = 0; b < lb->n_bench; ++b) {
    char name[300];
    snprintf(name, sizeof name, "%s.layer", lb->bench[b]);
    CB_CHECK(cb_strbuf_append(o, ","));
    CB_CHECK(csv_field(o, name));
  }
  CB_CHECK(cb_strbuf_append(o, "\n"));
  for (int m = 0; m < lb->n_models; ++m) {
    const cb_lb_row *r = &lb->rows[m];
    CB_CHECK(cb_strbuf_printf(o, "%d,", r->rank));
    CB_CHECK(csv_field(o, r->model));
    CB_CHECK(csv_num(o, r->average));
    for (int b = 0; b < lb->n_bench; ++b) CB_CHECK(csv_num(o, r->score[b]));
    for (int b = 0; b < lb->n_bench; ++b) {
      CB_CHECK(cb_strbuf_append(o, ","));
      if (r->layer[b]) CB_CHECK(csv_field(o, r->layer[b]));
    }
    CB_CHECK(cb_strbuf_append(o, "\n"));
  }
  return CB_OK;
}

static cb_status md_hundredths(cb_strbuf *o, int h) {
  if (h < 0) return cb_strbuf_append(o, " - |");
  return cb_strbuf_printf(o, " %d.%02d |", h / 100, h % 100);
}

cb_status cb_leaderboard_markdown(const cb_leaderboard *lb, cb_strbuf *o) {
  /* Region columns only when they say more than the average and the benchmark columns. */
  int regions = lb->n_regions > 1 && lb->n_regions < lb->n_bench;
  CB_CHECK(cb_strbuf_append(o, lb->skip_missing
                                   ? "Average: mean over the regions each model was scored on (`-`: not scored; not "
                                     "counted).\n\n"
                                   : "Average: mean over all regions; a missing score (`-`) counts as 0.\n\n"));
  CB_CHECK(cb_strbuf_append(o, "| rank | model | average |"));
  for (int k = 0; regions && k < lb->n_regions; ++k) CB_CHECK(cb_strbuf_printf(o, " %s |", lb->region[k]));
  for (int b = 0; b < lb->n_bench; ++b) CB_CHECK(cb_strbuf_printf(o, " %s (layer) |", lb->bench[b]));
  CB_CHECK(cb_strbuf_append(o, "\n|---:|---|---:|"));
  for (int k = 0; regions && k < lb->n_regions; ++k) CB_CHECK(cb_strbuf_append(o, "---:|"));
  for (int b = 0; b < lb->n_bench; ++b) CB_CHECK(cb_strbuf_append(o, "---:|"));
  CB_CHECK(cb_strbuf_append(o, "\n"));
  for (int m = 0; m < lb->n_models; ++m) {
    const cb_lb_row *r = &lb->rows[m];
    CB_CHECK(cb_strbuf_printf(o, "| %d | %s |", r->rank, r->model));
    CB_CHECK(md_hundredths(o, r->rank_value));
    for (int k = 0; regions && k < lb->n_regions; ++k)
      CB_CHECK(md_hundredths(o, cb_leaderboard_hundredths(r->region[k])));
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

/* ---- JSON ---- */

static json_t *jnum(double x) { return isfinite(x) ? json_real(x) : json_null(); }

static int jset(json_t *o, const char *k, json_t *v) { return v ? json_object_set_new(o, k, v) : -1; }

static json_t *json_cell(const cb_lb_cell *c) {
  json_t *o = json_object(), *layers = json_array();
  int bad = !o || !layers;
  const cb_lb_layer *best = c->best >= 0 ? &c->layers[c->best] : NULL;
  bad |= jset(o, "layer", best ? json_string(best->layer) : json_null());
  bad |= jset(o, "raw", jnum(best ? best->raw : NAN));
  bad |= jset(o, "ceiling", jnum(best ? best->ceiling : NAN));
  if (best && best->voxel) bad |= jset(o, "ceiling_method", json_string("voxel"));
  if (best && !isnan(best->ceiling_lower)) {
    bad |= jset(o, "ceiling_method", json_string("nili"));
    bad |= jset(o, "ceiling_lower", jnum(best->ceiling_lower));
  }
  bad |= jset(o, "score", jnum(best ? best->score : NAN));
  bad |= jset(o, "clipped", jnum(best ? clip01(best->score) : NAN));
  bad |= jset(o, "error", jnum(best ? best->error : NAN));
  if (best && !isnan(best->ci_low)) {
    bad |= jset(o, "ci_low", jnum(best->ci_low));
    bad |= jset(o, "ci_high", jnum(best->ci_high));
  }
  if (best && best->pca_components > 0) bad |= jset(o, "pca_components", json_integer(best->pca_components));
  for (int l = 0; !bad && l < c->n_layers; ++l) {
    const cb_lb_layer *y = &c->layers[l];
    json_t *e = json_object();
    bad |= !e;
    if (bad) break;
    bad |= jset(e, "layer", json_string(y->layer));
    bad |= jset(e, "raw", jnum(y->raw));
    bad |= jset(e, "ceiling", jnum(y->ceiling));
    if (y->voxel) bad |= jset(e, "ceiling_method", json_string("voxel"));
    if (!isnan(y->ceiling_lower)) bad |= jset(e, "ceiling_lower", jnum(y->ceiling_lower));
    bad |= jset(e, "score", jnum(y->score));
    bad |= jset(e, "error", jnum(y->error));
    if (y->pca_components > 0) bad |= jset(e, "pca_components", json_integer(y->pca_components));
    bad |= json_array_append_new(layers, e);
  }
  if (!bad && jset(o, "layers", layers) == 0) return o;
  if (bad) json_decref(layers);
  json_decref(o);
  return NULL;
}

static json_t *json_row(const cb_leaderboard *lb, const cb_lb_row *r) {
  json_t *o = json_object(), *regions = json_object();
  int bad = !o || !regions;
  char rv[32] = "";
  if (r->rank_value >= 0) snprintf(rv, sizeof rv, "%d.%02d", r->rank_value / 100, r->rank_value % 100);
  if (!bad) {
    bad |= jset(o, "model", json_string(r->model));
    bad |= jset(o, "rank", json_integer(r->rank));
    bad |= jset(o, "rank_value", r->rank_value >= 0 ? json_string(rv) : json_null());
    bad |= jset(o, "overall", jnum(r->average));
    bad |= jset(o, "neural", jnum(r->neural));
  }
  for (int k = 0; !bad && k < lb->n_regions; ++k) {
    json_t *reg = json_object(), *benches = json_object();
    bad |= !reg || !benches || jset(regions, lb->region[k], reg);
    if (bad) {
      json_decref(benches);
      break;
    }
    bad |= jset(reg, "score", jnum(r->region[k]));
    for (int b = 0; !bad && b < lb->n_bench; ++b)
      if (lb->bench_region[b] == k) bad |= jset(benches, lb->bench[b], json_cell(&r->cell[b]));
    bad |= jset(reg, "benchmarks", benches);
  }
  if (!bad && jset(o, "regions", regions) == 0) return o;
  if (bad) json_decref(regions);
  json_decref(o);
  return NULL;
}

cb_status cb_leaderboard_json(const cb_leaderboard *lb, cb_strbuf *out) {
  cb_status st = CB_OK;
  char *text = NULL;
  json_t *root = json_object(), *benches = json_array(), *regions = json_array(), *models = json_array();
  int bad = !root || !benches || !regions || !models;
  if (!bad) {
    bad |= jset(root, "format", json_string("cortexbench-leaderboard"));
    bad |= jset(root, "version", json_integer(1));
    bad |= jset(root, "aggregation",
                json_string(lb->skip_missing
                                ? "leaf: best layer, ceiled score clipped to [0, 1]; region, neural, overall: "
                                  "unweighted mean of the children present (a model not scored on a region is not "
                                  "penalised), all missing = null; rank_value: overall rounded to 2 decimals half "
                                  "up; competition ranking, ties by model name"
                                : "leaf: best layer, ceiled score clipped to [0, 1]; region, neural, overall: "
                                  "unweighted mean of children, missing child = 0, all missing = null; rank_value: "
                                  "overall rounded to 2 decimals half up; competition ranking, ties by model name"));
  }
  for (int k = 0; !bad && k < lb->n_regions; ++k) bad |= json_array_append_new(regions, json_string(lb->region[k]));
  for (int b = 0; !bad && b < lb->n_bench; ++b) {
    json_t *e = json_object();
    bad |= !e || json_array_append_new(benches, e);
    if (bad) break;
    bad |= jset(e, "id", json_string(lb->bench[b]));
    bad |= jset(e, "region", json_string(lb->region[lb->bench_region[b]]));
  }
  for (int m = 0; !bad && m < lb->n_models; ++m) bad |= json_array_append_new(models, json_row(lb, &lb->rows[m]));
  if (!bad) {
    bad |= jset(root, "regions", regions);
    regions = NULL;
    bad |= jset(root, "benchmarks", benches);
    benches = NULL;
    bad |= jset(root, "models", models);
    models = NULL;
  }
  /* 8 significant digits: another OpenBLAS kernel moves scores in the 15th digit, so the file regenerates byte for
   * byte across kernels (the score files keep 17 digits, exact within one kernel) */
  if (!bad) text = json_dumps(root, JSON_PRESERVE_ORDER | JSON_INDENT(2) | JSON_REAL_PRECISION(8));
  if (bad || !text) {
    st = CB_ERROR(CB_ERR_NOMEM, "leaderboard.json: out of memory while building the JSON tree");
    goto done;
  }
  CB_CHECK_GOTO(cb_strbuf_append(out, text), st, done);
  CB_CHECK_GOTO(cb_strbuf_append(out, "\n"), st, done);
done:
  free(text);
  json_decref(regions);
  json_decref(benches);
  json_decref(models);
  json_decref(root);
  return st;
}

cb_status cb_leaderboard_write(const cb_leaderboard *lb, const char *dir) {
  cb_status st = CB_OK;
  cb_strbuf csv = {0}, md = {0}, js = {0};
  char path[CB_PATH_MAX];
  CB_CHECK_GOTO(cb_leaderboard_csv(lb, &csv), st, done);
  CB_CHECK_GOTO(cb_leaderboard_markdown(lb, &md), st, done);
  CB_CHECK_GOTO(cb_leaderboard_json(lb, &js), st, done);
  CB_CHECK_GOTO(cb_path_join(path, sizeof path, dir, "leaderboard.csv"), st, done);
  CB_CHECK_GOTO(cb_file_write_atomic(path, csv.data, csv.len), st, done);
  CB_CHECK_GOTO(cb_path_join(path, sizeof path, dir, "leaderboard.json"), st, done);
  CB_CHECK_GOTO(cb_file_write_atomic(path, js.data, js.len), st, done);
  CB_CHECK_GOTO(cb_path_join(path, sizeof path, dir, "leaderboard.md"), st, done);
  CB_CHECK_GOTO(cb_file_write_atomic(path, md.data, md.len), st, done);
done:
  cb_strbuf_free(&csv);
  cb_strbuf_free(&md);
  cb_strbuf_free(&js);
  return st;
}

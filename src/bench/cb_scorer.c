/* cb_scorer.c - see cb_scorer.h. */
#include "cb_scorer.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_activations.h"
#include "cb_benchmark.h"
#include "cb_log.h"
#include "cb_pca.h"
#include "cb_rdmcache.h"
#include "cb_rdmfile.h"
#include "cb_score.h"

struct cb_scorer {
  const cb_plan *pl;
  cb_score_task *tasks;     /* (n) */
  int n;
  cb_bench **bench;         /* (n_benchmarks) loaded on first use */
  cb_activations **acts;    /* (n_models * n_datasets) opened on first use */
  cb_rdmfile **rdm_files;   /* (n_models) RDM-only models' files, read on first use */
  cb_bench_params *params;  /* (n_benchmarks) */
  cb_activations *pca_acts; /* fit-set activations of the current model, opened on first use */
  int pca_acts_m;           /* model of pca_acts (-1: none) */
  cb_pca *pca;              /* last PCA fitted, for (pca_m, pca_l) */
  int pca_m, pca_l;
  char fingerprint[CB_CONFIG_FINGERPRINT_HEX]; /* of the configuration, written into every score */
};

/* Every (benchmark, model, layer) the plan scores, with its key and score file. */
static cb_status list_tasks(cb_scorer *s) {
  const cb_plan *pl = s->pl;
  const cb_config *c = pl->cfg;
  const int nb = c->n_benchmarks, nm = c->n_models, nd = c->n_datasets;
  int n = 0;
  for (int b = 0; b < nb; ++b)
    for (int m = 0; m < nm; ++m)
      if (cb_plan_takes_part(pl, m, b)) n += pl->n_layers[m];
  s->tasks = calloc((size_t)(n > 0 ? n : 1), sizeof *s->tasks);
  if (!s->tasks) return CB_ERROR(CB_ERR_NOMEM, "out of memory");
  s->n = n;
  int k = 0;
  for (int b = 0; b < nb; ++b) {
    cb_bench_params_from_config(&c->benchmarks[b], &s->params[b]);
    const int d = cb_plan_dataset_index(c, c->benchmarks[b].dataset);
    s->params[b].stimuli = pl->stimuli[d][0] ? pl->stimuli[d] : NULL;
    for (int m = 0; m < nm; ++m)
      for (int l = 0; cb_plan_takes_part(pl, m, b) && l < pl->n_layers[m]; ++l, ++k) {
        cb_score_task *t = &s->tasks[k];
        t->b = b;
        t->m = m;
        t->l = l;
        cb_key_score(pl->act_key[(size_t)m * nd + d], pl->layers[m][l], pl->asm_key[d], &s->params[b], t->key);
        /* Selection scores of models of the fit set's modality use PCA. */
        t->pca = pl->pca_d >= 0 && pl->selection[b] && !c->models[m].rdm && cb_plan_compatible(pl, m, pl->pca_d);
        if (t->pca) cb_key_score_pca(t->key, c->selection_pca, pl->act_key[(size_t)m * nd + pl->pca_d], t->key);
        CB_CHECK(cb_plan_score_path(pl, c->benchmarks[b].id, c->models[m].name, pl->layers[m][l], t->path));
      }
  }
  return CB_OK;
}

cb_status cb_scorer_create(const cb_plan *pl, cb_scorer **out) {
  const cb_config *c = pl->cfg;
  const int nb = c->n_benchmarks, nm = c->n_models, nd = c->n_datasets;
  cb_scorer *s = calloc(1, sizeof *s);
  if (!s) return CB_ERROR(CB_ERR_NOMEM, "out of memory");
  s->pl = pl;
  s->pca_acts_m = s->pca_m = s->pca_l = -1;
  s->bench = calloc((size_t)(nb > 0 ? nb : 1), sizeof *s->bench);
  s->acts = calloc((size_t)(nm > 0 ? nm : 1) * (size_t)(nd > 0 ? nd : 1), sizeof *s->acts);
  s->rdm_files = calloc((size_t)(nm > 0 ? nm : 1), sizeof *s->rdm_files);
  s->params = calloc((size_t)(nb > 0 ? nb : 1), sizeof *s->params);
  cb_status st = CB_OK;
  if (!s->bench || !s->acts || !s->rdm_files || !s->params) st = CB_ERROR(CB_ERR_NOMEM, "out of memory");
  if (st == CB_OK) st = cb_config_fingerprint(c->path, s->fingerprint);
  if (st == CB_OK) st = list_tasks(s);
  if (st != CB_OK) {
    cb_scorer_destroy(&s);
    return st;
  }
  *out = s;
  return CB_OK;
}

void cb_scorer_destroy(cb_scorer **sp) {
  if (!sp || !*sp) return;
  cb_scorer *s = *sp;
  const cb_config *c = s->pl->cfg;
  for (int b = 0; s->bench && b < c->n_benchmarks; ++b) cb_bench_destroy(&s->bench[b]);
  for (int i = 0; s->acts && i < c->n_models * c->n_datasets; ++i) cb_activations_destroy(&s->acts[i]);
  for (int i = 0; s->rdm_files && i < c->n_models; ++i) cb_rdmfile_destroy(&s->rdm_files[i]);
  cb_activations_destroy(&s->pca_acts);
  cb_pca_destroy(&s->pca);
  free(s->tasks);
  free(s->bench);
  free(s->acts);
  free(s->rdm_files);
  free(s->params);
  free(s);
  *sp = NULL;
}

const cb_score_task *cb_scorer_tasks(const cb_scorer *s, int *n) {
  *n = s->n;
  return s->tasks;
}

/* The PCA of (model m, layer l) fitted on the fit set's activations; NULL
 * (unprojected, as Brain-Score) when the layer has at most k features. One
 * fit is kept per rank: consecutive tasks of the same layer reuse it. */
static cb_status selection_pca(cb_scorer *s, int m, int l, const cb_pca **out) {
  const cb_plan *pl = s->pl;
  *out = NULL;
  if (pl->features[m][l] <= pl->cfg->selection_pca) return CB_OK;
  if (s->pca && s->pca_m == m && s->pca_l == l) {
    *out = s->pca;
    return CB_OK;
  }
  cb_pca_destroy(&s->pca);
  char path[CB_PATH_MAX];
  CB_CHECK(cb_plan_activations_path(pl, m, pl->pca_d, path));
  if (s->pca_acts_m != m) {
    cb_activations_destroy(&s->pca_acts);
    s->pca_acts_m = -1;
    CB_CHECK(cb_activations_open(path, &s->pca_acts));
    s->pca_acts_m = m;
  }
  float *X = NULL; /* (n_fit, p) */
  int64_t p = 0;
  CB_CHECK(cb_activations_read_layer(s->pca_acts, path, pl->layers[m][l], &X, &p));
  cb_status st = cb_pca_fit(X, s->pca_acts->n, p, pl->cfg->selection_pca, &s->pca);
  free(X);
  if (st != CB_OK) {
    cb_error_prefix("%s: layer '%s'", path, pl->layers[m][l]);
    return st;
  }
  s->pca_m = m;
  s->pca_l = l;
  *out = s->pca;
  return CB_OK;
}

/* The model RDM a score task computed, cached for the report (work/rdms/<task key>.rdm); a cache that cannot be
 * written only costs the report a recomputation. */
static void keep_rdm(const cb_plan *pl, const char *key, const double *D, int n) {
  char path[CB_PATH_MAX];
  if (cb_rdmcache_path(pl->work_dir, key, path, sizeof path) != CB_OK || cb_rdmcache_write(path, D, n) != CB_OK)
    cb_log(CB_LOG_DEBUG, "report RDM cache: %s", cb_error_message());
  cb_error_clear();
}

cb_status cb_scorer_run(cb_scorer *s, int k) {
  const cb_plan *pl = s->pl;
  cb_config *c = pl->cfg;
  const cb_score_task *t = &s->tasks[k];
  const int d = cb_plan_dataset_index(c, c->benchmarks[t->b].dataset);
  cb_status st = CB_OK;
  cb_score score;
  memset(&score, 0, sizeof score);
  if (!s->bench[t->b]) {
    st = pl->rdm_set[d] ? cb_bench_load_rdm(pl->assembly[d], pl->stimuli[d], &s->params[t->b], &s->bench[t->b])
                       : cb_bench_load(pl->assembly[d], &s->params[t->b], &s->bench[t->b]);
    if (st != CB_OK) cb_error_prefix("benchmark %s", c->benchmarks[t->b].id);
  }
  const cb_pca *pca = NULL;
  const cb_cfg_model *cm = &c->models[t->m];
  if (st == CB_OK && cm->rdm) {
    cb_rdmfile **f = &s->rdm_files[t->m];
    if (!*f) st = cb_rdmfile_read(cm->rdm, f);
    if (st == CB_OK) st = cb_bench_score_rdm(s->bench[t->b], cm->rdm, *f, pl->rdm_entry[t->m], cm->name, &score);
  } else if (st == CB_OK) {
    char act_path[CB_PATH_MAX];
    cb_activations **acts = &s->acts[(size_t)t->m * c->n_datasets + d];
    st = cb_plan_activations_path(pl, t->m, d, act_path);
    if (st == CB_OK && !*acts) st = cb_activations_open(act_path, acts);
    if (st == CB_OK && t->pca) st = selection_pca(s, t->m, t->l, &pca);
    double *rdm = NULL; /* (n, n) the layer's RDM when the rdm metric computed it: kept for the report */
    if (st == CB_OK)
      st = cb_bench_score_layer_rdm(s->bench[t->b], act_path, *acts, pl->layers[t->m][t->l], pca, &score,
                                    pca ? NULL : &rdm);
    if (st == CB_OK && rdm) keep_rdm(pl, t->key, rdm, s->bench[t->b]->neural->n_stim);
    free(rdm);
  }
  {
    if (st == CB_ERR_NUMERIC && s->bench[t->b]) { /* from scoring, not from loading the benchmark */
      /* A layer that cannot be scored (e.g. constant for every stimulus, a dead
       * ReLU of a random network) is recorded as missing, not fatal to the run. */
      cb_log(CB_LOG_WARN, "%s; recorded as missing (NaN)", cb_error_message());
      cb_error_clear();
      memset(&score, 0, sizeof score);
      snprintf(score.layer, sizeof score.layer, "%s", pl->layers[t->m][t->l]);
      snprintf(score.benchmark, sizeof score.benchmark, "%s", c->benchmarks[t->b].id);
      snprintf(score.metric, sizeof score.metric, "%s", s->params[t->b].metric);
      score.raw = score.ceiling = score.score = score.error = NAN;
      score.seed = s->params[t->b].seed;
      score.pca_components = pca ? pca->k : 0;
      st = CB_OK;
    }
  }
  if (st == CB_OK) {
    snprintf(score.model, sizeof score.model, "%s", c->models[t->m].name);
    snprintf(score.task_key, sizeof score.task_key, "%s", t->key);
    snprintf(score.config_fingerprint, sizeof score.config_fingerprint, "%s", s->fingerprint);
    st = cb_score_write_json(t->path, &score);
  }
  if (st == CB_OK)
    cb_log(CB_LOG_DEBUG, "%s %s %s: raw %.4f ceiling %.4f score %.4f", c->benchmarks[t->b].id, c->models[t->m].name,
           pl->layers[t->m][t->l], score.raw, score.ceiling, score.score);
  cb_score_free(&score);
  return st;
}


/* cb_plan_rdm.c - see cb_plan_rdm.h. */
#include "cb_plan_rdm.h"

#include <stdlib.h>
#include <string.h>

#include "cb_activations.h"
#include "cb_rdm.h"
#include "cb_rdmcache.h"
#include "cb_rdmfile.h"
#include "cb_timer.h"

cb_status cb_plan_brain_rdm(const cb_plan *pl, int b, cb_bench **bench, const double **D) {
  cb_config *c = pl->cfg;
  const cb_cfg_benchmark *cb = &c->benchmarks[b];
  const int d = cb_plan_dataset_index(c, cb->dataset);
  cb_bench_params p;
  cb_bench_params_from_config(cb, &p);
  p.split = "all";
  p.ceiling = "none";
  p.bootstrap = 0;
  p.stratify = NULL;
  p.group = NULL;
  if (pl->rdm_set[d]) {
    CB_CHECK(cb_bench_load_rdm(pl->assembly[d], pl->stimuli[d], &p, bench));
    *D = (*bench)->mean_rdm;
    return CB_OK;
  }
  CB_CHECK(cb_bench_load(pl->assembly[d], &p, bench));
  const cb_neural *nd = (*bench)->neural;
  if (nd->n_stim > 2000) return CB_ERROR(CB_ERR_ARG, "too many stimuli for a figure");
  double *M = malloc(sizeof *M * (size_t)nd->n_stim * nd->n_stim); /* (m, m), kept in the bench's mean_rdm */
  if (!M) return CB_ERROR(CB_ERR_NOMEM, "out of memory");
  (*bench)->mean_rdm = M;
  *D = M;
  return cb_rdm_compute(nd->mean, nd->n_stim, nd->n_neuroid, CB_RDM_CORRELATION, M);
}

cb_status cb_plan_model_rdm(const cb_plan *pl, int mi, int d, const char *layer, const cb_neural *nd, double *D,
                            const char *key, cb_rdm_clock *clk) {
  const cb_cfg_model *cm = &pl->cfg->models[mi];
  const int m = nd->n_stim;
  cb_status st = CB_OK;
  int *at = malloc(sizeof *at * (size_t)m);
  if (!at) return CB_ERROR(CB_ERR_NOMEM, "out of memory");
  if (cm->rdm) {
    cb_rdmfile *f = NULL;
    st = cb_rdmfile_read(cm->rdm, &f);
    if (st == CB_OK) st = cb_bench_match_ids(nd->stimulus_id, m, f->stimulus_id, f->n, cm->rdm, at);
    const double *R = st == CB_OK ? f->rdm + (size_t)pl->rdm_entry[mi] * f->n * f->n : NULL;
    for (int i = 0; st == CB_OK && i < m; ++i)
      for (int j = 0; j < m; ++j) D[(size_t)i * m + j] = R[(size_t)at[i] * f->n + at[j]];
    cb_rdmfile_destroy(&f);
    free(at);
    return st;
  }
  char path[CB_PATH_MAX];
  double t0 = cb_now();
  /* The RDM its score task computed (same stimuli, same order), unless it is missing: then from the activations. */
  if (key && key[0] && cb_rdmcache_path(pl->work_dir, key, path, sizeof path) == CB_OK &&
      cb_rdmcache_read(path, m, D) == CB_OK) {
    clk->cached += cb_now() - t0;
    ++clk->n_cached;
    free(at);
    return CB_OK;
  }
  cb_error_clear();
  cb_activations *acts = NULL;
  float *X = NULL, *Xs = NULL; /* (acts->n, p), (m, p) */
  int64_t p = 0;
  st = cb_plan_activations_path(pl, mi, d, path);
  if (st == CB_OK) st = cb_activations_open(path, &acts);
  if (st == CB_OK) st = cb_activations_read_layer(acts, path, layer, &X, &p);
  clk->acts_read += cb_now() - t0;
  t0 = cb_now();
  if (st == CB_OK) st = cb_bench_match_ids(nd->stimulus_id, m, acts->stimulus_id, (int)acts->n, path, at);
  int same = st == CB_OK && m == (int)acts->n; /* the file's rows already in the benchmark's order: no copy */
  for (int i = 0; same && i < m; ++i) same = at[i] == i;
  if (st == CB_OK && !same && !(Xs = malloc(sizeof *Xs * (size_t)m * (size_t)p)))
    st = CB_ERROR(CB_ERR_NOMEM, "out of memory");
  for (int i = 0; st == CB_OK && !same && i < m; ++i)
    memcpy(Xs + (size_t)i * p, X + (size_t)at[i] * p, sizeof *Xs * (size_t)p);
  if (st == CB_OK) st = cb_rdm_compute_f(same ? X : Xs, m, (int)p, CB_RDM_CORRELATION, D);
  clk->rdm += cb_now() - t0;
  ++clk->n_computed;
  free(Xs);
  free(X);
  free(at);
  cb_activations_destroy(&acts);
  return st;
}

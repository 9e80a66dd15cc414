/* cb_plan.c - see cb_plan.h. */
#include "cb_plan.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_activations.h"
#include "cb_leaderboard.h"
#include "cb_metric_table.h"
#include "cb_strbuf.h"

int cb_plan_dataset_index(const cb_config *c, const char *id) {
  for (int i = 0; i < c->n_datasets; ++i)
    if (!strcmp(c->datasets[i].id, id)) return i;
  return -1;
}

int cb_plan_compatible(const cb_plan *pl, int m, int d) {
  const cb_cfg_model *cm = &pl->cfg->models[m];
  if (cm->rdm && !pl->rdm_ok[(size_t)m * pl->cfg->n_datasets + d]) return 0;
  if (!cm->rdm && pl->model_modality[m] != pl->set_modality[d]) return 0;
  if (d == pl->pca_d) return !cm->rdm; /* the PCA fit set serves every network of its modality */
  if (cm->n_datasets == 0) return 1;
  for (int k = 0; k < cm->n_datasets; ++k)
    if (!strcmp(cm->datasets[k], pl->cfg->datasets[d].id)) return 1;
  return 0;
}

int cb_plan_takes_part(const cb_plan *pl, int m, int b) {
  const cb_cfg_benchmark *cb = &pl->cfg->benchmarks[b];
  if (!cb_plan_compatible(pl, m, cb_plan_dataset_index(pl->cfg, cb->dataset))) return 0;
  const cb_metric_row *row = cb_metric_row_by_name(cb->metric);
  return !pl->cfg->models[m].rdm || (row && row->family == CB_METRIC_FAMILY_RDM);
}

cb_status cb_plan_activations_path(const cb_plan *pl, int m, int d, char *out) {
  char leaf[600];
  d = pl->act_src[d];
  snprintf(leaf, sizeof leaf, "activations/%s/%s.h5", pl->cfg->models[m].name, pl->cfg->datasets[d].id);
  return cb_path_join(out, CB_PATH_MAX, pl->work_dir, leaf);
}

cb_status cb_plan_score_path(const cb_plan *pl, const char *bench, const char *model, const char *layer, char *out) {
  char leaf[2048], l[1024];
  CB_CHECK(cb_layer_link_encode(layer, l, sizeof l)); /* '/' -> %2F, as in activations files */
  snprintf(leaf, sizeof leaf, "scores/%s/%s/%s.json", bench, model, l);
  return cb_path_join(out, CB_PATH_MAX, pl->out_dir, leaf);
}

/* The benchmark of each region whose best layer the region's other benchmarks reuse: the one flagged
 * `selection`, else the region's first. */
static void find_selection(cb_plan *pl) {
  cb_config *c = pl->cfg;
  const int nb = c->n_benchmarks;
  for (int b = 0; b < nb; ++b) {
    char rb[256], rk[256];
    if (c->benchmarks[b].region && c->benchmarks[b].region[0]) snprintf(rb, sizeof rb, "%s", c->benchmarks[b].region);
    else cb_leaderboard_infer_region(c->benchmarks[b].id, rb, sizeof rb);
    int first = -1, flagged = -1;
    for (int k = 0; k < nb; ++k) {
      if (c->benchmarks[k].region && c->benchmarks[k].region[0]) snprintf(rk, sizeof rk, "%s", c->benchmarks[k].region);
      else cb_leaderboard_infer_region(c->benchmarks[k].id, rk, sizeof rk);
      if (strcmp(rb, rk) != 0) continue;
      if (first < 0) first = k;
      if (flagged < 0 && c->benchmarks[k].selection) flagged = k;
    }
    pl->selection[b] = b == (flagged >= 0 ? flagged : first);
  }
}

cb_status cb_plan_init(cb_plan *pl, cb_config *cfg, const char *out_root, const char *work, int sharded) {
  memset(pl, 0, sizeof *pl);
  pl->cfg = cfg;
  pl->sharded = sharded;
  const int nd = cfg->n_datasets, nm = cfg->n_models;
  const size_t ndd = (size_t)(nd > 0 ? nd : 1), nmm = (size_t)(nm > 0 ? nm : 1);
  pl->stimuli = calloc(ndd, sizeof *pl->stimuli);
  pl->assembly = calloc(ndd, sizeof *pl->assembly);
  pl->degrees = calloc(ndd, sizeof *pl->degrees);
  pl->used = calloc(ndd, sizeof *pl->used);
  pl->set_key = calloc(ndd, sizeof *pl->set_key);
  pl->asm_key = calloc(ndd, sizeof *pl->asm_key);
  pl->set_modality = calloc(ndd, sizeof *pl->set_modality);
  pl->rdm_set = calloc(ndd, sizeof *pl->rdm_set);
  pl->act_src = calloc(ndd, sizeof *pl->act_src);
  pl->model_modality = calloc(nmm, sizeof *pl->model_modality);
  pl->n_layers = calloc(nmm, sizeof *pl->n_layers);
  pl->layers = calloc(nmm, sizeof *pl->layers);
  pl->features = calloc(nmm, sizeof *pl->features);
  pl->rdm_entry = calloc(nmm, sizeof *pl->rdm_entry);
  pl->act_key = calloc(nmm * ndd, sizeof *pl->act_key);
  pl->rdm_ok = calloc(nmm * ndd, sizeof *pl->rdm_ok);
  pl->selection = calloc((size_t)(cfg->n_benchmarks > 0 ? cfg->n_benchmarks : 1), sizeof *pl->selection);
  pl->pca_d = cfg->selection_pca > 0 ? cb_plan_dataset_index(cfg, cfg->selection_pca_dataset) : -1;
  if (!pl->stimuli || !pl->assembly || !pl->degrees || !pl->used || !pl->set_key || !pl->asm_key ||
      !pl->set_modality || !pl->rdm_set || !pl->act_src || !pl->model_modality || !pl->n_layers || !pl->layers ||
      !pl->features || !pl->rdm_entry || !pl->act_key || !pl->rdm_ok || !pl->selection)
    return CB_ERROR(CB_ERR_NOMEM, "out of memory");
  CB_CHECK(cb_path_join(pl->out_dir, sizeof pl->out_dir, out_root, cfg->suite));
  if (work)
    snprintf(pl->work_dir, sizeof pl->work_dir, "%s", work);
  else
    CB_CHECK(cb_path_join(pl->work_dir, sizeof pl->work_dir, pl->out_dir, "work"));
  find_selection(pl);
  return CB_OK;
}

void cb_plan_free(cb_plan *pl) {
  if (!pl) return;
  if (pl->cfg) {
    for (int m = 0; pl->layers && m < pl->cfg->n_models; ++m) cb_strlist_free(&pl->layers[m]);
    for (int m = 0; pl->features && m < pl->cfg->n_models; ++m) free(pl->features[m]);
  }
  free(pl->features);
  free(pl->layers);
  free(pl->n_layers);
  free(pl->stimuli);
  free(pl->assembly);
  free(pl->degrees);
  free(pl->used);
  free(pl->set_key);
  free(pl->asm_key);
  free(pl->set_modality);
  free(pl->model_modality);
  free(pl->act_key);
  free(pl->selection);
  free(pl->rdm_set);
  free(pl->rdm_ok);
  free(pl->rdm_entry);
  free(pl->act_src);
  cb_config_destroy(&pl->cfg);
  memset(pl, 0, sizeof *pl);
}

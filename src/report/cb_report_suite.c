/* cb_report_suite.c - see cb_report_suite.h. */
#include "cb_report_suite.h"

#include <cblas.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_lbconfig.h"
#include "cb_leaderboard.h"
#include "cb_log.h"
#include "cb_metric_table.h"
#include "cb_plan_rdm.h"
#include "cb_report.h"
#include "cb_score.h"
#include "cb_strbuf.h"
#include "cb_timer.h"
#include "cb_version.h"

/* Where the report's time goes (seconds), logged at the debug level (`cortexbench -v run`). */
typedef struct report_clock {
  double scores, leaderboard, neural, page;
  cb_rdm_clock rdms; /* model RDMs: from the scoring's cache or from activations */
} report_clock;

/* The task key of the score of (model, benchmark, layer) among scores (n); NULL when absent. */
static const char *score_key(const cb_score *scores, int n, const char *model, const char *bench, const char *layer) {
  for (int i = 0; i < n; ++i)
    if (!strcmp(scores[i].model, model) && !strcmp(scores[i].benchmark, bench) && !strcmp(scores[i].layer, layer))
      return scores[i].task_key;
  return NULL;
}

/* For the report, once per dataset of an RSA benchmark: the brain's RDM, the
 * RDM-only models' RDMs and the chosen layers of the three best-ranked
 * networks, side by side. A figure that cannot be made is skipped. */
/* 1 when benchmark b compares RDMs (its metric's family, src/metrics/cb_metric_table.h). */
static int compares_rdms(const cb_cfg_benchmark *b) {
  const cb_metric_row *row = cb_metric_row_by_name(b->metric);
  return row && row->family == CB_METRIC_FAMILY_RDM;
}

static void report_rdms(const cb_plan *pl, const cb_leaderboard *lb, const cb_score *scores, int n_scores, cb_report *rep,
                        report_clock *clk) {
  cb_config *c = pl->cfg;
  for (int b = 0; b < c->n_benchmarks; ++b) {
    const cb_cfg_benchmark *cb = &c->benchmarks[b];
    const int d = cb_plan_dataset_index(c, cb->dataset);
    int seen = 0;
    for (int k = 0; k < b; ++k) seen |= !strcmp(c->benchmarks[k].dataset, cb->dataset) && compares_rdms(&c->benchmarks[k]);
    if (!compares_rdms(cb) || seen) continue;
    cb_bench *bench = NULL;
    const double *N = NULL;
    double *D = NULL;
    char title[512];
    double t0 = cb_now();
    cb_status nst = cb_plan_brain_rdm(pl, b, &bench, &N);
    clk->neural += cb_now() - t0;
    if (nst != CB_OK) goto next;
    const int m = bench->neural->n_stim;
    if (!(D = malloc(sizeof *D * (size_t)m * m))) goto next;
    if (bench->n_subj > 1) snprintf(title, sizeof title, "%s (brain, mean of %d subjects)", cb->region ? cb->region : cb->id, bench->n_subj);
    else snprintf(title, sizeof title, "%s (brain)", cb->region ? cb->region : cb->id);
    cb_report_add_rdm_in(rep, cb->dataset, title, N, m);
    for (int row = 0, nets = 0; row < lb->n_models; ++row) {
      const char *layer = lb->rows[row].layer[b];
      int mi = -1;
      for (int k = 0; k < c->n_models; ++k)
        if (!strcmp(c->models[k].name, lb->rows[row].model)) mi = k;
      if (!layer || mi < 0 || !cb_plan_takes_part(pl, mi, b) || (!c->models[mi].rdm && nets >= 3)) continue;
      const char *key = score_key(scores, n_scores, lb->rows[row].model, cb->id, layer);
      if (cb_plan_model_rdm(pl, mi, d, layer, bench->neural, D, key, &clk->rdms) == CB_OK) {
        if (c->models[mi].rdm) snprintf(title, sizeof title, "%s (model RDM)", lb->rows[row].model);
        else snprintf(title, sizeof title, "%s %s", lb->rows[row].model, layer), ++nets;
        cb_report_add_rdm_in(rep, cb->dataset, title, D, m);
      }
      cb_error_clear();
    }
  next:
    cb_error_clear();
    free(D);
    cb_bench_destroy(&bench);
  }
}

/* Trained models and their untrained twins (same source, `reinit` set) for the report. */
static void report_twins(const cb_plan *pl, cb_report *rep) {
  cb_config *c = pl->cfg;
  for (int t = 0; t < c->n_models; ++t) {
    const cb_cfg_model *tw = &c->models[t];
    if (!tw->reinit) continue;
    for (int m = 0; m < c->n_models; ++m) {
      const cb_cfg_model *cm = &c->models[m];
      if (cm->reinit || cm->rdm) continue;
      const int same = (tw->onnx && cm->onnx && !strcmp(tw->onnx, cm->onnx)) ||
                       (tw->zoo && cm->zoo && !strcmp(tw->zoo, cm->zoo));
      if (same) {
        cb_report_add_twin(rep, cm->name, tw->name);
        break;
      }
    }
  }
}

/* Models with a task accuracy ([model] task_accuracy), in configuration order. */
static void report_task(const cb_plan *pl, cb_report *rep) {
  for (int m = 0; m < pl->cfg->n_models; ++m)
    if (!isnan(pl->cfg->models[m].task_accuracy))
      cb_report_add_task(rep, pl->cfg->models[m].name, pl->cfg->models[m].task_accuracy);
}

static void report_meta(const cb_plan *pl, const cb_run_info *run, cb_report *rep) {
  char buf[512];
  cb_config *c = pl->cfg;
  cb_report_add_meta(rep, "cortexbench", CB_VERSION);
  cb_report_add_meta(rep, "configuration", c->path);
  cb_report_add_meta(rep, "MPI", run->mpi_version);
  snprintf(buf, sizeof buf, "%d", run->ranks);
  cb_report_add_meta(rep, "ranks", buf);
  snprintf(buf, sizeof buf, "%s, %d thread%s per rank (scores: 1)", openblas_get_corename(), run->threads,
           run->threads == 1 ? "" : "s");
  cb_report_add_meta(rep, "OpenBLAS core", buf);
  snprintf(buf, sizeof buf, "%llu", (unsigned long long)c->seed);
  cb_report_add_meta(rep, "suite seed", buf);
  for (int d = 0; d < c->n_datasets; ++d) {
    if (!pl->used[d]) continue;
    char key[256];
    snprintf(key, sizeof key, "dataset %s", c->datasets[d].id);
    snprintf(buf, sizeof buf, "stimuli sha256 %.16s..., assembly sha256 %.16s...", pl->set_key[d], pl->asm_key[d]);
    cb_report_add_meta(rep, key, buf);
  }
  snprintf(buf, sizeof buf, "%.2f s (until the report)", cb_now() - run->t_start);
  cb_report_add_meta(rep, "wall time", buf);
}

/* The report (leaderboard.html and figures/); it carries timings and hosts: it is not one of the files a rerun must
 * reproduce byte for byte (csv, json, md). clk holds the times of the steps before it. */
static cb_status write_report(const cb_plan *pl, const cb_run_info *run, const cb_leaderboard *lb, const cb_score *scores, int n, report_clock *clk) {
  char html[CB_PATH_MAX];
  cb_report *rep = NULL;
  cb_status st = cb_path_join(html, sizeof html, pl->out_dir, "leaderboard.html");
  if (st == CB_OK) st = cb_report_create(pl->cfg->suite, &rep);
  if (st == CB_OK) st = cb_report_set_leaderboard(rep, lb);
  if (st == CB_OK) {
    report_rdms(pl, lb, scores, n, rep, clk);
    report_twins(pl, rep);
    report_task(pl, rep);
    report_meta(pl, run, rep);
    double t0 = cb_now();
    st = cb_report_write_html(rep, html);
    clk->page = cb_now() - t0;
  }
  cb_report_destroy(&rep);
  if (st == CB_OK)
    cb_log(CB_LOG_DEBUG,
           "report: %.2f s: %d score files %.2f s, leaderboard csv/json/md %.2f s, brain RDMs (benchmark load) %.2f "
           "s, model RDMs: %d from the scoring's cache %.2f s, %d from activations: read %.2f s + RDM %.2f s, page "
           "and figure files %.2f s",
           clk->scores + clk->leaderboard + clk->neural + clk->rdms.cached + clk->rdms.acts_read + clk->rdms.rdm + clk->page, n,
           clk->scores, clk->leaderboard, clk->neural, clk->rdms.n_cached, clk->rdms.cached, clk->rdms.n_computed,
           clk->rdms.acts_read, clk->rdms.rdm, clk->page);
  return st;
}

cb_status cb_report_suite(const cb_plan *pl, const cb_run_info *run) {
  cb_config *c = pl->cfg;
  cb_status st = CB_OK;
  int n = 0, cap = 0;
  for (int b = 0; b < c->n_benchmarks; ++b)
    for (int m = 0; m < c->n_models; ++m) cap += pl->n_layers[m];
  cb_score *scores = calloc((size_t)(cap > 0 ? cap : 1), sizeof *scores);
  const char **models = calloc((size_t)c->n_models, sizeof *models);
  const char **benches = calloc((size_t)c->n_benchmarks, sizeof *benches);
  cb_lb_region *regions = calloc((size_t)c->n_benchmarks, sizeof *regions);
  cb_leaderboard *lb = NULL;
  cb_lb_config lbc;
  memset(&lbc, 0, sizeof lbc);
  cb_strbuf md = {0};
  CB_ALLOC_GOTO(scores, st, done);
  CB_ALLOC_GOTO(models, st, done);
  CB_ALLOC_GOTO(benches, st, done);
  CB_ALLOC_GOTO(regions, st, done);
  report_clock clk = {0};
  double t0 = cb_now();
  for (int m = 0; m < c->n_models; ++m) models[m] = c->models[m].name;
  for (int b = 0; b < c->n_benchmarks; ++b) {
    benches[b] = c->benchmarks[b].id;
    regions[b] = (cb_lb_region){c->benchmarks[b].id, c->benchmarks[b].region};
    for (int m = 0; m < c->n_models; ++m)
      for (int l = 0; cb_plan_takes_part(pl, m, b) && l < pl->n_layers[m]; ++l) {
        char path[CB_PATH_MAX];
        CB_CHECK_GOTO(cb_plan_score_path(pl, c->benchmarks[b].id, c->models[m].name, pl->layers[m][l], path), st, done);
        CB_CHECK_GOTO(cb_score_read_json(path, &scores[n]), st, done);
        ++n;
      }
  }
  clk.scores = cb_now() - t0;
  t0 = cb_now();
  CB_CHECK_GOTO(cb_lb_config_init(c, &lbc), st, done);
  CB_CHECK_GOTO(cb_leaderboard_build_opts(scores, n, &lbc.opt, &lb), st, done);
  CB_CHECK_GOTO(cb_leaderboard_markdown(lb, &md), st, done);
  if (pl->sharded) {
    printf("\nScores of this shard (%s; rank all shards with `cortexbench leaderboard %s/scores --config %s -o %s`):"
           "\n\n%s",
           c->suite, pl->out_dir, c->path, pl->out_dir, md.data);
    goto done;
  }
  CB_CHECK_GOTO(cb_leaderboard_write(lb, pl->out_dir), st, done);
  clk.leaderboard = cb_now() - t0;
  CB_CHECK_GOTO(write_report(pl, run, lb, scores, n, &clk), st, done);
  printf("\nLeaderboard (%s; ceiled scores, best layer per benchmark):\n\n%s\nwritten to "
         "%s/leaderboard.{csv,json,md,html} and figures/\n",
         c->suite, md.data, pl->out_dir);
  fflush(stdout);
  cb_leaderboard_warn_missing(lb);
done:
  for (int i = 0; i < n; ++i) cb_score_free(&scores[i]);
  free(scores);
  free(models);
  free(benches);
  free(regions);
  cb_lb_config_free(&lbc);
  cb_leaderboard_destroy(&lb);
  cb_strbuf_free(&md);
  return st;
}

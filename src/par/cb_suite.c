/* cb_suite.c - the MPI driver of a suite run (see cb_suite.h): the stages in order over one plan
 * (src/bench/cb_plan.h), each a serial step of src/bench handed out over the ranks, with agreement on errors and
 * stop requests between them. */
#include "cb_suite.h"

#include <cblas.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_benchmark.h"
#include "cb_config.h"
#include "cb_extract.h"
#include "cb_fs.h"
#include "cb_isolate.h"
#include "cb_generate.h"
#include "cb_log.h"
#include "cb_modelopen.h"
#include "cb_outdir.h"
#include "cb_par_pipeline.h"
#include "cb_sha.h"
#include "cb_par_tasks.h"
#include "cb_partition.h"
#include "cb_plan.h"
#include "cb_scorer.h"
#include "cb_progress.h"
#include "cb_signal.h"
#include "cb_strbuf.h"
#include "cb_taskkey.h"
#include "cb_written.h"

typedef struct run_ctx {
  cb_plan pl;                    /* the resolved suite (src/bench/cb_plan.h): every rank holds the same */
  cb_par *p;
  const cb_suite_opts *opts;
  cb_timers *t;
  cb_outdir *outdir;             /* rank 0: the output directory's lock, held for the run */
  int threads;                   /* OpenBLAS threads per rank outside scoring */
  double t_start;
  long reused_act, computed_act;
} run_ctx;

/* Runs fn on rank 0 and agrees on its status. */
static cb_status on_rank0(cb_par *p, cb_status (*fn)(void *), void *arg) {
  cb_status st = CB_OK;
  if (cb_par_rank(p) == 0) st = fn(arg);
  return cb_par_agree(p, st);
}

/* Agrees on a stop request between stages. */
static cb_status check_signal(cb_par *p) {
  cb_status st = CB_OK;
  if (cb_signal_pending())
    st = CB_ERROR(CB_ERR_INTERRUPTED, "stopped by signal %d; finished results are committed", cb_signal_pending());
  return cb_par_agree(p, st);
}

/* ---- datasets ------------------------------------------------------------- */

typedef struct gen_arg {
  const cb_cfg_dataset *d;
  const char *dir;
} gen_arg;

static cb_status generate_on_rank0(void *arg) {
  gen_arg *g = arg;
  char marker[CB_PATH_MAX];
  CB_CHECK(cb_path_join(marker, sizeof marker, g->dir, "assembly.nc"));
  if (cb_path_exists(marker)) return CB_OK; /* complete: the assembly is written last */
  cb_log(CB_LOG_INFO, "generating dataset %s (%s, seed %llu) in %s", g->d->id, g->d->generator,
         (unsigned long long)g->d->seed, g->dir);
  return cb_generate_dataset(g->d->generator, g->d->seed, g->dir);
}

typedef struct key_arg {
  run_ctx *r;
  int d;
} key_arg;

/* A dataset's declared modality (its `modality` key, else its generator's) must be that of its files. */
static cb_status declare_modality(const cb_config *c, const cb_cfg_dataset *d, cb_stimulus_set *set) {
  const cb_generator_info *gi = d->generator ? cb_generator_find(d->generator) : NULL;
  cb_modality m = d->modality != CB_MODALITY_UNSET ? d->modality : gi ? gi->modality : CB_MODALITY_UNSET;
  char who[CB_PATH_MAX + 160];
  snprintf(who, sizeof who, "%s: [dataset %s]%s", c->path, d->id, d->modality ? " modality" : "");
  return cb_stimulus_set_declare(set, m, who);
}

static cb_status dataset_keys_on_rank0(void *arg) {
  key_arg *k = arg;
  run_ctx *r = k->r;
  cb_stimulus_set *set = NULL;
  CB_CHECK(cb_stimulus_set_read(r->pl.stimuli[k->d], &set));
  cb_status st = declare_modality(r->pl.cfg, &r->pl.cfg->datasets[k->d], set);
  r->pl.set_modality[k->d] = cb_stimulus_set_modality(set);
  if (st == CB_OK) st = cb_key_stimulus_set(set, r->pl.set_key[k->d]);
  cb_stimulus_set_destroy(&set);
  CB_CHECK(st);
  if (!r->pl.assembly[k->d][0]) return CB_OK; /* images only (the PCA fit set) */
  return cb_key_file(r->pl.assembly[k->d], r->pl.asm_key[k->d]);
}

static cb_status stage_datasets(run_ctx *r) {
  cb_config *c = r->pl.cfg;
  for (int b = 0; b < c->n_benchmarks; ++b) r->pl.used[cb_plan_dataset_index(c, c->benchmarks[b].dataset)] = 1;
  if (r->pl.pca_d >= 0) r->pl.used[r->pl.pca_d] = 1;
  for (int i = 0; i < c->n_datasets; ++i) {
    const cb_cfg_dataset *d = &c->datasets[i];
    if (!r->pl.used[i]) continue;
    if (d->generator) {
      const cb_generator_info *gi = cb_generator_find(d->generator);
      if (!gi)
        return CB_ERROR(CB_ERR_CONFIG, "%s: [dataset %s] unknown generator '%s' (see cortexbench list datasets)",
                        c->path, d->id, d->generator);
      char dir[CB_PATH_MAX], leaf[512];
      snprintf(leaf, sizeof leaf, "datasets/%s-%s-seed%llu", d->id, d->generator, (unsigned long long)d->seed);
      CB_CHECK(cb_path_join(dir, sizeof dir, r->pl.work_dir, leaf));
      gen_arg g = {d, dir};
      CB_CHECK(on_rank0(r->p, generate_on_rank0, &g));
      CB_CHECK(cb_path_join(r->pl.stimuli[i], CB_PATH_MAX, dir, "stimuli.csv"));
      CB_CHECK(cb_path_join(r->pl.assembly[i], CB_PATH_MAX, dir, "assembly.nc"));
      r->pl.degrees[i] = isnan(d->stimulus_degrees) ? gi->stimulus_degrees : d->stimulus_degrees;
    } else {
      snprintf(r->pl.stimuli[i], CB_PATH_MAX, "%s", d->stimuli);
      snprintf(r->pl.assembly[i], CB_PATH_MAX, "%s", d->assembly ? d->assembly : (d->rdm ? d->rdm : ""));
      r->pl.rdm_set[i] = d->rdm != NULL;
      r->pl.degrees[i] = d->stimulus_degrees; /* NaN: assume the model's field of view */
    }
    key_arg k = {r, i};
    CB_CHECK(on_rank0(r->p, dataset_keys_on_rank0, &k));
    CB_CHECK(cb_par_bcast_string(r->p, r->pl.set_key[i], CB_KEY_HEX));
    CB_CHECK(cb_par_bcast_string(r->p, r->pl.asm_key[i], CB_KEY_HEX));
    char modality[16]; /* rank 0's, by name */
    snprintf(modality, sizeof modality, "%s", cb_modality_name(r->pl.set_modality[i]));
    CB_CHECK(cb_par_bcast_string(r->p, modality, sizeof modality));
    if (!cb_modality_parse(modality, &r->pl.set_modality[i])) r->pl.set_modality[i] = CB_MODALITY_UNSET;
  }
  for (int i = 0; i < c->n_datasets; ++i) { /* datasets of one stimulus set share activations */
    r->pl.act_src[i] = i;
    for (int j = 0; j < i && r->pl.act_src[i] == i; ++j)
      if (r->pl.used[i] && r->pl.used[j] && !strcmp(r->pl.set_key[i], r->pl.set_key[j]) &&
          ((isnan(r->pl.degrees[i]) && isnan(r->pl.degrees[j])) || r->pl.degrees[i] == r->pl.degrees[j]))
        r->pl.act_src[i] = j;
  }
  if (r->pl.pca_d >= 0) { /* the fit set must share a selection benchmark's modality */
    int ok = 0;
    for (int b = 0; b < c->n_benchmarks; ++b)
      if (r->pl.selection[b] &&
          r->pl.set_modality[cb_plan_dataset_index(c, c->benchmarks[b].dataset)] == r->pl.set_modality[r->pl.pca_d])
        ok = 1;
    if (!ok)
      return CB_ERROR(CB_ERR_CONFIG, "%s: [suite] key 'selection_pca_dataset': [dataset %s] is %s, no selection "
                      "benchmark is", c->path, c->datasets[r->pl.pca_d].id, cb_modality_name(r->pl.set_modality[r->pl.pca_d]));
  }
  return CB_OK;
}


/* ---- RDM-only models ------------------------------------------------------ */

/* The RDM of model m in its file: the one named rdm_entry (a /subject name),
 * or the only one. */
static cb_status rdm_model_entry(const cb_cfg_model *cm, const cb_rdmfile *f, int *entry) {
  if (!cm->rdm_entry) {
    if (f->n_subject > 1)
      return CB_ERROR(CB_ERR_CONFIG, "%s: holds %d RDMs: name one with rdm_entry = NAME (e.g. '%s')", cm->rdm,
                      f->n_subject, f->subject[0]);
    *entry = 0;
    return CB_OK;
  }
  for (int k = 0; f->has_subject && k < f->n_subject; ++k)
    if (!strcmp(f->subject[k], cm->rdm_entry)) {
      *entry = k;
      return CB_OK;
    }
  if (!f->has_subject && !strcmp(f->identifier, cm->rdm_entry)) {
    *entry = 0;
    return CB_OK;
  }
  return CB_ERROR(CB_ERR_CONFIG, "%s: no RDM named '%s' (rdm_entry)", cm->rdm, cm->rdm_entry);
}

/* 1 when every stimulus of the set is in the RDM file. */
static int rdm_covers(const cb_rdmfile *f, const cb_stimulus_set *set) {
  for (int i = 0; i < set->n; ++i) {
    int found = 0;
    for (int j = 0; j < f->n && !found; ++j) found = !strcmp(set->stimulus_id[i], f->stimulus_id[j]);
    if (!found) return 0;
  }
  return 1;
}

typedef struct rdm_arg {
  run_ctx *r;
  int m;
  char flags[4096]; /* (n_datasets + 1) '1': the RDM covers the dataset's stimuli */
  char entry[16];   /* decimal index of the RDM in its file */
  char key[CB_KEY_HEX];
} rdm_arg;

static cb_status rdm_model_on_rank0(void *arg) {
  rdm_arg *a = arg;
  run_ctx *r = a->r;
  const cb_cfg_model *cm = &r->pl.cfg->models[a->m];
  cb_rdmfile *f = NULL;
  int entry = 0;
  char file_key[CB_KEY_HEX];
  cb_status st = cb_rdmfile_read(cm->rdm, &f);
  if (st == CB_OK) st = cb_rdmfile_check(f, 1e-6, 0, cm->rdm);
  if (st == CB_OK) st = rdm_model_entry(cm, f, &entry);
  if (st == CB_OK) st = cb_key_file(cm->rdm, file_key);
  if (st == CB_OK) {
    cb_key_rdm_model(file_key, f->has_subject ? f->subject[entry] : "", a->key);
    snprintf(a->entry, sizeof a->entry, "%d", entry);
  }
  for (int d = 0; st == CB_OK && d < r->pl.cfg->n_datasets; ++d) {
    a->flags[d] = '0';
    if (!r->pl.used[d]) continue;
    cb_stimulus_set *set = NULL;
    st = cb_stimulus_set_read(r->pl.stimuli[d], &set);
    if (st == CB_OK && rdm_covers(f, set)) a->flags[d] = '1';
    cb_stimulus_set_destroy(&set);
  }
  a->flags[r->pl.cfg->n_datasets] = '\0';
  cb_rdmfile_destroy(&f);
  return st;
}

/* RDM-only models: one pseudo-layer "rdm", their datasets and keys (rank 0
 * reads the files, every rank gets the answer). */
static cb_status stage_rdm_models(run_ctx *r) {
  cb_config *c = r->pl.cfg;
  if (c->n_datasets >= (int)sizeof ((rdm_arg *)0)->flags)
    return CB_ERROR(CB_ERR_CONFIG, "%s: too many datasets for RDM-only models", c->path);
  for (int m = 0; m < c->n_models; ++m) {
    const cb_cfg_model *cm = &c->models[m];
    if (!cm->rdm) continue;
    rdm_arg a;
    memset(&a, 0, sizeof a);
    a.r = r;
    a.m = m;
    cb_status st = on_rank0(r->p, rdm_model_on_rank0, &a);
    if (st != CB_OK) {
      cb_error_prefix("%s: [model %s]", c->path, cm->name);
      return st;
    }
    CB_CHECK(cb_par_bcast_string(r->p, a.flags, sizeof a.flags));
    CB_CHECK(cb_par_bcast_string(r->p, a.entry, sizeof a.entry));
    CB_CHECK(cb_par_bcast_string(r->p, a.key, sizeof a.key));
    r->pl.rdm_entry[m] = atoi(a.entry);
    r->pl.n_layers[m] = 1;
    r->pl.layers[m] = calloc(2, sizeof(char *));
    r->pl.features[m] = calloc(2, sizeof(int64_t));
    if (!r->pl.layers[m] || !r->pl.features[m] || !(r->pl.layers[m][0] = cb_strdup("rdm")))
      return CB_ERROR(CB_ERR_NOMEM, "out of memory");
    r->pl.model_modality[m] = CB_MODALITY_UNSET; /* an RDM has no stimuli of its own kind */
    for (int d = 0; d < c->n_datasets; ++d) {
      r->pl.rdm_ok[(size_t)m * c->n_datasets + d] = a.flags[d] == '1';
      snprintf(r->pl.act_key[(size_t)m * c->n_datasets + d], CB_KEY_HEX, "%s", a.key);
    }
  }
  return CB_OK;
}

/* ---- activations ------------------------------------------------------------ */


typedef struct fresh_arg {
  const char *path, *key;
  int fresh;   /* out: 1 when the committed file has this key */
  int written; /* out: 1 when its bytes are those this program wrote (the SHA-256 beside it matches) */
} fresh_arg;

/* Whether an activations file is the one this program wrote (its record F.h5.sha256, src/core/cb_written.h, written
 * by cb_par_activations): unchanged since (its stat), or its bytes still hash to the recorded SHA-256 (a copy, or a
 * record of an earlier version). Such a file cannot crash libhdf5, so it is read in-process instead of through the
 * isolated reader (cb_isolate), whose copies and page faults cost more than the scoring on large layers; any other
 * file stays isolated. */
static int written_by_us(const char *path) {
  char hex[CB_HASH_HEX_MAX], kept[CB_HASH_HEX_MAX];
  if (cb_written_unchanged(path)) return 1;
  if (!cb_written_digest(path, kept)) return 0;
  if (cb_hash_file(path, CB_HASH_SHA256, hex, NULL) != CB_OK) {
    cb_error_clear();
    return 0;
  }
  return strcmp(hex, kept) == 0;
}

static cb_status activations_fresh_on_rank0(void *arg) {
  fresh_arg *f = arg;
  f->fresh = f->written = 0;
  if (!cb_path_exists(f->path)) return CB_OK;
  cb_activations *a = NULL;
  if (cb_activations_open(f->path, &a) != CB_OK) { /* unreadable: recompute */
    cb_error_clear();
    return CB_OK;
  }
  f->fresh = a->task_key && !strcmp(a->task_key, f->key);
  cb_activations_destroy(&a);
  f->written = f->fresh && written_by_us(f->path);
  return CB_OK;
}

/* Every rank builds every model (seeded, so identical) and computes its
 * block of every stimulus set the benchmarks use; a file whose task key is
 * current is reused. */
/* RDM-only models have no activations (stage_rdm_models): say why they skip the datasets they do not cover. */
static void report_rdm_model(run_ctx *r, int m) {
  const cb_config *c = r->pl.cfg;
  for (int d = 0; d < c->n_datasets; ++d)
    if (r->pl.used[d] && !cb_plan_compatible(&r->pl, m, d))
      cb_print0("activations: %-16s on %-16s skipped (RDM-only model: %s)\n", c->models[m].name, c->datasets[d].id,
                r->pl.rdm_ok[(size_t)m * c->n_datasets + d] ? "not in the model's datasets" : "its RDM does not cover the stimuli");
}

/* Opens model m as its [model] section describes it, resolves its layers (idx, n_idx) and records them, their
 * features and the model's modality in the plan; the ranks agree on the outcome. */
static cb_status open_plan_model(run_ctx *r, int m, cb_model **model, int **idx, int *n_idx) {
  const cb_config *c = r->pl.cfg;
  const cb_cfg_model *cm = &c->models[m];
  cb_model_spec spec = {cm->zoo, cm->onnx, cm->seed, cm->in_h, cm->in_w, cm->has_mean ? cm->mean : NULL,
                        cm->has_std ? cm->std : NULL, cm->visual_degrees, cm->reinit, cm->modality, cm->front_end};
  cb_status st = cb_model_open_spec(&spec, model);
  if (st == CB_OK) st = cb_extract_resolve_layers(*model, (const char *const *)cm->layers, cm->n_layers, idx, n_idx);
  if (st != CB_OK) cb_error_prefix("%s: [model %s]", c->path, cm->name);
  CB_CHECK(cb_par_agree(r->p, st));
  r->pl.n_layers[m] = *n_idx;
  r->pl.layers[m] = calloc((size_t)*n_idx + 1, sizeof(char *));
  r->pl.features[m] = calloc((size_t)*n_idx + 1, sizeof(int64_t));
  if (!r->pl.layers[m] || !r->pl.features[m]) return CB_ERROR(CB_ERR_NOMEM, "out of memory");
  r->pl.model_modality[m] = cb_model_get_info(*model)->modality;
  for (int l = 0; l < *n_idx; ++l) {
    r->pl.features[m][l] = cb_extract_features(*model, (*idx)[l]);
    if (!(r->pl.layers[m][l] = cb_strdup(cb_model_layer_name(*model, (*idx)[l]))))
      return CB_ERROR(CB_ERR_NOMEM, "out of memory");
  }
  return CB_OK;
}

/* Whether the activations file at `path` (key) is committed and fresh, decided by rank 0 and told to all. */
static cb_status activations_fresh(run_ctx *r, const char *path, const char *key, fresh_arg *f) {
  *f = (fresh_arg){path, key, 0, 0};
  if (!r->opts->fresh) CB_CHECK(on_rank0(r->p, activations_fresh_on_rank0, f));
  char flag[3] = {f->fresh ? '1' : '0', f->written ? '1' : '0', '\0'};
  CB_CHECK(cb_par_bcast_string(r->p, flag, sizeof flag));
  f->fresh = flag[0] == '1';
  f->written = flag[1] == '1';
  return f->written ? cb_isolate_trust(path) : CB_OK;
}

/* The activations of model m on dataset d: skipped (unused dataset, other modality, not in the model's datasets,
 * shared with an earlier dataset of the same stimuli), reused when committed under the same key, else computed by
 * all ranks and committed. */
static cb_status model_on_dataset(run_ctx *r, int m, int d, cb_model *model, const int *idx, int n_idx) {
  const cb_config *c = r->pl.cfg;
  const cb_cfg_model *cm = &c->models[m];
  if (!r->pl.used[d]) return CB_OK;
  if (!cb_plan_compatible(&r->pl, m, d)) {
    cb_print0("activations: %-16s on %-16s skipped (%s)\n", cm->name, c->datasets[d].id,
              r->pl.model_modality[m] != r->pl.set_modality[d] ? "other modality" : "not in the model's datasets");
    return CB_OK;
  }
  char path[CB_PATH_MAX], *key = r->pl.act_key[(size_t)m * c->n_datasets + d];
  cb_key_activations(model, cm->name, r->pl.set_key[d], r->pl.degrees[d], (const char *const *)r->pl.layers[m], n_idx,
                     key);
  CB_CHECK(cb_plan_activations_path(&r->pl, m, d, path));
  if (r->pl.act_src[d] != d) {
    cb_print0("activations: %-16s on %-16s shared with %s (same stimuli)\n", cm->name, c->datasets[d].id,
              c->datasets[r->pl.act_src[d]].id);
    return CB_OK;
  }
  fresh_arg f;
  CB_CHECK(activations_fresh(r, path, key, &f));
  if (f.fresh) {
    cb_print0("activations: %-16s on %-16s reused (committed, key %.12s%s)\n", cm->name, c->datasets[d].id, key,
              f.written ? ", bytes as written: read in-process" : "");
    r->reused_act++;
    return CB_OK;
  }
  cb_stimulus_set *set = NULL;
  cb_status st = cb_par_agree(r->p, cb_stimulus_set_read(r->pl.stimuli[d], &set));
  if (st == CB_OK) {
    cb_print0("activations: %-16s on %-16s (%d stimuli, %d layer%s)\n", cm->name, c->datasets[d].id, set->n, n_idx,
              n_idx == 1 ? "" : "s");
    cb_activations_layout layout = {.deflate = c->compression};
    st = cb_par_activations_layout(r->p, model, cm->name, key, set, r->pl.degrees[d], c->batch, idx, n_idx, path,
                                   &layout, r->t);
    if (st == CB_OK) st = cb_isolate_trust(path); /* written by this run: read in-process */
    r->computed_act++;
  }
  cb_stimulus_set_destroy(&set);
  return st == CB_OK ? check_signal(r->p) : st;
}

static cb_status stage_activations(run_ctx *r) {
  cb_config *c = r->pl.cfg;
  cb_status st = CB_OK;
  for (int m = 0; m < c->n_models && st == CB_OK; ++m) {
    if (c->models[m].rdm) {
      report_rdm_model(r, m);
      continue;
    }
    cb_model *model = NULL;
    int *idx = NULL, n_idx = 0;
    st = open_plan_model(r, m, &model, &idx, &n_idx);
    for (int d = 0; st == CB_OK && d < c->n_datasets; ++d) st = model_on_dataset(r, m, d, model, idx, n_idx);
    free(idx);
    cb_model_destroy(&model);
  }
  return st;
}

/* ---- scores ------------------------------------------------------------------ */


/* One scoring task on this rank (src/bench/cb_scorer.h), timed in the "scores" stage. */
typedef struct score_arg {
  run_ctx *r;
  cb_scorer *scorer;
} score_arg;

static cb_status run_score_task(int k, void *arg) {
  score_arg *a = arg;
  cb_timers_start(a->r->t, "scores");
  cb_status st = cb_scorer_run(a->scorer, k);
  cb_timers_stop(a->r->t, "scores");
  if (st == CB_OK) cb_timers_count(a->r->t, "scores", 1);
  return st;
}

typedef struct committed_arg {
  const cb_score_task *tasks;
  int n;
  char *mask; /* (n + 1) '1' = committed with the current key */
} committed_arg;

static cb_status committed_on_rank0(void *arg) {
  committed_arg *a = arg;
  for (int k = 0; k < a->n; ++k) {
    a->mask[k] = '0';
    if (!cb_path_exists(a->tasks[k].path)) continue;
    cb_score s;
    if (cb_score_read_json(a->tasks[k].path, &s) != CB_OK) { /* damaged: recompute */
      cb_error_clear();
      continue;
    }
    if (!strcmp(s.task_key, a->tasks[k].key)) a->mask[k] = '1';
    cb_score_free(&s);
  }
  a->mask[a->n] = '\0';
  return CB_OK;
}

static cb_status stage_scores(run_ctx *r) {
  cb_status st = CB_OK;
  score_arg sa = {r, NULL};
  char *mask = NULL;
  int *order = NULL, n = 0;
  double *cost = NULL;
  st = cb_par_agree(r->p, cb_scorer_create(&r->pl, &sa.scorer));
  if (st != CB_OK) goto done;
  const cb_score_task *tasks = cb_scorer_tasks(sa.scorer, &n);
  mask = calloc((size_t)n + 1, 1);
  order = calloc((size_t)(n > 0 ? n : 1), sizeof *order);
  cost = calloc((size_t)(n > 0 ? n : 1), sizeof *cost);
  st = cb_par_agree(r->p, mask && order && cost ? CB_OK : CB_ERROR(CB_ERR_NOMEM, "out of memory"));
  if (st != CB_OK) goto done;
  /* Which tasks are already committed with their current key: rank 0 looks,
   * everyone gets the same answer. */
  if (r->opts->fresh) {
    memset(mask, '0', (size_t)n);
  } else {
    committed_arg a = {tasks, n, mask};
    CB_CHECK_GOTO(on_rank0(r->p, committed_on_rank0, &a), st, done);
    CB_CHECK_GOTO(cb_par_bcast_string(r->p, mask, (size_t)n + 1), st, done);
  }
  int pending = 0;
  for (int k = 0; k < n; ++k)
    if (mask[k] != '1') {
      order[pending] = k;
      cost[pending] = (double)r->pl.features[tasks[k].m][tasks[k].l];
      ++pending;
    }
  /* Most expensive first (ties: task order), handed out dynamically. */
  for (int i = 1; i < pending; ++i) { /* insertion sort, stable, by decreasing cost */
    int o = order[i];
    double co = cost[i];
    int j = i - 1;
    while (j >= 0 && cost[j] < co) {
      order[j + 1] = order[j];
      cost[j + 1] = cost[j];
      --j;
    }
    order[j + 1] = o;
    cost[j + 1] = co;
  }
  cb_print0("scoring: %d tasks (benchmark x model x layer): %d committed earlier and reused, %d to compute over %d "
            "rank%s\n",
            n, n - pending, pending, cb_par_size(r->p), cb_par_size(r->p) > 1 ? "s" : "");
  int mine = 0;
  st = cb_par_run_tasks(r->p, pending, order, run_score_task, &sa, "scores", &mine);
done:
  cb_scorer_destroy(&sa.scorer);
  free(mask);
  free(order);
  free(cost);
  return st;
}

/* ---- leaderboard and report ---------------------------------------------- */










static cb_status finish_on_rank0(void *arg) {
  run_ctx *r = arg;
  cb_run_info run = {.ranks = cb_par_size(r->p), .threads = r->threads, .t_start = r->t_start};
  cb_par_mpi_version(run.mpi_version, sizeof run.mpi_version);
  return r->opts->finish(&r->pl, &run);
}

/* The leaderboard and report step, with a start and an end line (its time) when progress is shown. */
static cb_status stage_leaderboard(run_ctx *r) {
  const int shown = cb_progress_opts_env().mode != CB_PROGRESS_OFF;
  const double t0 = cb_now();
  if (shown) cb_print0("leaderboard: reading the score files, writing the leaderboard and report\n");
  cb_timers_start(r->t, "leaderboard");
  cb_status st = r->opts->finish ? on_rank0(r->p, finish_on_rank0, r) : CB_OK;
  cb_timers_stop(r->t, "leaderboard");
  if (st == CB_OK && shown) {
    char took[32];
    cb_progress_format_duration(cb_now() - t0, took, sizeof took);
    cb_print0("leaderboard: done in %s\n", took);
  }
  return st;
}

/* ---- driver ------------------------------------------------------------------ */

static cb_status outdir_on_rank0(void *arg) {
  run_ctx *r = arg;
  return cb_outdir_open(r->pl.out_dir, r->pl.cfg->path, r->pl.sharded, r->opts->restart, &r->outdir);
}

/* Keeps the models whose position is i modulo n (the others are freed). */
static cb_status keep_shard(cb_config *c, int i, int n) {
  int k = 0;
  for (int m = 0; m < c->n_models; ++m) {
    if (m % n == i) {
      c->models[k++] = c->models[m];
    } else {
      cb_cfg_model_free(&c->models[m]);
    }
  }
  c->n_models = k;
  if (k == 0) return CB_ERROR(CB_ERR_ARG, "--shard %d/%d selects none of %s's models", i, n, c->path);
  return CB_OK;
}

static void ctx_free(run_ctx *r) {
  cb_outdir_close(&r->outdir);
  cb_timers_destroy(&r->t);
  cb_plan_free(&r->pl);
}

/* After a run that completed (so that an error stays the only line of a failed one): a warning for every image
 * dataset scored without stimulus_degrees, whose models then saw the images across their own field of view. */
static void warn_default_degrees(const run_ctx *r) {
  if (cb_par_rank(r->p) != 0) return;
  for (int i = 0; i < r->pl.cfg->n_datasets; ++i) {
    const cb_cfg_dataset *d = &r->pl.cfg->datasets[i];
    if (!r->pl.used[i] || d->generator || !isnan(d->stimulus_degrees) || r->pl.set_modality[i] != CB_MODALITY_VISUAL)
      continue;
    cb_log(CB_LOG_WARN,
           "%s: [dataset %s] gives no stimulus_degrees: each model saw the images across its own field of view (its "
           "visual_degrees); set stimulus_degrees to the visual angle the stimuli spanned in the recordings",
           r->pl.cfg->path, d->id);
  }
}

cb_status cb_suite_run(cb_par *p, const char *config, const cb_suite_opts *o) {
  run_ctx r;
  memset(&r, 0, sizeof r);
  r.p = p;
  r.opts = o;
  cb_signal_install();
  int threads = cb_par_set_blas_threads(p);
  double t_start = cb_now();
  r.threads = threads;
  r.t_start = t_start;
  cb_config *cfg = NULL;
  cb_status st = cb_timers_create(&r.t);
  if (st == CB_OK) st = cb_bench_config_read(config, &cfg);
  if (st == CB_OK && o->shard_n > 1) st = keep_shard(cfg, o->shard_i, o->shard_n);
  if (st == CB_OK) st = cb_plan_init(&r.pl, cfg, o->out_root, o->work, o->shard_n > 1);
  else cb_config_destroy(&cfg);
  st = cb_par_agree(p, st);
  if (st != CB_OK) goto done;
  /* One run at a time in the output directory, and one configuration. */
  st = on_rank0(p, outdir_on_rank0, &r);
  if (st != CB_OK) goto done;
  /* Every rank declares the stages in order so the timing table lines up. */
  const char *stages[] = {"datasets", "activations", "write activations", "scores", "leaderboard"};
  for (size_t i = 0; i < sizeof stages / sizeof *stages; ++i) cb_timers_declare(r.t, stages[i]);

  if (cb_par_rank(p) == 0 && cb_log_get_level() >= CB_LOG_INFO) {
    /* header printed by the CLI; the suite line here */
    printf("suite %s: %d model%s x %d benchmark%s -> %s%s\n", r.pl.cfg->suite, r.pl.cfg->n_models, r.pl.cfg->n_models == 1 ? "" : "s",
           r.pl.cfg->n_benchmarks, r.pl.cfg->n_benchmarks == 1 ? "" : "s", r.pl.out_dir, o->fresh ? " (fresh)" : "");
    fflush(stdout);
  }
  cb_timers_start(r.t, "datasets");
  st = stage_datasets(&r);
  cb_timers_stop(r.t, "datasets");
  st = cb_par_agree(p, st);
  if (st == CB_OK) st = check_signal(p);
  if (st == CB_OK) st = stage_rdm_models(&r);
  if (st == CB_OK) st = stage_activations(&r);
  if (st == CB_OK) {
    /* Scores use one BLAS thread per rank: threaded dot products and
     * matrix-vector products sum in an order that depends on the thread
     * count, and scores must be bitwise identical whatever the number of
     * ranks. Ranks split the scoring tasks instead. */
    openblas_set_num_threads(1);
    st = stage_scores(&r);
    openblas_set_num_threads(threads);
  }
  if (st == CB_OK) st = stage_leaderboard(&r);
  if (st == CB_OK) warn_default_degrees(&r);
  if (cb_log_get_level() >= CB_LOG_INFO && r.pl.cfg) {
    cb_status ts = cb_par_timers_report(p, r.t);
    if (st == CB_OK) st = ts;
    cb_print0("activations files: %ld computed, %ld reused; total wall time: %.2f s\n", r.computed_act, r.reused_act,
              cb_now() - t_start);
  }
done:
  cb_isolate_trust_clear();
  ctx_free(&r);
  return st;
}

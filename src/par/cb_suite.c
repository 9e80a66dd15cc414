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
#include "cb_lbconfig.h"
#include "cb_leaderboard.h"
#include "cb_log.h"
#include "cb_modelopen.h"
#include "cb_outdir.h"
#include "cb_par_pipeline.h"
#include "cb_rdm.h"
#include "cb_rdmcache.h"
#include "cb_rdmfile.h"
#include "cb_sha.h"
#include "cb_report.h"
#include "cb_version.h"
#include "cb_par_tasks.h"
#include "cb_partition.h"
#include "cb_pca.h"
#include "cb_progress.h"
#include "cb_signal.h"
#include "cb_strbuf.h"
#include "cb_taskkey.h"

typedef struct run_ctx {
  cb_par *p;
  cb_config *cfg;
  const cb_suite_opts *opts;
  char out_dir[CB_PATH_MAX];
  char work_dir[CB_PATH_MAX];
  /* per dataset */
  char (*stimuli)[CB_PATH_MAX];  /* (n_datasets) resolved stimulus-set CSV */
  char (*assembly)[CB_PATH_MAX]; /* (n_datasets) resolved assembly */
  double *degrees;               /* (n_datasets) stimulus degrees (NaN: the model's) */
  int *used;                     /* (n_datasets) 1 when a benchmark uses it */
  char (*set_key)[CB_KEY_HEX];   /* (n_datasets) digest of the stimulus set */
  char (*asm_key)[CB_KEY_HEX];   /* (n_datasets) digest of the assembly file */
  char (*set_modality)[8];       /* (n_datasets) "visual" or "audio" */
  char (*model_modality)[8];     /* (n_models) */
  /* per model */
  int *n_layers;                 /* (n_models) */
  char ***layers;                /* (n_models) each (n_layers[m]) layer names */
  int64_t **features;            /* (n_models) each (n_layers[m]) features per stimulus */
  char (*act_key)[CB_KEY_HEX];   /* (n_models * n_datasets) activations keys */
  int pca_d;                     /* [suite] selection_pca_dataset index, -1: no PCA */
  int *rdm_set;                  /* (n_datasets) 1: the dataset's responses are RDMs (assembly[] is the RDM file) */
  int *rdm_ok;                   /* (n_models * n_datasets) RDM-only models: 1 when the file covers the stimuli */
  int *rdm_entry;                /* (n_models) RDM-only models: the RDM's index in its file */
  int *act_src;                  /* (n_datasets) the dataset whose activations files d uses: the first with the same
                                    stimulus set (key) and degrees (e.g. two RDM datasets of one image set) */
  int *selection;                /* (n_benchmarks) 1: chooses its region's layer */
  cb_timers *t;
  cb_outdir *outdir;             /* rank 0: the output directory's lock, held for the run */
  int sharded;
  int threads;                   /* OpenBLAS threads per rank outside scoring */
  double t_start;
  long reused_act, computed_act;
} run_ctx;

/* Models run only on stimulus sets of their own modality; RDM-only models
 * on the datasets whose stimuli their RDM covers. */
static int compatible(const run_ctx *r, int m, int d) {
  const cb_cfg_model *cm = &r->cfg->models[m];
  if (cm->rdm && !r->rdm_ok[(size_t)m * r->cfg->n_datasets + d]) return 0;
  if (!cm->rdm && strcmp(r->model_modality[m], r->set_modality[d]) != 0) return 0;
  if (d == r->pca_d) return !cm->rdm; /* the PCA fit set serves every network of its modality */
  if (cm->n_datasets == 0) return 1;
  for (int k = 0; k < cm->n_datasets; ++k)
    if (!strcmp(cm->datasets[k], r->cfg->datasets[d].id)) return 1;
  return 0;
}

static int dataset_index(const cb_config *c, const char *id) {
  for (int i = 0; i < c->n_datasets; ++i)
    if (!strcmp(c->datasets[i].id, id)) return i;
  return -1;
}

/* Model m is scored on benchmark b: compatible with its dataset, and an
 * RDM-only model only on rdm benchmarks. */
static int takes_part(const run_ctx *r, int m, int b) {
  const cb_cfg_benchmark *cb = &r->cfg->benchmarks[b];
  if (!compatible(r, m, dataset_index(r->cfg, cb->dataset))) return 0;
  return !r->cfg->models[m].rdm || cb_metric_row_by_name(cb->metric)->family == CB_METRIC_FAMILY_RDM;
}

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

static cb_status dataset_keys_on_rank0(void *arg) {
  key_arg *k = arg;
  run_ctx *r = k->r;
  cb_stimulus_set *set = NULL;
  CB_CHECK(cb_stimulus_set_read(r->stimuli[k->d], &set));
  snprintf(r->set_modality[k->d], sizeof r->set_modality[k->d], "%s", cb_extract_set_modality(set));
  cb_status st = cb_key_stimulus_set(set, r->set_key[k->d]);
  cb_stimulus_set_destroy(&set);
  CB_CHECK(st);
  if (!r->assembly[k->d][0]) return CB_OK; /* images only (the PCA fit set) */
  return cb_key_file(r->assembly[k->d], r->asm_key[k->d]);
}

static cb_status stage_datasets(run_ctx *r) {
  cb_config *c = r->cfg;
  for (int b = 0; b < c->n_benchmarks; ++b) r->used[dataset_index(c, c->benchmarks[b].dataset)] = 1;
  if (r->pca_d >= 0) r->used[r->pca_d] = 1;
  for (int i = 0; i < c->n_datasets; ++i) {
    const cb_cfg_dataset *d = &c->datasets[i];
    if (!r->used[i]) continue;
    if (d->generator) {
      const cb_generator_info *gi = cb_generator_find(d->generator);
      if (!gi)
        return CB_ERROR(CB_ERR_CONFIG, "%s: [dataset %s] unknown generator '%s' (see cortexbench list datasets)",
                        c->path, d->id, d->generator);
      char dir[CB_PATH_MAX], leaf[512];
      snprintf(leaf, sizeof leaf, "datasets/%s-%s-seed%llu", d->id, d->generator, (unsigned long long)d->seed);
      CB_CHECK(cb_path_join(dir, sizeof dir, r->work_dir, leaf));
      gen_arg g = {d, dir};
      CB_CHECK(on_rank0(r->p, generate_on_rank0, &g));
      CB_CHECK(cb_path_join(r->stimuli[i], CB_PATH_MAX, dir, "stimuli.csv"));
      CB_CHECK(cb_path_join(r->assembly[i], CB_PATH_MAX, dir, "assembly.nc"));
      r->degrees[i] = isnan(d->stimulus_degrees) ? gi->stimulus_degrees : d->stimulus_degrees;
    } else {
      snprintf(r->stimuli[i], CB_PATH_MAX, "%s", d->stimuli);
      snprintf(r->assembly[i], CB_PATH_MAX, "%s", d->assembly ? d->assembly : (d->rdm ? d->rdm : ""));
      r->rdm_set[i] = d->rdm != NULL;
      r->degrees[i] = d->stimulus_degrees; /* NaN: assume the model's field of view */
    }
    key_arg k = {r, i};
    CB_CHECK(on_rank0(r->p, dataset_keys_on_rank0, &k));
    CB_CHECK(cb_par_bcast_string(r->p, r->set_key[i], CB_KEY_HEX));
    CB_CHECK(cb_par_bcast_string(r->p, r->asm_key[i], CB_KEY_HEX));
    CB_CHECK(cb_par_bcast_string(r->p, r->set_modality[i], sizeof r->set_modality[i]));
  }
  for (int i = 0; i < c->n_datasets; ++i) { /* datasets of one stimulus set share activations */
    r->act_src[i] = i;
    for (int j = 0; j < i && r->act_src[i] == i; ++j)
      if (r->used[i] && r->used[j] && !strcmp(r->set_key[i], r->set_key[j]) &&
          ((isnan(r->degrees[i]) && isnan(r->degrees[j])) || r->degrees[i] == r->degrees[j]))
        r->act_src[i] = j;
  }
  if (r->pca_d >= 0) { /* the fit set must share a selection benchmark's modality */
    int ok = 0;
    for (int b = 0; b < c->n_benchmarks; ++b)
      if (r->selection[b] && !strcmp(r->set_modality[dataset_index(c, c->benchmarks[b].dataset)],
                                     r->set_modality[r->pca_d]))
        ok = 1;
    if (!ok)
      return CB_ERROR(CB_ERR_CONFIG, "%s: [suite] key 'selection_pca_dataset': [dataset %s] is %s, no selection "
                      "benchmark is", c->path, c->datasets[r->pca_d].id, r->set_modality[r->pca_d]);
  }
  return CB_OK;
}

/* The benchmark that chooses each region's layer (as the leaderboard does):
 * the region's first benchmark with `selection = true`, else its first. */
static void find_selection(run_ctx *r) {
  cb_config *c = r->cfg;
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
    r->selection[b] = b == (flagged >= 0 ? flagged : first);
  }
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
  const cb_cfg_model *cm = &r->cfg->models[a->m];
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
  for (int d = 0; st == CB_OK && d < r->cfg->n_datasets; ++d) {
    a->flags[d] = '0';
    if (!r->used[d]) continue;
    cb_stimulus_set *set = NULL;
    st = cb_stimulus_set_read(r->stimuli[d], &set);
    if (st == CB_OK && rdm_covers(f, set)) a->flags[d] = '1';
    cb_stimulus_set_destroy(&set);
  }
  a->flags[r->cfg->n_datasets] = '\0';
  cb_rdmfile_destroy(&f);
  return st;
}

/* RDM-only models: one pseudo-layer "rdm", their datasets and keys (rank 0
 * reads the files, every rank gets the answer). */
static cb_status stage_rdm_models(run_ctx *r) {
  cb_config *c = r->cfg;
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
    r->rdm_entry[m] = atoi(a.entry);
    r->n_layers[m] = 1;
    r->layers[m] = calloc(2, sizeof(char *));
    r->features[m] = calloc(2, sizeof(int64_t));
    if (!r->layers[m] || !r->features[m] || !(r->layers[m][0] = cb_strdup("rdm")))
      return CB_ERROR(CB_ERR_NOMEM, "out of memory");
    snprintf(r->model_modality[m], sizeof r->model_modality[m], "rdm");
    for (int d = 0; d < c->n_datasets; ++d) {
      r->rdm_ok[(size_t)m * c->n_datasets + d] = a.flags[d] == '1';
      snprintf(r->act_key[(size_t)m * c->n_datasets + d], CB_KEY_HEX, "%s", a.key);
    }
  }
  return CB_OK;
}

/* ---- activations ------------------------------------------------------------ */

static cb_status activations_path(const run_ctx *r, int m, int d, char *out) {
  char leaf[600];
  d = r->act_src[d];
  snprintf(leaf, sizeof leaf, "activations/%s/%s.h5", r->cfg->models[m].name, r->cfg->datasets[d].id);
  return cb_path_join(out, CB_PATH_MAX, r->work_dir, leaf);
}

typedef struct fresh_arg {
  const char *path, *key;
  int fresh;   /* out: 1 when the committed file has this key */
  int written; /* out: 1 when its bytes are those this program wrote (the SHA-256 beside it matches) */
} fresh_arg;

/* F.h5.sha256 beside an activations file this program wrote: the SHA-256 of its bytes. A file that still has them
 * cannot crash libhdf5, so a later run reads it in-process instead of through the isolated reader (cb_isolate),
 * whose copies and page faults cost more than the scoring on large layers; any other file stays isolated. */
static void written_digest_path(const char *path, char *out) { snprintf(out, CB_PATH_MAX + 8, "%s.sha256", path); }

static cb_status record_written_on_rank0(void *arg) {
  const char *path = arg;
  char hex[65], side[CB_PATH_MAX + 8];
  CB_CHECK(cb_hash_file(path, CB_HASH_SHA256, hex, NULL));
  written_digest_path(path, side);
  hex[64] = '\n';
  return cb_file_write_atomic(side, hex, 65);
}

static int written_by_us(const char *path) {
  char hex[65], side[CB_PATH_MAX + 8], kept[66] = {0};
  written_digest_path(path, side);
  FILE *fh = fopen(side, "r");
  if (!fh) return 0;
  size_t got = fread(kept, 1, sizeof kept - 1, fh);
  fclose(fh);
  if (got != 65 || kept[64] != '\n' || cb_hash_file(path, CB_HASH_SHA256, hex, NULL) != CB_OK) {
    cb_error_clear();
    return 0;
  }
  return memcmp(hex, kept, 64) == 0;
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
static cb_status stage_activations(run_ctx *r) {
  cb_config *c = r->cfg;
  cb_status st = CB_OK;
  for (int m = 0; m < c->n_models && st == CB_OK; ++m) {
    const cb_cfg_model *cm = &c->models[m];
    cb_model *model = NULL;
    int *idx = NULL, n_idx = 0;
    if (cm->rdm) { /* RDM-only: no activations (stage_rdm_models) */
      for (int d = 0; d < c->n_datasets; ++d)
        if (r->used[d] && !compatible(r, m, d))
          cb_print0("activations: %-16s on %-16s skipped (RDM-only model: %s)\n", cm->name, c->datasets[d].id,
                    r->rdm_ok[(size_t)m * c->n_datasets + d] ? "not in the model's datasets" : "its RDM does not cover the stimuli");
      continue;
    }
    cb_model_spec spec = {cm->zoo, cm->onnx, cm->seed, cm->in_h, cm->in_w, cm->has_mean ? cm->mean : NULL,
                          cm->has_std ? cm->std : NULL, cm->visual_degrees, cm->reinit};
    st = cb_model_open_spec(&spec, &model);
    if (st == CB_OK)
      st = cb_extract_resolve_layers(model, (const char *const *)cm->layers, cm->n_layers, &idx, &n_idx);
    if (st != CB_OK) cb_error_prefix("%s: [model %s]", c->path, cm->name);
    st = cb_par_agree(r->p, st);
    if (st == CB_OK) {
      r->n_layers[m] = n_idx;
      r->layers[m] = calloc((size_t)n_idx + 1, sizeof(char *));
      r->features[m] = calloc((size_t)n_idx + 1, sizeof(int64_t));
      if (!r->layers[m] || !r->features[m]) st = CB_ERROR(CB_ERR_NOMEM, "out of memory");
      snprintf(r->model_modality[m], sizeof r->model_modality[m], "%s", cb_extract_model_modality(model));
      for (int l = 0; st == CB_OK && l < n_idx; ++l) {
        r->features[m][l] = cb_extract_features(model, idx[l]);
        if (!(r->layers[m][l] = cb_strdup(cb_model_layer_name(model, idx[l]))))
          st = CB_ERROR(CB_ERR_NOMEM, "out of memory");
      }
    }
    for (int d = 0; st == CB_OK && d < c->n_datasets; ++d) {
      if (!r->used[d]) continue;
      if (!compatible(r, m, d)) {
        cb_print0("activations: %-16s on %-16s skipped (%s)\n", cm->name, c->datasets[d].id,
                  strcmp(r->model_modality[m], r->set_modality[d]) ? "other modality" : "not in the model's datasets");
        continue;
      }
      char path[CB_PATH_MAX], *key = r->act_key[(size_t)m * c->n_datasets + d];
      cb_key_activations(model, cm->name, r->set_key[d], r->degrees[d], (const char *const *)r->layers[m],
                         n_idx, key);
      st = activations_path(r, m, d, path);
      if (st == CB_OK && r->act_src[d] != d) {
        cb_print0("activations: %-16s on %-16s shared with %s (same stimuli)\n", cm->name, c->datasets[d].id,
                  c->datasets[r->act_src[d]].id);
        continue;
      }
      fresh_arg f = {path, key, 0, 0};
      if (st == CB_OK && !r->opts->fresh) st = on_rank0(r->p, activations_fresh_on_rank0, &f);
      if (st == CB_OK) {
        char flag[3] = {f.fresh ? '1' : '0', f.written ? '1' : '0', '\0'};
        st = cb_par_bcast_string(r->p, flag, sizeof flag);
        f.fresh = flag[0] == '1';
        f.written = flag[1] == '1';
      }
      if (st == CB_OK && f.written) st = cb_isolate_trust(path);
      if (st != CB_OK) break;
      if (f.fresh) {
        cb_print0("activations: %-16s on %-16s reused (committed, key %.12s%s)\n", cm->name, c->datasets[d].id, key,
                  f.written ? ", bytes as written: read in-process" : "");
        r->reused_act++;
        continue;
      }
      cb_stimulus_set *set = NULL;
      st = cb_par_agree(r->p, cb_stimulus_set_read(r->stimuli[d], &set));
      if (st == CB_OK) {
        cb_print0("activations: %-16s on %-16s (%d stimuli, %d layer%s)\n", cm->name, c->datasets[d].id, set->n,
                  n_idx, n_idx == 1 ? "" : "s");
        cb_activations_layout layout = {.deflate = c->compression};
        st = cb_par_activations_layout(r->p, model, cm->name, key, set, r->degrees[d], c->batch, idx, n_idx, path,
                                       &layout, r->t);
        if (st == CB_OK) st = cb_isolate_trust(path); /* written by this run: read in-process */
        if (st == CB_OK) st = on_rank0(r->p, record_written_on_rank0, path);
        r->computed_act++;
      }
      cb_stimulus_set_destroy(&set);
      if (st == CB_OK) st = check_signal(r->p);
    }
    free(idx);
    cb_model_destroy(&model);
  }
  return st;
}

/* ---- scores ------------------------------------------------------------------ */

static cb_status score_path(const run_ctx *r, const char *bench, const char *model, const char *layer, char *out) {
  char leaf[2048], l[1024];
  CB_CHECK(cb_layer_link_encode(layer, l, sizeof l)); /* '/' -> %2F, as in activations files */
  snprintf(leaf, sizeof leaf, "scores/%s/%s/%s.json", bench, model, l);
  return cb_path_join(out, CB_PATH_MAX, r->out_dir, leaf);
}

typedef struct task {
  int b, m, l;
  int pca; /* 1: selection score on PCA-projected activations */
  char key[CB_KEY_HEX];
  char path[CB_PATH_MAX];
} task;

typedef struct score_ctx {
  run_ctx *r;
  task *tasks;              /* (n) */
  cb_bench **bench;         /* (n_benchmarks) loaded on first use on this rank */
  cb_activations **acts;    /* (n_models * n_datasets) opened on first use */
  cb_rdmfile **rdm_files;   /* (n_models) RDM-only models' files, read on first use on this rank */
  cb_bench_params *params;  /* (n_benchmarks) */
  cb_activations *pca_acts; /* fit-set activations of the current model, opened on first use */
  int pca_acts_m;           /* model of pca_acts (-1: none) */
  cb_pca *pca;              /* last PCA fitted on this rank, for (pca_m, pca_l) */
  int pca_m, pca_l;
  char fingerprint[CB_CONFIG_FINGERPRINT_HEX]; /* of the configuration, written into every score */
} score_ctx;

/* The PCA of (model m, layer l) fitted on the fit set's activations; NULL
 * (unprojected, as Brain-Score) when the layer has at most k features. One
 * fit is kept per rank: consecutive tasks of the same layer reuse it. */
static cb_status selection_pca(score_ctx *s, int m, int l, const cb_pca **out) {
  run_ctx *r = s->r;
  *out = NULL;
  if (r->features[m][l] <= r->cfg->selection_pca) return CB_OK;
  if (s->pca && s->pca_m == m && s->pca_l == l) {
    *out = s->pca;
    return CB_OK;
  }
  cb_pca_destroy(&s->pca);
  char path[CB_PATH_MAX];
  CB_CHECK(activations_path(r, m, r->pca_d, path));
  if (s->pca_acts_m != m) {
    cb_activations_destroy(&s->pca_acts);
    s->pca_acts_m = -1;
    CB_CHECK(cb_activations_open(path, &s->pca_acts));
    s->pca_acts_m = m;
  }
  float *X = NULL; /* (n_fit, p) */
  int64_t p = 0;
  CB_CHECK(cb_activations_read_layer(s->pca_acts, path, r->layers[m][l], &X, &p));
  cb_status st = cb_pca_fit(X, s->pca_acts->n, p, r->cfg->selection_pca, &s->pca);
  free(X);
  if (st != CB_OK) {
    cb_error_prefix("%s: layer '%s'", path, r->layers[m][l]);
    return st;
  }
  s->pca_m = m;
  s->pca_l = l;
  *out = s->pca;
  return CB_OK;
}

/* The model RDM a score task computed, cached for the report (work/rdms/<task key>.rdm); a cache that cannot be
 * written only costs the report a recomputation. */
static void keep_rdm(run_ctx *r, const char *key, const double *D, int n) {
  char path[CB_PATH_MAX];
  if (cb_rdmcache_path(r->work_dir, key, path, sizeof path) != CB_OK || cb_rdmcache_write(path, D, n) != CB_OK)
    cb_log(CB_LOG_DEBUG, "report RDM cache: %s", cb_error_message());
  cb_error_clear();
}

static cb_status run_score_task(int k, void *arg) {
  score_ctx *s = arg;
  run_ctx *r = s->r;
  cb_config *c = r->cfg;
  const task *t = &s->tasks[k];
  const int d = dataset_index(c, c->benchmarks[t->b].dataset);
  cb_status st = CB_OK;
  cb_score score;
  memset(&score, 0, sizeof score);
  cb_timers_start(r->t, "scores");
  if (!s->bench[t->b]) {
    st = r->rdm_set[d] ? cb_bench_load_rdm(r->assembly[d], r->stimuli[d], &s->params[t->b], &s->bench[t->b])
                       : cb_bench_load(r->assembly[d], &s->params[t->b], &s->bench[t->b]);
    if (st != CB_OK) cb_error_prefix("benchmark %s", c->benchmarks[t->b].id);
  }
  const cb_pca *pca = NULL;
  const cb_cfg_model *cm = &c->models[t->m];
  if (st == CB_OK && cm->rdm) {
    cb_rdmfile **f = &s->rdm_files[t->m];
    if (!*f) st = cb_rdmfile_read(cm->rdm, f);
    if (st == CB_OK) st = cb_bench_score_rdm(s->bench[t->b], cm->rdm, *f, r->rdm_entry[t->m], cm->name, &score);
  } else if (st == CB_OK) {
    char act_path[CB_PATH_MAX];
    cb_activations **acts = &s->acts[(size_t)t->m * c->n_datasets + d];
    st = activations_path(r, t->m, d, act_path);
    if (st == CB_OK && !*acts) st = cb_activations_open(act_path, acts);
    if (st == CB_OK && t->pca) st = selection_pca(s, t->m, t->l, &pca);
    double *rdm = NULL; /* (n, n) the layer's RDM when the rdm metric computed it: kept for the report */
    if (st == CB_OK)
      st = cb_bench_score_layer_rdm(s->bench[t->b], act_path, *acts, r->layers[t->m][t->l], pca, &score,
                                    pca ? NULL : &rdm);
    if (st == CB_OK && rdm) keep_rdm(r, t->key, rdm, s->bench[t->b]->neural->n_stim);
    free(rdm);
  }
  {
    if (st == CB_ERR_NUMERIC && s->bench[t->b]) { /* from scoring, not from loading the benchmark */
      /* A layer that cannot be scored (e.g. constant for every stimulus, a dead
       * ReLU of a random network) is recorded as missing, not fatal to the run. */
      cb_log(CB_LOG_WARN, "%s; recorded as missing (NaN)", cb_error_message());
      cb_error_clear();
      memset(&score, 0, sizeof score);
      snprintf(score.layer, sizeof score.layer, "%s", r->layers[t->m][t->l]);
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
  cb_timers_stop(r->t, "scores");
  if (st == CB_OK) {
    cb_timers_count(r->t, "scores", 1);
    cb_log(CB_LOG_DEBUG, "%s %s %s: raw %.4f ceiling %.4f score %.4f", c->benchmarks[t->b].id, c->models[t->m].name,
           r->layers[t->m][t->l], score.raw, score.ceiling, score.score);
  }
  cb_score_free(&score);
  return st;
}

typedef struct committed_arg {
  task *tasks;
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
  cb_config *c = r->cfg;
  cb_status st = CB_OK;
  const int nb = c->n_benchmarks, nm = c->n_models, nd = c->n_datasets;
  int n = 0;
  for (int b = 0; b < nb; ++b)
    for (int m = 0; m < nm; ++m)
      if (takes_part(r, m, b)) n += r->n_layers[m];
  score_ctx s = {r, NULL, NULL, NULL, NULL, NULL, NULL, -1, NULL, -1, -1, ""};
  char *mask = NULL;
  int *order = NULL;
  double *cost = NULL;
  s.tasks = calloc((size_t)(n > 0 ? n : 1), sizeof *s.tasks);
  s.bench = calloc((size_t)(nb > 0 ? nb : 1), sizeof *s.bench);
  s.acts = calloc((size_t)nm * (size_t)(nd > 0 ? nd : 1), sizeof *s.acts);
  s.rdm_files = calloc((size_t)(nm > 0 ? nm : 1), sizeof *s.rdm_files);
  s.params = calloc((size_t)(nb > 0 ? nb : 1), sizeof *s.params);
  mask = calloc((size_t)n + 1, 1);
  order = calloc((size_t)(n > 0 ? n : 1), sizeof *order);
  cost = calloc((size_t)(n > 0 ? n : 1), sizeof *cost);
  if (!s.tasks || !s.bench || !s.acts || !s.rdm_files || !s.params || !mask || !order || !cost) {
    st = CB_ERROR(CB_ERR_NOMEM, "out of memory");
    goto done;
  }
  st = cb_config_fingerprint(c->path, s.fingerprint);
  int k = 0;
  for (int b = 0; b < nb && st == CB_OK; ++b) {
    cb_bench_params_from_config(&c->benchmarks[b], &s.params[b]);
    const int d = dataset_index(c, c->benchmarks[b].dataset);
    s.params[b].stimuli = r->stimuli[d][0] ? r->stimuli[d] : NULL;
    for (int m = 0; m < nm && st == CB_OK; ++m)
      for (int l = 0; takes_part(r, m, b) && l < r->n_layers[m] && st == CB_OK; ++l, ++k) {
        task *t = &s.tasks[k];
        t->b = b;
        t->m = m;
        t->l = l;
        cb_key_score(r->act_key[(size_t)m * nd + d], r->layers[m][l], r->asm_key[d], &s.params[b], t->key);
        /* Selection scores of models of the fit set's modality use PCA. */
        t->pca = r->pca_d >= 0 && r->selection[b] && !c->models[m].rdm && compatible(r, m, r->pca_d);
        if (t->pca)
          cb_key_score_pca(t->key, c->selection_pca, r->act_key[(size_t)m * nd + r->pca_d], t->key);
        st = score_path(r, c->benchmarks[b].id, c->models[m].name, r->layers[m][l], t->path);
      }
  }
  st = cb_par_agree(r->p, st);
  if (st != CB_OK) goto done;
  /* Which tasks are already committed with their current key: rank 0 looks,
   * everyone gets the same answer. */
  if (r->opts->fresh) {
    memset(mask, '0', (size_t)n);
  } else {
    committed_arg a = {s.tasks, n, mask};
    CB_CHECK_GOTO(on_rank0(r->p, committed_on_rank0, &a), st, done);
    CB_CHECK_GOTO(cb_par_bcast_string(r->p, mask, (size_t)n + 1), st, done);
  }
  int pending = 0;
  for (k = 0; k < n; ++k)
    if (mask[k] != '1') {
      order[pending] = k;
      cost[pending] = (double)r->features[s.tasks[k].m][s.tasks[k].l];
      ++pending;
    }
  /* Most expensive first (ties: task order), handed out dynamically. */
  {
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
  }
  cb_print0("scoring: %d tasks (benchmark x model x layer): %d committed earlier and reused, %d to compute over %d "
            "rank%s\n",
            n, n - pending, pending, cb_par_size(r->p), cb_par_size(r->p) > 1 ? "s" : "");
  int mine = 0;
  st = cb_par_run_tasks(r->p, pending, order, run_score_task, &s, "scores", &mine);
done:
  if (s.bench)
    for (int b = 0; b < nb; ++b) cb_bench_destroy(&s.bench[b]);
  if (s.acts)
    for (int i = 0; i < nm * nd; ++i) cb_activations_destroy(&s.acts[i]);
  if (s.rdm_files)
    for (int i = 0; i < nm; ++i) cb_rdmfile_destroy(&s.rdm_files[i]);
  cb_activations_destroy(&s.pca_acts);
  cb_pca_destroy(&s.pca);
  free(s.tasks);
  free(s.bench);
  free(s.acts);
  free(s.rdm_files);
  free(s.params);
  free(mask);
  free(order);
  free(cost);
  return st;
}

/* ---- leaderboard and report ---------------------------------------------- */

/* Where the report's time goes (seconds), logged at the debug level (`cortexbench -v run`). */
typedef struct report_clock {
  double scores, leaderboard, neural, cached, acts_read, rdm, page;
  int n_cached, n_computed;
} report_clock;

/* The task key of the score of (model, benchmark, layer) among scores (n); NULL when absent. */
static const char *score_key(const cb_score *scores, int n, const char *model, const char *bench, const char *layer) {
  for (int i = 0; i < n; ++i)
    if (!strcmp(scores[i].model, model) && !strcmp(scores[i].benchmark, bench) && !strcmp(scores[i].layer, layer))
      return scores[i].task_key;
  return NULL;
}

/* The brain's RDM of benchmark b (m, m) and its stimulus ids, for the report:
 * 1 - Pearson of the assembly's stimulus means, or the mean of an RDM
 * dataset's subjects. *bench owns both. */
static cb_status neural_rdm(run_ctx *r, int b, cb_bench **bench, const double **D) {
  cb_config *c = r->cfg;
  const cb_cfg_benchmark *cb = &c->benchmarks[b];
  const int d = dataset_index(c, cb->dataset);
  cb_bench_params p;
  cb_bench_params_from_config(cb, &p);
  p.split = "all";
  p.ceiling = "none";
  p.bootstrap = 0;
  p.stratify = NULL;
  p.group = NULL;
  if (r->rdm_set[d]) {
    CB_CHECK(cb_bench_load_rdm(r->assembly[d], r->stimuli[d], &p, bench));
    *D = (*bench)->mean_rdm;
    return CB_OK;
  }
  CB_CHECK(cb_bench_load(r->assembly[d], &p, bench));
  const cb_neural *nd = (*bench)->neural;
  if (nd->n_stim > 2000) return CB_ERROR(CB_ERR_ARG, "too many stimuli for a figure");
  double *M = malloc(sizeof *M * (size_t)nd->n_stim * nd->n_stim); /* (m, m), kept in the bench's mean_rdm */
  if (!M) return CB_ERROR(CB_ERR_NOMEM, "out of memory");
  (*bench)->mean_rdm = M;
  *D = M;
  return cb_rdm_compute(nd->mean, nd->n_stim, nd->n_neuroid, CB_RDM_CORRELATION, M);
}

/* The RDM (m, m) of model mi on the benchmark's stimuli: its chosen layer's
 * 1 - Pearson, or an RDM-only model's matrix. */
static cb_status model_rdm(run_ctx *r, int mi, int d, const char *layer, const cb_neural *nd, double *D,
                           const char *key, report_clock *clk) {
  const cb_cfg_model *cm = &r->cfg->models[mi];
  const int m = nd->n_stim;
  cb_status st = CB_OK;
  int *at = malloc(sizeof *at * (size_t)m);
  if (!at) return CB_ERROR(CB_ERR_NOMEM, "out of memory");
  if (cm->rdm) {
    cb_rdmfile *f = NULL;
    st = cb_rdmfile_read(cm->rdm, &f);
    if (st == CB_OK) st = cb_bench_match_ids(nd->stimulus_id, m, f->stimulus_id, f->n, cm->rdm, at);
    const double *R = st == CB_OK ? f->rdm + (size_t)r->rdm_entry[mi] * f->n * f->n : NULL;
    for (int i = 0; st == CB_OK && i < m; ++i)
      for (int j = 0; j < m; ++j) D[(size_t)i * m + j] = R[(size_t)at[i] * f->n + at[j]];
    cb_rdmfile_destroy(&f);
    free(at);
    return st;
  }
  char path[CB_PATH_MAX];
  double t0 = cb_now();
  /* The RDM its score task computed (same stimuli, same order), unless it is missing: then from the activations. */
  if (key && key[0] && cb_rdmcache_path(r->work_dir, key, path, sizeof path) == CB_OK &&
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
  st = activations_path(r, mi, d, path);
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

/* For the report, once per dataset of an RSA benchmark: the brain's RDM, the
 * RDM-only models' RDMs and the chosen layers of the three best-ranked
 * networks, side by side. A figure that cannot be made is skipped. */
static void report_rdms(run_ctx *r, const cb_leaderboard *lb, const cb_score *scores, int n_scores, cb_report *rep,
                        report_clock *clk) {
  cb_config *c = r->cfg;
  for (int b = 0; b < c->n_benchmarks; ++b) {
    const cb_cfg_benchmark *cb = &c->benchmarks[b];
    const int d = dataset_index(c, cb->dataset);
    int seen = 0;
    for (int k = 0; k < b; ++k) seen |= !strcmp(c->benchmarks[k].dataset, cb->dataset) && !strcmp(c->benchmarks[k].metric, "rdm");
    if (strcmp(cb->metric, "rdm") != 0 || seen) continue;
    cb_bench *bench = NULL;
    const double *N = NULL;
    double *D = NULL;
    char title[512];
    double t0 = cb_now();
    cb_status nst = neural_rdm(r, b, &bench, &N);
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
      if (!layer || mi < 0 || !takes_part(r, mi, b) || (!c->models[mi].rdm && nets >= 3)) continue;
      const char *key = score_key(scores, n_scores, lb->rows[row].model, cb->id, layer);
      if (model_rdm(r, mi, d, layer, bench->neural, D, key, clk) == CB_OK) {
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
static void report_twins(run_ctx *r, cb_report *rep) {
  cb_config *c = r->cfg;
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

static void report_meta(run_ctx *r, cb_report *rep) {
  char buf[512];
  cb_config *c = r->cfg;
  cb_report_add_meta(rep, "cortexbench", CB_VERSION);
  cb_report_add_meta(rep, "configuration", c->path);
  cb_par_mpi_version(buf, sizeof buf);
  cb_report_add_meta(rep, "MPI", buf);
  snprintf(buf, sizeof buf, "%d", cb_par_size(r->p));
  cb_report_add_meta(rep, "ranks", buf);
  snprintf(buf, sizeof buf, "%s, %d thread%s per rank (scores: 1)", openblas_get_corename(), r->threads,
           r->threads == 1 ? "" : "s");
  cb_report_add_meta(rep, "OpenBLAS core", buf);
  snprintf(buf, sizeof buf, "%llu", (unsigned long long)c->seed);
  cb_report_add_meta(rep, "suite seed", buf);
  for (int d = 0; d < c->n_datasets; ++d) {
    if (!r->used[d]) continue;
    char key[256];
    snprintf(key, sizeof key, "dataset %s", c->datasets[d].id);
    snprintf(buf, sizeof buf, "stimuli sha256 %.16s..., assembly sha256 %.16s...", r->set_key[d], r->asm_key[d]);
    cb_report_add_meta(rep, key, buf);
  }
  snprintf(buf, sizeof buf, "%.2f s (until the report)", cb_now() - r->t_start);
  cb_report_add_meta(rep, "wall time", buf);
}

/* The report (leaderboard.html and figures/); it carries timings and hosts: it is not one of the files a rerun must
 * reproduce byte for byte (csv, json, md). clk holds the times of the steps before it. */
static cb_status write_report(run_ctx *r, const cb_leaderboard *lb, const cb_score *scores, int n, report_clock *clk) {
  char html[CB_PATH_MAX];
  cb_report *rep = NULL;
  cb_status st = cb_path_join(html, sizeof html, r->out_dir, "leaderboard.html");
  if (st == CB_OK) st = cb_report_create(r->cfg->suite, &rep);
  if (st == CB_OK) st = cb_report_set_leaderboard(rep, lb);
  if (st == CB_OK) {
    report_rdms(r, lb, scores, n, rep, clk);
    report_twins(r, rep);
    report_meta(r, rep);
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
           clk->scores + clk->leaderboard + clk->neural + clk->cached + clk->acts_read + clk->rdm + clk->page, n,
           clk->scores, clk->leaderboard, clk->neural, clk->n_cached, clk->cached, clk->n_computed, clk->acts_read,
           clk->rdm, clk->page);
  return st;
}

static cb_status leaderboard_on_rank0(void *arg) {
  run_ctx *r = arg;
  cb_config *c = r->cfg;
  cb_status st = CB_OK;
  int n = 0, cap = 0;
  for (int b = 0; b < c->n_benchmarks; ++b)
    for (int m = 0; m < c->n_models; ++m) cap += r->n_layers[m];
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
      for (int l = 0; takes_part(r, m, b) && l < r->n_layers[m]; ++l) {
        char path[CB_PATH_MAX];
        CB_CHECK_GOTO(score_path(r, c->benchmarks[b].id, c->models[m].name, r->layers[m][l], path), st, done);
        CB_CHECK_GOTO(cb_score_read_json(path, &scores[n]), st, done);
        ++n;
      }
  }
  clk.scores = cb_now() - t0;
  t0 = cb_now();
  CB_CHECK_GOTO(cb_lb_config_init(c, &lbc), st, done);
  CB_CHECK_GOTO(cb_leaderboard_build_opts(scores, n, &lbc.opt, &lb), st, done);
  CB_CHECK_GOTO(cb_leaderboard_markdown(lb, &md), st, done);
  if (r->sharded) {
    printf("\nScores of this shard (%s; rank all shards with `cortexbench leaderboard %s/scores --config %s -o %s`):"
           "\n\n%s",
           c->suite, r->out_dir, c->path, r->out_dir, md.data);
    goto done;
  }
  CB_CHECK_GOTO(cb_leaderboard_write(lb, r->out_dir), st, done);
  clk.leaderboard = cb_now() - t0;
  CB_CHECK_GOTO(write_report(r, lb, scores, n, &clk), st, done);
  printf("\nLeaderboard (%s; ceiled scores, best layer per benchmark):\n\n%s\nwritten to "
         "%s/leaderboard.{csv,json,md,html} and figures/\n",
         c->suite, md.data, r->out_dir);
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

/* The leaderboard and report step, with a start and an end line (its time) when progress is shown. */
static cb_status stage_leaderboard(run_ctx *r) {
  const int shown = cb_progress_opts_env().mode != CB_PROGRESS_OFF;
  const double t0 = cb_now();
  if (shown) cb_print0("leaderboard: reading the score files, writing the leaderboard and report\n");
  cb_timers_start(r->t, "leaderboard");
  cb_status st = on_rank0(r->p, leaderboard_on_rank0, r);
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
  return cb_outdir_open(r->out_dir, r->cfg->path, r->sharded, r->opts->restart, &r->outdir);
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
  if (r->cfg) {
    if (r->layers)
      for (int m = 0; m < r->cfg->n_models; ++m) cb_strlist_free(&r->layers[m]);
    if (r->features)
      for (int m = 0; m < r->cfg->n_models; ++m) free(r->features[m]);
  }
  free(r->features);
  free(r->layers);
  free(r->n_layers);
  free(r->stimuli);
  free(r->assembly);
  free(r->degrees);
  free(r->used);
  free(r->set_key);
  free(r->asm_key);
  free(r->set_modality);
  free(r->model_modality);
  free(r->act_key);
  free(r->selection);
  free(r->rdm_set);
  free(r->rdm_ok);
  free(r->rdm_entry);
  free(r->act_src);
  cb_timers_destroy(&r->t);
  cb_config_destroy(&r->cfg);
}

/* After a run that completed (so that an error stays the only line of a failed one): a warning for every image
 * dataset scored without stimulus_degrees, whose models then saw the images across their own field of view. */
static void warn_default_degrees(const run_ctx *r) {
  if (cb_par_rank(r->p) != 0) return;
  for (int i = 0; i < r->cfg->n_datasets; ++i) {
    const cb_cfg_dataset *d = &r->cfg->datasets[i];
    if (!r->used[i] || d->generator || !isnan(d->stimulus_degrees) || strcmp(r->set_modality[i], "visual") != 0)
      continue;
    cb_log(CB_LOG_WARN,
           "%s: [dataset %s] gives no stimulus_degrees: each model saw the images across its own field of view (its "
           "visual_degrees); set stimulus_degrees to the visual angle the stimuli spanned in the recordings",
           r->cfg->path, d->id);
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
  cb_status st = cb_timers_create(&r.t);
  if (st == CB_OK) st = cb_bench_config_read(config, &r.cfg);
  if (st == CB_OK && o->shard_n > 1) st = keep_shard(r.cfg, o->shard_i, o->shard_n);
  r.sharded = o->shard_n > 1;
  st = cb_par_agree(p, st);
  if (st != CB_OK) goto done;
  const int nd = r.cfg->n_datasets, nm = r.cfg->n_models;
  const size_t ndd = (size_t)(nd > 0 ? nd : 1);
  r.stimuli = calloc(ndd, sizeof *r.stimuli);
  r.assembly = calloc(ndd, sizeof *r.assembly);
  r.degrees = calloc(ndd, sizeof *r.degrees);
  r.used = calloc(ndd, sizeof *r.used);
  r.set_key = calloc(ndd, sizeof *r.set_key);
  r.asm_key = calloc(ndd, sizeof *r.asm_key);
  r.set_modality = calloc(ndd, sizeof *r.set_modality);
  r.model_modality = calloc((size_t)(nm > 0 ? nm : 1), sizeof *r.model_modality);
  r.act_key = calloc((size_t)nm * ndd, sizeof *r.act_key);
  r.n_layers = calloc((size_t)nm, sizeof *r.n_layers);
  r.layers = calloc((size_t)nm, sizeof *r.layers);
  r.features = calloc((size_t)nm, sizeof *r.features);
  r.selection = calloc((size_t)(r.cfg->n_benchmarks > 0 ? r.cfg->n_benchmarks : 1), sizeof *r.selection);
  r.rdm_set = calloc(ndd, sizeof *r.rdm_set);
  r.rdm_ok = calloc((size_t)nm * ndd, sizeof *r.rdm_ok);
  r.rdm_entry = calloc((size_t)(nm > 0 ? nm : 1), sizeof *r.rdm_entry);
  r.act_src = calloc(ndd, sizeof *r.act_src);
  r.pca_d = r.cfg->selection_pca > 0 ? dataset_index(r.cfg, r.cfg->selection_pca_dataset) : -1;
  if (!r.stimuli || !r.assembly || !r.degrees || !r.used || !r.set_key || !r.asm_key || !r.act_key || !r.set_modality || !r.model_modality || !r.n_layers ||
      !r.layers || !r.features || !r.selection || !r.rdm_set || !r.rdm_ok || !r.rdm_entry || !r.act_src)
    st = CB_ERROR(CB_ERR_NOMEM, "out of memory");
  if (st == CB_OK) st = cb_path_join(r.out_dir, sizeof r.out_dir, o->out_root, r.cfg->suite);
  if (st == CB_OK) {
    if (o->work)
      snprintf(r.work_dir, sizeof r.work_dir, "%s", o->work);
    else
      st = cb_path_join(r.work_dir, sizeof r.work_dir, r.out_dir, "work");
  }
  if (st == CB_OK) find_selection(&r);
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
    printf("suite %s: %d model%s x %d benchmark%s -> %s%s\n", r.cfg->suite, nm, nm == 1 ? "" : "s",
           r.cfg->n_benchmarks, r.cfg->n_benchmarks == 1 ? "" : "s", r.out_dir, o->fresh ? " (fresh)" : "");
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
  if (cb_log_get_level() >= CB_LOG_INFO && r.cfg) {
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

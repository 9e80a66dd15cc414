/* cortexbench run CONFIG: datasets -> activations -> scores -> leaderboard. */
#include <cblas.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_benchmark.h"
#include "cb_config.h"
#include "cb_extract.h"
#include "cb_fs.h"
#include "cb_generate.h"
#include "cb_leaderboard.h"
#include "cb_log.h"
#include "cb_par_pipeline.h"
#include "cb_partition.h"
#include "cb_strbuf.h"
#include "cli.h"

static void run_help(void) {
  printf("usage: cortexbench run CONFIG [-o DIR] [--work DIR]\n\n"
         "Runs a suite: generates or locates its datasets, computes the activations of every\n"
         "model on every stimulus set (ranks split the stimuli and write one HDF5 file\n"
         "collectively), scores every (model, layer, benchmark) task (ranks split the tasks),\n"
         "and ranks the models.\n\n"
         "  CONFIG          suite configuration (INI), e.g. benchmarks/default.ini\n"
         "  -o, --out DIR   results directory (default: results); output goes to DIR/<suite>/:\n"
         "                  leaderboard.csv, leaderboard.md, scores/<benchmark>/<model>/<layer>.json\n"
         "  --work DIR      intermediate files (datasets, activations); default DIR/<suite>/work\n"
         "  --shard I/N     run only the models whose position in CONFIG is I modulo N (0 <= I < N),\n"
         "                  e.g. one Slurm array task per shard; then rank everything with\n"
         "                  `cortexbench leaderboard DIR/<suite>/scores -o DIR/<suite>`\n"
         "  -h, --help      this help\n\n"
         "Run it under MPI: mpirun -n 4 cortexbench run benchmarks/default.ini\n");
}

typedef struct run_ctx {
  cb_par *p;
  cb_config *cfg;
  char out_dir[CB_PATH_MAX];
  char work_dir[CB_PATH_MAX];
  /* per dataset: resolved files */
  char (*stimuli)[CB_PATH_MAX];  /* (n_datasets) */
  char (*assembly)[CB_PATH_MAX]; /* (n_datasets) */
  double *degrees;               /* (n_datasets) */
  int *used;                     /* (n_datasets) 1 when a benchmark uses it */
  /* per model: layer names to score */
  int *n_layers;                 /* (n_models) */
  char ***layers;                /* (n_models) each (n_layers[m]) */
  int64_t **features;            /* (n_models) each (n_layers[m]) features per stimulus */
  cb_timers *t;
  int sharded;                   /* 1: only a shard of the models; no leaderboard files */
} run_ctx;

static int dataset_index(const cb_config *c, const char *id) {
  for (int i = 0; i < c->n_datasets; ++i)
    if (!strcmp(c->datasets[i].id, id)) return i;
  return -1;
}

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

static cb_status stage_datasets(run_ctx *r) {
  cb_config *c = r->cfg;
  for (int b = 0; b < c->n_benchmarks; ++b) r->used[dataset_index(c, c->benchmarks[b].dataset)] = 1;
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
      CB_CHECK(cb_cli_on_rank0(r->p, generate_on_rank0, &g));
      CB_CHECK(cb_path_join(r->stimuli[i], CB_PATH_MAX, dir, "stimuli.csv"));
      CB_CHECK(cb_path_join(r->assembly[i], CB_PATH_MAX, dir, "assembly.nc"));
      r->degrees[i] = isnan(d->stimulus_degrees) ? gi->stimulus_degrees : d->stimulus_degrees;
    } else {
      snprintf(r->stimuli[i], CB_PATH_MAX, "%s", d->stimuli);
      snprintf(r->assembly[i], CB_PATH_MAX, "%s", d->assembly);
      r->degrees[i] = d->stimulus_degrees; /* NaN: assume the model's field of view */
    }
  }
  return CB_OK;
}

static cb_status activations_path(const run_ctx *r, int m, int d, char *out) {
  char leaf[600];
  snprintf(leaf, sizeof leaf, "activations/%s/%s.h5", r->cfg->models[m].name, r->cfg->datasets[d].id);
  return cb_path_join(out, CB_PATH_MAX, r->work_dir, leaf);
}

/* Every rank builds every model (seeded, so identical) and computes its
 * block of every stimulus set the benchmarks use. */
static cb_status stage_activations(run_ctx *r) {
  cb_config *c = r->cfg;
  cb_status st = CB_OK;
  for (int m = 0; m < c->n_models; ++m) {
    const cb_cfg_model *cm = &c->models[m];
    cb_model *model = NULL;
    int *idx = NULL, n_idx = 0;
    st = cb_model_create(cm->zoo, cm->seed, &model);
    if (st == CB_OK)
      st = cb_extract_resolve_layers(model, (const char *const *)cm->layers, cm->n_layers, &idx, &n_idx);
    if (st != CB_OK) cb_error_prefix("%s: [model %s]", c->path, cm->name);
    st = cb_par_agree(r->p, st);
    if (st == CB_OK) {
      r->n_layers[m] = n_idx;
      r->layers[m] = calloc((size_t)n_idx + 1, sizeof(char *));
      r->features[m] = calloc((size_t)n_idx + 1, sizeof(int64_t));
      if (!r->layers[m] || !r->features[m]) st = CB_ERROR(CB_ERR_NOMEM, "out of memory");
      for (int l = 0; st == CB_OK && l < n_idx; ++l) {
        int ch, h, w;
        cb_model_layer_shape(model, idx[l], &ch, &h, &w);
        r->features[m][l] = (int64_t)ch * h * w;
        if (!(r->layers[m][l] = cb_strdup(cb_model_layer_name(model, idx[l])))) st = CB_ERROR(CB_ERR_NOMEM, "out of memory");
      }
    }
    for (int d = 0; st == CB_OK && d < c->n_datasets; ++d) {
      if (!r->used[d]) continue;
      cb_stimulus_set *set = NULL;
      char path[CB_PATH_MAX];
      st = cb_stimulus_set_read(r->stimuli[d], &set);
      if (st == CB_OK) st = activations_path(r, m, d, path);
      st = cb_par_agree(r->p, st);
      if (st == CB_OK) {
        cb_print0("activations: %-16s on %-16s (%d stimuli, %d layer%s)\n", cm->name, c->datasets[d].id, set->n,
                  n_idx, n_idx == 1 ? "" : "s");
        st = cb_par_activations(r->p, model, cm->name, set, r->degrees[d], c->batch, idx, n_idx, path, r->t);
      }
      cb_stimulus_set_destroy(&set);
    }
    free(idx);
    cb_model_destroy(&model);
    if (st != CB_OK) return st;
  }
  return CB_OK;
}

static cb_status score_path(const run_ctx *r, const char *bench, const char *model, const char *layer, char *out) {
  char leaf[2048], l[1024];
  CB_CHECK(cb_layer_link_encode(layer, l, sizeof l)); /* '/' -> %2F, as in activations files */
  snprintf(leaf, sizeof leaf, "scores/%s/%s/%s.json", bench, model, l);
  return cb_path_join(out, CB_PATH_MAX, r->out_dir, leaf);
}

static void params_from_config(const cb_cfg_benchmark *b, cb_bench_params *p) {
  cb_bench_params_defaults(p);
  p->id = b->id;
  p->metric = b->metric;
  p->region = b->region;
  p->stratify = b->stratify;
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
  p->bootstrap = b->bootstrap;
  p->ci_level = b->ci_level;
}

/* Tasks (benchmark, model, layer) in a fixed order, assigned to ranks by
 * estimated cost (features per stimulus x stimuli), largest first to the
 * least-loaded rank; every rank computes the same assignment. Each score
 * is written atomically by the rank computing it. */
static cb_status stage_scores(run_ctx *r) {
  cb_config *c = r->cfg;
  cb_status st = CB_OK;
  const int rank = cb_par_rank(r->p), size = cb_par_size(r->p);
  int k = 0, n_tasks = 0;
  for (int b = 0; b < c->n_benchmarks; ++b)
    for (int m = 0; m < c->n_models; ++m) n_tasks += r->n_layers[m];
  double *cost = malloc((size_t)(n_tasks > 0 ? n_tasks : 1) * sizeof *cost); /* (n_tasks) */
  int *owner = malloc((size_t)(n_tasks > 0 ? n_tasks : 1) * sizeof *owner);  /* (n_tasks) */
  if (!cost || !owner) {
    free(cost);
    free(owner);
    return cb_par_agree(r->p, CB_ERROR(CB_ERR_NOMEM, "out of memory"));
  }
  for (int b = 0; b < c->n_benchmarks; ++b)
    for (int m = 0; m < c->n_models; ++m)
      for (int l = 0; l < r->n_layers[m]; ++l) cost[k++] = (double)r->features[m][l];
  cb_partition_lpt(cost, n_tasks, size, owner);
  k = 0;
  cb_print0("scoring: %d tasks (benchmark x model x layer) over %d rank%s\n", n_tasks, size, size > 1 ? "s" : "");
  for (int b = 0; st == CB_OK && b < c->n_benchmarks; ++b) {
    const cb_cfg_benchmark *cb = &c->benchmarks[b];
    int d = dataset_index(c, cb->dataset);
    cb_bench *bench = NULL; /* loaded on first task of this rank */
    cb_bench_params params;
    params_from_config(cb, &params);
    for (int m = 0; st == CB_OK && m < c->n_models; ++m) {
      cb_activations *acts = NULL;
      char act_path[CB_PATH_MAX];
      for (int l = 0; st == CB_OK && l < r->n_layers[m]; ++l, ++k) {
        if (owner[k] != rank) continue;
        char out[CB_PATH_MAX];
        cb_score score;
        memset(&score, 0, sizeof score);
        cb_timers_start(r->t, "scores");
        if (!bench) {
          st = cb_bench_load(r->assembly[d], &params, &bench);
          if (st != CB_OK) cb_error_prefix("benchmark %s", cb->id);
        }
        if (st == CB_OK && !acts) {
          st = activations_path(r, m, d, act_path);
          if (st == CB_OK) st = cb_activations_open(act_path, &acts);
        }
        if (st == CB_OK) st = cb_bench_score_layer(bench, act_path, acts, r->layers[m][l], &score);
        if (st == CB_OK) {
          snprintf(score.model, sizeof score.model, "%s", c->models[m].name);
          st = score_path(r, cb->id, c->models[m].name, r->layers[m][l], out);
        }
        if (st == CB_OK) st = cb_score_write_json(out, &score);
        cb_timers_stop(r->t, "scores");
        cb_timers_count(r->t, "scores", st == CB_OK);
        if (st == CB_OK && cb_log_get_level() >= CB_LOG_INFO)
          cb_log(CB_LOG_DEBUG, "%s %s %s: raw %.4f ceiling %.4f score %.4f", cb->id, c->models[m].name,
                 r->layers[m][l], score.raw, score.ceiling, score.score);
        cb_score_free(&score);
      }
      cb_activations_destroy(&acts);
    }
    cb_bench_destroy(&bench);
  }
  free(cost);
  free(owner);
  return cb_par_agree(r->p, st);
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
  cb_leaderboard *lb = NULL;
  cb_strbuf md = {0};
  CB_ALLOC_GOTO(scores, st, done);
  CB_ALLOC_GOTO(models, st, done);
  CB_ALLOC_GOTO(benches, st, done);
  for (int m = 0; m < c->n_models; ++m) models[m] = c->models[m].name;
  for (int b = 0; b < c->n_benchmarks; ++b) {
    benches[b] = c->benchmarks[b].id;
    for (int m = 0; m < c->n_models; ++m)
      for (int l = 0; l < r->n_layers[m]; ++l) {
        char path[CB_PATH_MAX];
        CB_CHECK_GOTO(score_path(r, c->benchmarks[b].id, c->models[m].name, r->layers[m][l], path), st, done);
        CB_CHECK_GOTO(cb_score_read_json(path, &scores[n]), st, done);
        ++n;
      }
  }
  CB_CHECK_GOTO(cb_leaderboard_build(scores, n, models, c->n_models, benches, c->n_benchmarks, &lb), st, done);
  if (!r->sharded) CB_CHECK_GOTO(cb_leaderboard_write(lb, r->out_dir), st, done);
  CB_CHECK_GOTO(cb_leaderboard_markdown(lb, &md), st, done);
  if (r->sharded)
    printf("\nScores of this shard (%s; rank all shards with `cortexbench leaderboard %s/scores -o %s`):\n\n%s",
           c->suite, r->out_dir, r->out_dir, md.data);
  else
    printf("\nLeaderboard (%s; ceiled scores, best layer per benchmark):\n\n%s\nwritten to %s/leaderboard.{csv,md}\n",
           c->suite, md.data, r->out_dir);
done:
  for (int i = 0; i < n; ++i) cb_score_free(&scores[i]);
  free(scores);
  free(models);
  free(benches);
  cb_leaderboard_destroy(&lb);
  cb_strbuf_free(&md);
  return st;
}

/* Keeps the models whose position is i modulo n (the others are freed). */
static cb_status keep_shard(cb_config *c, int i, int n) {
  int k = 0;
  for (int m = 0; m < c->n_models; ++m) {
    if (m % n == i) {
      c->models[k++] = c->models[m];
    } else {
      free(c->models[m].name);
      free(c->models[m].zoo);
      cb_strlist_free(&c->models[m].layers);
    }
  }
  c->n_models = k;
  if (k == 0) return CB_ERROR(CB_ERR_ARG, "--shard %d/%d selects none of the %s's models", i, n, c->path);
  return CB_OK;
}

static void ctx_free(run_ctx *r) {
  if (r->layers)
    for (int m = 0; m < r->cfg->n_models; ++m) cb_strlist_free(&r->layers[m]);
  if (r->features)
    for (int m = 0; m < r->cfg->n_models; ++m) free(r->features[m]);
  free(r->features);
  free(r->layers);
  free(r->n_layers);
  free(r->stimuli);
  free(r->assembly);
  free(r->degrees);
  free(r->used);
  cb_timers_destroy(&r->t);
  cb_config_destroy(&r->cfg);
}

cb_status cb_cmd_run(cb_par *p, int argc, char **argv) {
  static const struct option opts[] = {
      {"out", required_argument, 0, 'o'}, {"work", required_argument, 0, 'w'}, {"shard", required_argument, 0, 's'},
      {"help", no_argument, 0, 'h'},       {0, 0, 0, 0}};
  const char *out = "results", *work = NULL;
  long shard_i = 0, shard_n = 1;
  cb_status st = CB_OK;
  int c;
  while ((c = cb_cli_getopt("run", argc, argv, "o:h", opts, &st)) != -1) {
    switch (c) {
    case 0: return st;
    case 'o': out = optarg; break;
    case 'w': work = optarg; break;
    case 's': {
      char a[32], b[32];
      const char *slash = strchr(optarg, '/');
      if (!slash || (size_t)(slash - optarg) >= sizeof a || strlen(slash + 1) >= sizeof b)
        return CB_USAGE("option --shard: expected I/N, got '%s'", optarg);
      snprintf(a, sizeof a, "%.*s", (int)(slash - optarg), optarg);
      snprintf(b, sizeof b, "%s", slash + 1);
      CB_CHECK(cb_cli_parse_int("--shard", b, 1, 1000000, &shard_n));
      CB_CHECK(cb_cli_parse_int("--shard", a, 0, shard_n - 1, &shard_i));
      break;
    }
    case 'h':
      if (cb_par_rank(p) == 0) run_help();
      return CB_OK;
    }
  }
  if (optind >= argc) return CB_USAGE("run: missing CONFIG (see cortexbench run --help)");
  if (optind + 1 < argc) return CB_USAGE("run: unexpected argument '%s'", argv[optind + 1]);
  const char *config = argv[optind];

  run_ctx r;
  memset(&r, 0, sizeof r);
  r.p = p;
  int threads = cb_par_set_blas_threads(p);
  double t_start = cb_now();
  st = cb_timers_create(&r.t);
  if (st == CB_OK) st = cb_config_read(config, &r.cfg);
  st = cb_par_agree(p, st);
  if (st != CB_OK) {
    cb_timers_destroy(&r.t);
    return st;
  }
  if (shard_n > 1) st = keep_shard(r.cfg, (int)shard_i, (int)shard_n);
  r.sharded = shard_n > 1;
  st = cb_par_agree(p, st);
  if (st != CB_OK) {
    cb_timers_destroy(&r.t);
    cb_config_destroy(&r.cfg);
    return st;
  }
  const int nd = r.cfg->n_datasets, nm = r.cfg->n_models;
  r.stimuli = calloc((size_t)(nd > 0 ? nd : 1), sizeof *r.stimuli);
  r.assembly = calloc((size_t)(nd > 0 ? nd : 1), sizeof *r.assembly);
  r.degrees = calloc((size_t)(nd > 0 ? nd : 1), sizeof *r.degrees);
  r.used = calloc((size_t)(nd > 0 ? nd : 1), sizeof *r.used);
  r.n_layers = calloc((size_t)nm, sizeof *r.n_layers);
  r.layers = calloc((size_t)nm, sizeof *r.layers);
  r.features = calloc((size_t)nm, sizeof *r.features);
  if (!r.stimuli || !r.assembly || !r.degrees || !r.used || !r.n_layers || !r.layers || !r.features)
    st = CB_ERROR(CB_ERR_NOMEM, "out of memory");
  if (st == CB_OK) st = cb_path_join(r.out_dir, sizeof r.out_dir, out, r.cfg->suite);
  if (st == CB_OK) {
    if (work)
      snprintf(r.work_dir, sizeof r.work_dir, "%s", work);
    else
      st = cb_path_join(r.work_dir, sizeof r.work_dir, r.out_dir, "work");
  }
  st = cb_par_agree(p, st);
  if (st != CB_OK) goto done;
  /* Every rank declares the stages in order so the timing table lines up. */
  const char *stages[] = {"datasets", "activations", "write activations", "scores", "leaderboard"};
  for (size_t i = 0; i < sizeof stages / sizeof *stages; ++i) cb_timers_declare(r.t, stages[i]);

  cb_cli_print_header(p, threads);
  cb_print0("suite %s: %d model%s x %d benchmark%s -> %s\n", r.cfg->suite, nm, nm == 1 ? "" : "s",
            r.cfg->n_benchmarks, r.cfg->n_benchmarks == 1 ? "" : "s", r.out_dir);
  cb_timers_start(r.t, "datasets");
  st = stage_datasets(&r);
  cb_timers_stop(r.t, "datasets");
  if (st != CB_OK) goto done;
  st = stage_activations(&r);
  if (st != CB_OK) goto done;
  /* Scores use one BLAS thread per rank: threaded dot products and
   * matrix-vector products sum in an order that depends on the thread
   * count, and scores must be bitwise identical whatever the number of
   * ranks. Ranks split the scoring tasks instead. */
  openblas_set_num_threads(1);
  st = stage_scores(&r);
  openblas_set_num_threads(threads);
  if (st != CB_OK) goto done;
  cb_timers_start(r.t, "leaderboard");
  st = cb_cli_on_rank0(p, leaderboard_on_rank0, &r);
  cb_timers_stop(r.t, "leaderboard");
  if (st != CB_OK) goto done;
  if (cb_log_get_level() >= CB_LOG_INFO) {
    st = cb_par_timers_report(p, r.t);
    cb_print0("total wall time: %.2f s\n", cb_now() - t_start);
  }
done:
  ctx_free(&r);
  return st;
}

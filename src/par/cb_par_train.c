/* cb_par_train.c - the training driver: model and data set-up, the data-parallel step (shards, the gradient
 * combine in a fixed order), evaluation, checkpoints and resume, progress. */
#include "cb_par_train.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_fs.h"
#include "cb_idx.h"
#include "cb_log.h"
#include "cb_nn.h"
#include "cb_onnx.h"
#include "cb_par_impl.h"
#include "cb_signal.h"
#include "cb_timer.h"
#include "cb_trainer.h"
#include "cb_zoo.h"

#define FMNIST_DIR "/usr/share/datasets/fashion-mnist"

typedef struct run {
  cb_par *p;
  const cb_train_config *cfg;
  const char *dir;
  const cb_par_train_source *src; /* NULL: the IDX files below */
  int64_t n_train, n_test;        /* images (n_train 0: the source's stream) */
  int classes, fresh;             /* fresh: no checkpoint to resume from */
  cb_idx_set *train, *test;
  cb_train_images tr_img, te_img;
  cb_trainer *t;
  cb_train_order order;
  cb_lr_schedule sched;
  int64_t step0, total;  /* first step of this process, steps of the run */
  int shards, micro, my_s0, my_cnt;
  int64_t L, img;        /* floats of a shard vector, of an image */
  float *vec_local;      /* (my_cnt, L) */
  float *vec_all;        /* (shards, L) */
  float *mean;           /* (L) */
  double *st_local, *st_all; /* (my_cnt, 2), (shards, 2): loss, correct */
  float *x;              /* (micro, img) */
  int *labels, *pred;    /* (micro) */
  double t_start, log_loss, log_correct;
  int64_t log_images;
} run;

/* Reads the four IDX files of the task data, or takes the caller's source. */
static cb_status load_data(run *r) {
  if (r->src != NULL) {
    r->n_train = 0, r->n_test = r->src->n_test, r->classes = r->src->classes;
    return CB_OK;
  }
  if (strcmp(r->cfg->data, "fashion-mnist") != 0)
    return CB_ERROR(CB_ERR_ARG, "training: data = %s needs the caller's image source", r->cfg->data);
  const char *d = r->cfg->data_dir[0] ? r->cfg->data_dir : FMNIST_DIR;
  char ti[CB_PATH_MAX], tl[CB_PATH_MAX], ei[CB_PATH_MAX], el[CB_PATH_MAX];
  CB_CHECK(cb_path_join(ti, sizeof ti, d, "train-images-idx3-ubyte.gz"));
  CB_CHECK(cb_path_join(tl, sizeof tl, d, "train-labels-idx1-ubyte.gz"));
  CB_CHECK(cb_path_join(ei, sizeof ei, d, "t10k-images-idx3-ubyte.gz"));
  CB_CHECK(cb_path_join(el, sizeof el, d, "t10k-labels-idx1-ubyte.gz"));
  if (!cb_path_exists(ti))
    return CB_ERROR(CB_ERR_IO, "%s: missing (Fashion-MNIST: apt-get install dataset-fashion-mnist, scripts/deps.sh)", ti);
  CB_CHECK(cb_idx_set_read(ti, tl, 10, &r->train));
  CB_CHECK(cb_idx_set_read(ei, el, 10, &r->test));
  const cb_train_config *c = r->cfg;
  const cb_train_images base = {.c = 1, .mean = (float)c->mean, .std = (float)c->std, .seed = c->seed};
  r->tr_img = base, r->te_img = base;
  r->tr_img.n = c->train_images > 0 && c->train_images < r->train->n ? c->train_images : r->train->n;
  r->tr_img.h = r->train->h, r->tr_img.w = r->train->w, r->tr_img.flip = c->flip;
  r->tr_img.crop_padding = c->crop_padding;
  r->tr_img.pixels = r->train->pixels, r->tr_img.labels = r->train->labels;
  r->te_img.n = c->test_images > 0 && c->test_images < r->test->n ? c->test_images : r->test->n;
  r->te_img.h = r->test->h, r->te_img.w = r->test->w;
  r->te_img.pixels = r->test->pixels, r->te_img.labels = r->test->labels;
  r->n_train = r->tr_img.n, r->n_test = r->te_img.n, r->classes = 10;
  return CB_OK;
}

/* Training image at position p of the run (step * batch + j) into x (img), its class into *label. */
static cb_status train_image(run *r, int64_t p, float *x, int *label) {
  int c = 0, h = 0, w = 0;
  cb_trainer_image_floats(r->t, &c, &h, &w);
  if (r->src != NULL) return r->src->image(r->src->ctx, 0, p, c, h, w, x, label);
  int64_t idx = 0, epoch = 0;
  CB_CHECK(cb_train_order_at(&r->order, p, &idx, &epoch));
  cb_train_images_fill(&r->tr_img, idx, epoch, x);
  *label = r->tr_img.labels[idx];
  return CB_OK;
}

/* Test image idx into x (img), its class into *label. */
static cb_status test_image(run *r, int64_t idx, float *x, int *label) {
  int c = 0, h = 0, w = 0;
  cb_trainer_image_floats(r->t, &c, &h, &w);
  if (r->src != NULL) return r->src->image(r->src->ctx, 1, idx, c, h, w, x, label);
  cb_train_images_fill(&r->te_img, idx, -1, x);
  *label = r->te_img.labels[idx];
  return CB_OK;
}

static int ends_with(const char *s, const char *suffix) {
  size_t n = strlen(s), m = strlen(suffix);
  return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* Rank 0: the zoo model's initial weights as DIR/checkpoints/init.onnx. */
static cb_status write_init(const run *r, const char *path) {
  cb_model *m = NULL;
  CB_CHECK(cb_zoo_create(r->cfg->model, &(cb_zoo_opts){.seed = r->cfg->seed}, &m));
  cb_status st = cb_onnx_write_graph(cb_model_graph(m), path, &(cb_onnx_write_opts){.batch_param = "N"});
  cb_model_destroy(&m);
  return st;
}

/* The graph to train (batch = micro), from the latest checkpoint, an ONNX file or a zoo builder. */
static cb_status open_graph(run *r, const char *latest, cb_graph **g) {
  char path[CB_PATH_MAX];
  if (latest[0]) {
    CB_CHECK(cb_path_join(path, sizeof path, r->dir, latest));
    snprintf(path + strlen(path), sizeof path - strlen(path), ".onnx");
  } else if (ends_with(r->cfg->model, ".onnx")) {
    snprintf(path, sizeof path, "%s", r->cfg->model);
  } else {
    CB_CHECK(cb_path_join(path, sizeof path, r->dir, "checkpoints/init.onnx"));
    cb_status st = cb_par_rank(r->p) == 0 ? write_init(r, path) : CB_OK;
    CB_CHECK(cb_par_agree(r->p, st));
  }
  const cb_onnx_options o = {.ndim = 4, .shape = {r->cfg->micro_batch, 0, 0, 0}};
  return cb_onnx_load_graph(path, &o, g);
}

/* Rank 0: DIR/checkpoints, DIR/train.ini (a copy of the configuration), and the name of the latest checkpoint
 * (DIR/checkpoints/latest, "" when none) into latest (256 bytes). A directory holding checkpoints of another
 * configuration is refused; one without checkpoints (a run that failed before its first) takes the new copy. */
static cb_status setup_dir(const run *r, const char *config_path, char *latest) {
  char path[CB_PATH_MAX], ini[CB_PATH_MAX], *cfg = NULL, *old = NULL;
  size_t n = 0, n_old = 0;
  CB_CHECK(cb_path_join(path, sizeof path, r->dir, "checkpoints"));
  CB_CHECK(cb_mkdirs(path));
  latest[0] = '\0';
  CB_CHECK(cb_path_join(path, sizeof path, r->dir, "checkpoints/latest"));
  if (cb_path_exists(path)) {
    CB_CHECK(cb_file_read_max(path, 255, &old, &n_old));
    snprintf(latest, 256, "%.*s", (int)strcspn(old, "\n"), old);
    free(old);
    old = NULL;
  }
  CB_CHECK(cb_file_read_all(config_path, &cfg, &n));
  CB_CHECK(cb_path_join(ini, sizeof ini, r->dir, "train.ini"));
  cb_status st = CB_OK;
  if (!latest[0] || !cb_path_exists(ini)) st = cb_file_write_atomic(ini, cfg, n);
  else if ((st = cb_file_read_all(ini, &old, &n_old)) == CB_OK && (n_old != n || memcmp(old, cfg, n) != 0))
    st = CB_ERROR(CB_ERR_CONFIG, "%s: the output directory holds a run of another configuration (%s); use another -o",
                  r->dir, ini);
  free(cfg);
  free(old);
  return st;
}

/* Rank 0: checkpoint of the state after `step` steps, then DIR/checkpoints/latest. */
static cb_status checkpoint(run *r, int64_t step) {
  char name[64], file[96], onnx[CB_PATH_MAX], state[CB_PATH_MAX], latest[CB_PATH_MAX];
  snprintf(name, sizeof name, "checkpoints/step-%08lld", (long long)step);
  snprintf(file, sizeof file, "%s.onnx", name);
  CB_CHECK(cb_path_join(onnx, sizeof onnx, r->dir, file));
  snprintf(file, sizeof file, "%s.state", name);
  CB_CHECK(cb_path_join(state, sizeof state, r->dir, file));
  CB_CHECK(cb_trainer_save(r->t, onnx, state, step));
  CB_CHECK(cb_path_join(latest, sizeof latest, r->dir, "checkpoints/latest"));
  char line[80];
  const int len = snprintf(line, sizeof line, "%s\n", name);
  return cb_file_write_atomic(latest, line, (size_t)len);
}

/* Buffers of one step. */
static cb_status alloc_step(run *r) {
  r->micro = cb_trainer_shard_size(r->t);
  r->shards = r->cfg->batch / r->micro;
  int64_t s0 = 0, cnt = 0;
  cb_par_block(r->shards, cb_par_rank(r->p), cb_par_size(r->p), &s0, &cnt);
  r->my_s0 = (int)s0, r->my_cnt = (int)cnt;
  r->L = cb_trainer_vec_len(r->t);
  r->img = cb_trainer_image_floats(r->t, NULL, NULL, NULL);
  if ((double)r->L * r->shards > 2147483647.0)
    return CB_ERROR(CB_ERR_UNSUPPORTED, "training: %d shards x %lld floats exceed one MPI message", r->shards, (long long)r->L);
  r->vec_local = calloc((size_t)(cnt > 0 ? cnt : 1) * (size_t)r->L, sizeof(float));
  r->vec_all = calloc((size_t)r->shards * (size_t)r->L, sizeof(float));
  r->mean = calloc((size_t)r->L, sizeof(float));
  r->st_local = calloc((size_t)(cnt > 0 ? cnt : 1) * 2, sizeof(double));
  r->st_all = calloc((size_t)r->shards * 2, sizeof(double));
  r->x = calloc((size_t)r->micro * (size_t)r->img, sizeof(float));
  r->labels = calloc((size_t)r->micro, sizeof(int));
  r->pred = calloc((size_t)r->micro, sizeof(int));
  if (!r->vec_local || !r->vec_all || !r->mean || !r->st_local || !r->st_all || !r->x || !r->labels || !r->pred)
    return CB_ERROR(CB_ERR_NOMEM, "training: out of memory");
  return CB_OK;
}

/* Every rank receives every shard's n floats per shard (rank k sent its block of shards). */
static cb_status gather(run *r, MPI_Datatype type, const void *mine, void *all, int per_shard) {
  const int size = cb_par_size(r->p);
  int *counts = malloc((size_t)size * sizeof *counts), *displs = malloc((size_t)size * sizeof *displs);
  if (counts == NULL || displs == NULL) {
    free(counts), free(displs);
    return CB_ERROR(CB_ERR_NOMEM, "training: out of memory");
  }
  for (int k = 0; k < size; ++k) {
    int64_t s0 = 0, cnt = 0;
    cb_par_block(r->shards, k, size, &s0, &cnt);
    counts[k] = (int)cnt * per_shard, displs[k] = (int)s0 * per_shard;
  }
  const int rc = MPI_Allgatherv(mine, counts[cb_par_rank(r->p)], type, all, counts, displs, type, cb__par_comm(r->p));
  free(counts), free(displs);
  return rc == MPI_SUCCESS ? CB_OK : CB_ERROR(CB_ERR_MPI, "training: MPI_Allgatherv failed (%d)", rc);
}

/* This rank's shards of step s: vectors and (loss, correct) of each. */
static cb_status local_shards(run *r, int64_t s) {
  for (int k = 0; k < r->my_cnt; ++k) {
    const int shard = r->my_s0 + k;
    for (int j = 0; j < r->micro; ++j)
      CB_CHECK(train_image(r, s * r->cfg->batch + (int64_t)shard * r->micro + j, r->x + (size_t)j * (size_t)r->img,
                           &r->labels[j]));
    int correct = 0;
    CB_CHECK(cb_trainer_shard(r->t, r->x, r->labels, (uint64_t)s * (uint64_t)r->shards + (uint64_t)shard,
                              r->vec_local + (size_t)k * (size_t)r->L, &r->st_local[2 * k], &correct));
    r->st_local[2 * k + 1] = correct;
  }
  return CB_OK;
}

/* One optimiser step: shards, gather, mean in shard order (double), update. */
static cb_status train_step(run *r, int64_t s) {
  CB_CHECK(cb_par_agree(r->p, local_shards(r, s)));
  CB_CHECK(cb_par_agree(r->p, gather(r, MPI_FLOAT, r->vec_local, r->vec_all, (int)r->L)));
  CB_CHECK(cb_par_agree(r->p, gather(r, MPI_DOUBLE, r->st_local, r->st_all, 2)));
  const double inv = 1.0 / r->shards;
  for (int64_t i = 0; i < r->L; ++i) {
    double acc = 0.0;
    for (int k = 0; k < r->shards; ++k) acc += r->vec_all[(size_t)k * (size_t)r->L + (size_t)i];
    r->mean[i] = (float)(acc * inv);
  }
  for (int k = 0; k < r->shards; ++k) r->log_loss += r->st_all[2 * k], r->log_correct += r->st_all[2 * k + 1];
  r->log_images += r->cfg->batch;
  return cb_trainer_update(r->t, r->mean, cb_lr_at(&r->sched, (int)s));
}

/* Test accuracy: each rank predicts a block of micro-sized batches; counts summed (integers: exact). */
static cb_status evaluate(run *r, double *acc) {
  const int64_t nb = (r->n_test + r->micro - 1) / r->micro;
  int64_t b0 = 0, cnt = 0;
  cb_par_block(nb, cb_par_rank(r->p), cb_par_size(r->p), &b0, &cnt);
  double correct = 0;
  cb_status st = CB_OK;
  for (int64_t b = b0; st == CB_OK && b < b0 + cnt; ++b) {
    const int n = (int)(b * r->micro + r->micro <= r->n_test ? r->micro : r->n_test - b * r->micro);
    for (int j = 0; st == CB_OK && j < n; ++j)
      st = test_image(r, b * r->micro + j, r->x + (size_t)j * (size_t)r->img, &r->labels[j]);
    if (st == CB_OK) st = cb_trainer_predict(r->t, r->x, n, r->pred);
    for (int j = 0; st == CB_OK && j < n; ++j) correct += r->pred[j] == r->labels[j];
  }
  CB_CHECK(cb_par_agree(r->p, st));
  CB_CHECK(cb_par_allreduce_sum(r->p, &correct, 1));
  *acc = correct / (double)r->n_test;
  return CB_OK;
}

static void fmt_time(double s, char *out, size_t n) {
  if (s >= 3600) snprintf(out, n, "%dh%02dm", (int)(s / 3600), (int)fmod(s / 60, 60));
  else snprintf(out, n, "%dm%02ds", (int)(s / 60), (int)fmod(s, 60));
}

/* Passes over the training images after `done` steps (0 for a source's stream: no image comes twice). */
static double epoch_of(const run *r, int64_t done) {
  return r->n_train > 0 ? (double)done * r->cfg->batch / (double)r->n_train : 0.0;
}

/* Rank 0: the progress line (and a curve row when test_acc >= 0), then the interval's sums restart. */
static void report(run *r, int64_t done, double test_acc) {
  const double el = cb_now() - r->t_start, rate = (double)(done - r->step0) * r->cfg->batch / (el > 0 ? el : 1e-9);
  const double loss = r->log_images ? r->log_loss * r->micro / r->log_images : 0.0;
  const double acc = r->log_images ? r->log_correct / r->log_images : 0.0;
  char eta[32] = "-", test[32] = "";
  if (rate > 0) fmt_time((double)(r->total - done) * r->cfg->batch / rate, eta, sizeof eta);
  if (test_acc >= 0) snprintf(test, sizeof test, "  test %.2f%%", 100 * test_acc);
  if (test_acc >= 0 || cb_log_get_level() >= CB_LOG_INFO) /* -q: evaluation lines only */
    cb_print0("step %lld/%lld  epoch %.2f  loss %.4f  acc %.2f%%%s  %.0f images/s  ETA %s\n", (long long)done,
              (long long)r->total, epoch_of(r, done), loss, 100 * acc, test, rate, eta);
  fflush(stdout);
  if (test_acc >= 0 && cb_par_rank(r->p) == 0) {
    char path[CB_PATH_MAX];
    if (cb_path_join(path, sizeof path, r->dir, "curve.csv") == CB_OK) {
      const int fresh = !cb_path_exists(path);
      FILE *f = fopen(path, "a");
      if (f) {
        if (fresh) fprintf(f, "step,epoch,train_loss,train_accuracy,test_accuracy,seconds,images_per_s\n");
        fprintf(f, "%lld,%.4f,%.5f,%.5f,%.5f,%.1f,%.1f\n", (long long)done, epoch_of(r, done),
                loss, acc, test_acc, el, rate);
        fclose(f);
      }
    }
  }
  r->log_loss = r->log_correct = 0, r->log_images = 0;
}

static void init_schedules(run *r, cb_trainer_opts *o) {
  const cb_train_config *c = r->cfg;
  o->optim = (cb_optim_opts){.kind = !strcmp(c->optimizer, "adam")    ? CB_OPTIM_ADAM
                                     : !strcmp(c->optimizer, "adamw") ? CB_OPTIM_ADAMW
                                                                      : CB_OPTIM_SGD,
                             .weight_decay = (float)c->weight_decay, .momentum = (float)c->momentum,
                             .dampening = (float)c->dampening, .nesterov = c->nesterov, .beta1 = (float)c->beta1,
                             .beta2 = (float)c->beta2, .eps = (float)c->eps};
  o->seed = c->seed;
  r->sched = (cb_lr_schedule){.kind = !strcmp(c->schedule, "step")     ? CB_LR_STEP
                                      : !strcmp(c->schedule, "cosine") ? CB_LR_COSINE
                                                                       : CB_LR_CONSTANT,
                              .base = c->lr, .step_size = c->step_size, .gamma = c->gamma, .eta_min = c->eta_min,
                              .warmup = c->warmup, .warmup_factor = c->warmup_factor};
}

/* Rank 0: DIR/curve.csv keeps the rows of the steps before this process's first (a fresh run starts a new curve;
 * a resumed one drops the rows an interrupted run wrote after its last checkpoint), so that rows are never
 * repeated. */
static cb_status trim_curve(const run *r) {
  char path[CB_PATH_MAX];
  CB_CHECK(cb_path_join(path, sizeof path, r->dir, "curve.csv"));
  if (!cb_path_exists(path)) return CB_OK;
  if (r->fresh) return remove(path) == 0 ? CB_OK : CB_ERROR(CB_ERR_IO, "%s: cannot remove", path);
  char *text = NULL;
  size_t len = 0, kept = 0;
  CB_CHECK(cb_file_read_all(path, &text, &len));
  for (size_t at = 0, line = 0; at < len; ++line) { /* the header, then rows whose step <= step0 */
    size_t end = at;
    while (end < len && text[end] != '\n') ++end;
    if (end < len) ++end;
    if (line == 0 || strtoll(text + at, NULL, 10) <= r->step0) {
      memmove(text + kept, text + at, end - at);
      kept += end - at;
    }
    at = end;
  }
  cb_status st = cb_file_write_atomic(path, text, kept);
  free(text);
  return st;
}

/* Model, trainer, resume point, order, buffers. */
static cb_status setup(run *r, const char *config_path) {
  char latest[256] = "";
  CB_CHECK(cb_par_agree(r->p, load_data(r))); /* bad task data: nothing written */
  cb_status st = cb_par_rank(r->p) == 0 ? setup_dir(r, config_path, latest) : CB_OK;
  CB_CHECK(cb_par_agree(r->p, st));
  CB_CHECK(cb_par_bcast_string(r->p, latest, sizeof latest));
  cb_graph *g = NULL;
  CB_CHECK(cb_par_agree(r->p, open_graph(r, latest, &g)));
  cb_trainer_opts o = {.threads = cb_par_set_blas_threads(r->p)};
  init_schedules(r, &o);
  CB_CHECK(cb_par_agree(r->p, cb_trainer_create(g, &o, &r->t)));
  int c = 0, h = 0, w = 0;
  cb_trainer_image_floats(r->t, &c, &h, &w);
  if (r->src == NULL && (c != 1 || h != r->tr_img.h || w != r->tr_img.w))
    return CB_ERROR(CB_ERR_CONFIG, "model '%s' takes %dx%dx%d inputs, the task data are 1x%dx%d images", r->cfg->model,
                    c, h, w, r->tr_img.h, r->tr_img.w);
  if (cb_trainer_classes(r->t) != r->classes)
    return CB_ERROR(CB_ERR_CONFIG, "model '%s' has %d outputs, the task data %d classes", r->cfg->model,
                    cb_trainer_classes(r->t), r->classes);
  r->fresh = latest[0] == '\0';
  if (latest[0]) {
    char path[CB_PATH_MAX];
    CB_CHECK(cb_path_join(path, sizeof path, r->dir, latest));
    snprintf(path + strlen(path), sizeof path - strlen(path), ".state");
    CB_CHECK(cb_par_agree(r->p, cb_trainer_load_state(r->t, path, &r->step0)));
    cb_print0("resuming from %s (step %lld)\n", path, (long long)r->step0);
  }
  CB_CHECK(cb_par_agree(r->p, cb_par_rank(r->p) == 0 ? trim_curve(r) : CB_OK));
  const cb_train_config *cf = r->cfg;
  if (cf->steps <= 0 && r->n_train <= 0) return CB_ERROR(CB_ERR_CONFIG, "training: data = %s needs steps", cf->data);
  r->total = cf->steps > 0 ? cf->steps : (int64_t)ceil(cf->epochs * (double)r->n_train / cf->batch);
  if (r->sched.kind == CB_LR_COSINE) r->sched.t_max = (int)(r->total - r->sched.warmup);
  if (r->n_train > 0) CB_CHECK(cb_train_order_init(&r->order, cf->seed, r->n_train));
  return cb_par_agree(r->p, alloc_step(r));
}

/* Collective: 1 when any rank received a stop signal. */
static int stop_requested(run *r) {
  double s = cb_signal_pending() ? 1 : 0;
  return cb_par_allreduce_sum(r->p, &s, 1) == CB_OK && s > 0;
}

static cb_status loop(run *r) {
  const cb_train_config *c = r->cfg;
  if (c->start_checkpoint && r->fresh && r->step0 == 0) { /* the initial weights, as step 0 */
    double acc = -1;
    CB_CHECK(cb_par_agree(r->p, cb_par_rank(r->p) == 0 ? checkpoint(r, 0) : CB_OK));
    CB_CHECK(evaluate(r, &acc));
    report(r, 0, acc);
  }
  for (int64_t s = r->step0; s < r->total; ++s) {
    CB_CHECK(train_step(r, s));
    const int64_t done = s + 1, last = done == r->total;
    const int stop = stop_requested(r);
    if (last || stop || (c->checkpoint_every > 0 && done % c->checkpoint_every == 0))
      CB_CHECK(cb_par_agree(r->p, cb_par_rank(r->p) == 0 ? checkpoint(r, done) : CB_OK));
    double acc = -1;
    if (last || (c->eval_every > 0 && done % c->eval_every == 0)) CB_CHECK(evaluate(r, &acc));
    if (last || acc >= 0 || done % c->log_every == 0) report(r, done, acc);
    if (stop && !last) return CB_ERROR(CB_ERR_INTERRUPTED, "training stopped by a signal after step %lld (checkpoint written; "
                                       "run the same command to resume)", (long long)done);
  }
  return CB_OK;
}

static void cleanup(run *r) {
  free(r->vec_local), free(r->vec_all), free(r->mean), free(r->st_local), free(r->st_all);
  free(r->x), free(r->labels), free(r->pred);
  cb_train_order_free(&r->order);
  cb_trainer_destroy(&r->t);
  cb_idx_set_destroy(&r->train);
  cb_idx_set_destroy(&r->test);
}

cb_status cb_par_train_run(cb_par *p, const cb_train_config *cfg, const char *config_path, const char *outdir,
                           const cb_par_train_source *src) {
  if (p == NULL || cfg == NULL || config_path == NULL || outdir == NULL || (src != NULL && src->image == NULL))
    return CB_ERROR(CB_ERR_ARG, "train: NULL argument");
  run r = {.p = p, .cfg = cfg, .dir = outdir, .src = src};
  cb_signal_install();
  r.t_start = cb_now();
  cb_status st = setup(&r, config_path);
  if (st == CB_OK) {
    cb_print0("training %s on %s: %lld images, batch %d (%d shards of %d, %d rank%s), steps %lld to %lld\n", cfg->model,
              cfg->data, (long long)(r.n_train > 0 ? r.n_train : r.total * cfg->batch), cfg->batch, r.shards, r.micro, cb_par_size(p),
              cb_par_size(p) == 1 ? "" : "s", (long long)r.step0, (long long)r.total);
    r.t_start = cb_now();
    st = loop(&r);
  }
  cleanup(&r);
  return st;
}

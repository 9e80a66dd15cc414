/* cb_train_config.c - the [train] section, one table of keys. */
#include "cb_train_config.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "cb_ini.h"

typedef enum kind { K_STR, K_INT, K_LONG, K_U64, K_DBL, K_BOOL } kind;

typedef struct key {
  const char *name;
  kind k;
  size_t off, cap; /* cap: bytes of a string */
  double lo, hi;
} key;

#define F(field) offsetof(cb_train_config, field)
#define S(field) sizeof(((cb_train_config *)0)->field)
static const key keys[] = {
    {"model", K_STR, F(model), S(model), 0, 0},
    {"seed", K_U64, F(seed), 0, 0, 0},
    {"data", K_STR, F(data), S(data), 0, 0},
    {"data_seed", K_U64, F(data_seed), 0, 0, 0},
    {"test_seed", K_U64, F(test_seed), 0, 0, 0},
    {"data_dir", K_STR, F(data_dir), S(data_dir), 0, 0},
    {"train_images", K_LONG, F(train_images), 0, 0, 1e9},
    {"test_images", K_LONG, F(test_images), 0, 0, 1e9},
    {"optimizer", K_STR, F(optimizer), S(optimizer), 0, 0},
    {"lr", K_DBL, F(lr), 0, 0, 1e3},
    {"momentum", K_DBL, F(momentum), 0, 0, 1},
    {"dampening", K_DBL, F(dampening), 0, 0, 1},
    {"nesterov", K_BOOL, F(nesterov), 0, 0, 0},
    {"weight_decay", K_DBL, F(weight_decay), 0, 0, 1},
    {"beta1", K_DBL, F(beta1), 0, 0, 1},
    {"beta2", K_DBL, F(beta2), 0, 0, 1},
    {"eps", K_DBL, F(eps), 0, 0, 1},
    {"schedule", K_STR, F(schedule), S(schedule), 0, 0},
    {"step_size", K_INT, F(step_size), 0, 1, 1e9},
    {"gamma", K_DBL, F(gamma), 0, 0, 1},
    {"eta_min", K_DBL, F(eta_min), 0, 0, 1e3},
    {"warmup", K_INT, F(warmup), 0, 0, 1e9},
    {"warmup_factor", K_DBL, F(warmup_factor), 0, 0, 1},
    {"batch", K_INT, F(batch), 0, 1, 65536},
    {"micro_batch", K_INT, F(micro_batch), 0, 1, 4096},
    {"steps", K_LONG, F(steps), 0, 0, 1e12},
    {"epochs", K_DBL, F(epochs), 0, 0, 1e6},
    {"checkpoint_every", K_LONG, F(checkpoint_every), 0, 0, 1e12},
    {"eval_every", K_LONG, F(eval_every), 0, 0, 1e12},
    {"log_every", K_LONG, F(log_every), 0, 1, 1e12},
    {"mean", K_DBL, F(mean), 0, -1e3, 1e3},
    {"std", K_DBL, F(std), 0, 1e-6, 1e3},
    {"flip", K_BOOL, F(flip), 0, 0, 0},
    {"crop_padding", K_INT, F(crop_padding), 0, 0, 1024},
    {"start_checkpoint", K_BOOL, F(start_checkpoint), 0, 0, 0},
};

typedef struct ctx {
  const char *path;
  cb_train_config *c;
  int seen_steps, seen_epochs, seen_data_seed, seen_mean, seen_std;
  char seen[160]; /* keys that synthetic-it refuses, as given ("" when none) */
} ctx;

/* Parses v into the field of key k. */
static int parse(const key *k, const char *v, cb_train_config *c) {
  char *p = (char *)c + k->off;
  double d = 0;
  unsigned long long u = 0;
  char end = 0;
  switch (k->k) {
  case K_STR: return strlen(v) < k->cap && (snprintf(p, k->cap, "%s", v), 1);
  case K_INT: return cb_ini_int(v, (int)k->lo, (int)k->hi, (int *)(void *)p);
  case K_BOOL: return cb_ini_bool(v, (int *)(void *)p);
  case K_U64: return sscanf(v, "%llu%c", &u, &end) == 1 && v[0] != '-' && (*(unsigned long long *)(void *)p = u, 1);
  case K_LONG:
    if (!cb_ini_double(v, &d) || d != (double)(long)d || d < k->lo || d > k->hi) return 0;
    *(long *)(void *)p = (long)d;
    return 1;
  case K_DBL:
    if (!cb_ini_double(v, &d) || d < k->lo || d > k->hi) return 0;
    *(double *)(void *)p = d;
    return 1;
  }
  return 0;
}

static cb_status on_entry(void *user, const cb_ini_entry *e) {
  ctx *x = user;
  if (strcmp(e->section, "train") != 0)
    return CB_ERROR(CB_ERR_CONFIG, "%s:%d: section [%s] unknown (a training configuration has one [train] section)",
                    x->path, e->line, e->section);
  for (size_t i = 0; i < sizeof keys / sizeof keys[0]; ++i) {
    if (strcmp(e->key, keys[i].name) != 0) continue;
    if (!parse(&keys[i], e->value, x->c))
      return CB_ERROR(CB_ERR_CONFIG, "%s:%d: [train] %s = '%s' is not valid (docs/config.md, Training)", x->path,
                      e->line, e->key, e->value);
    x->seen_steps |= !strcmp(e->key, "steps"), x->seen_epochs |= !strcmp(e->key, "epochs");
    x->seen_data_seed |= !strcmp(e->key, "data_seed");
    x->seen_mean |= !strcmp(e->key, "mean"), x->seen_std |= !strcmp(e->key, "std");
    static const char *const idx_only[] = {"data_dir", "train_images", "test_images", "epochs", "flip",
                                                 "crop_padding"};
    for (size_t j = 0; j < sizeof idx_only / sizeof idx_only[0]; ++j)
      if (!strcmp(e->key, idx_only[j]) && !x->seen[0]) snprintf(x->seen, sizeof x->seen, "%s", e->key);
    return CB_OK;
  }
  return CB_ERROR(CB_ERR_CONFIG, "%s:%d: [train] key '%s' unknown (docs/config.md, Training)", x->path, e->line, e->key);
}

/* data = synthetic-it: a stream of generated images (steps, not epochs), a training seed that is not the
 * evaluated set's, no IDX keys; mean and std default to the synit_cnn's 0.5 and 0.25. */
static cb_status check_synthetic_it(ctx *x) {
  cb_train_config *c = x->c;
  if (x->seen[0])
    return CB_ERROR(CB_ERR_CONFIG, "%s: [train] %s does not apply to data = synthetic-it (a stream of new images; "
                    "docs/config.md, Training)", x->path, x->seen);
  if (!x->seen_data_seed)
    return CB_ERROR(CB_ERR_CONFIG, "%s: [train] data = synthetic-it needs data_seed (the training images' seed)", x->path);
  if (c->data_seed == c->test_seed)
    return CB_ERROR(CB_ERR_CONFIG, "%s: [train] data_seed = %llu equals test_seed, the seed of the evaluated synthetic-it "
                    "set: train on another seed", x->path, c->data_seed);
  if (!x->seen_mean) c->mean = 0.5;
  if (!x->seen_std) c->std = 0.25;
  return CB_OK;
}

/* Consistency of the values read. */
static cb_status check(ctx *x) {
  const cb_train_config *c = x->c;
  const char *p = x->path;
  if (c->model[0] == '\0') return CB_ERROR(CB_ERR_CONFIG, "%s: [train] model is required", p);
  if (strcmp(c->data, "fashion-mnist") && strcmp(c->data, "synthetic-it"))
    return CB_ERROR(CB_ERR_CONFIG, "%s: [train] data = '%s' unknown (fashion-mnist, synthetic-it)", p, c->data);
  if (!strcmp(c->data, "synthetic-it")) CB_CHECK(check_synthetic_it(x));
  if (strcmp(c->optimizer, "sgd") && strcmp(c->optimizer, "adam") && strcmp(c->optimizer, "adamw"))
    return CB_ERROR(CB_ERR_CONFIG, "%s: [train] optimizer = '%s' unknown (sgd, adam, adamw)", p, c->optimizer);
  if (strcmp(c->schedule, "constant") && strcmp(c->schedule, "step") && strcmp(c->schedule, "cosine"))
    return CB_ERROR(CB_ERR_CONFIG, "%s: [train] schedule = '%s' unknown (constant, step, cosine)", p, c->schedule);
  if (x->seen_steps == x->seen_epochs)
    return CB_ERROR(CB_ERR_CONFIG, "%s: [train] give exactly one of steps and epochs", p);
  if (c->batch % c->micro_batch != 0)
    return CB_ERROR(CB_ERR_CONFIG, "%s: [train] micro_batch = %d does not divide batch = %d", p, c->micro_batch, c->batch);
  if (c->nesterov && (c->momentum <= 0 || c->dampening != 0))
    return CB_ERROR(CB_ERR_CONFIG, "%s: [train] nesterov needs momentum > 0 and dampening 0", p);
  return CB_OK;
}

cb_status cb_train_config_read(const char *path, cb_train_config *out) {
  if (path == NULL || out == NULL) return CB_ERROR(CB_ERR_ARG, "training configuration: NULL argument");
  cb_train_config c = {.seed = 1, .data = "fashion-mnist", .optimizer = "sgd", .lr = 0.01, .schedule = "constant",
                       .step_size = 1000, .gamma = 0.1, .warmup_factor = 0.1, .batch = 64, .micro_batch = 16,
                       .log_every = 50, .mean = 0.2860, .std = 0.3530, .beta1 = 0.9, .beta2 = 0.999, .eps = 1e-8, .test_seed = 1};
  ctx x = {.path = path, .c = &c};
  const cb_ini_opts o = {.path = path, .where = CB_INI_WHERE_COLON, .syntax_hint = "expected [train] and key = value"};
  CB_CHECK(cb_ini_parse_file(&o, on_entry, &x));
  CB_CHECK(check(&x));
  *out = c;
  return CB_OK;
}

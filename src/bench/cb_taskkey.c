#include "cb_taskkey.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_sha.h"
#include "cb_version.h"

/* Fields are written as "name=value\n" so that no two different inputs
 * give the same byte stream. The void key functions below leave out = ""
 * if libcrypto fails (no memory for a digest context): an empty key matches
 * no stored key, so nothing is reused and the task is computed. */
static void field(cb_hash *h, const char *name, const char *value) {
  cb_hash_update(h, name, strlen(name));
  cb_hash_update(h, "=", 1);
  if (value) cb_hash_update(h, value, strlen(value) + 1); /* include the NUL: NULL differs from "" */
  cb_hash_update(h, "\n", 1);
}

static void fieldf(cb_hash *h, const char *name, double v) {
  char buf[64];
  snprintf(buf, sizeof buf, "%.17g", v);
  field(h, name, buf);
}

static void fieldi(cb_hash *h, const char *name, long long v) {
  char buf[64];
  snprintf(buf, sizeof buf, "%lld", v);
  field(h, name, buf);
}

cb_status cb_key_file(const char *path, char out[CB_KEY_HEX]) {
  return cb_hash_file(path, CB_HASH_SHA256, out, NULL);
}

cb_status cb_key_stimulus_set(const cb_stimulus_set *s, char out[CB_KEY_HEX]) {
  char csv[CB_KEY_HEX];
  CB_CHECK(cb_hash_file(s->path, CB_HASH_SHA256, csv, NULL));
  cb_hash h;
  CB_CHECK(cb_hash_init(&h, CB_HASH_SHA256));
  field(&h, "csv", csv);
  for (int i = 0; i < s->n; ++i) {
    uint8_t *bytes = NULL;
    size_t n = 0;
    cb_status st = cb_stimulus_set_file_bytes(s, i, &bytes, &n);
    if (st != CB_OK) {
      cb_hash_discard(&h);
      return st;
    }
    cb_hash_update(&h, bytes, n);
    free(bytes);
  }
  return cb_hash_hex(&h, out);
}

void cb_key_activations(const cb_model *m, const char *model_name, const char *set_key, double degrees,
                        const char *const *layers, int n_layers, char out[CB_KEY_HEX]) {
  const cb_model_info *info = cb_model_get_info(m);
  cb_hash h;
  cb_hash_init(&h, CB_HASH_SHA256);
  field(&h, "kind", "activations");
  field(&h, "cortexbench", CB_VERSION);
  field(&h, "model", model_name);
  field(&h, "architecture", info->name);
  char w[32];
  snprintf(w, sizeof w, "%016" PRIx64, cb_model_weights_hash(m));
  field(&h, "weights", w);
  fieldi(&h, "input", (long long)info->in_c * 1000000 + info->in_h * 1000 + info->in_w);
  for (int c = 0; c < 3; ++c) {
    fieldf(&h, "mean", info->mean[c]);
    fieldf(&h, "std", info->std[c]);
  }
  fieldf(&h, "model_degrees", info->visual_degrees);
  fieldf(&h, "stimulus_degrees", degrees);
  field(&h, "stimuli", set_key);
  for (int l = 0; l < n_layers; ++l) field(&h, "layer", layers[l]);
  cb_hash_hex(&h, out);
}

void cb_key_rdm_model(const char *file_key, const char *entry, char out[CB_KEY_HEX]) {
  cb_hash h;
  cb_hash_init(&h, CB_HASH_SHA256);
  field(&h, "kind", "rdm-model");
  field(&h, "file", file_key);
  field(&h, "entry", entry);
  cb_hash_hex(&h, out);
}

void cb_key_score(const char *activations_key, const char *layer, const char *assembly_key,
                  const cb_bench_params *p, char out[CB_KEY_HEX]) {
  cb_hash h;
  cb_hash_init(&h, CB_HASH_SHA256);
  field(&h, "kind", "score");
  field(&h, "cortexbench", CB_VERSION);
  field(&h, "activations", activations_key);
  field(&h, "layer", layer);
  field(&h, "assembly", assembly_key);
  field(&h, "benchmark", p->id);
  field(&h, "metric", p->metric);
  field(&h, "region", p->region);
  field(&h, "stratify", p->stratify);
  field(&h, "split", p->split);
  field(&h, "ceiling", p->ceiling);
  field(&h, "normalise", p->normalise);
  fieldf(&h, "t0", p->t0);
  fieldf(&h, "t1", p->t1);
  fieldi(&h, "splits", p->splits);
  fieldi(&h, "components", p->components);
  fieldf(&h, "train_fraction", p->train_fraction);
  char seed[32];
  snprintf(seed, sizeof seed, "%" PRIu64, p->seed);
  field(&h, "seed", seed);
  fieldf(&h, "alpha", p->alpha);
  fieldi(&h, "n_alphas", p->n_alphas);
  for (int i = 0; i < p->n_alphas; ++i) fieldf(&h, "alphas", p->alphas[i]);
  fieldi(&h, "alpha_per_target", p->alpha_per_target);
  field(&h, "distance", p->distance);
  field(&h, "compare", p->compare);
  field(&h, "cka", p->cka);
  /* Only when not the default, so keys of earlier results stay valid. */
  if (p->subjects && strcmp(p->subjects, "average") != 0) field(&h, "subjects", p->subjects);
  if (p->group) field(&h, "group", p->group);
  fieldi(&h, "bootstrap", p->bootstrap);
  fieldf(&h, "ci_level", p->ci_level);
  cb_hash_hex(&h, out);
}

void cb_key_score_pca(const char *score_key, int components, const char *fit_activations_key, char out[CB_KEY_HEX]) {
  cb_hash h;
  cb_hash_init(&h, CB_HASH_SHA256);
  field(&h, "kind", "score-pca");
  field(&h, "score", score_key);
  fieldi(&h, "pca_components", components);
  field(&h, "pca_fit", fit_activations_key);
  cb_hash_hex(&h, out);
}

/* cb_bench_record.c - what a benchmark writes into every score besides the numbers: the recordings' and stimulus
 * set's identities, the resolved metric parameters and the build (cb_score.h, "the record"). */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_bench_impl.h"
#include "cb_ridge.h"
#include "cb_sha.h"
#include "cb_strbuf.h"

/* key = string, or null when s is NULL. */
static int put_str(json_t *o, const char *key, const char *s) {
  return json_object_set_new(o, key, s ? json_string(s) : json_null());
}

static int put_num(json_t *o, const char *key, double v) {
  return json_object_set_new(o, key, isfinite(v) ? json_real(v) : json_null());
}

/* The split parameters every metric shares. */
static int put_split(json_t *o, const cb_bench_params *p) {
  int bad = put_str(o, "split", p->split);
  bad |= json_object_set_new(o, "n_splits", json_integer(p->splits));
  if (strcmp(p->split, "kfold") && strcmp(p->split, "all")) {
    bad |= put_num(o, "train_fraction", p->train_fraction);
    bad |= put_num(o, "test_fraction", 1.0 - p->train_fraction);
  }
  bad |= put_str(o, "stratify", p->stratify);
  bad |= put_str(o, "group", p->group);
  char seed[24];
  snprintf(seed, sizeof seed, "%llu", (unsigned long long)p->seed);
  bad |= p->seed <= (uint64_t)INT64_MAX ? json_object_set_new(o, "seed", json_integer((json_int_t)p->seed))
                                        : put_str(o, "seed", seed);
  return bad;
}

/* The alphas and alpha_per_target of ridgecv (its grid: the given one, else Brain-Score's). */
static int put_alphas(json_t *o, const cb_bench_params *p) {
  double grid[CB_BRAINSCORE_N_ALPHAS];
  const double *a = p->alphas;
  int n = p->n_alphas, bad = 0;
  if (!a) {
    cb_brainscore_alphas(grid);
    a = grid;
    n = CB_BRAINSCORE_N_ALPHAS;
  }
  json_t *arr = json_array();
  bad |= json_object_set_new(o, "alphas", arr);
  for (int i = 0; i < n && arr; ++i) bad |= json_array_append_new(arr, json_real(a[i]));
  bad |= json_object_set_new(o, "alpha_per_target", json_boolean(p->alpha_per_target));
  return bad;
}

/* The metric's own parameters (only those its row names, CB_METRIC_PARAM_*). */
static int put_metric(json_t *o, const cb_bench *b) {
  const cb_bench_params *p = &b->params;
  const unsigned own = b->row->params;
  int bad = 0;
  if (own & CB_METRIC_PARAM_COMPONENTS) bad |= json_object_set_new(o, "components", json_integer(p->components));
  if (own & CB_METRIC_PARAM_ALPHA) bad |= put_num(o, "alpha", p->alpha);
  if (own & CB_METRIC_PARAM_ALPHAS) bad |= put_alphas(o, p);
  if (own & CB_METRIC_PARAM_RDM) {
    bad |= put_str(o, "distance", p->distance);
    bad |= put_str(o, "compare", p->compare);
    if (b->n_subj > 0) bad |= put_str(o, "subjects", p->subjects ? p->subjects : "average");
  }
  if (own & CB_METRIC_PARAM_CKA) bad |= put_str(o, "cka", p->cka);
  return bad;
}

/* b->parameters: the resolved parameters as JSON object text. */
static cb_status build_parameters(cb_bench *b) {
  const cb_bench_params *p = &b->params;
  json_t *o = json_object();
  if (!o) return CB_ERROR(CB_ERR_NOMEM, "out of memory");
  int bad = put_str(o, "metric", cb_metric_name(b->metric));
  bad |= put_metric(o, b);
  bad |= put_split(o, p);
  bad |= put_str(o, "region", p->region);
  if (isnan(p->t0) && isnan(p->t1)) {
    bad |= json_object_set_new(o, "time_bin_ms", json_null());
  } else {
    json_t *tb = json_array();
    bad |= json_object_set_new(o, "time_bin_ms", tb);
    bad |= json_array_append_new(tb, isfinite(p->t0) ? json_real(p->t0) : json_null());
    bad |= json_array_append_new(tb, isfinite(p->t1) ? json_real(p->t1) : json_null());
  }
  bad |= put_str(o, "ceiling", p->ceiling);
  bad |= put_str(o, "normalise", p->normalise);
  bad |= json_object_set_new(o, "bootstrap", json_integer(p->bootstrap));
  if (p->bootstrap > 0) bad |= put_num(o, "ci_level", p->ci_level);
  b->parameters = bad ? NULL : json_dumps(o, JSON_PRESERVE_ORDER | JSON_COMPACT | JSON_REAL_PRECISION(17));
  json_decref(o);
  return b->parameters ? CB_OK : CB_ERROR(CB_ERR_ARG, "cannot encode the parameters of %s (invalid UTF-8?)", p->id);
}

cb_status cb__bench_record_init(cb_bench *b, const char *identifier, const char *set_identifier,
                                const char *stimuli_csv) {
  b->assembly_identifier = cb_strdup(identifier ? identifier : "");
  b->stimulus_set_identifier = cb_strdup(set_identifier ? set_identifier : "");
  if (!b->assembly_identifier || !b->stimulus_set_identifier) return CB_ERROR(CB_ERR_NOMEM, "out of memory");
  if (stimuli_csv) CB_CHECK(cb_hash_file(stimuli_csv, CB_HASH_SHA256, b->stimulus_set_sha256, NULL));
  return build_parameters(b);
}

cb_status cb__bench_record_fill(const cb_bench *b, cb_score *out) {
  snprintf(out->assembly_identifier, sizeof out->assembly_identifier, "%s", b->assembly_identifier);
  snprintf(out->stimulus_set_identifier, sizeof out->stimulus_set_identifier, "%s", b->stimulus_set_identifier);
  snprintf(out->stimulus_set_sha256, sizeof out->stimulus_set_sha256, "%s", b->stimulus_set_sha256);
  if (!out->ceiling_method[0]) {
    const char *c = b->params.ceiling;
    snprintf(out->ceiling_method, sizeof out->ceiling_method, "%s",
             isnan(b->ceiling) && strcmp(c, "voxel") ? "none" : c);
  }
  cb_score_set_provenance(out);
  free(out->parameters);
  out->parameters = cb_strdup(b->parameters);
  return out->parameters ? CB_OK : CB_ERROR(CB_ERR_NOMEM, "out of memory");
}

/* cb_score.c - score JSON via jansson. */
#include "cb_score.h"

#include <inttypes.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_fs.h"
#include "cb_score_impl.h"

/* A score file holds a few numbers and at most n_bootstrap replicates: 256 MiB is far beyond any. */
#define CB_SCORE_FILE_MAX ((uint64_t)256 << 20)

void cb_score_free(cb_score *s) {
  if (!s) return;
  free(s->per_split);
  s->per_split = NULL;
  s->n_splits = 0;
  free(s->boot);
  s->boot = NULL;
  cb__score_free_record(s);
}

/* ---- write -------------------------------------------------------------- */

/* A JSON number, or null for NaN/Inf. */
json_t *cb__score_num(double v) { return isfinite(v) ? json_real(v) : json_null(); }

/* Adds `value` (reference stolen) under `key`; NULL value = failure. */
cb_status cb__score_put(const char *path, json_t *obj, const char *key, json_t *value) {
  if (!value) return CB_ERROR(CB_ERR_ARG, "%s: cannot encode key '%s' (invalid UTF-8 or out of memory)", path, key);
  if (json_object_set_new(obj, key, value) != 0)
    return CB_ERROR(CB_ERR_NOMEM, "%s: cannot add key '%s' to the JSON object", path, key);
  return CB_OK;
}

cb_status cb_score_to_json(const char *path, const cb_score *s, char **out) {
  *out = NULL;
  if (!s) return CB_ERROR(CB_ERR_ARG, "%s: no score to write", path);
  if (s->n_splits < 0 || (s->n_splits > 0 && !s->per_split))
    return CB_ERROR(CB_ERR_ARG, "%s: invalid per-split scores (n_splits = %d)", path, s->n_splits);
  cb_status st = CB_OK;
  char *text = NULL;
  json_t *root = json_object();
  CB_ALLOC_GOTO(root, st, done);
  CB_CHECK_GOTO(cb__score_put(path, root, "model", json_string(s->model)), st, done);
  CB_CHECK_GOTO(cb__score_put(path, root, "layer", json_string(s->layer)), st, done);
  CB_CHECK_GOTO(cb__score_put(path, root, "benchmark", json_string(s->benchmark)), st, done);
  CB_CHECK_GOTO(cb__score_put(path, root, "metric", json_string(s->metric)), st, done);
  CB_CHECK_GOTO(cb__score_put(path, root, "raw", cb__score_num(s->raw)), st, done);
  CB_CHECK_GOTO(cb__score_put(path, root, "ceiling", cb__score_num(s->ceiling)), st, done);
  CB_CHECK_GOTO(cb__score_put(path, root, "score", cb__score_num(s->score)), st, done);
  CB_CHECK_GOTO(cb__score_put(path, root, "error", cb__score_num(s->error)), st, done);
  CB_CHECK_GOTO(cb__score_put(path, root, "n_splits", json_integer(s->n_splits)), st, done);
  {
    json_t *arr = json_array();
    CB_CHECK_GOTO(cb__score_put(path, root, "per_split", arr), st, done);
    for (int i = 0; i < s->n_splits; ++i)
      if (json_array_append_new(arr, cb__score_num(s->per_split[i])) != 0) {
        st = CB_ERROR(CB_ERR_NOMEM, "%s: cannot build per_split array", path);
        goto done;
      }
  }
  if (s->seed <= (uint64_t)INT64_MAX) {
    CB_CHECK_GOTO(cb__score_put(path, root, "seed", json_integer((json_int_t)s->seed)), st, done);
  } else {
    char buf[32];
    snprintf(buf, sizeof buf, "%" PRIu64, s->seed);
    CB_CHECK_GOTO(cb__score_put(path, root, "seed", json_string(buf)), st, done);
  }
  if (s->task_key[0]) CB_CHECK_GOTO(cb__score_put(path, root, "task_key", json_string(s->task_key)), st, done);
  if (s->assembly_sha256[0])
    CB_CHECK_GOTO(cb__score_put(path, root, "assembly_sha256", json_string(s->assembly_sha256)), st, done);
  if (s->ceiling_method[0])
    CB_CHECK_GOTO(cb__score_put(path, root, "ceiling_method", json_string(s->ceiling_method)), st, done);
  if (!strcmp(s->ceiling_method, "nili"))
    CB_CHECK_GOTO(cb__score_put(path, root, "ceiling_lower", cb__score_num(s->ceiling_lower)), st, done);
  if (s->pca_components > 0)
    CB_CHECK_GOTO(cb__score_put(path, root, "pca_components", json_integer(s->pca_components)), st, done);
  if (s->group[0]) {
    CB_CHECK_GOTO(cb__score_put(path, root, "group", json_string(s->group)), st, done);
    CB_CHECK_GOTO(cb__score_put(path, root, "n_groups", json_integer(s->n_groups)), st, done);
  }
  if (s->n_bootstrap > 0) {
    CB_CHECK_GOTO(cb__score_put(path, root, "n_bootstrap", json_integer(s->n_bootstrap)), st, done);
    CB_CHECK_GOTO(cb__score_put(path, root, "ci_low", cb__score_num(s->ci_low)), st, done);
    CB_CHECK_GOTO(cb__score_put(path, root, "ci_high", cb__score_num(s->ci_high)), st, done);
    CB_CHECK_GOTO(cb__score_put(path, root, "ci_level", cb__score_num(s->ci_level)), st, done);
    if (s->boot) {
      json_t *arr = json_array();
      CB_CHECK_GOTO(cb__score_put(path, root, "bootstrap", arr), st, done);
      for (int i = 0; i < s->n_bootstrap; ++i)
        if (json_array_append_new(arr, cb__score_num(s->boot[i])) != 0) {
          st = CB_ERROR(CB_ERR_NOMEM, "%s: cannot build bootstrap array", path);
          goto done;
        }
    }
  }
  CB_CHECK_GOTO(cb__score_put_record(path, root, s), st, done);
  text = json_dumps(root, JSON_PRESERVE_ORDER | JSON_INDENT(2) | JSON_REAL_PRECISION(17));
  CB_ALLOC_GOTO(text, st, done);
  {
    size_t n = strlen(text);
    char *nl = realloc(text, n + 2);
    CB_ALLOC_GOTO(nl, st, done);
    text = nl;
    text[n] = '\n';
    text[n + 1] = '\0';
  }
  *out = text;
  text = NULL;
done:
  free(text);
  json_decref(root);
  return st;
}

cb_status cb_score_write_json(const char *path, const cb_score *s) {
  char *text = NULL;
  CB_CHECK(cb_score_to_json(path, s, &text));
  cb_status st = cb_file_write_atomic(path, text, strlen(text));
  free(text);
  return st;
}

/* ---- read --------------------------------------------------------------- */

static cb_status get_string(const char *path, json_t *root, const char *key, char *dst, size_t cap) {
  json_t *v = json_object_get(root, key);
  if (!v) return CB_ERROR(CB_ERR_FORMAT, "%s: missing key '%s'", path, key);
  if (!json_is_string(v)) return CB_ERROR(CB_ERR_FORMAT, "%s: key '%s' is not a string", path, key);
  size_t n = json_string_length(v);
  if (n >= cap || strlen(json_string_value(v)) != n)
    return CB_ERROR(CB_ERR_FORMAT, "%s: key '%s' is longer than %zu bytes or contains NUL", path, key, cap - 1);
  memcpy(dst, json_string_value(v), n + 1);
  return CB_OK;
}

/* Number or null (-> NaN). */
cb_status cb__score_number(const char *path, json_t *v, const char *key, double *dst) {
  if (json_is_null(v)) {
    *dst = NAN;
    return CB_OK;
  }
  if (!json_is_number(v)) return CB_ERROR(CB_ERR_FORMAT, "%s: key '%s' is not a number or null", path, key);
  *dst = json_number_value(v);
  return CB_OK;
}

static cb_status get_number(const char *path, json_t *root, const char *key, double *dst) {
  json_t *v = json_object_get(root, key);
  if (!v) return CB_ERROR(CB_ERR_FORMAT, "%s: missing key '%s'", path, key);
  return cb__score_number(path, v, key, dst);
}

static cb_status get_seed(const char *path, json_t *root, uint64_t *dst) {
  json_t *v = json_object_get(root, "seed");
  if (!v) return CB_ERROR(CB_ERR_FORMAT, "%s: missing key 'seed'", path);
  if (json_is_integer(v) && json_integer_value(v) >= 0) {
    *dst = (uint64_t)json_integer_value(v);
    return CB_OK;
  }
  if (json_is_string(v)) {
    const char *s = json_string_value(v);
    char *end = NULL;
    if (s[0] >= '0' && s[0] <= '9') {
      unsigned long long u = strtoull(s, &end, 10);
      if (*end == '\0') {
        *dst = (uint64_t)u;
        return CB_OK;
      }
    }
  }
  return CB_ERROR(CB_ERR_FORMAT, "%s: key 'seed' is not a non-negative integer", path);
}

/* n_splits: a non-negative integer. */
static cb_status read_n_splits(const char *path, json_t *root, cb_score *s) {
  json_t *v = json_object_get(root, "n_splits");
  if (!v)
    return CB_ERROR(CB_ERR_FORMAT, "%s: missing key 'n_splits'", path);
  if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > INT32_MAX)
    return CB_ERROR(CB_ERR_FORMAT, "%s: key 'n_splits' is not a non-negative integer", path);
  s->n_splits = (int)json_integer_value(v);
  return CB_OK;
}

/* per_split: n_splits numbers. */
static cb_status read_per_split(const char *path, json_t *root, cb_score *s) {
  json_t *arr = json_object_get(root, "per_split");
  if (!arr)
    return CB_ERROR(CB_ERR_FORMAT, "%s: missing key 'per_split'", path);
  if (!json_is_array(arr))
    return CB_ERROR(CB_ERR_FORMAT, "%s: key 'per_split' is not an array", path);
  if (json_array_size(arr) != (size_t)s->n_splits)
    return CB_ERROR(CB_ERR_FORMAT, "%s: 'per_split' has %zu entries but n_splits is %d", path, json_array_size(arr),
                    s->n_splits);
  s->per_split = malloc((size_t)(s->n_splits > 0 ? s->n_splits : 1) * sizeof *s->per_split);
  if (!(s->per_split)) return CB_ERROR(CB_ERR_NOMEM, "out of memory");
  for (int i = 0; i < s->n_splits; ++i)
    CB_CHECK(cb__score_number(path, json_array_get(arr, (size_t)i), "per_split", &s->per_split[i]));
  return CB_OK;
}

/* task_key and assembly_sha256, when present. */
static cb_status read_keys(const char *path, json_t *root, cb_score *s) {
  json_t *tk = json_object_get(root, "task_key");
  if (tk) {
    if (!json_is_string(tk) || strlen(json_string_value(tk)) >= sizeof s->task_key)
      return CB_ERROR(CB_ERR_FORMAT, "%s: key 'task_key' is not a short string", path);
    snprintf(s->task_key, sizeof s->task_key, "%s", json_string_value(tk));
  }
  json_t *ah = json_object_get(root, "assembly_sha256");
  if (ah) {
    if (!json_is_string(ah) || strlen(json_string_value(ah)) != 64)
      return CB_ERROR(CB_ERR_FORMAT, "%s: key 'assembly_sha256' is not 64 hex digits", path);
    snprintf(s->assembly_sha256, sizeof s->assembly_sha256, "%s", json_string_value(ah));
  }
  return CB_OK;
}

/* ceiling_method, when present (and ceiling_lower with the Nili bound). */
static cb_status read_ceiling_method(const char *path, json_t *root, cb_score *s) {
  json_t *cm = json_object_get(root, "ceiling_method");
  if (cm) {
    if (!json_is_string(cm) || !cb__score_ceiling_method_known(json_string_value(cm)))
      return CB_ERROR(CB_ERR_FORMAT, "%s: key 'ceiling_method' is not one of internal, metric-split-half, voxel, "
                      "nili, none", path);
    snprintf(s->ceiling_method, sizeof s->ceiling_method, "%s", json_string_value(cm));
    if (!strcmp(s->ceiling_method, "nili"))
      CB_CHECK(get_number(path, root, "ceiling_lower", &s->ceiling_lower));
  }
  return CB_OK;
}

/* pca_components, when present. */
static cb_status read_pca(const char *path, json_t *root, cb_score *s) {
  json_t *pc = json_object_get(root, "pca_components");
  if (pc) {
    if (!json_is_integer(pc) || json_integer_value(pc) < 1 || json_integer_value(pc) > INT32_MAX)
      return CB_ERROR(CB_ERR_FORMAT, "%s: key 'pca_components' is not a positive integer", path);
    s->pca_components = (int)json_integer_value(pc);
  }
  return CB_OK;
}

/* group and n_groups, when present. */
static cb_status read_group(const char *path, json_t *root, cb_score *s) {
  json_t *g = json_object_get(root, "group");
  if (g) {
    if (!json_is_string(g) || !json_string_value(g)[0] || strlen(json_string_value(g)) >= sizeof s->group)
      return CB_ERROR(CB_ERR_FORMAT, "%s: key 'group' is not a non-empty string of at most %zu bytes", path,
                      sizeof s->group - 1);
    snprintf(s->group, sizeof s->group, "%s", json_string_value(g));
    json_t *ng = json_object_get(root, "n_groups");
    if (!json_is_integer(ng) || json_integer_value(ng) < 1 || json_integer_value(ng) > INT32_MAX)
      return CB_ERROR(CB_ERR_FORMAT, "%s: key 'n_groups' (with 'group') is missing or not a positive integer", path);
    s->n_groups = (int)json_integer_value(ng);
  }
  return CB_OK;
}

/* n_bootstrap with its interval and, when present, the replicates. */
static cb_status read_bootstrap(const char *path, json_t *root, cb_score *s) {
  json_t *nb = json_object_get(root, "n_bootstrap");
  if (nb) {
    if (!json_is_integer(nb) || json_integer_value(nb) < 0 || json_integer_value(nb) > INT32_MAX)
      return CB_ERROR(CB_ERR_FORMAT, "%s: key 'n_bootstrap' is not a non-negative integer", path);
    s->n_bootstrap = (int)json_integer_value(nb);
    CB_CHECK(get_number(path, root, "ci_low", &s->ci_low));
    CB_CHECK(get_number(path, root, "ci_high", &s->ci_high));
    CB_CHECK(get_number(path, root, "ci_level", &s->ci_level));
    json_t *arr = json_object_get(root, "bootstrap");
    if (arr) {
      if (!json_is_array(arr) || json_array_size(arr) != (size_t)s->n_bootstrap)
        return CB_ERROR(CB_ERR_FORMAT, "%s: key 'bootstrap' is not an array of n_bootstrap numbers", path);
      s->boot = malloc(sizeof *s->boot * (size_t)(s->n_bootstrap > 0 ? s->n_bootstrap : 1));
      if (!(s->boot)) return CB_ERROR(CB_ERR_NOMEM, "out of memory");
      for (int i = 0; i < s->n_bootstrap; ++i)
        CB_CHECK(cb__score_number(path, json_array_get(arr, (size_t)i), "bootstrap", &s->boot[i]));
    }
  }
  return CB_OK;
}

cb_status cb_score_read_json(const char *path, cb_score *out) {
  cb_status st = CB_OK;
  json_error_t jerr;
  cb_score s;
  memset(&s, 0, sizeof s);
  char *text = NULL;
  size_t len = 0;
  CB_CHECK(cb_file_read_max(path, CB_SCORE_FILE_MAX, &text, &len));
  json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
  free(text);
  if (!root) return CB_ERROR(CB_ERR_FORMAT, "%s:%d: invalid JSON (%s)", path, jerr.line, jerr.text);
  if (!json_is_object(root)) {
    st = CB_ERROR(CB_ERR_FORMAT, "%s: top level is not a JSON object", path);
    goto fail;
  }
  CB_CHECK_GOTO(get_string(path, root, "model", s.model, sizeof s.model), st, fail);
  CB_CHECK_GOTO(get_string(path, root, "layer", s.layer, sizeof s.layer), st, fail);
  CB_CHECK_GOTO(get_string(path, root, "benchmark", s.benchmark, sizeof s.benchmark), st, fail);
  CB_CHECK_GOTO(get_string(path, root, "metric", s.metric, sizeof s.metric), st, fail);
  CB_CHECK_GOTO(get_number(path, root, "raw", &s.raw), st, fail);
  CB_CHECK_GOTO(get_number(path, root, "ceiling", &s.ceiling), st, fail);
  CB_CHECK_GOTO(get_number(path, root, "score", &s.score), st, fail);
  CB_CHECK_GOTO(get_number(path, root, "error", &s.error), st, fail);
  CB_CHECK_GOTO(read_n_splits(path, root, &s), st, fail);
  CB_CHECK_GOTO(read_per_split(path, root, &s), st, fail);
  CB_CHECK_GOTO(get_seed(path, root, &s.seed), st, fail);
  CB_CHECK_GOTO(read_keys(path, root, &s), st, fail);
  CB_CHECK_GOTO(read_ceiling_method(path, root, &s), st, fail);
  CB_CHECK_GOTO(read_pca(path, root, &s), st, fail);
  CB_CHECK_GOTO(read_group(path, root, &s), st, fail);
  CB_CHECK_GOTO(read_bootstrap(path, root, &s), st, fail);
  CB_CHECK_GOTO(cb__score_get_record(path, root, &s), st, fail);
  json_decref(root);
  *out = s;
  return CB_OK;
fail:
  cb_score_free(&s);
  json_decref(root);
  return st;
}

/* cb_score_record.c - the record part of a score file: what the score was computed on (assembly and stimulus set
 * with their identifiers and SHA-256), with (the resolved metric parameters), per-neuroid values, and by (version,
 * git commit, configuration fingerprint). Internal to cb_score.c (cb_score_impl.h). */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_strbuf.h"
#include "cb_score.h"
#include "cb_score_impl.h"
#include "cb_version.h"

static void free_neuroids(cb_score *s) {
  if (s->neuroid_id)
    for (int j = 0; j < s->n_neuroids; ++j) free(s->neuroid_id[j]);
  free(s->neuroid_id);
  s->neuroid_id = NULL;
  free(s->per_neuroid);
  s->per_neuroid = NULL;
  s->n_neuroids = 0;
}

void cb__score_free_record(cb_score *s) {
  free(s->parameters);
  s->parameters = NULL;
  free_neuroids(s);
}

cb_status cb_score_set_neuroids(cb_score *s, char *const *ids, int n, const double *per_neuroid) {
  if (!s || n < 0 || (n > 0 && (!ids || !per_neuroid))) return CB_ERROR(CB_ERR_ARG, "score: bad per-neuroid values");
  free_neuroids(s);
  size_t cells = (size_t)(s->n_splits > 0 ? s->n_splits : 1) * (size_t)(n > 0 ? n : 1);
  s->neuroid_id = calloc((size_t)(n > 0 ? n : 1), sizeof *s->neuroid_id);
  s->per_neuroid = malloc(sizeof *s->per_neuroid * cells);
  if (!s->neuroid_id || !s->per_neuroid) goto nomem;
  for (int j = 0; j < n; ++j) {
    s->neuroid_id[j] = cb_strdup(ids[j]);
    if (!s->neuroid_id[j]) {
      s->n_neuroids = j; /* so that cb__score_free_record frees the copies made */
      goto nomem;
    }
  }
  s->n_neuroids = n;
  memcpy(s->per_neuroid, per_neuroid, sizeof *s->per_neuroid * (size_t)s->n_splits * (size_t)n);
  return CB_OK;
nomem:
  free_neuroids(s);
  return CB_ERROR(CB_ERR_NOMEM, "out of memory");
}

void cb_score_set_provenance(cb_score *s) {
  snprintf(s->version, sizeof s->version, "%s", CB_VERSION);
  snprintf(s->git_commit, sizeof s->git_commit, "%s", cb_git_commit());
}

/* ---- write -------------------------------------------------------------- */

/* key = string value when non-empty. */
static cb_status put_str(const char *path, json_t *o, const char *key, const char *v) {
  if (!v[0]) return CB_OK;
  return cb__score_put(path, o, key, json_string(v));
}

static cb_status put_neuroids(const char *path, json_t *root, const cb_score *s) {
  json_t *ids = json_array(), *rows = json_array();
  cb_status st = cb__score_put(path, root, "neuroid_id", ids);
  if (st == CB_OK) st = cb__score_put(path, root, "per_neuroid", rows);
  if (st != CB_OK) return st;
  int bad = 0;
  for (int j = 0; j < s->n_neuroids; ++j) bad |= json_array_append_new(ids, json_string(s->neuroid_id[j]));
  for (int k = 0; k < s->n_splits; ++k) {
    json_t *row = json_array();
    bad |= json_array_append_new(rows, row);
    for (int j = 0; j < s->n_neuroids && row; ++j)
      bad |= json_array_append_new(row, cb__score_num(s->per_neuroid[(size_t)k * s->n_neuroids + j]));
  }
  return bad ? CB_ERROR(CB_ERR_ARG, "%s: cannot encode the per-neuroid values (invalid UTF-8 in a neuroid id?)", path)
             : CB_OK;
}

cb_status cb__score_put_record(const char *path, json_t *root, const cb_score *s) {
  CB_CHECK(put_str(path, root, "assembly_identifier", s->assembly_identifier));
  CB_CHECK(put_str(path, root, "stimulus_set_identifier", s->stimulus_set_identifier));
  CB_CHECK(put_str(path, root, "stimulus_set_sha256", s->stimulus_set_sha256));
  if (s->parameters) {
    json_error_t e;
    json_t *p = json_loads(s->parameters, JSON_REJECT_DUPLICATES, &e);
    if (!p || !json_is_object(p)) {
      json_decref(p);
      return CB_ERROR(CB_ERR_INTERNAL, "%s: the score's parameters are not a JSON object", path);
    }
    CB_CHECK(cb__score_put(path, root, "parameters", p));
  }
  if (s->n_neuroids > 0) CB_CHECK(put_neuroids(path, root, s));
  CB_CHECK(put_str(path, root, "cortexbench_version", s->version));
  CB_CHECK(put_str(path, root, "git_commit", s->git_commit));
  return put_str(path, root, "config_fingerprint", s->config_fingerprint);
}

/* ---- read --------------------------------------------------------------- */

/* An optional string key into dst (cap bytes); exact_len > 0: it must have that length. */
static cb_status opt_str(const char *path, json_t *root, const char *key, char *dst, size_t cap, size_t exact_len) {
  json_t *v = json_object_get(root, key);
  if (!v) return CB_OK;
  size_t n = json_is_string(v) ? json_string_length(v) : 0;
  if (!json_is_string(v) || n >= cap || strlen(json_string_value(v)) != n || (exact_len && n != exact_len))
    return CB_ERROR(CB_ERR_FORMAT, "%s: key '%s' is not a string of %s %zu bytes", path, key,
                    exact_len ? "exactly" : "at most", exact_len ? exact_len : cap - 1);
  memcpy(dst, json_string_value(v), n + 1);
  return CB_OK;
}

static cb_status get_neuroids(const char *path, json_t *root, cb_score *s) {
  json_t *ids = json_object_get(root, "neuroid_id"), *rows = json_object_get(root, "per_neuroid");
  if (!ids && !rows) return CB_OK;
  if (!json_is_array(ids) || !json_is_array(rows) || json_array_size(rows) != (size_t)s->n_splits ||
      json_array_size(ids) > INT32_MAX)
    return CB_ERROR(CB_ERR_FORMAT, "%s: keys 'neuroid_id' and 'per_neuroid' must be an array of ids and n_splits "
                    "arrays", path);
  const int n = (int)json_array_size(ids);
  s->neuroid_id = calloc((size_t)(n > 0 ? n : 1), sizeof *s->neuroid_id);
  s->per_neuroid = malloc(sizeof *s->per_neuroid * (size_t)(s->n_splits > 0 ? s->n_splits : 1) * (n > 0 ? n : 1));
  if (!s->neuroid_id || !s->per_neuroid) return CB_ERROR(CB_ERR_NOMEM, "out of memory");
  for (int j = 0; j < n; ++j) {
    json_t *v = json_array_get(ids, (size_t)j);
    if (!json_is_string(v)) return CB_ERROR(CB_ERR_FORMAT, "%s: 'neuroid_id' entry %d is not a string", path, j);
    s->neuroid_id[j] = cb_strdup(json_string_value(v));
    if (!s->neuroid_id[j]) return CB_ERROR(CB_ERR_NOMEM, "out of memory");
    s->n_neuroids = j + 1;
  }
  for (int k = 0; k < s->n_splits; ++k) {
    json_t *row = json_array_get(rows, (size_t)k);
    if (!json_is_array(row) || json_array_size(row) != (size_t)n)
      return CB_ERROR(CB_ERR_FORMAT, "%s: 'per_neuroid' row %d does not hold %d values", path, k, n);
    for (int j = 0; j < n; ++j)
      CB_CHECK(cb__score_number(path, json_array_get(row, (size_t)j), "per_neuroid",
                                &s->per_neuroid[(size_t)k * n + j]));
  }
  return CB_OK;
}

cb_status cb__score_get_record(const char *path, json_t *root, cb_score *s) {
  CB_CHECK(opt_str(path, root, "assembly_identifier", s->assembly_identifier, sizeof s->assembly_identifier, 0));
  CB_CHECK(opt_str(path, root, "stimulus_set_identifier", s->stimulus_set_identifier,
                   sizeof s->stimulus_set_identifier, 0));
  CB_CHECK(opt_str(path, root, "stimulus_set_sha256", s->stimulus_set_sha256, sizeof s->stimulus_set_sha256, 64));
  json_t *p = json_object_get(root, "parameters");
  if (p) {
    if (!json_is_object(p)) return CB_ERROR(CB_ERR_FORMAT, "%s: key 'parameters' is not an object", path);
    s->parameters = json_dumps(p, JSON_PRESERVE_ORDER | JSON_COMPACT | JSON_REAL_PRECISION(17));
    if (!s->parameters) return CB_ERROR(CB_ERR_NOMEM, "out of memory");
  }
  CB_CHECK(get_neuroids(path, root, s));
  CB_CHECK(opt_str(path, root, "cortexbench_version", s->version, sizeof s->version, 0));
  CB_CHECK(opt_str(path, root, "git_commit", s->git_commit, sizeof s->git_commit, 0));
  return opt_str(path, root, "config_fingerprint", s->config_fingerprint, sizeof s->config_fingerprint, 0);
}

int cb__score_ceiling_method_known(const char *m) {
  static const char *const known[] = {"internal", "metric-split-half", "voxel", "nili", "none"};
  for (size_t i = 0; i < sizeof known / sizeof *known; ++i)
    if (!strcmp(m, known[i])) return 1;
  return 0;
}

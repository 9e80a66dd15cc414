/* cb_zoo_manifest.c - reads the zoo manifest (format in cb_zoo_manifest.h)
 * through cb_ini. Turning an entry into a model is bench's
 * (cb_zoo_entry_model, cb_modelopen.c): io knows no model. */
#include "cb_zoo_manifest.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_fs.h"
#include "cb_ini.h"
#include "cb_strbuf.h"

typedef struct parse_state {
  cb_zoo_manifest *m;
  char dir[CB_PATH_MAX]; /* of the manifest, for relative onnx paths */
} parse_state;

const char *cb_zoo_source_name(cb_zoo_source s) {
  return s == CB_ZOO_SRC_BUILDER ? "builder" : s == CB_ZOO_SRC_ONNX ? "onnx" : s == CB_ZOO_SRC_URL ? "url" : "?";
}

static int name_ok(const char *s) {
  if (!*s) return 0;
  for (; *s; ++s)
    if (!isalnum((unsigned char)*s) && *s != '.' && *s != '_' && *s != '-') return 0;
  return 1;
}

/* libinih trims values, so cb_ini_double sees what this file's own strtod did. */
static cb_status parse_double(const char *path, const char *model, const char *key, const char *v, double *out) {
  if (!cb_ini_double(v, out))
    return CB_ERROR(CB_ERR_CONFIG, "%s: model %s: %s = '%s' is not a number", path, model, key, v);
  return CB_OK;
}

/* "a, b, c" or "a b c": three positive-or-any floats. */
static cb_status parse_three(const char *path, const char *model, const char *key, const char *v, float *out) {
  char buf[256];
  snprintf(buf, sizeof buf, "%s", v);
  for (char *p = buf; *p; ++p)
    if (*p == ',') *p = ' ';
  char *p = buf;
  for (int k = 0; k < 3; ++k) {
    char *end;
    double d = strtod(p, &end);
    if (end == p || !isfinite(d))
      return CB_ERROR(CB_ERR_CONFIG, "%s: model %s: %s = '%s': three numbers expected", path, model, key, v);
    out[k] = (float)d;
    p = end;
  }
  while (isspace((unsigned char)*p)) ++p;
  if (*p) return CB_ERROR(CB_ERR_CONFIG, "%s: model %s: %s = '%s': three numbers expected", path, model, key, v);
  return CB_OK;
}

static cb_status set_str(char **dst, const char *v) {
  free(*dst);
  *dst = cb_strdup(v);
  return *dst ? CB_OK : CB_ERROR(CB_ERR_NOMEM, "out of memory");
}

static cb_status set_source(parse_state *ps, cb_zoo_entry *e, cb_zoo_source s, const char *key) {
  if (e->source && e->source != s)
    return CB_ERROR(CB_ERR_CONFIG, "%s: model %s: '%s' and '%s' given (one source: builder, onnx or url)", ps->m->path,
                    e->name ? e->name : "?", cb_zoo_source_name(e->source), key);
  e->source = s;
  return CB_OK;
}

static cb_status model_key(parse_state *ps, cb_zoo_entry *e, const char *k, const char *v) {
  const char *path = ps->m->path, *mn = e->name ? e->name : "(unnamed)";
  if (!strcmp(k, "name")) {
    if (e->name) return CB_ERROR(CB_ERR_CONFIG, "%s: model %s: name given twice", path, e->name);
    if (!name_ok(v)) return CB_ERROR(CB_ERR_CONFIG, "%s: model name '%s': use [A-Za-z0-9._-]", path, v);
    for (int i = 0; i < ps->m->n - 1; ++i)
      if (!strcmp(ps->m->entries[i].name, v)) return CB_ERROR(CB_ERR_CONFIG, "%s: model %s listed twice", path, v);
    return set_str(&e->name, v);
  }
  if (!e->name) return CB_ERROR(CB_ERR_CONFIG, "%s: [model] key '%s' before its name (name must come first)", path, k);
  if (!strcmp(k, "builder")) {
    CB_CHECK(set_source(ps, e, CB_ZOO_SRC_BUILDER, k));
    return set_str(&e->builder, v);
  }
  if (!strcmp(k, "onnx")) {
    CB_CHECK(set_source(ps, e, CB_ZOO_SRC_ONNX, k));
    char full[CB_PATH_MAX];
    CB_CHECK(cb_path_join(full, sizeof full, ps->dir, v));
    return set_str(&e->onnx, full);
  }
  if (!strcmp(k, "url")) {
    CB_CHECK(set_source(ps, e, CB_ZOO_SRC_URL, k));
    if (!strstr(v, "://")) return CB_ERROR(CB_ERR_CONFIG, "%s: model %s: url '%s' has no scheme", path, mn, v);
    return set_str(&e->url, v);
  }
  if (!strcmp(k, "sha256")) {
    if (!strcmp(v, "unpinned")) return CB_OK;
    if (strlen(v) != 64 || strspn(v, "0123456789abcdefABCDEF") != 64)
      return CB_ERROR(CB_ERR_CONFIG, "%s: model %s: sha256 '%s' is not 64 hex digits (or 'unpinned')", path, mn, v);
    CB_CHECK(set_str(&e->sha256, v));
    for (char *p = e->sha256; *p; ++p) *p = (char)tolower((unsigned char)*p);
    return CB_OK;
  }
  if (!strcmp(k, "member")) return set_str(&e->member, v);
  if (!strcmp(k, "note")) return set_str(&e->note, v);
  if (!strcmp(k, "modality")) {
    if (!cb_modality_parse(v, &e->modality))
      return CB_ERROR(CB_ERR_CONFIG, "%s: model %s: modality = '%s': visual or audio expected", path, mn, v);
    return CB_OK;
  }
  if (!strcmp(k, "front_end")) {
    if (!*v || strlen(v) >= 32 || strspn(v, "abcdefghijklmnopqrstuvwxyz0123456789_-") != strlen(v))
      return CB_ERROR(CB_ERR_CONFIG, "%s: model %s: front_end = '%s': the name of an input front end expected", path,
                      mn, v);
    return set_str(&e->front_end, v);
  }
  if (!strcmp(k, "input")) {
    int h, w, used = 0;
    if (sscanf(v, "%dx%d%n", &h, &w, &used) != 2 || v[used] || h <= 0 || w <= 0 || h > 8192 || w > 8192)
      return CB_ERROR(CB_ERR_CONFIG, "%s: model %s: input = '%s': HxW expected, e.g. 224x224", path, mn, v);
    e->in_h = h, e->in_w = w;
    return CB_OK;
  }
  if (!strcmp(k, "mean")) return parse_three(path, mn, k, v, e->mean);
  if (!strcmp(k, "std")) {
    CB_CHECK(parse_three(path, mn, k, v, e->std));
    for (int c = 0; c < 3; ++c)
      if (!(e->std[c] > 0)) return CB_ERROR(CB_ERR_CONFIG, "%s: model %s: std values must be positive", path, mn);
    return CB_OK;
  }
  double d = 0;
  if (!strcmp(k, "visual_degrees") || !strcmp(k, "rtol") || !strcmp(k, "atol") || !strcmp(k, "seed")) {
    CB_CHECK(parse_double(path, mn, k, v, &d));
    if (d < 0 || (!strcmp(k, "visual_degrees") && d == 0))
      return CB_ERROR(CB_ERR_CONFIG, "%s: model %s: %s = %s must be positive", path, mn, k, v);
    if (!strcmp(k, "visual_degrees")) e->visual_degrees = d;
    else if (!strcmp(k, "rtol")) e->rtol = d;
    else if (!strcmp(k, "atol")) e->atol = d;
    else {
      if (d != floor(d) || d > 9007199254740992.0)
        return CB_ERROR(CB_ERR_CONFIG, "%s: model %s: seed = %s is not an integer", path, mn, v);
      e->seed = (uint64_t)d;
    }
    return CB_OK;
  }
  return CB_ERROR(CB_ERR_CONFIG, "%s: model %s: unknown key '%s'", path, mn, k);
}

static cb_status new_entry(cb_zoo_manifest *m) {
  cb_zoo_entry *ne = realloc(m->entries, (size_t)(m->n + 1) * sizeof *ne);
  if (!ne) return CB_ERROR(CB_ERR_NOMEM, "out of memory reading %s", m->path);
  m->entries = ne;
  cb_zoo_entry *e = &m->entries[m->n++];
  memset(e, 0, sizeof *e);
  const float mean[3] = {0.485f, 0.456f, 0.406f}, std[3] = {0.229f, 0.224f, 0.225f};
  memcpy(e->mean, mean, sizeof mean);
  memcpy(e->std, std, sizeof std);
  e->visual_degrees = 8.0;
  e->seed = 1;
  e->rtol = 1e-3;
  e->atol = 1e-7;
  return CB_OK;
}

/* One entry of the manifest (cb_ini_fn). libinih gives every [model]
 * section the same name, so a name key starts a new model. */
static cb_status on_entry(void *user, const cb_ini_entry *e) {
  parse_state *ps = user;
  if (strcmp(e->section, "model") != 0)
    return CB_ERROR(CB_ERR_CONFIG, "%s: unknown section [%s] (only [model])", ps->m->path, e->section);
  if (!strcmp(e->key, "name") || ps->m->n == 0) CB_CHECK(new_entry(ps->m));
  return model_key(ps, &ps->m->entries[ps->m->n - 1], e->key, e->value);
}

static cb_status validate(const cb_zoo_manifest *m, int (*builder_known)(const char *builder)) {
  for (int i = 0; i < m->n; ++i) {
    const cb_zoo_entry *e = &m->entries[i];
    if (!e->source)
      return CB_ERROR(CB_ERR_CONFIG, "%s: model %s: no source (builder, onnx or url)", m->path, e->name);
    if (e->source == CB_ZOO_SRC_BUILDER && builder_known) {
      if (!builder_known(e->builder)) return CB_ERROR(CB_ERR_CONFIG, "%s: model %s: unknown builder '%s'", m->path, e->name, e->builder);
    }
    if (e->source != CB_ZOO_SRC_URL && e->member)
      return CB_ERROR(CB_ERR_CONFIG, "%s: model %s: member is for url archives only", m->path, e->name);
    if (e->source == CB_ZOO_SRC_URL && !e->member) {
      size_t n = strlen(e->url);
      if (!(n > 5 && !strcmp(e->url + n - 5, ".onnx")))
        return CB_ERROR(CB_ERR_CONFIG, "%s: model %s: an archive url needs member = <path of the .onnx inside>",
                        m->path, e->name);
    }
  }
  return CB_OK;
}

cb_status cb_zoo_manifest_read(const char *path, int (*builder_known)(const char *builder), cb_zoo_manifest **out) {
  if (!path || !out) return CB_ERROR(CB_ERR_ARG, "zoo manifest: NULL argument");
  cb_status st = CB_OK;
  cb_zoo_manifest *m = calloc(1, sizeof *m);
  CB_ALLOC_GOTO(m, st, fail);
  m->path = cb_strdup(path);
  CB_ALLOC_GOTO(m->path, st, fail);
  parse_state ps = {.m = m};
  cb_path_dirname(path, ps.dir, sizeof ps.dir);
  cb_ini_opts io = {.path = path, .where = CB_INI_WHERE_WORD, .syntax_hint = "or a line longer than 199 characters"};
  CB_CHECK_GOTO(cb_ini_parse_file(&io, on_entry, &ps), st, fail);
  CB_CHECK_GOTO(validate(m, builder_known), st, fail);
  *out = m;
  return CB_OK;
fail:
  cb_zoo_manifest_destroy(&m);
  return st;
}

void cb_zoo_manifest_destroy(cb_zoo_manifest **pm) {
  if (!pm || !*pm) return;
  cb_zoo_manifest *m = *pm;
  for (int i = 0; i < m->n; ++i) {
    cb_zoo_entry *e = &m->entries[i];
    free(e->name), free(e->builder), free(e->onnx), free(e->url), free(e->sha256), free(e->member), free(e->note);
    free(e->front_end);
  }
  free(m->entries);
  free(m->path);
  free(m);
  *pm = NULL;
}

const cb_zoo_entry *cb_zoo_manifest_find(const cb_zoo_manifest *m, const char *name) {
  if (!m || !name) return NULL;
  for (int i = 0; i < m->n; ++i)
    if (!strcmp(m->entries[i].name, name)) return &m->entries[i];
  return NULL;
}

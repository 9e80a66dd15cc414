/* cb_rdm_sources.c - RDMs from a model layer or from a neural assembly (cb_rdm_sources.h). */
#include "cb_rdm_sources.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_activations.h"
#include "cb_assembly.h"
#include "cb_benchmark.h"
#include "cb_log.h"
#include "cb_strbuf.h"

/* Undefined distances follow the scoring convention (cb_rdm_compute_defined), with a warning naming the source. */
static cb_status rdm_of(const double *X, const float *Xf, int n, int p, cb_rdm_distance d, const char *what,
                        double *D /* (n, n) */) {
  int undefined = 0;
  CB_CHECK(cb_rdm_compute_defined(X, Xf, n, p, d, D, &undefined));
  if (undefined > 0)
    cb_log(CB_LOG_WARN, "%s: %d stimuli have a constant (or all-zero) pattern: their %s distance to every other "
           "stimulus is taken as 1", what, undefined, cb_rdm_distance_name(d));
  return CB_OK;
}

static cb_status copy_ids(cb_rdmfile *r, char *const *ids, int n) {
  for (int i = 0; i < n; ++i)
    if (!(r->stimulus_id[i] = cb_strdup(ids[i]))) return CB_ERROR(CB_ERR_NOMEM, "out of memory");
  return CB_OK;
}

static cb_status set_names(cb_rdmfile *r, const char *identifier, cb_rdm_distance d) {
  free(r->identifier);
  free(r->distance);
  r->identifier = cb_strdup(identifier);
  r->distance = cb_strdup(cb_rdm_distance_name(d));
  return r->identifier && r->distance ? CB_OK : CB_ERROR(CB_ERR_NOMEM, "out of memory");
}

cb_status cb_rdms_from_layer(const char *path, const char *layer, char *const *ids, int n, cb_rdm_distance d,
                             cb_rdmfile **out) {
  if (n < 2) return CB_ERROR(CB_ERR_ARG, "%s: an RDM needs >= 2 stimuli", path);
  cb_status st = CB_OK;
  cb_activations *a = NULL;
  cb_rdmfile *r = NULL;
  float *all = NULL, *X = NULL; /* (a->n, p), (n, p) */
  int *at = malloc(sizeof *at * (size_t)n);
  int64_t p = 0;
  CB_ALLOC_GOTO(at, st, done);
  CB_CHECK_GOTO(cb_activations_open(path, &a), st, done);
  CB_CHECK_GOTO(cb_bench_match_ids(ids, n, a->stimulus_id, (int)a->n, path, at), st, done);
  CB_CHECK_GOTO(cb_activations_read_layer(a, path, layer, &all, &p), st, done);
  if (p < 1) {
    st = CB_ERROR(CB_ERR_NUMERIC, "%s: layer '%s' has no features: no RDM", path, layer);
    goto done;
  }
  X = malloc(sizeof *X * (size_t)n * (size_t)p);
  CB_ALLOC_GOTO(X, st, done);
  for (int i = 0; i < n; ++i) memcpy(X + (size_t)i * p, all + (size_t)at[i] * p, sizeof *X * (size_t)p);
  CB_CHECK_GOTO(cb_rdmfile_create(1, 0, n, &r), st, done);
  CB_CHECK_GOTO(copy_ids(r, ids, n), st, done);
  char what[512];
  snprintf(what, sizeof what, "%s: layer '%s'", path, layer);
  CB_CHECK_GOTO(rdm_of(NULL, X, n, (int)p, d, what, r->rdm), st, done);
  char ident[512];
  snprintf(ident, sizeof ident, "%s:%s", a->model && a->model[0] ? a->model : path, layer);
  CB_CHECK_GOTO(set_names(r, ident, d), st, done);
  *out = r;
  r = NULL;
done:
  cb_rdmfile_destroy(&r);
  cb_activations_destroy(&a);
  free(X);
  free(all);
  free(at);
  return st;
}

/* The value of coordinate c at neuroid j as text. */
static void coord_text(const cb_coord *c, int64_t j, char *buf, size_t cap) {
  if (c->is_string)
    snprintf(buf, cap, "%s", c->s[j]);
  else
    snprintf(buf, cap, "%.17g", c->v[j]);
}

/* The neuroid coordinate `name` (NULL: `fallback` when present, else none). */
static cb_status neuroid_coord(const cb_assembly *a, const char *path, const char *name, const char *fallback,
                               const cb_coord **out) {
  const cb_coord *c = cb_assembly_coord(a, name ? name : fallback);
  if (!c && name) return CB_ERROR(CB_ERR_FORMAT, "%s: no coordinate '%s' to group neuroids by", path, name);
  if (c && c->dim != CB_DIM_NEUROID) {
    if (name) return CB_ERROR(CB_ERR_FORMAT, "%s: coordinate '%s' is not on the neuroid dimension", path, name);
    c = NULL;
  }
  *out = c;
  return CB_OK;
}

typedef struct unit_set {
  int n_units;
  int *unit;        /* (q) unit of each kept neuroid */
  char (*key)[512]; /* (q) subject \x1f session of each unit (first n_units used) */
  char (*name)[256];/* (q) subject of each unit */
} unit_set;

/* Units = distinct (subject, session) among the kept neuroids (keep: (n_neuroid) indices, q of them). */
static cb_status make_units(const cb_coord *sc, const cb_coord *ss, const int64_t *keep, int q, unit_set *u) {
  u->unit = malloc(sizeof *u->unit * (size_t)q);
  u->key = malloc(sizeof *u->key * (size_t)q);
  u->name = malloc(sizeof *u->name * (size_t)q);
  if (!u->unit || !u->key || !u->name) return CB_ERROR(CB_ERR_NOMEM, "out of memory");
  u->n_units = 0;
  for (int j = 0; j < q; ++j) {
    char s[256] = "all", e[240] = "", k[512];
    if (sc) coord_text(sc, keep[j], s, sizeof s);
    if (ss) coord_text(ss, keep[j], e, sizeof e);
    snprintf(k, sizeof k, "%s\x1f%s", s, e);
    int g = 0;
    while (g < u->n_units && strcmp(u->key[g], k)) ++g; /* quadratic in units: a few subjects x sessions */
    if (g == u->n_units) {
      snprintf(u->key[g], sizeof u->key[g], "%s", k);
      snprintf(u->name[g], sizeof u->name[g], "%s", s);
      ++u->n_units;
    }
    u->unit[j] = g;
  }
  return CB_OK;
}

/* r (units, n, n) from the stimulus means M (n, q): the RDM of each unit's neuroids. */
static cb_status unit_rdms(const char *path, const double *M, int n, int q, const unit_set *u, cb_rdm_distance d,
                           cb_rdmfile *r) {
  double *X = malloc(sizeof *X * (size_t)n * (size_t)q); /* (n, q_u) */
  if (!X) return CB_ERROR(CB_ERR_NOMEM, "out of memory");
  cb_status st = CB_OK;
  for (int g = 0; g < u->n_units && st == CB_OK; ++g) {
    int qu = 0;
    for (int j = 0; j < q; ++j) qu += u->unit[j] == g;
    for (int i = 0, c = 0; i < n; ++i, c = 0)
      for (int j = 0; j < q; ++j)
        if (u->unit[j] == g) X[(size_t)i * qu + c++] = M[(size_t)i * q + j];
    char what[700];
    snprintf(what, sizeof what, "%s: subject '%s'", path, u->name[g]);
    if (qu < 2 && d == CB_RDM_CORRELATION)
      st = CB_ERROR(CB_ERR_FORMAT, "%s has %d neuroid: a 1-pearson RDM needs >= 2", what, qu);
    else
      st = rdm_of(X, NULL, n, qu, d, what, r->rdm + (size_t)g * n * n);
    if (st == CB_OK && !(r->subject[g] = cb_strdup(u->name[g]))) st = CB_ERROR(CB_ERR_NOMEM, "out of memory");
  }
  free(X);
  return st;
}

cb_status cb_rdms_from_assembly(const char *path, const char *region, const char *subject, const char *session,
                                cb_rdm_distance d, cb_rdmfile **out) {
  cb_status st = CB_OK;
  cb_assembly *a = NULL;
  cb_neural *nd = NULL;
  cb_rdmfile *r = NULL;
  unit_set u = {0, NULL, NULL, NULL};
  int64_t *keep = NULL;
  const cb_coord *sc = NULL, *ss = NULL, *rc = NULL;
  CB_CHECK_GOTO(cb_assembly_read(path, &a), st, done);
  CB_CHECK_GOTO(cb_neural_from_assembly(a, region, NAN, NAN, NULL, &nd), st, done);
  CB_CHECK_GOTO(neuroid_coord(a, path, subject, "subject", &sc), st, done);
  CB_CHECK_GOTO(neuroid_coord(a, path, session, "session", &ss), st, done);
  if (region) rc = cb_assembly_coord(a, "region");
  keep = malloc(sizeof *keep * (size_t)(a->n_neuroid > 0 ? a->n_neuroid : 1));
  CB_ALLOC_GOTO(keep, st, done);
  int q = 0;
  char buf[256];
  for (int64_t j = 0; j < a->n_neuroid; ++j) { /* the neuroids cb_neural_from_assembly kept, in its order */
    if (rc) coord_text(rc, j, buf, sizeof buf);
    if (!rc || !strcmp(buf, region)) keep[q++] = j;
  }
  if (q != nd->n_neuroid) {
    st = CB_ERROR(CB_ERR_INTERNAL, "%s: %d neuroids of region %s, the stimulus view has %d", path, q,
                  region ? region : "(all)", nd->n_neuroid);
    goto done;
  }
  CB_CHECK_GOTO(make_units(sc, ss, keep, q, &u), st, done);
  CB_CHECK_GOTO(cb_rdmfile_create(u.n_units, 1, nd->n_stim, &r), st, done);
  CB_CHECK_GOTO(copy_ids(r, nd->stimulus_id, nd->n_stim), st, done);
  CB_CHECK_GOTO(unit_rdms(path, nd->mean, nd->n_stim, q, &u, d, r), st, done);
  CB_CHECK_GOTO(set_names(r, a->identifier[0] ? a->identifier : path, d), st, done);
  *out = r;
  r = NULL;
done:
  free(u.unit);
  free(u.key);
  free(u.name);
  free(keep);
  cb_rdmfile_destroy(&r);
  cb_neural_destroy(&nd);
  cb_assembly_destroy(&a);
  return st;
}

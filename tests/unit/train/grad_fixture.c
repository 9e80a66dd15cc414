/* grad_fixture.c - see grad_fixture.h. */
#include "grad_fixture.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int parse_tensor(char *line, gf_tensor *t) {
  char *save = NULL, *tok = strtok_r(line, " \n", &save); /* "t" */
  if (tok == NULL || strcmp(tok, "t") != 0) return 0;
  if ((tok = strtok_r(NULL, " \n", &save)) == NULL) return 0;
  snprintf(t->name, sizeof t->name, "%s", tok);
  if ((tok = strtok_r(NULL, " \n", &save)) == NULL) return 0;
  t->ndim = atoi(tok);
  t->n = 1;
  for (int d = 0; d < t->ndim; ++d) {
    if ((tok = strtok_r(NULL, " \n", &save)) == NULL) return 0;
    t->shape[d] = atoll(tok);
    t->n *= t->shape[d];
  }
  t->v = malloc((size_t)(t->n > 0 ? t->n : 1) * sizeof *t->v);
  if (t->v == NULL) return 0;
  for (int64_t i = 0; i < t->n; ++i) {
    if ((tok = strtok_r(NULL, " \n", &save)) == NULL) return 0;
    t->v[i] = strtod(tok, NULL);
  }
  return 1;
}

/* "i:name=1,2,3", "f:name=0.5" or "o:seed=12" */
static void parse_attr(const char *tok, gf_case *c) {
  char name[32];
  const char *eq = strchr(tok, '=');
  if (eq == NULL || eq - tok - 2 >= (long)sizeof name) return;
  snprintf(name, sizeof name, "%.*s", (int)(eq - tok - 2), tok + 2);
  if (tok[0] == 'o') {
    if (strcmp(name, "seed") == 0) c->seed = strtoull(eq + 1, NULL, 10);
    if (strcmp(name, "bn_frozen") == 0) c->bn_frozen = atoi(eq + 1);
  } else if (tok[0] == 'f') {
    c->attr[c->n_attr++] = cb_attr_float(name, strtof(eq + 1, NULL));
  } else if (tok[0] == 'i') {
    int64_t v[16];
    int n = 0;
    for (const char *p = eq + 1; *p && n < 16; ++n) {
      char *end;
      v[n] = strtoll(p, &end, 10);
      p = *end == ',' ? end + 1 : end;
    }
    c->attr[c->n_attr++] = strchr(eq, ',') ? cb_attr_ints(name, n, v) : cb_attr_int(name, v[0]);
  }
}

static void parse_case(char *line, gf_case *c) {
  char *save = NULL, *tok = strtok_r(line, " \n", &save); /* "case" */
  snprintf(c->name, sizeof c->name, "%s", strtok_r(NULL, " \n", &save));
  snprintf(c->op, sizeof c->op, "%s", strtok_r(NULL, " \n", &save));
  while ((tok = strtok_r(NULL, " \n", &save)) != NULL) {
    if (strncmp(tok, "in=", 3) == 0) {
      for (char *s2 = NULL, *nm = strtok_r(tok + 3, ",", &s2); nm && c->n_in < GF_MAX_IN; nm = strtok_r(NULL, ",", &s2))
        snprintf(c->in[c->n_in++], sizeof c->in[0], "%s", nm);
    } else if (strncmp(tok, "rt=", 3) == 0) {
      c->rt = atoi(tok + 3);
    } else if (tok[1] == ':' && c->n_attr < GF_MAX_ATTR) {
      parse_attr(tok, c);
    }
  }
}

static int read_file(const char *path, gf_case **cases, int *n, int tensors_only) {
  FILE *f = fopen(path, "r");
  if (f == NULL) return 0;
  char *line = NULL;
  size_t cap = 0;
  int ok = 1, count = 0, cur = tensors_only ? 0 : -1, cap_cases = tensors_only ? 1 : 64;
  gf_case *cs = calloc((size_t)cap_cases, sizeof *cs);
  while (ok && cs && getline(&line, &cap, f) > 0) {
    if (!tensors_only && strncmp(line, "case ", 5) == 0) {
      if (count == cap_cases) { ok = 0; break; }
      cur = count++;
      parse_case(line, &cs[cur]);
    } else if (strncmp(line, "t ", 2) == 0 && cur >= 0) {
      if (cs[cur].n_t == GF_MAX_T) { ok = 0; break; }
      ok = parse_tensor(line, &cs[cur].t[cs[cur].n_t++]);
    } else if (strncmp(line, "end", 3) == 0 && !tensors_only) {
      cur = -1;
    }
  }
  free(line);
  fclose(f);
  if (tensors_only) count = 1;
  if (!ok || cs == NULL) {
    gf_free_cases(cs, count);
    return 0;
  }
  *cases = cs;
  *n = count;
  return 1;
}

int gf_read_cases(const char *path, gf_case **cases, int *n) { return read_file(path, cases, n, 0); }

int gf_read_tensors(const char *path, gf_case *c) {
  gf_case *cs = NULL;
  int n = 0;
  if (!read_file(path, &cs, &n, 1)) return 0;
  *c = cs[0];
  free(cs);
  return 1;
}

void gf_free_cases(gf_case *cases, int n) {
  for (int i = 0; cases && i < n; ++i)
    for (int k = 0; k < cases[i].n_t; ++k) free(cases[i].t[k].v);
  free(cases);
}

const gf_tensor *gf_find(const gf_case *c, const char *name) {
  for (int k = 0; k < c->n_t; ++k)
    if (strcmp(c->t[k].name, name) == 0) return &c->t[k];
  return NULL;
}

float *gf_floats(const gf_tensor *t) {
  float *f = malloc((size_t)(t->n > 0 ? t->n : 1) * sizeof *f);
  for (int64_t i = 0; f && i < t->n; ++i) f[i] = (float)t->v[i];
  return f;
}

static double relerr(const float *af, const double *ad, const double *b, int64_t n) {
  double mx = 0.0, err = 0.0;
  for (int64_t i = 0; i < n; ++i) mx = fmax(mx, fabs(b[i]));
  if (mx == 0.0) mx = 1.0;
  for (int64_t i = 0; i < n; ++i) {
    const double a = af ? (double)af[i] : ad[i], e = fabs(a - b[i]) / fmax(fabs(b[i]), GF_FLOOR * mx);
    if (e != e) return e; /* NaN */
    if (e > err) err = e;
  }
  return err;
}

double gf_relerr_f(const float *a, const double *b, int64_t n) { return relerr(a, NULL, b, n); }
double gf_relerr_d(const double *a, const double *b, int64_t n) { return relerr(NULL, a, b, n); }

int gf_build(const gf_case *c, cb_graph **out, int *ids, int *y) {
  cb_graph *g = NULL;
  if (cb_graph_create(&g) != CB_OK) return 0;
  int ok = 1;
  for (int k = 0; ok && k < c->n_in; ++k) {
    const int is_int = c->in[k][0] == '#';
    const gf_tensor *t = gf_find(c, c->in[k] + is_int);
    if (t == NULL) {
      ok = 0;
    } else if (k < c->rt) {
      ok = cb_graph_input(g, t->name, t->ndim, t->shape, &ids[k]) == CB_OK;
    } else if (is_int) {
      int64_t v[CB_GRAPH_MAX_DIMS];
      for (int64_t i = 0; i < t->n && i < CB_GRAPH_MAX_DIMS; ++i) v[i] = (int64_t)t->v[i];
      ok = cb_graph_const(g, t->name, CB_DT_INT64, t->ndim, t->shape, v, &ids[k]) == CB_OK;
    } else {
      float *f = gf_floats(t);
      ok = f && cb_graph_const(g, t->name, CB_DT_FLOAT, t->ndim, t->shape, f, &ids[k]) == CB_OK;
      free(f);
    }
  }
  const char *outs[1] = {"y"};
  ok = ok && cb_graph_node(g, c->name, c->op, c->n_attr, c->attr, c->n_in, ids, 1, outs, y) == CB_OK;
  ok = ok && cb_graph_mark_output(g, *y) == CB_OK && cb_graph_finish(g) == CB_OK;
  if (!ok) {
    cb_graph_destroy(&g);
    return 0;
  }
  *out = g;
  return 1;
}

/* cb_act_names.c - variable and dimension names of activations files v2. */
#include "cb_act_names.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_strbuf.h"

void cb_act_names_destroy(cb_act_names **p) {
  if (p == NULL || *p == NULL) return;
  cb_act_names *a = *p;
  for (int l = 0; l < a->n_layers && a->var; ++l) free(a->var[l]);
  for (int d = 0; d < a->n_dims && a->dim_name; ++d) free(a->dim_name[d]);
  free(a->var);
  free(a->shape);
  free(a->dim_id);
  free(a->dim_name);
  free(a->dim_size);
  free(a);
  *p = NULL;
}

/* Index of dimension (name) of the given size, added when new; -1 on NOMEM. */
static int dim_index(cb_act_names *a, int *cap, const char *name, int64_t size) {
  for (int d = 0; d < a->n_dims; ++d)
    if (!strcmp(a->dim_name[d], name)) return d;
  if (a->n_dims == *cap) {
    int c = *cap ? 2 * *cap : 8;
    char **nn = realloc(a->dim_name, (size_t)c * sizeof *nn);
    if (nn) a->dim_name = nn;
    int64_t *ns = realloc(a->dim_size, (size_t)c * sizeof *ns);
    if (ns) a->dim_size = ns;
    if (!nn || !ns) return -1;
    *cap = c;
  }
  if (!(a->dim_name[a->n_dims] = cb_strdup(name))) return -1;
  a->dim_size[a->n_dims] = size;
  return a->n_dims++;
}

static int taken(const cb_act_names *a, int l, const char *name) {
  if (!strcmp(name, "stimulus_id")) return 1;
  for (int d = 0; d < a->n_dims; ++d)
    if (!strcmp(a->dim_name[d], name)) return 1;
  for (int k = 0; k < l; ++k)
    if (!strcmp(a->var[k], name)) return 1;
  return 0;
}

/* The netCDF-valid form of a layer name (see cb_act_names.h), unique. */
static cb_status var_name(const cb_act_names *a, int l, const char *layer, char **out) {
  cb_strbuf b = {0};
  cb_status st = CB_OK;
  size_t len = strlen(layer), keep = len;
  while (keep > 0 && layer[keep - 1] == ' ') --keep; /* netCDF: no trailing blanks */
  for (size_t i = 0; st == CB_OK && i < len; ++i) {
    unsigned char c = (unsigned char)layer[i];
    char ch[2] = {(c == '/' || c < 0x20 || c >= 0x7f || i >= keep) ? '_' : (char)c, '\0'};
    st = cb_strbuf_append(&b, ch);
  }
  unsigned char c0 = b.data ? (unsigned char)b.data[0] : '_';
  int ok_first = (c0 >= 'a' && c0 <= 'z') || (c0 >= 'A' && c0 <= 'Z') || (c0 >= '0' && c0 <= '9') || c0 == '_';
  if (st == CB_OK && !ok_first) { /* prefix '_' */
    cb_strbuf p = {0};
    st = cb_strbuf_append(&p, "_");
    if (st == CB_OK) st = cb_strbuf_append(&p, b.data);
    cb_strbuf_free(&b);
    b = p;
  }
  char *base = b.data ? b.data : cb_strdup("_");
  if (st != CB_OK || base == NULL) {
    cb_strbuf_free(&b);
    return CB_ERROR(CB_ERR_NOMEM, "out of memory");
  }
  char *name = cb_strdup(base);
  for (int k = 2; name && taken(a, l, name); ++k) {
    free(name);
    size_t n = strlen(base) + 24;
    name = malloc(n);
    if (name) snprintf(name, n, "%s_%d", base, k);
  }
  free(base);
  if (name == NULL) return CB_ERROR(CB_ERR_NOMEM, "out of memory");
  *out = name;
  return CB_OK;
}

static cb_status layer_shape(const cb_act_shape *given, const char *layer, int64_t features, cb_act_shape *s) {
  memset(s, 0, sizeof *s);
  if (given == NULL || given->ndim == 0) {
    s->ndim = 1;
    s->dims[0] = features;
    s->role[0] = "feature";
    return CB_OK;
  }
  if (given->ndim < 0 || given->ndim > CB_ACT_MAX_DIMS)
    return CB_ERROR(CB_ERR_ARG, "layer '%s': %d dimensions per stimulus (at most %d)", layer, given->ndim,
                    CB_ACT_MAX_DIMS);
  int64_t p = 1;
  for (int k = 0; k < given->ndim; ++k) p = given->dims[k] < 0 ? -1 : p * given->dims[k];
  if (p != features)
    return CB_ERROR(CB_ERR_ARG, "layer '%s': shape has %lld elements, not the %lld features", layer, (long long)p,
                    (long long)features);
  *s = *given;
  return CB_OK;
}

cb_status cb_act_names_create(int n_layers, const char *const *layer_names, const int64_t *features,
                              const cb_act_shape *shapes, cb_act_names **out) {
  cb_status st = CB_OK;
  int cap = 0;
  size_t nl = (size_t)(n_layers > 0 ? n_layers : 1);
  cb_act_names *a = calloc(1, sizeof *a);
  CB_ALLOC_GOTO(a, st, fail);
  a->var = calloc(nl, sizeof *a->var);
  a->shape = calloc(nl, sizeof *a->shape);
  a->dim_id = calloc(nl, sizeof *a->dim_id);
  CB_ALLOC_GOTO(a->var, st, fail);
  CB_ALLOC_GOTO(a->shape, st, fail);
  CB_ALLOC_GOTO(a->dim_id, st, fail);
  a->n_layers = n_layers;
  /* All dimensions first: a variable never takes a dimension's name. */
  for (int l = 0; l < n_layers; ++l) {
    cb_act_shape *s = &a->shape[l];
    CB_CHECK_GOTO(layer_shape(shapes ? &shapes[l] : NULL, layer_names[l], features[l], s), st, fail);
    for (int k = 0; k < s->ndim; ++k) {
      char name[64];
      if (s->role[k])
        snprintf(name, sizeof name, "%s_%lld", s->role[k], (long long)s->dims[k]);
      else
        snprintf(name, sizeof name, "dim%d_%lld", k + 1, (long long)s->dims[k]);
      a->dim_id[l][k] = dim_index(a, &cap, name, s->dims[k]);
      if (a->dim_id[l][k] < 0) {
        st = CB_ERROR(CB_ERR_NOMEM, "out of memory");
        goto fail;
      }
    }
  }
  for (int l = 0; l < n_layers; ++l) CB_CHECK_GOTO(var_name(a, l, layer_names[l], &a->var[l]), st, fail);
  *out = a;
  return CB_OK;
fail:
  cb_act_names_destroy(&a);
  return st;
}

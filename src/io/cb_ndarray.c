/* cb_ndarray.c - plain n-d double arrays. */
#include "cb_ndarray.h"

#include <stdio.h>
#include <stdlib.h>

#include "cb_isolate.h"
#include "cb_mem.h"

cb_status cb_ndarray_create(int ndim, const int64_t *shape, cb_ndarray **out) {
  if (ndim < 1 || ndim > CB_NDARRAY_MAX_DIMS || !shape || !out)
    return CB_ERROR(CB_ERR_ARG, "array: %d dimensions (1..%d supported)", ndim, CB_NDARRAY_MAX_DIMS);
  int64_t size = 1;
  for (int d = 0; d < ndim; ++d) {
    if (shape[d] < 0 || (shape[d] > 0 && size > ((int64_t)1 << 40) / shape[d]))
      return CB_ERROR(CB_ERR_UNSUPPORTED, "array: invalid or too large shape");
    size *= shape[d];
  }
  /* In an isolated reader the array exists 4 times at once (cb_isolate.h). */
  CB_CHECK(cb_mem_check(cb_mem_product((uint64_t)size, sizeof(double), (uint64_t)cb_isolate_copies(), 1),
                        "array of %lld values (float64)", (long long)size));
  cb_ndarray *a = calloc(1, sizeof *a);
  double *data = calloc((size_t)(size > 0 ? size : 1), sizeof *data);
  if (!a || !data) {
    free(a);
    free(data);
    return CB_ERROR(CB_ERR_NOMEM, "array: out of memory for %lld values", (long long)size);
  }
  a->ndim = ndim;
  for (int d = 0; d < ndim; ++d) a->shape[d] = shape[d];
  a->data = data;
  *out = a;
  return CB_OK;
}

int64_t cb_ndarray_size(const cb_ndarray *a) {
  if (!a) return 0;
  int64_t s = 1;
  for (int d = 0; d < a->ndim; ++d) s *= a->shape[d];
  return s;
}

void cb_ndarray_destroy(cb_ndarray **a) {
  if (!a || !*a) return;
  free((*a)->data);
  free(*a);
  *a = NULL;
}

const char *cb_ndarray_shape_str(const cb_ndarray *a, char *buf, int n) {
  int k = snprintf(buf, (size_t)n, "(");
  for (int d = 0; a && d < a->ndim && k < n; ++d)
    k += snprintf(buf + k, (size_t)(n - k), "%s%lld", d ? ", " : "", (long long)a->shape[d]);
  if (k < n) snprintf(buf + k, (size_t)(n - k), ")");
  return buf;
}

void cb_ndarray_put(cb_wire *w, const cb_ndarray *a) {
  cb_wire_put_i64(w, a->ndim);
  for (int d = 0; d < a->ndim; ++d) cb_wire_put_i64(w, a->shape[d]);
  cb_wire_put_f64s(w, a->data, cb_ndarray_size(a));
}

cb_status cb_ndarray_get(cb_wire *w, const char *path, cb_ndarray **out) {
  int64_t nd = 0, shape[CB_NDARRAY_MAX_DIMS] = {0};
  double size = 1;
  int ok = cb_wire_get_count(w, 1, CB_NDARRAY_MAX_DIMS, &nd);
  for (int d = 0; ok && d < nd; ++d) {
    ok = cb_wire_get_count(w, 0, INT64_C(1) << 40, &shape[d]);
    size *= (double)shape[d];
  }
  cb_ndarray *a = NULL;
  if (ok && size * 8.0 == (double)cb_wire_left(w) && cb_ndarray_create((int)nd, shape, &a) == CB_OK &&
      cb_wire_get_bytes(w, a->data, (size_t)cb_ndarray_size(a) * sizeof *a->data)) {
    *out = a;
    return CB_OK;
  }
  cb_ndarray_destroy(&a);
  return CB_ERROR(CB_ERR_FORMAT, "%s: corrupt or unsupported HDF5 file (malformed reply from the reading process)",
                  path);
}

typedef struct read_args {
  cb_ndarray_reader read;
  const char *path, *var;
} read_args;

static cb_status read_child(void *arg, cb_wire *w) {
  const read_args *r = arg;
  cb_ndarray *a = NULL;
  CB_CHECK(r->read(r->path, r->var, &a));
  cb_ndarray_put(w, a);
  cb_ndarray_destroy(&a);
  return CB_OK;
}

cb_status cb_ndarray_read_isolated(cb_ndarray_reader read, const char *path, const char *var, cb_ndarray **out) {
  read_args r = {read, path, var};
  cb_wire w;
  CB_CHECK(cb_isolate_call(path, read_child, &r, &w));
  cb_status st = cb_ndarray_get(&w, path, out);
  cb_wire_free(&w);
  return st;
}

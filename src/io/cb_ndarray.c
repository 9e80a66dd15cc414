/* cb_ndarray.c - plain n-d double arrays. */
#include "cb_ndarray.h"

#include <stdio.h>
#include <stdlib.h>

cb_status cb_ndarray_create(int ndim, const int64_t *shape, cb_ndarray **out) {
  if (ndim < 1 || ndim > CB_NDARRAY_MAX_DIMS || !shape || !out)
    return CB_ERROR(CB_ERR_ARG, "array: %d dimensions (1..%d supported)", ndim, CB_NDARRAY_MAX_DIMS);
  int64_t size = 1;
  for (int d = 0; d < ndim; ++d) {
    if (shape[d] < 0 || (shape[d] > 0 && size > ((int64_t)1 << 40) / shape[d]))
      return CB_ERROR(CB_ERR_UNSUPPORTED, "array: invalid or too large shape");
    size *= shape[d];
  }
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

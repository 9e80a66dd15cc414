#include "cb_tensor.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cb_size_mul(int64_t a, int64_t b, int64_t limit, int64_t *out) {
  if (a < 0 || b < 0 || limit < 0) return 0;
  if (a != 0 && b > limit / a) return 0; /* then a * b <= limit */
  *out = a * b;
  return 1;
}

/* "[1, 3, 8, 8]" into buf (at most the first 16 dimensions). */
static const char *shape_text(int ndim, const int64_t *shape, char *buf, size_t n) {
  size_t used = (size_t)snprintf(buf, n, "[");
  for (int d = 0; d < ndim && d < 16 && used < n; ++d)
    used += (size_t)snprintf(buf + used, n - used, "%s%lld", d ? ", " : "", (long long)shape[d]);
  if (used < n) snprintf(buf + used, n - used, "%s]", ndim > 16 ? ", ..." : "");
  return buf;
}

cb_status cb_shape_numel(int ndim, const int64_t *shape, int64_t *numel) {
  char buf[256];
  if (ndim < 0 || (ndim > 0 && shape == NULL)) return CB_ERROR(CB_ERR_INTERNAL, "shape of %d dimensions without values", ndim);
  int64_t nonzero = 1;
  int empty = 0;
  for (int d = 0; d < ndim; ++d) {
    if (shape[d] < 0)
      return CB_ERROR(CB_ERR_FORMAT, "dimension %d is negative in shape %s", d, shape_text(ndim, shape, buf, sizeof buf));
    if (shape[d] == 0) {
      empty = 1;
      continue;
    }
    if (!cb_size_mul(nonzero, shape[d], CB_TENSOR_MAX_NUMEL, &nonzero))
      return CB_ERROR(CB_ERR_FORMAT, "shape %s has more than %lld elements (the largest tensor supported)",
                      shape_text(ndim, shape, buf, sizeof buf), (long long)CB_TENSOR_MAX_NUMEL);
  }
  *numel = empty ? 0 : nonzero;
  return CB_OK;
}

static cb_status check_shape(int ndim, const int64_t *shape) {
  if (ndim < 0 || ndim > CB_MAX_DIMS)
    return CB_ERROR(CB_ERR_ARG, "tensor rank %d outside [0, %d]", ndim, CB_MAX_DIMS);
  int64_t n;
  if (cb_shape_numel(ndim, shape, &n) != CB_OK) { /* a caller's shape: an argument error here */
    char msg[512];
    snprintf(msg, sizeof msg, "%s", cb_error_message());
    return CB_ERROR(CB_ERR_ARG, "tensor: %s", msg);
  }
  return CB_OK;
}

cb_status cb_tensor_create(int ndim, const int64_t *shape, cb_tensor **out) {
  CB_CHECK(check_shape(ndim, shape));
  cb_tensor *t = calloc(1, sizeof *t);
  if (!t) return CB_ERROR(CB_ERR_NOMEM, "out of memory for a tensor header");
  t->ndim = ndim;
  memcpy(t->shape, shape, (size_t)ndim * sizeof *shape);
  int64_t n = cb_tensor_numel(t);
  t->data = calloc((size_t)(n > 0 ? n : 1), sizeof(float));
  if (!t->data) {
    free(t);
    return CB_ERROR(CB_ERR_NOMEM, "out of memory for a tensor of %lld floats", (long long)n);
  }
  t->owns = 1;
  *out = t;
  return CB_OK;
}

cb_status cb_tensor_wrap(int ndim, const int64_t *shape, float *data, cb_tensor **out) {
  CB_CHECK(check_shape(ndim, shape));
  cb_tensor *t = calloc(1, sizeof *t);
  if (!t) return CB_ERROR(CB_ERR_NOMEM, "out of memory for a tensor header");
  t->ndim = ndim;
  memcpy(t->shape, shape, (size_t)ndim * sizeof *shape);
  t->data = data;
  t->owns = 0;
  *out = t;
  return CB_OK;
}

void cb_tensor_destroy(cb_tensor **t) {
  if (!t || !*t) return;
  if ((*t)->owns) free((*t)->data);
  free(*t);
  *t = NULL;
}

int64_t cb_tensor_numel(const cb_tensor *t) { return cb_tensor_inner(t, 0); }

int64_t cb_tensor_inner(const cb_tensor *t, int from) {
  int64_t n = 1;
  for (int i = from; i < t->ndim; ++i) n *= t->shape[i];
  return n;
}

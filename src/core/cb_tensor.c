#include "cb_tensor.h"

#include <stdlib.h>
#include <string.h>

static cb_status check_shape(int ndim, const int64_t *shape) {
  if (ndim < 0 || ndim > CB_MAX_DIMS)
    return CB_ERROR(CB_ERR_ARG, "tensor rank %d outside [0, %d]", ndim, CB_MAX_DIMS);
  for (int i = 0; i < ndim; ++i)
    if (shape[i] < 0) return CB_ERROR(CB_ERR_ARG, "negative tensor dimension %lld", (long long)shape[i]);
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

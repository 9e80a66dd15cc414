/* cb_tensor.h - dense float32 tensors in C order (NCHW for images). */
#ifndef CB_TENSOR_H
#define CB_TENSOR_H

#include <stdint.h>

#include "cb_status.h"

#define CB_MAX_DIMS 6

typedef struct cb_tensor {
  int ndim;
  int64_t shape[CB_MAX_DIMS]; /* (shape[0], ..., shape[ndim-1]) */
  float *data;                /* (numel) contiguous, C order */
  int owns;                   /* 1 when destroy must free data */
} cb_tensor;

/* Zero-filled tensor of the given shape. */
cb_status cb_tensor_create(int ndim, const int64_t *shape, cb_tensor **out);
/* Tensor header over caller-owned memory (not freed by destroy). */
cb_status cb_tensor_wrap(int ndim, const int64_t *shape, float *data, cb_tensor **out);
void cb_tensor_destroy(cb_tensor **t);
int64_t cb_tensor_numel(const cb_tensor *t);
/* Product of shape[from..ndim-1] (1 for from >= ndim). */
int64_t cb_tensor_inner(const cb_tensor *t, int from);

#endif

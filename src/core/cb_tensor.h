/* cb_tensor.h - dense float32 tensors in C order (NCHW for images). */
#ifndef CB_TENSOR_H
#define CB_TENSOR_H

#include <stdint.h>

#include "cb_status.h"

#define CB_MAX_DIMS 6

/* The largest tensor cortexbench handles: 2^28 = 268 435 456 elements
 * (1 GiB of float32, 2 GiB of int64). Every shape read from a file or
 * inferred from one is checked against it with cb_shape_numel, so that
 * element counts, byte sizes (numel * 8), strides and int casts of
 * dimensions cannot overflow, and no single tensor of a malformed model
 * asks for more memory than that. Far above any network cortexbench runs
 * (VGG-16's largest weight has 1.0e8 elements; an ONNX file without
 * external data holds at most 2 GiB). The bound is on the product of the
 * nonzero dimensions: a shape such as [0, 2^40, 2^40] (0 elements) is
 * refused too, since its strides would not fit. */
#define CB_TENSOR_MAX_NUMEL (INT64_C(1) << 28)

/* The one checked multiply for element counts and byte sizes: *out = a * b
 * and 1 when a >= 0, b >= 0 and a * b <= limit; 0 otherwise (*out
 * untouched). Never overflows, whatever the arguments. */
int cb_size_mul(int64_t a, int64_t b, int64_t limit, int64_t *out);

/* Element count of a shape of ndim (>= 0) dimensions: CB_OK and *numel, or
 * CB_ERR_FORMAT with the message "dimension D is negative in shape [..]" or
 * "shape [..] has more than 268435456 elements (CB_TENSOR_MAX_NUMEL)",
 * which callers prefix with the tensor's name (cb_error_prefix). */
cb_status cb_shape_numel(int ndim, const int64_t *shape, int64_t *numel);

typedef struct cb_tensor {
  int ndim;
  int64_t shape[CB_MAX_DIMS]; /* (shape[0], ..., shape[ndim-1]) */
  float *data;                /* (numel) contiguous, C order */
  int owns;                   /* 1 when destroy must free data */
} cb_tensor;

/* Zero-filled tensor of the given shape (checked with cb_shape_numel). */
cb_status cb_tensor_create(int ndim, const int64_t *shape, cb_tensor **out);
/* Tensor header over caller-owned memory (not freed by destroy). */
cb_status cb_tensor_wrap(int ndim, const int64_t *shape, float *data, cb_tensor **out);
void cb_tensor_destroy(cb_tensor **t);
int64_t cb_tensor_numel(const cb_tensor *t);
/* Product of shape[from..ndim-1] (1 for from >= ndim). */
int64_t cb_tensor_inner(const cb_tensor *t, int from);

#endif

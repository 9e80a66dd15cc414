/* cb_ndarray.h - an n-dimensional array of doubles read from a foreign file
 * (.npy, .mat, CSV) before it becomes an assembly or an RDM. */
#ifndef CB_NDARRAY_H
#define CB_NDARRAY_H

#include <stdint.h>

#include "cb_status.h"

#define CB_NDARRAY_MAX_DIMS 8

typedef struct cb_ndarray {
  int ndim;
  int64_t shape[CB_NDARRAY_MAX_DIMS];
  double *data; /* (shape[0], ..., shape[ndim-1]) C order (last index fastest) */
} cb_ndarray;

/* Zero-filled array of the given shape (ndim 1..CB_NDARRAY_MAX_DIMS). */
cb_status cb_ndarray_create(int ndim, const int64_t *shape, cb_ndarray **out);
int64_t cb_ndarray_size(const cb_ndarray *a);
void cb_ndarray_destroy(cb_ndarray **a);
/* "(50, 640, 10)" into buf. */
const char *cb_ndarray_shape_str(const cb_ndarray *a, char *buf, int n);

#endif

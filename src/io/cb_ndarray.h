/* cb_ndarray.h - an n-dimensional array of doubles read from a foreign file
 * (.npy, .mat, CSV) before it becomes an assembly or an RDM. */
#ifndef CB_NDARRAY_H
#define CB_NDARRAY_H

#include <stdint.h>

#include "cb_status.h"
#include "cb_wire.h"

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

/* Serialization for cb_isolate: ndim, shape, data. `get` checks every
 * count against the bytes left; CB_ERR_FORMAT naming `path` on a bad buffer. */
void cb_ndarray_put(cb_wire *w, const cb_ndarray *a);
cb_status cb_ndarray_get(cb_wire *w, const char *path, cb_ndarray **out);

/* Runs read(path, var, out) in an isolated child (cb_isolate) and decodes
 * its result: for readers that call libhdf5 on a user-supplied file. */
typedef cb_status (*cb_ndarray_reader)(const char *path, const char *var, cb_ndarray **out);
cb_status cb_ndarray_read_isolated(cb_ndarray_reader read, const char *path, const char *var, cb_ndarray **out);

#endif

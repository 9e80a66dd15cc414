/* cb_idx.h - IDX files (the MNIST / Fashion-MNIST format), plain or gzipped.
 *
 * Layout (big-endian): 0x00 0x00, a type byte (only 0x08, unsigned bytes, is read), the number of dimensions
 * (1 to CB_IDX_MAX_DIMS), one uint32 per dimension, then prod(dims) bytes, nothing after. A file that breaks any
 * of this is refused with one line naming it ("PATH: not an IDX file (...)"). */
#ifndef CB_IDX_H
#define CB_IDX_H

#include <stdint.h>

#include "cb_status.h"

#define CB_IDX_MAX_DIMS 4

typedef struct cb_idx {
  int ndim;
  int64_t dims[CB_IDX_MAX_DIMS]; /* (ndim) e.g. (60000, 28, 28) images, (60000) labels */
  int64_t numel;
  uint8_t *data; /* (numel) C order, owned */
} cb_idx;

/* Reads path (gzip-compressed or not, told by its bytes); *out written on success only. */
cb_status cb_idx_read(const char *path, cb_idx **out);
void cb_idx_destroy(cb_idx **x);

/* A labelled image set from an images file ((n, h, w) bytes) and a labels file ((n) bytes, each < classes):
 * checks that they agree (same n; labels in [0, classes)), naming the file that is wrong. */
typedef struct cb_idx_set {
  int64_t n;
  int h, w;
  uint8_t *pixels; /* (n, h, w) owned */
  int *labels;     /* (n) owned */
} cb_idx_set;
cb_status cb_idx_set_read(const char *images, const char *labels, int classes, cb_idx_set **out);
void cb_idx_set_destroy(cb_idx_set **s);

#endif

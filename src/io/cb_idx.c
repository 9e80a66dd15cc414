/* cb_idx.c - IDX reader (gzip through zlib's gzread, which also reads uncompressed files). */
#include "cb_idx.h"

#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "cb_fs.h"
#include "cb_tensor.h"

void cb_idx_destroy(cb_idx **x) {
  if (x == NULL || *x == NULL) return;
  free((*x)->data);
  free(*x);
  *x = NULL;
}

/* Reads exactly n bytes; 1 on success. */
static int read_full(gzFile f, void *p, size_t n) {
  uint8_t *b = p;
  while (n > 0) {
    unsigned chunk = n > (1u << 30) ? (1u << 30) : (unsigned)n;
    int got = gzread(f, b, chunk);
    if (got <= 0) return 0;
    b += got;
    n -= (size_t)got;
  }
  return 1;
}

/* Header: magic, type, dims; fills x (not its data). */
static cb_status read_header(gzFile f, const char *path, cb_idx *x) {
  uint8_t h[4];
  if (!read_full(f, h, 4)) return CB_ERROR(CB_ERR_FORMAT, "%s: not an IDX file (shorter than its 4-byte header)", path);
  if (h[0] != 0 || h[1] != 0)
    return CB_ERROR(CB_ERR_FORMAT, "%s: not an IDX file (magic %02x %02x, expected 00 00)", path, h[0], h[1]);
  if (h[2] != 0x08)
    return CB_ERROR(CB_ERR_FORMAT, "%s: IDX element type 0x%02x unsupported (0x08, unsigned bytes, only)", path, h[2]);
  if (h[3] < 1 || h[3] > CB_IDX_MAX_DIMS)
    return CB_ERROR(CB_ERR_FORMAT, "%s: not an IDX file (%d dimensions, 1 to %d supported)", path, h[3], CB_IDX_MAX_DIMS);
  x->ndim = h[3];
  x->numel = 1;
  for (int d = 0; d < x->ndim; ++d) {
    uint8_t b[4];
    if (!read_full(f, b, 4)) return CB_ERROR(CB_ERR_FORMAT, "%s: not an IDX file (truncated header)", path);
    x->dims[d] = ((int64_t)b[0] << 24) | ((int64_t)b[1] << 16) | ((int64_t)b[2] << 8) | b[3];
    if (x->dims[d] <= 0 || x->numel > CB_TENSOR_MAX_NUMEL / x->dims[d])
      return CB_ERROR(CB_ERR_FORMAT, "%s: not an IDX file (dimension %d is %lld)", path, d, (long long)x->dims[d]);
    x->numel *= x->dims[d];
  }
  return CB_OK;
}

cb_status cb_idx_read(const char *path, cb_idx **out) {
  if (path == NULL || out == NULL) return CB_ERROR(CB_ERR_ARG, "IDX read: NULL argument");
  CB_CHECK(cb_file_check_regular(path));
  gzFile f = gzopen(path, "rb");
  if (f == NULL) return CB_ERROR(CB_ERR_IO, "%s: cannot open", path);
  cb_status st = CB_OK;
  cb_idx *x = calloc(1, sizeof *x);
  if (x == NULL) {
    st = CB_ERROR(CB_ERR_NOMEM, "%s: out of memory", path);
    goto done;
  }
  CB_CHECK_GOTO(read_header(f, path, x), st, done);
  if ((x->data = malloc((size_t)x->numel)) == NULL) {
    st = CB_ERROR(CB_ERR_NOMEM, "%s: out of memory (%lld bytes)", path, (long long)x->numel);
    goto done;
  }
  if (!read_full(f, x->data, (size_t)x->numel)) {
    int err = 0;
    const char *msg = gzerror(f, &err);
    st = CB_ERROR(CB_ERR_FORMAT, "%s: truncated IDX file (%lld data bytes expected%s%s)", path, (long long)x->numel,
                  err < 0 ? ", " : "", err < 0 ? msg : "");
    goto done;
  }
  uint8_t extra;
  if (gzread(f, &extra, 1) != 0) {
    st = CB_ERROR(CB_ERR_FORMAT, "%s: not an IDX file (bytes after the %lld its header declares)", path, (long long)x->numel);
    goto done;
  }
  *out = x;
  x = NULL;
done:
  cb_idx_destroy(&x);
  gzclose(f);
  return st;
}

void cb_idx_set_destroy(cb_idx_set **s) {
  if (s == NULL || *s == NULL) return;
  free((*s)->pixels);
  free((*s)->labels);
  free(*s);
  *s = NULL;
}

/* Moves the checked images and labels into a new set. */
static cb_status make_set(cb_idx *im, const cb_idx *lb, cb_idx_set **out) {
  cb_idx_set *s = calloc(1, sizeof *s);
  int *labels = malloc((size_t)lb->numel * sizeof *labels);
  if (s == NULL || labels == NULL) {
    free(s);
    free(labels);
    return CB_ERROR(CB_ERR_NOMEM, "IDX set: out of memory");
  }
  for (int64_t i = 0; i < lb->numel; ++i) labels[i] = lb->data[i];
  s->n = im->dims[0], s->h = (int)im->dims[1], s->w = (int)im->dims[2];
  s->pixels = im->data;
  im->data = NULL;
  s->labels = labels;
  *out = s;
  return CB_OK;
}

cb_status cb_idx_set_read(const char *images, const char *labels, int classes, cb_idx_set **out) {
  if (images == NULL || labels == NULL || out == NULL) return CB_ERROR(CB_ERR_ARG, "IDX set: NULL argument");
  cb_idx *im = NULL, *lb = NULL;
  cb_status st = CB_OK;
  CB_CHECK_GOTO(cb_idx_read(images, &im), st, done);
  CB_CHECK_GOTO(cb_idx_read(labels, &lb), st, done);
  if (im->ndim != 3) {
    st = CB_ERROR(CB_ERR_FORMAT, "%s: IDX images must have 3 dimensions (n, h, w), not %d", images, im->ndim);
  } else if (lb->ndim != 1 || lb->dims[0] != im->dims[0]) {
    st = CB_ERROR(CB_ERR_FORMAT, "%s: %lld labels in %d dimension(s), but %s holds %lld images", labels,
                  (long long)lb->dims[0], lb->ndim, images, (long long)im->dims[0]);
  } else {
    for (int64_t i = 0; i < lb->numel && st == CB_OK; ++i)
      if (lb->data[i] >= classes)
        st = CB_ERROR(CB_ERR_FORMAT, "%s: label %d of image %lld is not in [0, %d)", labels, lb->data[i], (long long)i, classes);
  }
  if (st == CB_OK) st = make_set(im, lb, out);
done:
  cb_idx_destroy(&im);
  cb_idx_destroy(&lb);
  return st;
}

/* cb_npy.c - .npy header parser and value conversion. */
#include "cb_npy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_fs.h"

int cb_npy_sniff(const unsigned char *head, size_t n) { return n >= 6 && memcmp(head, "\x93NUMPY", 6) == 0; }

/* Value of key `key` in the header dict: pointer just after "'key':" and spaces. */
static const char *dict_value(const char *hdr, const char *key) {
  char pat[32];
  snprintf(pat, sizeof pat, "'%s'", key);
  const char *p = strstr(hdr, pat);
  if (!p) {
    snprintf(pat, sizeof pat, "\"%s\"", key);
    p = strstr(hdr, pat);
  }
  if (!p) return NULL;
  p += strlen(pat);
  while (*p == ' ') ++p;
  if (*p != ':') return NULL;
  ++p;
  while (*p == ' ') ++p;
  return p;
}

static int host_little(void) {
  const uint16_t one = 1;
  return *(const uint8_t *)&one == 1;
}

/* Reads element k of kind/size from raw bytes (swapping when asked). */
static double convert(const unsigned char *p, char kind, int size, int swap) {
  unsigned char b[8];
  for (int i = 0; i < size; ++i) b[i] = swap ? p[size - 1 - i] : p[i];
  switch (kind) {
  case 'f':
    if (size == 4) {
      float f;
      memcpy(&f, b, 4);
      return f;
    } else {
      double d;
      memcpy(&d, b, 8);
      return d;
    }
  case 'i':
    if (size == 1) return (int8_t)b[0];
    if (size == 2) { int16_t v; memcpy(&v, b, 2); return v; }
    if (size == 4) { int32_t v; memcpy(&v, b, 4); return v; }
    { int64_t v; memcpy(&v, b, 8); return (double)v; }
  case 'u':
  case 'b':
    if (size == 1) return b[0];
    if (size == 2) { uint16_t v; memcpy(&v, b, 2); return v; }
    if (size == 4) { uint32_t v; memcpy(&v, b, 4); return v; }
    { uint64_t v; memcpy(&v, b, 8); return (double)v; }
  }
  return 0.0;
}

/* Header length and offset from the magic and version bytes of the whole file u (len). */
static cb_status header_span(const char *path, const unsigned char *u, size_t len, size_t *hstart, size_t *hlen) {
  if (!cb_npy_sniff(u, len) || len < 10)
    return CB_ERROR(CB_ERR_FORMAT, "%s: not a .npy file (no \\x93NUMPY magic)", path);
  int major = u[6];
  if (major == 1) {
    *hlen = (size_t)u[8] | (size_t)u[9] << 8;
    *hstart = 10;
  } else if (major == 2 || major == 3) {
    if (len < 12) return CB_ERROR(CB_ERR_FORMAT, "%s: truncated .npy header", path);
    *hlen = (size_t)u[8] | (size_t)u[9] << 8 | (size_t)u[10] << 16 | (size_t)u[11] << 24;
    *hstart = 12;
  } else {
    return CB_ERROR(CB_ERR_UNSUPPORTED, "%s: .npy format version %d.%d is not supported", path, major, u[7]);
  }
  if (*hstart + *hlen > len)
    return CB_ERROR(CB_ERR_FORMAT, "%s: truncated .npy header (%zu bytes announced, %zu in file)", path, *hlen,
                    len - *hstart);
  return CB_OK;
}

/* descr: '<f8' etc. into byte order, kind and item size. */
static cb_status parse_descr(const char *path, const char *descr, char *endian, char *kind, int *size) {
  char q = descr[0];
  const char *de = strchr(descr + 1, q);
  size_t dl = de ? (size_t)(de - descr - 1) : 0;
  *endian = dl >= 3 ? descr[1] : 0;
  *kind = dl >= 3 ? descr[2] : 0;
  *size = dl >= 3 ? atoi(descr + 3) : 0;
  const char k = *kind;
  const int sz = *size;
  int ok_kind = (k == 'f' && (sz == 4 || sz == 8)) ||
                ((k == 'i' || k == 'u') && (sz == 1 || sz == 2 || sz == 4 || sz == 8)) || (k == 'b' && sz == 1);
  if (dl < 3 || dl > 4 || !strchr("<>|=", *endian) || !ok_kind)
    return CB_ERROR(CB_ERR_UNSUPPORTED, "%s: .npy dtype %.*s is not supported (numeric f4/f8/i*/u*/b1 only)", path,
                    (int)(dl < 16 ? dl : 16), descr + 1);
  return CB_OK;
}

static cb_status parse_fortran(const char *path, const char *fo, int *fortran) {
  if (strncmp(fo, "True", 4) == 0)
    *fortran = 1;
  else if (strncmp(fo, "False", 5) == 0)
    *fortran = 0;
  else
    return CB_ERROR(CB_ERR_FORMAT, "%s: malformed fortran_order in .npy header", path);
  return CB_OK;
}

/* shape: "(a, b, ...)" into dims (ndim); a scalar "()" is one element. */
static cb_status parse_shape(const char *path, const char *shape, int64_t dims[CB_NDARRAY_MAX_DIMS], int *ndim) {
  int nd = 0;
  const char *p = shape + 1;
  for (;;) {
    while (*p == ' ' || *p == ',') ++p;
    if (*p == ')') break;
    char *end = NULL;
    long long v = strtoll(p, &end, 10);
    if (end == p || v < 0 || nd == CB_NDARRAY_MAX_DIMS)
      return CB_ERROR(nd == CB_NDARRAY_MAX_DIMS ? CB_ERR_UNSUPPORTED : CB_ERR_FORMAT,
                      "%s: unsupported or malformed shape in .npy header", path);
    dims[nd++] = v;
    p = end;
    while (*p == 'L') ++p;
  }
  if (nd == 0) dims[nd++] = 1;
  *ndim = nd;
  return CB_OK;
}

/* The header text (hlen bytes at file + hstart, newlines as spaces) into its dtype, order and shape. */
typedef struct npy_header {
  char endian, kind;
  int size, fortran, ndim;
  int64_t dims[CB_NDARRAY_MAX_DIMS]; /* (ndim) */
} npy_header;

static cb_status parse_header(const char *path, const char *text, size_t hlen, npy_header *h) {
  cb_status st = CB_OK;
  char *hdr = malloc(hlen + 1);
  if (!hdr) return CB_ERROR(CB_ERR_NOMEM, "out of memory");
  memcpy(hdr, text, hlen);
  hdr[hlen] = '\0';
  for (char *q = hdr; *q; ++q)
    if (*q == '\n') *q = ' ';
  const char *descr = dict_value(hdr, "descr"), *fo = dict_value(hdr, "fortran_order"),
             *shape = dict_value(hdr, "shape");
  if (!descr || !fo || !shape || (descr[0] != '\'' && descr[0] != '"') || shape[0] != '(') {
    st = CB_ERROR(CB_ERR_FORMAT, "%s: malformed .npy header '%s'", path, hdr);
    goto done;
  }
  CB_CHECK_GOTO(parse_descr(path, descr, &h->endian, &h->kind, &h->size), st, done);
  CB_CHECK_GOTO(parse_fortran(path, fo, &h->fortran), st, done);
  CB_CHECK_GOTO(parse_shape(path, shape, h->dims, &h->ndim), st, done);
done:
  free(hdr);
  return st;
}

/* count values of h's dtype from src into a->data in C order. */
static void convert_data(const npy_header *h, const unsigned char *src, int64_t count, cb_ndarray *a) {
  const int size = h->size, ndim = h->ndim;
  int swap = size > 1 && ((h->endian == '>' && host_little()) || (h->endian == '<' && !host_little()));
  if (!h->fortran) {
    for (int64_t k = 0; k < count; ++k) a->data[k] = convert(src + (size_t)k * (size_t)size, h->kind, size, swap);
    return;
  }
  /* Fortran order: first index fastest. Walk the file, place in C order. */
  int64_t idx[CB_NDARRAY_MAX_DIMS] = {0}, stride[CB_NDARRAY_MAX_DIMS];
  stride[ndim - 1] = 1;
  for (int d = ndim - 2; d >= 0; --d) stride[d] = stride[d + 1] * h->dims[d + 1];
  for (int64_t k = 0; k < count; ++k) {
    int64_t off = 0;
    for (int d = 0; d < ndim; ++d) off += idx[d] * stride[d];
    a->data[off] = convert(src + (size_t)k * (size_t)size, h->kind, size, swap);
    for (int d = 0; d < ndim; ++d) {
      if (++idx[d] < h->dims[d]) break;
      idx[d] = 0;
    }
  }
}

cb_status cb_npy_read(const char *path, cb_ndarray **out) {
  cb_status st = CB_OK;
  char *file = NULL;
  size_t len = 0, hstart = 0, hlen = 0;
  cb_ndarray *a = NULL;
  npy_header h;
  CB_CHECK(cb_file_read_all(path, &file, &len));
  const unsigned char *u = (const unsigned char *)file;
  CB_CHECK_GOTO(header_span(path, u, len, &hstart, &hlen), st, done);
  CB_CHECK_GOTO(parse_header(path, file + hstart, hlen, &h), st, done);
  /* The data must be in the file before anything is allocated for it. */
  double want = (double)h.size;
  for (int k = 0; k < h.ndim; ++k) want *= (double)h.dims[k];
  if (want > (double)(len - (hstart + hlen))) {
    st = CB_ERROR(CB_ERR_FORMAT, "%s: truncated .npy data (%zu of %.0f bytes)", path, len - (hstart + hlen), want);
    goto done;
  }
  st = cb_ndarray_create(h.ndim, h.dims, &a);
  if (st != CB_OK) {
    cb_error_prefix("%s", path);
    goto done;
  }
  int64_t count = cb_ndarray_size(a);
  size_t need = (size_t)count * (size_t)h.size, dstart = hstart + hlen;
  if (len - dstart < need) {
    st = CB_ERROR(CB_ERR_FORMAT, "%s: truncated .npy data (%zu of %zu bytes)", path, len - dstart, need);
    goto done;
  }
  convert_data(&h, u + dstart, count, a);
  *out = a;
  a = NULL;
done:
  cb_ndarray_destroy(&a);
  free(file);
  return st;
}

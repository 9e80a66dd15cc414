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

cb_status cb_npy_read(const char *path, cb_ndarray **out) {
  cb_status st = CB_OK;
  char *file = NULL;
  size_t len = 0;
  cb_ndarray *a = NULL;
  char *hdr = NULL;
  CB_CHECK(cb_file_read_all(path, &file, &len));
  const unsigned char *u = (const unsigned char *)file;
  if (!cb_npy_sniff(u, len) || len < 10) {
    st = CB_ERROR(CB_ERR_FORMAT, "%s: not a .npy file (no \\x93NUMPY magic)", path);
    goto done;
  }
  int major = u[6];
  size_t hlen, hstart;
  if (major == 1) {
    hlen = (size_t)u[8] | (size_t)u[9] << 8;
    hstart = 10;
  } else if (major == 2 || major == 3) {
    if (len < 12) {
      st = CB_ERROR(CB_ERR_FORMAT, "%s: truncated .npy header", path);
      goto done;
    }
    hlen = (size_t)u[8] | (size_t)u[9] << 8 | (size_t)u[10] << 16 | (size_t)u[11] << 24;
    hstart = 12;
  } else {
    st = CB_ERROR(CB_ERR_UNSUPPORTED, "%s: .npy format version %d.%d is not supported", path, major, u[7]);
    goto done;
  }
  if (hstart + hlen > len) {
    st = CB_ERROR(CB_ERR_FORMAT, "%s: truncated .npy header (%zu bytes announced, %zu in file)", path, hlen,
                  len - hstart);
    goto done;
  }
  hdr = malloc(hlen + 1);
  CB_ALLOC_GOTO(hdr, st, done);
  memcpy(hdr, file + hstart, hlen);
  hdr[hlen] = '\0';
  for (char *q = hdr; *q; ++q)
    if (*q == '\n') *q = ' ';
  const char *descr = dict_value(hdr, "descr"), *fo = dict_value(hdr, "fortran_order"),
             *shape = dict_value(hdr, "shape");
  if (!descr || !fo || !shape || (descr[0] != '\'' && descr[0] != '"') || shape[0] != '(') {
    st = CB_ERROR(CB_ERR_FORMAT, "%s: malformed .npy header '%s'", path, hdr);
    goto done;
  }
  /* descr: '<f8' etc. */
  char q = descr[0];
  const char *de = strchr(descr + 1, q);
  size_t dl = de ? (size_t)(de - descr - 1) : 0;
  char endian = dl >= 3 ? descr[1] : 0, kind = dl >= 3 ? descr[2] : 0;
  int size = dl >= 3 ? atoi(descr + 3) : 0;
  int ok_kind = (kind == 'f' && (size == 4 || size == 8)) ||
                ((kind == 'i' || kind == 'u') && (size == 1 || size == 2 || size == 4 || size == 8)) ||
                (kind == 'b' && size == 1);
  if (dl < 3 || dl > 4 || !strchr("<>|=", endian) || !ok_kind) {
    st = CB_ERROR(CB_ERR_UNSUPPORTED, "%s: .npy dtype %.*s is not supported (numeric f4/f8/i*/u*/b1 only)", path,
                  (int)(dl < 16 ? dl : 16), descr + 1);
    goto done;
  }
  int fortran;
  if (strncmp(fo, "True", 4) == 0)
    fortran = 1;
  else if (strncmp(fo, "False", 5) == 0)
    fortran = 0;
  else {
    st = CB_ERROR(CB_ERR_FORMAT, "%s: malformed fortran_order in .npy header", path);
    goto done;
  }
  int64_t dims[CB_NDARRAY_MAX_DIMS];
  int ndim = 0;
  const char *p = shape + 1;
  for (;;) {
    while (*p == ' ' || *p == ',') ++p;
    if (*p == ')') break;
    char *end = NULL;
    long long v = strtoll(p, &end, 10);
    if (end == p || v < 0 || ndim == CB_NDARRAY_MAX_DIMS) {
      st = CB_ERROR(ndim == CB_NDARRAY_MAX_DIMS ? CB_ERR_UNSUPPORTED : CB_ERR_FORMAT,
                    "%s: unsupported or malformed shape in .npy header", path);
      goto done;
    }
    dims[ndim++] = v;
    p = end;
    while (*p == 'L') ++p;
  }
  if (ndim == 0) dims[ndim++] = 1;
  /* The data must be in the file before anything is allocated for it. */
  double want = (double)size;
  for (int k = 0; k < ndim; ++k) want *= (double)dims[k];
  if (want > (double)(len - (hstart + hlen))) {
    st = CB_ERROR(CB_ERR_FORMAT, "%s: truncated .npy data (%zu of %.0f bytes)", path, len - (hstart + hlen), want);
    goto done;
  }
  st = cb_ndarray_create(ndim, dims, &a);
  if (st != CB_OK) {
    cb_error_prefix("%s", path);
    goto done;
  }
  int64_t count = cb_ndarray_size(a);
  size_t need = (size_t)count * (size_t)size, dstart = hstart + hlen;
  if (len - dstart < need) {
    st = CB_ERROR(CB_ERR_FORMAT, "%s: truncated .npy data (%zu of %zu bytes)", path, len - dstart, need);
    goto done;
  }
  int swap = size > 1 && ((endian == '>' && host_little()) || (endian == '<' && !host_little()));
  const unsigned char *src = u + dstart;
  if (!fortran) {
    for (int64_t k = 0; k < count; ++k) a->data[k] = convert(src + (size_t)k * (size_t)size, kind, size, swap);
  } else {
    /* Fortran order: first index fastest. Walk the file, place in C order. */
    int64_t idx[CB_NDARRAY_MAX_DIMS] = {0}, stride[CB_NDARRAY_MAX_DIMS];
    stride[ndim - 1] = 1;
    for (int d = ndim - 2; d >= 0; --d) stride[d] = stride[d + 1] * dims[d + 1];
    for (int64_t k = 0; k < count; ++k) {
      int64_t off = 0;
      for (int d = 0; d < ndim; ++d) off += idx[d] * stride[d];
      a->data[off] = convert(src + (size_t)k * (size_t)size, kind, size, swap);
      for (int d = 0; d < ndim; ++d) {
        if (++idx[d] < dims[d]) break;
        idx[d] = 0;
      }
    }
  }
  *out = a;
  a = NULL;
done:
  cb_ndarray_destroy(&a);
  free(hdr);
  free(file);
  return st;
}

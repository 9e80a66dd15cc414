/* cb_mat.c - MAT-file level 5 parser (with zlib) and v7.3 via HDF5. */
#include "cb_mat.h"

#include <hdf5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "cb_fs.h"
#include "cb_h5_impl.h"
#include "cb_strbuf.h"

/* Data types (mi*) and array classes (mx*) of the level 5 format. */
enum {
  MI_INT8 = 1, MI_UINT8 = 2, MI_INT16 = 3, MI_UINT16 = 4, MI_INT32 = 5, MI_UINT32 = 6, MI_SINGLE = 7,
  MI_DOUBLE = 9, MI_INT64 = 12, MI_UINT64 = 13, MI_MATRIX = 14, MI_COMPRESSED = 15, MI_UTF8 = 16,
  MI_UTF16 = 17, MI_UTF32 = 18
};
enum {
  MX_CELL = 1, MX_STRUCT = 2, MX_OBJECT = 3, MX_CHAR = 4, MX_SPARSE = 5, MX_DOUBLE = 6, MX_UINT64 = 15
};
#define MAX_DEPTH 32
/* Largest inflated variable accepted (bytes). */
#define MAX_INFLATE ((size_t)1 << 32)

static const char *class_name(int c) {
  static const char *names[] = {"unknown", "cell", "struct", "object", "char", "sparse", "double", "single",
                                "int8", "uint8", "int16", "uint16", "int32", "uint32", "int64", "uint64",
                                "function handle", "opaque"};
  return c >= 0 && c <= 17 ? names[c] : "unknown";
}

int cb_mat_sniff(const unsigned char *head, size_t n) {
  return n >= 128 && (memcmp(head, "MATLAB 5.0 MAT-file", 19) == 0 || memcmp(head, "MATLAB 7.3 MAT-file", 19) == 0 ||
                      (head[126] == 'I' && head[127] == 'M') || (head[126] == 'M' && head[127] == 'I'));
}

/* ---- level 5: elements -------------------------------------------------- */

typedef struct elem {
  uint32_t type, nbytes;
  const uint8_t *data;
  size_t total; /* bytes the element occupies, padding included */
} elem;

static uint32_t u32(const uint8_t *p, int swap) {
  uint32_t v = swap ? (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]
                    : (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
  return v;
}

/* Next element of p[0..n); 0 when malformed. */
static int next_elem(const uint8_t *p, size_t n, int swap, elem *e) {
  if (n < 8) return 0;
  uint32_t v = u32(p, swap);
  if (v >> 16) { /* small data element: 2-byte size, 2-byte type, 4 bytes of data */
    e->type = v & 0xFFFF;
    e->nbytes = v >> 16;
    if (e->nbytes > 4) return 0;
    e->data = p + 4;
    e->total = 8;
    return 1;
  }
  e->type = v;
  e->nbytes = u32(p + 4, swap);
  if ((size_t)e->nbytes > n - 8) return 0;
  e->data = p + 8;
  size_t padded = e->type == MI_COMPRESSED ? e->nbytes : ((size_t)e->nbytes + 7) / 8 * 8;
  e->total = 8 + (padded <= n - 8 ? padded : n - 8);
  return 1;
}

static int type_size(uint32_t t) {
  switch (t) {
  case MI_INT8: case MI_UINT8: case MI_UTF8: return 1;
  case MI_INT16: case MI_UINT16: case MI_UTF16: return 2;
  case MI_INT32: case MI_UINT32: case MI_SINGLE: case MI_UTF32: return 4;
  case MI_DOUBLE: case MI_INT64: case MI_UINT64: return 8;
  }
  return 0;
}

static double value_at(const uint8_t *p, uint32_t t, int swap) {
  uint8_t b[8];
  int s = type_size(t);
  for (int i = 0; i < s; ++i) b[i] = swap ? p[s - 1 - i] : p[i];
  switch (t) {
  case MI_INT8: return (int8_t)b[0];
  case MI_UINT8: case MI_UTF8: return b[0];
  case MI_INT16: { int16_t v; memcpy(&v, b, 2); return v; }
  case MI_UINT16: case MI_UTF16: { uint16_t v; memcpy(&v, b, 2); return v; }
  case MI_INT32: { int32_t v; memcpy(&v, b, 4); return v; }
  case MI_UINT32: case MI_UTF32: { uint32_t v; memcpy(&v, b, 4); return v; }
  case MI_SINGLE: { float v; memcpy(&v, b, 4); return v; }
  case MI_DOUBLE: { double v; memcpy(&v, b, 8); return v; }
  case MI_INT64: { int64_t v; memcpy(&v, b, 8); return (double)v; }
  case MI_UINT64: { uint64_t v; memcpy(&v, b, 8); return (double)v; }
  }
  return 0.0;
}

/* ---- level 5: matrices -------------------------------------------------- */

typedef struct mnode {
  char *name;
  int cls, complex_;
  int ndim;
  int64_t dims[CB_NDARRAY_MAX_DIMS];
  int64_t numel;
  double *re;           /* (numel) column-major, numeric classes */
  char *str;            /* char class: the characters in linear order */
  int nfields;
  char **fields;        /* (nfields) */
  struct mnode **kids;  /* struct: (numel, nfields); cell: (numel) */
} mnode;

static void mnode_free(mnode *m) {
  if (!m) return;
  int64_t nk = m->cls == MX_STRUCT ? m->numel * m->nfields : m->cls == MX_CELL ? m->numel : 0;
  if (m->kids)
    for (int64_t k = 0; k < nk; ++k) mnode_free(m->kids[k]);
  if (m->fields)
    for (int f = 0; f < m->nfields; ++f) free(m->fields[f]);
  free(m->kids);
  free(m->fields);
  free(m->name);
  free(m->re);
  free(m->str);
  free(m);
}

typedef struct mctx {
  const char *path;
  int swap;
} mctx;

static cb_status bad(const mctx *c, const char *what) {
  return CB_ERROR(CB_ERR_FORMAT, "%s: corrupt MAT-file (%s)", c->path, what);
}

/* Array flags, dimensions and name of a miMATRIX element into m; *off: bytes of p read so far. */
static cb_status parse_header(const mctx *c, const uint8_t *p, size_t n, size_t *off, mnode *m) {
  elem e;
  /* Array flags. */
  if (!next_elem(p, n, c->swap, &e) || e.type != MI_UINT32 || e.nbytes < 8) return bad(c, "array flags");
  uint32_t flags = u32(e.data, c->swap);
  m->cls = (int)(flags & 0xFF);
  m->complex_ = (flags & 0x800) != 0;
  *off += e.total;
  /* Dimensions. */
  if (!next_elem(p + *off, n - *off, c->swap, &e) || e.type != MI_INT32 || e.nbytes < 8 || e.nbytes % 4)
    return bad(c, "dimensions");
  m->ndim = (int)(e.nbytes / 4);
  if (m->ndim > CB_NDARRAY_MAX_DIMS)
    return CB_ERROR(CB_ERR_UNSUPPORTED, "%s: array with %d dimensions is not supported", c->path, m->ndim);
  m->numel = 1;
  for (int d = 0; d < m->ndim; ++d) {
    int32_t v = (int32_t)u32(e.data + 4 * d, c->swap);
    if (v < 0) return bad(c, "negative dimension");
    m->dims[d] = v;
    m->numel *= v;
    if (m->numel > ((int64_t)1 << 40)) return bad(c, "array too large");
  }
  *off += e.total;
  /* Name. */
  if (!next_elem(p + *off, n - *off, c->swap, &e) || (e.type != MI_INT8 && e.type != MI_UINT8))
    return bad(c, "array name");
  m->name = malloc((size_t)e.nbytes + 1);
  if (!m->name) return CB_ERROR(CB_ERR_NOMEM, "out of memory");
  memcpy(m->name, e.data, e.nbytes);
  m->name[e.nbytes] = '\0';
  *off += e.total;
  return CB_OK;
}

/* Real numeric data (numel values, any mi type) into m->re. */
static cb_status parse_numeric(const mctx *c, const uint8_t *p, size_t n, mnode *m) {
  elem e;
  if (!next_elem(p, n, c->swap, &e) || type_size(e.type) == 0 ||
      (int64_t)(e.nbytes / (uint32_t)type_size(e.type)) < m->numel)
    return bad(c, "numeric data shorter than the array");
  m->re = malloc((size_t)(m->numel > 0 ? m->numel : 1) * sizeof *m->re);
  if (!m->re) return CB_ERROR(CB_ERR_NOMEM, "out of memory");
  int s = type_size(e.type);
  for (int64_t k = 0; k < m->numel; ++k) m->re[k] = value_at(e.data + (size_t)k * (size_t)s, e.type, c->swap);
  return CB_OK;
}

/* Char data into m->str ('?' for characters outside 1..255). */
static cb_status parse_char(const mctx *c, const uint8_t *p, size_t n, mnode *m) {
  elem e;
  if (!next_elem(p, n, c->swap, &e)) return bad(c, "char data");
  int s = type_size(e.type);
  int64_t cnt = s ? (int64_t)(e.nbytes / (uint32_t)s) : 0;
  m->str = malloc((size_t)cnt + 1);
  if (!m->str) return CB_ERROR(CB_ERR_NOMEM, "out of memory");
  for (int64_t k = 0; k < cnt; ++k) {
    double v = value_at(e.data + (size_t)k * (size_t)s, e.type, c->swap);
    m->str[k] = (v >= 1 && v < 256) ? (char)(unsigned char)v : '?';
  }
  m->str[cnt] = '\0';
  return CB_OK;
}

/* Struct field names (name length, then the names) into m->fields (nfields); *off advances past them. */
static cb_status parse_field_names(const mctx *c, const uint8_t *p, size_t n, size_t *off, mnode *m) {
  elem el, en;
  if (!next_elem(p + *off, n - *off, c->swap, &el) || el.type != MI_INT32 || el.nbytes != 4)
    return bad(c, "struct field name length");
  *off += el.total;
  int32_t flen = (int32_t)u32(el.data, c->swap);
  if (!next_elem(p + *off, n - *off, c->swap, &en) || (en.type != MI_INT8 && en.type != MI_UINT8) || flen <= 0 ||
      en.nbytes % (uint32_t)flen)
    return bad(c, "struct field names");
  *off += en.total;
  m->nfields = (int)(en.nbytes / (uint32_t)flen);
  m->fields = calloc((size_t)m->nfields + 1, sizeof *m->fields);
  if (!m->fields) return CB_ERROR(CB_ERR_NOMEM, "out of memory");
  for (int f = 0; f < m->nfields; ++f) {
    m->fields[f] = calloc((size_t)flen + 1, 1);
    if (!m->fields[f]) return CB_ERROR(CB_ERR_NOMEM, "out of memory");
    memcpy(m->fields[f], en.data + (size_t)f * (size_t)flen, (size_t)flen);
  }
  return CB_OK;
}

static cb_status parse_matrix(const mctx *c, const uint8_t *p, size_t n, int depth, int name_only, mnode **out);

/* Elements of a cell, or field values of a struct, into m->kids (numel, or numel * nfields). */
static cb_status parse_children(const mctx *c, const uint8_t *p, size_t n, size_t off, int depth, mnode *m) {
  elem e;
  int64_t nk = m->cls == MX_STRUCT ? m->numel * m->nfields : m->numel;
  m->kids = calloc((size_t)(nk > 0 ? nk : 1), sizeof *m->kids);
  if (!m->kids) return CB_ERROR(CB_ERR_NOMEM, "out of memory");
  for (int64_t k = 0; k < nk; ++k) {
    if (!next_elem(p + off, n - off, c->swap, &e) || e.type != MI_MATRIX) return bad(c, "struct or cell element");
    CB_CHECK(parse_matrix(c, e.data, e.nbytes, depth + 1, 0, &m->kids[k]));
    off += e.total;
  }
  return CB_OK;
}

/* Parses the contents of a miMATRIX element. `name_only`: stop after the name. */
static cb_status parse_matrix(const mctx *c, const uint8_t *p, size_t n, int depth, int name_only, mnode **out) {
  if (depth > MAX_DEPTH) return bad(c, "nesting too deep");
  cb_status st = CB_OK;
  mnode *m = calloc(1, sizeof *m);
  if (!m) return CB_ERROR(CB_ERR_NOMEM, "out of memory");
  size_t off = 0;
  if (n == 0) { /* empty matrix (e.g. an unset struct field) */
    m->cls = MX_DOUBLE;
    m->ndim = 2;
    m->name = cb_strdup("");
    CB_ALLOC_GOTO(m->name, st, fail);
    *out = m;
    return CB_OK;
  }
  CB_CHECK_GOTO(parse_header(c, p, n, &off, m), st, fail);
  if (name_only) goto ok;

  if (m->cls >= MX_DOUBLE && m->cls <= MX_UINT64 && !m->complex_) {
    CB_CHECK_GOTO(parse_numeric(c, p + off, n - off, m), st, fail);
  } else if (m->cls == MX_CHAR) {
    CB_CHECK_GOTO(parse_char(c, p + off, n - off, m), st, fail);
  } else if (m->cls == MX_CELL || m->cls == MX_STRUCT) {
    if (m->cls == MX_STRUCT) CB_CHECK_GOTO(parse_field_names(c, p, n, &off, m), st, fail);
    CB_CHECK_GOTO(parse_children(c, p, n, off, depth, m), st, fail);
  }
  /* Other classes (sparse, object, complex, ...) keep only their header:
   * an error is raised if one is asked for. */
ok:
  *out = m;
  return CB_OK;
fail:
  mnode_free(m);
  return st;
}

/* Inflates a miCOMPRESSED payload. */
static cb_status inflate_all(const mctx *c, const uint8_t *p, size_t n, uint8_t **out, size_t *out_n) {
  size_t cap = n * 4 + 1024, len = 0;
  uint8_t *buf = malloc(cap);
  if (!buf) return CB_ERROR(CB_ERR_NOMEM, "out of memory");
  z_stream z;
  memset(&z, 0, sizeof z);
  if (inflateInit(&z) != Z_OK) {
    free(buf);
    return CB_ERROR(CB_ERR_INTERNAL, "zlib init failed");
  }
  z.next_in = (Bytef *)p;
  z.avail_in = (uInt)n;
  int rc;
  for (;;) {
    if (len == cap) {
      if (cap >= MAX_INFLATE) {
        rc = Z_MEM_ERROR;
        break;
      }
      uint8_t *nb = realloc(buf, cap * 2);
      if (!nb) {
        rc = Z_MEM_ERROR;
        break;
      }
      buf = nb;
      cap *= 2;
    }
    z.next_out = buf + len;
    z.avail_out = (uInt)(cap - len);
    rc = inflate(&z, Z_NO_FLUSH);
    len = cap - z.avail_out;
    if (rc == Z_STREAM_END) break;
    if (rc != Z_OK && rc != Z_BUF_ERROR) break;
    if (rc == Z_BUF_ERROR && z.avail_in == 0) {
      rc = Z_DATA_ERROR; /* input ended before the stream did */
      break;
    }
  }
  inflateEnd(&z);
  if (rc != Z_STREAM_END) {
    free(buf);
    return rc == Z_MEM_ERROR ? CB_ERROR(CB_ERR_NOMEM, "%s: out of memory inflating a variable", c->path)
                             : bad(c, "damaged compressed variable");
  }
  *out = buf;
  *out_n = len;
  return CB_OK;
}

/* Finds top-level variable `name` of a level 5 file; *names_out lists all. */
static cb_status v5_find(const char *path, const uint8_t *file, size_t len, const char *name, mnode **out,
                         cb_strbuf *names) {
  mctx c = {path, 0};
  if (file[126] == 'M' && file[127] == 'I') c.swap = 1; /* big-endian file on a little-endian host */
  size_t off = 128;
  while (off < len) {
    elem e;
    if (len - off < 8) break; /* trailing padding */
    if (!next_elem(file + off, len - off, c.swap, &e)) return bad(&c, "element runs past the end of the file");
    const uint8_t *body = e.data;
    size_t body_n = e.nbytes;
    uint8_t *inflated = NULL;
    if (e.type == MI_COMPRESSED) {
      size_t in_n = 0;
      CB_CHECK(inflate_all(&c, e.data, e.nbytes, &inflated, &in_n));
      elem inner;
      if (!next_elem(inflated, in_n, c.swap, &inner)) {
        free(inflated);
        return bad(&c, "empty compressed variable");
      }
      body = inner.data;
      body_n = inner.nbytes;
      e.type = inner.type;
    }
    if (e.type == MI_MATRIX) {
      mnode *m = NULL;
      cb_status st = parse_matrix(&c, body, body_n, 0, 1, &m);
      if (st == CB_OK && strcmp(m->name, name) == 0) {
        mnode_free(m);
        m = NULL;
        st = parse_matrix(&c, body, body_n, 0, 0, &m);
        free(inflated);
        if (st == CB_OK) *out = m;
        return st;
      }
      if (st == CB_OK) {
        if (names->len) cb_strbuf_append(names, ", ");
        cb_strbuf_append(names, m->name);
      }
      mnode_free(m);
      if (st != CB_OK) {
        free(inflated);
        return st;
      }
    }
    free(inflated);
    off += e.total;
  }
  *out = NULL;
  return CB_OK;
}

/* Splits "var.field" into its parts (field "" when none). */
static void split_spec(const char *spec, char *var, size_t nv, char *field, size_t nf) {
  const char *dot = strchr(spec, '.');
  size_t lv = dot ? (size_t)(dot - spec) : strlen(spec);
  if (lv >= nv) lv = nv - 1;
  memcpy(var, spec, lv);
  var[lv] = '\0';
  snprintf(field, nf, "%s", dot ? dot + 1 : "");
}

static cb_status numeric_check(const char *path, const char *spec, const mnode *m) {
  if (m->cls >= MX_DOUBLE && m->cls <= MX_UINT64 && !m->complex_) return CB_OK;
  if (m->complex_) return CB_ERROR(CB_ERR_UNSUPPORTED, "%s: variable '%s' is complex (not supported)", path, spec);
  return CB_ERROR(CB_ERR_UNSUPPORTED, "%s: variable '%s' is of MATLAB class %s (only numeric arrays can be imported)",
                  path, spec, class_name(m->cls));
}

/* Column-major MATLAB data with dims → C-order array with the same dims,
 * written at dst (numel values). */
static void colmajor_to_c(const double *src, int ndim, const int64_t *dims, double *dst) {
  int64_t numel = 1, stride[CB_NDARRAY_MAX_DIMS], idx[CB_NDARRAY_MAX_DIMS] = {0};
  for (int d = 0; d < ndim; ++d) numel *= dims[d];
  stride[ndim - 1] = 1;
  for (int d = ndim - 2; d >= 0; --d) stride[d] = stride[d + 1] * dims[d + 1];
  for (int64_t k = 0; k < numel; ++k) {
    int64_t o = 0;
    for (int d = 0; d < ndim; ++d) o += idx[d] * stride[d];
    dst[o] = src[k];
    for (int d = 0; d < ndim; ++d) {
      if (++idx[d] < dims[d]) break;
      idx[d] = 0;
    }
  }
}

static cb_status v5_read(const char *path, const uint8_t *file, size_t len, const char *spec, cb_ndarray **out) {
  char var[256], field[256];
  split_spec(spec, var, sizeof var, field, sizeof field);
  cb_strbuf names = {0};
  mnode *m = NULL;
  cb_ndarray *a = NULL;
  cb_status st = v5_find(path, file, len, var, &m, &names);
  if (st != CB_OK) goto done;
  if (!m) {
    st = CB_ERROR(CB_ERR_FORMAT, "%s: no variable '%s' (variables: %s)", path, var, names.data ? names.data : "none");
    goto done;
  }
  if (!field[0]) {
    CB_CHECK_GOTO(numeric_check(path, spec, m), st, done);
    st = cb_ndarray_create(m->ndim, m->dims, &a);
    if (st != CB_OK) {
      cb_error_prefix("%s: variable '%s'", path, spec);
      goto done;
    }
    colmajor_to_c(m->re, m->ndim, m->dims, a->data);
  } else {
    if (m->cls != MX_STRUCT) {
      st = CB_ERROR(CB_ERR_FORMAT, "%s: variable '%s' is of class %s, not a struct with field '%s'", path, var,
                    class_name(m->cls), field);
      goto done;
    }
    int f = -1;
    for (int k = 0; k < m->nfields; ++k)
      if (strcmp(m->fields[k], field) == 0) f = k;
    if (f < 0) {
      st = CB_ERROR(CB_ERR_FORMAT, "%s: struct '%s' has no field '%s'", path, var, field);
      goto done;
    }
    if (m->numel == 0) {
      st = CB_ERROR(CB_ERR_FORMAT, "%s: struct array '%s' is empty", path, var);
      goto done;
    }
    const mnode *first = m->kids[f];
    CB_CHECK_GOTO(numeric_check(path, spec, first), st, done);
    if (first->ndim + 1 > CB_NDARRAY_MAX_DIMS) {
      st = CB_ERROR(CB_ERR_UNSUPPORTED, "%s: '%s' has too many dimensions", path, spec);
      goto done;
    }
    int64_t shape[CB_NDARRAY_MAX_DIMS];
    shape[0] = m->numel;
    for (int d = 0; d < first->ndim; ++d) shape[d + 1] = first->dims[d];
    st = cb_ndarray_create(first->ndim + 1, shape, &a);
    if (st != CB_OK) {
      cb_error_prefix("%s: variable '%s'", path, spec);
      goto done;
    }
    for (int64_t k = 0; k < m->numel; ++k) {
      const mnode *el = m->kids[k * m->nfields + f];
      CB_CHECK_GOTO(numeric_check(path, spec, el), st, done);
      int same = el->ndim == first->ndim;
      for (int d = 0; same && d < el->ndim; ++d) same = el->dims[d] == first->dims[d];
      if (!same) {
        st = CB_ERROR(CB_ERR_FORMAT, "%s: '%s' of element %lld has a different shape from element 1", path, spec,
                      (long long)k + 1);
        goto done;
      }
      colmajor_to_c(el->re, el->ndim, el->dims, a->data + k * first->numel);
    }
  }
  *out = a;
  a = NULL;
done:
  cb_ndarray_destroy(&a);
  mnode_free(m);
  cb_strbuf_free(&names);
  return st;
}

/* ---- v7.3 (HDF5) -------------------------------------------------------- */

/* MATLAB_class attribute of dataset d into cls ("" when absent or unreadable). */
static void v73_class(hid_t d, char cls[32]) {
  hid_t at = -1, aty = -1;
  cls[0] = '\0';
  if (d >= 0 && H5Aexists(d, "MATLAB_class") > 0) {
    at = H5Aopen(d, "MATLAB_class", H5P_DEFAULT);
    aty = at >= 0 ? H5Aget_type(at) : -1;
    if (aty >= 0 && H5Tget_class(aty) == H5T_STRING && !H5Tis_variable_str(aty)) {
      size_t sz = H5Tget_size(aty);
      char tmp[256] = "";
      if (sz < sizeof tmp && H5Aread(at, aty, tmp) >= 0) {
        tmp[sz] = '\0';
        snprintf(cls, 32, "%.31s", tmp); /* class names are short */
      }
    }
  }
  if (aty >= 0) H5Tclose(aty);
  if (at >= 0) H5Aclose(at);
}

/* Opens the file (*f) and the dataset of var or var.field (*d): a missing variable or a group is an error. */
static cb_status v73_open(const char *path, const char *spec, const char *var, const char *dset, int has_field,
                          hid_t *f, hid_t *d) {
  *f = cb__h5_fopen_read(path);
  if (*f < 0) return CB_ERROR(CB_ERR_FORMAT, "%s: cannot open as MATLAB v7.3 (HDF5): truncated or corrupt", path);
  if (H5Lexists(*f, "/", H5P_DEFAULT) <= 0 || H5Lexists(*f, var, H5P_DEFAULT) <= 0 ||
      (has_field && H5Lexists(*f, dset, H5P_DEFAULT) <= 0))
    return CB_ERROR(CB_ERR_FORMAT, "%s: no variable '%s'", path, spec);
  H5O_info_t oi;
  if (H5Oget_info_by_name(*f, dset, &oi, H5P_DEFAULT) < 0 || oi.type != H5O_TYPE_DATASET)
    return CB_ERROR(CB_ERR_UNSUPPORTED, "%s: variable '%s' is a struct or group (name a numeric field as var.field)",
                    path, spec);
  *d = H5Dopen2(*f, dset, H5P_DEFAULT);
  return CB_OK;
}

/* The dataset's values as a C-order array (a leading axis of 1 when has_field), from MATLAB's column-major bytes. */
static cb_status v73_values(const char *path, const char *spec, hid_t d, hid_t sp, int has_field, cb_ndarray **out) {
  cb_ndarray *a = NULL;
  int nd = H5Sget_simple_extent_ndims(sp);
  if (nd < 1 || nd + (has_field ? 1 : 0) > CB_NDARRAY_MAX_DIMS)
    return CB_ERROR(CB_ERR_UNSUPPORTED, "%s: variable '%s' has %d dimensions", path, spec, nd);
  hsize_t hd[CB_NDARRAY_MAX_DIMS];
  H5Sget_simple_extent_dims(sp, hd, NULL);
  /* HDF5 dims are MATLAB's reversed; the bytes are MATLAB's column-major. */
  int64_t mdims[CB_NDARRAY_MAX_DIMS], shape[CB_NDARRAY_MAX_DIMS];
  for (int k = 0; k < nd; ++k) mdims[k] = (int64_t)hd[nd - 1 - k];
  int off = has_field ? 1 : 0;
  shape[0] = 1;
  for (int k = 0; k < nd; ++k) shape[k + off] = mdims[k];
  cb_status st = cb_ndarray_create(nd + off, shape, &a);
  if (st != CB_OK) {
    cb_error_prefix("%s: variable '%s'", path, spec);
    return st;
  }
  int64_t numel = cb_ndarray_size(a);
  double *tmp = malloc((size_t)(numel > 0 ? numel : 1) * sizeof *tmp); /* (numel) column-major */
  CB_ALLOC_GOTO(tmp, st, done);
  if (numel > 0 && H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, tmp) < 0) {
    st = CB_ERROR(CB_ERR_FORMAT, "%s: cannot read variable '%s' (truncated or corrupt file)", path, spec);
    goto done;
  }
  colmajor_to_c(tmp, nd, mdims, a->data);
  *out = a;
  a = NULL;
done:
  free(tmp);
  cb_ndarray_destroy(&a);
  return st;
}

static cb_status v73_read(const char *path, const char *spec, cb_ndarray **out) {
  char var[256], field[256], dset[600];
  split_spec(spec, var, sizeof var, field, sizeof field);
  snprintf(dset, sizeof dset, field[0] ? "/%s/%s" : "/%s", var, field);
  cb__h5_quiet q;
  cb__h5_quiet_begin(&q);
  cb_status st = CB_OK;
  hid_t f = -1, d = -1, sp = -1, ty = -1;
  CB_CHECK_GOTO(v73_open(path, spec, var, dset, field[0] != '\0', &f, &d), st, done);
  char cls[32];
  v73_class(d, cls);
  if (d < 0) {
    st = CB_ERROR(CB_ERR_FORMAT, "%s: cannot open variable '%s'", path, spec);
    goto done;
  }
  ty = H5Dget_type(d);
  H5T_class_t tc = H5Tget_class(ty);
  if (strcmp(cls, "cell") == 0 || strcmp(cls, "char") == 0 || strcmp(cls, "struct") == 0 ||
      strcmp(cls, "function_handle") == 0 || (tc != H5T_INTEGER && tc != H5T_FLOAT)) {
    st = CB_ERROR(CB_ERR_UNSUPPORTED, "%s: variable '%s' is of MATLAB class %s (only numeric arrays can be imported)",
                  path, spec, cls[0] ? cls : tc == H5T_COMPOUND ? "complex" : "non-numeric");
    goto done;
  }
  sp = H5Dget_space(d);
  st = v73_values(path, spec, d, sp, field[0] != '\0', out);
done:
  if (ty >= 0) H5Tclose(ty);
  if (sp >= 0) H5Sclose(sp);
  if (d >= 0) H5Dclose(d);
  if (f >= 0) H5Fclose(f);
  cb__h5_quiet_end(&q);
  return st;
}

/* ---- public ------------------------------------------------------------- */

/* 0 = level 5, 1 = v7.3/HDF5; error otherwise. file/len: the whole file. */
static cb_status mat_kind(const char *path, const uint8_t *file, size_t len, int *kind) {
  static const uint8_t h5sig[8] = {0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};
  if (len >= 520 && memcmp(file + 512, h5sig, 8) == 0) {
    *kind = 1;
    return CB_OK;
  }
  if (len >= 8 && memcmp(file, h5sig, 8) == 0) {
    *kind = 1;
    return CB_OK;
  }
  if (len >= 128 && memcmp(file, "MATLAB 7.3", 10) == 0) {
    *kind = 1; /* header present, HDF5 part damaged: HDF5 will say so */
    return CB_OK;
  }
  if (len < 128 || !cb_mat_sniff(file, len))
    return CB_ERROR(CB_ERR_FORMAT, "%s: not a MATLAB .mat file (no level 5 header)", path);
  uint16_t ver = (uint16_t)(file[126] == 'I' ? file[124] | file[125] << 8 : file[125] | file[124] << 8);
  if (ver != 0x0100) return CB_ERROR(CB_ERR_UNSUPPORTED, "%s: MAT-file version 0x%04x is not supported", path, ver);
  *kind = 0;
  return CB_OK;
}

cb_status cb_mat_read(const char *path, const char *var, cb_ndarray **out) {
  if (!path || !var || !var[0] || !out) return CB_ERROR(CB_ERR_ARG, "%s: no variable name given", path ? path : "mat");
  char *file = NULL;
  size_t len = 0;
  CB_CHECK(cb_file_read_all(path, &file, &len));
  int kind = 0;
  cb_status st = mat_kind(path, (const uint8_t *)file, len, &kind);
  if (st == CB_OK) st = kind ? cb_ndarray_read_isolated(v73_read, path, var, out) : v5_read(path, (const uint8_t *)file, len, var, out);
  free(file);
  return st;
}

cb_status cb_mat_read_strings(const char *path, const char *spec, char ***out, int *n) {
  if (!path || !spec || !out || !n) return CB_ERROR(CB_ERR_ARG, "mat: invalid arguments");
  char *file = NULL;
  size_t len = 0;
  CB_CHECK(cb_file_read_all(path, &file, &len));
  int kind = 0;
  cb_status st = mat_kind(path, (const uint8_t *)file, len, &kind);
  mnode *m = NULL;
  cb_strbuf names = {0};
  char **list = NULL;
  char var[256], field[256];
  split_spec(spec, var, sizeof var, field, sizeof field);
  if (st != CB_OK) goto done;
  if (kind) {
    st = CB_ERROR(CB_ERR_UNSUPPORTED, "%s: strings from MATLAB v7.3 files are not supported ('%s')", path, spec);
    goto done;
  }
  CB_CHECK_GOTO(v5_find(path, (const uint8_t *)file, len, var, &m, &names), st, done);
  if (!m) {
    st = CB_ERROR(CB_ERR_FORMAT, "%s: no variable '%s' (variables: %s)", path, var, names.data ? names.data : "none");
    goto done;
  }
  int64_t cnt = field[0] ? m->numel : 1;
  int f = -1;
  if (field[0]) {
    for (int k = 0; m->cls == MX_STRUCT && k < m->nfields; ++k)
      if (strcmp(m->fields[k], field) == 0) f = k;
    if (f < 0) {
      st = CB_ERROR(CB_ERR_FORMAT, "%s: '%s' is not a struct with field '%s'", path, var, field);
      goto done;
    }
  }
  list = calloc((size_t)cnt + 1, sizeof *list);
  CB_ALLOC_GOTO(list, st, done);
  for (int64_t k = 0; k < cnt; ++k) {
    const mnode *el = field[0] ? m->kids[k * m->nfields + f] : m;
    if (el->cls != MX_CHAR || !el->str) {
      st = CB_ERROR(CB_ERR_FORMAT, "%s: '%s' is of class %s, not char", path, spec, class_name(el->cls));
      goto done;
    }
    list[k] = cb_strdup(el->str);
    CB_ALLOC_GOTO(list[k], st, done);
  }
  *out = list;
  *n = (int)cnt;
  list = NULL;
done:
  cb_strlist_free(&list);
  mnode_free(m);
  cb_strbuf_free(&names);
  free(file);
  return st;
}

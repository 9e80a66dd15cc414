/* cb_h5.c - the HDF5 helpers shared by io's readers and writers and by the
 * collective writer in src/par (cb_h5_impl.h), and the HDF5 facts the CLI
 * reports (cb_h5.h). */
#include "cb_h5.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_h5_impl.h"
#include "cb_strbuf.h"

void cb_io_hdf5_version(char *buf, size_t n) {
  unsigned maj = 0, min = 0, rel = 0;
  H5get_libversion(&maj, &min, &rel);
  if (buf && n > 0) snprintf(buf, n, "%u.%u.%u", maj, min, rel);
}

int cb_io_hdf5_parallel(void) {
#ifdef H5_HAVE_PARALLEL
  return 1;
#else
  return 0;
#endif
}

void cb__h5_quiet_begin(cb__h5_quiet *q) {
  H5Eget_auto2(H5E_DEFAULT, &q->func, &q->data);
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
}

void cb__h5_quiet_end(const cb__h5_quiet *q) { H5Eset_auto2(H5E_DEFAULT, q->func, q->data); }

void cb__h5_close(hid_t *id, herr_t (*fn)(hid_t)) {
  if (*id >= 0) fn(*id);
  *id = -1;
}

hid_t cb__h5_dcpl_untimed(void) {
  static hid_t p = -1;
  if (p < 0) {
    p = H5Pcreate(H5P_DATASET_CREATE);
    if (p >= 0) H5Pset_obj_track_times(p, 0);
  }
  return p >= 0 ? p : H5P_DEFAULT;
}

hid_t cb__h5_vlen_utf8(void) {
  hid_t t = H5Tcopy(H5T_C_S1);
  H5Tset_size(t, H5T_VARIABLE);
  H5Tset_cset(t, H5T_CSET_UTF8);
  return t;
}

hid_t cb__h5_fopen_read(const char *path) {
  hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
  if (fapl >= 0) H5Pset_fclose_degree(fapl, H5F_CLOSE_STRONG);
  hid_t f = H5Fopen(path, H5F_ACC_RDONLY, fapl >= 0 ? fapl : H5P_DEFAULT);
  if (fapl >= 0) H5Pclose(fapl);
  return f;
}

cb_status cb__h5_open_read(const char *path, const char *kind, hid_t *out) {
  if (H5Fis_hdf5(path) <= 0) return CB_ERROR(CB_ERR_FORMAT, "%s: not an %s file", path, kind);
  hid_t f = cb__h5_fopen_read(path);
  if (f < 0) return CB_ERROR(CB_ERR_FORMAT, "%s: cannot open as HDF5 (truncated or corrupt file)", path);
  *out = f;
  return CB_OK;
}

/* n variable-length strings read with the memory type mt into s. */
static cb_status read_vlen(hid_t obj, int is_attr, int64_t n, hid_t mt, const char *path, const char *what,
                           char **s) {
  char **raw = calloc((size_t)(n > 0 ? n : 1), sizeof *raw);
  if (raw == NULL) return CB_ERROR(CB_ERR_NOMEM, "out of memory");
  herr_t e = is_attr ? H5Aread(obj, mt, raw) : H5Dread(obj, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, raw);
  if (e < 0) {
    free(raw);
    return CB_ERROR(CB_ERR_FORMAT, "%s: cannot read %s (truncated or corrupt file)", path, what);
  }
  for (int64_t i = 0; i < n; ++i) {
    s[i] = cb_strdup(raw[i] ? raw[i] : "");
    if (s[i] == NULL) break;
  }
  hid_t sp = is_attr ? H5Aget_space(obj) : H5Dget_space(obj);
  H5Dvlen_reclaim(mt, sp, H5P_DEFAULT, raw);
  cb__h5_close(&sp, H5Sclose);
  free(raw);
  for (int64_t i = 0; i < n; ++i)
    if (s[i] == NULL) return CB_ERROR(CB_ERR_NOMEM, "out of memory");
  return CB_OK;
}

/* n fixed-length strings of the file type ft, read with the memory type mt
 * (same size, NUL-padded) into s; each ends at its first NUL, and trailing
 * spaces are dropped when the file pads with spaces. */
static cb_status read_fixed(hid_t obj, int is_attr, int64_t n, hid_t ft, hid_t mt, const char *path,
                            const char *what, char **s) {
  size_t sz = H5Tget_size(mt);
  char *buf = calloc((size_t)(n > 0 ? n : 1), sz);
  if (buf == NULL) return CB_ERROR(CB_ERR_NOMEM, "out of memory");
  herr_t e = is_attr ? H5Aread(obj, mt, buf) : H5Dread(obj, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf);
  if (e < 0) {
    free(buf);
    return CB_ERROR(CB_ERR_FORMAT, "%s: cannot read %s (truncated or corrupt file)", path, what);
  }
  int spacepad = H5Tget_strpad(ft) == H5T_STR_SPACEPAD;
  cb_status st = CB_OK;
  for (int64_t i = 0; i < n && st == CB_OK; ++i) {
    const char *p = buf + (size_t)i * sz;
    size_t len = 0;
    while (len < sz && p[len] != '\0') ++len;
    while (spacepad && len > 0 && p[len - 1] == ' ') --len;
    s[i] = malloc(len + 1);
    if (s[i] == NULL) {
      st = CB_ERROR(CB_ERR_NOMEM, "out of memory");
    } else {
      memcpy(s[i], p, len);
      s[i][len] = '\0';
    }
  }
  free(buf);
  return st;
}

cb_status cb__h5_read_strings(hid_t obj, int is_attr, int64_t n, const char *path, const char *what, char ***out) {
  cb_status st = CB_OK;
  hid_t ft = is_attr ? H5Aget_type(obj) : H5Dget_type(obj), mt = -1;
  char **s = NULL;
  if (ft < 0 || H5Tget_class(ft) != H5T_STRING) {
    st = CB_ERROR(CB_ERR_FORMAT, "%s: %s is not a string", path, what);
    goto done;
  }
  s = calloc((size_t)(n > 0 ? n : 1), sizeof *s);
  CB_ALLOC_GOTO(s, st, done);
  mt = H5Tcopy(H5T_C_S1); /* same character set as the file: HDF5 does not convert ASCII <-> UTF-8 */
  if (H5Tis_variable_str(ft) > 0) {
    H5Tset_size(mt, H5T_VARIABLE);
    H5Tset_cset(mt, H5Tget_cset(ft));
    st = read_vlen(obj, is_attr, n, mt, path, what, s);
  } else {
    size_t sz = H5Tget_size(ft);
    H5Tset_size(mt, sz > 0 ? sz : 1);
    H5Tset_strpad(mt, H5T_STR_NULLPAD);
    H5Tset_cset(mt, H5Tget_cset(ft));
    st = read_fixed(obj, is_attr, n, ft, mt, path, what, s);
  }
  if (st == CB_OK) {
    *out = s;
    s = NULL;
  }
done:
  if (s) {
    for (int64_t i = 0; i < n; ++i) free(s[i]);
    free(s);
  }
  cb__h5_close(&mt, H5Tclose);
  cb__h5_close(&ft, H5Tclose);
  return st;
}

cb_status cb__h5_read_string_attr(hid_t obj, const char *name, const char *path, char **out) {
  *out = NULL;
  if (H5Aexists(obj, name) <= 0) return CB_OK;
  hid_t at = H5Aopen(obj, name, H5P_DEFAULT);
  if (at < 0) return CB_ERROR(CB_ERR_FORMAT, "%s: cannot open attribute '%s'", path, name);
  hid_t sp = H5Aget_space(at);
  hssize_t np = sp >= 0 ? H5Sget_simple_extent_npoints(sp) : -1;
  cb__h5_close(&sp, H5Sclose);
  char **v = NULL;
  cb_status st = CB_OK;
  if (np < 1) {
    st = CB_ERROR(CB_ERR_FORMAT, "%s: attribute '%s' is empty", path, name);
  } else {
    char what[300];
    snprintf(what, sizeof what, "attribute '%s'", name);
    st = cb__h5_read_strings(at, 1, np, path, what, &v);
  }
  H5Aclose(at);
  if (st != CB_OK) return st;
  *out = v[0];
  for (hssize_t i = 1; i < np; ++i) free(v[i]);
  free(v);
  return CB_OK;
}

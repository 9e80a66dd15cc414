/* cb_rdmfile.c - RDM files: HDF5 datasets /rdm, /stimulus_id, /subject. */
#include "cb_rdmfile.h"

#include <hdf5.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cb_fs.h"
#include "cb_h5_impl.h"
#include "cb_isolate.h"
#include "cb_mem.h"
#include "cb_sha.h"
#include "cb_strbuf.h"

cb_status cb_rdmfile_create(int n_subject, int has_subject, int n, cb_rdmfile **out) {
  if (n_subject < 1 || n < 1 || (!has_subject && n_subject != 1) || (int64_t)n * n * n_subject > ((int64_t)1 << 34))
    return CB_ERROR(CB_ERR_ARG, "rdm: invalid size (%d subjects, %d stimuli)", n_subject, n);
  cb_status st = CB_OK;
  cb_rdmfile *r = calloc(1, sizeof *r);
  CB_ALLOC_GOTO(r, st, fail);
  r->n_subject = n_subject;
  r->has_subject = has_subject;
  r->n = n;
  r->rdm = calloc((size_t)n_subject * (size_t)n * (size_t)n, sizeof *r->rdm);
  CB_ALLOC_GOTO(r->rdm, st, fail);
  r->stimulus_id = calloc((size_t)n + 1, sizeof *r->stimulus_id);
  CB_ALLOC_GOTO(r->stimulus_id, st, fail);
  if (has_subject) {
    r->subject = calloc((size_t)n_subject + 1, sizeof *r->subject);
    CB_ALLOC_GOTO(r->subject, st, fail);
  }
  r->identifier = cb_strdup("");
  r->distance = cb_strdup("");
  CB_ALLOC_GOTO(r->identifier, st, fail);
  CB_ALLOC_GOTO(r->distance, st, fail);
  *out = r;
  return CB_OK;
fail:
  cb_rdmfile_destroy(&r);
  return st;
}

void cb_rdmfile_destroy(cb_rdmfile **rp) {
  if (!rp || !*rp) return;
  cb_rdmfile *r = *rp;
  if (r->stimulus_id)
    for (int i = 0; i < r->n; ++i) free(r->stimulus_id[i]);
  if (r->subject)
    for (int s = 0; s < r->n_subject; ++s) free(r->subject[s]);
  free(r->stimulus_id);
  free(r->subject);
  free(r->rdm);
  free(r->identifier);
  free(r->distance);
  free(r);
  *rp = NULL;
}

cb_status cb_rdmfile_check(const cb_rdmfile *r, double tol, int allow_nan, const char *name) {
  if (!name) name = "rdm";
  size_t nn = (size_t)r->n * (size_t)r->n;
  for (int s = 0; s < r->n_subject; ++s) {
    const double *a = r->rdm + (size_t)s * nn; /* (n, n) */
    double amax = 1.0;
    for (size_t k = 0; k < nn; ++k)
      if (isfinite(a[k]) && fabs(a[k]) > amax) amax = fabs(a[k]);
    for (int i = 0; i < r->n; ++i) {
      double d = a[(size_t)i * (size_t)r->n + (size_t)i];
      if (!(fabs(d) <= tol))
        return CB_ERROR(CB_ERR_FORMAT, "%s: RDM %d has a non-zero diagonal (entry %d is %g)", name, s + 1, i + 1, d);
      for (int j = i + 1; j < r->n; ++j) {
        double x = a[(size_t)i * (size_t)r->n + (size_t)j], y = a[(size_t)j * (size_t)r->n + (size_t)i];
        if (isnan(x) || isnan(y)) {
          if (allow_nan && isnan(x) && isnan(y)) continue;
          return CB_ERROR(CB_ERR_FORMAT, "%s: RDM %d has NaN at (%d, %d)", name, s + 1, i + 1, j + 1);
        }
        if (!isfinite(x) || !isfinite(y))
          return CB_ERROR(CB_ERR_FORMAT, "%s: RDM %d has an infinite value at (%d, %d)", name, s + 1, i + 1, j + 1);
        if (fabs(x - y) > tol * amax)
          return CB_ERROR(CB_ERR_FORMAT, "%s: RDM %d is not symmetric: (%d, %d) = %.17g but (%d, %d) = %.17g", name,
                          s + 1, i + 1, j + 1, x, j + 1, i + 1, y);
      }
    }
  }
  return CB_OK;
}

/* ---- HDF5 helpers ------------------------------------------------------- */

static int write_strings(hid_t f, const char *name, char *const *v, int n) {
  hsize_t d = (hsize_t)n;
  hid_t t = cb__h5_vlen_utf8(), sp = H5Screate_simple(1, &d, NULL);
  hid_t ds = H5Dcreate2(f, name, t, sp, H5P_DEFAULT, cb__h5_dcpl_untimed(), H5P_DEFAULT);
  int ok = ds >= 0 && H5Dwrite(ds, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) >= 0;
  if (ds >= 0) H5Dclose(ds);
  H5Sclose(sp);
  H5Tclose(t);
  return ok;
}

static int write_attr(hid_t f, const char *name, const char *v) {
  hid_t t = cb__h5_vlen_utf8(), sp = H5Screate(H5S_SCALAR);
  hid_t a = H5Acreate2(f, name, t, sp, H5P_DEFAULT, H5P_DEFAULT);
  int ok = a >= 0 && H5Awrite(a, t, &v) >= 0;
  if (a >= 0) H5Aclose(a);
  H5Sclose(sp);
  H5Tclose(t);
  return ok;
}

cb_status cb_rdmfile_write(const char *path, const cb_rdmfile *r) {
  if (!r || !path) return CB_ERROR(CB_ERR_ARG, "rdm: nothing to write");
  for (int i = 0; i < r->n; ++i)
    if (!r->stimulus_id[i]) return CB_ERROR(CB_ERR_ARG, "%s: stimulus %d has no id", path, i);
  for (int s = 0; r->has_subject && s < r->n_subject; ++s)
    if (!r->subject[s]) return CB_ERROR(CB_ERR_ARG, "%s: subject %d has no name", path, s);
  char dir[CB_PATH_MAX], tmp[CB_PATH_MAX];
  cb_path_dirname(path, dir, sizeof dir);
  CB_CHECK(cb_mkdirs(dir));
  CB_CHECK(cb_path_temp(path, tmp, sizeof tmp));
  cb__h5_quiet q;
  cb__h5_quiet_begin(&q);
  int ok = 0;
  hid_t f = H5Fcreate(tmp, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  if (f >= 0) {
    hsize_t dims[3] = {(hsize_t)r->n_subject, (hsize_t)r->n, (hsize_t)r->n};
    int nd = r->has_subject ? 3 : 2;
    hid_t sp = H5Screate_simple(nd, r->has_subject ? dims : dims + 1, NULL);
    hid_t ds = H5Dcreate2(f, "rdm", H5T_IEEE_F64LE, sp, H5P_DEFAULT, cb__h5_dcpl_untimed(), H5P_DEFAULT);
    ok = ds >= 0 && H5Dwrite(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, r->rdm) >= 0;
    if (ds >= 0) H5Dclose(ds);
    H5Sclose(sp);
    ok = ok && write_strings(f, "stimulus_id", r->stimulus_id, r->n);
    if (r->has_subject) ok = ok && write_strings(f, "subject", r->subject, r->n_subject);
    ok = ok && write_attr(f, "identifier", r->identifier ? r->identifier : "");
    ok = ok && write_attr(f, "distance", r->distance ? r->distance : "");
    if (H5Fclose(f) < 0) ok = 0;
  }
  cb__h5_quiet_end(&q);
  if (!ok) {
    unlink(tmp);
    return CB_ERROR(CB_ERR_IO, "%s: cannot write RDM file", path);
  }
  CB_CHECK(cb_file_commit(tmp, path));
  return cb_hash_record_written(path); /* PATH.sha256: read in-process while unchanged */
}

/* Reads the 1-D string dataset /name of length n (fixed or vlen) into out (n). */
static cb_status read_strings(hid_t f, const char *path, const char *name, int n, char **out) {
  cb_status st = CB_OK;
  hid_t ds = H5Dopen2(f, name, H5P_DEFAULT), ft = -1, sp = -1;
  if (ds < 0) return CB_ERROR(CB_ERR_FORMAT, "%s: missing dataset /%s", path, name);
  ft = H5Dget_type(ds);
  sp = H5Dget_space(ds);
  hsize_t d = 0;
  if (H5Tget_class(ft) != H5T_STRING || H5Sget_simple_extent_ndims(sp) != 1 ||
      (H5Sget_simple_extent_dims(sp, &d, NULL), d != (hsize_t)n)) {
    st = CB_ERROR(CB_ERR_FORMAT, "%s: /%s must be %d strings", path, name, n);
  } else {
    char what[300], **v = NULL;
    snprintf(what, sizeof what, "/%s", name);
    st = cb__h5_read_strings(ds, 0, n, path, what, &v);
    if (st == CB_OK) memcpy(out, v, (size_t)n * sizeof *v);
    free(v);
  }
  cb__h5_close(&sp, H5Sclose);
  cb__h5_close(&ft, H5Tclose);
  cb__h5_close(&ds, H5Dclose);
  return st;
}

/* Root string attribute; "" when absent or unreadable (the two are optional
 * descriptions), NULL only when out of memory. */
static char *read_attr(hid_t f, const char *path, const char *name) {
  char *v = NULL;
  if (cb__h5_read_string_attr(f, name, path, &v) != CB_OK) cb_error_clear();
  return v ? v : cb_strdup("");
}

/* The whole libhdf5 read; runs in the isolated child (cb_isolate). */
static cb_status read_in_process(const char *path, cb_rdmfile **out) {
  cb__h5_quiet q;
  cb__h5_quiet_begin(&q);
  cb_status st = CB_OK;
  cb_rdmfile *r = NULL;
  hid_t f = cb__h5_fopen_read(path), ds = -1, sp = -1;
  if (f < 0) {
    st = CB_ERROR(CB_ERR_FORMAT, "%s: not an HDF5 file (truncated or corrupt)", path);
    goto done;
  }
  ds = H5Dopen2(f, "rdm", H5P_DEFAULT);
  if (ds < 0) {
    st = CB_ERROR(CB_ERR_FORMAT, "%s: missing dataset /rdm", path);
    goto done;
  }
  sp = H5Dget_space(ds);
  int nd = H5Sget_simple_extent_ndims(sp);
  hsize_t d[3] = {0, 0, 0};
  if (nd == 2 || nd == 3) H5Sget_simple_extent_dims(sp, d, NULL);
  hsize_t n = nd == 3 ? d[1] : d[0], m = nd == 3 ? d[2] : d[1], S = nd == 3 ? d[0] : 1;
  if ((nd != 2 && nd != 3) || n != m || n == 0 || S == 0 || n > (1u << 20) || S > (1u << 20)) {
    st = CB_ERROR(CB_ERR_FORMAT, "%s: /rdm must be (n, n) or (S, n, n)", path);
    goto done;
  }
  /* float64; in the isolated reader the stack exists 4 times at once. */
  CB_CHECK_GOTO(cb_mem_check(cb_mem_product(S, n, n, 8u * (uint64_t)cb_isolate_copies()),
                             "%s: /rdm (%llu x %llu x %llu float64)", path, (unsigned long long)S,
                             (unsigned long long)n, (unsigned long long)n),
                st, done);
  CB_CHECK_GOTO(cb_rdmfile_create((int)S, nd == 3, (int)n, &r), st, done);
  if (H5Dread(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, r->rdm) < 0) {
    st = CB_ERROR(CB_ERR_FORMAT, "%s: cannot read /rdm (truncated or corrupt file)", path);
    goto done;
  }
  CB_CHECK_GOTO(read_strings(f, path, "stimulus_id", r->n, r->stimulus_id), st, done);
  if (nd == 3) {
    CB_CHECK_GOTO(read_strings(f, path, "subject", r->n_subject, r->subject), st, done);
  }
  free(r->identifier);
  free(r->distance);
  r->identifier = read_attr(f, path, "identifier");
  r->distance = read_attr(f, path, "distance");
  if (!r->identifier || !r->distance) {
    st = CB_ERROR(CB_ERR_NOMEM, "out of memory");
    goto done;
  }
  *out = r;
  r = NULL;
done:
  cb_rdmfile_destroy(&r);
  if (sp >= 0) H5Sclose(sp);
  if (ds >= 0) H5Dclose(ds);
  if (f >= 0) H5Fclose(f);
  cb__h5_quiet_end(&q);
  return st;
}

static cb_status read_child(void *arg, cb_wire *w) {
  cb_rdmfile *r = NULL;
  CB_CHECK(read_in_process((const char *)arg, &r));
  cb_wire_put_i64(w, r->n_subject);
  cb_wire_put_i64(w, r->has_subject);
  cb_wire_put_i64(w, r->n);
  cb_wire_put_f64s(w, r->rdm, (int64_t)r->n_subject * r->n * r->n);
  cb_wire_put_strs(w, r->stimulus_id, r->n);
  if (r->has_subject) cb_wire_put_strs(w, r->subject, r->n_subject);
  cb_wire_put_str(w, r->identifier);
  cb_wire_put_str(w, r->distance);
  cb_rdmfile_destroy(&r);
  return CB_OK;
}

cb_status cb_rdmfile_read(const char *path, cb_rdmfile **out) {
  if (!path || !out) return CB_ERROR(CB_ERR_ARG, "rdm: no path");
  if (!cb_path_exists(path)) return CB_ERROR(CB_ERR_IO, "%s: no such RDM file", path);
  CB_CHECK(cb_file_check_regular(path)); /* a FIFO would block HDF5's open */
  cb_wire w;
  CB_CHECK(cb_isolate_call(path, read_child, (void *)path, &w));
  cb_status st = CB_OK;
  cb_rdmfile *r = NULL;
  int64_t S = 0, has = 0, n = 0;
  char **ids = NULL, **subj = NULL, *id = NULL, *dist = NULL;
  if (!cb_wire_get_count(&w, 1, 1 << 20, &S) || !cb_wire_get_count(&w, 0, 1, &has) ||
      !cb_wire_get_count(&w, 1, 1 << 20, &n) || (double)S * (double)n * (double)n * 8.0 > (double)cb_wire_left(&w))
    goto bad;
  CB_CHECK_GOTO(cb_rdmfile_create((int)S, (int)has, (int)n, &r), st, done);
  if (!cb_wire_get_bytes(&w, r->rdm, (size_t)(S * n * n) * sizeof *r->rdm) || !cb_wire_get_strs(&w, n, &ids) ||
      (has && !cb_wire_get_strs(&w, S, &subj)) || !cb_wire_get_str(&w, &id) || !cb_wire_get_str(&w, &dist) ||
      !id || !dist || cb_wire_left(&w) != 0)
    goto bad;
  for (int64_t i = 0; i < n; ++i) free(r->stimulus_id[i]), r->stimulus_id[i] = ids[i], ids[i] = NULL;
  for (int64_t i = 0; has && i < S; ++i) free(r->subject[i]), r->subject[i] = subj[i], subj[i] = NULL;
  free(r->identifier);
  free(r->distance);
  r->identifier = id;
  r->distance = dist;
  id = dist = NULL;
  *out = r;
  r = NULL;
  goto done;
bad:
  st = CB_ERROR(CB_ERR_FORMAT, "%s: corrupt or unsupported HDF5 file (malformed reply from the reading process)",
                path);
done:
  cb_strlist_free(&ids);
  cb_strlist_free(&subj);
  free(id);
  free(dist);
  cb_rdmfile_destroy(&r);
  cb_wire_free(&w);
  return st;
}

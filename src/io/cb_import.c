/* cb_import.c - arrays, CSV tables and RDMs into assemblies and RDM files. */
#include "cb_import.h"

#include <hdf5.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cb_csv.h"
#include "cb_fs.h"
#include "cb_h5_impl.h"
#include "cb_mat.h"
#include "cb_npy.h"
#include "cb_strbuf.h"
#include "cb_stimuli.h"

enum { AX_NEUROID, AX_STIMULUS, AX_REPETITION, AX_TIME, AX_COUNT };
static const char *ax_names[AX_COUNT] = {"neuroid", "stimulus", "repetition", "time_bin"};

cb_import_opts cb_import_opts_default(void) {
  cb_import_opts o;
  memset(&o, 0, sizeof o);
  o.time_bin_start = o.time_bin_end = NAN;
  return o;
}

/* ---- arrays ------------------------------------------------------------- */

static cb_status hdf5_read(const char *path, const char *var, cb_ndarray **out) {
  cb__h5_quiet q;
  cb__h5_quiet_begin(&q);
  cb_status st = CB_OK;
  cb_ndarray *a = NULL;
  hid_t f = cb__h5_fopen_read(path), d = -1, sp = -1;
  if (f < 0) {
    st = CB_ERROR(CB_ERR_FORMAT, "%s: cannot open HDF5 file (truncated or corrupt)", path);
    goto done;
  }
  if (!var || H5Lexists(f, var, H5P_DEFAULT) <= 0 || (d = H5Dopen2(f, var, H5P_DEFAULT)) < 0) {
    st = CB_ERROR(CB_ERR_FORMAT, "%s: no dataset '%s' (give one with --var)", path, var ? var : "");
    goto done;
  }
  sp = H5Dget_space(d);
  int nd = H5Sget_simple_extent_ndims(sp);
  hsize_t hd[CB_NDARRAY_MAX_DIMS];
  if (nd < 1 || nd > CB_NDARRAY_MAX_DIMS) {
    st = CB_ERROR(CB_ERR_UNSUPPORTED, "%s: dataset '%s' has %d dimensions", path, var, nd);
    goto done;
  }
  H5Sget_simple_extent_dims(sp, hd, NULL);
  int64_t shape[CB_NDARRAY_MAX_DIMS];
  for (int k = 0; k < nd; ++k) shape[k] = (int64_t)hd[k];
  st = cb_ndarray_create(nd, shape, &a);
  if (st != CB_OK) {
    cb_error_prefix("%s: dataset '%s'", path, var);
    goto done;
  }
  if (cb_ndarray_size(a) > 0 && H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, a->data) < 0) {
    st = CB_ERROR(CB_ERR_FORMAT, "%s: cannot read dataset '%s' as numbers (not numeric, or corrupt)", path, var);
    goto done;
  }
  *out = a;
  a = NULL;
done:
  cb_ndarray_destroy(&a);
  if (sp >= 0) H5Sclose(sp);
  if (d >= 0) H5Dclose(d);
  if (f >= 0) H5Fclose(f);
  cb__h5_quiet_end(&q);
  return st;
}

cb_status cb_import_read_array(const char *path, const char *var, cb_ndarray **out) {
  if (!path || !out) return CB_ERROR(CB_ERR_ARG, "import: no input file");
  unsigned char head[528] = {0};
  FILE *f = NULL;
  CB_CHECK(cb_file_fopen_read(path, &f));
  size_t n = fread(head, 1, sizeof head, f);
  fclose(f);
  static const unsigned char h5sig[8] = {0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};
  if (cb_npy_sniff(head, n)) return cb_npy_read(path, out);
  if (n >= 8 && memcmp(head, h5sig, 8) == 0) return cb_ndarray_read_isolated(hdf5_read, path, var, out);
  if (cb_mat_sniff(head, n) || (n >= 520 && memcmp(head + 512, h5sig, 8) == 0)) {
    if (!var || !var[0]) return CB_ERROR(CB_ERR_ARG, "%s: name the MATLAB variable with --var", path);
    return cb_mat_read(path, var, out);
  }
  return CB_ERROR(CB_ERR_UNSUPPORTED, "%s: not a .npy, .mat or HDF5 file", path);
}

cb_status cb_import_read_ids(const char *path, char ***ids, int *n) {
  char *text = NULL;
  size_t len = 0;
  CB_CHECK(cb_file_read_all(path, &text, &len));
  const char *nl = strchr(text, '\n');
  size_t l0 = nl ? (size_t)(nl - text) : len;
  int is_csv = 0;
  for (const char *p = text; p + 11 <= text + l0; ++p)
    if (strncmp(p, "stimulus_id", 11) == 0 || strncmp(p, "image_id", 8) == 0) is_csv = 1;
  if (is_csv && l0 >= 8 && memchr(text, ',', l0)) {
    free(text);
    cb_stimulus_set *s = NULL;
    /* Only the ids are needed: read the CSV without looking for a zip. */
    CB_CHECK(cb_stimulus_set_read_zip(path, NULL, &s));
    char **list = calloc((size_t)s->n + 1, sizeof *list);
    cb_status st = CB_OK;
    CB_ALLOC_GOTO(list, st, fail);
    for (int i = 0; i < s->n; ++i) {
      list[i] = s->stimulus_id[i];
      s->stimulus_id[i] = NULL;
    }
    *ids = list;
    *n = s->n;
  fail:
    cb_stimulus_set_destroy(&s);
    return st;
  }
  for (char *p = text; *p; ++p)
    if (*p == '\r') *p = '\n';
  cb_status st = cb_strlist_split(text, '\n', ids, n);
  free(text);
  if (st == CB_OK && *n == 0) {
    cb_strlist_free(ids);
    return CB_ERROR(CB_ERR_FORMAT, "%s: no stimulus ids", path);
  }
  return st;
}

/* ids[i] for stimulus i: from the list or prefix + 1-based 4-digit index. */
static cb_status make_ids(const cb_import_opts *o, int64_t n, const char *src, char ***out) {
  if (o->stimulus_ids && o->n_ids != n)
    return CB_ERROR(CB_ERR_FORMAT, "%s: %lld stimuli in the data but %d stimulus ids given", src, (long long)n,
                    o->n_ids);
  char **ids = calloc((size_t)n + 1, sizeof *ids);
  if (!ids) return CB_ERROR(CB_ERR_NOMEM, "out of memory");
  for (int64_t i = 0; i < n; ++i) {
    char buf[512];
    if (o->stimulus_ids)
      snprintf(buf, sizeof buf, "%s", o->stimulus_ids[i]);
    else
      snprintf(buf, sizeof buf, "%s%04lld", o->stimulus_prefix ? o->stimulus_prefix : "stimulus", (long long)i + 1);
    ids[i] = cb_strdup(buf);
    if (!ids[i]) {
      cb_strlist_free(&ids);
      return CB_ERROR(CB_ERR_NOMEM, "out of memory");
    }
  }
  *out = ids;
  return CB_OK;
}

/* Neuroid coords and common attributes. */
static cb_status finish_assembly(cb_assembly *a, const cb_import_opts *o, char *const *neuroid_ids) {
  cb_status st = CB_OK;
  CB_CHECK(cb_assembly_add_string_coord(a, CB_DIM_NEUROID, "neuroid_id", (const char *const *)neuroid_ids));
  if (o->region) {
    const char **reg = malloc((size_t)a->n_neuroid * sizeof *reg);
    if (!reg) return CB_ERROR(CB_ERR_NOMEM, "out of memory");
    for (int64_t k = 0; k < a->n_neuroid; ++k) reg[k] = o->region;
    st = cb_assembly_add_string_coord(a, CB_DIM_NEUROID, "region", reg);
    free((void *)reg);
    CB_CHECK(st);
  }
  if (isfinite(o->time_bin_start) && isfinite(o->time_bin_end)) {
    if (a->n_time != 1) return CB_ERROR(CB_ERR_ARG, "import: a single time bin was given but the data have %lld",
                                        (long long)a->n_time);
    CB_CHECK(cb_assembly_add_number_coord(a, CB_DIM_TIME_BIN, "time_bin_start", &o->time_bin_start));
    CB_CHECK(cb_assembly_add_number_coord(a, CB_DIM_TIME_BIN, "time_bin_end", &o->time_bin_end));
  }
  free(a->identifier);
  free(a->stimulus_set_identifier);
  a->identifier = cb_strdup(o->identifier ? o->identifier : "");
  a->stimulus_set_identifier = cb_strdup(o->stimulus_set_identifier ? o->stimulus_set_identifier : "");
  if (!a->identifier || !a->stimulus_set_identifier) return CB_ERROR(CB_ERR_NOMEM, "out of memory");
  return CB_OK;
}

static cb_status neuroid_names(const cb_import_opts *o, int64_t n, char ***out) {
  char **ids = calloc((size_t)n + 1, sizeof *ids);
  if (!ids) return CB_ERROR(CB_ERR_NOMEM, "out of memory");
  int width = snprintf(NULL, 0, "%lld", (long long)(n > 1 ? n - 1 : 0));
  for (int64_t k = 0; k < n; ++k) {
    char buf[512];
    snprintf(buf, sizeof buf, "%s%0*lld", o->neuroid_prefix ? o->neuroid_prefix : "", width, (long long)k);
    ids[k] = cb_strdup(buf);
    if (!ids[k]) {
      cb_strlist_free(&ids);
      return CB_ERROR(CB_ERR_NOMEM, "out of memory");
    }
  }
  *out = ids;
  return CB_OK;
}

static cb_status parse_dims(const char *path, const char *spec, int ndim, int axis_of[AX_COUNT]) {
  const char *def = ndim == 3 ? "neuroid,stimulus,repetition" : ndim == 2 ? "neuroid,stimulus" : NULL;
  if (!spec) spec = def;
  if (!spec)
    return CB_ERROR(CB_ERR_ARG, "%s: a %d-D array needs --dims (e.g. neuroid,stimulus,repetition,time_bin)", path,
                    ndim);
  char **names = NULL;
  int n = 0;
  CB_CHECK(cb_strlist_split(spec, ',', &names, &n));
  cb_status st = CB_OK;
  for (int k = 0; k < AX_COUNT; ++k) axis_of[k] = -1;
  if (n != ndim) {
    st = CB_ERROR(CB_ERR_ARG, "%s: --dims names %d axes but the array has %d", path, n, ndim);
    goto done;
  }
  for (int i = 0; i < n; ++i) {
    int k = 0;
    while (k < AX_COUNT && strcmp(names[i], ax_names[k]) != 0) ++k;
    if (k == AX_COUNT || axis_of[k] >= 0) {
      st = CB_ERROR(CB_ERR_ARG, "%s: --dims axis '%s' is unknown or repeated (neuroid, stimulus, repetition, time_bin)",
                    path, names[i]);
      goto done;
    }
    axis_of[k] = i;
  }
  if (axis_of[AX_NEUROID] < 0 || axis_of[AX_STIMULUS] < 0)
    st = CB_ERROR(CB_ERR_ARG, "%s: --dims must name a neuroid and a stimulus axis", path);
done:
  cb_strlist_free(&names);
  return st;
}

static cb_status assembly_from_array(const char *path, const cb_ndarray *x, const cb_import_opts *o,
                                     cb_assembly **out) {
  int axis_of[AX_COUNT];
  CB_CHECK(parse_dims(path, o->dims, x->ndim, axis_of));
  int64_t len[AX_COUNT], stride[AX_COUNT], xs[CB_NDARRAY_MAX_DIMS];
  xs[x->ndim - 1] = 1;
  for (int d = x->ndim - 2; d >= 0; --d) xs[d] = xs[d + 1] * x->shape[d + 1];
  for (int k = 0; k < AX_COUNT; ++k) {
    len[k] = axis_of[k] >= 0 ? x->shape[axis_of[k]] : 1;
    stride[k] = axis_of[k] >= 0 ? xs[axis_of[k]] : 0;
  }
  int64_t nN = len[AX_NEUROID], nS = len[AX_STIMULUS], nR = len[AX_REPETITION], nT = len[AX_TIME];
  if (nN < 1 || nS < 1 || nR < 1 || nT < 1) return CB_ERROR(CB_ERR_FORMAT, "%s: the array is empty", path);
  cb_status st = CB_OK;
  char **ids = NULL, **nids = NULL, **pres_id = NULL;
  double *rep = NULL;
  cb_assembly *a = NULL;
  unsigned char *keep = NULL; /* (nS, nR) */
  CB_CHECK_GOTO(make_ids(o, nS, path, &ids), st, done);
  keep = calloc((size_t)(nS * nR), 1);
  CB_ALLOC_GOTO(keep, st, done);
  int64_t n_pres = 0;
  for (int64_t s = 0; s < nS; ++s)
    for (int64_t r = 0; r < nR; ++r) {
      int any = 0;
      for (int64_t nn = 0; nn < nN && !any; ++nn)
        for (int64_t t = 0; t < nT && !any; ++t)
          any = !isnan(x->data[s * stride[AX_STIMULUS] + r * stride[AX_REPETITION] + nn * stride[AX_NEUROID] +
                               t * stride[AX_TIME]]);
      keep[s * nR + r] = (unsigned char)any;
      n_pres += any;
    }
  if (n_pres == 0) {
    st = CB_ERROR(CB_ERR_FORMAT, "%s: every value is NaN", path);
    goto done;
  }
  CB_CHECK_GOTO(cb_assembly_create(n_pres, nN, nT, &a), st, done);
  pres_id = calloc((size_t)n_pres + 1, sizeof *pres_id);
  rep = malloc((size_t)n_pres * sizeof *rep);
  CB_ALLOC_GOTO(pres_id, st, done);
  CB_ALLOC_GOTO(rep, st, done);
  int64_t p = 0;
  for (int64_t s = 0; s < nS; ++s)
    for (int64_t r = 0; r < nR; ++r) {
      if (!keep[s * nR + r]) continue;
      pres_id[p] = ids[s];
      rep[p] = (double)r;
      for (int64_t nn = 0; nn < nN; ++nn)
        for (int64_t t = 0; t < nT; ++t)
          a->data[(p * nN + nn) * nT + t] = x->data[s * stride[AX_STIMULUS] + r * stride[AX_REPETITION] +
                                                    nn * stride[AX_NEUROID] + t * stride[AX_TIME]];
      ++p;
    }
  CB_CHECK_GOTO(cb_assembly_add_string_coord(a, CB_DIM_PRESENTATION, "stimulus_id", (const char *const *)pres_id), st,
                done);
  CB_CHECK_GOTO(cb_assembly_add_number_coord(a, CB_DIM_PRESENTATION, "repetition", rep), st, done);
  CB_CHECK_GOTO(neuroid_names(o, nN, &nids), st, done);
  CB_CHECK_GOTO(finish_assembly(a, o, nids), st, done);
  *out = a;
  a = NULL;
done:
  cb_assembly_destroy(&a);
  cb_strlist_free(&ids);
  cb_strlist_free(&nids);
  free(pres_id);
  free(rep);
  free(keep);
  return st;
}

/* ---- CSV ---------------------------------------------------------------- */

/* Columns of the header hdr (nc): stimulus_id (or image_id) *c_id, repetition *c_rep (-1: none), *nN neuroids. */
static cb_status csv_columns(const char *path, char **hdr, int nc, int *c_id, int *c_rep, int *nN) {
  for (int c = 0; c < nc; ++c) {
    if (strcmp(hdr[c], "stimulus_id") == 0 || (*c_id < 0 && strcmp(hdr[c], "image_id") == 0)) *c_id = c;
    if (strcmp(hdr[c], "repetition") == 0) *c_rep = c;
  }
  if (*c_id < 0) return CB_ERROR(CB_ERR_FORMAT, "%s: missing column 'stimulus_id'", path);
  *nN = nc - 1 - (*c_rep >= 0);
  if (*nN < 1) return CB_ERROR(CB_ERR_FORMAT, "%s: no neuroid columns", path);
  return CB_OK;
}

/* One presentation row f (nc fields, file line `line`): its stimulus id (*pid, owned by the table), repetition
 * (*rep, 0 without the column) and the neuroid values into data (nN). */
static cb_status csv_row(const char *path, int line, char **hdr, char **f, int nc, int c_id, int c_rep,
                         double *data /* (nN) */, char **pid, double *rep) {
  if (!f[c_id][0]) return CB_ERROR(CB_ERR_FORMAT, "%s:%d: empty stimulus_id", path, line);
  *pid = f[c_id];
  *rep = 0;
  for (int c = 0, k = 0; c < nc; ++c) {
    if (c == c_id) continue;
    double v = NAN;
    if (f[c][0] && strcasecmp(f[c], "nan") != 0) {
      char *end = NULL;
      v = strtod(f[c], &end);
      if (*end) return CB_ERROR(CB_ERR_FORMAT, "%s:%d: column '%s': '%s' is not a number", path, line, hdr[c], f[c]);
    }
    if (c == c_rep)
      *rep = v;
    else
      data[k++] = v;
  }
  return CB_OK;
}

/* One column per neuroid (the header names them), one row per presentation: stimulus_id (or image_id), an
 * optional repetition, numbers (empty or "nan": missing). */
static cb_status assembly_from_csv(const char *path, const cb_import_opts *o, cb_assembly **out) {
  cb_status st = CB_OK;
  cb_csv t = {0};
  char **nids = NULL, **pid = NULL;
  double *rep = NULL;
  cb_assembly *a = NULL;
  CB_CHECK(cb_csv_read(path, &t));
  if (t.n_rows < 2) {
    st = CB_ERROR(CB_ERR_FORMAT, "%s: a CSV assembly needs a header and at least one row", path);
    goto done;
  }
  char **hdr = cb_csv_row(&t, 0);
  const int nc = cb_csv_row_len(&t, 0);
  int c_id = -1, c_rep = -1, nN = 0;
  CB_CHECK_GOTO(csv_columns(path, hdr, nc, &c_id, &c_rep, &nN), st, done);
  const int n_pres = t.n_rows - 1;
  CB_CHECK_GOTO(cb_assembly_create(n_pres, nN, 1, &a), st, done);
  nids = calloc((size_t)nN + 1, sizeof *nids);
  pid = calloc((size_t)n_pres + 1, sizeof *pid);
  rep = malloc((size_t)n_pres * sizeof *rep);
  CB_ALLOC_GOTO(nids, st, done);
  CB_ALLOC_GOTO(pid, st, done);
  CB_ALLOC_GOTO(rep, st, done);
  for (int c = 0, k = 0; c < nc; ++c)
    if (c != c_id && c != c_rep) nids[k++] = hdr[c];
  for (int r = 1; r < t.n_rows; ++r) {
    const int m = cb_csv_row_len(&t, r);
    if (m != nc) {
      st = CB_ERROR(CB_ERR_FORMAT, "%s:%d: row has %d fields, header has %d", path, t.row_line[r], m, nc);
      goto done;
    }
    CB_CHECK_GOTO(csv_row(path, t.row_line[r], hdr, cb_csv_row(&t, r), nc, c_id, c_rep,
                          a->data + (int64_t)(r - 1) * nN, &pid[r - 1], &rep[r - 1]), st, done);
  }
  CB_CHECK_GOTO(cb_assembly_add_string_coord(a, CB_DIM_PRESENTATION, "stimulus_id", (const char *const *)pid), st,
                done);
  if (c_rep >= 0) CB_CHECK_GOTO(cb_assembly_add_number_coord(a, CB_DIM_PRESENTATION, "repetition", rep), st, done);
  CB_CHECK_GOTO(finish_assembly(a, o, nids), st, done);
  *out = a;
  a = NULL;
done:
  cb_assembly_destroy(&a);
  free(nids); /* strings owned by the table */
  free(pid);
  free(rep);
  cb_csv_free(&t);
  return st;
}

cb_status cb_import_assembly(const char *path, const cb_import_opts *o, cb_assembly **out) {
  if (!path || !o || !out) return CB_ERROR(CB_ERR_ARG, "import: invalid arguments");
  size_t l = strlen(path);
  if (l > 4 && strcasecmp(path + l - 4, ".csv") == 0) return assembly_from_csv(path, o, out);
  cb_ndarray *x = NULL;
  CB_CHECK(cb_import_read_array(path, o->var, &x));
  cb_status st = assembly_from_array(path, x, o, out);
  cb_ndarray_destroy(&x);
  return st;
}

/* ---- RDMs --------------------------------------------------------------- */

/* n with n(n-1)/2 == m, or 0. */
static int64_t condensed_n(int64_t m) {
  int64_t n = (int64_t)floor((1.0 + sqrt(1.0 + 8.0 * (double)m)) / 2.0 + 0.5);
  return n >= 2 && n * (n - 1) / 2 == m ? n : 0;
}

/* How the array holds its RDMs: S of them (a leading stack axis, or 1), n stimuli, square or condensed. */
typedef struct rdm_layout {
  int stacked;   /* "var.field": the leading axis stacks a struct array's elements */
  int condensed; /* each RDM is its n(n-1)/2 upper triangle */
  int64_t S, n;
} rdm_layout;

/* Squeeze singleton axes of x (keeping the leading stack axis of "var.field"), then find the layout. */
static cb_status rdm_find_layout(const char *path, const cb_import_opts *o, const cb_ndarray *x, rdm_layout *L) {
  char sh[128];
  L->stacked = o->var && strchr(o->var, '.') != NULL;
  int64_t dims[CB_NDARRAY_MAX_DIMS];
  int nd = 0;
  for (int d = 0; d < x->ndim; ++d)
    if (x->shape[d] != 1 || (L->stacked && d == 0)) dims[nd++] = x->shape[d];
  L->S = 1;
  L->n = 0;
  L->condensed = 0;
  const int64_t *rd = dims; /* the per-RDM axes */
  int rest = nd;
  if (L->stacked || nd == 3 || (nd == 2 && dims[0] != dims[1])) { /* leading stack axis */
    L->S = nd >= 1 ? dims[0] : 0;
    rd = dims + 1;
    rest = nd - 1;
  }
  if (rest == 2 && rd[0] == rd[1]) {
    L->n = rd[0];
  } else if (rest == 1 && condensed_n(rd[0])) {
    L->n = condensed_n(rd[0]);
    L->condensed = 1;
  }
  if (L->n < 2 || L->n > (1 << 20) || L->S > (1 << 20))
    return CB_ERROR(CB_ERR_FORMAT, "%s: '%s' of shape %s is neither square (n, n) / (S, n, n) nor condensed (n(n-1)/2)",
                    path, o->var ? o->var : "array", cb_ndarray_shape_str(x, sh, sizeof sh));
  return CB_OK;
}

/* RDMs s0..s1-1 of x into r->rdm, condensed ones expanded to (n, n) with a zero diagonal. */
static void rdm_copy(const cb_ndarray *x, const rdm_layout *L, int64_t s0, int64_t s1, cb_rdmfile *r) {
  const int64_t n = L->n, per = L->condensed ? n * (n - 1) / 2 : n * n;
  for (int64_t s = s0; s < s1; ++s) {
    const double *src = x->data + s * per;
    double *dst = r->rdm + (s - s0) * n * n; /* (n, n) */
    if (L->condensed) {
      int64_t k = 0;
      for (int64_t i = 0; i < n; ++i) {
        dst[i * n + i] = 0.0;
        for (int64_t j = i + 1; j < n; ++j, ++k) dst[i * n + j] = dst[j * n + i] = src[k];
      }
    } else {
      memcpy(dst, src, (size_t)(n * n) * sizeof *dst);
    }
  }
}

/* Stimulus ids of r from the options (the list, or a prefix and index). */
static cb_status rdm_ids(const char *path, const cb_import_opts *o, cb_rdmfile *r) {
  char **ids = NULL; /* (n + 1), NULL-terminated */
  CB_CHECK(make_ids(o, r->n, path, &ids));
  for (int i = 0; i < r->n; ++i) r->stimulus_id[i] = ids[i];
  free(ids);
  return CB_OK;
}

/* Subject names of RDMs s0..s1-1: --subjects, else the struct array's "name" field, else 1-based numbers. */
static cb_status rdm_subjects(const char *path, const cb_import_opts *o, const rdm_layout *L, int64_t s0, int64_t s1,
                              cb_rdmfile *r) {
  char **names = NULL;
  int n_names = 0;
  if (L->stacked && !o->subjects) {
    char spec[512];
    const char *dot = strchr(o->var, '.');
    snprintf(spec, sizeof spec, "%.*s.name", (int)(dot - o->var), o->var);
    if (cb_mat_read_strings(path, spec, &names, &n_names) != CB_OK || n_names != L->S) {
      cb_error_clear();
      cb_strlist_free(&names);
      n_names = 0;
    }
  }
  cb_status st = CB_OK;
  for (int64_t s = s0; s < s1; ++s) {
    char buf[32];
    snprintf(buf, sizeof buf, "%lld", (long long)s + 1);
    r->subject[s - s0] = cb_strdup(o->subjects ? o->subjects[s - s0] : n_names ? names[s] : buf);
    CB_ALLOC_GOTO(r->subject[s - s0], st, done);
  }
done:
  cb_strlist_free(&names);
  return st;
}

cb_status cb_import_rdm(const char *path, const cb_import_opts *o, cb_rdmfile **out) {
  if (!path || !o || !out) return CB_ERROR(CB_ERR_ARG, "import: invalid arguments");
  cb_status st = CB_OK;
  cb_ndarray *x = NULL;
  cb_rdmfile *r = NULL;
  rdm_layout L;
  CB_CHECK(cb_import_read_array(path, o->var, &x));
  CB_CHECK_GOTO(rdm_find_layout(path, o, x, &L), st, done);
  if (o->element < 0 || o->element > L.S) {
    st = CB_ERROR(CB_ERR_ARG, "%s: element %d asked but '%s' holds %lld RDMs", path, o->element,
                  o->var ? o->var : "array", (long long)L.S);
    goto done;
  }
  int64_t s0 = o->element ? o->element - 1 : 0, s1 = o->element ? o->element : L.S;
  int has_subject = (s1 - s0) > 1 || (L.stacked && !o->element && L.S > 1) || o->subjects != NULL;
  if (o->subjects && o->n_subjects != s1 - s0) {
    st = CB_ERROR(CB_ERR_ARG, "%s: --subjects gives %d name(s) but %lld RDM(s) are imported from '%s'", path,
                  o->n_subjects, (long long)(s1 - s0), o->var ? o->var : "array");
    goto done;
  }
  CB_CHECK_GOTO(cb_rdmfile_create((int)(s1 - s0), has_subject, (int)L.n, &r), st, done);
  rdm_copy(x, &L, s0, s1, r);
  CB_CHECK_GOTO(cb_rdmfile_check(r, o->tolerance > 0 ? o->tolerance : 1e-6, 0, path), st, done);
  CB_CHECK_GOTO(rdm_ids(path, o, r), st, done);
  if (has_subject) CB_CHECK_GOTO(rdm_subjects(path, o, &L, s0, s1, r), st, done);
  free(r->identifier);
  free(r->distance);
  r->identifier = cb_strdup(o->identifier ? o->identifier : "");
  r->distance = cb_strdup(o->distance ? o->distance : "");
  if (!r->identifier || !r->distance) {
    st = CB_ERROR(CB_ERR_NOMEM, "out of memory");
    goto done;
  }
  *out = r;
  r = NULL;
done:
  cb_rdmfile_destroy(&r);
  cb_ndarray_destroy(&x);
  return st;
}

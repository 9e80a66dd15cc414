/* cb_assembly.c - BrainIO netCDF-4 assemblies through the HDF5 C API.
 *
 * A netCDF-4 file is an HDF5 file in which every netCDF dimension is a
 * dimension-scale dataset and every variable refers to its dimensions through
 * the DIMENSION_LIST attribute (H5DS). Reading finds the presentation/neuroid/
 * time_bin scales, the 1-D coordinate variables attached to them and the one
 * numeric variable laid out on (presentation, neuroid[, time_bin]).
 */
#include "cb_assembly.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <hdf5.h>
#include <hdf5_hl.h>

#include "cb_fs.h"
#include "cb_h5_impl.h"
#include "cb_isolate.h"
#include "cb_mem.h"
#include "cb_sha.h"
#include "cb_strbuf.h"
#include "cb_version.h"

static const char *const DIM_NAMES[3] = {"presentation", "neuroid", "time_bin"};
#define NC_DIM_TEXT "This is a netCDF dimension but not a netCDF variable."
#define CHUNK_BYTES ((int64_t)4 << 20)

/* ------------------------------------------------------------------------ */
/* HDF5 helpers                                                              */

/* Opens `path` read-only with clear messages for the usual failures. */
static cb_status open_h5_read(const char *path, hid_t *out) {
  if (path == NULL) return CB_ERROR(CB_ERR_ARG, "assembly path is NULL");
  FILE *fp = NULL;
  CB_CHECK(cb_file_fopen_read(path, &fp));
  unsigned char magic[4] = {0};
  size_t got = fread(magic, 1, 4, fp);
  fclose(fp);
  if (got == 4 && magic[0] == 'C' && magic[1] == 'D' && magic[2] == 'F')
    return CB_ERROR(CB_ERR_UNSUPPORTED, "%s: netCDF-3 classic file; only netCDF-4 (HDF5) assemblies are supported",
                    path);
  return cb__h5_open_read(path, "HDF5/netCDF-4", out);
}

/* ------------------------------------------------------------------------ */
/* In-memory assembly                                                        */

static void coord_free(cb_coord *c, int64_t len) {
  free(c->name);
  if (c->s) {
    for (int64_t i = 0; i < len; ++i) free(c->s[i]);
    free(c->s);
  }
  free(c->v);
  memset(c, 0, sizeof *c);
}

static int64_t dim_len(const cb_assembly *a, int dim) {
  return dim == 0 ? a->n_pres : dim == 1 ? a->n_neuroid : a->n_time;
}

/* How assembly_new provides the data: none (the caller attaches a buffer), uninitialised (the caller overwrites
 * every value), or all NaN (absent values). */
typedef enum { DATA_NONE, DATA_UNINIT, DATA_NAN } data_mode;

static cb_status assembly_new(int64_t n_pres, int64_t n_neuroid, int64_t n_time, data_mode mode, cb_assembly **out) {
  if (out == NULL) return CB_ERROR(CB_ERR_ARG, "cb_assembly_create: out is NULL");
  if (n_pres < 1 || n_neuroid < 1 || n_time < 1)
    return CB_ERROR(CB_ERR_ARG, "assembly shape (%lld, %lld, %lld) must be positive", (long long)n_pres,
                    (long long)n_neuroid, (long long)n_time);
  if ((double)n_pres * (double)n_neuroid * (double)n_time > (double)(SIZE_MAX / sizeof(double)))
    return CB_ERROR(CB_ERR_ARG, "assembly shape (%lld, %lld, %lld) is too large", (long long)n_pres,
                    (long long)n_neuroid, (long long)n_time);
  cb_status st = CB_OK;
  cb_assembly *a = calloc(1, sizeof *a);
  CB_ALLOC_GOTO(a, st, fail);
  a->n_pres = n_pres;
  a->n_neuroid = n_neuroid;
  a->n_time = n_time;
  size_t n = (size_t)(n_pres * n_neuroid * n_time);
  if (mode != DATA_NONE) {
    a->data = malloc(n * sizeof *a->data); /* (n_pres, n_neuroid, n_time) */
    CB_ALLOC_GOTO(a->data, st, fail);
  }
  for (size_t i = 0; mode == DATA_NAN && i < n; ++i) a->data[i] = NAN;
  a->identifier = cb_strdup("");
  a->stimulus_set_identifier = cb_strdup("");
  CB_ALLOC_GOTO(a->identifier, st, fail);
  CB_ALLOC_GOTO(a->stimulus_set_identifier, st, fail);
  *out = a;
  return CB_OK;
fail:
  cb_assembly_destroy(&a);
  return st;
}

cb_status cb_assembly_create(int64_t n_pres, int64_t n_neuroid, int64_t n_time, cb_assembly **out) {
  return assembly_new(n_pres, n_neuroid, n_time, DATA_NAN, out);
}

void cb_assembly_destroy(cb_assembly **pa) {
  if (pa == NULL || *pa == NULL) return;
  cb_assembly *a = *pa;
  for (int i = 0; i < a->n_coords; ++i) coord_free(&a->coords[i], dim_len(a, a->coords[i].dim));
  free(a->coords);
  free(a->data);
  free(a->identifier);
  free(a->stimulus_set_identifier);
  free(a->source);
  free(a);
  *pa = NULL;
}

const cb_coord *cb_assembly_coord(const cb_assembly *a, const char *name) {
  if (a == NULL || name == NULL) return NULL;
  for (int i = 0; i < a->n_coords; ++i)
    if (strcmp(a->coords[i].name, name) == 0) return &a->coords[i];
  return NULL;
}

static cb_status check_new_coord(const cb_assembly *a, int dim, const char *name) {
  if (a == NULL || name == NULL) return CB_ERROR(CB_ERR_ARG, "add coord: assembly or name is NULL");
  if (dim < 0 || dim > 2) return CB_ERROR(CB_ERR_ARG, "coordinate '%s': dimension %d is not 0, 1 or 2", name, dim);
  if (name[0] == '\0' || strchr(name, '/') || strcmp(name, "data") == 0 || strcmp(name, DIM_NAMES[0]) == 0 ||
      strcmp(name, DIM_NAMES[1]) == 0 || strcmp(name, DIM_NAMES[2]) == 0)
    return CB_ERROR(CB_ERR_ARG, "coordinate name '%s' is not allowed", name);
  if (cb_assembly_coord(a, name)) return CB_ERROR(CB_ERR_ARG, "coordinate '%s' already exists", name);
  return CB_OK;
}

static cb_status push_coord(cb_assembly *a, cb_coord *c) {
  cb_coord *nc = realloc(a->coords, (size_t)(a->n_coords + 1) * sizeof *nc);
  if (nc == NULL) return CB_ERROR(CB_ERR_NOMEM, "out of memory");
  a->coords = nc;
  a->coords[a->n_coords++] = *c;
  return CB_OK;
}

cb_status cb_assembly_add_string_coord(cb_assembly *a, int dim, const char *name, const char *const *values) {
  CB_CHECK(check_new_coord(a, dim, name));
  if (values == NULL) return CB_ERROR(CB_ERR_ARG, "coordinate '%s': values are NULL", name);
  int64_t len = dim_len(a, dim);
  cb_status st = CB_OK;
  cb_coord c = {0};
  c.dim = dim;
  c.is_string = 1;
  c.name = cb_strdup(name);
  CB_ALLOC_GOTO(c.name, st, fail);
  c.s = calloc((size_t)len, sizeof *c.s);
  CB_ALLOC_GOTO(c.s, st, fail);
  for (int64_t i = 0; i < len; ++i) {
    c.s[i] = cb_strdup(values[i] ? values[i] : "");
    CB_ALLOC_GOTO(c.s[i], st, fail);
  }
  CB_CHECK_GOTO(push_coord(a, &c), st, fail);
  return CB_OK;
fail:
  coord_free(&c, len);
  return st;
}

cb_status cb_assembly_add_number_coord(cb_assembly *a, int dim, const char *name, const double *values) {
  CB_CHECK(check_new_coord(a, dim, name));
  if (values == NULL) return CB_ERROR(CB_ERR_ARG, "coordinate '%s': values are NULL", name);
  int64_t len = dim_len(a, dim);
  cb_status st = CB_OK;
  cb_coord c = {0};
  c.dim = dim;
  c.name = cb_strdup(name);
  CB_ALLOC_GOTO(c.name, st, fail);
  c.v = malloc((size_t)len * sizeof *c.v);
  CB_ALLOC_GOTO(c.v, st, fail);
  memcpy(c.v, values, (size_t)len * sizeof *c.v);
  CB_CHECK_GOTO(push_coord(a, &c), st, fail);
  return CB_OK;
fail:
  coord_free(&c, len);
  return st;
}

/* ------------------------------------------------------------------------ */
/* Reading                                                                   */

typedef struct name_list {
  char **names; /* (n) */
  int n, cap;
} name_list;

static herr_t collect_name(hid_t g, const char *name, const H5L_info_t *info, void *op) {
  (void)g;
  name_list *l = op;
  if (info->type != H5L_TYPE_HARD) return 0;
  if (l->n == l->cap) {
    int cap = l->cap ? 2 * l->cap : 16;
    char **nn = realloc(l->names, (size_t)cap * sizeof *nn);
    if (nn == NULL) return -1;
    l->names = nn;
    l->cap = cap;
  }
  l->names[l->n] = cb_strdup(name);
  if (l->names[l->n] == NULL) return -1;
  l->n++;
  return 0;
}

static void name_list_free(name_list *l) {
  for (int i = 0; i < l->n; ++i) free(l->names[i]);
  free(l->names);
  memset(l, 0, sizeof *l);
}

/* Lists the links of group `g` in creation order when tracked, else by name. */
static cb_status list_links(hid_t g, const char *path, name_list *l) {
  H5_index_t idx = H5_INDEX_NAME;
  hid_t gcpl = H5Gget_create_plist(g);
  unsigned flags = 0;
  if (gcpl >= 0 && H5Pget_link_creation_order(gcpl, &flags) >= 0 && (flags & H5P_CRT_ORDER_INDEXED))
    idx = H5_INDEX_CRT_ORDER;
  if (gcpl >= 0) H5Pclose(gcpl);
  hsize_t pos = 0;
  if (H5Literate(g, idx, H5_ITER_INC, &pos, collect_name, l) < 0) {
    name_list_free(l);
    return CB_ERROR(CB_ERR_FORMAT, "%s: cannot list the file's contents (truncated or corrupt file)", path);
  }
  return CB_OK;
}

static herr_t first_scale_name(hid_t did, unsigned dim, hid_t dsid, void *op) {
  (void)did;
  (void)dim;
  char *buf = op;
  ssize_t len = H5Iget_name(dsid, buf, 256);
  return len > 0 ? 1 : -1;
}

/* Index (0..2) of the netCDF dimension attached to axis `axis` of `d`, -1 when
 * none or another dimension. */
static int axis_dim(hid_t d, unsigned axis) {
  char name[256] = {0};
  int idx = 0;
  if (H5DSget_num_scales(d, axis) <= 0) return -1;
  if (H5DSiterate_scales(d, axis, &idx, first_scale_name, name) <= 0) return -1;
  const char *base = strrchr(name, '/');
  base = base ? base + 1 : name;
  for (int k = 0; k < 3; ++k)
    if (strcmp(base, DIM_NAMES[k]) == 0) return k;
  return -1;
}

static int is_numeric(hid_t d) {
  hid_t t = H5Dget_type(d);
  H5T_class_t c = t >= 0 ? H5Tget_class(t) : H5T_NO_CLASS;
  if (t >= 0) H5Tclose(t);
  return c == H5T_INTEGER || c == H5T_FLOAT;
}

static int is_string_type(hid_t d) {
  hid_t t = H5Dget_type(d);
  H5T_class_t c = t >= 0 ? H5Tget_class(t) : H5T_NO_CLASS;
  if (t >= 0) H5Tclose(t);
  return c == H5T_STRING;
}

/* Rank and shape (up to 3 axes) of a dataset; rank -1 on error. */
static int ds_shape(hid_t d, hsize_t dims[3]) {
  hid_t sp = H5Dget_space(d);
  if (sp < 0) return -1;
  int r = H5Sget_simple_extent_ndims(sp);
  if (r >= 0 && r <= 3) H5Sget_simple_extent_dims(sp, dims, NULL);
  H5Sclose(sp);
  return r;
}

static cb_status read_coord(hid_t d, const char *path, const char *name, int dim, int64_t len, cb_coord *c) {
  c->dim = dim;
  c->name = cb_strdup(name);
  if (c->name == NULL) return CB_ERROR(CB_ERR_NOMEM, "out of memory");
  if (is_string_type(d)) {
    char what[300];
    snprintf(what, sizeof what, "coordinate '%s'", name);
    c->is_string = 1;
    return cb__h5_read_strings(d, 0, len, path, what, &c->s);
  }
  if (!is_numeric(d))
    return CB_ERROR(CB_ERR_UNSUPPORTED, "%s: coordinate '%s' has an unsupported type (not a number or string)",
                    path, name);
  c->v = malloc((size_t)(len > 0 ? len : 1) * sizeof *c->v);
  if (c->v == NULL) return CB_ERROR(CB_ERR_NOMEM, "out of memory");
  if (H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, c->v) < 0)
    return CB_ERROR(CB_ERR_FORMAT, "%s: cannot read coordinate '%s' (truncated or corrupt file)", path, name);
  return CB_OK;
}

typedef struct read_ctx {
  const char *path;
  hid_t f;
  name_list names;
  int64_t scale_len[3]; /* (3) -1 when the dimension is absent */
  int which, rank;      /* the data variable: index in names, 2 or 3 dimensions */
} read_ctx;

/* Finds the data variable; *which = index in ctx->names, *rank = 2 or 3. */
static cb_status find_data_var(read_ctx *x, int *which, int *rank, hsize_t dims[3]) {
  int found = -1, n_found = 0, data_idx = -1, bad_type = -1;
  hsize_t fd[3] = {0, 0, 0};
  int frank = 0;
  for (int i = 0; i < x->names.n; ++i) {
    hid_t d = H5Dopen2(x->f, x->names.names[i], H5P_DEFAULT);
    if (d < 0) continue;
    hsize_t sh[3] = {0, 0, 0};
    int r = ds_shape(d, sh);
    if ((r == 2 || r == 3) && H5DSis_scale(d) <= 0) {
      int ok = 1;
      for (int k = 0; k < r; ++k) ok = ok && axis_dim(d, (unsigned)k) == k;
      if (ok && !is_numeric(d)) {
        bad_type = i;
      } else if (ok) {
        ++n_found;
        if (found < 0 || strcmp(x->names.names[i], "data") == 0) {
          found = i;
          frank = r;
          memcpy(fd, sh, sizeof fd);
        }
        if (strcmp(x->names.names[i], "data") == 0) data_idx = i;
      }
    }
    H5Dclose(d);
  }
  if (n_found == 0 && bad_type >= 0)
    return CB_ERROR(CB_ERR_UNSUPPORTED, "%s: data variable '%s' has an unsupported type (not numeric)", x->path,
                    x->names.names[bad_type]);
  if (n_found == 0)
    return CB_ERROR(CB_ERR_FORMAT, "%s: no data variable (a numeric presentation x neuroid [x time_bin] dataset)",
                    x->path);
  if (n_found > 1 && data_idx < 0)
    return CB_ERROR(CB_ERR_FORMAT, "%s: %d candidate data variables and none is named 'data'", x->path, n_found);
  *which = found;
  *rank = frank;
  memcpy(dims, fd, sizeof fd);
  return CB_OK;
}

/* The data variable and its shape (n_pres, n_neuroid, n_time), before anything is allocated for it. */
static cb_status read_shape(read_ctx *x, int64_t shape[3]) {
  for (int k = 0; k < 3; ++k) x->scale_len[k] = -1;
  CB_CHECK(list_links(x->f, x->path, &x->names));

  /* Dimension scales. */
  for (int i = 0; i < x->names.n; ++i) {
    for (int k = 0; k < 3; ++k) {
      if (strcmp(x->names.names[i], DIM_NAMES[k]) != 0) continue;
      hid_t d = H5Dopen2(x->f, x->names.names[i], H5P_DEFAULT);
      hsize_t sh[3] = {0, 0, 0};
      if (d >= 0 && ds_shape(d, sh) == 1) x->scale_len[k] = (int64_t)sh[0];
      cb__h5_close(&d, H5Dclose);
    }
  }
  for (int k = 0; k < 2; ++k)
    if (x->scale_len[k] < 0)
      return CB_ERROR(CB_ERR_FORMAT, "%s: no netCDF dimension '%s' (not a BrainIO assembly?)", x->path,
                      DIM_NAMES[k]);

  hsize_t dims[3] = {0, 0, 0};
  CB_CHECK(find_data_var(x, &x->which, &x->rank, dims));
  const char *dname = x->names.names[x->which];
  if (dims[0] < 1 || dims[1] < 1 || (x->rank == 3 && dims[2] < 1))
    return CB_ERROR(CB_ERR_FORMAT, "%s: data variable '%s' is empty", x->path, dname);
  /* Read as float64; in the isolated reader the data exist in the reply and then in the parent's copy (the check
   * counts cb_isolate_copies() = 3 copies there, a margin). */
  CB_CHECK(cb_mem_check(cb_mem_product(dims[0], dims[1], x->rank == 3 ? dims[2] : 1, 8u * (uint64_t)cb_isolate_copies()),
                        "%s: data variable '%s' (%llu x %llu x %llu float64)", x->path, dname,
                        (unsigned long long)dims[0], (unsigned long long)dims[1],
                        (unsigned long long)(x->rank == 3 ? dims[2] : 1)));
  shape[0] = (int64_t)dims[0];
  shape[1] = (int64_t)dims[1];
  shape[2] = x->rank == 3 ? (int64_t)dims[2] : 1;
  return CB_OK;
}

/* Identifiers: root attributes, else those promoted onto the data variable d. */
static cb_status read_identifiers(read_ctx *x, hid_t d, cb_assembly *a) {
  const char *id_names[2] = {"identifier", "stimulus_set_identifier"};
  char **id_dst[2] = {&a->identifier, &a->stimulus_set_identifier};
  for (int k = 0; k < 2; ++k) {
    char *v = NULL;
    CB_CHECK(cb__h5_read_string_attr(x->f, id_names[k], x->path, &v));
    if (v == NULL) CB_CHECK(cb__h5_read_string_attr(d, id_names[k], x->path, &v));
    if (v != NULL) {
      free(*id_dst[k]);
      *id_dst[k] = v;
    }
  }
  return CB_OK;
}

/* The coordinate of variable `name` (open as d), when it is 1-D and attached to one of a's dimensions. */
static cb_status read_one_coord(read_ctx *x, hid_t d, const char *name, cb_assembly *a) {
  hsize_t sh[3] = {0, 0, 0};
  int r = ds_shape(d, sh), dim = -1;
  if (r == 1) {
    if (H5DSis_scale(d) > 0) {
      /* A dimension that is also a netCDF (coordinate) variable. */
      char *nm = NULL;
      CB_CHECK(cb__h5_read_string_attr(d, "NAME", x->path, &nm));
      int pure = nm != NULL && strncmp(nm, NC_DIM_TEXT, strlen(NC_DIM_TEXT)) == 0;
      free(nm);
      for (int k = 0; k < 3 && !pure; ++k)
        if (strcmp(name, DIM_NAMES[k]) == 0) dim = k;
    } else {
      dim = axis_dim(d, 0);
    }
  }
  if (dim == 2 && x->rank == 2) dim = -1; /* no time axis in the data: ignore time coords */
  if (dim < 0) return CB_OK;
  int64_t want = dim_len(a, dim);
  if ((int64_t)sh[0] != want)
    return CB_ERROR(CB_ERR_FORMAT, "%s: coordinate '%s' has length %lld but dimension '%s' has %lld", x->path, name,
                    (long long)sh[0], DIM_NAMES[dim], (long long)want);
  if (cb_assembly_coord(a, name) != NULL) return CB_OK;
  cb_coord c = {0};
  cb_status st = read_coord(d, x->path, name, dim, want, &c);
  if (st == CB_OK) st = push_coord(a, &c);
  if (st != CB_OK) coord_free(&c, want);
  return st;
}

/* Everything after the shape: the data into a->data (allocated by the caller, every value overwritten), the
 * identifiers and the coordinates. */
static cb_status read_rest(read_ctx *x, cb_assembly *a) {
  cb_status st = CB_OK;
  const char *dname = x->names.names[x->which];
  hid_t d = H5Dopen2(x->f, dname, H5P_DEFAULT);
  if (d < 0 || cb__h5_read_all(d, H5T_NATIVE_DOUBLE, a->data) < 0) {
    cb__h5_close(&d, H5Dclose);
    return CB_ERROR(CB_ERR_FORMAT, "%s: cannot read data variable '%s' (truncated or corrupt file)", x->path, dname);
  }
  st = read_identifiers(x, d, a);
  cb__h5_close(&d, H5Dclose);
  /* Coordinates: 1-D variables attached to one of our dimensions. */
  for (int i = 0; st == CB_OK && i < x->names.n; ++i) {
    if (i == x->which) continue;
    d = H5Dopen2(x->f, x->names.names[i], H5P_DEFAULT);
    if (d < 0) continue; /* a group or something else: not a variable */
    st = read_one_coord(x, d, x->names.names[i], a);
    cb__h5_close(&d, H5Dclose);
  }
  if (st != CB_OK) return st;
  const cb_coord *sid = cb_assembly_coord(a, "stimulus_id");
  if (sid == NULL) sid = cb_assembly_coord(a, "image_id");
  if (sid == NULL || sid->dim != CB_DIM_PRESENTATION)
    return CB_ERROR(CB_ERR_FORMAT, "%s: missing stimulus_id (or image_id) presentation coordinate", x->path);
  return CB_OK;
}

static void read_ctx_close(read_ctx *x) {
  name_list_free(&x->names);
  cb__h5_close(&x->f, H5Fclose);
}

/* The reply of the reading process: shape, data, identifiers, then each coordinate. The data go first (8-byte
 * aligned after the reply's header and the shape) so that HDF5 decodes them straight into the reply's room. */
static void put_meta(cb_wire *w, const cb_assembly *a) {
  cb_wire_put_str(w, a->identifier);
  cb_wire_put_str(w, a->stimulus_set_identifier);
  cb_wire_put_i64(w, a->n_coords);
  for (int i = 0; i < a->n_coords; ++i) {
    const cb_coord *c = &a->coords[i];
    int64_t len = dim_len(a, c->dim);
    cb_wire_put_str(w, c->name);
    cb_wire_put_i64(w, c->dim);
    cb_wire_put_i64(w, c->is_string);
    if (c->is_string) cb_wire_put_strs(w, c->s, len);
    else cb_wire_put_f64s(w, c->v, len);
  }
}

/* The whole libhdf5 read, in the isolated child (cb_isolate) or in-process: the data are read into the reply. */
static cb_status read_child(void *arg, cb_wire *w) {
  const char *path = arg;
  cb__h5_quiet q;
  cb__h5_quiet_begin(&q);
  read_ctx x;
  memset(&x, 0, sizeof x);
  x.path = path;
  x.f = -1;
  int64_t shape[3] = {0, 0, 0}; /* (n_pres, n_neuroid, n_time) */
  cb_assembly *a = NULL;
  cb_status st = open_h5_read(path, &x.f);
  if (st == CB_OK) st = read_shape(&x, shape);
  if (st == CB_OK) st = assembly_new(shape[0], shape[1], shape[2], DATA_NONE, &a);
  if (st == CB_OK) {
    for (int k = 0; k < 3; ++k) cb_wire_put_i64(w, shape[k]);
    a->data = cb_wire_put_room(w, (size_t)(shape[0] * shape[1] * shape[2]) * sizeof *a->data);
    if (!a->data) st = CB_ERROR(CB_ERR_NOMEM, "%s: out of memory or space for the assembly's data", path);
  }
  if (st == CB_OK) st = read_rest(&x, a);
  if (st == CB_OK) put_meta(w, a);
  if (a) a->data = NULL; /* the reply's memory */
  cb_assembly_destroy(&a);
  read_ctx_close(&x);
  cb__h5_quiet_end(&q);
  return st;
}

static cb_status assembly_get(cb_wire *w, const char *path, cb_assembly **out) {
  cb_status st = CB_OK;
  cb_assembly *a = NULL;
  char *id = NULL, *ssid = NULL;
  int64_t np = 0, nn = 0, nt = 0, nc = 0, big = INT64_C(1) << 40;
  const double *data = NULL; /* (np, nn, nt) in the reply */
  if (!cb_wire_get_count(w, 1, big, &np) || !cb_wire_get_count(w, 1, big, &nn) || !cb_wire_get_count(w, 1, big, &nt) ||
      (double)np * (double)nn * (double)nt * 8.0 > (double)cb_wire_left(w) ||
      !(data = cb_wire_get_view(w, (size_t)(np * nn * nt) * sizeof *data)))
    goto bad;
  CB_CHECK_GOTO(assembly_new(np, nn, nt, DATA_UNINIT, &a), st, fail);
  memcpy(a->data, data, (size_t)(np * nn * nt) * sizeof *a->data);
  if (!cb_wire_get_str(w, &id) || !cb_wire_get_str(w, &ssid)) goto bad;
  if (id) {
    free(a->identifier);
    a->identifier = id;
    id = NULL;
  }
  if (ssid) {
    free(a->stimulus_set_identifier);
    a->stimulus_set_identifier = ssid;
    ssid = NULL;
  }
  if (!cb_wire_get_count(w, 0, 1 << 20, &nc)) goto bad;
  for (int64_t i = 0; i < nc; ++i) {
    cb_coord c = {0};
    int64_t dim = 0, is_string = 0;
    if (!cb_wire_get_str(w, &c.name) || c.name == NULL || !cb_wire_get_count(w, 0, 2, &dim) ||
        !cb_wire_get_count(w, 0, 1, &is_string)) {
      free(c.name);
      goto bad;
    }
    c.dim = (int)dim;
    c.is_string = (int)is_string;
    int64_t len = dim_len(a, c.dim);
    int ok = c.is_string ? cb_wire_get_strs(w, len, &c.s) : cb_wire_get_f64s(w, len, &c.v);
    if (!ok || push_coord(a, &c) != CB_OK) {
      coord_free(&c, len);
      goto bad;
    }
  }
  if (cb_wire_left(w) != 0) goto bad;
  a->source = cb_strdup(path);
  CB_ALLOC_GOTO(a->source, st, fail);
  *out = a;
  return CB_OK;
bad:
  st = CB_ERROR(CB_ERR_FORMAT, "%s: corrupt or unsupported HDF5 file (malformed reply from the reading process)",
                path);
fail:
  free(id);
  free(ssid);
  cb_assembly_destroy(&a);
  return st;
}

cb_status cb_assembly_read(const char *path, cb_assembly **out) {
  if (out == NULL) return CB_ERROR(CB_ERR_ARG, "cb_assembly_read: out is NULL");
  if (path == NULL) return CB_ERROR(CB_ERR_ARG, "assembly path is NULL");
  CB_CHECK(cb_file_check_regular(path)); /* before HDF5 opens it: a FIFO would block the open */
  cb_wire w;
  CB_CHECK(cb_isolate_call(path, read_child, (void *)path, &w));
  cb_status st = assembly_get(&w, path, out);
  cb_wire_free(&w);
  return st;
}

/* ------------------------------------------------------------------------ */
/* Writing                                                                   */

/* Scalar fixed-length ASCII string attribute (netCDF NC_CHAR style). */
static herr_t write_fixed_attr(hid_t obj, const char *name, const char *value) {
  size_t len = strlen(value);
  if (len == 0) return 0;
  hid_t t = H5Tcopy(H5T_C_S1), sp = H5Screate(H5S_SCALAR), at = -1;
  herr_t e = -1;
  if (t >= 0 && sp >= 0 && H5Tset_size(t, len) >= 0 && H5Tset_strpad(t, H5T_STR_NULLTERM) >= 0) {
    at = H5Acreate2(obj, name, t, sp, H5P_DEFAULT, H5P_DEFAULT);
    if (at >= 0) e = H5Awrite(at, t, value);
  }
  cb__h5_close(&at, H5Aclose);
  cb__h5_close(&sp, H5Sclose);
  cb__h5_close(&t, H5Tclose);
  return e;
}

static herr_t write_int32_attr(hid_t obj, const char *name, const int *v, hsize_t n, int scalar) {
  hid_t sp = scalar ? H5Screate(H5S_SCALAR) : H5Screate_simple(1, &n, NULL), at = -1;
  herr_t e = -1;
  if (sp >= 0) at = H5Acreate2(obj, name, H5T_STD_I32LE, sp, H5P_DEFAULT, H5P_DEFAULT);
  if (at >= 0) e = H5Awrite(at, H5T_NATIVE_INT, v);
  cb__h5_close(&at, H5Aclose);
  cb__h5_close(&sp, H5Sclose);
  return e;
}

static hid_t make_dcpl(void) {
  hid_t p = H5Pcreate(H5P_DATASET_CREATE);
  if (p >= 0) H5Pset_attr_creation_order(p, H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED);
  if (p >= 0) H5Pset_obj_track_times(p, 0); /* no timestamps: same content, same bytes */
  return p;
}

/* All values finite integers within +-2^53: store as int64. */
static int all_integral(const double *v, int64_t n) {
  for (int64_t i = 0; i < n; ++i)
    if (!isfinite(v[i]) || v[i] != floor(v[i]) || fabs(v[i]) > 9007199254740992.0) return 0;
  return 1;
}

static cb_status validate_for_write(const char *path, const cb_assembly *a) {
  if (path == NULL || a == NULL) return CB_ERROR(CB_ERR_ARG, "cb_assembly_write: path or assembly is NULL");
  if (a->n_pres < 1 || a->n_neuroid < 1 || a->n_time < 1 || a->data == NULL)
    return CB_ERROR(CB_ERR_ARG, "%s: assembly to write is empty", path);
  for (int i = 0; i < a->n_coords; ++i) {
    const cb_coord *c = &a->coords[i];
    if (c->name == NULL || c->name[0] == '\0' || strchr(c->name, '/') || c->dim < 0 || c->dim > 2 ||
        strcmp(c->name, "data") == 0 || strcmp(c->name, DIM_NAMES[0]) == 0 || strcmp(c->name, DIM_NAMES[1]) == 0 ||
        strcmp(c->name, DIM_NAMES[2]) == 0)
      return CB_ERROR(CB_ERR_ARG, "%s: coordinate %d has an invalid name or dimension", path, i);
    if (c->is_string ? c->s == NULL : c->v == NULL)
      return CB_ERROR(CB_ERR_ARG, "%s: coordinate '%s' has no values", path, c->name);
    for (int j = 0; j < i; ++j)
      if (strcmp(a->coords[j].name, c->name) == 0)
        return CB_ERROR(CB_ERR_ARG, "%s: coordinate '%s' appears twice", path, c->name);
  }
  return CB_OK;
}

/* Chunk shape: whole array when it fits in CHUNK_BYTES, else halve the
 * largest axis until it does. */
static void choose_chunks(const hsize_t dims[3], hsize_t ch[3]) {
  for (int k = 0; k < 3; ++k) ch[k] = dims[k];
  while ((int64_t)(ch[0] * ch[1] * ch[2] * sizeof(double)) > CHUNK_BYTES) {
    int big = 0;
    for (int k = 1; k < 3; ++k)
      if (ch[k] > ch[big]) big = k;
    ch[big] = (ch[big] + 1) / 2;
  }
}

/* In the write steps below: on an HDF5 failure of `expr`, set st to an I/O error naming `what` and go to done. */
#define H5TRY(expr, what)                                                                \
  do {                                                                                   \
    if ((expr) < 0) {                                                                    \
      st = CB_ERROR(CB_ERR_IO, "%s: cannot write %s (HDF5 error; disk full?)", path, what); \
      goto done;                                                                         \
    }                                                                                    \
  } while (0)

/* Dimensions: scales with no data, as netCDF-C writes them; scales[k] stay open for the caller. */
static cb_status write_dims(hid_t f, const char *path, const int64_t lens[3], hid_t scales[3]) {
  cb_status st = CB_OK;
  hid_t sp = -1, dcpl = -1;
  for (int k = 0; k < 3; ++k) {
    hsize_t n = (hsize_t)lens[k];
    char text[128];
    snprintf(text, sizeof text, "%s%10lld", NC_DIM_TEXT, (long long)lens[k]);
    H5TRY(sp = H5Screate_simple(1, &n, NULL), "dimension");
    H5TRY(dcpl = make_dcpl(), "dimension");
    H5TRY(scales[k] = H5Dcreate2(f, DIM_NAMES[k], H5T_IEEE_F32BE, sp, H5P_DEFAULT, dcpl, H5P_DEFAULT),
          DIM_NAMES[k]);
    H5TRY(H5DSset_scale(scales[k], text), DIM_NAMES[k]);
    H5TRY(write_int32_attr(scales[k], "_Netcdf4Dimid", &k, 1, 1), DIM_NAMES[k]);
    cb__h5_close(&dcpl, H5Pclose);
    cb__h5_close(&sp, H5Sclose);
  }
done:
  cb__h5_close(&dcpl, H5Pclose);
  cb__h5_close(&sp, H5Sclose);
  return st;
}

/* Attributes of the data variable d: coordinates (fill: its _FillValue), coordinate names, identifiers. */
static cb_status write_data_attrs(hid_t d, const char *path, const cb_assembly *a, double fill) {
  cb_status st = CB_OK;
  int ids[3] = {0, 1, 2};
  H5TRY(write_int32_attr(d, "_Netcdf4Coordinates", ids, 3, 0), "data attributes");
  hsize_t one = 1;
  hid_t fsp = H5Screate_simple(1, &one, NULL);
  hid_t at = fsp >= 0 ? H5Acreate2(d, "_FillValue", H5T_IEEE_F64LE, fsp, H5P_DEFAULT, H5P_DEFAULT) : -1;
  herr_t e = at >= 0 ? H5Awrite(at, H5T_NATIVE_DOUBLE, &fill) : -1;
  cb__h5_close(&at, H5Aclose);
  cb__h5_close(&fsp, H5Sclose);
  H5TRY(e, "data attributes");
  if (a->n_coords > 0) {
    cb_strbuf b = {0};
    for (int i = 0; i < a->n_coords; ++i)
      if (cb_strbuf_printf(&b, "%s%s", i ? " " : "", a->coords[i].name) != CB_OK) {
        cb_strbuf_free(&b);
        return CB_ERROR(CB_ERR_NOMEM, "out of memory");
      }
    e = write_fixed_attr(d, "coordinates", b.data);
    cb_strbuf_free(&b);
    H5TRY(e, "data attributes");
  }
  if (a->identifier) H5TRY(write_fixed_attr(d, "identifier", a->identifier), "data attributes");
  if (a->stimulus_set_identifier)
    H5TRY(write_fixed_attr(d, "stimulus_set_identifier", a->stimulus_set_identifier), "data attributes");
done:
  return st;
}

/* Data variable (n_pres, n_neuroid, n_time): chunked, shuffled, deflated, NaN fill, attached to the scales. */
static cb_status write_data(hid_t f, const char *path, const cb_assembly *a, const hid_t scales[3]) {
  cb_status st = CB_OK;
  hid_t d = -1, sp = -1, dcpl = -1;
  hsize_t dims[3] = {(hsize_t)a->n_pres, (hsize_t)a->n_neuroid, (hsize_t)a->n_time}, ch[3];
  choose_chunks(dims, ch);
  double fill = NAN;
  H5TRY(sp = H5Screate_simple(3, dims, NULL), "data");
  H5TRY(dcpl = make_dcpl(), "data");
  H5TRY(H5Pset_chunk(dcpl, 3, ch), "data");
  H5TRY(H5Pset_shuffle(dcpl), "data");
  H5TRY(H5Pset_deflate(dcpl, 4), "data");
  H5TRY(H5Pset_fill_value(dcpl, H5T_NATIVE_DOUBLE, &fill), "data");
  H5TRY(d = H5Dcreate2(f, "data", H5T_IEEE_F64LE, sp, H5P_DEFAULT, dcpl, H5P_DEFAULT), "data");
  H5TRY(H5Dwrite(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, a->data), "data");
  for (unsigned k = 0; k < 3; ++k) H5TRY(H5DSattach_scale(d, scales[k], k), "data dimensions");
  st = write_data_attrs(d, path, a, fill);
done:
  cb__h5_close(&d, H5Dclose);
  cb__h5_close(&dcpl, H5Pclose);
  cb__h5_close(&sp, H5Sclose);
  return st;
}

/* One coordinate c of length n: UTF-8 strings, int64 when every value is integral, else float64. */
static cb_status write_coord(hid_t f, const char *path, const cb_coord *c, int64_t n, hid_t scale) {
  cb_status st = CB_OK;
  hid_t d = -1, sp = -1, dcpl = -1, t = -1;
  char **vs = NULL; /* (n) the strings, "" for NULL */
  hsize_t hn = (hsize_t)n;
  H5TRY(sp = H5Screate_simple(1, &hn, NULL), c->name);
  H5TRY(dcpl = make_dcpl(), c->name);
  if (c->is_string) {
    H5TRY(t = H5Tcopy(H5T_C_S1), c->name);
    H5TRY(H5Tset_size(t, H5T_VARIABLE), c->name);
    H5TRY(H5Tset_cset(t, H5T_CSET_UTF8), c->name);
    vs = malloc((size_t)n * sizeof *vs);
    CB_ALLOC_GOTO(vs, st, done);
    for (int64_t j = 0; j < n; ++j) vs[j] = c->s[j] ? c->s[j] : (char *)"";
    H5TRY(d = H5Dcreate2(f, c->name, t, sp, H5P_DEFAULT, dcpl, H5P_DEFAULT), c->name);
    H5TRY(H5Dwrite(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, vs), c->name);
    free(vs);
    vs = NULL;
    cb__h5_close(&t, H5Tclose);
  } else {
    hid_t ft = all_integral(c->v, n) ? H5T_STD_I64LE : H5T_IEEE_F64LE;
    H5TRY(d = H5Dcreate2(f, c->name, ft, sp, H5P_DEFAULT, dcpl, H5P_DEFAULT), c->name);
    H5TRY(H5Dwrite(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, c->v), c->name);
  }
  H5TRY(H5DSattach_scale(d, scale, 0), c->name);
  H5TRY(write_int32_attr(d, "_Netcdf4Coordinates", &c->dim, 1, 0), c->name);
done:
  free(vs);
  cb__h5_close(&t, H5Tclose);
  cb__h5_close(&d, H5Dclose);
  cb__h5_close(&dcpl, H5Pclose);
  cb__h5_close(&sp, H5Sclose);
  return st;
}

/* Global attributes: _NCProperties and the identifiers. */
static cb_status write_globals(hid_t f, const char *path, const cb_assembly *a) {
  cb_status st = CB_OK;
  char props[128];
  unsigned maj = 0, min = 0, rel = 0;
  H5get_libversion(&maj, &min, &rel);
  snprintf(props, sizeof props, "version=2,cortexbench=%s,hdf5=%u.%u.%u", CB_VERSION, maj, min, rel);
  H5TRY(write_fixed_attr(f, "_NCProperties", props), "global attributes");
  if (a->identifier) H5TRY(write_fixed_attr(f, "identifier", a->identifier), "global attributes");
  if (a->stimulus_set_identifier)
    H5TRY(write_fixed_attr(f, "stimulus_set_identifier", a->stimulus_set_identifier), "global attributes");
done:
  return st;
}
#undef H5TRY

static cb_status write_body(hid_t f, const char *path, const cb_assembly *a) {
  cb_status st = CB_OK;
  hid_t scales[3] = {-1, -1, -1};
  int64_t lens[3] = {a->n_pres, a->n_neuroid, a->n_time};
  CB_CHECK_GOTO(write_dims(f, path, lens, scales), st, done);
  CB_CHECK_GOTO(write_data(f, path, a, scales), st, done);
  for (int i = 0; i < a->n_coords; ++i) {
    const cb_coord *c = &a->coords[i];
    CB_CHECK_GOTO(write_coord(f, path, c, lens[c->dim], scales[c->dim]), st, done);
  }
  st = write_globals(f, path, a);
done:
  for (int k = 0; k < 3; ++k) cb__h5_close(&scales[k], H5Dclose);
  return st;
}

cb_status cb_assembly_write(const char *path, const cb_assembly *a) {
  CB_CHECK(validate_for_write(path, a));
  char dir[CB_PATH_MAX], tmp[CB_PATH_MAX];
  cb_path_dirname(path, dir, sizeof dir);
  CB_CHECK(cb_mkdirs(dir));
  CB_CHECK(cb_path_temp(path, tmp, sizeof tmp));
  cb__h5_quiet q;
  cb__h5_quiet_begin(&q);
  cb_status st = CB_OK;
  hid_t fcpl = H5Pcreate(H5P_FILE_CREATE), fapl = H5Pcreate(H5P_FILE_ACCESS), f = -1;
  if (fcpl >= 0) H5Pset_obj_track_times(fcpl, 0);
  if (fcpl >= 0) {
    H5Pset_link_creation_order(fcpl, H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED);
    H5Pset_attr_creation_order(fcpl, H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED);
  }
  if (fapl >= 0) {
    H5Pset_libver_bounds(fapl, H5F_LIBVER_V18, H5F_LIBVER_LATEST);
    H5Pset_fclose_degree(fapl, H5F_CLOSE_STRONG);
  }
  f = H5Fcreate(tmp, H5F_ACC_TRUNC, fcpl >= 0 ? fcpl : H5P_DEFAULT, fapl >= 0 ? fapl : H5P_DEFAULT);
  cb__h5_close(&fcpl, H5Pclose);
  cb__h5_close(&fapl, H5Pclose);
  if (f < 0) {
    st = CB_ERROR(CB_ERR_IO, "%s: cannot create temporary file %s", path, tmp);
    goto done;
  }
  st = write_body(f, path, a);
  herr_t e = H5Fclose(f);
  f = -1;
  if (st == CB_OK && e < 0) st = CB_ERROR(CB_ERR_IO, "%s: cannot finish writing (disk full?)", path);
  if (st == CB_OK) st = cb_file_commit(tmp, path);
  if (st == CB_OK) st = cb_hash_record_written(path); /* PATH.sha256: read in-process while unchanged */
done:
  cb__h5_close(&f, H5Fclose);
  if (st != CB_OK) remove(tmp);
  cb__h5_quiet_end(&q);
  return st;
}

/* ------------------------------------------------------------------------ */
/* Stimulus-level view                                                       */

void cb_neural_destroy(cb_neural **pn) {
  if (pn == NULL || *pn == NULL) return;
  cb_neural *n = *pn;
  for (int i = 0; n->stimulus_id && i < n->n_stim; ++i) free(n->stimulus_id[i]);
  for (int i = 0; n->labels && i < n->n_stim; ++i) free(n->labels[i]);
  for (int i = 0; n->neuroid_id && i < n->n_neuroid; ++i) free(n->neuroid_id[i]);
  free(n->stimulus_id);
  free(n->labels);
  free(n->neuroid_id);
  free(n->reps);
  free(n->mean);
  free(n);
  *pn = NULL;
}

/* Value i of a coordinate as text (numbers with %.17g); newly allocated. */
static char *coord_text(const cb_coord *c, int64_t i) {
  if (c->is_string) return cb_strdup(c->s[i] ? c->s[i] : "");
  char buf[64];
  snprintf(buf, sizeof buf, "%.17g", c->v[i]);
  return cb_strdup(buf);
}

static uint64_t hash_str(const char *s) {
  uint64_t h = 1469598103934665603ULL; /* FNV-1a */
  for (; *s; ++s) h = (h ^ (unsigned char)*s) * 1099511628211ULL;
  return h;
}

typedef struct pres_key {
  int s;      /* stimulus index */
  double r;   /* repetition value (0 when no repetition coord) */
  int64_t p;  /* presentation index */
} pres_key;

static int cmp_pres(const void *x, const void *y) {
  const pres_key *a = x, *b = y;
  if (a->s != b->s) return a->s < b->s ? -1 : 1;
  int an = isnan(a->r), bn = isnan(b->r);
  if (an != bn) return an ? 1 : -1;
  if (!an && a->r != b->r) return a->r < b->r ? -1 : 1;
  return (a->p > b->p) - (a->p < b->p);
}

/* Working state of cb_neural_from_assembly: the selections and the stimulus index built step by step (shapes in
 * the comments); every array is freed by neural_build_free. */
typedef struct neural_build {
  const cb_assembly *a;
  const char *src;       /* name used in messages */
  int64_t P;             /* presentations */
  int64_t *nsel;         /* (n_nsel) selected neuroids */
  int64_t n_nsel;
  int64_t *tsel;         /* (n_tsel) selected time bins */
  int64_t n_tsel;
  char **ids;            /* (P) stimulus id of each presentation (taken by the result for first appearances) */
  int *sidx;             /* (P) stimulus index of each presentation */
  int64_t *stim_first;   /* (nstim) first presentation of each stimulus */
  int *table;            /* (cap) open-addressing hash of ids: stimulus index or -1 */
  int64_t nstim;
  pres_key *keys;        /* (P) presentations sorted by stimulus, repetition, presentation */
  int *count;            /* (nstim) presentations of each stimulus */
  int max_rep;
} neural_build;

static void neural_build_free(neural_build *b) {
  if (b->ids)
    for (int64_t p = 0; p < b->P; ++p) free(b->ids[p]);
  free(b->ids);
  free(b->nsel);
  free(b->tsel);
  free(b->stim_first);
  free(b->sidx);
  free(b->table);
  free(b->count);
  free(b->keys);
}

/* Neuroids of the region (every neuroid when region is NULL) into b->nsel. */
static cb_status select_neuroids(neural_build *b, const char *region) {
  const cb_assembly *a = b->a;
  b->nsel = malloc((size_t)a->n_neuroid * sizeof *b->nsel);
  if (b->nsel == NULL) return CB_ERROR(CB_ERR_NOMEM, "out of memory");
  if (region == NULL) {
    for (int64_t j = 0; j < a->n_neuroid; ++j) b->nsel[b->n_nsel++] = j;
  } else {
    const cb_coord *rc = cb_assembly_coord(a, "region");
    if (rc == NULL || rc->dim != CB_DIM_NEUROID)
      return CB_ERROR(CB_ERR_ARG, "%s: region '%s' asked but the assembly has no neuroid coordinate 'region'", b->src,
                      region);
    for (int64_t j = 0; j < a->n_neuroid; ++j) {
      char *txt = coord_text(rc, j);
      if (txt == NULL) return CB_ERROR(CB_ERR_NOMEM, "out of memory");
      if (strcmp(txt, region) == 0) b->nsel[b->n_nsel++] = j;
      free(txt);
    }
    if (b->n_nsel == 0) {
      char *first = coord_text(rc, 0);
      cb_status st = CB_ERROR(CB_ERR_ARG, "%s: no neuroid has region '%s' (first neuroid's region: '%s')", b->src,
                              region, first ? first : "?");
      free(first);
      return st;
    }
  }
  if (b->n_nsel > 0x7fffffff) return CB_ERROR(CB_ERR_UNSUPPORTED, "%s: too many neuroids", b->src);
  return CB_OK;
}

/* Time bins within [t0, t1] (NaN: unbounded; every bin when both are NaN) into b->tsel. */
static cb_status select_time_bins(neural_build *b, double t0, double t1) {
  const cb_assembly *a = b->a;
  b->tsel = malloc((size_t)a->n_time * sizeof *b->tsel);
  if (b->tsel == NULL) return CB_ERROR(CB_ERR_NOMEM, "out of memory");
  if (isnan(t0) && isnan(t1)) {
    for (int64_t t = 0; t < a->n_time; ++t) b->tsel[b->n_tsel++] = t;
    return CB_OK;
  }
  const cb_coord *cs = cb_assembly_coord(a, "time_bin_start"), *ce = cb_assembly_coord(a, "time_bin_end");
  if (cs == NULL || ce == NULL || cs->is_string || ce->is_string || cs->dim != CB_DIM_TIME_BIN ||
      ce->dim != CB_DIM_TIME_BIN)
    return CB_ERROR(CB_ERR_FORMAT, "%s: time window asked but no numeric time_bin_start/time_bin_end coordinates",
                    b->src);
  for (int64_t t = 0; t < a->n_time; ++t)
    if ((isnan(t0) || cs->v[t] >= t0) && (isnan(t1) || ce->v[t] <= t1)) b->tsel[b->n_tsel++] = t;
  if (b->n_tsel == 0) return CB_ERROR(CB_ERR_ARG, "%s: no time bin lies within [%g, %g)", b->src, t0, t1);
  return CB_OK;
}

/* Stimuli in order of first appearance (open-addressing hash of the ids of coordinate sc). */
static cb_status index_stimuli(neural_build *b, const cb_coord *sc) {
  const int64_t P = b->P;
  b->ids = calloc((size_t)P, sizeof *b->ids);
  b->sidx = malloc((size_t)P * sizeof *b->sidx);
  b->stim_first = malloc((size_t)P * sizeof *b->stim_first);
  int64_t cap = 16;
  while (cap < 2 * P) cap *= 2;
  b->table = malloc((size_t)cap * sizeof *b->table);
  if (b->ids == NULL || b->sidx == NULL || b->stim_first == NULL || b->table == NULL)
    return CB_ERROR(CB_ERR_NOMEM, "out of memory");
  int *table = b->table;
  for (int64_t i = 0; i < cap; ++i) table[i] = -1;
  for (int64_t p = 0; p < P; ++p) {
    b->ids[p] = coord_text(sc, p);
    if (b->ids[p] == NULL) return CB_ERROR(CB_ERR_NOMEM, "out of memory");
    uint64_t h = hash_str(b->ids[p]) & (uint64_t)(cap - 1);
    while (table[h] >= 0 && strcmp(b->ids[b->stim_first[table[h]]], b->ids[p]) != 0) h = (h + 1) & (uint64_t)(cap - 1);
    if (table[h] < 0) {
      if (b->nstim >= 0x7fffffff) return CB_ERROR(CB_ERR_UNSUPPORTED, "%s: too many stimuli", b->src);
      table[h] = (int)b->nstim;
      b->stim_first[b->nstim++] = p;
    }
    b->sidx[p] = table[h];
  }
  return CB_OK;
}

/* Presentations sorted by stimulus, then repetition coordinate, then position; the most repetitions of a stimulus. */
static cb_status order_repetitions(neural_build *b) {
  const int64_t P = b->P;
  const cb_coord *rep = cb_assembly_coord(b->a, "repetition");
  if (rep && (rep->is_string || rep->dim != CB_DIM_PRESENTATION)) rep = NULL;
  b->keys = malloc((size_t)P * sizeof *b->keys);
  b->count = calloc((size_t)b->nstim, sizeof *b->count);
  if (b->keys == NULL || b->count == NULL) return CB_ERROR(CB_ERR_NOMEM, "out of memory");
  for (int64_t p = 0; p < P; ++p) {
    b->keys[p].s = b->sidx[p];
    b->keys[p].r = rep ? rep->v[p] : 0.0;
    b->keys[p].p = p;
    if (++b->count[b->sidx[p]] > b->max_rep) b->max_rep = b->count[b->sidx[p]];
  }
  qsort(b->keys, (size_t)P, sizeof *b->keys, cmp_pres);
  return CB_OK;
}

/* The result's arrays and its stimulus ids (taken from b->ids), labels (coordinate lc, may be NULL) and neuroid
 * ids. */
static cb_status neural_alloc_ids(neural_build *b, const cb_coord *lc, cb_neural *n) {
  const int64_t nstim = b->nstim, J = b->n_nsel, R = b->max_rep;
  n->n_stim = (int)nstim;
  n->n_rep = b->max_rep;
  n->n_neuroid = (int)J;
  n->stimulus_id = calloc((size_t)nstim, sizeof *n->stimulus_id);
  n->neuroid_id = calloc((size_t)J, sizeof *n->neuroid_id);
  n->reps = malloc((size_t)(nstim * R * J) * sizeof *n->reps);
  n->mean = malloc((size_t)(nstim * J) * sizeof *n->mean);
  if (n->stimulus_id == NULL || n->neuroid_id == NULL || n->reps == NULL || n->mean == NULL)
    return CB_ERROR(CB_ERR_NOMEM, "out of memory");
  for (int64_t s = 0; s < nstim; ++s) {
    n->stimulus_id[s] = b->ids[b->stim_first[s]];
    b->ids[b->stim_first[s]] = NULL;
  }
  if (lc) {
    n->labels = calloc((size_t)nstim, sizeof *n->labels);
    if (n->labels == NULL) return CB_ERROR(CB_ERR_NOMEM, "out of memory");
    for (int64_t s = 0; s < nstim; ++s) {
      n->labels[s] = coord_text(lc, b->stim_first[s]);
      if (n->labels[s] == NULL) return CB_ERROR(CB_ERR_NOMEM, "out of memory");
    }
  }
  const cb_coord *nc = cb_assembly_coord(b->a, "neuroid_id");
  if (nc && nc->dim != CB_DIM_NEUROID) nc = NULL;
  for (int64_t j = 0; j < J; ++j) {
    if (nc) {
      n->neuroid_id[j] = coord_text(nc, b->nsel[j]);
    } else {
      char buf[32];
      snprintf(buf, sizeof buf, "%lld", (long long)b->nsel[j]);
      n->neuroid_id[j] = cb_strdup(buf);
    }
    if (n->neuroid_id[j] == NULL) return CB_ERROR(CB_ERR_NOMEM, "out of memory");
  }
  return CB_OK;
}

/* reps[s, k, j] = mean over the selected bins of data[p, nsel[j], t]; mean[s, j] = mean of the defined reps. */
static void neural_average(const neural_build *b, cb_neural *n) {
  const cb_assembly *a = b->a;
  const int64_t nstim = b->nstim, J = b->n_nsel, R = b->max_rep, n_tsel = b->n_tsel;
  for (int64_t i = 0; i < nstim * R * J; ++i) n->reps[i] = NAN;
  for (int64_t i = 0, k = 0; i < b->P; ++i, ++k) {
    if (i > 0 && b->keys[i].s != b->keys[i - 1].s) k = 0;
    const double *row = a->data + b->keys[i].p * a->n_neuroid * a->n_time;
    double *dst = n->reps + ((int64_t)b->keys[i].s * R + k) * J;
    for (int64_t j = 0; j < J; ++j) {
      double acc = 0.0;
      for (int64_t t = 0; t < n_tsel; ++t) acc += row[b->nsel[j] * a->n_time + b->tsel[t]];
      dst[j] = acc / (double)n_tsel;
    }
  }
  for (int64_t s = 0; s < nstim; ++s)
    for (int64_t j = 0; j < J; ++j) {
      double acc = 0.0;
      int64_t cnt = 0;
      for (int64_t k = 0; k < R; ++k) {
        double v = n->reps[(s * R + k) * J + j];
        if (!isnan(v)) {
          acc += v;
          ++cnt;
        }
      }
      n->mean[s * J + j] = cnt ? acc / (double)cnt : NAN;
    }
}

cb_status cb_neural_from_assembly(const cb_assembly *a, const char *region, double t0, double t1,
                                  const char *stratify, cb_neural **out) {
  if (a == NULL || out == NULL) return CB_ERROR(CB_ERR_ARG, "cb_neural_from_assembly: NULL argument");
  const char *src = a->source ? a->source : (a->identifier && a->identifier[0] ? a->identifier : "assembly");
  const cb_coord *sc = cb_assembly_coord(a, "stimulus_id");
  if (sc == NULL || sc->dim != CB_DIM_PRESENTATION) sc = cb_assembly_coord(a, "image_id");
  if (sc == NULL || sc->dim != CB_DIM_PRESENTATION)
    return CB_ERROR(CB_ERR_FORMAT, "%s: missing stimulus_id (or image_id) presentation coordinate", src);
  const cb_coord *lc = NULL;
  if (stratify) {
    lc = cb_assembly_coord(a, stratify);
    if (lc == NULL || lc->dim != CB_DIM_PRESENTATION)
      return CB_ERROR(CB_ERR_ARG, "%s: no presentation coordinate '%s' to stratify by", src, stratify);
  }

  cb_status st = CB_OK;
  cb_neural *n = NULL;
  neural_build b = {0};
  b.a = a;
  b.src = src;
  b.P = a->n_pres;
  CB_CHECK_GOTO(select_neuroids(&b, region), st, done);
  CB_CHECK_GOTO(select_time_bins(&b, t0, t1), st, done);
  CB_CHECK_GOTO(index_stimuli(&b, sc), st, done);
  CB_CHECK_GOTO(order_repetitions(&b), st, done);
  n = calloc(1, sizeof *n);
  CB_ALLOC_GOTO(n, st, done);
  CB_CHECK_GOTO(neural_alloc_ids(&b, lc, n), st, done);
  neural_average(&b, n);
  *out = n;
  n = NULL;
done:
  neural_build_free(&b);
  cb_neural_destroy(&n);
  return st;
}

typedef struct id_index {
  const char *id;
  int s;
} id_index;

static int cmp_id_index(const void *x, const void *y) {
  return strcmp(((const id_index *)x)->id, ((const id_index *)y)->id);
}

cb_status cb_neural_stimulus_column(const cb_assembly *a, const cb_neural *n, const char *column, char ***out) {
  if (a == NULL || n == NULL || column == NULL || out == NULL)
    return CB_ERROR(CB_ERR_ARG, "cb_neural_stimulus_column: NULL argument");
  const char *src = a->source ? a->source : (a->identifier && a->identifier[0] ? a->identifier : "assembly");
  const cb_coord *gc = cb_assembly_coord(a, column);
  if (gc == NULL || gc->dim != CB_DIM_PRESENTATION)
    return CB_ERROR(CB_ERR_ARG, "%s: no presentation coordinate '%s' to group by", src, column);
  const cb_coord *sc = cb_assembly_coord(a, "stimulus_id");
  if (sc == NULL || sc->dim != CB_DIM_PRESENTATION) sc = cb_assembly_coord(a, "image_id");
  if (sc == NULL || sc->dim != CB_DIM_PRESENTATION)
    return CB_ERROR(CB_ERR_FORMAT, "%s: missing stimulus_id (or image_id) presentation coordinate", src);
  cb_status st = CB_OK;
  char **val = calloc((size_t)(n->n_stim > 0 ? n->n_stim : 1), sizeof *val);
  id_index *idx = malloc(sizeof *idx * (size_t)(n->n_stim > 0 ? n->n_stim : 1));
  CB_ALLOC_GOTO(val, st, done);
  CB_ALLOC_GOTO(idx, st, done);
  for (int s = 0; s < n->n_stim; ++s) idx[s] = (id_index){n->stimulus_id[s], s};
  qsort(idx, (size_t)n->n_stim, sizeof *idx, cmp_id_index);
  for (int64_t p = 0; p < a->n_pres; ++p) {
    char *id = coord_text(sc, p), *v = coord_text(gc, p);
    if (!id || !v) {
      free(id);
      free(v);
      st = CB_ERROR(CB_ERR_NOMEM, "out of memory");
      goto done;
    }
    id_index key = {id, 0};
    const id_index *hit = bsearch(&key, idx, (size_t)n->n_stim, sizeof *idx, cmp_id_index);
    if (hit == NULL) { /* not a stimulus of n (cannot happen when n was built from a) */
      free(id);
      free(v);
      continue;
    }
    if (val[hit->s] == NULL) {
      val[hit->s] = v;
    } else {
      if (strcmp(val[hit->s], v) != 0)
        st = CB_ERROR(CB_ERR_FORMAT, "%s: stimulus '%s' has two values of the group coordinate '%s' ('%s' and '%s')",
                      src, id, column, val[hit->s], v);
      free(v);
    }
    free(id);
    if (st != CB_OK) goto done;
  }
  for (int s = 0; s < n->n_stim; ++s)
    if (val[s] == NULL) {
      st = CB_ERROR(CB_ERR_INTERNAL, "%s: stimulus '%s' has no presentation", src, n->stimulus_id[s]);
      goto done;
    }
  *out = val;
  val = NULL;
done:
  if (val)
    for (int s = 0; s < n->n_stim; ++s) free(val[s]);
  free(val);
  free(idx);
  return st;
}

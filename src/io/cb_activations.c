/* cb_activations.c - serial reader and writer of activations files. */
#include "cb_activations.h"
#include "cb_act_impl.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <hdf5.h>

#include "cb_fs.h"
#include "cb_h5_impl.h"
#include "cb_isolate.h"
#include "cb_mem.h"
#include "cb_sha.h"
#include "cb_strbuf.h"

static void free_strings(char **s, int64_t n) {
  if (s == NULL) return;
  for (int64_t i = 0; i < n; ++i) free(s[i]);
  free(s);
}

static cb_status open_read(const char *path, hid_t *out) {
  if (path == NULL) return CB_ERROR(CB_ERR_ARG, "activations path is NULL");
  CB_CHECK(cb_file_check_regular(path)); /* a FIFO would block HDF5's open */
  return cb__h5_open_read(path, "HDF5", out);
}

/* String attribute `name` of obj; "" when absent. */
static cb_status read_attr_text(hid_t obj, const char *name, const char *path, char **out) {
  CB_CHECK(cb__h5_read_string_attr(obj, name, path, out));
  if (*out == NULL) *out = cb_strdup("");
  return *out ? CB_OK : CB_ERROR(CB_ERR_NOMEM, "out of memory");
}

typedef struct link_list {
  char **names; /* (n) */
  int n, cap;
} link_list;

int64_t cb_activations_chunk_rows(int64_t n, int64_t features, const cb_activations_layout *layout) {
  int64_t bytes = layout && layout->chunk_bytes > 0 ? layout->chunk_bytes : CB_ACTIVATIONS_CHUNK_BYTES;
  int64_t row = 4 * (features > 0 ? features : 1);
  int64_t rows = bytes / row;
  if (rows > n) rows = n;
  return rows < 1 ? 1 : rows;
}

int cb_activations_deflate(const cb_activations_layout *layout) {
  return layout ? layout->deflate : CB_ACTIVATIONS_DEFLATE;
}

cb_status cb_activations_layer_dcpl(int64_t n, int ndim, const int64_t *dims, const cb_activations_layout *layout,
                                    hid_t *out) {
  int level = cb_activations_deflate(layout);
  int64_t features = 1;
  for (int k = 0; k < ndim; ++k) features *= dims[k];
  if (ndim < 0 || ndim > CB_ACT_MAX_DIMS) return CB_ERROR(CB_ERR_ARG, "activations: %d dimensions per stimulus", ndim);
  if (level < 0 || level > 9) return CB_ERROR(CB_ERR_ARG, "activations: compression level %d not in 0..9", level);
  if (level > 0 && H5Zfilter_avail(H5Z_FILTER_DEFLATE) <= 0)
    return CB_ERROR(CB_ERR_UNSUPPORTED, "activations: this HDF5 library has no deflate filter");
  hid_t p = H5Pcreate(H5P_DATASET_CREATE);
  if (p < 0) return CB_ERROR(CB_ERR_IO, "activations: cannot create a dataset property list");
  herr_t e = H5Pset_obj_track_times(p, 0);
  if (n > 0 && features > 0) {
    hsize_t chunk[CB_ACT_MAX_DIMS + 1] = {(hsize_t)cb_activations_chunk_rows(n, features, layout)}; /* (rows, dims...) */
    for (int k = 0; k < ndim; ++k) chunk[k + 1] = (hsize_t)dims[k];
    if (e >= 0) e = H5Pset_chunk(p, ndim + 1, chunk);
    if (level > 0 && e >= 0) e = H5Pset_shuffle(p);
    if (level > 0 && e >= 0) e = H5Pset_deflate(p, (unsigned)level);
  }
  if (e < 0) {
    H5Pclose(p);
    return CB_ERROR(CB_ERR_IO, "activations: cannot set chunking/compression of a (%lld, %lld) layer", (long long)n,
                    (long long)features);
  }
  *out = p;
  return CB_OK;
}

cb_status cb_layer_link_encode(const char *name, char *out, size_t n) {
  if (!strcmp(name, ".")) {
    if (n < 4) return CB_ERROR(CB_ERR_ARG, "buffer too small for a layer name");
    memcpy(out, "%2E", 4);
    return CB_OK;
  }
  size_t k = 0;
  for (const char *p = name; *p; ++p) {
    const char *rep = *p == '%' ? "%25" : (*p == '/' ? "%2F" : NULL);
    size_t len = rep ? 3 : 1;
    if (k + len + 1 > n) return CB_ERROR(CB_ERR_ARG, "layer name too long: %s", name);
    if (rep)
      memcpy(out + k, rep, 3);
    else
      out[k] = *p;
    k += len;
  }
  out[k] = '\0';
  return CB_OK;
}

cb_status cb_layer_link_decode(const char *link, char *out, size_t n) {
  size_t k = 0;
  for (const char *p = link; *p; ++p) {
    char c = *p;
    if (c == '%') {
      if (!strncmp(p, "%25", 3)) c = '%', p += 2;
      else if (!strncasecmp(p, "%2F", 3)) c = '/', p += 2;
      else if (!strncasecmp(p, "%2E", 3)) c = '.', p += 2;
    }
    if (k + 2 > n) return CB_ERROR(CB_ERR_ARG, "layer link name too long: %s", link);
    out[k++] = c;
  }
  out[k] = '\0';
  return CB_OK;
}

static herr_t collect(hid_t g, const char *name, const H5L_info_t *info, void *op) {
  (void)g;
  (void)info;
  link_list *l = op;
  if (l->n == l->cap) {
    int cap = l->cap ? 2 * l->cap : 16;
    char **nn = realloc(l->names, (size_t)cap * sizeof *nn);
    if (nn == NULL) return -1;
    l->names = nn;
    l->cap = cap;
  }
  char decoded[1024];
  if (cb_layer_link_decode(name, decoded, sizeof decoded) != CB_OK) return -1;
  l->names[l->n] = cb_strdup(decoded);
  if (l->names[l->n] == NULL) return -1;
  l->n++;
  return 0;
}

void cb_activations_destroy(cb_activations **pa) {
  if (pa == NULL || *pa == NULL) return;
  cb_activations *a = *pa;
  free(a->model);
  free(a->version);
  free(a->task_key);
  free_strings(a->stimulus_id, a->n);
  free_strings(a->layer_names, a->n_layers);
  free_strings(a->layer_paths, a->n_layers);
  free(a->features);
  free(a);
  *pa = NULL;
}

static cb_status list_push(link_list *l, const char *name) {
  if (l->n == l->cap) {
    int cap = l->cap ? 2 * l->cap : 16;
    char **nn = realloc(l->names, (size_t)cap * sizeof *nn);
    if (nn == NULL) return CB_ERROR(CB_ERR_NOMEM, "out of memory");
    l->names = nn;
    l->cap = cap;
  }
  if ((l->names[l->n] = cb_strdup(name)) == NULL) return CB_ERROR(CB_ERR_NOMEM, "out of memory");
  l->n++;
  return CB_OK;
}

static herr_t collect_raw(hid_t g, const char *name, const H5L_info_t *info, void *op) {
  (void)g;
  return info->type == H5L_TYPE_HARD && list_push(op, name) != CB_OK ? -1 : 0;
}

static int64_t layer_elements(hid_t d, hsize_t n, int max_rank);

/* Version 2: root datasets with a `layer` attribute, in creation order. */
static cb_status list_v2(hid_t f, const char *path, hsize_t n, link_list *l, link_list *paths, int64_t **features) {
  cb_status st = CB_OK;
  link_list links = {0};
  int cap = 0;
  H5_index_t idx = H5_INDEX_NAME;
  unsigned flags = 0;
  hid_t root = H5Gopen2(f, "/", H5P_DEFAULT), gcpl = root >= 0 ? H5Gget_create_plist(root) : -1, d = -1;
  if (gcpl >= 0 && H5Pget_link_creation_order(gcpl, &flags) >= 0 && (flags & H5P_CRT_ORDER_INDEXED))
    idx = H5_INDEX_CRT_ORDER;
  cb__h5_close(&gcpl, H5Pclose);
  cb__h5_close(&root, H5Gclose);
  hsize_t pos = 0;
  if (H5Literate(f, idx, H5_ITER_INC, &pos, collect_raw, &links) < 0) {
    st = CB_ERROR(CB_ERR_FORMAT, "%s: cannot list the variables (truncated or corrupt file)", path);
    goto done;
  }
  for (int i = 0; i < links.n; ++i) {
    H5O_info_t oi;
    if (H5Oget_info_by_name(f, links.names[i], &oi, H5P_DEFAULT) < 0 || oi.type != H5O_TYPE_DATASET) continue;
    d = H5Dopen2(f, links.names[i], H5P_DEFAULT);
    if (d < 0 || H5Aexists(d, "layer") <= 0) {
      cb__h5_close(&d, H5Dclose);
      continue;
    }
    char *name = NULL;
    CB_CHECK_GOTO(read_attr_text(d, "layer", path, &name), st, done);
    int dup = 0;
    for (int k = 0; k < l->n; ++k) dup |= !strcmp(l->names[k], name);
    int64_t e = dup ? 0 : layer_elements(d, n, H5S_MAX_RANK);
    cb__h5_close(&d, H5Dclose);
    if (dup || e < 0) {
      st = dup ? CB_ERROR(CB_ERR_FORMAT, "%s: layer '%s' appears twice", path, name)
               : CB_ERROR(CB_ERR_FORMAT, "%s: layer '%s' (variable '%s') is not a (%llu stimuli, ...) array",
                          path, name, links.names[i], (unsigned long long)n);
      free(name);
      goto done;
    }
    st = list_push(l, name);
    free(name);
    if (st == CB_OK) st = list_push(paths, links.names[i]);
    if (st == CB_OK && l->n > cap) {
      cap = 2 * l->n;
      int64_t *nf = realloc(*features, (size_t)cap * sizeof *nf);
      if (nf == NULL) st = CB_ERROR(CB_ERR_NOMEM, "out of memory");
      else *features = nf;
    }
    if (st != CB_OK) goto done;
    (*features)[l->n - 1] = e;
  }
  if (*features == NULL && (*features = calloc(1, sizeof **features)) == NULL)
    st = CB_ERROR(CB_ERR_NOMEM, "out of memory");
done:
  cb__h5_close(&d, H5Dclose);
  free_strings(links.names, links.n);
  return st;
}

/* Elements per stimulus of a layer dataset d: (n, dims...) with rank >= 2
 * (version 1: exactly 2); -1 when the shape does not fit. */
static int64_t layer_elements(hid_t d, hsize_t n, int max_rank) {
  hid_t sp = d >= 0 ? H5Dget_space(d) : -1;
  hsize_t dims[H5S_MAX_RANK];
  int r = sp >= 0 ? H5Sget_simple_extent_ndims(sp) : -1;
  int64_t f = -1;
  if (r >= 2 && r <= max_rank && H5Sget_simple_extent_dims(sp, dims, NULL) >= 0 && dims[0] == n) {
    f = 1;
    for (int k = 1; k < r && f >= 0; ++k)
      f = dims[k] > (hsize_t)(INT64_C(1) << 40) || (double)f * (double)dims[k] > 0x1p40 ? -1 : f * (int64_t)dims[k];
  }
  cb__h5_close(&sp, H5Sclose);
  return f;
}

/* Version 1: /layers/<percent-encoded name>, (n, features). */
static cb_status list_v1(hid_t f, const char *path, hsize_t n, link_list *l, link_list *paths, int64_t **features) {
  cb_status st = CB_OK;
  hid_t g = H5Gopen2(f, "layers", H5P_DEFAULT), gcpl = -1;
  if (g < 0) return CB_ERROR(CB_ERR_FORMAT, "%s: cannot open /layers (truncated or corrupt file)", path);
  H5_index_t idx = H5_INDEX_NAME;
  unsigned flags = 0;
  gcpl = H5Gget_create_plist(g);
  if (gcpl >= 0 && H5Pget_link_creation_order(gcpl, &flags) >= 0 && (flags & H5P_CRT_ORDER_INDEXED))
    idx = H5_INDEX_CRT_ORDER;
  hsize_t pos = 0;
  if (H5Literate(g, idx, H5_ITER_INC, &pos, collect, l) < 0) {
    st = CB_ERROR(CB_ERR_FORMAT, "%s: cannot list /layers (truncated or corrupt file)", path);
    goto done;
  }
  *features = calloc((size_t)(l->n > 0 ? l->n : 1), sizeof **features);
  CB_ALLOC_GOTO(*features, st, done);
  for (int i = 0; i < l->n; ++i) {
    char link[1024], full[1100];
    if (cb_layer_link_encode(l->names[i], link, sizeof link) != CB_OK) {
      st = CB_ERROR(CB_ERR_FORMAT, "%s: layer name too long", path);
      goto done;
    }
    hid_t d = H5Dopen2(g, link, H5P_DEFAULT);
    (*features)[i] = layer_elements(d, n, 2);
    cb__h5_close(&d, H5Dclose);
    if ((*features)[i] < 0) {
      st = CB_ERROR(CB_ERR_FORMAT, "%s: layer '%s' is not a (%llu, features) dataset", path, l->names[i],
                    (unsigned long long)n);
      goto done;
    }
    snprintf(full, sizeof full, "/layers/%s", link);
    CB_CHECK_GOTO(list_push(paths, full), st, done);
  }
done:
  cb__h5_close(&gcpl, H5Pclose);
  cb__h5_close(&g, H5Gclose);
  return st;
}

static cb_status open_body(hid_t f, const char *path, cb_activations *a) {
  cb_status st = CB_OK;
  hid_t d = -1, sp = -1;
  link_list l = {0}, paths = {0};
  CB_CHECK(read_attr_text(f, "model", path, &a->model));
  CB_CHECK(read_attr_text(f, "cortexbench_version", path, &a->version));
  CB_CHECK(read_attr_text(f, "task_key", path, &a->task_key));
  if (H5Lexists(f, "stimulus_id", H5P_DEFAULT) <= 0 || (d = H5Dopen2(f, "stimulus_id", H5P_DEFAULT)) < 0)
    return CB_ERROR(CB_ERR_FORMAT, "%s: no /stimulus_id dataset (not an activations file?)", path);
  sp = H5Dget_space(d);
  hsize_t n = 0;
  if (sp < 0 || H5Sget_simple_extent_ndims(sp) != 1 || H5Sget_simple_extent_dims(sp, &n, NULL) < 0) {
    st = CB_ERROR(CB_ERR_FORMAT, "%s: /stimulus_id is not 1-D", path);
    goto done;
  }
  cb__h5_close(&sp, H5Sclose);
  CB_CHECK_GOTO(cb__h5_read_strings(d, 0, (int64_t)n, path, "/stimulus_id", &a->stimulus_id), st, done);
  a->n = (int64_t)n;
  cb__h5_close(&d, H5Dclose);
  a->format = H5Lexists(f, "layers", H5P_DEFAULT) > 0 ? 1 : 2;
  if (a->format == 1)
    st = list_v1(f, path, n, &l, &paths, &a->features);
  else
    st = list_v2(f, path, n, &l, &paths, &a->features);
  if (st != CB_OK) goto done;
  a->layer_names = l.names;
  a->layer_paths = paths.names;
  a->n_layers = l.n;
  l.names = paths.names = NULL;
  l.n = paths.n = 0;
done:
  free_strings(l.names, l.n);
  free_strings(paths.names, paths.n);
  cb__h5_close(&sp, H5Sclose);
  cb__h5_close(&d, H5Dclose);
  return st;
}

/* The whole libhdf5 read; runs in the isolated child (cb_isolate). */
static cb_status open_in_process(const char *path, cb_activations **out) {
  cb__h5_quiet q;
  cb__h5_quiet_begin(&q);
  hid_t f = -1;
  cb_activations *a = NULL;
  cb_status st = open_read(path, &f);
  if (st == CB_OK) {
    a = calloc(1, sizeof *a);
    st = a ? open_body(f, path, a) : CB_ERROR(CB_ERR_NOMEM, "out of memory");
  }
  cb__h5_close(&f, H5Fclose);
  cb__h5_quiet_end(&q);
  if (st != CB_OK) {
    cb_activations_destroy(&a);
    return st;
  }
  *out = a;
  return CB_OK;
}

static cb_status unknown_layer(const cb_activations *a, const char *path, const char *layer) {
  cb_strbuf b = {0};
  int shown = a->n_layers < 30 ? a->n_layers : 30;
  for (int i = 0; i < shown; ++i)
    if (cb_strbuf_printf(&b, "%s%s", i ? ", " : "", a->layer_names[i]) != CB_OK) break;
  if (shown < a->n_layers) cb_strbuf_printf(&b, ", ... %d more", a->n_layers - shown);
  cb_status st = CB_ERROR(CB_ERR_ARG, "%s: no layer '%s' (layers: %s)", path, layer,
                          a->n_layers == 0 ? "none" : (b.data ? b.data : "?"));
  cb_strbuf_free(&b);
  return st;
}

/* One layer of an activations file opened for reading: (n, e) numeric elements. */
typedef struct layer_in {
  cb__h5_quiet q;
  hid_t f, d;
  hsize_t n, e;
} layer_in;

static void layer_close(layer_in *L) {
  cb__h5_close(&L->d, H5Dclose);
  cb__h5_close(&L->f, H5Fclose);
  cb__h5_quiet_end(&L->q);
}

/* Opens layer li and checks that `copies` float32 copies of it fit in memory. Closed by layer_close either way. */
static cb_status layer_open(const cb_activations *a, const char *path, int li, unsigned copies, layer_in *L) {
  const char *layer = a->layer_names[li];
  L->f = L->d = -1;
  cb__h5_quiet_begin(&L->q);
  CB_CHECK(open_read(path, &L->f));
  L->d = H5Dopen2(L->f, a->layer_paths[li], H5P_DEFAULT);
  if (L->d < 0) return unknown_layer(a, path, layer);
  L->n = (hsize_t)a->n;
  int64_t e = layer_elements(L->d, L->n, a->format == 1 ? 2 : H5S_MAX_RANK);
  if (e < 0)
    return CB_ERROR(CB_ERR_FORMAT, "%s: layer '%s' is not a (%lld, features) dataset", path, layer, (long long)a->n);
  L->e = (hsize_t)e;
  hid_t t = H5Dget_type(L->d);
  H5T_class_t cls = t >= 0 ? H5Tget_class(t) : H5T_NO_CLASS;
  if (t >= 0) H5Tclose(t);
  if (cls != H5T_FLOAT && cls != H5T_INTEGER)
    return CB_ERROR(CB_ERR_UNSUPPORTED, "%s: layer '%s' is not numeric", path, layer);
  return cb_mem_check(cb_mem_product(L->n, L->e, 4u * copies, 1),
                      "%s: layer '%s' (%llu stimuli x %llu features, float32)", path, layer, (unsigned long long)L->n,
                      (unsigned long long)L->e);
}

/* buf (n, e) = the layer as float32. */
static cb_status layer_fill(const cb_activations *a, const char *path, int li, layer_in *L, float *buf) {
  if (L->n * L->e > 0 && cb__h5_read_all(L->d, H5T_NATIVE_FLOAT, buf) < 0)
    return CB_ERROR(CB_ERR_FORMAT, "%s: cannot read layer '%s' (truncated or corrupt file)", path,
                    a->layer_names[li]);
  return CB_OK;
}

/* The library part of cb_activations_read_layer, in this process. */
static cb_status read_layer_in_process(const cb_activations *a, const char *path, int li, float **X,
                                       int64_t *features) {
  layer_in L;
  float *buf = NULL;
  cb_status st = layer_open(a, path, li, 1, &L);
  if (st == CB_OK) {
    size_t count = (size_t)(L.n * L.e);
    buf = malloc((count > 0 ? count : 1) * sizeof *buf);
    CB_ALLOC_GOTO(buf, st, done);
    st = layer_fill(a, path, li, &L, buf);
  }
  if (st == CB_OK) {
    *X = buf;
    *features = (int64_t)L.e;
    buf = NULL;
  }
done:
  free(buf);
  layer_close(&L);
  return st;
}

static const char BAD_REPLY[] = "corrupt or unsupported HDF5 file (malformed reply from the reading process)";

static cb_status open_child(void *arg, cb_wire *w) {
  cb_activations *a = NULL;
  CB_CHECK(open_in_process((const char *)arg, &a));
  cb_wire_put_str(w, a->model);
  cb_wire_put_str(w, a->version);
  cb_wire_put_str(w, a->task_key);
  cb_wire_put_i64(w, a->n);
  cb_wire_put_strs(w, a->stimulus_id, a->n);
  cb_wire_put_i64(w, a->n_layers);
  cb_wire_put_strs(w, a->layer_names, a->n_layers);
  cb_wire_put_strs(w, a->layer_paths, a->n_layers);
  cb_wire_put_i64(w, a->format);
  for (int i = 0; i < a->n_layers; ++i) cb_wire_put_i64(w, a->features[i]);
  cb_activations_destroy(&a);
  return CB_OK;
}

cb_status cb_activations_open(const char *path, cb_activations **out) {
  if (out == NULL) return CB_ERROR(CB_ERR_ARG, "cb_activations_open: out is NULL");
  if (path == NULL) return CB_ERROR(CB_ERR_ARG, "cb_activations_open: path is NULL");
  CB_CHECK(cb_file_check_regular(path));
  cb_wire w;
  CB_CHECK(cb_isolate_call(path, open_child, (void *)path, &w));
  cb_status st = CB_OK;
  cb_activations *a = calloc(1, sizeof *a);
  int64_t nl = 0, fmt = 0;
  CB_ALLOC_GOTO(a, st, done);
  if (!cb_wire_get_str(&w, &a->model) || !cb_wire_get_str(&w, &a->version) || !cb_wire_get_str(&w, &a->task_key) ||
      !a->model || !a->version || !a->task_key || !cb_wire_get_count(&w, 0, INT64_C(1) << 40, &a->n) ||
      !cb_wire_get_strs(&w, a->n, &a->stimulus_id) || !cb_wire_get_count(&w, 0, 1 << 20, &nl) ||
      !cb_wire_get_strs(&w, nl, &a->layer_names) || !cb_wire_get_strs(&w, nl, &a->layer_paths) ||
      !cb_wire_get_count(&w, 1, 2, &fmt) || (uint64_t)nl > cb_wire_left(&w) / 8 ||
      !(a->features = calloc((size_t)nl + 1, sizeof *a->features))) {
    st = CB_ERROR(CB_ERR_FORMAT, "%s: %s", path, BAD_REPLY);
    goto done;
  }
  a->n_layers = (int)nl;
  a->format = (int)fmt;
  for (int64_t i = 0; i < nl; ++i)
    if (!cb_wire_get_count(&w, 0, INT64_C(1) << 40, &a->features[i])) {
      st = CB_ERROR(CB_ERR_FORMAT, "%s: %s", path, BAD_REPLY);
      goto done;
    }
  if (cb_wire_left(&w) != 0) st = CB_ERROR(CB_ERR_FORMAT, "%s: %s", path, BAD_REPLY);
done:
  cb_wire_free(&w);
  if (st != CB_OK) {
    if (a && a->n_layers == 0) {
      cb_strlist_free(&a->layer_names);
      cb_strlist_free(&a->layer_paths);
    }
    cb_activations_destroy(&a);
    return st;
  }
  *out = a;
  return CB_OK;
}

typedef struct layer_args {
  const cb_activations *a;
  const char *path;
  int li;
} layer_args;

/* The isolated reader: HDF5 decodes the layer straight into the reply's shared memory, which the parent maps: the
 * layer exists twice (that memory and the caller's rows), never as a third copy in transit. */
static cb_status layer_child(void *arg, cb_wire *w) {
  const layer_args *l = arg;
  layer_in L;
  cb_status st = layer_open(l->a, l->path, l->li, 2, &L);
  if (st == CB_OK) {
    cb_wire_put_i64(w, (int64_t)L.e);
    float *room = cb_wire_put_room(w, (size_t)(L.n * L.e) * sizeof *room); /* (n, e) */
    st = room ? layer_fill(l->a, l->path, l->li, &L, room)
              : CB_ERROR(CB_ERR_NOMEM, "%s: out of memory or space for layer '%s'", l->path, l->a->layer_names[l->li]);
  }
  layer_close(&L);
  return st;
}

/* *X (m, p) = rows `rows` (m) of all (n, p), or a copy of all when rows is NULL (m = n). */
static cb_status copy_rows(const float *all, int64_t n, int64_t p, const int64_t *rows, int64_t m, float **X) {
  if (!rows) m = n;
  float *out = malloc((size_t)(m > 0 ? m : 1) * (size_t)(p > 0 ? p : 1) * sizeof *out);
  if (!out) return CB_ERROR(CB_ERR_NOMEM, "out of memory");
  for (int64_t i = 0; i < m; ++i)
    memcpy(out + (size_t)i * (size_t)p, all + (size_t)(rows ? rows[i] : i) * (size_t)p, (size_t)p * sizeof *out);
  *X = out;
  return CB_OK;
}

cb_status cb_activations_read_rows(const cb_activations *a, const char *path, const char *layer,
                                   const int64_t *rows, int64_t m, float **X, int64_t *features) {
  if (a == NULL || path == NULL || layer == NULL || X == NULL || features == NULL || (rows && m < 0))
    return CB_ERROR(CB_ERR_ARG, "cb_activations_read_rows: NULL argument or negative row count");
  for (int64_t i = 0; rows && i < m; ++i)
    if (rows[i] < 0 || rows[i] >= a->n)
      return CB_ERROR(CB_ERR_ARG, "cb_activations_read_rows: row %lld of %lld", (long long)rows[i], (long long)a->n);
  int li = -1;
  for (int i = 0; i < a->n_layers; ++i)
    if (strcmp(a->layer_names[i], layer) == 0) li = i;
  if (li < 0) return unknown_layer(a, path, layer);
  CB_CHECK(cb_file_check_regular(path));
  int identity = rows == NULL || m == a->n;
  for (int64_t i = 0; rows && identity && i < m; ++i) identity = rows[i] == i;
  if (cb_isolate_inline(path)) { /* read in this process: straight into the caller's buffer, no reply */
    float *all = NULL;
    CB_CHECK(read_layer_in_process(a, path, li, &all, features));
    if (identity) {
      *X = all;
      return CB_OK;
    }
    cb_status st = copy_rows(all, a->n, *features, rows, m, X);
    free(all);
    return st;
  }
  layer_args l = {a, path, li};
  cb_wire w;
  CB_CHECK(cb_isolate_call(path, layer_child, &l, &w));
  int64_t p = 0;
  const float *all = NULL; /* (n, p) the reply, mapped */
  cb_status st = CB_OK;
  if (!cb_wire_get_count(&w, 0, INT64_C(1) << 40, &p) || (double)a->n * (double)p * 4.0 != (double)cb_wire_left(&w) ||
      !(all = cb_wire_get_view(&w, (size_t)a->n * (size_t)p * sizeof *all)))
    st = CB_ERROR(CB_ERR_FORMAT, "%s: %s", path, BAD_REPLY);
  if (st == CB_OK) st = copy_rows(all, a->n, p, identity ? NULL : rows, m, X);
  cb_wire_free(&w);
  if (st == CB_OK) *features = p;
  return st;
}

cb_status cb_activations_read_layer(const cb_activations *a, const char *path, const char *layer, float **X,
                                    int64_t *features) {
  return cb_activations_read_rows(a, path, layer, NULL, 0, X, features);
}

static cb_status write_body(hid_t f, const char *path, const char *model, const char *version, int64_t n,
                            const char *const *stimulus_id, const char *const *layer_names, const float *const *X,
                            const cb_act_names *nm, const cb_activations_layout *layout) {
  cb_status st = CB_OK;
  for (int l = 0; st == CB_OK && l < nm->n_layers; ++l) {
    hid_t d = -1, sp = -1;
    st = cb_act_v2_create_layer(f, nm, l, n, layout, H5P_DEFAULT, &d, &sp);
    int64_t elements = 1; /* per stimulus; 0: an empty layer has no storage to write */
    for (int k = 0; k < nm->shape[l].ndim; ++k) elements *= nm->shape[l].dims[k];
    if (st == CB_ERR_IO) st = CB_ERROR(CB_ERR_IO, "%s: cannot create layer '%s'", path, layer_names[l]);
    if (st == CB_OK && elements > 0 && H5Dwrite(d, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, X[l]) < 0)
      st = CB_ERROR(CB_ERR_IO, "%s: cannot write layer '%s' (HDF5 error; disk full?)", path, layer_names[l]);
    cb__h5_close(&d, H5Dclose);
    cb__h5_close(&sp, H5Sclose);
  }
  if (st == CB_OK) st = cb_act_v2_finish(f, path, nm, layer_names, n, stimulus_id, model, version, NULL);
  return st;
}

static cb_status check_write_args(const char *path, int64_t n, const char *const *stimulus_id, int n_layers,
                                  const char *const *layer_names, const float *const *X, const int64_t *features) {
  if (path == NULL || stimulus_id == NULL || n < 1 || n_layers < 0 ||
      (n_layers > 0 && (layer_names == NULL || X == NULL || features == NULL)))
    return CB_ERROR(CB_ERR_ARG, "%s: invalid arguments for an activations file (n = %lld, %d layers)",
                    path ? path : "(null)", (long long)n, n_layers);
  for (int l = 0; l < n_layers; ++l) {
    const char *nm = layer_names[l];
    if (nm == NULL || nm[0] == '\0')
      return CB_ERROR(CB_ERR_ARG, "%s: empty layer name", path);
    if (features[l] < 0 || (features[l] > 0 && X[l] == NULL))
      return CB_ERROR(CB_ERR_ARG, "%s: layer '%s' has no data", path, nm);
    for (int k = 0; k < l; ++k)
      if (strcmp(layer_names[k], nm) == 0) return CB_ERROR(CB_ERR_ARG, "%s: layer '%s' appears twice", path, nm);
  }
  return CB_OK;
}

cb_status cb_activations_write(const char *path, const char *model, const char *version, int64_t n,
                               const char *const *stimulus_id, int n_layers, const char *const *layer_names,
                               const float *const *X, const int64_t *features) {
  return cb_activations_write_shaped(path, model, version, n, stimulus_id, n_layers, layer_names, X, features, NULL,
                                     NULL);
}

cb_status cb_activations_write_layout(const char *path, const char *model, const char *version, int64_t n,
                                      const char *const *stimulus_id, int n_layers, const char *const *layer_names,
                                      const float *const *X, const int64_t *features,
                                      const cb_activations_layout *layout) {
  return cb_activations_write_shaped(path, model, version, n, stimulus_id, n_layers, layer_names, X, features, NULL,
                                     layout);
}

cb_status cb_activations_write_shaped(const char *path, const char *model, const char *version, int64_t n,
                                      const char *const *stimulus_id, int n_layers, const char *const *layer_names,
                                      const float *const *X, const int64_t *features, const cb_act_shape *shapes,
                                      const cb_activations_layout *layout) {
  CB_CHECK(check_write_args(path, n, stimulus_id, n_layers, layer_names, X, features));
  cb_act_names *nm = NULL;
  CB_CHECK(cb_act_names_create(n_layers, layer_names, features, shapes, &nm));
  char dir[CB_PATH_MAX], tmp[CB_PATH_MAX];
  cb_path_dirname(path, dir, sizeof dir);
  cb_status st = cb_mkdirs(dir);
  if (st == CB_OK) st = cb_path_temp(path, tmp, sizeof tmp);
  if (st != CB_OK) {
    cb_act_names_destroy(&nm);
    return st;
  }
  cb__h5_quiet q;
  cb__h5_quiet_begin(&q);
  hid_t fcpl = H5Pcreate(H5P_FILE_CREATE), fapl = H5Pcreate(H5P_FILE_ACCESS);
  if (fcpl >= 0) H5Pset_obj_track_times(fcpl, 0);
  if (fcpl >= 0) H5Pset_link_creation_order(fcpl, H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED);
  if (fapl >= 0) H5Pset_fclose_degree(fapl, H5F_CLOSE_STRONG);
  hid_t f = H5Fcreate(tmp, H5F_ACC_TRUNC, fcpl >= 0 ? fcpl : H5P_DEFAULT, fapl >= 0 ? fapl : H5P_DEFAULT);
  cb__h5_close(&fcpl, H5Pclose);
  cb__h5_close(&fapl, H5Pclose);
  if (f < 0) {
    st = CB_ERROR(CB_ERR_IO, "%s: cannot create temporary file %s", path, tmp);
    goto done;
  }
  st = write_body(f, path, model, version, n, stimulus_id, layer_names, X, nm, layout);
  herr_t e = H5Fclose(f);
  f = -1;
  if (st == CB_OK && e < 0) st = CB_ERROR(CB_ERR_IO, "%s: cannot finish writing (disk full?)", path);
  if (st == CB_OK) st = cb_file_commit(tmp, path);
  if (st == CB_OK) st = cb_hash_record_written(path); /* PATH.sha256: read in-process while unchanged */
done:
  cb__h5_close(&f, H5Fclose);
  if (st != CB_OK) remove(tmp);
  cb__h5_quiet_end(&q);
  cb_act_names_destroy(&nm);
  return st;
}

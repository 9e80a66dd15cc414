/* MPI test of the activations store (run with mpiexec -n 1, 2, 3):
 * chunked, optionally deflate-compressed layer datasets written
 * collectively must give the same bytes whatever the split of rows among
 * ranks (chunk boundaries deliberately not aligned with rank blocks, ranks
 * with zero rows still joining the collective write), must read back
 * through the serial reader, and must carry the requested chunking and
 * filters. With an output directory argument, rank 0 also leaves
 * store-<level>.h5 and small-<level>.h5 there, which CTest compares across
 * rank counts (tests/mpi/CMakeLists.txt). */
#include <hdf5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cb_activations.h"
#include "cb_fs.h"
#include "cb_par.h"

static int failures = 0;
#define EXPECT(cond, ...)                                                                          \
  do {                                                                                             \
    if (!(cond)) {                                                                                 \
      fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);                                         \
      fprintf(stderr, __VA_ARGS__);                                                                \
      fprintf(stderr, "\n");                                                                       \
      ++failures;                                                                                  \
    }                                                                                              \
  } while (0)

/* 13 layers: more than 8 links puts the root group in HDF5's dense link storage. */
enum { N_LAYERS = 13 };
static const char *const NAMES[N_LAYERS] = {"conv", "fc/out", "wide", "e.3", "e.4", "e.5",  "e.6",
                                            "e.7",  "e.8",    "e.9",  "e.10", "e.11", "empty"};
/* With chunk_bytes = 480: conv 5 rows per chunk, fc 17 rows, wide 1 row. "empty" has zero features (an empty
 * Slice of a model): stored contiguous, nothing written (docs/formats.md). */
static const int64_t FEATURES[N_LAYERS] = {24, 7, 300, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0};
/* Per-stimulus shapes: conv (2, 3, 4) and wide (3, 10, 10) maps; the others flat (ndim 0 = (features)). */
static const cb_act_shape SHAPES[N_LAYERS] = {{3, {2, 3, 4}, {"channel", "height", "width"}},
                                              {0, {0}, {NULL}},
                                              {3, {3, 10, 10}, {"channel", "height", "width"}}};
#define CHUNK_BYTES 480

/* Compressible but not constant: small multiples of 1/4, ReLU-like zeros. */
static float value(int l, int64_t i, int64_t f) {
  int64_t v = (i * 7 + f * 3 + l * 5) % 11 - 3;
  return v < 0 ? 0.0f : 0.25f * (float)v + (float)l;
}

/* A split of [0, n) among `size` ranks: 0 = cb_par_block, 1 = everything
 * on rank 0, 2 = everything on the last rank, 3 = uneven (rank r gets
 * about (r + 1) shares, ranks above 0 may get nothing for small n). */
static void split(int kind, int64_t n, int rank, int size, int64_t *start, int64_t *count) {
  if (kind == 0) {
    cb_par_block(n, rank, size, start, count);
  } else if (kind == 1 || kind == 2) {
    int owner = kind == 1 ? 0 : size - 1;
    *start = rank <= owner ? 0 : n;
    *count = rank == owner ? n : 0;
  } else {
    int64_t shares = (int64_t)size * (size + 1) / 2, before = (int64_t)rank * (rank + 1) / 2;
    int64_t s = n * before / shares, e = n * (before + rank + 1) / shares;
    *start = s;
    *count = e - s;
  }
}

/* Collective: writes an n-row file with this rank's rows under split `kind`. */
static cb_status write_split(cb_par *p, const char *path, int64_t n, int kind, int level) {
  int64_t start, count;
  split(kind, n, cb_par_rank(p), cb_par_size(p), &start, &count);
  char(*ids)[48] = calloc((size_t)n, sizeof *ids); /* room for any int64 */
  const char **idp = calloc((size_t)n, sizeof *idp);
  float *X[N_LAYERS] = {0}; /* per layer (count, features) */
  cb_status st = ids && idp ? CB_OK : CB_ERROR(CB_ERR_NOMEM, "out of memory");
  for (int64_t i = 0; st == CB_OK && i < n; ++i) {
    snprintf(ids[i], sizeof ids[i], "stim-%03lld-é", (long long)i); /* UTF-8 */
    idp[i] = ids[i];
  }
  for (int l = 0; st == CB_OK && l < N_LAYERS; ++l) {
    X[l] = malloc((size_t)((count > 0 ? count : 1) * (FEATURES[l] > 0 ? FEATURES[l] : 1)) * sizeof *X[l]);
    if (!X[l]) st = CB_ERROR(CB_ERR_NOMEM, "out of memory");
    for (int64_t i = 0; X[l] && i < count; ++i)
      for (int64_t f = 0; f < FEATURES[l]; ++f) X[l][i * FEATURES[l] + f] = value(l, start + i, f);
  }
  st = cb_par_agree(p, st);
  cb_activations_layout layout = {.deflate = level, .chunk_bytes = CHUNK_BYTES};
  if (st == CB_OK)
    st = cb_par_write_activations_shaped(p, path, "toy", "key-store", n, idp, N_LAYERS, NAMES, FEATURES, SHAPES, start,
                                         count, (const float *const *)X, &layout);
  for (int l = 0; l < N_LAYERS; ++l) free(X[l]);
  free(ids);
  free(idp);
  return st;
}

/* Rank 0: the file reads back through the serial reader, with the values,
 * the chunk shape and the filters asked for. */
static void check_file(const char *path, int64_t n, int level) {
  cb_activations *a = NULL;
  char vars[N_LAYERS][64] = {{0}}; /* variable (dataset) of each layer */
  EXPECT(cb_activations_open(path, &a) == CB_OK, "open %s: %s", path, cb_error_message());
  if (!a) return;
  EXPECT(a->n == n && a->n_layers == N_LAYERS && a->format == 2, "%s: n %lld, %d layers", path, (long long)a->n,
         a->n_layers);
  for (int l = 0; l < a->n_layers && l < N_LAYERS; ++l) snprintf(vars[l], sizeof vars[l], "%s", a->layer_paths[l]);
  EXPECT(!strcmp(vars[1], "fc_out"), "%s: layer fc/out is variable '%s'", path, vars[1]);
  EXPECT(!strcmp(a->model, "toy") && !strcmp(a->task_key, "key-store"), "%s: attributes", path);
  EXPECT(a->n > 1 && !strcmp(a->stimulus_id[1], "stim-001-é"), "%s: UTF-8 ids", path);
  for (int l = 0; l < a->n_layers && l < N_LAYERS; ++l) {
    EXPECT(!strcmp(a->layer_names[l], NAMES[l]), "%s: layer %d is %s", path, l, a->layer_names[l]);
    float *L = NULL; /* (n, features) */
    int64_t f = 0;
    EXPECT(cb_activations_read_layer(a, path, NAMES[l], &L, &f) == CB_OK && f == FEATURES[l], "%s: read %s: %s",
           path, NAMES[l], cb_error_message());
    int bad = 0;
    for (int64_t i = 0; L && i < n; ++i)
      for (int64_t j = 0; j < f; ++j) bad += L[i * f + j] != value(l, i, j);
    EXPECT(L && bad == 0, "%s: layer %s: %d wrong values", path, NAMES[l], bad);
    free(L);
  }
  cb_activations_destroy(&a);

  /* Layout, straight from HDF5. */
  hid_t file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
  EXPECT(file >= 0, "%s: H5Fopen", path);
  for (int l = 0; file >= 0 && l < N_LAYERS; ++l) {
    const char *full = vars[l];
    hid_t d = H5Dopen2(file, full, H5P_DEFAULT), dcpl = d >= 0 ? H5Dget_create_plist(d) : -1;
    const int rank = 1 + (SHAPES[l].ndim > 0 ? SHAPES[l].ndim : 1);
    hsize_t chunk[4] = {0, 0, 0, 0}; /* (rows, per-stimulus shape) */
    cb_activations_layout layout = {.deflate = level, .chunk_bytes = CHUNK_BYTES};
    if (FEATURES[l] == 0) { /* contiguous, unfiltered, (n, 0) */
      hid_t space = d >= 0 ? H5Dget_space(d) : -1;
      hsize_t dims[2] = {0, 0};
      EXPECT(dcpl >= 0 && H5Pget_layout(dcpl) == H5D_CONTIGUOUS && H5Pget_nfilters(dcpl) == 0, "%s: %s contiguous",
             path, full);
      EXPECT(space >= 0 && H5Sget_simple_extent_dims(space, dims, NULL) == 2 && dims[0] == (hsize_t)n && dims[1] == 0,
             "%s: %s is (%llu, %llu)", path, full, (unsigned long long)dims[0], (unsigned long long)dims[1]);
      if (space >= 0) H5Sclose(space);
      if (dcpl >= 0) H5Pclose(dcpl);
      if (d >= 0) H5Dclose(d);
      continue;
    }
    EXPECT(dcpl >= 0 && H5Pget_layout(dcpl) == H5D_CHUNKED && H5Pget_chunk(dcpl, 4, chunk) == rank, "%s: %s chunked",
           path, full);
    EXPECT((int64_t)chunk[0] == cb_activations_chunk_rows(n, FEATURES[l], &layout) &&
               (int64_t)(chunk[1] * (rank > 2 ? chunk[2] * chunk[3] : 1)) == FEATURES[l],
           "%s: %s chunk (%llu, %llu, ...)", path, full, (unsigned long long)chunk[0], (unsigned long long)chunk[1]);
    int nf = dcpl >= 0 ? H5Pget_nfilters(dcpl) : -1;
    EXPECT(nf == (level > 0 ? 2 : 0), "%s: %s has %d filters", path, full, nf);
    if (level > 0 && nf == 2) {
      unsigned flags = 0, cd[4] = {0};
      size_t ncd = 4;
      EXPECT(H5Pget_filter2(dcpl, 0, &flags, &ncd, cd, 0, NULL, NULL) == H5Z_FILTER_SHUFFLE, "shuffle first");
      ncd = 4;
      EXPECT(H5Pget_filter2(dcpl, 1, &flags, &ncd, cd, 0, NULL, NULL) == H5Z_FILTER_DEFLATE && cd[0] == (unsigned)level,
             "deflate level %u", cd[0]);
      hsize_t stored = H5Dget_storage_size(d);
      EXPECT(stored > 0 && stored < (hsize_t)(n * FEATURES[l] * 4), "%s: %s compressed to %llu bytes", path, full,
             (unsigned long long)stored);
    }
    if (dcpl >= 0) H5Pclose(dcpl);
    if (d >= 0) H5Dclose(d);
  }
  if (file >= 0) H5Fclose(file);
}

static int same_bytes(const char *a, const char *b) {
  char *x = NULL, *y = NULL;
  size_t nx = 0, ny = 0;
  int same = cb_file_read_all(a, &x, &nx) == CB_OK && cb_file_read_all(b, &y, &ny) == CB_OK && nx == ny &&
             memcmp(x, y, nx) == 0;
  free(x);
  free(y);
  return same;
}

/* Every split of n rows gives the bytes of the first; the first is checked
 * and, with keep_dir, kept as keep_dir/<stem>-<level>.h5. */
static void test_splits(cb_par *p, const char *dir, const char *keep_dir, const char *stem, int64_t n, int level) {
  char first[CB_PATH_MAX], other[CB_PATH_MAX];
  snprintf(first, sizeof first, "%s/%s-%d-split0.h5", dir, stem, level);
  cb_status st = write_split(p, first, n, 0, level);
  EXPECT(st == CB_OK, "%s: write: %s", first, cb_error_message());
  if (st != CB_OK) return;
  if (cb_par_rank(p) == 0) check_file(first, n, level);
  for (int kind = 1; kind <= 3; ++kind) {
    snprintf(other, sizeof other, "%s/%s-%d-split%d.h5", dir, stem, level, kind);
    st = write_split(p, other, n, kind, level);
    EXPECT(st == CB_OK, "%s: write: %s", other, cb_error_message());
    if (st == CB_OK && cb_par_rank(p) == 0)
      EXPECT(same_bytes(first, other), "%s and %s differ (split %d of %lld rows, level %d, %d ranks)", first, other,
             kind, (long long)n, level, cb_par_size(p));
  }
  if (keep_dir && cb_par_rank(p) == 0) {
    char keep[CB_PATH_MAX];
    snprintf(keep, sizeof keep, "%s/%s-%d.h5", keep_dir, stem, level);
    char *data = NULL;
    size_t len = 0;
    EXPECT(cb_mkdirs(keep_dir) == CB_OK && cb_file_read_all(first, &data, &len) == CB_OK &&
               cb_file_write_atomic(keep, data, len) == CB_OK,
           "keep %s: %s", keep, cb_error_message());
    free(data);
  }
}

static void test_bad_level(cb_par *p, const char *dir) {
  char path[CB_PATH_MAX];
  snprintf(path, sizeof path, "%s/bad-level.h5", dir);
  cb_status st = write_split(p, path, 5, 0, 10);
  EXPECT(st == CB_ERR_ARG, "level 10 refused on every rank (got %d)", (int)st);
  cb_error_clear();
  if (cb_par_rank(p) == 0) EXPECT(!cb_path_exists(path), "no file after a refused level");
}

int main(int argc, char **argv) {
  cb_par *p = NULL;
  if (cb_par_init(&argc, &argv, &p) != CB_OK) {
    fprintf(stderr, "MPI init failed\n");
    return 1;
  }
  const char *keep_dir = argc > 1 ? argv[1] : NULL;
  char dir[CB_PATH_MAX] = "";
  if (cb_par_rank(p) == 0) {
    snprintf(dir, sizeof dir, "/tmp/cb-store-test.XXXXXX");
    if (!mkdtemp(dir)) dir[0] = '\0';
  }
  cb_par_bcast_string(p, dir, sizeof dir);
  for (int level = 0; level <= 6; level += 6) {
    test_splits(p, dir, keep_dir, "store", 37, level); /* chunks straddle rank blocks */
    test_splits(p, dir, keep_dir, "small", 2, level);  /* with 3 ranks, one has no rows */
  }
  test_bad_level(p, dir);
  double total = failures;
  cb_par_allreduce_sum(p, &total, 1);
  if (cb_par_rank(p) == 0) {
    char cmd[CB_PATH_MAX + 16];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (getenv("CB_STORE_KEEP_TMP")) printf("kept %s\n", dir); /* debugging aid */
    else if (dir[0] && system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir);
    printf("test_store on %d rank%s: %s\n", cb_par_size(p), cb_par_size(p) > 1 ? "s" : "",
           total == 0 ? "all checks passed" : "FAILED");
  }
  cb_par_destroy(&p);
  return total == 0 ? 0 : 1;
}

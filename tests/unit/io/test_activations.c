/* Unit tests for src/io/cb_activations: round trip, layer order, messages. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <hdf5.h>

#include "cb_activations.h"
#include "cb_fs.h"
#include "cb_isolate.h"
#include "cb_test_main.h"

static char g_dir[64];

static void make_dir(void) {
  strcpy(g_dir, "/tmp/cbactXXXXXX");
  ck_assert_ptr_nonnull(mkdtemp(g_dir));
}

static void remove_dir(void) {
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", g_dir);
  ck_assert_int_eq(system(cmd), 0);
}

START_TEST(test_round_trip_and_order) {
  make_dir();
  char path[256];
  snprintf(path, sizeof path, "%s/deep/acts.h5", g_dir);
  float zeta[3 * 4], alpha[3 * 2];
  for (int i = 0; i < 12; ++i) zeta[i] = (float)i * 0.5f - 3.0f;
  for (int i = 0; i < 6; ++i) alpha[i] = (float)(100 + i);
  const char *ids[] = {"im0", "im1", "im\xc3\xa9"}; /* UTF-8 survives */
  const char *names[] = {"zeta", "alpha"};
  const float *X[] = {zeta, alpha};
  int64_t feat[] = {4, 2};
  ck_assert_int_eq(cb_activations_write(path, "alexnet", "0.1.0", 3, ids, 2, names, X, feat), CB_OK);

  cb_activations *a = NULL;
  ck_assert_int_eq(cb_activations_open(path, &a), CB_OK);
  ck_assert_str_eq(a->model, "alexnet");
  ck_assert_str_eq(a->version, "0.1.0");
  ck_assert_int_eq(a->n, 3);
  ck_assert_str_eq(a->stimulus_id[2], "im\xc3\xa9");
  ck_assert_int_eq(a->n_layers, 2);
  ck_assert_str_eq(a->layer_names[0], "zeta"); /* creation order, not name order */
  ck_assert_str_eq(a->layer_names[1], "alpha");
  ck_assert_int_eq(a->features[0], 4);
  ck_assert_int_eq(a->features[1], 2);

  float *Y = NULL;
  int64_t f = 0;
  ck_assert_int_eq(cb_activations_read_layer(a, path, "zeta", &Y, &f), CB_OK);
  ck_assert_int_eq(f, 4);
  for (int i = 0; i < 12; ++i) ck_assert(Y[i] == zeta[i]);
  free(Y);
  ck_assert_int_eq(cb_activations_read_layer(a, path, "alpha", &Y, &f), CB_OK);
  ck_assert_int_eq(f, 2);
  for (int i = 0; i < 6; ++i) ck_assert(Y[i] == alpha[i]);
  free(Y);
  Y = NULL;

  ck_assert_int_eq(cb_activations_read_layer(a, path, "x", &Y, &f), CB_ERR_ARG);
  char want[512];
  snprintf(want, sizeof want, "%s: no layer 'x' (layers: zeta, alpha)", path);
  ck_assert_str_eq(cb_error_message(), want);
  ck_assert_ptr_null(Y);
  cb_activations_destroy(&a);
  cb_activations_destroy(&a);

  /* Names with '/' and '%' (ONNX output names) are read back as given (variable names: cb_act_names.h). */
  {
    char p2[300];
    snprintf(p2, sizeof p2, "%s/onnx_names.h5", g_dir);
    const char *onnx[] = {"/layer1/Relu_output_0", "odd%2Fname"};
    ck_assert_int_eq(cb_activations_write(p2, "m", "v", 3, ids, 2, onnx, X, feat), CB_OK);
    cb_activations *b = NULL;
    ck_assert_int_eq(cb_activations_open(p2, &b), CB_OK);
    ck_assert_str_eq(b->layer_names[0], "/layer1/Relu_output_0");
    ck_assert_str_eq(b->layer_names[1], "odd%2Fname");
    ck_assert_str_eq(b->layer_paths[0], "_layer1_Relu_output_0");
    ck_assert_int_eq(b->format, 2);
    ck_assert_int_eq(cb_activations_read_layer(b, p2, "odd%2Fname", &Y, &f), CB_OK);
    free(Y);
    Y = NULL;
    cb_activations_destroy(&b);
    char enc[64], dec[64];
    ck_assert_int_eq(cb_layer_link_encode("a/b%c", enc, sizeof enc), CB_OK);
    ck_assert_str_eq(enc, "a%2Fb%25c");
    ck_assert_int_eq(cb_layer_link_decode(enc, dec, sizeof dec), CB_OK);
    ck_assert_str_eq(dec, "a/b%c");
  }
  /* Empty layer names and duplicates are refused, nothing is left behind. */
  const char *empty[] = {""};
  ck_assert_int_eq(cb_activations_write(path, "m", "v", 3, ids, 1, empty, X, feat), CB_ERR_ARG);
  const char *dup[] = {"a", "a"};
  ck_assert_int_eq(cb_activations_write(path, "m", "v", 3, ids, 2, dup, X, feat), CB_ERR_ARG);
  ck_assert_int_eq(cb_activations_open(path, &a), CB_OK); /* the old file is intact */
  ck_assert_str_eq(a->model, "alexnet");
  cb_activations_destroy(&a);
  remove_dir();
}
END_TEST

/* A file written by another tool: fixed-length attributes and ids, no
 * creation-order tracking, so layers come in name order. */
/* cb_activations_read_rows gives the rows asked for, in that order, whether the file is read by the isolated reader,
 * in-process (CB_ISOLATE=0) or as a file this process wrote (trusted); a row out of range is refused. */
START_TEST(test_read_rows) {
  make_dir();
  char path[256];
  snprintf(path, sizeof path, "%s/rows.h5", g_dir);
  enum { N = 5, P = 3 };
  float L[N * P]; /* (N, P) */
  for (int i = 0; i < N * P; ++i) L[i] = (float)i + 0.25f;
  const char *ids[N] = {"a", "b", "c", "d", "e"}, *names[] = {"L"};
  const float *X[] = {L};
  int64_t feat[] = {P};
  ck_assert_int_eq(cb_activations_write(path, "m", "0.1.0", N, ids, 1, names, X, feat), CB_OK);
  cb_activations *a = NULL;
  ck_assert_int_eq(cb_activations_open(path, &a), CB_OK);
  const int64_t rows[4] = {4, 0, 2, 0};
  for (int mode = 0; mode < 3; ++mode) {
    if (mode == 1) setenv("CB_ISOLATE", "0", 1);
    if (mode == 2) {
      unsetenv("CB_ISOLATE");
      ck_assert_int_eq(cb_isolate_trust(path), CB_OK);
    }
    float *Y = NULL;
    int64_t f = 0;
    ck_assert_int_eq(cb_activations_read_rows(a, path, "L", rows, 4, &Y, &f), CB_OK);
    ck_assert_int_eq(f, P);
    for (int i = 0; i < 4; ++i)
      for (int j = 0; j < P; ++j) ck_assert(Y[i * P + j] == L[rows[i] * P + j]);
    free(Y);
    ck_assert_int_eq(cb_activations_read_rows(a, path, "L", NULL, 0, &Y, &f), CB_OK);
    ck_assert(memcmp(Y, L, sizeof L) == 0);
    free(Y);
  }
  cb_isolate_trust_clear();
  const int64_t bad[1] = {N};
  float *Y = NULL;
  int64_t f = 0;
  ck_assert_int_eq(cb_activations_read_rows(a, path, "L", bad, 1, &Y, &f), CB_ERR_ARG);
  ck_assert_ptr_null(Y);
  cb_activations_destroy(&a);
  remove_dir();
}
END_TEST

START_TEST(test_foreign_file_name_order) {
  make_dir();
  char path[256];
  snprintf(path, sizeof path, "%s/foreign.h5", g_dir);
  hid_t f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  hid_t t = H5Tcopy(H5T_C_S1);
  H5Tset_size(t, 3);
  hsize_t n = 2, dims[2] = {2, 1};
  hid_t sp = H5Screate_simple(1, &n, NULL);
  hid_t d = H5Dcreate2(f, "stimulus_id", t, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  H5Dwrite(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, "ab\0cd\0");
  H5Dclose(d);
  H5Sclose(sp);
  sp = H5Screate(H5S_SCALAR);
  H5Tset_size(t, 5);
  hid_t at = H5Acreate2(f, "model", t, sp, H5P_DEFAULT, H5P_DEFAULT);
  H5Awrite(at, t, "vgg16");
  H5Aclose(at);
  H5Sclose(sp);
  H5Tclose(t);
  hid_t g = H5Gcreate2(f, "layers", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  sp = H5Screate_simple(2, dims, NULL);
  double v[2] = {1.5, -2.5};
  const char *order[] = {"b", "a"};
  for (int i = 0; i < 2; ++i) {
    d = H5Dcreate2(g, order[i], H5T_IEEE_F64LE, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    H5Dwrite(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v);
    H5Dclose(d);
  }
  H5Sclose(sp);
  H5Gclose(g);
  H5Fclose(f);

  cb_activations *a = NULL;
  ck_assert_int_eq(cb_activations_open(path, &a), CB_OK);
  ck_assert_str_eq(a->model, "vgg16");
  ck_assert_str_eq(a->version, "");
  ck_assert_str_eq(a->stimulus_id[1], "cd");
  ck_assert_int_eq(a->n_layers, 2);
  ck_assert_str_eq(a->layer_names[0], "a");
  ck_assert_str_eq(a->layer_names[1], "b");
  float *Y = NULL;
  int64_t feat = 0;
  ck_assert_int_eq(cb_activations_read_layer(a, path, "b", &Y, &feat), CB_OK);
  ck_assert_int_eq(feat, 1);
  ck_assert(Y[0] == 1.5f && Y[1] == -2.5f);
  free(Y);
  cb_activations_destroy(&a);
  remove_dir();
}
END_TEST

START_TEST(test_errors) {
  make_dir();
  char path[256];
  cb_activations *a = NULL;
  snprintf(path, sizeof path, "%s/none.h5", g_dir);
  ck_assert_int_eq(cb_activations_open(path, &a), CB_ERR_IO);
  ck_assert_ptr_nonnull(strstr(cb_error_message(), path));
  snprintf(path, sizeof path, "%s/text.h5", g_dir);
  ck_assert_int_eq(cb_file_write_atomic(path, "not hdf5 at all\n", 16), CB_OK);
  ck_assert_int_eq(cb_activations_open(path, &a), CB_ERR_FORMAT);
  ck_assert_ptr_nonnull(strstr(cb_error_message(), path));
  ck_assert_ptr_null(strchr(cb_error_message(), '\n'));
  ck_assert_ptr_null(a);

  /* An HDF5 file that is not an activations file. */
  snprintf(path, sizeof path, "%s/empty.h5", g_dir);
  hid_t f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  H5Fclose(f);
  ck_assert_int_eq(cb_activations_open(path, &a), CB_ERR_FORMAT);
  ck_assert_ptr_nonnull(strstr(cb_error_message(), "stimulus_id"));

  /* Truncated copy of a valid file. */
  char good[256], trunc[256];
  snprintf(good, sizeof good, "%s/good.h5", g_dir);
  snprintf(trunc, sizeof trunc, "%s/trunc.h5", g_dir);
  static float big[64 * 256];
  for (int i = 0; i < 64 * 256; ++i) big[i] = (float)i;
  const char *ids[64];
  char buf[64][8];
  for (int i = 0; i < 64; ++i) {
    snprintf(buf[i], sizeof buf[i], "s%d", i);
    ids[i] = buf[i];
  }
  const char *names[] = {"fc"};
  const float *X[] = {big};
  int64_t feat[] = {256};
  ck_assert_int_eq(cb_activations_write(good, "m", "v", 64, ids, 1, names, X, feat), CB_OK);
  char *content = NULL;
  size_t len = 0;
  ck_assert_int_eq(cb_file_read_all(good, &content, &len), CB_OK);
  ck_assert_int_eq(cb_file_write_atomic(trunc, content, len / 2), CB_OK);
  free(content);
  cb_status st = cb_activations_open(trunc, &a);
  ck_assert(st == CB_ERR_FORMAT || st == CB_ERR_IO);
  ck_assert_ptr_nonnull(strstr(cb_error_message(), trunc));
  ck_assert_ptr_null(a);
  remove_dir();
}
END_TEST

/* A compressed file written by h5py (tests/reference/gen_io_activations.py). */
START_TEST(test_read_h5py_gzip) {
  const char *path = "tests/reference/io/acts_gzip_h5py.h5";
  cb_activations *a = NULL;
  ck_assert_int_eq(cb_activations_open(path, &a), CB_OK);
  ck_assert_str_eq(a->model, "h5py-toy");
  ck_assert_int_eq(a->n, 7);
  ck_assert_str_eq(a->stimulus_id[6], "s6");
  ck_assert_int_eq(a->n_layers, 2);
  ck_assert_str_eq(a->layer_names[0], "conv");
  ck_assert_str_eq(a->layer_names[1], "fc/out");
  const int64_t F[2] = {10, 3};
  for (int l = 0; l < 2; ++l) {
    float *Y = NULL; /* (7, F[l]) */
    int64_t f = 0;
    ck_assert_int_eq(cb_activations_read_layer(a, path, a->layer_names[l], &Y, &f), CB_OK);
    ck_assert_int_eq(f, F[l]);
    for (int64_t i = 0; i < 7; ++i)
      for (int64_t j = 0; j < f; ++j) ck_assert(Y[i * f + j] == (float)(i * f + j) * 0.125f - 3.0f + 100.0f * (float)l);
    free(Y);
  }
  cb_activations_destroy(&a);
}
END_TEST

START_TEST(test_chunk_rows) {
  ck_assert_int_eq(cb_activations_chunk_rows(1000, 4096, NULL), 128); /* 2 MiB / 16 KiB */
  ck_assert_int_eq(cb_activations_chunk_rows(100, 4096, NULL), 100);  /* at most n */
  ck_assert_int_eq(cb_activations_chunk_rows(100, 10000000, NULL), 1); /* at least 1 */
  ck_assert_int_eq(cb_activations_chunk_rows(100, 0, NULL), 100);
  cb_activations_layout lay = {.deflate = 0, .chunk_bytes = 4 * 25 * 3};
  ck_assert_int_eq(cb_activations_chunk_rows(100, 25, &lay), 3);
}
END_TEST

/* The serial writer with deflate: chunked, filtered, smaller, reads back. */
START_TEST(test_write_compressed) {
  make_dir();
  enum { N = 50, F = 40 };
  char path[256], bad[256];
  snprintf(path, sizeof path, "%s/z.h5", g_dir);
  snprintf(bad, sizeof bad, "%s/bad.h5", g_dir);
  static float x[N * F]; /* (N, F) */
  const char *ids[N];
  char idbuf[N][8];
  for (int i = 0; i < N; ++i) {
    snprintf(idbuf[i], sizeof idbuf[i], "i%d", i);
    ids[i] = idbuf[i];
    for (int j = 0; j < F; ++j) x[i * F + j] = (float)((i + j) % 5) * 0.5f;
  }
  const char *names[] = {"L"};
  const float *X[] = {x};
  int64_t feat[] = {F};
  cb_activations_layout lay = {.deflate = 5, .chunk_bytes = 4 * F * 16};
  ck_assert_int_eq(cb_activations_write_layout(path, "m", "v", N, ids, 1, names, X, feat, &lay), CB_OK);
  cb_activations *a = NULL;
  ck_assert_int_eq(cb_activations_open(path, &a), CB_OK);
  float *Y = NULL;
  int64_t f = 0;
  ck_assert_int_eq(cb_activations_read_layer(a, path, "L", &Y, &f), CB_OK);
  ck_assert_int_eq(f, F);
  ck_assert_int_eq(memcmp(Y, x, sizeof x), 0);
  free(Y);
  cb_activations_destroy(&a);
  hid_t h = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
  hid_t d = H5Dopen2(h, "/L", H5P_DEFAULT), dcpl = H5Dget_create_plist(d);
  hsize_t chunk[2];
  ck_assert_int_eq(H5Pget_chunk(dcpl, 2, chunk), 2);
  ck_assert_int_eq((int)chunk[0], 16);
  ck_assert_int_eq((int)chunk[1], F);
  ck_assert_int_eq(H5Pget_nfilters(dcpl), 2);
  ck_assert(H5Dget_storage_size(d) < sizeof x / 4);
  H5Pclose(dcpl);
  H5Dclose(d);
  H5Fclose(h);
  lay.deflate = 10;
  ck_assert_int_eq(cb_activations_write_layout(bad, "m", "v", N, ids, 1, names, X, feat, &lay), CB_ERR_ARG);
  ck_assert_ptr_nonnull(strstr(cb_error_message(), "compression level 10"));
  ck_assert(!cb_path_exists(bad));
  remove_dir();
}
END_TEST

/* Variable and dimension names (cb_act_names.h): plain names kept, others
 * made netCDF-valid, clashes resolved in order, shapes checked. */
START_TEST(test_names) {
  const char *layers[] = {"conv1", "/layer1/Relu_output_0", "stimulus_id", "channel_2", ".", "a b ", "_layer1_Relu_output_0"};
  int64_t feat[] = {2 * 3 * 4, 5, 5, 5, 5, 5, 5};
  cb_act_shape shapes[7] = {{3, {2, 3, 4}, {"channel", "height", "width"}}};
  cb_act_names *nm = NULL;
  ck_assert_int_eq(cb_act_names_create(7, layers, feat, shapes, &nm), CB_OK);
  const char *want[] = {"conv1", "_layer1_Relu_output_0", "stimulus_id_2", "channel_2_2", "_.", "a b_",
                        "_layer1_Relu_output_0_2"};
  int ok = nm->n_dims == 4 && !strcmp(nm->dim_name[0], "channel_2") && !strcmp(nm->dim_name[3], "feature_5") &&
           nm->dim_id[1][0] == 3 && nm->dim_id[6][0] == 3 && nm->shape[0].ndim == 3;
  for (int l = 0; l < 7; ++l) ok &= !strcmp(nm->var[l], want[l]);
  ck_assert_msg(ok, "names: %s %s %s %s %s %s %s", nm->var[0], nm->var[1], nm->var[2], nm->var[3], nm->var[4],
                nm->var[5], nm->var[6]);
  cb_act_names_destroy(&nm);
  cb_act_names_destroy(&nm);
  shapes[0].dims[2] = 5; /* 30 elements for 24 features */
  ck_assert_int_eq(cb_act_names_create(7, layers, feat, shapes, &nm), CB_ERR_ARG);
  ck_assert_ptr_null(nm);
}
END_TEST

/* A shaped layer is stored (n, C, H, W) and read back flat; a variable
 * whose first dimension disagrees with stimulus_id is refused by name. */
START_TEST(test_shaped_and_bad_shape) {
  make_dir();
  char path[256];
  snprintf(path, sizeof path, "%s/shaped.h5", g_dir);
  float x[2 * 24]; /* (2, 2, 3, 4) */
  for (int i = 0; i < 48; ++i) x[i] = (float)i - 7.25f;
  const char *ids[] = {"s0", "s1"}, *names[] = {"conv"};
  const float *X[] = {x};
  int64_t feat[] = {24};
  cb_act_shape sh[1] = {{3, {2, 3, 4}, {"channel", "height", "width"}}};
  ck_assert_int_eq(cb_activations_write_shaped(path, "m", "v", 2, ids, 1, names, X, feat, sh, NULL), CB_OK);
  hid_t h = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
  hid_t d = H5Dopen2(h, "/conv", H5P_DEFAULT), sp = H5Dget_space(d);
  hsize_t dims[4] = {0}, chunk[4] = {0};
  int rank = H5Sget_simple_extent_dims(sp, dims, NULL);
  hid_t dcpl = H5Dget_create_plist(d); /* the default layout: chunked (rows, C, H, W), shuffle + deflate 1 */
  unsigned flags = 0, level[1] = {0};
  size_t nlev = 1;
  int ok = H5Pget_chunk(dcpl, 4, chunk) == 4 && chunk[0] == 2 && chunk[1] == 2 && chunk[3] == 4 &&
           H5Pget_nfilters(dcpl) == 2 &&
           H5Pget_filter2(dcpl, 1, &flags, &nlev, level, 0, NULL, NULL) == H5Z_FILTER_DEFLATE &&
           level[0] == CB_ACTIVATIONS_DEFLATE;
  H5Pclose(dcpl);
  ck_assert_msg(ok, "default layout: chunk (%llu, %llu, ..), level %u", (unsigned long long)chunk[0],
                (unsigned long long)chunk[1], level[0]);
  H5Sclose(sp);
  H5Dclose(d);
  H5Fclose(h);
  ck_assert_msg(rank == 4 && dims[0] == 2 && dims[1] == 2 && dims[2] == 3 && dims[3] == 4, "rank %d", rank);
  cb_activations *a = NULL;
  float *Y = NULL;
  int64_t f = 0;
  ck_assert_int_eq(cb_activations_open(path, &a), CB_OK);
  ck_assert_int_eq(cb_activations_read_layer(a, path, "conv", &Y, &f), CB_OK);
  ck_assert(f == 24 && memcmp(Y, x, sizeof x) == 0);
  free(Y);
  cb_activations_destroy(&a);
  /* Another layer of 3 rows beside 2 stimuli. */
  h = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
  hsize_t bad[2] = {3, 1};
  sp = H5Screate_simple(2, bad, NULL);
  d = H5Dcreate2(h, "extra", H5T_IEEE_F32LE, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  hid_t t = H5Tcopy(H5T_C_S1), asp = H5Screate(H5S_SCALAR);
  H5Tset_size(t, 5);
  hid_t at = H5Acreate2(d, "layer", t, asp, H5P_DEFAULT, H5P_DEFAULT);
  H5Awrite(at, t, "extra");
  H5Aclose(at);
  H5Sclose(asp);
  H5Tclose(t);
  H5Dclose(d);
  H5Sclose(sp);
  H5Fclose(h);
  ck_assert_int_eq(cb_activations_open(path, &a), CB_ERR_FORMAT);
  ck_assert_ptr_nonnull(strstr(cb_error_message(), "layer 'extra' (variable 'extra') is not a (2 stimuli, ...) array"));
  remove_dir();
}
END_TEST

int main(void) {
  Suite *s = suite_create("activations");
  TCase *tc = tcase_create("activations");
  tcase_add_test(tc, test_round_trip_and_order);
  tcase_add_test(tc, test_foreign_file_name_order);
  tcase_add_test(tc, test_read_rows);
  tcase_add_test(tc, test_errors);
  tcase_add_test(tc, test_read_h5py_gzip);
  tcase_add_test(tc, test_chunk_rows);
  tcase_add_test(tc, test_write_compressed);
  tcase_add_test(tc, test_names);
  tcase_add_test(tc, test_shaped_and_bad_shape);
  suite_add_tcase(s, tc);
  return cb_test_run(s);
}

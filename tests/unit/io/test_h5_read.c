/* Tests of cb__h5_read_all (src/io/cb_h5_read.c): the same bytes as H5Dread for every layout, the threaded inflate
 * taken only where it applies, and a corrupt chunk still an error. */
#include <check.h>
#include <hdf5.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cb_h5_impl.h"
#include "cb_test_main.h"
#include "cb_threads.h"

static char path[256];

static void setup(void) { snprintf(path, sizeof path, "/tmp/cb_test_h5_read_%d.h5", (int)getpid()); }
static void teardown(void) { unlink(path); }

/* A dataset of `rank` dims with the given chunks and filters ("s" shuffle, "d" deflate, "f" fletcher32), of file
 * type ft, filled with fill(i) for element i; `holes`: only the first half of the first axis is written. */
typedef enum { SMOOTH, NOISE } fill_kind;

static double value(fill_kind k, size_t i) {
  if (k == SMOOTH) return (double)(i % 97) * 0.25 - 3.0;
  uint64_t x = (uint64_t)i * 6364136223846793005ULL + 1442695040888963407ULL; /* every bit random: incompressible */
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 29;
  double v;
  memcpy(&v, &x, sizeof v);
  return v;
}

static void make(int rank, const hsize_t *dims, const hsize_t *chunk, const char *filters, hid_t ft, fill_kind k,
                 int holes) {
  hid_t f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  ck_assert(f >= 0);
  hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
  if (chunk) ck_assert(H5Pset_chunk(dcpl, rank, chunk) >= 0);
  for (const char *c = filters; *c; ++c) {
    if (*c == 's') H5Pset_shuffle(dcpl);
    if (*c == 'd') H5Pset_deflate(dcpl, 4);
    if (*c == 'f') H5Pset_fletcher32(dcpl);
  }
  hid_t sp = H5Screate_simple(rank, dims, NULL);
  hid_t d = H5Dcreate2(f, "x", ft, sp, H5P_DEFAULT, dcpl, H5P_DEFAULT);
  ck_assert(d >= 0);
  size_t n = 1;
  for (int i = 0; i < rank; ++i) n *= dims[i];
  double *v = malloc(n * sizeof *v);
  for (size_t i = 0; i < n; ++i) v[i] = value(k, i);
  if (holes) {
    hsize_t start[8] = {0}, count[8];
    for (int i = 0; i < rank; ++i) count[i] = dims[i];
    count[0] = dims[0] / 2;
    hid_t ms = H5Screate_simple(rank, count, NULL);
    H5Sselect_hyperslab(sp, H5S_SELECT_SET, start, NULL, count, NULL);
    ck_assert(H5Dwrite(d, H5T_NATIVE_DOUBLE, ms, sp, H5P_DEFAULT, v) >= 0);
    H5Sclose(ms);
  } else {
    ck_assert(H5Dwrite(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) >= 0);
  }
  free(v);
  H5Dclose(d);
  H5Sclose(sp);
  H5Pclose(dcpl);
  H5Fclose(f);
}

/* Reads "x" as mem_type with H5Dread and with cb__h5_read_all (threads), compares the bytes; returns whether the
 * threaded path ran. */
static int same_bytes(hid_t mem_type, size_t n, int threads) {
  size_t es = H5Tget_size(mem_type);
  unsigned char *a = malloc(n * es), *b = malloc(n * es);
  memset(a, 0xAB, n * es);
  memset(b, 0xCD, n * es);
  hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
  hid_t d = H5Dopen2(f, "x", H5P_DEFAULT);
  ck_assert(H5Dread(d, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, a) >= 0);
  cb_threads_set_default(threads);
  long before = cb__h5_read_fast_count();
  ck_assert(cb__h5_read_all(d, mem_type, b) >= 0);
  int fast = cb__h5_read_fast_count() > before;
  ck_assert_msg(memcmp(a, b, n * es) == 0, "bytes differ from H5Dread (threads %d, fast %d)", threads, fast);
  H5Dclose(d);
  H5Fclose(f);
  free(a);
  free(b);
  return fast;
}

START_TEST(test_shuffle_deflate_edges_every_thread_count) {
  const hsize_t dims[3] = {37, 5, 9}, chunk[3] = {16, 3, 4}; /* partial chunks on every axis */
  make(3, dims, chunk, "sd", H5T_IEEE_F32LE, SMOOTH, 0);
  for (int t = 1; t <= 4; ++t) ck_assert_int_eq(same_bytes(H5T_NATIVE_FLOAT, 37 * 5 * 9, t), 1);
}
END_TEST

START_TEST(test_deflate_only_double_one_chunk_axis) {
  const hsize_t dims[2] = {1000, 7}, chunk[2] = {128, 7};
  make(2, dims, chunk, "d", H5T_IEEE_F64LE, SMOOTH, 0);
  ck_assert_int_eq(same_bytes(H5T_NATIVE_DOUBLE, 7000, 2), 1);
}
END_TEST

START_TEST(test_chunks_with_skipped_filters) {
  /* A chunk's filter mask says which filters were skipped when it was stored (optional filters that failed, or
   * raw chunk writes): chunk 0 is stored shuffled but not deflated (mask 2), chunk 1 neither (mask 3), the rest
   * through both. The threaded path must undo only what was done. */
  const hsize_t dims[2] = {48, 5}, chunk[2] = {16, 5};
  make(2, dims, chunk, "sd", H5T_IEEE_F64LE, NOISE, 0);
  hid_t f = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT), d = H5Dopen2(f, "x", H5P_DEFAULT);
  enum { COUNT = 16 * 5, ES = 8 };
  unsigned char plain[COUNT * ES], planes[COUNT * ES];
  for (size_t i = 0; i < COUNT; ++i) {
    double v = value(SMOOTH, i) + 1000.0;
    memcpy(plain + i * ES, &v, ES);
  }
  for (size_t j = 0; j < ES; ++j) /* HDF5's shuffle: byte j of element i at j * COUNT + i */
    for (size_t i = 0; i < COUNT; ++i) planes[j * COUNT + i] = plain[i * ES + j];
  const hsize_t off0[2] = {0, 0}, off1[2] = {16, 0};
  ck_assert(H5Dwrite_chunk(d, H5P_DEFAULT, 2u, off0, sizeof planes, planes) >= 0);
  ck_assert(H5Dwrite_chunk(d, H5P_DEFAULT, 3u, off1, sizeof plain, plain) >= 0);
  H5Dclose(d);
  H5Fclose(f);
  ck_assert_int_eq(same_bytes(H5T_NATIVE_DOUBLE, 48 * 5, 3), 1);
}
END_TEST

START_TEST(test_other_layouts_fall_back) {
  const hsize_t dims[2] = {40, 6}, chunk[2] = {16, 6};
  make(2, dims, chunk, "sd", H5T_IEEE_F64LE, SMOOTH, 1); /* unwritten chunks (fill value) */
  ck_assert_int_eq(same_bytes(H5T_NATIVE_DOUBLE, 240, 2), 0);
  make(2, dims, chunk, "sd", H5T_IEEE_F32BE, SMOOTH, 0); /* a type conversion */
  ck_assert_int_eq(same_bytes(H5T_NATIVE_FLOAT, 240, 2), 0);
  make(2, dims, chunk, "sdf", H5T_IEEE_F32LE, SMOOTH, 0); /* another filter */
  ck_assert_int_eq(same_bytes(H5T_NATIVE_FLOAT, 240, 2), 0);
  make(2, dims, NULL, "", H5T_IEEE_F32LE, SMOOTH, 0); /* contiguous */
  ck_assert_int_eq(same_bytes(H5T_NATIVE_FLOAT, 240, 2), 0);
  make(2, dims, chunk, "", H5T_IEEE_F32LE, SMOOTH, 0); /* chunked, no filter */
  ck_assert_int_eq(same_bytes(H5T_NATIVE_FLOAT, 240, 2), 0);
}
END_TEST

START_TEST(test_corrupt_chunk_is_an_error) {
  const hsize_t dims[2] = {32, 8}, chunk[2] = {16, 8};
  make(2, dims, chunk, "sd", H5T_IEEE_F32LE, SMOOTH, 0);
  hid_t f = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
  hid_t d = H5Dopen2(f, "x", H5P_DEFAULT);
  const hsize_t off[2] = {16, 0};
  unsigned char junk[40];
  for (size_t i = 0; i < sizeof junk; ++i) junk[i] = (unsigned char)(i * 37 + 11);
  ck_assert(H5Dwrite_chunk(d, H5P_DEFAULT, 0, off, sizeof junk, junk) >= 0); /* not a zlib stream */
  H5Dclose(d);
  H5Fclose(f);
  f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
  d = H5Dopen2(f, "x", H5P_DEFAULT);
  float out[256];
  cb__h5_quiet q;
  cb__h5_quiet_begin(&q);
  ck_assert(cb__h5_read_all(d, H5T_NATIVE_FLOAT, out) < 0);
  cb__h5_quiet_end(&q);
  H5Dclose(d);
  H5Fclose(f);
}
END_TEST

int main(void) {
  Suite *s = suite_create("h5_read");
  TCase *tc = tcase_create("core");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, test_shuffle_deflate_edges_every_thread_count);
  tcase_add_test(tc, test_deflate_only_double_one_chunk_axis);
  tcase_add_test(tc, test_chunks_with_skipped_filters);
  tcase_add_test(tc, test_other_layouts_fall_back);
  tcase_add_test(tc, test_corrupt_chunk_is_an_error);
  suite_add_tcase(s, tc);
  return cb_test_run(s);
}

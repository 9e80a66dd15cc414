/* Unit tests for the report's RDM cache (src/par/cb_rdmcache.c): a written
 * RDM reads back as its float32 rounding, symmetric with a zero diagonal;
 * a missing file, another n or a damaged file is an error the report falls
 * back on (CB_ERR_IO, CB_ERR_FORMAT), never a wrong matrix. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_fs.h"
#include "cb_rdmcache.h"
#include "cb_test_main.h"
#define CB_TEST_TMP_NAME "rdmcache"
#include "cb_test_tmpdir.h"

enum { N = 7 };

static void make_rdm(double *D) {
  for (int i = 0; i < N; ++i)
    for (int j = 0; j < N; ++j) D[i * N + j] = i == j ? 0 : 1.0 / (1 + i + j) + 0.001 * (i < j ? i : j);
}

START_TEST(test_roundtrip) {
  double D[N * N], E[N * N];
  char path[CB_PATH_MAX];
  make_tmpdir();
  make_rdm(D);
  ck_assert_int_eq(cb_rdmcache_path(tmpdir, "abc123", path, sizeof path), CB_OK);
  ck_assert_ptr_nonnull(strstr(path, "/rdms/abc123.rdm"));
  ck_assert_int_eq(cb_rdmcache_write(path, D, N), CB_OK);
  memset(E, 0xff, sizeof E); /* NaN everywhere: every entry must be written */
  ck_assert_int_eq(cb_rdmcache_read(path, N, E), CB_OK);
  int bad = 0;
  for (int i = 0; i < N * N; ++i) bad += E[i] != (double)(float)D[i];
  ck_assert_msg(bad == 0, "%d entries differ from the float32 rounding of the RDM", bad);
  rm_tmpdir();
}
END_TEST

START_TEST(test_rejects) {
  double D[N * N], E[N * N];
  char path[CB_PATH_MAX], bad_path[CB_PATH_MAX];
  make_tmpdir();
  make_rdm(D);
  tmp_path(path, sizeof path, "r.rdm");
  ck_assert_int_eq(cb_rdmcache_write(path, D, N), CB_OK);
  cb_status other_n = cb_rdmcache_read(path, N - 1, E);
  tmp_path(bad_path, sizeof bad_path, "missing.rdm");
  cb_status missing = cb_rdmcache_read(bad_path, N, E);
  char *text = NULL;
  size_t len = 0;
  ck_assert_int_eq(cb_file_read_all(path, &text, &len), CB_OK);
  tmp_path(bad_path, sizeof bad_path, "short.rdm");
  ck_assert_int_eq(cb_file_write_atomic(bad_path, text, len - 4), CB_OK);
  cb_status truncated = cb_rdmcache_read(bad_path, N, E);
  text[0] = 'X';
  ck_assert_int_eq(cb_file_write_atomic(bad_path, text, len), CB_OK);
  cb_status magic = cb_rdmcache_read(bad_path, N, E);
  free(text);
  ck_assert_msg(other_n == CB_ERR_FORMAT && missing == CB_ERR_IO && truncated == CB_ERR_FORMAT &&
                    magic == CB_ERR_FORMAT,
                "other n %d, missing %d, truncated %d, bad magic %d", other_n, missing, truncated, magic);
  cb_error_clear();
  rm_tmpdir();
}
END_TEST

int main(void) {
  Suite *s = suite_create("rdmcache");
  TCase *tc = tcase_create("rdmcache");
  tcase_add_test(tc, test_roundtrip);
  tcase_add_test(tc, test_rejects);
  suite_add_tcase(s, tc);
  return cb_test_run(s);
}

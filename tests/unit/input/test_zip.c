/* Unit tests for src/io/cb_zip and zipped stimulus sets in cb_stimuli:
 * safe entry names, leading directory, missing files, corrupt archives, and
 * the real Cowley 2023 BrainIO zip (skipped when ../shared/data is absent). */
#include <check.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zip.h>

#include "cb_fs.h"
#include "cb_image.h"
#include "cb_status.h"
#include "cb_stimuli.h"
#include "cb_zip.h"

#define COWLEY_CSV "../shared/data/cowley2023_v4/stimulus_cowley2023_210325.csv"
#define COWLEY_RGB "tests/reference/io/cowley0001.rgb"

#define CB_TEST_TMP_NAME "zip"
#include "../cb_test_tmpdir.h"
#include "cb_test_main.h"

/* Writes a zip holding `n` entries names[i] with contents texts[i] (stored
 * uncompressed when `store`, else deflated). */
static void make_zip(const char *path, int n, const char *const *names, const char *const *texts, int store) {
  int err = 0;
  zip_t *z = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &err);
  ck_assert_ptr_nonnull(z);
  for (int i = 0; i < n; ++i) {
    zip_source_t *src = zip_source_buffer(z, texts[i], strlen(texts[i]), 0);
    ck_assert_ptr_nonnull(src);
    zip_int64_t idx = zip_file_add(z, names[i], src, ZIP_FL_ENC_UTF_8);
    ck_assert_int_ge(idx, 0);
    if (store) ck_assert_int_eq(zip_set_file_compression(z, (zip_uint64_t)idx, ZIP_CM_STORE, 0), 0);
  }
  ck_assert_int_eq(zip_close(z), 0);
}

static void write_text(const char *path, const char *text) {
  ck_assert_int_eq(cb_file_write_atomic(path, text, strlen(text)), CB_OK);
}

START_TEST(test_zip_read_and_prefix) {
  make_tmpdir();
  char p[512];
  tmp_path(p, sizeof p, "flat.zip");
  const char *names[] = {"a.txt", "sub/b.txt"};
  const char *texts[] = {"alpha", "bravo bravo"};
  make_zip(p, 2, names, texts, 0);
  cb_zip *z = NULL;
  ck_assert_msg(cb_zip_open(p, &z) == CB_OK, "%s", cb_error_message());
  ck_assert_int_eq(cb_zip_count(z), 2);
  ck_assert_str_eq(cb_zip_prefix(z), "");
  ck_assert(cb_zip_has(z, "a.txt"));
  ck_assert(cb_zip_has(z, "./a.txt"));
  ck_assert(!cb_zip_has(z, "b.txt"));
  uint8_t *d = NULL;
  size_t n = 0;
  ck_assert_int_eq(cb_zip_read(z, "sub/b.txt", &d, &n), CB_OK);
  ck_assert_uint_eq(n, 11);
  ck_assert_int_eq(memcmp(d, "bravo bravo", 11), 0);
  free(d);
  d = NULL;
  ck_assert_int_eq(cb_zip_read(z, "nope.txt", &d, &n), CB_ERR_FORMAT);
  ck_assert_ptr_nonnull(strstr(cb_error_message(), "flat.zip"));
  ck_assert_ptr_nonnull(strstr(cb_error_message(), "nope.txt"));
  ck_assert_ptr_null(d);
  cb_zip_destroy(&z);
  ck_assert_ptr_null(z);
  cb_zip_destroy(&z); /* NULL-safe */

  /* Every file under one top-level directory: found without it. */
  tmp_path(p, sizeof p, "dir.zip");
  const char *n2[] = {"stimuli/", "stimuli/x.txt", "stimuli/y.txt"};
  const char *t2[] = {"", "xx", "yyy"};
  make_zip(p, 3, n2, t2, 1);
  ck_assert_int_eq(cb_zip_open(p, &z), CB_OK);
  ck_assert_str_eq(cb_zip_prefix(z), "stimuli/");
  ck_assert(cb_zip_has(z, "x.txt"));
  ck_assert(cb_zip_has(z, "stimuli/y.txt"));
  ck_assert(!cb_zip_has(z, "stimuli")); /* a directory is not a file */
  ck_assert_int_eq(cb_zip_read(z, "y.txt", &d, &n), CB_OK);
  ck_assert_uint_eq(n, 3);
  free(d);
  cb_zip_destroy(&z);
}
END_TEST

START_TEST(test_zip_rejects_escaping_entries) {
  make_tmpdir();
  const char *bad[] = {"../evil.txt", "/etc/abs.txt", "a/../../up.txt", "c:/win.txt", "back\\slash.txt"};
  for (size_t k = 0; k < sizeof bad / sizeof *bad; ++k) {
    char p[512];
    tmp_path(p, sizeof p, "bad.zip");
    const char *names[] = {"ok.txt", bad[k]};
    const char *texts[] = {"fine", "evil"};
    make_zip(p, 2, names, texts, 0);
    cb_zip *z = NULL;
    ck_assert_int_eq(cb_zip_open(p, &z), CB_ERR_FORMAT);
    ck_assert_ptr_null(z);
    ck_assert_ptr_nonnull(strstr(cb_error_message(), "bad.zip"));
    ck_assert_msg(strstr(cb_error_message(), bad[k]) != NULL, "%s", cb_error_message());
    ck_assert_ptr_null(strchr(cb_error_message(), '\n'));
  }
  /* ".." that stays inside is fine. */
  char p[512];
  tmp_path(p, sizeof p, "inside.zip");
  const char *names[] = {"a/../b.txt"};
  const char *texts[] = {"b"};
  make_zip(p, 1, names, texts, 0);
  cb_zip *z = NULL;
  ck_assert_int_eq(cb_zip_open(p, &z), CB_OK);
  cb_zip_destroy(&z);
}
END_TEST

START_TEST(test_zip_corrupt) {
  make_tmpdir();
  char p[512], q[512];
  tmp_path(p, sizeof p, "good.zip");
  const char *names[] = {"a.txt", "b.txt"};
  const char *texts[] = {"0123456789abcdef0123456789abcdef", "second entry, stored"};
  make_zip(p, 2, names, texts, 1);
  char *bytes = NULL;
  size_t n = 0;
  ck_assert_int_eq(cb_file_read_all(p, &bytes, &n), CB_OK);
  cb_zip *z = NULL;

  /* Not a zip at all. */
  tmp_path(q, sizeof q, "text.zip");
  write_text(q, "this is not a zip archive, just text");
  ck_assert_int_eq(cb_zip_open(q, &z), CB_ERR_FORMAT);
  ck_assert_ptr_nonnull(strstr(cb_error_message(), "text.zip"));
  /* Truncated: the central directory is gone. */
  tmp_path(q, sizeof q, "cut.zip");
  ck_assert_int_eq(cb_file_write_atomic(q, bytes, n - 30), CB_OK);
  ck_assert_int_eq(cb_zip_open(q, &z), CB_ERR_FORMAT);
  ck_assert_ptr_nonnull(strstr(cb_error_message(), "cut.zip"));
  ck_assert_ptr_null(strchr(cb_error_message(), '\n'));
  /* Missing file. */
  tmp_path(q, sizeof q, "missing.zip");
  ck_assert_int_eq(cb_zip_open(q, &z), CB_ERR_IO);
  ck_assert_ptr_nonnull(strstr(cb_error_message(), "missing.zip"));
  /* One data byte flipped: the CRC check catches it on read. */
  char *hit = memmem(bytes, n, "0123456789", 10);
  ck_assert_ptr_nonnull(hit);
  hit[3] ^= 0x20;
  tmp_path(q, sizeof q, "flip.zip");
  ck_assert_int_eq(cb_file_write_atomic(q, bytes, n), CB_OK);
  ck_assert_int_eq(cb_zip_open(q, &z), CB_OK);
  uint8_t *d = NULL;
  size_t dn = 0;
  ck_assert_int_eq(cb_zip_read(z, "a.txt", &d, &dn), CB_ERR_FORMAT);
  ck_assert_ptr_nonnull(strstr(cb_error_message(), "flip.zip"));
  ck_assert_ptr_nonnull(strstr(cb_error_message(), "a.txt"));
  ck_assert_ptr_null(d);
  ck_assert_int_eq(cb_zip_read(z, "b.txt", &d, &dn), CB_OK);
  free(d);
  cb_zip_destroy(&z);
  free(bytes);
}
END_TEST

START_TEST(test_stimulus_set_from_zip) {
  make_tmpdir();
  char csv[512], zp[512], other[512];
  tmp_path(csv, sizeof csv, "stim_set.csv");
  tmp_path(zp, sizeof zp, "stim_set.zip");
  write_text(csv, "stimulus_id,filename,kind\ns1,one.txt,a\ns2,two.txt,b\n");
  const char *names[] = {"set/one.txt", "set/two.txt"};
  const char *texts[] = {"first", "second"};
  make_zip(zp, 2, names, texts, 0);
  cb_stimulus_set *s = NULL;
  ck_assert_msg(cb_stimulus_set_read(csv, &s) == CB_OK, "%s", cb_error_message());
  ck_assert_ptr_nonnull(s->zip);
  ck_assert_str_eq(s->zip_path, zp);
  uint8_t *d = NULL;
  size_t n = 0;
  ck_assert_int_eq(cb_stimulus_set_file_bytes(s, 1, &d, &n), CB_OK);
  ck_assert_uint_eq(n, 6);
  ck_assert_int_eq(memcmp(d, "second", 6), 0);
  free(d);
  char fp[512];
  ck_assert_int_eq(cb_stimulus_set_file_path(s, 0, fp, sizeof fp), CB_ERR_UNSUPPORTED);
  cb_stimulus_set_destroy(&s);

  /* Without a zip the directory is used. */
  tmp_path(other, sizeof other, "plain.csv");
  write_text(other, "stimulus_id,filename\ns1,f.txt\n");
  tmp_path(fp, sizeof fp, "f.txt");
  write_text(fp, "disk");
  ck_assert_int_eq(cb_stimulus_set_read(other, &s), CB_OK);
  ck_assert_ptr_null(s->zip);
  ck_assert_int_eq(cb_stimulus_set_file_bytes(s, 0, &d, &n), CB_OK);
  ck_assert_uint_eq(n, 4);
  free(d);
  cb_stimulus_set_destroy(&s);
  /* Explicit zip for that CSV: its file is missing from the zip. */
  ck_assert_int_eq(cb_stimulus_set_read_zip(other, zp, &s), CB_ERR_FORMAT);
  ck_assert_ptr_null(s);
  ck_assert_ptr_nonnull(strstr(cb_error_message(), "stim_set.zip"));
  ck_assert_ptr_nonnull(strstr(cb_error_message(), "f.txt"));
  ck_assert_ptr_null(strchr(cb_error_message(), '\n'));

  /* A file listed in the CSV but absent from the zip beside it. */
  write_text(csv, "stimulus_id,filename\ns1,one.txt\ns3,three.txt\n");
  ck_assert_int_eq(cb_stimulus_set_read(csv, &s), CB_ERR_FORMAT);
  ck_assert_ptr_nonnull(strstr(cb_error_message(), "stim_set.zip"));
  ck_assert_ptr_nonnull(strstr(cb_error_message(), "three.txt"));
  /* Escaping filenames are rejected before the zip is looked at. */
  write_text(csv, "stimulus_id,filename\ns1,../one.txt\n");
  ck_assert_int_eq(cb_stimulus_set_read(csv, &s), CB_ERR_FORMAT);
  ck_assert_ptr_nonnull(strstr(cb_error_message(), "stim_set.csv"));
  /* Duplicate ids. */
  write_text(csv, "stimulus_id,filename\ns1,one.txt\ns1,two.txt\n");
  ck_assert_int_eq(cb_stimulus_set_read(csv, &s), CB_ERR_FORMAT);
  ck_assert_ptr_nonnull(strstr(cb_error_message(), "duplicate"));
  /* A corrupt zip beside the CSV is an error naming the zip. */
  write_text(csv, "stimulus_id,filename\ns1,one.txt\n");
  write_text(zp, "garbage, not a zip");
  ck_assert_int_eq(cb_stimulus_set_read(csv, &s), CB_ERR_FORMAT);
  ck_assert_ptr_nonnull(strstr(cb_error_message(), "stim_set.zip"));
  ck_assert_ptr_null(s);
}
END_TEST

START_TEST(test_cowley_zip_jpeg) {
  if (access(COWLEY_CSV, R_OK) != 0) return; /* shared data absent: skip */
  cb_stimulus_set *s = NULL;
  ck_assert_msg(cb_stimulus_set_read(COWLEY_CSV, &s) == CB_OK, "%s", cb_error_message());
  ck_assert_int_eq(s->n, 640);
  ck_assert_ptr_nonnull(s->zip);
  uint8_t *rgb = NULL;
  int h = 0, w = 0;
  ck_assert_msg(cb_image_read_stimulus(s, 0, &rgb, &h, &w) == CB_OK, "%s", cb_error_message());
  ck_assert_int_eq(h, 112);
  ck_assert_int_eq(w, 112);
  char *exp = NULL;
  size_t n = 0;
  ck_assert_int_eq(cb_file_read_all(COWLEY_RGB, &exp, &n), CB_OK);
  ck_assert_uint_eq(n, 112 * 112 * 3);
  /* Same libjpeg and IDCT as Pillow: bytes must be identical (bound 0). */
  int maxdiff = 0;
  for (size_t k = 0; k < n; ++k) {
    int d = abs((int)rgb[k] - (int)(uint8_t)exp[k]);
    if (d > maxdiff) maxdiff = d;
  }
  ck_assert_int_eq(maxdiff, 0);
  free(exp);
  free(rgb);
  /* Every image decodes to 112x112. */
  for (int i = 0; i < s->n; ++i) {
    rgb = NULL;
    ck_assert_msg(cb_image_read_stimulus(s, i, &rgb, &h, &w) == CB_OK, "%s", cb_error_message());
    ck_assert(h == 112 && w == 112);
    free(rgb);
  }
  cb_stimulus_set_destroy(&s);
}
END_TEST

int main(void) {
  Suite *s = suite_create("io_zip");
  TCase *tc = tcase_create("zip");
  tcase_add_checked_fixture(tc, NULL, rm_tmpdir);
  tcase_add_test(tc, test_zip_read_and_prefix);
  tcase_add_test(tc, test_zip_rejects_escaping_entries);
  tcase_add_test(tc, test_zip_corrupt);
  tcase_add_test(tc, test_stimulus_set_from_zip);
  tcase_add_test(tc, test_cowley_zip_jpeg);
  suite_add_tcase(s, tc);
  return cb_test_run(s);
}

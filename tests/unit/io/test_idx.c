/* test_idx.c - the IDX reader (plain and gzipped; every malformed header, truncation, trailing bytes, a label
 * out of range or a count mismatch is one error naming the file) and the [train] configuration reader. */
#include <check.h>
#include <stdio.h>
#include <string.h>
#include <zlib.h>

#include "cb_idx.h"
#include "cb_test_main.h"
#include "cb_train_config.h"
#define CB_TEST_TMP_NAME "idx"
#include "cb_test_tmpdir.h"

static void setup(void) { make_tmpdir(); }
static void teardown(void) { rm_tmpdir(); }

/* Writes n bytes to tmp/name, gzipped when gz. */
static void put(const char *name, const uint8_t *b, size_t n, int gz, char *path) {
  tmp_path(path, 512, name);
  if (gz) {
    gzFile f = gzopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    if (n) ck_assert_int_eq(gzwrite(f, b, (unsigned)n), (int)n);
    gzclose(f);
  } else {
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    if (n) ck_assert_uint_eq(fwrite(b, 1, n, f), n);
    fclose(f);
  }
}

/* 3 images of 2x2 (bytes 0..11) and their labels. */
static const uint8_t IMAGES[] = {0, 0, 8, 3, 0, 0, 0, 3, 0, 0, 0, 2, 0, 0, 0, 2, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};
static const uint8_t LABELS[] = {0, 0, 8, 1, 0, 0, 0, 3, 9, 0, 4};

START_TEST(test_read_good) {
  char p[512], q[512];
  for (int gz = 0; gz < 2; ++gz) {
    put(gz ? "i.gz" : "i", IMAGES, sizeof IMAGES, gz, p);
    cb_idx *x = NULL;
    ck_assert_int_eq(cb_idx_read(p, &x), CB_OK);
    ck_assert_int_eq(x->ndim, 3);
    ck_assert_int_eq(x->dims[0], 3);
    ck_assert_int_eq(x->numel, 12);
    for (int i = 0; i < 12; ++i) ck_assert_int_eq(x->data[i], i);
    cb_idx_destroy(&x);
    ck_assert_ptr_null(x);
  }
  put("l.gz", LABELS, sizeof LABELS, 1, q);
  cb_idx_set *s = NULL;
  ck_assert_int_eq(cb_idx_set_read(p, q, 10, &s), CB_OK);
  ck_assert_int_eq(s->n, 3);
  ck_assert_int_eq(s->h, 2);
  ck_assert_int_eq(s->labels[0], 9);
  ck_assert_int_eq(s->labels[2], 4);
  ck_assert_int_eq(s->pixels[11], 11);
  cb_idx_set_destroy(&s);
  cb_idx_set_destroy(&s); /* NULL-safe */
  ck_assert_int_eq(cb_idx_set_read(p, q, 5, &s), CB_ERR_FORMAT); /* label 9 >= 5 classes */
  ck_assert_ptr_nonnull(strstr(cb_error_message(), "label 9 of image 0"));
}
END_TEST

START_TEST(test_read_bad) {
  struct {
    const char *what;
    size_t n;
    int patch_at, patch_val;
    const char *msg;
  } cases[] = {
      {"empty", 0, -1, 0, "shorter than its 4-byte header"},
      {"magic", sizeof IMAGES, 0, 1, "magic 01 00"},
      {"type", sizeof IMAGES, 2, 0x0d, "element type 0x0d unsupported"},
      {"ndim", sizeof IMAGES, 3, 0, "0 dimensions"},
      {"dim0", sizeof IMAGES, 7, 0, "dimension 0 is 0"},
      {"header", 10, -1, 0, "truncated header"},
      {"data", sizeof IMAGES - 1, -1, 0, "truncated IDX file"},
      {"trailing", sizeof IMAGES + 1, -1, 0, "bytes after the 12"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; ++i)
    for (int gz = 0; gz < 2; ++gz) {
      uint8_t b[64] = {0};
      memcpy(b, IMAGES, sizeof IMAGES);
      if (cases[i].patch_at >= 0) b[cases[i].patch_at] = (uint8_t)cases[i].patch_val;
      char p[512];
      put(cases[i].what, b, cases[i].n, gz, p);
      cb_idx *x = NULL;
      ck_assert_int_eq(cb_idx_read(p, &x), CB_ERR_FORMAT);
      ck_assert_ptr_null(x);
      const char *m = cb_error_message();
      ck_assert_msg(strstr(m, p) == m && strstr(m, cases[i].msg) && !strchr(m, '\n'), "%s (gz %d): %s", cases[i].what, gz, m);
    }
  cb_idx *x = NULL;
  ck_assert_int_eq(cb_idx_read("/nonexistent/t.gz", &x), CB_ERR_IO);
  char p[512], q[512];
  put("i", IMAGES, sizeof IMAGES, 0, p);
  uint8_t l2[sizeof LABELS];
  memcpy(l2, LABELS, sizeof LABELS);
  l2[7] = 2;
  put("l", l2, sizeof LABELS - 1, 0, q);
  cb_idx_set *s = NULL;
  ck_assert_int_eq(cb_idx_set_read(p, q, 10, &s), CB_ERR_FORMAT);
  ck_assert_ptr_nonnull(strstr(cb_error_message(), "2 labels"));
}
END_TEST

static cb_status config(const char *text, cb_train_config *c) {
  char p[512];
  put("t.ini", (const uint8_t *)text, strlen(text), 0, p);
  return cb_train_config_read(p, c);
}

START_TEST(test_train_config) {
  cb_train_config c;
  ck_assert_int_eq(config("[train]\nmodel = fmnist_cnn\nsteps = 10\noptimizer = adamw\nflip = yes\n", &c), CB_OK);
  ck_assert_str_eq(c.model, "fmnist_cnn");
  ck_assert_int_eq(c.steps, 10);
  ck_assert_int_eq(c.flip, 1);
  ck_assert_int_eq(c.batch, 64);
  ck_assert_int_eq(c.micro_batch, 16);
  const char *bad[][2] = {
      {"[train]\nmodel = m\nsteps = 1\nlearning_rate = 1\n", "key 'learning_rate' unknown"},
      {"[train]\nmodel = m\nsteps = 1\n[other]\nx = 1\n", "section [other] unknown"},
      {"[train]\nmodel = m\n", "exactly one of steps and epochs"},
      {"[train]\nmodel = m\nsteps = 1\nepochs = 2\n", "exactly one of steps and epochs"},
      {"[train]\nmodel = m\nsteps = 1\nbatch = 48\nmicro_batch = 32\n", "does not divide"},
      {"[train]\nmodel = m\nsteps = x\n", "steps = 'x' is not valid"},
      {"[train]\nmodel = m\nsteps = 1\noptimizer = lbfgs\n", "optimizer = 'lbfgs' unknown"},
      {"[train]\nsteps = 1\n", "model is required"},
  };
  for (size_t i = 0; i < sizeof bad / sizeof *bad; ++i) {
    ck_assert_int_eq(config(bad[i][0], &c), CB_ERR_CONFIG);
    ck_assert_msg(strstr(cb_error_message(), bad[i][1]) && strstr(cb_error_message(), "t.ini"), "%s", cb_error_message());
  }
}
END_TEST

int main(void) {
  Suite *s = suite_create("idx");
  TCase *tc = tcase_create("idx");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, test_read_good);
  tcase_add_test(tc, test_read_bad);
  tcase_add_test(tc, test_train_config);
  suite_add_tcase(s, tc);
  return cb_test_run(s);
}

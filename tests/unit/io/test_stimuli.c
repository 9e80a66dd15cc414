/* Unit tests for src/io/cb_stimuli: BrainIO stimulus CSV parsing, writing,
 * validation errors and path resolution. */
#include <check.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cb_fs.h"
#include "cb_status.h"
#include "cb_stimuli.h"
#include "cb_strbuf.h"

#define KRIEG_CSV "../shared/data/kriegeskorte2008/stimuli.csv"

#define CB_TEST_TMP_NAME "stimuli"
#include "../cb_test_tmpdir.h"
#include "cb_test_main.h"

/* Writes `text` to <tmpdir>/<name> and returns the path in a static buffer. */
static const char *put(const char *name, const char *text) {
  static char path[512];
  snprintf(path, sizeof path, "%s/%s", tmpdir, name);
  ck_assert_int_eq(cb_file_write_atomic(path, text, strlen(text)), CB_OK);
  return path;
}

START_TEST(test_parse_quotes_and_meta) {
  make_tmpdir();
  const char *csv = "\xEF\xBB\xBF"
                    "stimulus_id,filename,label,\"note, quoted\"\r\n"
                    "a1,img/a1.png,\"cat, tabby\",\"he said \"\"hi\"\"\"\r\n"
                    "\r\n"
                    "b2,./img/../img/b2.png,dog,\"two\nlines\"\n"
                    "c3,c3.png,,\n";
  const char *path = put("set.csv", csv);
  cb_stimulus_set *s = NULL;
  ck_assert_msg(cb_stimulus_set_read(path, &s) == CB_OK, "%s", cb_error_message());
  ck_assert_int_eq(s->n, 3);
  ck_assert_int_eq(s->n_meta, 2);
  ck_assert_str_eq(s->meta_names[0], "label");
  ck_assert_str_eq(s->meta_names[1], "note, quoted");
  ck_assert_str_eq(s->stimulus_id[0], "a1");
  ck_assert_str_eq(s->filename[0], "img/a1.png");
  ck_assert_str_eq(cb_stimulus_set_meta(s, 0, "label"), "cat, tabby");
  ck_assert_str_eq(cb_stimulus_set_meta(s, 0, "note, quoted"), "he said \"hi\"");
  ck_assert_str_eq(cb_stimulus_set_meta(s, 1, "note, quoted"), "two\nlines");
  ck_assert_str_eq(cb_stimulus_set_meta(s, 2, "label"), "");
  ck_assert_str_eq(cb_stimulus_set_meta(s, 2, "note, quoted"), "");
  ck_assert_ptr_null(cb_stimulus_set_meta(s, 0, "nope"));
  ck_assert_ptr_null(cb_stimulus_set_meta(s, 3, "label"));
  ck_assert_int_eq(cb_stimulus_set_find(s, "b2"), 1);
  ck_assert_int_eq(cb_stimulus_set_find(s, "zz"), -1);
  ck_assert_str_eq(s->base_dir, tmpdir);

  char fp[1024], exp[1024];
  ck_assert_int_eq(cb_stimulus_set_file_path(s, 0, fp, sizeof fp), CB_OK);
  snprintf(exp, sizeof exp, "%s/img/a1.png", tmpdir);
  ck_assert_str_eq(fp, exp);
  ck_assert_int_eq(cb_stimulus_set_file_path(s, 3, fp, sizeof fp), CB_ERR_ARG);
  cb_stimulus_set_destroy(&s);
  ck_assert_ptr_null(s);
  cb_stimulus_set_destroy(&s);
  cb_stimulus_set_destroy(NULL);
}
END_TEST

START_TEST(test_legacy_image_id) {
  make_tmpdir();
  const char *path = put("legacy.csv", "filename,image_id,object_name\nx.png,abc,car\ny.png,def,face\n");
  cb_stimulus_set *s = NULL;
  ck_assert_int_eq(cb_stimulus_set_read(path, &s), CB_OK);
  ck_assert_int_eq(s->n, 2);
  ck_assert_int_eq(s->n_meta, 1);
  ck_assert_str_eq(s->stimulus_id[1], "def");
  ck_assert_str_eq(s->filename[1], "y.png");
  ck_assert_str_eq(cb_stimulus_set_meta(s, 1, "object_name"), "face");
  cb_stimulus_set_destroy(&s);

  /* Both present: stimulus_id wins, image_id stays as metadata. */
  path = put("both.csv", "image_id,stimulus_id,filename\nold,new,f.png\n");
  ck_assert_int_eq(cb_stimulus_set_read(path, &s), CB_OK);
  ck_assert_str_eq(s->stimulus_id[0], "new");
  ck_assert_str_eq(cb_stimulus_set_meta(s, 0, "image_id"), "old");
  cb_stimulus_set_destroy(&s);
}
END_TEST

/* Expects reading `text` to fail with `st` and a one-line message that
 * contains the file name and `needle`. */
static void expect_error(const char *name, const char *text, cb_status st, const char *needle) {
  const char *path = put(name, text);
  cb_stimulus_set *s = NULL;
  cb_error_clear();
  ck_assert_int_eq(cb_stimulus_set_read(path, &s), st);
  ck_assert_ptr_null(s);
  const char *m = cb_error_message();
  ck_assert_msg(strstr(m, name) != NULL, "message '%s' lacks file name %s", m, name);
  ck_assert_msg(strstr(m, needle) != NULL, "message '%s' lacks '%s'", m, needle);
  ck_assert_ptr_null(strchr(m, '\n'));
}

START_TEST(test_errors) {
  make_tmpdir();
  expect_error("empty.csv", "", CB_ERR_FORMAT, "empty");
  expect_error("blank.csv", "\n\r\n\n", CB_ERR_FORMAT, "empty");
  expect_error("noid.csv", "name,filename\na,a.png\n", CB_ERR_FORMAT, "stimulus_id");
  expect_error("nofile.csv", "stimulus_id,path\na,a.png\n", CB_ERR_FORMAT, "filename");
  expect_error("dup.csv", "stimulus_id,filename\na,a.png\nb,b.png\na,c.png\n", CB_ERR_FORMAT, "dup.csv:4: duplicate");
  expect_error("ragged.csv", "stimulus_id,filename,x\na,a.png,1\nb,b.png\n", CB_ERR_FORMAT, "ragged.csv:3:");
  expect_error("long.csv", "stimulus_id,filename\na,a.png,extra\n", CB_ERR_FORMAT, "long.csv:2:");
  expect_error("abs.csv", "stimulus_id,filename\na,/etc/passwd\n", CB_ERR_FORMAT, "abs.csv:2:");
  expect_error("esc.csv", "stimulus_id,filename\na,ok.png\nb,img/../../secret.png\n", CB_ERR_FORMAT, "esc.csv:3:");
  expect_error("esc2.csv", "stimulus_id,filename\na,..\n", CB_ERR_FORMAT, "esc2.csv:2:");
  expect_error("nofn.csv", "stimulus_id,filename\na,\n", CB_ERR_FORMAT, "nofn.csv:2:");
  expect_error("noidval.csv", "stimulus_id,filename\n,a.png\n", CB_ERR_FORMAT, "empty stimulus id");
  expect_error("quote.csv", "stimulus_id,filename\n\"a,a.png\n", CB_ERR_FORMAT, "unterminated");
  expect_error("quote2.csv", "stimulus_id,filename\n\"a\"x,a.png\n", CB_ERR_FORMAT, "quote2.csv:2:");
  expect_error("dupcol.csv", "stimulus_id,filename,x,x\na,a.png,1,2\n", CB_ERR_FORMAT, "duplicate column");
  /* Line numbers count physical lines, including those inside quotes. */
  expect_error("lines.csv", "stimulus_id,filename,n\na,a.png,\"x\ny\"\nb,b.png\n", CB_ERR_FORMAT, "lines.csv:4:");

  cb_stimulus_set *s = NULL;
  char p[512];
  snprintf(p, sizeof p, "%s/absent.csv", tmpdir);
  ck_assert_int_eq(cb_stimulus_set_read(p, &s), CB_ERR_IO);
  ck_assert_ptr_nonnull(strstr(cb_error_message(), "absent.csv"));
}
END_TEST

/* A header without rows is an error naming the file (it used to be an
 * empty set, and `activations` wrote an empty file with exit status 0). */
START_TEST(test_header_only_is_an_error) {
  make_tmpdir();
  const char *path = put("hdr.csv", "stimulus_id,filename,a\n\n");
  cb_stimulus_set *s = NULL;
  ck_assert_int_eq(cb_stimulus_set_read(path, &s), CB_ERR_FORMAT);
  ck_assert_ptr_nonnull(strstr(cb_error_message(), "hdr.csv: no stimuli (the CSV has a header and no rows)"));
  ck_assert_ptr_null(s);
  /* A FIFO as the CSV is refused at once (no writer needed). */
  char fifo[512];
  snprintf(fifo, sizeof fifo, "%s/fifo.csv", tmpdir);
  ck_assert_int_eq(mkfifo(fifo, 0600), 0);
  ck_assert_int_eq(cb_stimulus_set_read(fifo, &s), CB_ERR_IO);
  ck_assert_ptr_nonnull(strstr(cb_error_message(), "fifo.csv: not a regular file (a FIFO)"));
}
END_TEST

START_TEST(test_write_read_roundtrip) {
  make_tmpdir();
  const char *names[] = {"category", "note \"q\"", "num"};
  cb_stimulus_set *s = NULL;
  ck_assert_int_eq(cb_stimulus_set_create(3, 3, names, &s), CB_OK);
  const char *ids[] = {"s0", "s,1", "s\"2"};
  const char *files[] = {"a/s0.png", "s1.png", "b/c/s2.png"};
  const char *vals[3][3] = {{"face", "plain", "1"}, {"a, b", "\"quoted\"", "2.5"}, {"", "multi\nline\r\nx", " pad "}};
  for (int i = 0; i < 3; ++i) {
    s->stimulus_id[i] = cb_strdup(ids[i]);
    s->filename[i] = cb_strdup(files[i]);
    for (int j = 0; j < 3; ++j) s->meta[i * 3 + j] = cb_strdup(vals[i][j]);
  }
  char path[512];
  snprintf(path, sizeof path, "%s/out/rt.csv", tmpdir);
  ck_assert_int_eq(cb_stimulus_set_write(path, s), CB_OK);

  cb_stimulus_set *r = NULL;
  ck_assert_msg(cb_stimulus_set_read(path, &r) == CB_OK, "%s", cb_error_message());
  ck_assert_int_eq(r->n, 3);
  ck_assert_int_eq(r->n_meta, 3);
  for (int j = 0; j < 3; ++j) ck_assert_str_eq(r->meta_names[j], names[j]);
  for (int i = 0; i < 3; ++i) {
    ck_assert_str_eq(r->stimulus_id[i], ids[i]);
    ck_assert_str_eq(r->filename[i], files[i]);
    for (int j = 0; j < 3; ++j) ck_assert_str_eq(cb_stimulus_set_meta(r, i, names[j]), vals[i][j]);
  }
  char fp[1024], exp[1024];
  ck_assert_int_eq(cb_stimulus_set_file_path(r, 2, fp, sizeof fp), CB_OK);
  snprintf(exp, sizeof exp, "%s/out/b/c/s2.png", tmpdir);
  ck_assert_str_eq(fp, exp);

  /* Writing what was read gives the same bytes. */
  char path2[512];
  snprintf(path2, sizeof path2, "%s/out/rt2.csv", tmpdir);
  ck_assert_int_eq(cb_stimulus_set_write(path2, r), CB_OK);
  char *a = NULL, *b = NULL;
  ck_assert_int_eq(cb_file_read_all(path, &a, NULL), CB_OK);
  ck_assert_int_eq(cb_file_read_all(path2, &b, NULL), CB_OK);
  ck_assert_str_eq(a, b);
  ck_assert_ptr_nonnull(strstr(a, "\"s,1\""));
  free(a);
  free(b);
  cb_stimulus_set_destroy(&r);

  /* A set with a missing id cannot be written. */
  free(s->stimulus_id[1]);
  s->stimulus_id[1] = NULL;
  ck_assert_int_eq(cb_stimulus_set_write(path2, s), CB_ERR_ARG);
  ck_assert_ptr_nonnull(strstr(cb_error_message(), "rt2.csv"));
  cb_stimulus_set_destroy(&s);
}
END_TEST

START_TEST(test_real_kriegeskorte_csv) {
  if (access(KRIEG_CSV, R_OK) != 0) {
    fprintf(stderr, "skipping: %s not present\n", KRIEG_CSV);
    return;
  }
  cb_stimulus_set *s = NULL;
  ck_assert_msg(cb_stimulus_set_read(KRIEG_CSV, &s) == CB_OK, "%s", cb_error_message());
  ck_assert_int_eq(s->n, 92);
  ck_assert_str_eq(s->stimulus_id[0], "img001");
  ck_assert_str_eq(cb_stimulus_set_meta(s, 0, "category"), "human bodypart");
  ck_assert_ptr_nonnull(cb_stimulus_set_meta(s, 91, "animal"));
  char fp[1024];
  for (int i = 0; i < s->n; ++i) {
    ck_assert_int_eq(cb_stimulus_set_file_path(s, i, fp, sizeof fp), CB_OK);
    ck_assert_msg(access(fp, R_OK) == 0, "%s missing", fp);
  }
  cb_stimulus_set_destroy(&s);
}
END_TEST

/* One set holds one modality: its files' kind (sounds by suffix, any case) or a declaration they must agree with. */
START_TEST(test_modality) {
  make_tmpdir();
  cb_stimulus_set *s = NULL;
  ck_assert_int_eq(cb_stimulus_set_read(put("img.csv", "stimulus_id,filename\na,a.png\nb,b.JPG\n"), &s), CB_OK);
  ck_assert_int_eq(cb_stimulus_set_modality(s), CB_MODALITY_VISUAL);
  ck_assert_int_eq(cb_stimulus_set_declare(s, CB_MODALITY_UNSET, "x"), CB_OK);
  ck_assert_int_eq(cb_stimulus_set_declare(s, CB_MODALITY_AUDIO, "suite.ini: [dataset d] modality"), CB_ERR_FORMAT);
  ck_assert_ptr_nonnull(strstr(cb_error_message(), "suite.ini: [dataset d] modality: declared audio, but stimulus 'a'"));
  ck_assert_int_eq(cb_stimulus_set_modality(s), CB_MODALITY_VISUAL); /* a refused declaration changes nothing */
  ck_assert_int_eq(cb_stimulus_set_declare(s, CB_MODALITY_VISUAL, "x"), CB_OK);
  cb_stimulus_set_destroy(&s);
  ck_assert_int_eq(cb_stimulus_set_read(put("snd.csv", "stimulus_id,filename\na,a.wav\nb,b.FLAC\nc,c.aiff\n"), &s),
                   CB_OK);
  ck_assert_int_eq(cb_stimulus_set_modality(s), CB_MODALITY_AUDIO);
  cb_stimulus_set_destroy(&s);
  expect_error("mixed.csv", "stimulus_id,filename\na,a.wav\nb,b.wav\nc,c.png\n", CB_ERR_FORMAT,
               "mixed.csv:4: 'c.png' is an image but the rows above are sounds: a stimulus set holds one modality");
  /* A set built in memory has no modality until declared; it reads as the kind of its first file. */
  ck_assert_int_eq(cb_stimulus_set_create(1, 0, NULL, &s), CB_OK);
  s->stimulus_id[0] = strdup("a");
  s->filename[0] = strdup("a.ogg");
  ck_assert_int_eq(s->modality, CB_MODALITY_UNSET);
  ck_assert_int_eq(cb_stimulus_set_modality(s), CB_MODALITY_AUDIO);
  cb_stimulus_set_destroy(&s);
}
END_TEST

int main(void) {
  Suite *s = suite_create("io_stimuli");
  TCase *tc = tcase_create("stimuli");
  tcase_add_checked_fixture(tc, NULL, rm_tmpdir);
  tcase_add_test(tc, test_parse_quotes_and_meta);
  tcase_add_test(tc, test_legacy_image_id);
  tcase_add_test(tc, test_errors);
  tcase_add_test(tc, test_header_only_is_an_error);
  tcase_add_test(tc, test_write_read_roundtrip);
  tcase_add_test(tc, test_real_kriegeskorte_csv);
  tcase_add_test(tc, test_modality);
  suite_add_tcase(s, tc);
  return cb_test_run(s);
}

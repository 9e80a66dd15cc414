/* Unit tests for dataset manifests (src/io/cb_manifest.c) and the manifests
 * committed in datasets/. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cb_fs.h"
#include "cb_manifest.h"
#include "cb_strbuf.h"
#include "cb_test_main.h"

static char dir[64];

static void setup(void) {
  snprintf(dir, sizeof dir, "/tmp/cb_test_manifest.XXXXXX");
  ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void teardown(void) {
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
  ck_assert_int_eq(system(cmd), 0);
}

static const char *write_ini(const char *name, const char *text) {
  static char path[256];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  ck_assert_int_eq(cb_file_write_atomic(path, text, strlen(text)), CB_OK);
  return path;
}

#define SHA_A "4008dbbf31a47d9b1b8d8da609f4a7a3433c7071f0e45c611c220b217dd75b76"
#define HEAD "[dataset]\nid = toy\ntitle = Toy\nlicense = MIT\ncitation = Someone (2020).\n  Second line.\n"

START_TEST(test_parse_good) {
  const char *text = HEAD "source = here\nbase_url = https://up.example/c0ffee/\nverified = true\n"
                          "[stimulus_set toy.images]\ncsv = s.csv\nfrom = a.npy\n"
                          "[assembly toy.V4]\nfrom = a.npy, s.csv\nstimulus_set = toy.images\nrecipe = one\n  two\n"
                          "[file]\nname = a.npy\nurl = data/a.npy\nsize = 10\nsha256 = " SHA_A "\norigin = upstream\n"
                          "[file]\nname = s.csv\nsize = 3\nsha1 = A9993E364706816ABA3E25717850C26C9CD0D89D\n"
                          "origin = conversion\nnote = made here\n"
                          "[file]\nname = sub/x.wav\nurl = http://other.example/x.wav\nsize = 0\nsha256 = " SHA_A
                          "\norigin = upstream\n";
  cb_manifest *m = NULL;
  ck_assert_msg(cb_manifest_load(write_ini("toy.ini", text), &m) == CB_OK, "%s", cb_error_message());
  ck_assert_str_eq(m->id, "toy");
  ck_assert_str_eq(m->citation, "Someone (2020). Second line.");
  ck_assert_int_eq(m->verified, 1);
  ck_assert_int_eq(m->n_files, 3);
  ck_assert_str_eq(m->files[0].url, "https://up.example/c0ffee/data/a.npy"); /* base_url + relative */
  ck_assert_int_eq(m->files[0].size, 10);
  ck_assert_int_eq(m->files[0].hash, CB_HASH_SHA256);
  ck_assert_ptr_null(m->files[1].url);
  ck_assert_int_eq(m->files[1].hash, CB_HASH_SHA1);
  ck_assert_str_eq(m->files[1].digest, "a9993e364706816aba3e25717850c26c9cd0d89d"); /* lower-cased */
  ck_assert_str_eq(m->files[2].url, "http://other.example/x.wav");                /* absolute kept */
  ck_assert_int_eq(cb_manifest_total_size(m), 13);
  ck_assert_ptr_nonnull(cb_manifest_file_find(m, "sub/x.wav"));
  ck_assert_ptr_null(cb_manifest_file_find(m, "x.wav"));
  ck_assert_int_eq(m->n_recipes, 2);
  ck_assert_str_eq(m->recipes[1].kind, "assembly");
  ck_assert_str_eq(m->recipes[1].id, "toy.V4");
  ck_assert_str_eq(cb_manifest_recipe_get(&m->recipes[1], "recipe"), "one two");
  ck_assert_ptr_null(cb_manifest_recipe_get(&m->recipes[1], "zip"));
  cb_manifest_destroy(&m);
  ck_assert_ptr_null(m);
  cb_manifest_destroy(&m);
}
END_TEST

#define FILE_OK "[file]\nname = a.npy\nurl = https://x/a.npy\nsize = 10\nsha256 = " SHA_A "\norigin = upstream\n"

/* Each broken manifest fails with CB_ERR_CONFIG and a message containing `want`. */
START_TEST(test_errors) {
  static const struct {
    const char *text, *want;
  } cases[] = {
      {HEAD "verified = true\nfoo = 1\n" FILE_OK, "unknown key 'foo'"},
      {HEAD "verified = true\n[weird]\nx = 1\n" FILE_OK, "unknown section [weird]"},
      {HEAD "verified = yes\n" FILE_OK, "expected true or false"},
      {HEAD "verified = true\n" FILE_OK "color = red\n", "unknown key 'color'"},
      {HEAD "verified = true\n[file]\nname = a.npy\nurl = https://x/a\nsize = 10\nsha256 = abc\norigin = upstream\n",
       "expected 64 hex digits"},
      {HEAD "verified = true\n[file]\nname = a.npy\nurl = https://x/a\nsha256 = " SHA_A "\norigin = upstream\n",
       "missing size"},
      {HEAD "verified = true\n[file]\nname = a.npy\nurl = https://x/a\nsize = -4\nsha256 = " SHA_A "\norigin = upstream\n",
       "expected a byte count"},
      {HEAD "verified = true\n[file]\nname = a.npy\nsize = 10\nsha256 = " SHA_A "\norigin = upstream\n", "needs a url"},
      {HEAD "verified = true\n[file]\nname = a.npy\nurl = a.npy\nsize = 10\nsha256 = " SHA_A "\norigin = upstream\n",
       "without [dataset] base_url"},
      {HEAD "verified = true\n[file]\nname = a.npy\nurl = https://x/a\nsize = 10\nsha256 = " SHA_A "\norigin = mine\n",
       "expected upstream or conversion"},
      {HEAD "verified = true\n[file]\nname = a.npy\nurl = https://x/a\nsize = 10\nsha256 = " SHA_A "\n", "missing origin"},
      {HEAD "verified = true\n[file]\nname = a.npy\nurl = https://x/a\nsize = 10\norigin = upstream\n", "missing sha256"},
      {HEAD "verified = true\n[file]\nname = a.npy\nsize = 10\nsha256 = " SHA_A "\nsha1 = " SHA_A "\n", "not two"},
      {HEAD "verified = true\n[file]\nname = ../etc/passwd\nsize = 1\n", "unsafe file name"},
      {HEAD "verified = true\n[file]\nname = /abs\nsize = 1\n", "unsafe file name"},
      {HEAD "verified = true\n" FILE_OK "[file]\nname = b\nsize = 1\n" FILE_OK, "file 'a.npy' listed twice"},
      {HEAD "verified = true\n" FILE_OK "size = 11\n", "'size' given twice"},
      {HEAD "verified = true\n" FILE_OK "[assembly x.y]\nfrom = a.npy, missing.csv\n", "'missing.csv' is not listed"},
      {HEAD "verified = true\n" FILE_OK "[assembly x.y]\nstimulus_set = none\n", "no [stimulus_set none]"},
      {HEAD "verified = true\n" FILE_OK "[assembly x.y]\nwhat = 1\n", "unknown key 'what'"},
      {HEAD "verified = true\n", "no [file] section"},
      {HEAD "verified = true\n[file]\nurl = https://x/a\nname = a\n", "the first key must be name"},
      {HEAD "verified = true\n" FILE_OK "[assembly a.very.long.identifier.that.libinih.would.cut]\nkind = x\n",
       "longer than 48 characters"},
      {"[dataset]\nid = other\ntitle = T\nlicense = L\ncitation = C\nverified = true\n" FILE_OK,
       "does not match the file name"},
      {"[dataset]\nid = toy\nlicense = L\ncitation = C\nverified = true\n" FILE_OK, "missing [dataset] title"},
      {"[dataset]\nid = toy\ntitle = T\nlicense = L\ncitation = C\n" FILE_OK, "missing [dataset] verified"},
      {HEAD "verified = true\n[file]\nname = a.npy\nurl = https://x/"
            "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
            "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n"
            "size = 10\nsha256 = " SHA_A "\norigin = upstream\n",
       "longer than 199"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; ++i) {
    cb_manifest *m = NULL;
    cb_status st = cb_manifest_load(write_ini("toy.ini", cases[i].text), &m);
    ck_assert_msg(st == CB_ERR_CONFIG, "case %zu: status %d (%s)", i, st, cb_error_message());
    ck_assert_msg(strstr(cb_error_message(), cases[i].want) != NULL, "case %zu: '%s' lacks '%s'", i,
                  cb_error_message(), cases[i].want);
    ck_assert_msg(strstr(cb_error_message(), "toy.ini") != NULL, "case %zu: no file name in '%s'", i,
                  cb_error_message());
    ck_assert_ptr_null(m);
  }
  cb_manifest *m = NULL;
  ck_assert_int_eq(cb_manifest_load("/nonexistent/toy.ini", &m), CB_ERR_IO);
}
END_TEST

START_TEST(test_names) {
  const char *good[] = {"a", "a.b", "wav/stim1_x.wav", "x+y-z_0.9", "a/b/c"};
  const char *bad[] = {"", "/a", "a/", "a//b", "..", "a/../b", ".", "./a", "a b", "a\\b", "é"};
  for (size_t i = 0; i < sizeof good / sizeof *good; ++i) ck_assert_msg(cb_manifest_name_ok(good[i]), "%s", good[i]);
  for (size_t i = 0; i < sizeof bad / sizeof *bad; ++i) ck_assert_msg(!cb_manifest_name_ok(bad[i]), "%s", bad[i]);
}
END_TEST

START_TEST(test_list_and_open) {
  write_ini("b.ini", "x");
  write_ini("a.ini", "x");
  write_ini("notes.txt", "x");
  char **ids = NULL;
  int n = 0;
  ck_assert_int_eq(cb_manifest_list(dir, &ids, &n), CB_OK);
  ck_assert_int_eq(n, 2);
  ck_assert_str_eq(ids[0], "a");
  ck_assert_str_eq(ids[1], "b");
  cb_strlist_free(&ids);
  cb_manifest *m = NULL;
  ck_assert_int_eq(cb_manifest_open(dir, "zzz", &m), CB_ERR_ARG);
  ck_assert_ptr_nonnull(strstr(cb_error_message(), "known: a, b"));
  ck_assert_int_eq(cb_manifest_open(dir, "../x", &m), CB_ERR_ARG);
  char out[CB_PATH_MAX];
  ck_assert_int_eq(cb_manifest_dir("/given", out, sizeof out), CB_OK);
  ck_assert_str_eq(out, "/given");
  setenv("CORTEXBENCH_MANIFESTS", "/from/env", 1);
  ck_assert_int_eq(cb_manifest_dir(NULL, out, sizeof out), CB_OK);
  ck_assert_str_eq(out, "/from/env");
  unsetenv("CORTEXBENCH_MANIFESTS");
  ck_assert_int_eq(cb_manifest_dir(NULL, out, sizeof out), CB_OK);
  ck_assert_ptr_nonnull(strstr(out, "/../../datasets"));
}
END_TEST

/* The committed manifests load, and carry what the issue asks for. */
START_TEST(test_repo_manifests) {
  static const struct {
    const char *id;
    int files, upstream, verified, sha1, recipes;
  } want[] = {
      {"cowley2023_v4", 6, 2, 1, 0, 2},    {"freemanziemba2013", 3, 3, 0, 1, 2}, {"kriegeskorte2008", 96, 3, 1, 0, 2},
      {"majajhong2015", 3, 3, 0, 1, 2},    {"models", 1, 0, 1, 0, 0},            {"normanhaignere2015", 168, 167, 1, 0, 2},
      {"onnx_zoo_squeezenet1_1", 1, 1, 0, 0, 0}, /* model files: no recipes */
  };
  char **ids = NULL;
  int n = 0;
  ck_assert_int_eq(cb_manifest_list("datasets", &ids, &n), CB_OK);
  ck_assert_int_eq(n, 7);
  for (int i = 0; i < n; ++i) {
    ck_assert_str_eq(ids[i], want[i].id);
    cb_manifest *m = NULL;
    ck_assert_msg(cb_manifest_open("datasets", ids[i], &m) == CB_OK, "%s", cb_error_message());
    ck_assert_int_eq(m->n_files, want[i].files);
    ck_assert_int_eq(m->verified, want[i].verified);
    ck_assert_int_ge(m->n_recipes, want[i].recipes);
    int up = 0;
    for (int k = 0; k < m->n_files; ++k) {
      const cb_manifest_file *f = &m->files[k];
      up += !strcmp(f->origin, "upstream");
      ck_assert_int_eq(f->hash, want[i].sha1 ? CB_HASH_SHA1 : CB_HASH_SHA256);
      if (f->url) ck_assert_msg(!strncmp(f->url, "https://", 8), "%s", f->url);
    }
    ck_assert_int_eq(up, want[i].upstream);
    cb_manifest_destroy(&m);
  }
  cb_strlist_free(&ids);

  cb_manifest *m = NULL;
  ck_assert_int_eq(cb_manifest_open("datasets", "cowley2023_v4", &m), CB_OK);
  const cb_manifest_file *f = cb_manifest_file_find(m, "responses_210325.npy");
  ck_assert_ptr_nonnull(f);
  ck_assert_str_eq(f->url, "https://raw.githubusercontent.com/cowleygroup/V4_compact_models/"
                           "f4552ad9d34a466ebc66658f72a08a8e5038f1cf/data_V4_responses/responses_raw/"
                           "responses_210325.npy");
  ck_assert_int_eq(f->size, 2560128);
  ck_assert_str_eq(f->digest, "4008dbbf31a47d9b1b8d8da609f4a7a3433c7071f0e45c611c220b217dd75b76");
  cb_manifest_destroy(&m);
  ck_assert_int_eq(cb_manifest_open("datasets", "majajhong2015", &m), CB_OK);
  f = cb_manifest_file_find(m, "assy_dicarlo_MajajHong2015_public.nc");
  ck_assert_ptr_nonnull(f);
  ck_assert_str_eq(f->digest, "13d28ca0ce88ee550b54db3004374ae19096e9b9");
  ck_assert_int_eq(f->size, -1);
  cb_manifest_destroy(&m);
}
END_TEST

/* Every file of the verified manifests is in ../shared/data with its size
 * (the mirror layout <dir>/<id>/<name>). Skipped when the data is absent. */
START_TEST(test_shared_data_layout) {
  if (!cb_path_is_dir("../shared/data")) {
    printf("skip: ../shared/data absent\n");
    return;
  }
  const char *ids[] = {"cowley2023_v4", "kriegeskorte2008", "normanhaignere2015"};
  for (int i = 0; i < 3; ++i) {
    cb_manifest *m = NULL;
    ck_assert_int_eq(cb_manifest_open("datasets", ids[i], &m), CB_OK);
    for (int k = 0; k < m->n_files; ++k) {
      char path[CB_PATH_MAX];
      snprintf(path, sizeof path, "../shared/data/%s/%s", ids[i], m->files[k].name);
      struct stat st;
      ck_assert_msg(stat(path, &st) == 0, "%s missing", path);
      ck_assert_int_eq((int64_t)st.st_size, m->files[k].size);
    }
    cb_manifest_destroy(&m);
  }
}
END_TEST

static Suite *suite(void) {
  Suite *s = suite_create("manifest");
  TCase *tc = tcase_create("core");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, test_parse_good);
  tcase_add_test(tc, test_errors);
  tcase_add_test(tc, test_names);
  tcase_add_test(tc, test_list_and_open);
  tcase_add_test(tc, test_repo_manifests);
  tcase_add_test(tc, test_shared_data_layout);
  suite_add_tcase(s, tc);
  return s;
}

int main(void) {
  return cb_test_run(suite());
}

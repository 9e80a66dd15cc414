/* Unit tests for the suite configuration reader (src/io/cb_config.c). */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cb_config.h"
#include "cb_fs.h"
#include "cb_test_main.h"

static char dir[64];

static void setup(void) {
  snprintf(dir, sizeof dir, "/tmp/cb_test_config.XXXXXX");
  ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void teardown(void) {
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
  ck_assert_int_eq(system(cmd), 0);
}

/* Writes `text` to DIR/name and returns the path (static buffer). */
static const char *write_cfg(const char *name, const char *text) {
  static char path[256];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  ck_assert_int_eq(cb_file_write_atomic(path, text, strlen(text)), CB_OK);
  return path;
}

static const char *GOOD =
    "; comment\n"
    "[suite]\nname = my-suite\nseed = 5\nbatch = 8\n"
    "[dataset gen]\ngenerator = gratings-v1\n"
    "[dataset files]\nstimuli = data/s.csv\nassembly = /abs/a.nc\nstimulus_degrees = 8\nseed = 9\n"
    "[model pixels]\n"
    "[model cnn]\nzoo = tinycnn\nlayers = features.2, features.5\nseed = 3\n"
    "[benchmark b1]\ndataset = gen\nregion = V1\nstratify = orientation\ntime_bin = 70:170\n"
    "splits = 4\ntrain_fraction = 0.8\ncomponents = 10\nceiling = none\nnormalise = r/c\n"
    "[benchmark b2]\ndataset = files\n"
    "[benchmark b3]\ndataset = gen\nmetric = ridgecv\nalphas = 0.1, 1,10\nalpha_per_target = true\nsplit = kfold\n"
    "group = movie_id\n"
    "bootstrap = 50\nci_level = 0.9\n"
    "[benchmark b4]\ndataset = gen\nmetric = rdm\ndistance = euclidean\ncompare = kendall\n";

START_TEST(test_parse_good) {
  cb_config *c = NULL;
  const char *path = write_cfg("good.ini", GOOD);
  ck_assert_msg(cb_config_read(path, &c) == CB_OK, "%s", cb_error_message());
  ck_assert_str_eq(c->suite, "my-suite");
  ck_assert_uint_eq(c->seed, 5);
  ck_assert_int_eq(c->batch, 8);
  ck_assert_int_eq(c->n_datasets, 2);
  ck_assert_str_eq(c->datasets[0].generator, "gratings-v1");
  ck_assert_uint_eq(c->datasets[0].seed, 5); /* inherits the suite seed */
  ck_assert(isnan(c->datasets[0].stimulus_degrees));
  char expect[300];
  snprintf(expect, sizeof expect, "%s/data/s.csv", dir); /* relative to the config */
  ck_assert_str_eq(c->datasets[1].stimuli, expect);
  ck_assert_str_eq(c->datasets[1].assembly, "/abs/a.nc");
  ck_assert_uint_eq(c->datasets[1].seed, 9);
  ck_assert_double_eq(c->datasets[1].stimulus_degrees, 8.0);
  ck_assert_int_eq(c->n_models, 2);
  ck_assert_str_eq(c->models[0].name, "pixels"); /* a section without keys still counts */
  ck_assert_str_eq(c->models[0].zoo, "pixels");
  ck_assert_int_eq(c->models[0].n_layers, 0);
  ck_assert_str_eq(c->models[1].zoo, "tinycnn");
  ck_assert_int_eq(c->models[1].n_layers, 2);
  ck_assert_str_eq(c->models[1].layers[1], "features.5");
  ck_assert_uint_eq(c->models[1].seed, 3);
  ck_assert_int_eq(c->n_benchmarks, 4);
  const cb_cfg_benchmark *b3 = &c->benchmarks[2];
  ck_assert_str_eq(b3->metric, "ridgecv");
  ck_assert_int_eq(b3->n_alphas, 3);
  ck_assert_double_eq(b3->alphas[2], 10.0);
  ck_assert_int_eq(b3->alpha_per_target, 1);
  ck_assert_str_eq(b3->split, "kfold");
  ck_assert_str_eq(b3->group, "movie_id");
  ck_assert_int_eq(b3->bootstrap, 50);
  ck_assert_double_eq(b3->ci_level, 0.9);
  ck_assert_str_eq(c->benchmarks[3].distance, "euclidean");
  ck_assert_str_eq(c->benchmarks[3].compare, "kendall");
  const cb_cfg_benchmark *b = &c->benchmarks[0];
  ck_assert_str_eq(b->region, "V1");
  ck_assert_double_eq(b->t0, 70.0);
  ck_assert_double_eq(b->t1, 170.0);
  ck_assert_int_eq(b->splits, 4);
  ck_assert_double_eq(b->train_fraction, 0.8);
  ck_assert_int_eq(b->components, 10);
  ck_assert_str_eq(b->ceiling, "none");
  ck_assert_str_eq(b->normalise, "r/c");
  b = &c->benchmarks[1]; /* defaults */
  ck_assert_str_eq(b->metric, "pls");
  ck_assert_str_eq(b->ceiling, "internal");
  ck_assert_ptr_null(b->normalise); /* the metric's default */
  ck_assert_str_eq(b->split, "stratified");
  ck_assert_ptr_null(b->group); /* ungrouped */
  ck_assert_double_eq(b->alpha, 1.0);
  ck_assert_int_eq(b->n_alphas, 0);
  ck_assert_int_eq(b->bootstrap, 0);
  ck_assert_int_eq(b->splits, 10);
  ck_assert_int_eq(b->components, 25);
  ck_assert(isnan(b->train_fraction)); /* the metric's default (cb_bench_params_resolve) */
  ck_assert_uint_eq(b->seed, 5);
  ck_assert(isnan(b->t0));
  ck_assert_ptr_eq(cb_config_dataset(c, "files"), &c->datasets[1]);
  ck_assert_ptr_null(cb_config_dataset(c, "nope"));
  cb_config_destroy(&c);
  ck_assert_ptr_null(c);
  cb_config_destroy(&c);
}
END_TEST

/* Each bad config: the message must name the file and contain `needle`. */
static void expect_error(const char *text, const char *needle) {
  cb_config *c = NULL;
  const char *path = write_cfg("bad.ini", text);
  cb_status st = cb_config_read(path, &c);
  ck_assert_msg(st != CB_OK, "accepted: %s", text);
  ck_assert_ptr_null(c);
  ck_assert_msg(strstr(cb_error_message(), path) != NULL, "no file name in: %s", cb_error_message());
  ck_assert_msg(strstr(cb_error_message(), needle) != NULL, "'%s' not in: %s", needle, cb_error_message());
  ck_assert_ptr_null(strchr(cb_error_message(), '\n'));
}

START_TEST(test_errors) {
  const char *tail = "[model m]\n[dataset d]\ngenerator = g\n[benchmark b]\ndataset = d\n";
  char buf[1024];
  snprintf(buf, sizeof buf, "[suite]\ncolour = red\n%s", tail);
  expect_error(buf, "[suite] unknown key 'colour'");
  snprintf(buf, sizeof buf, "%s[model x]\nlayer = a\n", tail);
  expect_error(buf, "[model x] unknown key 'layer'");
  snprintf(buf, sizeof buf, "%s[widget w]\na = 1\n", tail);
  expect_error(buf, "unknown section [widget w]");
  snprintf(buf, sizeof buf, "%s[benchmark c]\ndataset = d\nsplits = ten\n", tail);
  expect_error(buf, "[benchmark c] key 'splits': expected an integer");
  snprintf(buf, sizeof buf, "%s[benchmark c]\ndataset = d\ntrain_fraction = 1.5\n", tail);
  expect_error(buf, "key 'train_fraction'");
  /* metric = magic: io keeps the name; bench checks it through the metric table (test_metric_defaults.c) */
  snprintf(buf, sizeof buf, "%s[benchmark c]\ndataset = d\nalphas = 1,x\n", tail);
  expect_error(buf, "key 'alphas'");
  snprintf(buf, sizeof buf, "%s[benchmark c]\ndataset = d\nsplit = loo\n", tail);
  expect_error(buf, "key 'split'");
  snprintf(buf, sizeof buf, "%s[benchmark c]\ndataset = d\ngroup =\n", tail);
  expect_error(buf, "[benchmark c] key 'group'");
  snprintf(buf, sizeof buf, "%s[benchmark c]\ndataset = d\nmetric = rdm\nsplit = all\ngroup = movie_id\n", tail);
  expect_error(buf, "[benchmark c] key 'group': split 'all' has no training stimuli");
  snprintf(buf, sizeof buf, "%s[benchmark c]\ndataset = d\nalpha_per_target = maybe\n", tail);
  expect_error(buf, "key 'alpha_per_target'");
  snprintf(buf, sizeof buf, "%s[benchmark c]\ndataset = d\ntime_bin = 170:70\n", tail);
  expect_error(buf, "key 'time_bin'");
  snprintf(buf, sizeof buf, "%s[benchmark c]\ndataset = missing\n", tail);
  expect_error(buf, "no [dataset missing] section");
  snprintf(buf, sizeof buf, "%s[benchmark c]\nregion = V1\n", tail);
  expect_error(buf, "[benchmark c] missing key 'dataset'");
  snprintf(buf, sizeof buf, "%s[model m]\n", tail);
  expect_error(buf, "section [model m] appears twice");
  snprintf(buf, sizeof buf, "%s[dataset e]\nstimuli = s.csv\n", tail);
  expect_error(buf, "[dataset e] missing key 'assembly'");
  snprintf(buf, sizeof buf, "%s[dataset e]\ngenerator = g\nassembly = a.nc\n", tail);
  expect_error(buf, "not both");
  expect_error("[suite]\nname = x\n[dataset d]\ngenerator = g\n[benchmark b]\ndataset = d\n", "no [model NAME] section");
  expect_error("[model m]\n", "no [benchmark ID] section");
  expect_error("just words\n", "syntax error");
  expect_error("", "empty configuration file");
  snprintf(buf, sizeof buf, "[suite]\nseed = -1\n%s", tail);
  expect_error(buf, "key 'seed'");
  snprintf(buf, sizeof buf, "%s[model bad/name]\n", tail);
  expect_error(buf, "may only hold");
  cb_config *c = NULL;
  ck_assert_int_eq(cb_config_read("/nonexistent/dir/x.ini", &c), CB_ERR_IO);
  ck_assert_ptr_nonnull(strstr(cb_error_message(), "/nonexistent/dir/x.ini"));
}
END_TEST

START_TEST(test_time_bin) {
  double a, b;
  ck_assert_int_eq(cb_parse_time_bin("70:170", &a, &b), CB_OK);
  ck_assert_double_eq(a, 70);
  ck_assert_double_eq(b, 170);
  ck_assert_int_eq(cb_parse_time_bin("-50.5:0", &a, &b), CB_OK);
  ck_assert_double_eq(a, -50.5);
  ck_assert_int_ne(cb_parse_time_bin("70", &a, &b), CB_OK);
  ck_assert_int_ne(cb_parse_time_bin("x:1", &a, &b), CB_OK);
  ck_assert_int_ne(cb_parse_time_bin("5:5", &a, &b), CB_OK);
}
END_TEST

/* Fingerprint of `text` written to DIR/name. */
static void fingerprint(const char *name, const char *text, char out[CB_CONFIG_FINGERPRINT_HEX]) {
  ck_assert_int_eq(cb_config_fingerprint(write_cfg(name, text), out), CB_OK);
  ck_assert_int_eq((int)strlen(out), 64);
}

START_TEST(test_fingerprint) {
  char a[CB_CONFIG_FINGERPRINT_HEX], b[CB_CONFIG_FINGERPRINT_HEX];
  fingerprint("a.ini", GOOD, a);
  /* The same configuration written differently, under another name, with
   * other [suite] batch and compression (results do not depend on them). */
  fingerprint("b.ini",
              "# another comment\n\n"
              "[suite]\nname=my-suite   ; inline\nseed =   5\nbatch = 64\ncompression = 4\n"
              "[dataset gen]\ngenerator = gratings-v1\n"
              "[dataset files]\nstimuli = data/s.csv\nassembly = /abs/a.nc\nstimulus_degrees = 8\nseed = 9\n"
              "[model pixels]\n\n"
              "[model cnn]\nzoo = tinycnn\nlayers = features.2, features.5\nseed = 3\n"
              "[benchmark b1]\ndataset = gen\nregion = V1\nstratify = orientation\ntime_bin = 70:170\n"
              "splits = 4\ntrain_fraction = 0.8\ncomponents = 10\nceiling = none\nnormalise = r/c\n"
              "[benchmark b2]\ndataset = files\n"
              "[benchmark b3]\ndataset = gen\nmetric = ridgecv\nalphas = 0.1, 1,10\nalpha_per_target = true\n"
              "split = kfold\ngroup = movie_id\nbootstrap = 50\nci_level = 0.9\n"
              "[benchmark b4]\ndataset = gen\nmetric = rdm\ndistance = euclidean\ncompare = kendall\n",
              b);
  ck_assert_str_eq(a, b);
  cb_config *c = NULL; /* (and it is a valid configuration) */
  ck_assert_int_eq(cb_config_read(write_cfg("b2.ini", "[suite]\nbatch = 64\ncompression = 4\n[dataset d]\ngenerator = g\n"
                                            "[model m]\n[benchmark b]\ndataset = d\n"), &c), CB_OK);
  cb_config_destroy(&c);
  /* Any value that decides results changes it; so does a section without keys. */
  const char *changes[][2] = {{"components = 10", "components = 11"}, {"seed = 5", "seed = 6"},
                              {"[model pixels]\n", ""},            {"layers = features.2, features.5", "layers = features.2"},
                              {"data/s.csv", "data/t.csv"},         {"region = V1", "region = V2"}};
  for (size_t i = 0; i < sizeof changes / sizeof *changes; ++i) {
    char text[2048];
    const char *at = strstr(GOOD, changes[i][0]);
    ck_assert_ptr_nonnull(at);
    snprintf(text, sizeof text, "%.*s%s%s", (int)(at - GOOD), GOOD, changes[i][1], at + strlen(changes[i][0]));
    fingerprint("c.ini", text, b);
    ck_assert_msg(strcmp(a, b) != 0, "'%s' -> '%s' kept the fingerprint", changes[i][0], changes[i][1]);
  }
  ck_assert_int_eq(cb_config_fingerprint("/nonexistent/x.ini", b), CB_ERR_IO);
}
END_TEST

int main(void) {
  Suite *s = suite_create("config");
  TCase *tc = tcase_create("config");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, test_parse_good);
  tcase_add_test(tc, test_errors);
  tcase_add_test(tc, test_time_bin);
  tcase_add_test(tc, test_fingerprint);
  suite_add_tcase(s, tc);
  return cb_test_run(s);
}

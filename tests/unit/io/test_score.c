/* Unit tests for src/io/cb_score: score JSON round trip and errors. */
#include <check.h>
#include <ftw.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_fs.h"
#include "cb_score.h"
#include "cb_status.h"

#define CB_TEST_TMP_NAME "score"
#include "../cb_test_tmpdir.h"
#include "cb_test_main.h"

static int same_bits(double a, double b) { return memcmp(&a, &b, sizeof a) == 0; }

START_TEST(test_roundtrip_bit_exact) {
  make_tmpdir();
  double splits[5] = {0.1, 1.0 / 3.0, -2.5e-300, 6.02214076e23, nextafter(1.0, 2.0)};
  cb_score s = {.raw = 0.4123456789012345, .ceiling = 0.8 + 1e-16, .score = 0.4123456789012345 / 0.8000000000000002,
                .error = 3.0e-17, .n_splits = 5, .per_split = splits, .seed = 18446744073709551615ULL};
  snprintf(s.model, sizeof s.model, "alexnet");
  snprintf(s.layer, sizeof s.layer, "features.\"12\"\\relu");
  snprintf(s.benchmark, sizeof s.benchmark, "kriegeskorte2008.IT-rdm");
  snprintf(s.metric, sizeof s.metric, "rdm");
  char path[512];
  snprintf(path, sizeof path, "%s/scores/a/score.json", tmpdir);
  ck_assert_int_eq(cb_score_write_json(path, &s), CB_OK);

  cb_score r;
  memset(&r, 0, sizeof r);
  ck_assert_msg(cb_score_read_json(path, &r) == CB_OK, "%s", cb_error_message());
  ck_assert_str_eq(r.model, s.model);
  ck_assert_str_eq(r.layer, s.layer);
  ck_assert_str_eq(r.benchmark, s.benchmark);
  ck_assert_str_eq(r.metric, s.metric);
  ck_assert(same_bits(r.raw, s.raw));
  ck_assert(same_bits(r.ceiling, s.ceiling));
  ck_assert(same_bits(r.score, s.score));
  ck_assert(same_bits(r.error, s.error));
  ck_assert_int_eq(r.n_splits, 5);
  for (int i = 0; i < 5; ++i) ck_assert(same_bits(r.per_split[i], splits[i]));
  ck_assert(r.seed == s.seed);
  cb_score_free(&r);
  ck_assert_ptr_null(r.per_split);
  cb_score_free(&r);
  cb_score_free(NULL);

  /* Key order and deterministic output. */
  char *text = NULL;
  ck_assert_int_eq(cb_file_read_all(path, &text, NULL), CB_OK);
  const char *keys[] = {"\"model\"", "\"layer\"", "\"benchmark\"", "\"metric\"", "\"raw\"", "\"ceiling\"",
                        "\"score\"", "\"error\"", "\"n_splits\"", "\"per_split\"", "\"seed\""};
  const char *prev = text;
  for (size_t k = 0; k < sizeof keys / sizeof *keys; ++k) {
    const char *at = strstr(text, keys[k]);
    ck_assert_msg(at && at >= prev, "key %s out of order", keys[k]);
    prev = at;
  }
  char path2[512];
  snprintf(path2, sizeof path2, "%s/score2.json", tmpdir);
  ck_assert_int_eq(cb_score_write_json(path2, &s), CB_OK);
  char *text2 = NULL;
  ck_assert_int_eq(cb_file_read_all(path2, &text2, NULL), CB_OK);
  ck_assert_str_eq(text, text2);
  free(text);
  free(text2);

  /* Small seeds are plain integers. */
  s.seed = 42;
  ck_assert_int_eq(cb_score_write_json(path2, &s), CB_OK);
  ck_assert_int_eq(cb_file_read_all(path2, &text2, NULL), CB_OK);
  ck_assert_ptr_nonnull(strstr(text2, "\"seed\": 42"));
  free(text2);
}
END_TEST

START_TEST(test_nan_is_null) {
  make_tmpdir();
  double splits[3] = {NAN, 0.5, NAN};
  cb_score s = {.raw = NAN, .ceiling = 0.7, .score = NAN, .error = NAN, .n_splits = 3, .per_split = splits, .seed = 0};
  snprintf(s.model, sizeof s.model, "m");
  char path[512];
  snprintf(path, sizeof path, "%s/nan.json", tmpdir);
  ck_assert_int_eq(cb_score_write_json(path, &s), CB_OK);
  char *text = NULL;
  ck_assert_int_eq(cb_file_read_all(path, &text, NULL), CB_OK);
  ck_assert_ptr_nonnull(strstr(text, "\"raw\": null"));
  ck_assert_ptr_null(strstr(text, "nan"));
  ck_assert_ptr_null(strstr(text, "NaN"));
  free(text);
  cb_score r;
  ck_assert_int_eq(cb_score_read_json(path, &r), CB_OK);
  ck_assert(isnan(r.raw) && isnan(r.score) && isnan(r.error));
  ck_assert(r.ceiling == 0.7);
  ck_assert(isnan(r.per_split[0]) && r.per_split[1] == 0.5 && isnan(r.per_split[2]));
  ck_assert_str_eq(r.layer, "");
  cb_score_free(&r);

  /* Zero splits. */
  s.n_splits = 0;
  s.per_split = NULL;
  ck_assert_int_eq(cb_score_write_json(path, &s), CB_OK);
  ck_assert_int_eq(cb_score_read_json(path, &r), CB_OK);
  ck_assert_int_eq(r.n_splits, 0);
  cb_score_free(&r);
}
END_TEST

START_TEST(test_bootstrap_fields) {
  make_tmpdir();
  double splits[1] = {0.25};
  cb_score s = {.raw = 0.5, .ceiling = 0.8, .score = 0.3125, .error = 0.01, .n_splits = 1, .per_split = splits,
                .seed = 4};
  char path[512];
  snprintf(path, sizeof path, "%s/boot.json", tmpdir);
  /* Without a bootstrap the optional keys are absent. */
  ck_assert_int_eq(cb_score_write_json(path, &s), CB_OK);
  char *text = NULL;
  ck_assert_int_eq(cb_file_read_all(path, &text, NULL), CB_OK);
  ck_assert_ptr_null(strstr(text, "ci_low"));
  free(text);
  s.n_bootstrap = 200;
  s.ci_low = 0.21;
  s.ci_high = 0.4000000000000001;
  s.ci_level = 0.95;
  ck_assert_int_eq(cb_score_write_json(path, &s), CB_OK);
  cb_score r;
  ck_assert_int_eq(cb_score_read_json(path, &r), CB_OK);
  ck_assert_int_eq(r.n_bootstrap, 200);
  ck_assert(same_bits(r.ci_low, 0.21) && same_bits(r.ci_high, 0.4000000000000001) && r.ci_level == 0.95);
  cb_score_free(&r);
}
END_TEST

START_TEST(test_group_fields) {
  make_tmpdir();
  double splits[1] = {0.25};
  cb_score s = {.raw = 0.5, .ceiling = 0.8, .score = 0.3125, .error = 0.01, .n_splits = 1, .per_split = splits,
                .seed = 4};
  char path[512], *text = NULL;
  snprintf(path, sizeof path, "%s/group.json", tmpdir);
  /* Ungrouped: no key (files of ungrouped runs unchanged). */
  ck_assert_int_eq(cb_score_write_json(path, &s), CB_OK);
  ck_assert_int_eq(cb_file_read_all(path, &text, NULL), CB_OK);
  ck_assert_ptr_null(strstr(text, "group"));
  free(text);
  snprintf(s.group, sizeof s.group, "movie_id");
  s.n_groups = 20;
  ck_assert_int_eq(cb_score_write_json(path, &s), CB_OK);
  cb_score r;
  ck_assert_int_eq(cb_score_read_json(path, &r), CB_OK);
  ck_assert_str_eq(r.group, "movie_id");
  ck_assert_int_eq(r.n_groups, 20);
  cb_score_free(&r);
  const char *head = "{\"model\": \"m\", \"layer\": \"l\", \"benchmark\": \"b\", \"metric\": \"x\", \"raw\": 1, "
                     "\"ceiling\": 1, \"score\": 1, \"error\": 0, \"n_splits\": 1, \"per_split\": [1], \"seed\": 3, ";
  char buf[1024];
  snprintf(buf, sizeof buf, "%s\"group\": 7, \"n_groups\": 2}", head);
  ck_assert_int_eq(cb_file_write_atomic(path, buf, strlen(buf)), CB_OK);
  ck_assert_int_eq(cb_score_read_json(path, &r), CB_ERR_FORMAT);
  ck_assert_ptr_nonnull(strstr(cb_error_message(), "key 'group'"));
  snprintf(buf, sizeof buf, "%s\"group\": \"movie_id\"}", head);
  ck_assert_int_eq(cb_file_write_atomic(path, buf, strlen(buf)), CB_OK);
  ck_assert_int_eq(cb_score_read_json(path, &r), CB_ERR_FORMAT);
  ck_assert_ptr_nonnull(strstr(cb_error_message(), "key 'n_groups'"));
}
END_TEST

/* The record (identifiers, parameters, per-neuroid values, provenance) round-trips bit-exactly; malformed record
 * keys are errors naming the file and the key. */
START_TEST(test_record_fields) {
  make_tmpdir();
  double splits[2] = {0.25, 0.5};
  cb_score s = {.raw = 0.375, .ceiling = 0.8, .score = 0.17578125, .error = 0.125, .n_splits = 2, .per_split = splits,
                .seed = 1};
  snprintf(s.assembly_identifier, sizeof s.assembly_identifier, "test.V1");
  snprintf(s.stimulus_set_identifier, sizeof s.stimulus_set_identifier, "test");
  snprintf(s.stimulus_set_sha256, sizeof s.stimulus_set_sha256, "%064d", 7);
  snprintf(s.ceiling_method, sizeof s.ceiling_method, "internal");
  snprintf(s.config_fingerprint, sizeof s.config_fingerprint, "%064d", 9);
  cb_score_set_provenance(&s);
  s.parameters = strdup("{\"metric\":\"pls\",\"components\":25,\"stratify\":null}");
  char *ids[3] = {"n0", "n\"1", "n2"};
  const double pn[6] = {0.1, NAN, 1.0 / 3.0, 0.2, 0.3, nextafter(0.4, 1.0)}; /* (2 splits, 3 neuroids) */
  ck_assert_int_eq(cb_score_set_neuroids(&s, ids, 3, pn), CB_OK);
  char path[512];
  snprintf(path, sizeof path, "%s/record.json", tmpdir);
  ck_assert_int_eq(cb_score_write_json(path, &s), CB_OK);
  cb_score r;
  ck_assert_msg(cb_score_read_json(path, &r) == CB_OK, "%s", cb_error_message());
  ck_assert_str_eq(r.assembly_identifier, "test.V1");
  ck_assert_str_eq(r.stimulus_set_identifier, "test");
  ck_assert_str_eq(r.stimulus_set_sha256, s.stimulus_set_sha256);
  ck_assert_str_eq(r.ceiling_method, "internal");
  ck_assert_str_eq(r.config_fingerprint, s.config_fingerprint);
  ck_assert_str_eq(r.version, s.version);
  ck_assert_str_eq(r.git_commit, s.git_commit);
  ck_assert(strlen(r.git_commit) > 0);
  ck_assert_str_eq(r.parameters, s.parameters);
  ck_assert_int_eq(r.n_neuroids, 3);
  int same = 1;
  for (int j = 0; j < 3; ++j) same &= !strcmp(r.neuroid_id[j], ids[j]);
  for (int i = 0; i < 6; ++i) same &= isnan(pn[i]) ? isnan(r.per_neuroid[i]) : same_bits(r.per_neuroid[i], pn[i]);
  ck_assert_msg(same, "per-neuroid values differ after the round trip");
  cb_score_free(&r);
  ck_assert_ptr_null(r.per_neuroid);
  free(s.parameters);
  s.parameters = NULL;
  s.per_split = NULL; /* the stack array: cb_score_free frees the rest (neuroid_id, per_neuroid) */
  cb_score_free(&s);
  ck_assert_ptr_null(s.neuroid_id);
  const char *head = "{\"model\": \"m\", \"layer\": \"l\", \"benchmark\": \"b\", \"metric\": \"x\", \"raw\": 1, "
                     "\"ceiling\": 1, \"score\": 1, \"error\": 0, \"n_splits\": 2, \"per_split\": [1, 1], \"seed\": 3, ";
  const char *bad[][2] = {{"\"neuroid_id\": [\"a\"], \"per_neuroid\": [[1]]}", "per_neuroid"},
                          {"\"neuroid_id\": [\"a\"], \"per_neuroid\": [[1], [1, 2]]}", "row 1"},
                          {"\"parameters\": [1]}", "key 'parameters'"},
                          {"\"stimulus_set_sha256\": \"abc\"}", "key 'stimulus_set_sha256'"},
                          {"\"ceiling_method\": \"guess\"}", "key 'ceiling_method'"}};
  for (size_t k = 0; k < sizeof bad / sizeof *bad; ++k) {
    char buf[1024];
    snprintf(buf, sizeof buf, "%s%s", head, bad[k][0]);
    ck_assert_int_eq(cb_file_write_atomic(path, buf, strlen(buf)), CB_OK);
    ck_assert_int_eq(cb_score_read_json(path, &r), CB_ERR_FORMAT);
    ck_assert_msg(strstr(cb_error_message(), bad[k][1]) && strstr(cb_error_message(), path), "case %zu: %s", k,
                  cb_error_message());
  }
}
END_TEST

static cb_status read_text(const char *text, cb_score *r) {
  char path[512];
  snprintf(path, sizeof path, "%s/bad_score.json", tmpdir);
  ck_assert_int_eq(cb_file_write_atomic(path, text, strlen(text)), CB_OK);
  return cb_score_read_json(path, r);
}

START_TEST(test_errors_name_file_and_key) {
  make_tmpdir();
  cb_score r;
  memset(&r, 0, sizeof r);
  r.n_splits = 77; /* must stay untouched on failure */
  const char *ok_tail = "\"raw\": 1, \"ceiling\": 1, \"score\": 1, \"error\": 0, \"n_splits\": 1, "
                        "\"per_split\": [1], \"seed\": 3}";
  char buf[1024];

  snprintf(buf, sizeof buf, "{\"model\": \"m\", \"layer\": \"l\", \"metric\": \"x\", %s", ok_tail);
  ck_assert_int_eq(read_text(buf, &r), CB_ERR_FORMAT);
  ck_assert_ptr_nonnull(strstr(cb_error_message(), "bad_score.json"));
  ck_assert_ptr_nonnull(strstr(cb_error_message(), "missing key 'benchmark'"));

  snprintf(buf, sizeof buf, "{\"model\": 5, \"layer\": \"l\", \"benchmark\": \"b\", \"metric\": \"x\", %s", ok_tail);
  ck_assert_int_eq(read_text(buf, &r), CB_ERR_FORMAT);
  ck_assert_ptr_nonnull(strstr(cb_error_message(), "'model' is not a string"));

  ck_assert_int_eq(read_text("{\"model\": \"m\", \"layer\": \"l\", \"benchmark\": \"b\", \"metric\": \"x\", "
                             "\"raw\": \"high\", \"ceiling\": 1, \"score\": 1, \"error\": 0, \"n_splits\": 0, "
                             "\"per_split\": [], \"seed\": 3}",
                             &r),
                   CB_ERR_FORMAT);
  ck_assert_ptr_nonnull(strstr(cb_error_message(), "'raw' is not a number"));

  ck_assert_int_eq(read_text("{\"model\": \"m\", \"layer\": \"l\", \"benchmark\": \"b\", \"metric\": \"x\", "
                             "\"raw\": 1, \"ceiling\": 1, \"score\": 1, \"error\": 0, \"n_splits\": 2, "
                             "\"per_split\": [1], \"seed\": 3}",
                             &r),
                   CB_ERR_FORMAT);
  ck_assert_ptr_nonnull(strstr(cb_error_message(), "n_splits"));

  ck_assert_int_eq(read_text("{\"model\": \"m\", \"layer\": \"l\", \"benchmark\": \"b\", \"metric\": \"x\", "
                             "\"raw\": 1, \"ceiling\": 1, \"score\": 1, \"error\": 0, \"n_splits\": 1, "
                             "\"per_split\": [1]}",
                             &r),
                   CB_ERR_FORMAT);
  ck_assert_ptr_nonnull(strstr(cb_error_message(), "missing key 'seed'"));

  ck_assert_int_eq(read_text("{\"model\": \"m\", \"layer\": \"l\", \"benchmark\": \"b\", \"metric\": \"x\", "
                             "\"raw\": 1, \"ceiling\": 1, \"score\": 1, \"error\": 0, \"n_splits\": 1, "
                             "\"per_split\": [1], \"seed\": -4}",
                             &r),
                   CB_ERR_FORMAT);
  ck_assert_ptr_nonnull(strstr(cb_error_message(), "'seed'"));

  ck_assert_int_eq(read_text("{\"model\": \"m\", ", &r), CB_ERR_FORMAT);
  ck_assert_ptr_nonnull(strstr(cb_error_message(), "bad_score.json"));
  ck_assert_ptr_null(strchr(cb_error_message(), '\n'));

  ck_assert_int_eq(read_text("[1, 2]", &r), CB_ERR_FORMAT);
  ck_assert_ptr_nonnull(strstr(cb_error_message(), "not a JSON object"));

  ck_assert_int_eq(cb_score_read_json("/nonexistent/dir/score.json", &r), CB_ERR_IO);
  ck_assert_ptr_nonnull(strstr(cb_error_message(), "/nonexistent/dir/score.json"));
  ck_assert_int_eq(r.n_splits, 77);

  /* Extra keys are ignored; integers are accepted where numbers are due. */
  ck_assert_int_eq(read_text("{\"model\": \"m\", \"layer\": \"l\", \"benchmark\": \"b\", \"metric\": \"x\", "
                             "\"raw\": 1, \"ceiling\": 2, \"score\": 0.5, \"error\": 0, \"n_splits\": 1, "
                             "\"per_split\": [1], \"seed\": 3, \"note\": \"extra\"}",
                             &r),
                   CB_OK);
  ck_assert(r.ceiling == 2.0 && r.seed == 3);
  cb_score_free(&r);

  /* Writing an invalid score fails cleanly. */
  cb_score bad = {.n_splits = 2, .per_split = NULL};
  ck_assert_int_eq(cb_score_write_json("/tmp/never.json", &bad), CB_ERR_ARG);
  ck_assert_ptr_nonnull(strstr(cb_error_message(), "never.json"));
}
END_TEST

int main(void) {
  Suite *s = suite_create("io_score");
  TCase *tc = tcase_create("score");
  tcase_add_checked_fixture(tc, NULL, rm_tmpdir);
  tcase_add_test(tc, test_roundtrip_bit_exact);
  tcase_add_test(tc, test_nan_is_null);
  tcase_add_test(tc, test_bootstrap_fields);
  tcase_add_test(tc, test_group_fields);
  tcase_add_test(tc, test_record_fields);
  tcase_add_test(tc, test_errors_name_file_and_key);
  suite_add_tcase(s, tc);
  return cb_test_run(s);
}

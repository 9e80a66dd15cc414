/* test_taskkey.c - score task keys: a benchmark's group is part of its key (a grouped score is never served for an
 * ungrouped one, nor for another grouping), and an ungrouped benchmark's key does not depend on the new field. */
#include <check.h>
#include <string.h>

#include "cb_taskkey.h"
#include "cb_test_main.h"

START_TEST(test_score_key_group) {
  cb_bench_params p;
  cb_bench_params_defaults(&p);
  p.id = "movies.V1";
  char plain[CB_KEY_HEX], again[CB_KEY_HEX], movie[CB_KEY_HEX], scene[CB_KEY_HEX];
  cb_key_score("acts", "layer", "assembly", &p, plain);
  cb_key_score("acts", "layer", "assembly", &p, again);
  ck_assert_str_eq(plain, again);
  ck_assert_int_eq((int)strlen(plain), 64);
  p.group = "movie_id";
  cb_key_score("acts", "layer", "assembly", &p, movie);
  p.group = "scene_id";
  cb_key_score("acts", "layer", "assembly", &p, scene);
  ck_assert_str_ne(plain, movie);
  ck_assert_str_ne(movie, scene);
}
END_TEST

int main(void) {
  Suite *s = suite_create("taskkey");
  TCase *tc = tcase_create("taskkey");
  tcase_add_test(tc, test_score_key_group);
  suite_add_tcase(s, tc);
  return cb_test_run(s);
}

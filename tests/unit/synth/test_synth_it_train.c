/* synthetic-it training images (cb_synth_it_sample): a pure function of (seed, index); every index a new image;
 * labels cover the 8 categories about equally; no training image equals an image of the set of the same seed;
 * the set's categories (cb_synth_it_stimulus_category) follow its object order. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "cb_status.h"
#include "cb_synth_it.h"
#include "cb_synth_set.h"
#include "cb_test_main.h"

#define NP (CB_SYNTH_IT_SIZE * CB_SYNTH_IT_SIZE)

START_TEST(test_sample_deterministic_and_fresh) {
  static uint8_t a[NP], b[NP], c[NP];
  int la = -1, lb = -1, lc = -1;
  ck_assert_int_eq(cb_synth_it_sample(1001, 12345, a, &la), CB_OK);
  ck_assert_int_eq(cb_synth_it_sample(1001, 12345, b, &lb), CB_OK);
  ck_assert_int_eq(memcmp(a, b, NP), 0);
  ck_assert_int_eq(la, lb);
  ck_assert_int_eq(cb_synth_it_sample(1001, 12346, c, &lc), CB_OK);
  ck_assert_int_ne(memcmp(a, c, NP), 0);
  ck_assert_int_eq(cb_synth_it_sample(1002, 12345, c, &lc), CB_OK);
  ck_assert_int_ne(memcmp(a, c, NP), 0);
  ck_assert_int_ne(cb_synth_it_sample(1, 0, NULL, &la), CB_OK);
  ck_assert_int_ne(cb_synth_it_sample(1, 1ull << 56, a, &la), CB_OK);
}
END_TEST

START_TEST(test_sample_labels_balanced) {
  static uint8_t px[NP];
  int count[CB_SYNTH_IT_CATEGORIES] = {0}, bad = 0; /* (one assertion per case: cheap under memcheck) */
  for (int i = 0; i < 400; ++i) {
    int l = -1;
    bad += cb_synth_it_sample(7, (uint64_t)i, px, &l) != CB_OK || l < 0 || l >= CB_SYNTH_IT_CATEGORIES;
    if (l >= 0 && l < CB_SYNTH_IT_CATEGORIES) count[l]++;
  }
  ck_assert_int_eq(bad, 0);
  int lo = 400, hi = 0;
  for (int k = 0; k < CB_SYNTH_IT_CATEGORIES; ++k) lo = count[k] < lo ? count[k] : lo, hi = count[k] > hi ? count[k] : hi;
  ck_assert(lo > 22 && hi < 78); /* 50 +- 4 sd */
}
END_TEST

START_TEST(test_no_sample_is_a_set_image) {
  cb_synth_set *s = NULL;
  ck_assert_int_eq(cb_synth_it_stimuli(1, &s), CB_OK);
  ck_assert_int_eq(s->n_stim, CB_SYNTH_IT_STIMULI);
  static uint8_t px[NP];
  int same = 0, bad = 0;
  for (int i = 0; i < 32; ++i) {
    int l = -1;
    bad += cb_synth_it_sample(1, (uint64_t)i, px, &l) != CB_OK;
    for (int k = 0; k < s->n_stim; ++k) same += memcmp(px, s->images + (size_t)k * NP, NP) == 0;
  }
  ck_assert_int_eq(bad, 0);
  ck_assert_int_eq(same, 0);
  ck_assert_int_eq(cb_synth_it_stimulus_category(0), 0);
  ck_assert_int_eq(cb_synth_it_stimulus_category(79), 0);
  ck_assert_int_eq(cb_synth_it_stimulus_category(80), 1);
  ck_assert_int_eq(cb_synth_it_stimulus_category(639), 7);
  ck_assert_int_eq(cb_synth_it_stimulus_category(640), -1);
  ck_assert_str_eq(s->meta_str[(size_t)80 * s->n_meta + 1], "boats"); /* category_name column */
  cb_synth_set_destroy(&s);
}
END_TEST

int main(void) {
  Suite *s = suite_create("synth_it_train");
  TCase *tc = tcase_create("synth_it_train");
  tcase_set_timeout(tc, 60);
  tcase_add_test(tc, test_sample_deterministic_and_fresh);
  tcase_add_test(tc, test_sample_labels_balanced);
  tcase_add_test(tc, test_no_sample_is_a_set_image);
  suite_add_tcase(s, tc);
  return cb_test_run(s);
}

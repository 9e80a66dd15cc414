/* test_front_end.c - the table of input front ends: names, modalities and defaults, the checks a model's
 * declaration goes through (errors name the model), and that loading a stimulus through a front end gives exactly
 * what its underlying transform gives (image: decode + preprocess + luma; cochleagram: cb_audio_input_load). */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_audio_input.h"
#include "cb_front_end.h"
#include "cb_fs.h"
#include "cb_image.h"
#include "cb_sound_write.h"
#include "cb_stimuli.h"

#define CB_TEST_TMP_NAME "front_end"
#include "../cb_test_tmpdir.h"
#include "cb_test_main.h"

static cb_front_end_params params(const char *fe, cb_modality m, int c, int h, int w) {
  return (cb_front_end_params){.model = "m1", .modality = m, .front_end = fe, .in_c = c, .in_h = h, .in_w = w,
                               .mean = {0.5f, 0.4f, 0.3f}, .std = {0.2f, 0.25f, 0.3f}, .model_degrees = 8,
                               .stimulus_degrees = 4};
}

static void expect_check(cb_front_end_params p, cb_status st, const char *needle) {
  cb_error_clear();
  cb_front_end *fe = NULL;
  ck_assert_int_eq(cb_front_end_check(&p), st);
  ck_assert_msg(strstr(cb_error_message(), needle) != NULL, "'%s' lacks '%s'", cb_error_message(), needle);
  ck_assert_int_eq(cb_front_end_create(&p, &fe), st);
  ck_assert_ptr_null(fe);
}

START_TEST(test_table) {
  ck_assert_int_ge(cb_front_end_count(), 2);
  int im = cb_front_end_find("image"), co = cb_front_end_find("cochleagram");
  ck_assert_int_ge(im, 0);
  ck_assert_int_ge(co, 0);
  ck_assert_int_eq(cb_front_end_modality(im), CB_MODALITY_VISUAL);
  ck_assert_int_eq(cb_front_end_modality(co), CB_MODALITY_AUDIO);
  ck_assert_int_eq(cb_front_end_find("retina"), -1);
  ck_assert_ptr_null(cb_front_end_name(cb_front_end_count()));
  ck_assert_str_eq(cb_front_end_default(CB_MODALITY_VISUAL), "image");
  ck_assert_str_eq(cb_front_end_default(CB_MODALITY_AUDIO), "cochleagram");
  ck_assert_ptr_null(cb_front_end_default(CB_MODALITY_UNSET));
  char known[64];
  cb_front_end_known(known, sizeof known);
  ck_assert_str_eq(known, "image, cochleagram");
  for (int i = 0; i < cb_front_end_count(); ++i) ck_assert_ptr_nonnull(cb_front_end_describe(i));
}
END_TEST

START_TEST(test_checks) {
  expect_check(params("retina", CB_MODALITY_VISUAL, 3, 8, 8), CB_ERR_CONFIG,
               "model 'm1': unknown input front end 'retina' (known: image, cochleagram)");
  expect_check(params("cochleagram", CB_MODALITY_VISUAL, 1, 211, 400), CB_ERR_UNSUPPORTED,
               "model 'm1' is visual but front end 'cochleagram' takes audio stimuli");
  expect_check(params(NULL, CB_MODALITY_UNSET, 3, 8, 8), CB_ERR_ARG, "model 'm1': no modality declared");
  expect_check(params(NULL, CB_MODALITY_VISUAL, 4, 8, 8), CB_ERR_UNSUPPORTED, "model 'm1' takes 4 input channels");
  expect_check(params(NULL, CB_MODALITY_AUDIO, 3, 64, 64), CB_ERR_UNSUPPORTED,
               "model 'm1': input 3x64x64 is not a cochleagram (1x211xT)");
  cb_front_end_params p = params(NULL, CB_MODALITY_VISUAL, 3, 8, 8);
  p.model_degrees = 0;
  expect_check(p, CB_ERR_ARG, "model 'm1': visual degrees 0 not positive");
  ck_assert_int_eq(cb_front_end_check(&(cb_front_end_params){.model = "m1", .modality = CB_MODALITY_AUDIO, .in_c = 1,
                                                               .in_h = 211, .in_w = 3}),
                   CB_OK);
}
END_TEST

/* A set of one file in tmpdir, built in memory. */
static cb_stimulus_set *one_file_set(const char *file) {
  cb_stimulus_set *s = NULL;
  ck_assert_int_eq(cb_stimulus_set_create(1, 0, NULL, &s), CB_OK);
  s->stimulus_id[0] = strdup("s0");
  s->filename[0] = strdup(file);
  free(s->base_dir);
  s->base_dir = strdup(tmpdir);
  return s;
}

START_TEST(test_image_load) {
  make_tmpdir();
  enum { H = 20, W = 30, OH = 16, OW = 12 };
  uint8_t rgb[H * W * 3]; /* (H, W, 3) */
  for (int i = 0; i < H * W * 3; ++i) rgb[i] = (uint8_t)((i * 37) % 251);
  char path[600];
  snprintf(path, sizeof path, "%s/a.png", tmpdir);
  ck_assert_int_eq(cb_image_write_png(path, rgb, H, W, 3), CB_OK);
  cb_stimulus_set *s = one_file_set("a.png");
  for (int c = 1; c <= 3; c += 2) {
    cb_front_end_params p = params(NULL, CB_MODALITY_VISUAL, c, OH, OW);
    cb_front_end *fe = NULL;
    ck_assert_int_eq(cb_front_end_create(&p, &fe), CB_OK);
    ck_assert_str_eq(cb_front_end_get_name(fe), "image");
    float x[3 * OH * OW], ref[3 * OH * OW]; /* (c, OH, OW) and (3, OH, OW) */
    ck_assert_int_eq(cb_front_end_load(fe, s, 0, x), CB_OK);
    cb_preprocess pp = {.out_h = OH, .out_w = OW, .model_degrees = 8, .stimulus_degrees = 4};
    for (int k = 0; k < 3; ++k) pp.mean[k] = p.mean[c == 1 ? 0 : k], pp.std[k] = p.std[c == 1 ? 0 : k];
    ck_assert_int_eq(cb_image_preprocess(rgb, H, W, &pp, ref), CB_OK);
    for (int k = 0; k < OH * OW; ++k) {
      float want = c == 3 ? ref[k] : 0.299f * ref[k] + 0.587f * ref[OH * OW + k] + 0.114f * ref[2 * OH * OW + k];
      ck_assert_msg(x[k] == want, "c=%d pixel %d: %g vs %g", c, k, x[k], want);
    }
    if (c == 3) ck_assert(memcmp(x, ref, sizeof ref) == 0);
    ck_assert_int_eq(cb_front_end_load(fe, s, 1, x), CB_ERR_ARG); /* out of range */
    cb_front_end_destroy(&fe);
    ck_assert_ptr_null(fe);
  }
  cb_stimulus_set_destroy(&s);
}
END_TEST

START_TEST(test_cochleagram_load) {
  make_tmpdir();
  enum { T = 40, N = 12345 };
  float snd[N]; /* (N) samples at 20 kHz */
  for (int i = 0; i < N; ++i) snd[i] = (float)(0.3 * sin(i * 0.05) + 0.1 * sin(i * 0.31));
  char path[600];
  snprintf(path, sizeof path, "%s/a.wav", tmpdir);
  ck_assert_int_eq(cb_sound_write_wav(path, snd, N, CB_AUDIO_RATE, CB_SOUND_FLOAT32), CB_OK);
  cb_stimulus_set *s = one_file_set("a.wav");
  cb_front_end_params p = {.model = "m1", .modality = CB_MODALITY_AUDIO, .in_c = 1, .in_h = 211, .in_w = T};
  cb_front_end *fe = NULL;
  ck_assert_int_eq(cb_front_end_create(&p, &fe), CB_OK);
  ck_assert_str_eq(cb_front_end_get_name(fe), "cochleagram");
  float *x = malloc(sizeof *x * 211 * T), *ref = malloc(sizeof *ref * 211 * T); /* (211, T) each */
  ck_assert_int_eq(cb_front_end_load(fe, s, 0, x), CB_OK);
  cb_audio_input *a = NULL;
  ck_assert_int_eq(cb_audio_input_create(1, 211, T, "m1", &a), CB_OK);
  ck_assert_int_eq(cb_audio_input_load(a, path, ref), CB_OK);
  ck_assert(memcmp(x, ref, sizeof *x * 211 * T) == 0);
  double energy = 0;
  for (int i = 0; i < 211 * T; ++i) energy += fabs(x[i]);
  ck_assert(energy > 0);
  cb_audio_input_destroy(&a);
  cb_front_end_destroy(&fe);
  free(x);
  free(ref);
  cb_stimulus_set_destroy(&s);
}
END_TEST

int main(void) {
  Suite *s = suite_create("front_end");
  TCase *tc = tcase_create("front_end");
  tcase_add_checked_fixture(tc, NULL, rm_tmpdir);
  tcase_add_test(tc, test_table);
  tcase_add_test(tc, test_checks);
  tcase_add_test(tc, test_image_load);
  tcase_add_test(tc, test_cochleagram_load);
  suite_add_tcase(s, tc);
  return cb_test_run(s);
}

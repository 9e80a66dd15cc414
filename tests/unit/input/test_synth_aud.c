/* test_synth_aud.c - the synthetic-aud generator end to end: files written,
 * determinism of the sounds, the truth model reproduces the voxel rates
 * from the WAV files, the analytic reliability agrees with the split-half
 * ceiling within 0.03; the audio zoo models build and run. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cb_audio_input.h"
#include "cb_extract.h"
#include "cb_ceiling.h"
#include "cb_fs.h"
#include "cb_generate.h"
#include "cb_nn.h"
#include "cb_stm.h"
#include "cb_synth_aud.h"
#include "cb_synth_set.h"
#include "cb_test_main.h"

START_TEST(test_generate_and_validate) {
  char dir[] = "/tmp/cb_synth_aud_XXXXXX";
  ck_assert_ptr_nonnull(mkdtemp(dir));
  cb_synth_set *s = NULL;
  ck_assert_msg(cb_generate_dataset_keep("synthetic-aud", 7, dir, &s) == CB_OK, "%s", cb_error_message());
  ck_assert_int_ge(s->n_stim, 165);
  ck_assert_int_ge(s->n_neurons, 200);
  ck_assert_int_eq(s->n_reps, 3);
  ck_assert_str_eq(s->region, "auditory");
  /* truth model on the written WAV files reproduces the rates exactly */
  cb_model *m = NULL;
  ck_assert_int_eq(cb_model_create("synthetic-aud-truth", 7, &m), CB_OK);
  int layer = cb_model_find_layer(m, "voxels");
  ck_assert_int_ge(layer, 0);
  float *vox = malloc(sizeof *vox * (size_t)s->n_neurons);
  for (int i = 0; i < s->n_stim; i += 41) {
    char path[4096], rel[256];
    snprintf(rel, sizeof rel, "sounds/%s.wav", s->stimulus_id[i]);
    ck_assert_int_eq(cb_path_join(path, sizeof path, dir, rel), CB_OK);
    float *x = NULL;
    ck_assert_int_eq(cb_extract_audio_model_input(path, m, &x), CB_OK);
    float *outs[1] = {vox};
    ck_assert_int_eq(cb_model_forward(m, x, 1, &layer, 1, outs), CB_OK);
    for (int k = 0; k < s->n_neurons; ++k) ck_assert(vox[k] == (float)s->rates[(size_t)i * s->n_neurons + k]);
    free(x);
  }
  free(vox);
  cb_model_destroy(&m);
  /* analytic reliability vs measured split-half ceiling */
  double analytic = cb_synth_set_reliability(s, NULL), ceil = 0, err = 0;
  ck_assert_int_eq(cb_ceiling_split_half(s->counts, s->n_stim, s->n_reps, s->n_neurons, 10, 1, &ceil, &err), CB_OK);
  printf("synthetic-aud: analytic reliability %.4f, split-half ceiling %.4f +- %.4f\n", analytic, ceil, err);
  ck_assert_msg(fabs(analytic - ceil) < 0.03, "analytic %g vs ceiling %g", analytic, ceil);
  /* sounds are deterministic for a seed and differ across seeds */
  float *a = malloc(sizeof *a * CB_SYNTH_AUD_SAMPLES), *b = malloc(sizeof *b * CB_SYNTH_AUD_SAMPLES);
  ck_assert_int_eq(cb_synth_aud_sound(7, 100, a), CB_OK);
  ck_assert_int_eq(cb_synth_aud_sound(7, 100, b), CB_OK);
  ck_assert(memcmp(a, b, sizeof *a * CB_SYNTH_AUD_SAMPLES) == 0);
  ck_assert_int_eq(cb_synth_aud_sound(8, 100, b), CB_OK);
  ck_assert(memcmp(a, b, sizeof *a * CB_SYNTH_AUD_SAMPLES) != 0);
  free(a);
  free(b);
  cb_synth_set_destroy(&s);
  char cmd[256];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  ck_assert_int_eq(system(cmd), 0);
}
END_TEST

START_TEST(test_audio_models) {
  const char *names[] = {"stm-baseline", "cochcnn9"};
  for (int k = 0; k < 2; ++k) {
    cb_model *m = NULL;
    ck_assert_msg(cb_model_create(names[k], 1, &m) == CB_OK, "%s", cb_error_message());
    ck_assert(cb_extract_is_audio_model(m));
    const cb_model_info *mi = cb_model_get_info(m);
    ck_assert_int_eq(mi->modality, CB_MODALITY_AUDIO); /* declared by the builder, not read off the input shape */
    ck_assert_str_eq(mi->front_end, "cochleagram");
    ck_assert_int_eq(mi->in_h, 211);
    ck_assert_int_eq(mi->in_w, 400);
    int last = cb_model_n_layers(m) - 1, c, h, w;
    cb_model_layer_shape(m, last, &c, &h, &w);
    float *x = calloc(211 * 400, sizeof *x), *y = malloc(sizeof *y * (size_t)c * h * w);
    for (int i = 0; i < 211 * 400; ++i) x[i] = (float)(0.5 + 0.5 * sin(i * 0.37));
    float *outs[1] = {y};
    ck_assert_int_eq(cb_model_forward(m, x, 1, &last, 1, outs), CB_OK);
    for (int i = 0; i < c * h * w; ++i) ck_assert(isfinite(y[i]));
    if (k == 0) ck_assert_int_eq(c * h * w, 672);
    free(x);
    free(y);
    cb_model_destroy(&m);
  }
}
END_TEST

int main(void) {
  Suite *s = suite_create("synth_aud");
  TCase *tc = tcase_create("synth_aud");
  tcase_set_timeout(tc, 280);
  tcase_add_test(tc, test_audio_models);
  tcase_add_test(tc, test_generate_and_validate);
  suite_add_tcase(s, tc);
  return cb_test_run(s);
}

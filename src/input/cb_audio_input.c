/* cb_audio_input.c - sound file -> cochleagram model input (see cb_audio_input.h). */
#include "cb_audio_input.h"

#include <stdlib.h>
#include <string.h>

#include "cb_coch.h"
#include "cb_sound.h"

struct cb_audio_input {
  cb_coch *coch;
  int channels, frames;
  int64_t n;     /* samples per sound */
  float *buf;    /* (n) cropped / padded sound */
};

int cb_audio_is_cochleagram_input(int in_c, int in_h, int in_w) {
  cb_coch_opts o;
  cb_coch_defaults(&o);
  return in_c == 1 && in_h == cb_coch_n_channels(&o) && in_w >= 2;
}

cb_status cb_audio_input_create(int in_c, int in_h, int in_w, const char *model, cb_audio_input **out) {
  if (out == NULL) return CB_ERROR(CB_ERR_ARG, "audio input: NULL argument");
  cb_coch_opts o;
  cb_coch_defaults(&o);
  if (!cb_audio_is_cochleagram_input(in_c, in_h, in_w))
    return CB_ERROR(CB_ERR_UNSUPPORTED, "model '%s': input %dx%dx%d is not a cochleagram (1x%dxT)",
                    model ? model : "?", in_c, in_h, in_w, cb_coch_n_channels(&o));
  cb_status st = CB_OK;
  cb_audio_input *a = calloc(1, sizeof *a);
  if (a == NULL) return CB_ERROR(CB_ERR_NOMEM, "audio input: out of memory");
  a->frames = in_w;
  a->n = (int64_t)in_w * (CB_AUDIO_RATE / o.env_rate);
  CB_CHECK_GOTO(cb_coch_create(a->n, CB_AUDIO_RATE, &o, &a->coch), st, fail);
  a->channels = cb_coch_channels(a->coch);
  a->buf = malloc(sizeof *a->buf * (size_t)a->n);
  CB_ALLOC_GOTO(a->buf, st, fail);
  *out = a;
  return CB_OK;
fail:
  cb_audio_input_destroy(&a);
  return st;
}

void cb_audio_input_destroy(cb_audio_input **ap) {
  if (ap == NULL || *ap == NULL) return;
  cb_coch_destroy(&(*ap)->coch);
  free((*ap)->buf);
  free(*ap);
  *ap = NULL;
}

cb_status cb_audio_input_samples(cb_audio_input *a, const float *s, int64_t n, float *x) {
  if (a == NULL || (s == NULL && n > 0) || x == NULL) return CB_ERROR(CB_ERR_ARG, "audio input: NULL argument");
  int64_t k = n < a->n ? n : a->n;
  if (k > 0) memcpy(a->buf, s, sizeof *s * (size_t)k);
  if (k < a->n) memset(a->buf + k, 0, sizeof *a->buf * (size_t)(a->n - k));
  return cb_coch_run(a->coch, a->buf, x);
}

cb_status cb_audio_input_load(cb_audio_input *a, const char *path, float *x) {
  float *s = NULL;
  int64_t n = 0;
  int rate = 0;
  CB_CHECK(cb_sound_read(path, CB_AUDIO_RATE, &s, &n, &rate));
  cb_status st = cb_audio_input_samples(a, s, n, x);
  free(s);
  if (st != CB_OK) return cb_error_prefix("%s", path);
  return CB_OK;
}

void cb_audio_time_average(const float *in, int64_t n, int c, int h, int w, float *out) {
  const int64_t rows = n * c * h;
  for (int64_t r = 0; r < rows; ++r) {
    double s = 0;
    for (int t = 0; t < w; ++t) s += in[r * w + t];
    out[r] = (float)(s / w);
  }
}

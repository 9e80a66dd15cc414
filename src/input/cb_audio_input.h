/* cb_audio_input.h - how a sound enters a model: the contract of the
 * auditory models for the extraction stage.
 *
 * A model with a (1, 1, C, T) input takes a cochleagram (cb_coch.h
 * defaults: C = 211 channels, 200 frames per second, 20 kHz sound). A sound
 * file is read with cb_sound_read at 20 kHz (mono mix, resampled when its
 * rate differs), cropped or zero-padded at the end to T * 100 samples (T
 * frames at 200 Hz: 400 frames = 2 s), and turned into the cochleagram
 * (channels, frames) that is the model input (1, 1, C, T) as is: no mean/std
 * normalisation (cb_model_info mean 0, std 1).
 * Convolutional layers of audio models are (1, units, freq, time); Tuckute et
 * al. 2023 average them over time per unit before regression: that is an
 * option the extraction applies (cb_audio_time_average), not part of the
 * model. */
#ifndef CB_AUDIO_INPUT_H
#define CB_AUDIO_INPUT_H

#include <stdint.h>

#include "cb_status.h"

#define CB_AUDIO_RATE 20000

typedef struct cb_audio_input cb_audio_input;

/* 1 when a model input of (in_c, in_h, in_w) per stimulus is a cochleagram: one channel whose height is the
 * filterbank's channel count (211 by default), at least 2 frames; a grayscale image model (1x28x28) is not one. */
int cb_audio_is_cochleagram_input(int in_c, int in_h, int in_w);

/* For a model whose input is (1, in_c, in_h, in_w) with in_c = 1, in_h = C = 211, in_w = T frames; CB_ERR_UNSUPPORTED
 * (naming `model`) otherwise. */
cb_status cb_audio_input_create(int in_c, int in_h, int in_w, const char *model, cb_audio_input **out);
void cb_audio_input_destroy(cb_audio_input **a);
/* x (1 * C * T) receives the model input for the sound file `path`. */
cb_status cb_audio_input_load(cb_audio_input *a, const char *path, float *x /* (C, T) */);
/* Same from samples at CB_AUDIO_RATE (n of them; cropped or zero-padded). */
cb_status cb_audio_input_samples(cb_audio_input *a, const float *s /* (n) */, int64_t n, float *x /* (C, T) */);


/* Time average per unit: a (n, c, h, w) layer -> (n, c, h) (mean over w,
 * the time axis), out may not alias in. */
void cb_audio_time_average(const float *in /* (n, c, h, w) */, int64_t n, int c, int h, int w,
                           float *out /* (n, c, h) */);

#endif

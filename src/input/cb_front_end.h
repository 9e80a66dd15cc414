/* cb_front_end.h - the input front ends: one table of the ways a stimulus
 * becomes a model's input tensor, chosen by the front end a model declares
 * (cb_model_info.front_end; NULL = its modality's default).
 *
 *   name         modality  stimulus -> input (1, in_c, in_h, in_w)
 *   image        visual    PNG/JPEG decode, Brain-Score's visual-degree crop or pad, antialiased resize to
 *                          in_h x in_w, normalisation (mean/std of [0, 1] pixels); in_c = 1 takes the ITU-R 601
 *                          luma of the normalised RGB (cb_image.h)
 *   cochleagram  audio     sound read at 20 kHz, cropped or zero-padded, cochleagram (in_c = 1, in_h = 211
 *                          channels, in_w = frames at 200 Hz; cb_audio_input.h), no normalisation
 *
 * A new front end (another audio transform, video frames) is a row here and
 * its load function; the extraction (src/bench/cb_extract.c) needs nothing
 * else. */
#ifndef CB_FRONT_END_H
#define CB_FRONT_END_H

#include <stddef.h>

#include "cb_modality.h"
#include "cb_status.h"
#include "cb_stimuli.h"

/* Number of front ends; name / modality / one-line description of front end i (NULL, UNSET when out of range). */
int cb_front_end_count(void);
const char *cb_front_end_name(int i);
cb_modality cb_front_end_modality(int i);
const char *cb_front_end_describe(int i);
/* Index of the front end called `name`, -1 when unknown. */
int cb_front_end_find(const char *name);
/* "image, cochleagram": the names, for messages (truncated to n). */
void cb_front_end_known(char *out, size_t n);
/* The front end of a modality when a model declares none: "image" (visual), "cochleagram" (audio). */
const char *cb_front_end_default(cb_modality m);

/* What a front end needs to know of the model. */
typedef struct cb_front_end_params {
  const char *model;        /* its name, for messages */
  cb_modality modality;     /* declared by the model */
  const char *front_end;    /* declared by the model, NULL: the modality's default */
  int in_c, in_h, in_w;     /* the model's input per stimulus */
  float mean[3], std[3];    /* image: normalisation of [0, 1] pixels */
  double model_degrees;     /* image: the model's field of view */
  double stimulus_degrees;  /* image: the stimuli's size in degrees (<= 0: the model's field of view) */
} cb_front_end_params;

typedef struct cb_front_end cb_front_end;

/* Checks that the front end exists, takes the model's modality and fits its input shape (nothing allocated; what
 * cb_front_end_create checks first); errors name the model:
 *   CB_ERR_CONFIG       "model 'M': unknown input front end 'X' (known: image, cochleagram)"
 *   CB_ERR_ARG          no modality declared
 *   CB_ERR_UNSUPPORTED  "model 'M' is audio but front end 'image' takes visual stimuli", or an input shape the
 *                       front end cannot fill (e.g. "model 'M': input 3x64x64 is not a cochleagram (1x211xT)")
 *   CB_ERR_ARG          image: visual degrees not positive */
cb_status cb_front_end_check(const cb_front_end_params *p);
/* A front end for the model (cb_front_end_check's errors, or CB_ERR_NOMEM). */
cb_status cb_front_end_create(const cb_front_end_params *p, cb_front_end **out);
void cb_front_end_destroy(cb_front_end **fe);
/* The resolved name ("image", ...) and the floats one stimulus fills (in_c * in_h * in_w). */
const char *cb_front_end_get_name(const cb_front_end *fe);
/* x receives the model input for stimulus i of set s; errors name the stimulus file. */
cb_status cb_front_end_load(cb_front_end *fe, const cb_stimulus_set *s, int i, float *x /* (in_c, in_h, in_w) */);

#endif

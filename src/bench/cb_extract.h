/* cb_extract.h - model activations for a block of a stimulus set: each
 * stimulus through the model's input front end (image: placed in the
 * model's visual field; sound: cochleagram), forward in batches.
 * Sequential; src/par distributes blocks over ranks. */
#ifndef CB_EXTRACT_H
#define CB_EXTRACT_H

#include <stdint.h>

#include "cb_act_names.h"
#include "cb_audio_input.h"
#include "cb_front_end.h"
#include "cb_nn.h"
#include "cb_status.h"
#include "cb_stimuli.h"

/* Resolves layer names (NULL/0: every layer) into indices (caller frees). */
cb_status cb_extract_resolve_layers(const cb_model *m, const char *const *names, int n_names, int **idx,
                                    int *n_idx);

/* 1 when m declares the audio modality. */
int cb_extract_is_audio_model(const cb_model *m);
/* The input front end m declares (cb_front_end.h), for stimuli of `stimulus_degrees` (<= 0: the model's field of
 * view; images only). */
cb_status cb_extract_front_end(const cb_model *m, double stimulus_degrees, cb_front_end **out);
/* What the front end is told of m (m not NULL). */
void cb_extract_front_end_params(const cb_model *m, double stimulus_degrees, cb_front_end_params *p);
/* The cochleagram front end for m's input shape (CB_ERR_UNSUPPORTED naming the model when it is not a cochleagram);
 * for callers that hold samples rather than files (cb_audio_input_samples). */
cb_status cb_extract_audio_input_create(const cb_model *m, cb_audio_input **out);
/* One-shot: *x (C * T, malloc'ed) = m's input for the sound file `path`. */
cb_status cb_extract_audio_model_input(const char *path, const cb_model *m, float **x /* (1, 1, C, T) */);

/* Features per stimulus of layer l as extracted: c*h*w, except for audio
 * models, whose (units, frequency, time) layers are averaged over time per
 * unit (Tuckute et al. 2023): c*h. */
int64_t cb_extract_features(const cb_model *m, int l);

/* Per-stimulus shape of layer l as extracted (its product is always
 * cb_extract_features): the model's output shape without the batch axis,
 * axes named (channel, height, width) for 3-D maps, (feature) for flat
 * layers; audio models' time-averaged (units, frequency, time) layers give
 * (channel, frequency), their (units, time) layers (channel, time); other
 * ranks keep their sizes with unnamed axes (dim<k>). */
void cb_extract_shape(const cb_model *m, int l, cb_act_shape *out);

/* CB_OK when the activations of `count` stimuli on layers idx (float32,
 * count x sum of cb_extract_features) fit in the memory available; else
 * CB_ERR_NOMEM "SET: activations of N stimuli x F features (model 'M',
 * float32): needs ~X GB, machine has Y GB available (...)" (cb_mem.h).
 * cb_extract_block checks its own block; src/par checks what all ranks of
 * a node hold. */
cb_status cb_extract_check_memory(const cb_model *m, const cb_stimulus_set *set, const int *idx, int n_idx,
                                  int64_t count);

/* out[k] receives a new (count, features of layer idx[k]) array for
 * stimuli [start, start + count); the caller frees each out[k]. */
cb_status cb_extract_block(cb_model *m, const cb_stimulus_set *set, double stimulus_degrees, int64_t start,
                           int64_t count, int batch, const int *idx, int n_idx, float **out /* (n_idx) */);

/* Told after every batch how many stimuli
 * of the block are done; for progress reports only. */
typedef struct cb_extract_progress {
  void (*fn)(int64_t done, void *ctx);
  void *ctx;
} cb_extract_progress;

/* cb_extract_block with progress reports (pg NULL: none). */
cb_status cb_extract_block_progress(cb_model *m, const cb_stimulus_set *set, double stimulus_degrees, int64_t start,
                                    int64_t count, int batch, const int *idx, int n_idx, float **out /* (n_idx) */,
                                    const cb_extract_progress *pg);

#endif

/* cb_synth_set.h - a synthetic dataset in memory, whatever the generator:
 * 8-bit images with metadata (the stimulus set), repeated responses (the
 * assembly), the noise-free rates they were drawn from and the noise model,
 * so that the reliability the generator "put in" is known analytically.
 *
 * Generators fill it in two steps: stimuli first (images, ids, metadata),
 * then, once the rates are known (src/bench runs the truth model on the
 * written images), responses through cb_synth_set_sample_poisson or
 * cb_synth_set_sample_gaussian. */
#ifndef CB_SYNTH_SET_H
#define CB_SYNTH_SET_H

#include <stdint.h>

#include "cb_status.h"

#define CB_SYNTH_MAX_META 8

typedef enum cb_synth_noise { CB_SYNTH_NOISE_NONE = 0, CB_SYNTH_NOISE_POISSON, CB_SYNTH_NOISE_GAUSSIAN } cb_synth_noise;

typedef struct cb_synth_set {
  char name[64];              /* generator id, e.g. "synthetic-v1" */
  int n_stim, height, width, channels;
  double visual_degrees;      /* field of view of the images */
  uint8_t *images;            /* (n_stim, height, width, channels) */
  char **stimulus_id;         /* (n_stim) unique */
  int n_meta;
  char meta_names[CB_SYNTH_MAX_META][48];
  int meta_is_string[CB_SYNTH_MAX_META];
  char **meta_str;            /* (n_stim, n_meta) string values (NULL for numeric columns) */
  double *meta_num;           /* (n_stim, n_meta) numeric values (NaN for string columns) */
  /* Responses (filled by a sampler). */
  char region[16];            /* e.g. "V1", "IT" */
  char neuroid_prefix[16];    /* neuroid ids are "<prefix>_%03d" */
  int n_neurons, n_reps;
  double *rates;              /* (n_stim, n_neurons) noise-free expected responses */
  double *counts;             /* (n_stim, n_reps, n_neurons) responses */
  cb_synth_noise noise;
  double *noise_sd;           /* (n_neurons) Gaussian noise sd (NULL for Poisson) */
} cb_synth_set;

/* An empty set of n_stim images (h, w, c) with these metadata columns
 * (is_string[k] = 1 for string columns); images zeroed, values unset. */
cb_status cb_synth_set_create(const char *name, int n_stim, int h, int w, int c, double visual_degrees, int n_meta,
                              const char *const *meta_names, const int *is_string, cb_synth_set **out);
void cb_synth_set_destroy(cb_synth_set **s);
/* Sets stimulus i's id (copied); metadata through these setters. */
cb_status cb_synth_set_id(cb_synth_set *s, int i, const char *id);
cb_status cb_synth_set_meta_str(cb_synth_set *s, int i, int k, const char *v);
void cb_synth_set_meta_num(cb_synth_set *s, int i, int k, double v);
/* CB_ERR_INTERNAL when a stimulus id is missing or repeats. */
cb_status cb_synth_set_check_ids(const cb_synth_set *s);

/* Responses: rates (n_stim, n_neurons) are copied. Each draw comes from its
 * own stream (seed, stream_base | (stimulus, rep, neuron) index), so the
 * values do not depend on loop order.
 * Poisson: counts ~ Poisson(rate) (rates must be >= 0).
 * Gaussian: counts = rate + sd[n] * N(0, 1), sd (n_neurons) copied. */
cb_status cb_synth_set_sample_poisson(cb_synth_set *s, const char *region, const char *prefix, int n_neurons,
                                      int n_reps, const double *rates, uint64_t seed, uint64_t stream_base);
cb_status cb_synth_set_sample_gaussian(cb_synth_set *s, const char *region, const char *prefix, int n_neurons,
                                       int n_reps, const double *rates, const double *sd, uint64_t seed,
                                       uint64_t stream_base);

/* The split-half reliability the generator put in, per neuron:
 *   h = floor(n_reps/2) (the ceiling's half A; half B has n_reps - h),
 *   v_s = variance of the rates over stimuli (ddof 1),
 *   v_n = mean over stimuli of the noise variance (the rate for Poisson, sd^2 for Gaussian),
 *   rho = v_s / sqrt((v_s + v_n/h) (v_s + v_n/(n_reps-h)))   (correlation of two half means),
 *   Spearman-Brown 2 rho / (1 + rho);
 * out (n_neurons) when not NULL; returns the median over neurons. NaN when
 * nothing was sampled or n_reps < 2. */
double cb_synth_set_reliability(const cb_synth_set *s, double *out /* (n_neurons) or NULL */);

#endif

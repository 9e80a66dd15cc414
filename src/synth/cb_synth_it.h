/* cb_synth_it.h - "synthetic-it": an HvM-like object set and IT-like sites.
 *
 * Stimuli (cb_synth_it_stimuli): 8 categories (animals, boats, cars, chairs,
 * faces, fruits, planes, tables) x 8 objects, each object a seeded variant of
 * its category's template of ellipses, boxes and triangles (positions, sizes,
 * angles jittered, its own light or dark shading). Each object is rendered at
 * variation 0 (2 images: centred, unit scale, upright), 3 (4 images) and 6
 * (4 images): position uniform in +-(L/6) 1.6 deg, scale exp(U(-1,1) (L/6)
 * ln 1.6), in-plane rotation U(-1,1) (L/6) 60 deg; unit scale spans about 4
 * of the 8 degrees. Backgrounds: isotropic 1/f noise (RMS contrast 0.2), a
 * new sample per image. 640 gray images of 96 x 96 pixels at 8 deg, 2 x 2
 * supersampled. Metadata: object_name, category_name, variation,
 * position_x, position_y (deg), scale, rotation (deg).
 *
 * Sites (the hidden network, cb_synth_it_net): a seeded CNN on contrast
 * images x = (pixel - 128) / 127, not a zoo model:
 *   conv 1->16 k7 s2 p3, relu, maxpool 2; conv 16->32 k3 p1, relu, maxpool 2;
 *   conv 32->64 k3 p1, relu; global average pool -> f (64)
 * and a non-linear readout with a category signal:
 *   z = (f - mu) / sd                                  (feature standardisation)
 *   s = softmax(beta (z P^T - |P|^2 / 2))             (soft category evidence)
 *   h = relu(W1 z + b1)                               (16 hidden units)
 *   rate = gain * softplus(A h + B s + b)             (n_sites)
 * mu, sd, the category prototypes P (8, 64) and beta are calibrated on 256
 * probes: the 64 objects at variation 0 on 4 background samples each
 * (cb_synth_it_render_probe, not stimuli of the set),
 * through the network itself (the truth model does that: cb_synth_truth.c).
 * B gives each site a preferred category. Responses = rate + Gaussian noise
 * whose sd gives site n a single-presentation reliability rho1[n] in
 * [0.1, 0.4] (sd^2 = var(rates) (1 - rho1) / rho1). */
#ifndef CB_SYNTH_IT_H
#define CB_SYNTH_IT_H

#include <stdint.h>

#include "cb_status.h"
#include "cb_synth_set.h"

#define CB_SYNTH_IT_SIZE 96
#define CB_SYNTH_IT_DEGREES 8.0
#define CB_SYNTH_IT_CATEGORIES 8
#define CB_SYNTH_IT_OBJECTS 8 /* per category */
#define CB_SYNTH_IT_SITES 160
#define CB_SYNTH_IT_REPS 20
#define CB_SYNTH_IT_FEATURES 64
#define CB_SYNTH_IT_HIDDEN 16

typedef struct cb_synth_it_net {
  int n_sites, n_feat, n_hidden, n_cat;
  float *conv1;  /* (16, 1, 7, 7) */
  float *conv2;  /* (32, 16, 3, 3) */
  float *conv3;  /* (64, 32, 3, 3) */
  float *w1;     /* (n_hidden, n_feat) */
  float *b1;     /* (n_hidden) */
  float *a;      /* (n_sites, n_hidden) */
  float *bcat;   /* (n_sites, n_cat) */
  float *bias;   /* (n_sites) */
  float *gain;   /* (n_sites) */
  double *rho1;  /* (n_sites) single-presentation reliability of each site */
  int *pref_category; /* (n_sites) */
} cb_synth_it_net;

#define CB_SYNTH_IT_STIMULI 640 /* images of the set: 8 categories x 8 objects x 10 views */

/* Category names, index 0..7. */
const char *cb_synth_it_category(int c);
cb_status cb_synth_it_stimuli(uint64_t seed, cb_synth_set **out);
/* Calibration probe k in [0, CB_SYNTH_IT_PROBES): object k / 4 (object index
 * = category * 8 + object) at variation 0 on a background sample of its own
 * stream (not one of the stimuli): px (96, 96) gray. */
#define CB_SYNTH_IT_PROBES_PER_OBJECT 4
#define CB_SYNTH_IT_PROBES (CB_SYNTH_IT_CATEGORIES * CB_SYNTH_IT_OBJECTS * CB_SYNTH_IT_PROBES_PER_OBJECT)
cb_status cb_synth_it_render_probe(uint64_t seed, int k, uint8_t *px);
/* Category (0..7) of stimulus k of cb_synth_it_stimuli (-1 outside [0, 640)). */
int cb_synth_it_stimulus_category(int k);
/* Training image `index` of the stream `seed` (a pure function of both): a new object of a uniformly drawn
 * category (its category's template jittered and shaded as the set's objects are, not one of the set's 64),
 * a view of variation 0, 3 or 6 in the set's proportions (2:4:4), a new 1/f background; px (96, 96) gray at
 * 8 deg like the set's images, *category its label. The set's objects come from other streams, so no training
 * image is an image of the set, whatever the seeds; cortexbench train still refuses a training seed equal to
 * the evaluated set's (docs/config.md, Training). */
cb_status cb_synth_it_sample(uint64_t seed, uint64_t index, uint8_t *px, int *category);
cb_status cb_synth_it_network(uint64_t seed, cb_synth_it_net **out);
void cb_synth_it_net_destroy(cb_synth_it_net **n);
/* Noise sd per site from the rates (n_stim, n_sites) and rho1. */
void cb_synth_it_noise_sd(const cb_synth_it_net *net, const double *rates, int n_stim, double *sd /* (n_sites) */);

#endif

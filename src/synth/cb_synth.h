/* cb_synth.h - deterministic synthetic V1 data for the walking skeleton.
 *
 * Stimuli: full-field sinusoidal gratings (contrast 0.8) in a soft circular
 * aperture over mean grey, on an orientation x spatial frequency x phase grid.
 * Orientation is that of the bars: at 0 deg the bars are horizontal, and the
 * luminance varies along the direction (-sin(ori), cos(ori)).
 * Neurons: Gabor model with seeded parameters. Simple cells respond with the
 * half-wave-rectified linear Gabor output, complex cells with the energy
 * (amplitude) of a quadrature pair; both are divided by sqrt(0.01 + the mean
 * squared energy of a pool of centred Gabor filters over 8 orientations x 4
 * SFs), scaled so each neuron's best stimulus gives a peak rate in [10, 40]
 * spikes per presentation (mean over stimuli ~2-3) and offset by a baseline in
 * [0.2, 1]. Counts are Poisson samples of the rates, each drawn from its own
 * stream (seed, stimulus, rep, neuron), so they do not depend on loop order.
 * Same parameters and seed -> byte-identical data. */
#ifndef CB_SYNTH_H
#define CB_SYNTH_H

#include <stdint.h>

#include "cb_status.h"

typedef struct cb_synth_v1 {
  int n_stim, size, n_neurons, n_reps;
  double visual_degrees;      /* field of view of the images, 4.0 by default */
  uint8_t *images;            /* (n_stim, size, size) grayscale, 128 = mean luminance */
  char **stimulus_id;         /* (n_stim) "grating_ori022.5_sf2.00_ph090.0", unique */
  double *orientation;        /* (n_stim) degrees in [0,180) */
  double *spatial_frequency;  /* (n_stim) cycles per degree */
  double *phase;              /* (n_stim) degrees in [0,360) */
  double *rates;              /* (n_stim, n_neurons) expected spike counts (noise-free) */
  double *counts;             /* (n_stim, n_reps, n_neurons) Poisson samples of rates */
  /* Ground truth of the neuron model (for tests and sanity checks). */
  double *pref_orientation;   /* (n_neurons) degrees in [0,180), same convention as orientation */
  double *pref_sf;            /* (n_neurons) cycles per degree, log-uniform over the stimulus SF range */
  double *pref_phase;         /* (n_neurons) degrees in [0,360) */
  double *rf_x, *rf_y;        /* (n_neurons) RF centre in degrees from the image centre (x right, y up) */
  double *rf_sigma;           /* (n_neurons) Gaussian envelope sd in degrees */
  int *is_complex;            /* (n_neurons) 1 = complex (energy) cell, 0 = simple cell */
} cb_synth_v1;

typedef struct cb_synth_v1_params {
  int size;              /* image side in pixels */
  int n_orient;          /* orientations k*180/n_orient */
  int n_sf;              /* spatial frequencies, log-spaced over [sf_max/8, sf_max], */
                         /* sf_max = (size/visual_degrees)/4 = half the Nyquist limit */
  int n_phase;           /* phases k*360/n_phase */
  int n_neurons, n_reps;
  double visual_degrees;
} cb_synth_v1_params;

/* size 64, 8 orientations, 4 SFs (0.5, 1, 2, 4 cpd at 16 px/deg), 4 phases ->
 * 128 images, 96 neurons, 6 reps, 4 degrees. */
void cb_synth_v1_defaults(cb_synth_v1_params *p);
/* Stimulus k = (i_orient * n_sf + i_sf) * n_phase + i_phase.
 * CB_ERR_ARG on invalid parameters. *out written only on success. */
cb_status cb_synth_v1_generate(const cb_synth_v1_params *p, uint64_t seed, cb_synth_v1 **out);
void cb_synth_v1_destroy(cb_synth_v1 **d);

#endif

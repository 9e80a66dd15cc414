/* cb_synth_v1set.h - "synthetic-v1": 320 images at 4 deg (64 x 64 gray) and
 * a population of Gabor-energy V1 neurons with divisive normalisation.
 *
 * Stimuli (cb_synth_v1set_stimuli), metadata texture_type, orientation,
 * spatial_frequency, phase (NaN where it does not apply):
 *   grating  8 orientations x 4 SFs (0.5-4 cpd) x 4 phases, contrast 0.8   128
 *   plaid    8 orientations x {45, 90 deg} second component x 4 SFs,
 *            two gratings of contrast 0.4 each, phase 0                    64
 *   texture  oriented 1/f noise: 8 orientations x 2 orientation
 *            concentrations (kappa 1.5 weak, 6 strong) x 8 samples from the
 *            seed, RMS contrast 0.25                                       128
 * all inside the soft circular aperture of gratings-v1 over mean grey 128.
 * Orientation convention as cb_synth.h (0 deg = horizontal bars).
 *
 * Neurons (cb_synth_v1set_population): as gratings-v1 (seeded preferred
 * orientation, log-uniform SF, phase, RF centre within 0.2 deg of the image
 * centre (one recording site), envelope sd, simple or complex), on contrast images x = (pixel - 128) / 127:
 *   e = <w_even, x>, o = <w_odd, x>  (quadrature Gabor pair / envelope sum)
 *   drive = relu(e) (simple) or sqrt(e^2 + o^2) (complex)
 *   pool = mean over 8 orientations x 4 SFs of centred-filter energy
 *   rate = baseline + gain * drive / sqrt(norm_const + pool)
 * gain = peak / (the same response to the neuron's own preferred grating at
 * contrast 0.8), peak log-uniform in [10, 40], baseline in [0.2, 1] spikes per
 * presentation. Responses are Poisson counts of the rates.
 * The zoo's "synthetic-v1-truth" is exactly this rate computation as a graph;
 * the generator gets its rates by running that model on the PNGs it wrote. */
#ifndef CB_SYNTH_V1SET_H
#define CB_SYNTH_V1SET_H

#include <stdint.h>

#include "cb_status.h"
#include "cb_synth_set.h"

#define CB_SYNTH_V1SET_SIZE 64
#define CB_SYNTH_V1SET_DEGREES 4.0
#define CB_SYNTH_V1SET_NEURONS 128
#define CB_SYNTH_V1SET_REPS 10
#define CB_SYNTH_V1SET_POOL 32

typedef struct cb_synth_v1_pop {
  int n_neurons, size, n_pool;
  double visual_degrees, norm_const;
  float *w_even, *w_odd;         /* (n_neurons, size*size) */
  float *pool_even, *pool_odd;   /* (n_pool, size*size) */
  float *simple_mask;            /* (n_neurons) 1 for simple cells, else 0 */
  float *complex_mask;           /* (n_neurons) 1 for complex cells, else 0 */
  float *gain, *baseline;        /* (n_neurons) */
  double *pref_orientation;      /* (n_neurons) degrees [0, 180) */
  double *pref_sf;               /* (n_neurons) cycles per degree */
} cb_synth_v1_pop;

/* The 320 stimuli; images depend on the seed only through the texture samples. */
cb_status cb_synth_v1set_stimuli(uint64_t seed, cb_synth_set **out);
cb_status cb_synth_v1set_population(uint64_t seed, cb_synth_v1_pop **out);
void cb_synth_v1_pop_destroy(cb_synth_v1_pop **p);
/* Reference rates in double precision straight from the images (for tests):
 * rates (n_stim, n_neurons). */
cb_status cb_synth_v1set_rates(const cb_synth_v1_pop *p, const cb_synth_set *s, double *rates);

#endif

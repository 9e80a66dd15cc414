/* cb_zoo_truth.h - internal: zoo builders of the synthetic generators' own
 * response models ("truth" models). Build them with the seed of the dataset
 * they describe: a truth model built with another seed is another population.
 *
 * synthetic-v1-truth: 3 x 64 x 64 input at 4 deg, mean 128/255 and std
 *   127/255 (so the input is the contrast image (pixel - 128) / 127), averaged
 *   over the channels (layer "gray"; the images are gray); layer "rates"
 *   (128) = the Gabor-energy rates of cb_synth_v1set.h.
 * synthetic-it-truth: 3 x 96 x 96 input at 8 deg, same normalisation and "gray";
 *   layers "features" (the hidden CNN, 64) and "rates" (160) = the site
 *   rates of cb_synth_it.h (calibrated on 256 probe images at build time).
 * The synthetic generators (src/bench/cb_generate.c) get their rates by
 * running these models on the PNGs they wrote. */
#ifndef CB_ZOO_TRUTH_H
#define CB_ZOO_TRUTH_H

#include <stdint.h>

#include "cb_nn.h"

cb_status cb__zoo_synthetic_v1_truth(uint64_t seed, cb_model **out);
cb_status cb__zoo_synthetic_it_truth(uint64_t seed, cb_model **out);

#endif

/* cb_synth_truth.h - the synthetic generators' own response models ("truth"
 * models), registered in the model zoo (cb_zoo_register). Build them with the seed of the dataset
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
#ifndef CB_SYNTH_TRUTH_H
#define CB_SYNTH_TRUTH_H

#include "cb_status.h"

/* Adds synthetic-v1-truth and synthetic-it-truth to the zoo (idempotent). Every entry point that opens models by
 * name calls it first (cb_model_open, the generators, the CLI). */
cb_status cb_synth_register_truth_models(void);

#endif

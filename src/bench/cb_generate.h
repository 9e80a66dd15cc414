/* cb_generate.h - writes a synthetic dataset to disk in BrainIO form:
 *   DIR/stimuli.csv, DIR/images/<stimulus_id>.png, DIR/assembly.nc
 * Deterministic: the same (generator, seed) gives the same bytes.
 *
 * Generators:
 *   gratings-v1   the walking skeleton's 128 gratings and 96 Gabor neurons (cb_synth.h)
 *   synthetic-v1  320 gratings, plaids and oriented 1/f textures at 4 deg, 128
 *                 Gabor-energy neurons, Poisson counts, 10 repetitions (cb_synth_v1set.h)
 *   synthetic-it  640 images of 8 categories x 8 objects at variations 0, 3, 6 at
 *                 8 deg, 160 sites of a hidden network + category signal,
 *                 Gaussian noise, 20 repetitions (cb_synth_it.h)
 * The rates of synthetic-v1 and synthetic-it are the outputs (layer "rates")
 * of the zoo models synthetic-v1-truth and synthetic-it-truth built with the
 * same seed, run on the PNG files just written through the same extraction
 * path as any model (cb_extract_block): the truth model reproduces them. */
#ifndef CB_GENERATE_H
#define CB_GENERATE_H

#include <stdint.h>

#include "cb_modality.h"
#include "cb_status.h"
#include "cb_synth_set.h"

typedef struct cb_generator_info {
  const char *name;
  const char *description;
  double stimulus_degrees;
  const char *truth_model; /* zoo model whose layer "rates" is the generator's response model, or NULL */
  cb_modality modality;    /* declared: the stimuli it writes */
} cb_generator_info;

/* The generators (count in *n). */
const cb_generator_info *cb_generators(int *n);
const cb_generator_info *cb_generator_find(const char *name);

/* Writes the dataset into `dir` (created). The assembly is written last,
 * so its presence marks a complete dataset. */
cb_status cb_generate_dataset(const char *name, uint64_t seed, const char *dir);
/* Same, and hands back the dataset in memory (images, metadata, rates,
 * responses, noise model) for validation; *out written only on success. */
cb_status cb_generate_dataset_keep(const char *name, uint64_t seed, const char *dir, cb_synth_set **out);

#endif

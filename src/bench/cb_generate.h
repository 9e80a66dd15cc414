/* cb_generate.h - writes a synthetic dataset to disk in BrainIO form:
 *   DIR/stimuli.csv, DIR/images/<stimulus_id>.png, DIR/assembly.nc
 * Deterministic: the same (generator, seed) gives the same bytes. */
#ifndef CB_GENERATE_H
#define CB_GENERATE_H

#include <stdint.h>

#include "cb_status.h"

typedef struct cb_generator_info {
  const char *name;
  const char *description;
  double stimulus_degrees;
} cb_generator_info;

/* NULL-terminated list of generators. */
const cb_generator_info *cb_generators(int *n);
const cb_generator_info *cb_generator_find(const char *name);

/* Writes the dataset into `dir` (created). The assembly is written last,
 * so its presence marks a complete dataset. */
cb_status cb_generate_dataset(const char *name, uint64_t seed, const char *dir);

#endif

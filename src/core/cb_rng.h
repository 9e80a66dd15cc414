/* cb_rng.h - explicit, seeded random numbers (xoshiro256** seeded through
 * splitmix64). Same seed -> same stream on every rank and every run. */
#ifndef CB_RNG_H
#define CB_RNG_H

#include <stddef.h>
#include <stdint.h>

typedef struct cb_rng {
  uint64_t s[4];
} cb_rng;

void cb_rng_seed(cb_rng *r, uint64_t seed);
/* Independent stream for (seed, stream id), e.g. one per image or neuron. */
void cb_rng_seed_stream(cb_rng *r, uint64_t seed, uint64_t stream);
uint64_t cb_rng_u64(cb_rng *r);
/* Uniform in [0, 1) with 53 random bits. */
double cb_rng_uniform(cb_rng *r);
/* Uniform integer in [0, n), unbiased; n > 0. */
uint64_t cb_rng_below(cb_rng *r, uint64_t n);
/* Standard normal (Box-Muller, one value per call). */
double cb_rng_normal(cb_rng *r);
/* Poisson count with mean lambda >= 0. */
uint64_t cb_rng_poisson(cb_rng *r, double lambda);
/* Fisher-Yates shuffle of idx[0..n-1]. */
void cb_rng_shuffle(cb_rng *r, size_t *idx, size_t n);

#endif

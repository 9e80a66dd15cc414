/* cb_ceiling.h - split-half internal consistency of repeated recordings. */
#ifndef CB_CEILING_H
#define CB_CEILING_H

#include <stddef.h>
#include <stdint.h>

#include "cb_status.h"

/* R: (n_stim, n_rep, q), NaN marks a missing repetition. For each of n_splits (cb_rng seeded with `seed`):
 * shuffle the repetition indices, half A = first n_rep/2, half B = the rest; average each stimulus's non-NaN
 * repetitions within each half (per neuroid; a stimulus with no value in a half is dropped for that neuroid
 * and split); Pearson per neuroid across stimuli; Spearman-Brown 2r/(1+r); median over neuroids skipping NaN.
 * *ceiling = mean over splits, *error = std over splits (ddof 0) / sqrt(n_splits).
 * CB_ERR_NUMERIC "needs at least 2 repetitions" if n_rep < 2. Outputs written only on success. */
cb_status cb_ceiling_split_half(const double *R /* (n_stim, n_rep, q) */, int n_stim, int n_rep, int q,
                                int n_splits, uint64_t seed, double *ceiling, double *error);

/* Mean over the repetitions rep[0..nr-1] of each stimulus and neuroid, NaN
 * skipped (NaN when a stimulus has none). cnt is (q) scratch. */
void cb_ceiling_half_mean(const double *R /* (n_stim, n_rep, q) */, int n_stim, int n_rep, int q,
                          const size_t *rep /* (nr) */, int nr, double *H /* (n_stim, q) */, int *cnt /* (q) */);

#endif

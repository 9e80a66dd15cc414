/* cb_bootstrap.h - seeded bootstrap confidence intervals over stimuli for any score. */
#ifndef CB_BOOTSTRAP_H
#define CB_BOOTSTRAP_H

#include <stdint.h>

#include "cb_status.h"

/* A score on a resample: idx (n) holds stimulus indices in [0, n) drawn with replacement (repeats allowed).
 * Writes *score (NaN allowed: that replicate is skipped); a non-OK status aborts the bootstrap. */
typedef cb_status (*cb_score_fn)(const int *idx /* (n) */, int n, void *ctx, double *score);

/* scores[b] for b < n_boot: replicate b draws n stimuli uniformly with replacement from the cb_rng stream
 * (seed, b), so a replicate does not depend on the others (they can be split across ranks). */
cb_status cb_bootstrap_scores(int n_stimuli, int n_boot, uint64_t seed, cb_score_fn fn, void *ctx,
                              double *scores /* (n_boot) */);

/* q-quantile (0 <= q <= 1) of the non-NaN values of v with linear interpolation between order statistics
 * (numpy.quantile's default 'linear' method); NaN if none. */
double cb_quantile_skipnan(const double *v /* (n) */, int n, double q);

/* Percentile interval [lo, hi] = quantiles alpha/2 and 1 - alpha/2 of the bootstrap scores (0 < alpha < 1).
 * CB_ERR_NUMERIC if fewer than half of the replicates give a finite score. n_stimuli >= 2, n_boot >= 2.
 * *lo, *hi written only on success. */
cb_status cb_bootstrap_ci(int n_stimuli, int n_boot, uint64_t seed, double alpha, cb_score_fn fn, void *ctx,
                          double *lo, double *hi);

#endif

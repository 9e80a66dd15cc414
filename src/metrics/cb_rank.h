/* cb_rank.h - rank correlations: Spearman (average ranks for ties) and Kendall tau-a (O(n log n)). */
#ifndef CB_RANK_H
#define CB_RANK_H

#include <stddef.h>

#include "cb_status.h"

/* ord (m): indices that sort v ascending (ties by index). CB_ERR_NUMERIC on NaN. */
cb_status cb_rank_order(const double *v /* (m) */, size_t m, size_t *ord /* (m) */);

/* 1-based ranks of x, ties get the mean of the ranks they span (scipy.stats.rankdata 'average').
 * CB_ERR_NUMERIC if x holds a NaN, CB_ERR_ARG if n < 1. */
cb_status cb_rank_average(const double *x /* (n) */, size_t n, double *ranks /* (n) */);

/* Spearman rho = Pearson r of the average ranks of a and b (equals scipy.stats.spearmanr).
 * *rho = NaN (status CB_OK) when a or b is constant; CB_ERR_ARG if n < 2; CB_ERR_NUMERIC on NaN input. */
cb_status cb_spearman(const double *a /* (n) */, const double *b /* (n) */, size_t n, double *rho);

/* Kendall tau-a = (C - D) / (n (n - 1) / 2): C, D = concordant / discordant pairs; a pair tied in a or in b
 * counts as neither (unlike tau-b, the denominator is not reduced for ties). O(n log n): sort by (a, b), count
 * discordant pairs as strict inversions of b by merge sort, then C = n0 - ties_a - ties_b + ties_ab - D.
 * CB_ERR_ARG if n < 2; CB_ERR_NUMERIC on NaN input. */
cb_status cb_kendall_tau_a(const double *a /* (n) */, const double *b /* (n) */, size_t n, double *tau);

#endif

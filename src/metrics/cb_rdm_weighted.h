/* cb_rdm_weighted.h - RDM comparisons over a multiset of pairs given by
 * integer weights: a bootstrap replicate that draws stimulus s c_s times
 * holds pair (s, t), s != t, c_s c_t times. Ranking the full vectors once and
 * weighting them per replicate costs O(m) per replicate instead of a sort of
 * the expanded multiset; the values equal the expanded computation's (up to
 * the order of the additions). */
#ifndef CB_RDM_WEIGHTED_H
#define CB_RDM_WEIGHTED_H

#include <stddef.h>

#include "cb_rank.h" /* cb_rank_order */
#include "cb_rdm.h"
#include "cb_status.h"


/* r[p] = the average rank (1-based, ties averaged, scipy 'average') of the copies of v[p] in the multiset
 * holding w[p] copies of each v[p]; entries with w[p] = 0 are left untouched. ord from cb_rank_order(v) (cb_rank.h). */
void cb_rank_weighted(const double *v /* (m) */, const size_t *ord /* (m) */, const double *w /* (m) */, size_t m,
                      double *r /* (m) */);

/* Pearson r of a and b over the multiset (weights w >= 0); NaN when either is constant or the weight sum is 0. */
double cb_pearson_weighted(const double *a /* (m) */, const double *b /* (m) */, const double *w /* (m) */, size_t m);

/* The comparison k of the multisets: spearman (ranks through oa, ob into scratch ra, rb), pearson or cosine.
 * Kendall tau-a: CB_ERR_UNSUPPORTED (compare the expanded vectors instead). */
cb_status cb_rdm_compare_weighted(const double *a /* (m) */, const size_t *oa /* (m) */, const double *b /* (m) */,
                                  const size_t *ob /* (m) */, const double *w /* (m) */, size_t m,
                                  cb_rdm_compare_kind k, double *ra /* (m) */, double *rb /* (m) */, double *out);

#endif

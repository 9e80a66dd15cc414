/* cb_rsa.h - RSA inter-subject noise ceiling (Nili et al. 2014). */
#ifndef CB_RSA_H
#define CB_RSA_H

#include <stddef.h>

#include "cb_rdm.h"
#include "cb_status.h"

/* V: S subject RDM vectors (e.g. upper triangles, cb_rdm_upper), m entries each, S >= 2, no NaN.
 * Each vector is first normalised for the comparison k, as rsatoolbox's pool_rdm does before averaging:
 * Spearman / Kendall tau-a -> average ranks; Pearson -> z-score (population std); cosine -> divided by its RMS.
 * upper = mean_s cmp(V_s, mean of all S normalised vectors); lower = mean_s cmp(V_s, mean of the other S-1)
 * (leave one subject out), cmp = cb_rdm_compare_vec(k). A NaN comparison (constant vector) -> CB_ERR_NUMERIC.
 * Outputs written only on success. */
cb_status cb_rsa_ceiling(const double *V /* (S, m) */, int S, size_t m, cb_rdm_compare_kind k, double *upper,
                         double *lower);

/* Same on square RDMs (S, n, n): upper triangles are extracted first. */
cb_status cb_rsa_ceiling_rdms(const double *R /* (S, n, n) */, int S, int n, cb_rdm_compare_kind k, double *upper,
                              double *lower);

#endif

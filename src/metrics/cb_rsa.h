/* cb_rsa.h - RSA inter-subject noise ceiling (Nili et al. 2014) and grouping of session RDMs by subject. */
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
 * This is rsatoolbox's boot_noise_ceiling (inference/noise_ceiling.py) with pool_rdm (util/inference_util.py);
 * agreement to 1e-6 on the Kriegeskorte 2008 data: tests/cli/rsa_nili.sh. Subjects, not sessions: group session
 * RDMs with cb_rsa_group_subjects first.
 * Outputs written only on success. */
cb_status cb_rsa_ceiling(const double *V /* (S, m) */, int S, size_t m, cb_rdm_compare_kind k, double *upper,
                         double *lower);

/* Same on square RDMs (S, n, n): upper triangles are extracted first. */
cb_status cb_rsa_ceiling_rdms(const double *R /* (S, n, n) */, int S, int n, cb_rdm_compare_kind k, double *upper,
                              double *lower);

/* Sessions -> subjects: RDMs whose subject names are equal (strcmp) are sessions of one subject and are averaged
 * (float64, summed in input order, then divided by the count). out (G, n, n), malloc'd (free() it), holds the
 * subjects in order of first appearance; *n_groups = G. subject == NULL means every RDM is its own subject
 * (G = S, a copy). rdms (S, n, n) may be any (S, m) block of S vectors of n * n values; S >= 1, n >= 1.
 * CB_ERR_ARG on a NULL rdms / out / n_groups or a NULL name. Outputs written only on success.
 * Example: names BE, KO, BE, KO -> out[0] = (R0 + R2) / 2, out[1] = (R1 + R3) / 2, G = 2. */
cb_status cb_rsa_group_subjects(const double *rdms /* (S, n, n) */, char *const *subject /* (S) or NULL */, int S,
                                int n, double **out /* (G, n, n) */, int *n_groups);

#endif

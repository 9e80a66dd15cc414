/* cb_ceiling_sim.h - split-half ceilings for the similarity metrics (RSA
 * and CKA): the repetitions are split in random halves as for the internal
 * consistency; the two half-mean response matrices are compared with the
 * metric itself (RDM comparison, or CKA) and Spearman-Brown corrected,
 * 2s/(1+s); ceiling = mean over splits, error = std (ddof 0)/sqrt(splits).
 * Stimuli missing from either half in a split are left out of that split. */
#ifndef CB_CEILING_SIM_H
#define CB_CEILING_SIM_H

#include <stdint.h>

#include "cb_cka.h"
#include "cb_rdm.h"
#include "cb_status.h"

cb_status cb_ceiling_split_half_rdm(const double *R /* (n_stim, n_rep, q) */, int n_stim, int n_rep, int q,
                                    int n_splits, uint64_t seed, cb_rdm_distance d, cb_rdm_compare_kind k,
                                    double *ceiling, double *error);

cb_status cb_ceiling_split_half_cka(const double *R /* (n_stim, n_rep, q) */, int n_stim, int n_rep, int q,
                                    int n_splits, uint64_t seed, cb_cka_estimator e, double *ceiling,
                                    double *error);

#endif

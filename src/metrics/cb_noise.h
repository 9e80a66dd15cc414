/* cb_noise.h - voxel-wise noise correction of prediction scores (Kell et al. 2018, as in Tuckute et al. 2023,
 * "Many but not all deep neural network audio models capture brain responses ...", PLoS Biol). */
#ifndef CB_NOISE_H
#define CB_NOISE_H

#include "cb_status.h"

/* Floors and limits of the correction. cb_noise_params_default gives Tuckute et al.'s values. */
typedef struct cb_noise_params {
  double floor_data;    /* lower bound on the corrected reliability of the data (0.182 in Tuckute et al.) */
  double floor_pred;    /* lower bound on the corrected reliability of the predictions (0.183) */
  double clip_max;      /* upper bound on the corrected r^2 (1.0; INFINITY = no clipping, as in their code) */
  int zero_negative_r;  /* 1: r < 0 counts as r = 0 before squaring (their code does this); 0: keep r^2 */
} cb_noise_params;

void cb_noise_params_default(cb_noise_params *p);

/* Split-half reliability per neuroid of repeated measurements Y (or of predictions of models each fitted on one
 * repetition): median over the pairs of repetitions (a < b) of Pearson r(Y[:, a, v], Y[:, b, v]) across stimuli
 * (NaN pairs skipped), then Spearman-Brown to the mean of all n_rep: n_rep r / (1 + (n_rep - 1) r).
 * rel[v] = NaN when every pair is undefined (constant responses). No floor here. n_stim >= 3, n_rep >= 2. */
cb_status cb_noise_reliability(const double *Y /* (n_stim, n_rep, q) */, int n_stim, int n_rep, int q,
                               double *rel /* (q) */);

/* Noise-corrected explained variance per neuroid:
 * r2c[v] = min(clip_max, r'^2 / (max(rel_data[v], floor_data) * max(rel_pred[v], floor_pred))),
 * r' = max(r[v], 0) if zero_negative_r else r[v]; a NaN reliability takes the floor (as numpy.nanmax does);
 * NaN r -> NaN. params NULL = defaults. CB_ERR_ARG if a floor is not > 0. */
cb_status cb_noise_correct(const double *r /* (q) */, const double *rel_data /* (q) */,
                           const double *rel_pred /* (q) */, int q, const cb_noise_params *params,
                           double *r2c /* (q) */);

#endif

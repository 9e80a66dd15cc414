/* cb_voxel.h - the `ceiling = voxel` scoring of a regression benchmark: voxel-wise noise correction
 * (Kell et al. 2018 as in Tuckute et al. 2023, github.com/gretatuckute/auditory_brain_dnn). Pure computation on
 * arrays (no MPI, no files). */
#ifndef CB_VOXEL_H
#define CB_VOXEL_H

#include "cb_noise.h"
#include "cb_predictivity.h"
#include "cb_splits.h"
#include "cb_status.h"

typedef struct cb_voxel_result {
  double score;                    /* median over splits of the split scores (noise-corrected r^2) */
  double error;                    /* std of the split scores (ddof 0) / sqrt(n_splits), as cb_cv_regress */
  double raw;                      /* median over splits of the median over neuroids of the test Pearson r */
  int n_splits;
  double per_split[CB_MAX_SPLITS]; /* (n_splits) median over neuroids (NaN skipped) of the corrected r^2 */
} cb_voxel_result;

/* Per split k of `splits`: the regression `opts` (its predictions field is ignored) fitted on the
 * repetition-averaged responses `mean` gives test predictions and Pearson r per neuroid; one more fit per
 * repetition (targets = that repetition only) gives n_rep prediction "repetitions" on the test stimuli;
 * rel_data = cb_noise_reliability of the test stimuli's repetitions, rel_pred = that of the predictions;
 * r2c = cb_noise_correct(r, rel_data, rel_pred, params); split score = median over neuroids (NaN skipped).
 * reps must be complete (no NaN: every stimulus has all n_rep repetitions); n_rep >= 2; every split needs
 * >= 3 test stimuli. params NULL = cb_noise_params_default. */
cb_status cb_voxel_score(const float *X /* (n, p) */, int n, int p, const double *reps /* (n, n_rep, q) */,
                         const double *mean /* (n, q) */, int n_rep, int q, const cb_splits *splits,
                         const cb_regress_opts *opts, const cb_noise_params *params, cb_voxel_result *out);

#endif

/* cb_predictivity.h - cross-validated PLS predictivity and ceiling normalisation. */
#ifndef CB_PREDICTIVITY_H
#define CB_PREDICTIVITY_H

#include "cb_splits.h"
#include "cb_status.h"

typedef enum cb_normalise { CB_NORM_R2_OVER_C = 0, CB_NORM_R_OVER_C_SQUARED, CB_NORM_R_OVER_C } cb_normalise;

/* "r2/c", "(r/c)^2", "r/c" -> mode; anything else CB_ERR_ARG. */
cb_status cb_normalise_parse(const char *s, cb_normalise *out);
/* Inverse of cb_normalise_parse ("?" for an invalid mode). */
const char *cb_normalise_name(cb_normalise m);
/* r^2/c, (r/c)^2 or r/c; no clipping (NaN/inf pass through). */
double cb_ceil_score(double raw, double ceiling, cb_normalise mode);

#define CB_MAX_SPLITS 1000
typedef struct cb_cv_result {
  double raw;                      /* mean over splits of the median (over neuroids, NaN skipped) test Pearson r */
  double error;                    /* std of the split medians (ddof 0) / sqrt(n_splits) */
  int n_splits;
  double per_split[CB_MAX_SPLITS]; /* (n_splits) median r of each split */
  int n_nan_neuroids;              /* neuroids whose r was NaN (constant) in at least one split */
} cb_cv_result;

/* For each split: fit PLS (max_iter 500, tol 1e-6) on the training rows of X (converted to double) and Y,
 * predict the test rows, Pearson per neuroid between predicted and actual test responses, median over
 * neuroids. Memory: one double copy of the training rows and one of the test rows, reused across splits.
 * *out written only on success. */
cb_status cb_pls_cv(const float *X /* (n, p) */, int n, int p, const double *Y /* (n, q) */, int q,
                    const cb_splits *splits, int n_components, cb_cv_result *out);

#endif

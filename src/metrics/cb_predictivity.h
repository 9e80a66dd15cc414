/* cb_predictivity.h - cross-validated PLS predictivity and ceiling normalisation. */
#ifndef CB_PREDICTIVITY_H
#define CB_PREDICTIVITY_H

#include "cb_kernel.h"
#include "cb_splits.h"
#include "cb_status.h"

typedef enum cb_normalise { CB_NORM_R2_OVER_C = 0, CB_NORM_R_OVER_C_SQUARED, CB_NORM_R_OVER_C } cb_normalise;

/* "r2/c", "(r/c)^2", "r/c" -> mode; anything else CB_ERR_ARG. */
cb_status cb_normalise_parse(const char *s, cb_normalise *out);
/* Inverse of cb_normalise_parse ("?" for an invalid mode). */
const char *cb_normalise_name(cb_normalise m);
/* r^2/c, (r/c)^2 or r/c with the sign of raw: sign(r) r^2/c, sign(r) (r/c)^2, sign(r) |r/c| (a negative raw
 * value never gives a positive ceiled score, even with a negative ceiling); no clipping (NaN/inf pass through). */
double cb_ceil_score(double raw, double ceiling, cb_normalise mode);

#define CB_MAX_SPLITS 1000
typedef struct cb_cv_result {
  double raw;                      /* mean over splits of the median (over neuroids, NaN skipped) test Pearson r;
                                      splits whose median is undefined are skipped (NaN only when all are) */
  double error;                    /* std of the split medians (ddof 0) / sqrt(n_splits) */
  int n_splits;
  double per_split[CB_MAX_SPLITS]; /* (n_splits) median r of each split */
  int n_nan_neuroids;              /* neuroids whose response was constant on the test stimuli of at least one
                                      split (r undefined: skipped by that split's median) */
  int n_nan_split[CB_MAX_SPLITS];  /* (n_splits) such neuroids of each split */
  int n_const_pred;                /* neuroids whose prediction was constant on some split's test stimuli: r = 0
                                      there (a constant prediction explains nothing) */
  int n_skipped_splits;            /* splits on which no neuroid's response varied (left out of raw) */
  int n_undefined_rows;            /* rdm: most stimuli of one RDM whose distance was undefined (taken as 1) */
  int n_undefined_splits;          /* rdm, cka: comparisons that were undefined (constant RDM or representation):
                                      taken as 0 */
  int kernel_form;                 /* 1 if the kernel (n x n) form was used, 0 for the primal form */
} cb_cv_result;

typedef enum cb_regress_kind {
  CB_REG_PLS = 0,       /* PLSRegression(n_components, scale=False) */
  CB_REG_RIDGE,         /* Ridge(alpha) */
  CB_REG_RIDGECV,       /* RidgeCV(alphas, alpha_per_target), efficient LOO */
  CB_REG_LINEAR,        /* LinearRegression (min-norm least squares) */
  CB_REG_NEURON2NEURON  /* best single feature per neuroid */
} cb_regress_kind;

typedef enum cb_regress_form {
  CB_FORM_AUTO = 0, /* PLS: kernel when p > n_train, else primal; ridge: kernel; OLS, n2n: primal */
  CB_FORM_PRIMAL,   /* PLS only (NIPALS on X) */
  CB_FORM_KERNEL    /* PLS or ridge */
} cb_regress_form;

typedef struct cb_regress_opts {
  cb_regress_kind kind;
  cb_regress_form form;
  int n_components;     /* PLS, default 25 */
  int max_iter;         /* primal PLS NIPALS, default 500 */
  double tol;           /* primal PLS NIPALS, default 1e-6 */
  double alpha;         /* RIDGE, default 1 */
  const double *alphas; /* (n_alphas) RIDGECV grid; NULL = Brain-Score's 99 values (cb_brainscore_alphas) */
  int n_alphas;
  int alpha_per_target; /* RIDGECV: choose alpha per neuroid (1) or one shared alpha (0, default) */
  double *predictions;  /* optional output (n_splits, splits->n_test, q): test-row predictions of every split
                           (row i of split k at (k * n_test + i) * q; NaN for neuroids left out); NULL = none */
  double *neuroid_r;    /* optional output (n_splits, q): each neuroid's test Pearson r on each split, as the split
                           medians use them (NaN: undefined or left out; 0: constant prediction); NULL = none */
} cb_regress_opts;

/* Defaults listed above for `kind`. */
void cb_regress_opts_default(cb_regress_kind kind, cb_regress_opts *o);
/* Name of a kind ("pls", "ridge", "ridgecv", "linear", "neuron2neuron"); "?" when invalid. */
const char *cb_regress_kind_name(cb_regress_kind k);
/* Inverse of cb_regress_kind_name; CB_ERR_ARG for anything else. */
cb_status cb_regress_kind_parse(const char *s, cb_regress_kind *out);

/* Cross-validated predictivity. Per split k: centre on its training rows, fit on train, predict test rows,
 * Pearson r per neuroid across test stimuli, median over neuroids skipping NaN (constant predictions or
 * responses; counted in n_nan_split). raw = mean of split medians, error = std (ddof 0) / sqrt(n_splits).
 * Kernel form: `kernel` (K of this X) may be given to share one K between calls; NULL = built here from X and
 * freed. PLS fits every split in one batched pass (cb_pls_kernel_multi) on K in its original order (a kernel left
 * re-arranged is restored first); ridge re-arranges K in place per split. X may be NULL when a kernel is given and the kernel form is used.
 * Neuroids with any non-finite response are left out of every fit and count as NaN in every split.
 * Each split's result depends only on that split (not on the order splits are processed). Errors: splits for
 * another stimulus count or a split with fewer than 2 test stimuli (CB_ERR_ARG / CB_ERR_NUMERIC).
 * *out written only on success. */
cb_status cb_cv_regress(const float *X /* (n, p) or NULL */, int n, int p, const double *Y /* (n, q) */, int q,
                        const cb_splits *splits, const cb_regress_opts *opts, cb_kernel *kernel /* or NULL */,
                        cb_cv_result *out);

/* cb_cv_regress with PLS(n_components), automatic form: NIPALS (max_iter 500, tol 1e-6) on a double copy of
 * the rows when p <= n_train, kernel form (K = X X', n x n double) when p > n_train. */
cb_status cb_pls_cv(const float *X /* (n, p) */, int n, int p, const double *Y /* (n, q) */, int q,
                    const cb_splits *splits, int n_components, cb_cv_result *out);

#endif

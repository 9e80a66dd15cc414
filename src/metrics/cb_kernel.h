/* cb_kernel.h - per-layer linear kernel K = Xc Xc' (n x n, double) shared by every CV split.
 *
 * Xc is X minus its column means over ALL n stimuli: centring a kernel on any training subset is invariant
 * to that shift, and it keeps K's entries small so the per-split centring loses no precision. The kernel
 * can be re-arranged in place (a symmetric permutation of rows and columns) so that a split's training
 * stimuli occupy the leading block and its test stimuli the next rows: the kernel regressions then read
 * K(train, train) and K(test, train) as sub-matrices with leading dimension n, without copies. */
#ifndef CB_KERNEL_H
#define CB_KERNEL_H

#include "cb_status.h"

typedef struct cb_kernel cb_kernel;

/* K = (X - 1 xbar')(X - 1 xbar')' accumulated in double from float X, converting CB_KERNEL_BLOCK features
 * at a time (memory: K + one (n, block) double block). CB_ERR_NUMERIC on a non-finite X value. */
#define CB_KERNEL_BLOCK 256
cb_status cb_kernel_create(const float *X /* (n, p) */, int n, int p, cb_kernel **out);
void cb_kernel_destroy(cb_kernel **k);
int cb_kernel_n(const cb_kernel *k);
int cb_kernel_p(const cb_kernel *k);
/* Current arrangement: (n, n) row-major, entry (i, j) = K(order[i], order[j]). */
const double *cb_kernel_data(const cb_kernel *k);
/* (n) original stimulus index at each position. */
const int *cb_kernel_order(const cb_kernel *k);
/* Re-arrange so that positions 0..n_first-1 hold stimuli first[0..n_first-1] (in that order), followed by
 * the remaining stimuli in ascending order. first: distinct indices in [0, n), else CB_ERR_ARG.
 * O(n^2) memory traffic, one (n) row buffer. The result depends only on `first`, not on earlier calls. */
cb_status cb_kernel_arrange(cb_kernel *k, const int *first /* (n_first) */, int n_first);

/* Centring terms of a split's kernel blocks (K as in cb_pls_kernel_fit_predict: training rows/columns first,
 * m test rows after, leading dimension ldk): r_i = mean_j K(i, j) over training j (n), mte_i the same for the
 * test rows (m), mu = mean(r). Then Kc = K - r1' - 1r' + mu 11' and Kc(test, train) = K - mte 1' - 1 r' + mu. */
/* One fit of a batched kernel regression (cb_pls_kernel_multi, cb_ridge_kernel_multi): the rows of K (and of Y)
 * to fit on and the rows to predict. Inputs: train, n_train, test, n_test, dual (optional). Outputs: Yhat, dual,
 * n_used (PLS components actually fitted). */
typedef struct cb_kernel_split {
  const int *train; /* (n_train) distinct row indices of K and Y */
  int n_train;
  const int *test;  /* (n_test) row indices of K to predict */
  int n_test;
  double *Yhat;     /* (n_test, q) predictions */
  double *dual;     /* (n_train, q) or NULL: Yhat = Kc(test, train) dual + ybar, sklearn coef_ = Xc(train)' dual */
  int n_used;       /* PLS: components fitted */
} cb_kernel_split;

void cb_kernel_train_means(const double *K /* (n + m, ldk) */, int ldk, int n, int m, double *r /* (n) */,
                           double *mte /* (m) */, double *mu);

#endif

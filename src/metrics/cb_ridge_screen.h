/* cb_ridge_screen.h - internal to cb_metrics: fast screening of a RidgeCV alpha grid.
 *
 * The dual coefficients of every alpha are C(a) = Q' diag(w_a) Q'Y with w_a(k) = 1 / (lam_k + alpha_a): one
 * n x n x q product per alpha, the cost that dominates RidgeCV after the eigendecomposition. The weight matrix
 * W (n_alphas, n), rows scaled to unit norm, is a Cauchy-like matrix of low numerical rank R (typically 15-30
 * for a 99-value grid, far below n_alphas), so W ~ coef Vt with Vt (R, n): then C(a) ~ sum_r coef(a, r) B_r,
 * B_r = Q' diag(Vt_r) Q'Y, which costs R products instead of n_alphas. The result only ranks the alphas;
 * cb_ridge.c recomputes the leave-one-out errors of the best candidates exactly (see cb_ridge.h). */
#ifndef CB_RIDGE_SCREEN_H
#define CB_RIDGE_SCREEN_H

#include "cb_ridge.h"
#include "cb_status.h"

/* Singular values below the tolerance * the largest are dropped from the approximation of W. Double precision:
 * 1e-9 (rank ~23 for the 99 Brain-Score alphas on a 2592-sample kernel, relative error of the screened LOO errors
 * ~1e-9). Single precision (the products in float, errors summed in double; about 2x faster per product): 1e-6
 * (rank ~16; relative error ~2e-7 on the benchmark's data, more on badly conditioned kernels, which the caller's
 * exact check catches: it then screens again in double). */
#define CB_RIDGE_SCREEN_TOL 1e-9
#define CB_RIDGE_SCREEN_TOL_SINGLE 1e-6

/* Approximate squared leave-one-out residuals summed over training samples:
 * err[a][j] ~ sum_i (C(a)[i][j] / D[a][i])^2, C(a) as above, E rows = eigenvectors (Q' = E'), QtY = E Yc,
 * D (n_alphas, n) = diag of Q diag(w_a) Q' (exact, from the caller). single: products in float (see above).
 * rank: R used (may be NULL). Memory: about 3 n_alphas n + (R + 16) 256 q + 256 n doubles (+ n n + n q floats).*/
cb_status cb_ridge__screen(const double *E /* (n, n) */, const double *W /* (n_alphas, n) */,
                           const double *QtY /* (n, q) */, const double *D /* (n_alphas, n) */, int n, int q,
                           int n_alphas, int single, double *err /* (n_alphas, q) */, int *rank);

/* The fit itself (cb_ridge_kernel_fit_predict is screen = 1); screen = 0 evaluates every alpha exactly.
 * screened (optional): 1 when the screen chose the alphas, 0 when every alpha was evaluated exactly (screen off,
 * fewer than 3 alphas, or the exact check of the candidates found the approximation too coarse). Tests compare the
 * two paths. */
cb_status cb_ridge__fit_predict(cb_ridge_ws *ws /* or NULL */, const double *K, int ldk, int n, int m, const double *Y, int q,
                                const double *alphas, int n_alphas, int per_target, int screen, double *Yhat,
                                double *alpha_out, double *dual, int *screened);

#endif

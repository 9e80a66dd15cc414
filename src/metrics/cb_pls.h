/* cb_pls.h - PLS2 regression with scikit-learn PLSRegression(scale=False) semantics (the Brain-Score
 * mapping: 25 components). Centre X and Y on the fitting data; for each component the NIPALS power method
 * gives the x weights w (start: first column of the Y residual that is not all ~0; stop when
 * |w - w_old|^2 < tol or after max_iter); t = X w; p = X't/t't, q = Y't/t't; X -= t p', Y -= t q'.
 * Stops early (fewer components) when the Y residual is ~constant. coef = W pinv(P'W) Q'.
 * prediction = (X - xmean) coef + ymean. */
#ifndef CB_PLS_H
#define CB_PLS_H

#include "cb_kernel.h"
#include "cb_status.h"

typedef struct cb_pls cb_pls;

/* X and Y are not modified. n_components must be in [1, p] (the sklearn bound); max_iter >= 1 (sklearn 500),
 * tol >= 0 (sklearn 1e-6). Non-finite inputs: CB_ERR_NUMERIC. */
cb_status cb_pls_fit(const double *X /* (n, p) */, const double *Y /* (n, q) */, int n, int p, int q,
                     int n_components, int max_iter, double tol, cb_pls **out);
/* Same, but uses X and Y as workspace: once the arguments are validated their content is overwritten
 * (centred and deflated). Saves one copy of X. */
cb_status cb_pls_fit_inplace(double *X /* (n, p) */, double *Y /* (n, q) */, int n, int p, int q,
                             int n_components, int max_iter, double tol, cb_pls **out);
cb_status cb_pls_predict(const cb_pls *model, const double *X /* (m, p) */, int m, double *Yhat /* (m, q) */);
/* Regression coefficients (p, q) row-major (= sklearn 1.2 coef_), and the sizes. */
const double *cb_pls_coef(const cb_pls *m, int *p, int *q);
/* Components actually fitted (< requested when the Y residual became constant). */
int cb_pls_n_components(const cb_pls *m);
void cb_pls_destroy(cb_pls **m);

/* Kernel-form PLS2 (same model as cb_pls_fit with fully converged NIPALS weights), for n < p.
 * K holds a linear kernel X X' (any constant shift of X's rows allowed): rows 0..n-1 / columns 0..n-1 are the
 * training stimuli, rows n..n+m-1 (columns 0..n-1) the test stimuli; leading dimension ldk >= n.
 * Kc = C K C (C = I - 11'/n, training means); Yc = Y - ybar. Component k: c = top eigenvector of
 * M = Yk' Kk Yk (q x q, Lanczos), a = Yk c = Yc c - T(T'Yc)c, t = (I - TT') Kc a / |.| (orthonormal scores),
 * v = (I - TT') Kc t, M -= g z' + z g' - (t'v) z z' with z = Yc't, g = Yc'v (the deflations Yk = (I - TT')Yc and
 * Kk = (I - TT')Kc(I - TT') stay implicit: two kernel mat-vecs per component, no (n, q) state).
 * Predictions Yhat = Kc(test, train) A (T' Kc A)^+ T' Yc + ybar (W = Xc'A, P'W = T'Kc A up to diagonal
 * scalings). Stops early (fewer components) when Y is constant or Yk'KkYk vanishes (top eigenvalue <= 1e-13 x the
 * first one). dual (optional): beta (n, q) with Yhat = Kc(test, train) beta + ybar, so that sklearn's
 * coef_ = Xc' beta. A wrapper of cb_pls_kernel_multi with one split. */
cb_status cb_pls_kernel_fit_predict(const double *K /* (n + m, ldk) */, int ldk, int n, int m,
                                    const double *Y /* (n, q) */, int q, int n_components,
                                    double *Yhat /* (m, q) */, double *dual /* (n, q) or NULL */,
                                    int *n_used /* or NULL */);

/* The same kernel PLS for several fits (CV splits) sharing one kernel: K (N, ldk) symmetric over its first ncols
 * columns (ncols == N: the full kernel; ncols < N: only columns 0..ncols-1 are read and every training row must be
 * < ncols); Y (N, q) (only each split's training rows enter its fit, up to rounding). Per component, the K products
 * of all splits are one GEMM with the vectors held as length-N columns (0 off the training rows), and the per-split
 * centring is the rank-2 correction Kc x = K x - r 1'x - 1 r'x + mu 1 1'x (r = K(:, train) 1 / n). With ncols == N,
 * Yc'KcYc comes from one shared K Y and test-block corrections. Each split's result is independent of the other
 * splits up to rounding: bitwise with BLAS kernels whose GEMM rows do not depend on the matrix shape (OpenBLAS
 * SkylakeX), within ~1e-12 relative otherwise (OpenBLAS Haswell). A scoring task always batches the same splits, so
 * scores never depend on the number of ranks. Errors name the split. */
cb_status cb_pls_kernel_multi(const double *K /* (N, ldk) */, int ldk, int N, int ncols, const double *Y /* (N, q) */,
                              int q, int n_components, cb_kernel_split *splits /* (n_splits) */, int n_splits);

#endif

/* cb_ridge.h - ridge regression and RidgeCV (efficient leave-one-out / GCV) in kernel form, with
 * scikit-learn Ridge / RidgeCV(fit_intercept=True) semantics. */
#ifndef CB_RIDGE_H
#define CB_RIDGE_H

#include "cb_status.h"

#define CB_BRAINSCORE_N_ALPHAS 99
/* Brain-Score's RidgeCV grid: 0.01, 0.1, 0.5, 1; linspace(10, 100, 4, endpoint=False); linspace(10^k, 10^(k+1),
 * 18, endpoint=False) for k = 2..5; linspace(1e6, 1e7, 19). linspace(a, b, m) = a + i (b - a) / div. */
void cb_brainscore_alphas(double out[CB_BRAINSCORE_N_ALPHAS]);

/* K as in cb_pls_kernel_fit_predict: rows/columns 0..n-1 training, rows n..n+m-1 test, leading dim ldk >= n.
 * G = Kc + 11' = Q diag(lam) Q' (one eigendecomposition serves every alpha); the eigenvector most aligned
 * with 1 is the intercept direction and gets weight 0, the others w = 1/(lam + alpha).
 * dual c(alpha) = Q diag(w) Q' Yc; LOO residual e = c / diag(Q diag(w) Q') (sklearn _RidgeGCV, eigen mode).
 * n_alphas == 1: plain Ridge with that alpha (no LOO). n_alphas > 1: alpha chosen by the smallest mean squared
 * LOO error, per target (per_target != 0) or summed over targets; ties keep the earlier alpha in the list.
 * Yhat = Kc(test, train) c + ybar (= sklearn predict). alpha_out (q): chosen alpha of each target (optional);
 * dual (n, q): c (optional; sklearn coef_ = Xc' c). alphas must be > 0 and finite. */
cb_status cb_ridge_kernel_fit_predict(const double *K /* (n + m, ldk) */, int ldk, int n, int m,
                                      const double *Y /* (n, q) */, int q, const double *alphas /* (n_alphas) */,
                                      int n_alphas, int per_target, double *Yhat /* (m, q) */,
                                      double *alpha_out /* (q) or NULL */, double *dual /* (n, q) or NULL */);

/* The two n x n matrices of the eigendecomposition, kept between fits: the splits of one cross-validation reuse
 * them instead of mapping and faulting in ~2 x 54 MB of fresh pages per split (n = 2592). NULL-safe destroy. */
typedef struct cb_ridge_ws cb_ridge_ws;
cb_status cb_ridge_ws_create(cb_ridge_ws **out);
void cb_ridge_ws_destroy(cb_ridge_ws **ws);
/* cb_ridge_kernel_fit_predict with the matrices in ws (grown as needed); the same results. */
cb_status cb_ridge_kernel_fit_predict_ws(cb_ridge_ws *ws, const double *K /* (n + m, ldk) */, int ldk, int n, int m,
                                         const double *Y /* (n, q) */, int q, const double *alphas /* (n_alphas) */,
                                         int n_alphas, int per_target, double *Yhat /* (m, q) */,
                                         double *alpha_out /* (q) or NULL */, double *dual /* (n, q) or NULL */);

#endif

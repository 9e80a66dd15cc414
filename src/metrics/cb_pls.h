/* cb_pls.h - PLS2 regression with scikit-learn PLSRegression(scale=False) semantics (the Brain-Score
 * mapping: 25 components). Centre X and Y on the fitting data; for each component the NIPALS power method
 * gives the x weights w (start: first column of the Y residual that is not all ~0; stop when
 * |w - w_old|^2 < tol or after max_iter); t = X w; p = X't/t't, q = Y't/t't; X -= t p', Y -= t q'.
 * Stops early (fewer components) when the Y residual is ~constant. coef = W pinv(P'W) Q'.
 * prediction = (X - xmean) coef + ymean. */
#ifndef CB_PLS_H
#define CB_PLS_H

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
 * Yk' Kk Yk (q x q), a = Yk c, t = Kk Yk c / |.| (orthonormal scores), Yk -= t t'Yk, Kk = (I - tt')Kk(I - tt'),
 * kept implicitly as G = Kk Yk (n, q) updated in O(nq) after one symmetric mat-vec Kc t; so one n*n*q product
 * per fit. Predictions Yhat = Kc(test, train) A (T' Kc A)^+ T' Yc + ybar (W = Xc'A, P'W = T'Kc A up to diagonal
 * scalings). Stops early (fewer components) when the Y residual is ~0 or Yk'KkYk vanishes. dual (optional):
 * beta (n, q) with Yhat = Kc(test, train) beta + ybar, so that sklearn's coef_ = Xc' beta. */
cb_status cb_pls_kernel_fit_predict(const double *K /* (n + m, ldk) */, int ldk, int n, int m,
                                    const double *Y /* (n, q) */, int q, int n_components,
                                    double *Yhat /* (m, q) */, double *dual /* (n, q) or NULL */,
                                    int *n_used /* or NULL */);

#endif

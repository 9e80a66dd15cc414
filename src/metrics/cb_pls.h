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

#endif

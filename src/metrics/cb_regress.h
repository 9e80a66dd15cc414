/* cb_regress.h - ordinary least squares (scikit-learn LinearRegression) and neuron-to-neuron mapping,
 * primal form on double matrices. Both centre on the training rows. */
#ifndef CB_REGRESS_H
#define CB_REGRESS_H

#include "cb_status.h"

/* coef = pinv(Xc) Yc, the minimum-norm least-squares solution (LAPACK dgelsd, singular values below
 * max(n, p) * eps * s_max dropped: scipy.linalg.lstsq, used by sklearn, drops only those below eps * s_max and keeps
 * directions that are rounding noise); Yhat = (Xte - xbar) coef + ybar.
 * coef (p, q) optional. CB_ERR_NUMERIC on non-finite input or when the SVD does not converge. */
cb_status cb_ols_fit_predict(const double *Xtr /* (n, p) */, int n, int p, const double *Ytr /* (n, q) */, int q,
                             const double *Xte /* (m, p) */, int m, double *Yhat /* (m, q) */,
                             double *coef /* (p, q) or NULL */);

/* Each target t is mapped to the feature f with the largest training Pearson r(X[:, f], Y[:, t]) (ties: lowest
 * f; constant features never chosen); Yhat[:, t] = Xte[:, f] (Pearson is invariant to affine maps, so no
 * rescaling). A target that is constant on the training rows gets best = -1 and a NaN prediction. */
cb_status cb_n2n_fit_predict(const double *Xtr /* (n, p) */, int n, int p, const double *Ytr /* (n, q) */, int q,
                             const double *Xte /* (m, p) */, int m, double *Yhat /* (m, q) */,
                             int *best /* (q) or NULL */);

#endif

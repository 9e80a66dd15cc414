/* cb_pca.h - principal component analysis with scikit-learn's PCA semantics
 * (sklearn.decomposition.PCA, svd_solver 'full', no whitening): the fit
 * centres the columns of X, the components are the top-k right singular
 * vectors of the centred X, and transform(Y) = (Y - mean) V.
 *
 * Computed in double through a symmetric eigendecomposition:
 *   p <= n: the (p, p) scatter matrix Xcᵀ Xc = V S² Vᵀ;
 *   p >  n: the (n, n) Gram matrix Xc Xcᵀ = U S² Uᵀ, then V = Xcᵀ U S⁻¹.
 * k = min(requested, n, p). A component whose singular value is below
 * 1e-6 times the largest (eigenvalue below 1e-12 of the largest: rounding
 * level in double; the centred X has rank at most n - 1) is set
 * to zero, so projections onto it are 0 (sklearn returns some unit vector
 * orthogonal to the others there).
 *
 * Sign convention (scikit-learn <= 1.4, svd_flip with u_based_decision):
 * each component's sign makes the entry of largest absolute value in the
 * corresponding column of U = Xc V / s (the fit scores) positive; ties go
 * to the first such entry. Pure numeric code: no MPI. */
#ifndef CB_PCA_H
#define CB_PCA_H

#include <stdint.h>

#include "cb_status.h"

typedef struct cb_pca {
  int64_t p;          /* features */
  int k;              /* components kept */
  double *mean;       /* (p) column means of the fit data */
  double *components; /* (k, p) row i = i-th principal axis, unit norm (or zero) */
  double *singular;   /* (k) singular values of the centred fit data, decreasing */
} cb_pca;

/* Fits on X (n, p) row-major; k = min(k_requested, n, p), k_requested >= 1. */
cb_status cb_pca_fit(const float *X, int64_t n, int64_t p, int k_requested, cb_pca **out);
/* Y (m, pca->k) = (X - mean) V for X (m, pca->p); sums in double. */
cb_status cb_pca_transform(const cb_pca *pca, const float *X, int64_t m, float *Y);
void cb_pca_destroy(cb_pca **pca);

#endif

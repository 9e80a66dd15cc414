#include "cb_pca.h"

#include <cblas.h>
#include <lapacke.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

void cb_pca_destroy(cb_pca **pca) {
  if (!pca || !*pca) return;
  free((*pca)->mean);
  free((*pca)->components);
  free((*pca)->singular);
  free(*pca);
  *pca = NULL;
}

/* Eigenvectors of the symmetric S (d, d) for its k largest eigenvalues, in
 * decreasing order: E (d, k) column-major-by-component, i.e. E[j * d + i]
 * is entry i of eigenvector j; lam (k). S is overwritten. */
static cb_status top_eigen(double *S, int64_t d, int k, double *E, double *lam) {
  lapack_int found = 0;
  double *w = malloc(sizeof *w * (size_t)d);
  double *Z = malloc(sizeof *Z * (size_t)d * (size_t)k);
  lapack_int *supp = malloc(sizeof *supp * 2 * (size_t)k);
  cb_status st = CB_OK;
  if (!w || !Z || !supp) {
    st = CB_ERROR(CB_ERR_NOMEM, "out of memory");
    goto done;
  }
  /* Row-major S is symmetric, so column-major reading is the same matrix.
   * Eigenvalues il..iu (1-based, ascending): the k largest. */
  lapack_int info = LAPACKE_dsyevr(LAPACK_COL_MAJOR, 'V', 'I', 'U', (lapack_int)d, S, (lapack_int)d, 0.0, 0.0,
                                   (lapack_int)(d - k + 1), (lapack_int)d, 0.0, &found, w, Z, (lapack_int)d, supp);
  if (info != 0 || found != k) {
    st = CB_ERROR(CB_ERR_NUMERIC, "PCA: eigendecomposition failed (LAPACK dsyevr info %d)", (int)info);
    goto done;
  }
  for (int j = 0; j < k; ++j) { /* ascending -> decreasing */
    lam[j] = w[k - 1 - j];
    memcpy(E + (size_t)j * d, Z + (size_t)(k - 1 - j) * d, sizeof *E * (size_t)d);
  }
done:
  free(w);
  free(Z);
  free(supp);
  return st;
}

cb_status cb_pca_fit(const float *X, int64_t n, int64_t p, int k_requested, cb_pca **out) {
  if (!X || n < 1 || p < 1 || k_requested < 1 || !out)
    return CB_ERROR(CB_ERR_ARG, "PCA: bad arguments (n %lld, p %lld, k %d)", (long long)n, (long long)p, k_requested);
  int64_t k64 = k_requested;
  if (k64 > n) k64 = n;
  if (k64 > p) k64 = p;
  const int k = (int)k64;
  cb_status st = CB_OK;
  cb_pca *r = calloc(1, sizeof *r);
  double *Xc = malloc(sizeof *Xc * (size_t)n * (size_t)p); /* (n, p) centred */
  const int64_t d = p <= n ? p : n;
  double *S = malloc(sizeof *S * (size_t)d * (size_t)d);  /* (d, d) scatter or Gram */
  double *E = malloc(sizeof *E * (size_t)d * (size_t)k);  /* (k, d) eigenvectors */
  double *lam = malloc(sizeof *lam * (size_t)k);          /* (k) */
  double *U = malloc(sizeof *U * (size_t)n * (size_t)k);  /* (n, k) fit scores */
  if (r) {
    r->p = p;
    r->k = k;
    r->mean = calloc((size_t)p, sizeof *r->mean);
    r->components = calloc((size_t)k * (size_t)p, sizeof *r->components);
    r->singular = calloc((size_t)k, sizeof *r->singular);
  }
  if (!r || !Xc || !S || !E || !lam || !U || !r->mean || !r->components || !r->singular) {
    st = CB_ERROR(CB_ERR_NOMEM, "PCA: out of memory (n %lld, p %lld)", (long long)n, (long long)p);
    goto done;
  }
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < p; ++j) r->mean[j] += X[i * p + j];
  for (int64_t j = 0; j < p; ++j) r->mean[j] /= (double)n;
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < p; ++j) Xc[i * p + j] = (double)X[i * p + j] - r->mean[j];
  if (p <= n) /* S = Xcᵀ Xc (p, p) */
    cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, (int)p, (int)n, 1.0, Xc, (int)p, 0.0, S, (int)p);
  else /* S = Xc Xcᵀ (n, n) */
    cblas_dsyrk(CblasRowMajor, CblasUpper, CblasNoTrans, (int)n, (int)p, 1.0, Xc, (int)p, 0.0, S, (int)n);
  /* dsyrk filled the row-major upper triangle = column-major lower: mirror it. */
  for (int64_t i = 0; i < d; ++i)
    for (int64_t j = i + 1; j < d; ++j) S[j * d + i] = S[i * d + j];
  CB_CHECK_GOTO(top_eigen(S, d, k, E, lam), st, done);
  const double s_max = sqrt(lam[0] > 0 ? lam[0] : 0);
  if (p <= n) { /* V rows = eigenvectors of the scatter matrix */
    memcpy(r->components, E, sizeof *E * (size_t)k * (size_t)p);
  } else { /* V (k, p) = Eᵀ Xc, row c then divided by s_c */
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, k, (int)p, (int)n, 1.0, E, (int)n, Xc, (int)p, 0.0,
                r->components, (int)p);
  }
  for (int c = 0; c < k; ++c) {
    double s = sqrt(lam[c] > 0 ? lam[c] : 0);
    double *v = r->components + (size_t)c * p;
    if (!(s > 1e-6 * s_max)) { /* degenerate (eigenvalue below 1e-12 of the largest): zero */
      memset(v, 0, sizeof *v * (size_t)p);
      continue;
    }
    r->singular[c] = s;
    if (p > n) cblas_dscal((int)p, 1.0 / s, v, 1);
  }
  /* U = Xc Vᵀ (n, k); flip each component so the largest |U| entry is positive. */
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)n, k, (int)p, 1.0, Xc, (int)p, r->components, (int)p, 0.0,
              U, k);
  for (int c = 0; c < k; ++c) {
    int64_t best = 0;
    for (int64_t i = 1; i < n; ++i)
      if (fabs(U[i * k + c]) > fabs(U[best * k + c])) best = i;
    if (U[best * k + c] < 0) cblas_dscal((int)p, -1.0, r->components + (size_t)c * p, 1);
  }
  *out = r;
  r = NULL;
done:
  cb_pca_destroy(&r);
  free(Xc);
  free(S);
  free(E);
  free(lam);
  free(U);
  return st;
}

cb_status cb_pca_transform(const cb_pca *pca, const float *X, int64_t m, float *Y) {
  if (!pca || (!X && m > 0) || (!Y && m > 0)) return CB_ERROR(CB_ERR_ARG, "PCA transform: bad arguments");
  const int64_t p = pca->p, bs = 64; /* rows per block */
  double *B = malloc(sizeof *B * (size_t)bs * (size_t)p);        /* (bs, p) centred rows */
  double *Z = malloc(sizeof *Z * (size_t)bs * (size_t)pca->k);   /* (bs, k) */
  if (!B || !Z) {
    free(B);
    free(Z);
    return CB_ERROR(CB_ERR_NOMEM, "out of memory");
  }
  for (int64_t i0 = 0; i0 < m; i0 += bs) {
    const int64_t nb = m - i0 < bs ? m - i0 : bs;
    for (int64_t i = 0; i < nb; ++i)
      for (int64_t j = 0; j < p; ++j) B[i * p + j] = (double)X[(i0 + i) * p + j] - pca->mean[j];
    /* Z = B Vᵀ */
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)nb, pca->k, (int)p, 1.0, B, (int)p, pca->components,
                (int)p, 0.0, Z, pca->k);
    for (int64_t i = 0; i < nb * pca->k; ++i) Y[i0 * pca->k + i] = (float)Z[i];
  }
  free(B);
  free(Z);
  return CB_OK;
}

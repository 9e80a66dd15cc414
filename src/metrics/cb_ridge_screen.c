/* cb_ridge_screen.c - low-rank screening of a RidgeCV alpha grid (see cb_ridge_screen.h). */
#include "cb_ridge_screen.h"

#include <cblas.h>
#include <lapacke.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define SCREEN_ROWS 256 /* training samples (rows of C) per block: large, so that each GEMM packs Q'Y once */
#define SCREEN_ALPHAS 16 /* alphas per combination GEMM */

/* W (A, n) ~ coef (A, R) Vt (R, n): SVD of W with unit-norm rows, singular values > tol * largest kept. */
static cb_status low_rank(const double *W, int A, int n, double **coef_out, double **vt_out, int *rank) {
  const int mn = A < n ? A : n;
  cb_status st = CB_OK;
  double *F = malloc(sizeof *F * (size_t)A * n), *s = malloc(sizeof *s * (size_t)A);
  double *U = malloc(sizeof *U * (size_t)A * mn), *Vt = malloc(sizeof *Vt * (size_t)mn * n);
  double *sv = malloc(sizeof *sv * (size_t)mn), *coef = NULL;
  CB_ALLOC_GOTO(F, st, done);
  CB_ALLOC_GOTO(s, st, done);
  CB_ALLOC_GOTO(U, st, done);
  CB_ALLOC_GOTO(Vt, st, done);
  CB_ALLOC_GOTO(sv, st, done);
  for (int a = 0; a < A; ++a) {
    const double *w = W + (size_t)a * n;
    double nrm = cblas_dnrm2(n, w, 1);
    if (!(nrm > 0.0) || !isfinite(nrm)) {
      st = CB_ERROR(CB_ERR_NUMERIC, "ridge: alpha %d has a zero or non-finite weight vector", a);
      goto done;
    }
    s[a] = nrm;
    for (int k = 0; k < n; ++k) F[(size_t)a * n + k] = w[k] / nrm;
  }
  lapack_int info = LAPACKE_dgesdd(LAPACK_ROW_MAJOR, 'S', A, n, F, n, sv, U, mn, Vt, n);
  if (info != 0) {
    st = CB_ERROR(CB_ERR_NUMERIC, "ridge: SVD of the alpha weights failed (LAPACK info %d)", (int)info);
    goto done;
  }
  int R = 0;
  while (R < mn && sv[R] > CB_RIDGE_SCREEN_TOL * sv[0]) ++R;
  coef = malloc(sizeof *coef * (size_t)A * (R > 0 ? R : 1));
  CB_ALLOC_GOTO(coef, st, done);
  for (int a = 0; a < A; ++a)
    for (int r = 0; r < R; ++r) coef[(size_t)a * R + r] = s[a] * U[(size_t)a * mn + r] * sv[r];
  *coef_out = coef;
  coef = NULL;
  *vt_out = Vt; /* rows 0..R-1 are the basis */
  Vt = NULL;
  *rank = R;
done:
  free(coef);
  free(sv);
  free(Vt);
  free(U);
  free(s);
  free(F);
  return st;
}

cb_status cb_ridge__screen(const double *E, const double *W, const double *QtY, const double *D, int n, int q,
                           int n_alphas, double *err, int *rank) {
  if (E == NULL || W == NULL || QtY == NULL || D == NULL || err == NULL || n < 1 || q < 1 || n_alphas < 1)
    return CB_ERROR(CB_ERR_ARG, "ridge screen: bad arguments");
  cb_status st = CB_OK;
  double *coef = NULL, *Vt = NULL;
  int R = 0;
  CB_CHECK(low_rank(W, n_alphas, n, &coef, &Vt, &R));
  const int BI = SCREEN_ROWS < n ? SCREEN_ROWS : n, AC = SCREEN_ALPHAS;
  double *M = malloc(sizeof *M * (size_t)n * BI);           /* (n, BI) columns of Q' diag(Vt_r) for the block */
  double *B = malloc(sizeof *B * ((size_t)R * BI * q + 1));  /* (R, BI, q) B_r restricted to the block */
  double *Ch = malloc(sizeof *Ch * (size_t)AC * BI * q);     /* (AC, BI, q) approximate C(a) block, AC alphas */
  CB_ALLOC_GOTO(M, st, done);
  CB_ALLOC_GOTO(B, st, done);
  CB_ALLOC_GOTO(Ch, st, done);
  memset(err, 0, sizeof *err * (size_t)n_alphas * q);
  for (int i0 = 0; i0 < n; i0 += BI) {
    const int bi = n - i0 < BI ? n - i0 : BI;
    for (int r = 0; r < R; ++r) {
      const double *v = Vt + (size_t)r * n;
      for (int k = 0; k < n; ++k) { /* M(k, i) = E(k, i0 + i) v_k */
        const double *e = E + (size_t)k * n + i0;
        double *mk = M + (size_t)k * bi;
        for (int i = 0; i < bi; ++i) mk[i] = e[i] * v[k];
      }
      cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, bi, q, n, 1.0, M, bi, QtY, q, 0.0,
                  B + (size_t)r * bi * q, q);
    }
    for (int a0 = 0; a0 < n_alphas; a0 += AC) {
      const int ac = n_alphas - a0 < AC ? n_alphas - a0 : AC;
      /* Ch (ac, bi q) = coef(a0.., :) (ac, R) B (R, bi q) */
      if (R > 0)
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, ac, bi * q, R, 1.0, coef + (size_t)a0 * R, R, B,
                    bi * q, 0.0, Ch, bi * q);
      else
        memset(Ch, 0, sizeof *Ch * (size_t)ac * bi * q);
      for (int a = 0; a < ac; ++a) {
        const double *d = D + (size_t)(a0 + a) * n + i0, *c = Ch + (size_t)a * bi * q;
        double *ea = err + (size_t)(a0 + a) * q;
        for (int i = 0; i < bi; ++i) {
          const double inv = 1.0 / d[i];
          for (int j = 0; j < q; ++j) {
            const double e = c[(size_t)i * q + j] * inv;
            ea[j] += e * e;
          }
        }
      }
    }
  }
  if (rank) *rank = R;
done:
  free(Ch);
  free(B);
  free(M);
  free(Vt);
  free(coef);
  return st;
}

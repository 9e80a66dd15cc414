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
static cb_status low_rank(const double *W, int A, int n, double tol, double **coef_out, double **vt_out,
                          int *rank) {
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
  while (R < mn && sv[R] > tol * sv[0]) ++R;
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

/* The screen's operands in its precision: E (n, n), QtY (n, q) and coef (A, R) as given (double) or converted
 * (single); M (n, BI), B (R, BI, q) and Ch (AC, BI, q) its workspaces. */
typedef struct screen_ws {
  int single;
  const void *E, *Z, *coef;
  void *M, *B, *Ch;
  float *Ef, *Zf, *cf; /* single: the converted copies (owned) */
} screen_ws;

static cb_status ws_init(screen_ws *w, int single, const double *E, const double *QtY, const double *coef, int n,
                         int q, int A, int R, int BI, int AC) {
  const size_t es = single ? sizeof(float) : sizeof(double);
  w->single = single;
  w->M = malloc(es * (size_t)n * BI);
  w->B = malloc(es * ((size_t)R * BI * q + 1));
  w->Ch = malloc(es * (size_t)AC * BI * q);
  if (!w->M || !w->B || !w->Ch) return CB_ERROR(CB_ERR_NOMEM, "out of memory");
  w->E = E, w->Z = QtY, w->coef = coef;
  if (!single) return CB_OK;
  w->Ef = malloc(sizeof *w->Ef * (size_t)n * n);
  w->Zf = malloc(sizeof *w->Zf * (size_t)n * q);
  w->cf = malloc(sizeof *w->cf * ((size_t)A * R + 1));
  if (!w->Ef || !w->Zf || !w->cf) return CB_ERROR(CB_ERR_NOMEM, "out of memory");
  for (size_t i = 0; i < (size_t)n * n; ++i) w->Ef[i] = (float)E[i];
  for (size_t i = 0; i < (size_t)n * q; ++i) w->Zf[i] = (float)QtY[i];
  for (size_t i = 0; i < (size_t)A * R; ++i) w->cf[i] = (float)coef[i];
  w->E = w->Ef, w->Z = w->Zf, w->coef = w->cf;
  return CB_OK;
}

static void ws_free(screen_ws *w) {
  free(w->M), free(w->B), free(w->Ch), free(w->Ef), free(w->Zf), free(w->cf);
}

/* B_r (bi, q) = (E(:, i0..) o v)' QtY for the block's rows: M(k, i) = E(k, i0 + i) v_k, then one GEMM. */
static void block_product(screen_ws *w, const double *v, int n, int q, int i0, int bi, int r) {
  if (w->single) {
    float *M = w->M;
    for (int k = 0; k < n; ++k) {
      const float *e = (const float *)w->E + (size_t)k * n + i0, vk = (float)v[k];
      for (int i = 0; i < bi; ++i) M[(size_t)k * bi + i] = e[i] * vk;
    }
    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, bi, q, n, 1.0f, M, bi, w->Z, q, 0.0f,
                (float *)w->B + (size_t)r * bi * q, q);
    return;
  }
  double *M = w->M;
  for (int k = 0; k < n; ++k) {
    const double *e = (const double *)w->E + (size_t)k * n + i0;
    for (int i = 0; i < bi; ++i) M[(size_t)k * bi + i] = e[i] * v[k];
  }
  cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, bi, q, n, 1.0, M, bi, w->Z, q, 0.0,
              (double *)w->B + (size_t)r * bi * q, q);
}

/* Ch (ac, bi q) = coef(a0.., :) (ac, R) B (R, bi q); then err (n_alphas, q) += sum over the block's rows of
 * (Ch / D)^2 for alphas a0 .. a0 + ac - 1. */
static void block_errors(screen_ws *w, const double *D, int n, int q, int R, int i0, int bi, int a0, int ac,
                         double *err) {
  const size_t cells = (size_t)bi * q;
  if (R == 0) memset(w->Ch, 0, (w->single ? sizeof(float) : sizeof(double)) * (size_t)ac * cells);
  else if (w->single)
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, ac, (int)cells, R, 1.0f,
                (const float *)w->coef + (size_t)a0 * R, R, w->B, (int)cells, 0.0f, w->Ch, (int)cells);
  else
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, ac, (int)cells, R, 1.0,
                (const double *)w->coef + (size_t)a0 * R, R, w->B, (int)cells, 0.0, w->Ch, (int)cells);
  for (int a = 0; a < ac; ++a) {
    const double *d = D + (size_t)(a0 + a) * n + i0;
    double *ea = err + (size_t)(a0 + a) * q;
    for (int i = 0; i < bi; ++i) {
      const double inv = 1.0 / d[i];
      const size_t off = (size_t)a * cells + (size_t)i * q;
      for (int j = 0; j < q; ++j) {
        const double c = w->single ? (double)((const float *)w->Ch)[off + j] : ((const double *)w->Ch)[off + j];
        const double e = c * inv;
        ea[j] += e * e;
      }
    }
  }
}

cb_status cb_ridge__screen(const double *E, const double *W, const double *QtY, const double *D, int n, int q,
                           int n_alphas, int single, double *err, int *rank) {
  if (E == NULL || W == NULL || QtY == NULL || D == NULL || err == NULL || n < 1 || q < 1 || n_alphas < 1)
    return CB_ERROR(CB_ERR_ARG, "ridge screen: bad arguments");
  cb_status st = CB_OK;
  double *coef = NULL, *Vt = NULL;
  int R = 0;
  CB_CHECK(low_rank(W, n_alphas, n, single ? CB_RIDGE_SCREEN_TOL_SINGLE : CB_RIDGE_SCREEN_TOL, &coef, &Vt, &R));
  const int BI = SCREEN_ROWS < n ? SCREEN_ROWS : n, AC = SCREEN_ALPHAS;
  screen_ws w = {0};
  CB_CHECK_GOTO(ws_init(&w, single, E, QtY, coef, n, q, n_alphas, R, BI, AC), st, done);
  memset(err, 0, sizeof *err * (size_t)n_alphas * q);
  for (int i0 = 0; i0 < n; i0 += BI) {
    const int bi = n - i0 < BI ? n - i0 : BI;
    for (int r = 0; r < R; ++r) block_product(&w, Vt + (size_t)r * n, n, q, i0, bi, r);
    for (int a0 = 0; a0 < n_alphas; a0 += AC)
      block_errors(&w, D, n, q, R, i0, bi, a0, n_alphas - a0 < AC ? n_alphas - a0 : AC, err);
  }
  if (rank) *rank = R;
done:
  ws_free(&w);
  free(Vt);
  free(coef);
  return st;
}

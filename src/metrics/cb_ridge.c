/* cb_ridge.c - kernel ridge regression with efficient leave-one-out choice of alpha (sklearn _RidgeGCV). */
#include "cb_ridge.h"

#include <cblas.h>
#include <lapacke.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cb_kernel.h"

void cb_brainscore_alphas(double out[CB_BRAINSCORE_N_ALPHAS]) {
  int k = 0;
  const double first[4] = {0.01, 0.1, 0.5, 1.0};
  for (int i = 0; i < 4; ++i) out[k++] = first[i];
  for (int i = 0; i < 4; ++i) out[k++] = 10.0 + i * ((100.0 - 10.0) / 4);
  for (double a = 1e2; a < 1e6; a *= 10.0)
    for (int i = 0; i < 18; ++i) out[k++] = a + i * ((10.0 * a - a) / 18);
  for (int i = 0; i < 18; ++i) out[k++] = 1e6 + i * ((1e7 - 1e6) / 18);
  out[k++] = 1e7; /* endpoint included */
}

#define RIDGE_ROW_BLOCK 64

cb_status cb_ridge_kernel_fit_predict(const double *K, int ldk, int n, int m, const double *Y, int q,
                                      const double *alphas, int n_alphas, int per_target, double *Yhat,
                                      double *alpha_out, double *dual) {
  if (K == NULL || Y == NULL || alphas == NULL || (Yhat == NULL && m > 0))
    return CB_ERROR(CB_ERR_ARG, "ridge: NULL argument");
  if (n < 2) return CB_ERROR(CB_ERR_NUMERIC, "ridge: needs at least 2 training samples, got %d", n);
  if (m < 0 || q < 1 || ldk < n || n_alphas < 1)
    return CB_ERROR(CB_ERR_ARG, "ridge: bad sizes (m %d, q %d, ldk %d, %d alphas)", m, q, ldk, n_alphas);
  for (int a = 0; a < n_alphas; ++a)
    if (!(alphas[a] > 0.0) || !isfinite(alphas[a]))
      return CB_ERROR(CB_ERR_ARG, "ridge: alpha %d is %g; alphas must be positive and finite", a, alphas[a]);
  for (size_t i = 0; i < (size_t)n * q; ++i)
    if (!isfinite(Y[i]))
      return CB_ERROR(CB_ERR_NUMERIC, "ridge: Y has a non-finite value at row %zu, column %zu", i / (size_t)q,
                      i % (size_t)q);

  cb_status st = CB_OK;
  const size_t nq = (size_t)n * q, nn = (size_t)n * n;
  const int gcv = n_alphas > 1;
  double *r = malloc(sizeof *r * (size_t)n), *mte = malloc(sizeof *mte * (size_t)(m + 1));
  double *ym = malloc(sizeof *ym * (size_t)q), *Yc = malloc(sizeof *Yc * nq);
  double *G = malloc(sizeof *G * nn);   /* (n, n) Kc + 11', destroyed by the eigensolver */
  double *E = malloc(sizeof *E * nn);   /* (n, n) row i = eigenvector i */
  double *lam = malloc(sizeof *lam * (size_t)n);
  double *QtY = malloc(sizeof *QtY * nq), *WB = malloc(sizeof *WB * nq), *C = malloc(sizeof *C * nq);
  double *best = malloc(sizeof *best * nq); /* (n, q) dual coefficients of the chosen alphas */
  double *W = malloc(sizeof *W * (size_t)n_alphas * n); /* (n_alphas, n) weights */
  double *D = NULL, *Esq = NULL, *err = malloc(sizeof *err * (size_t)q), *best_err = malloc(sizeof *best_err * (size_t)q);
  int *best_a = calloc((size_t)q, sizeof *best_a);
  lapack_int *isuppz = malloc(sizeof *isuppz * 2 * (size_t)n);
  CB_ALLOC_GOTO(r, st, done);
  CB_ALLOC_GOTO(mte, st, done);
  CB_ALLOC_GOTO(ym, st, done);
  CB_ALLOC_GOTO(Yc, st, done);
  CB_ALLOC_GOTO(G, st, done);
  CB_ALLOC_GOTO(E, st, done);
  CB_ALLOC_GOTO(lam, st, done);
  CB_ALLOC_GOTO(QtY, st, done);
  CB_ALLOC_GOTO(WB, st, done);
  CB_ALLOC_GOTO(C, st, done);
  CB_ALLOC_GOTO(best, st, done);
  CB_ALLOC_GOTO(W, st, done);
  CB_ALLOC_GOTO(err, st, done);
  CB_ALLOC_GOTO(best_err, st, done);
  CB_ALLOC_GOTO(best_a, st, done);
  CB_ALLOC_GOTO(isuppz, st, done);

  double mu;
  cb_kernel_train_means(K, ldk, n, m, r, mte, &mu);
  for (int j = 0; j < q; ++j) ym[j] = 0.0;
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < q; ++j) ym[j] += Y[(size_t)i * q + j];
  for (int j = 0; j < q; ++j) ym[j] /= n;
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < q; ++j) Yc[(size_t)i * q + j] = Y[(size_t)i * q + j] - ym[j];
  for (int i = 0; i < n; ++i) {
    const double *kr = K + (size_t)i * ldk;
    double *gr = G + (size_t)i * n;
    for (int j = 0; j < n; ++j) gr[j] = kr[j] - r[i] - r[j] + mu + 1.0;
  }
  /* symmetric, so the column-major call sees the same matrix and returns eigenvectors as rows of E */
  lapack_int found = 0;
  lapack_int info = LAPACKE_dsyevr(LAPACK_COL_MAJOR, 'V', 'A', 'U', n, G, n, 0.0, 0.0, 0, 0, 0.0, &found, lam, E, n,
                                   isuppz);
  if (info != 0 || found != n) {
    st = CB_ERROR(CB_ERR_NUMERIC, "ridge: eigendecomposition of the %dx%d kernel failed (LAPACK info %d)", n, n,
                  (int)info);
    goto done;
  }
  free(G);
  G = NULL;
  int icpt = 0;
  double bestcos = -1.0;
  for (int i = 0; i < n; ++i) {
    double s = 0.0;
    const double *e = E + (size_t)i * n;
    for (int j = 0; j < n; ++j) s += e[j];
    if (fabs(s) > bestcos) {
      bestcos = fabs(s);
      icpt = i;
    }
  }
  for (int a = 0; a < n_alphas; ++a) {
    double *w = W + (size_t)a * n;
    for (int i = 0; i < n; ++i) w[i] = 1.0 / (lam[i] + alphas[a]);
    w[icpt] = 0.0;
  }
  /* QtY = Q' Yc = E Yc */
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, q, n, 1.0, E, n, Yc, q, 0.0, QtY, q);
  if (gcv) {
    /* D (n_alphas, n) = W (E o E): diag of Q diag(w) Q' for every alpha, E squared a block of rows at a time */
    D = calloc((size_t)n_alphas * n, sizeof *D);
    Esq = malloc(sizeof *Esq * (size_t)RIDGE_ROW_BLOCK * n);
    CB_ALLOC_GOTO(D, st, done);
    CB_ALLOC_GOTO(Esq, st, done);
    for (int i0 = 0; i0 < n; i0 += RIDGE_ROW_BLOCK) {
      int b = n - i0 < RIDGE_ROW_BLOCK ? n - i0 : RIDGE_ROW_BLOCK;
      for (size_t k = 0; k < (size_t)b * n; ++k) Esq[k] = E[(size_t)i0 * n + k] * E[(size_t)i0 * n + k];
      cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n_alphas, n, b, 1.0, W + i0, n, Esq, n, 1.0, D, n);
    }
  }
  double best_total = 0.0;
  for (int a = 0; a < n_alphas; ++a) {
    const double *w = W + (size_t)a * n;
    for (int i = 0; i < n; ++i)
      for (int j = 0; j < q; ++j) WB[(size_t)i * q + j] = w[i] * QtY[(size_t)i * q + j];
    double *dst = gcv ? C : best;
    cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, n, q, n, 1.0, E, n, WB, q, 0.0, dst, q); /* Q diag(w) Q'Yc */
    if (!gcv) break;
    const double *d = D + (size_t)a * n;
    for (int j = 0; j < q; ++j) err[j] = 0.0;
    for (int i = 0; i < n; ++i) {
      const double *ci = C + (size_t)i * q;
      for (int j = 0; j < q; ++j) {
        double e = ci[j] / d[i];
        err[j] += e * e;
      }
    }
    if (per_target) {
      for (int j = 0; j < q; ++j)
        if (a == 0 || err[j] < best_err[j]) { /* strictly better: ties keep the earlier alpha */
          best_err[j] = err[j];
          best_a[j] = a;
          for (int i = 0; i < n; ++i) best[(size_t)i * q + j] = C[(size_t)i * q + j];
        }
    } else {
      double total = 0.0;
      for (int j = 0; j < q; ++j) total += err[j];
      if (a == 0 || total < best_total) {
        best_total = total;
        for (int j = 0; j < q; ++j) best_a[j] = a;
        memcpy(best, C, sizeof *C * nq);
      }
    }
  }
  for (size_t i = 0; i < nq; ++i)
    if (!isfinite(best[i])) {
      st = CB_ERROR(CB_ERR_NUMERIC, "ridge: non-finite dual coefficients (degenerate kernel)");
      goto done;
    }
  if (m > 0) {
    /* Yhat = (K_te - mte 1' - 1 r' + mu 11') c + ybar */
    double *cs = err, *rc = WB; /* reuse: cs (q) column sums of c, rc (q) = c' r */
    for (int j = 0; j < q; ++j) cs[j] = 0.0;
    for (int i = 0; i < n; ++i)
      for (int j = 0; j < q; ++j) cs[j] += best[(size_t)i * q + j];
    cblas_dgemv(CblasRowMajor, CblasTrans, n, q, 1.0, best, q, r, 1, 0.0, rc, 1);
    for (int i = 0; i < m; ++i)
      for (int j = 0; j < q; ++j) Yhat[(size_t)i * q + j] = ym[j] - rc[j] + (mu - mte[i]) * cs[j];
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, q, n, 1.0, K + (size_t)n * ldk, ldk, best, q, 1.0,
                Yhat, q);
  }
  if (alpha_out)
    for (int j = 0; j < q; ++j) alpha_out[j] = alphas[best_a[j]];
  if (dual) memcpy(dual, best, sizeof *best * nq);

done:
  free(isuppz);
  free(best_a);
  free(best_err);
  free(err);
  free(Esq);
  free(D);
  free(W);
  free(best);
  free(C);
  free(WB);
  free(QtY);
  free(lam);
  free(E);
  free(G);
  free(Yc);
  free(ym);
  free(mte);
  free(r);
  return st;
}

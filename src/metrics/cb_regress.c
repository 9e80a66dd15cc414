/* cb_regress.c - least squares (min-norm, dgelsd) and neuron-to-neuron regression. */
#include "cb_regress.h"

#include <cblas.h>
#include <float.h>
#include <lapacke.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static cb_status check_finite(const double *A /* (n, c) */, size_t n, int c, const char *who, const char *name) {
  for (size_t i = 0; i < n * (size_t)c; ++i)
    if (!isfinite(A[i]))
      return CB_ERROR(CB_ERR_NUMERIC, "%s: %s has a non-finite value at row %zu, column %zu", who, name,
                      i / (size_t)c, i % (size_t)c);
  return CB_OK;
}

/* mean (c) of the columns of A (n, c) */
static void col_means(const double *A, int n, int c, double *mean) {
  for (int j = 0; j < c; ++j) mean[j] = 0.0;
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < c; ++j) mean[j] += A[(size_t)i * c + j];
  for (int j = 0; j < c; ++j) mean[j] /= n;
}

static cb_status check_args(const double *Xtr, int n, int p, const double *Ytr, int q, const double *Xte, int m,
                            const double *Yhat, const char *who) {
  if (Xtr == NULL || Ytr == NULL || ((Xte == NULL || Yhat == NULL) && m > 0))
    return CB_ERROR(CB_ERR_ARG, "%s: NULL argument", who);
  if (n < 2) return CB_ERROR(CB_ERR_NUMERIC, "%s: needs at least 2 training samples, got %d", who, n);
  if (p < 1 || q < 1 || m < 0) return CB_ERROR(CB_ERR_ARG, "%s: bad sizes (p %d, q %d, m %d)", who, p, q, m);
  CB_CHECK(check_finite(Xtr, (size_t)n, p, who, "X"));
  CB_CHECK(check_finite(Ytr, (size_t)n, q, who, "Y"));
  if (m > 0) CB_CHECK(check_finite(Xte, (size_t)m, p, who, "test X"));
  return CB_OK;
}

cb_status cb_ols_fit_predict(const double *Xtr, int n, int p, const double *Ytr, int q, const double *Xte, int m,
                             double *Yhat, double *coef) {
  CB_CHECK(check_args(Xtr, n, p, Ytr, q, Xte, m, Yhat, "least squares"));
  cb_status st = CB_OK;
  const int ldb = n > p ? n : p;
  double *A = malloc(sizeof *A * (size_t)n * p);   /* (n, p) centred X, col-major view destroyed by dgelsd */
  double *Bm = malloc(sizeof *Bm * (size_t)ldb * q); /* (ldb, q) column-major: Yc in, coef out */
  double *xm = malloc(sizeof *xm * (size_t)p), *ym = malloc(sizeof *ym * (size_t)q);
  double *s = malloc(sizeof *s * (size_t)(n < p ? n : p));
  CB_ALLOC_GOTO(A, st, done);
  CB_ALLOC_GOTO(Bm, st, done);
  CB_ALLOC_GOTO(xm, st, done);
  CB_ALLOC_GOTO(ym, st, done);
  CB_ALLOC_GOTO(s, st, done);
  col_means(Xtr, n, p, xm);
  col_means(Ytr, n, q, ym);
  for (int i = 0; i < n; ++i) /* column-major copy: A[i + j n] */
    for (int j = 0; j < p; ++j) A[i + (size_t)j * n] = Xtr[(size_t)i * p + j] - xm[j];
  memset(Bm, 0, sizeof *Bm * (size_t)ldb * q);
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < q; ++j) Bm[i + (size_t)j * ldb] = Ytr[(size_t)i * q + j] - ym[j];
  lapack_int rank = 0;
  /* rcond max(n, p) eps: directions below it are rounding noise of the SVD (LAPACK's least-squares guide); with
   * eps alone (scipy.linalg.lstsq) they survive and the fit depends on the LAPACK build by up to 1e-4 per split */
  const double rcond = (double)(n > p ? n : p) * DBL_EPSILON;
  lapack_int info = LAPACKE_dgelsd(LAPACK_COL_MAJOR, n, p, q, A, n, Bm, ldb, s, rcond, &rank);
  if (info != 0) {
    st = CB_ERROR(CB_ERR_NUMERIC, "least squares: SVD of the %dx%d design did not converge (LAPACK info %d)", n, p,
                  (int)info);
    goto done;
  }
  if (coef)
    for (int j = 0; j < p; ++j)
      for (int t = 0; t < q; ++t) coef[(size_t)j * q + t] = Bm[j + (size_t)t * ldb];
  for (int i = 0; i < m; ++i) {
    double *yh = Yhat + (size_t)i * q;
    const double *x = Xte + (size_t)i * p;
    for (int t = 0; t < q; ++t) {
      double acc = ym[t];
      for (int j = 0; j < p; ++j) acc += (x[j] - xm[j]) * Bm[j + (size_t)t * ldb];
      yh[t] = acc;
    }
  }
done:
  free(s);
  free(ym);
  free(xm);
  free(Bm);
  free(A);
  return st;
}

/* sqrt(ss), or 0 when the centred sum of squares ss is at the rounding level of the mean (constant column) */
static double constant_or_norm(double ss, double mean, int n) {
  double nrm = sqrt(ss);
  return nrm > 1e-12 * fabs(mean) * sqrt((double)n) && nrm > 0.0 ? nrm : 0.0;
}

/* r(f, t) = Xc' Yc / (|xc_f| |yc_t|); best[t] = argmax_f r (first maximum, NaN skipped) */
cb_status cb_n2n_fit_predict(const double *Xtr, int n, int p, const double *Ytr, int q, const double *Xte, int m,
                             double *Yhat, int *best) {
  CB_CHECK(check_args(Xtr, n, p, Ytr, q, Xte, m, Yhat, "neuron-to-neuron"));
  cb_status st = CB_OK;
  double *Xc = malloc(sizeof *Xc * (size_t)n * p), *Yc = malloc(sizeof *Yc * (size_t)n * q);
  double *R = malloc(sizeof *R * (size_t)p * q);
  double *xm = malloc(sizeof *xm * (size_t)p), *ym = malloc(sizeof *ym * (size_t)q);
  double *xn = malloc(sizeof *xn * (size_t)p), *yn = malloc(sizeof *yn * (size_t)q);
  int *bi = malloc(sizeof *bi * (size_t)q);
  CB_ALLOC_GOTO(Xc, st, done);
  CB_ALLOC_GOTO(Yc, st, done);
  CB_ALLOC_GOTO(R, st, done);
  CB_ALLOC_GOTO(xm, st, done);
  CB_ALLOC_GOTO(ym, st, done);
  CB_ALLOC_GOTO(xn, st, done);
  CB_ALLOC_GOTO(yn, st, done);
  CB_ALLOC_GOTO(bi, st, done);
  col_means(Xtr, n, p, xm);
  col_means(Ytr, n, q, ym);
  for (int j = 0; j < p; ++j) xn[j] = 0.0;
  for (int t = 0; t < q; ++t) yn[t] = 0.0;
  for (int i = 0; i < n; ++i) {
    for (int j = 0; j < p; ++j) {
      double v = Xtr[(size_t)i * p + j] - xm[j];
      Xc[(size_t)i * p + j] = v;
      xn[j] += v * v;
    }
    for (int t = 0; t < q; ++t) {
      double v = Ytr[(size_t)i * q + t] - ym[t];
      Yc[(size_t)i * q + t] = v;
      yn[t] += v * v;
    }
  }
  cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, p, q, n, 1.0, Xc, p, Yc, q, 0.0, R, q);
  /* a column whose centred norm is at rounding level of its values is constant */
  for (int j = 0; j < p; ++j) xn[j] = constant_or_norm(xn[j], xm[j], n);
  for (int t = 0; t < q; ++t) yn[t] = constant_or_norm(yn[t], ym[t], n);
  for (int t = 0; t < q; ++t) {
    int b = -1;
    double rb = -INFINITY;
    if (yn[t] > 0.0)
      for (int j = 0; j < p; ++j) {
        if (xn[j] == 0.0) continue;
        double rr = R[(size_t)j * q + t] / (xn[j] * yn[t]);
        if (rr > rb) {
          rb = rr;
          b = j;
        }
      }
    bi[t] = b;
  }
  for (int i = 0; i < m; ++i)
    for (int t = 0; t < q; ++t) Yhat[(size_t)i * q + t] = bi[t] >= 0 ? Xte[(size_t)i * p + bi[t]] : NAN;
  if (best) memcpy(best, bi, sizeof *bi * (size_t)q);
done:
  free(bi);
  free(yn);
  free(xn);
  free(ym);
  free(xm);
  free(R);
  free(Yc);
  free(Xc);
  return st;
}

/* cb_pls.c - PLS2 regression (NIPALS, regression-mode deflation), scikit-learn PLSRegression semantics. */
#include "cb_pls.h"

#include <cblas.h>
#include <float.h>
#include <lapacke.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cb_kernel.h"

struct cb_pls {
  int p, q;        /* features, targets */
  int n_comp;      /* components fitted */
  double *x_mean;  /* (p) */
  double *y_mean;  /* (q) */
  double *coef;    /* (p, q) */
};

void cb_pls_destroy(cb_pls **m) {
  if (m == NULL || *m == NULL) return;
  free((*m)->x_mean);
  free((*m)->y_mean);
  free((*m)->coef);
  free(*m);
  *m = NULL;
}

const double *cb_pls_coef(const cb_pls *m, int *p, int *q) {
  if (p) *p = m->p;
  if (q) *q = m->q;
  return m->coef;
}

int cb_pls_n_components(const cb_pls *m) { return m->n_comp; }

/* Column means of A (n, c) into mean (c), then A -= mean. */
static void centre_columns(double *A /* (n, c) */, int n, int c, double *mean /* (c) */) {
  memset(mean, 0, sizeof *mean * (size_t)c);
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < c; ++j) mean[j] += A[(size_t)i * c + j];
  for (int j = 0; j < c; ++j) mean[j] /= n;
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < c; ++j) A[(size_t)i * c + j] -= mean[j];
}

static cb_status check_finite(const double *A /* (n, c) */, int n, int c, const char *name) {
  for (size_t i = 0; i < (size_t)n * c; ++i)
    if (!isfinite(A[i]))
      return CB_ERROR(CB_ERR_NUMERIC, "PLS fit: %s has a non-finite value at row %zu, column %zu", name,
                      i / (size_t)c, i % (size_t)c);
  return CB_OK;
}

/* pinv (k, k) of M (k, k) as scipy.linalg.pinv: singular values below k * eps * max(s) are dropped.
 * M is destroyed. */
static cb_status pinv_square(double *M /* (k, k) */, int k, double *pinv /* (k, k) */) {
  cb_status st = CB_OK;
  double *s = malloc(sizeof *s * (size_t)k);
  double *U = malloc(sizeof *U * (size_t)k * k);
  double *VT = malloc(sizeof *VT * (size_t)k * k);
  double *superb = malloc(sizeof *superb * (size_t)(k > 1 ? k : 2));
  CB_ALLOC_GOTO(s, st, done);
  CB_ALLOC_GOTO(U, st, done);
  CB_ALLOC_GOTO(VT, st, done);
  CB_ALLOC_GOTO(superb, st, done);
  lapack_int info = LAPACKE_dgesvd(LAPACK_ROW_MAJOR, 'S', 'S', k, k, M, k, s, U, k, VT, k, superb);
  if (info != 0) {
    st = CB_ERROR(CB_ERR_NUMERIC, "PLS fit: SVD of P'W (%dx%d) failed (LAPACK info %d)", k, k, (int)info);
    goto done;
  }
  double cutoff = (double)k * DBL_EPSILON * s[0];
  for (int l = 0; l < k; ++l) {
    double inv = s[l] > cutoff ? 1.0 / s[l] : 0.0;
    for (int j = 0; j < k; ++j) U[(size_t)j * k + l] *= inv; /* U diag(1/s) */
  }
  /* pinv = V diag(1/s) U' = VT' (U diag(1/s))' */
  cblas_dgemm(CblasRowMajor, CblasTrans, CblasTrans, k, k, k, 1.0, VT, k, U, k, 0.0, pinv, k);
done:
  free(superb);
  free(VT);
  free(U);
  free(s);
  return st;
}

cb_status cb_pls_fit_inplace(double *X, double *Y, int n, int p, int q, int n_components, int max_iter,
                             double tol, cb_pls **out) {
  cb_status st = CB_OK;
  cb_pls *m = NULL;
  double *Wt = NULL, *Pt = NULL, *Qt = NULL, *w = NULL, *w_old = NULL, *t = NULL, *u = NULL, *c = NULL;
  double *M = NULL, *Minv = NULL, *R = NULL;
  const double eps = DBL_EPSILON;

  if (X == NULL || Y == NULL || out == NULL) return CB_ERROR(CB_ERR_ARG, "PLS fit: NULL argument");
  if (n < 2) return CB_ERROR(CB_ERR_NUMERIC, "PLS fit: needs at least 2 samples, got %d", n);
  if (p < 1 || q < 1) return CB_ERROR(CB_ERR_ARG, "PLS fit: empty X (%d features) or Y (%d targets)", p, q);
  if (n_components < 1 || n_components > p)
    return CB_ERROR(CB_ERR_ARG, "PLS fit: n_components must be in [1, %d] (number of features), got %d", p,
                    n_components);
  if (max_iter < 1 || !(tol >= 0.0))
    return CB_ERROR(CB_ERR_ARG, "PLS fit: max_iter must be >= 1 and tol >= 0 (got %d, %g)", max_iter, tol);
  CB_CHECK(check_finite(X, n, p, "X"));
  CB_CHECK(check_finite(Y, n, q, "Y"));

  const int k = n_components;
  m = calloc(1, sizeof *m);
  CB_ALLOC_GOTO(m, st, done);
  m->p = p;
  m->q = q;
  m->x_mean = malloc(sizeof *m->x_mean * (size_t)p);
  m->y_mean = malloc(sizeof *m->y_mean * (size_t)q);
  m->coef = calloc((size_t)p * q, sizeof *m->coef);
  Wt = calloc((size_t)k * p, sizeof *Wt); /* (k, p) x weights, one row per component */
  Pt = calloc((size_t)k * p, sizeof *Pt); /* (k, p) x loadings */
  Qt = calloc((size_t)k * q, sizeof *Qt); /* (k, q) y loadings */
  w = malloc(sizeof *w * (size_t)p);
  w_old = malloc(sizeof *w_old * (size_t)p);
  t = malloc(sizeof *t * (size_t)n);
  u = malloc(sizeof *u * (size_t)n);
  c = malloc(sizeof *c * (size_t)q);
  CB_ALLOC_GOTO(m->x_mean, st, done);
  CB_ALLOC_GOTO(m->y_mean, st, done);
  CB_ALLOC_GOTO(m->coef, st, done);
  CB_ALLOC_GOTO(Wt, st, done);
  CB_ALLOC_GOTO(Pt, st, done);
  CB_ALLOC_GOTO(Qt, st, done);
  CB_ALLOC_GOTO(w, st, done);
  CB_ALLOC_GOTO(w_old, st, done);
  CB_ALLOC_GOTO(t, st, done);
  CB_ALLOC_GOTO(u, st, done);
  CB_ALLOC_GOTO(c, st, done);

  centre_columns(X, n, p, m->x_mean);
  centre_columns(Y, n, q, m->y_mean);

  int used = 0;
  for (int comp = 0; comp < k; ++comp) {
    /* columns of the Y residual that are all ~0 become exactly 0; start from the first non-zero one */
    int j0 = -1;
    for (int j = 0; j < q; ++j) {
      int small = 1, nonzero = 0;
      for (int i = 0; i < n; ++i) {
        double a = fabs(Y[(size_t)i * q + j]);
        small &= (a < 10.0 * eps);
        nonzero |= (a > eps);
      }
      if (small)
        for (int i = 0; i < n; ++i) Y[(size_t)i * q + j] = 0.0;
      else if (j0 < 0 && nonzero)
        j0 = j;
    }
    if (j0 < 0) break; /* Y residual is constant: fewer components */
    for (int i = 0; i < n; ++i) u[i] = Y[(size_t)i * q + j0];

    /* power method for the first singular vectors of X'Y */
    for (int j = 0; j < p; ++j) w_old[j] = 100.0;
    for (int it = 0; it < max_iter; ++it) {
      double uu = cblas_ddot(n, u, 1, u, 1);
      cblas_dgemv(CblasRowMajor, CblasTrans, n, p, 1.0 / uu, X, p, u, 1, 0.0, w, 1); /* w = X'u / u'u */
      double nw = sqrt(cblas_ddot(p, w, 1, w, 1)) + eps;
      cblas_dscal(p, 1.0 / nw, w, 1);
      cblas_dgemv(CblasRowMajor, CblasNoTrans, n, p, 1.0, X, p, w, 1, 0.0, t, 1); /* t = X w */
      double tt = cblas_ddot(n, t, 1, t, 1);
      cblas_dgemv(CblasRowMajor, CblasTrans, n, q, 1.0 / tt, Y, q, t, 1, 0.0, c, 1); /* c = Y't / t't */
      double cc = cblas_ddot(q, c, 1, c, 1);
      cblas_dgemv(CblasRowMajor, CblasNoTrans, n, q, 1.0 / (cc + eps), Y, q, c, 1, 0.0, u, 1); /* u = Yc/c'c */
      double diff = 0.0;
      for (int j = 0; j < p; ++j) diff += (w[j] - w_old[j]) * (w[j] - w_old[j]);
      if (diff < tol || q == 1) break;
      memcpy(w_old, w, sizeof *w * (size_t)p);
    }

    /* sign convention: the largest |w| entry is positive */
    int imax = 0;
    for (int j = 1; j < p; ++j)
      if (fabs(w[j]) > fabs(w[imax])) imax = j;
    double sign = w[imax] > 0 ? 1.0 : (w[imax] < 0 ? -1.0 : 0.0);
    cblas_dscal(p, sign, w, 1);

    /* scores, loadings and regression-mode deflation */
    cblas_dgemv(CblasRowMajor, CblasNoTrans, n, p, 1.0, X, p, w, 1, 0.0, t, 1);
    double tt = cblas_ddot(n, t, 1, t, 1);
    double *pl = Pt + (size_t)comp * p, *ql = Qt + (size_t)comp * q;
    cblas_dgemv(CblasRowMajor, CblasTrans, n, p, 1.0 / tt, X, p, t, 1, 0.0, pl, 1);
    cblas_dger(CblasRowMajor, n, p, -1.0, t, 1, pl, 1, X, p);
    cblas_dgemv(CblasRowMajor, CblasTrans, n, q, 1.0 / tt, Y, q, t, 1, 0.0, ql, 1);
    cblas_dger(CblasRowMajor, n, q, -1.0, t, 1, ql, 1, Y, q);
    memcpy(Wt + (size_t)comp * p, w, sizeof *w * (size_t)p);
    used = comp + 1;
  }
  m->n_comp = used;

  if (used > 0) {
    /* coef = W pinv(P'W) Q' ; the unused components are all-zero and drop out */
    const int ku = used;
    M = malloc(sizeof *M * (size_t)ku * ku);
    Minv = malloc(sizeof *Minv * (size_t)ku * ku);
    R = malloc(sizeof *R * (size_t)p * ku);
    CB_ALLOC_GOTO(M, st, done);
    CB_ALLOC_GOTO(Minv, st, done);
    CB_ALLOC_GOTO(R, st, done);
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, ku, ku, p, 1.0, Pt, p, Wt, p, 0.0, M, ku);
    CB_CHECK_GOTO(pinv_square(M, ku, Minv), st, done);
    cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, p, ku, ku, 1.0, Wt, p, Minv, ku, 0.0, R, ku);
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, p, q, ku, 1.0, R, ku, Qt, q, 0.0, m->coef, q);
    for (size_t i = 0; i < (size_t)p * q; ++i)
      if (!isfinite(m->coef[i])) {
        st = CB_ERROR(CB_ERR_NUMERIC, "PLS fit: non-finite coefficients (degenerate X, e.g. constant)");
        goto done;
      }
  }
  *out = m;
  m = NULL;

done:
  free(R);
  free(Minv);
  free(M);
  free(c);
  free(u);
  free(t);
  free(w_old);
  free(w);
  free(Qt);
  free(Pt);
  free(Wt);
  cb_pls_destroy(&m);
  return st;
}

cb_status cb_pls_fit(const double *X, const double *Y, int n, int p, int q, int n_components, int max_iter,
                     double tol, cb_pls **out) {
  if (X == NULL || Y == NULL) return CB_ERROR(CB_ERR_ARG, "PLS fit: NULL argument");
  if (n < 0 || p < 0 || q < 0) return CB_ERROR(CB_ERR_ARG, "PLS fit: negative size");
  cb_status st = CB_OK;
  double *Xc = malloc(sizeof *Xc * ((size_t)n * p + 1));
  double *Yc = malloc(sizeof *Yc * ((size_t)n * q + 1));
  CB_ALLOC_GOTO(Xc, st, done);
  CB_ALLOC_GOTO(Yc, st, done);
  memcpy(Xc, X, sizeof *Xc * (size_t)n * p);
  memcpy(Yc, Y, sizeof *Yc * (size_t)n * q);
  st = cb_pls_fit_inplace(Xc, Yc, n, p, q, n_components, max_iter, tol, out);
done:
  free(Yc);
  free(Xc);
  return st;
}

#define PLS_PRED_BLOCK 64

cb_status cb_pls_predict(const cb_pls *m, const double *X, int nrow, double *Yhat) {
  if (m == NULL || X == NULL || Yhat == NULL) return CB_ERROR(CB_ERR_ARG, "PLS predict: NULL argument");
  if (nrow < 0) return CB_ERROR(CB_ERR_ARG, "PLS predict: negative number of rows %d", nrow);
  const int p = m->p, q = m->q;
  int bs = nrow < PLS_PRED_BLOCK ? nrow : PLS_PRED_BLOCK;
  if (bs == 0) return CB_OK;
  double *buf = malloc(sizeof *buf * (size_t)bs * p); /* (bs, p) centred rows */
  if (buf == NULL) return CB_ERROR(CB_ERR_NOMEM, "PLS predict: out of memory");
  for (int r0 = 0; r0 < nrow; r0 += bs) {
    int nb = nrow - r0 < bs ? nrow - r0 : bs;
    for (int i = 0; i < nb; ++i)
      for (int j = 0; j < p; ++j) buf[(size_t)i * p + j] = X[(size_t)(r0 + i) * p + j] - m->x_mean[j];
    double *Yb = Yhat + (size_t)r0 * q;
    for (int i = 0; i < nb; ++i) memcpy(Yb + (size_t)i * q, m->y_mean, sizeof *Yb * (size_t)q);
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, nb, q, p, 1.0, buf, p, m->coef, q, 1.0, Yb, q);
  }
  free(buf);
  return CB_OK;
}

cb_status cb_pls_kernel_fit_predict(const double *K, int ldk, int n, int m, const double *Y, int q,
                                    int n_components, double *Yhat, double *dual, int *n_used) {
  if (K == NULL || Y == NULL || (Yhat == NULL && m > 0))
    return CB_ERROR(CB_ERR_ARG, "kernel PLS: NULL argument");
  if (n < 2) return CB_ERROR(CB_ERR_NUMERIC, "kernel PLS: needs at least 2 training samples, got %d", n);
  if (m < 0 || q < 1 || ldk < n) return CB_ERROR(CB_ERR_ARG, "kernel PLS: bad sizes (m %d, q %d, ldk %d)", m, q, ldk);
  if (n_components < 1) return CB_ERROR(CB_ERR_ARG, "kernel PLS: n_components must be >= 1, got %d", n_components);
  CB_CHECK(check_finite(Y, n, q, "Y"));
  const int kmax = n_components < n ? n_components : n;
  const double eps = DBL_EPSILON;
  cb_status st = CB_OK;
  const size_t nq = (size_t)n * q;
  double *r = malloc(sizeof *r * (size_t)n), *mte = malloc(sizeof *mte * (size_t)(m + 1));
  double *ym = malloc(sizeof *ym * (size_t)q), *Yk = malloc(sizeof *Yk * nq), *G = malloc(sizeof *G * nq);
  double *M = malloc(sizeof *M * (size_t)q * q), *Mw = malloc(sizeof *Mw * (size_t)q * q);
  double *T = malloc(sizeof *T * (size_t)kmax * n), *V = malloc(sizeof *V * (size_t)kmax * n);
  double *A = malloc(sizeof *A * (size_t)kmax * n), *c = malloc(sizeof *c * (size_t)q);
  double *z = malloc(sizeof *z * (size_t)q), *g = malloc(sizeof *g * (size_t)q), *h = malloc(sizeof *h * (size_t)q);
  double *v = malloc(sizeof *v * (size_t)n), *proj = malloc(sizeof *proj * (size_t)kmax);
  double *B = NULL, *Binv = NULL, *Zt = NULL, *tmp = NULL, *beta = NULL, *cs = NULL;
  lapack_int *isuppz = malloc(sizeof *isuppz * 2);
  CB_ALLOC_GOTO(r, st, done);
  CB_ALLOC_GOTO(mte, st, done);
  CB_ALLOC_GOTO(ym, st, done);
  CB_ALLOC_GOTO(Yk, st, done);
  CB_ALLOC_GOTO(G, st, done);
  CB_ALLOC_GOTO(M, st, done);
  CB_ALLOC_GOTO(Mw, st, done);
  CB_ALLOC_GOTO(T, st, done);
  CB_ALLOC_GOTO(V, st, done);
  CB_ALLOC_GOTO(A, st, done);
  CB_ALLOC_GOTO(c, st, done);
  CB_ALLOC_GOTO(z, st, done);
  CB_ALLOC_GOTO(g, st, done);
  CB_ALLOC_GOTO(h, st, done);
  CB_ALLOC_GOTO(v, st, done);
  CB_ALLOC_GOTO(proj, st, done);
  CB_ALLOC_GOTO(isuppz, st, done);

  double mu;
  cb_kernel_train_means(K, ldk, n, m, r, mte, &mu);
  memcpy(Yk, Y, sizeof *Yk * nq);
  centre_columns(Yk, n, q, ym);
  /* G = Kc Yc = K Yc - 1 (r'Yc)   (1'Yc = 0) */
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, q, n, 1.0, K, ldk, Yk, q, 0.0, G, q);
  cblas_dgemv(CblasRowMajor, CblasTrans, n, q, 1.0, Yk, q, r, 1, 0.0, h, 1);
  for (int i = 0; i < n; ++i) v[i] = 1.0;
  cblas_dger(CblasRowMajor, n, q, -1.0, v, 1, h, 1, G, q);
  /* M = Yc' G (upper triangle used) */
  cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, q, q, n, 1.0, Yk, q, G, q, 0.0, M, q);

  int used = 0;
  double lam1 = 0.0;
  for (int comp = 0; comp < kmax; ++comp) {
    int all_small = 1; /* Y residual is constant: stop */
    for (size_t i = 0; i < nq && all_small; ++i) all_small = fabs(Yk[i]) < 10.0 * eps;
    if (all_small) break;
    double lam = 0.0;
    if (q == 1) {
      lam = M[0];
      c[0] = 1.0;
    } else {
      memcpy(Mw, M, sizeof *M * (size_t)q * q);
      lapack_int found = 0;
      /* M is symmetric: the column-major call on its lower triangle is the row-major upper one, no transposes */
      lapack_int info = LAPACKE_dsyevr(LAPACK_COL_MAJOR, 'V', 'I', 'L', q, Mw, q, 0.0, 0.0, q, q, 0.0, &found,
                                       &lam, c, q, isuppz);
      if (info != 0 || found != 1) {
        st = CB_ERROR(CB_ERR_NUMERIC, "kernel PLS: eigenvalue problem of component %d failed (LAPACK info %d)",
                      comp + 1, (int)info);
        goto done;
      }
    }
    if (comp == 0) lam1 = lam;
    if (!(lam > 1e-13 * lam1) || !isfinite(lam)) break; /* X residual carries no more of Y */
    double *t = T + (size_t)comp * n, *a = A + (size_t)comp * n, *vr = V + (size_t)comp * n;
    cblas_dgemv(CblasRowMajor, CblasNoTrans, n, q, 1.0, G, q, c, 1, 0.0, t, 1);  /* t = Kk Yk c */
    cblas_dgemv(CblasRowMajor, CblasNoTrans, n, q, 1.0, Yk, q, c, 1, 0.0, a, 1); /* a = Yk c */
    for (int pass = 0; pass < 2 && comp > 0; ++pass) { /* re-orthogonalise against earlier scores */
      cblas_dgemv(CblasRowMajor, CblasNoTrans, comp, n, 1.0, T, n, t, 1, 0.0, proj, 1);
      cblas_dgemv(CblasRowMajor, CblasTrans, comp, n, -1.0, T, n, proj, 1, 1.0, t, 1);
    }
    double nt = cblas_dnrm2(n, t, 1);
    if (!(nt > 0.0) || !isfinite(nt)) break;
    cblas_dscal(n, 1.0 / nt, t, 1);
    /* vr = Kc t = K t - r (1't) - 1 (r't) + mu 1 (1't) */
    cblas_dsymv(CblasRowMajor, CblasUpper, n, 1.0, K, ldk, t, 1, 0.0, vr, 1);
    double s1 = 0.0;
    for (int i = 0; i < n; ++i) s1 += t[i];
    double rt = cblas_ddot(n, r, 1, t, 1);
    for (int i = 0; i < n; ++i) vr[i] += -r[i] * s1 - rt + mu * s1;
    /* v = Kk t = (I - T T') vr over the earlier scores */
    memcpy(v, vr, sizeof *v * (size_t)n);
    if (comp > 0) {
      cblas_dgemv(CblasRowMajor, CblasNoTrans, comp, n, 1.0, T, n, v, 1, 0.0, proj, 1);
      cblas_dgemv(CblasRowMajor, CblasTrans, comp, n, -1.0, T, n, proj, 1, 1.0, v, 1);
    }
    cblas_dgemv(CblasRowMajor, CblasTrans, n, q, 1.0, Yk, q, t, 1, 0.0, z, 1); /* z = Yk't */
    cblas_dgemv(CblasRowMajor, CblasTrans, n, q, 1.0, G, q, t, 1, 0.0, g, 1);  /* g = G't */
    double tv = cblas_ddot(n, t, 1, v, 1);
    cblas_dger(CblasRowMajor, n, q, -1.0, t, 1, z, 1, Yk, q); /* Yk -= t z' */
    cblas_dger(CblasRowMajor, n, q, -1.0, v, 1, z, 1, G, q);  /* G = (I - tt')(G - v z') */
    cblas_dgemv(CblasRowMajor, CblasTrans, n, q, 1.0, G, q, t, 1, 0.0, h, 1);
    cblas_dger(CblasRowMajor, n, q, -1.0, t, 1, h, 1, G, q);
    /* M = M - g z' - z g' + (t'v) z z' */
    cblas_dsyr2(CblasRowMajor, CblasUpper, q, -1.0, g, 1, z, 1, M, q);
    cblas_dsyr(CblasRowMajor, CblasUpper, q, tv, z, 1, M, q);
    used = comp + 1;
  }

  beta = calloc(nq, sizeof *beta);
  cs = malloc(sizeof *cs * (size_t)q);
  CB_ALLOC_GOTO(beta, st, done);
  CB_ALLOC_GOTO(cs, st, done);
  if (used > 0) {
    const int k = used;
    B = malloc(sizeof *B * (size_t)k * k);
    Binv = malloc(sizeof *Binv * (size_t)k * k);
    Zt = malloc(sizeof *Zt * (size_t)k * q);
    tmp = malloc(sizeof *tmp * (size_t)k * q);
    CB_ALLOC_GOTO(B, st, done);
    CB_ALLOC_GOTO(Binv, st, done);
    CB_ALLOC_GOTO(Zt, st, done);
    CB_ALLOC_GOTO(tmp, st, done);
    /* Yc again (Yk was deflated): Yk = Y - ybar */
    for (int i = 0; i < n; ++i)
      for (int j = 0; j < q; ++j) Yk[(size_t)i * q + j] = Y[(size_t)i * q + j] - ym[j];
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, k, k, n, 1.0, V, n, A, n, 0.0, B, k); /* T'Kc A */
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, k, q, n, 1.0, T, n, Yk, q, 0.0, Zt, q); /* T'Yc */
    CB_CHECK_GOTO(pinv_square(B, k, Binv), st, done);
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, k, q, k, 1.0, Binv, k, Zt, q, 0.0, tmp, q);
    cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, n, q, k, 1.0, A, n, tmp, q, 0.0, beta, q);
    for (size_t i = 0; i < nq; ++i)
      if (!isfinite(beta[i])) {
        st = CB_ERROR(CB_ERR_NUMERIC, "kernel PLS: non-finite coefficients (degenerate kernel)");
        goto done;
      }
  }
  if (m > 0) {
    /* Yhat = Kc(test, train) beta + ybar, Kc(test, train) = K_te - mte 1' - 1 r' + mu 11' */
    for (int j = 0; j < q; ++j) cs[j] = 0.0;
    for (int i = 0; i < n; ++i)
      for (int j = 0; j < q; ++j) cs[j] += beta[(size_t)i * q + j];
    cblas_dgemv(CblasRowMajor, CblasTrans, n, q, 1.0, beta, q, r, 1, 0.0, h, 1); /* h = beta' r */
    for (int i = 0; i < m; ++i)
      for (int j = 0; j < q; ++j) Yhat[(size_t)i * q + j] = ym[j] - h[j] + (mu - mte[i]) * cs[j];
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, q, n, 1.0, K + (size_t)n * ldk, ldk, beta, q, 1.0,
                Yhat, q);
  }
  if (dual) memcpy(dual, beta, sizeof *beta * nq);
  if (n_used) *n_used = used;

done:
  free(isuppz);
  free(cs);
  free(beta);
  free(tmp);
  free(Zt);
  free(Binv);
  free(B);
  free(proj);
  free(v);
  free(h);
  free(g);
  free(z);
  free(c);
  free(A);
  free(V);
  free(T);
  free(Mw);
  free(M);
  free(G);
  free(Yk);
  free(ym);
  free(mte);
  free(r);
  return st;
}

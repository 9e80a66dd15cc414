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
  /* |t|^2 at or below this is rounding noise of the centred X (relative 1e-13 in norm, as the kernel path) */
  double x_floor = 0.0;
  for (size_t i = 0; i < (size_t)n * p; ++i) x_floor += X[i] * X[i];
  x_floor *= 1e-26;
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
      if (!(tt > x_floor)) break; /* the X residual is exhausted (rank of X reached) */
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
    if (!(tt > x_floor)) break; /* fewer components: X has no direction left (a (nearly) constant layer) */
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

/* Largest eigenpair of the symmetric M (q, q) (upper triangle of the row-major array is read): Lanczos with full
 * re-orthogonalisation from M e_j (j = largest diagonal entry), stopped when the Ritz residual beta_j |s_j| is below
 * 1e-13 lam or the Krylov space is exhausted (then exact). lam = 0 and c = e_j when M is ~0.
 * Work: V (q + 1, q), w (q), wk (5 (q + 1)). */
static cb_status top_eigen(const double *M, int q, double *lam, double *c /* (q) */, double *V /* (q + 1, q) */,
                           double *w /* (q) */, double *wk /* (5 (q + 1)) */) {
  double *al = wk, *be = wk + (q + 1), *s = wk + 2 * (q + 1), *dd = wk + 3 * (q + 1), *ee = wk + 4 * (q + 1);
  int j0 = 0;
  for (int j = 1; j < q; ++j)
    if (M[(size_t)j * q + j] > M[(size_t)j0 * q + j0]) j0 = j;
  memset(c, 0, sizeof *c * (size_t)q);
  c[j0] = 1.0;
  *lam = 0.0;
  if (q == 1) {
    *lam = M[0];
    return CB_OK;
  }
  cblas_dsymv(CblasRowMajor, CblasUpper, q, 1.0, M, q, c, 1, 0.0, V, 1);
  double nv = cblas_dnrm2(q, V, 1);
  if (!(nv > 0.0) || !isfinite(nv)) return CB_OK; /* M ~ 0 (or not finite: caught by the caller's checks) */
  cblas_dscal(q, 1.0 / nv, V, 1);
  double theta = 0.0;
  int k = 0; /* Ritz pair from the first k + 1 Lanczos vectors */
  for (int j = 0; j < q; ++j) {
    double *vj = V + (size_t)j * q, *vn = V + (size_t)(j + 1) * q;
    cblas_dsymv(CblasRowMajor, CblasUpper, q, 1.0, M, q, vj, 1, 0.0, w, 1);
    al[j] = cblas_ddot(q, vj, 1, w, 1);
    for (int pass = 0; pass < 2; ++pass) { /* w -= V V'w over the basis so far (full re-orthogonalisation) */
      cblas_dgemv(CblasRowMajor, CblasNoTrans, j + 1, q, 1.0, V, q, w, 1, 0.0, s, 1);
      cblas_dgemv(CblasRowMajor, CblasTrans, j + 1, q, -1.0, V, q, s, 1, 1.0, w, 1);
    }
    be[j] = cblas_dnrm2(q, w, 1);
    const int last = j + 1 == q || !(be[j] > 1e-300);
    if (!last && (j < 4 || j % 3 != 0)) { /* the Ritz pair is checked every third step */
      cblas_dcopy(q, w, 1, vn, 1);
      cblas_dscal(q, 1.0 / be[j], vn, 1);
      continue;
    }
    /* top eigenpair of the tridiagonal (al[0..j], be[0..j-1]) */
    memcpy(dd, al, sizeof *dd * (size_t)(j + 1));
    memcpy(ee, be, sizeof *ee * (size_t)(j + 1));
    lapack_int found = 0, isuppz[2];
    lapack_int info = LAPACKE_dstevr(LAPACK_COL_MAJOR, 'V', 'I', j + 1, dd, ee, 0.0, 0.0, j + 1, j + 1, 0.0, &found,
                                     &theta, s, j + 1, isuppz);
    if (info != 0 || found != 1)
      return CB_ERROR(CB_ERR_NUMERIC, "kernel PLS: tridiagonal eigenvalue problem failed (LAPACK info %d)", (int)info);
    k = j;
    double res = be[j] * fabs(s[j]);
    if (last || !(res > 1e-13 * fabs(theta))) break;
    cblas_dcopy(q, w, 1, vn, 1);
    cblas_dscal(q, 1.0 / be[j], vn, 1);
  }
  /* c = V' s */
  cblas_dgemv(CblasRowMajor, CblasTrans, k + 1, q, 1.0, V, q, s, 1, 0.0, c, 1);
  double nc = cblas_dnrm2(q, c, 1);
  if (nc > 0.0) cblas_dscal(q, 1.0 / nc, c, 1);
  *lam = theta;
  return CB_OK;
}

/* Out (rows, N) = In (rows, ncols) K(:, 0:ncols)': out_i = sum_j K(i, j) in_j for every row i of K.
 * K (N, ldk); when ncols == N, K is symmetric and is read row-wise (the faster GEMM layout). */
static void kernel_apply(const double *K, int ldk, int N, int ncols, const double *In /* (rows, N) */, int rows,
                         double *Out /* (rows, N) */) {
  if (rows == 0) return;
  if (ncols == N)
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, rows, N, N, 1.0, In, N, K, ldk, 0.0, Out, N);
  else
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, rows, N, ncols, 1.0, In, N, K, ldk, 0.0, Out, N);
}

/* Per-split state of the batched kernel PLS (pointers into shared blocks). */
typedef struct pls_fit {
  int n, m, used, active;
  double mu, lam1;
  double *r;  /* (N) mean of K(i, train) for every row i */
  double *yb; /* (q) training mean of the globally centred Y */
  double *M;  /* (q, q) Yk' Kk Yk, upper triangle */
  double *T;  /* (kmax, N) orthonormal scores, 0 off the training rows */
  double *U;  /* (kmax, N) Kc a_j on every row (training and test) */
  double *A;  /* (kmax, N) a_j = Yk c_j, or NULL when no dual is wanted */
  double *Z;  /* (kmax, q) T'Yc */
} pls_fit;

/* Kc x on every row from Kx (N): (Kc x)_i = (Kx)_i - r_i (1'x) - r'x + mu 1'x, x supported on the training rows. */
static void centre_kx(const pls_fit *f, const int *train, int N, const double *x, const double *Kx, double *out) {
  double s1 = 0.0, rx = 0.0;
  for (int i = 0; i < f->n; ++i) {
    s1 += x[train[i]];
    rx += f->r[train[i]] * x[train[i]];
  }
  for (int i = 0; i < N; ++i) out[i] = Kx[i] - f->r[i] * s1 - rx + f->mu * s1;
}

/* t -= T'(T t) twice over the first k rows of T (k, N); plain loops (small, BLAS threading costs more) */
static void reorth(const double *T, int k, int N, double *t, double *proj /* (k) */) {
  for (int pass = 0; pass < 2 && k > 0; ++pass) {
    for (int l = 0; l < k; ++l) {
      const double *tl = T + (size_t)l * N;
      double d0 = 0.0, d1 = 0.0, d2 = 0.0, d3 = 0.0;
      int i = 0;
      for (; i + 4 <= N; i += 4) {
        d0 += tl[i] * t[i];
        d1 += tl[i + 1] * t[i + 1];
        d2 += tl[i + 2] * t[i + 2];
        d3 += tl[i + 3] * t[i + 3];
      }
      for (; i < N; ++i) d0 += tl[i] * t[i];
      proj[l] = (d0 + d1) + (d2 + d3);
    }
    for (int l = 0; l < k; ++l) {
      const double *tl = T + (size_t)l * N;
      const double pl = proj[l];
      for (int i = 0; i < N; ++i) t[i] -= pl * tl[i];
    }
  }
}

static cb_status check_split(const cb_kernel_split *sp, int N, int ncols, int q, unsigned char *mark, int s) {
  if (sp->train == NULL || (sp->test == NULL && sp->n_test > 0) || (sp->Yhat == NULL && sp->n_test > 0))
    return CB_ERROR(CB_ERR_ARG, "kernel PLS: split %d: NULL argument", s);
  if (sp->n_train < 2)
    return CB_ERROR(CB_ERR_NUMERIC, "kernel PLS: split %d: needs at least 2 training samples, got %d", s, sp->n_train);
  if (sp->n_test < 0 || q < 1) return CB_ERROR(CB_ERR_ARG, "kernel PLS: split %d: bad sizes", s);
  memset(mark, 0, (size_t)N);
  cb_status st = CB_OK;
  for (int i = 0; i < sp->n_train && st == CB_OK; ++i) {
    int t = sp->train[i];
    if (t < 0 || t >= ncols || mark[t])
      st = CB_ERROR(CB_ERR_ARG, "kernel PLS: split %d: training row %d out of range [0, %d) or repeated", s, t, ncols);
    else
      mark[t] = 1;
  }
  for (int i = 0; i < sp->n_test && st == CB_OK; ++i)
    if (sp->test[i] < 0 || sp->test[i] >= N)
      st = CB_ERROR(CB_ERR_ARG, "kernel PLS: split %d: test row %d out of range [0, %d)", s, sp->test[i], N);
  return st;
}

cb_status cb_pls_kernel_multi(const double *K, int ldk, int N, int ncols, const double *Y, int q, int n_components,
                              cb_kernel_split *splits, int n_splits) {
  if (K == NULL || Y == NULL || (splits == NULL && n_splits > 0)) return CB_ERROR(CB_ERR_ARG, "kernel PLS: NULL argument");
  if (N < 2 || ncols < 1 || ncols > N || ldk < ncols || q < 1 || n_splits < 0)
    return CB_ERROR(CB_ERR_ARG, "kernel PLS: bad sizes (N %d, ncols %d, ldk %d, q %d, %d splits)", N, ncols, ldk, q,
                    n_splits);
  if (n_components < 1) return CB_ERROR(CB_ERR_ARG, "kernel PLS: n_components must be >= 1, got %d", n_components);
  CB_CHECK(check_finite(Y, N, q, "Y"));
  if (n_splits == 0) return CB_OK;
  const int S = n_splits, global = ncols == N;
  const size_t Nq = (size_t)N * q, qq = (size_t)q * q;
  int kmax = 0, mmax = 0, mcorr = 0, mbuf = 0, want_dual = 0;
  cb_status st = CB_OK;
  pls_fit *fit = calloc((size_t)S, sizeof *fit);
  unsigned char *mark = malloc((size_t)N);
  double *yg = malloc(sizeof *yg * (size_t)q), *Yg = malloc(sizeof *Yg * Nq); /* (N, q) Y - column means */
  int *Ecomp = NULL;
  double *KY = NULL, *YKY = NULL, *YE = NULL, *KYE = NULL, *KEE = NULL, *P = NULL, *C1 = NULL;
  double *R = NULL, *Yb = NULL, *Mb = NULL, *Tb = NULL, *Ub = NULL, *Ab = NULL, *Zb = NULL;
  double *In = NULL, *Out = NULL, *Cm = NULL, *TY = NULL, *h = NULL, *w = NULL, *V = NULL, *wk = NULL;
  double *proj = NULL, *B = NULL, *Binv = NULL, *X = NULL, *UE = NULL;
  int *act = malloc(sizeof *act * (size_t)S);
  CB_ALLOC_GOTO(fit, st, done);
  CB_ALLOC_GOTO(mark, st, done);
  CB_ALLOC_GOTO(yg, st, done);
  CB_ALLOC_GOTO(Yg, st, done);
  CB_ALLOC_GOTO(act, st, done);
  for (int s = 0; s < S; ++s) {
    CB_CHECK_GOTO(check_split(&splits[s], N, ncols, q, mark, s), st, done);
    int km = n_components < splits[s].n_train ? n_components : splits[s].n_train;
    if (km > kmax) kmax = km;
    if (splits[s].n_test > mmax) mmax = splits[s].n_test;
    const int mc = N - splits[s].n_train; /* complement of the training rows */
    if (2 * mc > N) mbuf = N;               /* direct Yt'K Yt: (N, q) buffers */
    else if (mc > mcorr) mcorr = mc;
    if (mcorr > mbuf) mbuf = mcorr;
    if (splits[s].dual) want_dual = 1;
  }
  R = malloc(sizeof *R * (size_t)S * N);
  Yb = malloc(sizeof *Yb * (size_t)S * q);
  Mb = malloc(sizeof *Mb * (size_t)S * qq);
  Tb = calloc((size_t)S * kmax * N, sizeof *Tb);
  Ub = malloc(sizeof *Ub * (size_t)S * kmax * N);
  Zb = malloc(sizeof *Zb * (size_t)S * kmax * q);
  In = malloc(sizeof *In * (size_t)2 * S * N);  /* (2S, N) vectors to multiply by K or Y */
  Out = malloc(sizeof *Out * (size_t)2 * S * N); /* (2S, N) */
  Cm = malloc(sizeof *Cm * (size_t)S * q);       /* (S, q) eigenvectors c */
  TY = malloc(sizeof *TY * (size_t)2 * S * q);   /* (2S, q) */
  h = malloc(sizeof *h * (size_t)q);
  w = malloc(sizeof *w * (size_t)q);
  V = malloc(sizeof *V * (size_t)(q + 1) * q);
  wk = malloc(sizeof *wk * (size_t)5 * (q + 1));
  proj = malloc(sizeof *proj * (size_t)(kmax + 1));
  CB_ALLOC_GOTO(R, st, done);
  CB_ALLOC_GOTO(Yb, st, done);
  CB_ALLOC_GOTO(Mb, st, done);
  CB_ALLOC_GOTO(Tb, st, done);
  CB_ALLOC_GOTO(Ub, st, done);
  CB_ALLOC_GOTO(Zb, st, done);
  CB_ALLOC_GOTO(In, st, done);
  CB_ALLOC_GOTO(Out, st, done);
  CB_ALLOC_GOTO(Cm, st, done);
  CB_ALLOC_GOTO(TY, st, done);
  CB_ALLOC_GOTO(h, st, done);
  CB_ALLOC_GOTO(w, st, done);
  CB_ALLOC_GOTO(V, st, done);
  CB_ALLOC_GOTO(wk, st, done);
  CB_ALLOC_GOTO(proj, st, done);
  if (want_dual) {
    Ab = calloc((size_t)S * kmax * N, sizeof *Ab);
    CB_ALLOC_GOTO(Ab, st, done);
  }
  for (int s = 0; s < S; ++s) {
    pls_fit *f = &fit[s];
    f->n = splits[s].n_train;
    f->m = splits[s].n_test;
    f->active = 1;
    f->r = R + (size_t)s * N;
    f->yb = Yb + (size_t)s * q;
    f->M = Mb + (size_t)s * qq;
    f->T = Tb + (size_t)s * kmax * N;
    f->U = Ub + (size_t)s * kmax * N;
    f->A = Ab ? Ab + (size_t)s * kmax * N : NULL;
    f->Z = Zb + (size_t)s * kmax * q;
  }

  /* Y centred on all rows (any constant shift cancels in each split's centring; it keeps the corrections small) */
  memcpy(Yg, Y, sizeof *Yg * Nq);
  centre_columns(Yg, N, q, yg);
  for (int j = 0; j < q; ++j) { /* a constant column becomes exactly 0 */
    int same = 1;
    for (int i = 1; i < N && same; ++i) same = Y[(size_t)i * q + j] == Y[j];
    if (same)
      for (int i = 0; i < N; ++i) Yg[(size_t)i * q + j] = 0.0;
  }
  /* r_s = K(:, train_s) 1 / n_s for all splits in one product; mu_s = mean over train of r_s; ybar_s */
  memset(In, 0, sizeof *In * (size_t)S * N);
  for (int s = 0; s < S; ++s)
    for (int i = 0; i < fit[s].n; ++i) In[(size_t)s * N + splits[s].train[i]] = 1.0 / fit[s].n;
  kernel_apply(K, ldk, N, ncols, In, S, R);
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, S, q, N, 1.0, In, N, Yg, q, 0.0, Yb, q);
  for (int s = 0; s < S; ++s) {
    double mu = 0.0, ymax = 0.0;
    for (int i = 0; i < fit[s].n; ++i) {
      const int t = splits[s].train[i];
      mu += fit[s].r[t];
      for (int j = 0; j < q; ++j) ymax = fmax(ymax, fabs(Yg[(size_t)t * q + j] - fit[s].yb[j]));
    }
    fit[s].mu = mu / fit[s].n;
    if (ymax < 10.0 * DBL_EPSILON) fit[s].active = 0; /* Y is constant on the training rows: no component */
  }

  /* M_s = Yc' Kc Yc = Yt' K Yt with Yt = D_s (Yg - 1 ybar') (D_s: training rows), as 1'Yt = 0 */
  if (global) {
    /* W = D Yg: W'KW = Yg'K Yg - YE'(K Yg)_E - (K Yg)_E' YE + YE' K_EE YE (E: the rows outside the training set),
     * then Yt'KYt = W'KW - h ybar' - ybar h' + n^2 mu ybar ybar', h = W'K d = n sum_train r_i Yg_i.
     * A split whose complement is larger than its training set gets the direct Yt'(K Yt) instead. */
    Ecomp = malloc(sizeof *Ecomp * (size_t)N);
    CB_ALLOC_GOTO(Ecomp, st, done);
    KY = malloc(sizeof *KY * Nq);
    YKY = malloc(sizeof *YKY * qq);
    YE = malloc(sizeof *YE * ((size_t)mcorr * q + 1));
    KYE = malloc(sizeof *KYE * ((size_t)mbuf * q + 1));
    P = malloc(sizeof *P * ((size_t)mbuf * q + 1));
    KEE = malloc(sizeof *KEE * ((size_t)mcorr * mcorr + 1));
    C1 = malloc(sizeof *C1 * qq);
    CB_ALLOC_GOTO(KY, st, done);
    CB_ALLOC_GOTO(YKY, st, done);
    CB_ALLOC_GOTO(YE, st, done);
    CB_ALLOC_GOTO(KYE, st, done);
    CB_ALLOC_GOTO(P, st, done);
    CB_ALLOC_GOTO(KEE, st, done);
    CB_ALLOC_GOTO(C1, st, done);
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, N, q, N, 1.0, K, ldk, Yg, q, 0.0, KY, q);
    cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, q, q, N, 1.0, Yg, q, KY, q, 0.0, YKY, q);
    for (int s = 0; s < S; ++s) {
      pls_fit *f = &fit[s];
      const int n = f->n, m = N - n;
      const int *E = Ecomp;
      double *M = f->M;
      if (2 * m > N) { /* direct: KYE (N, q) = K Yt, M = Yt' KYE */
        double *Yt = P, *KYt = KYE;
        memset(Yt, 0, sizeof *Yt * Nq);
        for (int i = 0; i < n; ++i) {
          const int t = splits[s].train[i];
          for (int j = 0; j < q; ++j) Yt[(size_t)t * q + j] = Yg[(size_t)t * q + j] - f->yb[j];
        }
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, N, q, N, 1.0, K, ldk, Yt, q, 0.0, KYt, q);
        cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, q, q, N, 1.0, Yt, q, KYt, q, 0.0, M, q);
        continue;
      }
      memset(mark, 0, (size_t)N);
      for (int i = 0; i < n; ++i) mark[splits[s].train[i]] = 1;
      for (int i = 0, e = 0; i < N; ++i)
        if (!mark[i]) Ecomp[e++] = i;
      memcpy(M, YKY, sizeof *M * qq);
      if (m > 0) {
        for (int i = 0; i < m; ++i) {
          memcpy(YE + (size_t)i * q, Yg + (size_t)E[i] * q, sizeof *YE * (size_t)q);
          memcpy(KYE + (size_t)i * q, KY + (size_t)E[i] * q, sizeof *KYE * (size_t)q);
          for (int j = 0; j < m; ++j) KEE[(size_t)i * m + j] = K[(size_t)E[i] * ldk + E[j]];
        }
        cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, q, q, m, 1.0, YE, q, KYE, q, 0.0, C1, q);
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, q, m, 1.0, KEE, m, YE, q, 0.0, P, q);
        cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, q, q, m, 1.0, YE, q, P, q, 1.0, M, q);
        for (int i = 0; i < q; ++i)
          for (int j = 0; j < q; ++j) M[(size_t)i * q + j] -= C1[(size_t)i * q + j] + C1[(size_t)j * q + i];
      }
      memset(h, 0, sizeof *h * (size_t)q);
      for (int i = 0; i < n; ++i) {
        const int t = splits[s].train[i];
        cblas_daxpy(q, n * f->r[t], Yg + (size_t)t * q, 1, h, 1);
      }
      cblas_dsyr2(CblasRowMajor, CblasUpper, q, -1.0, h, 1, f->yb, 1, M, q);
      cblas_dsyr(CblasRowMajor, CblasUpper, q, (double)n * n * f->mu, f->yb, 1, M, q);
    }
  } else {
    /* direct: P = K(0:ncols, 0:ncols) Yt, M = Yt'P (training rows are < ncols) */
    KY = malloc(sizeof *KY * (size_t)ncols * q);
    P = malloc(sizeof *P * (size_t)ncols * q);
    CB_ALLOC_GOTO(KY, st, done);
    CB_ALLOC_GOTO(P, st, done);
    for (int s = 0; s < S; ++s) {
      pls_fit *f = &fit[s];
      memset(KY, 0, sizeof *KY * (size_t)ncols * q);
      for (int i = 0; i < f->n; ++i) {
        const int t = splits[s].train[i];
        for (int j = 0; j < q; ++j) KY[(size_t)t * q + j] = Yg[(size_t)t * q + j] - f->yb[j];
      }
      cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, ncols, q, ncols, 1.0, K, ldk, KY, q, 0.0, P, q);
      cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, q, q, ncols, 1.0, KY, q, P, q, 0.0, f->M, q);
    }
  }

  /* components: per split c = top eigenvector of M; a = Yk c; t = (I - TT') Kc a / |.|; v = (I - TT') Kc t;
   * z = Yc't, g = Yc'v; M -= g z' + z g' - (t'v) z z'. The two K products of all splits are one GEMM each. */
  for (int comp = 0; comp < kmax; ++comp) {
    int na = 0;
    for (int s = 0; s < S; ++s) {
      pls_fit *f = &fit[s];
      if (!f->active) continue;
      if (comp >= (n_components < f->n ? n_components : f->n)) {
        f->active = 0;
        continue;
      }
      double lam = 0.0, *c = Cm + (size_t)na * q;
      CB_CHECK_GOTO(top_eigen(f->M, q, &lam, c, V, w, wk), st, done);
      if (comp == 0) f->lam1 = lam;
      if (!(lam > 1e-13 * f->lam1) || !isfinite(lam)) { /* the X residual carries no more of Y */
        f->active = 0;
        continue;
      }
      act[na++] = s;
    }
    if (na == 0) break;
    /* Yg c for every active split: (na, N) = Cm Yg' */
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, na, N, q, 1.0, Cm, q, Yg, q, 0.0, Out, N);
    for (int b = 0; b < na; ++b) {
      pls_fit *f = &fit[act[b]];
      const int *tr = splits[act[b]].train;
      const double *c = Cm + (size_t)b * q, *yc = Out + (size_t)b * N;
      double *a = In + (size_t)b * N;
      const double yc0 = cblas_ddot(q, f->yb, 1, c, 1);
      memset(a, 0, sizeof *a * (size_t)N);
      for (int i = 0; i < f->n; ++i) a[tr[i]] = yc[tr[i]] - yc0;
      if (comp > 0) { /* a -= T (Z c): Yk = (I - TT') Yc */
        cblas_dgemv(CblasRowMajor, CblasNoTrans, comp, q, 1.0, f->Z, q, c, 1, 0.0, proj, 1);
        cblas_dgemv(CblasRowMajor, CblasTrans, comp, N, -1.0, f->T, N, proj, 1, 1.0, a, 1);
      }
      if (f->A) memcpy(f->A + (size_t)comp * N, a, sizeof *a * (size_t)N);
    }
    kernel_apply(K, ldk, N, ncols, In, na, Out); /* K a */
    int nb = 0;
    for (int b = 0; b < na; ++b) {
      const int s = act[b];
      pls_fit *f = &fit[s];
      const int *tr = splits[s].train;
      double *u = f->U + (size_t)comp * N, *t = f->T + (size_t)comp * N;
      centre_kx(f, tr, N, In + (size_t)b * N, Out + (size_t)b * N, u); /* u = Kc a on every row */
      memset(t, 0, sizeof *t * (size_t)N);
      for (int i = 0; i < f->n; ++i) t[tr[i]] = u[tr[i]];
      reorth(f->T, comp, N, t, proj);
      double nt = cblas_dnrm2(N, t, 1);
      if (!(nt > 0.0) || !isfinite(nt)) {
        memset(t, 0, sizeof *t * (size_t)N);
        f->active = 0;
        continue;
      }
      cblas_dscal(N, 1.0 / nt, t, 1);
      act[nb] = s;
      memcpy(In + (size_t)nb * N, t, sizeof *t * (size_t)N);
      ++nb;
    }
    if (nb == 0) break;
    kernel_apply(K, ldk, N, ncols, In, nb, Out); /* K t */
    for (int b = 0; b < nb; ++b) {
      pls_fit *f = &fit[act[b]];
      const int *tr = splits[act[b]].train;
      const double *t = f->T + (size_t)comp * N;
      double *v = Out + (size_t)b * N;
      centre_kx(f, tr, N, t, v, v); /* Kc t */
      for (int i = 0; i < N; ++i) In[(size_t)(nb + b) * N + i] = 0.0;
      for (int i = 0; i < f->n; ++i) In[(size_t)(nb + b) * N + tr[i]] = v[tr[i]];
      reorth(f->T, comp, N, In + (size_t)(nb + b) * N, proj); /* v = Kk t */
    }
    /* [z; g] = Yg' [t; v] (2 nb, q), then the centring: Yc'x = Yg'x - ybar (1'x) */
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, 2 * nb, q, N, 1.0, In, N, Yg, q, 0.0, TY, q);
    for (int b = 0; b < nb; ++b) {
      pls_fit *f = &fit[act[b]];
      const double *t = In + (size_t)b * N, *v = In + (size_t)(nb + b) * N;
      double st1 = 0.0, sv1 = 0.0;
      for (int i = 0; i < N; ++i) {
        st1 += t[i];
        sv1 += v[i];
      }
      double *z = TY + (size_t)b * q, *g = TY + (size_t)(nb + b) * q;
      cblas_daxpy(q, -st1, f->yb, 1, z, 1);
      cblas_daxpy(q, -sv1, f->yb, 1, g, 1);
      const double tv = cblas_ddot(N, t, 1, v, 1);
      cblas_dsyr2(CblasRowMajor, CblasUpper, q, -1.0, g, 1, z, 1, f->M, q);
      cblas_dsyr(CblasRowMajor, CblasUpper, q, tv, z, 1, f->M, q);
      memcpy(f->Z + (size_t)comp * q, z, sizeof *z * (size_t)q);
      f->used = comp + 1;
    }
  }

  /* per split: B = T'Kc A (k, k), X = B^+ Z (k, q); Yhat = Kc(test, train) A' X + ybar = U(test)' X + ybar */
  B = malloc(sizeof *B * (size_t)kmax * kmax + 1);
  Binv = malloc(sizeof *Binv * (size_t)kmax * kmax + 1);
  X = malloc(sizeof *X * ((size_t)kmax * q + 1));
  UE = malloc(sizeof *UE * ((size_t)kmax * (mmax > ncols ? mmax : ncols) + 1));
  CB_ALLOC_GOTO(B, st, done);
  CB_ALLOC_GOTO(Binv, st, done);
  CB_ALLOC_GOTO(X, st, done);
  CB_ALLOC_GOTO(UE, st, done);
  for (int s = 0; s < S; ++s) {
    pls_fit *f = &fit[s];
    cb_kernel_split *sp = &splits[s];
    const int k = f->used;
    sp->n_used = k;
    if (k > 0) {
      cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, k, k, N, 1.0, f->T, N, f->U, N, 0.0, B, k);
      CB_CHECK_GOTO(pinv_square(B, k, Binv), st, done);
      cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, k, q, k, 1.0, Binv, k, f->Z, q, 0.0, X, q);
      for (size_t i = 0; i < (size_t)k * q; ++i)
        if (!isfinite(X[i])) {
          st = CB_ERROR(CB_ERR_NUMERIC, "kernel PLS: split %d: non-finite coefficients (degenerate kernel)", s);
          goto done;
        }
    }
    for (int i = 0; i < f->m; ++i) {
      double *yh = sp->Yhat + (size_t)i * q;
      for (int j = 0; j < q; ++j) yh[j] = yg[j] + f->yb[j];
    }
    if (k > 0 && f->m > 0) {
      for (int j = 0; j < k; ++j)
        for (int i = 0; i < f->m; ++i) UE[(size_t)j * f->m + i] = f->U[(size_t)j * N + sp->test[i]];
      cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, f->m, q, k, 1.0, UE, f->m, X, q, 1.0, sp->Yhat, q);
    }
    if (sp->dual) {
      memset(sp->dual, 0, sizeof *sp->dual * (size_t)f->n * q);
      if (k > 0) {
        for (int j = 0; j < k; ++j)
          for (int i = 0; i < f->n; ++i) UE[(size_t)j * f->n + i] = f->A[(size_t)j * N + sp->train[i]];
        cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, f->n, q, k, 1.0, UE, f->n, X, q, 0.0, sp->dual, q);
      }
    }
  }

done:
  free(UE);
  free(X);
  free(Binv);
  free(B);
  free(proj);
  free(wk);
  free(V);
  free(w);
  free(h);
  free(TY);
  free(Cm);
  free(Out);
  free(In);
  free(Ab);
  free(Zb);
  free(Ub);
  free(Tb);
  free(Mb);
  free(Yb);
  free(R);
  free(C1);
  free(KEE);
  free(P);
  free(KYE);
  free(YE);
  free(YKY);
  free(KY);
  free(Yg);
  free(yg);
  free(Ecomp);
  free(act);
  free(mark);
  free(fit);
  return st;
}

cb_status cb_pls_kernel_fit_predict(const double *K, int ldk, int n, int m, const double *Y, int q,
                                    int n_components, double *Yhat, double *dual, int *n_used) {
  if (K == NULL || Y == NULL || (Yhat == NULL && m > 0))
    return CB_ERROR(CB_ERR_ARG, "kernel PLS: NULL argument");
  if (n < 2) return CB_ERROR(CB_ERR_NUMERIC, "kernel PLS: needs at least 2 training samples, got %d", n);
  if (m < 0 || q < 1 || ldk < n) return CB_ERROR(CB_ERR_ARG, "kernel PLS: bad sizes (m %d, q %d, ldk %d)", m, q, ldk);
  if (n_components < 1) return CB_ERROR(CB_ERR_ARG, "kernel PLS: n_components must be >= 1, got %d", n_components);
  CB_CHECK(check_finite(Y, n, q, "Y"));
  cb_status st = CB_OK;
  const int N = n + m;
  int *idx = malloc(sizeof *idx * (size_t)N);
  double *Yp = malloc(sizeof *Yp * (size_t)N * q); /* (N, q) Y, test rows = training row 0 (no influence) */
  CB_ALLOC_GOTO(idx, st, done);
  CB_ALLOC_GOTO(Yp, st, done);
  for (int i = 0; i < N; ++i) idx[i] = i;
  memcpy(Yp, Y, sizeof *Yp * (size_t)n * q);
  for (int i = n; i < N; ++i) memcpy(Yp + (size_t)i * q, Y, sizeof *Yp * (size_t)q); /* test rows: a copy of row 0 */
  cb_kernel_split sp = {idx, n, idx + n, m, Yhat, dual, 0};
  CB_CHECK_GOTO(cb_pls_kernel_multi(K, ldk, N, n, Yp, q, n_components, &sp, 1), st, done);
  if (n_used) *n_used = sp.n_used;
done:
  free(Yp);
  free(idx);
  return st;
}

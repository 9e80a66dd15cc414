/* cb_pls.c - PLS2 regression (NIPALS, regression-mode deflation), scikit-learn PLSRegression semantics. */
#include "cb_pls.h"

#include <cblas.h>
#include <float.h>
#include <lapacke.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cb_arena.h"
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

/* Blocks carved from an arena, or only counted (arena NULL): total bytes as cb_arena_alloc rounds them (64-byte
 * blocks, cb_arena.h); SIZE_MAX once the sum overflows. failed: a block the arena could not give. */
typedef struct carver {
  cb_arena *arena;
  size_t total;
  int failed;
} carver;

static void *carve(carver *c, size_t count, size_t size) {
  const int too_big = size > 0 && count > (SIZE_MAX - 63) / size;
  const size_t block = too_big ? SIZE_MAX : (count * size + 63) & ~(size_t)63;
  c->total = block > SIZE_MAX - c->total ? SIZE_MAX : c->total + block;
  if (c->arena == NULL) return NULL;
  void *p = too_big ? NULL : cb_arena_alloc(c->arena, count * size); /* zeroed */
  if (p == NULL) c->failed = 1;
  return p;
}

/* Checks the arguments of cb_pls_fit_inplace and that X and Y are finite (the first error wins). */
static cb_status nipals_check_args(const double *X, const double *Y, int n, int p, int q, int n_components,
                                   int max_iter, double tol, cb_pls **out) {
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
  return CB_OK;
}

/* One NIPALS fit: the residuals (deflated in place), sizes and every workspace (shapes in the comments), the
 * workspaces carved from one arena (nipals_carve). */
typedef struct nipals {
  double *X;        /* (n, p) X residual */
  double *Y;        /* (n, q) Y residual */
  int n, p, q, k;   /* k: components asked */
  int max_iter;
  double tol;
  double x_floor;   /* |t|^2 at or below this is rounding noise of the centred X */
  double *Wt;       /* (k, p) x weights, one row per component */
  double *Pt;       /* (k, p) x loadings */
  double *Qt;       /* (k, q) y loadings */
  double *w, *w_old; /* (p) each */
  double *t, *u;    /* (n) each */
  double *c;        /* (q) */
  double *M, *Minv; /* (k, k) each, used as (ku, ku) */
  double *R;        /* (p, k), used as (p, ku) */
} nipals;

static void nipals_carve(nipals *f, carver *c) {
  const size_t n = (size_t)f->n, p = (size_t)f->p, q = (size_t)f->q, k = (size_t)f->k, D = sizeof(double);
  f->Wt = carve(c, k * p, D);
  f->Pt = carve(c, k * p, D);
  f->Qt = carve(c, k * q, D);
  f->w = carve(c, p, D);
  f->w_old = carve(c, p, D);
  f->t = carve(c, n, D);
  f->u = carve(c, n, D);
  f->c = carve(c, q, D);
  f->M = carve(c, k * k, D);
  f->Minv = carve(c, k * k, D);
  f->R = carve(c, p * k, D);
}

/* One arena holding every workspace of the fit (counted first, then carved). */
static cb_status nipals_alloc(nipals *f, cb_arena **arena) {
  carver count = {NULL, 0, 0};
  nipals_carve(f, &count);
  if (cb_arena_create(count.total, arena) != CB_OK) return CB_ERROR(CB_ERR_NOMEM, "out of memory");
  carver c = {*arena, 0, 0};
  nipals_carve(f, &c);
  if (c.failed) return CB_ERROR(CB_ERR_NOMEM, "out of memory");
  return CB_OK;
}

/* The model with its means and (zeroed) coefficients. */
static cb_status pls_model_new(int p, int q, cb_pls **out) {
  cb_pls *m = calloc(1, sizeof *m);
  if (m == NULL) return CB_ERROR(CB_ERR_NOMEM, "out of memory");
  m->p = p;
  m->q = q;
  m->x_mean = malloc(sizeof *m->x_mean * (size_t)p);
  m->y_mean = malloc(sizeof *m->y_mean * (size_t)q);
  m->coef = calloc((size_t)p * q, sizeof *m->coef);
  *out = m;
  if (m->x_mean == NULL || m->y_mean == NULL || m->coef == NULL) return CB_ERROR(CB_ERR_NOMEM, "out of memory");
  return CB_OK;
}

/* Columns of the Y residual that are all ~0 become exactly 0; the first non-zero column, -1 when there is none. */
static int nipals_start_column(double *Y, int n, int q) {
  const double eps = DBL_EPSILON;
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
  return j0;
}

/* Power method for the first singular vectors of X'Y from u = column j0 of Y, then the sign convention (the
 * largest |w| entry is positive): the weights in f->w. */
static void nipals_weights(nipals *f, int j0) {
  const int n = f->n, p = f->p, q = f->q;
  const double eps = DBL_EPSILON;
  const double *X = f->X, *Y = f->Y;
  double *w = f->w, *w_old = f->w_old, *t = f->t, *u = f->u, *c = f->c;
  for (int i = 0; i < n; ++i) u[i] = Y[(size_t)i * q + j0];
  for (int j = 0; j < p; ++j) w_old[j] = 100.0;
  for (int it = 0; it < f->max_iter; ++it) {
    double uu = cblas_ddot(n, u, 1, u, 1);
    cblas_dgemv(CblasRowMajor, CblasTrans, n, p, 1.0 / uu, X, p, u, 1, 0.0, w, 1); /* w = X'u / u'u */
    double nw = sqrt(cblas_ddot(p, w, 1, w, 1)) + eps;
    cblas_dscal(p, 1.0 / nw, w, 1);
    cblas_dgemv(CblasRowMajor, CblasNoTrans, n, p, 1.0, X, p, w, 1, 0.0, t, 1); /* t = X w */
    double tt = cblas_ddot(n, t, 1, t, 1);
    if (!(tt > f->x_floor)) break; /* the X residual is exhausted (rank of X reached) */
    cblas_dgemv(CblasRowMajor, CblasTrans, n, q, 1.0 / tt, Y, q, t, 1, 0.0, c, 1); /* c = Y't / t't */
    double cc = cblas_ddot(q, c, 1, c, 1);
    cblas_dgemv(CblasRowMajor, CblasNoTrans, n, q, 1.0 / (cc + eps), Y, q, c, 1, 0.0, u, 1); /* u = Yc/c'c */
    double diff = 0.0;
    for (int j = 0; j < p; ++j) diff += (w[j] - w_old[j]) * (w[j] - w_old[j]);
    if (diff < f->tol || q == 1) break;
    memcpy(w_old, w, sizeof *w * (size_t)p);
  }
  int imax = 0;
  for (int j = 1; j < p; ++j)
    if (fabs(w[j]) > fabs(w[imax])) imax = j;
  double sign = w[imax] > 0 ? 1.0 : (w[imax] < 0 ? -1.0 : 0.0);
  cblas_dscal(p, sign, w, 1);
}

/* Scores, loadings and regression-mode deflation of component comp from f->w; 0 when X has no direction left
 * (nothing stored). */
static int nipals_deflate(nipals *f, int comp) {
  const int n = f->n, p = f->p, q = f->q;
  double *X = f->X, *Y = f->Y, *t = f->t;
  cblas_dgemv(CblasRowMajor, CblasNoTrans, n, p, 1.0, X, p, f->w, 1, 0.0, t, 1);
  double tt = cblas_ddot(n, t, 1, t, 1);
  if (!(tt > f->x_floor)) return 0; /* fewer components: X has no direction left (a (nearly) constant layer) */
  double *pl = f->Pt + (size_t)comp * p, *ql = f->Qt + (size_t)comp * q;
  cblas_dgemv(CblasRowMajor, CblasTrans, n, p, 1.0 / tt, X, p, t, 1, 0.0, pl, 1);
  cblas_dger(CblasRowMajor, n, p, -1.0, t, 1, pl, 1, X, p);
  cblas_dgemv(CblasRowMajor, CblasTrans, n, q, 1.0 / tt, Y, q, t, 1, 0.0, ql, 1);
  cblas_dger(CblasRowMajor, n, q, -1.0, t, 1, ql, 1, Y, q);
  memcpy(f->Wt + (size_t)comp * p, f->w, sizeof *f->w * (size_t)p);
  return 1;
}

/* coef (p, q) = W pinv(P'W) Q' over the ku components fitted. */
static cb_status nipals_coef(nipals *f, int ku, double *coef) {
  const int p = f->p, q = f->q;
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, ku, ku, p, 1.0, f->Pt, p, f->Wt, p, 0.0, f->M, ku);
  CB_CHECK(pinv_square(f->M, ku, f->Minv));
  cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, p, ku, ku, 1.0, f->Wt, p, f->Minv, ku, 0.0, f->R, ku);
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, p, q, ku, 1.0, f->R, ku, f->Qt, q, 0.0, coef, q);
  for (size_t i = 0; i < (size_t)p * q; ++i)
    if (!isfinite(coef[i]))
      return CB_ERROR(CB_ERR_NUMERIC, "PLS fit: non-finite coefficients (degenerate X, e.g. constant)");
  return CB_OK;
}

cb_status cb_pls_fit_inplace(double *X, double *Y, int n, int p, int q, int n_components, int max_iter,
                             double tol, cb_pls **out) {
  CB_CHECK(nipals_check_args(X, Y, n, p, q, n_components, max_iter, tol, out));
  cb_status st = CB_OK;
  cb_pls *m = NULL;
  cb_arena *arena = NULL;
  nipals f = {0};
  f.X = X;
  f.Y = Y;
  f.n = n;
  f.p = p;
  f.q = q;
  f.k = n_components;
  f.max_iter = max_iter;
  f.tol = tol;
  CB_CHECK_GOTO(pls_model_new(p, q, &m), st, done);
  CB_CHECK_GOTO(nipals_alloc(&f, &arena), st, done);

  centre_columns(X, n, p, m->x_mean);
  /* |t|^2 at or below this is rounding noise of the centred X (relative 1e-13 in norm, as the kernel path) */
  double x_floor = 0.0;
  for (size_t i = 0; i < (size_t)n * p; ++i) x_floor += X[i] * X[i];
  f.x_floor = x_floor * 1e-26;
  centre_columns(Y, n, q, m->y_mean);

  int used = 0;
  for (int comp = 0; comp < f.k; ++comp) {
    int j0 = nipals_start_column(Y, n, q);
    if (j0 < 0) break; /* Y residual is constant: fewer components */
    nipals_weights(&f, j0);
    if (!nipals_deflate(&f, comp)) break;
    used = comp + 1;
  }
  m->n_comp = used;
  /* the unused components are all-zero and drop out */
  if (used > 0) CB_CHECK_GOTO(nipals_coef(&f, used, m->coef), st, done);
  *out = m;
  m = NULL;

done:
  cb_arena_destroy(&arena);
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

/* One batched fit: the kernel, the splits, the sizes found while checking them and every workspace (shapes in the
 * comments), carved from one arena sized up front (batch_carve). */
typedef struct pls_batch {
  const double *K;         /* (N, ldk), columns 0..ncols-1 read */
  int ldk, N, ncols, q, S, n_components;
  int global;              /* ncols == N: K is the whole symmetric kernel */
  int kmax;                /* most components of a split: min(n_components, n_train) */
  int mmax;                /* most test rows of a split */
  int mcorr;               /* most rows outside a training set over the splits corrected from K Yg (global) */
  int mbuf;                /* rows of the KYE and P buffers: N when a split takes the direct Yt'K Yt, else mcorr */
  int want_dual;           /* a split asks for its dual coefficients */
  cb_kernel_split *splits; /* (S) */
  pls_fit *fit;            /* (S) */
  int *act;                /* (S) splits fitting the current component */
  unsigned char *mark;     /* (N) training rows of one split (global) */
  int *Ecomp;              /* (N) rows outside one split's training set (global) */
  double *yg;              /* (q) column means of Y */
  double *Yg;              /* (N, q) Y - column means */
  double *R;               /* (S, N) r of every split */
  double *Yb;              /* (S, q) ybar of every split */
  double *Mb;              /* (S, q, q) M of every split */
  double *Tb, *Ub;         /* (S, kmax, N) each */
  double *Ab;              /* (S, kmax, N), NULL when no split wants its dual */
  double *Zb;              /* (S, kmax, q) */
  double *In, *Out;        /* (2S, N) each: vectors to multiply by K or Y, and the products */
  double *Cm;              /* (S, q) eigenvectors c */
  double *TY;              /* (2S, q) */
  double *h, *w;           /* (q) each */
  double *V;               /* (q + 1, q) Lanczos basis */
  double *wk;              /* (5 (q + 1)) */
  double *proj;            /* (kmax + 1) */
  double *KY;              /* global: (N, q) K Yg; else (ncols, q) Yt */
  double *YKY, *C1;        /* (q, q) each (global) */
  double *YE;              /* (mcorr, q) Yg on the rows outside a training set (global) */
  double *KEE;             /* (mcorr, mcorr) K on those rows (global) */
  double *KYE;             /* (mbuf, q) (global) */
  double *P;               /* global: (mbuf, q); else (ncols, q) */
  double *Bm, *Binv;       /* (kmax, kmax) each: T'Kc A and its pseudo-inverse */
  double *X;               /* (kmax, q) B^+ Z */
  double *UE;              /* (kmax, max(mmax, ncols)) U or A on one split's test or training rows */
} pls_batch;

/* Checks every split (the first error names its split) and finds the sizes of the batch. */
static cb_status check_splits(pls_batch *pb) {
  const int N = pb->N;
  unsigned char *mark = malloc((size_t)N); /* (N) training rows seen, for check_split */
  if (mark == NULL) return CB_ERROR(CB_ERR_NOMEM, "out of memory");
  cb_status st = CB_OK;
  for (int s = 0; s < pb->S; ++s) {
    const cb_kernel_split *sp = &pb->splits[s];
    st = check_split(sp, N, pb->ncols, pb->q, mark, s);
    if (st != CB_OK) break;
    int km = pb->n_components < sp->n_train ? pb->n_components : sp->n_train;
    if (km > pb->kmax) pb->kmax = km;
    if (sp->n_test > pb->mmax) pb->mmax = sp->n_test;
    const int mc = N - sp->n_train;       /* complement of the training rows */
    if (2 * mc > N) pb->mbuf = N;         /* direct Yt'K Yt: (N, q) buffers */
    else if (mc > pb->mcorr) pb->mcorr = mc;
    if (pb->mcorr > pb->mbuf) pb->mbuf = pb->mcorr;
    if (sp->dual) pb->want_dual = 1;
  }
  free(mark);
  return st;
}

/* Every workspace of the batch from c (the sizes as cb_pls_kernel_multi always used them). */
static void batch_carve(pls_batch *pb, carver *c) {
  const size_t S = (size_t)pb->S, N = (size_t)pb->N, q = (size_t)pb->q, kmax = (size_t)pb->kmax, D = sizeof(double);
  const size_t ncols = (size_t)pb->ncols, mcorr = (size_t)pb->mcorr, mbuf = (size_t)pb->mbuf;
  pb->fit = carve(c, S, sizeof *pb->fit);
  pb->act = carve(c, S, sizeof *pb->act);
  pb->yg = carve(c, q, D);
  pb->Yg = carve(c, N * q, D);
  pb->R = carve(c, S * N, D);
  pb->Yb = carve(c, S * q, D);
  pb->Mb = carve(c, S * q * q, D);
  pb->Tb = carve(c, S * kmax * N, D);
  pb->Ub = carve(c, S * kmax * N, D);
  pb->Ab = pb->want_dual ? carve(c, S * kmax * N, D) : NULL;
  pb->Zb = carve(c, S * kmax * q, D);
  pb->In = carve(c, 2 * S * N, D);
  pb->Out = carve(c, 2 * S * N, D);
  pb->Cm = carve(c, S * q, D);
  pb->TY = carve(c, 2 * S * q, D);
  pb->h = carve(c, q, D);
  pb->w = carve(c, q, D);
  pb->V = carve(c, (q + 1) * q, D);
  pb->wk = carve(c, 5 * (q + 1), D);
  pb->proj = carve(c, kmax + 1, D);
  if (pb->global) {
    pb->mark = carve(c, N, 1);
    pb->Ecomp = carve(c, N, sizeof *pb->Ecomp);
    pb->KY = carve(c, N * q, D);
    pb->YKY = carve(c, q * q, D);
    pb->YE = carve(c, mcorr * q + 1, D);
    pb->KYE = carve(c, mbuf * q + 1, D);
    pb->P = carve(c, mbuf * q + 1, D);
    pb->KEE = carve(c, mcorr * mcorr + 1, D);
    pb->C1 = carve(c, q * q, D);
  } else {
    pb->KY = carve(c, ncols * q, D);
    pb->P = carve(c, ncols * q, D);
  }
  pb->Bm = carve(c, kmax * kmax + 1, D);
  pb->Binv = carve(c, kmax * kmax + 1, D);
  pb->X = carve(c, kmax * q + 1, D);
  pb->UE = carve(c, kmax * ((size_t)pb->mmax > ncols ? (size_t)pb->mmax : ncols) + 1, D);
}

/* One arena holding every workspace (counted first, then carved), and each split's views into the shared blocks. */
static cb_status batch_alloc(pls_batch *pb, cb_arena **arena) {
  carver count = {NULL, 0, 0};
  batch_carve(pb, &count);
  if (cb_arena_create(count.total, arena) != CB_OK) return CB_ERROR(CB_ERR_NOMEM, "out of memory");
  carver c = {*arena, 0, 0};
  batch_carve(pb, &c);
  if (c.failed) return CB_ERROR(CB_ERR_NOMEM, "out of memory");
  const size_t N = (size_t)pb->N, q = (size_t)pb->q, kmax = (size_t)pb->kmax;
  for (int s = 0; s < pb->S; ++s) {
    pls_fit *f = &pb->fit[s];
    f->n = pb->splits[s].n_train;
    f->m = pb->splits[s].n_test;
    f->active = 1;
    f->r = pb->R + (size_t)s * N;
    f->yb = pb->Yb + (size_t)s * q;
    f->M = pb->Mb + (size_t)s * q * q;
    f->T = pb->Tb + (size_t)s * kmax * N;
    f->U = pb->Ub + (size_t)s * kmax * N;
    f->A = pb->Ab ? pb->Ab + (size_t)s * kmax * N : NULL;
    f->Z = pb->Zb + (size_t)s * kmax * q;
  }
  return CB_OK;
}

/* Yg = Y centred on all rows (any constant shift cancels in each split's centring; it keeps the corrections small);
 * a constant column becomes exactly 0. */
static void centre_y(pls_batch *pb, const double *Y /* (N, q) */) {
  const int N = pb->N, q = pb->q;
  double *Yg = pb->Yg;
  memcpy(Yg, Y, sizeof *Yg * (size_t)N * q);
  centre_columns(Yg, N, q, pb->yg);
  for (int j = 0; j < q; ++j) {
    int same = 1;
    for (int i = 1; i < N && same; ++i) same = Y[(size_t)i * q + j] == Y[j];
    if (same)
      for (int i = 0; i < N; ++i) Yg[(size_t)i * q + j] = 0.0;
  }
}

/* r_s = K(:, train_s) 1 / n_s for all splits in one product; mu_s = mean over train of r_s; ybar_s. A split whose
 * Y is constant on its training rows fits no component. */
static void train_means(pls_batch *pb) {
  const int N = pb->N, q = pb->q, S = pb->S;
  double *In = pb->In, *Yg = pb->Yg;
  memset(In, 0, sizeof *In * (size_t)S * N);
  for (int s = 0; s < S; ++s)
    for (int i = 0; i < pb->fit[s].n; ++i) In[(size_t)s * N + pb->splits[s].train[i]] = 1.0 / pb->fit[s].n;
  kernel_apply(pb->K, pb->ldk, N, pb->ncols, In, S, pb->R);
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, S, q, N, 1.0, In, N, Yg, q, 0.0, pb->Yb, q);
  for (int s = 0; s < S; ++s) {
    pls_fit *f = &pb->fit[s];
    double mu = 0.0, ymax = 0.0;
    for (int i = 0; i < f->n; ++i) {
      const int t = pb->splits[s].train[i];
      mu += f->r[t];
      for (int j = 0; j < q; ++j) ymax = fmax(ymax, fabs(Yg[(size_t)t * q + j] - f->yb[j]));
    }
    f->mu = mu / f->n;
    if (ymax < 10.0 * DBL_EPSILON) f->active = 0; /* Y is constant on the training rows: no component */
  }
}

/* M_s = Yt' K Yt directly, Yt = D_s (Yg - 1 ybar'): KYE (N, q) = K Yt (a split whose complement is larger than its
 * training set). */
static void cross_direct(pls_batch *pb, int s) {
  const int N = pb->N, q = pb->q;
  const pls_fit *f = &pb->fit[s];
  double *Yt = pb->P, *KYt = pb->KYE;
  memset(Yt, 0, sizeof *Yt * (size_t)N * q);
  for (int i = 0; i < f->n; ++i) {
    const int t = pb->splits[s].train[i];
    for (int j = 0; j < q; ++j) Yt[(size_t)t * q + j] = pb->Yg[(size_t)t * q + j] - f->yb[j];
  }
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, N, q, N, 1.0, pb->K, pb->ldk, Yt, q, 0.0, KYt, q);
  cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, q, q, N, 1.0, Yt, q, KYt, q, 0.0, f->M, q);
}

/* M_s from Yg'K Yg corrected on the m rows E outside the training set: W = D Yg, W'KW = Yg'K Yg - YE'(K Yg)_E -
 * (K Yg)_E' YE + YE' K_EE YE, then Yt'KYt = W'KW - h ybar' - ybar h' + n^2 mu ybar ybar', h = W'K d =
 * n sum_train r_i Yg_i (upper triangle). */
static void cross_corrected(pls_batch *pb, int s) {
  const int N = pb->N, q = pb->q, ldk = pb->ldk;
  const double *K = pb->K, *Yg = pb->Yg;
  const pls_fit *f = &pb->fit[s];
  const int n = f->n, m = N - n;
  const int *E = pb->Ecomp;
  double *M = f->M, *YE = pb->YE, *KYE = pb->KYE, *KEE = pb->KEE, *P = pb->P, *C1 = pb->C1, *h = pb->h;
  memset(pb->mark, 0, (size_t)N);
  for (int i = 0; i < n; ++i) pb->mark[pb->splits[s].train[i]] = 1;
  for (int i = 0, e = 0; i < N; ++i)
    if (!pb->mark[i]) pb->Ecomp[e++] = i;
  memcpy(M, pb->YKY, sizeof *M * (size_t)q * q);
  if (m > 0) {
    for (int i = 0; i < m; ++i) {
      memcpy(YE + (size_t)i * q, Yg + (size_t)E[i] * q, sizeof *YE * (size_t)q);
      memcpy(KYE + (size_t)i * q, pb->KY + (size_t)E[i] * q, sizeof *KYE * (size_t)q);
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
    const int t = pb->splits[s].train[i];
    cblas_daxpy(q, n * f->r[t], Yg + (size_t)t * q, 1, h, 1);
  }
  cblas_dsyr2(CblasRowMajor, CblasUpper, q, -1.0, h, 1, f->yb, 1, M, q);
  cblas_dsyr(CblasRowMajor, CblasUpper, q, (double)n * n * f->mu, f->yb, 1, M, q);
}

/* M_s = Yc' Kc Yc = Yt' K Yt with Yt = D_s (Yg - 1 ybar') (D_s: training rows), as 1'Yt = 0. Whole kernel: from
 * K Yg and Yg'K Yg shared by the splits; else directly, P = K(0:ncols, 0:ncols) Yt, M = Yt'P (training rows are
 * < ncols). */
static void cross_products(pls_batch *pb) {
  const int N = pb->N, q = pb->q, ncols = pb->ncols;
  if (pb->global) {
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, N, q, N, 1.0, pb->K, pb->ldk, pb->Yg, q, 0.0, pb->KY, q);
    cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, q, q, N, 1.0, pb->Yg, q, pb->KY, q, 0.0, pb->YKY, q);
    for (int s = 0; s < pb->S; ++s) {
      if (2 * (N - pb->fit[s].n) > N) cross_direct(pb, s);
      else cross_corrected(pb, s);
    }
    return;
  }
  double *Yt = pb->KY;
  for (int s = 0; s < pb->S; ++s) {
    pls_fit *f = &pb->fit[s];
    memset(Yt, 0, sizeof *Yt * (size_t)ncols * q);
    for (int i = 0; i < f->n; ++i) {
      const int t = pb->splits[s].train[i];
      for (int j = 0; j < q; ++j) Yt[(size_t)t * q + j] = pb->Yg[(size_t)t * q + j] - f->yb[j];
    }
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, ncols, q, ncols, 1.0, pb->K, pb->ldk, Yt, q, 0.0, pb->P, q);
    cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, q, q, ncols, 1.0, Yt, q, pb->P, q, 0.0, f->M, q);
  }
}

/* Component comp, direction: per split still fitting, c = top eigenvector of M (rows of Cm, in the order of act);
 * a split stops at its component limit or when the X residual carries no more of Y. *na: splits that go on. */
static cb_status comp_directions(pls_batch *pb, int comp, int *na) {
  const int q = pb->q;
  *na = 0;
  for (int s = 0; s < pb->S; ++s) {
    pls_fit *f = &pb->fit[s];
    if (!f->active) continue;
    if (comp >= (pb->n_components < f->n ? pb->n_components : f->n)) {
      f->active = 0;
      continue;
    }
    double lam = 0.0, *c = pb->Cm + (size_t)*na * q;
    CB_CHECK(top_eigen(f->M, q, &lam, c, pb->V, pb->w, pb->wk));
    if (comp == 0) f->lam1 = lam;
    if (!(lam > 1e-13 * f->lam1) || !isfinite(lam)) { /* the X residual carries no more of Y */
      f->active = 0;
      continue;
    }
    pb->act[(*na)++] = s;
  }
  return CB_OK;
}

/* a = Yk c into row b of In for the na active splits: Yg c for all of them in one product (na, N) = Cm Yg', centred
 * on the training rows, minus T (Z c) (Yk = (I - TT') Yc); kept in A when the dual is wanted. */
static void comp_weights(pls_batch *pb, int comp, int na) {
  const int N = pb->N, q = pb->q;
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, na, N, q, 1.0, pb->Cm, q, pb->Yg, q, 0.0, pb->Out, N);
  for (int b = 0; b < na; ++b) {
    pls_fit *f = &pb->fit[pb->act[b]];
    const int *tr = pb->splits[pb->act[b]].train;
    const double *c = pb->Cm + (size_t)b * q, *yc = pb->Out + (size_t)b * N;
    double *a = pb->In + (size_t)b * N;
    const double yc0 = cblas_ddot(q, f->yb, 1, c, 1);
    memset(a, 0, sizeof *a * (size_t)N);
    for (int i = 0; i < f->n; ++i) a[tr[i]] = yc[tr[i]] - yc0;
    if (comp > 0) { /* a -= T (Z c): Yk = (I - TT') Yc */
      cblas_dgemv(CblasRowMajor, CblasNoTrans, comp, q, 1.0, f->Z, q, c, 1, 0.0, pb->proj, 1);
      cblas_dgemv(CblasRowMajor, CblasTrans, comp, N, -1.0, f->T, N, pb->proj, 1, 1.0, a, 1);
    }
    if (f->A) memcpy(f->A + (size_t)comp * N, a, sizeof *a * (size_t)N);
  }
}

/* From K a (rows of Out): u = Kc a on every row, t = (I - TT') u on the training rows / |.|. A split whose t
 * vanishes stops; the others are packed to the front of act, their t into the first rows of In. Returns their
 * number. */
static int comp_scores(pls_batch *pb, int comp, int na) {
  const int N = pb->N;
  double *In = pb->In, *Out = pb->Out;
  int nb = 0;
  for (int b = 0; b < na; ++b) {
    const int s = pb->act[b];
    pls_fit *f = &pb->fit[s];
    const int *tr = pb->splits[s].train;
    double *u = f->U + (size_t)comp * N, *t = f->T + (size_t)comp * N;
    centre_kx(f, tr, N, In + (size_t)b * N, Out + (size_t)b * N, u); /* u = Kc a on every row */
    memset(t, 0, sizeof *t * (size_t)N);
    for (int i = 0; i < f->n; ++i) t[tr[i]] = u[tr[i]];
    reorth(f->T, comp, N, t, pb->proj);
    double nt = cblas_dnrm2(N, t, 1);
    if (!(nt > 0.0) || !isfinite(nt)) {
      memset(t, 0, sizeof *t * (size_t)N);
      f->active = 0;
      continue;
    }
    cblas_dscal(N, 1.0 / nt, t, 1);
    pb->act[nb] = s;
    memcpy(In + (size_t)nb * N, t, sizeof *t * (size_t)N);
    ++nb;
  }
  return nb;
}

/* From K t (rows of Out): v = Kk t = (I - TT') Kc t on the training rows, into rows nb.. of In (after the t). */
static void comp_kt(pls_batch *pb, int comp, int nb) {
  const int N = pb->N;
  double *In = pb->In;
  for (int b = 0; b < nb; ++b) {
    pls_fit *f = &pb->fit[pb->act[b]];
    const int *tr = pb->splits[pb->act[b]].train;
    const double *t = f->T + (size_t)comp * N;
    double *v = pb->Out + (size_t)b * N;
    centre_kx(f, tr, N, t, v, v); /* Kc t */
    for (int i = 0; i < N; ++i) In[(size_t)(nb + b) * N + i] = 0.0;
    for (int i = 0; i < f->n; ++i) In[(size_t)(nb + b) * N + tr[i]] = v[tr[i]];
    reorth(f->T, comp, N, In + (size_t)(nb + b) * N, pb->proj); /* v = Kk t */
  }
}

/* z = Yc't, g = Yc'v: [z; g] = Yg' [t; v] (2 nb, q), then the centring Yc'x = Yg'x - ybar (1'x); deflation
 * M -= g z' + z g' - (t'v) z z' (upper triangle); z is row comp of Z. */
static void comp_deflate(pls_batch *pb, int comp, int nb) {
  const int N = pb->N, q = pb->q;
  double *In = pb->In, *TY = pb->TY;
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, 2 * nb, q, N, 1.0, In, N, pb->Yg, q, 0.0, TY, q);
  for (int b = 0; b < nb; ++b) {
    pls_fit *f = &pb->fit[pb->act[b]];
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

/* Component comp of every split still fitting: c = top eigenvector of M; a = Yk c; t = (I - TT') Kc a / |.|;
 * v = (I - TT') Kc t; z = Yc't, g = Yc'v; M -= g z' + z g' - (t'v) z z'. The two K products of all splits are one
 * GEMM each. *more = 0 when no split fitted it (the last component). */
static cb_status fit_component(pls_batch *pb, int comp, int *more) {
  int na = 0;
  *more = 0;
  CB_CHECK(comp_directions(pb, comp, &na));
  if (na == 0) return CB_OK;
  comp_weights(pb, comp, na);
  kernel_apply(pb->K, pb->ldk, pb->N, pb->ncols, pb->In, na, pb->Out); /* K a */
  const int nb = comp_scores(pb, comp, na);
  if (nb == 0) return CB_OK;
  kernel_apply(pb->K, pb->ldk, pb->N, pb->ncols, pb->In, nb, pb->Out); /* K t */
  comp_kt(pb, comp, nb);
  comp_deflate(pb, comp, nb);
  *more = 1;
  return CB_OK;
}

/* Split s: B = T'Kc A (k, k), X = B^+ Z (k, q); Yhat = Kc(test, train) A' X + ybar = U(test)' X + ybar; the dual
 * A(train)' X when wanted. */
static cb_status predict_split(pls_batch *pb, int s) {
  const int N = pb->N, q = pb->q;
  pls_fit *f = &pb->fit[s];
  cb_kernel_split *sp = &pb->splits[s];
  double *B = pb->Bm, *X = pb->X, *UE = pb->UE;
  const int k = f->used;
  sp->n_used = k;
  if (k > 0) {
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, k, k, N, 1.0, f->T, N, f->U, N, 0.0, B, k);
    CB_CHECK(pinv_square(B, k, pb->Binv));
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, k, q, k, 1.0, pb->Binv, k, f->Z, q, 0.0, X, q);
    for (size_t i = 0; i < (size_t)k * q; ++i)
      if (!isfinite(X[i]))
        return CB_ERROR(CB_ERR_NUMERIC, "kernel PLS: split %d: non-finite coefficients (degenerate kernel)", s);
  }
  for (int i = 0; i < f->m; ++i) {
    double *yh = sp->Yhat + (size_t)i * q;
    for (int j = 0; j < q; ++j) yh[j] = pb->yg[j] + f->yb[j];
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
  return CB_OK;
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
  pls_batch pb = {.K = K, .ldk = ldk, .N = N, .ncols = ncols, .q = q, .S = n_splits, .n_components = n_components,
                  .global = ncols == N, .splits = splits};
  CB_CHECK(check_splits(&pb));
  cb_status st = CB_OK;
  cb_arena *arena = NULL;
  CB_CHECK_GOTO(batch_alloc(&pb, &arena), st, done);
  centre_y(&pb, Y);
  train_means(&pb);
  cross_products(&pb);
  for (int comp = 0, more = 1; comp < pb.kmax && more; ++comp) CB_CHECK_GOTO(fit_component(&pb, comp, &more), st, done);
  for (int s = 0; s < pb.S; ++s) CB_CHECK_GOTO(predict_split(&pb, s), st, done);
done:
  cb_arena_destroy(&arena);
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

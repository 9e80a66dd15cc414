/* cb_ridge.c - kernel ridge regression with efficient leave-one-out choice of alpha (sklearn _RidgeGCV). */
#include "cb_ridge.h"

#include <cblas.h>
#include <lapacke.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cb_kernel.h"
#include "cb_ridge_screen.h"

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
/* Screening keeps every alpha whose approximate error is within this relative window of the smallest, and
 * evaluates those exactly; if the approximation is off by more than a quarter of the window anywhere it was
 * checked, the screen is repeated in double precision, and if that is off too every alpha is evaluated exactly
 * (see cb_ridge_screen.h). Windows: single-precision screen 1e-5, double 1e-6. */
#define RIDGE_SCREEN_WINDOW_SINGLE 1e-5
#define RIDGE_SCREEN_WINDOW 1e-6

/* Exact dual coefficients of one alpha for the columns cols (NULL: all q): WB (n, nc) = w o QtY(:, cols),
 * C (n, nc) = Q' WB; when d is given, err (nc) = sum_i (C(i, jj) / d_i)^2 (sklearn's LOO residuals, summed). */
static void exact_alpha(const double *E, const double *w, const double *QtY, const double *d, int n, int q,
                        const int *cols, int nc, double *WB /* (n, nc) */, double *C /* (n, nc) */,
                        double *err /* (nc) */) {
  for (int i = 0; i < n; ++i)
    for (int jj = 0; jj < nc; ++jj)
      WB[(size_t)i * nc + jj] = w[i] * QtY[(size_t)i * q + (cols ? cols[jj] : jj)];
  cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, n, nc, n, 1.0, E, n, WB, nc, 0.0, C, nc); /* Q diag(w) Q'Yc */
  if (d == NULL) return;
  for (int jj = 0; jj < nc; ++jj) err[jj] = 0.0;
  for (int i = 0; i < n; ++i) {
    const double *ci = C + (size_t)i * nc;
    for (int jj = 0; jj < nc; ++jj) {
      double e = ci[jj] / d[i];
      err[jj] += e * e;
    }
  }
}

/* The alpha choice of sklearn's _RidgeGCV over every alpha, exactly: best (n, q) gets the dual coefficients of the
 * chosen alpha(s), best_a (q) their indices. Ties keep the earlier alpha. */
static void choose_exact(const double *E, const double *W, const double *QtY, const double *D, int n, int q,
                         int n_alphas, int per_target, double *WB, double *C, double *err, double *best_err,
                         double *best, int *best_a) {
  double best_total = 0.0;
  for (int a = 0; a < n_alphas; ++a) {
    exact_alpha(E, W + (size_t)a * n, QtY, D + (size_t)a * n, n, q, NULL, q, WB, C, err);
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
        memcpy(best, C, sizeof *C * (size_t)n * q);
      }
    }
  }
}

/* The same choice through the low-rank screen: approximate errors for every alpha, exact ones for the alphas
 * within RIDGE_SCREEN_WINDOW of the approximate best (per target, or of the total) and for every target at the
 * sentinel alpha (the smallest one, where the approximation errs most). *ok = 0 when the exact values reveal an
 * approximation error above a quarter of the window (the caller then runs choose_exact). */
static cb_status choose_screened(const double *E, const double *W, const double *QtY, const double *D, int n, int q,
                                 int n_alphas, int per_target, int sentinel, int single, double *WB, double *C,
                                 double *err, double *best_err, double *best, int *best_a, int *ok) {
  cb_status st = CB_OK;
  const double window = single ? RIDGE_SCREEN_WINDOW_SINGLE : RIDGE_SCREEN_WINDOW;
  *ok = 0;
  double *ea = malloc(sizeof *ea * (size_t)n_alphas * q); /* (n_alphas, q) approximate errors */
  unsigned char *cand = calloc((size_t)n_alphas * q, 1);  /* (n_alphas, q) evaluate exactly */
  int *cols = malloc(sizeof *cols * (size_t)q), *seen = calloc((size_t)q, sizeof *seen);
  CB_ALLOC_GOTO(ea, st, done);
  CB_ALLOC_GOTO(cand, st, done);
  CB_ALLOC_GOTO(cols, st, done);
  CB_ALLOC_GOTO(seen, st, done);
  CB_CHECK_GOTO(cb_ridge__screen(E, W, QtY, D, n, q, n_alphas, single, ea, NULL), st, done);
  for (size_t i = 0; i < (size_t)n_alphas * q; ++i)
    if (!isfinite(ea[i])) goto done; /* let the exact path decide */
  if (per_target) {
    for (int j = 0; j < q; ++j) {
      double mn = ea[j];
      for (int a = 1; a < n_alphas; ++a) mn = fmin(mn, ea[(size_t)a * q + j]);
      for (int a = 0; a < n_alphas; ++a) cand[(size_t)a * q + j] = ea[(size_t)a * q + j] <= mn * (1 + window);
    }
  } else {
    double mn = INFINITY;
    for (int a = 0; a < n_alphas; ++a) {
      double t = 0.0;
      for (int j = 0; j < q; ++j) t += ea[(size_t)a * q + j];
      mn = fmin(mn, t);
      ea[(size_t)a * q] = t; /* column 0 now holds the total */
    }
    for (int a = 0; a < n_alphas; ++a)
      if (ea[(size_t)a * q] <= mn * (1 + window)) memset(cand + (size_t)a * q, 1, (size_t)q);
  }
  memset(cand + (size_t)sentinel * q, 1, (size_t)q);
  double worst = 0.0, best_total = 0.0;
  int any = 0;
  for (int a = 0; a < n_alphas; ++a) {
    int nc = 0;
    for (int j = 0; j < q; ++j)
      if (cand[(size_t)a * q + j]) cols[nc++] = j;
    if (nc == 0) continue;
    const int all = nc == q;
    exact_alpha(E, W + (size_t)a * n, QtY, D + (size_t)a * n, n, q, all ? NULL : cols, nc, WB, C, err);
    if (per_target) {
      for (int jj = 0; jj < nc; ++jj) {
        const int j = cols[jj];
        worst = fmax(worst, fabs(ea[(size_t)a * q + j] - err[jj]) / err[jj]);
        if (!seen[j] || err[jj] < best_err[j]) {
          seen[j] = 1;
          best_err[j] = err[jj];
          best_a[j] = a;
          for (int i = 0; i < n; ++i) best[(size_t)i * q + j] = C[(size_t)i * nc + jj];
        }
      }
    } else {
      double total = 0.0;
      for (int j = 0; j < q; ++j) total += err[j];
      worst = fmax(worst, fabs(ea[(size_t)a * q] - total) / total);
      if (!any || total < best_total) {
        best_total = total;
        for (int j = 0; j < q; ++j) best_a[j] = a;
        memcpy(best, C, sizeof *C * (size_t)n * q);
      }
      any = 1;
    }
  }
  *ok = worst <= window / 4 && isfinite(worst);
done:
  free(seen);
  free(cols);
  free(cand);
  free(ea);
  return st;
}

struct cb_ridge_ws {
  double *G, *E; /* (n, n) each, capacity cap doubles */
  size_t cap;
};

cb_status cb_ridge_ws_create(cb_ridge_ws **out) {
  *out = calloc(1, sizeof **out);
  return *out ? CB_OK : CB_ERROR(CB_ERR_NOMEM, "out of memory");
}

void cb_ridge_ws_destroy(cb_ridge_ws **ws) {
  if (!ws || !*ws) return;
  free((*ws)->G);
  free((*ws)->E);
  free(*ws);
  *ws = NULL;
}

/* ws->G and ws->E hold at least nn doubles. */
static cb_status ws_reserve(cb_ridge_ws *ws, size_t nn) {
  if (ws->cap >= nn) return CB_OK;
  free(ws->G);
  free(ws->E);
  ws->G = malloc(sizeof *ws->G * nn);
  ws->E = malloc(sizeof *ws->E * nn);
  ws->cap = ws->G && ws->E ? nn : 0;
  return ws->cap ? CB_OK : CB_ERROR(CB_ERR_NOMEM, "out of memory");
}

cb_status cb_ridge_kernel_fit_predict(const double *K, int ldk, int n, int m, const double *Y, int q,
                                      const double *alphas, int n_alphas, int per_target, double *Yhat,
                                      double *alpha_out, double *dual) {
  return cb_ridge__fit_predict(NULL, K, ldk, n, m, Y, q, alphas, n_alphas, per_target, 1, Yhat, alpha_out, dual,
                               NULL);
}

cb_status cb_ridge_kernel_fit_predict_ws(cb_ridge_ws *ws, const double *K, int ldk, int n, int m, const double *Y,
                                         int q, const double *alphas, int n_alphas, int per_target, double *Yhat,
                                         double *alpha_out, double *dual) {
  return cb_ridge__fit_predict(ws, K, ldk, n, m, Y, q, alphas, n_alphas, per_target, 1, Yhat, alpha_out, dual,
                               NULL);
}

/* Checks the arguments of cb_ridge__fit_predict (the first error wins). */
static cb_status ridge_check_args(const double *K, int ldk, int n, int m, const double *Y, int q,
                                  const double *alphas, int n_alphas, const double *Yhat) {
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
  return CB_OK;
}

/* One kernel ridge fit: sizes and workspaces (shapes in the comments). G and E belong to a cb_ridge_ws. */
typedef struct ridge_fit {
  int n, m, q, n_alphas;
  double *r;          /* (n) training row means of K */
  double *mte;        /* (m + 1) test row means of K over the training columns */
  double mu;          /* mean of the training block of K */
  double *ym;         /* (q) column means of Y */
  double *G;          /* (n, n) Kc + 11', destroyed by the eigensolver */
  double *E;          /* (n, n) row i = eigenvector i */
  double *lam;        /* (n) eigenvalues */
  double *QtY;        /* (n, q) Q' Yc */
  double *WB, *C;     /* (n, q) each */
  double *best;       /* (n, q) dual coefficients of the chosen alphas */
  double *W;          /* (n_alphas, n) weights */
  double *D;          /* (n_alphas, n) LOO diagonals (alpha choice only) */
  double *Esq;        /* (RIDGE_ROW_BLOCK, n) (alpha choice only) */
  double *err, *best_err; /* (q) each */
  int *best_a;        /* (q) index of the chosen alpha */
  lapack_int *isuppz; /* (2 n) */
} ridge_fit;

static cb_status ridge_alloc(ridge_fit *f) {
  const size_t n = (size_t)f->n, q = (size_t)f->q, nq = n * q;
  f->r = malloc(sizeof *f->r * n);
  f->mte = malloc(sizeof *f->mte * (size_t)(f->m + 1));
  f->ym = malloc(sizeof *f->ym * q);
  f->lam = malloc(sizeof *f->lam * n);
  f->QtY = malloc(sizeof *f->QtY * nq);
  f->WB = malloc(sizeof *f->WB * nq);
  f->C = malloc(sizeof *f->C * nq);
  f->best = malloc(sizeof *f->best * nq);
  f->W = malloc(sizeof *f->W * (size_t)f->n_alphas * n);
  f->err = malloc(sizeof *f->err * q);
  f->best_err = malloc(sizeof *f->best_err * q);
  f->best_a = calloc(q, sizeof *f->best_a);
  f->isuppz = malloc(sizeof *f->isuppz * 2 * n);
  if (!f->r || !f->mte || !f->ym || !f->lam || !f->QtY || !f->WB || !f->C || !f->best || !f->W || !f->err ||
      !f->best_err || !f->best_a || !f->isuppz)
    return CB_ERROR(CB_ERR_NOMEM, "out of memory");
  return CB_OK;
}

static void ridge_free(ridge_fit *f) {
  free(f->isuppz);
  free(f->best_a);
  free(f->best_err);
  free(f->err);
  free(f->Esq);
  free(f->D);
  free(f->W);
  free(f->best);
  free(f->C);
  free(f->WB);
  free(f->QtY);
  free(f->lam);
  free(f->ym);
  free(f->mte);
  free(f->r);
}

/* Centring: G = Kc + 11' (Kc the doubly centred training kernel), C = Yc = Y - 1 ybar' (kept in C until Q'Yc is
 * formed), with the kernel's row means r, mte, mu and the column means ym of Y. */
static void ridge_center(ridge_fit *f, const double *K, int ldk, const double *Y) {
  const int n = f->n, q = f->q;
  double *ym = f->ym;
  cb_kernel_train_means(K, ldk, n, f->m, f->r, f->mte, &f->mu);
  for (int j = 0; j < q; ++j) ym[j] = 0.0;
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < q; ++j) ym[j] += Y[(size_t)i * q + j];
  for (int j = 0; j < q; ++j) ym[j] /= n;
  for (int i = 0; i < n; ++i) {
    const double *kr = K + (size_t)i * ldk;
    double *gr = f->G + (size_t)i * n;
    for (int j = 0; j < n; ++j) gr[j] = kr[j] - f->r[i] - f->r[j] + f->mu + 1.0;
    for (int j = 0; j < q; ++j) f->C[(size_t)i * q + j] = Y[(size_t)i * q + j] - ym[j];
  }
}

/* Eigendecomposition of G, the weights W (n_alphas, n) = 1 / (lam + alpha) with the intercept's eigenvector (the one
 * most aligned with 1) weighted 0, and QtY = Q' Yc = E Yc. */
static cb_status ridge_eigen(ridge_fit *f, const double *alphas) {
  const int n = f->n, q = f->q;
  /* symmetric, so the column-major call sees the same matrix and returns eigenvectors as rows of E */
  lapack_int found = 0;
  lapack_int info = LAPACKE_dsyevr(LAPACK_COL_MAJOR, 'V', 'A', 'U', n, f->G, n, 0.0, 0.0, 0, 0, 0.0, &found, f->lam,
                                   f->E, n, f->isuppz);
  if (info != 0 || found != n)
    return CB_ERROR(CB_ERR_NUMERIC, "ridge: eigendecomposition of the %dx%d kernel failed (LAPACK info %d)", n, n,
                    (int)info);
  int icpt = 0;
  double bestcos = -1.0;
  for (int i = 0; i < n; ++i) {
    double s = 0.0;
    const double *e = f->E + (size_t)i * n;
    for (int j = 0; j < n; ++j) s += e[j];
    if (fabs(s) > bestcos) {
      bestcos = fabs(s);
      icpt = i;
    }
  }
  for (int a = 0; a < f->n_alphas; ++a) {
    double *w = f->W + (size_t)a * n;
    for (int i = 0; i < n; ++i) w[i] = 1.0 / (f->lam[i] + alphas[a]);
    w[icpt] = 0.0;
  }
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, q, n, 1.0, f->E, n, f->C, q, 0.0, f->QtY, q);
  return CB_OK;
}

/* Several alphas: the LOO diagonals D, then the choice through the screen (when allowed) or exactly; *screened = 1
 * when the screen's choice stood. */
static cb_status ridge_choose_alpha(ridge_fit *f, const double *alphas, int per_target, int screen, int *screened) {
  const int n = f->n, q = f->q, n_alphas = f->n_alphas;
  /* D (n_alphas, n) = W (E o E): diag of Q diag(w) Q' for every alpha, E squared a block of rows at a time */
  f->D = calloc((size_t)n_alphas * n, sizeof *f->D);
  f->Esq = malloc(sizeof *f->Esq * (size_t)RIDGE_ROW_BLOCK * n);
  if (f->D == NULL || f->Esq == NULL) return CB_ERROR(CB_ERR_NOMEM, "out of memory");
  const double *E = f->E;
  for (int i0 = 0; i0 < n; i0 += RIDGE_ROW_BLOCK) {
    int b = n - i0 < RIDGE_ROW_BLOCK ? n - i0 : RIDGE_ROW_BLOCK;
    for (size_t k = 0; k < (size_t)b * n; ++k) f->Esq[k] = E[(size_t)i0 * n + k] * E[(size_t)i0 * n + k];
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n_alphas, n, b, 1.0, f->W + i0, n, f->Esq, n, 1.0, f->D,
                n);
  }
  int ok = 0;
  int smallest = 0;
  for (int a = 1; a < n_alphas; ++a)
    if (alphas[a] < alphas[smallest]) smallest = a;
  for (int single = 1; screen && n_alphas >= 3 && !ok && single >= 0; --single) /* float, then double */
    CB_CHECK(choose_screened(E, f->W, f->QtY, f->D, n, q, n_alphas, per_target, smallest, single, f->WB, f->C,
                             f->err, f->best_err, f->best, f->best_a, &ok));
  if (!ok)
    choose_exact(E, f->W, f->QtY, f->D, n, q, n_alphas, per_target, f->WB, f->C, f->err, f->best_err, f->best,
                 f->best_a);
  if (screened) *screened = ok;
  return CB_OK;
}

/* Yhat (m, q) = (K_te - mte 1' - 1 r' + mu 11') c + ybar, c = f->best. */
static void ridge_predict(ridge_fit *f, const double *K, int ldk, double *Yhat) {
  const int n = f->n, m = f->m, q = f->q;
  const double *best = f->best;
  double *cs = f->err, *rc = f->WB; /* reuse: cs (q) column sums of c, rc (q) = c' r */
  for (int j = 0; j < q; ++j) cs[j] = 0.0;
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < q; ++j) cs[j] += best[(size_t)i * q + j];
  cblas_dgemv(CblasRowMajor, CblasTrans, n, q, 1.0, best, q, f->r, 1, 0.0, rc, 1);
  for (int i = 0; i < m; ++i)
    for (int j = 0; j < q; ++j) Yhat[(size_t)i * q + j] = f->ym[j] - rc[j] + (f->mu - f->mte[i]) * cs[j];
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, q, n, 1.0, K + (size_t)n * ldk, ldk, best, q, 1.0, Yhat,
              q);
}

cb_status cb_ridge__fit_predict(cb_ridge_ws *ws, const double *K, int ldk, int n, int m, const double *Y, int q,
                                const double *alphas, int n_alphas, int per_target, int screen, double *Yhat,
                                double *alpha_out, double *dual, int *screened) {
  if (screened) *screened = 0;
  CB_CHECK(ridge_check_args(K, ldk, n, m, Y, q, alphas, n_alphas, Yhat));

  cb_status st = CB_OK;
  const size_t nq = (size_t)n * q;
  cb_ridge_ws own = {NULL, NULL, 0};
  if (!ws) ws = &own;
  if (ws_reserve(ws, (size_t)n * n) != CB_OK) return CB_ERROR(CB_ERR_NOMEM, "out of memory");
  ridge_fit f = {0};
  f.n = n;
  f.m = m;
  f.q = q;
  f.n_alphas = n_alphas;
  f.G = ws->G;
  f.E = ws->E;
  CB_CHECK_GOTO(ridge_alloc(&f), st, done);
  ridge_center(&f, K, ldk, Y);
  CB_CHECK_GOTO(ridge_eigen(&f, alphas), st, done);
  if (n_alphas == 1)
    exact_alpha(f.E, f.W, f.QtY, NULL, n, q, NULL, q, f.WB, f.best, NULL);
  else
    CB_CHECK_GOTO(ridge_choose_alpha(&f, alphas, per_target, screen, screened), st, done);
  for (size_t i = 0; i < nq; ++i)
    if (!isfinite(f.best[i])) {
      st = CB_ERROR(CB_ERR_NUMERIC, "ridge: non-finite dual coefficients (degenerate kernel)");
      goto done;
    }
  if (m > 0) ridge_predict(&f, K, ldk, Yhat);
  if (alpha_out)
    for (int j = 0; j < q; ++j) alpha_out[j] = alphas[f.best_a[j]];
  if (dual) memcpy(dual, f.best, sizeof *f.best * nq);

done:
  ridge_free(&f);
  free(own.G);
  free(own.E);
  return st;
}

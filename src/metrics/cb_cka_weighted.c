/* cb_cka_weighted.c - weighted linear CKA for bootstrap resamples (see cb_cka_weighted.h). */
#include "cb_cka_weighted.h"

#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

struct cb_cka_w {
  int n;
  cb_cka_estimator e;
  double *K, *L;          /* (n, n) Gram matrices; the diagonal zeroed for the unbiased estimator */
  double *HKL, *HKK, *HLL; /* (n, n) elementwise products K o L, K o K, L o L */
  double *kw, *lw;        /* (n) K w, L w */
  double *w2, *t1;       /* (n) w o w, scratch */
};

void cb_cka_w_destroy(cb_cka_w **cp) {
  if (cp == NULL || *cp == NULL) return;
  cb_cka_w *c = *cp;
  free(c->K), free(c->L), free(c->HKL), free(c->HKK), free(c->HLL);
  free(c->kw), free(c->lw), free(c->w2), free(c->t1);
  free(c);
  *cp = NULL;
}

cb_status cb_cka_w_create(const double *K, const double *L, int n, cb_cka_estimator e, cb_cka_w **out) {
  if (K == NULL || L == NULL || out == NULL) return CB_ERROR(CB_ERR_ARG, "cb_cka_w: NULL argument");
  if (n < 2 || (e != CB_CKA_BIASED && e != CB_CKA_UNBIASED)) return CB_ERROR(CB_ERR_ARG, "cb_cka_w: bad n or estimator");
  const size_t nn = (size_t)n * n;
  for (size_t i = 0; i < nn; ++i)
    if (!isfinite(K[i]) || !isfinite(L[i])) return CB_ERROR(CB_ERR_NUMERIC, "cb_cka_w: Gram entry %zu is not finite", i);
  cb_cka_w *c = calloc(1, sizeof *c);
  if (c == NULL) return CB_ERROR(CB_ERR_NOMEM, "out of memory");
  c->n = n;
  c->e = e;
  double **mats[] = {&c->K, &c->L, &c->HKL, &c->HKK, &c->HLL};
  for (int k = 0; k < 5; ++k)
    if ((*mats[k] = malloc(sizeof(double) * nn)) == NULL) goto nomem;
  double **vecs[] = {&c->kw, &c->lw, &c->w2, &c->t1};
  for (int k = 0; k < 4; ++k)
    if ((*vecs[k] = malloc(sizeof(double) * (size_t)n)) == NULL) goto nomem;
  memcpy(c->K, K, sizeof(double) * nn);
  memcpy(c->L, L, sizeof(double) * nn);
  if (e == CB_CKA_UNBIASED)
    for (int i = 0; i < n; ++i) c->K[(size_t)i * n + i] = c->L[(size_t)i * n + i] = 0.0;
  for (size_t i = 0; i < nn; ++i) {
    c->HKL[i] = c->K[i] * c->L[i];
    c->HKK[i] = c->K[i] * c->K[i];
    c->HLL[i] = c->L[i] * c->L[i];
  }
  *out = c;
  return CB_OK;
nomem:
  cb_cka_w_destroy(&c);
  return CB_ERROR(CB_ERR_NOMEM, "out of memory for the weighted CKA of %d stimuli", n);
}

static double dot(const double *a, const double *b, int n) { return cblas_ddot(n, a, 1, b, 1); }

/* x' H y for the symmetric (n, n) H, t (n) scratch */
static double quad(const double *H, const double *x, const double *y, int n, double *t) {
  cblas_dgemv(CblasRowMajor, CblasNoTrans, n, n, 1.0, H, n, y, 1, 0.0, t, 1);
  return dot(x, t, n);
}

/* Unbiased weighted HSIC of A, B (zero diagonals) given H = A o B, aw = A w, bw = B w and the tuple weights. */
static double hsic_u(const cb_cka_w *c, const double *H, const double *w, const double *aw, const double *bw,
                     const double N[3], double *t) {
  const int n = c->n;
  cblas_dgemv(CblasRowMajor, CblasNoTrans, n, n, 1.0, H, n, w, 1, 0.0, t, 1); /* H w, once for two sums */
  double s1 = dot(w, t, n), hw_w2 = dot(c->w2, t, n), t2 = quad(H, c->w2, c->w2, n, t);
  double wab = 0.0, w2ab = 0.0;
  for (int i = 0; i < n; ++i) {
    wab += w[i] * aw[i] * bw[i];
    w2ab += c->w2[i] * aw[i] * bw[i];
  }
  double s2 = wab - hw_w2, t1 = w2ab - t2, s3 = dot(w, aw, n) * dot(w, bw, n) - 4.0 * t1 - 2.0 * t2;
  return s1 / N[0] + s3 / N[2] - 2.0 * s2 / N[1];
}

/* Biased weighted HSIC (times (N - 1)^2) of A, B given H = A o B, aw = A w, bw = B w. */
static double hsic_b(const cb_cka_w *c, const double *H, const double *w, const double *aw, const double *bw,
                     double sum_w, double *t) {
  const int n = c->n;
  double ma = dot(w, aw, n) / (sum_w * sum_w), cross = 0.0;
  for (int i = 0; i < n; ++i) cross += w[i] * (aw[i] / sum_w) * bw[i];
  return quad(H, w, w, n, t) - 2.0 * cross + ma * dot(w, bw, n);
}

cb_status cb_cka_w_eval(cb_cka_w *c, const double *w, double *cka, int *undefined) {
  if (c == NULL || w == NULL || cka == NULL || undefined == NULL) return CB_ERROR(CB_ERR_ARG, "cb_cka_w: NULL argument");
  const int n = c->n;
  double p[5] = {0, 0, 0, 0, 0}; /* power sums of the weights */
  int distinct = 0;
  for (int i = 0; i < n; ++i) {
    if (!(w[i] >= 0.0) || !isfinite(w[i])) return CB_ERROR(CB_ERR_ARG, "cb_cka_w: weight %d is %g", i, w[i]);
    c->w2[i] = w[i] * w[i];
    double x = 1.0;
    for (int k = 1; k <= 4; ++k) p[k] += (x *= w[i]);
    distinct += w[i] > 0.0;
  }
  *undefined = 0;
  *cka = NAN;
  if (distinct < (c->e == CB_CKA_UNBIASED ? 4 : 2)) return CB_OK;
  cblas_dgemv(CblasRowMajor, CblasNoTrans, n, n, 1.0, c->K, n, w, 1, 0.0, c->kw, 1);
  cblas_dgemv(CblasRowMajor, CblasNoTrans, n, n, 1.0, c->L, n, w, 1, 0.0, c->lw, 1);
  double kl, kk, ll;
  if (c->e == CB_CKA_UNBIASED) {
    /* total weights of ordered tuples of 2, 3, 4 distinct stimuli (from the power sums) */
    const double N[3] = {p[1] * p[1] - p[2], p[1] * p[1] * p[1] - 3.0 * p[1] * p[2] + 2.0 * p[3],
                         p[1] * p[1] * p[1] * p[1] - 6.0 * p[1] * p[1] * p[2] + 3.0 * p[2] * p[2] + 8.0 * p[1] * p[3] -
                             6.0 * p[4]};
    kl = hsic_u(c, c->HKL, w, c->kw, c->lw, N, c->t1);
    kk = hsic_u(c, c->HKK, w, c->kw, c->kw, N, c->t1);
    ll = hsic_u(c, c->HLL, w, c->lw, c->lw, N, c->t1);
  } else {
    kl = hsic_b(c, c->HKL, w, c->kw, c->lw, p[1], c->t1);
    kk = hsic_b(c, c->HKK, w, c->kw, c->kw, p[1], c->t1);
    ll = hsic_b(c, c->HLL, w, c->lw, c->lw, p[1], c->t1);
  }
  *undefined = !(kk * ll > 0.0) || !isfinite(kl);
  *cka = *undefined ? 0.0 : kl / sqrt(kk * ll);
  return CB_OK;
}

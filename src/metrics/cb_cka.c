/* cb_cka.c - linear CKA from Gram matrices; biased (double centring) and unbiased (Song et al. 2012) HSIC. */
#include "cb_cka.h"

#include <cblas.h>
#include <math.h>
#include <stdlib.h>

#define BLOCK_COLS 256

/* K (n, n) = X X^T accumulated over column blocks converted to double; mirrored to a full matrix. */
static cb_status gram(const double *xd, const float *xf, int n, int p, double *K) {
  if ((xd == NULL && xf == NULL) || K == NULL) return CB_ERROR(CB_ERR_ARG, "cb_cka_gram: NULL array");
  if (n < 1 || p < 1) return CB_ERROR(CB_ERR_ARG, "cb_cka_gram: needs n >= 1 and p >= 1 (got %d, %d)", n, p);
  int w = p < BLOCK_COLS ? p : BLOCK_COLS;
  double *blk = malloc(sizeof *blk * (size_t)n * w);
  if (blk == NULL) return CB_ERROR(CB_ERR_NOMEM, "out of memory for a %d x %d Gram block", n, w);
  for (int c0 = 0; c0 < p; c0 += BLOCK_COLS) {
    int wc = p - c0 < BLOCK_COLS ? p - c0 : BLOCK_COLS;
    for (int i = 0; i < n; ++i)
      for (int j = 0; j < wc; ++j) {
        size_t k = (size_t)i * p + c0 + j;
        blk[(size_t)i * wc + j] = xd ? xd[k] : (double)xf[k];
      }
    cblas_dsyrk(CblasRowMajor, CblasUpper, CblasNoTrans, n, wc, 1.0, blk, wc, c0 == 0 ? 0.0 : 1.0, K, n);
  }
  free(blk);
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < i; ++j) K[(size_t)i * n + j] = K[(size_t)j * n + i];
  return CB_OK;
}

cb_status cb_cka_gram(const double *X, int n, int p, double *K) { return gram(X, NULL, n, p, K); }
cb_status cb_cka_gram_f(const float *X, int n, int p, double *K) { return gram(NULL, X, n, p, K); }

/* Biased: <HKH, HLH>_F via row/column/grand means: (HKH)_ij = K_ij - rK_i - rK_j + gK (K symmetric). */
static void hsic_biased(const double *K, const double *L, int n, const double *rk, double gk, const double *rl,
                        double gl, double *kl) {
  double s = 0.0;
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n; ++j) {
      double a = K[(size_t)i * n + j] - rk[i] - rk[j] + gk, b = L[(size_t)i * n + j] - rl[i] - rl[j] + gl;
      s += a * b;
    }
  *kl = s;
}

/* Unbiased (up to the common factor 1/(n(n-3))): tr(K~L~) + sK sL / ((n-1)(n-2)) - 2/(n-2) (K~1).(L~1) */
static double hsic_unbiased(const double *K, const double *L, int n, const double *ck, double sk, const double *cl,
                            double sl) {
  double tr = 0.0, dot = 0.0;
  for (int i = 0; i < n; ++i) {
    for (int j = 0; j < n; ++j)
      if (j != i) tr += K[(size_t)i * n + j] * L[(size_t)i * n + j];
    dot += ck[i] * cl[i];
  }
  return tr + sk * sl / ((double)(n - 1) * (n - 2)) - 2.0 / (n - 2) * dot;
}

cb_status cb_cka_from_gram(const double *K, const double *L, int n, cb_cka_estimator e, double *cka) {
  int undefined = 0;
  double v;
  CB_CHECK(cb_cka_from_gram_defined(K, L, n, e, &v, &undefined));
  if (undefined)
    return CB_ERROR(CB_ERR_NUMERIC, "cb_cka: HSIC(K,K) HSIC(L,L) <= 0 (constant representation?)");
  *cka = v;
  return CB_OK;
}

cb_status cb_cka_from_gram_defined(const double *K, const double *L, int n, cb_cka_estimator e, double *cka,
                                   int *undefined) {
  if (K == NULL || L == NULL || cka == NULL || undefined == NULL) return CB_ERROR(CB_ERR_ARG, "cb_cka: NULL array");
  if (e != CB_CKA_BIASED && e != CB_CKA_UNBIASED) return CB_ERROR(CB_ERR_ARG, "cb_cka: unknown estimator %d", (int)e);
  int nmin = e == CB_CKA_UNBIASED ? 4 : 2;
  if (n < nmin) return CB_ERROR(CB_ERR_ARG, "cb_cka: the %s estimator needs n >= %d stimuli, got %d",
                                e == CB_CKA_UNBIASED ? "unbiased" : "biased", nmin, n);
  for (size_t i = 0; i < (size_t)n * n; ++i)
    if (!isfinite(K[i]) || !isfinite(L[i])) return CB_ERROR(CB_ERR_NUMERIC, "cb_cka: Gram entry %zu is not finite", i);
  cb_status st = CB_OK;
  double *rk = calloc((size_t)n, sizeof *rk), *rl = calloc((size_t)n, sizeof *rl);
  CB_ALLOC_GOTO(rk, st, cleanup);
  CB_ALLOC_GOTO(rl, st, cleanup);
  double kl, kk, ll;
  if (e == CB_CKA_BIASED) { /* row means and grand means */
    double gk = 0.0, gl = 0.0;
    for (int i = 0; i < n; ++i) {
      for (int j = 0; j < n; ++j) {
        rk[i] += K[(size_t)i * n + j];
        rl[i] += L[(size_t)i * n + j];
      }
      gk += rk[i];
      gl += rl[i];
      rk[i] /= n;
      rl[i] /= n;
    }
    gk /= (double)n * n;
    gl /= (double)n * n;
    hsic_biased(K, L, n, rk, gk, rl, gl, &kl);
    hsic_biased(K, K, n, rk, gk, rk, gk, &kk);
    hsic_biased(L, L, n, rl, gl, rl, gl, &ll);
  } else { /* off-diagonal row sums K~1 and total sums 1'K~1 */
    double sk = 0.0, sl = 0.0;
    for (int i = 0; i < n; ++i) {
      for (int j = 0; j < n; ++j)
        if (j != i) {
          rk[i] += K[(size_t)i * n + j];
          rl[i] += L[(size_t)i * n + j];
        }
      sk += rk[i];
      sl += rl[i];
    }
    kl = hsic_unbiased(K, L, n, rk, sk, rl, sl);
    kk = hsic_unbiased(K, K, n, rk, sk, rk, sk);
    ll = hsic_unbiased(L, L, n, rl, sl, rl, sl);
  }
  *undefined = !(kk * ll > 0.0) || !isfinite(kl);
  *cka = *undefined ? 0.0 : kl / sqrt(kk * ll);
cleanup:
  free(rk);
  free(rl);
  return st;
}

cb_status cb_cka_linear(const double *X, int px, const double *Y, int py, int n, cb_cka_estimator e, double *cka) {
  if (n < 1) return CB_ERROR(CB_ERR_ARG, "cb_cka_linear: n = %d", n);
  cb_status st = CB_OK;
  double *K = malloc(sizeof *K * (size_t)n * n), *L = malloc(sizeof *L * (size_t)n * n);
  CB_ALLOC_GOTO(K, st, cleanup);
  CB_ALLOC_GOTO(L, st, cleanup);
  CB_CHECK_GOTO(cb_cka_gram(X, n, px, K), st, cleanup);
  CB_CHECK_GOTO(cb_cka_gram(Y, n, py, L), st, cleanup);
  CB_CHECK_GOTO(cb_cka_from_gram(K, L, n, e, cka), st, cleanup);
cleanup:
  free(K);
  free(L);
  return st;
}

/* cb_cka.h - linear centred kernel alignment (Kornblith et al. 2019), biased and unbiased (Song et al. 2012). */
#ifndef CB_CKA_H
#define CB_CKA_H

#include "cb_status.h"

typedef enum cb_cka_estimator {
  CB_CKA_BIASED = 0, /* HSIC_b(K, L) = tr(K H L H) / (n - 1)^2, H = I - 11^T / n; n >= 2 */
  CB_CKA_UNBIASED    /* HSIC_u of Song et al. 2012 on K, L with zeroed diagonals; n >= 4 */
} cb_cka_estimator;

/* Linear Gram matrix K = X X^T (full symmetric). */
cb_status cb_cka_gram(const double *X /* (n, p) */, int n, int p, double *K /* (n, n) */);
/* Same for float activations (converted to double in column blocks). */
cb_status cb_cka_gram_f(const float *X /* (n, p) */, int n, int p, double *K /* (n, n) */);

/* CKA = HSIC(K, L) / sqrt(HSIC(K, K) HSIC(L, L)) from precomputed symmetric Gram matrices (only the values are
 * read; K, L are not modified). Unbiased: with K~ = K - diag(K), HSIC_u = [tr(K~ L~) + 1'K~1 1'L~1 / ((n-1)(n-2))
 * - 2/(n-2) 1'K~L~1] / (n (n-3)). CB_ERR_NUMERIC when HSIC(K,K) HSIC(L,L) <= 0 (a constant representation) or on
 * non-finite input; CB_ERR_ARG when n is too small. *cka written only on success. */
cb_status cb_cka_from_gram(const double *K /* (n, n) */, const double *L /* (n, n) */, int n, cb_cka_estimator e,
                           double *cka);
/* The scoring convention: as cb_cka_from_gram, but when HSIC(K,K) HSIC(L,L) <= 0 (a constant representation, or
 * the unbiased estimator's negative self-similarity on near-constant data) *cka = 0 and *undefined = 1 instead of
 * an error (Brain-Score's unbiased_linear_CKA returns 0 there too); *undefined = 0 otherwise. */
cb_status cb_cka_from_gram_defined(const double *K /* (n, n) */, const double *L /* (n, n) */, int n,
                                   cb_cka_estimator e, double *cka, int *undefined);

/* Linear CKA between X (n, px) and Y (n, py): Gram matrices X X^T, Y Y^T then cb_cka_from_gram. */
cb_status cb_cka_linear(const double *X /* (n, px) */, int px, const double *Y /* (n, py) */, int py, int n,
                        cb_cka_estimator e, double *cka);

#endif

/* cb_cka_weighted.h - linear CKA of a weighted stimulus set, for bootstrap resamples in O(n^2) per replicate.
 *
 * A bootstrap replicate draws the test stimuli with replacement: stimulus i appears w_i times (w_i = 0 when not
 * drawn). The Gram matrices K = X X' (model) and L = Y Y' (brain) over all n stimuli are computed once; a replicate
 * only needs the weights.
 *
 * Unbiased estimator: HSIC_u of Song et al. 2012 is, on n distinct stimuli,
 *   S1 / (n)_2 + S3 / (n)_4 - 2 S2 / (n)_3,
 *   S1 = sum over distinct i, j of K_ij L_ij, S2 = sum over distinct i, j, q of K_ij L_iq,
 *   S3 = sum over distinct i, j, q, r of K_ij L_qr, (n)_k = n (n - 1) ... (n - k + 1).
 * On a resample every sum runs over tuples of distinct *stimuli*, each tuple weighted by the product of its
 * stimuli's counts, and (n)_k becomes the total weight of such tuples. Pairs of copies of one stimulus are left out,
 * as they are from the RDM comparisons of a bootstrap: they would count a stimulus's similarity with itself as a
 * similarity between two stimuli and push every replicate up. With every w_i in {0, 1} the value is HSIC_u of the
 * stimuli with w_i = 1 (up to rounding).
 *
 * Biased estimator: HSIC_b of the expanded resample (each stimulus repeated w_i times), as a V-statistic includes
 * every tie anyway: sum_ij w_i w_j (K_ij - m_i - m_j + m) L_ij with m = K w / N, m = w'K w / N^2, N = sum w. */
#ifndef CB_CKA_WEIGHTED_H
#define CB_CKA_WEIGHTED_H

#include "cb_cka.h"
#include "cb_status.h"

typedef struct cb_cka_w cb_cka_w;

/* Keeps what every replicate needs (5 n x n matrices) from the Gram matrices K, L (n, n), which are copied.
 * CB_ERR_NUMERIC on a non-finite entry. */
cb_status cb_cka_w_create(const double *K /* (n, n) */, const double *L /* (n, n) */, int n, cb_cka_estimator e,
                          cb_cka_w **out);

/* CKA of the stimuli weighted by w (n, counts >= 0). As cb_cka_from_gram_defined: *undefined = 1 and *cka = 0 when
 * HSIC(K,K) HSIC(L,L) <= 0; *cka = NaN (undefined = 0) when the weights hold too few distinct stimuli (fewer than
 * 4 with w > 0 for the unbiased estimator, 2 for the biased). */
cb_status cb_cka_w_eval(cb_cka_w *c, const double *w /* (n) */, double *cka, int *undefined);

void cb_cka_w_destroy(cb_cka_w **c);

#endif

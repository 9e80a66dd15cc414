/* cb_rsa.c - inter-subject RDM ceiling: compare each subject with the pooled mean of all / of the others. */
#include "cb_rsa.h"

#include <math.h>
#include <stdlib.h>

#include "cb_rank.h"

/* w (m) = v normalised for comparison k (ranks, z-scores, RMS-scaled or unchanged). */
static cb_status normalise(const double *v, size_t m, cb_rdm_compare_kind k, double *w) {
  if (k == CB_RDM_CMP_SPEARMAN || k == CB_RDM_CMP_KENDALL_TAU_A) return cb_rank_average(v, m, w);
  double mean = 0.0, ss = 0.0;
  for (size_t i = 0; i < m; ++i) mean += v[i];
  mean /= (double)m;
  if (k == CB_RDM_CMP_PEARSON) { /* (v - mean) / std, ddof 0 */
    for (size_t i = 0; i < m; ++i) ss += (v[i] - mean) * (v[i] - mean);
    double sd = sqrt(ss / (double)m);
    if (!(sd > 0.0)) return CB_ERROR(CB_ERR_NUMERIC, "cb_rsa_ceiling: a subject RDM is constant");
    for (size_t i = 0; i < m; ++i) w[i] = (v[i] - mean) / sd;
  } else { /* cosine: v / sqrt(mean v^2) */
    for (size_t i = 0; i < m; ++i) ss += v[i] * v[i];
    double rms = sqrt(ss / (double)m);
    if (!(rms > 0.0)) return CB_ERROR(CB_ERR_NUMERIC, "cb_rsa_ceiling: a subject RDM is all zero");
    for (size_t i = 0; i < m; ++i) w[i] = v[i] / rms;
  }
  return CB_OK;
}

cb_status cb_rsa_ceiling(const double *V, int S, size_t m, cb_rdm_compare_kind k, double *upper, double *lower) {
  if (V == NULL || upper == NULL || lower == NULL) return CB_ERROR(CB_ERR_ARG, "cb_rsa_ceiling: NULL argument");
  if (S < 2) return CB_ERROR(CB_ERR_ARG, "cb_rsa_ceiling: needs at least 2 subjects, got %d", S);
  if (m < 2) return CB_ERROR(CB_ERR_ARG, "cb_rsa_ceiling: needs at least 2 RDM entries, got %zu", m);
  if (k != CB_RDM_CMP_SPEARMAN && k != CB_RDM_CMP_KENDALL_TAU_A && k != CB_RDM_CMP_PEARSON && k != CB_RDM_CMP_COSINE)
    return CB_ERROR(CB_ERR_ARG, "cb_rsa_ceiling: unknown comparison %d", (int)k);
  for (size_t i = 0; i < (size_t)S * m; ++i)
    if (isnan(V[i])) return CB_ERROR(CB_ERR_NUMERIC, "cb_rsa_ceiling: subject %zu entry %zu is NaN", i / m, i % m);
  cb_status st = CB_OK;
  double *W = malloc(sizeof *W * (size_t)S * m), *sum = calloc(m, sizeof *sum), *pool = malloc(sizeof *pool * m);
  CB_ALLOC_GOTO(W, st, cleanup);
  CB_ALLOC_GOTO(sum, st, cleanup);
  CB_ALLOC_GOTO(pool, st, cleanup);
  for (int s = 0; s < S; ++s) {
    CB_CHECK_GOTO(normalise(V + (size_t)s * m, m, k, W + (size_t)s * m), st, cleanup);
    for (size_t i = 0; i < m; ++i) sum[i] += W[(size_t)s * m + i];
  }
  double up = 0.0, lo = 0.0;
  for (int s = 0; s < S; ++s) {
    const double *ws = W + (size_t)s * m;
    double c;
    for (size_t i = 0; i < m; ++i) pool[i] = sum[i] / S;
    CB_CHECK_GOTO(cb_rdm_compare_vec(V + (size_t)s * m, pool, m, k, &c), st, cleanup);
    if (isnan(c)) goto undefined;
    up += c;
    for (size_t i = 0; i < m; ++i) pool[i] = (sum[i] - ws[i]) / (S - 1);
    CB_CHECK_GOTO(cb_rdm_compare_vec(V + (size_t)s * m, pool, m, k, &c), st, cleanup);
    if (isnan(c)) goto undefined;
    lo += c;
  }
  *upper = up / S;
  *lower = lo / S;
  goto cleanup;
undefined:
  st = CB_ERROR(CB_ERR_NUMERIC, "cb_rsa_ceiling: a %s comparison is undefined (constant RDM)", cb_rdm_compare_name(k));
cleanup:
  free(W);
  free(sum);
  free(pool);
  return st;
}

cb_status cb_rsa_ceiling_rdms(const double *R, int S, int n, cb_rdm_compare_kind k, double *upper, double *lower) {
  if (R == NULL) return CB_ERROR(CB_ERR_ARG, "cb_rsa_ceiling: NULL RDMs");
  if (n < 3 || S < 1) return CB_ERROR(CB_ERR_ARG, "cb_rsa_ceiling: needs n >= 3 stimuli (got %d) and S >= 1", n);
  size_t m = cb_rdm_n_upper(n);
  double *V = malloc(sizeof *V * (size_t)S * m);
  if (V == NULL) return CB_ERROR(CB_ERR_NOMEM, "out of memory for %d RDM vectors", S);
  for (int s = 0; s < S; ++s) cb_rdm_upper(R + (size_t)s * n * n, n, V + (size_t)s * m);
  cb_status st = cb_rsa_ceiling(V, S, m, k, upper, lower);
  free(V);
  return st;
}

/* cb_rsa.c - inter-subject RDM ceiling (each subject against the pooled mean of all / of the others); sessions
 * averaged into subjects. */
#include "cb_rsa.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

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

cb_status cb_rsa_group_subjects(const double *rdms, char *const *subject, int S, int n, double **out, int *n_groups) {
  if (rdms == NULL || out == NULL || n_groups == NULL) return CB_ERROR(CB_ERR_ARG, "cb_rsa_group_subjects: NULL argument");
  if (S < 1 || n < 1) return CB_ERROR(CB_ERR_ARG, "cb_rsa_group_subjects: needs S >= 1 RDMs and n >= 1 (got %d, %d)", S, n);
  for (int s = 0; subject && s < S; ++s)
    if (subject[s] == NULL) return CB_ERROR(CB_ERR_ARG, "cb_rsa_group_subjects: subject name %d is NULL", s);
  const size_t nn = (size_t)n * (size_t)n;
  cb_status st = CB_OK;
  int *group = malloc(sizeof *group * (size_t)S), *first = malloc(sizeof *first * (size_t)S); /* (S), (G) */
  int *count = calloc((size_t)S, sizeof *count);                                                /* (G) */
  double *G = NULL;
  CB_ALLOC_GOTO(group, st, cleanup);
  CB_ALLOC_GOTO(first, st, cleanup);
  CB_ALLOC_GOTO(count, st, cleanup);
  int g = 0; /* groups so far; quadratic in S, which is a few dozen at most */
  for (int s = 0; s < S; ++s) {
    int k = 0;
    while (subject && k < g && strcmp(subject[first[k]], subject[s]) != 0) ++k;
    if (!subject || k == g) first[g++] = s;
    if (!subject) k = s;
    group[s] = k;
    count[k]++;
  }
  G = calloc((size_t)g * nn, sizeof *G);
  if (G == NULL) {
    st = CB_ERROR(CB_ERR_NOMEM, "out of memory for %d subject RDMs of %d stimuli", g, n);
    goto cleanup;
  }
  for (int s = 0; s < S; ++s) {
    double *dst = G + (size_t)group[s] * nn;
    const double *src = rdms + (size_t)s * nn;
    for (size_t i = 0; i < nn; ++i) dst[i] += src[i];
  }
  for (int k = 0; k < g; ++k)
    if (count[k] > 1)
      for (size_t i = 0; i < nn; ++i) G[(size_t)k * nn + i] /= count[k];
  *out = G;
  *n_groups = g;
  G = NULL;
cleanup:
  free(G);
  free(group);
  free(first);
  free(count);
  return st;
}

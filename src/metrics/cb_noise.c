/* cb_noise.c - Spearman-Brown-corrected split-half reliabilities and the floored r^2 / (rel_d rel_p) correction. */
#include "cb_noise.h"

#include <math.h>
#include <stdlib.h>

#include "cb_corr.h"

void cb_noise_params_default(cb_noise_params *p) {
  p->floor_data = 0.182;
  p->floor_pred = 0.183;
  p->clip_max = 1.0;
  p->zero_negative_r = 1;
}

cb_status cb_noise_reliability(const double *Y, int n_stim, int n_rep, int q, double *rel) {
  if (Y == NULL || rel == NULL) return CB_ERROR(CB_ERR_ARG, "cb_noise_reliability: NULL array");
  if (n_rep < 2) return CB_ERROR(CB_ERR_NUMERIC, "cb_noise_reliability: needs at least 2 repetitions, got %d", n_rep);
  if (n_stim < 3 || q < 1) return CB_ERROR(CB_ERR_ARG, "cb_noise_reliability: needs n_stim >= 3 and q >= 1 (got %d, %d)", n_stim, q);
  int n_pairs = n_rep * (n_rep - 1) / 2;
  double *rs = malloc(sizeof *rs * (size_t)n_pairs);
  if (rs == NULL) return CB_ERROR(CB_ERR_NOMEM, "out of memory for %d repetition pairs", n_pairs);
  int stride = n_rep * q; /* between stimuli */
  for (int v = 0; v < q; ++v) {
    int k = 0;
    for (int a = 0; a < n_rep; ++a)
      for (int b = a + 1; b < n_rep; ++b)
        rs[k++] = cb_pearson_pairwise(Y + (size_t)a * q + v, stride, Y + (size_t)b * q + v, stride, n_stim);
    double med = cb_median_skipnan(rs, n_pairs, NULL);
    rel[v] = isnan(med) ? NAN : cb_spearman_brown(med, n_rep);
  }
  free(rs);
  return CB_OK;
}

cb_status cb_noise_correct(const double *r, const double *rel_data, const double *rel_pred, int q,
                           const cb_noise_params *params, double *r2c) {
  cb_noise_params p;
  if (params)
    p = *params;
  else
    cb_noise_params_default(&p);
  if (r == NULL || rel_data == NULL || rel_pred == NULL || r2c == NULL)
    return CB_ERROR(CB_ERR_ARG, "cb_noise_correct: NULL array");
  if (q < 0) return CB_ERROR(CB_ERR_ARG, "cb_noise_correct: q = %d", q);
  if (!(p.floor_data > 0.0) || !(p.floor_pred > 0.0))
    return CB_ERROR(CB_ERR_ARG, "cb_noise_correct: reliability floors must be > 0 (got %g, %g)", p.floor_data, p.floor_pred);
  for (int v = 0; v < q; ++v) {
    double rv = r[v];
    if (p.zero_negative_r && rv < 0.0) rv = 0.0;
    double rd = isnan(rel_data[v]) ? p.floor_data : fmax(rel_data[v], p.floor_data);
    double rp = isnan(rel_pred[v]) ? p.floor_pred : fmax(rel_pred[v], p.floor_pred);
    double c = rv * rv / (rd * rp);
    r2c[v] = c > p.clip_max ? p.clip_max : c; /* NaN r stays NaN */
  }
  return CB_OK;
}

/* cb_ceiling.c - split-half internal consistency with Spearman-Brown correction. */
#include "cb_ceiling.h"

#include <math.h>
#include <stdlib.h>

#include "cb_corr.h"
#include "cb_rng.h"

/* Mean over the repetitions rep[0..nr-1] of each stimulus and neuroid, NaN skipped (NaN if none).
 * H: (n_stim, q). */
void cb_ceiling_half_mean(const double *R /* (n_stim, n_rep, q) */, int n_stim, int n_rep, int q,
                      const size_t *rep /* (nr) */, int nr, double *H /* (n_stim, q) */, int *cnt /* (q) */) {
  for (int s = 0; s < n_stim; ++s) {
    double *h = H + (size_t)s * q;
    for (int j = 0; j < q; ++j) {
      h[j] = 0.0;
      cnt[j] = 0;
    }
    for (int k = 0; k < nr; ++k) {
      const double *x = R + ((size_t)s * n_rep + rep[k]) * q;
      for (int j = 0; j < q; ++j)
        if (!isnan(x[j])) {
          h[j] += x[j];
          cnt[j]++;
        }
    }
    for (int j = 0; j < q; ++j) h[j] = cnt[j] ? h[j] / cnt[j] : NAN;
  }
}

cb_status cb_ceiling_split_half(const double *R, int n_stim, int n_rep, int q, int n_splits, uint64_t seed,
                                double *ceiling, double *error) {
  if (R == NULL || ceiling == NULL || error == NULL) return CB_ERROR(CB_ERR_ARG, "ceiling: NULL argument");
  if (n_rep < 2)
    return CB_ERROR(CB_ERR_NUMERIC, "ceiling: split-half consistency needs at least 2 repetitions, got %d",
                    n_rep);
  if (n_stim < 2 || q < 1 || n_splits < 1)
    return CB_ERROR(CB_ERR_ARG, "ceiling: needs >= 2 stimuli, >= 1 neuroid and >= 1 split (got %d, %d, %d)",
                    n_stim, q, n_splits);
  cb_status st = CB_OK;
  size_t *rep = malloc(sizeof *rep * (size_t)n_rep);
  double *A = malloc(sizeof *A * (size_t)n_stim * q);   /* (n_stim, q) half-A means */
  double *B = malloc(sizeof *B * (size_t)n_stim * q);   /* (n_stim, q) half-B means */
  double *sb = malloc(sizeof *sb * (size_t)q);          /* (q) corrected r per neuroid */
  double *med = malloc(sizeof *med * (size_t)n_splits); /* (n_splits) */
  int *cnt = malloc(sizeof *cnt * (size_t)q);
  CB_ALLOC_GOTO(rep, st, done);
  CB_ALLOC_GOTO(A, st, done);
  CB_ALLOC_GOTO(B, st, done);
  CB_ALLOC_GOTO(sb, st, done);
  CB_ALLOC_GOTO(med, st, done);
  CB_ALLOC_GOTO(cnt, st, done);

  cb_rng rng;
  cb_rng_seed(&rng, seed);
  const int na = n_rep / 2;
  for (int k = 0; k < n_splits; ++k) {
    for (int i = 0; i < n_rep; ++i) rep[i] = (size_t)i;
    cb_rng_shuffle(&rng, rep, (size_t)n_rep);
    cb_ceiling_half_mean(R, n_stim, n_rep, q, rep, na, A, cnt);
    cb_ceiling_half_mean(R, n_stim, n_rep, q, rep + na, n_rep - na, B, cnt);
    for (int j = 0; j < q; ++j) {
      double r = cb_pearson_pairwise(A + j, q, B + j, q, n_stim);
      sb[j] = cb_spearman_brown(r, 2.0);
    }
    med[k] = cb_median_skipnan(sb, q, NULL);
  }
  double mean = 0.0, var = 0.0;
  for (int k = 0; k < n_splits; ++k) mean += med[k];
  mean /= n_splits;
  for (int k = 0; k < n_splits; ++k) var += (med[k] - mean) * (med[k] - mean);
  var /= n_splits;
  *ceiling = mean;
  *error = sqrt(var) / sqrt((double)n_splits);

done:
  free(cnt);
  free(med);
  free(sb);
  free(B);
  free(A);
  free(rep);
  return st;
}

/* cb_bootstrap.c - resample stimuli with replacement (one cb_rng stream per replicate), percentile intervals. */
#include "cb_bootstrap.h"

#include <math.h>
#include <stdlib.h>

#include "cb_rng.h"

cb_status cb_bootstrap_scores(int n_stimuli, int n_boot, uint64_t seed, cb_score_fn fn, void *ctx, double *scores) {
  if (fn == NULL || scores == NULL) return CB_ERROR(CB_ERR_ARG, "cb_bootstrap: NULL score function or output");
  if (n_stimuli < 2 || n_boot < 1)
    return CB_ERROR(CB_ERR_ARG, "cb_bootstrap: needs n_stimuli >= 2 and n_boot >= 1 (got %d, %d)", n_stimuli, n_boot);
  int *idx = malloc(sizeof *idx * (size_t)n_stimuli);
  if (idx == NULL) return CB_ERROR(CB_ERR_NOMEM, "out of memory for %d bootstrap indices", n_stimuli);
  cb_status st = CB_OK;
  for (int b = 0; b < n_boot; ++b) {
    cb_rng rng;
    cb_rng_seed_stream(&rng, seed, (uint64_t)b);
    for (int i = 0; i < n_stimuli; ++i) idx[i] = (int)cb_rng_below(&rng, (uint64_t)n_stimuli);
    double s = NAN;
    st = fn(idx, n_stimuli, ctx, &s);
    if (st != CB_OK) {
      cb_error_prefix("bootstrap replicate %d", b);
      break;
    }
    scores[b] = s;
  }
  free(idx);
  return st;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

double cb_quantile_skipnan(const double *v, int n, double q) {
  if (n <= 0 || !(q >= 0.0 && q <= 1.0)) return NAN;
  double *w = malloc(sizeof *w * (size_t)n);
  if (w == NULL) return NAN;
  int m = 0;
  for (int i = 0; i < n; ++i)
    if (!isnan(v[i])) w[m++] = v[i];
  double out = NAN;
  if (m > 0) {
    qsort(w, (size_t)m, sizeof *w, cmp_double);
    double h = q * (m - 1); /* position in the sorted sample */
    int lo = (int)floor(h);
    int hi = lo + 1 < m ? lo + 1 : lo;
    out = w[lo] + (h - lo) * (w[hi] - w[lo]);
  }
  free(w);
  return out;
}

cb_status cb_bootstrap_ci(int n_stimuli, int n_boot, uint64_t seed, double alpha, cb_score_fn fn, void *ctx,
                          double *lo, double *hi) {
  if (lo == NULL || hi == NULL) return CB_ERROR(CB_ERR_ARG, "cb_bootstrap_ci: NULL output");
  if (!(alpha > 0.0 && alpha < 1.0)) return CB_ERROR(CB_ERR_ARG, "cb_bootstrap_ci: alpha must be in (0, 1), got %g", alpha);
  if (n_boot < 2) return CB_ERROR(CB_ERR_ARG, "cb_bootstrap_ci: needs n_boot >= 2, got %d", n_boot);
  double *s = malloc(sizeof *s * (size_t)n_boot);
  if (s == NULL) return CB_ERROR(CB_ERR_NOMEM, "out of memory for %d bootstrap scores", n_boot);
  cb_status st = cb_bootstrap_scores(n_stimuli, n_boot, seed, fn, ctx, s);
  if (st == CB_OK) {
    int finite = 0;
    for (int b = 0; b < n_boot; ++b) finite += isfinite(s[b]) != 0;
    if (2 * finite < n_boot) {
      st = CB_ERROR(CB_ERR_NUMERIC, "cb_bootstrap_ci: only %d of %d replicates gave a finite score", finite, n_boot);
    } else {
      for (int b = 0; b < n_boot; ++b)
        if (!isfinite(s[b])) s[b] = NAN; /* +-inf are not scores either */
      *lo = cb_quantile_skipnan(s, n_boot, alpha / 2);
      *hi = cb_quantile_skipnan(s, n_boot, 1.0 - alpha / 2);
    }
  }
  free(s);
  return st;
}

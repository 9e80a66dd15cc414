/* cb_voxel.c - voxel-style noise-corrected scoring of a regression (see cb_voxel.h).
 * Procedure facts followed (Tuckute et al. 2023, PLoS Biol; their public code gretatuckute/auditory_brain_dnn,
 * aud_dnn/utils.py (end of the per-voxel regression) and aud_dnn/AUD_main.py (splits); Kell et al. 2018):
 * per split, one fit on the repetition mean and one fit per single repetition; reliability = median over
 * repetition pairs of the Pearson r, Spearman-Brown corrected, then floored (0.182 data, 0.183 predictions);
 * negative r counts as 0; corrected r^2 = r^2 / (rel_data rel_pred); median over splits. Differences (by the
 * benchmark's design, docs/config.md): the data reliability here uses the test stimuli (theirs: the training
 * stimuli), neuroids are summarised per split by their median (NaN skipped) before the median over splits, and
 * the result is clipped at 1. */
#include "cb_voxel.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cb_corr.h"
#include "cb_signal.h"

static double median_of(const double *v, int n) { return cb_median_skipnan(v, n, NULL); }

cb_status cb_voxel_score(const float *X, int n, int p, const double *reps, const double *mean, int n_rep, int q,
                         const cb_splits *splits, const cb_regress_opts *opts, const cb_noise_params *params,
                         cb_voxel_result *out) {
  if (!X || !reps || !mean || !splits || !opts || !out) return CB_ERROR(CB_ERR_ARG, "cb_voxel_score: NULL argument");
  if (n_rep < 2)
    return CB_ERROR(CB_ERR_ARG, "ceiling 'voxel' needs >= 2 repetitions per stimulus (the assembly has %d)", n_rep);
  for (size_t i = 0; i < (size_t)n * n_rep * q; ++i)
    if (!isfinite(reps[i]))
      return CB_ERROR(CB_ERR_ARG, "ceiling 'voxel' needs every stimulus to have all %d repetitions (stimulus %zu "
                      "has a missing or non-finite one)", n_rep, i / ((size_t)n_rep * q));
  const int ns = splits->n_splits, nt = splits->n_test;
  if (ns > CB_MAX_SPLITS) return CB_ERROR(CB_ERR_ARG, "cb_voxel_score: %d splits (max %d)", ns, CB_MAX_SPLITS);
  for (int k = 0; k < ns; ++k)
    if (splits->test_size[k] < 3)
      return CB_ERROR(CB_ERR_ARG, "ceiling 'voxel': split %d has %d test stimuli (needs >= 3)", k, splits->test_size[k]);
  cb_status st = CB_OK;
  const size_t per_fit = (size_t)ns * nt * q;
  double *pm = malloc(sizeof *pm * per_fit);                    /* (ns, nt, q) predictions of the mean fit */
  double *pr = malloc(sizeof *pr * per_fit * (size_t)n_rep);    /* (n_rep, ns, nt, q) per-repetition fits */
  double *yr = malloc(sizeof *yr * (size_t)n * q);              /* (n, q) one repetition */
  double *yd = malloc(sizeof *yd * (size_t)nt * n_rep * q);     /* (m, n_rep, q) test data */
  double *yp = malloc(sizeof *yp * (size_t)nt * n_rep * q);     /* (m, n_rep, q) test predictions */
  double *a = malloc(sizeof *a * (size_t)nt), *b = malloc(sizeof *b * (size_t)nt); /* (m) */
  double *r = malloc(sizeof *r * (size_t)q), *rd = malloc(sizeof *rd * (size_t)q); /* (q) */
  double *rp = malloc(sizeof *rp * (size_t)q), *c = malloc(sizeof *c * (size_t)q); /* (q) */
  double raw_split[CB_MAX_SPLITS];                              /* (ns) median r */
  cb_cv_result *cv = malloc(sizeof *cv);
  if (!pm || !pr || !yr || !yd || !yp || !a || !b || !r || !rd || !rp || !c || !cv) {
    st = CB_ERROR(CB_ERR_NOMEM, "out of memory");
    goto done;
  }
  cb_regress_opts o = *opts;
  o.predictions = pm;
  st = cb_cv_regress(X, n, p, mean, q, splits, &o, NULL, cv);
  for (int t = 0; st == CB_OK && t < n_rep; ++t) {
    if (cb_signal_pending()) {
      st = CB_ERROR(CB_ERR_INTERRUPTED, "stopped by signal %d", cb_signal_pending());
      break;
    }
    for (int i = 0; i < n; ++i) memcpy(yr + (size_t)i * q, reps + ((size_t)i * n_rep + t) * q, sizeof *yr * (size_t)q);
    o.predictions = pr + (size_t)t * per_fit;
    st = cb_cv_regress(X, n, p, yr, q, splits, &o, NULL, cv);
    if (st != CB_OK) cb_error_prefix("ceiling 'voxel': fit on repetition %d", t);
  }
  for (int k = 0; st == CB_OK && k < ns; ++k) {
    const int m = splits->test_size[k], *test = splits->test + (size_t)k * nt;
    const double *pmk = pm + (size_t)k * nt * q;
    for (int i = 0; i < m; ++i)
      for (int t = 0; t < n_rep; ++t) {
        memcpy(yd + ((size_t)i * n_rep + t) * q, reps + ((size_t)test[i] * n_rep + t) * q, sizeof *yd * (size_t)q);
        memcpy(yp + ((size_t)i * n_rep + t) * q, pr + (size_t)t * per_fit + ((size_t)k * nt + i) * q,
               sizeof *yp * (size_t)q);
      }
    for (int j = 0; j < q; ++j) {
      for (int i = 0; i < m; ++i) {
        a[i] = pmk[(size_t)i * q + j];
        b[i] = mean[(size_t)test[i] * q + j];
      }
      r[j] = cb_pearson(a, b, m);
    }
    st = cb_noise_reliability(yd, m, n_rep, q, rd);
    if (st == CB_OK) st = cb_noise_reliability(yp, m, n_rep, q, rp);
    if (st == CB_OK) st = cb_noise_correct(r, rd, rp, q, params, c);
    if (st != CB_OK) {
      cb_error_prefix("ceiling 'voxel': split %d", k);
      break;
    }
    out->per_split[k] = median_of(c, q);
    raw_split[k] = median_of(r, q);
  }
  if (st == CB_OK) {
    double mu = 0, var = 0;
    for (int k = 0; k < ns; ++k) mu += out->per_split[k];
    mu /= ns;
    for (int k = 0; k < ns; ++k) var += (out->per_split[k] - mu) * (out->per_split[k] - mu);
    out->error = sqrt(var / ns) / sqrt((double)ns);
    out->score = median_of(out->per_split, ns);
    out->raw = median_of(raw_split, ns);
    out->n_splits = ns;
  }
done:
  free(pm);
  free(pr);
  free(yr);
  free(yd);
  free(yp);
  free(a);
  free(b);
  free(r);
  free(rd);
  free(rp);
  free(c);
  free(cv);
  return st;
}

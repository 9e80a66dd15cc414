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

/* Checks the arguments of cb_voxel_score: every repetition finite, at most CB_MAX_SPLITS splits of >= 3 test
 * stimuli (the first error wins). */
static cb_status voxel_check_args(const float *X, const double *reps, const double *mean, int n, int n_rep, int q,
                                  const cb_splits *splits, const cb_regress_opts *opts, const cb_voxel_result *out) {
  if (!X || !reps || !mean || !splits || !opts || !out) return CB_ERROR(CB_ERR_ARG, "cb_voxel_score: NULL argument");
  if (n_rep < 2)
    return CB_ERROR(CB_ERR_ARG, "ceiling 'voxel' needs >= 2 repetitions per stimulus (the assembly has %d)", n_rep);
  for (size_t i = 0; i < (size_t)n * n_rep * q; ++i)
    if (!isfinite(reps[i]))
      return CB_ERROR(CB_ERR_ARG, "ceiling 'voxel' needs every stimulus to have all %d repetitions (stimulus %zu "
                      "has a missing or non-finite one)", n_rep, i / ((size_t)n_rep * q));
  const int ns = splits->n_splits;
  if (ns > CB_MAX_SPLITS) return CB_ERROR(CB_ERR_ARG, "cb_voxel_score: %d splits (max %d)", ns, CB_MAX_SPLITS);
  for (int k = 0; k < ns; ++k)
    if (splits->test_size[k] < 3)
      return CB_ERROR(CB_ERR_ARG, "ceiling 'voxel': split %d has %d test stimuli (needs >= 3)", k, splits->test_size[k]);
  return CB_OK;
}

/* One voxel scoring: the data, sizes and every workspace (shapes in the comments; m = a split's test stimuli). */
typedef struct voxel_run {
  const float *X;        /* (n, p) */
  const double *reps;    /* (n, n_rep, q) */
  const double *mean;    /* (n, q) */
  int n, p, n_rep, q, ns, nt;
  size_t per_fit;        /* ns nt q: predictions of one fit */
  const cb_splits *splits;
  double *pm;            /* (ns, nt, q) predictions of the mean fit */
  double *pr;            /* (n_rep, ns, nt, q) per-repetition fits */
  double *yr;            /* (n, q) one repetition */
  double *yd;            /* (m, n_rep, q) test data */
  double *yp;            /* (m, n_rep, q) test predictions */
  double *a, *b;         /* (m) each */
  double *r, *rd, *rp, *c; /* (q) each */
  double raw_split[CB_MAX_SPLITS]; /* (ns) median r */
  cb_cv_result *cv;
} voxel_run;

static cb_status voxel_alloc(voxel_run *v) {
  const size_t nt = (size_t)v->nt, q = (size_t)v->q, n_rep = (size_t)v->n_rep;
  v->pm = malloc(sizeof *v->pm * v->per_fit);
  v->pr = malloc(sizeof *v->pr * v->per_fit * n_rep);
  v->yr = malloc(sizeof *v->yr * (size_t)v->n * q);
  v->yd = malloc(sizeof *v->yd * nt * n_rep * q);
  v->yp = malloc(sizeof *v->yp * nt * n_rep * q);
  v->a = malloc(sizeof *v->a * nt);
  v->b = malloc(sizeof *v->b * nt);
  v->r = malloc(sizeof *v->r * q);
  v->rd = malloc(sizeof *v->rd * q);
  v->rp = malloc(sizeof *v->rp * q);
  v->c = malloc(sizeof *v->c * q);
  v->cv = malloc(sizeof *v->cv);
  if (!v->pm || !v->pr || !v->yr || !v->yd || !v->yp || !v->a || !v->b || !v->r || !v->rd || !v->rp || !v->c ||
      !v->cv)
    return CB_ERROR(CB_ERR_NOMEM, "out of memory");
  return CB_OK;
}

static void voxel_free(voxel_run *v) {
  free(v->pm);
  free(v->pr);
  free(v->yr);
  free(v->yd);
  free(v->yp);
  free(v->a);
  free(v->b);
  free(v->r);
  free(v->rd);
  free(v->rp);
  free(v->c);
  free(v->cv);
}

/* The cross-validated fit on the repetition mean (predictions in pm), then one per single repetition (in pr). */
static cb_status voxel_fits(voxel_run *v, const cb_regress_opts *opts) {
  const int n = v->n, q = v->q, n_rep = v->n_rep;
  cb_regress_opts o = *opts;
  o.predictions = v->pm;
  cb_status st = cb_cv_regress(v->X, n, v->p, v->mean, q, v->splits, &o, NULL, v->cv);
  for (int t = 0; st == CB_OK && t < n_rep; ++t) {
    if (cb_signal_pending()) return CB_ERROR(CB_ERR_INTERRUPTED, "stopped by signal %d", cb_signal_pending());
    for (int i = 0; i < n; ++i)
      memcpy(v->yr + (size_t)i * q, v->reps + ((size_t)i * n_rep + t) * q, sizeof *v->yr * (size_t)q);
    o.predictions = v->pr + (size_t)t * v->per_fit;
    st = cb_cv_regress(v->X, n, v->p, v->yr, q, v->splits, &o, NULL, v->cv);
    if (st != CB_OK) cb_error_prefix("ceiling 'voxel': fit on repetition %d", t);
  }
  return st;
}

/* Split k: each neuroid's r between the mean fit's predictions and the mean responses, corrected by the
 * reliabilities of the test data and of the per-repetition predictions; the medians into out->per_split[k] and
 * v->raw_split[k]. */
static cb_status voxel_split(voxel_run *v, int k, const cb_noise_params *params, cb_voxel_result *out) {
  const int nt = v->nt, q = v->q, n_rep = v->n_rep;
  const int m = v->splits->test_size[k], *test = v->splits->test + (size_t)k * nt;
  const double *pmk = v->pm + (size_t)k * nt * q;
  for (int i = 0; i < m; ++i)
    for (int t = 0; t < n_rep; ++t) {
      memcpy(v->yd + ((size_t)i * n_rep + t) * q, v->reps + ((size_t)test[i] * n_rep + t) * q,
             sizeof *v->yd * (size_t)q);
      memcpy(v->yp + ((size_t)i * n_rep + t) * q, v->pr + (size_t)t * v->per_fit + ((size_t)k * nt + i) * q,
             sizeof *v->yp * (size_t)q);
    }
  for (int j = 0; j < q; ++j) {
    for (int i = 0; i < m; ++i) {
      v->a[i] = pmk[(size_t)i * q + j];
      v->b[i] = v->mean[(size_t)test[i] * q + j];
    }
    v->r[j] = cb_pearson(v->a, v->b, m);
  }
  cb_status st = cb_noise_reliability(v->yd, m, n_rep, q, v->rd);
  if (st == CB_OK) st = cb_noise_reliability(v->yp, m, n_rep, q, v->rp);
  if (st == CB_OK) st = cb_noise_correct(v->r, v->rd, v->rp, q, params, v->c);
  if (st != CB_OK) {
    cb_error_prefix("ceiling 'voxel': split %d", k);
    return st;
  }
  out->per_split[k] = median_of(v->c, q);
  v->raw_split[k] = median_of(v->r, q);
  return CB_OK;
}

cb_status cb_voxel_score(const float *X, int n, int p, const double *reps, const double *mean, int n_rep, int q,
                         const cb_splits *splits, const cb_regress_opts *opts, const cb_noise_params *params,
                         cb_voxel_result *out) {
  CB_CHECK(voxel_check_args(X, reps, mean, n, n_rep, q, splits, opts, out));
  const int ns = splits->n_splits;
  voxel_run v = {.X = X, .reps = reps, .mean = mean, .n = n, .p = p, .n_rep = n_rep, .q = q, .ns = ns,
                 .nt = splits->n_test, .splits = splits};
  v.per_fit = (size_t)ns * v.nt * q;
  cb_status st = CB_OK;
  CB_CHECK_GOTO(voxel_alloc(&v), st, done);
  CB_CHECK_GOTO(voxel_fits(&v, opts), st, done);
  for (int k = 0; k < ns; ++k) CB_CHECK_GOTO(voxel_split(&v, k, params, out), st, done);
  double mu = 0, var = 0;
  for (int k = 0; k < ns; ++k) mu += out->per_split[k];
  mu /= ns;
  for (int k = 0; k < ns; ++k) var += (out->per_split[k] - mu) * (out->per_split[k] - mu);
  out->error = sqrt(var / ns) / sqrt((double)ns);
  out->score = median_of(out->per_split, ns);
  out->raw = median_of(v.raw_split, ns);
  out->n_splits = ns;
done:
  voxel_free(&v);
  return st;
}

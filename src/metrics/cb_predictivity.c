/* cb_predictivity.c - cross-validated PLS predictivity (Brain-Score neural predictivity) and ceiling
 * normalisation. */
#include "cb_predictivity.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cb_corr.h"
#include "cb_pls.h"

static const char *const norm_names[] = {"r2/c", "(r/c)^2", "r/c"};

cb_status cb_normalise_parse(const char *s, cb_normalise *out) {
  if (s == NULL || out == NULL) return CB_ERROR(CB_ERR_ARG, "normalisation: NULL argument");
  for (int i = 0; i < 3; ++i)
    if (strcmp(s, norm_names[i]) == 0) {
      *out = (cb_normalise)i;
      return CB_OK;
    }
  return CB_ERROR(CB_ERR_ARG, "normalisation: unknown mode '%s' (expected r2/c, (r/c)^2 or r/c)", s);
}

const char *cb_normalise_name(cb_normalise m) {
  return ((int)m >= 0 && (int)m < 3) ? norm_names[m] : "?";
}

double cb_ceil_score(double raw, double ceiling, cb_normalise mode) {
  switch (mode) {
  case CB_NORM_R2_OVER_C: return raw * raw / ceiling;
  case CB_NORM_R_OVER_C_SQUARED: return (raw / ceiling) * (raw / ceiling);
  case CB_NORM_R_OVER_C: return raw / ceiling;
  }
  return NAN;
}

cb_status cb_pls_cv(const float *X, int n, int p, const double *Y, int q, const cb_splits *splits,
                    int n_components, cb_cv_result *out) {
  if (X == NULL || Y == NULL || splits == NULL || out == NULL) return CB_ERROR(CB_ERR_ARG, "PLS CV: NULL argument");
  if (splits->n != n)
    return CB_ERROR(CB_ERR_ARG, "PLS CV: splits were made for %d stimuli but X has %d rows", splits->n, n);
  if (splits->n_splits < 1 || splits->n_splits > CB_MAX_SPLITS)
    return CB_ERROR(CB_ERR_ARG, "PLS CV: number of splits %d not in [1, %d]", splits->n_splits, CB_MAX_SPLITS);
  if (p < 1 || q < 1) return CB_ERROR(CB_ERR_ARG, "PLS CV: empty X (%d features) or Y (%d neuroids)", p, q);

  cb_status st = CB_OK;
  cb_pls *m = NULL;
  const int ntr = splits->n_train, nte = splits->n_test;
  double *Xtr = malloc(sizeof *Xtr * (size_t)ntr * p); /* (n_train, p) workspace, deflated by the fit */
  double *Ytr = malloc(sizeof *Ytr * (size_t)ntr * q); /* (n_train, q) */
  double *Xte = malloc(sizeof *Xte * (size_t)nte * p); /* (n_test, p) */
  double *Yte = malloc(sizeof *Yte * (size_t)nte * q); /* (n_test, q) actual */
  double *Yhat = malloc(sizeof *Yhat * (size_t)nte * q); /* (n_test, q) predicted */
  double *r = malloc(sizeof *r * (size_t)q);           /* (q) per-neuroid r */
  unsigned char *nan_seen = calloc((size_t)q, 1);      /* (q) */
  cb_cv_result *res = calloc(1, sizeof *res);
  CB_ALLOC_GOTO(Xtr, st, done);
  CB_ALLOC_GOTO(Ytr, st, done);
  CB_ALLOC_GOTO(Xte, st, done);
  CB_ALLOC_GOTO(Yte, st, done);
  CB_ALLOC_GOTO(Yhat, st, done);
  CB_ALLOC_GOTO(r, st, done);
  CB_ALLOC_GOTO(nan_seen, st, done);
  CB_ALLOC_GOTO(res, st, done);

  res->n_splits = splits->n_splits;
  for (int k = 0; k < splits->n_splits; ++k) {
    const int *tr = splits->train + (size_t)k * ntr, *te = splits->test + (size_t)k * nte;
    for (int i = 0; i < ntr; ++i) {
      if (tr[i] < 0 || tr[i] >= n) {
        st = CB_ERROR(CB_ERR_ARG, "PLS CV: split %d has train index %d outside [0, %d)", k, tr[i], n);
        goto done;
      }
      const float *xs = X + (size_t)tr[i] * p;
      double *xd = Xtr + (size_t)i * p;
      for (int j = 0; j < p; ++j) xd[j] = xs[j];
      memcpy(Ytr + (size_t)i * q, Y + (size_t)tr[i] * q, sizeof *Ytr * (size_t)q);
    }
    for (int i = 0; i < nte; ++i) {
      if (te[i] < 0 || te[i] >= n) {
        st = CB_ERROR(CB_ERR_ARG, "PLS CV: split %d has test index %d outside [0, %d)", k, te[i], n);
        goto done;
      }
      const float *xs = X + (size_t)te[i] * p;
      double *xd = Xte + (size_t)i * p;
      for (int j = 0; j < p; ++j) xd[j] = xs[j];
      memcpy(Yte + (size_t)i * q, Y + (size_t)te[i] * q, sizeof *Yte * (size_t)q);
    }
    CB_CHECK_GOTO(cb_pls_fit_inplace(Xtr, Ytr, ntr, p, q, n_components, 500, 1e-6, &m), st, done);
    CB_CHECK_GOTO(cb_pls_predict(m, Xte, nte, Yhat), st, done);
    cb_pls_destroy(&m);
    for (int j = 0; j < q; ++j) {
      r[j] = cb_pearson_strided(Yhat + j, q, Yte + j, q, nte);
      if (isnan(r[j])) nan_seen[j] = 1;
    }
    res->per_split[k] = cb_median_skipnan(r, q, NULL);
  }
  double mean = 0.0, var = 0.0;
  const int ns = res->n_splits;
  for (int k = 0; k < ns; ++k) mean += res->per_split[k];
  mean /= ns;
  for (int k = 0; k < ns; ++k) var += (res->per_split[k] - mean) * (res->per_split[k] - mean);
  var /= ns;
  res->raw = mean;
  res->error = sqrt(var) / sqrt((double)ns);
  for (int j = 0; j < q; ++j) res->n_nan_neuroids += nan_seen[j];
  *out = *res;

done:
  cb_pls_destroy(&m);
  free(res);
  free(nan_seen);
  free(r);
  free(Yhat);
  free(Yte);
  free(Xte);
  free(Ytr);
  free(Xtr);
  return st;
}

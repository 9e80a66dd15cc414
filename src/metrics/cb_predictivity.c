/* cb_predictivity.c - cross-validated regression predictivity (Brain-Score neural predictivity) and ceiling
 * normalisation. */
#include "cb_predictivity.h"

#include "cb_signal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cb_corr.h"
#include "cb_pls.h"
#include "cb_regress.h"
#include "cb_ridge.h"

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
  double v = NAN;
  switch (mode) {
  case CB_NORM_R2_OVER_C: v = raw * raw / ceiling; break;
  case CB_NORM_R_OVER_C_SQUARED: v = (raw / ceiling) * (raw / ceiling); break;
  case CB_NORM_R_OVER_C: v = raw / ceiling; break;
  }
  /* The ceiled score keeps the sign of the raw value: squaring (r^2/c, (r/c)^2) or a negative ceiling would
   * otherwise turn a model that anti-predicts into a positive score. */
  if (isnan(v) || raw == 0) return v;
  return raw < 0 ? -fabs(v) : fabs(v);
}

static const char *const kind_names[] = {"pls", "ridge", "ridgecv", "linear", "neuron2neuron"};

const char *cb_regress_kind_name(cb_regress_kind k) {
  return ((int)k >= 0 && (int)k < 5) ? kind_names[k] : "?";
}

cb_status cb_regress_kind_parse(const char *s, cb_regress_kind *out) {
  if (s == NULL || out == NULL) return CB_ERROR(CB_ERR_ARG, "regression: NULL argument");
  for (int i = 0; i < 5; ++i)
    if (strcmp(s, kind_names[i]) == 0) {
      *out = (cb_regress_kind)i;
      return CB_OK;
    }
  return CB_ERROR(CB_ERR_ARG, "regression: unknown kind '%s' (expected pls, ridge, ridgecv, linear or neuron2neuron)",
                  s);
}

void cb_regress_opts_default(cb_regress_kind kind, cb_regress_opts *o) {
  memset(o, 0, sizeof *o);
  o->kind = kind;
  o->form = CB_FORM_AUTO;
  o->n_components = 25;
  o->max_iter = 500;
  o->tol = 1e-6;
  o->alpha = 1.0;
  o->alphas = NULL;
  o->n_alphas = 0;
  o->alpha_per_target = 0;
}

/* Rows idx (cnt) of float X (n, p) into double D (cnt, p); rows of Y (n, q) restricted to the qv columns
 * cols (qv) into Yd (cnt, qv). */
static void gather_rows(const float *X, int p, const double *Y, int q, const int *cols, int qv, const int *idx,
                        int cnt, double *D, double *Yd) {
  for (int i = 0; i < cnt; ++i) {
    if (D) {
      const float *xs = X + (size_t)idx[i] * p;
      double *xd = D + (size_t)i * p;
      for (int j = 0; j < p; ++j) xd[j] = xs[j];
    }
    const double *ys = Y + (size_t)idx[i] * q;
    double *yd = Yd + (size_t)i * qv;
    for (int j = 0; j < qv; ++j) yd[j] = ys[cols[j]];
  }
}


/* 1 when column j of Y (n rows, row stride ld) holds one value (exact test). */
static int column_constant(const double *y, int ld, int n) {
  for (int i = 1; i < n; ++i)
    if (y[(size_t)i * ld] != y[0]) return 0;
  return 1;
}

/* raw = mean of the defined split medians, error = their std (ddof 0) / sqrt(count); NaN only when none is. */
static void split_mean(cb_cv_result *res) {
  double mean = 0.0, var = 0.0;
  int m = 0;
  for (int k = 0; k < res->n_splits; ++k)
    if (!isnan(res->per_split[k])) {
      mean += res->per_split[k];
      ++m;
    }
  res->n_skipped_splits = res->n_splits - m;
  if (m == 0) {
    res->raw = res->error = NAN;
    return;
  }
  mean /= m;
  for (int k = 0; k < res->n_splits; ++k)
    if (!isnan(res->per_split[k])) var += (res->per_split[k] - mean) * (res->per_split[k] - mean);
  res->raw = mean;
  res->error = sqrt(var / m) / sqrt((double)m);
}

cb_status cb_cv_regress(const float *X, int n, int p, const double *Y, int q, const cb_splits *splits,
                        const cb_regress_opts *opts, cb_kernel *kernel, cb_cv_result *out) {
  if (Y == NULL || splits == NULL || opts == NULL || out == NULL || (X == NULL && kernel == NULL))
    return CB_ERROR(CB_ERR_ARG, "CV: NULL argument");
  if (splits->n != n)
    return CB_ERROR(CB_ERR_ARG, "CV: splits were made for %d stimuli but X has %d rows", splits->n, n);
  if (splits->n_splits < 1 || splits->n_splits > CB_MAX_SPLITS)
    return CB_ERROR(CB_ERR_ARG, "CV: number of splits %d not in [1, %d]", splits->n_splits, CB_MAX_SPLITS);
  if (p < 1 || q < 1) return CB_ERROR(CB_ERR_ARG, "CV: empty X (%d features) or Y (%d neuroids)", p, q);
  if ((int)opts->kind < 0 || (int)opts->kind > CB_REG_NEURON2NEURON)
    return CB_ERROR(CB_ERR_ARG, "CV: unknown regression kind %d", (int)opts->kind);
  if (kernel != NULL && (cb_kernel_n(kernel) != n || cb_kernel_p(kernel) != p))
    return CB_ERROR(CB_ERR_ARG, "CV: kernel was made for %d stimuli x %d features, X is %d x %d",
                    cb_kernel_n(kernel), cb_kernel_p(kernel), n, p);
  for (int k = 0; k < splits->n_splits; ++k) {
    int ntr = splits->train_size ? splits->train_size[k] : splits->n_train;
    int nte = splits->test_size ? splits->test_size[k] : splits->n_test;
    if (nte < 2 || ntr < 2)
      return CB_ERROR(CB_ERR_NUMERIC, "CV: split %d has %d train / %d test stimuli; at least 2 of each are needed "
                      "(fewer stimuli than splits?)", k, ntr, nte);
    const int *tr = splits->train + (size_t)k * splits->n_train, *te = splits->test + (size_t)k * splits->n_test;
    for (int i = 0; i < ntr; ++i)
      if (tr[i] < 0 || tr[i] >= n) return CB_ERROR(CB_ERR_ARG, "CV: split %d has train index %d outside [0, %d)", k, tr[i], n);
    for (int i = 0; i < nte; ++i)
      if (te[i] < 0 || te[i] >= n) return CB_ERROR(CB_ERR_ARG, "CV: split %d has test index %d outside [0, %d)", k, te[i], n);
  }

  const cb_regress_kind kind = opts->kind;
  int use_kernel = 0;
  if (kind == CB_REG_RIDGE || kind == CB_REG_RIDGECV) {
    if (opts->form == CB_FORM_PRIMAL) return CB_ERROR(CB_ERR_UNSUPPORTED, "CV: ridge is only implemented in kernel form");
    use_kernel = 1;
  } else if (kind == CB_REG_PLS) {
    if (opts->n_components < 1) return CB_ERROR(CB_ERR_ARG, "CV: PLS needs n_components >= 1, got %d", opts->n_components);
    use_kernel = opts->form == CB_FORM_KERNEL || (opts->form == CB_FORM_AUTO && p > splits->n_train);
  } else if (opts->form == CB_FORM_KERNEL) {
    return CB_ERROR(CB_ERR_UNSUPPORTED, "CV: %s has no kernel form", cb_regress_kind_name(kind));
  }
  if (!use_kernel && X == NULL) return CB_ERROR(CB_ERR_ARG, "CV: the primal form needs X");

  double alpha_grid[CB_BRAINSCORE_N_ALPHAS];
  const double *alphas = &opts->alpha;
  int n_alphas = 1;
  if (kind == CB_REG_RIDGECV) {
    if (opts->alphas != NULL) {
      if (opts->n_alphas < 1) return CB_ERROR(CB_ERR_ARG, "CV: empty alpha list");
      alphas = opts->alphas;
      n_alphas = opts->n_alphas;
    } else {
      cb_brainscore_alphas(alpha_grid);
      alphas = alpha_grid;
      n_alphas = CB_BRAINSCORE_N_ALPHAS;
    }
  }

  cb_status st = CB_OK;
  int cur_split = 0;
  cb_kernel *own = NULL;
  cb_ridge_ws *rws = NULL; /* ridge: the eigendecomposition's matrices, shared by the splits */
  cb_pls *m = NULL;
  const int ntr_max = splits->n_train, nte_max = splits->n_test;
  double *Xtr = NULL, *Xte = NULL, *Yv = NULL, *Yall = NULL;
  cb_kernel_split *jobs = NULL;
  int *order = NULL;
  int *cols = malloc(sizeof *cols * (size_t)q); /* (qv) neuroids without NaN, the ones that are fitted */
  const int batched = use_kernel && kind == CB_REG_PLS;
  double *Ytr = malloc(sizeof *Ytr * (size_t)(batched ? 1 : ntr_max) * q); /* (n_train, q) */
  double *Yte = malloc(sizeof *Yte * (size_t)nte_max * q);   /* (n_test, q) actual */
  double *Yhat = malloc(sizeof *Yhat * (size_t)nte_max * q); /* (n_test, q) predicted */
  double *r = malloc(sizeof *r * (size_t)q);                 /* (q) per-neuroid r */
  unsigned char *nan_seen = calloc((size_t)2 * q, 1);        /* (2, q): response constant, prediction constant */
  cb_cv_result *res = calloc(1, sizeof *res);
  CB_ALLOC_GOTO(cols, st, done);
  CB_ALLOC_GOTO(Ytr, st, done);
  CB_ALLOC_GOTO(Yte, st, done);
  CB_ALLOC_GOTO(Yhat, st, done);
  CB_ALLOC_GOTO(r, st, done);
  CB_ALLOC_GOTO(nan_seen, st, done);
  CB_ALLOC_GOTO(res, st, done);
  unsigned char *pred_const = nan_seen + q;
  if (use_kernel) {
    if (kernel == NULL) {
      CB_CHECK_GOTO(cb_kernel_create(X, n, p, &own), st, done);
      kernel = own;
    }
    order = malloc(sizeof *order * (size_t)(ntr_max + nte_max));
    CB_ALLOC_GOTO(order, st, done);
  } else {
    Xtr = malloc(sizeof *Xtr * (size_t)ntr_max * p); /* (n_train, p) workspace, deflated by the PLS fit */
    Xte = malloc(sizeof *Xte * (size_t)nte_max * p); /* (n_test, p) */
    CB_ALLOC_GOTO(Xtr, st, done);
    CB_ALLOC_GOTO(Xte, st, done);
  }

  int qv = 0;
  for (int j = 0; j < q; ++j) {
    int ok = 1;
    for (int i = 0; i < n && ok; ++i) ok = isfinite(Y[(size_t)i * q + j]);
    if (ok) cols[qv++] = j;
  }
  if (qv == 0) {
    st = CB_ERROR(CB_ERR_NUMERIC, "CV: every one of the %d neuroids has a non-finite response", q);
    goto done;
  }
  res->n_splits = splits->n_splits;
  res->kernel_form = use_kernel;
  if (batched) {
    /* every split in one batched kernel PLS on the kernel in its original order */
    const int ns = splits->n_splits;
    const int *ord = cb_kernel_order(kernel);
    int identity = 1;
    for (int i = 0; i < n && identity; ++i) identity = ord[i] == i;
    if (!identity) CB_CHECK_GOTO(cb_kernel_arrange(kernel, NULL, 0), st, done);
    jobs = calloc((size_t)ns, sizeof *jobs);
    Yv = malloc(sizeof *Yv * (size_t)n * qv);
    Yall = malloc(sizeof *Yall * (size_t)ns * nte_max * qv);
    CB_ALLOC_GOTO(jobs, st, done);
    CB_ALLOC_GOTO(Yv, st, done);
    CB_ALLOC_GOTO(Yall, st, done);
    for (int i = 0; i < n; ++i)
      for (int j = 0; j < qv; ++j) Yv[(size_t)i * qv + j] = Y[(size_t)i * q + cols[j]];
    for (int k = 0; k < ns; ++k) {
      jobs[k].train = splits->train + (size_t)k * ntr_max;
      jobs[k].n_train = splits->train_size ? splits->train_size[k] : ntr_max;
      jobs[k].test = splits->test + (size_t)k * nte_max;
      jobs[k].n_test = splits->test_size ? splits->test_size[k] : nte_max;
      jobs[k].Yhat = Yall + (size_t)k * nte_max * qv;
    }
    st = cb_pls_kernel_multi(cb_kernel_data(kernel), n, n, n, Yv, qv, opts->n_components, jobs, ns);
    if (st != CB_OK) {
      cb_error_prefix("CV %s", cb_regress_kind_name(kind));
      goto done;
    }
  }
  for (int k = 0; k < splits->n_splits; ++k) {
    cur_split = k;
    if (cb_signal_pending()) { /* abandon: the caller commits nothing of this task */
      st = CB_ERROR(CB_ERR_INTERRUPTED, "stopped by signal %d", cb_signal_pending());
      goto fail;
    }
    const int ntr = splits->train_size ? splits->train_size[k] : ntr_max;
    const int nte = splits->test_size ? splits->test_size[k] : nte_max;
    const int *tr = splits->train + (size_t)k * ntr_max, *te = splits->test + (size_t)k * nte_max;
    gather_rows(X, p, Y, q, cols, qv, te, nte, use_kernel ? NULL : Xte, Yte);
    if (jobs) {
      memcpy(Yhat, jobs[k].Yhat, sizeof *Yhat * (size_t)nte * qv);
    } else if (use_kernel) {
      gather_rows(X, p, Y, q, cols, qv, tr, ntr, NULL, Ytr);
      memcpy(order, tr, sizeof *order * (size_t)ntr);
      memcpy(order + ntr, te, sizeof *order * (size_t)nte);
      CB_CHECK_GOTO(cb_kernel_arrange(kernel, order, ntr + nte), st, fail);
      const double *K = cb_kernel_data(kernel);
      if (!rws) CB_CHECK_GOTO(cb_ridge_ws_create(&rws), st, fail);
      CB_CHECK_GOTO(cb_ridge_kernel_fit_predict_ws(rws, K, n, ntr, nte, Ytr, qv, alphas, n_alphas,
                                                     opts->alpha_per_target, Yhat, NULL, NULL),
                      st, fail);
    } else if (kind == CB_REG_PLS) {
      gather_rows(X, p, Y, q, cols, qv, tr, ntr, Xtr, Ytr);
      int ncomp = opts->n_components < p ? opts->n_components : p;
      CB_CHECK_GOTO(cb_pls_fit_inplace(Xtr, Ytr, ntr, p, qv, ncomp, opts->max_iter, opts->tol, &m), st, fail);
      CB_CHECK_GOTO(cb_pls_predict(m, Xte, nte, Yhat), st, fail);
      cb_pls_destroy(&m);
    } else if (kind == CB_REG_LINEAR) {
      gather_rows(X, p, Y, q, cols, qv, tr, ntr, Xtr, Ytr);
      CB_CHECK_GOTO(cb_ols_fit_predict(Xtr, ntr, p, Ytr, qv, Xte, nte, Yhat, NULL), st, fail);
    } else {
      gather_rows(X, p, Y, q, cols, qv, tr, ntr, Xtr, Ytr);
      CB_CHECK_GOTO(cb_n2n_fit_predict(Xtr, ntr, p, Ytr, qv, Xte, nte, Yhat, NULL), st, fail);
    }
    if (opts->predictions) {
      double *P = opts->predictions + (size_t)k * nte_max * q; /* (nte, q) */
      for (int i = 0; i < nte; ++i) {
        for (int j = 0; j < q; ++j) P[(size_t)i * q + j] = NAN;
        for (int j = 0; j < qv; ++j) P[(size_t)i * q + cols[j]] = Yhat[(size_t)i * qv + j];
      }
    }
    for (int j = 0; j < q; ++j) r[j] = NAN;
    for (int j = 0; j < qv; ++j) {
      r[cols[j]] = cb_pearson_strided(Yhat + j, qv, Yte + j, qv, nte);
      if (isnan(r[cols[j]]) && !column_constant(Yte + j, qv, nte)) { /* the prediction is constant */
        r[cols[j]] = 0.0;
        pred_const[cols[j]] = 1;
      }
    }
    for (int j = 0; j < q; ++j)
      if (isnan(r[j])) nan_seen[j] = 1;
    if (opts->neuroid_r) memcpy(opts->neuroid_r + (size_t)k * q, r, sizeof *r * (size_t)q);
    res->per_split[k] = cb_median_skipnan(r, q, &res->n_nan_split[k]);
  }
  split_mean(res);
  for (int j = 0; j < q; ++j) {
    res->n_nan_neuroids += nan_seen[j];
    res->n_const_pred += pred_const[j];
  }
  *out = *res;
  goto done;

fail:
  cb_error_prefix("CV %s, split %d", cb_regress_kind_name(kind), cur_split);
done:
  cb_pls_destroy(&m);
  cb_ridge_ws_destroy(&rws);
  cb_kernel_destroy(&own);
  free(jobs);
  free(Yall);
  free(Yv);
  free(order);
  free(cols);
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

cb_status cb_pls_cv(const float *X, int n, int p, const double *Y, int q, const cb_splits *splits,
                    int n_components, cb_cv_result *out) {
  if (X == NULL) return CB_ERROR(CB_ERR_ARG, "PLS CV: NULL argument");
  cb_regress_opts o;
  cb_regress_opts_default(CB_REG_PLS, &o);
  o.n_components = n_components;
  return cb_cv_regress(X, n, p, Y, q, splits, &o, NULL, out);
}

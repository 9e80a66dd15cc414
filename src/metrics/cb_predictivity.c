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

/* Checks the arguments of cb_cv_regress and every split's sizes and indices (the first error wins). */
static cb_status cv_check_args(const float *X, int n, int p, const double *Y, int q, const cb_splits *splits,
                               const cb_regress_opts *opts, const cb_kernel *kernel, const cb_cv_result *out) {
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
  return CB_OK;
}

/* One cross-validated regression: the problem, the form chosen and every workspace (shapes in the comments). */
typedef struct cv_run {
  const float *X;          /* (n, p), NULL in kernel form when a kernel is given */
  const double *Y;         /* (n, q) */
  int n, p, q;
  const cb_splits *splits;
  const cb_regress_opts *opts;
  cb_regress_kind kind;
  int use_kernel;          /* fit in kernel form */
  int batched;             /* kernel PLS: every split in one cb_pls_kernel_multi */
  double alpha_grid[CB_BRAINSCORE_N_ALPHAS];
  const double *alphas;    /* (n_alphas) */
  int n_alphas;
  int ntr_max, nte_max;
  cb_kernel *kernel;       /* the caller's or own */
  cb_kernel *own;
  cb_ridge_ws *rws;        /* ridge: the eigendecomposition's matrices, shared by the splits */
  cb_pls *m;
  int *cols;               /* (qv) neuroids without NaN, the ones that are fitted */
  int qv;
  double *Xtr;             /* (n_train, p) workspace, deflated by the PLS fit (primal form) */
  double *Xte;             /* (n_test, p) (primal form) */
  double *Ytr;             /* (n_train, q), one element when batched */
  double *Yte;             /* (n_test, q) actual */
  double *Yhat;            /* (n_test, q) predicted */
  double *r;               /* (q) per-neuroid r */
  unsigned char *nan_seen; /* (2, q): response constant, prediction constant */
  unsigned char *pred_const; /* nan_seen + q */
  int *order;              /* (n_train + n_test) kernel rows of one split (kernel form) */
  cb_kernel_split *jobs;   /* (n_splits) batched */
  double *Yv;              /* (n, qv) batched */
  double *Yall;            /* (n_splits, n_test, qv) batched predictions */
  cb_cv_result *res;
} cv_run;

/* Chooses the kernel or primal form and the alpha grid (errors for a form or option the kind does not have). */
static cb_status cv_choose_form(cv_run *c) {
  const cb_regress_opts *opts = c->opts;
  const cb_regress_kind kind = c->kind;
  if (kind == CB_REG_RIDGE || kind == CB_REG_RIDGECV) {
    if (opts->form == CB_FORM_PRIMAL) return CB_ERROR(CB_ERR_UNSUPPORTED, "CV: ridge is only implemented in kernel form");
    c->use_kernel = 1;
  } else if (kind == CB_REG_PLS) {
    if (opts->n_components < 1) return CB_ERROR(CB_ERR_ARG, "CV: PLS needs n_components >= 1, got %d", opts->n_components);
    c->use_kernel = opts->form == CB_FORM_KERNEL || (opts->form == CB_FORM_AUTO && c->p > c->splits->n_train);
  } else if (opts->form == CB_FORM_KERNEL) {
    return CB_ERROR(CB_ERR_UNSUPPORTED, "CV: %s has no kernel form", cb_regress_kind_name(kind));
  }
  if (!c->use_kernel && c->X == NULL) return CB_ERROR(CB_ERR_ARG, "CV: the primal form needs X");

  c->alphas = &opts->alpha;
  c->n_alphas = 1;
  if (kind == CB_REG_RIDGECV) {
    if (opts->alphas != NULL) {
      if (opts->n_alphas < 1) return CB_ERROR(CB_ERR_ARG, "CV: empty alpha list");
      c->alphas = opts->alphas;
      c->n_alphas = opts->n_alphas;
    } else {
      cb_brainscore_alphas(c->alpha_grid);
      c->alphas = c->alpha_grid;
      c->n_alphas = CB_BRAINSCORE_N_ALPHAS;
    }
  }
  return CB_OK;
}

/* The workspaces of the chosen form (the kernel made from X when the caller gave none). */
static cb_status cv_alloc(cv_run *c) {
  const int q = c->q, p = c->p, ntr_max = c->ntr_max, nte_max = c->nte_max;
  c->batched = c->use_kernel && c->kind == CB_REG_PLS;
  c->cols = malloc(sizeof *c->cols * (size_t)q);
  c->Ytr = malloc(sizeof *c->Ytr * (size_t)(c->batched ? 1 : ntr_max) * q);
  c->Yte = malloc(sizeof *c->Yte * (size_t)nte_max * q);
  c->Yhat = malloc(sizeof *c->Yhat * (size_t)nte_max * q);
  c->r = malloc(sizeof *c->r * (size_t)q);
  c->nan_seen = calloc((size_t)2 * q, 1);
  c->res = calloc(1, sizeof *c->res);
  if (c->cols == NULL || c->Ytr == NULL || c->Yte == NULL || c->Yhat == NULL || c->r == NULL ||
      c->nan_seen == NULL || c->res == NULL)
    return CB_ERROR(CB_ERR_NOMEM, "out of memory");
  c->pred_const = c->nan_seen + q;
  if (c->use_kernel) {
    if (c->kernel == NULL) {
      CB_CHECK(cb_kernel_create(c->X, c->n, p, &c->own));
      c->kernel = c->own;
    }
    c->order = malloc(sizeof *c->order * (size_t)(ntr_max + nte_max));
    if (c->order == NULL) return CB_ERROR(CB_ERR_NOMEM, "out of memory");
  } else {
    c->Xtr = malloc(sizeof *c->Xtr * (size_t)ntr_max * p);
    c->Xte = malloc(sizeof *c->Xte * (size_t)nte_max * p);
    if (c->Xtr == NULL || c->Xte == NULL) return CB_ERROR(CB_ERR_NOMEM, "out of memory");
  }
  return CB_OK;
}

static void cv_free(cv_run *c) {
  cb_pls_destroy(&c->m);
  cb_ridge_ws_destroy(&c->rws);
  cb_kernel_destroy(&c->own);
  free(c->jobs);
  free(c->Yall);
  free(c->Yv);
  free(c->order);
  free(c->cols);
  free(c->res);
  free(c->nan_seen);
  free(c->r);
  free(c->Yhat);
  free(c->Yte);
  free(c->Xte);
  free(c->Ytr);
  free(c->Xtr);
}

/* The neuroids whose responses are all finite into c->cols (c->qv of them). */
static cb_status cv_finite_columns(cv_run *c) {
  const int n = c->n, q = c->q;
  c->qv = 0;
  for (int j = 0; j < q; ++j) {
    int ok = 1;
    for (int i = 0; i < n && ok; ++i) ok = isfinite(c->Y[(size_t)i * q + j]);
    if (ok) c->cols[c->qv++] = j;
  }
  if (c->qv == 0) return CB_ERROR(CB_ERR_NUMERIC, "CV: every one of the %d neuroids has a non-finite response", q);
  return CB_OK;
}

/* Every split in one batched kernel PLS on the kernel in its original order; predictions in c->jobs[k].Yhat. */
static cb_status cv_batched_pls(cv_run *c) {
  const int ns = c->splits->n_splits, n = c->n, q = c->q, qv = c->qv;
  const int ntr_max = c->ntr_max, nte_max = c->nte_max;
  const int *ord = cb_kernel_order(c->kernel);
  int identity = 1;
  for (int i = 0; i < n && identity; ++i) identity = ord[i] == i;
  if (!identity) CB_CHECK(cb_kernel_arrange(c->kernel, NULL, 0));
  c->jobs = calloc((size_t)ns, sizeof *c->jobs);
  c->Yv = malloc(sizeof *c->Yv * (size_t)n * qv);
  c->Yall = malloc(sizeof *c->Yall * (size_t)ns * nte_max * qv);
  if (c->jobs == NULL || c->Yv == NULL || c->Yall == NULL) return CB_ERROR(CB_ERR_NOMEM, "out of memory");
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < qv; ++j) c->Yv[(size_t)i * qv + j] = c->Y[(size_t)i * q + c->cols[j]];
  for (int k = 0; k < ns; ++k) {
    cb_kernel_split *jb = &c->jobs[k];
    jb->train = c->splits->train + (size_t)k * ntr_max;
    jb->n_train = c->splits->train_size ? c->splits->train_size[k] : ntr_max;
    jb->test = c->splits->test + (size_t)k * nte_max;
    jb->n_test = c->splits->test_size ? c->splits->test_size[k] : nte_max;
    jb->Yhat = c->Yall + (size_t)k * nte_max * qv;
  }
  cb_status st = cb_pls_kernel_multi(cb_kernel_data(c->kernel), n, n, n, c->Yv, qv, c->opts->n_components, c->jobs, ns);
  if (st != CB_OK) cb_error_prefix("CV %s", cb_regress_kind_name(c->kind));
  return st;
}

/* Split k's test responses into c->Yte and its predictions into c->Yhat (fitted here unless batched). */
static cb_status cv_fit_split(cv_run *c, int k) {
  const cb_splits *splits = c->splits;
  const cb_regress_opts *opts = c->opts;
  const float *X = c->X;
  const double *Y = c->Y;
  const int n = c->n, p = c->p, q = c->q, qv = c->qv, *cols = c->cols;
  const int ntr = splits->train_size ? splits->train_size[k] : c->ntr_max;
  const int nte = splits->test_size ? splits->test_size[k] : c->nte_max;
  const int *tr = splits->train + (size_t)k * c->ntr_max, *te = splits->test + (size_t)k * c->nte_max;
  gather_rows(X, p, Y, q, cols, qv, te, nte, c->use_kernel ? NULL : c->Xte, c->Yte);
  if (c->jobs) {
    memcpy(c->Yhat, c->jobs[k].Yhat, sizeof *c->Yhat * (size_t)nte * qv);
  } else if (c->use_kernel) {
    gather_rows(X, p, Y, q, cols, qv, tr, ntr, NULL, c->Ytr);
    memcpy(c->order, tr, sizeof *c->order * (size_t)ntr);
    memcpy(c->order + ntr, te, sizeof *c->order * (size_t)nte);
    CB_CHECK(cb_kernel_arrange(c->kernel, c->order, ntr + nte));
    const double *K = cb_kernel_data(c->kernel);
    if (!c->rws) CB_CHECK(cb_ridge_ws_create(&c->rws));
    CB_CHECK(cb_ridge_kernel_fit_predict_ws(c->rws, K, n, ntr, nte, c->Ytr, qv, c->alphas, c->n_alphas,
                                            opts->alpha_per_target, c->Yhat, NULL, NULL));
  } else if (c->kind == CB_REG_PLS) {
    gather_rows(X, p, Y, q, cols, qv, tr, ntr, c->Xtr, c->Ytr);
    int ncomp = opts->n_components < p ? opts->n_components : p;
    CB_CHECK(cb_pls_fit_inplace(c->Xtr, c->Ytr, ntr, p, qv, ncomp, opts->max_iter, opts->tol, &c->m));
    CB_CHECK(cb_pls_predict(c->m, c->Xte, nte, c->Yhat));
    cb_pls_destroy(&c->m);
  } else if (c->kind == CB_REG_LINEAR) {
    gather_rows(X, p, Y, q, cols, qv, tr, ntr, c->Xtr, c->Ytr);
    CB_CHECK(cb_ols_fit_predict(c->Xtr, ntr, p, c->Ytr, qv, c->Xte, nte, c->Yhat, NULL));
  } else {
    gather_rows(X, p, Y, q, cols, qv, tr, ntr, c->Xtr, c->Ytr);
    CB_CHECK(cb_n2n_fit_predict(c->Xtr, ntr, p, c->Ytr, qv, c->Xte, nte, c->Yhat, NULL));
  }
  return CB_OK;
}

/* Split k's per-neuroid r (a constant prediction of a varying response scores 0), the optional copies of the
 * predictions and r, and the split's median. */
static void cv_score_split(cv_run *c, int k) {
  const cb_regress_opts *opts = c->opts;
  const int q = c->q, qv = c->qv, *cols = c->cols;
  const int nte = c->splits->test_size ? c->splits->test_size[k] : c->nte_max;
  const double *Yhat = c->Yhat, *Yte = c->Yte;
  double *r = c->r;
  if (opts->predictions) {
    double *P = opts->predictions + (size_t)k * c->nte_max * q; /* (nte, q) */
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
      c->pred_const[cols[j]] = 1;
    }
  }
  for (int j = 0; j < q; ++j)
    if (isnan(r[j])) c->nan_seen[j] = 1;
  if (opts->neuroid_r) memcpy(opts->neuroid_r + (size_t)k * q, r, sizeof *r * (size_t)q);
  c->res->per_split[k] = cb_median_skipnan(r, q, &c->res->n_nan_split[k]);
}

cb_status cb_cv_regress(const float *X, int n, int p, const double *Y, int q, const cb_splits *splits,
                        const cb_regress_opts *opts, cb_kernel *kernel, cb_cv_result *out) {
  CB_CHECK(cv_check_args(X, n, p, Y, q, splits, opts, kernel, out));
  cv_run c = {0};
  c.X = X;
  c.Y = Y;
  c.n = n;
  c.p = p;
  c.q = q;
  c.splits = splits;
  c.opts = opts;
  c.kind = opts->kind;
  c.kernel = kernel;
  c.ntr_max = splits->n_train;
  c.nte_max = splits->n_test;
  CB_CHECK(cv_choose_form(&c));

  cb_status st = CB_OK;
  int k = 0;
  CB_CHECK_GOTO(cv_alloc(&c), st, done);
  CB_CHECK_GOTO(cv_finite_columns(&c), st, done);
  c.res->n_splits = splits->n_splits;
  c.res->kernel_form = c.use_kernel;
  if (c.batched) CB_CHECK_GOTO(cv_batched_pls(&c), st, done);
  for (k = 0; k < splits->n_splits; ++k) {
    if (cb_signal_pending()) { /* abandon: the caller commits nothing of this task */
      st = CB_ERROR(CB_ERR_INTERRUPTED, "stopped by signal %d", cb_signal_pending());
      goto fail;
    }
    CB_CHECK_GOTO(cv_fit_split(&c, k), st, fail);
    cv_score_split(&c, k);
  }
  split_mean(c.res);
  for (int j = 0; j < q; ++j) {
    c.res->n_nan_neuroids += c.nan_seen[j];
    c.res->n_const_pred += c.pred_const[j];
  }
  *out = *c.res;
  goto done;

fail:
  cb_error_prefix("CV %s, split %d", cb_regress_kind_name(c.kind), k);
done:
  cv_free(&c);
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

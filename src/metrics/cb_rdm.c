/* cb_rdm.c - RDMs via blocked Gram matrices (dsyrk), comparisons on upper triangles. */
#include "cb_rdm.h"

#include <cblas.h>
#include <math.h>
#include <stdlib.h>

#include "cb_corr.h"
#include "cb_rank.h"

#define BLOCK_COLS 256

const char *cb_rdm_distance_name(cb_rdm_distance d) {
  switch (d) {
  case CB_RDM_CORRELATION: return "correlation";
  case CB_RDM_EUCLIDEAN: return "euclidean";
  case CB_RDM_COSINE: return "cosine";
  }
  return "?";
}

const char *cb_rdm_compare_name(cb_rdm_compare_kind k) {
  switch (k) {
  case CB_RDM_CMP_SPEARMAN: return "spearman";
  case CB_RDM_CMP_KENDALL_TAU_A: return "kendall_tau_a";
  case CB_RDM_CMP_PEARSON: return "pearson";
  case CB_RDM_CMP_COSINE: return "cosine";
  }
  return "?";
}

/* X given as double or float, element (i, j) read as double */
typedef struct src {
  const double *xd; /* (n, p) or NULL */
  const float *xf;  /* (n, p) or NULL */
  int n, p;
} src;

static inline double at(const src *s, size_t i, size_t j) {
  size_t k = i * (size_t)s->p + j;
  return s->xd ? s->xd[k] : (double)s->xf[k];
}

/* G (n, n, upper triangle) = (X - shift) (X - shift)^T with shift = row_shift[i] + col_shift[j]. */
static cb_status shifted_gram(const src *s, const double *row_shift /* (n) or NULL */,
                              const double *col_shift /* (p) or NULL */, double *G /* (n, n) */) {
  int n = s->n, p = s->p, w = p < BLOCK_COLS ? p : BLOCK_COLS;
  double *blk = malloc(sizeof *blk * (size_t)n * w);
  if (blk == NULL) return CB_ERROR(CB_ERR_NOMEM, "out of memory for a %d x %d Gram block", n, w);
  for (int c0 = 0; c0 < p; c0 += BLOCK_COLS) {
    int wc = p - c0 < BLOCK_COLS ? p - c0 : BLOCK_COLS;
    for (int i = 0; i < n; ++i)
      for (int j = 0; j < wc; ++j)
        blk[(size_t)i * wc + j] = at(s, i, c0 + j) - (row_shift ? row_shift[i] : 0.0) - (col_shift ? col_shift[c0 + j] : 0.0);
    cblas_dsyrk(CblasRowMajor, CblasUpper, CblasNoTrans, n, wc, 1.0, blk, wc, c0 == 0 ? 0.0 : 1.0, G, n);
  }
  free(blk);
  return CB_OK;
}

/* Rows whose distance is undefined: constant (correlation) or all zero (cosine), exact test; an error at the first
 * non-finite value. bad: (n). */
static cb_status find_bad_rows(const src *s, cb_rdm_distance d, unsigned char *bad) {
  for (int i = 0; i < s->n; ++i) {
    int constant = 1, zero = 1;
    double x0 = at(s, i, 0);
    for (int j = 0; j < s->p; ++j) {
      double x = at(s, i, j);
      if (!isfinite(x)) return CB_ERROR(CB_ERR_NUMERIC, "cb_rdm_compute: X[%d,%d] is not finite", i, j);
      constant &= (x == x0);
      zero &= (x == 0.0);
    }
    bad[i] = (d == CB_RDM_CORRELATION && constant) || (d == CB_RDM_COSINE && zero);
  }
  return CB_OK;
}

/* D (n, n) = the Gram matrix of the rows, centred as distance d needs: row means removed (correlation), column means
 * removed (euclidean: distances unchanged, less cancellation in g_ii + g_jj - 2 g_ij), none (cosine). */
static cb_status centred_gram(const src *s, cb_rdm_distance d, double *D) {
  const int n = s->n, p = s->p;
  cb_status st = CB_OK;
  double *shift = NULL; /* (n) row means or (p) column means */
  if (d == CB_RDM_CORRELATION) {
    shift = calloc((size_t)n, sizeof *shift);
    CB_ALLOC_GOTO(shift, st, cleanup);
    for (int i = 0; i < n; ++i) {
      for (int j = 0; j < p; ++j) shift[i] += at(s, i, j);
      shift[i] /= p;
    }
    st = shifted_gram(s, shift, NULL, D);
  } else if (d == CB_RDM_EUCLIDEAN) {
    shift = calloc((size_t)p, sizeof *shift);
    CB_ALLOC_GOTO(shift, st, cleanup);
    for (int i = 0; i < n; ++i)
      for (int j = 0; j < p; ++j) shift[j] += at(s, i, j);
    for (int j = 0; j < p; ++j) shift[j] /= n;
    st = shifted_gram(s, NULL, shift, D);
  } else {
    st = shifted_gram(s, NULL, NULL, D);
  }
cleanup:
  free(shift);
  return st;
}

/* The Gram matrix G in D (n, n) into distances: from the upper triangle (G's diagonal: squared norms), mirrored,
 * zero diagonal. */
static void gram_to_distances(int n, cb_rdm_distance d, double *D) {
  for (int i = 0; i < n; ++i) {
    double gii = D[(size_t)i * n + i];
    for (int j = i + 1; j < n; ++j) {
      double gjj = D[(size_t)j * n + j], gij = D[(size_t)i * n + j], v;
      if (d == CB_RDM_EUCLIDEAN) {
        double q = gii + gjj - 2.0 * gij;
        v = sqrt(q > 0.0 ? q : 0.0);
      } else if (gii > 0.0 && gjj > 0.0) {
        double r = gij / sqrt(gii * gjj);
        v = 1.0 - (r > 1.0 ? 1.0 : r < -1.0 ? -1.0 : r);
      } else {
        v = NAN;
      }
      D[(size_t)i * n + j] = v;
    }
  }
  for (int i = 0; i < n; ++i) {
    D[(size_t)i * n + i] = 0.0;
    for (int j = 0; j < i; ++j) D[(size_t)i * n + j] = D[(size_t)j * n + i];
  }
}

static cb_status rdm_compute(const src *s, cb_rdm_distance d, double *D, int *n_undefined) {
  int n = s->n, p = s->p;
  if (n < 2 || p < 1) return CB_ERROR(CB_ERR_ARG, "cb_rdm_compute: needs n >= 2 stimuli and p >= 1 features (got %d, %d)", n, p);
  if (d != CB_RDM_CORRELATION && d != CB_RDM_EUCLIDEAN && d != CB_RDM_COSINE)
    return CB_ERROR(CB_ERR_ARG, "cb_rdm_compute: unknown distance %d", (int)d);
  cb_status st = CB_OK;
  int n_bad = 0, first_bad = -1;
  unsigned char *bad = calloc((size_t)n, 1); /* (n) rows whose distances are undefined */
  CB_ALLOC_GOTO(bad, st, cleanup);
  CB_CHECK_GOTO(find_bad_rows(s, d, bad), st, cleanup);
  CB_CHECK_GOTO(centred_gram(s, d, D), st, cleanup);
  /* a zero norm (after centring) is undefined too; the first bad row is reported */
  for (int i = 0; i < n; ++i) {
    if (d != CB_RDM_EUCLIDEAN && !(D[(size_t)i * n + i] > 0.0)) bad[i] = 1;
    if (bad[i] && n_bad++ == 0) first_bad = i;
  }
  gram_to_distances(n, d, D);
  for (int i = 0; i < n; ++i)
    if (bad[i])
      for (int j = 0; j < n; ++j)
        if (j != i) D[(size_t)i * n + j] = D[(size_t)j * n + i] = n_undefined ? 1.0 : NAN;
  if (n_undefined) *n_undefined = n_bad;
  else if (n_bad > 0)
    st = CB_ERROR(CB_ERR_NUMERIC, "cb_rdm_compute: %d row(s) %s (first: row %d), %s distance undefined (NaN)", n_bad,
                  d == CB_RDM_CORRELATION ? "constant" : "all zero", first_bad, cb_rdm_distance_name(d));
cleanup:
  free(bad);
  return st;
}

cb_status cb_rdm_compute(const double *X, int n, int p, cb_rdm_distance d, double *D) {
  if (X == NULL || D == NULL) return CB_ERROR(CB_ERR_ARG, "cb_rdm_compute: NULL array");
  src s = {X, NULL, n, p};
  return rdm_compute(&s, d, D, NULL);
}

cb_status cb_rdm_compute_f(const float *X, int n, int p, cb_rdm_distance d, double *D) {
  if (X == NULL || D == NULL) return CB_ERROR(CB_ERR_ARG, "cb_rdm_compute_f: NULL array");
  src s = {NULL, X, n, p};
  return rdm_compute(&s, d, D, NULL);
}

cb_status cb_rdm_compute_defined(const double *X, const float *Xf, int n, int p, cb_rdm_distance d, double *D,
                                 int *n_undefined) {
  if ((X == NULL) == (Xf == NULL) || D == NULL || n_undefined == NULL)
    return CB_ERROR(CB_ERR_ARG, "cb_rdm_compute_defined: give exactly one of X and Xf, and D and n_undefined");
  src s = {X, Xf, n, p};
  return rdm_compute(&s, d, D, n_undefined);
}

size_t cb_rdm_n_upper(int n) { return n < 2 ? 0 : (size_t)n * (size_t)(n - 1) / 2; }

void cb_rdm_upper(const double *D, int n, double *v) {
  size_t k = 0;
  for (int i = 0; i < n; ++i)
    for (int j = i + 1; j < n; ++j) v[k++] = D[(size_t)i * n + j];
}

cb_status cb_rdm_compare_vec(const double *a, const double *b, size_t m, cb_rdm_compare_kind k, double *out) {
  if (a == NULL || b == NULL || out == NULL) return CB_ERROR(CB_ERR_ARG, "cb_rdm_compare: NULL array");
  if (m < 2) return CB_ERROR(CB_ERR_ARG, "cb_rdm_compare: needs at least 2 entries (3 stimuli), got %zu", m);
  if (k != CB_RDM_CMP_SPEARMAN && k != CB_RDM_CMP_KENDALL_TAU_A && k != CB_RDM_CMP_PEARSON && k != CB_RDM_CMP_COSINE)
    return CB_ERROR(CB_ERR_ARG, "cb_rdm_compare: unknown comparison %d", (int)k);
  for (size_t i = 0; i < m; ++i)
    if (isnan(a[i]) || isnan(b[i]))
      return CB_ERROR(CB_ERR_NUMERIC, "cb_rdm_compare: entry %zu is NaN (undefined dissimilarity)", i);
  switch (k) {
  case CB_RDM_CMP_SPEARMAN: return cb_spearman(a, b, m, out);
  case CB_RDM_CMP_KENDALL_TAU_A: return cb_kendall_tau_a(a, b, m, out);
  case CB_RDM_CMP_PEARSON:
    if (m > (size_t)0x7fffffff) return CB_ERROR(CB_ERR_UNSUPPORTED, "cb_rdm_compare: %zu entries exceed int range", m);
    *out = cb_pearson(a, b, (int)m);
    return CB_OK;
  case CB_RDM_CMP_COSINE: { /* a.b / (||a|| ||b||) */
    double ab = 0.0, aa = 0.0, bb = 0.0;
    for (size_t i = 0; i < m; ++i) {
      ab += a[i] * b[i];
      aa += a[i] * a[i];
      bb += b[i] * b[i];
    }
    *out = (aa > 0.0 && bb > 0.0) ? ab / sqrt(aa * bb) : NAN;
    return CB_OK;
  }
  }
  return CB_ERROR(CB_ERR_ARG, "cb_rdm_compare: unknown comparison %d", (int)k);
}

cb_status cb_rdm_compare(const double *A, const double *B, int n, cb_rdm_compare_kind k, double *out) {
  if (A == NULL || B == NULL || out == NULL) return CB_ERROR(CB_ERR_ARG, "cb_rdm_compare: NULL array");
  if (n < 3) return CB_ERROR(CB_ERR_ARG, "cb_rdm_compare: needs n >= 3 stimuli, got %d", n);
  size_t m = cb_rdm_n_upper(n);
  cb_status st = CB_OK;
  double *a = malloc(sizeof *a * m), *b = malloc(sizeof *b * m);
  CB_ALLOC_GOTO(a, st, cleanup);
  CB_ALLOC_GOTO(b, st, cleanup);
  cb_rdm_upper(A, n, a);
  cb_rdm_upper(B, n, b);
  st = cb_rdm_compare_vec(a, b, m, k, out);
cleanup:
  free(a);
  free(b);
  return st;
}

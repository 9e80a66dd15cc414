/* cb_rank.c - average ranks, Spearman rho, Kendall tau-a by merge-sort inversion counting. */
#include "cb_rank.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "cb_corr.h"

typedef struct pair {
  double a, b;
} pair;

typedef struct keyed {
  double v;
  size_t i;
} keyed;

static int cmp_keyed(const void *x, const void *y) {
  const keyed *p = x, *q = y;
  if (p->v < q->v) return -1;
  if (p->v > q->v) return 1;
  return (p->i > q->i) - (p->i < q->i);
}

static int cmp_pair(const void *x, const void *y) {
  const pair *p = x, *q = y;
  if (p->a != q->a) return p->a < q->a ? -1 : 1;
  return (p->b > q->b) - (p->b < q->b);
}

static cb_status check_finite(const double *x, size_t n, const char *name) {
  for (size_t i = 0; i < n; ++i)
    if (isnan(x[i])) return CB_ERROR(CB_ERR_NUMERIC, "%s[%zu] is NaN: rank statistics need complete data", name, i);
  return CB_OK;
}

cb_status cb_rank_order(const double *v, size_t m, size_t *ord) {
  keyed *k = malloc(sizeof *k * (m > 0 ? m : 1));
  if (k == NULL) return CB_ERROR(CB_ERR_NOMEM, "out of memory ordering %zu values", m);
  for (size_t i = 0; i < m; ++i) {
    if (isnan(v[i])) {
      free(k);
      return CB_ERROR(CB_ERR_NUMERIC, "entry %zu is NaN: rank statistics need complete data", i);
    }
    k[i] = (keyed){v[i], i};
  }
  qsort(k, m, sizeof *k, cmp_keyed);
  for (size_t i = 0; i < m; ++i) ord[i] = k[i].i;
  free(k);
  return CB_OK;
}

cb_status cb_rank_average(const double *x, size_t n, double *ranks) {
  if (n < 1 || x == NULL || ranks == NULL) return CB_ERROR(CB_ERR_ARG, "cb_rank_average: empty or NULL input");
  CB_CHECK(check_finite(x, n, "x"));
  size_t *ord = malloc(sizeof *ord * n);
  if (ord == NULL) return CB_ERROR(CB_ERR_NOMEM, "out of memory ranking %zu values", n);
  cb_status st = cb_rank_order(x, n, ord);
  /* a run of equal values at sorted positions [s, e) gets rank (s + 1 + e) / 2 */
  for (size_t s = 0; st == CB_OK && s < n;) {
    size_t e = s + 1;
    while (e < n && x[ord[e]] == x[ord[s]]) ++e;
    double r = 0.5 * (double)(s + 1 + e);
    for (size_t j = s; j < e; ++j) ranks[ord[j]] = r;
    s = e;
  }
  free(ord);
  return st;
}

cb_status cb_spearman(const double *a, const double *b, size_t n, double *rho) {
  if (n < 2) return CB_ERROR(CB_ERR_ARG, "cb_spearman: needs at least 2 values, got %zu", n);
  if (n > INT32_MAX) return CB_ERROR(CB_ERR_UNSUPPORTED, "cb_spearman: %zu values exceed the int range", n);
  cb_status st = CB_OK;
  double *ra = malloc(sizeof *ra * n), *rb = malloc(sizeof *rb * n);
  CB_ALLOC_GOTO(ra, st, cleanup);
  CB_ALLOC_GOTO(rb, st, cleanup);
  CB_CHECK_GOTO(cb_rank_average(a, n, ra), st, cleanup);
  CB_CHECK_GOTO(cb_rank_average(b, n, rb), st, cleanup);
  *rho = cb_pearson(ra, rb, (int)n);
cleanup:
  free(ra);
  free(rb);
  return st;
}

/* Sum over runs of equal values (by `eq`) of t (t - 1) / 2 in an array sorted so that equal items are adjacent. */
static int64_t tied_pairs_b(const pair *p, size_t n) {
  int64_t t = 0;
  for (size_t s = 0; s < n;) {
    size_t e = s + 1;
    while (e < n && p[e].b == p[s].b) ++e;
    t += (int64_t)(e - s) * (int64_t)(e - s - 1) / 2;
    s = e;
  }
  return t;
}

/* Bottom-up merge sort of p[].b (ascending) returning the number of pairs i < j with b[i] > b[j] (strict). */
static int64_t merge_count(pair *p, pair *tmp, size_t n) {
  int64_t inv = 0;
  for (size_t w = 1; w < n; w *= 2) {
    for (size_t lo = 0; lo < n; lo += 2 * w) {
      size_t mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n;
      size_t i = lo, j = mid, k = lo;
      while (i < mid && j < hi) {
        if (p[j].b < p[i].b) {
          inv += (int64_t)(mid - i); /* p[j] is smaller than every remaining left item */
          tmp[k++] = p[j++];
        } else {
          tmp[k++] = p[i++];
        }
      }
      while (i < mid) tmp[k++] = p[i++];
      while (j < hi) tmp[k++] = p[j++];
    }
    for (size_t i = 0; i < n; ++i) p[i] = tmp[i];
  }
  return inv;
}

cb_status cb_kendall_tau_a(const double *a, const double *b, size_t n, double *tau) {
  if (n < 2) return CB_ERROR(CB_ERR_ARG, "cb_kendall_tau_a: needs at least 2 values, got %zu", n);
  CB_CHECK(check_finite(a, n, "a"));
  CB_CHECK(check_finite(b, n, "b"));
  cb_status st = CB_OK;
  pair *p = malloc(sizeof *p * n), *tmp = malloc(sizeof *tmp * n);
  CB_ALLOC_GOTO(p, st, cleanup);
  CB_ALLOC_GOTO(tmp, st, cleanup);
  for (size_t i = 0; i < n; ++i) p[i] = (pair){a[i], b[i]};
  qsort(p, n, sizeof *p, cmp_pair);
  int64_t n0 = (int64_t)n * (int64_t)(n - 1) / 2, ties_a = 0, ties_ab = 0;
  for (size_t s = 0; s < n;) { /* runs of equal a, and inside them runs of equal (a, b) */
    size_t e = s + 1;
    while (e < n && p[e].a == p[s].a) ++e;
    ties_a += (int64_t)(e - s) * (int64_t)(e - s - 1) / 2;
    ties_ab += tied_pairs_b(p + s, e - s);
    s = e;
  }
  /* sorted by (a, b): pairs tied in a are in b order, so strict inversions of b are exactly the discordant pairs */
  int64_t disc = merge_count(p, tmp, n);
  int64_t ties_b = tied_pairs_b(p, n); /* p is now sorted by b */
  int64_t conc = n0 - ties_a - ties_b + ties_ab - disc;
  *tau = (double)(conc - disc) / (double)n0;
cleanup:
  free(p);
  free(tmp);
  return st;
}

/* cb_corr.c - Pearson correlation, NaN-skipping median, Spearman-Brown. */
#include "cb_corr.h"

#include <math.h>
#include <stdlib.h>

/* r from centred sums; NaN when a variance is zero. */
static double finish_r(double sab, double saa, double sbb) {
  if (!(saa > 0.0) || !(sbb > 0.0)) return NAN;
  double r = sab / sqrt(saa * sbb);
  if (r > 1.0) r = 1.0;
  if (r < -1.0) r = -1.0;
  return r;
}

double cb_pearson_strided(const double *a, int sa, const double *b, int sb, int n) {
  if (n < 2) return NAN;
  double ma = 0.0, mb = 0.0;
  int const_a = 1, const_b = 1;
  for (int i = 0; i < n; ++i) {
    double x = a[(size_t)i * sa], y = b[(size_t)i * sb];
    if (isnan(x) || isnan(y)) return NAN;
    const_a &= (x == a[0]);
    const_b &= (y == b[0]);
    ma += x;
    mb += y;
  }
  if (const_a || const_b) return NAN; /* exact test: the centred sums of a constant need not be 0 */
  ma /= n;
  mb /= n;
  double sab = 0.0, saa = 0.0, sbb = 0.0;
  for (int i = 0; i < n; ++i) {
    double x = a[(size_t)i * sa] - ma, y = b[(size_t)i * sb] - mb;
    sab += x * y;
    saa += x * x;
    sbb += y * y;
  }
  return finish_r(sab, saa, sbb);
}

double cb_pearson(const double *a, const double *b, int n) { return cb_pearson_strided(a, 1, b, 1, n); }

double cb_pearson_pairwise(const double *a, int sa, const double *b, int sb, int n) {
  double ma = 0.0, mb = 0.0, a0 = NAN, b0 = NAN;
  int m = 0, const_a = 1, const_b = 1;
  for (int i = 0; i < n; ++i) {
    double x = a[(size_t)i * sa], y = b[(size_t)i * sb];
    if (isnan(x) || isnan(y)) continue;
    if (m == 0) {
      a0 = x;
      b0 = y;
    }
    const_a &= (x == a0);
    const_b &= (y == b0);
    ma += x;
    mb += y;
    ++m;
  }
  if (m < 2 || const_a || const_b) return NAN;
  ma /= m;
  mb /= m;
  double sab = 0.0, saa = 0.0, sbb = 0.0;
  for (int i = 0; i < n; ++i) {
    double x = a[(size_t)i * sa], y = b[(size_t)i * sb];
    if (isnan(x) || isnan(y)) continue;
    x -= ma;
    y -= mb;
    sab += x * y;
    saa += x * x;
    sbb += y * y;
  }
  return finish_r(sab, saa, sbb);
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

double cb_median_skipnan(const double *v, int n, int *n_nan) {
  double stackbuf[256];
  double *buf = stackbuf;
  int m = 0, nn = 0;
  if (n > 0 && (size_t)n > sizeof stackbuf / sizeof *stackbuf) {
    buf = malloc(sizeof *buf * (size_t)n);
    if (buf == NULL) {
      if (n_nan) *n_nan = 0;
      return NAN;
    }
  }
  for (int i = 0; i < n; ++i) {
    if (isnan(v[i]))
      ++nn;
    else
      buf[m++] = v[i];
  }
  if (n_nan) *n_nan = nn;
  double med = NAN;
  if (m > 0) {
    qsort(buf, (size_t)m, sizeof *buf, cmp_double);
    med = (m % 2) ? buf[m / 2] : 0.5 * (buf[m / 2 - 1] + buf[m / 2]);
  }
  if (buf != stackbuf) free(buf);
  return med;
}

double cb_spearman_brown(double r, double n_factor) { return n_factor * r / (1.0 + (n_factor - 1.0) * r); }

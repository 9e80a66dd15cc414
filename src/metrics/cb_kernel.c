/* cb_kernel.c - linear kernel of a layer's activations, arranged per CV split. */
#include "cb_kernel.h"

#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

struct cb_kernel {
  int n, p;
  double *K;  /* (n, n) full symmetric, current arrangement */
  int *order; /* (n) original index at each position */
  int *pos;   /* (n) position of each original index (inverse of order) */
};

void cb_kernel_destroy(cb_kernel **k) {
  if (k == NULL || *k == NULL) return;
  free((*k)->K);
  free((*k)->order);
  free((*k)->pos);
  free(*k);
  *k = NULL;
}

int cb_kernel_n(const cb_kernel *k) { return k->n; }
int cb_kernel_p(const cb_kernel *k) { return k->p; }
const double *cb_kernel_data(const cb_kernel *k) { return k->K; }
const int *cb_kernel_order(const cb_kernel *k) { return k->order; }

/* K += B B' over the lower triangle (dsyrk), B (n, b) = a block of centred feature columns. */
cb_status cb_kernel_create(const float *X, int n, int p, cb_kernel **out) {
  if (X == NULL || out == NULL) return CB_ERROR(CB_ERR_ARG, "kernel: NULL argument");
  if (n < 1 || p < 1) return CB_ERROR(CB_ERR_ARG, "kernel: empty activations (%d stimuli, %d features)", n, p);
  cb_status st = CB_OK;
  cb_kernel *k = calloc(1, sizeof *k);
  const int bmax = p < CB_KERNEL_BLOCK ? p : CB_KERNEL_BLOCK;
  double *B = malloc(sizeof *B * (size_t)n * bmax); /* (n, bmax) */
  double *mean = malloc(sizeof *mean * (size_t)bmax); /* (bmax) */
  CB_ALLOC_GOTO(k, st, done);
  CB_ALLOC_GOTO(B, st, done);
  CB_ALLOC_GOTO(mean, st, done);
  k->n = n;
  k->p = p;
  k->K = calloc((size_t)n * n, sizeof *k->K);
  k->order = malloc(sizeof *k->order * (size_t)n);
  k->pos = malloc(sizeof *k->pos * (size_t)n);
  CB_ALLOC_GOTO(k->K, st, done);
  CB_ALLOC_GOTO(k->order, st, done);
  CB_ALLOC_GOTO(k->pos, st, done);
  for (int i = 0; i < n; ++i) k->order[i] = k->pos[i] = i;

  for (int j0 = 0; j0 < p; j0 += bmax) {
    const int b = p - j0 < bmax ? p - j0 : bmax;
    memset(mean, 0, sizeof *mean * (size_t)b);
    for (int i = 0; i < n; ++i) {
      const float *x = X + (size_t)i * p + j0;
      double *d = B + (size_t)i * b;
      for (int j = 0; j < b; ++j) {
        if (!isfinite(x[j])) {
          st = CB_ERROR(CB_ERR_NUMERIC, "kernel: activation of stimulus %d, feature %d is not finite", i, j0 + j);
          goto done;
        }
        d[j] = x[j];
        mean[j] += x[j];
      }
    }
    for (int j = 0; j < b; ++j) mean[j] /= n;
    for (int i = 0; i < n; ++i)
      for (int j = 0; j < b; ++j) B[(size_t)i * b + j] -= mean[j];
    cblas_dsyrk(CblasRowMajor, CblasLower, CblasNoTrans, n, b, 1.0, B, b, 1.0, k->K, n);
  }
  for (int i = 0; i < n; ++i) /* mirror the lower triangle */
    for (int j = i + 1; j < n; ++j) k->K[(size_t)i * n + j] = k->K[(size_t)j * n + i];
  *out = k;
  k = NULL;
done:
  free(mean);
  free(B);
  cb_kernel_destroy(&k);
  return st;
}

cb_status cb_kernel_arrange(cb_kernel *k, const int *first, int n_first) {
  if (k == NULL || (first == NULL && n_first > 0)) return CB_ERROR(CB_ERR_ARG, "kernel arrange: NULL argument");
  const int n = k->n;
  if (n_first < 0 || n_first > n)
    return CB_ERROR(CB_ERR_ARG, "kernel arrange: %d leading stimuli for a kernel of %d", n_first, n);
  cb_status st = CB_OK;
  int *target = malloc(sizeof *target * (size_t)n); /* (n) original index wanted at each position */
  int *sigma = malloc(sizeof *sigma * (size_t)n);   /* (n) current position whose row goes to position i */
  unsigned char *mark = calloc((size_t)n, 1);       /* (n) */
  double *buf = malloc(sizeof *buf * (size_t)n);     /* (n) */
  CB_ALLOC_GOTO(target, st, done);
  CB_ALLOC_GOTO(sigma, st, done);
  CB_ALLOC_GOTO(mark, st, done);
  CB_ALLOC_GOTO(buf, st, done);
  for (int i = 0; i < n_first; ++i) {
    if (first[i] < 0 || first[i] >= n || mark[first[i]]) {
      st = CB_ERROR(CB_ERR_ARG, "kernel arrange: stimulus index %d at %d is out of range or repeated", first[i], i);
      goto done;
    }
    mark[first[i]] = 1;
    target[i] = first[i];
  }
  for (int i = 0, m = n_first; i < n; ++i)
    if (!mark[i]) target[m++] = i;
  for (int i = 0; i < n; ++i) sigma[i] = k->pos[target[i]];
  /* rows: new row i = old row sigma[i], following the cycles of sigma */
  memset(mark, 0, (size_t)n);
  double *K = k->K;
  for (int i = 0; i < n; ++i) {
    if (mark[i] || sigma[i] == i) continue;
    memcpy(buf, K + (size_t)i * n, sizeof *buf * (size_t)n);
    int j = i;
    while (sigma[j] != i) {
      memcpy(K + (size_t)j * n, K + (size_t)sigma[j] * n, sizeof *buf * (size_t)n);
      mark[j] = 1;
      j = sigma[j];
    }
    memcpy(K + (size_t)j * n, buf, sizeof *buf * (size_t)n);
    mark[j] = 1;
  }
  /* columns: within each row, new column j = old column sigma[j] */
  for (int i = 0; i < n; ++i) {
    double *row = K + (size_t)i * n;
    for (int j = 0; j < n; ++j) buf[j] = row[sigma[j]];
    memcpy(row, buf, sizeof *buf * (size_t)n);
  }
  for (int i = 0; i < n; ++i) {
    k->order[i] = target[i];
    k->pos[target[i]] = i;
  }
done:
  free(buf);
  free(mark);
  free(sigma);
  free(target);
  return st;
}

void cb_kernel_train_means(const double *K, int ldk, int n, int m, double *r, double *mte, double *mu) {
  double s = 0.0;
  for (int i = 0; i < n + m; ++i) {
    const double *row = K + (size_t)i * ldk;
    double a = 0.0;
    for (int j = 0; j < n; ++j) a += row[j];
    if (i < n) {
      r[i] = a / n;
      s += r[i];
    } else {
      mte[i - n] = a / n;
    }
  }
  *mu = s / n;
}

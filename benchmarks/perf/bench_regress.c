/* bench_regress.c - times the kernel-form CV regressions on a raw data file written by
 * pls_ridge_vs_sklearn.py, and a dgemm / sgemm of the same BLAS for the peak.
 *
 * usage: bench_regress DATA KIND N_SPLITS SPLITS_OUT
 *   DATA: int32 n, p, q; float32 X (n, p); float64 Y (n, q); int32 labels (n)
 *   KIND: pls | ridgecv | ridgecv_per_target;  SPLITS_OUT: the splits used, one line per split of test indices
 * Prints "key value" lines. */
#include <cblas.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "bench_util.h"
#include "cb_kernel.h"
#include "cb_predictivity.h"
#include "cb_splits.h"

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

/* best of 3 runs of C = A B (N x N) in double and single precision, GFLOP/s */
static void gemm_peak(int N, double *dgf, double *sgf) {
  double *A = malloc(sizeof *A * (size_t)N * N), *C = malloc(sizeof *C * (size_t)N * N);
  for (size_t i = 0; i < (size_t)N * N; ++i) A[i] = (double)(i % 7) * 0.1;
  *dgf = *sgf = 0.0;
  for (int r = 0; r < 3; ++r) {
    double t = now();
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, N, N, N, 1.0, A, N, A, N, 0.0, C, N);
    t = now() - t;
    if (2.0 * N * N * (double)N / t / 1e9 > *dgf) *dgf = 2.0 * N * N * (double)N / t / 1e9;
  }
  float *As = (float *)A, *Cs = (float *)C;
  for (int r = 0; r < 3; ++r) {
    double t = now();
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, N, N, N, 1.0f, As, N, As, N, 0.0f, Cs, N);
    t = now() - t;
    if (2.0 * N * N * (double)N / t / 1e9 > *sgf) *sgf = 2.0 * N * N * (double)N / t / 1e9;
  }
  free(A);
  free(C);
}

int main(int argc, char **argv) {
  if (argc != 5) {
    fprintf(stderr, "usage: %s DATA pls|ridgecv|ridgecv_per_target N_SPLITS SPLITS_OUT\n", argv[0]);
    return 2;
  }
  FILE *f = fopen(argv[1], "rb");
  if (!f) {
    fprintf(stderr, "cannot open %s\n", argv[1]);
    return 1;
  }
  int32_t hdr[3];
  if (fread(hdr, sizeof hdr[0], 3, f) != 3) return 1;
  const int n = hdr[0], p = hdr[1], q = hdr[2], n_splits = atoi(argv[3]);
  float *X = malloc(sizeof *X * (size_t)n * p);
  double *Y = malloc(sizeof *Y * (size_t)n * q);
  int32_t *lab = malloc(sizeof *lab * (size_t)n);
  if (!X || !Y || !lab || fread(X, sizeof *X, (size_t)n * p, f) != (size_t)n * p ||
      fread(Y, sizeof *Y, (size_t)n * q, f) != (size_t)n * q || fread(lab, sizeof *lab, (size_t)n, f) != (size_t)n) {
    fprintf(stderr, "short read of %s\n", argv[1]);
    return 1;
  }
  fclose(f);
  int *labels = malloc(sizeof *labels * (size_t)n);
  for (int i = 0; i < n; ++i) labels[i] = lab[i];
  free(lab);

  cb_regress_opts o;
  if (strcmp(argv[2], "pls") == 0) {
    cb_regress_opts_default(CB_REG_PLS, &o);
  } else {
    cb_regress_opts_default(CB_REG_RIDGECV, &o);
    o.alpha_per_target = strcmp(argv[2], "ridgecv_per_target") == 0;
  }
  o.form = CB_FORM_KERNEL;
  cb_splits *s = NULL;
  cb_kernel *k = NULL;
  cb_cv_result *res = malloc(sizeof *res);
  if (cb_splits_stratified_shuffle(n, labels, n_splits, 0.9, 1, &s) != CB_OK) goto fail;
  FILE *so = fopen(argv[4], "w");
  if (!so) goto fail;
  for (int i = 0; i < s->n_splits; ++i) {
    for (int j = 0; j < s->test_size[i]; ++j) fprintf(so, "%d ", s->test[i * s->n_test + j]);
    fprintf(so, "\n");
  }
  fclose(so);

  double t0 = now();
  if (cb_kernel_create(X, n, p, &k) != CB_OK) goto fail;
  double t_kernel = now() - t0;
  double rss_kernel = bench_peak_rss_mb();
  free(X); /* the kernel form needs only K */
  X = NULL;
  double t1 = now();
  if (cb_cv_regress(NULL, n, p, Y, q, s, &o, k, res) != CB_OK) goto fail;
  double t_cv = now() - t1, t_total = now() - t0;

  /* flops of the algorithm as run: K = n^2 p (dsyrk, one triangle). PLS (batched, S splits): K Y 2 n^2 q, training
   * means 2 n^2 S, per component two K products 2 * 2 n^2 S and three Y products 6 n q S, per split the test-block
   * corrections ~ 4 m q^2 + 2 m^2 q (m = n - ntr). Ridge, per split: eigendecomposition ~ 9 ntr^3 (dsyevr with
   * vectors), 2 ntr^2 q + n_alpha * (2 ntr^2 q + 2 ntr^2). */
  double ntr = s->n_train, fl = (double)n * n * p, S = n_splits, nn = n, mc = n - ntr;
  if (o.kind == CB_REG_PLS)
    fl += 2 * nn * nn * q + 2 * nn * nn * S + o.n_components * (4 * nn * nn * S + 6 * nn * q * S) +
          S * (4 * mc * q * q + 2 * mc * mc * q);
  else
    for (int i = 0; i < n_splits; ++i)
      fl += 9 * ntr * ntr * ntr + 2 * ntr * ntr * q + 99 * (2 * ntr * ntr * q + 2 * ntr * ntr);
  double dgf, sgf;
  double rss = bench_peak_rss_mb();
  gemm_peak(2048, &dgf, &sgf);
  printf("n %d\np %d\nq %d\nkind %s\nsplits %d\n", n, p, q, argv[2], n_splits);
  printf("time_kernel_s %.4f\ntime_cv_s %.4f\ntime_total_s %.4f\n", t_kernel, t_cv, t_total);
  printf("gflops_achieved %.2f\ndgemm_peak_gflops %.2f\nsgemm_peak_gflops %.2f\n", fl / t_total / 1e9, dgf, sgf);
  printf("kernel_gflops %.2f\n", (double)n * n * p / t_kernel / 1e9);
  printf("peak_rss_mb %.1f\npeak_rss_after_kernel_mb %.1f\nx_mb %.1f\n", rss, rss_kernel,
         (double)n * p * sizeof(float) / 1048576.0);
  printf("raw %.10f\nerror %.10f\nnan_neuroids %d\n", res->raw, res->error, res->n_nan_neuroids);
  printf("per_split");
  for (int i = 0; i < n_splits; ++i) printf(" %.10f", res->per_split[i]);
  printf("\n");
  cb_kernel_destroy(&k);
  cb_splits_destroy(&s);
  free(res);
  free(labels);
  free(Y);
  return 0;
fail:
  fprintf(stderr, "bench_regress: %s (%s)\n", cb_error_message(), cb_error_where());
  return 1;
}

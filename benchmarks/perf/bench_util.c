/* bench_util.c - see bench_util.h. */
#include "bench_util.h"

#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "cb_sgemm.h"
#include "cb_timer.h"

double bench_peak_rss_mb(void) {
  FILE *f = fopen("/proc/self/status", "r");
  char line[256];
  long kb = -1;
  while (f && fgets(line, sizeof line, f))
    if (strncmp(line, "VmHWM:", 6) == 0) kb = strtol(line + 6, NULL, 10);
  if (f) fclose(f);
  if (kb < 0) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    kb = ru.ru_maxrss;
  }
  return (double)kb / 1024.0;
}

double bench_gemm_peak(int n, int which, int tries) {
  float *a = malloc(sizeof *a * (size_t)n * (size_t)n), *c = malloc(sizeof *c * (size_t)n * (size_t)n);
  double best = 0.0;
  if (a == NULL || c == NULL) goto done;
  for (size_t i = 0; i < (size_t)n * (size_t)n; ++i) a[i] = (float)(i % 7) * 0.1f;
  for (int r = 0; r < tries; ++r) {
    double t = cb_now();
    if (which == 0) cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0f, a, n, a, n, 0.0f, c, n);
    else {
      cb_sgemm_args x = {.m = n, .n = n, .k = n, .a = a, .a_rs = n, .a_cs = 1, .b = a, .b_rs = n, .b_cs = 1, .c = c,
                         .c_rs = n, .c_cs = 1, .alpha = 1.0f, .threads = cb_sgemm_default_threads()};
      cb_sgemm(&x);
    }
    t = cb_now() - t;
    double gf = 2.0 * n * (double)n * n / t / 1e9;
    if (gf > best) best = gf;
  }
done:
  free(a);
  free(c);
  return best;
}

int bench_cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

double bench_median(double *v, int n) {
  qsort(v, (size_t)n, sizeof *v, bench_cmp_double);
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/* bench_util.h - what the speed benchmarks share: peak resident memory, an sgemm peak, a median. */
#ifndef BENCH_UTIL_H
#define BENCH_UTIL_H

/* Peak resident memory of this process image, MB: VmHWM from /proc/self/status (getrusage's ru_maxrss would include
 * the high-water mark of a Python parent that forked us); ru_maxrss where /proc is missing. */
double bench_peak_rss_mb(void);
/* Best of `tries` C = A B (n x n) in GFLOP/s: OpenBLAS's cblas_sgemm (which = 0) or the engine's cb_sgemm (1). */
double bench_gemm_peak(int n, int which, int tries);
/* qsort comparator of doubles (ascending). */
int bench_cmp_double(const void *a, const void *b);
/* Median of v (n > 0; v is sorted in place). */
double bench_median(double *v /* (n) */, int n);

#endif

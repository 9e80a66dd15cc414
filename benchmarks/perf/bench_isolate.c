/* bench_isolate.c - cost of reading an assembly in a forked child
 * (cb_isolate) against reading it in-process (CB_ISOLATE=0).
 * usage: bench_isolate ASSEMBLY.nc [REPEATS]   (prints median seconds of each)
 *        bench_isolate ASSEMBLY.nc --once      (one isolated read; prints "ok" or
 *                                               the error line, exit 0 / 1) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cb_assembly.h"
#include "cb_status.h"
#include "cb_timer.h"

static int cmp(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* Median of `reps` reads; -1 on a read error. */
static double median_read(const char *path, int reps) {
  double t[101];
  for (int r = 0; r < reps; ++r) {
    double t0 = cb_now();
    cb_assembly *a = NULL;
    if (cb_assembly_read(path, &a) != CB_OK) {
      fprintf(stderr, "%s\n", cb_error_message());
      return -1;
    }
    cb_assembly_destroy(&a);
    t[r] = cb_now() - t0;
  }
  qsort(t, (size_t)reps, sizeof *t, cmp);
  return t[reps / 2];
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: bench_isolate ASSEMBLY.nc [REPEATS]\n");
    return 2;
  }
  if (argc > 2 && strcmp(argv[2], "--once") == 0) {
    cb_assembly *a = NULL;
    cb_status st = cb_assembly_read(argv[1], &a);
    printf("%s\n", st == CB_OK ? "ok" : cb_error_message());
    cb_assembly_destroy(&a);
    return st == CB_OK ? 0 : 1;
  }
  int reps = argc > 2 ? atoi(argv[2]) : 21;
  if (reps < 1 || reps > 101) reps = 21;
  setenv("CB_ISOLATE", "0", 1);
  double in = median_read(argv[1], reps);
  unsetenv("CB_ISOLATE");
  double iso = median_read(argv[1], reps);
  if (in < 0 || iso < 0) return 1;
  printf("in-process %.4f s, isolated %.4f s, overhead %.4f s (%.1f %%), median of %d\n", in, iso, iso - in,
         100.0 * (iso - in) / in, reps);
  return 0;
}

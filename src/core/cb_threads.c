/* cb_threads.c - see cb_threads.h. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* sched_getaffinity */
#endif
#include "cb_threads.h"

#include <pthread.h>
#include <sched.h>

typedef struct par_job {
  cb_threads_fn fn;
  void *ctx;
  size_t u0, u1;
} par_job;

static void *par_run(void *arg) {
  const par_job *j = arg;
  if (j->u1 > j->u0) j->fn(j->ctx, j->u0, j->u1);
  return NULL;
}

void cb_threads_for(int threads, size_t n, size_t min_units, cb_threads_fn fn, void *ctx) {
  if (n == 0) return;
  size_t t = threads < 1 ? 1 : threads > CB_THREADS_MAX ? CB_THREADS_MAX : (size_t)threads;
  if (min_units < 1) min_units = 1;
  if (t > n / min_units) t = n / min_units > 0 ? n / min_units : 1;
  par_job jobs[CB_THREADS_MAX];
  pthread_t tid[CB_THREADS_MAX];
  int started[CB_THREADS_MAX] = {0};
  for (size_t i = 0; i < t; ++i) jobs[i] = (par_job){fn, ctx, n * i / t, n * (i + 1) / t};
  for (size_t i = 1; i < t; ++i) started[i] = pthread_create(&tid[i], NULL, par_run, &jobs[i]) == 0;
  par_run(&jobs[0]);
  for (size_t i = 1; i < t; ++i) {
    if (started[i]) pthread_join(tid[i], NULL);
    else par_run(&jobs[i]);
  }
}

static int default_threads; /* 0: not set */

int cb_threads_default(void) {
  if (default_threads > 0) return default_threads;
  cpu_set_t set;
  int n = sched_getaffinity(0, sizeof set, &set) == 0 ? CPU_COUNT(&set) : 1;
  return n < 1 ? 1 : n > CB_THREADS_MAX ? CB_THREADS_MAX : n;
}

void cb_threads_set_default(int threads) { default_threads = threads > CB_THREADS_MAX ? CB_THREADS_MAX : threads; }

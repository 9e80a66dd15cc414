#include "cb_par_tasks.h"

#include <mpi.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "cb_log.h"
#include "cb_par_impl.h"
#include "cb_signal.h"
#include "cb_timer.h"

/* Window on rank 0: [0] next task to hand out, [1] tasks completed. */
typedef struct counter {
  MPI_Win win;
  long *base;
} counter;

static cb_status counter_create(cb_par *p, counter *c) {
  MPI_Aint size = cb_par_rank(p) == 0 ? (MPI_Aint)(2 * sizeof(long)) : 0;
  if (MPI_Win_allocate(size, sizeof(long), MPI_INFO_NULL, cb__par_comm(p), &c->base, &c->win) != MPI_SUCCESS)
    return CB_ERROR(CB_ERR_MPI, "cannot create the task counter window");
  if (cb_par_rank(p) == 0) c->base[0] = c->base[1] = 0;
  MPI_Barrier(cb__par_comm(p));
  return CB_OK;
}

/* Atomically adds `add` to slot `slot` (or replaces it when op is REPLACE)
 * and returns the previous value. */
static long counter_op(counter *c, int slot, long value, MPI_Op op) {
  long prev = 0;
  MPI_Win_lock(MPI_LOCK_SHARED, 0, 0, c->win);
  MPI_Fetch_and_op(&value, &prev, MPI_LONG, 0, slot, op, c->win);
  MPI_Win_unlock(0, c->win);
  return prev;
}

static long counter_read(counter *c, int slot) {
  long zero = 0, v = 0;
  MPI_Win_lock(MPI_LOCK_SHARED, 0, 0, c->win);
  MPI_Fetch_and_op(&zero, &v, MPI_LONG, 0, slot, MPI_NO_OP, c->win);
  MPI_Win_unlock(0, c->win);
  return v;
}

typedef struct progress {
  const char *label;
  int total, tty, last_pct;
  long last_done;
  double start;
} progress;

static void progress_show(progress *g, long done, int final) {
  if (cb_log_get_level() < CB_LOG_INFO || g->total == 0) return;
  if (done == g->last_done && !final) return;
  double el = cb_now() - g->start;
  double eta = done > 0 ? el / (double)done * (double)(g->total - done) : 0.0;
  int pct = (int)(100.0 * (double)done / g->total);
  if (g->tty) {
    char bar[31];
    int filled = (int)(30.0 * (double)done / g->total);
    for (int i = 0; i < 30; ++i) bar[i] = i < filled ? '#' : '.';
    bar[30] = '\0';
    printf("\r%s [%s] %ld/%d  %.1fs elapsed, ETA %.1fs ", g->label, bar, done, g->total, el, eta);
    if (final) printf("\n");
  } else if (final || pct >= g->last_pct + 10 || done == g->total) {
    printf("%s: %ld/%d tasks done (%d%%), %.1f s elapsed, ETA %.1f s\n", g->label, done, g->total, pct, el, eta);
    g->last_pct = pct - pct % 10;
  }
  fflush(stdout);
  g->last_done = done;
}

cb_status cb_par_run_tasks(cb_par *p, int n, const int *order, cb_task_fn fn, void *ctx, const char *label,
                           int *done_here) {
  counter c;
  CB_CHECK(counter_create(p, &c));
  const long closed = (long)n + (1L << 40);
  progress g = {label, n, isatty(STDOUT_FILENO), 0, -1, cb_now()};
  cb_status st = CB_OK;
  int mine = 0;
  for (;;) {
    if (cb_signal_pending()) {
      counter_op(&c, 0, closed, MPI_REPLACE);
      st = CB_ERROR(CB_ERR_INTERRUPTED, "stopped by signal %d after committing the finished tasks",
                    cb_signal_pending());
      break;
    }
    long k = counter_op(&c, 0, 1, MPI_SUM);
    if (k >= n) break;
    int task = order ? order[k] : (int)k;
    st = fn(task, ctx);
    if (st != CB_OK) {
      counter_op(&c, 0, closed, MPI_REPLACE);
      break;
    }
    ++mine;
    long done = counter_op(&c, 1, 1, MPI_SUM) + 1;
    if (cb_par_rank(p) == 0) progress_show(&g, done, 0);
  }
  /* Rank 0 keeps reporting while the others finish their last task. */
  MPI_Request req;
  MPI_Ibarrier(cb__par_comm(p), &req);
  int flag = 0;
  while (!flag) {
    MPI_Test(&req, &flag, MPI_STATUS_IGNORE);
    if (!flag) {
      if (cb_par_rank(p) == 0) progress_show(&g, counter_read(&c, 1), 0);
      struct timespec ts = {0, 20 * 1000 * 1000};
      nanosleep(&ts, NULL);
    }
  }
  if (cb_par_rank(p) == 0) progress_show(&g, counter_read(&c, 1), 1);
  MPI_Win_free(&c.win);
  if (done_here) *done_here = mine;
  /* A signal seen by one rank stops every rank with the same status. */
  return cb_par_agree(p, st);
}

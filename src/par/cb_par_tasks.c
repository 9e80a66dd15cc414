#include "cb_par_tasks.h"

#include <mpi.h>
#include <stdio.h>
#include <time.h>

#include "cb_par_impl.h"
#include "cb_progress.h"
#include "cb_signal.h"

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

cb_status cb_par_run_tasks(cb_par *p, int n, const int *order, cb_task_fn fn, void *ctx, const char *label,
                           int *done_here) {
  counter c;
  CB_CHECK(counter_create(p, &c));
  const long closed = (long)n + (1L << 40);
  /* Rank 0 reports what it knows: the completed count of every rank (slot 1). */
  cb_progress *g = NULL;
  if (cb_par_rank(p) == 0 && n > 0 && cb_progress_create(label, "tasks", n, NULL, &g) != CB_OK) cb_error_clear();
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
    cb_progress_update(g, done);
  }
  /* Rank 0 keeps reporting while the others finish their last task. */
  MPI_Request req;
  MPI_Ibarrier(cb__par_comm(p), &req);
  int flag = 0;
  while (!flag) {
    MPI_Test(&req, &flag, MPI_STATUS_IGNORE);
    if (!flag) {
      if (g) cb_progress_update(g, counter_read(&c, 1));
      struct timespec ts = {0, 20 * 1000 * 1000};
      nanosleep(&ts, NULL);
    }
  }
  long finished = g ? counter_read(&c, 1) : 0;
  MPI_Win_free(&c.win);
  if (done_here) *done_here = mine;
  /* A signal seen by one rank stops every rank with the same status. */
  st = cb_par_agree(p, st);
  cb_progress_end(g, finished, st == CB_OK);
  cb_progress_destroy(&g);
  return st;
}

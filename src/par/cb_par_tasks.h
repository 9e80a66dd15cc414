/* cb_par_tasks.h - dynamic distribution of independent tasks over ranks.
 *
 * Tasks are handed out one at a time from a shared counter that lives on
 * rank 0 (MPI-3 one-sided fetch-and-add, passive target), in the order the
 * caller gives (e.g. most expensive first), so a slow task never leaves
 * the other ranks idle; rank 0 computes too. Results must not depend on
 * which rank runs a task (each task writes its own output), so the outcome
 * is the same for any number of ranks.
 *
 * Stopping: between tasks every rank polls cb_signal_pending(); a rank that
 * sees a signal, or whose task fails, closes the counter so that no rank
 * starts another task. The task in hand is finished (and committed by the
 * callback), then every rank returns the agreed status: CB_ERR_INTERRUPTED
 * after a signal, the first failing rank's error otherwise.
 *
 * Progress: rank 0 prints the tasks done by every rank out of the total,
 * the rate and an ETA (src/core/cb_progress.h: a live line on a terminal,
 * a line every 10 s otherwise, off with -q); nothing else depends on it. */
#ifndef CB_PAR_TASKS_H
#define CB_PAR_TASKS_H

#include "cb_par.h"
#include "cb_status.h"

typedef cb_status (*cb_task_fn)(int task, void *ctx);

/* Collective. order: (n) task indices in hand-out order (NULL: 0..n-1).
 * *done_here (optional): tasks this rank completed. */
cb_status cb_par_run_tasks(cb_par *p, int n, const int *order, cb_task_fn fn, void *ctx, const char *label,
                           int *done_here);

#endif

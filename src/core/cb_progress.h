/* cb_progress.h - progress of a long step: items done out of a total, the
 * rate (items/s) and the time left (ETA).
 *
 * Two forms. Live (a terminal): one line redrawn in place with '\r', at
 * most every 0.1 s, ended by '\n' when the step ends. Plain (a log file, a
 * Slurm log, a pipe): a line at most every `interval` seconds (10 by
 * default) and a final line, never '\r'. Off: nothing.
 *
 * The module knows nothing of MPI: the caller decides who prints (rank 0
 * creates a tracker with the mode from cb_progress_opts_env, the other
 * ranks pass CB_PROGRESS_OFF or a NULL tracker). Every function accepts a
 * NULL tracker and then does nothing, and nothing a computation returns
 * depends on it. The clock is injectable so that the throttling can be
 * tested without waiting. */
#ifndef CB_PROGRESS_H
#define CB_PROGRESS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "cb_status.h"

typedef enum cb_progress_mode {
  CB_PROGRESS_OFF = 0,
  CB_PROGRESS_PLAIN = 1, /* a line every `interval` seconds and a final line */
  CB_PROGRESS_LIVE = 2   /* one line redrawn with '\r' */
} cb_progress_mode;

/* Seconds since an arbitrary fixed point (monotonic). */
typedef double (*cb_progress_clock)(void *ctx);

typedef struct cb_progress_opts {
  cb_progress_mode mode;
  double interval;         /* plain: least seconds between two lines (0: a line at every update) */
  FILE *out;               /* NULL: stdout */
  cb_progress_clock clock; /* NULL: cb_now (cb_timer.h) */
  void *clock_ctx;
} cb_progress_opts;

typedef struct cb_progress cb_progress;

/* The options of this process: off when the log level is below INFO (-q)
 * or CORTEXBENCH_PROGRESS=off; live when both stdout and stderr are
 * terminals (Open MPI gives a rank's stdout a pseudo-terminal even when
 * mpirun's output goes to a file, never its stderr), plain otherwise;
 * CORTEXBENCH_PROGRESS=plain|live forces a form. Interval: 10 s, or
 * CORTEXBENCH_PROGRESS_INTERVAL seconds (a number >= 0). */
cb_progress_opts cb_progress_opts_env(void);

/* A tracker of `total` items ("tasks", "stimuli") for a step named label
 * (copied). o NULL: cb_progress_opts_env(). Starts the clock. */
cb_status cb_progress_create(const char *label, const char *unit, int64_t total, const cb_progress_opts *o,
                             cb_progress **out);
void cb_progress_destroy(cb_progress **g);

/* `done` items are finished; prints when the throttle allows (not at
 * done == total: the final line of cb_progress_end follows). */
void cb_progress_update(cb_progress *g, int64_t done);
/* The step ended. complete: the final line (counts, time, rate). Else (an
 * error or a stop, whose message follows): only ends a live line, so that
 * the error stays the only line the step adds to stderr. */
void cb_progress_end(cb_progress *g, int64_t done, int complete);
/* Ends the live line on the terminal, if one is drawn, so that a message
 * (cb_log, cb_warn0) starts on a line of its own; the next update redraws. */
void cb_progress_break_line(void);
/* Lines written so far (live redraws count one each). */
int cb_progress_lines(const cb_progress *g);

/* Pure formatting, for the tracker and its tests. */
/* "0.4 s", "12 s", "3 min 05 s", "2 h 07 min". */
void cb_progress_format_duration(double seconds, char *buf, size_t n);
/* "label: 12/40 tasks (30%), 0.85 tasks/s, 14 s elapsed, ETA 33 s"; with
 * final: "label: 40/40 tasks (100%) in 47 s, 0.85 tasks/s". No newline. */
void cb_progress_format(char *buf, size_t n, const char *label, const char *unit, int64_t done, int64_t total,
                        double elapsed, int final);

#endif

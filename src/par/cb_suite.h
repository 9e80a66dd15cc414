/* cb_suite.h - running a whole suite under MPI: datasets -> activations ->
 * scores -> leaderboard, resumable.
 *
 * Every result is committed atomically with a task key (a SHA-256 of all
 * its inputs, see src/bench/cb_taskkey.h): activations files carry it as
 * the root attribute task_key, score files as "task_key". A rerun reuses a
 * committed result only when its key matches and recomputes it otherwise,
 * so an interrupted run (SIGTERM/SIGUSR1, a killed rank, a node failure)
 * resumes where it stopped and a changed input is never served stale. */
#ifndef CB_SUITE_H
#define CB_SUITE_H

#include "cb_par.h"
#include "cb_plan.h"
#include "cb_status.h"

/* The last step of a run, on rank 0 once every score is committed: the leaderboard and report
 * (cb_report_suite, src/report), given by the caller so that the MPI layer does not draw figures. */
typedef cb_status (*cb_suite_finish_fn)(const cb_plan *pl, const cb_run_info *run);

typedef struct cb_suite_opts {
  const char *out_root;  /* results directory; output in <out_root>/<suite>/ */
  const char *work;      /* intermediates; NULL: <out_root>/<suite>/work */
  int shard_i, shard_n;  /* models at positions == shard_i mod shard_n (1 = all) */
  int fresh;             /* 1: ignore committed results and recompute everything */
  int restart;           /* 1: clear the results of <out_root>/<suite> first (another configuration's) */
  cb_suite_finish_fn finish; /* the leaderboard and report step; NULL: none */
} cb_suite_opts;

/* Collective. Rank 0 holds the output directory (src/bench/cb_outdir.h:
 * its lock, shared between the shards of a sharded run, and the
 * configuration's fingerprint) for the whole run. Returns
 * CB_ERR_INTERRUPTED after a signal (what was finished is committed). */
cb_status cb_suite_run(cb_par *p, const char *config, const cb_suite_opts *o);

#endif

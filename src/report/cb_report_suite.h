/* cb_report_suite.h - the last step of a suite run, on rank 0: read every score file of the plan, rank the
 * leaderboard, write leaderboard.{csv,json,md} and the HTML report (leaderboard.html and figures/), and print the
 * leaderboard (a shard of a sharded run prints its scores only). The MPI driver (src/par/cb_suite.c) runs it
 * through cb_suite_opts.finish. */
#ifndef CB_REPORT_SUITE_H
#define CB_REPORT_SUITE_H

#include "cb_plan.h"
#include "cb_status.h"

/* run: the facts of the run its metadata states (MPI library, ranks, threads, start). */
cb_status cb_report_suite(const cb_plan *pl, const cb_run_info *run);

#endif

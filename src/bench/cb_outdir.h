/* cb_outdir.h - the results directory of a suite run (OUT/<suite>/): one
 * run writes it at a time, and it holds the results of one configuration.
 *
 * cb_outdir_open, before the run writes anything there:
 *  1. creates the directory and takes its lock, DIR/.lock (cb_lock.h):
 *     exclusive, or shared for the shards of one sharded run (`run --shard`,
 *     which write their scores side by side). A second run fails at once
 *     with one line naming the directory and the holder's pid.
 *  2. compares the configuration's fingerprint (cb_config_fingerprint) with
 *     the one stored in DIR/config.sha256 (64 hex digits and a newline):
 *     - none stored: stores it (a directory written before fingerprints
 *       existed is adopted, with a notice);
 *     - the same: nothing changes, the run resumes;
 *     - another (or an unreadable file): refuses with one line, unless
 *       `restart`: then the previous results are cleared and the new
 *       fingerprint stored; or unless the directory holds no results yet
 *       (no leaderboard, no file under scores/: the other run failed before
 *       scoring, e.g. on an error in its configuration) and the lock is
 *       exclusive: then the new fingerprint replaces the old one.
 * Clearing (restart) removes what a run produces as results: scores/,
 * leaderboard.{csv,json,md,html} and config.sha256. scores/ is first renamed
 * to .scores.old.<pid> and removed after the new fingerprint is stored, so
 * an interrupted restart never leaves old scores under a new fingerprint
 * (leftovers are removed by the next exclusive open). Intermediates (work/:
 * generated datasets, activations) are kept: they carry task keys and are
 * reused only when their inputs are unchanged.
 * Sequential and MPI-free: under MPI, rank 0 calls it. */
#ifndef CB_OUTDIR_H
#define CB_OUTDIR_H

#include "cb_status.h"

typedef struct cb_outdir cb_outdir; /* opaque: the held lock */

cb_status cb_outdir_open(const char *dir, const char *config, int shared, int restart, cb_outdir **out);
/* Releases the lock. NULL-safe; sets *od = NULL. */
void cb_outdir_close(cb_outdir **od);

#endif

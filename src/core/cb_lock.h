/* cb_lock.h - an advisory lock on a directory, held while a run writes it.
 *
 * The lock is flock(2) on DIR/.lock (created if needed, never removed): the
 * kernel releases it when the holder exits, however it ends (kill -9, a node
 * reboot for local file systems), so a stale lock cannot outlive its run.
 * An exclusive lock excludes every other holder; shared locks coexist with
 * each other (the shards of one sharded run) but not with an exclusive one.
 * The holder writes "PID HOST" into the file for the message of a run that
 * finds the directory taken. On file systems without flock (ENOLCK, ENOSYS,
 * EOPNOTSUPP: e.g. Lustre mounted without -o flock) the lock holds nothing
 * and a warning says that concurrent runs are not detected. */
#ifndef CB_LOCK_H
#define CB_LOCK_H

#include "cb_status.h"

typedef struct cb_dirlock cb_dirlock; /* opaque: the open lock file */

/* Takes the lock without waiting. Fails (CB_ERR_IO) with one line naming
 * the directory and the holder: "DIR: in use by another cortexbench run
 * (pid P on HOST); wait for it to end or choose another directory". */
cb_status cb_dirlock_acquire(const char *dir, int shared, cb_dirlock **out);
/* Releases the lock and frees it. NULL-safe; sets *l = NULL. */
void cb_dirlock_release(cb_dirlock **l);

#endif

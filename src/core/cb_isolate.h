/* cb_isolate.h - run a parser of an untrusted file in a forked child.
 *
 * libhdf5 (Debian's 1.10.8) crashes, frees garbage or loops forever on some
 * corrupted files. Every reader that opens a user-supplied HDF5/netCDF file
 * therefore does the whole library read in a child process: the child calls
 * `fn`, which parses the file and serializes the result into a cb_wire; the
 * child writes status, message and bytes to a pipe and leaves with _exit
 * (no atexit handlers, no MPI, no HDF5 shutdown). The parent never calls the
 * library on that file: it decodes the bytes (bounds-checked) instead.
 * The reply travels through shared memory (a memfd the parent creates before
 * the fork): the child streams the serialized result into it and the parent
 * maps it read-only, so a large layer is not copied through a pipe into a
 * growing buffer (where memfd_create is unavailable, the pipe carries it).
 *
 * The child's stderr (HDF5's error stack, sanitizer reports) goes to a pipe
 * and never to the terminal. A child killed by a signal, or that exits
 * without a complete reply, gives one line
 *   "FILE: corrupt or unsupported HDF5 file (the HDF5 library crashed while
 *    reading it: <signal or first captured line>)"
 * and one that runs past the timeout is killed and gives
 *   "FILE: corrupt or unsupported HDF5 file (the HDF5 library timed out
 *    reading it after N s)"
 * both with CB_ERR_FORMAT.
 *
 * Timeout: CB_ISOLATE_TIMEOUT seconds if that variable is set (> 0), else
 * 60 s + 1 s per 10 MiB of the file (a rate far below any real read).
 * CB_ISOLATE=0 in the environment calls `fn` in-process instead (debugging:
 * gdb, valgrind of the library itself); results are identical.
 *
 * Safe after MPI_Init: the child never calls MPI and leaves with _exit. */
#ifndef CB_ISOLATE_H
#define CB_ISOLATE_H

#include "cb_status.h"
#include "cb_wire.h"

/* Parses and serializes into `out`; runs in the child. Its error message
 * (cb_error_message) travels back to the parent. */
typedef cb_status (*cb_isolate_fn)(void *arg, cb_wire *out);

/* Runs fn(arg, reply) isolated; on CB_OK `reply` holds the serialized result
 * (read it with cb_wire_get_*, then cb_wire_free). On failure the reply is
 * empty and the status and message are the child's, or the crash/timeout
 * line above. `path` names the file in messages and sets the timeout. */
cb_status cb_isolate_call(const char *path, cb_isolate_fn fn, void *arg, cb_wire *reply);

/* Files cortexbench wrote itself are parsed in-process: the activations files a suite run writes, and those of an
 * earlier run whose bytes still match the SHA-256 recorded when they were written (src/par/cb_suite.c). Isolation
 * guards against files from elsewhere, and a suite's layer reads (up to GBs each) cost more through the child than
 * their scoring. Clear at the end of a run. */
cb_status cb_isolate_trust(const char *path);
int cb_isolate_trusted(const char *path);
void cb_isolate_trust_clear(void);
/* 1 when cb_isolate_call(path, ...) runs its reader in this process (CB_ISOLATE=0, or a trusted file): a reader may
 * then skip the reply and hand its result over directly. */
int cb_isolate_inline(const char *path);

/* 1 in the child process of cb_isolate_call (while `fn` runs), 0
 * elsewhere. Memory estimates (cb_mem.h) count a parsed result 3 times in
 * the child: its copy, the shared reply (the parent maps those same pages)
 * and the parent's decoded copy exist at the same time. */
int cb_isolate_in_child(void);
/* Copies of a parsed result alive at once: 3 in the child, else 1. */
int cb_isolate_copies(void);

/* 1 unless CB_ISOLATE=0. */
int cb_isolate_enabled(void);
/* The timeout in seconds for a file of `bytes` bytes. */
double cb_isolate_timeout(long long bytes);

#endif

/* cb_status.h - status codes and the error message that travels with them.
 *
 * Every fallible function returns a cb_status. On failure it records a
 * one-line human message (naming the file and the problem) and the source
 * location with CB_ERROR; callers propagate with CB_CHECK or CB_CHECK_GOTO.
 * The message lives in thread-local storage: it is per thread, not shared.
 */
#ifndef CB_STATUS_H
#define CB_STATUS_H

typedef enum cb_status {
  CB_OK = 0,
  CB_ERR_ARG,         /* invalid argument or command-line usage */
  CB_ERR_IO,          /* a file is missing, unreadable or cannot be written */
  CB_ERR_FORMAT,      /* a file exists but its content is malformed */
  CB_ERR_CONFIG,      /* a configuration file is invalid */
  CB_ERR_NOMEM,       /* allocation failed */
  CB_ERR_NUMERIC,     /* singular system, non-finite values, too few samples */
  CB_ERR_UNSUPPORTED, /* valid input that cortexbench does not handle */
  CB_ERR_MPI,         /* an MPI call failed or another rank failed */
  CB_ERR_INTERRUPTED, /* stopped by a signal */
  CB_ERR_INTERNAL,    /* a bug: an invariant did not hold */
  CB_ERR_FAULT        /* the machine failed, not the input: a full disk, a failed write, a directory that cannot be
                         created (CB_ERR_NOMEM and CB_ERR_MPI are faults too: exit status 4, README) */
} cb_status;

/* Short name of a status, e.g. "io error". Never NULL. */
const char *cb_status_str(cb_status s);

/* Records `fmt` as the current message with its source location and returns
 * `s`, so that `return CB_ERROR(CB_ERR_IO, "%s: cannot open", path);` works. */
cb_status cb_error_set(cb_status s, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Prefixes the current message with a formatted context and ": ", keeping
 * its status and location; returns the status. */
cb_status cb_error_prefix(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Message of the last error on this thread ("" when none). */
const char *cb_error_message(void);
/* "src/io/x.c:42" of the last error on this thread ("" when none). */
const char *cb_error_where(void);
/* Status of the last recorded error (CB_OK when none). */
cb_status cb_error_status(void);
void cb_error_clear(void);

#define CB_ERROR(st, ...) cb_error_set((st), __FILE__, __LINE__, __VA_ARGS__)

/* Return early from the calling function when `expr` fails. */
#define CB_CHECK(expr)                                                         \
  do {                                                                         \
    cb_status cb__st = (expr);                                                 \
    if (cb__st != CB_OK) return cb__st;                                        \
  } while (0)

/* Store the status of `expr` in `st` and jump to `label` when it fails. */
#define CB_CHECK_GOTO(expr, st, label)                                         \
  do {                                                                         \
    (st) = (expr);                                                             \
    if ((st) != CB_OK) goto label;                                             \
  } while (0)

/* Allocation helper: jump to `label` with CB_ERR_NOMEM when `ptr` is NULL. */
#define CB_ALLOC_GOTO(ptr, st, label)                                          \
  do {                                                                         \
    if ((ptr) == NULL) {                                                       \
      (st) = CB_ERROR(CB_ERR_NOMEM, "out of memory");                          \
      goto label;                                                              \
    }                                                                          \
  } while (0)

#endif

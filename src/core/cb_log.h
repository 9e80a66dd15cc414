/* cb_log.h - rank-aware logging. core knows nothing of MPI: src/par tells
 * it this process's rank with cb_log_set_rank once MPI is up. */
#ifndef CB_LOG_H
#define CB_LOG_H

typedef enum cb_log_level {
  CB_LOG_ERROR = 0,
  CB_LOG_WARN = 1,
  CB_LOG_INFO = 2,
  CB_LOG_DEBUG = 3
} cb_log_level;

void cb_log_set_level(cb_log_level level);
cb_log_level cb_log_get_level(void);
void cb_log_set_rank(int rank, int size);
int cb_log_rank(void);
int cb_log_size(void);

/* Message to stderr prefixed with "[rank r/n]" when there is more than one rank. */
void cb_log(cb_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Printed to stdout by rank 0 only (the others stay silent). */
void cb_print0(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Warning to stderr by rank 0 only. */
void cb_warn0(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif

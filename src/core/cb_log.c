#include "cb_log.h"

#include <stdarg.h>
#include <stdio.h>

#include "cb_progress.h"

static cb_log_level cb__level = CB_LOG_INFO;
static int cb__rank = 0;
static int cb__size = 1;

void cb_log_set_level(cb_log_level level) { cb__level = level; }
cb_log_level cb_log_get_level(void) { return cb__level; }

void cb_log_set_rank(int rank, int size) {
  cb__rank = rank;
  cb__size = size;
}
int cb_log_rank(void) { return cb__rank; }
int cb_log_size(void) { return cb__size; }

static const char *level_name(cb_log_level l) {
  switch (l) {
  case CB_LOG_ERROR: return "error";
  case CB_LOG_WARN: return "warning";
  case CB_LOG_INFO: return "info";
  case CB_LOG_DEBUG: return "debug";
  }
  return "?";
}

void cb_log(cb_log_level level, const char *fmt, ...) {
  if (level > cb__level) return;
  char msg[2048];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  cb_progress_break_line();
  if (cb__size > 1)
    fprintf(stderr, "cortexbench [rank %d/%d] %s: %s\n", cb__rank, cb__size, level_name(level), msg);
  else
    fprintf(stderr, "cortexbench %s: %s\n", level_name(level), msg);
}

void cb_print0(const char *fmt, ...) {
  if (cb__rank != 0) return;
  va_list ap;
  va_start(ap, fmt);
  vfprintf(stdout, fmt, ap);
  va_end(ap);
  fflush(stdout);
}

void cb_warn0(const char *fmt, ...) {
  if (cb__rank != 0 || cb__level < CB_LOG_WARN) return;
  char msg[2048];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  cb_progress_break_line();
  fprintf(stderr, "cortexbench warning: %s\n", msg);
}

#include "cb_status.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static _Thread_local char cb__msg[1024];
static _Thread_local char cb__where[256];
static _Thread_local cb_status cb__last = CB_OK;

const char *cb_status_str(cb_status s) {
  switch (s) {
  case CB_OK: return "ok";
  case CB_ERR_ARG: return "invalid argument";
  case CB_ERR_IO: return "i/o error";
  case CB_ERR_FORMAT: return "malformed input";
  case CB_ERR_CONFIG: return "configuration error";
  case CB_ERR_NOMEM: return "out of memory";
  case CB_ERR_NUMERIC: return "numerical error";
  case CB_ERR_UNSUPPORTED: return "unsupported";
  case CB_ERR_MPI: return "MPI error";
  case CB_ERR_INTERRUPTED: return "interrupted";
  case CB_ERR_INTERNAL: return "internal error";
  case CB_ERR_FAULT: return "fault";
  }
  return "unknown status";
}

cb_status cb_error_set(cb_status s, const char *file, int line, const char *fmt, ...) {
  /* Formatted aside first: an argument may be cb_error_message() itself (a message wrapped in context). */
  char text[sizeof cb__msg];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(text, sizeof text, fmt, ap);
  va_end(ap);
  memcpy(cb__msg, text, sizeof cb__msg);
  /* Keep the message on one line whatever the caller passed in. */
  for (char *p = cb__msg; *p; ++p)
    if (*p == '\n' || *p == '\r') *p = ' ';
  snprintf(cb__where, sizeof cb__where, "%s:%d", file ? file : "?", line);
  cb__last = s;
  return s;
}

const char *cb_error_message(void) { return cb__msg; }
const char *cb_error_where(void) { return cb__where; }
cb_status cb_error_status(void) { return cb__last; }

void cb_error_clear(void) {
  cb__msg[0] = '\0';
  cb__where[0] = '\0';
  cb__last = CB_OK;
}

cb_status cb_error_prefix(const char *fmt, ...) {
  char prefix[512], old[sizeof cb__msg];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(prefix, sizeof prefix, fmt, ap);
  va_end(ap);
  memcpy(old, cb__msg, sizeof old);
  size_t np = strlen(prefix), room = sizeof cb__msg - 1;
  if (np > room) np = room;
  memcpy(cb__msg, prefix, np);
  size_t at = np;
  for (const char *q = ": "; *q && at < room; ++q) cb__msg[at++] = *q;
  size_t no = strlen(old);
  if (no > room - at) no = room - at;
  memcpy(cb__msg + at, old, no);
  cb__msg[at + no] = '\0';
  for (char *p = cb__msg; *p; ++p)
    if (*p == '\n' || *p == '\r') *p = ' ';
  return cb__last;
}

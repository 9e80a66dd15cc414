/* cb_strbuf.h - growable text buffer for CSV, Markdown and JSON output. */
#ifndef CB_STRBUF_H
#define CB_STRBUF_H

#include <stddef.h>

#include "cb_status.h"

typedef struct cb_strbuf {
  char *data; /* (cap) bytes, NUL-terminated at len */
  size_t len;
  size_t cap;
} cb_strbuf;

cb_status cb_strbuf_printf(cb_strbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
cb_status cb_strbuf_append(cb_strbuf *b, const char *s);
void cb_strbuf_free(cb_strbuf *b);

/* Splits "a,b,c" (spaces around items trimmed, empty items dropped) into a
 * NULL-terminated array of strings; free with cb_strlist_free. */
cb_status cb_strlist_split(const char *s, char sep, char ***out, int *n);
void cb_strlist_free(char ***list);
/* Duplicates a string; NULL on allocation failure. */
char *cb_strdup(const char *s);

#endif

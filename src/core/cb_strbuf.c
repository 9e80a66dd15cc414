#include "cb_strbuf.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static cb_status reserve(cb_strbuf *b, size_t extra) {
  if (b->len + extra + 1 <= b->cap) return CB_OK;
  size_t cap = b->cap ? b->cap : 256;
  while (cap < b->len + extra + 1) cap *= 2;
  char *nd = realloc(b->data, cap);
  if (!nd) return CB_ERROR(CB_ERR_NOMEM, "out of memory for a text buffer");
  b->data = nd;
  b->cap = cap;
  return CB_OK;
}

cb_status cb_strbuf_printf(cb_strbuf *b, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int need = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (need < 0) return CB_ERROR(CB_ERR_INTERNAL, "bad format string");
  CB_CHECK(reserve(b, (size_t)need));
  va_start(ap, fmt);
  vsnprintf(b->data + b->len, (size_t)need + 1, fmt, ap);
  va_end(ap);
  b->len += (size_t)need;
  return CB_OK;
}

cb_status cb_strbuf_append(cb_strbuf *b, const char *s) {
  size_t n = strlen(s);
  CB_CHECK(reserve(b, n));
  memcpy(b->data + b->len, s, n + 1);
  b->len += n;
  return CB_OK;
}

void cb_strbuf_free(cb_strbuf *b) {
  if (!b) return;
  free(b->data);
  b->data = NULL;
  b->len = b->cap = 0;
}

char *cb_strdup(const char *s) {
  size_t n = strlen(s) + 1;
  char *d = malloc(n);
  if (d) memcpy(d, s, n);
  return d;
}

cb_status cb_strlist_split(const char *s, char sep, char ***out, int *n) {
  int cap = 1;
  for (const char *p = s; *p; ++p) cap += (*p == sep);
  char **list = calloc((size_t)cap + 1, sizeof *list);
  if (!list) return CB_ERROR(CB_ERR_NOMEM, "out of memory splitting a list");
  int k = 0;
  const char *start = s;
  for (;;) {
    const char *end = strchr(start, sep);
    if (!end) end = start + strlen(start);
    const char *a = start, *b = end;
    while (a < b && isspace((unsigned char)*a)) ++a;
    while (b > a && isspace((unsigned char)b[-1])) --b;
    if (b > a) {
      list[k] = malloc((size_t)(b - a) + 1);
      if (!list[k]) {
        cb_strlist_free(&list);
        return CB_ERROR(CB_ERR_NOMEM, "out of memory splitting a list");
      }
      memcpy(list[k], a, (size_t)(b - a));
      list[k][b - a] = '\0';
      ++k;
    }
    if (*end == '\0') break;
    start = end + 1;
  }
  *out = list;
  *n = k;
  return CB_OK;
}

void cb_strlist_free(char ***list) {
  if (!list || !*list) return;
  for (char **p = *list; *p; ++p) free(*p);
  free(*list);
  *list = NULL;
}

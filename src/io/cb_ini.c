/* cb_ini.c - the INI reader shared by the manifests and the suite
 * configuration (see cb_ini.h). libinih parses; this file feeds it lines,
 * counts them, tracks sections and keys between entries and turns libinih's
 * return code into one message. */
#include "cb_ini.h"

#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_fs.h"
#include "cb_strbuf.h"

/* One parse: the source of lines, the caller's callback and what the
 * previous entry was (for new_section and continued). */
typedef struct ini_run {
  FILE *fp;            /* the file, or NULL when reading text */
  const char *text;    /* the rest of the text */
  int line;            /* lines handed to libinih so far */
  cb_ini_fn fn;
  void *user;
  int any;             /* an entry was delivered */
  cb_strbuf section;   /* section of the previous entry */
  char last_key[64];   /* key of the previous entry (cut as the loaders always cut it) */
  cb_status st;
} ini_run;

/* libinih's reader (fgets-like): one line of at most num-1 bytes per call.
 * libinih counts one line per call, so counting calls here gives its numbers. */
static char *read_line(char *str, int num, void *stream) {
  ini_run *r = stream;
  char *got = NULL;
  if (r->fp) {
    got = fgets(str, num, r->fp);
  } else if (*r->text && num >= 2) { /* as libinih's own string reader */
    int k = 0;
    while (k < num - 1 && r->text[k]) {
      str[k] = r->text[k];
      if (r->text[k++] == '\n') break;
    }
    str[k] = '\0';
    r->text += k;
    got = str;
  }
  if (got) r->line++;
  return got;
}

static int on_entry(void *user, const char *section, const char *key, const char *value) {
  ini_run *r = user;
  if (r->st != CB_OK) return 0;
  const char *prev = r->section.data ? r->section.data : "";
  cb_ini_entry e = {.section = section, .key = key, .value = value, .line = r->line};
  e.new_section = !r->any || strcmp(section, prev) != 0;
  e.continued = !e.new_section && !strcmp(key, r->last_key);
  if (e.new_section) {
    cb_strbuf_free(&r->section);
    r->st = cb_strbuf_append(&r->section, section);
    if (r->st != CB_OK) return 0;
  }
  r->any = 1;
  snprintf(r->last_key, sizeof r->last_key, "%s", key);
  r->st = r->fn(r->user, &e);
  return r->st == CB_OK;
}

/* Runs libinih over r's lines; its code: 0, the first bad line, or -2 (out of memory). */
static cb_status run(const cb_ini_opts *o, ini_run *r) {
  int rc = ini_parse_stream(read_line, r, on_entry, r);
  cb_strbuf_free(&r->section);
  if (r->st != CB_OK) return r->st;
  if (rc == -2) return CB_ERROR(CB_ERR_NOMEM, "out of memory reading %s", o->path);
  if (rc == 0) return CB_OK;
  if (o->where == CB_INI_WHERE_WORD)
    return CB_ERROR(CB_ERR_CONFIG, "%s: line %d: syntax error (%s)", o->path, rc, o->syntax_hint);
  return CB_ERROR(CB_ERR_CONFIG, "%s:%d: syntax error (%s)", o->path, rc, o->syntax_hint);
}

cb_status cb_ini_parse_file(const cb_ini_opts *o, cb_ini_fn fn, void *user) {
  ini_run r = {.fn = fn, .user = user, .st = CB_OK};
  /* a regular file only: a FIFO or a device is refused with one line (cb_fs input policy) */
  CB_CHECK(cb_file_fopen_read(o->path, &r.fp));
  cb_status st = run(o, &r);
  fclose(r.fp);
  return st;
}

cb_status cb_ini_parse_text(const cb_ini_opts *o, const char *text, cb_ini_fn fn, void *user) {
  ini_run r = {.text = text, .fn = fn, .user = user, .st = CB_OK};
  return run(o, &r);
}

cb_status cb_ini_read_text(const char *path, char **out) {
  char *text = NULL;
  size_t n = 0;
  CB_CHECK(cb_file_read_all(path, &text, &n));
  if (strlen(text) != n) {
    cb_status st = CB_ERROR(CB_ERR_CONFIG, "%s: contains a NUL byte at offset %zu (not a text file)", path,
                            strlen(text));
    free(text);
    return st;
  }
  *out = text;
  return CB_OK;
}

cb_status cb_ini_each_header(const char *text, cb_ini_header_fn fn, void *user) {
  int line = 0;
  for (const char *p = text; *p;) {
    const char *eol = strchr(p, '\n');
    size_t len = eol ? (size_t)(eol - p) : strlen(p);
    const char *a = p, *b = p + len;
    ++line;
    while (a < b && isspace((unsigned char)*a)) ++a;
    const char *close = a < b && *a == '[' ? memchr(a, ']', (size_t)(b - a)) : NULL;
    if (close) CB_CHECK(fn(user, a + 1, (size_t)(close - a - 1), line));
    if (!eol) break;
    p = eol + 1;
  }
  return CB_OK;
}

const char *cb_ini_section_split(const char *section, char *kind, size_t cap) {
  const char *space = strchr(section, ' ');
  if (!space) return NULL;
  size_t kl = (size_t)(space - section);
  if (kl >= cap) kl = cap - 1;
  memcpy(kind, section, kl);
  kind[kl] = '\0';
  return space + 1;
}

const char *cb_ini_skip_blanks(const char *s) {
  while (*s == ' ') ++s;
  return s;
}

int cb_ini_double(const char *v, double *out) {
  char *end;
  errno = 0;
  double x = strtod(v, &end);
  if (errno || *end || !*v || !isfinite(x)) return 0;
  *out = x;
  return 1;
}

int cb_ini_int(const char *v, int lo, int hi, int *out) {
  char *end;
  errno = 0;
  long x = strtol(v, &end, 10);
  if (errno || *end || !*v || x < lo || x > hi) return 0;
  *out = (int)x;
  return 1;
}

int cb_ini_bool(const char *v, int *out) {
  if (!strcmp(v, "true") || !strcmp(v, "yes") || !strcmp(v, "1")) *out = 1;
  else if (!strcmp(v, "false") || !strcmp(v, "no") || !strcmp(v, "0")) *out = 0;
  else return 0;
  return 1;
}

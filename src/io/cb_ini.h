/* cb_ini.h - the one INI reader of cortexbench: dataset manifests
 * (datasets/<id>.ini, cb_manifest.c), the zoo manifest (benchmarks/zoo.ini,
 * cb_zoo_manifest.c) and suite configurations (cb_config.c) all drive
 * libinih through it.
 *
 * A loader gives a callback that receives one entry (section, key, value,
 * line) at a time and returns a cb_status: the first failure stops the
 * parse and is returned as it is (the callback wrote its one-line message).
 * A line libinih cannot parse becomes one CB_ERR_CONFIG message in the
 * loader's own wording (cb_ini_opts). Section names of the form
 * "KIND NAME" ("[model alexnet]", "[dataset v1]") are split with
 * cb_ini_section_split; the few value parsers the loaders share follow. */
#ifndef CB_INI_H
#define CB_INI_H

#include <stddef.h>

#include "cb_status.h"

/* One "key = value" line, as libinih hands it over (value trimmed, an inline
 * " ;" comment cut on first lines). An indented line continues the previous
 * key: it comes as a new entry with the same key. */
typedef struct cb_ini_entry {
  const char *section; /* "" before the first [section] */
  const char *key;
  const char *value;
  int line;            /* 1-based line number, counted as libinih counts */
  int new_section;     /* the first entry, or its section differs from the previous entry's */
  int continued;       /* same section and same key as the previous entry (a continuation line or the key again) */
} cb_ini_entry;

typedef cb_status (*cb_ini_fn)(void *user, const cb_ini_entry *e);

/* How a syntax error is located in its message. */
typedef enum cb_ini_where {
  CB_INI_WHERE_COLON, /* "PATH:LINE: syntax error (HINT)" */
  CB_INI_WHERE_WORD   /* "PATH: line LINE: syntax error (HINT)" */
} cb_ini_where;

typedef struct cb_ini_opts {
  const char *path;        /* named in messages */
  cb_ini_where where;
  const char *syntax_hint; /* the parenthesis after "syntax error" */
} cb_ini_opts;

/* Parses o->path (a regular file only: cb_file_fopen_read's checks and
 * message), handing every entry to fn. */
cb_status cb_ini_parse_file(const cb_ini_opts *o, cb_ini_fn fn, void *user);
/* Same on text already read (NUL-terminated); o->path is only named. */
cb_status cb_ini_parse_text(const cb_ini_opts *o, const char *text, cb_ini_fn fn, void *user);

/* The whole file `path` as text (cb_file_read_all); a NUL byte inside is the
 * error "PATH: contains a NUL byte at offset N (not a text file)". The
 * caller frees *out. */
cb_status cb_ini_read_text(const char *path, char **out);

/* Calls fn(user, inside, len, line) for every section header of text: a line
 * whose first non-blank character is '[' and that has a ']'; `inside` points
 * after the '[' and spans `len` bytes up to the ']' (untrimmed, not
 * NUL-terminated). libinih reports only sections that have keys; this sees
 * every header. A failure of fn stops the scan and is returned. */
typedef cb_status (*cb_ini_header_fn)(void *user, const char *inside, size_t len, int line);
cb_status cb_ini_each_header(const char *text, cb_ini_header_fn fn, void *user);

/* "KIND NAME": copies KIND (the text before the first space, cut to cap-1
 * bytes) into kind and returns the text after that space (NULL when the
 * section has no space). The caller skips the blanks of the NAME part with
 * cb_ini_skip_blanks when it wants them skipped. */
const char *cb_ini_section_split(const char *section, char *kind, size_t cap);
/* s past its leading ' ' characters. */
const char *cb_ini_skip_blanks(const char *s);

/* Value parsers: 1 on success (writing *out), 0 when v is not one. */
/* A finite number, the whole of v (strtod). */
int cb_ini_double(const char *v, double *out);
/* An integer in [lo, hi], the whole of v (strtol). */
int cb_ini_int(const char *v, int lo, int hi, int *out);
/* true, yes, 1 / false, no, 0. */
int cb_ini_bool(const char *v, int *out);

#endif

/* cb_csv.h - the one CSV reader of cortexbench (stimulus sets, assembly imports, leaderboards), RFC 4180 through
 * libcsv in strict mode: quoted fields may hold commas, newlines and doubled quotes; spaces are kept; a UTF-8 byte
 * order mark and blank lines are skipped. Errors name the file and the line: a quote inside an unquoted field, a
 * character after a closing quote, an unterminated quoted field, a NUL byte. */
#ifndef CB_CSV_H
#define CB_CSV_H

#include <stddef.h>

#include "cb_status.h"

/* Every record of a CSV text. Field strings are owned by the table. */
typedef struct cb_csv {
  int n_rows;
  int *row_start; /* (n_rows + 1) index of each row's first field in `fields` */
  int *row_line;  /* (n_rows) 1-based line on which the record starts */
  int n_fields;
  char **fields;  /* (n_fields) NUL-terminated */
  int cap_rows, cap_fields;
} cb_csv;

/* Parses text[0..len) into t (zero-initialised by the caller, released by cb_csv_free on success or failure). */
cb_status cb_csv_parse(const char *path, const char *text, size_t len, cb_csv *t);
/* Reads and parses the file (cb_file_read_all's checks: a regular file under 2 GiB). */
cb_status cb_csv_read(const char *path, cb_csv *t);
void cb_csv_free(cb_csv *t);

static inline int cb_csv_row_len(const cb_csv *t, int r) { return t->row_start[r + 1] - t->row_start[r]; }
static inline char **cb_csv_row(const cb_csv *t, int r) { return t->fields + t->row_start[r]; }

#endif

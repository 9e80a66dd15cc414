/* cb_csv.c - CSV tables through libcsv (see cb_csv.h). */
#include "cb_csv.h"

#include <csv.h>
#include <stdlib.h>
#include <string.h>

#include "cb_fs.h"

typedef struct parse_ctx {
  cb_csv *t;
  int line;      /* physical line being fed */
  int row_open;  /* a record has begun and not ended */
  int row_line;  /* line on which the open record began */
  cb_status st;  /* first failure inside a callback */
} parse_ctx;

void cb_csv_free(cb_csv *t) {
  if (t == NULL) return;
  for (int i = 0; i < t->n_fields; ++i) free(t->fields[i]);
  free(t->fields);
  free(t->row_start);
  free(t->row_line);
  memset(t, 0, sizeof *t);
}

static cb_status begin_row(cb_csv *t, int line) {
  if (t->n_rows + 1 >= t->cap_rows) {
    int cap = t->cap_rows ? 2 * t->cap_rows : 64;
    int *ns = realloc(t->row_start, (size_t)(cap + 1) * sizeof *ns);
    if (!ns) return CB_ERROR(CB_ERR_NOMEM, "out of memory parsing CSV");
    t->row_start = ns;
    int *nl = realloc(t->row_line, (size_t)cap * sizeof *nl);
    if (!nl) return CB_ERROR(CB_ERR_NOMEM, "out of memory parsing CSV");
    t->row_line = nl;
    t->cap_rows = cap;
  }
  t->row_start[t->n_rows] = t->n_fields;
  t->row_line[t->n_rows] = line;
  t->n_rows++;
  t->row_start[t->n_rows] = t->n_fields;
  return CB_OK;
}

static cb_status push_field(cb_csv *t, const char *s, size_t len) {
  if (t->n_fields == t->cap_fields) {
    int cap = t->cap_fields ? 2 * t->cap_fields : 64;
    char **nf = realloc(t->fields, (size_t)cap * sizeof *nf);
    if (!nf) return CB_ERROR(CB_ERR_NOMEM, "out of memory parsing CSV");
    t->fields = nf;
    t->cap_fields = cap;
  }
  char *f = malloc(len + 1);
  if (!f) return CB_ERROR(CB_ERR_NOMEM, "out of memory parsing CSV");
  if (len) memcpy(f, s, len);
  f[len] = '\0';
  t->fields[t->n_fields++] = f;
  t->row_start[t->n_rows] = t->n_fields;
  return CB_OK;
}

/* libcsv: end of a field. row_open: 0 no record, 1 a record's first line was fed, 2 its row exists. */
static void on_field(void *s, size_t len, void *data) {
  parse_ctx *c = data;
  if (c->st != CB_OK) return;
  if (c->row_open != 2) {
    c->st = begin_row(c->t, c->row_line);
    c->row_open = 2;
    if (c->st != CB_OK) return;
  }
  c->st = push_field(c->t, s ? s : "", s ? len : 0);
}

/* libcsv: end of a record */
static void on_record(int ch, void *data) {
  parse_ctx *c = data;
  (void)ch;
  c->row_open = 0;
}

static int no_space(unsigned char ch) { (void)ch; return 0; } /* spaces belong to the field */

cb_status cb_csv_parse(const char *path, const char *text, size_t len, cb_csv *t) {
  struct csv_parser p;
  if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0)
    return CB_ERROR(CB_ERR_NOMEM, "%s: cannot start the CSV parser", path);
  csv_set_space_func(&p, no_space);
  parse_ctx c = {t, 1, 0, 1, CB_OK};
  size_t i = 0;
  if (len >= 3 && (unsigned char)text[0] == 0xEF && (unsigned char)text[1] == 0xBB && (unsigned char)text[2] == 0xBF)
    i = 3;
  cb_status st = CB_OK;
  while (i < len && st == CB_OK) { /* one physical line per call, so that errors know their line */
    const char *nl = memchr(text + i, '\n', len - i);
    size_t n = nl ? (size_t)(nl - (text + i)) + 1 : len - i;
    if (memchr(text + i, '\0', n)) {
      st = CB_ERROR(CB_ERR_FORMAT, "%s:%d: NUL byte in text", path, c.line);
      break;
    }
    int blank = n == 1 || (n == 2 && text[i] == '\r');
    if (!c.row_open && !(nl && blank)) {
      c.row_open = 1;
      c.row_line = c.line;
    }
    size_t used = csv_parse(&p, text + i, n, on_field, on_record, &c);
    if (c.st != CB_OK) {
      st = c.st;
    } else if (used != n) {
      st = CB_ERROR(CB_ERR_FORMAT, "%s:%d: %s", path, c.line,
                    text[i + used] == '"' ? "quote inside an unquoted field"
                                          : "unexpected character after a closing quote");
    }
    i += n;
    c.line++;
  }
  if (st == CB_OK && csv_fini(&p, on_field, on_record, &c) != 0)
    st = CB_ERROR(CB_ERR_FORMAT, "%s:%d: unterminated quoted field", path, c.row_line);
  if (st == CB_OK) st = c.st;
  csv_free(&p);
  if (st != CB_OK) cb_csv_free(t);
  return st;
}

cb_status cb_csv_read(const char *path, cb_csv *t) {
  char *text = NULL;
  size_t len = 0;
  CB_CHECK(cb_file_read_all(path, &text, &len));
  cb_status st = cb_csv_parse(path, text, len, t);
  free(text);
  return st;
}

/* cb_compare.c - reads another leaderboard CSV and prints what changed. */
#include "cb_compare.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_fs.h"

typedef struct csv_table {
  int n_cols, n_rows;
  char **cell; /* (n_rows + 1, n_cols) header first; NULL where a row is short */
} csv_table;

static void csv_free(csv_table *t) {
  for (int i = 0; t->cell && i < (t->n_rows + 1) * t->n_cols; ++i) free(t->cell[i]);
  free(t->cell);
  memset(t, 0, sizeof *t);
}

/* One RFC 4180 record starting at *p; fields appended to v. */
static cb_status csv_record(const char **pp, char ***v, int *n, int *cap, const char *path, int line) {
  const char *p = *pp;
  for (;;) {
    cb_strbuf f = {0};
    cb_status st = cb_strbuf_append(&f, "");
    if (*p == '"') {
      ++p;
      for (;;) {
        if (!*p) {
          cb_strbuf_free(&f);
          return CB_ERROR(CB_ERR_FORMAT, "%s:%d: unterminated quoted field", path, line);
        }
        if (*p == '"' && p[1] == '"') {
          st = st ? st : cb_strbuf_append(&f, "\"");
          p += 2;
        } else if (*p == '"') {
          ++p;
          break;
        } else {
          st = st ? st : cb_strbuf_printf(&f, "%c", *p);
          ++p;
        }
      }
    } else {
      const char *e = p + strcspn(p, ",\r\n");
      st = st ? st : cb_strbuf_printf(&f, "%.*s", (int)(e - p), p);
      p = e;
    }
    if (st == CB_OK && *n == *cap) {
      int c = *cap ? 2 * *cap : 16;
      char **nv = realloc(*v, (size_t)c * sizeof *nv);
      if (!nv) st = CB_ERROR(CB_ERR_NOMEM, "out of memory");
      else {
        *v = nv;
        *cap = c;
      }
    }
    if (st != CB_OK) {
      cb_strbuf_free(&f);
      return st;
    }
    (*v)[(*n)++] = f.data;
    if (*p == ',') {
      ++p;
      continue;
    }
    if (*p && *p != '\r' && *p != '\n')
      return CB_ERROR(CB_ERR_FORMAT, "%s:%d: text after a quoted field", path, line);
    if (*p == '\r') ++p;
    if (*p == '\n') ++p;
    *pp = p;
    return CB_OK;
  }
}

static cb_status csv_read(const char *path, csv_table *t) {
  char *text = NULL;
  size_t len = 0;
  CB_CHECK(cb_file_read_all(path, &text, &len));
  cb_status st = CB_OK;
  char ***rows = NULL;
  int *widths = NULL, n_rows = 0, cap_rows = 0;
  const char *p = text;
  int line = 1;
  while (*p && st == CB_OK) {
    if (*p == '\n' || *p == '\r') { /* blank line */
      p += *p == '\r' && p[1] == '\n' ? 2 : 1;
      ++line;
      continue;
    }
    if (n_rows == cap_rows) {
      cap_rows = cap_rows ? 2 * cap_rows : 16;
      char ***nr = realloc(rows, (size_t)cap_rows * sizeof *nr);
      int *nw = realloc(widths, (size_t)cap_rows * sizeof *nw);
      if (nr) rows = nr;
      if (nw) widths = nw;
      if (!nr || !nw) {
        st = CB_ERROR(CB_ERR_NOMEM, "out of memory");
        break;
      }
    }
    int n = 0, cap = 0;
    rows[n_rows] = NULL;
    st = csv_record(&p, &rows[n_rows], &n, &cap, path, line);
    widths[n_rows++] = n;
    ++line;
  }
  if (st == CB_OK && n_rows == 0) st = CB_ERROR(CB_ERR_FORMAT, "%s: empty file, expected a leaderboard CSV", path);
  if (st == CB_OK) {
    t->n_cols = widths[0];
    t->n_rows = n_rows - 1;
    t->cell = calloc((size_t)n_rows * (size_t)t->n_cols, sizeof *t->cell);
    if (!t->cell) st = CB_ERROR(CB_ERR_NOMEM, "out of memory");
  }
  for (int r = 0; r < n_rows; ++r) {
    for (int c = 0; c < widths[r]; ++c) {
      if (st == CB_OK && c < t->n_cols) t->cell[(size_t)r * t->n_cols + c] = rows[r][c];
      else free(rows[r][c]);
    }
    free(rows[r]);
  }
  free(rows);
  free(widths);
  free(text);
  if (st != CB_OK) csv_free(t);
  return st;
}

static int col_of(const csv_table *t, const char *name) {
  for (int c = 0; c < t->n_cols; ++c)
    if (t->cell[c] && !strcmp(t->cell[c], name)) return c;
  return -1;
}

static const char *at(const csv_table *t, int row, int col) {
  const char *v = col >= 0 ? t->cell[(size_t)(row + 1) * t->n_cols + col] : NULL;
  return v ? v : "";
}

static double parse_num(const char *s) {
  if (!*s) return NAN;
  char *end;
  double x = strtod(s, &end);
  return *end ? NAN : x;
}

/* x as the CSV files hold it (4 decimals). */
static double four(double x) { return isnan(x) ? NAN : round(x * 1e4) / 1e4; }

static cb_status delta(cb_strbuf *o, double now, double old) {
  if (isnan(now) || isnan(old)) return cb_strbuf_append(o, " |");
  double d = four(now) - old;
  if (fabs(d) < 5e-5) d = 0; /* -0.0000 and print noise */
  return cb_strbuf_printf(o, " %+.4f |", d);
}

cb_status cb_leaderboard_compare(const cb_leaderboard *lb, const char *other_csv, cb_strbuf *o) {
  csv_table t = {0};
  CB_CHECK(csv_read(other_csv, &t));
  cb_status st = CB_OK;
  int c_rank = col_of(&t, "rank"), c_model = col_of(&t, "model"), c_avg = col_of(&t, "average");
  int *bcol = calloc((size_t)lb->n_bench + 1, sizeof *bcol); /* (n_bench) column in the other CSV, -1 none */
  CB_ALLOC_GOTO(bcol, st, done);
  if (c_rank < 0 || c_model < 0 || c_avg < 0) {
    st = CB_ERROR(CB_ERR_FORMAT, "%s: not a leaderboard CSV (the header needs rank, model and average)", other_csv);
    goto done;
  }
  for (int b = 0; b < lb->n_bench; ++b) bcol[b] = col_of(&t, lb->bench[b]);
  CB_CHECK_GOTO(cb_strbuf_printf(o, "Compared with %s (change: places up +, down -):\n\n| model | rank | change | "
                                    "average | delta |",
                                 other_csv),
                st, done);
  for (int b = 0; b < lb->n_bench; ++b)
    if (bcol[b] >= 0) CB_CHECK_GOTO(cb_strbuf_printf(o, " delta %s |", lb->bench[b]), st, done);
  CB_CHECK_GOTO(cb_strbuf_append(o, "\n|---|---:|---:|---:|---:|"), st, done);
  for (int b = 0; b < lb->n_bench; ++b)
    if (bcol[b] >= 0) CB_CHECK_GOTO(cb_strbuf_append(o, "---:|"), st, done);
  CB_CHECK_GOTO(cb_strbuf_append(o, "\n"), st, done);
  for (int m = 0; m < lb->n_models; ++m) {
    const cb_lb_row *r = &lb->rows[m];
    int old = -1;
    for (int i = 0; i < t.n_rows && old < 0; ++i)
      if (!strcmp(at(&t, i, c_model), r->model)) old = i;
    char avg[32] = "-";
    if (!isnan(r->average)) snprintf(avg, sizeof avg, "%.4f", r->average);
    if (old < 0) {
      CB_CHECK_GOTO(cb_strbuf_printf(o, "| %s | new -> %d | new | %s | |", r->model, r->rank, avg), st, done);
      for (int b = 0; b < lb->n_bench; ++b)
        if (bcol[b] >= 0) CB_CHECK_GOTO(cb_strbuf_append(o, " |"), st, done);
    } else {
      int old_rank = atoi(at(&t, old, c_rank));
      char change[32];
      if (old_rank == r->rank) snprintf(change, sizeof change, "=");
      else snprintf(change, sizeof change, "%+d", old_rank - r->rank);
      CB_CHECK_GOTO(cb_strbuf_printf(o, "| %s | %d -> %d | %s | %s |", r->model, old_rank, r->rank, change, avg), st,
                    done);
      CB_CHECK_GOTO(delta(o, r->average, parse_num(at(&t, old, c_avg))), st, done);
      for (int b = 0; b < lb->n_bench; ++b)
        if (bcol[b] >= 0) CB_CHECK_GOTO(delta(o, r->score[b], parse_num(at(&t, old, bcol[b]))), st, done);
    }
    CB_CHECK_GOTO(cb_strbuf_append(o, "\n"), st, done);
  }
  for (int i = 0; i < t.n_rows; ++i) {
    int found = 0;
    for (int m = 0; m < lb->n_models && !found; ++m) found = !strcmp(lb->rows[m].model, at(&t, i, c_model));
    if (!found)
      CB_CHECK_GOTO(cb_strbuf_printf(o, "removed: %s (was rank %s, average %s)\n", at(&t, i, c_model),
                                     at(&t, i, c_rank), *at(&t, i, c_avg) ? at(&t, i, c_avg) : "-"),
                    st, done);
  }
done:
  free(bcol);
  csv_free(&t);
  return st;
}

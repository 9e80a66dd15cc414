/* cb_compare.c - reads another leaderboard CSV and prints what changed. */
#include "cb_compare.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_csv.h"
#include "cb_fs.h"

/* A leaderboard CSV: its header (row 0) and rows (cb_csv: libcsv). */
typedef struct csv_table {
  int n_cols, n_rows; /* columns of the header; rows after it */
  cb_csv csv;
} csv_table;

static void csv_free(csv_table *t) {
  cb_csv_free(&t->csv);
  memset(t, 0, sizeof *t);
}

static cb_status csv_read(const char *path, csv_table *t) {
  CB_CHECK(cb_csv_read(path, &t->csv));
  if (t->csv.n_rows == 0) {
    csv_free(t);
    return CB_ERROR(CB_ERR_FORMAT, "%s: empty file, expected a leaderboard CSV", path);
  }
  t->n_cols = cb_csv_row_len(&t->csv, 0);
  t->n_rows = t->csv.n_rows - 1;
  return CB_OK;
}

static int col_of(const csv_table *t, const char *name) {
  char **h = cb_csv_row(&t->csv, 0);
  for (int c = 0; c < t->n_cols; ++c)
    if (!strcmp(h[c], name)) return c;
  return -1;
}

/* The cell of data row `row` (0 = first after the header) and column col; "" where the row is short. */
static const char *at(const csv_table *t, int row, int col) {
  if (col < 0 || col >= cb_csv_row_len(&t->csv, row + 1)) return "";
  return cb_csv_row(&t->csv, row + 1)[col];
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

/* cb_stimuli.c - BrainIO stimulus-set CSV reader/writer. */
#include "cb_stimuli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_csv.h"
#include "cb_fs.h"
#include "cb_zip.h"
#include "cb_strbuf.h"

/* ---- helpers ------------------------------------------------------------ */

/* 1 when `name` is a relative path that stays inside its base directory. */
static int filename_is_safe(const char *name) {
  if (name[0] == '\0' || name[0] == '/' || name[0] == '\\') return 0;
  int depth = 0;
  const char *p = name;
  while (*p) {
    const char *q = p;
    while (*q && *q != '/') ++q;
    size_t n = (size_t)(q - p);
    if (n == 2 && p[0] == '.' && p[1] == '.') {
      if (--depth < 0) return 0;
    } else if (n > 0 && !(n == 1 && p[0] == '.')) {
      ++depth;
    }
    p = *q ? q + 1 : q;
  }
  return 1;
}

typedef struct id_ref {
  const char *id;
  int row;
} id_ref;

static int cmp_id_ref(const void *a, const void *b) {
  const id_ref *x = a, *y = b;
  int c = strcmp(x->id, y->id);
  if (c) return c;
  return (x->row > y->row) - (x->row < y->row);
}

/* ---- public API --------------------------------------------------------- */

cb_status cb_stimulus_set_create(int n, int n_meta, const char *const *meta_names, cb_stimulus_set **out) {
  cb_status st = CB_OK;
  if (n < 0 || n_meta < 0 || (n_meta > 0 && !meta_names))
    return CB_ERROR(CB_ERR_ARG, "stimulus set: invalid size n=%d n_meta=%d", n, n_meta);
  cb_stimulus_set *s = calloc(1, sizeof *s);
  CB_ALLOC_GOTO(s, st, fail);
  s->n = n;
  s->n_meta = n_meta;
  s->base_dir = cb_strdup(".");
  CB_ALLOC_GOTO(s->base_dir, st, fail);
  s->stimulus_id = calloc((size_t)n + 1, sizeof *s->stimulus_id);
  CB_ALLOC_GOTO(s->stimulus_id, st, fail);
  s->filename = calloc((size_t)n + 1, sizeof *s->filename);
  CB_ALLOC_GOTO(s->filename, st, fail);
  s->meta_names = calloc((size_t)n_meta + 1, sizeof *s->meta_names);
  CB_ALLOC_GOTO(s->meta_names, st, fail);
  for (int j = 0; j < n_meta; ++j) {
    s->meta_names[j] = cb_strdup(meta_names[j] ? meta_names[j] : "");
    CB_ALLOC_GOTO(s->meta_names[j], st, fail);
  }
  s->meta = calloc((size_t)n * (size_t)n_meta + 1, sizeof *s->meta);
  CB_ALLOC_GOTO(s->meta, st, fail);
  *out = s;
  return CB_OK;
fail:
  cb_stimulus_set_destroy(&s);
  return st;
}

void cb_stimulus_set_destroy(cb_stimulus_set **sp) {
  if (!sp || !*sp) return;
  cb_stimulus_set *s = *sp;
  if (s->stimulus_id)
    for (int i = 0; i < s->n; ++i) free(s->stimulus_id[i]);
  if (s->filename)
    for (int i = 0; i < s->n; ++i) free(s->filename[i]);
  if (s->meta_names)
    for (int j = 0; j < s->n_meta; ++j) free(s->meta_names[j]);
  if (s->meta)
    for (size_t k = 0; k < (size_t)s->n * (size_t)s->n_meta; ++k) free(s->meta[k]);
  free(s->stimulus_id);
  free(s->filename);
  free(s->meta_names);
  free(s->meta);
  free(s->path);
  free(s->base_dir);
  free(s->zip_path);
  cb_zip_destroy(&s->zip);
  free(s);
  *sp = NULL;
}

/* "<dir>/<name>.zip" for "<dir>/<name>.csv" (or "<path>.zip" without .csv). */
static cb_status zip_beside(const char *csv_path, char *out, size_t n) {
  size_t len = strlen(csv_path);
  if (len >= 4 && strcmp(csv_path + len - 4, ".csv") == 0) len -= 4;
  if (len + 5 > n) return CB_ERROR(CB_ERR_ARG, "%s: path too long", csv_path);
  memcpy(out, csv_path, len);
  memcpy(out + len, ".zip", 5);
  return CB_OK;
}

/* Opens the set's zip and checks that it holds every listed file. */
static cb_status attach_zip(cb_stimulus_set *s, const char *zip_path) {
  s->zip_path = cb_strdup(zip_path);
  if (!s->zip_path) return CB_ERROR(CB_ERR_NOMEM, "out of memory");
  CB_CHECK(cb_zip_open(zip_path, &s->zip));
  for (int i = 0; i < s->n; ++i)
    if (!cb_zip_has(s->zip, s->filename[i]))
      return CB_ERROR(CB_ERR_FORMAT, "%s: file '%s' of stimulus '%s' (%s) is missing from the zip", zip_path,
                      s->filename[i], s->stimulus_id[i], s->path ? s->path : "stimulus set");
  return CB_OK;
}

cb_status cb_stimulus_set_read(const char *csv_path, cb_stimulus_set **out) {
  return cb_stimulus_set_read_zip(csv_path, NULL, out);
}

/* The header's columns: stimulus_id (or the legacy image_id) and filename; each name once. */
static cb_status find_columns(const char *csv_path, const cb_csv *t, int *col_id, int *col_file) {
  int ncol = cb_csv_row_len(t, 0), col_legacy = -1;
  char **hdr = cb_csv_row(t, 0);
  *col_id = *col_file = -1;
  for (int c = 0; c < ncol; ++c) {
    for (int d = 0; d < c; ++d)
      if (strcmp(hdr[c], hdr[d]) == 0)
        return CB_ERROR(CB_ERR_FORMAT, "%s:%d: duplicate column '%s'", csv_path, t->row_line[0], hdr[c]);
    if (strcmp(hdr[c], "stimulus_id") == 0) *col_id = c;
    if (strcmp(hdr[c], "image_id") == 0) col_legacy = c;
    if (strcmp(hdr[c], "filename") == 0) *col_file = c;
  }
  if (*col_id < 0) *col_id = col_legacy; /* legacy BrainIO name */
  if (*col_id < 0) return CB_ERROR(CB_ERR_FORMAT, "%s: missing required column 'stimulus_id' (or 'image_id')", csv_path);
  if (*col_file < 0) return CB_ERROR(CB_ERR_FORMAT, "%s: missing required column 'filename'", csv_path);
  if (t->n_rows == 1) return CB_ERROR(CB_ERR_FORMAT, "%s: no stimuli (the CSV has a header and no rows)", csv_path);
  return CB_OK;
}

/* An empty set with one slot per row and the other columns as metadata (meta_col: their CSV columns). */
static cb_status create_from_header(const cb_csv *t, int col_id, int col_file, int *meta_col, cb_stimulus_set **out) {
  int ncol = cb_csv_row_len(t, 0), n_meta = ncol - 2;
  char **hdr = cb_csv_row(t, 0);
  const char **names = (const char **)malloc((size_t)(n_meta > 0 ? n_meta : 1) * sizeof *names);
  if (!names) return CB_ERROR(CB_ERR_NOMEM, "out of memory");
  int k = 0;
  for (int c = 0; c < ncol; ++c) {
    if (c == col_id || c == col_file) continue;
    meta_col[k] = c;
    names[k++] = hdr[c];
  }
  cb_status st = cb_stimulus_set_create(t->n_rows - 1, n_meta, names, out);
  free((void *)names);
  return st;
}

/* Checks every row and moves its strings into the set (the table frees NULL harmlessly); the files must all be of
 * one modality (cb_modality_of_file), which becomes the set's. */
static cb_status take_rows(const char *csv_path, cb_csv *t, int col_id, int col_file, const int *meta_col,
                           cb_stimulus_set *s) {
  const int ncol = cb_csv_row_len(t, 0), n_meta = ncol - 2;
  for (int r = 1; r <= s->n; ++r) {
    char **row = cb_csv_row(t, r);
    int line = t->row_line[r];
    if (cb_csv_row_len(t, r) != ncol)
      return CB_ERROR(CB_ERR_FORMAT, "%s:%d: row has %d fields, header has %d", csv_path, line, cb_csv_row_len(t, r),
                      ncol);
    if (row[col_id][0] == '\0') return CB_ERROR(CB_ERR_FORMAT, "%s:%d: empty stimulus id", csv_path, line);
    if (!filename_is_safe(row[col_file]))
      return CB_ERROR(CB_ERR_FORMAT, "%s:%d: filename '%s' is empty, absolute or leaves the stimulus directory",
                      csv_path, line, row[col_file]);
    cb_modality kind = cb_modality_of_file(row[col_file]);
    if (r > 1 && kind != s->modality)
      return CB_ERROR(CB_ERR_FORMAT, "%s:%d: '%s' is %s but the rows above are %s: a stimulus set holds one modality",
                      csv_path, line, row[col_file], kind == CB_MODALITY_AUDIO ? "a sound" : "an image",
                      s->modality == CB_MODALITY_AUDIO ? "sounds" : "images");
    s->modality = kind;
    int i = r - 1;
    s->stimulus_id[i] = row[col_id];
    row[col_id] = NULL;
    s->filename[i] = row[col_file];
    row[col_file] = NULL;
    for (int k = 0; k < n_meta; ++k) {
      s->meta[(size_t)i * (size_t)n_meta + (size_t)k] = row[meta_col[k]];
      row[meta_col[k]] = NULL;
    }
  }
  return CB_OK;
}

/* Stimulus ids are unique (sorted copy; the message names both lines). */
static cb_status check_unique_ids(const char *csv_path, const cb_csv *t, const cb_stimulus_set *s) {
  id_ref *refs = malloc((size_t)(s->n > 0 ? s->n : 1) * sizeof *refs);
  if (!refs) return CB_ERROR(CB_ERR_NOMEM, "out of memory");
  for (int i = 0; i < s->n; ++i) refs[i] = (id_ref){s->stimulus_id[i], i};
  qsort(refs, (size_t)s->n, sizeof *refs, cmp_id_ref);
  cb_status st = CB_OK;
  for (int i = 1; i < s->n && st == CB_OK; ++i)
    if (strcmp(refs[i].id, refs[i - 1].id) == 0)
      st = CB_ERROR(CB_ERR_FORMAT, "%s:%d: duplicate stimulus id '%s' (first on line %d)", csv_path,
                    t->row_line[refs[i].row + 1], refs[i].id, t->row_line[refs[i - 1].row + 1]);
  free(refs);
  return st;
}

/* Where the files are: the CSV's directory, and the zip given or beside the CSV. */
static cb_status locate_files(cb_stimulus_set *s, const char *csv_path, const char *zip_path) {
  char dir[CB_PATH_MAX], zp[CB_PATH_MAX];
  s->path = cb_strdup(csv_path);
  if (!s->path) return CB_ERROR(CB_ERR_NOMEM, "out of memory");
  cb_path_dirname(csv_path, dir, sizeof dir);
  free(s->base_dir);
  s->base_dir = cb_strdup(dir);
  if (!s->base_dir) return CB_ERROR(CB_ERR_NOMEM, "out of memory");
  if (zip_path) return attach_zip(s, zip_path);
  CB_CHECK(zip_beside(csv_path, zp, sizeof zp));
  if (cb_path_exists(zp) && !cb_path_is_dir(zp)) CB_CHECK(attach_zip(s, zp));
  return CB_OK;
}

cb_status cb_stimulus_set_read_zip(const char *csv_path, const char *zip_path, cb_stimulus_set **out) {
  cb_status st = CB_OK;
  char *text = NULL;
  size_t len = 0;
  cb_csv t = {0};
  cb_stimulus_set *s = NULL;
  int *meta_col = NULL; /* (columns - 2) CSV column of each metadata column */
  int col_id, col_file;
  CB_CHECK_GOTO(cb_file_read_all(csv_path, &text, &len), st, done);
  CB_CHECK_GOTO(cb_csv_parse(csv_path, text, len, &t), st, done);
  if (t.n_rows == 0) {
    st = CB_ERROR(CB_ERR_FORMAT, "%s: empty stimulus CSV (no header)", csv_path);
    goto done;
  }
  CB_CHECK_GOTO(find_columns(csv_path, &t, &col_id, &col_file), st, done);
  meta_col = malloc((size_t)(cb_csv_row_len(&t, 0) > 2 ? cb_csv_row_len(&t, 0) - 2 : 1) * sizeof *meta_col);
  CB_ALLOC_GOTO(meta_col, st, done);
  CB_CHECK_GOTO(create_from_header(&t, col_id, col_file, meta_col, &s), st, done);
  CB_CHECK_GOTO(take_rows(csv_path, &t, col_id, col_file, meta_col, s), st, done);
  CB_CHECK_GOTO(check_unique_ids(csv_path, &t, s), st, done);
  CB_CHECK_GOTO(locate_files(s, csv_path, zip_path), st, done);
  *out = s;
  s = NULL;
done:
  cb_stimulus_set_destroy(&s);
  free(meta_col);
  cb_csv_free(&t);
  free(text);
  return st;
}

cb_modality cb_stimulus_set_modality(const cb_stimulus_set *s) {
  if (s == NULL) return CB_MODALITY_UNSET;
  if (s->modality != CB_MODALITY_UNSET) return s->modality;
  return s->n > 0 && s->filename[0] ? cb_modality_of_file(s->filename[0]) : CB_MODALITY_VISUAL;
}

cb_status cb_stimulus_set_declare(cb_stimulus_set *s, cb_modality m, const char *who) {
  if (s == NULL) return CB_ERROR(CB_ERR_ARG, "stimulus set: NULL argument");
  if (m == CB_MODALITY_UNSET) return CB_OK;
  for (int i = 0; i < s->n; ++i)
    if (s->filename[i] && cb_modality_of_file(s->filename[i]) != m)
      return CB_ERROR(CB_ERR_FORMAT, "%s: declared %s, but stimulus '%s' of %s is %s ('%s')", who ? who : "stimulus set",
                      cb_modality_name(m), s->stimulus_id[i] ? s->stimulus_id[i] : "?",
                      s->path ? s->path : "the set", cb_modality_name(cb_modality_of_file(s->filename[i])),
                      s->filename[i]);
  s->modality = m;
  return CB_OK;
}

static cb_status csv_put(cb_strbuf *b, const char *v, int last) {
  if (!v) v = "";
  if (strpbrk(v, ",\"\r\n") || (v[0] == ' ' || (v[0] && v[strlen(v) - 1] == ' '))) {
    CB_CHECK(cb_strbuf_append(b, "\""));
    for (const char *p = v; *p; ++p) {
      char c[2] = {*p, '\0'};
      CB_CHECK(cb_strbuf_append(b, *p == '"' ? "\"\"" : c));
    }
    CB_CHECK(cb_strbuf_append(b, "\""));
  } else {
    CB_CHECK(cb_strbuf_append(b, v));
  }
  return cb_strbuf_append(b, last ? "\n" : ",");
}

cb_status cb_stimulus_set_write(const char *csv_path, const cb_stimulus_set *s) {
  cb_status st = CB_OK;
  cb_strbuf b = {0};
  if (!s) return CB_ERROR(CB_ERR_ARG, "%s: no stimulus set to write", csv_path);
  CB_CHECK_GOTO(csv_put(&b, "stimulus_id", 0), st, done);
  CB_CHECK_GOTO(csv_put(&b, "filename", s->n_meta == 0), st, done);
  for (int j = 0; j < s->n_meta; ++j) CB_CHECK_GOTO(csv_put(&b, s->meta_names[j], j == s->n_meta - 1), st, done);
  for (int i = 0; i < s->n; ++i) {
    if (!s->stimulus_id[i] || !s->stimulus_id[i][0]) {
      st = CB_ERROR(CB_ERR_ARG, "%s: stimulus %d has no id", csv_path, i);
      goto done;
    }
    CB_CHECK_GOTO(csv_put(&b, s->stimulus_id[i], 0), st, done);
    CB_CHECK_GOTO(csv_put(&b, s->filename[i], s->n_meta == 0), st, done);
    for (int j = 0; j < s->n_meta; ++j)
      CB_CHECK_GOTO(csv_put(&b, s->meta[(size_t)i * (size_t)s->n_meta + (size_t)j], j == s->n_meta - 1), st, done);
  }
  CB_CHECK_GOTO(cb_file_write_atomic(csv_path, b.data, b.len), st, done);
done:
  cb_strbuf_free(&b);
  return st;
}

const char *cb_stimulus_set_meta(const cb_stimulus_set *s, int i, const char *column) {
  if (!s || i < 0 || i >= s->n || !column) return NULL;
  for (int j = 0; j < s->n_meta; ++j)
    if (strcmp(s->meta_names[j], column) == 0) return s->meta[(size_t)i * (size_t)s->n_meta + (size_t)j];
  return NULL;
}

int cb_stimulus_set_find(const cb_stimulus_set *s, const char *stimulus_id) {
  if (!s || !stimulus_id) return -1;
  for (int i = 0; i < s->n; ++i)
    if (s->stimulus_id[i] && strcmp(s->stimulus_id[i], stimulus_id) == 0) return i;
  return -1;
}

cb_status cb_stimulus_set_file_path(const cb_stimulus_set *s, int i, char *out, size_t n) {
  if (!s || i < 0 || i >= s->n)
    return CB_ERROR(CB_ERR_ARG, "%s: stimulus index %d out of range", s && s->path ? s->path : "stimulus set", i);
  const char *name = s->filename[i];
  if (!name || !filename_is_safe(name))
    return CB_ERROR(CB_ERR_FORMAT, "%s: filename '%s' of stimulus '%s' is not a safe relative path",
                    s->path ? s->path : "stimulus set", name ? name : "", s->stimulus_id[i] ? s->stimulus_id[i] : "");
  if (s->zip)
    return CB_ERROR(CB_ERR_UNSUPPORTED, "%s: stimulus '%s' is inside the zip %s, not a file on disk",
                    s->path ? s->path : "stimulus set", s->stimulus_id[i] ? s->stimulus_id[i] : "", s->zip_path);
  return cb_path_join(out, n, s->base_dir ? s->base_dir : ".", name);
}

cb_status cb_stimulus_set_file_bytes(const cb_stimulus_set *s, int i, uint8_t **data, size_t *n) {
  if (!s || i < 0 || i >= s->n || !data || !n)
    return CB_ERROR(CB_ERR_ARG, "%s: stimulus index %d out of range", s && s->path ? s->path : "stimulus set", i);
  if (s->zip) return cb_zip_read(s->zip, s->filename[i], data, n);
  char path[CB_PATH_MAX];
  CB_CHECK(cb_stimulus_set_file_path(s, i, path, sizeof path));
  char *buf = NULL;
  size_t len = 0;
  CB_CHECK(cb_file_read_all(path, &buf, &len));
  *data = (uint8_t *)buf;
  *n = len;
  return CB_OK;
}

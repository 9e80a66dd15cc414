/* cb_report_fig.c - the report's figures as files: one SVG and one PNG per
 * figure under <report dir>/figures/, linked from the page. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_fs.h"
#include "cb_report_impl.h"

#define PNG_SCALE 2.0 /* PNG pixels per SVG pixel (a 900-pixel-wide figure is 1800 pixels: print quality) */

cb_status cb__figs_add(cb__figs *f, const char *kind, int k, const char *label, cb__fig **out) {
  if (f->n == f->cap) {
    int cap = f->cap ? 2 * f->cap : 16;
    cb__fig *v = realloc(f->v, (size_t)cap * sizeof *v);
    if (!v) return CB_ERROR(CB_ERR_NOMEM, "out of memory");
    f->v = v;
    f->cap = cap;
  }
  char name[160];
  int len = snprintf(name, sizeof name, "%s-%d%s", kind, k, label ? "-" : "");
  for (const char *p = label; p && *p && len < 120; ++p, ++len) {
    const char c = *p;
    const int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                   c == '-' || c == '_';
    name[len] = ok ? c : '_';
  }
  name[len] = '\0';
  cb__fig *e = &f->v[f->n];
  memset(e, 0, sizeof *e);
  if (!(e->name = cb_strdup(name))) return CB_ERROR(CB_ERR_NOMEM, "out of memory");
  f->n++;
  *out = e;
  return CB_OK;
}

void cb__figs_free(cb__figs *f) {
  if (!f) return;
  for (int i = 0; i < f->n; ++i) {
    free(f->v[i].name);
    cb_strbuf_free(&f->v[i].svg);
  }
  free(f->v);
  memset(f, 0, sizeof *f);
}

cb_status cb__fig_embed(cb_strbuf *o, const cb__fig *f, int inline_svg) {
  if (inline_svg && f->svg.data) CB_CHECK(cb_strbuf_append(o, f->svg.data));
  /* Names hold only [A-Za-z0-9._-]: safe in a URL and an attribute. */
  return cb_strbuf_printf(o,
                          "<div class=\"export\">figure files: <a class=\"fig-file\" data-format=\"svg\" "
                          "href=\"figures/%s.svg\">SVG</a> <a class=\"fig-file\" data-format=\"png\" "
                          "href=\"figures/%s.png\">PNG</a></div>",
                          f->name, f->name);
}

static cb_status write_one(const cb__fig *f, const char *dir) {
  char file[CB_PATH_MAX], path[CB_PATH_MAX];
  unsigned char *png = NULL;
  size_t n_png = 0;
  if (!f->svg.data) return CB_ERROR(CB_ERR_INTERNAL, "report: figure %s is empty", f->name);
  snprintf(file, sizeof file, "%s.svg", f->name);
  CB_CHECK(cb_path_join(path, sizeof path, dir, file));
  CB_CHECK(cb_file_write_atomic(path, f->svg.data, f->svg.len));
  CB_CHECK(cb__svg_to_png(f->svg.data, f->svg.len, PNG_SCALE, &png, &n_png));
  snprintf(file, sizeof file, "%s.png", f->name);
  cb_status st = cb_path_join(path, sizeof path, dir, file);
  if (st == CB_OK) st = cb_file_write_atomic(path, png, n_png);
  free(png);
  return st;
}

cb_status cb__figs_write(const cb__figs *f, const char *dir) {
  CB_CHECK(cb_mkdirs(dir));
  for (int i = 0; i < f->n; ++i) CB_CHECK(write_one(&f->v[i], dir));
  return CB_OK;
}

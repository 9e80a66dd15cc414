/* cb_report_raster.c - a figure's SVG rendered to PNG with librsvg and
 * cairo (Debian librsvg2-dev): one drawing code, two formats. */
#include <cairo.h>
#include <librsvg/rsvg.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cb_report_impl.h"

#if defined(__SANITIZE_ADDRESS__)
/* LeakSanitizer's hook for a program's built-in suppressions: fontconfig
 * (reached through librsvg -> pango when a figure draws text) keeps its
 * configuration and font caches for the whole process. Third-party only;
 * the valgrind label has the same entry (tests/valgrind/thirdparty.supp). */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void) { return "leak:libfontconfig.so\n"; }
/* ... without a "Suppressions used" table on stderr at exit (stderr stays the one-line error). */
const char *__lsan_default_options(void);
const char *__lsan_default_options(void) { return "print_suppressions=0"; }
#endif

typedef struct png_sink {
  unsigned char *data; /* (cap) bytes, len used */
  size_t len, cap;
} png_sink;

static cairo_status_t sink_write(void *closure, const unsigned char *data, unsigned int n) {
  png_sink *s = closure;
  if (s->len + n > s->cap) {
    size_t cap = s->cap ? 2 * s->cap : 65536;
    while (cap < s->len + n) cap *= 2;
    unsigned char *p = realloc(s->data, cap);
    if (!p) return CAIRO_STATUS_NO_MEMORY;
    s->data = p;
    s->cap = cap;
  }
  memcpy(s->data + s->len, data, n);
  s->len += n;
  return CAIRO_STATUS_SUCCESS;
}

/* Draws the document onto a white (w * scale, h * scale) surface and encodes it. */
static cb_status render(RsvgHandle *h, double w, double hgt, double scale, png_sink *sink) {
  const int pw = (int)ceil(w * scale), ph = (int)ceil(hgt * scale);
  if (pw <= 0 || ph <= 0 || pw > 20000 || ph > 20000)
    return CB_ERROR(CB_ERR_ARG, "png: figure size %d x %d pixels out of range", pw, ph);
  cairo_surface_t *surf = cairo_image_surface_create(CAIRO_FORMAT_RGB24, pw, ph);
  cairo_t *cr = cairo_create(surf);
  cb_status st = CB_OK;
  cairo_set_source_rgb(cr, 1, 1, 1);
  cairo_paint(cr);
  RsvgRectangle viewport = {0, 0, w * scale, hgt * scale};
  GError *err = NULL;
  if (!rsvg_handle_render_document(h, cr, &viewport, &err)) {
    st = CB_ERROR(CB_ERR_INTERNAL, "png: librsvg cannot draw the figure: %s", err ? err->message : "unknown error");
    g_clear_error(&err);
  }
  cairo_surface_flush(surf);
  if (st == CB_OK && cairo_status(cr) != CAIRO_STATUS_SUCCESS)
    st = CB_ERROR(CB_ERR_INTERNAL, "png: cairo: %s", cairo_status_to_string(cairo_status(cr)));
  if (st == CB_OK) {
    cairo_status_t cs = cairo_surface_write_to_png_stream(surf, sink_write, sink);
    if (cs != CAIRO_STATUS_SUCCESS) st = CB_ERROR(CB_ERR_INTERNAL, "png: cairo: %s", cairo_status_to_string(cs));
  }
  cairo_destroy(cr);
  cairo_surface_destroy(surf);
  return st;
}

cb_status cb__svg_to_png(const char *svg, size_t n, double scale, unsigned char **png, size_t *n_png) {
  GError *err = NULL;
  RsvgHandle *h = rsvg_handle_new_from_data((const guint8 *)svg, (gsize)n, &err);
  if (!h) {
    cb_status st = CB_ERROR(CB_ERR_INTERNAL, "png: librsvg cannot parse the figure: %s", err ? err->message : "?");
    g_clear_error(&err);
    return st;
  }
  double w = 0, hgt = 0;
  cb_status st = CB_OK;
  if (!rsvg_handle_get_intrinsic_size_in_pixels(h, &w, &hgt))
    st = CB_ERROR(CB_ERR_INTERNAL, "png: the figure has no width and height in pixels");
  png_sink sink = {0};
  if (st == CB_OK) st = render(h, w, hgt, scale, &sink);
  g_object_unref(h);
  if (st != CB_OK) {
    free(sink.data);
    return st;
  }
  *png = sink.data;
  *n_png = sink.len;
  return CB_OK;
}

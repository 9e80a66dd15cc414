/* cb_report_raster.c - a figure's SVG rendered to PNG with librsvg and
 * cairo (Debian librsvg2-dev): one drawing code, two formats.
 *
 * librsvg is opened with dlopen on the first PNG (cb_dl), not linked: with cairo,
 * pango, glib and fontconfig it is 34 of the program's shared libraries,
 * ~20 ms of dynamic linking at every start of every command (`version`,
 * `score`) that never draws a figure. The headers still type every call. */
#include <cairo.h>
#include <librsvg/rsvg.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cb_dl.h"
#include "cb_report_impl.h"

#ifndef CB_RSVG_SONAME
#define CB_RSVG_SONAME "librsvg-2.so.2"
#endif

/* The librsvg, cairo and GLib calls used here, found through librsvg's handle (its dependencies included). */
static struct {
  __typeof__(rsvg_handle_new_from_data) *rsvg_handle_new_from_data;
  __typeof__(rsvg_handle_get_intrinsic_size_in_pixels) *rsvg_handle_get_intrinsic_size_in_pixels;
  __typeof__(rsvg_handle_render_document) *rsvg_handle_render_document;
  __typeof__(cairo_image_surface_create) *cairo_image_surface_create;
  __typeof__(cairo_create) *cairo_create;
  __typeof__(cairo_set_source_rgb) *cairo_set_source_rgb;
  __typeof__(cairo_paint) *cairo_paint;
  __typeof__(cairo_surface_flush) *cairo_surface_flush;
  __typeof__(cairo_status) *cairo_status;
  __typeof__(cairo_status_to_string) *cairo_status_to_string;
  __typeof__(cairo_surface_write_to_png_stream) *cairo_surface_write_to_png_stream;
  __typeof__(cairo_destroy) *cairo_destroy;
  __typeof__(cairo_surface_destroy) *cairo_surface_destroy;
  __typeof__(g_object_unref) *g_object_unref;
  __typeof__(g_clear_error) *g_clear_error;
} R;
#define CB_SYM(f) {#f, (void **)&R.f}
static const cb_dl_sym rsvg_syms[] = {
    CB_SYM(rsvg_handle_new_from_data), CB_SYM(rsvg_handle_get_intrinsic_size_in_pixels),
    CB_SYM(rsvg_handle_render_document), CB_SYM(cairo_image_surface_create), CB_SYM(cairo_create),
    CB_SYM(cairo_set_source_rgb), CB_SYM(cairo_paint), CB_SYM(cairo_surface_flush), CB_SYM(cairo_status),
    CB_SYM(cairo_status_to_string), CB_SYM(cairo_surface_write_to_png_stream), CB_SYM(cairo_destroy),
    CB_SYM(cairo_surface_destroy), CB_SYM(g_object_unref), CB_SYM(g_clear_error),
};
#undef CB_SYM
static cb_dl_lib rsvg = {CB_RSVG_SONAME, rsvg_syms, sizeof rsvg_syms / sizeof rsvg_syms[0], 0, 0, ""};

/* CB_OK when librsvg is loaded (once per process). */
static cb_status need_rsvg(void) {
  if (!cb_dl_need(&rsvg)) return CB_ERROR(CB_ERR_IO, "png: cannot load librsvg (package librsvg2-2): %s", rsvg.error);
  return CB_OK;
}

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
  cairo_surface_t *surf = R.cairo_image_surface_create(CAIRO_FORMAT_RGB24, pw, ph);
  cairo_t *cr = R.cairo_create(surf);
  cb_status st = CB_OK;
  R.cairo_set_source_rgb(cr, 1, 1, 1);
  R.cairo_paint(cr);
  RsvgRectangle viewport = {0, 0, w * scale, hgt * scale};
  GError *err = NULL;
  if (!R.rsvg_handle_render_document(h, cr, &viewport, &err)) {
    st = CB_ERROR(CB_ERR_INTERNAL, "png: librsvg cannot draw the figure: %s", err ? err->message : "unknown error");
    R.g_clear_error(&err);
  }
  R.cairo_surface_flush(surf);
  if (st == CB_OK && R.cairo_status(cr) != CAIRO_STATUS_SUCCESS)
    st = CB_ERROR(CB_ERR_INTERNAL, "png: cairo: %s", R.cairo_status_to_string(R.cairo_status(cr)));
  if (st == CB_OK) {
    cairo_status_t cs = R.cairo_surface_write_to_png_stream(surf, sink_write, sink);
    if (cs != CAIRO_STATUS_SUCCESS) st = CB_ERROR(CB_ERR_INTERNAL, "png: cairo: %s", R.cairo_status_to_string(cs));
  }
  R.cairo_destroy(cr);
  R.cairo_surface_destroy(surf);
  return st;
}

cb_status cb__svg_to_png(const char *svg, size_t n, double scale, unsigned char **png, size_t *n_png) {
  CB_CHECK(need_rsvg());
  GError *err = NULL;
  RsvgHandle *h = R.rsvg_handle_new_from_data((const guint8 *)svg, (gsize)n, &err);
  if (!h) {
    cb_status st = CB_ERROR(CB_ERR_INTERNAL, "png: librsvg cannot parse the figure: %s", err ? err->message : "?");
    R.g_clear_error(&err);
    return st;
  }
  double w = 0, hgt = 0;
  cb_status st = CB_OK;
  if (!R.rsvg_handle_get_intrinsic_size_in_pixels(h, &w, &hgt))
    st = CB_ERROR(CB_ERR_INTERNAL, "png: the figure has no width and height in pixels");
  png_sink sink = {0};
  if (st == CB_OK) st = render(h, w, hgt, scale, &sink);
  R.g_object_unref(h);
  if (st != CB_OK) {
    free(sink.data);
    return st;
  }
  *png = sink.data;
  *n_png = sink.len;
  return CB_OK;
}

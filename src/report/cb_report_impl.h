/* cb_report_impl.h - internals of the HTML report shared by its files. */
#ifndef CB_REPORT_IMPL_H
#define CB_REPORT_IMPL_H

#include <stddef.h>

#include "cb_report.h"

typedef struct cb__rdm {
  char *group, *name;
  int n;
  double *d; /* (n, n) */
} cb__rdm;

struct cb_report {
  char *title;
  const cb_leaderboard *lb; /* borrowed, may be NULL */
  cb__rdm *rdm;             /* (n_rdm) */
  int n_rdm, cap_rdm;
  char **twin;              /* (2 * n_twin) trained, untrained model names */
  int n_twin;
  char **task_model;        /* (n_task) models with a task accuracy, in the order added */
  double *task_acc;         /* (n_task) their task accuracies in [0, 1] */
  int n_task;
  char **meta;              /* (2 * n_meta) key, value pairs */
  int n_meta, cap_meta;
};

/* Text with & < > " ' escaped for HTML content and attribute values. */
cb_status cb__html_escape(cb_strbuf *o, const char *s);
/* Viridis colour of t in [0, 1] (clamped), 33 anchors interpolated linearly;
 * NaN gives grey (160, 160, 160). */
void cb__viridis(double t, unsigned char rgb[3]);
/* "#rrggbb" of the k-th model colour (matplotlib's tab10, cycled). */
const char *cb__palette(int k);
/* Standard base64 (RFC 4648, with padding) of n bytes appended to o. */
cb_status cb__base64(cb_strbuf *o, const unsigned char *data, size_t n);
/* RGB image (h, w, 3) encoded as PNG into *png (malloc'd, *n bytes). */
cb_status cb__png_encode_rgb(const unsigned char *rgb, int w, int h, unsigned char **png, size_t *n);
/* RDM D (n, n) as an RGB image: off-diagonal values scaled linearly from
 * their min to max, viridis; blocks averaged down to at most max_side
 * pixels a side; NaN grey. *rgb (side, side, 3) malloc'd. */
cb_status cb__rdm_image(const double *D, int n, int max_side, unsigned char **rgb, int *side);

/* Figures: each one a standalone SVG document (xmlns, its own <style>,
 * width and height in pixels) that the page also embeds inline. Scores are
 * ceiled (raw / noise ceiling), so the ceiling is 1 on every score axis:
 * drawn as g.ceiling holding rect.ceiling-band (from the Nili lower bound
 * when the scores have one, else a thin band around 1) and a dashed line;
 * a ceiled score above 1 gets a .above-ceiling marker whose <title> says
 * "above the noise ceiling". */
cb_status cb__svg_begin(cb_strbuf *o, const char *cls, double w, double h);
/* <text> at (x, y) with anchor (start, middle, end), class cls (may be NULL), s escaped. */
cb_status cb__svg_text(cb_strbuf *o, double x, double y, const char *anchor, const char *cls, const char *s);
cb_status cb__svg_bars(cb_strbuf *o, const cb_leaderboard *lb, int b);
cb_status cb__svg_heatmap(cb_strbuf *o, const cb_leaderboard *lb);
/* Layer profiles of region `region`: every model, or only the n_only models named in `only`. */
cb_status cb__svg_profile(cb_strbuf *o, const cb_leaderboard *lb, int region, const char *const *only, int n_only);
/* The RDMs of one group (rdm[i] for the n_idx indices idx) side by side, as PNG <image>s. */
cb_status cb__svg_rdms(cb_strbuf *o, const cb__rdm *rdm, const int *idx, int n_idx, int max_side);
/* Lower edge of the ceiling band of benchmark b in ceiled units: the Nili
 * lower bound / upper bound of the first chosen layer that has one; NaN when
 * no model's score carries an interval of its ceiling. */
double cb__ceiling_lower(const cb_leaderboard *lb, int b);
/* Lowest Nili lower bound (ceiled units) among the region's benchmarks; NaN when none has one. */
double cb__region_lower(const cb_leaderboard *lb, int region);
/* Task accuracy against neural score: one scatter per region (cb_report_task.c). */
cb_status cb__svg_task(cb_strbuf *o, const cb_report *r, int region);
/* Text with s > 1 marked: "1.002 &#9650;" (HTML-safe), else "%.3f"; "-" for NaN. */
void cb__score_label(double s, int decimals, char *out, size_t n);

/* The figures of a page, in page order; their files are
 * <dir>/figures/<name>.svg and <name>.png. */
typedef struct cb__fig {
  char *name;    /* file stem: <kind>-<k>[-<label with [^A-Za-z0-9._-] as _>] */
  cb_strbuf svg; /* the standalone SVG document */
} cb__fig;

typedef struct cb__figs {
  cb__fig *v; /* (n) */
  int n, cap;
} cb__figs;

/* Appends an empty figure named from kind, k and label (may be NULL). */
cb_status cb__figs_add(cb__figs *f, const char *kind, int k, const char *label, cb__fig **out);
void cb__figs_free(cb__figs *f);
/* The figure inline in the page and links a.fig-file to its two files. */
cb_status cb__fig_embed(cb_strbuf *o, const cb__fig *f, int inline_svg);
/* Writes <dir>/<name>.svg and <dir>/<name>.png (2 pixels per SVG pixel) of
 * every figure, each atomically. */
cb_status cb__figs_write(const cb__figs *f, const char *dir);
/* SVG document svg (n bytes) rendered by librsvg onto a white background,
 * scale pixels per SVG pixel, encoded as PNG into *png (malloc'd, *n_png). */
cb_status cb__svg_to_png(const char *svg, size_t n, double scale, unsigned char **png, size_t *n_png);
/* Section#task of the page: the scatter of every region some task model was scored on. */
cb_status cb__task_figures(cb_strbuf *o, const cb_report *r, cb__figs *figs);
/* The page (HTML into o) and its figures (into figs). */
cb_status cb__report_page(const cb_report *r, cb_strbuf *o, cb__figs *figs);

#endif

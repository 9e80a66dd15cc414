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

/* Figures (inline SVG inside <figure> elements). */
cb_status cb__svg_bars(cb_strbuf *o, const cb_leaderboard *lb, int b);
cb_status cb__svg_heatmap(cb_strbuf *o, const cb_leaderboard *lb);
/* Layer profiles of region `region`: every model, or only the n_only models named in `only`. */
cb_status cb__svg_profile(cb_strbuf *o, const cb_leaderboard *lb, int region, const char *const *only, int n_only);

#endif

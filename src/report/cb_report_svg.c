/* cb_report_svg.c - SVG figures of the report: per-benchmark score bars
 * with error bars and the noise-ceiling band, the model x benchmark heatmap.
 * Layer profiles: cb_report_profile.c. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_report_impl.h"

#define AXIS_MAX 1.1 /* score axes run to 1.1 so that the ceiling (1) and marks above it are visible */

/* Shared by every figure (standalone files and the page alike). */
static const char *SVG_STYLE =
    "text{font-family:'DejaVu Sans',Verdana,Arial,sans-serif;font-size:14px;fill:#222}"
    "text.small{font-size:12px}text.title{font-size:15px;font-weight:bold}"
    "text.light{fill:#fff}text.dark{fill:#222}.grid{stroke:#ddd;stroke-width:1}"
    ".axis{stroke:#444;stroke-width:1}.errorbar{stroke:#222;stroke-width:1.5;fill:none}"
    ".ceiling-band{fill:#999;fill-opacity:0.3}.ceiling-line{stroke:#555;stroke-width:1.5;stroke-dasharray:6 3}"
    ".above-ceiling{fill:#c00000}text.above-ceiling{fill:#c00000;font-weight:bold}";

static double clip01(double x) { return x < 0 ? 0 : (x > 1 ? 1 : x); }

cb_status cb__svg_begin(cb_strbuf *o, const char *cls, double w, double h) {
  return cb_strbuf_printf(o,
                          "<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink=\"http://www.w3.org/1999/xlink\" "
                          "class=\"chart %s\" width=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\"><style>%s</style>"
                          "<rect width=\"100%%\" height=\"100%%\" fill=\"#fff\"/>",
                          cls, w, h, w, h, SVG_STYLE);
}

void cb__score_label(double s, int decimals, char *out, size_t n) {
  if (isnan(s))
    snprintf(out, n, "-");
  else
    snprintf(out, n, "%.*f%s", decimals, s, s > 1 ? " &#9650;" : "");
}

double cb__ceiling_lower(const cb_leaderboard *lb, int b) {
  for (int m = 0; m < lb->n_models; ++m) {
    const cb_lb_cell *c = &lb->rows[m].cell[b];
    if (c->best < 0) continue;
    const cb_lb_layer *l = &c->layers[c->best];
    if (isfinite(l->ceiling_lower) && isfinite(l->ceiling) && l->ceiling > 0) return l->ceiling_lower / l->ceiling;
  }
  return NAN;
}

/* Error interval of a chosen layer, in ceiled units: the bootstrap interval
 * when there is one, else score +- error * |score / raw| (the split standard
 * error of the raw value carried over as a relative error). */
static void interval(const cb_lb_layer *l, double *lo, double *hi) {
  if (!isnan(l->ci_low) && !isnan(l->ci_high)) {
    *lo = l->ci_low;
    *hi = l->ci_high;
    return;
  }
  double e = isfinite(l->error) && isfinite(l->raw) && l->raw != 0 ? fabs(l->error * l->score / l->raw) : 0;
  *lo = l->score - e;
  *hi = l->score + e;
}

cb_status cb__svg_text(cb_strbuf *o, double x, double y, const char *anchor, const char *cls, const char *s) {
  CB_CHECK(cb_strbuf_printf(o, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\"%s%s%s>", x, y, anchor,
                            cls ? " class=\"" : "", cls ? cls : "", cls ? "\"" : ""));
  CB_CHECK(cb__html_escape(o, s));
  return cb_strbuf_append(o, "</text>");
}

/* The ceiling band of a horizontal score axis (x0 + span * s / AXIS_MAX) over rows y0..y1. */
static cb_status band_x(cb_strbuf *o, double x0, double span, double y0, double y1, double lower) {
  const double x1 = x0 + span / AXIS_MAX;
  const double a = isnan(lower) ? x1 - 3 : x0 + span * clip01(lower) / AXIS_MAX, b = isnan(lower) ? x1 + 3 : x1;
  char lo[32] = "";
  if (!isnan(lower)) snprintf(lo, sizeof lo, "%.4f", lower);
  CB_CHECK(cb_strbuf_printf(o, "<g class=\"ceiling\" data-lower=\"%s\"><rect class=\"ceiling-band\" x=\"%.1f\" "
                               "y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"><title>noise ceiling%s</title></rect>",
                            lo, a, y0, b - a, y1 - y0,
                            isnan(lower) ? " (ceiled score 1)" : ": Nili lower to upper bound"));
  return cb_strbuf_printf(o, "<line class=\"ceiling-line\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/></g>", x1,
                          y0, x1, y1);
}

/* A triangle pointing at (x, y) with a tooltip; s is the ceiled score. */
static cb_status above_mark(cb_strbuf *o, double x, double y, const char *who, double s) {
  CB_CHECK(cb_strbuf_printf(o, "<path class=\"above-ceiling\" d=\"M%.1f %.1fl-6 -10h12z\"><title>", x, y));
  CB_CHECK(cb__html_escape(o, who));
  return cb_strbuf_printf(o, ": above the noise ceiling (ceiled %.4f; counted as 1 in the averages)</title></path>", s);
}

/* One model's bar, error bar, label and layer. */
static cb_status bar_row(cb_strbuf *o, const cb_lb_row *r, const cb_lb_layer *l, int m, double left, double width,
                         double y, double row) {
  double lo, hi, s = clip01(l->score);
  interval(l, &lo, &hi);
  CB_CHECK(cb_strbuf_printf(o, "<rect class=\"bar\" x=\"%.1f\" y=\"%.1f\" width=\"%.2f\" height=\"%.1f\" fill=\"%s\">",
                            left, y + 5, width * s / AXIS_MAX, row - 10, cb__palette(m)));
  CB_CHECK(cb_strbuf_append(o, "<title>"));
  CB_CHECK(cb__html_escape(o, r->model));
  CB_CHECK(cb_strbuf_append(o, " "));
  CB_CHECK(cb__html_escape(o, l->layer));
  CB_CHECK(cb_strbuf_printf(o, ": %.4f [%.4f, %.4f]</title></rect>", l->score, lo, hi));
  double x0 = left + width * clip01(lo) / AXIS_MAX, x1 = left + width * clip01(hi) / AXIS_MAX, ym = y + row / 2;
  CB_CHECK(cb_strbuf_printf(o, "<path class=\"errorbar\" d=\"M%.2f %.1fV%.1fM%.2f %.1fH%.2fM%.2f %.1fV%.1f\"/>", x0,
                            ym - 6, ym + 6, x0, ym, x1, x1, ym - 6, ym + 6));
  if (l->score > 1) CB_CHECK(above_mark(o, left + width / AXIS_MAX, y + 5, r->model, l->score));
  char lab[64];
  cb__score_label(l->score, 3, lab, sizeof lab);
  CB_CHECK(cb_strbuf_printf(o, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\"%s>%s</text>", left + width + 80,
                            y + row / 2 + 5, l->score > 1 ? " class=\"above-ceiling\"" : "", lab));
  return cb__svg_text(o, left + width + 90, y + row / 2 + 5, "start", "small", l->layer);
}

cb_status cb__svg_bars(cb_strbuf *o, const cb_leaderboard *lb, int b) {
  const double left = 220, width = 440, row = 30, top = 56;
  const double h = top + row * lb->n_models + 80;
  const double lower = cb__ceiling_lower(lb, b);
  CB_CHECK(cb__svg_begin(o, "bars", 960, h));
  CB_CHECK(cb__svg_text(o, 10, 22, "start", "title", lb->bench[b]));
  CB_CHECK(band_x(o, left, width, top - 6, top + row * lb->n_models + 4, lower));
  for (int t = 0; t <= 4; ++t) {
    double x = left + width * (t / 4.0) / AXIS_MAX;
    char lab[16];
    snprintf(lab, sizeof lab, "%.2f", t / 4.0);
    CB_CHECK(cb_strbuf_printf(o, "<line class=\"grid\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>", x, top - 6,
                              x, top + row * lb->n_models + 4));
    CB_CHECK(cb__svg_text(o, x, top - 12, "middle", NULL, lab));
  }
  CB_CHECK(cb__svg_text(o, left + width / 2, h - 40, "middle", NULL,
                        "ceiled score (raw / noise ceiling) of the chosen layer"));
  CB_CHECK(cb__svg_text(o, left, h - 14, "start", "small",
                        isnan(lower) ? "dashed line: the noise ceiling (no interval recorded); \xe2\x96\xb2: above it"
                                     : "grey band: noise ceiling, Nili lower to upper bound; \xe2\x96\xb2: above it"));
  for (int m = 0; m < lb->n_models; ++m) {
    const cb_lb_row *r = &lb->rows[m];
    const cb_lb_cell *c = &r->cell[b];
    double y = top + row * m;
    CB_CHECK(cb__svg_text(o, left - 8, y + row / 2 + 5, "end", NULL, r->model));
    if (c->best < 0)
      CB_CHECK(cb__svg_text(o, left + 6, y + row / 2 + 5, "start", "small", "missing"));
    else
      CB_CHECK(bar_row(o, r, &c->layers[c->best], m, left, width, y, row));
  }
  return cb_strbuf_append(o, "</svg>");
}

static cb_status heat_cell(cb_strbuf *o, const cb_lb_row *r, int b, double x, double y, double cw, double ch) {
  unsigned char c[3];
  const double s = r->score[b];
  cb__viridis(isnan(s) ? NAN : clip01(s), c);
  char lab[48];
  if (isnan(s))
    snprintf(lab, sizeof lab, "-");
  else
    snprintf(lab, sizeof lab, "%.2f%s", clip01(s), s > 1 ? "&#9650;" : "");
  CB_CHECK(cb_strbuf_printf(o, "<rect class=\"cell\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
                               "fill=\"#%02x%02x%02x\"/>",
                            x, y, cw - 1, ch - 1, c[0], c[1], c[2]));
  const int light = !isnan(s) && clip01(s) > 0.6;
  CB_CHECK(cb_strbuf_printf(o, "<text class=\"%s%s\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%s", light ? "dark" : "light",
                            s > 1 ? " above-ceiling" : "", x + cw / 2, y + ch / 2 + 5, lab));
  if (s > 1) {
    CB_CHECK(cb_strbuf_append(o, "<title>"));
    CB_CHECK(cb__html_escape(o, r->model));
    CB_CHECK(cb_strbuf_printf(o, ": above the noise ceiling (ceiled %.4f; counted as 1)</title>", s));
  }
  return cb_strbuf_append(o, "</text>");
}

cb_status cb__svg_heatmap(cb_strbuf *o, const cb_leaderboard *lb) {
  const double left = 220, top = 150, cw = 90, ch = 32;
  const double h = top + ch * lb->n_models + 40;
  double w = left + cw * lb->n_bench + 180;
  if (w < 800) w = 800;
  CB_CHECK(cb__svg_begin(o, "heatmap", w, h));
  for (int b = 0; b < lb->n_bench; ++b) {
    double x = left + cw * b + cw / 2;
    CB_CHECK(cb_strbuf_printf(o, "<text transform=\"translate(%.1f %.1f) rotate(-35)\">", x, top - 8));
    CB_CHECK(cb__html_escape(o, lb->bench[b]));
    CB_CHECK(cb_strbuf_append(o, "</text>"));
  }
  for (int m = 0; m < lb->n_models; ++m) {
    const double y = top + ch * m;
    CB_CHECK(cb__svg_text(o, left - 8, y + ch / 2 + 5, "end", NULL, lb->rows[m].model));
    for (int b = 0; b < lb->n_bench; ++b) CB_CHECK(heat_cell(o, &lb->rows[m], b, left + cw * b, y, cw, ch));
  }
  CB_CHECK(cb__svg_text(o, left, h - 14, "start", "small",
                "colour: ceiled score clipped to [0, 1]; \xe2\x96\xb2: above the noise ceiling"));
  return cb_strbuf_append(o, "</svg>");
}

/* cb_report_profile.c - SVG layer profiles (score against relative depth,
 * with the noise-ceiling band) and the RDM figure of a group. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_report_impl.h"

#define AXIS_MAX 1.1 /* as the bars: the ceiling (1) and marks above it stay inside the plot */

static double clip01(double x) { return x < 0 ? 0 : (x > 1 ? 1 : x); }

/* Index of layer `name` in cell c, -1 when absent. */
static int find_layer(const cb_lb_cell *c, const char *name) {
  for (int l = 0; l < c->n_layers; ++l)
    if (!strcmp(c->layers[l].layer, name)) return l;
  return -1;
}

/* 1 when model `name` is in only (n_only); every model when only is NULL. */
static int shown(const char *name, const char *const *only, int n_only) {
  if (!only) return 1;
  for (int i = 0; i < n_only; ++i)
    if (!strcmp(only[i], name)) return 1;
  return 0;
}

double cb__region_lower(const cb_leaderboard *lb, int region) {
  double lo = NAN;
  for (int b = 0; b < lb->n_bench; ++b) {
    double v = lb->bench_region[b] == region ? cb__ceiling_lower(lb, b) : NAN;
    if (!isnan(v) && (isnan(lo) || v < lo)) lo = v;
  }
  return lo;
}

/* Plot area: x left..left+pw (depth 0..1), y top+ph (0) .. top (AXIS_MAX). */
typedef struct frame {
  double left, top, pw, ph;
} frame;

static double fy(const frame *f, double s) { return f->top + f->ph - f->ph * s / AXIS_MAX; }

static cb_status axes(cb_strbuf *o, const frame *f, double lower) {
  char lo[32] = "";
  if (!isnan(lower)) snprintf(lo, sizeof lo, "%.4f", lower);
  const double y1 = fy(f, 1), a = isnan(lower) ? y1 - 3 : y1, b = isnan(lower) ? y1 + 3 : fy(f, clip01(lower));
  CB_CHECK(cb_strbuf_printf(o, "<g class=\"ceiling\" data-lower=\"%s\"><rect class=\"ceiling-band\" x=\"%.1f\" "
                               "y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"><title>noise ceiling%s</title></rect>"
                               "<line class=\"ceiling-line\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/></g>",
                            lo, f->left, a, f->pw, b - a,
                            isnan(lower) ? " (ceiled score 1)" : ": lowest Nili lower bound to upper bound", f->left,
                            y1, f->left + f->pw, y1));
  for (int t = 0; t <= 4; ++t) {
    const double y = fy(f, t / 4.0);
    char lab[16];
    snprintf(lab, sizeof lab, "%.2f", t / 4.0);
    CB_CHECK(cb_strbuf_printf(o, "<line class=\"grid\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>", f->left, y,
                              f->left + f->pw, y));
    CB_CHECK(cb__svg_text(o, f->left - 8, y + 5, "end", NULL, lab));
  }
  CB_CHECK(cb__svg_text(o, f->left + f->pw / 2, f->top + f->ph + 30, "middle", NULL,
                        "relative layer depth (first layer 0, last 1)"));
  return cb_strbuf_printf(o, "<text transform=\"translate(22 %.1f) rotate(-90)\" text-anchor=\"middle\">ceiled score "
                             "(region mean)</text>",
                          f->top + f->ph / 2);
}

/* Mean clipped score of every layer of ref over the region's benchmarks (ys, (L)) and
 * whether any of them is above the ceiling (above, (L)). */
static void layer_means(const cb_leaderboard *lb, const cb_lb_row *r, int region, const cb_lb_cell *ref, double *ys,
                        int *above) {
  for (int l = 0; l < ref->n_layers; ++l) {
    double sum = 0;
    int cnt = 0;
    above[l] = 0;
    for (int b = 0; b < lb->n_bench; ++b) {
      if (lb->bench_region[b] != region) continue;
      int k = find_layer(&r->cell[b], ref->layers[l].layer);
      if (k >= 0 && !isnan(r->cell[b].layers[k].score)) {
        sum += clip01(r->cell[b].layers[k].score);
        above[l] |= r->cell[b].layers[k].score > 1;
        ++cnt;
      }
    }
    ys[l] = cnt ? sum / cnt : NAN;
  }
}

static cb_status line(cb_strbuf *o, const frame *f, const char *model, const cb_lb_cell *ref, const double *ys,
                      const int *above) {
  const int L = ref->n_layers;
  cb_status st = CB_OK;
  for (int l = 0; l < L && st == CB_OK; ++l)
    if (!isnan(ys[l]))
      st = cb_strbuf_printf(o, "%.2f,%.2f ", f->left + f->pw * (L > 1 ? (double)l / (L - 1) : 0.5), fy(f, ys[l]));
  CB_CHECK(st);
  CB_CHECK(cb_strbuf_append(o, "\"/>"));
  for (int l = 0; l < L; ++l) {
    if (isnan(ys[l])) continue;
    const double x = f->left + f->pw * (L > 1 ? (double)l / (L - 1) : 0.5), y = fy(f, ys[l]);
    if (above[l])
      CB_CHECK(cb_strbuf_printf(o, "<path class=\"above-ceiling\" d=\"M%.2f %.2fl-6 -11h12z\"><title>", x, y - 4));
    else
      CB_CHECK(cb_strbuf_printf(o, "<circle r=\"3.5\" cx=\"%.2f\" cy=\"%.2f\"><title>", x, y));
    CB_CHECK(cb__html_escape(o, model));
    CB_CHECK(cb_strbuf_append(o, " "));
    CB_CHECK(cb__html_escape(o, ref->layers[l].layer));
    CB_CHECK(cb_strbuf_printf(o, ": %.4f%s</title></%s>", ys[l],
                              above[l] ? " (above the noise ceiling on a benchmark; counted as 1)" : "",
                              above[l] ? "path" : "circle"));
  }
  return cb_strbuf_append(o, "</g>");
}

/* Legend entry and line of one model (row-th shown). */
static cb_status model_line(cb_strbuf *o, const cb_leaderboard *lb, const frame *f, const cb_lb_row *r, int region,
                            const char *col, double legend_y) {
  CB_CHECK(cb_strbuf_printf(o, "<rect x=\"%.1f\" y=\"%.1f\" width=\"12\" height=\"12\" fill=\"%s\"/>",
                            f->left + f->pw + 30, legend_y, col));
  CB_CHECK(cb__svg_text(o, f->left + f->pw + 48, legend_y + 11, "start", NULL, r->model));
  /* Layer order: that of the region's first benchmark the model has layers on. */
  const cb_lb_cell *ref = NULL;
  for (int b = 0; b < lb->n_bench && !ref; ++b)
    if (lb->bench_region[b] == region && r->cell[b].n_layers > 0) ref = &r->cell[b];
  if (!ref) return CB_OK;
  CB_CHECK(cb_strbuf_append(o, "<g class=\"profile-line\" data-model=\""));
  CB_CHECK(cb__html_escape(o, r->model));
  CB_CHECK(cb_strbuf_printf(o, "\" stroke=\"%s\" fill=\"%s\" stroke-width=\"2\"><polyline fill=\"none\" points=\"",
                            col, col));
  double *ys = malloc((size_t)ref->n_layers * sizeof *ys); /* (L) mean clipped score over the region's benchmarks */
  int *above = malloc((size_t)ref->n_layers * sizeof *above); /* (L) */
  cb_status st = ys && above ? CB_OK : CB_ERROR(CB_ERR_NOMEM, "out of memory");
  if (st == CB_OK) {
    layer_means(lb, r, region, ref, ys, above);
    st = line(o, f, r->model, ref, ys, above);
  }
  free(ys);
  free(above);
  return st;
}

cb_status cb__svg_profile(cb_strbuf *o, const cb_leaderboard *lb, int region, const char *const *only, int n_only) {
  const frame f = {80, 40, 560, 320};
  const int n_shown = only ? n_only : lb->n_models;
  double h = f.top + f.ph + 50;
  if (h < f.top + 22.0 * n_shown + 20) h = f.top + 22.0 * n_shown + 20;
  CB_CHECK(cb__svg_begin(o, "profile", 960, h));
  CB_CHECK(cb__svg_text(o, 10, 22, "start", "title", lb->region[region]));
  CB_CHECK(axes(o, &f, cb__region_lower(lb, region)));
  for (int m = 0, row = 0; m < lb->n_models; ++m) {
    const cb_lb_row *r = &lb->rows[m];
    if (!shown(r->model, only, n_only)) continue;
    CB_CHECK(model_line(o, lb, &f, r, region, cb__palette(only ? row : m), f.top + 22.0 * row));
    ++row;
  }
  return cb_strbuf_append(o, "</svg>");
}

/* Replicates each pixel of the RGB image *rgb (side, side, 3) k times a side, k = target / side (>= 1). */
static cb_status upscale(unsigned char **rgb, int *side, int target) {
  const int k = target / *side, n = *side * k;
  if (k <= 1) return CB_OK;
  unsigned char *big = malloc((size_t)n * n * 3); /* (n, n, 3) */
  if (!big) return CB_ERROR(CB_ERR_NOMEM, "out of memory");
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n; ++j) memcpy(big + ((size_t)i * n + j) * 3, *rgb + ((size_t)(i / k) * *side + j / k) * 3, 3);
  free(*rgb);
  *rgb = big;
  *side = n;
  return CB_OK;
}

/* One RDM as an <image> (PNG data URI) with its name below. */
static cb_status rdm_image(cb_strbuf *o, const cb__rdm *e, int max_side, double x, double y, double side) {
  unsigned char *rgb = NULL, *png = NULL;
  size_t n_png = 0;
  int px = 0;
  cb_status st = cb__rdm_image(e->d, e->n, max_side, &rgb, &px);
  if (st == CB_OK) st = upscale(&rgb, &px, 2 * (int)side); /* renderers smooth small images: blocks stay sharp */
  if (st == CB_OK) st = cb__png_encode_rgb(rgb, px, px, &png, &n_png);
  if (st == CB_OK)
    st = cb_strbuf_printf(o, "<image x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
                             "style=\"image-rendering:pixelated\" preserveAspectRatio=\"none\" "
                             "xlink:href=\"data:image/png;base64,",
                          x, y, side, side);
  if (st == CB_OK) st = cb__base64(o, png, n_png);
  if (st == CB_OK) st = cb_strbuf_append(o, "\"/>");
  free(rgb);
  free(png);
  CB_CHECK(st);
  CB_CHECK(cb__svg_text(o, x + side / 2, y + side + 20, "middle", "small", e->name));
  char dims[48];
  snprintf(dims, sizeof dims, "%d \xc3\x97 %d", e->n, e->n);
  return cb__svg_text(o, x + side / 2, y + side + 36, "middle", "small", dims);
}

cb_status cb__svg_rdms(cb_strbuf *o, const cb__rdm *rdm, const int *idx, int n_idx, int max_side) {
  const double side = 240, gap = 30, cell_h = side + 50;
  const int per_row = n_idx < 4 ? n_idx : 4, rows = (n_idx + per_row - 1) / per_row;
  CB_CHECK(cb__svg_begin(o, "rdms", gap + per_row * (side + gap), 40 + rows * cell_h));
  CB_CHECK(cb__svg_text(o, 10, 22, "start", "title", rdm[idx[0]].group));
  for (int i = 0; i < n_idx; ++i)
    CB_CHECK(rdm_image(o, &rdm[idx[i]], max_side, gap + (i % per_row) * (side + gap), 40 + (i / per_row) * cell_h, side));
  return cb_strbuf_append(o, "</svg>");
}

/* cb_report_svg.c - inline SVG figures of the report: per-benchmark score
 * bars with error bars, the model x benchmark heatmap, layer profiles. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_report_impl.h"

static double clip01(double x) { return x < 0 ? 0 : (x > 1 ? 1 : x); }

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

static cb_status text(cb_strbuf *o, double x, double y, const char *anchor, const char *s) {
  CB_CHECK(cb_strbuf_printf(o, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\">", x, y, anchor));
  CB_CHECK(cb__html_escape(o, s));
  return cb_strbuf_append(o, "</text>");
}

cb_status cb__svg_bars(cb_strbuf *o, const cb_leaderboard *lb, int b) {
  const double left = 170, width = 340, row = 22, top = 24;
  double h = top + row * lb->n_models + 20;
  CB_CHECK(cb_strbuf_printf(o, "<svg class=\"chart bars\" width=\"760\" height=\"%.0f\" viewBox=\"0 0 760 %.0f\">",
                            h, h));
  for (int t = 0; t <= 4; ++t) {
    double x = left + width * t / 4.0;
    char lab[16];
    snprintf(lab, sizeof lab, "%.2f", t / 4.0);
    CB_CHECK(cb_strbuf_printf(o, "<line class=\"grid\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>", x, top - 4,
                              x, h - 16));
    CB_CHECK(text(o, x, top - 8, "middle", lab));
  }
  for (int m = 0; m < lb->n_models; ++m) {
    const cb_lb_row *r = &lb->rows[m];
    const cb_lb_cell *c = &r->cell[b];
    double y = top + row * m;
    CB_CHECK(text(o, left - 6, y + 15, "end", r->model));
    if (c->best < 0) {
      CB_CHECK(text(o, left + 4, y + 15, "start", "missing"));
      continue;
    }
    const cb_lb_layer *l = &c->layers[c->best];
    double lo, hi, s = clip01(l->score);
    interval(l, &lo, &hi);
    char lab[64];
    snprintf(lab, sizeof lab, "%.3f", l->score);
    CB_CHECK(cb_strbuf_printf(o, "<rect class=\"bar\" x=\"%.1f\" y=\"%.1f\" width=\"%.2f\" height=\"%.1f\" fill=\"%s\">",
                              left, y + 4, width * s, row - 8, cb__palette(m)));
    CB_CHECK(cb_strbuf_append(o, "<title>"));
    CB_CHECK(cb__html_escape(o, r->model));
    CB_CHECK(cb_strbuf_printf(o, " %s: %.4f [%.4f, %.4f]</title></rect>", l->layer, l->score, lo, hi));
    double x0 = left + width * clip01(lo), x1 = left + width * clip01(hi), ym = y + row / 2;
    CB_CHECK(cb_strbuf_printf(o,
                              "<path class=\"errorbar\" d=\"M%.2f %.1fV%.1fM%.2f %.1fH%.2fM%.2f %.1fV%.1f\"/>",
                              x0, ym - 5, ym + 5, x0, ym, x1, x1, ym - 5, ym + 5));
    CB_CHECK(text(o, left + width + 50, y + 15, "end", lab));
    CB_CHECK(text(o, left + width + 56, y + 15, "start", l->layer));
  }
  return cb_strbuf_append(o, "</svg>");
}

cb_status cb__svg_heatmap(cb_strbuf *o, const cb_leaderboard *lb) {
  const double left = 170, top = 110, cw = 70, ch = 22;
  double w = left + cw * lb->n_bench + 160, h = top + ch * lb->n_models + 10;
  CB_CHECK(cb_strbuf_printf(o, "<svg class=\"chart heatmap\" width=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\">",
                            w, h, w, h));
  for (int b = 0; b < lb->n_bench; ++b) {
    double x = left + cw * b + cw / 2;
    CB_CHECK(cb_strbuf_printf(o, "<text transform=\"translate(%.1f %.1f) rotate(-40)\">", x, top - 6));
    CB_CHECK(cb__html_escape(o, lb->bench[b]));
    CB_CHECK(cb_strbuf_append(o, "</text>"));
  }
  for (int m = 0; m < lb->n_models; ++m) {
    const cb_lb_row *r = &lb->rows[m];
    double y = top + ch * m;
    CB_CHECK(text(o, left - 6, y + 15, "end", r->model));
    for (int b = 0; b < lb->n_bench; ++b) {
      unsigned char c[3];
      double s = r->score[b];
      cb__viridis(isnan(s) ? NAN : clip01(s), c);
      char lab[32];
      if (isnan(s))
        snprintf(lab, sizeof lab, "-");
      else
        snprintf(lab, sizeof lab, "%.2f", s);
      CB_CHECK(cb_strbuf_printf(o,
                                "<rect class=\"cell\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
                                "fill=\"#%02x%02x%02x\"/>",
                                left + cw * b, y, cw - 1, ch - 1, c[0], c[1], c[2]));
      int light = !isnan(s) && clip01(s) > 0.6;
      CB_CHECK(cb_strbuf_printf(o, "<text class=\"%s\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%s</text>",
                                light ? "dark" : "light", left + cw * b + cw / 2, y + 15, lab));
    }
  }
  return cb_strbuf_append(o, "</svg>");
}

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

cb_status cb__svg_profile(cb_strbuf *o, const cb_leaderboard *lb, int region, const char *const *only, int n_only) {
  const double left = 50, top = 12, pw = 380, ph = 200, legend_x = 450;
  const int n_shown = only ? n_only : lb->n_models;
  double h = top + ph + 44;
  if (h < top + 18.0 * n_shown + 10) h = top + 18.0 * n_shown + 10;
  CB_CHECK(cb_strbuf_printf(o, "<svg class=\"chart profile\" width=\"640\" height=\"%.0f\" viewBox=\"0 0 640 %.0f\">",
                            h, h));
  for (int t = 0; t <= 4; ++t) {
    double y = top + ph - ph * t / 4.0;
    char lab[16];
    snprintf(lab, sizeof lab, "%.2f", t / 4.0);
    CB_CHECK(cb_strbuf_printf(o, "<line class=\"grid\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>", left, y,
                              left + pw, y));
    CB_CHECK(text(o, left - 6, y + 4, "end", lab));
  }
  CB_CHECK(text(o, left + pw / 2, top + ph + 20, "middle", "relative layer depth (first layer 0, last 1)"));
  CB_CHECK(cb_strbuf_printf(o, "<text transform=\"translate(12 %.1f) rotate(-90)\" text-anchor=\"middle\">ceiled "
                               "score</text>",
                            top + ph / 2));
  for (int m = 0, row = 0; m < lb->n_models; ++m) {
    const cb_lb_row *r = &lb->rows[m];
    if (!shown(r->model, only, n_only)) continue;
    const char *col = cb__palette(only ? row : m);
    /* Layer order: that of the region's first benchmark the model has layers on. */
    const cb_lb_cell *ref = NULL;
    for (int b = 0; b < lb->n_bench && !ref; ++b)
      if (lb->bench_region[b] == region && r->cell[b].n_layers > 0) ref = &r->cell[b];
    CB_CHECK(cb_strbuf_printf(o, "<rect x=\"%.1f\" y=\"%.1f\" width=\"10\" height=\"10\" fill=\"%s\"/>", legend_x,
                              top + 18.0 * row, col));
    CB_CHECK(text(o, legend_x + 14, top + 18.0 * row + 9, "start", r->model));
    ++row;
    if (!ref) continue;
    int L = ref->n_layers;
    CB_CHECK(cb_strbuf_append(o, "<g class=\"profile-line\" data-model=\""));
    CB_CHECK(cb__html_escape(o, r->model));
    CB_CHECK(cb_strbuf_printf(o, "\" stroke=\"%s\" fill=\"%s\"><polyline fill=\"none\" points=\"", col, col));
    double *ys = malloc((size_t)L * sizeof *ys); /* (L) mean clipped score over the region's benchmarks */
    if (!ys) return CB_ERROR(CB_ERR_NOMEM, "out of memory");
    for (int l = 0; l < L; ++l) {
      double sum = 0;
      int cnt = 0;
      for (int b = 0; b < lb->n_bench; ++b) {
        if (lb->bench_region[b] != region) continue;
        int k = find_layer(&r->cell[b], ref->layers[l].layer);
        if (k >= 0 && !isnan(r->cell[b].layers[k].score)) {
          sum += clip01(r->cell[b].layers[k].score);
          ++cnt;
        }
      }
      ys[l] = cnt ? sum / cnt : NAN;
    }
    cb_status st = CB_OK;
    for (int l = 0; l < L && st == CB_OK; ++l)
      if (!isnan(ys[l]))
        st = cb_strbuf_printf(o, "%.2f,%.2f ", left + pw * (L > 1 ? (double)l / (L - 1) : 0.5), top + ph - ph * ys[l]);
    if (st == CB_OK) st = cb_strbuf_append(o, "\"/>");
    for (int l = 0; l < L && st == CB_OK; ++l) {
      if (isnan(ys[l])) continue;
      st = cb_strbuf_printf(o, "<circle r=\"3\" cx=\"%.2f\" cy=\"%.2f\"><title>",
                            left + pw * (L > 1 ? (double)l / (L - 1) : 0.5), top + ph - ph * ys[l]);
      if (st == CB_OK) st = cb__html_escape(o, r->model);
      if (st == CB_OK) st = cb_strbuf_append(o, " ");
      if (st == CB_OK) st = cb__html_escape(o, ref->layers[l].layer);
      if (st == CB_OK) st = cb_strbuf_printf(o, ": %.4f</title></circle>", ys[l]);
    }
    free(ys);
    CB_CHECK(st);
    CB_CHECK(cb_strbuf_append(o, "</g>"));
  }
  return cb_strbuf_append(o, "</svg>");
}

/* cb_report_task.c - task performance against neural predictivity (Yamins et al. 2014, Fig. 1): for each region,
 * one point per model that has a task accuracy (cb_report_add_task: e.g. the checkpoints of one training run),
 * x = the accuracy, y = the model's region score (mean of the clipped ceiled scores of the region's benchmarks,
 * the leaderboard's value), joined in the order the models were added; the caption gives Pearson's r over the
 * points. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cb_report_impl.h"

#define AXIS_MAX 1.1

typedef struct frame {
  double left, top, pw, ph;
} frame;

static double fx(const frame *f, double a) { return f->left + f->pw * a; }
static double fy(const frame *f, double s) { return f->top + f->ph - f->ph * s / AXIS_MAX; }

/* Row of model `name`, NULL when it is not on the leaderboard. */
static const cb_lb_row *find_row(const cb_leaderboard *lb, const char *name) {
  for (int m = 0; m < lb->n_models; ++m)
    if (!strcmp(lb->rows[m].model, name)) return &lb->rows[m];
  return NULL;
}

/* Region score of task model i; NaN when it has none. */
static double score_of(const cb_report *r, int i, int region) {
  const cb_lb_row *row = find_row(r->lb, r->task_model[i]);
  return row ? row->region[region] : NAN;
}

/* Pearson's r of (accuracy, score) over the task models with a score; *n receives their number. */
static double pearson(const cb_report *r, int region, int *n) {
  double sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
  *n = 0;
  for (int i = 0; i < r->n_task; ++i) {
    const double x = r->task_acc[i], y = score_of(r, i, region);
    if (isnan(y)) continue;
    sx += x, sy += y, sxx += x * x, syy += y * y, sxy += x * y, ++*n;
  }
  const double vx = sxx - sx * sx / *n, vy = syy - sy * sy / *n;
  return *n > 1 && vx > 0 && vy > 0 ? (sxy - sx * sy / *n) / sqrt(vx * vy) : NAN;
}

static cb_status axes(cb_strbuf *o, const frame *f, double lower) {
  char lo[32] = "";
  if (!isnan(lower)) snprintf(lo, sizeof lo, "%.4f", lower);
  const double y1 = fy(f, 1), a = isnan(lower) ? y1 - 3 : y1, b = isnan(lower) ? y1 + 3 : fy(f, lower < 0 ? 0 : lower);
  CB_CHECK(cb_strbuf_printf(o, "<g class=\"ceiling\" data-lower=\"%s\"><rect class=\"ceiling-band\" x=\"%.1f\" y=\"%.1f\" "
                               "width=\"%.1f\" height=\"%.1f\"><title>noise ceiling</title></rect><line "
                               "class=\"ceiling-line\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/></g>",
                            lo, f->left, a, f->pw, b - a, f->left, y1, f->left + f->pw, y1));
  for (int t = 0; t <= 4; ++t) {
    char lab[16];
    snprintf(lab, sizeof lab, "%.2f", t / 4.0);
    CB_CHECK(cb_strbuf_printf(o, "<line class=\"grid\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>", f->left,
                              fy(f, t / 4.0), f->left + f->pw, fy(f, t / 4.0)));
    CB_CHECK(cb__svg_text(o, f->left - 8, fy(f, t / 4.0) + 5, "end", NULL, lab));
    CB_CHECK(cb_strbuf_printf(o, "<line class=\"grid\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>",
                              fx(f, t / 4.0), f->top, fx(f, t / 4.0), f->top + f->ph));
    CB_CHECK(cb__svg_text(o, fx(f, t / 4.0), f->top + f->ph + 18, "middle", NULL, lab));
  }
  CB_CHECK(cb__svg_text(o, f->left + f->pw / 2, f->top + f->ph + 42, "middle", NULL, "task accuracy (held-out images)"));
  return cb_strbuf_printf(o, "<text transform=\"translate(22 %.1f) rotate(-90)\" text-anchor=\"middle\">ceiled score "
                             "(region mean)</text>", f->top + f->ph / 2);
}

/* The points (circle, or a marker at 1 when above the ceiling) and the line joining them in order. */
static cb_status points(cb_strbuf *o, const cb_report *r, const frame *f, int region) {
  CB_CHECK(cb_strbuf_append(o, "<g class=\"task-line\" stroke=\"#1f77b4\" fill=\"#1f77b4\"><polyline fill=\"none\" "
                               "stroke-width=\"1.5\" points=\""));
  for (int i = 0; i < r->n_task; ++i) {
    const double y = score_of(r, i, region);
    if (!isnan(y)) CB_CHECK(cb_strbuf_printf(o, "%.2f,%.2f ", fx(f, r->task_acc[i]), fy(f, y > 1 ? 1 : y)));
  }
  CB_CHECK(cb_strbuf_append(o, "\"/>"));
  for (int i = 0; i < r->n_task; ++i) {
    const double y = score_of(r, i, region), x = fx(f, r->task_acc[i]);
    if (isnan(y)) continue;
    CB_CHECK(cb_strbuf_printf(o, "<circle class=\"task-point\" r=\"4\" cx=\"%.2f\" cy=\"%.2f\"><title>", x, fy(f, y)));
    CB_CHECK(cb__html_escape(o, r->task_model[i]));
    CB_CHECK(cb_strbuf_printf(o, ": accuracy %.4f, score %.4f</title></circle>", r->task_acc[i], y));
  }
  CB_CHECK(cb_strbuf_append(o, "</g>"));
  for (int i = 0; i < r->n_task; ++i) { /* labels outside the group: no stroke */
    const double y = score_of(r, i, region);
    if (!isnan(y)) CB_CHECK(cb__svg_text(o, fx(f, r->task_acc[i]) + 6, fy(f, y) - 8 - 14.0 * (i % 2), "start", "small",
                                         r->task_model[i]));
  }
  return CB_OK;
}

cb_status cb__svg_task(cb_strbuf *o, const cb_report *r, int region) {
  const frame f = {80, 40, 560, 400};
  int n = 0;
  const double rho = pearson(r, region, &n);
  char title[256];
  snprintf(title, sizeof title, "%s: Pearson r = %.3f over %d models", r->lb->region[region], rho, n);
  CB_CHECK(cb__svg_begin(o, "task", 700, f.top + f.ph + 60));
  CB_CHECK(cb__svg_text(o, 10, 22, "start", "title", title));
  CB_CHECK(axes(o, &f, cb__region_lower(r->lb, region)));
  CB_CHECK(points(o, r, &f, region));
  return cb_strbuf_append(o, "</svg>");
}

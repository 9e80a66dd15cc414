/* cb_report_html.c - assembles the page: ranking table, figures, RDMs,
 * metadata, inline CSS and the sorting script. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_report_impl.h"

#define RDM_MAX_SIDE 256 /* larger RDMs are block-averaged to this many pixels a side */

cb_status cb__html_escape(cb_strbuf *o, const char *s) {
  const char *p = s, *run = s;
  for (; *p; ++p) {
    const char *rep = NULL;
    switch (*p) {
    case '&': rep = "&amp;"; break;
    case '<': rep = "&lt;"; break;
    case '>': rep = "&gt;"; break;
    case '"': rep = "&quot;"; break;
    case '\'': rep = "&#39;"; break;
    default: continue;
    }
    if (p > run) CB_CHECK(cb_strbuf_printf(o, "%.*s", (int)(p - run), run));
    CB_CHECK(cb_strbuf_append(o, rep));
    run = p + 1;
  }
  return p > run ? cb_strbuf_append(o, run) : CB_OK;
}

static const char *CSS =
    "body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222;max-width:1200px}"
    "h1{font-size:22px}h2{font-size:18px;margin-top:28px;border-bottom:1px solid #ddd}"
    "table{border-collapse:collapse}th,td{padding:3px 8px;border-bottom:1px solid #eee;text-align:right}"
    "td.name,th.name{text-align:left}th{cursor:pointer;background:#f6f6f6;user-select:none}"
    "th[data-dir=asc]::after{content:' \\25B2'}th[data-dir=desc]::after{content:' \\25BC'}"
    "figure{margin:12px 0 20px}figcaption{font-weight:600;margin-bottom:4px}"
    "svg.chart{max-width:100%;height:auto;display:block}.export{font-size:12px;color:#555}"
    "th small{display:block;font-weight:normal;color:#555;font-size:11px}td.above-ceiling{color:#c00000}"
    ".rdm-row{display:flex;flex-wrap:wrap;gap:16px}.rdm-cell{text-align:center;font-size:12px}"
    "img.rdm{width:200px;height:200px;image-rendering:pixelated;border:1px solid #ccc}"
    ".note{color:#555}td.layers{text-align:left;font-family:monospace;font-size:12px}"
    "#metadata td{text-align:left;font-family:monospace}";

static const char *JS =
    "(function(){\n"
    "var t=document.getElementById('leaderboard');\n"
    "if(t){var ths=Array.prototype.slice.call(t.tHead.rows[0].cells);\n"
    "ths.forEach(function(th,col){th.addEventListener('click',function(){\n"
    " var num=th.getAttribute('data-type')==='num',dir=th.getAttribute('data-dir')==='asc'?'desc':'asc';\n"
    " ths.forEach(function(h){h.removeAttribute('data-dir');});th.setAttribute('data-dir',dir);\n"
    " var tb=t.tBodies[0],rows=Array.prototype.slice.call(tb.rows),s=dir==='asc'?1:-1;\n"
    " rows.sort(function(a,b){var x=a.cells[col].getAttribute('data-value'),y=b.cells[col].getAttribute('data-value');\n"
    "  if(num){x=x===''?NaN:parseFloat(x);y=y===''?NaN:parseFloat(y);\n"
    "   if(isNaN(x)||isNaN(y))return isNaN(x)-isNaN(y);return s*(x-y);}\n"
    "  return s*(x<y?-1:x>y?1:0);});\n"
    " rows.forEach(function(r){tb.appendChild(r);});});});}\n"
    "window.addEventListener('load',function(){\n"
    " Array.prototype.forEach.call(document.querySelectorAll('img.rdm'),function(i){\n"
    "  if(i.complete&&i.naturalWidth>0)i.setAttribute('data-decoded','1');});\n"
    " document.body.setAttribute('data-ready','1');});\n"
    "})();\n";

static cb_status num_attr(cb_strbuf *o, double x) {
  return isnan(x) ? cb_strbuf_append(o, "<td data-value=\"\">-</td>") : cb_strbuf_printf(o, "<td data-value=\"%.6f\">%.3f</td>", x, x);
}

/* A benchmark's cell: the ceiled score, marked when above the ceiling. */
static cb_status score_td(cb_strbuf *o, double x) {
  if (isnan(x) || x <= 1) return num_attr(o, x);
  return cb_strbuf_printf(o, "<td class=\"above-ceiling\" data-value=\"%.6f\" title=\"above the noise ceiling "
                             "(ceiled %.4f); counted as 1 in the averages\">%.3f&#160;&#9650;</td>",
                          x, x, x);
}

/* A header cell: label (escaped) over a short description. */
static cb_status th(cb_strbuf *o, const char *cls, const char *type, const char *label, const char *what) {
  CB_CHECK(cb_strbuf_printf(o, "<th class=\"%s\" data-type=\"%s\" title=\"", cls, type));
  CB_CHECK(cb__html_escape(o, what));
  CB_CHECK(cb_strbuf_append(o, "\">"));
  CB_CHECK(cb__html_escape(o, label));
  CB_CHECK(cb_strbuf_append(o, "<small>"));
  CB_CHECK(cb__html_escape(o, what));
  return cb_strbuf_append(o, "</small></th>");
}

static cb_status ranking_head(cb_strbuf *o, const cb_leaderboard *lb) {
  const int regions = lb->n_regions > 1;
  char what[256];
  CB_CHECK(th(o, "rank", "num", "rank", "on the average rounded to 2 decimals"));
  CB_CHECK(th(o, "name", "text", "model", "network"));
  CB_CHECK(th(o, "average", "num", "average", regions ? "mean of the region columns" : "mean of the benchmarks"));
  for (int k = 0; regions && k < lb->n_regions; ++k) {
    snprintf(what, sizeof what, "region: mean of its benchmarks, clipped to [0, 1]");
    CB_CHECK(th(o, "region", "num", lb->region[k], what));
  }
  for (int b = 0; b < lb->n_bench; ++b) {
    snprintf(what, sizeof what, "benchmark (%s): ceiled score of the chosen layer", lb->region[lb->bench_region[b]]);
    CB_CHECK(th(o, "bench", "num", lb->bench[b], what));
  }
  return CB_OK;
}

static cb_status ranking(cb_strbuf *o, const cb_leaderboard *lb) {
  int regions = lb->n_regions > 1;
  CB_CHECK(cb_strbuf_append(o, "<section id=\"ranking\"><h2>Ranking</h2>\n<table id=\"leaderboard\"><thead><tr>"));
  CB_CHECK(ranking_head(o, lb));
  CB_CHECK(cb_strbuf_append(o, "</tr></thead><tbody>\n"));
  for (int m = 0; m < lb->n_models; ++m) {
    const cb_lb_row *r = &lb->rows[m];
    CB_CHECK(cb_strbuf_printf(o, "<tr class=\"model-row\" id=\"model-%d\" data-model=\"", m + 1));
    CB_CHECK(cb__html_escape(o, r->model));
    CB_CHECK(cb_strbuf_printf(o, "\"><td data-value=\"%d\">%d</td><td class=\"name\" data-value=\"", r->rank, r->rank));
    CB_CHECK(cb__html_escape(o, r->model));
    CB_CHECK(cb_strbuf_append(o, "\">"));
    CB_CHECK(cb__html_escape(o, r->model));
    CB_CHECK(cb_strbuf_append(o, "</td>"));
    if (r->rank_value < 0)
      CB_CHECK(cb_strbuf_append(o, "<td data-value=\"\">-</td>"));
    else
      CB_CHECK(cb_strbuf_printf(o, "<td data-value=\"%.6f\" title=\"%.6f\">%d.%02d</td>", r->average, r->average,
                                r->rank_value / 100, r->rank_value % 100));
    for (int k = 0; regions && k < lb->n_regions; ++k) CB_CHECK(num_attr(o, r->region[k]));
    for (int b = 0; b < lb->n_bench; ++b) CB_CHECK(score_td(o, r->score[b]));
    CB_CHECK(cb_strbuf_append(o, "</tr>\n"));
  }
  return cb_strbuf_printf(o, "</tbody></table>\n<p class=\"note\" id=\"columns\">Columns. <b>benchmark</b> (one per "
                             "benchmark id): the ceiled score (raw score / noise ceiling) of the layer chosen for the "
                             "model: Brain-Score's layer commitment (one layer per model and region, the best on the "
                             "region's selection benchmark) unless the run asked for the best layer per benchmark; "
                             "not clipped; &#9650; marks a score above the noise ceiling (ceiled &gt; 1), which counts "
                             "as 1 in the averages. %s<b>average</b>: unweighted mean over regions of the unweighted "
                             "mean over each region's benchmarks of those scores clipped to [0, 1]; %s. Ranked on the "
                             "average rounded to 2 decimals (half up); ties share a rank. - = missing. Click a header "
                             "to sort.</p></section>\n",
                          lb->n_regions > 1 ? "<b>region</b> (V1, IT, ...): mean of the region's benchmark scores "
                                              "clipped to [0, 1]. "
                                            : "",
                          lb->skip_missing ? "a missing child (a region or benchmark the model was not scored on) is "
                                             "left out of the mean"
                                           : "a missing child counts as 0");
}

/* <figure id=...>: caption (escaped), the figure inline and its file links. */
static cb_status figure(cb_strbuf *o, const char *id, const char *attrs, const char *caption, const cb__fig *f) {
  CB_CHECK(cb_strbuf_printf(o, "<figure class=\"figure\" id=\"%s\" data-file=\"%s\"%s><figcaption>", id, f->name,
                            attrs));
  CB_CHECK(cb__html_escape(o, caption));
  CB_CHECK(cb_strbuf_append(o, "</figcaption>"));
  CB_CHECK(cb__fig_embed(o, f, 1));
  return cb_strbuf_append(o, "</figure>\n");
}

/* ` data-NAME="VALUE"` appended to a (VALUE escaped). */
static cb_status data_attr(cb_strbuf *a, const char *name, const char *value) {
  CB_CHECK(cb_strbuf_printf(a, " data-%s=\"", name));
  CB_CHECK(cb__html_escape(a, value));
  return cb_strbuf_append(a, "\"");
}

static cb_status bar_figures(cb_strbuf *o, const cb_leaderboard *lb, cb__figs *figs) {
  for (int b = 0; b < lb->n_bench; ++b) {
    cb__fig *f = NULL;
    char id[32], cap[1024];
    cb_strbuf a = {0};
    CB_CHECK(cb__figs_add(figs, "bars", b, lb->bench[b], &f));
    CB_CHECK(cb__svg_bars(&f->svg, lb, b));
    snprintf(id, sizeof id, "fig-bars-%d", b);
    snprintf(cap, sizeof cap, "%s (region %s)", lb->bench[b], lb->region[lb->bench_region[b]]);
    cb_status st = data_attr(&a, "benchmark", lb->bench[b]);
    if (st == CB_OK) st = figure(o, id, a.data, cap, f);
    cb_strbuf_free(&a);
    CB_CHECK(st);
  }
  return CB_OK;
}

static cb_status figures(cb_strbuf *o, const cb_leaderboard *lb, cb__figs *figs) {
  CB_CHECK(cb_strbuf_append(o, "<section id=\"benchmarks\"><h2>Scores per benchmark</h2>\n"
                               "<p class=\"note\">Ceiled score (raw / noise ceiling) of each model's chosen layer. "
                               "The noise ceiling is 1 on every score axis: the grey band spans its interval (from "
                               "the Nili lower bound to the upper bound on RDM datasets of several subjects; a thin "
                               "band at 1 when the ceiling has no interval), the dashed line is the ceiling itself. "
                               "A score above the ceiling is drawn to 1 and marked &#9650; (its tooltip gives the "
                               "value). Error bars: bootstrap interval when the scores have one, otherwise the split "
                               "standard error of the raw score scaled by score/raw. Every figure is also a file "
                               "(SVG and PNG) under figures/.</p>\n"));
  CB_CHECK(bar_figures(o, lb, figs));
  cb__fig *f = NULL;
  CB_CHECK(cb__figs_add(figs, "heatmap", 0, NULL, &f));
  CB_CHECK(cb__svg_heatmap(&f->svg, lb));
  CB_CHECK(cb_strbuf_append(o, "</section>\n<section id=\"heatmaps\"><h2>Models &#215; benchmarks</h2>\n"));
  CB_CHECK(figure(o, "fig-heatmap", "", "Ceiled score of the chosen layer (colour: clipped to [0, 1], viridis)", f));
  CB_CHECK(cb_strbuf_append(o, "</section>\n<section id=\"profiles\"><h2>Layer profiles</h2>\n"
                               "<p class=\"note\">Ceiled score (clipped, mean over the region's benchmarks) of every "
                               "layer against its relative depth, per region and model; band: the noise ceiling "
                               "(from the lowest Nili lower bound of the region's benchmarks, when there is one); "
                               "&#9650;: a layer above the ceiling on one of the benchmarks.</p>\n"));
  for (int k = 0; k < lb->n_regions; ++k) {
    char id[32];
    cb_strbuf a = {0};
    CB_CHECK(cb__figs_add(figs, "profile", k, lb->region[k], &f));
    CB_CHECK(cb__svg_profile(&f->svg, lb, k, NULL, 0));
    snprintf(id, sizeof id, "fig-profile-%d", k);
    cb_status st = data_attr(&a, "region", lb->region[k]);
    if (st == CB_OK) st = figure(o, id, a.data, lb->region[k], f);
    cb_strbuf_free(&a);
    CB_CHECK(st);
  }
  return cb_strbuf_append(o, "</section>\n");
}

/* 1 when model `name` has a layer scored on a benchmark of region k. */
static int has_region(const cb_leaderboard *lb, const char *name, int k) {
  for (int m = 0; m < lb->n_models; ++m) {
    if (strcmp(lb->rows[m].model, name) != 0) continue;
    for (int b = 0; b < lb->n_bench; ++b)
      if (lb->bench_region[b] == k && lb->rows[m].cell[b].n_layers > 0) return 1;
  }
  return 0;
}

/* The figure of twin pair t on region k. */
static cb_status twin_figure(cb_strbuf *o, const cb_leaderboard *lb, const char *const pair[2], int t, int k,
                             cb__figs *figs) {
  char id[48], cap[1024], label[600];
  cb__fig *f = NULL;
  snprintf(label, sizeof label, "%s-%s", pair[0], lb->region[k]);
  CB_CHECK(cb__figs_add(figs, "twin", t, label, &f));
  CB_CHECK(cb__svg_profile(&f->svg, lb, k, pair, 2));
  snprintf(id, sizeof id, "fig-twin-%d-%d", t, k);
  snprintf(cap, sizeof cap, "%s: %s and %s", lb->region[k], pair[0], pair[1]);
  cb_strbuf a = {0};
  cb_status st = data_attr(&a, "region", lb->region[k]);
  if (st == CB_OK) st = data_attr(&a, "trained", pair[0]);
  if (st == CB_OK) st = data_attr(&a, "untrained", pair[1]);
  if (st == CB_OK) st = figure(o, id, a.data, cap, f);
  cb_strbuf_free(&a);
  return st;
}

/* Each trained model and its untrained twin on one profile plot per region both were scored on. */
static cb_status twin_figures(cb_strbuf *o, const cb_report *r, cb__figs *figs) {
  const cb_leaderboard *lb = r->lb;
  if (r->n_twin == 0) return CB_OK;
  CB_CHECK(cb_strbuf_append(o, "<section id=\"twins\"><h2>Trained and untrained</h2>\n<p class=\"note\">Layer "
                               "profiles of each trained network and its untrained twin (the same graph with every "
                               "weight re-drawn: [model] reinit).</p>\n"));
  for (int t = 0; t < r->n_twin; ++t) {
    const char *const pair[2] = {r->twin[2 * t], r->twin[2 * t + 1]};
    for (int k = 0; k < lb->n_regions; ++k)
      if (has_region(lb, pair[0], k) && has_region(lb, pair[1], k)) CB_CHECK(twin_figure(o, lb, pair, t, k, figs));
  }
  return cb_strbuf_append(o, "</section>\n");
}

/* Task accuracy against region score, one figure per region a task model was scored on. */
cb_status cb__task_figures(cb_strbuf *o, const cb_report *r, cb__figs *figs) {
  const cb_leaderboard *lb = r->lb;
  if (r->n_task < 2) return CB_OK;
  CB_CHECK(cb_strbuf_append(o, "<section id=\"task\"><h2>Task performance and neural predictivity</h2>\n<p "
                               "class=\"note\">Each point a model with a task accuracy ([model] task_accuracy: "
                               "accuracy on held-out images of its training task), joined in the order of the "
                               "configuration; y: its region score (the leaderboard's region mean).</p>\n"));
  for (int k = 0; k < lb->n_regions; ++k) {
    int any = 0;
    for (int i = 0; i < r->n_task && !any; ++i) any = has_region(lb, r->task_model[i], k);
    if (!any) continue;
    cb__fig *f = NULL;
    char id[48], cap[512];
    CB_CHECK(cb__figs_add(figs, "task", k, lb->region[k], &f));
    CB_CHECK(cb__svg_task(&f->svg, r, k));
    snprintf(id, sizeof id, "fig-task-%d", k);
    snprintf(cap, sizeof cap, "%s: task accuracy against ceiled score", lb->region[k]);
    cb_strbuf a = {0};
    cb_status st = data_attr(&a, "region", lb->region[k]);
    if (st == CB_OK) st = figure(o, id, a.data, cap, f);
    cb_strbuf_free(&a);
    CB_CHECK(st);
  }
  return cb_strbuf_append(o, "</section>\n");
}

static cb_status layer_tables(cb_strbuf *o, const cb_leaderboard *lb) {
  CB_CHECK(cb_strbuf_append(o, "<section id=\"layers\"><h2>Every layer</h2>\n"));
  for (int b = 0; b < lb->n_bench; ++b) {
    CB_CHECK(cb_strbuf_printf(o, "<details id=\"layers-%d\"><summary>", b));
    CB_CHECK(cb__html_escape(o, lb->bench[b]));
    CB_CHECK(cb_strbuf_append(o, "</summary><table><tr><th class=\"name\">model</th><th class=\"name\">layer: ceiled "
                                 "score (raw, ceiling); chosen layer in bold; &#9650; above the noise "
                                 "ceiling</th></tr>\n"));
    for (int m = 0; m < lb->n_models; ++m) {
      const cb_lb_cell *c = &lb->rows[m].cell[b];
      CB_CHECK(cb_strbuf_append(o, "<tr><td class=\"name\">"));
      CB_CHECK(cb__html_escape(o, lb->rows[m].model));
      CB_CHECK(cb_strbuf_append(o, "</td><td class=\"layers\">"));
      for (int l = 0; l < c->n_layers; ++l) {
        const cb_lb_layer *y = &c->layers[l];
        CB_CHECK(cb_strbuf_append(o, l == c->best ? "<b>" : ""));
        CB_CHECK(cb__html_escape(o, y->layer));
        CB_CHECK(cb_strbuf_printf(o, ": %.4f%s (%.4f, %.4f)%s ", y->score, y->score > 1 ? "&#9650;" : "", y->raw,
                                  y->ceiling, l == c->best ? "</b>" : ""));
      }
      CB_CHECK(cb_strbuf_append(o, "</td></tr>\n"));
    }
    CB_CHECK(cb_strbuf_append(o, "</table></details>\n"));
  }
  return cb_strbuf_append(o, "</section>\n");
}

static cb_status rdm_cell(cb_strbuf *o, const cb__rdm *e) {
  unsigned char *rgb = NULL, *png = NULL;
  size_t n_png = 0;
  int side = 0;
  cb_status st = CB_OK;
  CB_CHECK_GOTO(cb__rdm_image(e->d, e->n, RDM_MAX_SIDE, &rgb, &side), st, done);
  CB_CHECK_GOTO(cb__png_encode_rgb(rgb, side, side, &png, &n_png), st, done);
  CB_CHECK_GOTO(cb_strbuf_append(o, "<div class=\"rdm-cell\"><img class=\"rdm\" data-name=\""), st, done);
  CB_CHECK_GOTO(cb__html_escape(o, e->name), st, done);
  CB_CHECK_GOTO(cb_strbuf_append(o, "\" alt=\""), st, done);
  CB_CHECK_GOTO(cb__html_escape(o, e->name), st, done);
  CB_CHECK_GOTO(cb_strbuf_append(o, "\" src=\"data:image/png;base64,"), st, done);
  CB_CHECK_GOTO(cb__base64(o, png, n_png), st, done);
  CB_CHECK_GOTO(cb_strbuf_append(o, "\"><div>"), st, done);
  CB_CHECK_GOTO(cb__html_escape(o, e->name), st, done);
  CB_CHECK_GOTO(cb_strbuf_printf(o, " (%d &#215; %d)</div></div>", e->n, e->n), st, done);
done:
  free(rgb);
  free(png);
  return st;
}

/* Figure g: the RDMs of the group of r->rdm[i] (i its first), as images and as a figure file. */
static cb_status rdm_group(cb_strbuf *o, const cb_report *r, int i, int g, cb__figs *figs) {
  int *idx = malloc((size_t)r->n_rdm * sizeof *idx), n = 0; /* (n_rdm) members of the group */
  if (!idx) return CB_ERROR(CB_ERR_NOMEM, "out of memory");
  for (int j = i; j < r->n_rdm; ++j)
    if (!strcmp(r->rdm[j].group, r->rdm[i].group)) idx[n++] = j;
  cb__fig *f = NULL;
  cb_status st = cb__figs_add(figs, "rdm", g, r->rdm[i].group, &f);
  if (st == CB_OK) st = cb__svg_rdms(&f->svg, r->rdm, idx, n, RDM_MAX_SIDE);
  if (st == CB_OK) st = cb_strbuf_printf(o, "<figure class=\"figure\" id=\"fig-rdm-%d\" data-file=\"%s\"", g, f->name);
  if (st == CB_OK) st = data_attr(o, "group", r->rdm[i].group);
  if (st == CB_OK) st = cb_strbuf_append(o, "><figcaption>");
  if (st == CB_OK) st = cb__html_escape(o, r->rdm[i].group);
  if (st == CB_OK) st = cb_strbuf_append(o, "</figcaption><div class=\"rdm-row\">");
  for (int k = 0; k < n && st == CB_OK; ++k) st = rdm_cell(o, &r->rdm[idx[k]]);
  if (st == CB_OK) st = cb_strbuf_append(o, "</div>");
  if (st == CB_OK) st = cb__fig_embed(o, f, 0);
  if (st == CB_OK) st = cb_strbuf_append(o, "</figure>\n");
  free(idx);
  return st;
}

static cb_status rdms(cb_strbuf *o, const cb_report *r, cb__figs *figs) {
  if (r->n_rdm == 0) return CB_OK;
  CB_CHECK(cb_strbuf_append(o, "<section id=\"rdms\"><h2>Representational dissimilarity matrices</h2>\n<p "
                               "class=\"note\">Each matrix scaled from its smallest (dark) to its largest (yellow) "
                               "off-diagonal value; stimuli in the order of the RDM file.</p>\n"));
  int fig = 0;
  for (int i = 0; i < r->n_rdm; ++i) {
    int first = 1;
    for (int j = 0; j < i && first; ++j) first = strcmp(r->rdm[j].group, r->rdm[i].group) != 0;
    if (first) CB_CHECK(rdm_group(o, r, i, fig++, figs));
  }
  return cb_strbuf_append(o, "</section>\n");
}

static cb_status metadata(cb_strbuf *o, const cb_report *r) {
  CB_CHECK(cb_strbuf_append(o, "<section id=\"metadata\"><h2>Run</h2>\n<table id=\"metadata-table\">"));
  for (int i = 0; i < r->n_meta; ++i) {
    CB_CHECK(cb_strbuf_append(o, "<tr><th class=\"name\">"));
    CB_CHECK(cb__html_escape(o, r->meta[2 * i]));
    CB_CHECK(cb_strbuf_append(o, "</th><td>"));
    CB_CHECK(cb__html_escape(o, r->meta[2 * i + 1]));
    CB_CHECK(cb_strbuf_append(o, "</td></tr>\n"));
  }
  return cb_strbuf_append(o, "</table></section>\n");
}

cb_status cb__report_page(const cb_report *r, cb_strbuf *o, cb__figs *figs) {
  if (!r) return CB_ERROR(CB_ERR_ARG, "report: NULL report");
  CB_CHECK(cb_strbuf_append(o, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>cortexbench: "));
  CB_CHECK(cb__html_escape(o, r->title));
  CB_CHECK(cb_strbuf_printf(o, "</title>\n<style>%s</style></head>\n<body data-ready=\"0\">\n<h1>cortexbench "
                               "leaderboard: ",
                            CSS));
  CB_CHECK(cb__html_escape(o, r->title));
  CB_CHECK(cb_strbuf_append(o, "</h1>\n"));
  if (r->lb) {
    CB_CHECK(ranking(o, r->lb));
    CB_CHECK(figures(o, r->lb, figs));
    CB_CHECK(twin_figures(o, r, figs));
    CB_CHECK(cb__task_figures(o, r, figs));
    CB_CHECK(layer_tables(o, r->lb));
  }
  CB_CHECK(rdms(o, r, figs));
  CB_CHECK(metadata(o, r));
  return cb_strbuf_printf(o, "<script>\n%s</script>\n</body></html>\n", JS);
}

cb_status cb_report_html(const cb_report *r, cb_strbuf *o) {
  cb__figs figs = {0};
  cb_status st = cb__report_page(r, o, &figs);
  cb__figs_free(&figs);
  return st;
}

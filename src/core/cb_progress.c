#include "cb_progress.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cb_log.h"
#include "cb_strbuf.h"
#include "cb_timer.h"

#define LIVE_REDRAW 0.1 /* seconds between two redraws of a live line */
#define BAR_WIDTH 20

struct cb_progress {
  char *label;
  char unit[24];
  int64_t total;
  cb_progress_opts o;
  double start, last; /* clock at the start and at the last line */
  int64_t last_done;  /* items at the last line (-1: none yet) */
  size_t live_len;    /* characters of the live line on screen (0: none) */
  int lines;
};

/* The tracker whose live line is on the terminal now (one process draws one at a time), so that a log message
 * can end it first instead of being appended to it. */
static cb_progress *cb__live_on_screen = NULL;

void cb_progress_break_line(void) {
  cb_progress *g = cb__live_on_screen;
  if (!g || g->live_len == 0) return;
  fputc('\n', g->o.out);
  fflush(g->o.out);
  g->live_len = 0;
  cb__live_on_screen = NULL;
}

static double clock_now(const cb_progress *g) { return g->o.clock ? g->o.clock(g->o.clock_ctx) : cb_now(); }

cb_progress_opts cb_progress_opts_env(void) {
  cb_progress_opts o = {CB_PROGRESS_PLAIN, 10.0, NULL, NULL, NULL};
  const char *form = getenv("CORTEXBENCH_PROGRESS");
  if (isatty(STDOUT_FILENO) && isatty(STDERR_FILENO)) o.mode = CB_PROGRESS_LIVE;
  if (form && !strcasecmp(form, "plain")) o.mode = CB_PROGRESS_PLAIN;
  if (form && !strcasecmp(form, "live")) o.mode = CB_PROGRESS_LIVE;
  if ((form && (!strcasecmp(form, "off") || !strcmp(form, "0"))) || cb_log_get_level() < CB_LOG_INFO)
    o.mode = CB_PROGRESS_OFF;
  const char *iv = getenv("CORTEXBENCH_PROGRESS_INTERVAL");
  if (iv && *iv) {
    char *end = NULL;
    double v = strtod(iv, &end);
    if (end && *end == '\0' && isfinite(v) && v >= 0) o.interval = v;
  }
  return o;
}

cb_status cb_progress_create(const char *label, const char *unit, int64_t total, const cb_progress_opts *o,
                             cb_progress **out) {
  *out = NULL;
  cb_progress *g = calloc(1, sizeof *g);
  if (!g || !(g->label = cb_strdup(label ? label : ""))) {
    free(g);
    return CB_ERROR(CB_ERR_NOMEM, "out of memory");
  }
  snprintf(g->unit, sizeof g->unit, "%s", unit ? unit : "items");
  g->total = total > 0 ? total : 0;
  g->o = o ? *o : cb_progress_opts_env();
  if (!g->o.out) g->o.out = stdout;
  g->start = g->last = clock_now(g);
  g->last_done = -1;
  *out = g;
  return CB_OK;
}

void cb_progress_destroy(cb_progress **g) {
  if (!g || !*g) return;
  if (cb__live_on_screen == *g) cb__live_on_screen = NULL;
  free((*g)->label);
  free(*g);
  *g = NULL;
}

int cb_progress_lines(const cb_progress *g) { return g ? g->lines : 0; }

void cb_progress_format_duration(double s, char *buf, size_t n) {
  if (!(s >= 0) || !isfinite(s)) s = 0;
  if (s < 9.95) {
    snprintf(buf, n, "%.1f s", s);
  } else if (s < 59.5) {
    snprintf(buf, n, "%.0f s", s);
  } else if (s < 3600) {
    long t = lround(s);
    snprintf(buf, n, "%ld min %02ld s", t / 60, t % 60);
  } else {
    long t = lround(s / 60);
    snprintf(buf, n, "%ld h %02ld min", t / 60, t % 60);
  }
}

static void format_rate(double rate, char *buf, size_t n) {
  snprintf(buf, n, rate >= 100 ? "%.0f" : rate >= 10 ? "%.1f" : "%.2f", rate);
}

/* "12/40 tasks (30%), 0.85 tasks/s, 14 s elapsed, ETA 33 s" or the final form. */
static void format_counts(char *buf, size_t n, const char *unit, int64_t done, int64_t total, double elapsed,
                          int final) {
  int pct = total > 0 ? (int)(100.0 * (double)done / (double)total) : 100;
  char el[32], rate[96] = "", eta[40] = "unknown";
  cb_progress_format_duration(elapsed, el, sizeof el);
  if (done > 0 && elapsed > 0) {
    double r = (double)done / elapsed;
    char num[24];
    format_rate(r, num, sizeof num);
    snprintf(rate, sizeof rate, "%s %s/s", num, unit);
    cb_progress_format_duration((double)(total - done) / r, eta, sizeof eta);
  }
  if (final)
    snprintf(buf, n, "%lld/%lld %s (%d%%) in %s%s%s", (long long)done, (long long)total, unit, pct, el,
             rate[0] ? ", " : "", rate);
  else
    snprintf(buf, n, "%lld/%lld %s (%d%%), %s%s%s elapsed, ETA %s", (long long)done, (long long)total, unit, pct,
             rate, rate[0] ? ", " : "", el, eta);
}

void cb_progress_format(char *buf, size_t n, const char *label, const char *unit, int64_t done, int64_t total,
                        double elapsed, int final) {
  char counts[192];
  format_counts(counts, sizeof counts, unit, done, total, elapsed, final);
  snprintf(buf, n, "%s: %s", label, counts);
}

/* "\rlabel [#####...............] 12/40 tasks (30%), ..." padded over the previous line. */
static void draw_live(cb_progress *g, int64_t done, double elapsed, int final) {
  char bar[BAR_WIDTH + 1], counts[192], line[512];
  int filled = g->total > 0 ? (int)((double)BAR_WIDTH * (double)done / (double)g->total) : BAR_WIDTH;
  for (int i = 0; i < BAR_WIDTH; ++i) bar[i] = i < filled ? '#' : '.';
  bar[BAR_WIDTH] = '\0';
  format_counts(counts, sizeof counts, g->unit, done, g->total, elapsed, final);
  int len = snprintf(line, sizeof line, "%s [%s] %s", g->label, bar, counts);
  size_t used = len < 0 ? 0 : (size_t)len < sizeof line ? (size_t)len : sizeof line - 1;
  size_t pad = g->live_len > used ? g->live_len - used : 0;
  fprintf(g->o.out, "\r%s%*s", line, (int)pad, "");
  if (final) fputc('\n', g->o.out);
  g->live_len = final ? 0 : used;
  cb__live_on_screen = final ? NULL : g;
}

static void emit(cb_progress *g, int64_t done, double now, int final) {
  if (g->o.mode == CB_PROGRESS_LIVE) {
    draw_live(g, done, now - g->start, final);
  } else {
    char line[512];
    cb_progress_format(line, sizeof line, g->label, g->unit, done, g->total, now - g->start, final);
    fprintf(g->o.out, "%s\n", line);
  }
  fflush(g->o.out);
  g->last = now;
  g->last_done = done;
  g->lines++;
}

void cb_progress_update(cb_progress *g, int64_t done) {
  if (!g || g->o.mode == CB_PROGRESS_OFF || done == g->last_done) return;
  double now = clock_now(g);
  double wait = g->o.mode == CB_PROGRESS_LIVE ? LIVE_REDRAW : g->o.interval;
  if (g->o.mode == CB_PROGRESS_LIVE && g->last_done < 0) wait = 0; /* draw the bar at once */
  if (now - g->last < wait || (done >= g->total && g->total > 0)) return; /* 100%: the final line says it */
  emit(g, done, now, 0);
}

void cb_progress_end(cb_progress *g, int64_t done, int complete) {
  if (!g || g->o.mode == CB_PROGRESS_OFF) return;
  if (complete) {
    emit(g, done, clock_now(g), 1);
  } else if (g->live_len > 0) {
    fputc('\n', g->o.out);
    fflush(g->o.out);
    g->live_len = 0;
    if (cb__live_on_screen == g) cb__live_on_screen = NULL;
  }
}

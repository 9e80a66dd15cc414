/* Unit tests for src/core/cb_progress: formatting (counts, rate, ETA), the
 * 10 s throttle of plain lines and the live line, with a fake clock. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_progress.h"
#include "cb_test_main.h"

static double fake_clock(void *ctx) { return *(const double *)ctx; }

/* Output captured in memory. */
typedef struct capture {
  char *text;
  size_t len;
  FILE *f;
} capture;

static void capture_open(capture *c) {
  memset(c, 0, sizeof *c);
  c->f = open_memstream(&c->text, &c->len);
  ck_assert_ptr_nonnull(c->f);
}

static const char *capture_text(capture *c) {
  fflush(c->f);
  return c->text;
}

static void capture_close(capture *c) {
  fclose(c->f);
  free(c->text);
}

static int count_char(const char *s, char ch) {
  int n = 0;
  for (; *s; ++s) n += *s == ch;
  return n;
}

START_TEST(test_durations) {
  char b[32];
  const struct {
    double s;
    const char *want;
  } cases[] = {{0, "0.0 s"},           {0.44, "0.4 s"},          {9.9, "9.9 s"},          {12.4, "12 s"},
               {59.4, "59 s"},         {60, "1 min 00 s"},       {185, "3 min 05 s"},     {3599, "59 min 59 s"},
               {7620, "2 h 07 min"},   {-1, "0.0 s"},            {90061, "25 h 01 min"}};
  char got[512] = "", want[512] = "";
  for (size_t i = 0; i < sizeof cases / sizeof *cases; ++i) {
    cb_progress_format_duration(cases[i].s, b, sizeof b);
    strcat(got, b), strcat(got, "|");
    strcat(want, cases[i].want), strcat(want, "|");
  }
  ck_assert_str_eq(got, want);
}
END_TEST

START_TEST(test_format_counts_rate_eta) {
  char line[256];
  /* 12 of 40 in 14 s: 0.857 tasks/s, 28 left -> 32.7 s */
  cb_progress_format(line, sizeof line, "scores", "tasks", 12, 40, 14.0, 0);
  ck_assert_str_eq(line, "scores: 12/40 tasks (30%), 0.86 tasks/s, 14 s elapsed, ETA 33 s");
  cb_progress_format(line, sizeof line, "scores", "tasks", 40, 40, 47.0, 1);
  ck_assert_str_eq(line, "scores: 40/40 tasks (100%) in 47 s, 0.85 tasks/s");
  /* nothing done yet: no rate, ETA unknown */
  cb_progress_format(line, sizeof line, "act", "stimuli", 0, 1000, 10.0, 0);
  ck_assert_str_eq(line, "act: 0/1000 stimuli (0%), 10 s elapsed, ETA unknown");
  /* fast: 640 stimuli in 2 s = 320/s, 360 left = 1.1 s */
  cb_progress_format(line, sizeof line, "act", "stimuli", 640, 1000, 2.0, 0);
  ck_assert_str_eq(line, "act: 640/1000 stimuli (64%), 320 stimuli/s, 2.0 s elapsed, ETA 1.1 s");
  /* an empty step ends at once */
  cb_progress_format(line, sizeof line, "act", "stimuli", 0, 0, 0.0, 1);
  ck_assert_str_eq(line, "act: 0/0 stimuli (100%) in 0.0 s");
}
END_TEST

/* Plain: no line before 10 s, then at most one per 10 s, a final line; never '\r'. */
START_TEST(test_plain_throttle) {
  double now = 100.0;
  capture c;
  capture_open(&c);
  cb_progress_opts o = {CB_PROGRESS_PLAIN, 10.0, c.f, fake_clock, &now};
  cb_progress *g = NULL;
  ck_assert_int_eq(cb_progress_create("scores", "tasks", 100, &o, &g), CB_OK);
  int lines[8];
  for (int k = 1; k <= 100; ++k) { /* one task every 0.25 s: 25 s in all */
    now = 100.0 + 0.25 * k;
    cb_progress_update(g, k);
    if (k == 39) lines[0] = cb_progress_lines(g); /* 9.75 s */
    if (k == 40) lines[1] = cb_progress_lines(g); /* 10 s: the first line */
    if (k == 79) lines[2] = cb_progress_lines(g); /* 19.75 s */
    if (k == 80) lines[3] = cb_progress_lines(g); /* 20 s: the second */
  }
  lines[4] = cb_progress_lines(g);
  cb_progress_end(g, 100, 1);
  lines[5] = cb_progress_lines(g);
  ck_assert_msg(lines[0] == 0 && lines[1] == 1 && lines[2] == 1 && lines[3] == 2 && lines[4] == 2 && lines[5] == 3,
                "lines at 9.75/10/19.75/20/25 s and after the end: %d %d %d %d %d %d", lines[0], lines[1], lines[2],
                lines[3], lines[4], lines[5]);
  ck_assert_str_eq(capture_text(&c), "scores: 40/100 tasks (40%), 4.00 tasks/s, 10 s elapsed, ETA 15 s\n"
                                     "scores: 80/100 tasks (80%), 4.00 tasks/s, 20 s elapsed, ETA 5.0 s\n"
                                     "scores: 100/100 tasks (100%) in 25 s, 4.00 tasks/s\n");
  cb_progress_destroy(&g);
  cb_progress_destroy(&g); /* NULL-safe */
  capture_close(&c);
}
END_TEST

/* Interval 0 (CORTEXBENCH_PROGRESS_INTERVAL=0, for tests): a line per change; a failed step adds nothing. */
START_TEST(test_plain_interval_zero_and_failure) {
  double now = 0.0;
  capture c;
  capture_open(&c);
  cb_progress_opts o = {CB_PROGRESS_PLAIN, 0.0, c.f, fake_clock, &now};
  cb_progress *g = NULL;
  ck_assert_int_eq(cb_progress_create("a", "stimuli", 3, &o, &g), CB_OK);
  now = 1, cb_progress_update(g, 1);
  now = 2, cb_progress_update(g, 1); /* unchanged: nothing */
  now = 3, cb_progress_update(g, 2);
  cb_progress_end(g, 2, 0); /* failed: no final line */
  ck_assert_str_eq(capture_text(&c), "a: 1/3 stimuli (33%), 1.00 stimuli/s, 1.0 s elapsed, ETA 2.0 s\n"
                                     "a: 2/3 stimuli (66%), 0.67 stimuli/s, 3.0 s elapsed, ETA 1.5 s\n");
  cb_progress_destroy(&g);
  capture_close(&c);
}
END_TEST

/* Live: drawn at once, redrawn at most every 0.1 s over the previous line, ended by '\n'. */
START_TEST(test_live_line) {
  double now = 0.0;
  capture c;
  capture_open(&c);
  cb_progress_opts o = {CB_PROGRESS_LIVE, 10.0, c.f, fake_clock, &now};
  cb_progress *g = NULL;
  ck_assert_int_eq(cb_progress_create("scores", "tasks", 4, &o, &g), CB_OK);
  cb_progress_update(g, 0);          /* drawn at once */
  now = 0.05, cb_progress_update(g, 1); /* too soon */
  now = 2.0, cb_progress_update(g, 2);
  now = 4.0, cb_progress_end(g, 4, 1);
  const char *l0 = "scores [....................] 0/4 tasks (0%), 0.0 s elapsed, ETA unknown";
  const char *l1 = "scores [##########..........] 2/4 tasks (50%), 1.00 tasks/s, 2.0 s elapsed, ETA 2.0 s";
  const char *l2 = "scores [####################] 4/4 tasks (100%) in 4.0 s, 1.00 tasks/s";
  char want[512]; /* the final line padded with spaces over the longer line before it */
  snprintf(want, sizeof want, "\r%s\r%s\r%s%*s\n", l0, l1, l2, (int)(strlen(l1) - strlen(l2)), "");
  ck_assert_str_eq(capture_text(&c), want);
  ck_assert_int_eq(count_char(capture_text(&c), '\n'), 1);
  cb_progress_destroy(&g);
  capture_close(&c);
}
END_TEST

/* A failed step ends a live line with '\n' only; OFF and NULL trackers print nothing. */
START_TEST(test_live_failure_off_null) {
  double now = 0.0;
  capture c;
  capture_open(&c);
  cb_progress_opts o = {CB_PROGRESS_LIVE, 10.0, c.f, fake_clock, &now};
  cb_progress *g = NULL, *off = NULL;
  ck_assert_int_eq(cb_progress_create("x", "tasks", 4, &o, &g), CB_OK);
  cb_progress_update(g, 1);
  cb_progress_end(g, 1, 0);
  o.mode = CB_PROGRESS_OFF;
  ck_assert_int_eq(cb_progress_create("y", "tasks", 4, &o, &off), CB_OK);
  cb_progress_update(off, 2);
  cb_progress_end(off, 4, 1);
  cb_progress_update(NULL, 1);
  cb_progress_end(NULL, 1, 1);
  ck_assert_str_eq(capture_text(&c), "\rx [#####...............] 1/4 tasks (25%), 0.0 s elapsed, ETA unknown\n");
  cb_progress_destroy(&g);
  cb_progress_destroy(&off);
  capture_close(&c);
}
END_TEST

/* A log message ends the live line first (cb_progress_break_line); the next update draws on a new line; an update
 * at 100 % draws nothing (the final line follows). */
START_TEST(test_live_break_line) {
  double now = 0.0;
  capture c;
  capture_open(&c);
  cb_progress_opts o = {CB_PROGRESS_LIVE, 10.0, c.f, fake_clock, &now};
  cb_progress *g = NULL;
  ck_assert_int_eq(cb_progress_create("x", "tasks", 2, &o, &g), CB_OK);
  cb_progress_update(g, 0);
  cb_progress_break_line();
  cb_progress_break_line(); /* nothing on screen any more: nothing */
  fputs("message\n", c.f);
  now = 1.0, cb_progress_update(g, 1);
  now = 2.0, cb_progress_update(g, 2);
  cb_progress_destroy(&g);
  cb_progress_break_line(); /* destroyed: forgotten */
  ck_assert_str_eq(capture_text(&c), "\rx [....................] 0/2 tasks (0%), 0.0 s elapsed, ETA unknown\nmessage\n"
                                     "\rx [##########..........] 1/2 tasks (50%), 1.00 tasks/s, 1.0 s elapsed, ETA 1.0 s");
  capture_close(&c);
}
END_TEST

/* Environment: CORTEXBENCH_PROGRESS forces a form or silences it, CORTEXBENCH_PROGRESS_INTERVAL sets the interval
 * (invalid values keep 10 s). */
START_TEST(test_opts_env) {
  setenv("CORTEXBENCH_PROGRESS", "plain", 1);
  setenv("CORTEXBENCH_PROGRESS_INTERVAL", "0.5", 1);
  cb_progress_opts a = cb_progress_opts_env();
  setenv("CORTEXBENCH_PROGRESS", "live", 1);
  setenv("CORTEXBENCH_PROGRESS_INTERVAL", "ten", 1);
  cb_progress_opts b = cb_progress_opts_env();
  setenv("CORTEXBENCH_PROGRESS", "off", 1);
  setenv("CORTEXBENCH_PROGRESS_INTERVAL", "-3", 1);
  cb_progress_opts d = cb_progress_opts_env();
  unsetenv("CORTEXBENCH_PROGRESS");
  unsetenv("CORTEXBENCH_PROGRESS_INTERVAL");
  ck_assert_msg(a.mode == CB_PROGRESS_PLAIN && a.interval == 0.5 && b.mode == CB_PROGRESS_LIVE &&
                    b.interval == 10.0 && d.mode == CB_PROGRESS_OFF && d.interval == 10.0,
                "modes %d %d %d, intervals %g %g %g", a.mode, b.mode, d.mode, a.interval, b.interval, d.interval);
}
END_TEST

int main(void) {
  Suite *s = suite_create("progress");
  TCase *tc = tcase_create("progress");
  tcase_add_test(tc, test_durations);
  tcase_add_test(tc, test_format_counts_rate_eta);
  tcase_add_test(tc, test_plain_throttle);
  tcase_add_test(tc, test_plain_interval_zero_and_failure);
  tcase_add_test(tc, test_live_line);
  tcase_add_test(tc, test_live_failure_off_null);
  tcase_add_test(tc, test_live_break_line);
  tcase_add_test(tc, test_opts_env);
  suite_add_tcase(s, tc);
  return cb_test_run(s);
}

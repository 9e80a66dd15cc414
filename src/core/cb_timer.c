#include "cb_timer.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct stage {
  char name[CB_TIMER_NAME_LEN];
  double seconds;
  double started; /* < 0 when not running */
  long items;
} stage;

struct cb_timers {
  stage stages[CB_TIMER_MAX_STAGES]; /* (n) in declaration order */
  int n;
};

double cb_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

cb_status cb_timers_create(cb_timers **out) {
  cb_timers *t = calloc(1, sizeof *t);
  if (!t) return CB_ERROR(CB_ERR_NOMEM, "out of memory for timers");
  *out = t;
  return CB_OK;
}

void cb_timers_destroy(cb_timers **t) {
  if (!t || !*t) return;
  free(*t);
  *t = NULL;
}

int cb_timers_declare(cb_timers *t, const char *name) {
  for (int i = 0; i < t->n; ++i)
    if (strcmp(t->stages[i].name, name) == 0) return i;
  if (t->n == CB_TIMER_MAX_STAGES) return -1;
  stage *s = &t->stages[t->n];
  strncpy(s->name, name, CB_TIMER_NAME_LEN - 1);
  s->name[CB_TIMER_NAME_LEN - 1] = '\0';
  s->started = -1.0;
  return t->n++;
}

void cb_timers_start(cb_timers *t, const char *name) {
  if (!t) return;
  int i = cb_timers_declare(t, name);
  if (i >= 0) t->stages[i].started = cb_now();
}

void cb_timers_stop(cb_timers *t, const char *name) {
  if (!t) return;
  int i = cb_timers_declare(t, name);
  if (i < 0 || t->stages[i].started < 0) return;
  t->stages[i].seconds += cb_now() - t->stages[i].started;
  t->stages[i].started = -1.0;
}

void cb_timers_count(cb_timers *t, const char *name, long n) {
  if (!t) return;
  int i = cb_timers_declare(t, name);
  if (i >= 0) t->stages[i].items += n;
}

int cb_timers_n(const cb_timers *t) { return t ? t->n : 0; }
const char *cb_timers_name(const cb_timers *t, int i) { return t->stages[i].name; }
double cb_timers_seconds(const cb_timers *t, int i) { return t->stages[i].seconds; }
long cb_timers_items(const cb_timers *t, int i) { return t->stages[i].items; }

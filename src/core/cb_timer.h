/* cb_timer.h - named stage timers (wall clock). Each rank keeps its own;
 * src/par reduces them to the max/min table printed at the end of a run. */
#ifndef CB_TIMER_H
#define CB_TIMER_H

#include "cb_status.h"

#define CB_TIMER_MAX_STAGES 32
#define CB_TIMER_NAME_LEN 32

typedef struct cb_timers cb_timers;

/* Seconds since an arbitrary fixed point (monotonic). */
double cb_now(void);

cb_status cb_timers_create(cb_timers **out);
void cb_timers_destroy(cb_timers **t);
/* Declare a stage so that every rank lists the same stages in the same
 * order, even ranks that never enter it. Returns its index or -1 if full. */
int cb_timers_declare(cb_timers *t, const char *stage);
void cb_timers_start(cb_timers *t, const char *stage);
void cb_timers_stop(cb_timers *t, const char *stage);
/* Count a unit of work (a task, an image) against a stage. */
void cb_timers_count(cb_timers *t, const char *stage, long n);
int cb_timers_n(const cb_timers *t);
const char *cb_timers_name(const cb_timers *t, int i);
double cb_timers_seconds(const cb_timers *t, int i);
long cb_timers_items(const cb_timers *t, int i);

#endif

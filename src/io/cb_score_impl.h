/* cb_score_impl.h - internal to cb_io: helpers shared by cb_score.c and cb_score_record.c. */
#ifndef CB_SCORE_IMPL_H
#define CB_SCORE_IMPL_H

#include <jansson.h>

#include "cb_score.h"

/* A JSON number, or null for NaN/Inf (new reference). */
json_t *cb__score_num(double v);
/* Adds `value` (reference stolen) under `key`; NULL value = failure naming the key. */
cb_status cb__score_put(const char *path, json_t *obj, const char *key, json_t *value);
/* Number or null (-> NaN) into *dst; anything else is an error naming key. */
cb_status cb__score_number(const char *path, json_t *v, const char *key, double *dst);
/* 1 for the ceiling_method values a score file may hold. */
int cb__score_ceiling_method_known(const char *m);
/* The record keys (cb_score.h) into root, each when set / from root when present (s already holds n_splits). */
cb_status cb__score_put_record(const char *path, json_t *root, const cb_score *s);
cb_status cb__score_get_record(const char *path, json_t *root, cb_score *s);
/* Frees parameters, neuroid_id and per_neuroid. */
void cb__score_free_record(cb_score *s);

#endif

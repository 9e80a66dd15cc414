/* reinit_test_util.h - helpers shared by test_reinit.c and test_reinit_models.c:
 * load an ONNX model, find a graph value, summary statistics of a tensor. */
#ifndef REINIT_TEST_UTIL_H
#define REINIT_TEST_UTIL_H

#include <check.h>
#include <math.h>
#include <stdint.h>

#include "cb_graph_impl.h"
#include "cb_nn.h"
#include "cb_nn_model.h"

static inline cb_model *load(const char *path) {
  cb_model *m = NULL;
  ck_assert_msg(cb_model_load_onnx(path, NULL, &m) == CB_OK, "%s", cb_error_message());
  return m;
}

static inline const cb__value *value(const cb_model *m, const char *name) {
  int id = cb_graph_find(m->g, name);
  ck_assert_msg(id >= 0, "%s: no value '%s'", m->name, name);
  return &m->g->values[id];
}

typedef struct stats {
  double mean, std, min, max; /* std: population */
} stats;

static inline stats stats_of(const float *x /* (n) */, int64_t n) {
  stats s = {0, 0, INFINITY, -INFINITY};
  for (int64_t i = 0; i < n; ++i) {
    s.mean += x[i];
    if (x[i] < s.min) s.min = x[i];
    if (x[i] > s.max) s.max = x[i];
  }
  s.mean /= (double)n;
  for (int64_t i = 0; i < n; ++i) s.std += ((double)x[i] - s.mean) * ((double)x[i] - s.mean);
  s.std = sqrt(s.std / (double)n);
  return s;
}

#endif

/* cb_zoo_init.c - seeded initialisation of zoo parameters with the
 * distributions torchvision uses. Values differ from torch's (its RNG
 * stream cannot be reproduced); distributions and determinism are what
 * count. Each parameter has its own stream (seed, FNV-1a of its name). */
#include <math.h>
#include <stdio.h>

#include "cb_rng.h"
#include "cb_zoo_impl.h"

static uint64_t fnv1a(const char *s) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (; *s; ++s) {
    h ^= (unsigned char)*s;
    h *= 0x100000001b3ull;
  }
  return h;
}

/* fan_in and fan_out of a weight (out, in, k...) as torch computes them. */
static void fans(const cb_graph *g, int id, double *fan_in, double *fan_out) {
  int64_t s[CB_GRAPH_MAX_DIMS];
  int nd = cb_graph_value_shape(g, id, s);
  double rf = 1.0;
  for (int d = 2; d < nd; ++d) rf *= (double)s[d];
  *fan_in = nd >= 2 ? (double)s[1] * rf : (double)s[0];
  *fan_out = (double)s[0] * rf;
}

void cb__param_fill(float *d, int64_t n, int uniform, double scale, uint64_t seed, const char *name) {
  cb_rng rng;
  cb_rng_seed_stream(&rng, seed, fnv1a(name));
  if (uniform)
    for (int64_t i = 0; i < n; ++i) d[i] = (float)(scale * (2.0 * cb_rng_uniform(&rng) - 1.0));
  else /* Box-Muller, both values of each pair (half the cost of cb_rng_normal) */
    for (int64_t i = 0; i < n; i += 2) {
      double u1 = 1.0 - cb_rng_uniform(&rng), u2 = cb_rng_uniform(&rng); /* u1 in (0, 1] */
      double r = scale * sqrt(-2.0 * log(u1)), t = 6.283185307179586 * u2;
      d[i] = (float)(r * cos(t));
      if (i + 1 < n) d[i + 1] = (float)(r * sin(t));
    }
}

static cb_status fill(cb_graph *g, const char *param, int uniform, double scale, uint64_t seed) {
  float *d = NULL;
  int64_t n = 0;
  CB_CHECK(cb_graph_param(g, param, &d, &n));
  cb__param_fill(d, n, uniform, scale, seed, param);
  return CB_OK;
}

cb_status cb__zoo_init_param(cb_graph *g, const char *param, cb__zoo_init kind, uint64_t seed) {
  int id = cb_graph_find(g, param);
  if (id < 0) return CB_ERROR(CB_ERR_INTERNAL, "zoo: no parameter '%s'", param);
  double fi, fo;
  fans(g, id, &fi, &fo);
  switch (kind) {
    case CB__INIT_TORCH_DEFAULT: return fill(g, param, 1, 1.0 / sqrt(fi), seed);
    case CB__INIT_KAIMING_OUT: return fill(g, param, 0, sqrt(2.0 / fo), seed);
    case CB__INIT_KAIMING_IN: return fill(g, param, 0, sqrt(2.0 / fi), seed);
    case CB__INIT_NORMAL_001: return fill(g, param, 0, 0.01, seed);
    case CB__INIT_XAVIER_UNIFORM: return fill(g, param, 1, sqrt(6.0 / (fi + fo)), seed);
  }
  return CB_ERROR(CB_ERR_INTERNAL, "zoo: unknown initialisation %d", (int)kind);
}

cb_status cb__zoo_init_module(cb_graph *g, const char *module, cb__zoo_init kind, uint64_t seed) {
  char w[256], b[256];
  if (snprintf(w, sizeof w, "%s.weight", module) >= (int)sizeof w || snprintf(b, sizeof b, "%s.bias", module) >= (int)sizeof b)
    return CB_ERROR(CB_ERR_ARG, "zoo: module name '%s' too long", module);
  CB_CHECK(cb__zoo_init_param(g, w, kind, seed));
  if (kind != CB__INIT_TORCH_DEFAULT || cb_graph_find(g, b) < 0) return CB_OK; /* biases start at 0 */
  /* torch: bias ~ U(-1/sqrt(fan_in), 1/sqrt(fan_in)), fan_in of the weight */
  double fi, fo;
  fans(g, cb_graph_find(g, w), &fi, &fo);
  return fill(g, b, 1, 1.0 / sqrt(fi), seed);
}

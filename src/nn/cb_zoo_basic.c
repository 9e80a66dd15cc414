/* cb_zoo_basic.c - the two baseline models: "pixels" (the preprocessed
 * image itself) and "tinycnn" (a small seeded CNN for the default suite). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cb_rng.h"
#include "cb_zoo_impl.h"

/* He-normal weights std sqrt(2 / fan_in) from stream (seed, stream); biases
 * 0. tinycnn keeps these streams (0 and 3) so its weights, and every cached
 * activation of it, are those of earlier versions. */
static cb_status init_he(cb_graph *g, const char *conv, uint64_t seed, uint64_t stream) {
  char name[160];
  float *w = NULL;
  int64_t n = 0;
  snprintf(name, sizeof name, "%s.weight", conv);
  CB_CHECK(cb_graph_param(g, name, &w, &n));
  int64_t s[CB_GRAPH_MAX_DIMS];
  cb_graph_value_shape(g, cb_graph_find(g, name), s);
  double sd = sqrt(2.0 / (double)(s[1] * s[2] * s[3]));
  cb_rng rng;
  cb_rng_seed_stream(&rng, seed, stream);
  for (int64_t i = 0; i < n; ++i) w[i] = (float)(sd * cb_rng_normal(&rng));
  return CB_OK;
}

/* Raw preprocessed input, 3x32x32 by default: Brain-Score's "pixels". */
cb_status cb__zoo_build_pixels(const cb_zoo_opts *o, cb_graph *g, cb_model_info *info) {
  *info = (cb_model_info){.name = "pixels", .mean = {0.0f, 0.0f, 0.0f}, .std = {1.0f, 1.0f, 1.0f}, .visual_degrees = 8.0,
                          .modality = CB_MODALITY_VISUAL};
  int x;
  CB_CHECK(cb__zoo_input(g, o, 32, 32, &x));
  return cb_graph_add_unary(g, "pixels", "Identity", x, &x);
}

/* A torchvision-like Sequential with ImageNet normalisation, 3x64x64. */
cb_status cb__zoo_build_tinycnn(const cb_zoo_opts *o, cb_graph *g, cb_model_info *info) {
  cb__zoo_imagenet_info(info, "tinycnn");
  int x;
  CB_CHECK(cb__zoo_input(g, o, 64, 64, &x));
  CB_CHECK(cb_graph_add_conv(g, "features.0", x, 16, 5, 2, 2, 1, NULL, NULL, &x));
  CB_CHECK(init_he(g, "features.0", o->seed, 0));
  CB_CHECK(cb_graph_add_relu(g, "features.1", x, &x));
  CB_CHECK(cb_graph_add_maxpool(g, "features.2", x, 2, 2, 0, 0, &x));
  CB_CHECK(cb_graph_add_conv(g, "features.3", x, 32, 3, 1, 1, 1, NULL, NULL, &x));
  CB_CHECK(init_he(g, "features.3", o->seed, 3));
  CB_CHECK(cb_graph_add_relu(g, "features.4", x, &x));
  return cb_graph_add_maxpool(g, "features.5", x, 2, 2, 0, 0, &x);
}

/* cb_zoo.c - built-in models, built node by node with the graph API from a
 * seed. Each builder declares a (1, 3, H, W) input and names its nodes by
 * PyTorch module path. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cb_graph.h"
#include "cb_nn.h"
#include "cb_nn_model.h"
#include "cb_rng.h"

typedef cb_status (*zoo_builder)(uint64_t seed, cb_model **out);

/* He/Kaiming-normal conv weights, std = sqrt(2 / fan_in), fan_in =
 * in_c/groups*k*k, from stream (seed, stream); biases stay 0. torchvision's
 * default is kaiming_uniform(a=sqrt(5)); we use He normal instead. */
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

/* Raw preprocessed input, 3x32x32: the "pixels" baseline of Brain-Score. */
static cb_status build_pixels(uint64_t seed, cb_model **out) {
  (void)seed;
  cb_model_info info = {.name = "pixels", .mean = {0.0f, 0.0f, 0.0f}, .std = {1.0f, 1.0f, 1.0f}, .visual_degrees = 8.0};
  cb_graph *g = NULL;
  cb_status st;
  int x;
  CB_CHECK(cb_graph_create(&g));
  CB_CHECK_GOTO(cb_graph_input(g, "input", 4, (const int64_t[]){1, 3, 32, 32}, &x), st, fail);
  CB_CHECK_GOTO(cb_graph_add_unary(g, "pixels", "Identity", x, &x), st, fail);
  return cb__model_from_graph(&info, g, out);
fail:
  cb_graph_destroy(&g);
  return st;
}

/* A torchvision-like Sequential with ImageNet normalisation. Each conv layer
 * draws its weights from its own stream (seed, layer index). */
static cb_status build_tinycnn(uint64_t seed, cb_model **out) {
  cb_model_info info = {.name = "tinycnn", .mean = {0.485f, 0.456f, 0.406f}, .std = {0.229f, 0.224f, 0.225f},
                        .visual_degrees = 8.0};
  cb_graph *g = NULL;
  cb_status st;
  int x;
  CB_CHECK(cb_graph_create(&g));
  CB_CHECK_GOTO(cb_graph_input(g, "input", 4, (const int64_t[]){1, 3, 64, 64}, &x), st, fail);
  CB_CHECK_GOTO(cb_graph_add_conv(g, "features.0", x, 16, 5, 2, 2, 1, NULL, NULL, &x), st, fail);
  CB_CHECK_GOTO(init_he(g, "features.0", seed, 0), st, fail);
  CB_CHECK_GOTO(cb_graph_add_relu(g, "features.1", x, &x), st, fail);
  CB_CHECK_GOTO(cb_graph_add_maxpool(g, "features.2", x, 2, 2, 0, 0, &x), st, fail);
  CB_CHECK_GOTO(cb_graph_add_conv(g, "features.3", x, 32, 3, 1, 1, 1, NULL, NULL, &x), st, fail);
  CB_CHECK_GOTO(init_he(g, "features.3", seed, 3), st, fail);
  CB_CHECK_GOTO(cb_graph_add_relu(g, "features.4", x, &x), st, fail);
  CB_CHECK_GOTO(cb_graph_add_maxpool(g, "features.5", x, 2, 2, 0, 0, &x), st, fail);
  return cb__model_from_graph(&info, g, out);
fail:
  cb_graph_destroy(&g);
  return st;
}

static const char *const zoo_names[] = {"pixels", "tinycnn", NULL};
static const zoo_builder zoo_builders[] = {build_pixels, build_tinycnn};

const char *const *cb_zoo_names(void) { return zoo_names; }

cb_status cb_model_create(const char *zoo_name, uint64_t seed, cb_model **out) {
  if (zoo_name == NULL || out == NULL) return CB_ERROR(CB_ERR_ARG, "model create: NULL argument");
  for (int i = 0; zoo_names[i] != NULL; ++i)
    if (strcmp(zoo_names[i], zoo_name) == 0) return zoo_builders[i](seed, out);
  char known[256] = "";
  size_t used = 0;
  for (int i = 0; zoo_names[i] != NULL && used < sizeof known; ++i)
    used += (size_t)snprintf(known + used, sizeof known - used, "%s%s", i ? ", " : "", zoo_names[i]);
  return CB_ERROR(CB_ERR_ARG, "unknown model '%s' (known: %s)", zoo_name, known);
}

/* cb_zoo.c - built-in models, built layer by layer from a seed. */
#include <stdio.h>
#include <string.h>

#include "cb_nn.h"
#include "cb_nn_model.h"
#include "cb_rng.h"

typedef cb_status (*zoo_builder)(uint64_t seed, cb_model **out);

/* Raw preprocessed input, 3x32x32: the "pixels" baseline of Brain-Score. */
static cb_status build_pixels(uint64_t seed, cb_model **out) {
  (void)seed;
  cb_model_info info = {.name = "pixels", .in_c = 3, .in_h = 32, .in_w = 32,
                        .mean = {0.0f, 0.0f, 0.0f}, .std = {1.0f, 1.0f, 1.0f}, .visual_degrees = 8.0};
  cb_model *m = NULL;
  cb_status st;
  CB_CHECK(cb__model_alloc(&info, 1, &m));
  CB_CHECK_GOTO(cb__identity_init(&m->layers[m->n_layers++], "pixels", 3, 32, 32), st, fail);
  CB_CHECK_GOTO(cb__model_finish(m), st, fail);
  *out = m;
  return CB_OK;
fail:
  cb_model_destroy(&m);
  return st;
}

/* A torchvision-like Sequential with ImageNet normalisation. Each conv layer
 * draws its weights from its own stream (seed, layer index). */
static cb_status build_tinycnn(uint64_t seed, cb_model **out) {
  cb_model_info info = {.name = "tinycnn", .in_c = 3, .in_h = 64, .in_w = 64,
                        .mean = {0.485f, 0.456f, 0.406f}, .std = {0.229f, 0.224f, 0.225f},
                        .visual_degrees = 8.0};
  cb_model *m = NULL;
  cb_status st;
  cb_rng rng;
  CB_CHECK(cb__model_alloc(&info, 6, &m));
  cb__layer *L = m->layers;
  CB_CHECK_GOTO(cb__conv2d_init(&L[0], "features.0", 3, 64, 64, 16, 5, 2, 2), st, fail);
  m->n_layers = 1;
  cb_rng_seed_stream(&rng, seed, 0);
  cb__conv2d_init_he(&L[0], &rng);
  CB_CHECK_GOTO(cb__relu_init(&L[1], "features.1", L[0].out_c, L[0].out_h, L[0].out_w), st, fail);
  m->n_layers = 2;
  CB_CHECK_GOTO(cb__maxpool2d_init(&L[2], "features.2", L[1].out_c, L[1].out_h, L[1].out_w, 2, 2), st, fail);
  m->n_layers = 3;
  CB_CHECK_GOTO(cb__conv2d_init(&L[3], "features.3", L[2].out_c, L[2].out_h, L[2].out_w, 32, 3, 1, 1), st, fail);
  m->n_layers = 4;
  cb_rng_seed_stream(&rng, seed, 3);
  cb__conv2d_init_he(&L[3], &rng);
  CB_CHECK_GOTO(cb__relu_init(&L[4], "features.4", L[3].out_c, L[3].out_h, L[3].out_w), st, fail);
  m->n_layers = 5;
  CB_CHECK_GOTO(cb__maxpool2d_init(&L[5], "features.5", L[4].out_c, L[4].out_h, L[4].out_w, 2, 2), st, fail);
  m->n_layers = 6;
  CB_CHECK_GOTO(cb__model_finish(m), st, fail);
  *out = m;
  return CB_OK;
fail:
  cb_model_destroy(&m);
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

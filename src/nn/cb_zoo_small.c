/* cb_zoo_small.c - the models of the training examples ("synit_cnn" below).
 * "fmnist_cnn": a small CNN for 1x28x28 images (Fashion-MNIST, MNIST), the model of the training example
 * (benchmarks/train-fashion-mnist.ini). Weights: torch.nn's default initialisation ("pytorch" reinit scheme)
 * under the seed. Layers:
 *   features.0 conv 1->16 k3 p1, features.1 relu, features.2 maxpool k2 s2,
 *   features.3 conv 16->32 k3 p1, features.4 relu, features.5 maxpool k2 s2, flatten (1568),
 *   classifier.0 linear 1568->64, classifier.1 relu, classifier.2 linear 64->10 (the logits). */
#include "cb_zoo_impl.h"

cb_status cb__zoo_build_fmnist_cnn(const cb_zoo_opts *o, cb_graph *g, cb_model_info *info) {
  *info = (cb_model_info){.name = "fmnist_cnn", .mean = {0.2860f, 0.2860f, 0.2860f}, .std = {0.3530f, 0.3530f, 0.3530f},
                          .visual_degrees = 8.0, .modality = CB_MODALITY_VISUAL};
  const int h = o->in_h > 0 ? o->in_h : 28, w = o->in_w > 0 ? o->in_w : 28;
  if (h % 4 != 0 || w % 4 != 0) return CB_ERROR(CB_ERR_ARG, "fmnist_cnn: input %dx%d must be a multiple of 4", h, w);
  int x;
  CB_CHECK(cb_graph_input(g, "input", 4, (const int64_t[]){1, 1, h, w}, &x));
  CB_CHECK(cb_graph_add_conv(g, "features.0", x, 16, 3, 1, 1, 1, NULL, NULL, &x));
  CB_CHECK(cb_graph_add_relu(g, "features.1", x, &x));
  CB_CHECK(cb_graph_add_maxpool(g, "features.2", x, 2, 2, 0, 0, &x));
  CB_CHECK(cb_graph_add_conv(g, "features.3", x, 32, 3, 1, 1, 1, NULL, NULL, &x));
  CB_CHECK(cb_graph_add_relu(g, "features.4", x, &x));
  CB_CHECK(cb_graph_add_maxpool(g, "features.5", x, 2, 2, 0, 0, &x));
  CB_CHECK(cb_graph_add_flatten(g, "flatten", x, &x));
  CB_CHECK(cb_graph_add_linear(g, "classifier.0", x, 64, NULL, NULL, &x));
  CB_CHECK(cb_graph_add_relu(g, "classifier.1", x, &x));
  CB_CHECK(cb_graph_add_linear(g, "classifier.2", x, 10, NULL, NULL, &x));
  return cb_graph_reinit(g, "pytorch", o->seed, NULL);
}

/* "synit_cnn": a small CNN for 1x64x64 gray images at 8 deg and 8 classes, the model of the goal-driven example
 * (benchmarks/goal-driven-train.ini: synthetic-it categorisation). Inputs (pixel / 255 - 0.5) / 0.25. Weights:
 * torch.nn's default initialisation under the seed. Layers:
 *   features.0 conv 1->32 k5 s2 p2, features.1 relu, features.2 maxpool k2 s2        (32 x 16 x 16)
 *   features.3 conv 32->64 k3 p1, features.4 relu, features.5 maxpool k2 s2          (64 x 8 x 8)
 *   features.6 conv 64->128 k3 p1, features.7 relu, features.8 maxpool k2 s2         (128 x 4 x 4)
 *   avgpool global average pool, flatten (128), classifier linear 128->8 (the logits). */
cb_status cb__zoo_build_synit_cnn(const cb_zoo_opts *o, cb_graph *g, cb_model_info *info) {
  *info = (cb_model_info){.name = "synit_cnn", .mean = {0.5f, 0.5f, 0.5f}, .std = {0.25f, 0.25f, 0.25f},
                          .visual_degrees = 8.0, .modality = CB_MODALITY_VISUAL};
  const int h = o->in_h > 0 ? o->in_h : 64, w = o->in_w > 0 ? o->in_w : 64;
  if (h % 16 != 0 || w % 16 != 0) return CB_ERROR(CB_ERR_ARG, "synit_cnn: input %dx%d must be a multiple of 16", h, w);
  int x;
  CB_CHECK(cb_graph_input(g, "input", 4, (const int64_t[]){1, 1, h, w}, &x));
  CB_CHECK(cb_graph_add_conv(g, "features.0", x, 32, 5, 2, 2, 1, NULL, NULL, &x));
  CB_CHECK(cb_graph_add_relu(g, "features.1", x, &x));
  CB_CHECK(cb_graph_add_maxpool(g, "features.2", x, 2, 2, 0, 0, &x));
  CB_CHECK(cb_graph_add_conv(g, "features.3", x, 64, 3, 1, 1, 1, NULL, NULL, &x));
  CB_CHECK(cb_graph_add_relu(g, "features.4", x, &x));
  CB_CHECK(cb_graph_add_maxpool(g, "features.5", x, 2, 2, 0, 0, &x));
  CB_CHECK(cb_graph_add_conv(g, "features.6", x, 128, 3, 1, 1, 1, NULL, NULL, &x));
  CB_CHECK(cb_graph_add_relu(g, "features.7", x, &x));
  CB_CHECK(cb_graph_add_maxpool(g, "features.8", x, 2, 2, 0, 0, &x));
  CB_CHECK(cb_graph_add_global_avgpool(g, "avgpool", x, &x));
  CB_CHECK(cb_graph_add_flatten(g, "flatten", x, &x));
  CB_CHECK(cb_graph_add_linear(g, "classifier", x, 8, NULL, NULL, &x));
  return cb_graph_reinit(g, "pytorch", o->seed, NULL);
}

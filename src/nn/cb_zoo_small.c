/* cb_zoo_small.c - "fmnist_cnn": a small CNN for 1x28x28 images (Fashion-MNIST, MNIST), the model of the training
 * example (benchmarks/train-fashion-mnist.ini). Weights: torch.nn's default initialisation ("pytorch" reinit
 * scheme) under the seed. Layers:
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

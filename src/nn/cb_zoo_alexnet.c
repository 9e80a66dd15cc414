/* cb_zoo_alexnet.c - AlexNet as torchvision 0.14 defines it
 * (models/alexnet.py: the one-GPU variant of Krizhevsky 2014, 64-192-384-
 * 256-256 channels, no LRN). torchvision has no custom initialisation for
 * AlexNet: every Conv2d and Linear keeps PyTorch's default (weight and bias
 * U(-1/sqrt(fan_in), 1/sqrt(fan_in))), which is what we draw. */
#include "cb_zoo_impl.h"

#define TRY(e) CB_CHECK(e) /* the registry destroys the graph on failure */

cb_status cb__zoo_build_alexnet(const cb_zoo_opts *o, cb_graph *g, cb_model_info *info) {
  const cb__zoo_init I = CB__INIT_TORCH_DEFAULT;
  const uint64_t s = o->seed;
  int x;
  cb__zoo_imagenet_info(info, "alexnet");
  TRY(cb__zoo_input(g, o, 224, 224, &x));
  TRY(cb__zoo_conv(g, "features.0", x, 64, 11, 4, 2, I, s, &x));
  TRY(cb_graph_add_relu(g, "features.1", x, &x));
  TRY(cb_graph_add_maxpool(g, "features.2", x, 3, 2, 0, 0, &x));
  TRY(cb__zoo_conv(g, "features.3", x, 192, 5, 1, 2, I, s, &x));
  TRY(cb_graph_add_relu(g, "features.4", x, &x));
  TRY(cb_graph_add_maxpool(g, "features.5", x, 3, 2, 0, 0, &x));
  TRY(cb__zoo_conv(g, "features.6", x, 384, 3, 1, 1, I, s, &x));
  TRY(cb_graph_add_relu(g, "features.7", x, &x));
  TRY(cb__zoo_conv(g, "features.8", x, 256, 3, 1, 1, I, s, &x));
  TRY(cb_graph_add_relu(g, "features.9", x, &x));
  TRY(cb__zoo_conv(g, "features.10", x, 256, 3, 1, 1, I, s, &x));
  TRY(cb_graph_add_relu(g, "features.11", x, &x));
  TRY(cb_graph_add_maxpool(g, "features.12", x, 3, 2, 0, 0, &x));
  TRY(cb__zoo_adaptive_avgpool(g, "avgpool", x, 6, 6, &x));
  TRY(cb_graph_add_flatten(g, "flatten", x, &x));
  TRY(cb__zoo_identity(g, "classifier.0", x, &x)); /* Dropout */
  TRY(cb__zoo_linear(g, "classifier.1", x, 4096, I, s, &x));
  TRY(cb_graph_add_relu(g, "classifier.2", x, &x));
  TRY(cb__zoo_identity(g, "classifier.3", x, &x)); /* Dropout */
  TRY(cb__zoo_linear(g, "classifier.4", x, 4096, I, s, &x));
  TRY(cb_graph_add_relu(g, "classifier.5", x, &x));
  return cb__zoo_linear(g, "classifier.6", x, 1000, I, s, &x);
}

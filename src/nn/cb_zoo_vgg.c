/* cb_zoo_vgg.c - VGG-16 (configuration "D", no batch norm) as torchvision
 * 0.14 defines it (models/vgg.py). Initialisation as vgg.py's
 * _initialize_weights: conv kaiming_normal_(fan_out, relu) with zero bias,
 * linear normal_(0, 0.01) with zero bias. ~138 M parameters (553 MB), most
 * of them in classifier.0 (25088 x 4096) whatever the input size. */
#include <stdio.h>

#include "cb_zoo_impl.h"

cb_status cb__zoo_build_vgg16(const cb_zoo_opts *o, cb_graph *g, cb_model_info *info) {
  static const int cfg[] = {64, 64, 0, 128, 128, 0, 256, 256, 256, 0, 512, 512, 512, 0, 512, 512, 512, 0}; /* 0 = 'M' */
  const uint64_t s = o->seed;
  int x, idx = 0;
  char name[32];
  cb__zoo_imagenet_info(info, "vgg16");
  CB_CHECK(cb__zoo_input(g, o, 224, 224, &x));
  for (size_t i = 0; i < sizeof cfg / sizeof cfg[0]; ++i) {
    snprintf(name, sizeof name, "features.%d", idx++);
    if (cfg[i] == 0) {
      CB_CHECK(cb_graph_add_maxpool(g, name, x, 2, 2, 0, 0, &x));
      continue;
    }
    CB_CHECK(cb__zoo_conv(g, name, x, cfg[i], 3, 1, 1, CB__INIT_KAIMING_OUT, s, &x));
    snprintf(name, sizeof name, "features.%d", idx++);
    CB_CHECK(cb_graph_add_relu(g, name, x, &x));
  }
  CB_CHECK(cb__zoo_adaptive_avgpool(g, "avgpool", x, 7, 7, &x));
  CB_CHECK(cb_graph_add_flatten(g, "flatten", x, &x));
  CB_CHECK(cb__zoo_linear(g, "classifier.0", x, 4096, CB__INIT_NORMAL_001, s, &x));
  CB_CHECK(cb_graph_add_relu(g, "classifier.1", x, &x));
  CB_CHECK(cb__zoo_identity(g, "classifier.2", x, &x)); /* Dropout */
  CB_CHECK(cb__zoo_linear(g, "classifier.3", x, 4096, CB__INIT_NORMAL_001, s, &x));
  CB_CHECK(cb_graph_add_relu(g, "classifier.4", x, &x));
  CB_CHECK(cb__zoo_identity(g, "classifier.5", x, &x)); /* Dropout */
  return cb__zoo_linear(g, "classifier.6", x, 1000, CB__INIT_NORMAL_001, s, &x);
}

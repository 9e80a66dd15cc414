/* cb_zoo_resnet.c - ResNet-18 (BasicBlock, [2, 2, 2, 2]) and ResNet-50
 * (Bottleneck, [3, 4, 6, 3], stride on the 3x3 conv: "ResNet v1.5") as
 * torchvision 0.14 defines them (models/resnet.py). Initialisation as
 * resnet.py: every conv kaiming_normal_(fan_out, relu), BatchNorm weight 1
 * bias 0 (zero_init_residual = False), fc keeps PyTorch's default
 * (U(-1/sqrt(512 * expansion)) for weight and bias). Convs have no bias in
 * torchvision; ours is a zero constant, which changes nothing. */
#include <stdio.h>

#include "cb_zoo_impl.h"

#define NAME(buf, ...) snprintf(buf, sizeof buf, __VA_ARGS__)

/* One block "layer<l>.<b>"; *x is its input, then its output. */
static cb_status block(cb_graph *g, int l, int b, int bottleneck, int inplanes, int planes, int stride, uint64_t seed,
                       int *x) {
  const cb__zoo_init K = CB__INIT_KAIMING_OUT;
  char p[32], n[64];
  int y, idn = *x, exp = bottleneck ? 4 : 1;
  NAME(p, "layer%d.%d", l, b);
  if (bottleneck) {
    NAME(n, "%s.conv1", p); CB_CHECK(cb__zoo_conv(g, n, *x, planes, 1, 1, 0, K, seed, &y));
    NAME(n, "%s.bn1", p); CB_CHECK(cb__zoo_bn(g, n, y, &y));
    NAME(n, "%s.relu", p); CB_CHECK(cb_graph_add_relu(g, n, y, &y));
    NAME(n, "%s.conv2", p); CB_CHECK(cb__zoo_conv(g, n, y, planes, 3, stride, 1, K, seed, &y));
    NAME(n, "%s.bn2", p); CB_CHECK(cb__zoo_bn(g, n, y, &y));
    NAME(n, "%s.relu_1", p); CB_CHECK(cb_graph_add_relu(g, n, y, &y));
    NAME(n, "%s.conv3", p); CB_CHECK(cb__zoo_conv(g, n, y, planes * 4, 1, 1, 0, K, seed, &y));
    NAME(n, "%s.bn3", p); CB_CHECK(cb__zoo_bn(g, n, y, &y));
  } else {
    NAME(n, "%s.conv1", p); CB_CHECK(cb__zoo_conv(g, n, *x, planes, 3, stride, 1, K, seed, &y));
    NAME(n, "%s.bn1", p); CB_CHECK(cb__zoo_bn(g, n, y, &y));
    NAME(n, "%s.relu", p); CB_CHECK(cb_graph_add_relu(g, n, y, &y));
    NAME(n, "%s.conv2", p); CB_CHECK(cb__zoo_conv(g, n, y, planes, 3, 1, 1, K, seed, &y));
    NAME(n, "%s.bn2", p); CB_CHECK(cb__zoo_bn(g, n, y, &y));
  }
  if (stride != 1 || inplanes != planes * exp) {
    NAME(n, "%s.downsample.0", p); CB_CHECK(cb__zoo_conv(g, n, *x, planes * exp, 1, stride, 0, K, seed, &idn));
    NAME(n, "%s.downsample.1", p); CB_CHECK(cb__zoo_bn(g, n, idn, &idn));
  }
  NAME(n, "%s.add", p); CB_CHECK(cb_graph_add_binary(g, n, "Add", y, idn, &y));
  return cb_graph_add_relu(g, p, y, x);
}

static cb_status resnet(const cb_zoo_opts *o, cb_graph *g, cb_model_info *info, const char *name, int bottleneck,
                        const int *layers) {
  int x, inplanes = 64, exp = bottleneck ? 4 : 1;
  cb__zoo_imagenet_info(info, name);
  CB_CHECK(cb__zoo_input(g, o, 224, 224, &x));
  CB_CHECK(cb__zoo_conv(g, "conv1", x, 64, 7, 2, 3, CB__INIT_KAIMING_OUT, o->seed, &x));
  CB_CHECK(cb__zoo_bn(g, "bn1", x, &x));
  CB_CHECK(cb_graph_add_relu(g, "relu", x, &x));
  CB_CHECK(cb_graph_add_maxpool(g, "maxpool", x, 3, 2, 1, 0, &x));
  for (int l = 0; l < 4; ++l) {
    int planes = 64 << l;
    for (int b = 0; b < layers[l]; ++b) {
      CB_CHECK(block(g, l + 1, b, bottleneck, inplanes, planes, (b == 0 && l > 0) ? 2 : 1, o->seed, &x));
      inplanes = planes * exp;
    }
  }
  CB_CHECK(cb_graph_add_global_avgpool(g, "avgpool", x, &x));
  CB_CHECK(cb_graph_add_flatten(g, "flatten", x, &x));
  return cb__zoo_linear(g, "fc", x, 1000, CB__INIT_TORCH_DEFAULT, o->seed, &x);
}

cb_status cb__zoo_build_resnet18(const cb_zoo_opts *o, cb_graph *g, cb_model_info *info) {
  return resnet(o, g, info, "resnet18", 0, (const int[]){2, 2, 2, 2});
}

cb_status cb__zoo_build_resnet50(const cb_zoo_opts *o, cb_graph *g, cb_model_info *info) {
  return resnet(o, g, info, "resnet50", 1, (const int[]){3, 4, 6, 3});
}

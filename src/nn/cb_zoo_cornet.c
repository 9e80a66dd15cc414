/* cb_zoo_cornet.c - CORnet-Z and CORnet-S as the CORnet repository
 * (dicarlolab/CORnet, cornet_z.py, cornet_s.py) defines them.
 *
 * CORnet-Z: four blocks conv (kernel k, padding k/2) -> ReLU -> maxpool(3,
 * 2, 1) -> output, V1 3->64 k7 s2, V2 64->128, V4 128->256, IT 256->512
 * (k3); decoder: adaptive avgpool 1, flatten, linear 512->1000, output.
 * Initialisation as cornet_z.py: xavier_uniform_ weights, zero biases.
 *
 * CORnet-S: V1 (conv1 3->64 k7 s2, norm1, nonlin1, pool, conv2 64->64 k3,
 * norm2, nonlin2, output), then recurrent blocks CORblock_S V2 (64->128, 2
 * steps), V4 (128->256, 4 steps), IT (256->512, 2 steps): x = conv_input(inp)
 * (1x1); for t in steps: skip = norm_skip(skip(x)) (1x1 stride 2) at t = 0
 * else x; x = nonlin1(norm1_t(conv1(x))) (1x1, 4x channels),
 * nonlin2(norm2_t(conv2(x))) (3x3, stride 2 at t = 0 else 1),
 * norm3_t(conv3(x)) (1x1 back), + skip, nonlin3, output. conv1..3 are
 * shared by the steps, the norms are per step. Decoder as CORnet-Z.
 * Initialisation as cornet_s.py: conv normal_(0, sqrt(2 / (k*k*out_c))) =
 * kaiming fan_out, BatchNorm 1/0, linear PyTorch's default. Layers are
 * named "<module>-t<step>" (see cb_zoo.h). */
#include <stdio.h>

#include "cb_zoo_impl.h"

#define NAME(buf, ...) snprintf(buf, sizeof buf, __VA_ARGS__)

static cb_status z_block(cb_graph *g, const char *blk, int x, int out_c, int k, int stride, uint64_t seed, int *y) {
  char n[48];
  NAME(n, "%s.conv", blk); CB_CHECK(cb__zoo_conv(g, n, x, out_c, k, stride, k / 2, CB__INIT_XAVIER_UNIFORM, seed, &x));
  NAME(n, "%s.nonlin", blk); CB_CHECK(cb_graph_add_relu(g, n, x, &x));
  NAME(n, "%s.pool", blk); CB_CHECK(cb_graph_add_maxpool(g, n, x, 3, 2, 1, 0, &x));
  NAME(n, "%s.output", blk); return cb__zoo_identity(g, n, x, y);
}

static cb_status decoder(cb_graph *g, const char *suffix, int x, cb__zoo_init init, uint64_t seed) {
  char n[48];
  NAME(n, "decoder.avgpool%s", suffix); CB_CHECK(cb_graph_add_global_avgpool(g, n, x, &x));
  NAME(n, "decoder.flatten%s", suffix); CB_CHECK(cb_graph_add_flatten(g, n, x, &x));
  /* the parameters keep the state-dict names decoder.linear.weight / .bias */
  int in[3] = {x, -1, -1};
  CB_CHECK(cb_graph_const(g, "decoder.linear.weight", CB_DT_FLOAT, 2, (const int64_t[]){1000, 512}, NULL, &in[1]));
  CB_CHECK(cb_graph_const(g, "decoder.linear.bias", CB_DT_FLOAT, 1, (const int64_t[]){1000}, NULL, &in[2]));
  CB_CHECK(cb__zoo_init_module(g, "decoder.linear", init, seed));
  NAME(n, "decoder.linear%s", suffix);
  cb_attr a[1] = {cb_attr_int("transB", 1)};
  const char *outs[1] = {n};
  CB_CHECK(cb_graph_node(g, n, "Gemm", 1, a, 3, in, 1, outs, &x));
  NAME(n, "decoder.output%s", suffix); return cb__zoo_identity(g, n, x, &x);
}

cb_status cb__zoo_build_cornet_z(const cb_zoo_opts *o, cb_graph *g, cb_model_info *info) {
  int x;
  cb__zoo_imagenet_info(info, "cornet_z");
  CB_CHECK(cb__zoo_input(g, o, 224, 224, &x));
  CB_CHECK(z_block(g, "V1", x, 64, 7, 2, o->seed, &x));
  CB_CHECK(z_block(g, "V2", x, 128, 3, 1, o->seed, &x));
  CB_CHECK(z_block(g, "V4", x, 256, 3, 1, o->seed, &x));
  CB_CHECK(z_block(g, "IT", x, 512, 3, 1, o->seed, &x));
  return decoder(g, "", x, CB__INIT_XAVIER_UNIFORM, o->seed);
}

/* A bias-free conv weight constant "<module>.weight" (out_c, in_c, k, k), kaiming fan_out. */
static cb_status weight(cb_graph *g, const char *module, int out_c, int in_c, int k, uint64_t seed, int *id) {
  char n[128];
  NAME(n, "%s.weight", module);
  CB_CHECK(cb_graph_const(g, n, CB_DT_FLOAT, 4, (const int64_t[]){out_c, in_c, k, k}, NULL, id));
  return cb__zoo_init_param(g, n, CB__INIT_KAIMING_OUT, seed);
}

static cb_status s_block(cb_graph *g, const char *b, int x, int in_c, int out_c, int times, uint64_t seed, int *y) {
  const int sc = 4;
  char n[96], m[64];
  int w_in, w_skip, w1, w2, w3, skip;
  NAME(m, "%s.conv_input", b); CB_CHECK(weight(g, m, out_c, in_c, 1, seed, &w_in));
  NAME(m, "%s.skip", b); CB_CHECK(weight(g, m, out_c, out_c, 1, seed, &w_skip));
  NAME(m, "%s.conv1", b); CB_CHECK(weight(g, m, out_c * sc, out_c, 1, seed, &w1));
  NAME(m, "%s.conv2", b); CB_CHECK(weight(g, m, out_c * sc, out_c * sc, 3, seed, &w2));
  NAME(m, "%s.conv3", b); CB_CHECK(weight(g, m, out_c, out_c * sc, 1, seed, &w3));
  NAME(n, "%s.conv_input-t0", b); CB_CHECK(cb__zoo_conv_shared(g, n, x, w_in, 1, 0, &x));
  for (int t = 0; t < times; ++t) {
    if (t == 0) {
      NAME(n, "%s.skip-t0", b); CB_CHECK(cb__zoo_conv_shared(g, n, x, w_skip, 2, 0, &skip));
      NAME(n, "%s.norm_skip-t0", b); NAME(m, "%s.norm_skip", b); CB_CHECK(cb__zoo_bn_named(g, n, m, skip, &skip));
    } else {
      skip = x;
    }
    NAME(n, "%s.conv1-t%d", b, t); CB_CHECK(cb__zoo_conv_shared(g, n, x, w1, 1, 0, &x));
    NAME(n, "%s.norm1_%d-t%d", b, t, t); NAME(m, "%s.norm1_%d", b, t); CB_CHECK(cb__zoo_bn_named(g, n, m, x, &x));
    NAME(n, "%s.nonlin1-t%d", b, t); CB_CHECK(cb_graph_add_relu(g, n, x, &x));
    NAME(n, "%s.conv2-t%d", b, t); CB_CHECK(cb__zoo_conv_shared(g, n, x, w2, t == 0 ? 2 : 1, 1, &x));
    NAME(n, "%s.norm2_%d-t%d", b, t, t); NAME(m, "%s.norm2_%d", b, t); CB_CHECK(cb__zoo_bn_named(g, n, m, x, &x));
    NAME(n, "%s.nonlin2-t%d", b, t); CB_CHECK(cb_graph_add_relu(g, n, x, &x));
    NAME(n, "%s.conv3-t%d", b, t); CB_CHECK(cb__zoo_conv_shared(g, n, x, w3, 1, 0, &x));
    NAME(n, "%s.norm3_%d-t%d", b, t, t); NAME(m, "%s.norm3_%d", b, t); CB_CHECK(cb__zoo_bn_named(g, n, m, x, &x));
    NAME(n, "%s.add-t%d", b, t); CB_CHECK(cb_graph_add_binary(g, n, "Add", x, skip, &x));
    NAME(n, "%s.nonlin3-t%d", b, t); CB_CHECK(cb_graph_add_relu(g, n, x, &x));
    NAME(n, "%s.output-t%d", b, t); CB_CHECK(cb__zoo_identity(g, n, x, &x));
  }
  *y = x;
  return CB_OK;
}

cb_status cb__zoo_build_cornet_s(const cb_zoo_opts *o, cb_graph *g, cb_model_info *info) {
  int x, w;
  const uint64_t s = o->seed;
  cb__zoo_imagenet_info(info, "cornet_s");
  CB_CHECK(cb__zoo_input(g, o, 224, 224, &x));
  CB_CHECK(weight(g, "V1.conv1", 64, 3, 7, s, &w));
  CB_CHECK(cb__zoo_conv_shared(g, "V1.conv1-t0", x, w, 2, 3, &x));
  CB_CHECK(cb__zoo_bn_named(g, "V1.norm1-t0", "V1.norm1", x, &x));
  CB_CHECK(cb_graph_add_relu(g, "V1.nonlin1-t0", x, &x));
  CB_CHECK(cb_graph_add_maxpool(g, "V1.pool-t0", x, 3, 2, 1, 0, &x));
  CB_CHECK(weight(g, "V1.conv2", 64, 64, 3, s, &w));
  CB_CHECK(cb__zoo_conv_shared(g, "V1.conv2-t0", x, w, 1, 1, &x));
  CB_CHECK(cb__zoo_bn_named(g, "V1.norm2-t0", "V1.norm2", x, &x));
  CB_CHECK(cb_graph_add_relu(g, "V1.nonlin2-t0", x, &x));
  CB_CHECK(cb__zoo_identity(g, "V1.output-t0", x, &x));
  CB_CHECK(s_block(g, "V2", x, 64, 128, 2, s, &x));
  CB_CHECK(s_block(g, "V4", x, 128, 256, 4, s, &x));
  CB_CHECK(s_block(g, "IT", x, 256, 512, 2, s, &x));
  return decoder(g, "-t0", x, CB__INIT_TORCH_DEFAULT, s);
}

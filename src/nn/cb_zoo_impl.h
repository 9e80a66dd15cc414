/* cb_zoo_impl.h - internal: what the zoo builders (cb_zoo_*.c) share: the
 * builder signature, the registry hook, seeded initialisations following
 * torchvision, and layer helpers with PyTorch module-path names. */
#ifndef CB_ZOO_IMPL_H
#define CB_ZOO_IMPL_H

#include <stdint.h>

#include "cb_graph.h"
#include "cb_nn.h"
#include "cb_zoo.h"

/* The builder signature (cb_zoo.h). */
typedef cb_zoo_builder cb__zoo_build_fn;

/* Builds the unfinished graph of zoo model `name` (for tools that read the
 * parameters with cb_graph_param, e.g. the weight dump of the PyTorch test). */
cb_status cb__zoo_build_graph(const char *name, const cb_zoo_opts *o, cb_graph **g, cb_model_info *info);

/* The "input" of a builder: (1, 3, o->in_h or def_h, o->in_w or def_w). */
cb_status cb__zoo_build_fmnist_cnn(const cb_zoo_opts *o, cb_graph *g, cb_model_info *info); /* cb_zoo_small.c */
cb_status cb__zoo_build_synit_cnn(const cb_zoo_opts *o, cb_graph *g, cb_model_info *info);  /* cb_zoo_small.c */
cb_status cb__zoo_input(cb_graph *g, const cb_zoo_opts *o, int def_h, int def_w, int *x);
/* ImageNet normalisation and 8 degrees (Brain-Score's default field of view). */
void cb__zoo_imagenet_info(cb_model_info *info, const char *name);

/* Initialisations (fan_in = in_c/groups*k*k or in_f, fan_out = out_c*k*k or out_f). */
typedef enum cb__zoo_init {
  CB__INIT_TORCH_DEFAULT, /* nn.Conv2d/nn.Linear reset_parameters: kaiming_uniform(a=sqrt(5)) for the
                             weight = U(-1/sqrt(fan_in), 1/sqrt(fan_in)), bias the same bound */
  CB__INIT_KAIMING_OUT,   /* kaiming_normal_(mode=fan_out, relu): N(0, 2/fan_out); bias 0 */
  CB__INIT_KAIMING_IN,    /* kaiming_normal_(mode=fan_in, relu): N(0, 2/fan_in); bias 0 */
  CB__INIT_NORMAL_001,    /* normal_(0, 0.01); bias 0 (VGG's linear layers) */
  CB__INIT_XAVIER_UNIFORM /* xavier_uniform_: U(+-sqrt(6/(fan_in+fan_out))); bias 0 (CORnet-Z) */
} cb__zoo_init;

/* Initialises "<module>.weight" and, when present, "<module>.bias". Every
 * parameter draws from stream (seed, FNV-1a of its full name), so a value
 * depends on nothing but the seed and the name. */
cb_status cb__zoo_init_module(cb_graph *g, const char *module, cb__zoo_init kind, uint64_t seed);
/* Same for one weight tensor whose fans are given (shared CORnet-S weights). */
cb_status cb__zoo_init_param(cb_graph *g, const char *param, cb__zoo_init kind, uint64_t seed);

/* The draw behind every seeded parameter (zoo builders, cb_model_reinit):
 * d[i] = scale * U(-1, 1) when uniform, else scale * N(0, 1) (Box-Muller,
 * both values of each pair), from stream (seed, FNV-1a of name). */
void cb__param_fill(float *d /* (n) */, int64_t n, int uniform, double scale, uint64_t seed, const char *name);

/* conv + init; bias (zeros unless the init draws one) always exists. */
cb_status cb__zoo_conv(cb_graph *g, const char *name, int x, int out_c, int k, int stride, int pad,
                       cb__zoo_init init, uint64_t seed, int *y);
cb_status cb__zoo_linear(cb_graph *g, const char *name, int x, int out_f, cb__zoo_init init, uint64_t seed,
                         int *y);
/* BatchNorm2d at its initial state (eps 1e-5). */
cb_status cb__zoo_bn(cb_graph *g, const char *name, int x, int *y);
/* Dropout at inference (Identity). */
cb_status cb__zoo_identity(cb_graph *g, const char *name, int x, int *y);
/* nn.AdaptiveAvgPool2d((oh, ow)): identity, an AveragePool when the size
 * divides, else an exact linear map (Reshape "<name>.cols" -> MatMul
 * "<name>.mix" -> Reshape "<name>") with PyTorch's windows
 * [floor(i*H/oh), ceil((i+1)*H/oh)). */
cb_status cb__zoo_adaptive_avgpool(cb_graph *g, const char *name, int x, int oh, int ow, int *y);

/* Conv without bias from an existing weight constant w (out_c, in_c, k, k). */
cb_status cb__zoo_conv_shared(cb_graph *g, const char *name, int x, int w, int stride, int pad, int *y);
/* BatchNorm node `name` whose parameters are "<prefix>.weight" etc. */
cb_status cb__zoo_bn_named(cb_graph *g, const char *name, const char *prefix, int x, int *y);

/* Builders (one file per family). */
cb_status cb__zoo_build_pixels(const cb_zoo_opts *o, cb_graph *g, cb_model_info *info);    /* cb_zoo_basic.c */
cb_status cb__zoo_build_tinycnn(const cb_zoo_opts *o, cb_graph *g, cb_model_info *info);   /* cb_zoo_basic.c */
cb_status cb__zoo_build_alexnet(const cb_zoo_opts *o, cb_graph *g, cb_model_info *info);   /* cb_zoo_alexnet.c */
cb_status cb__zoo_build_vgg16(const cb_zoo_opts *o, cb_graph *g, cb_model_info *info);     /* cb_zoo_vgg.c */
cb_status cb__zoo_build_resnet18(const cb_zoo_opts *o, cb_graph *g, cb_model_info *info);  /* cb_zoo_resnet.c */
cb_status cb__zoo_build_resnet50(const cb_zoo_opts *o, cb_graph *g, cb_model_info *info);  /* cb_zoo_resnet.c */
cb_status cb__zoo_build_cornet_z(const cb_zoo_opts *o, cb_graph *g, cb_model_info *info);  /* cb_zoo_cornet.c */
cb_status cb__zoo_build_cornet_s(const cb_zoo_opts *o, cb_graph *g, cb_model_info *info);  /* cb_zoo_cornet.c */

#endif

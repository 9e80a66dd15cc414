/* cb_zoo.h - the built-in model zoo: models built in C from a seed, layer
 * names following the PyTorch module paths of torchvision 0.14 (AlexNet,
 * VGG-16, ResNet-18/50) and of the CORnet repository (CORnet-Z, CORnet-S).
 *
 * Every builder declares a (1, 3, H, W) input ("input"); the default size
 * is the model's usual one (224 x 224 for the ImageNet models), and any
 * size the architecture accepts can be asked for (torchvision's adaptive
 * average pooling makes e.g. 64 x 64 valid for VGG-16 and AlexNet).
 *
 * Weights are random, seeded: each parameter draws from its own stream
 * (seed, FNV-1a of the parameter name), with the distribution torchvision
 * (or CORnet) uses for that model; the stream itself differs from torch's
 * RNG (which cannot be reproduced), so what matches PyTorch is the
 * distribution and what is guaranteed is determinism: same seed, same
 * bytes, on every rank. BatchNorm: weight 1, bias 0, running mean 0,
 * running var 1, eps 1e-5. Dropout is the identity (inference).
 *
 * Layer names (values computed at run time, in execution order):
 *  alexnet   features.0 ... features.12, avgpool, flatten, classifier.0 ... classifier.6
 *  vgg16     features.0 ... features.30, avgpool, flatten, classifier.0 ... classifier.6
 *  resnet18, resnet50
 *            conv1, bn1, relu, maxpool, layerL.B.conv1, .bn1, .relu, .conv2, .bn2,
 *            (.relu_1, .conv3, .bn3 in ResNet-50 bottlenecks), .downsample.0, .downsample.1,
 *            layerL.B.add (residual sum), layerL.B (block output, after the last ReLU),
 *            avgpool, flatten, fc
 *  cornet_z  V1.conv, V1.nonlin, V1.pool, V1.output, (same for V2, V4, IT),
 *            decoder.avgpool, decoder.flatten, decoder.linear, decoder.output
 *  cornet_s  recurrent, unrolled: "<module path>-t<k>" is the output of the
 *            module at time step k (Brain-Score's convention): V1.*-t0,
 *            V2 steps t0..t1, V4 t0..t3, IT t0..t1, decoder.*-t0; e.g.
 *            V4.output-t3, IT.norm3_1-t1, V2.add-t0 (x + skip, before nonlin3).
 *            Convolutions conv1..conv3 share their weights across steps
 *            (parameters keep the state-dict names, e.g. "V4.conv2.weight").
 * A module applied twice in one forward ("relu" in a ResNet bottleneck) names
 * its k-th extra call "<path>_k" (layer1.0.relu_1). The non-module
 * operations get a descriptive name: flatten, add, and, when the adaptive
 * pooling needs one, "<avgpool>.cols" and "<avgpool>.mix". */
#ifndef CB_ZOO_H
#define CB_ZOO_H

#include <stdint.h>

#include "cb_graph.h"
#include "cb_nn.h"
#include "cb_status.h"

typedef struct cb_zoo_opts {
  uint64_t seed;   /* weights */
  int in_h, in_w;  /* input size; 0 = the model's default */
} cb_zoo_opts;

/* Builds zoo model `name` (opts NULL: seed 1, default size). Unknown name ->
 * CB_ERR_ARG listing the known ones. *out written only on success. */
cb_status cb_zoo_create(const char *name, const cb_zoo_opts *opts, cb_model **out);
/* Same, the model then renamed as->name and given as's mean, std and visual
 * degrees (a zoo-manifest entry that names a builder: the entry's name and
 * preprocessing win over the builder's). as->modality, when declared, must be
 * the builder's (CB_ERR_CONFIG otherwise); as->front_end, when given, replaces
 * the builder's front end. */
cb_status cb_zoo_create_as(const char *name, const cb_zoo_opts *opts, const cb_model_info *as, cb_model **out);

/* A zoo builder fills g (created empty by the registry, not finished; its input "input" is (1, c, h, w)) and info
 * (name, modality, mean, std, visual degrees, and a front end when not the modality's default; the input size is
 * read from the graph). A model whose builder declares no modality is refused. */
typedef cb_status (*cb_zoo_builder)(const cb_zoo_opts *o, cb_graph *g, cb_model_info *info);

/* Models defined outside nn join the zoo through this hook: the synthetic generators' ground-truth models
 * (src/synth/cb_synth_truth.c) register themselves, so that synthetic data depend on nn and never the reverse.
 * fixed = 1: no learned weights (every constant is part of the model; cb_model_reinit refuses it). Rows follow the
 * built-in ones in registration order; registering a known name again with the same builder is a no-op, with
 * another builder an error. Register at start-up, before threads: the registry is not locked. */
cb_status cb_zoo_register(const char *name, cb_zoo_builder build, const char *summary, int fixed);

/* Registry: number of models, and the name / one-line description of model i
 * (NULL when i is out of range). */
int cb_zoo_count(void);
const char *cb_zoo_name(int i);
const char *cb_zoo_describe(int i);

#endif

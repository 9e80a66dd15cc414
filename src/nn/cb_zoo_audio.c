/* cb_zoo_audio.c - graph builders of the auditory zoo models (see
 * cb_zoo_audio.h): STM baseline, CochCNN9, the synthetic-aud truth model. */
#include "cb_zoo_audio.h"

#include <stdlib.h>

#include "cb_stm.h"

static cb_status audio_input(cb_graph *g, const cb_zoo_opts *o, cb_model_info *info, const char *name, int *x) {
  int h = o->in_h > 0 ? o->in_h : CB_AUDIO_CHANNELS, w = o->in_w > 0 ? o->in_w : CB_AUDIO_FRAMES;
  *info = (cb_model_info){.name = name, .mean = {0, 0, 0}, .std = {1, 1, 1}, .visual_degrees = 0.0,
                          .modality = CB_MODALITY_AUDIO, .front_end = "cochleagram"};
  return cb_graph_input(g, "input", 4, (const int64_t[]){1, 1, h, w}, x);
}

cb_status cb_audio_zoo_stm(const cb_zoo_opts *o, cb_graph *g, cb_model_info *info) {
  int x, p, a;
  CB_CHECK(audio_input(g, o, info, "stm-baseline", &x));
  int64_t s[CB_GRAPH_MAX_DIMS];
  cb_graph_value_shape(g, x, s);
  cb_stm_opts so;
  cb_stm_defaults(&so, (int)s[2]);
  return cb_stm_add(g, "stm", x, &so, &p, &a);
}

cb_status cb_audio_zoo_truth(const cb_zoo_opts *o, cb_graph *g, cb_model_info *info) {
  int x, p, a, y;
  CB_CHECK(audio_input(g, o, info, "synthetic-aud-truth", &x));
  int64_t s[CB_GRAPH_MAX_DIMS];
  cb_graph_value_shape(g, x, s);
  cb_stm_opts so;
  cb_stm_defaults(&so, (int)s[2]);
  CB_CHECK(cb_stm_add(g, "stm", x, &so, &p, &a));
  const int F = cb_stm_n_features(&so), V = CB_SYNTH_AUD_VOXELS;
  float *W = malloc(sizeof *W * (size_t)V * F), *b = malloc(sizeof *b * V);
  cb_status st = CB_OK;
  CB_ALLOC_GOTO(W, st, done);
  CB_ALLOC_GOTO(b, st, done);
  CB_CHECK_GOTO(cb_stm_voxel_weights(o->seed, &so, V, W, b), st, done);
  CB_CHECK_GOTO(cb_graph_add_linear(g, "voxels", a, V, W, b, &y), st, done);
done:
  free(W);
  free(b);
  return st;
}

cb_status cb_audio_zoo_cochcnn9(const cb_zoo_opts *o, cb_graph *g, cb_model_info *info) {
  int x;
  const uint64_t sd = o->seed;
  CB_CHECK(audio_input(g, o, info, "cochcnn9", &x));
  CB_CHECK(cb__zoo_conv(g, "conv1", x, 96, 9, 3, 4, CB__INIT_KAIMING_IN, sd, &x));
  CB_CHECK(cb_graph_add_relu(g, "relu1", x, &x));
  CB_CHECK(cb_graph_add_lrn(g, "norm1", x, 5, 1e-3f, 0.75f, 1.0f, &x));
  CB_CHECK(cb_graph_add_maxpool(g, "pool1", x, 3, 2, 1, 0, &x));
  CB_CHECK(cb__zoo_conv(g, "conv2", x, 256, 5, 2, 2, CB__INIT_KAIMING_IN, sd, &x));
  CB_CHECK(cb_graph_add_relu(g, "relu2", x, &x));
  CB_CHECK(cb_graph_add_lrn(g, "norm2", x, 5, 1e-3f, 0.75f, 1.0f, &x));
  CB_CHECK(cb_graph_add_maxpool(g, "pool2", x, 3, 2, 1, 0, &x));
  CB_CHECK(cb__zoo_conv(g, "conv3", x, 512, 3, 1, 1, CB__INIT_KAIMING_IN, sd, &x));
  CB_CHECK(cb_graph_add_relu(g, "relu3", x, &x));
  CB_CHECK(cb__zoo_conv(g, "conv4", x, 1024, 3, 1, 1, CB__INIT_KAIMING_IN, sd, &x));
  CB_CHECK(cb_graph_add_relu(g, "relu4", x, &x));
  CB_CHECK(cb__zoo_conv(g, "conv5", x, 512, 3, 1, 1, CB__INIT_KAIMING_IN, sd, &x));
  CB_CHECK(cb_graph_add_relu(g, "relu5", x, &x));
  CB_CHECK(cb_graph_add_avgpool(g, "pool5", x, 3, 2, 1, 0, &x));
  CB_CHECK(cb_graph_add_flatten(g, "flatten", x, &x));
  CB_CHECK(cb__zoo_linear(g, "fc6", x, 1024, CB__INIT_KAIMING_IN, sd, &x));
  CB_CHECK(cb_graph_add_relu(g, "relu6", x, &x));
  return cb__zoo_linear(g, "fctop", x, 589, CB__INIT_KAIMING_IN, sd, &x);
}

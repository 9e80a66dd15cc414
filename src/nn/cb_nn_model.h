/* cb_nn_model.h - internal: the model struct, shared by cb_model.c and the
 * zoo builders. */
#ifndef CB_NN_MODEL_H
#define CB_NN_MODEL_H

#include <stddef.h>

#include "cb_nn.h"
#include "cb_nn_layer.h"

struct cb_model {
  cb_model_info info;
  int n_layers;       /* layers initialised so far */
  int cap_layers;     /* allocated */
  cb__layer *layers;  /* (cap_layers) */
  size_t work_floats; /* largest layer workspace */
  float *work;        /* (work_floats) shared im2col scratch */
  size_t act_floats;  /* largest per-image activation */
  float *act[2];      /* (act_floats) each: ping-pong activations of one image */
};

/* Allocates a model with room for n_layers (none initialised yet). */
cb_status cb__model_alloc(const cb_model_info *info, int n_layers, cb_model **out);
/* Checks that layer shapes chain and allocates the workspaces. */
cb_status cb__model_finish(cb_model *m);

#endif

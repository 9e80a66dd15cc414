/* cb_nn_model.h - internal: the model struct, a graph planned for one
 * image plus its layer list; shared by cb_model.c, cb_zoo.c, cb_model_onnx.c. */
#ifndef CB_NN_MODEL_H
#define CB_NN_MODEL_H

#include "cb_graph.h"
#include "cb_nn.h"

struct cb_model {
  cb_model_info info;
  char name[128];   /* info.name points here */
  char front_end[32]; /* info.front_end points here when one is declared */
  cb_graph *g;      /* owned, finished, input shape (1, c, h, w) */
  int input;        /* value id of the image input */
  int n_layers;
  int *layers;      /* (n_layers) value ids of the runtime values, in execution order */
  size_t in_size;   /* floats per image */
  int *req;         /* (n_layers) scratch: requested value ids */
  float **outs;     /* (n_layers) scratch: output pointers for one image */
};

/* Takes ownership of g (finished or not; destroyed on failure too) and
 * wraps it: info is copied (name too), the input must be (1, c, h, w). */
cb_status cb__model_from_graph(const cb_model_info *info, cb_graph *g, cb_model **out);

#endif

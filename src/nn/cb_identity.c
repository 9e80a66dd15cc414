/* cb_identity.c - identity layer: y = x (used to expose the model input). */
#include <string.h>

#include "cb_nn_layer.h"

static void identity_forward(const cb__layer *l, const float *x, float *work, float *y) {
  (void)work;
  size_t n = (size_t)l->in_c * (size_t)l->in_h * (size_t)l->in_w;
  if (x != y) memcpy(y, x, n * sizeof *y);
}

cb_status cb__identity_init(cb__layer *l, const char *name, int c, int h, int w) {
  CB_CHECK(cb__layer_begin(l, CB__LAYER_IDENTITY, name, c, h, w));
  l->forward = identity_forward;
  return CB_OK;
}

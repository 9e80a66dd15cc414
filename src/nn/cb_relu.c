/* cb_relu.c - rectified linear unit, y = max(x, 0). */
#include "cb_nn_layer.h"

void cb_relu_forward(const float *x, size_t n, float *y) {
  /* x < 0 ? 0 : x keeps NaN as NaN, like torch.relu. */
  for (size_t i = 0; i < n; ++i) y[i] = x[i] < 0.0f ? 0.0f : x[i];
}

static void relu_forward(const cb__layer *l, const float *x, float *work, float *y) {
  (void)work;
  cb_relu_forward(x, (size_t)l->in_c * (size_t)l->in_h * (size_t)l->in_w, y);
}

cb_status cb__relu_init(cb__layer *l, const char *name, int c, int h, int w) {
  CB_CHECK(cb__layer_begin(l, CB__LAYER_RELU, name, c, h, w));
  l->forward = relu_forward;
  return CB_OK;
}

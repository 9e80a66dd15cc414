/* cb_maxpool.c - 2-D max pooling, square window, no padding, floor mode. */
#include <float.h>

#include "cb_nn_layer.h"

void cb_maxpool2d_forward(const float *x, int batch, int c, int h, int w, int k, int stride, float *y) {
  int oh = cb_conv_out_dim(h, k, stride, 0), ow = cb_conv_out_dim(w, k, stride, 0);
  size_t planes = (size_t)batch * (size_t)c;
  for (size_t p = 0; p < planes; ++p) {
    const float *xp = x + p * (size_t)h * (size_t)w;
    float *yp = y + p * (size_t)oh * (size_t)ow;
    for (int oy = 0; oy < oh; ++oy) {
      for (int ox = 0; ox < ow; ++ox) {
        const float *win = xp + (size_t)(oy * stride) * (size_t)w + (size_t)(ox * stride);
        float m = win[0];
        for (int i = 0; i < k; ++i)
          for (int j = 0; j < k; ++j) {
            float v = win[(size_t)i * (size_t)w + (size_t)j];
            /* v != v: a NaN in the window wins, like torch.max_pool2d. */
            if (v > m || v != v) m = v;
          }
        yp[(size_t)oy * (size_t)ow + (size_t)ox] = m;
      }
    }
  }
}

static void maxpool_forward(const cb__layer *l, const float *x, float *work, float *y) {
  (void)work;
  cb_maxpool2d_forward(x, 1, l->in_c, l->in_h, l->in_w, l->k, l->stride, y);
}

cb_status cb__maxpool2d_init(cb__layer *l, const char *name, int c, int h, int w, int k, int stride) {
  CB_CHECK(cb__layer_begin(l, CB__LAYER_MAXPOOL2D, name, c, h, w));
  if (k <= 0 || stride <= 0)
    return CB_ERROR(CB_ERR_ARG, "layer '%s': maxpool kernel %d / stride %d not positive", name, k, stride);
  l->k = k;
  l->stride = stride;
  l->out_h = cb_conv_out_dim(h, k, stride, 0);
  l->out_w = cb_conv_out_dim(w, k, stride, 0);
  if (l->out_h <= 0 || l->out_w <= 0)
    return CB_ERROR(CB_ERR_ARG, "layer '%s': maxpool window %d larger than input %dx%d", name, k, h, w);
  l->forward = maxpool_forward;
  return CB_OK;
}

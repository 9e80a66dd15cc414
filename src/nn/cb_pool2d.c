/* cb_pool2d.c - 2-D max and average pooling kernels (pads, dilations,
 * ceil mode, count_include_pad), plain loops. */
#include <math.h>

#include "cb_nn_ops.h"

void cb_relu_forward(const float *x, size_t n, float *y) {
  for (size_t i = 0; i < n; ++i) y[i] = x[i] > 0.0f || x[i] != x[i] ? x[i] : 0.0f;
}

void cb_maxpool2d_forward(const cb_conv2d_geom *g, const float *x, int batch, float *y) {
  int oh, ow;
  cb_conv2d_out(g, &oh, &ow);
  const int h = g->in_h, w = g->in_w;
  const size_t planes = (size_t)batch * (size_t)g->in_c;
  for (size_t p = 0; p < planes; ++p) {
    const float *xp = x + p * (size_t)h * (size_t)w;
    float *yp = y + p * (size_t)oh * (size_t)ow;
    for (int oy = 0; oy < oh; ++oy)
      for (int ox = 0; ox < ow; ++ox) {
        float m = -INFINITY;
        int nan = 0;
        for (int i = 0; i < g->kh; ++i) {
          int iy = oy * g->stride_h - g->pad_t + i * g->dil_h;
          if (iy < 0 || iy >= h) continue;
          for (int j = 0; j < g->kw; ++j) {
            int ix = ox * g->stride_w - g->pad_l + j * g->dil_w;
            if (ix < 0 || ix >= w) continue;
            float v = xp[(size_t)iy * (size_t)w + (size_t)ix];
            if (v > m) m = v;
            nan |= v != v;
          }
        }
        yp[(size_t)oy * (size_t)ow + (size_t)ox] = nan ? NAN : m;
      }
  }
}

void cb_avgpool2d_forward(const cb_conv2d_geom *g, const float *x, int batch, float *y) {
  int oh, ow;
  cb_conv2d_out(g, &oh, &ow);
  const int h = g->in_h, w = g->in_w;
  const size_t planes = (size_t)batch * (size_t)g->in_c;
  for (size_t p = 0; p < planes; ++p) {
    const float *xp = x + p * (size_t)h * (size_t)w;
    float *yp = y + p * (size_t)oh * (size_t)ow;
    for (int oy = 0; oy < oh; ++oy) {
      int y0 = oy * g->stride_h - g->pad_t;
      int y1 = y0 + (g->kh - 1) * g->dil_h + 1;
      int py1 = y1 < h + g->pad_b ? y1 : h + g->pad_b; /* window clipped to the padded input */
      for (int ox = 0; ox < ow; ++ox) {
        int x0 = ox * g->stride_w - g->pad_l;
        int x1 = x0 + (g->kw - 1) * g->dil_w + 1;
        int px1 = x1 < w + g->pad_r ? x1 : w + g->pad_r;
        double s = 0;
        int count = 0, padded = 0;
        for (int iy = y0; iy < py1; iy += g->dil_h)
          for (int ix = x0; ix < px1; ix += g->dil_w) {
            ++padded;
            if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
            s += xp[(size_t)iy * (size_t)w + (size_t)ix];
            ++count;
          }
        int div = g->count_include_pad ? padded : count;
        yp[(size_t)oy * (size_t)ow + (size_t)ox] = div > 0 ? (float)(s / div) : 0.0f;
      }
    }
  }
}

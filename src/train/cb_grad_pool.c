/* cb_grad_pool.c - backward of max and average pooling (pads, dilations, ceil mode, count_include_pad),
 * the same windows as the forward kernels of src/nn/cb_pool2d.c. */
#include <math.h>

#include "cb_train_ops.h"

/* Index into the (h, w) plane of the first maximum of output (oy, ox)'s window in scan order (the last NaN
 * when there is one), -1 when the window holds no input element. */
static long window_argmax(const cb_conv2d_geom *g, const float *xp, int oy, int ox) {
  long best = -1;
  float m = -INFINITY;
  for (int i = 0; i < g->kh; ++i) {
    const int iy = oy * g->stride_h - g->pad_t + i * g->dil_h;
    if (iy < 0 || iy >= g->in_h) continue;
    for (int j = 0; j < g->kw; ++j) {
      const int ix = ox * g->stride_w - g->pad_l + j * g->dil_w;
      if (ix < 0 || ix >= g->in_w) continue;
      const long at = (long)iy * g->in_w + ix;
      const float v = xp[at];
      if (best < 0 || v > m || v != v) { /* PyTorch's rule: strictly greater, or NaN (the last NaN wins) */
        best = at;
        m = v;
      }
    }
  }
  return best;
}

void cb_maxpool2d_backward(const cb_conv2d_geom *g, const float *x, const float *dy, int batch, float *dx) {
  cb_maxpool2d_backward_planes(g, x, dy, 0, (size_t)batch * (size_t)g->in_c, dx);
}

void cb_maxpool2d_backward_planes(const cb_conv2d_geom *g, const float *x, const float *dy, size_t p0, size_t p1,
                                  float *dx) {
  int oh, ow;
  cb_conv2d_out(g, &oh, &ow);
  const size_t in_plane = (size_t)g->in_h * (size_t)g->in_w;
  for (size_t p = p0; p < p1; ++p) {
    const float *xp = x + p * in_plane, *dp = dy + p * (size_t)oh * (size_t)ow;
    float *gp = dx + p * in_plane;
    for (int oy = 0; oy < oh; ++oy)
      for (int ox = 0; ox < ow; ++ox) {
        const long at = window_argmax(g, xp, oy, ox);
        if (at >= 0) gp[at] += dp[(size_t)oy * (size_t)ow + (size_t)ox];
      }
  }
}

void cb_avgpool2d_backward(const cb_conv2d_geom *g, const float *dy, int batch, float *dx) {
  int oh, ow;
  cb_conv2d_out(g, &oh, &ow);
  const int h = g->in_h, w = g->in_w;
  const size_t planes = (size_t)batch * (size_t)g->in_c;
  for (size_t p = 0; p < planes; ++p) {
    const float *dp = dy + p * (size_t)oh * (size_t)ow;
    float *gp = dx + p * (size_t)h * (size_t)w;
    for (int oy = 0; oy < oh; ++oy) {
      const int y0 = oy * g->stride_h - g->pad_t, y1 = y0 + (g->kh - 1) * g->dil_h + 1;
      const int py1 = y1 < h + g->pad_b ? y1 : h + g->pad_b; /* window clipped to the padded input */
      for (int ox = 0; ox < ow; ++ox) {
        const int x0 = ox * g->stride_w - g->pad_l, x1 = x0 + (g->kw - 1) * g->dil_w + 1;
        const int px1 = x1 < w + g->pad_r ? x1 : w + g->pad_r;
        int count = 0, padded = 0;
        for (int iy = y0; iy < py1; iy += g->dil_h)
          for (int ix = x0; ix < px1; ix += g->dil_w) {
            ++padded;
            count += iy >= 0 && iy < h && ix >= 0 && ix < w;
          }
        const int div = g->count_include_pad ? padded : count;
        if (div <= 0) continue;
        const float d = (float)((double)dp[(size_t)oy * (size_t)ow + (size_t)ox] / div);
        for (int iy = y0; iy < py1; iy += g->dil_h)
          for (int ix = x0; ix < px1; ix += g->dil_w)
            if (iy >= 0 && iy < h && ix >= 0 && ix < w) gp[(size_t)iy * (size_t)w + (size_t)ix] += d;
      }
    }
  }
}

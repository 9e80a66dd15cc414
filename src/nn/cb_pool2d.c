/* cb_pool2d.c - 2-D max and average pooling kernels (pads, dilations,
 * ceil mode, count_include_pad). */
#include <math.h>

#include "cb_nn_ops.h"

void cb_relu_forward(const float *x, size_t n, float *y) {
  for (size_t i = 0; i < n; ++i) y[i] = x[i] > 0.0f || x[i] != x[i] ? x[i] : 0.0f;
}

/* max with NaN sticky: a NaN in either argument gives a NaN (m + v); branch-free, so the loops vectorise */
static inline float max_nan(float m, float v) {
  const float r = v > m ? v : m;
  return (v != v) | (m != m) ? m + v : r;
}

/* Max pooling, separable: for each output row, the column maxima over the window's valid input rows (a loop over
 * the input width that vectorises), then the maxima of those over each window's valid columns. Max is exact, so
 * the order does not change the result; any NaN in a window gives NaN, a window wholly in the padding -inf.
 * Inputs wider than the column buffer take each window's rows directly. */
void cb_maxpool2d_forward(const cb_conv2d_geom *g, const float *x, int batch, float *y) {
  enum { WMAX = 2048 };
  float colmax[WMAX]; /* (w) */
  int oh, ow;
  cb_conv2d_out(g, &oh, &ow);
  const int h = g->in_h, w = g->in_w;
  const size_t planes = (size_t)batch * (size_t)g->in_c;
  for (size_t p = 0; p < planes; ++p) {
    const float *xp = x + p * (size_t)h * (size_t)w;
    float *yp = y + p * (size_t)oh * (size_t)ow;
    for (int oy = 0; oy < oh; ++oy) {
      float *yr = yp + (size_t)oy * (size_t)ow;
      int rows = 0; /* valid input rows of this output row's windows */
      for (int i = 0; i < g->kh; ++i) {
        const int iy = oy * g->stride_h - g->pad_t + i * g->dil_h;
        if (iy < 0 || iy >= h) continue;
        const float *xr = xp + (size_t)iy * (size_t)w;
        if (w <= WMAX) {
          if (rows == 0)
            for (int ix = 0; ix < w; ++ix) colmax[ix] = xr[ix];
          else
            for (int ix = 0; ix < w; ++ix) colmax[ix] = max_nan(colmax[ix], xr[ix]);
        }
        ++rows;
      }
      for (int ox = 0; ox < ow; ++ox) {
        float m = -INFINITY;
        for (int j = 0; rows > 0 && j < g->kw; ++j) {
          const int ix = ox * g->stride_w - g->pad_l + j * g->dil_w;
          if (ix < 0 || ix >= w) continue;
          if (w <= WMAX) {
            m = max_nan(m, colmax[ix]);
          } else { /* wide input: the window's rows directly */
            for (int i = 0; i < g->kh; ++i) {
              const int iy = oy * g->stride_h - g->pad_t + i * g->dil_h;
              if (iy >= 0 && iy < h) m = max_nan(m, xp[(size_t)iy * (size_t)w + (size_t)ix]);
            }
          }
        }
        yr[ox] = m != m ? NAN : m;
      }
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

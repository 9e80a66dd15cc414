/* cb_conv2d.c - 2-D convolution kernel: im2col + cblas_sgemm per image and
 * group (dilations, asymmetric pads, groups and depthwise). A 1x1 stride-1
 * unpadded kernel skips im2col: the image already is the (in_c, h*w) matrix. */
#include <cblas.h>
#include <string.h>

#include "cb_nn_ops.h"

int cb_pool_out_dim(int in, int k, int s, int pb, int pe, int d, int ceil_mode) {
  if (in <= 0 || k <= 0 || s <= 0 || d <= 0) return 0;
  long span = (long)in + pb + pe - (long)d * (k - 1) - 1;
  if (span < 0) return 0;
  long out = (ceil_mode ? (span + s - 1) / s : span / s) + 1;
  /* the last window must start inside the input or the begin padding */
  if (ceil_mode && (out - 1) * s >= (long)in + pb) --out;
  return (int)out;
}

int cb_conv_out_dim(int in, int k, int stride, int pad) {
  if (pad < 0) return 0;
  return cb_pool_out_dim(in, k, stride, pad, pad, 1, 0);
}

void cb_conv2d_out(const cb_conv2d_geom *g, int *oh, int *ow) {
  *oh = cb_pool_out_dim(g->in_h, g->kh, g->stride_h, g->pad_t, g->pad_b, g->dil_h, g->ceil_mode);
  *ow = cb_pool_out_dim(g->in_w, g->kw, g->stride_w, g->pad_l, g->pad_r, g->dil_w, g->ceil_mode);
}

cb_status cb_conv2d_check(const cb_conv2d_geom *g) {
  if (g == NULL) return CB_ERROR(CB_ERR_ARG, "conv2d: NULL geometry");
  if (g->in_c <= 0 || g->in_h <= 0 || g->in_w <= 0 || g->out_c <= 0 || g->kh <= 0 || g->kw <= 0)
    return CB_ERROR(CB_ERR_ARG, "conv2d: sizes not positive (in %dx%dx%d, out_c %d, kernel %dx%d)", g->in_c,
                    g->in_h, g->in_w, g->out_c, g->kh, g->kw);
  if (g->stride_h <= 0 || g->stride_w <= 0 || g->dil_h <= 0 || g->dil_w <= 0 || g->pad_t < 0 || g->pad_l < 0 ||
      g->pad_b < 0 || g->pad_r < 0)
    return CB_ERROR(CB_ERR_ARG, "conv2d: bad stride %dx%d, dilation %dx%d or padding %d,%d,%d,%d", g->stride_h,
                    g->stride_w, g->dil_h, g->dil_w, g->pad_t, g->pad_l, g->pad_b, g->pad_r);
  if (g->groups <= 0 || g->in_c % g->groups || g->out_c % g->groups)
    return CB_ERROR(CB_ERR_ARG, "conv2d: %d groups do not divide %d input and %d output channels", g->groups,
                    g->in_c, g->out_c);
  int oh, ow;
  cb_conv2d_out(g, &oh, &ow);
  if (oh <= 0 || ow <= 0)
    return CB_ERROR(CB_ERR_ARG, "conv2d: kernel %dx%d does not fit input %dx%d with padding %d,%d,%d,%d", g->kh,
                    g->kw, g->in_h, g->in_w, g->pad_t, g->pad_l, g->pad_b, g->pad_r);
  return CB_OK;
}

static int is_pointwise(const cb_conv2d_geom *g) {
  return g->kh == 1 && g->kw == 1 && g->stride_h == 1 && g->stride_w == 1 && g->pad_t == 0 && g->pad_l == 0 &&
         g->pad_b == 0 && g->pad_r == 0;
}

size_t cb_conv2d_workspace(const cb_conv2d_geom *g) {
  if (is_pointwise(g)) return 0;
  int oh, ow;
  cb_conv2d_out(g, &oh, &ow);
  return (size_t)(g->in_c / g->groups) * (size_t)g->kh * (size_t)g->kw * (size_t)oh * (size_t)ow;
}

void cb_im2col(const cb_conv2d_geom *g, const float *x, int c, float *col) {
  int oh, ow;
  cb_conv2d_out(g, &oh, &ow);
  const int h = g->in_h, w = g->in_w;
  size_t n = (size_t)oh * (size_t)ow;
  for (int ch = 0; ch < c; ++ch) {
    const float *xc = x + (size_t)ch * (size_t)h * (size_t)w;
    for (int i = 0; i < g->kh; ++i) {
      for (int j = 0; j < g->kw; ++j) {
        float *row = col + ((size_t)(ch * g->kh + i) * (size_t)g->kw + (size_t)j) * n;
        int dx = j * g->dil_w - g->pad_l;
        for (int oy = 0; oy < oh; ++oy) {
          int iy = oy * g->stride_h - g->pad_t + i * g->dil_h;
          float *dst = row + (size_t)oy * (size_t)ow;
          if (iy < 0 || iy >= h) {
            memset(dst, 0, (size_t)ow * sizeof *dst);
            continue;
          }
          const float *src = xc + (size_t)iy * (size_t)w;
          if (g->stride_w == 1) {
            /* contiguous run: zeros, a copy, zeros */
            int lo = dx < 0 ? -dx : 0;
            if (lo > ow) lo = ow;
            int hi = w - dx < ow ? w - dx : ow;
            if (hi < lo) hi = lo;
            for (int ox = 0; ox < lo; ++ox) dst[ox] = 0.0f;
            if (hi > lo) memcpy(dst + lo, src + lo + dx, (size_t)(hi - lo) * sizeof *dst);
            for (int ox = hi; ox < ow; ++ox) dst[ox] = 0.0f;
          } else {
            for (int ox = 0; ox < ow; ++ox) {
              int ix = ox * g->stride_w + dx;
              dst[ox] = (ix >= 0 && ix < w) ? src[ix] : 0.0f;
            }
          }
        }
      }
    }
  }
}

void cb_conv2d_forward(const cb_conv2d_geom *g, const float *w, const float *b, const float *x, int batch,
                       float *work, float *y) {
  int oh, ow;
  cb_conv2d_out(g, &oh, &ow);
  const int n = oh * ow, cg = g->in_c / g->groups, og = g->out_c / g->groups, kdim = cg * g->kh * g->kw;
  const size_t in_size = (size_t)g->in_c * (size_t)g->in_h * (size_t)g->in_w;
  const size_t out_size = (size_t)g->out_c * (size_t)n;
  const int pointwise = is_pointwise(g);
  for (int img = 0; img < batch; ++img) {
    for (int gr = 0; gr < g->groups; ++gr) {
      const float *xi = x + (size_t)img * in_size + (size_t)gr * (size_t)cg * (size_t)g->in_h * (size_t)g->in_w;
      float *yi = y + (size_t)img * out_size + (size_t)gr * (size_t)og * (size_t)n;
      const float *wg = w + (size_t)gr * (size_t)og * (size_t)kdim;
      const float *colm = xi;
      if (!pointwise) {
        cb_im2col(g, xi, cg, work);
        colm = work;
      }
      /* Y (og, n) = W (og, kdim) * col (kdim, n) */
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, og, n, kdim, 1.0f, wg, kdim, colm, n, 0.0f, yi, n);
      if (b != NULL)
        for (int o = 0; o < og; ++o) {
          float *yo = yi + (size_t)o * (size_t)n;
          const float bo = b[gr * og + o];
          for (int p = 0; p < n; ++p) yo[p] += bo;
        }
    }
  }
}

void cb_gemm_forward(int trans_a, int trans_b, int m, int n, int k, float alpha, const float *a, const float *b,
                     float beta, float *y) {
  cblas_sgemm(CblasRowMajor, trans_a ? CblasTrans : CblasNoTrans, trans_b ? CblasTrans : CblasNoTrans, m, n, k,
              alpha, a, trans_a ? m : k, b, trans_b ? k : n, beta, y, n);
}

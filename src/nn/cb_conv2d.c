/* cb_conv2d.c - 2-D convolution as im2col + cblas_sgemm, one image at a time.
 * A 1x1 stride-1 unpadded kernel skips im2col: the image already is the
 * (in_c, h*w) matrix. */
#include <cblas.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_nn_layer.h"

int cb_conv_out_dim(int in, int k, int stride, int pad) {
  if (in <= 0 || k <= 0 || stride <= 0 || pad < 0) return 0;
  long span = (long)in + 2L * pad - k;
  if (span < 0) return 0;
  return (int)(span / stride + 1);
}

cb_status cb_conv2d_check(const cb_conv2d_geom *g) {
  if (g == NULL) return CB_ERROR(CB_ERR_ARG, "conv2d: NULL geometry");
  if (g->in_c <= 0 || g->in_h <= 0 || g->in_w <= 0 || g->out_c <= 0 || g->kh <= 0 || g->kw <= 0)
    return CB_ERROR(CB_ERR_ARG, "conv2d: sizes not positive (in %dx%dx%d, out_c %d, kernel %dx%d)", g->in_c,
                    g->in_h, g->in_w, g->out_c, g->kh, g->kw);
  if (g->stride_h <= 0 || g->stride_w <= 0 || g->pad_h < 0 || g->pad_w < 0)
    return CB_ERROR(CB_ERR_ARG, "conv2d: bad stride %dx%d or padding %dx%d", g->stride_h, g->stride_w, g->pad_h,
                    g->pad_w);
  if (cb_conv_out_dim(g->in_h, g->kh, g->stride_h, g->pad_h) <= 0 ||
      cb_conv_out_dim(g->in_w, g->kw, g->stride_w, g->pad_w) <= 0)
    return CB_ERROR(CB_ERR_ARG, "conv2d: kernel %dx%d does not fit input %dx%d with padding %dx%d", g->kh, g->kw,
                    g->in_h, g->in_w, g->pad_h, g->pad_w);
  return CB_OK;
}

static int is_pointwise(const cb_conv2d_geom *g) {
  return g->kh == 1 && g->kw == 1 && g->stride_h == 1 && g->stride_w == 1 && g->pad_h == 0 && g->pad_w == 0;
}

size_t cb_conv2d_workspace(const cb_conv2d_geom *g) {
  if (is_pointwise(g)) return 0;
  size_t oh = (size_t)cb_conv_out_dim(g->in_h, g->kh, g->stride_h, g->pad_h);
  size_t ow = (size_t)cb_conv_out_dim(g->in_w, g->kw, g->stride_w, g->pad_w);
  return (size_t)g->in_c * (size_t)g->kh * (size_t)g->kw * oh * ow;
}

void cb_im2col(const float *x, int c, int h, int w, int kh, int kw, int sh, int sw, int ph, int pw, float *col) {
  int oh = cb_conv_out_dim(h, kh, sh, ph), ow = cb_conv_out_dim(w, kw, sw, pw);
  size_t n = (size_t)oh * (size_t)ow;
  for (int ch = 0; ch < c; ++ch) {
    const float *xc = x + (size_t)ch * (size_t)h * (size_t)w;
    for (int i = 0; i < kh; ++i) {
      for (int j = 0; j < kw; ++j) {
        float *row = col + ((size_t)(ch * kh + i) * (size_t)kw + (size_t)j) * n;
        for (int oy = 0; oy < oh; ++oy) {
          int iy = oy * sh - ph + i;
          float *dst = row + (size_t)oy * (size_t)ow;
          if (iy < 0 || iy >= h) {
            memset(dst, 0, (size_t)ow * sizeof *dst);
            continue;
          }
          const float *src = xc + (size_t)iy * (size_t)w;
          for (int ox = 0; ox < ow; ++ox) {
            int ix = ox * sw - pw + j;
            dst[ox] = (ix >= 0 && ix < w) ? src[ix] : 0.0f;
          }
        }
      }
    }
  }
}

void cb_conv2d_forward(const cb_conv2d_geom *g, const float *w, const float *b, const float *x, int batch,
                       float *work, float *y) {
  int oh = cb_conv_out_dim(g->in_h, g->kh, g->stride_h, g->pad_h);
  int ow = cb_conv_out_dim(g->in_w, g->kw, g->stride_w, g->pad_w);
  int n = oh * ow, kdim = g->in_c * g->kh * g->kw;
  size_t in_size = (size_t)g->in_c * (size_t)g->in_h * (size_t)g->in_w;
  size_t out_size = (size_t)g->out_c * (size_t)n;
  int pointwise = is_pointwise(g);
  for (int img = 0; img < batch; ++img) {
    const float *xi = x + (size_t)img * in_size;
    float *yi = y + (size_t)img * out_size;
    const float *colm = xi;
    if (!pointwise) {
      cb_im2col(xi, g->in_c, g->in_h, g->in_w, g->kh, g->kw, g->stride_h, g->stride_w, g->pad_h, g->pad_w, work);
      colm = work;
    }
    /* Y (out_c, n) = W (out_c, kdim) * col (kdim, n) */
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, g->out_c, n, kdim, 1.0f, w, kdim, colm, n, 0.0f, yi, n);
    if (b != NULL)
      for (int o = 0; o < g->out_c; ++o) {
        float *yo = yi + (size_t)o * (size_t)n;
        for (int p = 0; p < n; ++p) yo[p] += b[o];
      }
  }
}

static void conv2d_forward(const cb__layer *l, const float *x, float *work, float *y) {
  cb_conv2d_forward(&l->conv, l->weights, l->bias, x, 1, work, y);
}

cb_status cb__conv2d_init(cb__layer *l, const char *name, int in_c, int in_h, int in_w, int out_c, int k,
                          int stride, int pad) {
  CB_CHECK(cb__layer_begin(l, CB__LAYER_CONV2D, name, in_c, in_h, in_w));
  cb_conv2d_geom g = {.in_c = in_c, .in_h = in_h, .in_w = in_w, .out_c = out_c, .kh = k, .kw = k,
                      .stride_h = stride, .stride_w = stride, .pad_h = pad, .pad_w = pad};
  cb_status st = cb_conv2d_check(&g);
  if (st != CB_OK) {
    char why[256]; /* copy: the message buffer is rewritten by CB_ERROR */
    snprintf(why, sizeof why, "%s", cb_error_message());
    return CB_ERROR(st, "layer '%s': %s", name, why);
  }
  l->conv = g;
  l->k = k;
  l->stride = stride;
  l->pad = pad;
  l->out_c = out_c;
  l->out_h = cb_conv_out_dim(in_h, k, stride, pad);
  l->out_w = cb_conv_out_dim(in_w, k, stride, pad);
  l->workspace = cb_conv2d_workspace(&g);
  size_t nw = (size_t)out_c * (size_t)in_c * (size_t)k * (size_t)k;
  l->weights = calloc(nw, sizeof *l->weights);
  l->bias = calloc((size_t)out_c, sizeof *l->bias);
  if (l->weights == NULL || l->bias == NULL) {
    cb__layer_release(l);
    return CB_ERROR(CB_ERR_NOMEM, "layer '%s': out of memory for %zu weights", name, nw);
  }
  l->forward = conv2d_forward;
  return CB_OK;
}

/* torchvision's Conv2d default is kaiming_uniform(a=sqrt(5)); we use the He
 * normal initialisation instead: w ~ N(0, 2 / fan_in), fan_in = in_c*k*k. */
void cb__conv2d_init_he(cb__layer *l, cb_rng *rng) {
  size_t fan_in = (size_t)l->in_c * (size_t)l->k * (size_t)l->k;
  size_t nw = (size_t)l->out_c * fan_in;
  double sd = sqrt(2.0 / (double)fan_in);
  for (size_t i = 0; i < nw; ++i) l->weights[i] = (float)(sd * cb_rng_normal(rng));
  memset(l->bias, 0, (size_t)l->out_c * sizeof *l->bias);
}

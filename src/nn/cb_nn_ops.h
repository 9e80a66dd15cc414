/* cb_nn_ops.h - pure layer kernels (no allocation, no state), float32 NCHW.
 * The model engine dispatches to them; tests compare them with naive loops. */
#ifndef CB_NN_OPS_H
#define CB_NN_OPS_H

#include <stddef.h>

#include "cb_status.h"

typedef struct cb_conv2d_geom {
  int in_c, in_h, in_w; /* per-image input (in_c, in_h, in_w) */
  int out_c, kh, kw;    /* weights (out_c, in_c, kh, kw) */
  int stride_h, stride_w;
  int pad_h, pad_w; /* zero padding on each side */
} cb_conv2d_geom;

/* Output size floor((in + 2*pad - k) / stride) + 1; 0 when the window does not fit. */
int cb_conv_out_dim(int in, int k, int stride, int pad);
/* CB_ERR_ARG (with a message) when sizes are not positive or the output is empty. */
cb_status cb_conv2d_check(const cb_conv2d_geom *g);
/* Floats of scratch cb_conv2d_forward needs: in_c*kh*kw * out_h*out_w, or 0
 * for a 1x1 stride-1 unpadded kernel (the input is used as the matrix). */
size_t cb_conv2d_workspace(const cb_conv2d_geom *g);
/* col[(c*kh + i)*kw + j][oy*out_w + ox] = x[c][oy*sh - ph + i][ox*sw - pw + j] (0 outside). */
void cb_im2col(const float *x /* (c, h, w) */, int c, int h, int w, int kh, int kw, int sh, int sw,
               int ph, int pw, float *col /* (c*kh*kw, out_h*out_w) */);
/* y[n][o] = b[o] + sum_{c,i,j} w[o][c][i][j] * x_pad[n][c][oy*sh+i][ox*sw+j];
 * one im2col + sgemm per image (gemm N = out_h*out_w). g must pass cb_conv2d_check. */
void cb_conv2d_forward(const cb_conv2d_geom *g, const float *w /* (out_c, in_c, kh, kw) */,
                       const float *b /* (out_c) or NULL */,
                       const float *x /* (batch, in_c, in_h, in_w) */, int batch,
                       float *work /* (cb_conv2d_workspace(g)) */,
                       float *y /* (batch, out_c, out_h, out_w) */);

/* y = max(x, 0) (NaN propagates); x == y allowed. */
void cb_relu_forward(const float *x /* (n) */, size_t n, float *y /* (n) */);

/* Max over k x k windows, no padding, floor mode (PyTorch ceil_mode=False).
 * Output (batch, c, cb_conv_out_dim(h, k, s, 0), cb_conv_out_dim(w, k, s, 0)). */
void cb_maxpool2d_forward(const float *x /* (batch, c, h, w) */, int batch, int c, int h, int w, int k,
                          int stride, float *y /* (batch, c, out_h, out_w) */);

#endif

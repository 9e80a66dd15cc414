/* cb_nn_ops.h - pure layer kernels (no allocation, no state), float32 NCHW.
 * The graph operators (cb_op_*.c) call them; tests compare them with naive
 * loops over shapes, strides, paddings, dilations and groups. */
#ifndef CB_NN_OPS_H
#define CB_NN_OPS_H

#include <stddef.h>

#include "cb_status.h"

/* Geometry of a 2-D convolution or pooling window over one image. */
typedef struct cb_conv2d_geom {
  int in_c, in_h, in_w;       /* per-image input (in_c, in_h, in_w) */
  int out_c, kh, kw;          /* conv weights (out_c, in_c/groups, kh, kw); pools: out_c = in_c */
  int stride_h, stride_w;
  int pad_t, pad_l, pad_b, pad_r; /* zero padding before/after (top, left, bottom, right) */
  int dil_h, dil_w;           /* dilations (1 = dense) */
  int groups;                 /* conv: in_c and out_c divisible by it */
  int ceil_mode;              /* pools: ceil instead of floor for the output size */
  int count_include_pad;      /* average pool: divide by the padded window size */
} cb_conv2d_geom;

/* floor((in + pb + pe - d*(k-1) - 1) / s) + 1, or the ceil variant where a
 * window starting in the end padding is dropped (PyTorch/ONNX); 0 when empty. */
int cb_pool_out_dim(int in, int k, int s, int pb, int pe, int d, int ceil_mode);
/* Symmetric, dense, floor: cb_pool_out_dim(in, k, stride, pad, pad, 1, 0). */
int cb_conv_out_dim(int in, int k, int stride, int pad);
/* Output height and width of g. */
void cb_conv2d_out(const cb_conv2d_geom *g, int *oh, int *ow);
/* CB_ERR_ARG (with a message) when sizes are not positive, groups do not
 * divide the channels or the output is empty. */
cb_status cb_conv2d_check(const cb_conv2d_geom *g);
/* Floats of scratch cb_conv2d_forward needs: (in_c/groups)*kh*kw * out_h*out_w,
 * or 0 for a 1x1 stride-1 unpadded kernel (the input is used as the matrix). */
size_t cb_conv2d_workspace(const cb_conv2d_geom *g);
/* col[(c*kh + i)*kw + j][oy*out_w + ox] = x[c][oy*sh - pt + i*dh][ox*sw - pl + j*dw] (0 outside),
 * for the c channels starting at x. */
void cb_im2col(const cb_conv2d_geom *g, const float *x /* (c, in_h, in_w) */, int c,
               float *col /* (c*kh*kw, out_h*out_w) */);
/* y[n][o] = b[o] + sum_{c in group(o), i, j} w[o][c][i][j] * x_pad[n][c][oy*sh + i*dh][ox*sw + j*dw];
 * per image and group one im2col + sgemm (M = out_c/groups, N = out_h*out_w,
 * K = in_c/groups*kh*kw). g must pass cb_conv2d_check. */
void cb_conv2d_forward(const cb_conv2d_geom *g, const float *w /* (out_c, in_c/groups, kh, kw) */,
                       const float *b /* (out_c) or NULL */,
                       const float *x /* (batch, in_c, in_h, in_w) */, int batch,
                       float *work /* (cb_conv2d_workspace(g)) */,
                       float *y /* (batch, out_c, out_h, out_w) */);

/* y = max(x, 0) (NaN propagates); x == y allowed. */
void cb_relu_forward(const float *x /* (n) */, size_t n, float *y /* (n) */);

/* Max over windows (padding never wins; a NaN in the window wins).
 * Uses g's in_c, in_h, in_w, kernel, strides, pads, dilations, ceil_mode. */
void cb_maxpool2d_forward(const cb_conv2d_geom *g, const float *x /* (batch, in_c, in_h, in_w) */, int batch,
                          float *y /* (batch, in_c, out_h, out_w) */);
/* Mean over windows clipped to the input; divisor = window clipped to the
 * padded input when count_include_pad, else the number of input elements. */
void cb_avgpool2d_forward(const cb_conv2d_geom *g, const float *x /* (batch, in_c, in_h, in_w) */, int batch,
                          float *y /* (batch, in_c, out_h, out_w) */);

/* Y = alpha * op(A) op(B) + beta * Y with op = transpose when trans_*;
 * A (m, k) or (k, m), B (k, n) or (n, k), Y (m, n), row major, sgemm. */
void cb_gemm_forward(int trans_a, int trans_b, int m, int n, int k, float alpha, const float *a, const float *b,
                     float beta, float *y);

/* Local response normalisation across channels (ONNX LRN):
 * y = x / (bias + alpha/size * sum_{c' in [c - (size-1)/2, c + ceil((size-1)/2)]} x[c']^2)^beta */
void cb_lrn_forward(const float *x /* (batch, c, inner) */, int batch, int c, size_t inner, int size, float alpha,
                    float beta, float bias, float *y /* (batch, c, inner) */);

/* Softmax (or log-softmax) over the middle axis of (outer, axis, inner), max-subtracted. */
void cb_softmax_forward(const float *x /* (outer, axis, inner) */, size_t outer, size_t axis, size_t inner,
                        int log, float *y /* (outer, axis, inner) */);

#endif

/* cb_train_ops.h - backward kernels of the layers (pure functions on arrays, float32 NCHW), the
 * training-mode forward of BatchNormalization and Dropout, and the softmax cross-entropy loss.
 * Every backward *adds* to its gradient outputs (a value read by several nodes sums their
 * contributions), so callers zero them first. The graph-level driver (cb_train.h) calls them. */
#ifndef CB_TRAIN_OPS_H
#define CB_TRAIN_OPS_H

#include <stddef.h>
#include <stdint.h>

#include "cb_nn_ops.h"

/* ---- convolution (g as cb_conv2d_forward, passing cb_conv2d_check) ---- */
/* Floats of scratch cb_conv2d_backward needs for a batch: out_c/groups * batch*P (the regrouped output gradients)
 * plus kdim * P * (images per input-gradient GEMM), P = out_h*out_w, kdim = in_c/groups*kh*kw. */
size_t cb_conv2d_backward_workspace(const cb_conv2d_geom *g, int batch);
/* Per group, with dy_g regrouped as (og, batch*P):
 *  dx (may be NULL) += col2im(W_g^T (kdim, og) dy_g (og, batch*P)), one cb_sgemm per chunk of images;
 *  dw (may be NULL) += dy_g (og, batch*P) col_g^T (batch*P, kdim): one cb_sgemm whose B (the transposed im2col of
 *    all images) is packed from x in the GEMM's threads; the chain runs over images, then pixels, in order;
 *  db (may be NULL) += sum over images and pixels of dy (double, fixed order).
 * The bits depend on neither the thread count nor the chunking. */
void cb_conv2d_backward(const cb_conv2d_geom *g, const float *x /* (batch, in_c, in_h, in_w) */,
                        const float *w /* (out_c, in_c/groups, kh, kw) */,
                        const float *dy /* (batch, out_c, oh, ow) */, int batch, int threads,
                        float *work /* (cb_conv2d_backward_workspace(g, batch)) */,
                        float *dx /* (batch, in_c, in_h, in_w) or NULL */,
                        float *dw /* (out_c, in_c/groups, kh, kw) or NULL */, float *db /* (out_c) or NULL */);

/* ---- pooling (g as the forward kernels) ---- */
/* The gradient of each output goes to the first maximum of its window in scan order (rows, then columns;
 * the last NaN when there is one), as PyTorch's CPU kernel. */
void cb_maxpool2d_backward(const cb_conv2d_geom *g, const float *x /* (batch, in_c, in_h, in_w) */,
                           const float *dy /* (batch, in_c, oh, ow) */, int batch,
                           float *dx /* (batch, in_c, in_h, in_w) */);
/* The same for the (image, channel) planes [p0, p1) only (x, dy and dx point at plane 0). */
void cb_maxpool2d_backward_planes(const cb_conv2d_geom *g, const float *x, const float *dy, size_t p0, size_t p1,
                                  float *dx);
/* dy / divisor to every input element of the window, the divisor of cb_avgpool2d_forward. */
void cb_avgpool2d_backward(const cb_conv2d_geom *g, const float *dy /* (batch, in_c, oh, ow) */, int batch,
                           float *dx /* (batch, in_c, in_h, in_w) */);

/* ---- elementwise ---- */
/* dx += dy where x > 0 (the forward's y = max(x, 0)); 0 elsewhere. */
void cb_relu_backward(const float *x /* (n) */, const float *dy /* (n) */, size_t n, float *dx /* (n) */);

/* Dropout mask, a pure function of its arguments (counter-based, no stream state):
 *   k = mix(mix(seed + G (step + 1)) + G (salt + 1)),  r_i = mix(k + G (i + 1)),
 *   keep_i = (r_i >> 40) >= floor(ratio * 2^24)
 * with G = 0x9E3779B97F4A7C15 and mix the splitmix64 finaliser (arithmetic mod 2^64). scale[i] =
 * 1 / (1 - ratio) when kept, else 0 (ratio 1: all 0). tests/reference/make_grad_goldens.py draws the same. */
void cb_dropout_mask(uint64_t seed, uint64_t step, uint64_t salt, float ratio, size_t n, float *scale /* (n) */);
/* FNV-1a 64 of a string: the per-node salt of the masks (a node's name). */
uint64_t cb_dropout_salt(const char *name);

/* ---- BatchNormalization over (batch, c, inner) ---- */
/* Training mode: per channel mean and biased variance of the batch (double), y = (x - mean) * invstd *
 * scale + shift with invstd = 1 / sqrt(var + eps); saves mean and invstd; updates the running statistics
 * r = momentum r + (1 - momentum) s (the variance with the unbiased estimate), ONNX's momentum. Channels are
 * shared between `threads` threads (same bits for any count). */
void cb_batchnorm_train_forward(const float *x /* (batch, c, inner) */, int batch, int c, size_t inner, float eps,
                                float momentum, const float *scale /* (c) */, const float *shift /* (c) */,
                                float *run_mean /* (c) */, float *run_var /* (c) */, float *y /* (batch, c, inner) */,
                                float *mean /* (c) */, float *invstd /* (c) */, int threads);
/* Backward of either mode given the mean and invstd used (batch: saved; frozen: the running ones, and
 * batch_stats 0): dscale += sum dy xhat, dshift += sum dy, dx += scale invstd (dy - [batch_stats]
 * (mean(dy) + xhat mean(dy xhat))). Any of dx, dscale, dshift may be NULL. */
void cb_batchnorm_backward(const float *x /* (batch, c, inner) */, const float *dy /* (batch, c, inner) */,
                           int batch, int c, size_t inner, const float *scale /* (c) */,
                           const float *mean /* (c) */, const float *invstd /* (c) */, int batch_stats,
                           float *dx /* (batch, c, inner) */, float *dscale /* (c) */, float *dshift /* (c) */,
                           int threads);

/* ---- loss ---- */
/* Mean softmax cross-entropy: loss = 1/n sum_i (logsumexp(z_i) - z_i[labels_i]); dz (may be NULL) =
 * (softmax(z_i) - onehot(labels_i)) / n (overwritten, not added). Double internally. CB_ERR_ARG when a
 * label is outside [0, c). */
cb_status cb_softmax_xent(const float *z /* (n, c) */, const int *labels /* (n) */, int n, int c, double *loss,
                          float *dz /* (n, c) */);

#endif

/* cb_nn_batch.h - running a graph planned for one image on many images at
 * once, and the batched kernels behind it. Each image keeps its own copy of
 * the planned arena; convolutions and fully connected layers put the images
 * of a group side by side in one GEMM (cb_sgemm.h: an element's value does
 * not depend on its neighbours), every other operator runs image by image.
 * An image's outputs are therefore bitwise the same whatever the batch. */
#ifndef CB_NN_BATCH_H
#define CB_NN_BATCH_H

#include <stddef.h>

#include "cb_graph.h"
#include "cb_nn_ops.h"

/* Runs a finished single-input graph on n_img images: image b's input is
 * x + b*in_stride (the input value's shape). For each k, value req[k] of image
 * b goes to out[k] + b*out_stride[k] (float32, as cb_graph_run). */
cb_status cb_graph_run_batch(cb_graph *g, const float *x, int n_img, size_t in_stride, int n_req, const int *req,
                             float *const *out, const size_t *out_stride);

/* Per-operator time of cb_graph_run_batch, summed by op name: a benchmark
 * aid. cb_nn_profile_attach(p) makes every later batched run (in any graph)
 * add to *p until cb_nn_profile_attach(NULL); not for concurrent runs. */
#define CB_NN_PROFILE_MAX 48
typedef struct cb_nn_profile {
  int n;
  char op[CB_NN_PROFILE_MAX][32]; /* (n) ONNX op name; "Conv+Relu" when fused */
  double seconds[CB_NN_PROFILE_MAX]; /* (n) */
  double flops[CB_NN_PROFILE_MAX];   /* (n) multiply-adds x 2 of Conv and Gemm, 0 otherwise */
  long calls[CB_NN_PROFILE_MAX];     /* (n) node runs (one per node and group of images) */
} cb_nn_profile;
void cb_nn_profile_attach(cb_nn_profile *p);

/* y[i] = conv(x[i]) (+ bias, then max(., 0) when relu) for i < n_img; same
 * bits as cb_conv2d_forward on each image alone. */
void cb__conv2d_images(const cb_conv2d_geom *g, const float *w /* (out_c, in_c/groups, kh, kw) */,
                       const float *b /* (out_c) or NULL */, int relu, int n_img,
                       const float *const *x /* (n_img) of (in_c, in_h, in_w) */,
                       float *const *y /* (n_img) of (out_c, out_h, out_w) */, int threads);

#endif

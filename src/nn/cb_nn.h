/* cb_nn.h - the model stage: a graph engine (cb_graph.h), its zoo and ONNX
 * import (cb_onnx.h).
 *
 * Tensors are float32 NCHW. A model is a graph planned for one image; its
 * layers are the values its nodes compute, in execution order, named by
 * module path (builders) or ONNX node output name. Forward runs the graph
 * once per image, so an image's activations never depend on which other
 * images share its batch (results are the same on any MPI rank count).
 * The caller applies the normalisation in cb_model_info (mean/std on [0,1]
 * pixels) before cb_model_forward: x is the preprocessed input. */
#ifndef CB_NN_H
#define CB_NN_H

#include <stdint.h>

#include "cb_status.h"

typedef struct cb_model_info {
  const char *name;
  int in_c, in_h, in_w;  /* input the model expects, e.g. 3, 64, 64 */
  float mean[3], std[3]; /* per-channel normalisation applied to [0,1] pixels */
  double visual_degrees; /* the model's field of view, e.g. 8 */
} cb_model_info;

typedef struct cb_model cb_model;

/* Zoo names now: "pixels" (one identity layer named "pixels", input 3x32x32)
 * and "tinycnn" (3x64x64 input, seeded He-normal conv weights, zero biases):
 *   features.0 conv 3->16 k5 s2 p2, features.1 relu, features.2 maxpool k2 s2,
 *   features.3 conv 16->32 k3 s1 p1, features.4 relu, features.5 maxpool k2 s2.
 * Unknown name -> CB_ERR_ARG. *out is written only on success. */
cb_status cb_model_create(const char *zoo_name, uint64_t seed, cb_model **out);
void cb_model_destroy(cb_model **m);
const cb_model_info *cb_model_get_info(const cb_model *m);
int cb_model_n_layers(const cb_model *m);
/* NULL when i is out of range. */
const char *cb_model_layer_name(const cb_model *m, int i);
/* Per-image output shape of layer i (all 0 when i is out of range). A layer
 * of shape (1, d1, d2, d3, ...) reports (d1, d2, d3*...); (1, f) reports
 * (f, 1, 1); c*h*w is always the per-image feature count. */
void cb_model_layer_shape(const cb_model *m, int i, int *c, int *h, int *w);
/* Index of the layer called `name`, -1 when unknown. */
int cb_model_find_layer(const cb_model *m, const char *name);
/* x: (batch, in_c, in_h, in_w). For each k in 0..n_req-1, out[k] receives
 * (batch, c*h*w) of layer req[k] (C order of (c, h, w)). Runs only up to the
 * deepest requested layer; intermediate buffers are reused. */
cb_status cb_model_forward(cb_model *m, const float *x, int batch, const int *req, int n_req,
                           float *const *out);
/* FNV-1a (64-bit) over every layer's kind, shape and weight bytes, in
 * order: a key for caches of activations. */
uint64_t cb_model_weights_hash(const cb_model *m);
/* Loads an ONNX model (see cb_onnx.h) as a model for one image per run: its
 * single float32 input must be (N, C, H, W) with N symbolic or 1; symbolic H
 * and W take preprocessing->in_h/in_w. preprocessing gives mean, std,
 * visual_degrees and (when > 0) the input size; NULL: mean 0, std 1, 8
 * degrees. The model is called after the file's base name without ".onnx". */
cb_status cb_model_load_onnx(const char *path, const cb_model_info *preprocessing, cb_model **out);
/* The model's graph (read only use: names, shapes). */
const struct cb_graph *cb_model_graph(const cb_model *m);
/* Names of all zoo models (NULL-terminated static list). */
const char *const *cb_zoo_names(void);

#endif
